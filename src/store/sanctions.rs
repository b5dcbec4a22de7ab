//! Moderator actions against a member: warnings, silences, bans (and unmaskings, later). A
//! member reads their own in "my record".

use rusqlite::{Connection, params};

use super::Result;
use super::visibility::PostAuthor;
use crate::clock::now;
use crate::domain::UserId;

/// One entry of a member's record, as they see it (no moderator names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: String,
    pub reason: String,
    pub at: i64,
    pub expires_at: Option<i64>,
}

pub fn add(
    c: &Connection,
    user: UserId,
    kind: &str,
    reason: &str,
    by: Option<UserId>,
    expires_at: Option<i64>,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO sanctions (user_id, kind, reason, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![user, kind, reason, by, now(), expires_at])?;
    Ok(())
}

/// Records a moderator's act on the author of a post and tells them, without the author
/// leaving the store: a warning by post (the post may be anonymous), the notice of an unmask.
/// Their open sessions pick it up at once. Nothing happens for an author whose account is gone.
pub fn tell_author(
    c: &Connection,
    author: &PostAuthor,
    kind: &str,
    reason: &str,
    by: UserId,
    told: &str,
) -> Result<()> {
    let Some(id) = author.id() else {
        return Ok(());
    };
    add(c, id, kind, reason, Some(by), None)?;
    super::reports::notify(c, id, "moderator", told)?;
    super::events::append(
        c,
        super::events::EventKind::UserChanged,
        None,
        None,
        None,
        Some(id),
    )
}

/// A member's record, newest first.
pub fn record(c: &Connection, user: UserId) -> Result<Vec<Entry>> {
    let mut stmt = c.prepare_cached(
        "SELECT kind, reason, created_at, expires_at FROM sanctions WHERE user_id = ?1 ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok(Entry {
            kind: r.get(0)?,
            reason: r.get(1)?,
            at: r.get(2)?,
            expires_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
