//! Boards: seeding from `bbs.toml` and the board list with per-reader unread counts.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::visibility::{self, BOARD_READABLE, POST_SHOWN, Reader, THREAD_VISIBLE};
use crate::clock::now;
use crate::config::BoardSeed;
use crate::domain::{Board, BoardId};

/// Creates the configured boards when the database has none (first start).
pub fn seed(c: &Connection, seeds: &[BoardSeed]) -> Result<usize> {
    let existing: i64 = c.query_row("SELECT count(*) FROM boards", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(0);
    }
    let mut stmt = c.prepare_cached(
        "INSERT INTO boards (slug, name, description, position, read_only, allow_anonymous,
                             is_welcome, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, b) in seeds.iter().enumerate() {
        stmt.execute(params![
            b.slug,
            b.name,
            b.description,
            i as i64,
            b.read_only,
            b.anonymous,
            b.welcome,
            now()
        ])?;
    }
    Ok(seeds.len())
}

fn board_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Board> {
    Ok(Board {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        read_only: r.get(4)?,
        allow_anonymous: r.get(5)?,
        thread_count: r.get(6)?,
        unread_threads: r.get(7)?,
        start_refused: None,
        welcome: r.get(8)?,
        min_trust: r.get(9)?,
        archived: r.get(10)?,
    })
}

/// The board columns with per-reader counts: threads they can see, and threads with posts they
/// can see and have not read (a blocked member's posts never count as new). For a plain reader
/// ([`visibility::is_plain`]) the counts come from the kept aggregates, less the threads whose
/// newest visible post they have read, so the board list costs the boards and the reader's
/// own read marks, not every thread.
fn board_select(plain: bool) -> String {
    if plain {
        return "SELECT b.id, b.slug, b.name, b.description, b.read_only, b.allow_anonymous,
                b.shown_threads, b.live_threads - IFNULL(r.n, 0),
                b.is_welcome, b.min_trust_level, b.archived
           FROM boards b
           LEFT JOIN (SELECT t.board_id AS board_id, count(*) AS n
                        FROM read_marks m JOIN threads t ON t.id = m.thread_id
                       WHERE m.user_id = :reader AND t.hidden = 0
                         AND m.last_read_post_id >= t.last_visible_id
                       GROUP BY t.board_id) r ON r.board_id = b.id"
            .to_string();
    }
    format!(
        "SELECT b.id, b.slug, b.name, b.description, b.read_only, b.allow_anonymous,
                (SELECT count(*) FROM threads t WHERE t.board_id = b.id AND {THREAD_VISIBLE}),
                (SELECT count(*) FROM threads t
                   LEFT JOIN read_marks m ON m.thread_id = t.id AND m.user_id = :reader
                  WHERE t.board_id = b.id AND {THREAD_VISIBLE}
                    AND EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND {POST_SHOWN}
                                  AND p.id > IFNULL(m.last_read_post_id, 0))),
                b.is_welcome, b.min_trust_level, b.archived
           FROM boards b"
    )
}

/// The boards the reader may read, in their order, with their counts.
pub fn list(c: &Connection, reader: &Reader) -> Result<Vec<Board>> {
    list_with(c, reader, visibility::is_plain(c, reader)?)
}

/// [`list`], counted from the kept aggregates (`plain`) or for the reader.
pub(super) fn list_with(c: &Connection, reader: &Reader, plain: bool) -> Result<Vec<Board>> {
    let mut stmt = c.prepare_cached(&format!(
        "{} WHERE {BOARD_READABLE} ORDER BY b.position, b.id",
        board_select(plain)
    ))?;
    let params = reader.bind(&stmt, &[])?;
    let rows = stmt.query_map(&*params, board_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A board, with the reader's counts, if the reader may read it.
pub fn by_id(c: &Connection, reader: &Reader, id: BoardId) -> Result<Option<Board>> {
    let plain = visibility::is_plain(c, reader)?;
    let mut stmt = c.prepare_cached(&format!(
        "{} WHERE b.id = :board AND {BOARD_READABLE}",
        board_select(plain)
    ))?;
    let params = reader.bind(&stmt, &[(":board", &id)])?;
    Ok(stmt.query_row(&*params, board_from_row).optional()?)
}

/// A board the reader may read, for a decision about it (may they read it, start a thread,
/// reply): its settings only. Its counts are not computed and are zero, so it is never shown.
pub fn settings(c: &Connection, reader: &Reader, id: BoardId) -> Result<Option<Board>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT b.id, b.slug, b.name, b.description, b.read_only, b.allow_anonymous, 0, 0,
                b.is_welcome, b.min_trust_level, b.archived
           FROM boards b WHERE b.id = :board AND {BOARD_READABLE}"
    ))?;
    let params = reader.bind(&stmt, &[(":board", &id)])?;
    Ok(stmt.query_row(&*params, board_from_row).optional()?)
}

