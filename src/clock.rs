//! The one clock: seconds since the Unix epoch. The store stamps rows with [`now`]; the service
//! decides (silences, bans, pace, trust, second-factor locks, invites) by its [`Clock`], which is
//! this clock plus an offset only tests move, so an hour's silence is tested without waiting an
//! hour. Second-factor codes are checked at the service's clock too (`domain::totp::verify` takes
//! the time as an argument), so a test that moves the clock moves the authenticator's step with
//! it. Nothing else reads the time of day.

use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds since the Unix epoch (0 if the system clock is before it).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The service's clock: [`now`], plus an offset that only tests move.
#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> i64 {
        now() + self.offset.load(Ordering::Relaxed)
    }

    /// Moves this clock forward (tests).
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }
}

/// The moment a day begins in `zone`, for a day given as its UTC midnight (what
/// [`crate::domain::parse_date`] returns): "since:2026-12-01" for a member in Tokyo means
/// from their midnight, nine hours before UTC's. A day the zone skips starts at its first
/// existing moment (jiff's rule).
pub fn start_of_day(utc_midnight: i64, zone: &jiff::tz::TimeZone) -> i64 {
    let Ok(at) = jiff::Timestamp::from_second(utc_midnight) else {
        return utc_midnight;
    };
    at.to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_zoned(zone.clone())
        .map_or(utc_midnight, |z| z.timestamp().as_second())
}

/// The zone a member named ("Europe/Berlin", "utc"), as the database spells it; None for
/// UTC (or nothing), Err when this server does not know it.
pub fn time_zone(name: &str) -> Result<Option<(String, jiff::tz::TimeZone)>, String> {
    let name = name.trim();
    if name.is_empty() || name.eq_ignore_ascii_case("utc") {
        return Ok(None);
    }
    // Only the database's Area/Location names: "localtime", "posixrules" and the like are
    // files of the server's own, and would tell a member the server's zone.
    const AREAS: [&str; 11] = [
        "africa",
        "america",
        "antarctica",
        "arctic",
        "asia",
        "atlantic",
        "australia",
        "europe",
        "indian",
        "pacific",
        "etc",
    ];
    let area = name
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let spelled_ok = name.contains('/')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    let found = if spelled_ok
        && AREAS.contains(&area.as_str())
        && !name.eq_ignore_ascii_case("etc/unknown")
    {
        jiff::tz::TimeZone::get(name).ok()
    } else {
        None
    };
    match found.ok_or(()) {
        Ok(zone) => {
            let spelled = zone.iana_name().unwrap_or(name).to_string();
            Ok(Some((spelled, zone)))
        }
        Err(_) => Err(format!(
            "\u{201c}{}\u{201d} is not a time zone this server knows. Use a name like \
             Europe/Berlin, America/New_York or Asia/Tokyo, or UTC.",
            crate::sanitize::line(&name.chars().take(40).collect::<String>())
        )),
    }
}
