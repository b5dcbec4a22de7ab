//! Settings: `bbs.toml` → [`RawConfig`] (what the file says, serde with `deny_unknown_fields`)
//! → [`Config`] (resolved values the rest of the program takes).
//!
//! This is the only module that reads configuration files or the environment for settings.
//! Precedence: command-line flags, then the file (`--config`, else `BBS_CONFIG`, else `./bbs.toml`
//! when it exists), then the built-in defaults. Every key is optional; a bad key or value is an
//! error that names the file, the line and the key, so a sysop can fix it without guessing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The environment variable that may name the config file.
pub const CONFIG_ENV: &str = "BBS_CONFIG";
/// The file looked for in the working directory when nothing else names one.
pub const DEFAULT_CONFIG_FILE: &str = "bbs.toml";

/// An error in the configuration, with where it is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// How new members may join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    /// Anyone with a key may sign up.
    Open,
    /// Sign-up needs a one-time invite code.
    Invite,
    /// Accounts wait for a moderator's approval and read only the welcome board until then.
    Approval,
}

/// What the file says. Every field is optional; `None` means "use the default".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub server: Option<RawServer>,
    pub registration: Option<RawRegistration>,
    pub limits: Option<RawLimits>,
    pub security: Option<RawSecurity>,
    pub storage: Option<RawStorage>,
    pub retention: Option<RawRetention>,
    pub posting: Option<RawPosting>,
    pub watched_words: Option<RawWatched>,
    pub boards: Option<Vec<RawBoard>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWatched {
    pub block: Option<Vec<String>>,
    pub flag: Option<Vec<String>>,
    pub approve: Option<Vec<String>>,
    pub cw_suggest: Option<Vec<String>>,
}

/// Words moderators watch for (DESIGN.md §7), matched as whole words, ignoring case and
/// look-alike characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watched {
    /// Refused, with the reason.
    pub block: Vec<String>,
    /// Posted, and queued for review.
    pub flag: Vec<String>,
    /// Held until a moderator approves.
    pub approve: Vec<String>,
    /// The composer suggests a content warning.
    pub cw_suggest: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPosting {
    pub post_interval_seconds: Option<i64>,
    pub new_member_post_interval_seconds: Option<i64>,
    pub new_member_thread_interval_seconds: Option<i64>,
    pub first_day_threads: Option<i64>,
    pub first_day_replies: Option<i64>,
    pub duplicate_window_seconds: Option<i64>,
    pub trusted_after_days: Option<i64>,
    pub trusted_after_threads_read: Option<i64>,
}

/// Trust levels and rate limits (DESIGN.md §7): new members (trust level 0) are slowed, never
/// banned; trust comes with time and reading, not with posting volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// Seconds between any member's posts.
    pub post_interval: i64,
    /// Seconds between a new member's posts, and between their new threads.
    pub new_member_post_interval: i64,
    pub new_member_thread_interval: i64,
    /// What a member may start and reply in their first day.
    pub first_day_threads: i64,
    pub first_day_replies: i64,
    /// The same text again within this many seconds is refused.
    pub duplicate_window: i64,
    /// Trust level 1 comes after this many days and this many threads read.
    pub trusted_after_days: i64,
    pub trusted_after_threads_read: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetention {
    pub audit_days: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    pub encryption: Option<Encryption>,
}

