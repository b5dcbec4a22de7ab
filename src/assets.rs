//! Texts shown to members (guidelines, privacy policy, crisis resources): embedded in the
//! binary, and overridable by a file of the same name in the data dir, so a sysop edits them
//! without rebuilding. Guidelines and privacy policy are versioned by a first line
//! `<!-- version: N -->`; members accept each version explicitly.

use std::path::Path;

/// One versioned document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub version: i64,
    /// Shared by every session that shows it.
    pub text: std::sync::Arc<str>,
}

impl Document {
    fn from_text(text: &str) -> Document {
        let version = text
            .lines()
            .next()
            .and_then(|l| l.trim().strip_prefix("<!-- version:"))
            .and_then(|l| l.trim().strip_suffix("-->"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1);
        let body = match text.split_once('\n') {
            Some((first, rest)) if first.trim_start().starts_with("<!--") => rest,
            _ => text,
        };
        Document {
            version,
            text: crate::sanitize::multiline(body.trim()).into(),
        }
    }
}

/// The texts in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    pub guidelines: Document,
    pub privacy: Document,
    pub resources: std::sync::Arc<str>,
}

impl Assets {
    /// The embedded texts, each replaced by `DIR/<name>` when that file exists.
    pub fn load(data_dir: &Path) -> Assets {
        let read = |name: &str, embedded: &str| -> String {
            std::fs::read_to_string(data_dir.join(name)).unwrap_or_else(|_| embedded.to_string())
        };
        Assets {
            guidelines: Document::from_text(&read(
                "guidelines.md",
                include_str!("../assets/guidelines.md"),
            )),
            privacy: Document::from_text(&read("privacy.md", include_str!("../assets/privacy.md"))),
            resources: crate::sanitize::multiline(&read(
                "resources.md",
                include_str!("../assets/resources.md"),
            ))
            .into(),
        }
    }
}

impl Default for Assets {
    fn default() -> Self {
        Assets::load(Path::new("/nonexistent"))
    }
}
