//! Account deletion (DESIGN.md §8): the handle becomes "[deleted]"; keys, recovery codes,
//! private messages, blocks, muted words, drafts, read marks, notifications, the safety plan
//! and the second factor are erased; posts are erased or kept without a name, as the member
//! chooses. No copy of erased words is left elsewhere: notices name a thread by reference,
//! and the few written before that (migration 7) lose the titles of the erased threads. With
//! `secure_delete` and FTS5 secure-delete on, and the WAL checkpointed and truncated
//! afterwards, erased text is gone from every file of the data dir.

use rusqlite::{Connection, params};

use super::Result;
use crate::domain::{PostId, UserId};

/// What "[deleted]" handles are stored as (unique per account, never a real handle).
fn tombstone(user: UserId) -> String {
    format!("\u{0}deleted-{user}")
}

/// Erases an account. `erase_posts`: delete their posts (threads others replied to stay,
/// titled "[removed]"); otherwise keep them with no author.
pub fn delete_account(c: &Connection, user: UserId, erase_posts: bool) -> Result<()> {
    if erase_posts {
        let threads: Vec<i64> = {
            let mut stmt =
                c.prepare("SELECT DISTINCT thread_id FROM posts WHERE author_id = ?1")?;
            stmt.query_map([user], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let posts: Vec<PostId> = {
            let mut stmt = c.prepare("SELECT id FROM posts WHERE author_id = ?1")?;
            stmt.query_map([user], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        forget_titles_in_old_notices(c, user)?;
        super::posts::unindex(c, &posts)?;
        c.execute("DELETE FROM notifications WHERE post_id IN (SELECT id FROM posts WHERE author_id = ?1)", [user])?;
        c.execute("DELETE FROM posts WHERE author_id = ?1", [user])?;
        // Their threads: gone if nothing is left, otherwise kept for the replies, untitled.
        for t in threads {
            let left: i64 = c.query_row(
                "SELECT count(*) FROM posts WHERE thread_id = ?1",
                [t],
                |r| r.get(0),
            )?;
            if left == 0 {
                c.execute("DELETE FROM read_marks WHERE thread_id = ?1", [t])?;
                c.execute("DELETE FROM drafts WHERE thread_id = ?1", [t])?;
                c.execute("DELETE FROM notifications WHERE thread_id = ?1", [t])?;
                c.execute("DELETE FROM threads WHERE id = ?1", [t])?;
            } else {
                c.execute(
                    "UPDATE threads SET post_count = ?2,
                            last_post_id = (SELECT max(id) FROM posts WHERE thread_id = ?1),
                            last_post_at = (SELECT max(created_at) FROM posts WHERE thread_id = ?1)
                      WHERE id = ?1",
                    params![t, left],
                )?;
            }
        }
        c.execute(
            "UPDATE threads SET title = '[removed]', author_id = NULL WHERE author_id = ?1",
            [user],
        )?;
    } else {
        // Named posts lose their author. Anonymous ones keep pointing at the tombstone (which
        // holds nothing of the member): their pseudonym is made from it, and a pseudonym that
        // changed at the moment an account went would tie those posts to that account.
        c.execute(
            "UPDATE posts SET author_id = NULL WHERE author_id = ?1 AND anonymous = 0",
            [user],
        )?;
        c.execute(
            "UPDATE threads SET author_id = NULL WHERE author_id = ?1 AND anonymous = 0",
            [user],
        )?;
    }
    c.execute(
        "DELETE FROM post_revisions WHERE editor_id = ?1 AND post_id NOT IN (SELECT id FROM posts)",
        [user],
    )?;
    // Private messages: whole conversations go (messages cascade).
    c.execute(
        "DELETE FROM conversations WHERE user_a = ?1 OR user_b = ?1",
        [user],
    )?;
    for table in [
        "user_keys",
        "recovery_codes",
        "drafts",
        "read_marks",
        "muted_words",
        "notifications",
        "reactions",
    ] {
        c.execute(&format!("DELETE FROM {table} WHERE user_id = ?1"), [user])?;
    }
    c.execute("DELETE FROM notifications WHERE actor_id = ?1", [user])?;
    c.execute(
        "DELETE FROM blocks WHERE blocker_id = ?1 OR blocked_id = ?1",
        [user],
    )?;
    // The pseudonyms this member hid go; hides of their own pseudonym by others stay with it.
    c.execute("DELETE FROM anon_hides WHERE user_id = ?1", [user])?;
    let t = tombstone(user);
    c.execute(
        "UPDATE users SET handle = '[deleted]', handle_norm = ?2, handle_skeleton = ?2,
                status = 'deleted', role = 'member', totp_secret = NULL, totp_last_step = NULL,
                safety_plan = NULL, silenced_until = NULL, banned_until = NULL,
                presence_visible = 0, last_seen_at = NULL, time_zone = NULL
          WHERE id = ?1",
        params![user, t],
    )?;
    Ok(())
}

/// Notices written before migration 7 hold a copy of their thread's title (newer ones name
/// the thread by reference, `notifications::moderator_notice`): the titles of the threads
/// `user` started leave them, as "[removed]". Matched by the quoted title, so a notice about
/// another thread of the same title loses it too, which errs the safe way.
fn forget_titles_in_old_notices(c: &Connection, user: UserId) -> Result<()> {
    let titles: Vec<String> = {
        let mut stmt = c.prepare("SELECT DISTINCT title FROM threads WHERE author_id = ?1")?;
        stmt.query_map([user], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let gone = format!("\u{201c}{}\u{201d}", super::notifications::TITLE_GONE);
    let mut stmt = c.prepare(
        "UPDATE notifications SET body = replace(body, ?1, ?2)
          WHERE title_of IS NULL AND body IS NOT NULL AND instr(body, ?1) > 0",
    )?;
    for title in titles {
        let quoted = format!("\u{201c}{}\u{201d}", crate::sanitize::line(&title));
        stmt.execute(params![quoted, gone])?;
    }
    Ok(())
}

/// Moves everything from the WAL into the database and truncates the WAL file, so erased
/// pages do not linger there. Run outside any transaction.
pub fn checkpoint(c: &Connection) -> Result<()> {
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}
