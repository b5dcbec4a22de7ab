//! Private messages (DESIGN.md §4, §5): one conversation per pair of members, messages in it.
//!
//! What a reader sees of a conversation: their own messages, and the other's that were not
//! withheld. A message is withheld when its recipient had blocked its sender when it was sent:
//! the sender sees it as sent (nothing tells them of the block), the recipient never sees it.
//! A conversation with someone the reader blocked is absent from the reader's inbox and counts.

use rusqlite::{Connection, OptionalExtension, named_params, params};

use super::Result;
use super::visibility::{MESSAGE_RECEIVED, MESSAGE_VISIBLE, actor_visible};
use crate::clock::now;
use crate::domain::UserId;

/// One line of a member's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    pub id: i64,
    pub other: UserId,
    pub other_handle: String,
    /// When the newest message the reader can see was sent.
    pub last_at: i64,
    /// Messages from the other member the reader has not opened.
    pub unread: i64,
}

/// One message as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    /// Written by the reader.
    pub mine: bool,
    pub body: String,
    pub created_at: i64,
}

/// The conversation between two members, if they have one.
pub fn between(c: &Connection, a: UserId, b: UserId) -> Result<Option<i64>> {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    Ok(
        c.prepare_cached("SELECT id FROM conversations WHERE user_a = ?1 AND user_b = ?2")?
            .query_row(params![lo, hi], |r| r.get(0))
            .optional()?,
    )
}

