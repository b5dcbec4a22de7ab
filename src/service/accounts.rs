//! Accounts and login: the first start's sysop claim, login and the live session check,
//! sign-up, recovery with a code, the documents a member accepts, export and deletion.

use super::*;

/// What a key's owner gets at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Member {
        user: User,
        key_id: i64,
    },
    /// The key is the member's, and they have a second factor: nothing is recorded as a login
    /// until it passes (`Service::second_factor_passed`, else `Service::login_refused`).
    SecondFactor {
        user: User,
        key_id: i64,
    },
    /// Banned until this time (None: until a moderator lifts it). The member still gets their
    /// record (why) and one appeal.
    Banned {
        user: User,
        until: Option<i64>,
    },
    /// Nobody has this key: sign-up.
    Unknown,
}

/// Whether a live session may go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionCheck {
    /// Yes, as this (possibly changed) member.
    Continue(User),
    /// No: the reason is shown before the session closes.
    End(String),
}

impl Service {
    /// Start-up work: seed the boards on first start and, while no sysop exists, make a fresh
    /// sysop claim code (replacing any earlier one, so the code this start shows is the one
    /// that works). Returns the code, to be printed once.
    pub fn initialise(&self, claim: bool) -> Result<Option<String>> {
        let seeds = self.config().boards.clone();
        self.write(|c| Ok(boards::seed(c, &seeds)?))?;
        if !claim {
            return Ok(None);
        }
        let needs_claim = !self.store.read(users::has_active_sysop)?;
        if !needs_claim {
            return Ok(None);
        }
        let code = claim_code();
        let hash = hash_secret(&code)?;
        self.write(|c| Ok(meta::set(c, meta::SYSOP_CLAIM, &hash)?))?;
        Ok(Some(code))
    }

    /// True while a sysop claim code is waiting to be used.
    pub fn claim_pending(&self) -> Result<bool> {
        Ok(self
            .store
            .read(|c| meta::get(c, meta::SYSOP_CLAIM))?
            .is_some())
    }

    /// Looks up the owner of a key at login; an expired ban is lifted here. Audited (no address).
    pub fn login(&self, key: &KeyInfo) -> Result<Login> {
        let now = self.clock.now();
        self.write(|c| {
            let Some(users::KeyOwner {
                user,
                status,
                key_id,
                banned_until: until,
            }) = users::account_by_key(c, &key.openssh)?
            else {
                return Ok(Login::Unknown);
            };
            match status {
                AccountStatus::Banned if until.is_some_and(|t| t <= now) => {
                    users::set_status(c, user.id, AccountStatus::Active, None)?;
                    audit::record(
                        c,
                        None,
                        AuditAction::Unbanned,
                        Some("user"),
                        Some(user.id.0),
                        Some("ban expired"),
                    )?;
                }
                AccountStatus::Banned => return Ok(Login::Banned { user, until }),
                AccountStatus::Deleted => return Ok(Login::Unknown),
                AccountStatus::Active | AccountStatus::Pending => {}
            }
            if users::totp(c, user.id)?.is_some() {
                return Ok(Login::SecondFactor { user, key_id });
            }
            logged_in(c, user.id, key_id, None)?;
            Ok(Login::Member { user, key_id })
        })
    }

    /// Re-checks a live session after its member changed: banned, key revoked, role changed.
    pub fn check_session(&self, user: UserId, key_id: Option<i64>) -> Result<SessionCheck> {
        self.store
            .read(|c| {
                let Some((status, _)) = users::status(c, user)? else {
                    return Ok(SessionCheck::End("This account no longer exists.".into()));
                };
                match status {
                    AccountStatus::Banned => {
                        return Ok(SessionCheck::End(
                            "A moderator has banned this account. You have been logged out.".into(),
                        ));
                    }
                    AccountStatus::Deleted => {
                        return Ok(SessionCheck::End("This account was deleted.".into()));
                    }
                    AccountStatus::Active | AccountStatus::Pending => {}
                }
                if let Some(k) = key_id
                    && !users::key_belongs(c, user, k)?
                {
                    return Ok(SessionCheck::End(
                        "The key you logged in with was revoked. You have been logged out.".into(),
                    ));
                }
                match users::by_id(c, user)? {
                    Some(u) => Ok(SessionCheck::Continue(u)),
                    None => Ok(SessionCheck::End("This account no longer exists.".into())),
                }
            })
            .map_err(Into::into)
    }

    /// The actor as the database knows them now: a role changed or a ban made in another
    /// session or process applies to the very next action, whatever the caller's copy says.
    pub(super) fn current(&self, actor: &User) -> Result<User> {
        let user = self
            .store
            .read(|c| users::by_id(c, actor.id))?
            .ok_or(ServiceError::NotFound("account"))?;
        match user.status {
            AccountStatus::Banned | AccountStatus::Deleted => {
                Err(ServiceError::NotFound("account"))
            }
            AccountStatus::Active | AccountStatus::Pending => Ok(user),
        }
    }

