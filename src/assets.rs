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
    /// "Staying safe here", readable from Help, Help now and settings.
    pub safety: std::sync::Arc<str>,
    /// The banner above the board list when a member arrives; `{name}` is the board's name
    /// and `{handle}` the member's.
    pub welcome: std::sync::Arc<str>,
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
            safety: crate::sanitize::multiline(
                read("safety.md", include_str!("../assets/safety.md")).trim(),
            )
            .into(),
            welcome: crate::sanitize::multiline(
                read("welcome.md", include_str!("../assets/welcome.md")).trim(),
            )
            .into(),
        }
    }
}

impl Default for Assets {
    fn default() -> Self {
        Assets::load(Path::new("/nonexistent"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_privacy_policy_members_accept_covers_what_the_readme_promises() {
        let a = Assets::default();
        let policy = a.privacy.text.to_lowercase();
        for topic in [
            "ip address",
            "private message",
            "encrypted",
            "audit",
            "180 days",
            "anonymous",
            "unmask",
            "second moderator",
            "moderators see",
            "sysops",
            "export",
            "erase",
            "confidentiality",
            "report",
        ] {
            assert!(
                policy.contains(topic),
                "the policy says nothing of {topic:?}"
            );
        }
        assert!(a.privacy.version >= 2, "a changed policy is accepted again");
    }

    #[test]
    fn staying_safe_says_staff_never_ask_for_codes_or_keys() {
        let safety = Assets::default().safety.to_lowercase();
        for topic in [
            "pseudonym",
            "recovery codes",
            "private key",
            "impersonation",
            "report",
        ] {
            assert!(safety.contains(topic), "{topic:?}");
        }
    }
}
