//! Search (DESIGN.md §4): SQLite FTS5 over titles and posts, only over what the reader may see
//! (the same visibility rules as reading), and author search over named posts only: an
//! anonymous post never matches a search by author.

use rusqlite::Connection;

use super::Result;
use super::visibility::{self, NAMED_BY, POST_SHOWN, Reader, THREAD_VISIBLE, shown_author};
use crate::domain::{BoardId, PostId, ThreadId, UserId};

/// Most results returned.
pub const RESULTS_MAX: i64 = 50;

/// The newest matches a word search ranks, best first; older ones are not looked at.
pub const CANDIDATES: i64 = 500;

/// One result as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub post: PostId,
    pub thread: ThreadId,
    pub thread_title: String,
    pub board_name: String,
    /// Handle or pseudonym.
    pub author: String,
    pub mine: bool,
    pub body: String,
    pub content_warning: Option<String>,
    pub at: i64,
    /// Has a word the reader muted (set by the service).
    pub muted: bool,
}

/// What narrows a search besides its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Posts written under their name by this member.
    pub author: Option<UserId>,
    pub board: Option<BoardId>,
    /// Posts written at or after this time, and before this one.
    pub since: Option<i64>,
    pub before: Option<i64>,
}

/// A page (from `offset`) of the posts matching `query` (an FTS5 query whose every word is
/// quoted, `Query::fts` in the service) and `filters`, that `reader` may see. Words alone rank
/// the newest [`CANDIDATES`] matches, best first; with a board or a date, or without words,
/// the newest come first (FTS5 walks its doclist newest first, so a page stops early).
pub fn search(
    c: &Connection,
    reader: &Reader,
    query: Option<&str>,
    filters: &Filters,
    offset: i64,
) -> Result<Vec<Hit>> {
    let narrowed = filters.board.is_some() || filters.since.is_some() || filters.before.is_some();
    let (from, order) = match query {
        Some(_) if !narrowed => (
            "posts_fts f JOIN posts p ON p.id = f.rowid",
            "f.rank, p.id DESC",
        ),
        Some(_) => ("posts_fts f JOIN posts p ON p.id = f.rowid", "p.id DESC"),
        None => ("posts p", "p.id DESC"),
    };
    // A word in half the posts must not cost half the index: ranking looks only at the
    // newest CANDIDATES matches (FTS5 walks its doclist newest first and stops), so any
    // query costs about the same at a million posts as at ten thousand.
    let matching = match query {
        Some(_) if !narrowed => {
            "posts_fts MATCH :query
             AND f.rowid >= IFNULL((SELECT min(rowid) FROM (SELECT rowid FROM posts_fts
                                      WHERE posts_fts MATCH :query
                                      ORDER BY rowid DESC LIMIT :candidates)), 0)"
        }
        Some(_) => "posts_fts MATCH :query",
        None => ":query IS NULL",
    };
    let mut stmt = c.prepare_cached(&format!(
        "SELECT p.id, p.thread_id, {title}, b.name, p.anonymous, p.author_id, u.handle,
                t.anon_salt, p.body, p.content_warning, p.created_at
           FROM {from}
           JOIN threads t ON t.id = p.thread_id
           JOIN boards b ON b.id = t.board_id
           LEFT JOIN users u ON u.id = p.author_id
          WHERE {matching} AND {POST_SHOWN} AND {THREAD_VISIBLE}
            AND (:author IS NULL OR {NAMED_BY})
            AND (:board IS NULL OR t.board_id = :board)
            AND (:since IS NULL OR p.created_at >= :since)
            AND (:before IS NULL OR p.created_at < :before)
          ORDER BY {order} LIMIT :limit OFFSET :offset",
        title = visibility::thread_title("t")
    ))?;
    let params = reader.bind(
        &stmt,
        &[
            (":query", &query),
            (":author", &filters.author),
            (":board", &filters.board),
            (":since", &filters.since),
            (":before", &filters.before),
            (":limit", &RESULTS_MAX),
            (":offset", &offset),
            (":candidates", &CANDIDATES),
        ],
    )?;
    let rows = stmt.query_map(&*params, |r| {
        let author_id: Option<UserId> = r.get(5)?;
        Ok(Hit {
            post: r.get(0)?,
            thread: r.get(1)?,
            thread_title: r.get(2)?,
            board_name: r.get(3)?,
            author: shown_author(r.get(4)?, &r.get::<_, Vec<u8>>(7)?, author_id, r.get(6)?),
            mine: author_id == Some(reader.id),
            body: r.get(8)?,
            content_warning: r.get(9)?,
            at: r.get(10)?,
            muted: false,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
