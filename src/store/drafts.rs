//! Drafts: what a member was writing, kept per place so it survives a failed post, a
//! disconnect and a restart.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::clock::now;
use crate::domain::{Draft, DraftPlace, UserId};

pub fn load(c: &Connection, user: UserId, place: DraftPlace) -> Result<Option<Draft>> {
    Ok(c.prepare_cached(
        "SELECT title, body, content_warning, anonymous FROM drafts
         WHERE user_id = ?1 AND board_id = ?2 AND IFNULL(thread_id, 0) = ?3",
    )?
    .query_row(
        params![user, place.board(), place.thread().map_or(0, |t| t.0)],
        |r| {
            Ok(Draft {
                title: r.get(0)?,
                body: r.get(1)?,
                content_warning: r.get(2)?,
                anonymous: r.get(3)?,
            })
        },
    )
    .optional()?)
}

/// Saves the draft, or deletes it when it is empty.
pub fn save(c: &Connection, user: UserId, place: DraftPlace, draft: &Draft) -> Result<()> {
    if draft.is_empty() {
        return delete(c, user, place);
    }
    c.prepare_cached(
        "INSERT INTO drafts (user_id, board_id, thread_id, title, body, content_warning,
                             anonymous, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (user_id, board_id, IFNULL(thread_id, 0)) DO UPDATE SET
            title = excluded.title, body = excluded.body,
            content_warning = excluded.content_warning, anonymous = excluded.anonymous,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        user,
        place.board(),
        place.thread(),
        draft.title,
        draft.body,
        draft.content_warning,
        draft.anonymous,
        now()
    ])?;
    Ok(())
}

pub fn delete(c: &Connection, user: UserId, place: DraftPlace) -> Result<()> {
    c.prepare_cached(
        "DELETE FROM drafts WHERE user_id = ?1 AND board_id = ?2 AND IFNULL(thread_id, 0) = ?3",
    )?
    .execute(params![
        user,
        place.board(),
        place.thread().map_or(0, |t| t.0)
    ])?;
    Ok(())
}
