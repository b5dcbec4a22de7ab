//! The numeric keys of `bbs.toml`: each one's allowed range and default, in one table, and the
//! check that refuses a value outside it (with the key, the line and the range) instead of
//! clamping it quietly.

use std::path::Path;
use std::time::Duration;

use super::{ConfigError, RawConfig, RawLimits, RawPosting, RawRegistration, invalid};

/// A whole number as the file wrote it, with where: a value out of range is reported at its line.
pub type Number = toml::Spanned<i64>;

/// A numeric key: where it lives in the file, the values it may take, and its default. A value
/// outside `min..=max` is refused when the file is loaded (`bbs check`, `bbs serve`), never
/// clamped: a sysop who wrote `post_interval_seconds = -3` must learn that it was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// `section.key`, as the sysop writes it.
    pub key: &'static str,
    pub min: i64,
    pub max: i64,
    pub default: i64,
}

impl Bound {
    const fn new(key: &'static str, min: i64, max: i64, default: i64) -> Bound {
        Bound {
            key,
            min,
            max,
            default,
        }
    }

    /// The value the file gave, else the default. Loading has refused anything out of range;
    /// the clamp only keeps a `RawConfig` built by hand inside the bounds too.
    pub(super) fn get(&self, value: &Option<Number>) -> i64 {
        value
            .as_ref()
            .map_or(self.default, |v| *v.get_ref())
            .clamp(self.min, self.max)
    }

    pub(super) fn secs(&self, value: &Option<Number>) -> Duration {
        Duration::from_secs(self.get(value).unsigned_abs())
    }

    pub(super) fn count(&self, value: &Option<Number>) -> usize {
        usize::try_from(self.get(value)).unwrap_or(0)
    }
}

// The ranges. Each upper bound is far past any sane setting; it is there so a typo (an extra
// zero, minutes written as seconds) is caught, and so every value converts without overflow.
pub const INVITE_DAYS: Bound = Bound::new("registration.invite_days", 1, 365, 7);
pub const MAX_UNAUTHENTICATED: Bound = Bound::new("limits.max_unauthenticated", 1, 100_000, 100);
/// At most `limits.max_unauthenticated` too, when both are set (lowering only the total lowers
/// this with it).
pub const MAX_UNAUTHENTICATED_PER_SOURCE: Bound =
    Bound::new("limits.max_unauthenticated_per_source", 1, 100_000, 10);
/// At most `limits.max_unauthenticated`, as for the per-source cap.
pub const RANDOM_DROP_FROM: Bound = Bound::new("limits.random_drop_from", 1, 100_000, 50);
pub const VERSION_SECONDS: Bound = Bound::new("limits.version_seconds", 1, 300, 10);
pub const KEY_EXCHANGE_SECONDS: Bound = Bound::new("limits.key_exchange_seconds", 1, 300, 15);
pub const LOGIN_GRACE_SECONDS: Bound = Bound::new("limits.login_grace_seconds", 1, 600, 30);
pub const SESSION_START_SECONDS: Bound = Bound::new("limits.session_start_seconds", 1, 300, 10);
pub const MAX_AUTH_ATTEMPTS: Bound = Bound::new("limits.max_auth_attempts", 1, 100, 6);
pub const MAX_SIGNUPS: Bound = Bound::new("limits.max_signups", 1, 100_000, 20);
/// At most `limits.max_signups`, as for the per-source cap.
pub const MAX_SIGNUPS_PER_SOURCE: Bound =
    Bound::new("limits.max_signups_per_source", 1, 100_000, 3);
pub const SIGNUP_MINUTES: Bound = Bound::new("limits.signup_minutes", 1, 120, 10);
/// From 15 s: a source is refused once its penalty score passes 15 s
/// (`server::limits::PENALTY_ACTIVE`), so a smaller maximum would refuse no one.
pub const PENALTY_MAX_SECONDS: Bound = Bound::new("limits.penalty_max_seconds", 15, 86_400, 600);
pub const MAX_SESSIONS: Bound = Bound::new("limits.max_sessions", 1, 1_000_000, 10_000);
/// Up to a week.
pub const IDLE_LOGOUT_MINUTES: Bound = Bound::new("limits.idle_logout_minutes", 1, 10_080, 120);
pub const WRITE_TIMEOUT_SECONDS: Bound = Bound::new("limits.write_timeout_seconds", 1, 600, 30);
/// 0 draws every session at 80x24; the top is 64 GiB.
pub const FRAME_MEMORY_MB: Bound = Bound::new("limits.frame_memory_mb", 0, 65_536, 256);
pub const POST_INTERVAL_SECONDS: Bound = Bound::new("posting.post_interval_seconds", 0, 3_600, 5);
pub const NEW_MEMBER_POST_INTERVAL_SECONDS: Bound =
    Bound::new("posting.new_member_post_interval_seconds", 0, 86_400, 30);
