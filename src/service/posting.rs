//! Posting: drafts kept across sessions, and a new thread or reply.

use super::*;

/// A post that was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub thread: ThreadId,
    pub post: PostId,
    /// Held for a moderator's approval (a watched word): nobody sees it yet.
    pub held: bool,
}

impl Service {
    pub fn load_draft(&self, user: &User, place: DraftPlace) -> Result<Option<Draft>> {
        Ok(self.store.read(|c| drafts::load(c, user.id, place))?)
    }

    pub fn save_draft(&self, user: &User, place: DraftPlace, draft: &Draft) -> Result<()> {
        Ok(self
            .store
            .write(|c| drafts::save(c, user.id, place, draft))?)
    }

    /// Posts a draft: a new thread or a reply, in one durable write with its notifications.
    /// On success the draft is deleted in the same transaction; when the post is refused it is
    /// saved, so nothing the member wrote is lost (when the database itself fails, the composer
    /// keeps the text on screen).
    pub fn post(&self, author: &User, place: DraftPlace, draft: &Draft) -> Result<Posted> {
        let posted = self.post_draft(author, place, draft);
        // A refused post's draft is saved; when the database itself failed (busy, full), saving
        // would fail the same way after as long a wait, and the composer keeps the text.
        if let Err(e) = &posted
            && !matches!(e, ServiceError::Store(_))
            && let Err(e) = self.save_draft(author, place, draft)
        {
            tracing::warn!(error = %e, "keeping the draft of a refused post failed");
        }
        posted
    }

    fn post_draft(&self, author: &User, place: DraftPlace, draft: &Draft) -> Result<Posted> {
        // Rights as they are now (a ban, silence or role change elsewhere applies at once).
        let author = &self.promote_if_due(self.current(author)?)?;
        // A reply goes to the board its thread is on now (it may have moved since the
        // composer opened).
        let board = match place {
            DraftPlace::NewThread(b) => b,
            DraftPlace::Reply(_, t) => {
                self.store
                    .read(|c| posts::thread_state(c, t))?
                    .ok_or(ServiceError::NotFound("thread"))?
                    .0
            }
        };
        let board = self.board_settings(author, board)?;
        let now = self.clock.now();
        // The policy answers before anything is checked against the text, so a refusal names
        // the real reason (a silence, a read-only board) rather than a rate limit.
        match place {
            DraftPlace::NewThread(_) => self.can(author, Action::StartThread(&board))?,
            DraftPlace::Reply(..) => self.can(
                author,
                Action::Reply(&board, policy::ThreadState::default()),
            )?,
        }
        if draft.anonymous {
            self.can(author, Action::PostAnonymously(&board))?;
        }
        let body = validate::body(&draft.body)?;
        self.check_pace(author, place, &body)?;
        // Watched words (bbs.toml): refused, held for approval, or posted and flagged.
        let config = self.config();
        let watched = &config.watched;
        let text = format!("{} {} {}", draft.title, draft.content_warning, body);
        if let Some(word) = crate::domain::watched_word(&text, &watched.block) {
            return Err(ServiceError::Watched(word.to_string()));
        }
        let held =
            !author.is_staff() && crate::domain::watched_word(&text, &watched.approve).is_some();
        let flagged = crate::domain::watched_word(&text, &watched.flag).map(str::to_string);
        let cw = crate::sanitize::line(&draft.content_warning)
            .trim()
            .to_string();
        let cw = (!cw.is_empty()).then_some(cw);
        let new = posts::NewPost {
            author: author.id,
            body: &body,
            content_warning: cw.as_deref(),
            anonymous: draft.anonymous,
            held,
        };
        // Everything a post writes is one transaction: the post, its draft gone, the reports
        // that hold or flag it, and (in a savepoint of their own) its notifications.
        let after = |c: &rusqlite::Connection, post: PostId| -> Result<()> {
            drafts::delete(c, author.id, place)?;
            if held {
                store::reports::system_report(c, post, "held for approval")?;
            } else if let Err(e) = super::notifications::notify_within(c, post, &body) {
                // The post is out: a failure to notify is logged, never a failed post.
                tracing::warn!(error = %e, "notifying about a post failed");
            }
            if let Some(word) = &flagged {
                store::reports::system_report(c, post, &format!("watched word: {word}"))?;
            }
            Ok(())
        };
        let (thread, post) = match place {
            DraftPlace::NewThread(b) => {
                let title = validate::title(&draft.title)?;
                self.write(|c| {
                    let ids = posts::create_thread(c, b, &title, &new)?;
                    after(c, ids.1)?;
                    Ok(ids)
                })?
            }
            DraftPlace::Reply(_, t) => {
                // The thread's state is read in the same transaction that writes the reply, so
                // a lock made a moment ago applies, by the same policy the screen asked.
                let id = self.write(|c| {
                    let Some((_, locked)) = posts::thread_state(c, t)? else {
                        return Err(ServiceError::NotFound("thread"));
                    };
                    let state = policy::ThreadState { locked };
                    if let Err(denied) = policy::can(author, Action::Reply(&board, state), now) {
                        return Err(denied.into());
                    }
                    let id = posts::reply(c, t, &new)?;
                    after(c, id)?;
                    Ok(id)
                })?;
                (t, id)
            }
        };
        Ok(Posted { thread, post, held })
    }
}
