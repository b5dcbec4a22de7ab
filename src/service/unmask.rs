//! Unmasking an anonymous post's author (DESIGN.md §6): a moderator asks with a written reason,
//! a second moderator confirms (unless `security.unmask_needs_second_moderator` is off). Every
//! step is audited against the post, never the author; once confirmed, moderators see the
//! author's handle on that post, and the author sees in their record that it happened.

use super::{Result, Service, ServiceError};
use crate::domain::policy::Action;
use crate::domain::{PostId, User};
use crate::store::audit::{self, Action as AuditAction};
use crate::store::events;
use crate::store::{self, blocks, revisions, unmask};

impl Service {
    /// A moderator asks to unmask the author of an anonymous post.
    pub fn request_unmask(&self, actor: &User, post: PostId, reason: &str) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        let reason = crate::sanitize::line(reason).trim().to_string();
        if reason.is_empty() {
            return Err(ServiceError::ReasonNeeded);
        }
        let (author, _) = self
            .store
            .read(|c| blocks::post_author(c, post))?
            .ok_or(ServiceError::NotFound("post"))?;
        if !author.is_anonymous() {
            return Err(ServiceError::Refused(
                "This post is not anonymous: its author is shown.".into(),
            ));
        }
        if self.store.read(|c| unmask::is_unmasked(c, post))? {
            return Ok("This author is already unmasked to moderators.".into());
        }
        let id = self.write(|c| {
            let id = unmask::request(c, post, actor.id, &reason)?;
            audit::record(
                c,
                Some(actor.id),
                AuditAction::UnmaskRequested,
                Some("post"),
                Some(post.0),
                Some(&reason),
            )?;
            Ok(id)
        })?;
        if !self.config().unmask_needs_second_moderator {
            self.finish_unmask(&actor, id)?;
            return Ok(
                "Unmasked: the author's handle now shows to moderators on this post.".into(),
            );
        }
        Ok("Asked. A second moderator confirms or declines it in the review queue.".into())
    }

    /// A second moderator confirms (or declines) an unmask request.
    pub fn decide_unmask(&self, actor: &User, request: i64, confirm: bool) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        let r = self
            .store
            .read(|c| unmask::get(c, request))?
            .ok_or(ServiceError::NotFound("request"))?;
        if r.requested_by == Some(actor.id) && self.config().unmask_needs_second_moderator {
            return Err(ServiceError::Refused(
                "A second moderator must decide on your own request.".into(),
            ));
        }
        if !confirm {
            self.write(|c| {
                unmask::decline(c, request)?;
                Ok(audit::record(
                    c,
                    Some(actor.id),
                    AuditAction::UnmaskDeclined,
                    Some("post"),
                    Some(r.post.0),
                    Some(&r.reason),
                )?)
            })?;
            return Ok("Declined: the author stays anonymous.".into());
        }
        self.finish_unmask(&actor, request)?;
        Ok("Unmasked: the author's handle now shows to moderators on this post.".into())
    }

    fn finish_unmask(&self, actor: &User, request: i64) -> Result<()> {
        let r = self
            .store
            .read(|c| unmask::get(c, request))?
            .ok_or(ServiceError::NotFound("request"))?;
        let place = self
            .store
            .read(|c| revisions::editable(c, r.post))?
            .ok_or(ServiceError::NotFound("post"))?;
        self.write(|c| {
            unmask::confirm(c, request, actor.id)?;
            let why = format!(
                "{} (asked by {})",
                r.reason,
                crate::sanitize::line(&r.requester)
            );
            audit::record(
                c,
                Some(actor.id),
                AuditAction::Unmasked,
                Some("post"),
                Some(r.post.0),
                Some(&why),
            )?;
            let told = format!(
                "Moderators unmasked the author of one of your anonymous posts: {}",
                r.reason
            );
            store::sanctions::tell_author(c, &place.author, "unmask", &r.reason, actor.id, &told)?;
            Ok(events::thread_changed(c, place.board, place.thread)?)
        })?;
        Ok(())
    }

    /// Open unmask requests, for the review queue.
    pub fn unmask_requests(&self, actor: &User) -> Result<Vec<unmask::Request>> {
        self.can(&self.current(actor)?, Action::Moderate)?;
        Ok(self.store.read(unmask::pending)?)
    }
}