pub const NEW_MEMBER_THREAD_INTERVAL_SECONDS: Bound =
    Bound::new("posting.new_member_thread_interval_seconds", 0, 86_400, 120);
pub const FIRST_DAY_THREADS: Bound = Bound::new("posting.first_day_threads", 0, 1_000_000, 3);
pub const FIRST_DAY_REPLIES: Bound = Bound::new("posting.first_day_replies", 0, 1_000_000, 10);
/// Up to a week.
pub const DUPLICATE_WINDOW_SECONDS: Bound =
    Bound::new("posting.duplicate_window_seconds", 0, 604_800, 300);
pub const TRUSTED_AFTER_DAYS: Bound = Bound::new("posting.trusted_after_days", 0, 365, 3);
pub const TRUSTED_AFTER_THREADS_READ: Bound =
    Bound::new("posting.trusted_after_threads_read", 0, 100_000, 5);
/// Up to ten years.
pub const AUDIT_DAYS: Bound = Bound::new("retention.audit_days", 1, 3_650, 180);
/// 0 turns scheduled backups off; the top is a year.
pub const BACKUP_INTERVAL_HOURS: Bound = Bound::new("backup.interval_hours", 0, 8_760, 24);
/// At least one: a schedule that kept none would delete each backup it made.
pub const BACKUP_KEEP: Bound = Bound::new("backup.keep", 1, 1_000, 7);

/// Every numeric key, for the tests and the documentation.
pub const BOUNDS: &[Bound] = &[
    INVITE_DAYS,
    MAX_UNAUTHENTICATED,
    MAX_UNAUTHENTICATED_PER_SOURCE,
    RANDOM_DROP_FROM,
    VERSION_SECONDS,
    KEY_EXCHANGE_SECONDS,
    LOGIN_GRACE_SECONDS,
    SESSION_START_SECONDS,
    MAX_AUTH_ATTEMPTS,
    MAX_SIGNUPS,
    MAX_SIGNUPS_PER_SOURCE,
    SIGNUP_MINUTES,
    PENALTY_MAX_SECONDS,
    MAX_SESSIONS,
    IDLE_LOGOUT_MINUTES,
    WRITE_TIMEOUT_SECONDS,
    FRAME_MEMORY_MB,
    POST_INTERVAL_SECONDS,
    NEW_MEMBER_POST_INTERVAL_SECONDS,
    NEW_MEMBER_THREAD_INTERVAL_SECONDS,
    FIRST_DAY_THREADS,
    FIRST_DAY_REPLIES,
    DUPLICATE_WINDOW_SECONDS,
    TRUSTED_AFTER_DAYS,
    TRUSTED_AFTER_THREADS_READ,
    AUDIT_DAYS,
    BACKUP_INTERVAL_HOURS,
    BACKUP_KEEP,
];

