//! Notifications (DESIGN.md §4): replies to your threads, @mentions, moderators' messages and
//! report outcomes.
//!
//! Blocks (§5) act twice: a named post by someone the recipient blocked notifies no one, and a
//! notification shows only while its post and thread are ones the reader may see and its actor
//! is not someone they blocked. Anonymous posts notify whatever the blocks (a block never acts
//! on anonymous posts, §6), name their pseudonym only, and hide with "hide this pseudonym".

use rusqlite::{Connection, params};

use super::Result;
use super::visibility::{self, Reader, THREAD_VISIBLE, actor_visible};
use crate::clock::now;
use crate::domain::{PostId, ThreadId, UserId};

/// Most members one post can mention (more are ignored: no mass pings).
pub const MENTIONS_MAX: usize = 10;

/// One notification as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    /// reply | mention | moderator | report
    pub kind: String,
    /// Who: a handle, a pseudonym, or None (the system, a moderator).
    pub actor: Option<String>,
    pub thread: Option<ThreadId>,
    pub thread_title: Option<String>,
    pub post: Option<PostId>,
    /// The system's words (a moderator's message, a report's outcome).
    pub body: Option<String>,
    pub at: i64,
    pub unread: bool,
}

/// Records that `user` has something about `post` (a reply or a mention); `actor` is None for
/// anonymous posts.
fn add(
    c: &Connection,
    user: UserId,
    kind: &str,
    actor: Option<UserId>,
    thread: ThreadId,
    post: PostId,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO notifications (user_id, kind, actor_id, thread_id, post_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![user, kind, actor, thread, post, now()])?;
    Ok(())
}

/// Tells the thread's starter of a reply and each member `mentioned` (handles) of a mention,
/// for a post that is out. A named post tells no one who blocked its author; an anonymous post
/// names no one and is not held back by blocks (that would reveal its author, DESIGN.md §6).
/// The author is never told of their own post. Returns how many members were told.
pub fn deliver(c: &Connection, post: PostId, mentioned: &[String]) -> Result<usize> {
    let Some((author, thread)) = super::blocks::post_author(c, post)? else {
        return Ok(0);
    };
    let mut recipients: Vec<(UserId, &str)> = Vec::new();
    for name in mentioned {
        if let Some(u) = super::users::by_handle(c, name)?
            && u.status == crate::domain::AccountStatus::Active
        {
            recipients.push((u.id, "mention"));
        }
    }
    let starter: Option<UserId> = c
        .prepare_cached("SELECT author_id FROM threads WHERE id = ?1")?
        .query_row([thread], |r| r.get(0))?;
    if let Some(s) = starter
        && super::users::status(c, s)?
            .is_some_and(|(st, _)| st == crate::domain::AccountStatus::Active)
    {
        recipients.push((s, "reply"));
    }
    let mut told: Vec<UserId> = Vec::new();
    for (to, kind) in recipients {
        if author.is(to) || told.contains(&to) {
            continue;
        }
        if let Some(named) = author.named()
            && super::blocks::is_blocked(c, to, named)?
        {
            continue;
        }
        add(c, to, kind, author.named(), thread, post)?;
        super::events::counts_changed(c, to)?;
        told.push(to);
    }
    Ok(told.len())
}

/// SQL: notification `n` is one its reader may see now: its named actor is not someone they
/// blocked, and its post and thread are ones they may see.
fn visible() -> String {
    format!(
        "n.user_id = :reader
         AND (n.actor_id IS NULL OR {})
         AND (n.post_id IS NULL OR EXISTS (SELECT 1 FROM posts p
              WHERE p.id = n.post_id AND {}))
         AND (n.thread_id IS NULL OR EXISTS (SELECT 1 FROM threads t
              WHERE t.id = n.thread_id AND {THREAD_VISIBLE}))",
        actor_visible("n.actor_id"),
        visibility::post_visible()
    )
}

