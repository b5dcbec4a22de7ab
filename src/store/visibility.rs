//! The reader's view: the one place that decides what a member may see (DESIGN.md §5, §6;
//! docs/ARCHITECTURE.md, "Where privacy rules live").
//!
//! Every reader-facing query — thread pages, thread lists and their counts, the last poster,
//! board counts, search, notifications, quotes, support counts, reports, page lookups, who's
//! online, the inbox — takes its visibility from the SQL fragments here, and nothing outside
//! this file writes its own block or anonymity clause. The fragments use the named parameters
//! `:reader` (the member's id), `:welcome_only` (an account still waiting for approval reads
//! the welcome board only) and `:staff` (a moderator's thread page keeps what was hidden or
//! withdrawn, and a moderator sees such a thread's title, marked); [`Reader::bind`] binds them.
//!
//! The rules, in one place:
//! - A **board** is readable when it is not archived and, for a waiting account, is the
//!   welcome board.
//! - A **thread** is visible when it is not hidden, is on a readable board, and was not started
//!   under their name by a member the reader blocked.
//! - A **post** is visible when it is out (not hidden, held or deleted), its thread is visible,
//!   it is not a named post by a member the reader blocked, and it is not from a pseudonym the
//!   reader hid in that thread. A block never acts on an anonymous post: blocking members one
//!   by one must not tell anyone who wrote it.
//! - A thread's **title** is its opening post's words as much as that post's text: while the
//!   opening post is withdrawn by its author or hidden by a moderator, members (its author
//!   too) see a neutral title instead, everywhere a title shows, and its words match no search
//!   (they are indexed with that post only); moderators see the title, marked. [`thread_title`].
//! - A **quote** shows when the reader may see the quoted post, and only then: what it shows
//!   depends on the quoted post and the reader, never on who wrote the quoting post (which may
//!   be anonymous) nor on blocks between the quoter and the quoted.
//! - An **actor** (who sent support, a notification's named actor, a member in who's online)
//!   counts for the reader unless the reader blocked them. Being blocked changes nothing that
//!   the blocked member, or anyone else, can observe.
//! - A **message** shows to its sender, and to its recipient unless it was withheld (sent
//!   while the recipient blocked the sender); a conversation with someone the reader blocked
//!   is absent from their inbox.
//!
//! How an author is shown — handle, per-thread pseudonym, or "[deleted]" — is [`shown_author`].
//! The author of an anonymous post never leaves the store as a plain id: it is a
//! [`PostAuthor::Masked`], which only the store operations that need it (unmask, hide this
//! pseudonym, warn by post, notification delivery) can open.

use rusqlite::{Connection, OptionalExtension, Statement, ToSql};
use sha2::{Digest, Sha256};

use super::Result;
use crate::domain::{AccountStatus, BoardId, PostId, ThreadId, User, UserId};

/// Who is reading, as the fragments need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub id: UserId,
    /// Waiting for approval: the welcome board only.
    pub welcome_only: bool,
    /// A moderator or sysop: their thread page also holds the posts hidden or withdrawn
    /// ([`post_on_page`]).
    pub staff: bool,
}

impl Reader {
    pub fn of(user: &User) -> Reader {
        Reader {
            id: user.id,
            welcome_only: user.status == AccountStatus::Pending,
            staff: user.is_staff(),
        }
    }

    /// The named parameters `stmt` takes, from the reader's own and `extra`: a statement
    /// binds only the names it uses (a fragment may need some of them or all).
    pub fn bind<'a>(
        &'a self,
        stmt: &Statement<'_>,
        extra: &[(&'static str, &'a dyn ToSql)],
    ) -> Result<Vec<(&'static str, &'a dyn ToSql)>> {
        let mut out: Vec<(&'static str, &'a dyn ToSql)> = Vec::with_capacity(extra.len() + 3);
        for (name, value) in [
            (":reader", &self.id as &dyn ToSql),
            (":welcome_only", &self.welcome_only as &dyn ToSql),
            (":staff", &self.staff as &dyn ToSql),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        {
            if stmt.parameter_index(name)?.is_some() {
                out.push((name, value));
            }
        }
        Ok(out)
    }
}