/// How the database is encrypted at rest (SQLCipher).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encryption {
    /// A random key in `DATA_DIR/db.key` (0600), made at first start.
    Keyfile,
    /// A key derived (argon2id) from a passphrase given at start: the environment variable
    /// `BBS_DB_PASSPHRASE`, or the systemd credential `bbs-db-passphrase`.
    Passphrase,
    /// Not encrypted. Only for debugging; never for a real community.
    None,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecurity {
    pub require_2fa_for_staff: Option<bool>,
    pub unmask_needs_second_moderator: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub name: Option<String>,
    pub public_host: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegistration {
    pub mode: Option<RegistrationMode>,
    pub invite_days: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_unauthenticated: Option<usize>,
    pub max_unauthenticated_per_source: Option<usize>,
    pub random_drop_from: Option<usize>,
    pub version_seconds: Option<u64>,
    pub key_exchange_seconds: Option<u64>,
    pub login_grace_seconds: Option<u64>,
    pub session_start_seconds: Option<u64>,
    pub max_auth_attempts: Option<usize>,
    pub max_signups: Option<usize>,
    pub max_signups_per_source: Option<usize>,
    pub signup_minutes: Option<u64>,
    pub penalties: Option<bool>,
    pub penalty_max_seconds: Option<u64>,
    pub max_sessions: Option<usize>,
    pub idle_logout_minutes: Option<u64>,
    pub write_timeout_seconds: Option<u64>,
    pub frame_memory_mb: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBoard {
    pub slug: toml::Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub welcome: bool,
}

/// A board created on first start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardSeed {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub read_only: bool,
    pub anonymous: bool,
    pub welcome: bool,
}

/// Limits that protect the server from hostile or broken clients (DESIGN.md §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Connections that have not finished authenticating (sign-ups included), server-wide.
    pub max_unauthenticated: usize,
    /// Unauthenticated connections from one source address.
    pub max_unauthenticated_per_source: usize,
    /// From this many unauthenticated connections on, sources that already hold one are
    /// dropped at random with rising probability, like sshd's `MaxStartups`.
    pub random_drop_from: usize,
    /// Time a client has, from connecting, to send its version line.
    pub version_timeout: Duration,
    /// Time from the version line to the end of the key exchange.
    pub key_exchange_timeout: Duration,
    /// Time a client has, from connecting, to authenticate before it is cut off.
    pub login_grace: Duration,
    /// Time from authentication to asking for a shell (or `export`).
    pub session_start_timeout: Duration,
    /// Authentication attempts per connection.
    pub max_auth_attempts: usize,
    /// New keys filling in sign-up at once, server-wide and from one source.
    pub max_signups: usize,
    pub max_signups_per_source: usize,
    /// Time a new key has to finish sign-up.
    pub signup_timeout: Duration,
    /// Per-source penalties after failed or abandoned logins.
    pub penalties: bool,
    /// The longest a penalty grows to.
    pub penalty_max: Duration,
    /// Open sessions server-wide.
    pub max_sessions: usize,
    /// A session with no input for this long is logged out.
    pub idle_logout: Duration,
    /// A client that takes none of its output for this long has stopped reading: its
    /// connection is closed.
    pub write_timeout: Duration,
    /// Frame memory all sessions may use beyond 80×24 each; past it, sessions draw at 80×24.
    pub frame_memory_bytes: usize,
    /// Not set in `bbs.toml` (tests shorten them): a session with no input for this long drops
    /// its frame buffer and stops following lists live; a list that changed meanwhile is
    /// reloaded at the next key, or at a moment picked in this range.
    pub idle_frame_drop: Duration,
    pub idle_list_reload: (Duration, Duration),
}

/// Resolved settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file these settings came from, if any.
    pub source: Option<PathBuf>,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The board's name, shown in the header.
    pub name: String,
    /// The host name members use to reach the server, for hints like the export command.
    pub public_host: Option<String>,
    pub registration: RegistrationMode,
    /// Days an invite code stays valid.
    pub invite_days: i64,
    pub limits: Limits,
    /// How the database is encrypted at rest.
    pub encryption: Encryption,
    /// Audit-log and security-event rows older than this many days are purged.
    pub audit_retention_days: i64,
    pub posting: Posting,
    pub watched: Watched,
    /// Moderators and sysops must use a second factor (TOTP) over SSH.
    pub require_2fa_for_staff: bool,
    /// Unmasking an anonymous author takes a second moderator's confirmation.
    pub unmask_needs_second_moderator: bool,
    /// Boards seeded on first start (when the database has none).
    pub boards: Vec<BoardSeed>,
}

impl Default for Config {
    fn default() -> Self {
        Config::resolve(RawConfig::default(), None)
    }
}

/// Overrides from the command line.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
}

fn default_boards() -> Vec<BoardSeed> {
    let b = |slug: &str, name: &str, description: &str| BoardSeed {
        slug: slug.into(),
        name: name.into(),
        description: description.into(),
        read_only: false,
        anonymous: false,
        welcome: false,
    };
    vec![
        BoardSeed {
            welcome: true,
            ..b(
                "welcome",
                "Welcome",
                "Say hello, read the guidelines, ask how things work",
            )
        },
        BoardSeed {
            anonymous: true,
            ..b(
                "support",
                "Support",
                "Share what you are going through; anonymous posting allowed",
            )
        },
        b(
            "wins",
            "Small wins",
            "Good days, small steps, things that helped",
        ),
        b("general", "General", "Everything else"),
    ]
}

