//! Threads and posts: the paged thread list, paged thread pages, new threads, replies, read
//! marks and the full-text index.
//!
//! What a reader may see comes from `visibility`; rows become domain values here, where an
//! anonymous post's author id stays: readers get the thread's pseudonym, and only the author
//! gets `mine = true`.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::events::{self, EventKind};
use super::visibility::{
    self, PLAIN_POST_SHOWN, PLAIN_THREAD_VISIBLE, POST_SHOWN, Reader, THREAD_VISIBLE,
    actor_visible, shown_author,
};
use crate::clock::now;
use crate::domain::{BoardId, Post, PostId, ThreadId, ThreadPage, ThreadSummary, UserId};

/// How many posts were written in each of the `hours` hours before `now`, the oldest hour
/// first: every post, whatever became of it since (a count, for the sysop's dashboard). Ids
/// grow with time, so it walks back from the newest post and reads only those hours' rows.
pub fn per_hour(c: &Connection, now: i64, hours: usize) -> Result<Vec<u64>> {
    let since = now - hours as i64 * 3600;
    let mut counts = vec![0u64; hours];
    let mut stmt = c.prepare_cached("SELECT created_at FROM posts ORDER BY id DESC")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let at: i64 = row.get(0)?;
        if at < since {
            break;
        }
        // A post stamped a moment ahead (the clock stepped back) counts in this hour.
        let ago = usize::try_from((now - at).max(0) / 3600).unwrap_or(usize::MAX);
        if let Some(slot) = hours.checked_sub(ago + 1) {
            counts[slot] += 1;
        }
    }
    Ok(counts)
}

/// True when `author` started `thread` under their name.
pub fn thread_started_by(c: &Connection, thread: ThreadId, author: UserId) -> Result<bool> {
    Ok(c.prepare_cached(&format!(
        "SELECT 1 FROM threads t WHERE t.id = :thread AND {}",
        visibility::THREAD_NAMED_BY
    ))?
    .exists(rusqlite::named_params! {":thread": thread, ":author": author})?)
}

/// One page of a board's threads: pinned first, then by last activity.
pub fn threads_page(
    c: &Connection,
    reader: &Reader,
    board: BoardId,
    offset: i64,
    limit: i64,
) -> Result<Vec<ThreadSummary>> {
    if visibility::is_plain(c, reader)? {
        threads_page_plain(c, reader, board, offset, limit)
    } else {
        threads_page_exact(c, reader, board, offset, limit)
    }
}

/// [`threads_page`] for a plain reader: the kept aggregates, through the board's ordered
/// index, so a page costs its twenty rows however large the board is.
pub(super) fn threads_page_plain(
    c: &Connection,
    reader: &Reader,
    board: BoardId,
    offset: i64,
    limit: i64,
) -> Result<Vec<ThreadSummary>> {
    let stmt = c.prepare_cached(&format!(
        "SELECT t.id, t.board_id, {title}, t.anonymous, t.anon_salt, t.author_id, u.handle,
                t.visible_posts, t.pinned, t.locked, IFNULL(lp.created_at, t.created_at),
                (SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND {PLAIN_POST_SHOWN}
                    AND p.id > IFNULL(m.last_read_post_id, 0)),
                lp.anonymous, lp.author_id, lu.handle
           FROM threads t
           LEFT JOIN users u ON u.id = t.author_id
           LEFT JOIN read_marks m ON m.thread_id = t.id AND m.user_id = :reader
           LEFT JOIN posts lp ON lp.id = t.last_visible_id
           LEFT JOIN users lu ON lu.id = lp.author_id
          WHERE t.board_id = :board AND {PLAIN_THREAD_VISIBLE}
          ORDER BY t.pinned DESC, t.last_visible_id DESC, t.id DESC
          LIMIT :limit OFFSET :offset",
        title = visibility::thread_title("t")
    ))?;
    summaries(stmt, reader, board, offset, limit)
}

