//! The unread flow (DESIGN.md §4): where a member's unread posts begin in a thread, the next
//! thread with posts they have not read, and marking a board or everything read. Counted as
//! the unread counts are, over the posts the reader may see: a blocked member's post is never
//! new, and an anonymous post counts like any other.

use rusqlite::Connection;

use super::Result;
use super::visibility::{self, BOARD_READABLE, POST_SHOWN, Reader, THREAD_VISIBLE};
use crate::domain::{BoardId, ThreadId};

/// The reader's place in `thread`, counted over the posts on their page of it
/// ([`visibility::post_on_page`]: a moderator's holds hidden and withdrawn posts too): the
/// index of the first post they may see and have not read, or, when none is unread, how many
/// posts their page holds; and whether any is unread. None if they may not see the thread.
pub fn place_in_thread(
    c: &Connection,
    reader: &Reader,
    thread: ThreadId,
) -> Result<Option<(i64, bool)>> {
    let on_page = visibility::post_on_page();
    // What is new is what the unread counts count (a hidden post is never new); where it is
    // on the page is counted over what the page shows.
    let mut stmt = c.prepare_cached(&format!(
        "SELECT (SELECT count(*) FROM posts p WHERE p.thread_id = :thread AND {on_page}
                    AND (x.first IS NULL OR p.id < x.first)),
                x.first IS NOT NULL
           FROM (SELECT (SELECT min(p.id) FROM posts p WHERE p.thread_id = t.id
                           AND {POST_SHOWN} AND p.id > IFNULL(m.last_read_post_id, 0)) AS first
                   FROM threads t
                   LEFT JOIN read_marks m ON m.thread_id = t.id AND m.user_id = :reader
                  WHERE t.id = :thread AND {THREAD_VISIBLE}) x"
    ))?;
    let params = reader.bind(&stmt, &[(":thread", &thread)])?;
    use rusqlite::OptionalExtension;
    Ok(stmt
        .query_row(&*params, |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The first thread, other than `current`, with a post the reader may see and has not read:
/// boards in their order, and within a board in the order its list shows them to this reader
/// (`posts::threads_page`: pinned first, then by the newest post *they* may see, so a blocked
/// member's reply moves no thread up the walk, as it moves none up the list).
pub fn next_thread(
    c: &Connection,
    reader: &Reader,
    current: Option<ThreadId>,
) -> Result<Option<ThreadId>> {
    // A plain reader's newest visible post is the kept `last_visible_id`; anyone else's is
    // counted for them, as their list counts it.
    let newest = if visibility::is_plain(c, reader)? {
        "t.last_visible_id".to_string()
    } else {
        format!("(SELECT max(p.id) FROM posts p WHERE p.thread_id = t.id AND {POST_SHOWN})")
    };
    // `last_visible_id` (the newest visible post, kept by triggers) rules out every read
    // thread cheaply; the exact check then counts only posts this reader may see.
    let mut stmt = c.prepare_cached(&format!(
        "SELECT t.id FROM threads t
           JOIN boards b ON b.id = t.board_id
           LEFT JOIN read_marks m ON m.thread_id = t.id AND m.user_id = :reader
          WHERE {BOARD_READABLE} AND {THREAD_VISIBLE} AND t.id != :current
            AND t.last_visible_id > IFNULL(m.last_read_post_id, 0)
            AND EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND {POST_SHOWN}
                          AND p.id > IFNULL(m.last_read_post_id, 0))
          ORDER BY b.position, b.id, t.pinned DESC, {newest} DESC, t.id DESC
          LIMIT 1"
    ))?;
    let current = current.map_or(0, |t| t.0);
    let params = reader.bind(&stmt, &[(":current", &current)])?;
    use rusqlite::OptionalExtension;
    Ok(stmt.query_row(&*params, |r| r.get(0)).optional()?)
}

/// Marks every thread of `board` (or of every board the reader may read) that has something
/// unread for the reader read, up to its newest post: only threads they may see, counted as
/// the lists count them. Returns how many.
pub fn mark_all_read(c: &Connection, reader: &Reader, board: Option<BoardId>) -> Result<usize> {
    let board = board.map_or(0, |b| b.0);
    let mut stmt = c.prepare_cached(&format!(
        "INSERT INTO read_marks (user_id, thread_id, last_read_post_id)
         SELECT :reader, t.id, t.last_visible_id FROM threads t
           JOIN boards b ON b.id = t.board_id
           LEFT JOIN read_marks m ON m.thread_id = t.id AND m.user_id = :reader
          WHERE {BOARD_READABLE} AND {THREAD_VISIBLE} AND (:board = 0 OR t.board_id = :board)
            AND t.last_visible_id > IFNULL(m.last_read_post_id, 0)
            AND EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND {POST_SHOWN}
                          AND p.id > IFNULL(m.last_read_post_id, 0))
         ON CONFLICT (user_id, thread_id) DO UPDATE
            SET last_read_post_id = max(last_read_post_id, excluded.last_read_post_id)"
    ))?;
    let params = reader.bind(&stmt, &[(":board", &board)])?;
    Ok(stmt.execute(&*params)?)
}
