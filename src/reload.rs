//! SIGHUP: `bbs serve` reads its config file again and applies what can change while the board
//! runs, and reads the texts in the data dir again (`assets`). A signal never ends the server.
//!
//! What is read per request takes the new value at once: the board's name and public host (for
//! sessions that start after), registration mode and invite days, every `[posting]` limit,
//! watched words, retention, the second-factor and unmask rules, and `[backup]`. What was fixed
//! when the server started stays as it is, with a warning naming the key: the listen address, the
//! data dir, encryption, every `[limits]` key (the accept loop and its caps are sized at start),
//! the log format and the seeded boards. A file that does not load (a bad key or value, with its
//! line) changes nothing: the error is logged and the settings in force are kept. Each change is
//! one log line naming the setting, never its value.

use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use crate::assets::Assets;
use crate::config::{Backup, Config, ConfigError, Overrides};
use crate::service::Service;

/// What a reload did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reloaded {
    /// Settings that changed and apply now.
    pub applied: Vec<&'static str>,
    /// Settings that changed in the file but apply only at the next start.
    pub kept: Vec<&'static str>,
    /// Texts in the data dir that changed.
    pub texts: Vec<&'static str>,
}

/// The settings to run with after a reload: `new`, except what cannot change while running,
/// which stays as in `current`. Fixed settings are compared with `started` (the file as loaded
/// at start: `current` holds the address actually bound, which differs for port 0).
pub fn merge(current: &Config, started: &Config, new: Config) -> (Config, Reloaded) {
    let (p, q) = (&current.posting, &new.posting);
    let (w, v) = (&current.watched, &new.watched);
    let live = [
        ("server.name", current.name != new.name),
        ("server.public_host", current.public_host != new.public_host),
        (
            "registration.mode",
            current.registration != new.registration,
        ),
        (
            "registration.invite_days",
            current.invite_days != new.invite_days,
        ),
        (
            "posting.post_interval_seconds",
            p.post_interval != q.post_interval,
        ),
        (
            "posting.new_member_post_interval_seconds",
            p.new_member_post_interval != q.new_member_post_interval,
        ),
        (
            "posting.new_member_thread_interval_seconds",
            p.new_member_thread_interval != q.new_member_thread_interval,
        ),
        (
            "posting.first_day_threads",
            p.first_day_threads != q.first_day_threads,
        ),
        (
            "posting.first_day_replies",
            p.first_day_replies != q.first_day_replies,
        ),
        (
            "posting.duplicate_window_seconds",
            p.duplicate_window != q.duplicate_window,
        ),
        (
            "posting.trusted_after_days",
            p.trusted_after_days != q.trusted_after_days,
        ),
        (
            "posting.trusted_after_threads_read",
            p.trusted_after_threads_read != q.trusted_after_threads_read,
        ),
        ("watched_words.block", w.block != v.block),
        ("watched_words.flag", w.flag != v.flag),
        ("watched_words.approve", w.approve != v.approve),
        ("watched_words.cw_suggest", w.cw_suggest != v.cw_suggest),
        (
            "retention.audit_days",
            current.audit_retention_days != new.audit_retention_days,
        ),
        (
            "security.require_2fa_for_staff",
            current.require_2fa_for_staff != new.require_2fa_for_staff,
        ),
        (
            "security.unmask_needs_second_moderator",
            current.unmask_needs_second_moderator != new.unmask_needs_second_moderator,
        ),
        (
            "backup.interval_hours",
            current.backup.interval != new.backup.interval,
        ),
        ("backup.keep", current.backup.keep != new.backup.keep),
        ("backup.dir", current.backup.dir != new.backup.dir),
    ];
    let fixed = [
        ("server.listen", started.listen != new.listen),
        ("server.data_dir", started.data_dir != new.data_dir),
        ("storage.encryption", started.encryption != new.encryption),
        ("limits", started.limits != new.limits),
        ("log.format", started.log_format != new.log_format),
        ("boards", started.boards != new.boards),
    ];
    let changed = |list: &[(&'static str, bool)]| -> Vec<&'static str> {
        list.iter().filter(|(_, c)| *c).map(|(k, _)| *k).collect()
    };
    let reloaded = Reloaded {
        applied: changed(&live),
        kept: changed(&fixed),
        texts: Vec::new(),
    };
    let config = Config {
        listen: current.listen,
        data_dir: current.data_dir.clone(),
        encryption: current.encryption,
        limits: current.limits.clone(),
        log_format: current.log_format,
        boards: current.boards.clone(),
        backup: Backup {
            // Not a file setting (tests shorten it).
            check_every: current.backup.check_every,
            ..new.backup.clone()
        },
        ..new
    };
    (config, reloaded)
}

/// Which of the texts differ.
fn texts_changed(old: &Assets, new: &Assets) -> Vec<&'static str> {
    [
        ("guidelines.md", old.guidelines != new.guidelines),
        ("privacy.md", old.privacy != new.privacy),
        ("resources.md", old.resources != new.resources),
        ("safety.md", old.safety != new.safety),
        ("welcome.md", old.welcome != new.welcome),
    ]
    .into_iter()
    .filter(|(_, c)| *c)
    .map(|(k, _)| k)
    .collect()
}

/// Reads the config file (`path`, found as at start) and the data dir's texts again and puts
/// what may change into `service`. On an error nothing changes.
pub fn reload(
    service: &Service,
    started: &Config,
    path: Option<&Path>,
    overrides: &Overrides,
) -> Result<Reloaded, ConfigError> {
    let new = Config::load(path, overrides)?;
    let current = service.config();
    let (config, mut reloaded) = merge(&current, started, new);
    let assets = Assets::load(&config.data_dir);
    reloaded.texts = texts_changed(&service.assets(), &assets);
    service.set_config(config);
    if !reloaded.texts.is_empty() {
        service.set_assets(assets);
    }
    Ok(reloaded)
}

/// Reloads at every SIGHUP until `shutdown`. `hangups` is made before the server starts, so a
/// SIGHUP during start-up is waited for, not fatal.
#[cfg(unix)]
pub async fn on_hangup(
    mut hangups: tokio::signal::unix::Signal,
    service: Service,
    started: Config,
    path: Option<PathBuf>,
    overrides: Overrides,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            got = hangups.recv() => if got.is_none() { return },
        }
        let s = service.clone();
        let (started, path, overrides) = (started.clone(), path.clone(), overrides.clone());
        let done =
            tokio::task::spawn_blocking(move || reload(&s, &started, path.as_deref(), &overrides))
                .await;
        match done {
            Ok(Ok(r)) => log(&r),
            Ok(Err(e)) => tracing::warn!(
                error = %e,
                "SIGHUP: the config file was not reloaded; the settings in force are kept"
            ),
            Err(e) => tracing::warn!(error = %e, "SIGHUP: the reload task failed"),
        }
    }
}

