//! Sanctions on members (warn, silence, ban), a member's own record, appeals and the notices
//! that tell them.

use super::*;

/// What a moderator can do to the author of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanction {
    Warn,
    /// Read-only for this many seconds.
    Silence(i64),
    /// Banned for this many seconds, or until lifted.
    Ban(Option<i64>),
}

impl Service {
    /// Lifts a member's silence (sysops by CLI, with a reason); their sessions follow at once.
    pub fn unsilence(&self, actor: Option<&User>, handle: &str, reason: &str) -> Result<User> {
        let target = self.member(handle)?;
        let reason = crate::sanitize::line(reason);
        self.write(|c| {
            users::set_silenced_until(c, target.id, None)?;
            store::reports::notify(c, target.id, "moderator", "Your account can post again.")?;
            Ok(record_member_change(
                c,
                actor.map(|a| a.id),
                AuditAction::Unsilenced,
                target.id,
                Some(&reason),
            )?)
        })?;
        Ok(target)
    }

    /// A moderator's warning, silence or ban for the author of a post, with a reason. The
    /// author's identity stays server-side (the post may be anonymous); they are told, their
    /// open sessions follow at once, and it shows in their record.
    pub fn sanction(
        &self,
        actor: &User,
        post: PostId,
        sanction: Sanction,
        reason: &str,
    ) -> Result<String> {
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
        if author.is(actor.id) || author.is_gone() {
            return Err(ServiceError::NotFound("author"));
        }
        // An anonymous author stays unknown to the moderator: a warning reaches them without
        // naming them (and is audited against the post); silencing or banning someone needs
        // to know who they are, so it waits for an unmask. The answer is the same whoever
        // the author is, so it tells nothing.
        let named = match author.named() {
            Some(id) => Some(id),
            None => self
                .store
                .read(|c| store::unmask::author_if_unmasked(c, post))?,
        };
        let Some(author) = named else {
            if !matches!(sanction, Sanction::Warn) {
                return Err(ServiceError::Refused(
                    "Silencing or banning an anonymous author needs an unmask first (U, with a \
                     reason). A warning (W) reaches them without naming them."
                        .into(),
                ));
            }
            let told = format!("A moderator sent you a warning: {reason}");
            self.write(|c| {
                store::sanctions::tell_author(c, &author, "warning", &reason, actor.id, &told)?;
                Ok(audit::record(
                    c,
                    Some(actor.id),
                    AuditAction::Warned,
                    Some("post"),
                    Some(post.0),
                    Some(&reason),
                )?)
            })?;
            return Ok("Warning sent.".into());
        };
        let target = self.user(author)?.ok_or(ServiceError::NotFound("author"))?;
        if target.role >= actor.role {
            return Err(ServiceError::Denied(Denied::StaffOnly));
        }
        let now = self.clock.now();
        let (kind, until, told, done, audit_action) = match sanction {
            Sanction::Warn => (
                "warning",
                None,
                format!("A moderator sent you a warning: {reason}"),
                "Warning sent.",
                AuditAction::Warned,
            ),
            Sanction::Silence(secs) => (
                "silence",
                Some(now + secs),
                format!(
                    "A moderator made your account read-only until {} UTC: {reason}",
                    crate::domain::format_time(now + secs)
                ),
                "Member silenced.",
                AuditAction::Silenced,
            ),
            Sanction::Ban(secs) => (
                "ban",
                secs.map(|s| now + s),
                String::new(),
                "Member banned.",
                AuditAction::Banned,
            ),
        };
        self.write(|c| {
            store::sanctions::add(c, author, kind, &reason, Some(actor.id), until)?;
            match sanction {
                Sanction::Warn => {}
                Sanction::Silence(_) => users::set_silenced_until(c, author, until)?,
                Sanction::Ban(_) => users::set_status(c, author, AccountStatus::Banned, until)?,
            }
            if !told.is_empty() {
                store::reports::notify(c, author, "moderator", &told)?;
            }
            Ok(record_member_change(
                c,
                Some(actor.id),
                audit_action,
                author,
                Some(&reason),
            )?)
        })?;
        Ok(done.into())
    }

    /// The member's own record: warnings, silences, bans, with their reasons and ends.
    pub fn my_record(&self, user: &User) -> Result<Vec<store::sanctions::Entry>> {
        Ok(self.store.read(|c| store::sanctions::record(c, user.id))?)
    }

    /// An appeal of the member's record, into the moderators' queue.
    pub fn appeal(&self, user: &User, text: &str) -> Result<String> {
        let text: String = crate::sanitize::line(text)
            .trim()
            .chars()
            .take(500)
            .collect();
        if text.is_empty() {
            return Err(ServiceError::ReasonNeeded);
        }
        // One appeal at a time: the moderators answer it before another is taken.
        if self
            .store
            .read(|c| store::reports::open_appeal(c, user.id))?
        {
            return Ok("Your appeal is already with the moderators. You will hear back.".into());
        }
        self.write(|c| {
            store::reports::appeal(c, user.id, &text)?;
            Ok(audit::record(
                c,
                Some(user.id),
                AuditAction::Appealed,
                Some("user"),
                Some(user.id.0),
                None,
            )?)
        })?;
        Ok("Your appeal is with the moderators. You will hear back.".into())
    }

    /// System messages waiting for the member (e.g. report outcomes), marked read.
    pub fn take_notices(&self, user: &User) -> Result<Vec<String>> {
        Ok(self
            .store
            .write(|c| store::notifications::take_notices(c, &Reader::of(user)))?)
    }
}
