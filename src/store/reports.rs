//! Reports and the review queue (DESIGN.md §7). A reporter's identity is kept for the
//! moderators; what a reporter learns is the outcome, never who decided it.

use rusqlite::{Connection, params};

use super::Result;
use crate::clock::now;
use crate::domain::{PostId, ThreadId, UserId};

/// Report categories members choose from.
pub const CATEGORIES: &[&str] = &[AT_RISK, "harassment", "privacy", "spam", "other"];

/// The urgent category, first in the list: it puts a report ahead of every other in the queue
/// and alerts the moderators who are online.
pub const AT_RISK: &str = "someone may be at risk";

/// SQL: report `r` is urgent (the category as it is now, or as earlier versions named it).
const URGENT: &str = "r.category IN ('someone may be at risk', 'self-harm risk')";

/// The outcomes a moderator picks from when resolving (a number), or writes their own.
pub const OUTCOMES: &[&str] = &[
    "Reviewed: no action was needed.",
    "The post was hidden.",
    "The member was warned.",
    "A moderator reached out with support and resources.",
];

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Post(PostId),
    Thread(ThreadId),
    /// A private message (its id).
    Message(i64),
    /// A member (reported by another member).
    Member(UserId),
    /// A member's appeal of their own record.
    Appeal(UserId),
    /// A moderator's request to unmask an anonymous author (its id), for a second moderator.
    /// It lives in its own table; the queue lists it beside the reports.
    Unmask(i64),
}

impl Target {
    fn kind(self) -> &'static str {
        match self {
            Target::Post(_) => "post",
            Target::Thread(_) => "thread",
            Target::Message(_) => "message",
            Target::Member(_) | Target::Appeal(_) => "user",
            Target::Unmask(_) => "unmask",
        }
    }
    fn id(self) -> i64 {
        match self {
            Target::Post(p) => p.0,
            Target::Thread(t) => t.0,
            Target::Message(m) | Target::Unmask(m) => m,
            Target::Member(u) | Target::Appeal(u) => u.0,
        }
    }
    /// Appeals and reports about a member share a target row kind; the category tells them
    /// apart.
    fn appeal(self) -> bool {
        matches!(self, Target::Appeal(_))
    }
    /// Words for the audit log's target kind.
    pub fn audit_kind(self) -> &'static str {
        self.kind()
    }
    pub fn audit_id(self) -> i64 {
        self.id()
    }
}

/// One reported item in the queue, with its open reports grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub target: Target,
    /// "post 12", or "appeal from river".
    pub label: String,
    pub reports: i64,
    /// The categories given, distinct, comma-separated.
    pub categories: String,
    /// The moderator who claimed it, if any.
    pub claimed_by: Option<String>,
    pub first_reported: i64,
    /// The reported text: the post, the thread's title and opening post, the message (shown
    /// only when a moderator opens the item).
    pub body: String,
    /// What the reporters wrote (or the appeal).
    pub notes: String,
    pub hidden: bool,
    /// Someone may be at risk: first in the queue, marked.
    pub urgent: bool,
    /// For a post or thread: "Board › Thread · by author" (a pseudonym for anonymous ones).
    pub place: Option<String>,
    /// The thread to open, for a post or thread.
    pub thread: Option<ThreadId>,
}

/// Tells staff sessions (in every process) that the queue changed: its count is in their header.
fn queue_changed(c: &Connection) -> Result<()> {
    super::events::append(c, super::events::EventKind::Reports, None, None, None, None)
}

/// Open items in the queue, and how many of them are urgent (for the staff header).
pub fn open_counts(c: &Connection) -> Result<(i64, i64)> {
    Ok(c.prepare_cached(&format!(
        "SELECT count(*), IFNULL(sum(urgent), 0) FROM (
            SELECT max({URGENT}) AS urgent FROM reports r WHERE r.resolved_at IS NULL
             GROUP BY r.target_kind, r.target_id, r.category = 'appeal')"
    ))?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Files a report; false if this member already has an open report on this item.
pub fn file(
    c: &Connection,
    reporter: UserId,
    target: Target,
    category: &str,
    note: &str,
) -> Result<bool> {
    let dup: bool = c
        .prepare_cached(
            "SELECT 1 FROM reports WHERE reporter_id = ?1 AND target_kind = ?2 AND target_id = ?3
               AND resolved_at IS NULL AND category != 'appeal'",
        )?
        .exists(params![reporter, target.kind(), target.id()])?;
    if dup {
        return Ok(false);
    }
    c.prepare_cached(
        "INSERT INTO reports (reporter_id, target_kind, target_id, category, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        reporter,
        target.kind(),
        target.id(),
        category,
        note,
        now()
    ])?;
    queue_changed(c)?;
    Ok(true)
}

/// Distinct reporters at trust level ≥ 1 with open reports on the post.
pub fn trusted_reporters(c: &Connection, post: PostId) -> Result<i64> {
    Ok(c.prepare_cached(
        "SELECT count(DISTINCT r.reporter_id) FROM reports r JOIN users u ON u.id = r.reporter_id
          WHERE r.target_kind = 'post' AND r.target_id = ?1 AND r.resolved_at IS NULL
            AND u.trust_level >= 1",
    )?
    .query_row([post], |r| r.get(0))?)
}