/// Refuses a numeric value outside its [`Bound`], naming the key, the line and the range; and a
/// per-source cap set above the total it is part of.
pub(super) fn check_ranges(raw: &RawConfig, text: &str, path: &Path) -> Result<(), ConfigError> {
    let none = None;
    let (reg, lim, post, ret, backup) = (
        raw.registration.as_ref(),
        raw.limits.as_ref(),
        raw.posting.as_ref(),
        raw.retention.as_ref(),
        raw.backup.as_ref(),
    );
    let r = |f: fn(&RawRegistration) -> &Option<Number>| reg.map_or(&none, f);
    let l = |f: fn(&RawLimits) -> &Option<Number>| lim.map_or(&none, f);
    let p = |f: fn(&RawPosting) -> &Option<Number>| post.map_or(&none, f);
    let numbers: [(Bound, &Option<Number>); 28] = [
        (INVITE_DAYS, r(|x| &x.invite_days)),
        (MAX_UNAUTHENTICATED, l(|x| &x.max_unauthenticated)),
        (
            MAX_UNAUTHENTICATED_PER_SOURCE,
            l(|x| &x.max_unauthenticated_per_source),
        ),
        (RANDOM_DROP_FROM, l(|x| &x.random_drop_from)),
        (VERSION_SECONDS, l(|x| &x.version_seconds)),
        (KEY_EXCHANGE_SECONDS, l(|x| &x.key_exchange_seconds)),
        (LOGIN_GRACE_SECONDS, l(|x| &x.login_grace_seconds)),
        (SESSION_START_SECONDS, l(|x| &x.session_start_seconds)),
        (MAX_AUTH_ATTEMPTS, l(|x| &x.max_auth_attempts)),
        (MAX_SIGNUPS, l(|x| &x.max_signups)),
        (MAX_SIGNUPS_PER_SOURCE, l(|x| &x.max_signups_per_source)),
        (SIGNUP_MINUTES, l(|x| &x.signup_minutes)),
        (PENALTY_MAX_SECONDS, l(|x| &x.penalty_max_seconds)),
        (MAX_SESSIONS, l(|x| &x.max_sessions)),
        (IDLE_LOGOUT_MINUTES, l(|x| &x.idle_logout_minutes)),
        (WRITE_TIMEOUT_SECONDS, l(|x| &x.write_timeout_seconds)),
        (FRAME_MEMORY_MB, l(|x| &x.frame_memory_mb)),
        (POST_INTERVAL_SECONDS, p(|x| &x.post_interval_seconds)),
        (
            NEW_MEMBER_POST_INTERVAL_SECONDS,
            p(|x| &x.new_member_post_interval_seconds),
        ),
        (
            NEW_MEMBER_THREAD_INTERVAL_SECONDS,
            p(|x| &x.new_member_thread_interval_seconds),
        ),
        (FIRST_DAY_THREADS, p(|x| &x.first_day_threads)),
        (FIRST_DAY_REPLIES, p(|x| &x.first_day_replies)),
        (DUPLICATE_WINDOW_SECONDS, p(|x| &x.duplicate_window_seconds)),
        (TRUSTED_AFTER_DAYS, p(|x| &x.trusted_after_days)),
        (
            TRUSTED_AFTER_THREADS_READ,
            p(|x| &x.trusted_after_threads_read),
        ),
        (AUDIT_DAYS, ret.map_or(&none, |x| &x.audit_days)),
        (
            BACKUP_INTERVAL_HOURS,
            backup.map_or(&none, |x| &x.interval_hours),
        ),
        (BACKUP_KEEP, backup.map_or(&none, |x| &x.keep)),
    ];
    let out_of_range = |bound: &Bound, value: &Number, max: i64, why: &str| {
        invalid(
            text,
            path,
            value.span().start,
            &format!(
                "{} = {} is out of range (allowed {}..={max}{why})",
                bound.key,
                value.get_ref(),
                bound.min
            ),
        )
    };
    for (bound, value) in &numbers {
        if let Some(v) = value
            && !(bound.min..=bound.max).contains(v.get_ref())
        {
            return Err(out_of_range(bound, v, bound.max, ""));
        }
    }
    // A part may not be set above its whole.
    let parts = [
        (
            MAX_UNAUTHENTICATED_PER_SOURCE,
            l(|x| &x.max_unauthenticated_per_source),
            MAX_UNAUTHENTICATED,
            l(|x| &x.max_unauthenticated),
        ),
        (
            RANDOM_DROP_FROM,
            l(|x| &x.random_drop_from),
            MAX_UNAUTHENTICATED,
            l(|x| &x.max_unauthenticated),
        ),
        (
            MAX_SIGNUPS_PER_SOURCE,
            l(|x| &x.max_signups_per_source),
            MAX_SIGNUPS,
            l(|x| &x.max_signups),
        ),
    ];
    for (part, value, whole, whole_value) in parts {
        let max = whole.get(whole_value);
        if let Some(v) = value
            && *v.get_ref() > max
        {
            let why = format!(", at most {} = {max}", whole.key);
            return Err(out_of_range(&part, v, max, &why));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("bbs.toml"))
    }

    fn file(bound: &Bound, value: i64) -> String {
        let (section, key) = bound.key.split_once('.').expect("section.key");
        format!("[{section}]\n# a comment first, so the line is not the first\n{key} = {value}\n")
    }

    #[test]
    fn every_numeric_key_refuses_a_value_below_or_above_its_range_naming_key_line_and_range() {
        for bound in BOUNDS {
            for value in [bound.min - 1, bound.max + 1, i64::MIN, i64::MAX] {
                let err = parse(&file(bound, value))
                    .expect_err(&format!("{} = {value} must be refused", bound.key))
                    .to_string();
                assert_eq!(
                    err,
                    format!(
                        "bbs.toml:3: {} = {value} is out of range (allowed {}..={})",
                        bound.key, bound.min, bound.max
                    )
                );
            }
        }
    }

    #[test]
    fn every_numeric_key_takes_both_ends_of_its_range() {
        for pick in [|b: &Bound| b.min, |b: &Bound| b.max] {
            // Every key in one file, under its section's one header.
            let mut sections: Vec<(&str, String)> = Vec::new();
            for bound in BOUNDS {
                let (section, key) = bound.key.split_once('.').expect("section.key");
                let line = format!("{key} = {}\n", pick(bound));
                match sections.iter_mut().find(|(s, _)| *s == section) {
                    Some((_, lines)) => lines.push_str(&line),
                    None => sections.push((section, line)),
                }
            }
            let text: String = sections
                .iter()
                .map(|(section, lines)| format!("[{section}]\n{lines}"))
                .collect();
            let config = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(config.invite_days, pick(&INVITE_DAYS));
            assert_eq!(config.audit_retention_days, pick(&AUDIT_DAYS));
            assert_eq!(
                config.backup.interval,
                Duration::from_secs(3600 * pick(&BACKUP_INTERVAL_HOURS).unsigned_abs())
            );
            assert_eq!(
                config.backup.keep,
                usize::try_from(pick(&BACKUP_KEEP)).expect("a count")
            );
            assert_eq!(
                config.posting.post_interval,
                pick(&POST_INTERVAL_SECONDS),
                "{text}"
            );
            assert_eq!(
                config.limits.login_grace,
                Duration::from_secs(pick(&LOGIN_GRACE_SECONDS).unsigned_abs())
            );
            assert_eq!(
                config.limits.idle_logout,
                Duration::from_secs(60 * pick(&IDLE_LOGOUT_MINUTES).unsigned_abs())
            );
        }
    }

    #[test]
    fn a_per_source_cap_above_its_total_is_refused() {
        let err =
            parse("[limits]\nmax_unauthenticated = 20\nmax_unauthenticated_per_source = 30\n")
                .expect_err("per-source above total")
                .to_string();
        assert_eq!(
            err,
            "bbs.toml:3: limits.max_unauthenticated_per_source = 30 is out of range \
             (allowed 1..=20, at most limits.max_unauthenticated = 20)"
        );
        // Against the default total when the total is not set.
        let err = parse("[limits]\nrandom_drop_from = 101\n")
            .expect_err("above the default total")
            .to_string();
        assert!(
            err.ends_with("(allowed 1..=100, at most limits.max_unauthenticated = 100)"),
            "{err}"
        );
        let err = parse("[limits]\nmax_signups = 2\nmax_signups_per_source = 3\n")
            .expect_err("per-source sign-ups above the total")
            .to_string();
        assert!(
            err.starts_with("bbs.toml:3: limits.max_signups_per_source = 3"),
            "{err}"
        );
        // Lowering only the total is fine: the per-source cap follows it.
        parse("[limits]\nmax_unauthenticated = 5\n").unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_negative_value_for_a_count_is_out_of_range_not_a_type_error() {
        let err = parse("[limits]\nmax_sessions = -1\n")
            .expect_err("negative sessions")
            .to_string();
        assert_eq!(
            err,
            "bbs.toml:2: limits.max_sessions = -1 is out of range (allowed 1..=1000000)"
        );
    }

    #[test]
    fn the_table_holds_every_numeric_key_of_the_shipped_file_with_its_default() {
        let shipped: toml::Table = toml::from_str(include_str!("../../bbs.toml")).expect("toml");
        let mut numeric = Vec::new();
        for (section, table) in &shipped {
            let Some(table) = table.as_table() else {
                continue;
            };
            for (key, value) in table {
                if let Some(n) = value.as_integer() {
                    numeric.push((format!("{section}.{key}"), n));
                }
            }
        }
        numeric.sort();
        let mut table: Vec<(String, i64)> = BOUNDS
            .iter()
            .map(|b| (b.key.to_string(), b.default))
            .collect();
        table.sort();
        assert_eq!(numeric, table);
        for bound in BOUNDS {
            assert!(
                (bound.min..=bound.max).contains(&bound.default),
                "{bound:?}"
            );
        }
        // The range written beside each number ("key = 7   # 1-365") is the one enforced.
        let mut documented = 0;
        for line in include_str!("../../bbs.toml").lines() {
            let Some((setting, range)) = line.split_once('#') else {
                continue;
            };
            let Some((key, _)) = setting.split_once('=') else {
                continue;
            };
            let bound = BOUNDS
                .iter()
                .find(|b| b.key.ends_with(&format!(".{}", key.trim())))
                .unwrap_or_else(|| panic!("no bound for {line}"));
            let range = range.trim().split(',').next().unwrap_or("");
            assert_eq!(range, format!("{}-{}", bound.min, bound.max), "{line}");
            documented += 1;
        }
        assert_eq!(documented, BOUNDS.len());
    }
}