/// The conversation between two members, made if they have none.
pub fn open(c: &Connection, a: UserId, b: UserId) -> Result<i64> {
    if let Some(id) = between(c, a, b)? {
        return Ok(id);
    }
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    c.prepare_cached(
        "INSERT INTO conversations (user_a, user_b, last_message_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![lo, hi, now()])?;
    Ok(c.last_insert_rowid())
}

/// The two members of a conversation.
pub fn members(c: &Connection, conversation: i64) -> Result<Option<(UserId, UserId)>> {
    Ok(
        c.prepare_cached("SELECT user_a, user_b FROM conversations WHERE id = ?1")?
            .query_row([conversation], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    )
}

/// Adds a message; returns its id.
pub fn send(
    c: &Connection,
    conversation: i64,
    sender: UserId,
    body: &str,
    withheld: bool,
) -> Result<i64> {
    let at = now();
    c.prepare_cached(
        "INSERT INTO messages (conversation_id, sender_id, body, created_at, withheld)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![conversation, sender, body, at, withheld])?;
    let id = c.last_insert_rowid();
    c.prepare_cached("UPDATE conversations SET last_message_at = ?2 WHERE id = ?1")?
        .execute(params![conversation, at])?;
    Ok(id)
}

/// The reader's conversations, newest first: none with a member they blocked, none with only
/// withheld messages in it.
pub fn inbox(c: &Connection, reader: UserId) -> Result<Vec<ConversationSummary>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT cv.id, o.id, o.handle,
                (SELECT max(m.created_at) FROM messages m
                  WHERE m.conversation_id = cv.id AND {MESSAGE_VISIBLE}) AS last_at,
                (SELECT count(*) FROM messages m
                  WHERE m.conversation_id = cv.id AND {MESSAGE_RECEIVED} AND m.read_at IS NULL)
           FROM conversations cv
           JOIN users o ON o.id = CASE WHEN cv.user_a = :reader THEN cv.user_b ELSE cv.user_a END
          WHERE (cv.user_a = :reader OR cv.user_b = :reader)
            AND {}
            AND last_at IS NOT NULL
          ORDER BY last_at DESC, cv.id DESC",
        actor_visible("o.id")
    ))?;
    let rows = stmt.query_map(named_params! {":reader": reader}, |r| {
        Ok(ConversationSummary {
            id: r.get(0)?,
            other: r.get(1)?,
            other_handle: r.get(2)?,
            last_at: r.get(3)?,
            unread: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Up to `limit` messages the reader can see, the newest ones before `before` (a message id;
/// None for the newest), oldest first.
pub fn page(
    c: &Connection,
    reader: UserId,
    conversation: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Message>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT m.id, m.sender_id = :reader, m.body, m.created_at FROM messages m
          WHERE m.conversation_id = :conversation AND {MESSAGE_VISIBLE} AND m.id < :before
          ORDER BY m.id DESC LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {
            ":reader": reader,
            ":conversation": conversation,
            ":before": before.unwrap_or(i64::MAX),
            ":limit": limit,
        },
        |r| {
            Ok(Message {
                id: r.get(0)?,
                mine: r.get(1)?,
                body: r.get(2)?,
                created_at: r.get(3)?,
            })
        },
    )?;
    let mut out: Vec<Message> = rows.collect::<rusqlite::Result<_>>()?;
    out.reverse();
    Ok(out)
}

/// Marks the other member's delivered messages in a conversation read by the reader.
pub fn mark_read(c: &Connection, reader: UserId, conversation: i64) -> Result<usize> {
    Ok(c.prepare_cached(&format!(
        "UPDATE messages AS m SET read_at = :now
          WHERE m.conversation_id = :conversation AND {MESSAGE_RECEIVED} AND m.read_at IS NULL"
    ))?
    .execute(named_params! {":reader": reader, ":conversation": conversation, ":now": now()})?)
}

/// Unread delivered messages for the reader, from members they have not blocked.
pub fn unread(c: &Connection, reader: UserId) -> Result<i64> {
    Ok(c.prepare_cached(&format!(
        "SELECT count(*) FROM messages m JOIN conversations cv ON cv.id = m.conversation_id
          WHERE (cv.user_a = :reader OR cv.user_b = :reader) AND {MESSAGE_RECEIVED}
            AND m.read_at IS NULL AND {}",
        actor_visible("m.sender_id")
    ))?
    .query_row(named_params! {":reader": reader}, |r| r.get(0))?)
}

/// A message as its recipient received it, for a report: (sender, conversation, body). None
/// when the reader cannot see it (not theirs, or withheld from them).
pub fn for_reader(
    c: &Connection,
    reader: UserId,
    message: i64,
) -> Result<Option<(UserId, i64, String)>> {
    Ok(c.prepare_cached(&format!(
        "SELECT m.sender_id, m.conversation_id, m.body FROM messages m
               JOIN conversations cv ON cv.id = m.conversation_id
              WHERE m.id = :message AND (cv.user_a = :reader OR cv.user_b = :reader)
                AND {MESSAGE_VISIBLE}"
    ))?
    .query_row(
        named_params! {":reader": reader, ":message": message},
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

/// A message's sender and text, for moderators reading a report.
pub fn get(c: &Connection, message: i64) -> Result<Option<(UserId, String)>> {
    Ok(
        c.prepare_cached("SELECT sender_id, body FROM messages WHERE id = ?1")?
            .query_row([message], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{store, user};

    #[test]
    fn withheld_messages_show_to_their_sender_only() {
        let store = store();
        store
            .write(|c| {
                let a = user(c, "ash");
                let b = user(c, "birch");
                let conv = open(c, a, b)?;
                assert_eq!(open(c, b, a)?, conv, "one conversation per pair");
                send(c, conv, a, "hello", false)?;
                send(c, conv, b, "go away", false)?;
                crate::store::blocks::block(c, a, b)?;
                send(c, conv, b, "you can't ignore me", true)?;
                // The blocker's inbox holds nothing from the member they blocked.
                assert!(inbox(c, a)?.is_empty());
                assert_eq!(unread(c, a)?, 0);
                // The sender sees all they sent.
                let theirs: Vec<String> = page(c, b, conv, None, 50)?
                    .into_iter()
                    .map(|m| m.body)
                    .collect();
                assert_eq!(theirs, ["hello", "go away", "you can't ignore me"]);
                // Unblocking restores what was delivered, never what was withheld.
                crate::store::blocks::unblock(c, a, b)?;
                let mine: Vec<String> = page(c, a, conv, None, 50)?
                    .into_iter()
                    .map(|m| m.body)
                    .collect();
                assert_eq!(mine, ["hello", "go away"]);
                assert_eq!(unread(c, a)?, 1);
                assert_eq!(inbox(c, a)?[0].unread, 1);
                mark_read(c, a, conv)?;
                assert_eq!(unread(c, a)?, 0);
                Ok(())
            })
            .expect("store");
    }

    #[test]
    fn an_export_holds_no_withheld_message_and_no_read_receipts_for_the_sender() {
        let store = store();
        store
            .write(|c| {
                let a = user(c, "ash");
                let b = user(c, "birch");
                let conv = open(c, a, b)?;
                send(c, conv, b, "before the block", false)?;
                mark_read(c, a, conv)?;
                crate::store::blocks::block(c, a, b)?;
                send(c, conv, b, "withheld words", true)?;
                let ash = crate::store::export::member(c, a)?.to_string();
                assert!(ash.contains("before the block"), "{ash}");
                assert!(!ash.contains("withheld words"), "{ash}");
                let birch = crate::store::export::member(c, b)?;
                let sent = birch["messages"].as_array().expect("messages");
                assert_eq!(sent.len(), 2);
                assert!(sent.iter().all(|m| m["read_at"].is_null()), "{birch}");
                Ok(())
            })
            .expect("store");
    }
}
