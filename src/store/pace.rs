//! What rate limits and trust levels are computed from: a member's recent posts and reading.

use rusqlite::{Connection, params};

use super::Result;
use crate::domain::UserId;

/// When the member last posted anything, and last started a thread.
pub fn last_post_and_thread(c: &Connection, author: UserId) -> Result<(Option<i64>, Option<i64>)> {
    let post = c
        .prepare_cached("SELECT max(created_at) FROM posts WHERE author_id = ?1")?
        .query_row([author], |r| r.get(0))?;
    let thread = c
        .prepare_cached("SELECT max(created_at) FROM threads WHERE author_id = ?1")?
        .query_row([author], |r| r.get(0))?;
    Ok((post, thread))
}

/// Threads the member started since `since`, counted up to `cap` (negative: all). A limit
/// needs only to know whether it is reached, so a check costs the limit, not the history.
pub fn threads_since(c: &Connection, author: UserId, since: i64, cap: i64) -> Result<i64> {
    Ok(c.prepare_cached(
        "SELECT count(*) FROM (SELECT 1 FROM threads
                                    WHERE author_id = ?1 AND created_at >= ?2 LIMIT ?3)",
    )?
    .query_row(params![author, since, cap], |r| r.get(0))?)
}

/// Posts (opening posts included) the member wrote since `since`, counted up to `cap`.
pub fn posts_since(c: &Connection, author: UserId, since: i64, cap: i64) -> Result<i64> {
    Ok(c.prepare_cached(
        "SELECT count(*) FROM (SELECT 1 FROM posts
                                    WHERE author_id = ?1 AND created_at >= ?2 LIMIT ?3)",
    )?
    .query_row(params![author, since, cap], |r| r.get(0))?)
}

/// True when the member posted exactly this text since `since`.
pub fn posted_same(c: &Connection, author: UserId, body: &str, since: i64) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM posts WHERE author_id = ?1 AND body = ?2 AND created_at >= ?3",
    )?
    .exists(params![author, body, since])?)
}

/// How many threads started by others the member has opened (starting threads is not reading).
pub fn threads_read(c: &Connection, user: UserId) -> Result<i64> {
    Ok(c.prepare_cached(
        "SELECT count(*) FROM read_marks m JOIN threads t ON t.id = m.thread_id
          WHERE m.user_id = ?1 AND IFNULL(t.author_id, 0) != ?1",
    )?
    .query_row([user], |r| r.get(0))?)
}

pub fn set_trust_level(c: &Connection, user: UserId, level: i64) -> Result<()> {
    c.prepare_cached("UPDATE users SET trust_level = ?2 WHERE id = ?1")?
        .execute(params![user, level])?;
    Ok(())
}