/// SQL: board `b` is readable.
pub const BOARD_READABLE: &str = "(b.archived = 0 AND (:welcome_only = 0 OR b.is_welcome = 1))";

/// SQL: thread `t` is visible to the reader (on a readable board).
pub const THREAD_VISIBLE: &str = "(t.hidden = 0
    AND NOT (t.anonymous = 0 AND EXISTS (SELECT 1 FROM blocks vbt
             WHERE vbt.blocker_id = :reader AND vbt.blocked_id = t.author_id))
    AND EXISTS (SELECT 1 FROM boards vb WHERE vb.id = t.board_id
             AND vb.archived = 0 AND (:welcome_only = 0 OR vb.is_welcome = 1)))";

/// SQL: post `p` is visible to the reader *within a thread already known visible* (the thread
/// lists and pages check [`THREAD_VISIBLE`] once for the thread, not once per post).
pub const POST_SHOWN: &str = "(p.status = 'visible'
    AND NOT (p.anonymous = 0 AND EXISTS (SELECT 1 FROM blocks vbp
             WHERE vbp.blocker_id = :reader AND vbp.blocked_id = p.author_id))
    AND NOT (p.anonymous = 1 AND EXISTS (SELECT 1 FROM anon_hides vah
             WHERE vah.user_id = :reader AND vah.thread_id = p.thread_id
               AND vah.author_id = p.author_id)))";

/// Whether the kept aggregates answer for this reader (migration 3): true when they blocked no
/// one and hid no pseudonym. Such a reader sees every thread that is not hidden on a board they
/// can read and every post that is out, so a thread's visible posts, its newest visible post and
/// a board's thread counts are the same for all of them, and are kept on the rows by triggers
/// instead of being counted per page view. Any other reader gets the exact fragments above.
pub fn is_plain(c: &Connection, reader: &Reader) -> Result<bool> {
    Ok(!c
        .prepare_cached(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?1)
                         OR EXISTS (SELECT 1 FROM anon_hides WHERE user_id = ?1)",
        )?
        .exists([reader.id])?)
}

/// SQL: thread `t` is visible to a plain reader ([`is_plain`]): [`THREAD_VISIBLE`] without
/// the block clause, which cannot match.
pub const PLAIN_THREAD_VISIBLE: &str = "(t.hidden = 0
    AND EXISTS (SELECT 1 FROM boards vb WHERE vb.id = t.board_id
             AND vb.archived = 0 AND (:welcome_only = 0 OR vb.is_welcome = 1)))";

/// SQL: post `p` is visible to a plain reader within a visible thread: [`POST_SHOWN`] without
/// the block and hidden-pseudonym clauses, which cannot match.
pub const PLAIN_POST_SHOWN: &str = "(p.status = 'visible')";

/// SQL: post `p` is on the reader's page of its thread (already known visible): a post they
/// may see, or, for a moderator (`:staff`), one hidden or withdrawn, which their page shows
/// marked so they can restore it. Every count of a position on that page (where a thread
/// opens, the page a post is on) counts these same posts, or it lands on the wrong page.
pub fn post_on_page() -> String {
    format!("({POST_SHOWN} OR (:staff = 1 AND p.status IN ('hidden', 'deleted')))")
}

/// The title members see for a thread whose opening post its author withdrew.
pub const TITLE_WITHDRAWN: &str = "(opening post withdrawn)";
/// The title members see for a thread whose opening post a moderator hid.
pub const TITLE_HIDDEN: &str = "(opening post hidden)";
/// Before the title a moderator sees of a thread whose opening post was withdrawn.
pub const MARK_WITHDRAWN: &str = "[withdrawn] ";
/// Before the title a moderator sees of a thread whose opening post is hidden.
pub const MARK_HIDDEN: &str = "[hidden] ";

