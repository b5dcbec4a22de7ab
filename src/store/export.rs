//! A member's own data, for export (`ssh … export`). Only rows that are theirs: their posts
//! (anonymous ones included and marked so; this export goes only to them), keys (public
//! parts), messages they sent or received, their blocks, drafts and settings.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::Result;
use crate::domain::UserId;

fn rows(
    c: &Connection,
    sql: &str,
    user: UserId,
    f: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<Value>,
) -> Result<Vec<Value>> {
    let mut stmt = c.prepare(sql)?;
    let out = stmt
        .query_map([user], |r| f(r))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// Everything Haven holds about `user` that is theirs, as JSON.
pub fn member(c: &Connection, user: UserId) -> Result<Value> {
    let profile = c.query_row(
        "SELECT handle, role, status, trust_level, created_at, last_seen_at, theme,
                presence_visible, totp_secret IS NOT NULL, safety_plan, time_zone
           FROM users WHERE id = ?1",
        [user],
        |r| {
            Ok(json!({
                "handle": r.get::<_, String>(0)?,
                "role": r.get::<_, String>(1)?,
                "status": r.get::<_, String>(2)?,
                "trust_level": r.get::<_, i64>(3)?,
                "created_at": r.get::<_, i64>(4)?,
                "last_seen_at": r.get::<_, Option<i64>>(5)?,
                "settings": {
                    "theme": r.get::<_, String>(6)?,
                    "presence_visible": r.get::<_, bool>(7)?,
                    "second_factor": r.get::<_, bool>(8)?,
                    "time_zone": r.get::<_, Option<String>>(10)?,
                },
                "safety_plan": r.get::<_, Option<String>>(9)?,
            }))
        },
    )?;
    let keys = rows(
        c,
        "SELECT algorithm, public_key, fingerprint, comment, created_at, last_used_at
           FROM user_keys WHERE user_id = ?1 ORDER BY id",
        user,
        |r| {
            Ok(json!({
                "algorithm": r.get::<_, String>(0)?,
                "public_key": r.get::<_, String>(1)?,
                "fingerprint": r.get::<_, String>(2)?,
                "comment": r.get::<_, Option<String>>(3)?,
                "created_at": r.get::<_, i64>(4)?,
                "last_used_at": r.get::<_, Option<i64>>(5)?,
            }))
        },
    )?;
    // A thread they started keeps its title here whatever became of its opening post (the
    // words are theirs); another's thread shows its title as members see it.
    let posts = rows(
        c,
        &format!(
            "SELECT p.id, b.slug, t.id, CASE WHEN t.author_id = ?1 THEN t.title ELSE {} END,
                p.id = (SELECT min(id) FROM posts q WHERE q.thread_id = t.id),
                p.anonymous, p.body, p.content_warning, p.created_at, p.edited_at, p.status
           FROM posts p JOIN threads t ON t.id = p.thread_id JOIN boards b ON b.id = t.board_id
          WHERE p.author_id = ?1 ORDER BY p.id",
            super::visibility::thread_title_as("t", "0")
        ),
        user,
        |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "board": r.get::<_, String>(1)?,
                "thread_id": r.get::<_, i64>(2)?,
                "thread_title": r.get::<_, String>(3)?,
                "opens_thread": r.get::<_, bool>(4)?,
                "anonymous": r.get::<_, bool>(5)?,
                "body": r.get::<_, String>(6)?,
                "content_warning": r.get::<_, Option<String>>(7)?,
                "created_at": r.get::<_, i64>(8)?,
                "edited_at": r.get::<_, Option<i64>>(9)?,
                "status": r.get::<_, String>(10)?,
            }))
        },
    )?;
    let messages = rows(
        c,
        // What the member saw: never a message withheld from them by their block, and no
        // read receipts for what they sent (which would tell a blocked sender of the block).
        &format!(
            "SELECT m.id, su.handle, ou.handle, m.body, m.created_at,
                    CASE WHEN m.sender_id = :reader THEN NULL ELSE m.read_at END
               FROM messages m
               JOIN conversations cv ON cv.id = m.conversation_id
               JOIN users su ON su.id = m.sender_id
               JOIN users ou ON ou.id = CASE WHEN cv.user_a = m.sender_id THEN cv.user_b ELSE cv.user_a END
              WHERE (cv.user_a = :reader OR cv.user_b = :reader) AND {}
              ORDER BY m.id",
            super::visibility::MESSAGE_VISIBLE
        ),
        user,
        |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "from": r.get::<_, String>(1)?,
                "to": r.get::<_, String>(2)?,
                "body": r.get::<_, String>(3)?,
                "sent_at": r.get::<_, i64>(4)?,
                "read_at": r.get::<_, Option<i64>>(5)?,
            }))
        },
    )?;
    let blocks = rows(
        c,
        "SELECT u.handle, b.created_at FROM blocks b JOIN users u ON u.id = b.blocked_id
          WHERE b.blocker_id = ?1 ORDER BY b.created_at",
        user,
        |r| Ok(json!({ "handle": r.get::<_, String>(0)?, "since": r.get::<_, i64>(1)? })),
    )?;
    let muted = rows(
        c,
        "SELECT word FROM muted_words WHERE user_id = ?1 ORDER BY word",
        user,
        |r| Ok(json!(r.get::<_, String>(0)?)),
    )?;
    let drafts = rows(
        c,
        "SELECT b.slug, d.thread_id, d.title, d.body, d.content_warning, d.anonymous, d.updated_at
           FROM drafts d JOIN boards b ON b.id = d.board_id WHERE d.user_id = ?1 ORDER BY d.id",
        user,
        |r| {
            Ok(json!({
                "board": r.get::<_, String>(0)?,
                "thread_id": r.get::<_, Option<i64>>(1)?,
                "title": r.get::<_, String>(2)?,
                "body": r.get::<_, String>(3)?,
                "content_warning": r.get::<_, String>(4)?,
                "anonymous": r.get::<_, bool>(5)?,
                "updated_at": r.get::<_, i64>(6)?,
            }))
        },
    )?;
    let record = rows(
        c,
        "SELECT kind, reason, created_at, expires_at FROM sanctions WHERE user_id = ?1 ORDER BY id",
        user,
        |r| {
            Ok(json!({
                "kind": r.get::<_, String>(0)?,
                "reason": r.get::<_, String>(1)?,
                "at": r.get::<_, i64>(2)?,
                "expires_at": r.get::<_, Option<i64>>(3)?,
            }))
        },
    )?;
    Ok(json!({
        "format": "haven-export-1",
        "profile": profile,
        "keys": keys,
        "posts": posts,
        "messages": messages,
        "blocks": blocks,
        "muted_words": muted,
        "drafts": drafts,
        "record": record,
    }))
}