/// [`threads_page`] for a reader with blocks or hidden pseudonyms: counted for them.
pub(super) fn threads_page_exact(
    c: &Connection,
    reader: &Reader,
    board: BoardId,
    offset: i64,
    limit: i64,
) -> Result<Vec<ThreadSummary>> {
    let stmt = c.prepare_cached(&format!(
        "SELECT t.id, t.board_id, {title}, t.anonymous, t.anon_salt, t.author_id, u.handle,
                (SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND {POST_SHOWN}),
                t.pinned, t.locked, IFNULL(lp.created_at, t.created_at),
                (SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND {POST_SHOWN}
                    AND p.id > IFNULL(m.last_read_post_id, 0)),
                lp.anonymous, lp.author_id, lu.handle
           FROM threads t
           LEFT JOIN users u ON u.id = t.author_id
           LEFT JOIN read_marks m ON m.thread_id = t.id AND m.user_id = :reader
           -- The newest post this reader can see: its author is the \"last poster\", and it
           -- orders the list, so a blocked member's reply neither shows nor moves a thread up.
           LEFT JOIN posts lp ON lp.id =
                (SELECT max(p.id) FROM posts p WHERE p.thread_id = t.id AND {POST_SHOWN})
           LEFT JOIN users lu ON lu.id = lp.author_id
          WHERE t.board_id = :board AND {THREAD_VISIBLE}
          ORDER BY t.pinned DESC, lp.id DESC, t.id DESC
          LIMIT :limit OFFSET :offset",
        title = visibility::thread_title("t")
    ))?;
    summaries(stmt, reader, board, offset, limit)
}

