//! The house rules of the source tree, checked so they stay true: the layers below the UI never
//! import it, SQL lives only in the store, no source file grows past 800 lines, and no two
//! files of a directory import each other (docs/ARCHITECTURE.md, "Layers").

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The file's path below `src/`, with `/` separators.
fn rel(path: &Path) -> String {
    path.strip_prefix(root().join("src"))
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn no_layer_below_the_ui_imports_it() {
    let below = [
        "service/",
        "store/",
        "domain/",
        "live.rs",
        "clock.rs",
        "config.rs",
    ];
    for (path, text) in sources(&root().join("src")) {
        let name = rel(&path);
        if below.iter().any(|b| name.starts_with(b)) {
            assert!(
                !text.contains("crate::tui") && !text.contains("crate::session"),
                "{name} imports the UI"
            );
        }
    }
}

#[test]
fn sql_lives_only_in_the_store() {
    let sql = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        ".execute(",
        ".prepare(",
    ];
    for (path, text) in sources(&root().join("src")) {
        let name = rel(&path);
        if name.starts_with("store/") {
            continue;
        }
        // A string literal holding SQL, or a call that runs it.
        for line in text.lines() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for s in sql {
                let hit = if s.starts_with('.') {
                    code.contains(s)
                } else {
                    code.contains(&format!("\"{s}")) || code.contains(&format!("\"{}", s.trim()))
                };
                assert!(!hit, "{name} has SQL outside the store: {code}");
            }
        }
    }
}

#[test]
fn no_source_file_is_over_800_lines() {
    for dir in ["src", "tests"] {
        for (path, text) in sources(&root().join(dir)) {
            let lines = text.lines().count();
            assert!(lines <= 800, "{} has {lines} lines", path.display());
        }
    }
}

/// The sibling modules a file names: `super::x::…`, `super::x;`, `super::{x, …}` and
/// `crate::dir::x::…` (for a file in `src/dir/`, `dir` as a path like `tui/screens`).
fn siblings_named(text: &str, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("super::") {
        let rest = &text[i + "super::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            out.extend(list[..end].split(',').map(|s| ident(s.trim())));
        } else {
            out.push(ident(rest));
        }
    }
    let prefix = format!("crate::{}::", dir.replace('/', "::"));
    for (i, _) in text.match_indices(&prefix) {
        out.push(ident(&text[i + prefix.len()..]));
    }
    out.retain(|s| !s.is_empty());
    out
}

#[test]
fn no_two_files_of_a_directory_import_each_other() {
    let files = sources(&root().join("src"));
    for (a, text_a) in &files {
        for (b, text_b) in &files {
            let (ra, rb) = (rel(a), rel(b));
            let (Some((dir, _)), Some((dir_b, _))) = (ra.rsplit_once('/'), rb.rsplit_once('/'))
            else {
                continue;
            };
            if ra >= rb || dir != dir_b {
                continue;
            }
            let name = |p: &Path| p.file_stem().expect("stem").to_string_lossy().to_string();
            let (ma, mb) = (name(a), name(b));
            if ma == "mod" || mb == "mod" {
                continue;
            }
            let a_to_b = siblings_named(text_a, dir).contains(&mb);
            let b_to_a = siblings_named(text_b, dir).contains(&ma);
            assert!(!(a_to_b && b_to_a), "{ra} and {rb} import each other");
        }
    }
}