impl Config {
    /// Loads the settings: the file named by `path`, else by `BBS_CONFIG`, else `./bbs.toml` if
    /// it exists, else the defaults; then applies the overrides.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => Some(p.to_path_buf()),
            None => match std::env::var_os(CONFIG_ENV) {
                Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
                _ => {
                    let p = PathBuf::from(DEFAULT_CONFIG_FILE);
                    p.exists().then_some(p)
                }
            },
        };
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                Config::parse(&text, &path)?
            }
            None => Config::default(),
        };
        if let Some(listen) = overrides.listen {
            config.listen = listen;
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        Ok(config)
    }

    /// Parses the text of a config file; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let start = e.span().map(|s| s.start).unwrap_or(0);
            invalid(text, path, start, e.message())
        })?;
        if let Some(boards) = &raw.boards {
            let mut seen = std::collections::HashSet::new();
            for board in boards {
                let slug = board.slug.get_ref();
                if !valid_slug(slug) {
                    return Err(invalid(
                        text,
                        path,
                        board.slug.span().start,
                        &format!(
                            "board slug {slug:?} must be 1-32 lowercase letters, digits or '-'"
                        ),
                    ));
                }
                if !seen.insert(slug.clone()) {
                    return Err(invalid(
                        text,
                        path,
                        board.slug.span().start,
                        &format!("board slug {slug:?} is used twice"),
                    ));
                }
            }
        }
        Ok(Config::resolve(raw, Some(path.to_path_buf())))
    }

    fn resolve(raw: RawConfig, source: Option<PathBuf>) -> Config {
        let server = raw.server.unwrap_or_default();
        let limits = raw.limits.unwrap_or_default();
        Config {
            source,
            listen: server
                .listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 2222))),
            data_dir: server.data_dir.unwrap_or_else(|| PathBuf::from("data")),
            name: server
                .name
                .map(|n| crate::sanitize::line(&n))
                .unwrap_or_else(|| "Haven".into()),
            public_host: server.public_host.map(|h| crate::sanitize::line(&h)),
            invite_days: raw
                .registration
                .as_ref()
                .and_then(|r| r.invite_days)
                .unwrap_or(7)
                .clamp(1, 365),
            registration: raw
                .registration
                .and_then(|r| r.mode)
                .unwrap_or(RegistrationMode::Open),
            limits: Limits {
                max_unauthenticated: limits.max_unauthenticated.unwrap_or(100),
                max_unauthenticated_per_source: limits.max_unauthenticated_per_source.unwrap_or(10),
                random_drop_from: limits.random_drop_from.unwrap_or(50),
                version_timeout: Duration::from_secs(limits.version_seconds.unwrap_or(10)),
                key_exchange_timeout: Duration::from_secs(
                    limits.key_exchange_seconds.unwrap_or(15),
                ),
                login_grace: Duration::from_secs(limits.login_grace_seconds.unwrap_or(30)),
                session_start_timeout: Duration::from_secs(
                    limits.session_start_seconds.unwrap_or(10),
                ),
                max_auth_attempts: limits.max_auth_attempts.unwrap_or(6),
                max_signups: limits.max_signups.unwrap_or(20),
                max_signups_per_source: limits.max_signups_per_source.unwrap_or(3),
                signup_timeout: Duration::from_secs(60 * limits.signup_minutes.unwrap_or(10)),
                penalties: limits.penalties.unwrap_or(true),
                penalty_max: Duration::from_secs(limits.penalty_max_seconds.unwrap_or(600)),
                max_sessions: limits.max_sessions.unwrap_or(10_000),
                idle_logout: Duration::from_secs(60 * limits.idle_logout_minutes.unwrap_or(120)),
                write_timeout: Duration::from_secs(limits.write_timeout_seconds.unwrap_or(30)),
                frame_memory_bytes: limits.frame_memory_mb.unwrap_or(256) << 20,
                idle_frame_drop: Duration::from_secs(30),
                idle_list_reload: (Duration::from_secs(20), Duration::from_secs(40)),
            },
            watched: {
                let w = raw.watched_words.unwrap_or_default();
                let clean = |v: Option<Vec<String>>| -> Vec<String> {
                    v.unwrap_or_default()
                        .into_iter()
                        .map(|w| crate::sanitize::line(&w).trim().to_lowercase())
                        .filter(|w| !w.is_empty())
                        .collect()
                };
                Watched {
                    block: clean(w.block),
                    flag: clean(w.flag),
                    approve: clean(w.approve),
                    cw_suggest: clean(w.cw_suggest),
                }
            },
            posting: {
                let p = raw.posting.unwrap_or_default();
                Posting {
                    post_interval: p.post_interval_seconds.unwrap_or(5).max(0),
                    new_member_post_interval: p
                        .new_member_post_interval_seconds
                        .unwrap_or(30)
                        .max(0),
                    new_member_thread_interval: p
                        .new_member_thread_interval_seconds
                        .unwrap_or(120)
                        .max(0),
                    first_day_threads: p.first_day_threads.unwrap_or(3).max(0),
                    first_day_replies: p.first_day_replies.unwrap_or(10).max(0),
                    duplicate_window: p.duplicate_window_seconds.unwrap_or(300).max(0),
                    trusted_after_days: p.trusted_after_days.unwrap_or(3).max(0),
                    trusted_after_threads_read: p.trusted_after_threads_read.unwrap_or(5).max(0),
                }
            },
            audit_retention_days: raw
                .retention
                .and_then(|r| r.audit_days)
                .unwrap_or(180)
                .max(1),
            encryption: raw
                .storage
                .and_then(|s| s.encryption)
                .unwrap_or(Encryption::Keyfile),
            require_2fa_for_staff: raw
                .security
                .as_ref()
                .and_then(|s| s.require_2fa_for_staff)
                .unwrap_or(true),
            unmask_needs_second_moderator: raw
                .security
                .as_ref()
                .and_then(|s| s.unmask_needs_second_moderator)
                .unwrap_or(true),
            boards: match raw.boards {
                Some(boards) => boards
                    .into_iter()
                    .map(|b| BoardSeed {
                        slug: b.slug.into_inner(),
                        name: crate::sanitize::line(&b.name),
                        description: crate::sanitize::line(&b.description),
                        read_only: b.read_only,
                        anonymous: b.anonymous,
                        welcome: b.welcome,
                    })
                    .collect(),
                None => default_boards(),
            },
        }
    }
}

