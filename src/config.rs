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

mod bounds;
pub use bounds::*;

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
    pub log: Option<RawLog>,
    pub backup: Option<RawBackup>,
    pub boards: Option<Vec<RawBoard>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackup {
    pub interval_hours: Option<Number>,
    pub keep: Option<Number>,
    pub dir: Option<PathBuf>,
}

/// Scheduled backups made by the running server (`[backup]`; `service::backups`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Time between backups; zero means none are made.
    pub interval: Duration,
    /// How many of the server's own backups are kept; older ones are deleted.
    pub keep: usize,
    /// Where they go; `None` means `DATA_DIR/backups` (see [`Config::backup_dir`]), so a
    /// `--data-dir` given on the command line moves them with it.
    pub dir: Option<PathBuf>,
    /// Not set in `bbs.toml` (tests shorten it): how often the server looks whether a backup
    /// or the daily purge is due. The first look is this long after start, so a server that
    /// starts and stops at once does no maintenance work.
    pub check_every: Duration,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    pub format: Option<LogFormat>,
}

/// How log lines on stderr are written (`[log] format`, or `--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One line of text per event, for the journal and for people; colour only on a terminal.
    Plain,
    /// One JSON object per line, for log shippers.
    Json,
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
    pub post_interval_seconds: Option<Number>,
    pub new_member_post_interval_seconds: Option<Number>,
    pub new_member_thread_interval_seconds: Option<Number>,
    pub first_day_threads: Option<Number>,
    pub first_day_replies: Option<Number>,
    pub duplicate_window_seconds: Option<Number>,
    pub trusted_after_days: Option<Number>,
    pub trusted_after_threads_read: Option<Number>,
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
    pub audit_days: Option<Number>,
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
    pub invite_days: Option<Number>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_unauthenticated: Option<Number>,
    pub max_unauthenticated_per_source: Option<Number>,
    pub random_drop_from: Option<Number>,
    pub version_seconds: Option<Number>,
    pub key_exchange_seconds: Option<Number>,
    pub login_grace_seconds: Option<Number>,
    pub session_start_seconds: Option<Number>,
    pub max_auth_attempts: Option<Number>,
    pub max_signups: Option<Number>,
    pub max_signups_per_source: Option<Number>,
    pub signup_minutes: Option<Number>,
    pub penalties: Option<bool>,
    pub penalty_max_seconds: Option<Number>,
    pub max_sessions: Option<Number>,
    pub idle_logout_minutes: Option<Number>,
    pub write_timeout_seconds: Option<Number>,
    pub frame_memory_mb: Option<Number>,
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
    /// How log lines are written; `--log-format` overrides it.
    pub log_format: LogFormat,
    pub backup: Backup,
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
    /// Where scheduled backups go: `backup.dir`, else `DATA_DIR/backups`.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("backups"))
    }

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
        check_ranges(&raw, text, path)?;
        Ok(Config::resolve(raw, Some(path.to_path_buf())))
    }

    fn resolve(raw: RawConfig, source: Option<PathBuf>) -> Config {
        let server = raw.server.unwrap_or_default();
        let l = raw.limits.unwrap_or_default();
        let registration = raw.registration.unwrap_or_default();
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
            invite_days: INVITE_DAYS.get(&registration.invite_days),
            registration: registration.mode.unwrap_or(RegistrationMode::Open),
            limits: Limits {
                max_unauthenticated: MAX_UNAUTHENTICATED.count(&l.max_unauthenticated),
                max_unauthenticated_per_source: MAX_UNAUTHENTICATED_PER_SOURCE
                    .count(&l.max_unauthenticated_per_source),
                random_drop_from: RANDOM_DROP_FROM.count(&l.random_drop_from),
                version_timeout: VERSION_SECONDS.secs(&l.version_seconds),
                key_exchange_timeout: KEY_EXCHANGE_SECONDS.secs(&l.key_exchange_seconds),
                login_grace: LOGIN_GRACE_SECONDS.secs(&l.login_grace_seconds),
                session_start_timeout: SESSION_START_SECONDS.secs(&l.session_start_seconds),
                max_auth_attempts: MAX_AUTH_ATTEMPTS.count(&l.max_auth_attempts),
                max_signups: MAX_SIGNUPS.count(&l.max_signups),
                max_signups_per_source: MAX_SIGNUPS_PER_SOURCE.count(&l.max_signups_per_source),
                signup_timeout: SIGNUP_MINUTES.secs(&l.signup_minutes) * 60,
                penalties: l.penalties.unwrap_or(true),
                penalty_max: PENALTY_MAX_SECONDS.secs(&l.penalty_max_seconds),
                max_sessions: MAX_SESSIONS.count(&l.max_sessions),
                idle_logout: IDLE_LOGOUT_MINUTES.secs(&l.idle_logout_minutes) * 60,
                write_timeout: WRITE_TIMEOUT_SECONDS.secs(&l.write_timeout_seconds),
                frame_memory_bytes: FRAME_MEMORY_MB.count(&l.frame_memory_mb) << 20,
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
                    post_interval: POST_INTERVAL_SECONDS.get(&p.post_interval_seconds),
                    new_member_post_interval: NEW_MEMBER_POST_INTERVAL_SECONDS
                        .get(&p.new_member_post_interval_seconds),
                    new_member_thread_interval: NEW_MEMBER_THREAD_INTERVAL_SECONDS
                        .get(&p.new_member_thread_interval_seconds),
                    first_day_threads: FIRST_DAY_THREADS.get(&p.first_day_threads),
                    first_day_replies: FIRST_DAY_REPLIES.get(&p.first_day_replies),
                    duplicate_window: DUPLICATE_WINDOW_SECONDS.get(&p.duplicate_window_seconds),
                    trusted_after_days: TRUSTED_AFTER_DAYS.get(&p.trusted_after_days),
                    trusted_after_threads_read: TRUSTED_AFTER_THREADS_READ
                        .get(&p.trusted_after_threads_read),
                }
            },
            audit_retention_days: AUDIT_DAYS.get(&raw.retention.and_then(|r| r.audit_days)),
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
            log_format: raw.log.and_then(|l| l.format).unwrap_or(LogFormat::Plain),
            backup: {
                let b = raw.backup.unwrap_or_default();
                Backup {
                    interval: BACKUP_INTERVAL_HOURS.secs(&b.interval_hours) * 3600,
                    keep: BACKUP_KEEP.count(&b.keep),
                    dir: b.dir,
                    check_every: Duration::from_secs(60),
                }
            },
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
