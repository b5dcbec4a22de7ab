//! Blocks (DESIGN.md §5) and hidden pseudonyms (§6). Private: nothing here is ever shown to
//! the member who was blocked.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::visibility::{MaskedAuthor, PostAuthor};
use crate::clock::now;
use crate::domain::{PostId, ThreadId, UserId};

pub fn block(c: &Connection, blocker: UserId, blocked: UserId) -> Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![blocker, blocked, now()])?;
    Ok(())
}

/// Unblocks; false if there was no such block.
pub fn unblock(c: &Connection, blocker: UserId, blocked: UserId) -> Result<bool> {
    Ok(
        c.prepare_cached("DELETE FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2")?
            .execute(params![blocker, blocked])?
            == 1,
    )
}

/// True when `blocker` blocked `blocked`.
pub fn is_blocked(c: &Connection, blocker: UserId, blocked: UserId) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2")?
            .exists(params![blocker, blocked])?,
    )
}

/// The handles a member blocked, in the order they blocked them.
pub fn list(c: &Connection, blocker: UserId) -> Result<Vec<String>> {
    let mut stmt = c.prepare_cached(
        "SELECT u.handle FROM blocks b JOIN users u ON u.id = b.blocked_id
          WHERE b.blocker_id = ?1 ORDER BY b.created_at, u.handle",
    )?;
    let rows = stmt.query_map([blocker], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Hides one pseudonym's posts in one thread from one member.
pub fn hide_pseudonym(
    c: &Connection,
    user: UserId,
    thread: ThreadId,
    author: &MaskedAuthor,
) -> Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO anon_hides (user_id, thread_id, author_id) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![user, thread, author.id()])?;
    Ok(())
}

/// Who wrote a post (masked when anonymous) and in which thread.
pub fn post_author(c: &Connection, post: PostId) -> Result<Option<(PostAuthor, ThreadId)>> {
    Ok(
        c.prepare_cached("SELECT author_id, anonymous, thread_id FROM posts WHERE id = ?1")?
            .query_row([post], |r| {
                Ok((PostAuthor::from_row(r.get(0)?, r.get(1)?), r.get(2)?))
            })
            .optional()?,
    )
}