fn log(r: &Reloaded) {
    for setting in &r.applied {
        tracing::info!(setting, "SIGHUP: setting changed, applies now");
    }
    for setting in &r.kept {
        tracing::warn!(
            setting,
            "SIGHUP: setting changed in the config file, but applies only at the next start"
        );
    }
    for text in &r.texts {
        tracing::info!(text, "SIGHUP: text reloaded from the data dir");
    }
    if r.applied.is_empty() && r.kept.is_empty() && r.texts.is_empty() {
        tracing::info!("SIGHUP: config file reloaded, nothing changed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Config {
        Config::parse(text, Path::new("bbs.toml")).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A numeric key added to the config but not to `merge` would change nothing at a SIGHUP
    /// and say nothing: each one, changed alone, is named as applied or as kept.
    #[test]
    fn every_numeric_key_changed_alone_is_named_by_a_reload() {
        let started = parse("");
        for bound in crate::config::BOUNDS {
            let value = if bound.min != bound.default {
                bound.min
            } else {
                bound.max
            };
            let (section, key) = bound.key.split_once('.').expect("section.key");
            let new = parse(&format!("[{section}]\n{key} = {value}\n"));
            let (_, r) = merge(&started, &started, new);
            let named: Vec<&str> = r.applied.iter().chain(&r.kept).copied().collect();
            assert!(
                named.contains(&bound.key) || named.contains(&section),
                "{} = {value}: {named:?}",
                bound.key
            );
        }
    }

    #[test]
    fn every_text_from_the_data_dir_is_compared_the_welcome_too() {
        let old = Assets::default();
        let mut new = old.clone();
        assert!(texts_changed(&old, &new).is_empty());
        new.welcome = "Hello {handle}.".into();
        assert_eq!(texts_changed(&old, &new), ["welcome.md"]);
    }

    #[test]
    fn what_is_read_per_request_applies_and_what_was_fixed_at_start_is_kept_with_its_name() {
        let started = parse("[server]\nlisten = \"127.0.0.1:0\"\n");
        let mut current = started.clone();
        current.listen = "127.0.0.1:40001".parse().expect("addr");
        let new = parse(
            "[server]\nlisten = \"0.0.0.0:22\"\nname = \"Harbour\"\n\
             [registration]\nmode = \"invite\"\n\
             [watched_words]\nblock = [\"Spam\"]\n\
             [posting]\npost_interval_seconds = 60\n\
             [limits]\nmax_sessions = 5\n",
        );
        let (config, r) = merge(&current, &started, new);
        assert_eq!(
            r.applied,
            [
                "server.name",
                "registration.mode",
                "posting.post_interval_seconds",
                "watched_words.block"
            ]
        );
        assert_eq!(r.kept, ["server.listen", "limits"]);
        assert_eq!(config.name, "Harbour");
        assert_eq!(config.registration, crate::config::RegistrationMode::Invite);
        assert_eq!(config.watched.block, ["spam"]);
        assert_eq!(config.posting.post_interval, 60);
        // Still the address bound and the caps sized at start.
        assert_eq!(config.listen, current.listen);
        assert_eq!(config.limits, current.limits);

        // The same file again changes nothing.
        let again = parse(
            "[server]\nlisten = \"0.0.0.0:22\"\nname = \"Harbour\"\n\
             [registration]\nmode = \"invite\"\n\
             [watched_words]\nblock = [\"Spam\"]\n\
             [posting]\npost_interval_seconds = 60\n\
             [limits]\nmax_sessions = 5\n",
        );
        let (same, r) = merge(&config, &again, again.clone());
        assert_eq!(r, Reloaded::default());
        assert_eq!(same, config);
    }
}