    pub(super) fn member(&self, handle: &str) -> Result<User> {
        self.store
            .read(|c| users::by_handle(c, handle))?
            .ok_or_else(|| ServiceError::NoSuchMember(crate::sanitize::line(handle)))
    }

    /// Creates a member for a key (admin CLI), with the same handle rules as sign-up.
    pub fn add_user(&self, handle: &str, key: &KeyInfo, role: Role) -> Result<User> {
        let handle = validate::handle(handle)?;
        let (g, p) = (
            self.assets().guidelines.version,
            self.assets().privacy.version,
        );
        self.write(|c| {
            let u = users::create(c, &handle, role, &key.as_new_key(None), g, p)?;
            audit::record(
                c,
                None,
                AuditAction::SignUp,
                Some("user"),
                Some(u.id.0),
                Some("created by a sysop"),
            )?;
            if role == Role::Sysop {
                meta::delete(c, meta::SYSOP_CLAIM)?;
            }
            Ok(u)
        })
    }

    /// A member and their keys, for `bbs admin show`.
    pub fn show(&self, handle: &str) -> Result<(User, AccountStatus, Vec<KeyRecord>)> {
        let user = self.member(handle)?;
        let (status, _) = self
            .store
            .read(|c| users::status(c, user.id))?
            .unwrap_or((AccountStatus::Active, None));
        let keys = self.keys(user.id)?;
        Ok((user, status, keys))
    }

    /// Resolves a handle to a member id (admin filters).
    pub fn member_id(&self, handle: &str) -> Result<UserId> {
        Ok(self.member(handle)?.id)
    }

    pub fn user(&self, id: UserId) -> Result<Option<User>> {
        Ok(self.store.read(|c| users::by_id(c, id))?)
    }

    /// The first sysop (who the local console acts as).
    pub fn first_sysop(&self) -> Result<Option<User>> {
        Ok(self.store.read(|c| {
            Ok(users::list(c)?
                .into_iter()
                .find(|(u, status)| u.role == Role::Sysop && status == "active")
                .map(|(u, _)| u))
        })?)
    }

    /// Adds a sysop directly (admin CLI), consuming any pending claim.
    pub fn add_sysop(&self, handle: &str, key: &KeyInfo) -> Result<User> {
        self.add_user(handle, key, Role::Sysop)
    }

