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
