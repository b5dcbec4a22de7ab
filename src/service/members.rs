//! Member administration: roles, bans, invites and accounts waiting for approval.

use super::*;

impl Service {
    /// Changes a member's role. Their open sessions pick it up at once.
    pub fn set_role(
        &self,
        actor: Option<&User>,
        handle: &str,
        role: Role,
        reason: &str,
    ) -> Result<User> {
        let target = self.member(handle)?;
        let reason = crate::sanitize::line(reason);
        self.write(|c| {
            users::set_role(c, target.id, role)?;
            Ok(record_member_change(
                c,
                actor.map(|a| a.id),
                AuditAction::RoleChanged,
                target.id,
                Some(&format!(
                    "{} → {}: {reason}",
                    target.role.as_str(),
                    role.as_str()
                )),
            )?)
        })?;
        Ok(User { role, ..target })
    }

    /// Bans a member until `until` (None: until lifted). Their sessions close at once.
    pub fn ban(
        &self,
        actor: Option<&User>,
        handle: &str,
        until: Option<i64>,
        reason: &str,
    ) -> Result<User> {
        let target = self.member(handle)?;
        let reason = crate::sanitize::line(reason);
        self.write(|c| {
            users::set_status(c, target.id, AccountStatus::Banned, until)?;
            // In the member's record, with its reason: what they are shown when they connect.
            store::sanctions::add(c, target.id, "ban", &reason, actor.map(|a| a.id), until)?;
            Ok(record_member_change(
                c,
                actor.map(|a| a.id),
                AuditAction::Banned,
                target.id,
                Some(&reason),
            )?)
        })?;
        Ok(target)
    }

    pub fn unban(&self, actor: Option<&User>, handle: &str, reason: &str) -> Result<User> {
        let target = self.member(handle)?;
        let reason = crate::sanitize::line(reason);
        self.write(|c| {
            users::set_status(c, target.id, AccountStatus::Active, None)?;
            Ok(audit::record(
                c,
                actor.map(|a| a.id),
                AuditAction::Unbanned,
                Some("user"),
                Some(target.id.0),
                Some(&reason),
            )?)
        })?;
        Ok(target)
    }

    /// Makes a one-time invite code, valid for `days` (moderators in the TUI, sysops by CLI).
    pub fn create_invite(&self, actor: Option<&User>, days: i64) -> Result<(String, i64)> {
        if let Some(a) = actor {
            self.can(&self.current(a)?, Action::ManageMembers)?;
        }
        let code = claim_code();
        // The config and the command line refuse other values; the clamp is a backstop.
        let days = days.clamp(
            crate::config::INVITE_DAYS.min,
            crate::config::INVITE_DAYS.max,
        );
        let expires = self.clock.now() + days * 86_400;
        self.write(|c| {
            invites::create(c, &code, actor.map(|a| a.id), expires)?;
            Ok(audit::record(
                c,
                actor.map(|a| a.id),
                AuditAction::InviteCreated,
                None,
                None,
                None,
            )?)
        })?;
        Ok((code, expires))
    }

    /// Accounts waiting for approval, oldest first.
    pub fn pending_accounts(&self, actor: &User) -> Result<Vec<User>> {
        self.can(&self.current(actor)?, Action::ManageMembers)?;
        Ok(self.store.read(|c| {
            Ok(users::list(c)?
                .into_iter()
                .map(|(u, _)| u)
                .filter(|u| u.status == AccountStatus::Pending)
                .collect())
        })?)
    }

    /// Approves a waiting account (it becomes active at once, in its open sessions too) or
    /// rejects it (the account is deleted, like a member deleting their own).
    pub fn decide_pending(&self, actor: &User, member: UserId, approve: bool) -> Result<()> {
        self.can(&self.current(actor)?, Action::ManageMembers)?;
        let status = self.store.read(|c| users::status(c, member))?;
        if !matches!(status, Some((AccountStatus::Pending, _))) {
            return Err(ServiceError::NotFound("waiting account"));
        }
        self.write(|c| {
            if approve {
                users::set_status(c, member, AccountStatus::Active, None)?;
            } else {
                store::erase::delete_account(c, member, true)?;
            }
            Ok(record_member_change(
                c,
                Some(actor.id),
                if approve {
                    AuditAction::Approved
                } else {
                    AuditAction::AccountDeleted
                },
                member,
                Some(if approve {
                    "approved"
                } else {
                    "rejected while waiting for approval"
                }),
            )?)
        })?;
        Ok(())
    }

    /// Every member with their account status's name (`bbs admin users`).
    pub fn members(&self) -> Result<Vec<(User, String)>> {
        Ok(self.store.read(users::list)?)
    }
}