    /// Signs up a new member with `key`. A correct sysop claim code makes them the sysop.
    /// Returns the member, their recovery codes (shown once, stored only as hashes) and the id
    /// of their key.
    pub fn sign_up(
        &self,
        handle: &str,
        key: &KeyInfo,
        claim: Option<&str>,
        invite: Option<&str>,
    ) -> Result<(User, Vec<String>, Option<i64>)> {
        let handle = validate::handle(handle)?;
        let claim = claim.map(str::trim).filter(|c| !c.is_empty());
        let claim_hash = match claim {
            Some(_) => self.store.read(|c| meta::get(c, meta::SYSOP_CLAIM))?,
            None => None,
        };
        let role = match (claim, claim_hash) {
            (Some(code), Some(hash)) if verify_secret(code, &hash) => Role::Sysop,
            (Some(_), _) => return Err(ServiceError::BadClaimCode),
            (None, _) => Role::Member,
        };
        // The sysop's claim needs no invite and no approval.
        let mode = if role == Role::Sysop {
            RegistrationMode::Open
        } else {
            self.config().registration
        };
        let invite = invite
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if mode == RegistrationMode::Invite {
            match &invite {
                None => return Err(ServiceError::InviteNeeded),
                Some(code) => {
                    if !self
                        .store
                        .read(|c| invites::valid(c, code, self.clock.now()))?
                    {
                        return Err(ServiceError::BadInvite);
                    }
                }
            }
        }
        let (g, p) = (
            self.assets().guidelines.version,
            self.assets().privacy.version,
        );
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| claim_code()).collect();
        let hashes = codes
            .iter()
            .map(|c| hash_secret(c))
            .collect::<Result<Vec<String>>>()?;
        let user = self.write(|c| {
            let u = users::create(c, &handle, role, &key.as_new_key(None), g, p)?;
            if mode == RegistrationMode::Invite
                && !invites::redeem(
                    c,
                    invite.as_deref().unwrap_or_default(),
                    u.id,
                    self.clock.now(),
                )?
            {
                // Used up by someone else since the check: nothing is kept.
                return Err(ServiceError::BadInvite);
            }
            if mode == RegistrationMode::Approval {
                users::set_status(c, u.id, AccountStatus::Pending, None)?;
            }
            recovery::replace(c, u.id, &hashes)?;
            audit::record(c, Some(u.id), AuditAction::SignUp, None, None, None)?;
            if role == Role::Sysop {
                meta::delete(c, meta::SYSOP_CLAIM)?;
                audit::record(
                    c,
                    Some(u.id),
                    AuditAction::RoleChanged,
                    Some("user"),
                    Some(u.id.0),
                    Some("sysop claim code used"),
                )?;
            }
            Ok(u)
        })?;
        tracing::info!(user = %user.id, role = role.as_str(), "member signed up");
        let user = if mode == RegistrationMode::Approval {
            User {
                status: AccountStatus::Pending,
                ..user
            }
        } else {
            user
        };
        let key_id = self.key_id(key)?;
        Ok((user, codes, key_id))
    }

    /// Binds a new key to the account called `handle`, given one of its recovery codes (for a
    /// member who lost every key). The code is used up; the change is audited.
    pub fn recover(&self, handle: &str, code: &str, key: &KeyInfo) -> Result<(User, usize)> {
        let user = self
            .store
            .read(|c| users::by_handle(c, handle))?
            .ok_or(ServiceError::RecoveryFailed)?;
        let status = self.store.read(|c| users::status(c, user.id))?;
        if !matches!(
            status,
            Some((AccountStatus::Active | AccountStatus::Pending, _))
        ) {
            return Err(ServiceError::RecoveryFailed);
        }
        let codes = self.store.read(|c| recovery::unused(c, user.id))?;
        let Some((code_id, _)) = codes.iter().find(|(_, h)| verify_secret(code, h)) else {
            self.write(|c| {
                Ok(audit::record(
                    c,
                    None,
                    AuditAction::SecondFactorFailed,
                    Some("user"),
                    Some(user.id.0),
                    Some("wrong recovery code"),
                )?)
            })?;
            return Err(ServiceError::RecoveryFailed);
        };
        let left = codes.len() - 1;
        self.write(|c| {
            if !recovery::use_code(c, *code_id)? {
                return Err(ServiceError::RecoveryFailed);
            }
            users::add_key(
                c,
                user.id,
                &key.as_new_key(Some("added with a recovery code")),
            )?;
            audit::record(
                c,
                Some(user.id),
                AuditAction::RecoveryCodeUsed,
                Some("user"),
                Some(user.id.0),
                Some(&key.fingerprint),
            )?;
            audit::record(
                c,
                Some(user.id),
                AuditAction::KeyAdded,
                Some("user"),
                Some(user.id.0),
                Some(&key.fingerprint),
            )?;
            Ok(())
        })?;
        Ok((user, left))
    }

    /// Deletes the member's account (confirmed by typing their handle): see `store::erase`.
    /// Their sessions end at once; the erased text is gone from the data dir's files.
    pub fn delete_account(&self, user: &User, confirm: &str, erase_posts: bool) -> Result<()> {
        if validate::normalize_handle(confirm.trim()) != validate::normalize_handle(&user.handle) {
            return Err(ServiceError::ConfirmationMismatch);
        }
        self.write(|c| {
            store::erase::delete_account(c, user.id, erase_posts)?;
            Ok(record_member_change(
                c,
                Some(user.id),
                AuditAction::AccountDeleted,
                user.id,
                Some(if erase_posts {
                    "posts erased"
                } else {
                    "posts kept without a name"
                }),
            )?)
        })?;
        // The WAL still holds the old pages: fold it into the (securely deleted) database file.
        if let Err(e) = self.store.checkpoint() {
            tracing::warn!(error = %e, "checkpoint after account deletion failed");
        }
        tracing::info!(user = %user.id, "account deleted");
        Ok(())
    }

    /// The member's own data as pretty JSON (for `ssh … export`).
    pub fn export(&self, user: &User) -> Result<String> {
        let value = self.store.read(|c| store::export::member(c, user.id))?;
        let mut text = serde_json::to_string_pretty(&value)
            .map_err(|e| ServiceError::Internal(format!("encoding the export: {e}")))?;
        text.push('\n');
        Ok(text)
    }

    /// Which documents changed since the member last accepted them.
    pub fn documents_due(&self, user: UserId) -> Result<(bool, bool)> {
        let (g, p) = self.store.read(|c| users::accepted_versions(c, user))?;
        Ok((
            g < self.assets().guidelines.version,
            p < self.assets().privacy.version,
        ))
    }

    /// Records that the member accepted the current documents.
    pub fn accept_documents(&self, user: &User) -> Result<()> {
        let (g, p) = (
            self.assets().guidelines.version,
            self.assets().privacy.version,
        );
        self.write(|c| {
            users::accept_versions(c, user.id, g, p)?;
            Ok(audit::record(
                c,
                Some(user.id),
                AuditAction::DocumentsAccepted,
                None,
                None,
                Some(&format!("guidelines v{g}, privacy v{p}")),
            )?)
        })?;
        Ok(())
    }
}

/// What a login writes, once the member is in: last seen, the key's last use, the audit row.
pub(super) fn logged_in(
    c: &rusqlite::Connection,
    user: UserId,
    key_id: i64,
    how: Option<&str>,
) -> std::result::Result<(), StoreError> {
    users::touch_last_seen(c, user)?;
    users::touch_key(c, key_id)?;
    audit::record(c, Some(user), AuditAction::Login, None, None, how)
}
