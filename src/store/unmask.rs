//! Unmasking the author of an anonymous post (DESIGN.md §6): a moderator asks, with a written
//! reason; a second moderator confirms (or declines). Only a confirmed request shows the author,
//! and only to moderators.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::clock::now;
use crate::domain::{PostId, UserId};

/// A request waiting for a second moderator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub post: PostId,
    pub requested_by: Option<UserId>,
    pub requester: String,
    pub reason: String,
    pub at: i64,
    /// The post's text, for the confirming moderator to judge.
    pub body: String,
}

/// Records a request; returns its id. One open request per post: asking again returns it.
pub fn request(c: &Connection, post: PostId, by: UserId, reason: &str) -> Result<i64> {
    if let Some(id) = c
        .prepare_cached(
            "SELECT id FROM unmask_requests WHERE post_id = ?1 AND confirmed_at IS NULL",
        )?
        .query_row([post], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    c.prepare_cached(
        "INSERT INTO unmask_requests (post_id, requested_by, reason, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![post, by, reason, now()])?;
    Ok(c.last_insert_rowid())
}

/// Open requests, oldest first.
pub fn pending(c: &Connection) -> Result<Vec<Request>> {
    let mut stmt = c.prepare_cached(
        "SELECT r.id, r.post_id, r.requested_by, IFNULL(u.handle, '[deleted]'), r.reason,
                r.created_at, p.body
           FROM unmask_requests r JOIN posts p ON p.id = r.post_id
           LEFT JOIN users u ON u.id = r.requested_by
          WHERE r.confirmed_at IS NULL ORDER BY r.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Request {
            id: r.get(0)?,
            post: r.get(1)?,
            requested_by: r.get(2)?,
            requester: r.get(3)?,
            reason: r.get(4)?,
            at: r.get(5)?,
            body: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, id: i64) -> Result<Option<Request>> {
    Ok(pending(c)?.into_iter().find(|r| r.id == id))
}

/// Confirms a request.
pub fn confirm(c: &Connection, id: i64, by: UserId) -> Result<()> {
    c.prepare_cached(
        "UPDATE unmask_requests SET confirmed_by = ?2, confirmed_at = ?3
          WHERE id = ?1 AND confirmed_at IS NULL",
    )?
    .execute(params![id, by, now()])?;
    Ok(())
}

/// Declines (removes) an open request.
pub fn decline(c: &Connection, id: i64) -> Result<()> {
    c.prepare_cached("DELETE FROM unmask_requests WHERE id = ?1 AND confirmed_at IS NULL")?
        .execute([id])?;
    Ok(())
}

/// True when the post's author was unmasked (a confirmed request exists).
pub fn is_unmasked(c: &Connection, post: PostId) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM unmask_requests WHERE post_id = ?1 AND confirmed_at IS NOT NULL",
    )?
    .exists([post])?)
}

/// The author of an anonymous post once it was unmasked (a confirmed request exists): from
/// then on moderators know who it is, and may silence or ban them. None while masked.
pub fn author_if_unmasked(c: &Connection, post: PostId) -> Result<Option<UserId>> {
    Ok(c.prepare_cached(
        "SELECT p.author_id FROM posts p
          WHERE p.id = ?1 AND p.author_id IS NOT NULL
            AND EXISTS (SELECT 1 FROM unmask_requests r
                         WHERE r.post_id = p.id AND r.confirmed_at IS NOT NULL)",
    )?
    .query_row([post], |r| r.get(0))
    .optional()?)
}

/// The author's handle for unmasked posts among `posts`: (post, handle).
pub fn unmasked_authors(c: &Connection, posts: &[PostId]) -> Result<Vec<(PostId, String)>> {
    let mut stmt = c.prepare_cached(
        "SELECT p.id, IFNULL(u.handle, '[deleted]') FROM posts p LEFT JOIN users u ON u.id = p.author_id
          WHERE p.id = ?1 AND p.anonymous = 1
            AND EXISTS (SELECT 1 FROM unmask_requests r
                         WHERE r.post_id = p.id AND r.confirmed_at IS NOT NULL)",
    )?;
    let mut out = Vec::new();
    for post in posts {
        if let Some(row) = stmt
            .query_row([post], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
        {
            out.push(row);
        }
    }
    Ok(out)
}
