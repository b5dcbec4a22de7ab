//! Editing posts (DESIGN.md §7): authors edit their own posts; moderators edit any post and
//! add or remove content warnings, each with a reason that goes into the audit log. Every
//! change keeps the earlier version, which the author and moderators can read.

use super::{Result, Service, ServiceError};
use crate::domain::policy::{self, Action};
use crate::domain::{PostId, User, validate};
use crate::store::audit::{self, Action as AuditAction};
use crate::store::reports;
use crate::store::revisions::{self, Revision};
use crate::store::visibility::{self, Reader};

/// Longest content warning label.
pub const CW_MAX: usize = 80;

impl Service {
    /// Edits a post's text and content warning. The author may edit their own post (not in a
    /// locked thread, not while silenced); a moderator may edit any, and must give a reason.
    pub fn edit_post(
        &self,
        user: &User,
        post: PostId,
        body: &str,
        content_warning: &str,
        reason: &str,
    ) -> Result<String> {
        let user = self.current(user)?;
        let old = self
            .store
            .read(|c| revisions::editable(c, post))?
            .filter(|e| e.editable)
            .ok_or(ServiceError::NotFound("post"))?;
        let own = old.author.is(user.id);
        let reason = crate::sanitize::line(reason).trim().to_string();
        if own {
            let board = self.board_settings(&user, old.board)?;
            let state = policy::ThreadState { locked: old.locked };
            self.can(&user, Action::EditOwnPost(&board, state))?;
        } else {
            self.can(&user, Action::Moderate)?;
            if reason.is_empty() {
                return Err(ServiceError::ReasonNeeded);
            }
        }
        let body = validate::body(body)?;
        let cw: String = crate::sanitize::line(content_warning)
            .trim()
            .chars()
            .take(CW_MAX)
            .collect();
        let cw = (!cw.is_empty()).then_some(cw);
        if body == old.body && cw == old.content_warning {
            return Ok("Nothing changed.".into());
        }
        let config = self.config();
        let watched = &config.watched;
        let flagged = own && !user.is_staff() && {
            let text = format!("{} {body}", cw.as_deref().unwrap_or_default());
            if let Some(word) = crate::domain::watched_word(&text, &watched.block) {
                return Err(ServiceError::Watched(word.to_string()));
            }
            // A post already out is not pulled back by an edit: words that would have held
            // it or flagged it put it in the moderators' queue instead.
            crate::domain::watched_word(&text, &watched.approve)
                .or_else(|| crate::domain::watched_word(&text, &watched.flag))
                .is_some()
        };
        let cw_only = body == old.body;
        self.write(|c| {
            revisions::edit(
                c,
                post,
                user.id,
                &body,
                cw.as_deref(),
                (!own).then_some(reason.as_str()),
            )?;
            if flagged {
                reports::system_report(c, post, "watched word (edited)")?;
            }
            if !own {
                let action = if cw_only {
                    AuditAction::ContentWarningChanged
                } else {
                    AuditAction::PostEdited
                };
                audit::record(
                    c,
                    Some(user.id),
                    action,
                    Some("post"),
                    Some(post.0),
                    Some(&reason),
                )?;
            }
            Ok(())
        })?;
        Ok(match (own, cw_only) {
            (false, true) if cw.is_some() => "Content warning set.".into(),
            (false, true) => "Content warning removed.".into(),
            _ => "Edited; the earlier version is kept.".into(),
        })
    }

    /// The author withdraws their own post: members no longer see it anywhere; moderators keep
    /// it, marked, as the audit requires. On an anonymous post the audit row names no one (it
    /// would unmask the author to the moderators).
    pub fn withdraw_post(&self, user: &User, post: PostId) -> Result<String> {
        let user = self.current(user)?;
        let e = self
            .store
            .read(|c| revisions::editable(c, post))?
            .ok_or(ServiceError::NotFound("post"))?;
        if !e.author.is(user.id) {
            return Err(ServiceError::Refused(
                "You can withdraw only your own posts.".into(),
            ));
        }
        let named = !e.author.is_anonymous();
        self.write(|c| {
            let Some((board, thread)) = crate::store::posts::withdraw(c, post, user.id)? else {
                return Err(ServiceError::Refused(
                    "This post cannot be withdrawn: it is already gone, or with the moderators."
                        .into(),
                ));
            };
            // An anonymous post's withdrawal is not audited at all: even with no actor, its
            // time beside its author's login or named acts would name them without an unmask.
            // The post itself stays, marked, for the moderators.
            if named {
                audit::record(
                    c,
                    Some(user.id),
                    AuditAction::PostWithdrawn,
                    Some("post"),
                    Some(post.0),
                    None,
                )?;
            }
            Ok(crate::store::events::thread_changed(c, board, thread)?)
        })?;
        Ok("Withdrawn: members no longer see it; the moderators keep it.".into())
    }

