//! Reports from members and the moderators' review queue.

use super::*;

/// Distinct trusted reporters that hide a post until a moderator reviews it.
pub const AUTO_HIDE_REPORTS: i64 = 3;

pub(super) const UNMASK_KEYS: &str = "An unmask request is confirmed with a or declined with x.";

impl Service {
    /// Files a member's report on a post, thread, private message or member. When three
    /// members at trust level 1 or more have reported a post, it is hidden until a moderator
    /// reviews it. A member reports only what they can see.
    pub fn report(
        &self,
        reporter: &User,
        target: store::reports::Target,
        category: &str,
        note: &str,
    ) -> Result<String> {
        use store::reports::Target;
        let category = store::reports::CATEGORIES
            .iter()
            .find(|c| **c == category)
            .copied()
            .unwrap_or("other");
        let note: String = crate::sanitize::line(note).chars().take(500).collect();
        // Trust may have come since the last post: it decides whether this report counts
        // toward hiding the post.
        let reporter = self.promote_if_due(self.current(reporter)?)?;
        let what = match target {
            Target::Post(post) => {
                self.store
                    .read(|c| visibility::can_see_post(c, &Reader::of(&reporter), post))?
                    .ok_or(ServiceError::NotFound("post"))?;
                "post"
            }
            Target::Thread(thread) => {
                // Only a thread the reporter may see (without marking it read, as opening would).
                self.store
                    .read(|c| posts::thread_page(c, &Reader::of(&reporter), thread, 0, 1))?
                    .ok_or(ServiceError::NotFound("thread"))?;
                "thread"
            }
            Target::Message(id) => {
                self.store
                    .read(|c| store::messages::for_reader(c, reporter.id, id))?
                    .filter(|(sender, _, _)| *sender != reporter.id)
                    .ok_or(ServiceError::NotFound("message"))?;
                "message"
            }
            Target::Member(u) => {
                if u == reporter.id {
                    return Err(ServiceError::NotFound("member"));
                }
                self.user(u)?.ok_or(ServiceError::NotFound("member"))?;
                "member"
            }
            Target::Appeal(_) | Target::Unmask(_) => return Err(ServiceError::NotFound("report")),
        };
        let filed = self.write(|c| {
            if !store::reports::file(c, reporter.id, target, category, &note)? {
                return Ok(false);
            }
            if let Target::Post(post) = target
                && store::reports::trusted_reporters(c, post)? >= AUTO_HIDE_REPORTS
                && let Some((board, thread)) = posts::set_post_hidden(c, post, true)?
            {
                audit::record(
                    c,
                    None,
                    AuditAction::AutoHidden,
                    Some("post"),
                    Some(post.0),
                    Some("reported by 3 members; hidden pending review"),
                )?;
                events::thread_changed(c, board, thread)?;
            }
            Ok(true)
        })?;
        Ok(if filed {
            "Thank you. A moderator will look at it, and you will hear what happened.".into()
        } else {
            format!("You already reported this {what}; a moderator will look at it.")
        })
    }

    /// The review queue: open reports grouped per item, then unmask requests waiting for a
    /// second moderator.
    pub fn review_queue(&self, actor: &User) -> Result<Vec<store::reports::QueueItem>> {
        self.can(&self.current(actor)?, Action::Moderate)?;
        let mut items = self.store.read(store::reports::queue)?;
        for r in self.store.read(store::unmask::pending)? {
            items.push(store::reports::QueueItem {
                target: store::reports::Target::Unmask(r.id),
                label: format!(
                    "unmask the author of post {}, asked by {}",
                    r.post,
                    crate::sanitize::line(&r.requester)
                ),
                reports: 1,
                categories: "unmask".into(),
                claimed_by: None,
                first_reported: r.at,
                body: r.body,
                notes: r.reason,
                hidden: false,
                urgent: false,
                place: None,
                thread: None,
            });
        }
        Ok(items)
    }

    /// Open items in the review queue and how many are urgent, for a moderator's header; None
    /// for anyone else.
    pub fn open_reports(&self, user: &User) -> Result<Option<(i64, i64)>> {
        if !user.is_staff() {
            return Ok(None);
        }
        Ok(Some(self.store.read(store::reports::open_counts)?))
    }

    /// Whether this moderator wants a terminal bell with a new urgent report; None for members.
    pub fn report_bell(&self, user: &User) -> Result<Option<bool>> {
        if !user.is_staff() {
            return Ok(None);
        }
        Ok(Some(self.store.read(|c| users::report_bell(c, user.id))?))
    }