/// The reader's notifications, newest first.
pub fn list(c: &Connection, reader: &Reader, limit: i64) -> Result<Vec<Notification>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT n.id, n.kind, ua.handle, n.thread_id, {}, n.post_id, p.anonymous,
                p.author_id, t.anon_salt, n.body, n.created_at, n.read_at IS NULL, {}
           FROM notifications n
           LEFT JOIN users ua ON ua.id = n.actor_id
           LEFT JOIN threads t ON t.id = n.thread_id
           LEFT JOIN posts p ON p.id = n.post_id
           LEFT JOIN threads tn ON tn.id = n.title_of
          WHERE {}
          ORDER BY n.id DESC LIMIT :limit",
        visibility::thread_title("t"),
        visibility::thread_title("tn"),
        visible()
    ))?;
    let params = reader.bind(&stmt, &[(":limit", &limit)])?;
    let rows = stmt.query_map(&*params, |r| {
        let anonymous: Option<bool> = r.get(6)?;
        let author: Option<UserId> = r.get(7)?;
        let salt: Option<Vec<u8>> = r.get(8)?;
        let handle: Option<String> = r.get(2)?;
        let (body, title): (Option<String>, Option<String>) = (r.get(9)?, r.get(12)?);
        // The pseudonym is made here; the anonymous author's id goes no further.
        let actor = match (anonymous, salt) {
            (Some(true), Some(salt)) => Some(visibility::shown_author(true, &salt, author, None)),
            _ => handle,
        };
        Ok(Notification {
            id: r.get(0)?,
            kind: r.get(1)?,
            actor,
            thread: r.get(3)?,
            thread_title: r.get(4)?,
            post: r.get(5)?,
            body: body.map(|b| with_title(&b, title)),
            at: r.get(10)?,
            unread: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Unread notifications the reader may see.
pub fn unread(c: &Connection, reader: &Reader) -> Result<i64> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT count(*) FROM notifications n WHERE {} AND n.read_at IS NULL",
        visible()
    ))?;
    let params = reader.bind(&stmt, &[])?;
    Ok(stmt.query_row(&*params, |r| r.get(0))?)
}

/// Marks all of the reader's notifications read.
pub fn mark_all_read(c: &Connection, reader: UserId) -> Result<usize> {
    Ok(c.prepare_cached(
        "UPDATE notifications SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL",
    )?
    .execute(params![reader, now()])?)
}

/// Where a moderator's notice names its thread: the stored body holds this mark, never the
/// title, and [`with_title`] puts the title in when the notice is read. A C0 control, which
/// the sanitiser removes from anything a member or moderator types, so no text can forge it.
pub const TITLE: &str = "\u{2}";

/// What a notice shows for a thread that is gone.
pub const TITLE_GONE: &str = "[removed]";

/// A stored notice body with its thread's title, as the reader sees it now, in place of
/// [`TITLE`] (or [`TITLE_GONE`] once the thread is gone).
fn with_title(body: &str, title: Option<String>) -> String {
    if !body.contains(TITLE) {
        return body.to_string();
    }
    let title = title.map_or_else(|| TITLE_GONE.to_string(), |t| crate::sanitize::line(&t));
    body.replace(TITLE, &title)
}

/// What a moderator did to a post or thread, told to its author (never who did it), whether
/// the author wrote it under their name or anonymously: the anonymous author's id never
/// leaves the store. `words` makes the message from the thread's title; it is given
/// [`TITLE`] and the notice keeps a reference to the thread, not a copy of its title (which
/// would outlive the thread's erasure, or its opening post's withdrawal). Nobody is told of
/// their own action, nor is an erased account. True if someone was told.
pub fn moderator_notice(
    c: &Connection,
    target: super::reports::Target,
    actor: UserId,
    words: impl FnOnce(&str) -> String,
) -> Result<bool> {
    use super::visibility::PostAuthor;
    use rusqlite::OptionalExtension;
    let (sql, id) = match target {
        super::reports::Target::Post(p) => (
            "SELECT p.author_id, p.anonymous, p.thread_id FROM posts p WHERE p.id = ?1",
            p.0,
        ),
        super::reports::Target::Thread(t) => (
            "SELECT author_id, anonymous, id FROM threads WHERE id = ?1",
            t.0,
        ),
        _ => return Ok(false),
    };
    let found = c
        .prepare_cached(sql)?
        .query_row([id], |r| {
            Ok((
                PostAuthor::from_row(r.get(0)?, r.get(1)?),
                r.get::<_, ThreadId>(2)?,
            ))
        })
        .optional()?;
    let Some((author, thread)) = found else {
        return Ok(false);
    };
    let Some(to) = author.id().filter(|_| !author.is(actor)) else {
        return Ok(false);
    };
    c.prepare_cached(
        "INSERT INTO notifications (user_id, kind, body, title_of, created_at)
         VALUES (?1, 'moderator', ?2, ?3, ?4)",
    )?
    .execute(params![to, words(TITLE), thread, now()])?;
    super::events::counts_changed(c, to)?;
    Ok(true)
}

/// The reader's unread system messages (a moderator's notice, a report's outcome), oldest
/// first, with their titles as the reader sees them; marks them read.
pub fn take_notices(c: &Connection, reader: &Reader) -> Result<Vec<String>> {
    let texts: Vec<String> = {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT n.body, {} FROM notifications n
               LEFT JOIN threads tn ON tn.id = n.title_of
              WHERE n.user_id = :reader AND n.read_at IS NULL AND n.body IS NOT NULL
              ORDER BY n.id",
            visibility::thread_title("tn")
        ))?;
        let params = reader.bind(&stmt, &[])?;
        stmt.query_map(&*params, |r| {
            Ok(with_title(&r.get::<_, String>(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    c.prepare_cached(
        "UPDATE notifications SET read_at = ?2
          WHERE user_id = ?1 AND read_at IS NULL AND body IS NOT NULL",
    )?
    .execute(params![reader.id, now()])?;
    Ok(texts)
}

/// Deletes the reader's own notifications `ids` (dismissed); returns how many went.
pub fn dismiss(c: &Connection, reader: UserId, ids: &[i64]) -> Result<usize> {
    let mut stmt = c.prepare_cached("DELETE FROM notifications WHERE user_id = ?1 AND id = ?2")?;
    let mut n = 0;
    for id in ids {
        n += stmt.execute(params![reader, id])?;
    }
    Ok(n)
}

/// The handles mentioned in a text (`@name`), in order, without repeats, at most
/// [`MENTIONS_MAX`]. Handle characters are those sign-up allows.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        // An '@' inside a word (an email address) is not a mention.
        let before = rest[..at].chars().next_back();
        let after = &rest[at + 1..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        let name = name.trim_end_matches(['.', '-']).to_string();
        rest = &after[name.len().min(after.len())..];
        if before.is_some_and(|c| c.is_alphanumeric()) || name.is_empty() {
            continue;
        }
        if !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
        if out.len() == MENTIONS_MAX {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_once_each_and_email_addresses_are_not_mentions() {
        assert_eq!(
            mentions("thanks @river_stone and @Moss. also @river_stone, mail me@example.org"),
            ["river_stone", "Moss"]
        );
        assert_eq!(mentions("@ alone and @@double"), ["double"]);
        let many: String = (0..20).map(|i| format!("@m{i} ")).collect();
        assert_eq!(mentions(&many).len(), MENTIONS_MAX);
    }
}
