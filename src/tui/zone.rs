//! The time zone a member reads times in (settings, `z`; UTC until they choose). Every time the
//! UI shows goes through [`format`], which reads the zone the App set for the update or the
//! frame at hand ([`within`]): the screens stay free of it, and two sessions on one thread
//! never see each other's zone, since it is set and restored around each synchronous call.

use std::cell::RefCell;

use jiff::tz::TimeZone;

thread_local! {
    static CURRENT: RefCell<TimeZone> = const { RefCell::new(TimeZone::UTC) };
}

/// Runs `f` with times shown in `zone`, then puts back the zone there was before.
pub fn within<T>(zone: &TimeZone, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<TimeZone>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(zone) = self.0.take() {
                CURRENT.with(|c| *c.borrow_mut() = zone);
            }
        }
    }
    let before = CURRENT.with(|c| c.replace(zone.clone()));
    let _restore = Restore(Some(before));
    f()
}

/// "2026-11-25 18:04" in the zone in force; with `named`, its abbreviation after it
/// ("2026-11-25 18:04 CET", "… UTC").
pub fn format(secs: i64, named: bool) -> String {
    let Ok(at) = jiff::Timestamp::from_second(secs) else {
        return crate::domain::format_time(secs);
    };
    CURRENT.with(|c| {
        let zoned = at.to_zoned(c.borrow().clone());
        let pattern = if named {
            "%Y-%m-%d %H:%M %Z"
        } else {
            "%Y-%m-%d %H:%M"
        };
        zoned.strftime(pattern).to_string()
    })
}

/// The zone in force's abbreviation now ("UTC", "CET").
pub fn label() -> String {
    CURRENT.with(|c| {
        jiff::Timestamp::now()
            .to_zoned(c.borrow().clone())
            .strftime("%Z")
            .to_string()
    })
}

pub use crate::clock::time_zone as parse;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_follow_the_zone_in_force_and_it_is_put_back() {
        // 2026-11-18 11:06 UTC; Berlin is an hour ahead in winter, New York five behind.
        let at = 1_795_000_000;
        assert_eq!(format(at, true), "2026-11-18 11:06 UTC");
        let (name, berlin) = parse("europe/berlin").expect("known").expect("not UTC");
        assert_eq!(name, "Europe/Berlin");
        assert_eq!(within(&berlin, || format(at, true)), "2026-11-18 12:06 CET");
        let (_, new_york) = parse("America/New_York").expect("known").expect("zone");
        assert_eq!(within(&new_york, || format(at, false)), "2026-11-18 06:06");
        // Summer time: July in Berlin is two hours ahead.
        assert_eq!(
            within(&berlin, || format(1_784_000_000, true)),
            "2026-07-14 05:33 CEST"
        );
        assert_eq!(format(at, false), "2026-11-18 11:06");
        assert!(matches!(parse(" UTC "), Ok(None)));
        assert!(matches!(parse(""), Ok(None)));
        // A name is looked up in the database, never opened as a path.
        for path in [
            "../../../etc/passwd",
            "/etc/localtime",
            "Europe/../../etc/hostname",
            // The server's own zone files, which would tell its zone.
            "localtime",
            "posixrules",
            "Factory",
            "etc/unknown",
            "posix/Europe/Berlin",
        ] {
            assert!(parse(path).is_err(), "{path}");
        }
        let refused = parse("Mars/Olympus\u{1b}[2J").expect_err("unknown");
        assert!(refused.contains("not a time zone"), "{refused}");
        assert!(!refused.contains('\u{1b}'), "{refused}");
    }
}