/// SQL: the queue's order, over its groups: urgent first, then the longest waiting (the first
/// report filed, which also settles reports filed in the same second).
const QUEUE_ORDER: &str = "urgent DESC, min(r.created_at), min(r.id)";

/// SQL: the name a queue item's label gives (a member's handle, the sender of a message, a
/// thread's title; nothing for a post, which is named by its id), from the joins `m`, `ms`
/// and `t` both queue queries make.
const QUEUE_NAME: &str = "CASE r.target_kind WHEN 'user' THEN IFNULL(m.handle, '')
     WHEN 'message' THEN IFNULL(ms.handle, '') ELSE IFNULL(t.title, '') END";

/// What a queue item is, and its label: "post 12", "thread: …", "appeal from river".
fn labelled(kind: &str, id: i64, appeal: bool, name: &str) -> (Target, String) {
    match kind {
        "user" if appeal => (Target::Appeal(UserId(id)), format!("appeal from {name}")),
        "user" => (Target::Member(UserId(id)), format!("member {name}")),
        "thread" => (Target::Thread(ThreadId(id)), format!("thread: {name}")),
        "message" => (Target::Message(id), format!("private message from {name}")),
        _ => (Target::Post(PostId(id)), format!("post {id}")),
    }
}

/// The first `n` items of the queue, in its order ([`queue`]): what each is, how many open
/// reports it has, whether it is urgent. For the sysop's dashboard, read every few seconds:
/// no reported text, notes or places, only what the labels need.
pub fn queue_head(c: &Connection, n: usize) -> Result<Vec<(Target, String, i64, bool)>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT r.target_kind, r.target_id, r.category = 'appeal' AS appeal, count(*),
                {QUEUE_NAME}, max({URGENT}) AS urgent
           FROM reports r
           LEFT JOIN threads t ON r.target_kind = 'thread' AND t.id = r.target_id
           LEFT JOIN messages msg ON r.target_kind = 'message' AND msg.id = r.target_id
           LEFT JOIN users ms ON ms.id = msg.sender_id
           LEFT JOIN users m ON r.target_kind = 'user' AND m.id = r.target_id
          WHERE r.resolved_at IS NULL
          GROUP BY r.target_kind, r.target_id, appeal
          ORDER BY {QUEUE_ORDER}
          LIMIT ?1"
    ))?;
    let rows = stmt.query_map([i64::try_from(n).unwrap_or(i64::MAX)], |r| {
        let name = crate::sanitize::line(&r.get::<_, String>(4)?);
        let (target, label) = labelled(&r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, &name);
        Ok((target, label, r.get(3)?, r.get(5)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open reports grouped per item (posts, threads, messages, members, appeals): urgent ones
/// (someone may be at risk) first, then oldest first. Each post or thread comes with where it
/// is and who wrote it as members see it: an anonymous author by pseudonym only, since
/// unmasking is its own act.
pub fn queue(c: &Connection) -> Result<Vec<QueueItem>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT r.target_kind, r.target_id, r.category = 'appeal' AS appeal, count(*),
                group_concat(DISTINCT r.category), min(r.created_at),
                (SELECT u.handle FROM reports r2 JOIN users u ON u.id = r2.claimed_by
                  WHERE r2.target_kind = r.target_kind AND r2.target_id = r.target_id
                    AND (r2.category = 'appeal') = (r.category = 'appeal')
                    AND r2.resolved_at IS NULL AND r2.claimed_by IS NOT NULL LIMIT 1),
                CASE r.target_kind
                     WHEN 'post' THEN IFNULL(p.body, '')
                     WHEN 'thread' THEN IFNULL(t.title || char(10) || char(10) || tp.body, '')
                     WHEN 'message' THEN IFNULL(msg.body, '')
                     ELSE '' END,
                IFNULL(group_concat(NULLIF(r.note, ''), ' / '), ''),
                CASE r.target_kind WHEN 'post' THEN IFNULL(p.status = 'hidden', 0)
                     WHEN 'thread' THEN IFNULL(t.hidden, 0) ELSE 0 END,
                {QUEUE_NAME},
                max({URGENT}) AS urgent,
                IFNULL(pb.name, tb.name), pt.title,
                IFNULL(p.anonymous, t.anonymous), IFNULL(pt.anon_salt, t.anon_salt),
                CASE r.target_kind WHEN 'post' THEN p.author_id ELSE t.author_id END,
                CASE r.target_kind WHEN 'post' THEN pu.handle ELSE tu.handle END,
                IFNULL(p.thread_id, t.id)
           FROM reports r
           LEFT JOIN posts p ON r.target_kind = 'post' AND p.id = r.target_id
           LEFT JOIN threads t ON r.target_kind = 'thread' AND t.id = r.target_id
           LEFT JOIN posts tp ON r.target_kind = 'thread'
                AND tp.id = (SELECT min(id) FROM posts WHERE thread_id = r.target_id)
           LEFT JOIN messages msg ON r.target_kind = 'message' AND msg.id = r.target_id
           LEFT JOIN users ms ON ms.id = msg.sender_id
           LEFT JOIN users m ON r.target_kind = 'user' AND m.id = r.target_id
           LEFT JOIN threads pt ON pt.id = p.thread_id
           LEFT JOIN boards pb ON pb.id = pt.board_id
           LEFT JOIN users pu ON pu.id = p.author_id
           LEFT JOIN boards tb ON tb.id = t.board_id
           LEFT JOIN users tu ON tu.id = t.author_id
          WHERE r.resolved_at IS NULL
          GROUP BY r.target_kind, r.target_id, appeal
          ORDER BY {QUEUE_ORDER}"
    ))?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(0)?;
        let id: i64 = r.get(1)?;
        let appeal: bool = r.get(2)?;
        let name: String = r.get(10)?;
        let name = crate::sanitize::line(&name);
        // Where it is and who wrote it, as any member would see it.
        let board: Option<String> = r.get(12)?;
        let author = match (
            r.get::<_, Option<bool>>(14)?,
            r.get::<_, Option<Vec<u8>>>(15)?,
        ) {
            (Some(anonymous), Some(salt)) => Some(super::visibility::shown_author(
                anonymous,
                &salt,
                r.get(16)?,
                r.get(17)?,
            )),
            _ => None,
        };
        let place = match (board, r.get::<_, Option<String>>(13)?, author) {
            (Some(b), Some(t), Some(a)) => Some(format!("{b} › {t} · by {a}")),
            (Some(b), None, Some(a)) => Some(format!("{b} · by {a}")),
            _ => None,
        };
        let (target, label) = labelled(&kind, id, appeal, &name);
        Ok(QueueItem {
            target,
            label,
            reports: r.get(3)?,
            categories: r.get(4)?,
            first_reported: r.get(5)?,
            claimed_by: r.get(6)?,
            body: r.get(7)?,
            notes: r.get(8)?,
            hidden: r.get(9)?,
            urgent: r.get(11)?,
            place,
            thread: r.get(18)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A report filed by Haven itself (a watched word, a post held for approval).
pub fn system_report(c: &Connection, post: PostId, category: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO reports (reporter_id, target_kind, target_id, category, note, created_at)
         VALUES (NULL, 'post', ?1, ?2, '', ?3)",
    )?
    .execute(params![post, category, now()])?;
    queue_changed(c)
}

/// A member's appeal of their record: a report about themselves, in the queue.
pub fn appeal(c: &Connection, user: UserId, text: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO reports (reporter_id, target_kind, target_id, category, note, created_at)
         VALUES (?1, 'user', ?1, 'appeal', ?2, ?3)",
    )?
    .execute(params![user, text, now()])?;
    queue_changed(c)
}

/// True when the member has an appeal the moderators have not answered yet.
pub fn open_appeal(c: &Connection, user: UserId) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM reports WHERE reporter_id = ?1 AND target_kind = 'user'
           AND target_id = ?1 AND category = 'appeal' AND resolved_at IS NULL",
    )?
    .exists([user])?)
}

