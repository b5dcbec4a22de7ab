//! Reading: the board list, a board's threads, a thread's page, as this reader may see them.

use super::*;

/// Posts per page in a thread.
pub const POSTS_PER_PAGE: i64 = 20;

impl Service {
    /// The boards `reader` may read (the welcome board only, while awaiting approval), each
    /// with whether the policy lets them start a thread there.
    pub fn boards(&self, reader: &User) -> Result<Vec<Board>> {
        self.try_flush_read_marks(reader.id);
        let mut list = self.store.read(|c| boards::list(c, &Reader::of(reader)))?;
        for b in &mut list {
            b.start_refused = self.offer(reader, Action::StartThread(b));
        }
        Ok(list)
    }

    /// A board `reader` may read, for deciding what they may do there (its counts are zero:
    /// counting is for the screens that show them, [`Service::board`]).
    pub(super) fn board_settings(&self, reader: &User, board: BoardId) -> Result<Board> {
        let mut b = self
            .store
            .read(|c| boards::settings(c, &Reader::of(reader), board))?
            .ok_or(ServiceError::NotFound("board"))?;
        self.can(reader, Action::ReadBoard(&b))?;
        b.start_refused = self.offer(reader, Action::StartThread(&b));
        Ok(b)
    }

    /// A board, if `reader` may read it.
    pub fn board(&self, reader: &User, board: BoardId) -> Result<Board> {
        let mut b = self
            .store
            .read(|c| boards::by_id(c, &Reader::of(reader), board))?
            .ok_or(ServiceError::NotFound("board"))?;
        self.can(reader, Action::ReadBoard(&b))?;
        b.start_refused = self.offer(reader, Action::StartThread(&b));
        Ok(b)
    }

    /// One page of a board's threads and the board's thread count.
    pub fn threads(
        &self,
        reader: &User,
        board: BoardId,
        offset: i64,
        limit: i64,
    ) -> Result<(Board, Vec<ThreadSummary>)> {
        let b = self.board(reader, board)?;
        self.try_flush_read_marks(reader.id);
        let list = self.store.read(|c| {
            posts::threads_page(
                c,
                &Reader::of(reader),
                board,
                offset.max(0),
                limit.clamp(1, 200),
            )
        })?;
        Ok((b, list))
    }

    /// A page of a thread, as the reader may see it; moderators also get hidden posts. A pure
    /// read: the read mark it moves is queued and written in a batch (see `read_marks`).
    pub fn thread(&self, reader: &User, thread: ThreadId, offset: i64) -> Result<ThreadPage> {
        let staff = reader.is_staff();
        let mut page = self
            .store
            .read(|c| {
                posts::thread_page(
                    c,
                    &Reader::of(reader),
                    thread,
                    offset.max(0),
                    POSTS_PER_PAGE,
                )
            })?
            .ok_or(ServiceError::NotFound("thread"))?;
        let board = self.board_settings(reader, page.board_id)?;
        let state = policy::ThreadState {
            locked: page.locked,
        };
        page.reply_refused = self.offer(reader, Action::Reply(&board, state));
        page.edit_refused = self.offer(reader, Action::EditOwnPost(&board, state));
        // Posts with a word the reader muted arrive collapsed, like a content warning.
        let muted = self.store.read(|c| users::muted_words(c, reader.id))?;
        if !muted.is_empty() {
            let (first, title) = (page.posts_first_id(), page.title.clone());
            for post in &mut page.posts {
                let cw = post.content_warning.as_deref().unwrap_or_default();
                post.muted = muted.iter().any(|w| {
                    crate::domain::contains_word(&post.body, w)
                        || crate::domain::contains_word(cw, w)
                        || (post.id == first && crate::domain::contains_word(&title, w))
                });
            }
        }
        if staff {
            let ids: Vec<PostId> = page
                .posts
                .iter()
                .filter(|p| p.anonymous)
                .map(|p| p.id)
                .collect();
            if !ids.is_empty() {
                for (id, handle) in self
                    .store
                    .read(|c| store::unmask::unmasked_authors(c, &ids))?
                {
                    if let Some(p) = page.posts.iter_mut().find(|p| p.id == id) {
                        p.unmasked = Some(handle);
                    }
                }
            }
        }
        if let Some(last) = page.posts.last().map(|p| p.id)
            && page.read_mark.is_none_or(|m| m < last)
        {
            self.read_marks.queue(reader.id, thread, last);
        }
        Ok(page)
    }

    /// Where to open `thread` for the reader: the page of their first unread post; once they
    /// have read it all, its last page (where anything new will come); the first page of a
    /// thread they never opened. Counted over the posts their page holds (a moderator's
    /// holds hidden ones too), so it is the page `thread` shows the post on.
    pub fn unread_page(&self, reader: &User, thread: ThreadId) -> Result<i64> {
        self.try_flush_read_marks(reader.id);
        let (at, unread) = self
            .store
            .read(|c| store::unread::place_in_thread(c, &Reader::of(reader), thread))?
            .ok_or(ServiceError::NotFound("thread"))?;
        let index = if unread { at } else { (at - 1).max(0) };
        Ok(index - index % POSTS_PER_PAGE)
    }

    /// The next thread with posts the reader has not read, other than `current`.
    pub fn next_unread(
        &self,
        reader: &User,
        current: Option<ThreadId>,
    ) -> Result<Option<ThreadId>> {
        // The marks of threads just read must count, or the walk would come back to them.
        self.try_flush_read_marks(reader.id);
        Ok(self
            .store
            .read(|c| store::unread::next_thread(c, &Reader::of(reader), current))?)
    }

    /// Marks a board (or every board) read for the reader; says what was done.
    pub fn mark_read(&self, reader: &User, board: Option<BoardId>) -> Result<String> {
        let reader = self.current(reader)?;
        if let Some(b) = board {
            self.board_settings(&reader, b)?;
        }
        self.flush_read_marks_of(reader.id)?;
        let n = self.write(|c| {
            let n = store::unread::mark_all_read(c, &Reader::of(&reader), board)?;
            events::counts_changed(c, reader.id)?;
            Ok(n)
        })?;
        let threads = if n == 1 { "thread" } else { "threads" };
        Ok(match (board, n) {
            (_, 0) => "Nothing was unread.".to_string(),
            (Some(_), n) => format!("Marked {n} {threads} on this board read."),
            (None, n) => format!("Marked {n} {threads} read, on every board."),
        })
    }

    /// The offset of the page that holds `post`, if the reader may see it.
    pub fn page_of(&self, reader: &User, post: PostId) -> Result<Option<(ThreadId, i64)>> {
        Ok(self
            .store
            .read(|c| posts::post_position(c, &Reader::of(reader), post))?
            .map(|(t, i)| (t, i - i % POSTS_PER_PAGE)))
    }
}