    /// Turns a moderator's bell for urgent reports on or off.
    /// The colour theme the member chose, if any (a name from `tui::theme`).
    pub fn theme(&self, user: &User) -> Result<Option<String>> {
        Ok(self.store.read(|c| users::theme(c, user.id))?)
    }

    /// Remembers the member's colour theme (a theme's short name; anything else is refused).
    pub fn set_theme(&self, user: &User, name: &str) -> Result<()> {
        let plain = name.chars().all(|c| c.is_ascii_lowercase() || c == ' ');
        if name.is_empty() || name.len() > 32 || !plain {
            return Err(ServiceError::Refused("That is not a colour theme.".into()));
        }
        self.write(|c| Ok(users::set_theme(c, user.id, name)?))
    }

    /// The time zone the member reads times in (an IANA name), if they chose one.
    pub fn time_zone(&self, user: &User) -> Result<Option<String>> {
        Ok(self.store.read(|c| users::time_zone(c, user.id))?)
    }

    /// Remembers the member's time zone ("Europe/Berlin"; empty or "UTC" for UTC); returns
    /// it as the database spells it, or None for UTC. A name this server does not know is
    /// refused, with examples.
    pub fn set_time_zone(&self, user: &User, name: &str) -> Result<Option<String>> {
        let zone = crate::clock::time_zone(name)
            .map_err(ServiceError::Refused)?
            .map(|(name, _)| name);
        self.write(|c| Ok(users::set_time_zone(c, user.id, zone.as_deref())?))?;
        Ok(zone)
    }

    pub fn set_report_bell(&self, user: &User, on: bool) -> Result<String> {
        self.can(&self.current(user)?, Action::Moderate)?;
        self.write(|c| Ok(users::set_report_bell(c, user.id, on)?))?;
        Ok(if on {
            "Your terminal will ring when a report says someone may be at risk."
        } else {
            "No bell for urgent reports."
        }
        .into())
    }

    /// Claims the reports on a post for the actor, or hands them back (`claim` false).
    pub fn claim_report(
        &self,
        actor: &User,
        target: store::reports::Target,
        claim: bool,
    ) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        if let store::reports::Target::Unmask(_) = target {
            return Err(ServiceError::Refused(UNMASK_KEYS.into()));
        }
        self.write(|c| Ok(store::reports::claim(c, target, claim.then_some(actor.id))?))?;
        Ok(if claim {
            "Claimed: it is yours to review."
        } else {
            "Handed back to the queue."
        }
        .into())
    }

    /// Resolves the reports on an item with an outcome; each reporter (or appellant) is told the
    /// outcome, not who decided it.
    pub fn resolve_report(
        &self,
        actor: &User,
        target: store::reports::Target,
        outcome: &str,
    ) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        if let store::reports::Target::Unmask(_) = target {
            return Err(ServiceError::Refused(UNMASK_KEYS.into()));
        }
        let outcome = crate::sanitize::line(outcome).trim().to_string();
        // A number picks one of the usual outcomes.
        let outcome = match outcome.parse::<usize>() {
            Ok(n) if (1..=store::reports::OUTCOMES.len()).contains(&n) => {
                store::reports::OUTCOMES[n - 1].to_string()
            }
            _ => outcome,
        };
        if outcome.is_empty() {
            return Err(ServiceError::ReasonNeeded);
        }
        self.write(|c| {
            let reporters = store::reports::resolve(c, target, actor.id, &outcome)?;
            use store::reports::Target;
            let told = match target {
                Target::Post(_) => format!("A moderator reviewed a post you reported: {outcome}"),
                Target::Thread(_) => {
                    format!("A moderator reviewed a thread you reported: {outcome}")
                }
                Target::Message(_) => {
                    format!("A moderator reviewed a message you reported: {outcome}")
                }
                Target::Member(_) => {
                    format!("A moderator reviewed a member you reported: {outcome}")
                }
                Target::Appeal(_) => format!("A moderator reviewed your appeal: {outcome}"),
                Target::Unmask(_) => String::new(),
            };
            let (kind, id) = (target.audit_kind(), target.audit_id());
            for r in reporters {
                store::reports::notify(c, r, "report", &told)?;
                // Delivered live if they are connected (their session fetches its notices).
                events::append(c, EventKind::UserChanged, None, None, None, Some(r))?;
            }
            Ok(audit::record(
                c,
                Some(actor.id),
                AuditAction::ReportResolved,
                Some(kind),
                Some(id),
                Some(&outcome),
            )?)
        })?;
        Ok("Resolved; the reporters are told the outcome.".into())
    }
}
