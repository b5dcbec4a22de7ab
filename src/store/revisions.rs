//! Editing posts: the text and content warning change, the old ones are kept as revisions
//! (DESIGN.md §7), and the full-text index follows the new text.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::events;
use super::visibility::PostAuthor;
use crate::clock::now;
use crate::domain::{BoardId, PostId, ThreadId, UserId};

/// A post as an editor needs it: where it is, who wrote it, what it says now.
#[derive(Debug, Clone)]
pub struct Editable {
    pub board: BoardId,
    pub thread: ThreadId,
    pub author: PostAuthor,
    pub body: String,
    pub content_warning: Option<String>,
    pub locked: bool,
    /// Visible or hidden (not held, not deleted).
    pub editable: bool,
}

pub fn editable(c: &Connection, post: PostId) -> Result<Option<Editable>> {
    Ok(c.prepare_cached(
        "SELECT t.board_id, t.id, p.author_id, p.anonymous, p.body, p.content_warning,
                    t.locked, p.status IN ('visible', 'hidden')
               FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = ?1",
    )?
    .query_row([post], |r| {
        Ok(Editable {
            board: r.get(0)?,
            thread: r.get(1)?,
            author: PostAuthor::from_row(r.get(2)?, r.get(3)?),
            body: r.get(4)?,
            content_warning: r.get(5)?,
            locked: r.get(6)?,
            editable: r.get(7)?,
        })
    })
    .optional()?)
}

/// Replaces a post's text and content warning, keeping what it said before as a revision, and
/// tells open sessions. The caller has checked the editor's rights.
pub fn edit(
    c: &Connection,
    post: PostId,
    editor: UserId,
    body: &str,
    content_warning: Option<&str>,
    reason: Option<&str>,
) -> Result<Option<(BoardId, ThreadId)>> {
    let Some(old) = editable(c, post)? else {
        return Ok(None);
    };
    // The index row goes with the old text, and comes back with the new.
    super::posts::unindex(c, [&post])?;
    c.prepare_cached(
        "INSERT INTO post_revisions (post_id, editor_id, body, content_warning, reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        post,
        editor,
        old.body,
        old.content_warning,
        reason,
        now()
    ])?;
    c.prepare_cached(
        "UPDATE posts SET body = ?2, content_warning = ?3, edited_at = ?4 WHERE id = ?1",
    )?
    .execute(params![post, body, content_warning, now()])?;
    // Indexed again under what it was indexed under before.
    let title: String = c
        .prepare_cached("SELECT fts_title FROM posts WHERE id = ?1")?
        .query_row([post], |r| r.get(0))?;
    c.prepare_cached("INSERT INTO posts_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
        .execute(params![post, title, body])?;
    events::thread_changed(c, old.board, old.thread)?;
    Ok(Some((old.board, old.thread)))
}

/// One earlier version of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub id: i64,
    /// When it was replaced.
    pub at: i64,
    /// The post's author made the change (otherwise a moderator did).
    pub by_author: bool,
    /// The moderator's handle, when a moderator made the change.
    pub moderator: Option<String>,
    pub reason: Option<String>,
    /// The text and content warning before the change.
    pub body: String,
    pub content_warning: Option<String>,
}

/// A post's earlier versions, newest first.
pub fn list(c: &Connection, post: PostId) -> Result<Vec<Revision>> {
    let mut stmt = c.prepare_cached(
        "SELECT r.created_at, r.editor_id IS p.author_id, u.handle, r.reason, r.body,
                r.content_warning, r.id
           FROM post_revisions r JOIN posts p ON p.id = r.post_id
           LEFT JOIN users u ON u.id = r.editor_id
          WHERE r.post_id = ?1 ORDER BY r.id DESC",
    )?;
    let rows = stmt.query_map([post], |r| {
        let by_author: bool = r.get(1)?;
        let handle: Option<String> = r.get(2)?;
        Ok(Revision {
            id: r.get(6)?,
            at: r.get(0)?,
            by_author,
            moderator: if by_author { None } else { handle },
            reason: r.get(3)?,
            body: r.get(4)?,
            content_warning: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Erases one earlier version of a post for good (with `secure_delete` on, its text leaves
/// the file); returns the post it belonged to.
pub fn erase(c: &Connection, revision: i64) -> Result<Option<PostId>> {
    let post: Option<PostId> = c
        .prepare_cached("SELECT post_id FROM post_revisions WHERE id = ?1")?
        .query_row([revision], |r| r.get(0))
        .optional()?;
    c.prepare_cached("DELETE FROM post_revisions WHERE id = ?1")?
        .execute([revision])?;
    Ok(post)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::posts::{NewPost, create_thread};
    use crate::store::test_support::{store, user};

    #[test]
    fn an_edit_keeps_the_old_text_as_a_revision_and_the_index_follows_the_new() {
        let store = store();
        store
            .write(|c| {
                let a = user(c, "ash");
                c.execute(
                    "INSERT INTO boards (slug, name, created_at) VALUES ('b', 'B', 0)",
                    [],
                )?;
                let board = BoardId(c.last_insert_rowid());
                let (_, post) = create_thread(
                    c,
                    board,
                    "Title",
                    &NewPost {
                        author: a,
                        body: "my phone is 555",
                        content_warning: None,
                        anonymous: false,
                        held: false,
                    },
                )?;
                edit(c, post, a, "my phone is private", Some("tw"), None)?;
                let hits = |word: &str| -> Result<i64> {
                    Ok(c.query_row(
                        "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?1",
                        [word],
                        |r| r.get(0),
                    )?)
                };
                assert_eq!(hits("555")?, 0, "the old text left the index");
                assert_eq!(hits("private")?, 1);
                assert_eq!(hits("Title")?, 1, "the thread's title stays indexed");
                let list = list(c, post)?;
                assert_eq!(list.len(), 1);
                assert_eq!(list[0].body, "my phone is 555");
                assert!(list[0].by_author && list[0].moderator.is_none());
                let now = editable(c, post)?.expect("post");
                assert_eq!(now.content_warning.as_deref(), Some("tw"));
                assert_eq!(erase(c, list[0].id)?, Some(post));
                assert!(super::list(c, post)?.is_empty(), "the old text is gone");
                Ok(())
            })
            .expect("store");
    }
}
