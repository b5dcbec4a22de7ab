//! Trust and pace: new members are slowed gently and promoted when due.

use super::*;

impl Service {
    /// Trust level 1 comes with time and reading (DESIGN.md §7), checked when it matters.
    pub(super) fn promote_if_due(&self, user: User) -> Result<User> {
        let config = self.config();
        let p = &config.posting;
        if user.trust_level > 0
            || self.clock.now() - user.created_at < p.trusted_after_days * 86_400
        {
            return Ok(user);
        }
        self.flush_read_marks_of(user.id)?;
        let read = self.store.read(|c| store::pace::threads_read(c, user.id))?;
        if read < p.trusted_after_threads_read {
            return Ok(user);
        }
        self.write(|c| {
            store::pace::set_trust_level(c, user.id, 1)?;
            Ok(audit::record(
                c,
                None,
                AuditAction::RoleChanged,
                Some("user"),
                Some(user.id.0),
                Some("trust level 0 → 1"),
            )?)
        })?;
        Ok(User {
            trust_level: 1,
            ..user
        })
    }

    /// Rate limits (DESIGN.md §7): everyone waits a little between posts; new members wait
    /// longer and post less on their first day; the same text twice in a row is refused. The
    /// refusal says when to try again and points to help, and the draft is kept.
    pub(super) fn check_pace(&self, author: &User, place: DraftPlace, body: &str) -> Result<()> {
        let config = self.config();
        let p = &config.posting;
        let now = self.clock.now();
        let new_member = author.trust_level == 0 && !author.is_staff();
        let (last_post, last_thread) = self
            .store
            .read(|c| store::pace::last_post_and_thread(c, author.id))?;
        let slow = |wait: i64| {
            ServiceError::SlowDown(format!(
                "You're posting quickly, so let's slow down a little: you can post again in {wait} \
                 seconds. Your draft is kept. If things feel like a lot right now, F1 opens Help now."
            ))
        };
        let interval = if new_member {
            p.new_member_post_interval.max(p.post_interval)
        } else {
            p.post_interval
        };
        if let Some(t) = last_post
            && now - t < interval
        {
            return Err(slow(interval - (now - t)));
        }
        if new_member
            && matches!(place, DraftPlace::NewThread(_))
            && let Some(t) = last_thread
            && now - t < p.new_member_thread_interval
        {
            return Err(slow(p.new_member_thread_interval - (now - t)));
        }
        if new_member && now - author.created_at < 86_400 {
            let since = author.created_at;
            let over = match place {
                DraftPlace::NewThread(_) => {
                    let cap = p.first_day_threads;
                    self.store
                        .read(|c| store::pace::threads_since(c, author.id, since, cap))?
                        >= cap
                }
                DraftPlace::Reply(..) => self.store.read(|c| {
                    // Replies are posts that open no thread: counted up to the limit.
                    let threads = store::pace::threads_since(c, author.id, since, -1)?;
                    let cap = threads + p.first_day_replies;
                    Ok(
                        store::pace::posts_since(c, author.id, since, cap)? - threads
                            >= p.first_day_replies,
                    )
                })?,
            };
            if over {
                return Err(ServiceError::SlowDown(
                    "New members can start a few threads and write a few replies on their first day; \
                     you have reached today's. Your draft is kept for tomorrow. Reading and replying \
                     to others is a good way to settle in."
                        .into(),
                ));
            }
        }
        if p.duplicate_window > 0
            && self
                .store
                .read(|c| store::pace::posted_same(c, author.id, body, now - p.duplicate_window))?
        {
            return Err(ServiceError::SlowDown(
                "You just posted this. Your draft is kept.".into(),
            ));
        }
        Ok(())
    }
}
