//! Boards: seeding from `bbs.toml` and the board list with per-reader unread counts.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, now};
use crate::config::BoardSeed;
use crate::domain::{Board, BoardId, UserId};

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
        welcome: r.get(8)?,
    })
}

/// The board columns with per-reader counts: threads they can see, and threads with posts they
/// can see and have not read (a blocked member's posts never count as new).
fn board_select() -> String {
    use super::posts::{POST_VISIBLE, THREAD_VISIBLE};
    format!(
        "SELECT b.id, b.slug, b.name, b.description, b.read_only, b.allow_anonymous,
                (SELECT count(*) FROM threads t WHERE t.board_id = b.id AND {THREAD_VISIBLE}),
                (SELECT count(*) FROM threads t
                   LEFT JOIN read_marks m ON m.thread_id = t.id AND m.user_id = ?1
                  WHERE t.board_id = b.id AND {THREAD_VISIBLE}
                    AND EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND {POST_VISIBLE}
                                  AND p.id > IFNULL(m.last_read_post_id, 0))),
                b.is_welcome
           FROM boards b"
    )
}

/// The boards in their order, with counts for `reader`; only welcome boards if `welcome_only`.
pub fn list(c: &Connection, reader: UserId, welcome_only: bool) -> Result<Vec<Board>> {
    let mut stmt = c.prepare_cached(&format!(
        "{} WHERE b.archived = 0 AND (?2 = 0 OR b.is_welcome = 1)
          ORDER BY b.position, b.id",
        board_select()
    ))?;
    let rows = stmt.query_map(params![reader, welcome_only], board_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn by_id(c: &Connection, reader: UserId, id: BoardId) -> Result<Option<Board>> {
    Ok(
        c.prepare_cached(&format!("{} WHERE b.id = ?2", board_select()))?
            .query_row(params![reader, id], board_from_row)
            .optional()?,
    )
}
