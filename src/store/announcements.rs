//! Announcements: what a sysop says to every open session (`ssh HOST announce "text"`). The
//! text (sanitised by the service before it gets here) is stored under the id of the
//! `announcement` event that carries it, since an event row holds ids, never text.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::events::{self, EventKind};
use crate::clock::now;
use crate::domain::UserId;

/// Stores `text` from `by` and appends its event; returns the event's id.
pub fn create(c: &Connection, by: UserId, text: &str) -> Result<i64> {
    events::append(c, EventKind::Announcement, None, None, None, None)?;
    let id = c.last_insert_rowid();
    c.prepare_cached(
        "INSERT INTO announcements (event_id, at, by_id, text) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, now(), by, text])?;
    Ok(id)
}

/// The text an `announcement` event carries.
pub fn text(c: &Connection, event_id: i64) -> Result<Option<String>> {
    Ok(
        c.prepare_cached("SELECT text FROM announcements WHERE event_id = ?1")?
            .query_row([event_id], |r| r.get(0))
            .optional()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{member, store};

    #[test]
    fn an_announcement_is_found_by_its_events_id() {
        let s = store();
        let by = member(&s, "sysop_a");
        let id = s.write(|c| create(c, by, "Back at 9")).expect("create");
        assert_eq!(
            s.read(|c| text(c, id)).expect("read").as_deref(),
            Some("Back at 9")
        );
        assert_eq!(s.read(|c| text(c, id + 1)).expect("read"), None);
    }
}
