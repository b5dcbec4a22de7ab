//! Moderation of posts and threads (hide, lock, pin, move, held posts) and the audit log.

use super::*;

/// What a moderator can do to a post or a thread from the thread view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModAction {
    Hide(PostId),
    Restore(PostId),
    Lock(ThreadId),
    Unlock(ThreadId),
    Pin(ThreadId),
    Unpin(ThreadId),
}

/// Audit entries per page of the moderators' audit screen.
pub const AUDIT_PAGE: i64 = 100;

impl Service {
    /// A moderator's action on a post or thread, with the reason they gave. Checked against the
    /// actor's rights as stored now; audited; every open session sees the change within a second.
    pub fn moderate(&self, actor: &User, action: ModAction, reason: &str) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        let reason = crate::sanitize::line(reason).trim().to_string();
        if reason.is_empty() {
            return Err(ServiceError::ReasonNeeded);
        }
        let (what, audit_action, target_kind, target_id) = match action {
            ModAction::Hide(p) => ("Post hidden.", AuditAction::PostHidden, "post", p.0),
            ModAction::Restore(p) => ("Post restored.", AuditAction::PostRestored, "post", p.0),
            ModAction::Lock(t) => ("Thread locked.", AuditAction::ThreadLocked, "thread", t.0),
            ModAction::Unlock(t) => (
                "Thread unlocked.",
                AuditAction::ThreadUnlocked,
                "thread",
                t.0,
            ),
            ModAction::Pin(t) => ("Thread pinned.", AuditAction::ThreadPinned, "thread", t.0),
            ModAction::Unpin(t) => (
                "Thread unpinned.",
                AuditAction::ThreadUnpinned,
                "thread",
                t.0,
            ),
        };
        self.write(|c| {
            let place = match action {
                ModAction::Hide(p) | ModAction::Restore(p) => {
                    posts::set_post_hidden(c, p, matches!(action, ModAction::Hide(_)))?
                }
                ModAction::Lock(t) | ModAction::Unlock(t) => posts::set_thread_flag(
                    c,
                    t,
                    posts::ThreadFlag::Locked,
                    matches!(action, ModAction::Lock(_)),
                )?
                .map(|b| (b, t)),
                ModAction::Pin(t) | ModAction::Unpin(t) => posts::set_thread_flag(
                    c,
                    t,
                    posts::ThreadFlag::Pinned,
                    matches!(action, ModAction::Pin(_)),
                )?
                .map(|b| (b, t)),
            };
            let Some((board, thread)) = place else {
                return Err(ServiceError::NotFound(target_kind));
            };
            audit::record(
                c,
                Some(actor.id),
                audit_action,
                Some(target_kind),
                Some(target_id),
                Some(&reason),
            )?;
            // Its author hears what was done to their post and why, never by whom.
            let told = match action {
                ModAction::Hide(_) => Some("hid your post"),
                ModAction::Restore(_) => Some("restored your post"),
                _ => None,
            };
            if let (Some(done), ModAction::Hide(p) | ModAction::Restore(p)) = (told, action) {
                store::notifications::moderator_notice(
                    c,
                    store::reports::Target::Post(p),
                    actor.id,
                    |t| format!("A moderator {done} in \u{201c}{t}\u{201d}. Why: {reason}"),
                )?;
            }
            events::thread_changed(c, board, thread)?;
            Ok(())
        })?;
        Ok(what.to_string())
    }

    /// Moves a thread to the board `slug`, with a reason (moderators).
    pub fn move_thread(
        &self,
        actor: &User,
        thread: ThreadId,
        slug: &str,
        reason: &str,
    ) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        let reason = crate::sanitize::line(reason).trim().to_string();
        if reason.is_empty() {
            return Err(ServiceError::ReasonNeeded);
        }
        let slug = slug.trim();
        self.write(|c| {
            let Some(to) = boards::by_slug(c, slug)? else {
                return Err(ServiceError::BadBoard(format!("no board called {slug:?}")));
            };
            let Some(from) = posts::move_thread(c, thread, to)? else {
                return Err(ServiceError::NotFound("thread"));
            };
            audit::record(
                c,
                Some(actor.id),
                AuditAction::ThreadMoved,
                Some("thread"),
                Some(thread.0),
                Some(&format!("to {slug}: {reason}")),
            )?;
            let name = boards::name_of(c, to)?.unwrap_or_else(|| slug.to_string());
            let name = crate::sanitize::line(&name);
            store::notifications::moderator_notice(
                c,
                store::reports::Target::Thread(thread),
                actor.id,
                |t| {
                    format!(
                        "A moderator moved your thread \u{201c}{t}\u{201d} to {name}. Why: {reason}"
                    )
                },
            )?;
            events::thread_changed(c, from, thread)?;
            events::thread_changed(c, to, thread)?;
            Ok(())
        })?;
        Ok(format!("Thread moved to {slug}."))
    }

    /// A moderator approves (shows) or rejects (keeps hidden) a post held for approval, and
    /// resolves its queue entry.
    pub fn decide_held(&self, actor: &User, post: PostId, approve: bool) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        self.write(|c| {
            let Some((board, thread)) = posts::decide_held(c, post, approve)? else {
                return Err(ServiceError::NotFound("held post"));
            };
            let outcome = if approve { "approved" } else { "not approved" };
            store::reports::resolve(c, store::reports::Target::Post(post), actor.id, outcome)?;
            let action = if approve {
                AuditAction::PostRestored
            } else {
                AuditAction::PostHidden
            };
            audit::record(
                c,
                Some(actor.id),
                action,
                Some("post"),
                Some(post.0),
                Some(outcome),
            )?;
            events::append(
                c,
                EventKind::NewPost,
                Some(board),
                Some(thread),
                Some(post),
                None,
            )?;
            Ok(())
        })?;
        // Out now: its thread's author and the members it mentions hear of it, as for any post.
        if approve
            && let Some(e) = self.store.read(|c| store::revisions::editable(c, post))?
            && let Err(err) = self.notify_post(post, &e.body)
        {
            tracing::warn!(error = %err, "notifying about an approved post failed");
        }
        Ok(if approve {
            "Approved: it is visible now."
        } else {
            "Not approved: it stays hidden."
        }
        .into())
    }

    /// A page of the audit log for a moderator or sysop, newest first.
    /// `filter`: words like `actor:river target:willow action:banned`, any of them.
    pub fn audit_for(&self, actor: &User, offset: i64, filter: &str) -> Result<Vec<audit::Entry>> {
        self.can(&self.current(actor)?, Action::ManageMembers)?;
        let mut f = audit::Filter::default();
        for word in filter.split_whitespace() {
            match word.split_once(':') {
                Some(("actor", h)) => f.actor = Some(self.member_id(h)?),
                Some(("target", h)) => f.target_user = Some(self.member_id(h)?),
                Some(("action", a)) => f.action = Some(a.to_string()),
                _ => {
                    return Err(ServiceError::BadBoard(format!(
                        "{word:?}: filter with actor:HANDLE, target:HANDLE or action:NAME"
                    )));
                }
            }
        }
        self.audit(&f, AUDIT_PAGE, offset)
    }

    /// The audit log, newest first.
    pub fn audit(
        &self,
        filter: &audit::Filter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<audit::Entry>> {
        Ok(self.store.read(|c| audit::list(c, filter, limit, offset))?)
    }

    /// Deletes audit-log and security-event rows past the retention setting, and old live
    /// events; records that it did. Returns how many audit rows went.
    pub fn purge(&self) -> Result<usize> {
        let before = self.clock.now() - self.config().audit_retention_days * 86_400;
        let days = self.config().audit_retention_days;
        self.write(|c| {
            let n = audit::purge(c, before)?;
            events::prune(c)?;
            audit::record(
                c,
                None,
                AuditAction::Purged,
                None,
                None,
                Some(&format!("{n} rows older than {days} days")),
            )?;
            Ok(n)
        })
    }

    /// Records in the audit log that a backup was written and checked (`bbs admin backup`,
    /// the schedule), with a note such as the file's name.
    pub fn record_backup(&self, note: Option<&str>) -> Result<()> {
        self.write(|c| {
            Ok(audit::record(
                c,
                None,
                AuditAction::Backup,
                None,
                None,
                note,
            )?)
        })
    }

    /// Records in the audit log of a database just restored that it was (`bbs admin restore`).
    pub fn record_restore(&self, note: &str) -> Result<()> {
        self.write(|c| {
            Ok(audit::record(
                c,
                None,
                AuditAction::Restored,
                None,
                None,
                Some(note),
            )?)
        })
    }
}