/// SQL: the title of the thread aliased `t` as the reader sees it: its own while its opening
/// post is out; otherwise [`TITLE_WITHDRAWN`] or [`TITLE_HIDDEN`], or for a moderator
/// (`:staff`) the title after [`MARK_WITHDRAWN`] or [`MARK_HIDDEN`]. The opening post is the
/// thread's first post if it carries the title in the index (`fts_title`): a thread whose
/// starter's posts were erased keeps only replies, and its title "[removed]". One index seek.
pub fn thread_title(t: &str) -> String {
    thread_title_as(t, ":staff")
}

/// [`thread_title`] with `staff` an SQL truth value in place of `:staff` (a statement that
/// binds by position, such as a member's export, where it is `0`).
pub fn thread_title_as(t: &str, staff: &str) -> String {
    format!(
        "(CASE (SELECT CASE WHEN o.fts_title != '' THEN o.status END FROM posts o
                 WHERE o.thread_id = {t}.id ORDER BY o.id LIMIT 1)
            WHEN 'deleted' THEN CASE WHEN {staff} = 1 THEN '{MARK_WITHDRAWN}' || {t}.title
                                     ELSE '{TITLE_WITHDRAWN}' END
            WHEN 'hidden' THEN CASE WHEN {staff} = 1 THEN '{MARK_HIDDEN}' || {t}.title
                                    ELSE '{TITLE_HIDDEN}' END
            WHEN 'pending' THEN CASE WHEN {staff} = 1 THEN '{MARK_HIDDEN}' || {t}.title
                                     ELSE '{TITLE_HIDDEN}' END
            ELSE {t}.title END)"
    )
}

/// SQL: post `p` is visible to the reader, its thread and board included.
pub fn post_visible() -> String {
    format!(
        "({POST_SHOWN} AND EXISTS (SELECT 1 FROM threads t WHERE t.id = p.thread_id
                                    AND {THREAD_VISIBLE}))"
    )
}

/// SQL: the member in column `column` counts for the reader (the reader did not block them).
pub fn actor_visible(column: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM blocks vba WHERE vba.blocker_id = :reader
                      AND vba.blocked_id = {column})"
    )
}

/// SQL: message `m` shows to the reader: their own, or delivered to them.
pub const MESSAGE_VISIBLE: &str = "(m.sender_id = :reader OR m.withheld = 0)";

/// SQL: message `m` was delivered to the reader (sent by the other member, not withheld).
pub const MESSAGE_RECEIVED: &str = "(m.sender_id != :reader AND m.withheld = 0)";

/// SQL: post `p` was written under their name by the member `:author` (an anonymous post
/// never matches a search by author).
pub const NAMED_BY: &str = "(p.anonymous = 0 AND p.author_id = :author)";

/// SQL: thread `t` was started under their name by the member `:author`.
pub const THREAD_NAMED_BY: &str = "(t.anonymous = 0 AND t.author_id = :author)";

/// Where a post the reader may see is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub board: BoardId,
    pub thread: ThreadId,
}

/// The one check every path that acts on a single post makes (support, reports, quotes,
/// opening a post from search or a notification): may `reader` see `post`? None when not.
pub fn can_see_post(c: &Connection, reader: &Reader, post: PostId) -> Result<Option<Place>> {
    let sql = format!(
        "SELECT t.board_id, p.thread_id FROM posts p JOIN threads t ON t.id = p.thread_id
          WHERE p.id = :post AND {}",
        post_visible()
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let params = reader.bind(&stmt, &[(":post", &post)])?;
    Ok(stmt
        .query_row(&*params, |r| {
            Ok(Place {
                board: r.get(0)?,
                thread: r.get(1)?,
            })
        })
        .optional()?)
}

/// Shown for a post whose author deleted their account.
pub const DELETED_AUTHOR: &str = "[deleted]";

/// Who wrote a post, as the store hands it out. An anonymous author is masked: nothing outside
/// the store can read the id in it, so a screen, a search result or an export cannot leak it
/// even by mistake — it would not compile.
/// Not comparable: two masked authors must not be matched against each other outside the
/// store (that would link anonymous posts across threads).
#[derive(Clone)]
pub enum PostAuthor {
    Named(UserId),
    Masked(MaskedAuthor),
    /// The author's account is gone.
    Gone,
}

/// The author of an anonymous post. Opaque: compare it with a member ([`MaskedAuthor::is`]) to
/// know whether a post is that member's own; hand it back to the store operations that need
/// it. It prints as nothing.
#[derive(Clone)]
pub struct MaskedAuthor(UserId);

impl MaskedAuthor {
    /// True when `user` wrote the post (the author's own view).
    pub fn is(&self, user: UserId) -> bool {
        self.0 == user
    }

    /// The id, for the store's own operations only.
    pub(in crate::store) fn id(&self) -> UserId {
        self.0
    }
}

impl std::fmt::Debug for MaskedAuthor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MaskedAuthor(…)")
    }
}

