//! Fuzz harnesses that run on the stable toolchain (arbtest over `arbitrary` input, no coverage
//! guidance): the input parser, the sanitiser, the frame renderer and the config parser, each
//! asserting its invariants. Under `cargo test` each runs for a short budget; set
//! `HAVEN_FUZZ_MS` (milliseconds per harness) for a longer run, e.g.
//! `HAVEN_FUZZ_MS=600000 cargo test --lib fuzz_ -- --test-threads 4`.

use arbtest::arbitrary::{self, Unstructured};

use crate::sanitize;
use crate::session::input::{InputParser, MAX_PASTE, Parsed};

/// Milliseconds each harness runs: short in CI, longer when asked.
fn budget() -> u64 {
    std::env::var("HAVEN_FUZZ_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

fn run(name: &str, mut prop: impl FnMut(&mut Unstructured<'_>) -> arbitrary::Result<()>) {
    let started = std::time::Instant::now();
    let mut cases = 0u64;
    arbtest::arbtest(|u| {
        cases += 1;
        prop(u)
    })
    .budget_ms(budget())
    .size_max(1 << 16)
    .run();
    if budget() > 1000 {
        eprintln!("{name}: {cases} cases in {:?}", started.elapsed());
    }
}

/// Characters no member text may carry to a terminal.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || matches!(c, '\u{E0000}'..='\u{E007F}')
}

#[test]
fn fuzz_input_parser_never_panics_and_bounds_what_it_keeps() {
    run("input parser", |u| {
        let mut p = InputParser::new();
        let mut fed = 0usize;
        let mut out = Vec::new();
        while !u.is_empty() {
            // Packets of any size, often with the bytes terminals send.
            let packet: Vec<u8> = if u.ratio(1, 4)? {
                let pick: &[&[u8]] = &[
                    b"\x1b[200~",
                    b"\x1b[201~",
                    b"\x1b",
                    b"\x1b[",
                    b"\x11",
                    &[0xC3],
                    &[0xE4, 0xBD],
                ];
                u.choose(pick)?.to_vec()
            } else {
                u.arbitrary()?
            };
            fed += packet.len();
            out.extend(p.feed(&packet));
        }
        out.extend(p.expire());
        assert!(out.len() <= fed + 1, "more events than bytes");
        for parsed in &out {
            if let Parsed::Paste { text, .. } = parsed {
                assert!(
                    text.len() <= MAX_PASTE + 3 * (MAX_PASTE / 1024),
                    "paste too big"
                );
            }
        }
        assert!(
            p.deadline().is_none(),
            "an expired paste leaves no deadline"
        );
        Ok(())
    });
}

#[test]
fn fuzz_sanitised_text_is_safe_and_stable() {
    run("sanitiser", |u| {
        let text: String = u.arbitrary()?;
        let line = sanitize::line(&text);
        assert!(!line.chars().any(|c| forbidden(c) || c == '\n'), "{line:?}");
        assert_eq!(sanitize::line(&line), line, "line is idempotent");
        let multi = sanitize::multiline(&text);
        assert!(!multi.chars().any(forbidden), "{multi:?}");
        assert_eq!(
            sanitize::multiline(&multi),
            multi,
            "multiline is idempotent"
        );
        Ok(())
    });
}

#[test]
fn fuzz_frames_carry_no_escape_but_drawing() {
    use crate::session::frame::{Frame, MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS};
    use crate::tui::test_support as tests;
    run("renderer", |u| {
        // Words straight from a hostile client, not sanitised first: drawing must be safe anyway.
        let n = u.int_in_range(1..=6)?;
        let boards = (0..n)
            .map(|i| -> arbitrary::Result<_> {
                Ok(tests::board(i, u.arbitrary()?, u.arbitrary()?))
            })
            .collect::<arbitrary::Result<Vec<_>>>()?;
        let mut app = tests::app_with_boards(boards);
        let w = u.int_in_range(MIN_COLS..=MAX_COLS)?;
        let h = u.int_in_range(MIN_ROWS..=MAX_ROWS)?;
        app.update(crate::tui::Msg::Resize(w, h));
        let mut frame = Frame::new();
        let bytes = frame.draw(&app, w, h);
        let text = String::from_utf8_lossy(&bytes);
        for (i, c) in text.char_indices() {
            match c {
                // Only CSI sequences (cursor moves, colours), never OSC, DCS, APC, PM or SOS.
                '\x1b' => {
                    let next = text[i + 1..].chars().next();
                    assert_eq!(next, Some('['), "an escape other than CSI: {text:?}");
                }
                '\x07' => panic!("a bell in a frame"),
                c if ('\u{80}'..='\u{9f}').contains(&c) => panic!("a C1 control in a frame"),
                _ => {}
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_config_parser_never_panics_and_names_the_file() {
    const KEYS: &[(&str, &str)] = &[
        ("server", "listen"),
        ("server", "name"),
        ("limits", "max_sessions"),
        ("limits", "max_unauthenticated"),
        ("limits", "login_grace_seconds"),
        ("limits", "frame_memory_mb"),
        ("limits", "penalty_max_seconds"),
        ("posting", "post_interval_seconds"),
        ("registration", "invite_days"),
        ("registration", "mode"),
        ("storage", "encryption"),
        ("watched_words", "block"),
    ];
    run("config parser", |u| {
        let path = std::path::Path::new("/etc/haven/bbs.toml");
        // Free text first, then well-formed TOML with odd values for real keys.
        let free: String = u.arbitrary()?;
        if let Err(e) = crate::config::Config::parse(&free, path) {
            assert!(e.to_string().contains("bbs.toml"), "{e}");
        }
        let mut toml = String::new();
        for _ in 0..u.int_in_range(1..=4)? {
            let (section, key) = u.choose(KEYS)?;
            let value = match u.int_in_range(0..=4)? {
                0 => u.arbitrary::<i64>()?.to_string(),
                1 => format!("{:?}", u.arbitrary::<String>()?),
                2 => u.arbitrary::<bool>()?.to_string(),
                3 => format!("[{:?}]", u.arbitrary::<String>()?),
                _ => u.arbitrary::<f64>()?.to_string(),
            };
            toml.push_str(&format!("[{section}]\n{key} = {value}\n"));
        }
        match crate::config::Config::parse(&toml, path) {
            Ok(_) => {}
            Err(e) => assert!(e.to_string().contains("bbs.toml"), "{e}"),
        }
        Ok(())
    });
}

#[test]
fn fuzz_rich_text_stays_in_its_width_and_carries_no_control() {
    use crate::tui::rich;
    use crate::tui::widgets::width;
    // Markdown's own characters, quote lines, wide and combining text, and free text.
    const TOKENS: &[&str] = &[
        "*",
        "**",
        "_",
        "`",
        "```\n",
        "~~",
        "> ",
        ">> ",
        "- ",
        "  - ",
        "1. ",
        "[",
        "](",
        ")",
        "![",
        "<",
        ">",
        "<b>",
        "</b>",
        "&#27;",
        "&#x9b;",
        "&amp;",
        "#",
        "## ",
        "\n",
        "\n\n",
        " ",
        "    ",
        "\t",
        "---\n",
        "\\",
        "word",
        "日本語",
        "😀",
        "e\u{301}",
        "\u{1}@ ",
        "\u{1}> ",
        "\u{1}? ",
        "[quote #1]",
        "http://x.org/a_b",
    ];
    run("rich text", |u| {
        let mut text = String::new();
        for _ in 0..u.int_in_range(0..=60)? {
            if u.ratio(1, 8)? {
                text.push_str(&u.arbitrary::<String>()?);
            } else {
                text.push_str(u.choose(TOKENS)?);
            }
        }
        let w = u.int_in_range(4..=120)?;
        for line in rich::lay_out(&text, w) {
            let t = rich::text_of(&line);
            assert!(width(&t) <= w, "{t:?} wider than {w} from {text:?}");
            assert!(
                !t.chars().any(|c| forbidden(c) || c == '\n'),
                "{t:?} from {text:?}"
            );
        }
        let flat = rich::flat(&text);
        assert!(!flat.chars().any(|c| forbidden(c) || c == '\n'), "{flat:?}");
        Ok(())
    });
}
