//! The sysop's commands over SSH (`ssh HOST stats`, `ssh HOST announce "text"`): the same
//! policy as the dashboard (`Action::OperateServer`, sysops only), and both audited.

use super::{Result, Service, ServiceError, Stats};
use crate::domain::User;
use crate::domain::policy::Action;
use crate::store::announcements;
use crate::store::audit::{self, Action as AuditAction};

/// The longest announcement, in characters: it is one status line, read by everyone at once.
pub const ANNOUNCE_MAX: usize = 300;

impl Service {
    /// Says `text` to every open session, as the status line; sysops only. Returns the text as
    /// it was stored (one line, sanitised).
    pub fn announce(&self, actor: &User, text: &str) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::OperateServer)?;
        let text = crate::sanitize::line(text).trim().to_string();
        if text.is_empty() {
            return Err(ServiceError::Refused(
                "An announcement needs some text: announce \"the board restarts at 9\"".into(),
            ));
        }
        let length = text.chars().count();
        if length > ANNOUNCE_MAX {
            return Err(ServiceError::Refused(format!(
                "An announcement is at most {ANNOUNCE_MAX} characters (this one has {length})."
            )));
        }
        self.write(|c| {
            let id = announcements::create(c, actor.id, &text)?;
            audit::record(
                c,
                Some(actor.id),
                AuditAction::Announced,
                Some("announcement"),
                Some(id),
                None,
            )?;
            Ok(())
        })?;
        Ok(text)
    }

    /// The text of an announcement event (for a session showing it).
    pub fn announcement(&self, event_id: i64) -> Result<Option<String>> {
        Ok(self.store.read(|c| announcements::text(c, event_id))?)
    }

    /// [`Service::stats`], asked over SSH: recorded in the audit log.
    pub fn stats_over_ssh(&self, actor: &User) -> Result<Stats> {
        let stats = self.stats(actor)?;
        self.write(|c| {
            Ok(audit::record(
                c,
                Some(actor.id),
                AuditAction::StatsViewed,
                None,
                None,
                None,
            )?)
        })?;
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::service::test_support::{key, service};
    use crate::store::audit::Filter;

    #[test]
    fn only_a_sysop_announces_and_the_text_is_one_clean_line_kept_and_audited() {
        let s = service();
        let sysop = s.add_user("opal", &key(), Role::Sysop).expect("sysop");
        let moderator = s.add_user("mica", &key(), Role::Moderator).expect("mod");
        let member = s.add_user("shale", &key(), Role::Member).expect("member");
        for who in [&moderator, &member] {
            assert!(matches!(
                s.announce(who, "hello"),
                Err(ServiceError::Denied(_))
            ));
            assert!(matches!(
                s.stats_over_ssh(who),
                Err(ServiceError::Denied(_))
            ));
        }
        let said = s
            .announce(&sysop, "Back\u{1b}[2J at 9\nsharp \u{202e}")
            .expect("announce");
        assert!(!said.chars().any(char::is_control), "{said:?}");
        assert!(
            said.starts_with("Back") && said.contains("at 9"),
            "{said:?}"
        );
        assert!(!said.contains('\u{202e}'), "{said:?}");
        assert!(matches!(
            s.announce(&sysop, "  "),
            Err(ServiceError::Refused(_))
        ));
        let long = "x".repeat(ANNOUNCE_MAX + 1);
        assert!(matches!(
            s.announce(&sysop, &long),
            Err(ServiceError::Refused(_))
        ));
        s.stats_over_ssh(&sysop).expect("stats");
        let audit = |action: &str| {
            s.audit(
                &Filter {
                    action: Some(action.into()),
                    ..Filter::default()
                },
                10,
                0,
            )
            .expect("audit")
        };
        assert_eq!(audit("announced").len(), 1);
        assert_eq!(audit("stats_viewed").len(), 1);
        let target = audit("announced")[0].target.clone().expect("target");
        let id: i64 = target
            .trim_start_matches("announcement ")
            .parse()
            .expect("an id");
        assert_eq!(s.announcement(id).expect("read"), Some(said));
    }
}