impl std::fmt::Debug for PostAuthor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostAuthor::Named(id) => write!(f, "Named({id})"),
            PostAuthor::Masked(m) => m.fmt(f),
            PostAuthor::Gone => f.write_str("Gone"),
        }
    }
}

impl PostAuthor {
    /// From a post row's `author_id` and `anonymous` columns.
    pub(in crate::store) fn from_row(author: Option<UserId>, anonymous: bool) -> PostAuthor {
        match (author, anonymous) {
            (None, _) => PostAuthor::Gone,
            (Some(id), true) => PostAuthor::Masked(MaskedAuthor(id)),
            (Some(id), false) => PostAuthor::Named(id),
        }
    }

    /// True when `user` wrote the post, named or not.
    pub fn is(&self, user: UserId) -> bool {
        match self {
            PostAuthor::Named(id) => *id == user,
            PostAuthor::Masked(m) => m.is(user),
            PostAuthor::Gone => false,
        }
    }

    /// The author when the post is under their name.
    pub fn named(&self) -> Option<UserId> {
        match self {
            PostAuthor::Named(id) => Some(*id),
            PostAuthor::Masked(_) | PostAuthor::Gone => None,
        }
    }

    pub fn is_anonymous(&self) -> bool {
        matches!(self, PostAuthor::Masked(_))
    }

    pub fn is_gone(&self) -> bool {
        matches!(self, PostAuthor::Gone)
    }

    /// The id behind either form, for the store's own operations only.
    pub(in crate::store) fn id(&self) -> Option<UserId> {
        match self {
            PostAuthor::Named(id) => Some(*id),
            PostAuthor::Masked(m) => Some(m.id()),
            PostAuthor::Gone => None,
        }
    }
}

/// The pseudonym of an anonymous author in the thread with `salt`: stable within a thread,
/// unrelated across threads (the salt is random per thread and never leaves the database).
pub(in crate::store) fn pseudonym(salt: &[u8], author: Option<UserId>) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(author.map_or(0, |a| a.0).to_le_bytes());
    let d = h.finalize();
    format!("anon-{:02x}{:02x}", d[0], d[1])
}

/// How a post's author is shown to everyone: the handle of a named author, the thread's
/// pseudonym for an anonymous one, "[deleted]" for an account that is gone.
pub(in crate::store) fn shown_author(
    anonymous: bool,
    salt: &[u8],
    author: Option<UserId>,
    handle: Option<String>,
) -> String {
    if anonymous {
        pseudonym(salt, author)
    } else {
        handle.unwrap_or_else(|| DELETED_AUTHOR.to_string())
    }
}

/// The pseudonym a masked author has in a thread.
pub fn pseudonym_in(c: &Connection, thread: ThreadId, author: &MaskedAuthor) -> Result<String> {
    let salt: Vec<u8> = c
        .prepare_cached("SELECT anon_salt FROM threads WHERE id = ?1")?
        .query_row([thread], |r| r.get(0))?;
    Ok(pseudonym(&salt, Some(author.id())))
}