/// Claims (or, with `None`, hands back) the open reports on an item.
pub fn claim(c: &Connection, target: Target, by: Option<UserId>) -> Result<()> {
    c.prepare_cached(
        "UPDATE reports SET claimed_by = ?3
          WHERE target_kind = ?1 AND target_id = ?2 AND resolved_at IS NULL
            AND (category = 'appeal') = ?4",
    )?
    .execute(params![target.kind(), target.id(), by, target.appeal()])?;
    queue_changed(c)
}

/// Resolves the open reports on an item; returns the reporters, to tell them the outcome.
pub fn resolve(c: &Connection, target: Target, by: UserId, outcome: &str) -> Result<Vec<UserId>> {
    let reporters: Vec<UserId> = {
        let mut stmt = c.prepare_cached(
            "SELECT DISTINCT reporter_id FROM reports
              WHERE target_kind = ?1 AND target_id = ?2 AND resolved_at IS NULL
                AND reporter_id IS NOT NULL AND (category = 'appeal') = ?3",
        )?;
        stmt.query_map(params![target.kind(), target.id(), target.appeal()], |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    c.prepare_cached(
        "UPDATE reports SET resolved_by = ?3, resolved_at = ?4, outcome = ?5
          WHERE target_kind = ?1 AND target_id = ?2 AND resolved_at IS NULL
            AND (category = 'appeal') = ?6",
    )?
    .execute(params![
        target.kind(),
        target.id(),
        by,
        now(),
        outcome,
        target.appeal()
    ])?;
    queue_changed(c)?;
    Ok(reporters)
}

/// Leaves a system message for a member (e.g. the outcome of their report).
pub fn notify(c: &Connection, user: UserId, kind: &str, body: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO notifications (user_id, kind, body, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![user, kind, body, now()])?;
    Ok(())
}
