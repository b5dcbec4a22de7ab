//! The `events` table: how live changes cross processes. Writers append a row in the same
//! transaction as the change; each process's watcher reads rows past the last id it saw.
//! Rows carry ids only, never text.

use rusqlite::{Connection, params};

use super::Result;
use crate::clock::now;
use crate::domain::{BoardId, PostId, ThreadId, UserId};

/// Events older than this are pruned: every watcher polls far more often.
const KEEP_SECONDS: i64 = 600;

/// A change other sessions may need to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A thread was started (its first post is `post`).
    NewThread,
    /// A reply was posted.
    NewPost,
    /// Something about a thread changed (pin, lock, hide, …): reload it.
    ThreadChanged,
    /// Something about a member changed (role, ban, …).
    UserChanged,
    /// Something changed in `user`'s messages or notifications (their unread counts).
    Message,
    /// The review queue changed (a report filed or resolved): staff sessions reload its count.
    Reports,
    /// Someone came online, left, or changed whether they are seen: an open "who's online"
    /// reloads through the service, which shows only who chose to be seen. In-process only
    /// (who is online is never stored), so never a row of the table; it names no one.
    Presence,
    /// A sysop spoke to every open session (`store::announcements` holds the text under this
    /// event's id). Every signed-in session gets it, asleep or not (through its member's own
    /// channel: `live::Hub`).
    Announcement,
}

impl EventKind {
    fn as_str(&self) -> &'static str {
        match self {
            EventKind::NewThread => "new_thread",
            EventKind::NewPost => "new_post",
            EventKind::ThreadChanged => "thread_changed",
            EventKind::UserChanged => "user_changed",
            EventKind::Message => "message",
            EventKind::Reports => "reports",
            EventKind::Presence => "presence",
            EventKind::Announcement => "announcement",
        }
    }
    fn parse(s: &str) -> Option<EventKind> {
        Some(match s {
            "new_thread" => EventKind::NewThread,
            "new_post" => EventKind::NewPost,
            "thread_changed" => EventKind::ThreadChanged,
            "user_changed" => EventKind::UserChanged,
            "message" => EventKind::Message,
            "reports" => EventKind::Reports,
            "announcement" => EventKind::Announcement,
            _ => return None,
        })
    }
}

/// One row of the events table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub board: Option<BoardId>,
    pub thread: Option<ThreadId>,
    pub post: Option<PostId>,
    /// The acting member, when the event is about one; never set for anonymous posts.
    pub user: Option<UserId>,
}

pub fn append(
    c: &Connection,
    kind: EventKind,
    board: Option<BoardId>,
    thread: Option<ThreadId>,
    post: Option<PostId>,
    user: Option<UserId>,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO events (at, kind, board_id, thread_id, post_id, user_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![now(), kind.as_str(), board, thread, post, user])?;
    Ok(())
}

/// Something about a thread changed (a hide, a lock, an edit, …): its readers reload it.
pub fn thread_changed(c: &Connection, board: BoardId, thread: ThreadId) -> Result<()> {
    append(
        c,
        EventKind::ThreadChanged,
        Some(board),
        Some(thread),
        None,
        None,
    )
}

/// A member's messages or notifications changed: their sessions reload their unread counts.
pub fn counts_changed(c: &Connection, user: UserId) -> Result<()> {
    append(c, EventKind::Message, None, None, None, Some(user))
}

/// The newest event id (where a new watcher starts).
pub fn last_id(c: &Connection) -> Result<i64> {
    Ok(c.query_row("SELECT IFNULL(max(id), 0) FROM events", [], |r| r.get(0))?)
}

/// Events after `after`, oldest first.
pub fn since(c: &Connection, after: i64) -> Result<Vec<Event>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, kind, board_id, thread_id, post_id, user_id FROM events
         WHERE id > ?1 ORDER BY id LIMIT 1000",
    )?;
    let rows = stmt.query_map([after], |r| {
        let kind: String = r.get(1)?;
        Ok((r.get(0)?, kind, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, board, thread, post, user) = row?;
        if let Some(kind) = EventKind::parse(&kind) {
            out.push(Event {
                id,
                kind,
                board,
                thread,
                post,
                user,
            });
        }
    }
    Ok(out)
}

/// Deletes old events.
pub fn prune(c: &Connection) -> Result<usize> {
    Ok(c.prepare_cached("DELETE FROM events WHERE at < ?1")?
        .execute([now() - KEEP_SECONDS])?)
}

/// SQLite's `data_version`: changes when another connection commits.
pub fn data_version(c: &Connection) -> Result<i64> {
    Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}