/// A board with its settings, for the sysop's board management and `bbs admin boards list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub slug: String,
    pub name: String,
    pub position: i64,
    pub read_only: bool,
    pub anonymous: bool,
    /// Open to new accounts (trust level 0).
    pub welcome: bool,
    pub min_trust: i64,
    pub archived: bool,
}

pub fn all(c: &Connection) -> Result<Vec<BoardRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT slug, name, position, read_only, allow_anonymous, is_welcome, min_trust_level, archived
           FROM boards ORDER BY archived, position, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(BoardRow {
            slug: r.get(0)?,
            name: r.get(1)?,
            position: r.get(2)?,
            read_only: r.get(3)?,
            anonymous: r.get(4)?,
            welcome: r.get(5)?,
            min_trust: r.get(6)?,
            archived: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The id of the board with this slug.
/// A board's name, whoever may read it (for what a member is told about their own thread).
pub fn name_of(c: &Connection, id: BoardId) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT name FROM boards WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

pub fn by_slug(c: &Connection, slug: &str) -> Result<Option<BoardId>> {
    Ok(c.prepare_cached("SELECT id FROM boards WHERE slug = ?1")?
        .query_row([slug], |r| r.get(0))
        .optional()?)
}

pub fn create(c: &Connection, b: &BoardSeed) -> Result<BoardId> {
    let position: i64 = c.query_row(
        "SELECT IFNULL(max(position), -1) + 1 FROM boards",
        [],
        |r| r.get(0),
    )?;
    c.prepare_cached(
        "INSERT INTO boards (slug, name, description, position, read_only, allow_anonymous,
                             is_welcome, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        b.slug,
        b.name,
        b.description,
        position,
        b.read_only,
        b.anonymous,
        b.welcome,
        now()
    ])?;
    Ok(BoardId(c.last_insert_rowid()))
}

/// Changes one column of a board (the column name is chosen by the caller, never by input).
pub fn set(
    c: &Connection,
    board: BoardId,
    column: BoardColumn,
    value: &dyn rusqlite::ToSql,
) -> Result<()> {
    let column = match column {
        BoardColumn::Name => "name",
        BoardColumn::Description => "description",
        BoardColumn::Position => "position",
        BoardColumn::ReadOnly => "read_only",
        BoardColumn::Anonymous => "allow_anonymous",
        BoardColumn::Welcome => "is_welcome",
        BoardColumn::MinTrust => "min_trust_level",
        BoardColumn::Archived => "archived",
    };
    c.prepare_cached(&format!("UPDATE boards SET {column} = ?2 WHERE id = ?1"))?
        .execute(params![board, value])?;
    Ok(())
}

/// The board settings a sysop can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardColumn {
    Name,
    Description,
    Position,
    ReadOnly,
    Anonymous,
    Welcome,
    MinTrust,
    Archived,
}

/// Moves a board to `position` in the list (0 is first), renumbering the others.
pub fn move_to(c: &Connection, board: BoardId, position: i64) -> Result<()> {
    let mut ids: Vec<BoardId> = {
        let mut stmt = c.prepare_cached("SELECT id FROM boards ORDER BY position, id")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    ids.retain(|&id| id != board);
    let at = (position.max(0) as usize).min(ids.len());
    ids.insert(at, board);
    let mut stmt = c.prepare_cached("UPDATE boards SET position = ?2 WHERE id = ?1")?;
    for (i, id) in ids.iter().enumerate() {
        stmt.execute(params![id, i as i64])?;
    }
    Ok(())
}