/// Runs a thread-list statement of either kind (the same columns, in the same order).
fn summaries(
    mut stmt: rusqlite::CachedStatement<'_>,
    reader: &Reader,
    board: BoardId,
    offset: i64,
    limit: i64,
) -> Result<Vec<ThreadSummary>> {
    let params = reader.bind(
        &stmt,
        &[(":board", &board), (":limit", &limit), (":offset", &offset)],
    )?;
    let rows = stmt.query_map(&*params, |r| {
        let anonymous: bool = r.get(3)?;
        let salt: Vec<u8> = r.get(4)?;
        let author: Option<UserId> = r.get(5)?;
        let last_anonymous: Option<bool> = r.get(12)?;
        let last_author: Option<UserId> = r.get(13)?;
        Ok(ThreadSummary {
            id: r.get(0)?,
            board_id: r.get(1)?,
            title: r.get(2)?,
            author: shown_author(anonymous, &salt, author, r.get(6)?),
            post_count: r.get(7)?,
            pinned: r.get(8)?,
            locked: r.get(9)?,
            last_post_at: r.get(10)?,
            unread: r.get(11)?,
            last_poster: last_anonymous
                .map(|a| shown_author(a, &salt, last_author, r.get(14).ok().flatten())),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A thread's header and the page of its visible posts starting at `offset`. Moderators
/// also get hidden and withdrawn posts, marked, so they can restore them
/// ([`visibility::post_on_page`]). A pure read: the reader's read mark comes back in the
/// page, and moving it is the caller's separate write.
pub fn thread_page(
    c: &Connection,
    reader: &Reader,
    thread: ThreadId,
    offset: i64,
    limit: i64,
) -> Result<Option<ThreadPage>> {
    let shown = visibility::post_on_page();
    let mut head = c.prepare_cached(&format!(
        "SELECT t.board_id, b.name, {title}, t.locked, t.anon_salt,
                (SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND {shown}), t.pinned,
                b.allow_anonymous,
                (SELECT m.last_read_post_id FROM read_marks m
                  WHERE m.user_id = :reader AND m.thread_id = t.id)
           FROM threads t JOIN boards b ON b.id = t.board_id
          WHERE t.id = :thread AND {THREAD_VISIBLE}",
        title = visibility::thread_title("t")
    ))?;
    let params = reader.bind(&head, &[(":thread", &thread)])?;
    let head = head
        .query_row(&*params, |r| {
            Ok((
                r.get::<_, BoardId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, Option<PostId>>(8)?,
            ))
        })
        .optional()?;
    let Some((
        board_id,
        board_name,
        title,
        locked,
        salt,
        post_count,
        pinned,
        anonymous_allowed,
        read_mark,
    )) = head
    else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(&format!(
        "SELECT p.id, p.author_id, u.handle, p.anonymous, p.body, p.content_warning,
                p.created_at, p.edited_at IS NOT NULL, p.status IN ('hidden', 'deleted'),
                p.status = 'deleted',
                EXISTS (SELECT 1 FROM reactions r WHERE r.post_id = p.id AND r.user_id = :reader),
                (SELECT count(*) FROM reactions r WHERE r.post_id = p.id
                    AND {})
           FROM posts p LEFT JOIN users u ON u.id = p.author_id
          WHERE p.thread_id = :thread AND {shown}
          ORDER BY p.id LIMIT :limit OFFSET :offset",
        actor_visible("r.user_id")
    ))?;
    let params = reader.bind(
        &stmt,
        &[
            (":thread", &thread),
            (":limit", &limit),
            (":offset", &offset),
        ],
    )?;
    let mut posts = stmt
        .query_map(&*params, |r| {
            let author: Option<UserId> = r.get(1)?;
            let anonymous: bool = r.get(3)?;
            let mine = author == Some(reader.id);
            Ok(Post {
                id: r.get(0)?,
                thread_id: thread,
                author: shown_author(anonymous, &salt, author, r.get(2)?),
                anonymous,
                mine,
                body: String::new(),
                source: r.get(4)?,
                content_warning: r.get(5)?,
                created_at: r.get(6)?,
                edited: r.get(7)?,
                muted: false,
                hidden: r.get(8)?,
                withdrawn: r.get(9)?,
                unmasked: None,
                supported: r.get(10)?,
                // Support is no public score: only the author learns how much they got.
                support: if mine { r.get(11)? } else { 0 },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Quotes are expanded for this reader; what a quote shows depends on nothing else.
    for post in &mut posts {
        post.body = super::quotes::expand(c, reader, &post.source)?;
    }
    Ok(Some(ThreadPage {
        id: thread,
        board_id,
        board_name,
        anonymous_allowed,
        title,
        locked,
        pinned,
        post_count,
        offset,
        read_mark,
        reply_refused: None,
        edit_refused: None,
        posts,
    }))
}

/// The thread a post the reader may see belongs to, and the post's index on their page of
/// that thread (a moderator's page holds hidden and withdrawn posts too). None when they may
/// not see it.
pub fn post_position(
    c: &Connection,
    reader: &Reader,
    post: PostId,
) -> Result<Option<(ThreadId, i64)>> {
    let Some(place) = visibility::can_see_post(c, reader, post)? else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(&format!(
        "SELECT count(*) FROM posts p WHERE p.thread_id = :thread AND {}
            AND p.id < :post",
        visibility::post_on_page()
    ))?;
    let params = reader.bind(&stmt, &[(":thread", &place.thread), (":post", &post)])?;
    let index: i64 = stmt.query_row(&*params, |r| r.get(0))?;
    Ok(Some((place.thread, index)))
}

/// What a new post needs. Text must already be validated and sanitised.
pub struct NewPost<'a> {
    pub author: UserId,
    pub body: &'a str,
    pub content_warning: Option<&'a str>,
    pub anonymous: bool,
    /// Held for a moderator's approval (a watched word): stored, shown to nobody yet.
    pub held: bool,
}

fn insert_post(
    c: &Connection,
    thread: ThreadId,
    title: &str,
    post: &NewPost<'_>,
) -> Result<PostId> {
    let at = now();
    c.prepare_cached(
        "INSERT INTO posts (thread_id, author_id, anonymous, body, content_warning, created_at,
                            status, fts_title)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        thread,
        post.author,
        post.anonymous,
        post.body,
        post.content_warning,
        at,
        if post.held { "pending" } else { "visible" },
        title
    ])?;
    let id = PostId(c.last_insert_rowid());
    c.prepare_cached("INSERT INTO posts_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
        .execute(params![id, title, post.body])?;
    c.prepare_cached(
        "UPDATE threads SET last_post_at = ?2, last_post_id = ?3, post_count = post_count + 1
          WHERE id = ?1",
    )?
    .execute(params![thread, at, id])?;
    mark_read(c, post.author, thread, id)?;
    Ok(id)
}

/// Starts a thread with its first post.
pub fn create_thread(
    c: &Connection,
    board: BoardId,
    title: &str,
    post: &NewPost<'_>,
) -> Result<(ThreadId, PostId)> {
    let salt: [u8; 16] = rand::random();
    let at = now();
    c.prepare_cached(
        "INSERT INTO threads (board_id, author_id, anonymous, title, created_at, last_post_at,
                              anon_salt, hidden)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
    )?
    .execute(params![
        board,
        post.author,
        post.anonymous,
        title,
        at,
        &salt[..],
        post.held
    ])?;
    let thread = ThreadId(c.last_insert_rowid());
    let id = insert_post(c, thread, title, post)?;
    let actor = (!post.anonymous).then_some(post.author);
    events::append(
        c,
        EventKind::NewThread,
        Some(board),
        Some(thread),
        Some(id),
        actor,
    )?;
    Ok((thread, id))
}

/// The board a thread is on and whether it is locked; None when it is gone or hidden.
pub fn thread_state(c: &Connection, thread: ThreadId) -> Result<Option<(BoardId, bool)>> {
    Ok(
        c.prepare_cached("SELECT board_id, locked FROM threads WHERE id = ?1 AND hidden = 0")?
            .query_row([thread], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    )
}

/// Adds a reply to a thread. Whether the author may reply (a lock, a silence, the board) is
/// the policy's to say, and the caller has asked it in this transaction.
pub fn reply(c: &Connection, thread: ThreadId, post: &NewPost<'_>) -> Result<PostId> {
    let board: BoardId = c
        .prepare_cached("SELECT board_id FROM threads WHERE id = ?1")?
        .query_row([thread], |r| r.get(0))?;
    let id = insert_post(c, thread, "", post)?;
    let actor = (!post.anonymous).then_some(post.author);
    events::append(
        c,
        EventKind::NewPost,
        Some(board),
        Some(thread),
        Some(id),
        actor,
    )?;
    Ok(id)
}

/// Removes posts from the full-text index, securely (their terms leave the index). Each row is
/// removed with the exact text it was indexed with (`fts_title`: the thread's title as it was
/// for a thread's first post), which a contentless index needs to stay whole.
pub fn unindex<'a>(c: &Connection, posts: impl IntoIterator<Item = &'a PostId>) -> Result<()> {
    let mut row = c.prepare_cached("SELECT p.body, p.fts_title FROM posts p WHERE p.id = ?1")?;
    let mut delete = c.prepare_cached(
        "INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', ?1, ?2, ?3)",
    )?;
    for id in posts {
        let found = row
            .query_row([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        if let Some((body, title)) = found {
            delete.execute(params![id, title, body])?;
        }
    }
    Ok(())
}

/// Records that `user` has read `thread` up to `post` (never moves backwards).
pub fn mark_read(c: &Connection, user: UserId, thread: ThreadId, post: PostId) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO read_marks (user_id, thread_id, last_read_post_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, thread_id) DO UPDATE
            SET last_read_post_id = max(last_read_post_id, excluded.last_read_post_id)",
    )?
    .execute(params![user, thread, post])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::boards;
    use crate::store::test_support::{member, store};

    fn reader(id: UserId) -> Reader {
        Reader {
            id,
            welcome_only: false,
            staff: false,
        }
    }

    #[test]
    fn threads_list_pinned_first_then_by_activity_with_unread_counts() {
        let store = store();
        store
            .write(|c| boards::seed(c, &Config::default().boards))
            .expect("seed");
        let a = member(&store, "alice");
        let b = member(&store, "bob");
        let board = BoardId(1);
        let post = |author, body: &'static str| NewPost {
            author,
            body,
            content_warning: None,
            anonymous: false,
            held: false,
        };
        let (t1, _) = store
            .write(|c| create_thread(c, board, "first", &post(a, "one")))
            .expect("t1");
        let (t2, _) = store
            .write(|c| create_thread(c, board, "second", &post(a, "two")))
            .expect("t2");
        // A reply bumps t1 above t2.
        store
            .write(|c| reply(c, t1, &post(b, "hi")))
            .expect("reply");
        let list = store
            .read(|c| threads_page(c, &reader(b), board, 0, 10))
            .expect("list");
        assert_eq!(list.iter().map(|t| t.id).collect::<Vec<_>>(), vec![t1, t2]);
        // Replying marks the thread read for Bob; the other thread is new to him.
        assert_eq!(list[0].unread, 0);
        assert_eq!(list[1].unread, 1);
        let boards = store.read(|c| boards::list(c, &reader(b))).expect("boards");
        assert_eq!(boards[0].unread_threads, 1);
        // Alice has not read Bob's reply.
        let list = store
            .read(|c| threads_page(c, &reader(a), board, 0, 10))
            .expect("list");
        assert_eq!(list[0].unread, 1);
        assert_eq!(boards[0].thread_count, 2);
    }

    #[test]
    fn an_anonymous_author_is_shown_only_as_a_pseudonym() {
        let store = store();
        store
            .write(|c| boards::seed(c, &Config::default().boards))
            .expect("seed");
        let a = member(&store, "alice");
        let b = member(&store, "bob");
        let anon = NewPost {
            author: a,
            body: "hard day",
            content_warning: None,
            anonymous: true,
            held: false,
        };
        let (t, _) = store
            .write(|c| create_thread(c, BoardId(2), "anon", &anon))
            .expect("t");
        let page = store
            .read(|c| thread_page(c, &reader(b), t, 0, 10))
            .expect("page")
            .expect("thread");
        assert!(page.posts[0].author.starts_with("anon-"));
        assert!(!page.posts[0].mine);
        let own = store
            .read(|c| thread_page(c, &reader(a), t, 0, 10))
            .expect("page")
            .expect("thread");
        assert!(own.posts[0].mine);
        let list = store
            .read(|c| threads_page(c, &reader(b), BoardId(2), 0, 10))
            .expect("list");
        assert_eq!(list[0].author, page.posts[0].author);
        let ev = store.read(|c| events::since(c, 0)).expect("events");
        assert_eq!(ev[0].user, None, "anonymous events carry no author");
    }
}

/// The board and thread a post is in, whatever its status (what a change to it tells).
fn place_of(c: &Connection, post: PostId) -> Result<Option<(BoardId, ThreadId)>> {
    Ok(c.prepare_cached(
        "SELECT t.board_id, t.id FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = ?1",
    )?
    .query_row([post], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()?)
}

/// Moderation: sets a post's status (visible or hidden).
pub fn set_post_hidden(
    c: &Connection,
    post: PostId,
    hidden: bool,
) -> Result<Option<(BoardId, ThreadId)>> {
    let n = c
        .prepare_cached(
            "UPDATE posts SET status = ?2 WHERE id = ?1 AND status IN ('visible', 'hidden')",
        )?
        .execute(params![post, if hidden { "hidden" } else { "visible" }])?;
    if n == 0 {
        return Ok(None);
    }
    place_of(c, post)
}

/// An author withdraws their own post: it is gone for members (as a hidden post is) and kept
/// for moderators, marked. Only a post others can see: one a moderator hid or holds for
/// approval stays with the moderators (its queue entry and restore depend on its status).
/// Returns its board and thread, or None if it was not theirs or is not out.
pub fn withdraw(
    c: &Connection,
    post: PostId,
    author: UserId,
) -> Result<Option<(BoardId, ThreadId)>> {
    let n = c
        .prepare_cached(
            "UPDATE posts SET status = 'deleted'
              WHERE id = ?1 AND author_id = ?2 AND status = 'visible'",
        )?
        .execute(params![post, author])?;
    if n == 0 {
        return Ok(None);
    }
    place_of(c, post)
}

/// Moderation: locks/unlocks or pins/unpins a thread; returns its board.
pub fn set_thread_flag(
    c: &Connection,
    thread: ThreadId,
    flag: ThreadFlag,
    on: bool,
) -> Result<Option<BoardId>> {
    let column = match flag {
        ThreadFlag::Locked => "locked",
        ThreadFlag::Pinned => "pinned",
    };
    c.prepare_cached(&format!("UPDATE threads SET {column} = ?2 WHERE id = ?1"))?
        .execute(params![thread, on])?;
    Ok(
        c.prepare_cached("SELECT board_id FROM threads WHERE id = ?1")?
            .query_row([thread], |r| r.get(0))
            .optional()?,
    )
}

/// The thread flags moderators switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadFlag {
    Locked,
    Pinned,
}

/// Moderation of a held post: approve (visible, and its thread if it opened one) or reject.
pub fn decide_held(
    c: &Connection,
    post: PostId,
    approve: bool,
) -> Result<Option<(BoardId, ThreadId)>> {
    let n = c
        .prepare_cached("UPDATE posts SET status = ?2 WHERE id = ?1 AND status = 'pending'")?
        .execute(params![post, if approve { "visible" } else { "hidden" }])?;
    if n == 0 {
        return Ok(None);
    }
    let place = place_of(c, post)?;
    if approve && let Some((_, thread)) = place {
        c.prepare_cached("UPDATE threads SET hidden = 0 WHERE id = ?1 AND hidden = 1")?
            .execute([thread])?;
    }
    Ok(place)
}

/// Moderation: moves a thread to another board; returns the board it was on.
pub fn move_thread(c: &Connection, thread: ThreadId, to: BoardId) -> Result<Option<BoardId>> {
    let from: Option<BoardId> = c
        .prepare_cached("SELECT board_id FROM threads WHERE id = ?1")?
        .query_row([thread], |r| r.get(0))
        .optional()?;
    if from.is_some() {
        c.prepare_cached("UPDATE threads SET board_id = ?2 WHERE id = ?1")?
            .execute(params![thread, to])?;
        c.prepare_cached("UPDATE drafts SET board_id = ?2 WHERE thread_id = ?1")?
            .execute(params![thread, to])?;
    }
    Ok(from)
}

/// Gives or takes back `user`'s support (♥) for a post; returns whether it is given now.
pub fn toggle_support(c: &Connection, user: UserId, post: PostId) -> Result<bool> {
    let removed = c
        .prepare_cached("DELETE FROM reactions WHERE post_id = ?1 AND user_id = ?2")?
        .execute(params![post, user])?;
    if removed > 0 {
        return Ok(false);
    }
    c.prepare_cached("INSERT INTO reactions (post_id, user_id, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![post, user, now()])?;
    Ok(true)
}