fn valid_slug(slug: &str) -> bool {
    (1..=32).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Builds an error naming the line of byte offset `at` and the key written on that line.
fn invalid(text: &str, path: &Path, at: usize, message: &str) -> ConfigError {
    let at = at.min(text.len());
    let line = text[..at].bytes().filter(|&b| b == b'\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let message = message.trim();
    let message = match line_text.split_once('=') {
        Some((key, _)) if !message.contains(key.trim()) => {
            format!("key `{}`: {message}", key.trim())
        }
        _ => message.to_string(),
    };
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("bbs.toml"))
    }

    #[test]
    fn the_shipped_bbs_toml_parses_to_the_built_in_defaults() {
        let text = include_str!("../bbs.toml");
        let mut config = parse(text).expect("shipped bbs.toml must parse");
        config.source = None;
        assert_eq!(config, Config::default());
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let mut config = parse("").unwrap_or_else(|e| panic!("{e}"));
        config.source = None;
        assert_eq!(config, Config::default());
        assert_eq!(config.listen.to_string(), "127.0.0.1:2222");
    }

    #[test]
    fn an_unknown_key_names_the_key_and_the_line() {
        let err = parse("[server]\nname = \"x\"\nlisten_on = \"1.2.3.4:5\"\n")
            .expect_err("unknown key must fail")
            .to_string();
        assert!(err.starts_with("bbs.toml:3:"), "{err}");
        assert!(err.contains("listen_on"), "{err}");
    }

    #[test]
    fn a_bad_value_names_the_key_and_the_line() {
        let err = parse("\n[server]\nlisten = \"not an address\"\n")
            .expect_err("bad address must fail")
            .to_string();
        assert!(err.starts_with("bbs.toml:3:"), "{err}");
        assert!(err.contains("listen"), "{err}");

        let err = parse("[registration]\nmode = \"sometimes\"\n")
            .expect_err("bad mode must fail")
            .to_string();
        assert!(err.starts_with("bbs.toml:2:"), "{err}");
        assert!(err.contains("mode"), "{err}");
    }

    #[test]
    fn duplicate_board_slugs_are_refused() {
        let err = parse(
            "[[boards]]\nslug = \"a\"\nname = \"A\"\n\n[[boards]]\nslug = \"a\"\nname = \"B\"\n",
        )
        .expect_err("duplicate slug must fail")
        .to_string();
        assert!(err.starts_with("bbs.toml:6:"), "{err}");
    }

    #[test]
    fn overrides_beat_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("bbs.toml");
        std::fs::write(&file, "[server]\nlisten = \"127.0.0.1:3000\"\n").expect("write");
        let overrides = Overrides {
            listen: Some("127.0.0.1:4000".parse().expect("addr")),
            data_dir: Some(PathBuf::from("/tmp/x")),
        };
        let config = Config::load(Some(&file), &overrides).expect("load");
        assert_eq!(config.listen.port(), 4000);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
    }
}