    /// A moderator sets (or, with an empty label, removes) a post's content warning.
    pub fn set_content_warning(
        &self,
        actor: &User,
        post: PostId,
        label: &str,
        reason: &str,
    ) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        let e = self
            .store
            .read(|c| revisions::editable(c, post))?
            .filter(|e| e.editable)
            .ok_or(ServiceError::NotFound("post"))?;
        if crate::sanitize::line(reason).trim().is_empty() {
            return Err(ServiceError::ReasonNeeded);
        }
        // Moderators always give a reason, even on their own posts. On their own anonymous
        // post the audit row names no one: naming them would unmask them to the other
        // moderators without the two-moderator unmask.
        let audit_actor = (!(e.author.is_anonymous() && e.author.is(actor.id))).then_some(actor.id);
        self.edit_post_as_moderator(&actor, post, &e.body, label, reason, audit_actor)
    }

    fn edit_post_as_moderator(
        &self,
        actor: &User,
        post: PostId,
        body: &str,
        label: &str,
        reason: &str,
        audit_actor: Option<crate::domain::UserId>,
    ) -> Result<String> {
        let cw: String = crate::sanitize::line(label)
            .trim()
            .chars()
            .take(CW_MAX)
            .collect();
        let reason = crate::sanitize::line(reason).trim().to_string();
        let old_cw = self
            .store
            .read(|c| revisions::editable(c, post))?
            .and_then(|e| e.content_warning);
        let new_cw = (!cw.is_empty()).then_some(cw);
        if old_cw == new_cw {
            return Ok("Nothing changed.".into());
        }
        self.write(|c| {
            revisions::edit(c, post, actor.id, body, new_cw.as_deref(), Some(&reason))?;
            crate::store::notifications::moderator_notice(c, crate::store::reports::Target::Post(post), actor.id, |t| {
                match &new_cw {
                    Some(cw) => format!(
                        "A moderator put a content warning ({cw}) on your post in \u{201c}{t}\u{201d}. Why: {reason}"
                    ),
                    None => format!(
                        "A moderator removed the content warning from your post in \u{201c}{t}\u{201d}. Why: {reason}"
                    ),
                }
            })?;
            Ok(audit::record(
                c,
                audit_actor,
                AuditAction::ContentWarningChanged,
                Some("post"),
                Some(post.0),
                Some(&reason),
            )?)
        })?;
        Ok(if new_cw.is_some() {
            "Content warning set."
        } else {
            "Content warning removed."
        }
        .into())
    }

    /// A post's earlier versions, for its author and for moderators. An anonymous author's
    /// own edits read "the author", whoever asks.
    pub fn revisions(&self, user: &User, post: PostId) -> Result<Vec<Revision>> {
        let user = self.current(user)?;
        let e = self
            .store
            .read(|c| revisions::editable(c, post))?
            .ok_or(ServiceError::NotFound("post"))?;
        let staff = user.is_staff();
        if !e.author.is(user.id) && !staff {
            return Err(ServiceError::Denied(policy::Denied::StaffOnly));
        }
        let mut list = self.store.read(|c| revisions::list(c, post))?;
        if !staff {
            // Members learn that a moderator changed their post, and why, not who.
            for r in &mut list {
                r.moderator = None;
            }
        }
        Ok(list)
    }
}

impl Service {
    /// Gives (or takes back) the member's support (♥) for a post they can see, not their own.
    pub fn toggle_support(&self, user: &User, post: PostId) -> Result<String> {
        let user = self.current(user)?;
        self.can(&user, Action::GiveSupport)?;
        // Only a post the member may see: its thread and board included.
        let place = self
            .store
            .read(|c| visibility::can_see_post(c, &Reader::of(&user), post))?
            .ok_or(ServiceError::NotFound("post"))?;
        let e = self
            .store
            .read(|c| revisions::editable(c, post))?
            .ok_or(ServiceError::NotFound("post"))?;
        if e.author.is(user.id) {
            return Err(ServiceError::Refused("That is your own post.".into()));
        }
        let given = self.write(|c| {
            let given = crate::store::posts::toggle_support(c, user.id, post)?;
            crate::store::events::thread_changed(c, place.board, place.thread)?;
            Ok(given)
        })?;
        Ok(if given {
            "You sent your support ♥"
        } else {
            "Support taken back."
        }
        .into())
    }
}

impl Service {
    /// A moderator erases an earlier version of a post for good (e.g. it held someone's private
    /// details, which an edit removed from the post but kept in its history). Needs a reason;
    /// audited against the post.
    pub fn erase_revision(&self, actor: &User, revision: i64, reason: &str) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        let reason = crate::sanitize::line(reason).trim().to_string();
        if reason.is_empty() {
            return Err(ServiceError::ReasonNeeded);
        }
        self.write(|c| {
            let Some(post) = revisions::erase(c, revision)? else {
                return Err(ServiceError::NotFound("earlier version"));
            };
            audit::record(
                c,
                Some(actor.id),
                AuditAction::RevisionErased,
                Some("post"),
                Some(post.0),
                Some(&reason),
            )?;
            Ok(())
        })?;
        Ok("That earlier version is erased for good.".into())
    }
}
