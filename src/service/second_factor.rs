//! The optional second factor (TOTP) and the recovery codes that stand in for it.

use super::*;

/// Wrong second-factor codes in a row before the second factor locks.
pub const TOTP_MAX_FAILURES: i64 = 5;
/// How long the lock lasts.
pub const TOTP_LOCK_SECONDS: i64 = 15 * 60;

/// The answer to a second-factor code at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    Accepted,
    /// Accepted as a recovery code (used up); how many are left.
    RecoveryCodeUsed(usize),
    Wrong,
    /// Too many wrong codes: locked until this time (a recovery code still works).
    Locked(i64),
}

/// A TOTP enrolment in progress: shown to the member, not stored until confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSetup {
    pub secret: Vec<u8>,
    pub secret_text: String,
    pub uri: String,
    pub qr: Vec<String>,
}

/// Recovery codes made at sign-up (and on request), shown once.
pub const RECOVERY_CODES: usize = 10;

impl Service {
    /// How many unused recovery codes the member has.
    pub fn recovery_codes_left(&self, user: UserId) -> Result<usize> {
        Ok(self.store.read(|c| recovery::unused(c, user))?.len())
    }

    /// True when the member has a second factor.
    pub fn has_totp(&self, user: UserId) -> Result<bool> {
        Ok(self.store.read(|c| users::totp(c, user))?.is_some())
    }

    /// True when this member must have a second factor and has none yet.
    pub fn must_enrol_totp(&self, user: &User) -> Result<bool> {
        Ok(self.config().require_2fa_for_staff
            && user.role.is_staff()
            && !self.has_totp(user.id)?)
    }

    /// Starts an enrolment: a new secret, its URI and QR code. Nothing is stored yet.
    pub fn totp_setup(&self, user: &User) -> TotpSetup {
        let secret = crate::domain::totp::new_secret();
        let uri = crate::domain::totp::uri(&secret, &user.handle, &self.config().name);
        TotpSetup {
            secret_text: crate::domain::totp::secret_text(&secret),
            qr: crate::domain::totp::qr_lines(&uri),
            uri,
            secret,
        }
    }

    /// Finishes an enrolment: the code proves the app has the secret.
    pub fn enable_totp(&self, user: &User, secret: &[u8], code: &str) -> Result<()> {
        let now = self.clock.now();
        let step =
            crate::domain::totp::verify(secret, code, now as u64).ok_or(ServiceError::WrongCode)?;
        self.write(|c| {
            users::set_totp(c, user.id, Some(secret), Some(step as i64))?;
            Ok(audit::record(
                c,
                Some(user.id),
                AuditAction::SecondFactorEnabled,
                Some("user"),
                Some(user.id.0),
                None,
            )?)
        })?;
        Ok(())
    }

    /// Turns the second factor off, given a current code. Staff must keep theirs.
    pub fn disable_totp(&self, user: &User, code: &str) -> Result<()> {
        if self.config().require_2fa_for_staff && user.role.is_staff() {
            return Err(ServiceError::SecondFactorRequired);
        }
        match self.second_factor(user.id, code)? {
            SecondFactor::Accepted | SecondFactor::RecoveryCodeUsed(_) => {}
            SecondFactor::Wrong | SecondFactor::Locked(_) => return Err(ServiceError::WrongCode),
        }
        self.write(|c| {
            users::set_totp(c, user.id, None, None)?;
            Ok(audit::record(
                c,
                Some(user.id),
                AuditAction::SecondFactorDisabled,
                Some("user"),
                Some(user.id.0),
                None,
            )?)
        })?;
        Ok(())
    }

    /// The second factor passed: now it is a login (audited as one, the key's last use moved).
    pub fn second_factor_passed(&self, user: UserId, key_id: i64) -> Result<()> {
        self.write(|c| {
            Ok(super::accounts::logged_in(
                c,
                user,
                key_id,
                Some("with a second factor"),
            )?)
        })
    }

    /// A good key's connection that ended without passing the second factor: a failed login,
    /// whatever the member was shown. `why` is kept in the audit row.
    pub fn login_refused(&self, user: UserId, why: &str) -> Result<()> {
        self.write(|c| {
            Ok(audit::record(
                c,
                None,
                AuditAction::LoginFailed,
                Some("user"),
                Some(user.0),
                Some(why),
            )?)
        })
    }

    /// Checks a second-factor code at login: a TOTP code (each step accepted once; five wrong
    /// in a row lock it for fifteen minutes) or, always, one of the member's recovery codes.
    pub fn second_factor(&self, user: UserId, code: &str) -> Result<SecondFactor> {
        let now = self.clock.now();
        let Some(state) = self.store.read(|c| users::totp(c, user))? else {
            return Ok(SecondFactor::Accepted);
        };
        let code = code.trim();
        // A recovery code (letters and dashes) works even while locked.
        if code.len() > 8 {
            let codes = self.store.read(|c| recovery::unused(c, user))?;
            if let Some((id, _)) = codes.iter().find(|(_, h)| verify_secret(code, h)) {
                let used = self.write(|c| {
                    let used = recovery::use_code(c, *id)?;
                    if used {
                        users::totp_accepted(c, user, None)?;
                        audit::record(
                            c,
                            Some(user),
                            AuditAction::RecoveryCodeUsed,
                            Some("user"),
                            Some(user.0),
                            Some("as second factor"),
                        )?;
                    }
                    Ok(used)
                })?;
                if used {
                    return Ok(SecondFactor::RecoveryCodeUsed(codes.len() - 1));
                }
            }
        }
        if let Some(until) = state.locked_until.filter(|&t| t > now) {
            return Ok(SecondFactor::Locked(until));
        }
        let step = crate::domain::totp::verify(&state.secret, code, now as u64).map(|s| s as i64);
        match step {
            Some(step) if state.last_step.is_none_or(|last| step > last) => {
                self.write(|c| Ok(users::totp_accepted(c, user, Some(step))?))?;
                Ok(SecondFactor::Accepted)
            }
            // Wrong, or a replay of an already accepted code.
            _ => {
                let failures = state.failures + 1;
                let locked = (failures >= TOTP_MAX_FAILURES).then_some(now + TOTP_LOCK_SECONDS);
                self.write(|c| {
                    users::totp_failed(
                        c,
                        user,
                        if locked.is_some() { 0 } else { failures },
                        locked,
                    )?;
                    Ok(audit::record(
                        c,
                        Some(user),
                        AuditAction::SecondFactorFailed,
                        Some("user"),
                        Some(user.0),
                        None,
                    )?)
                })?;
                Ok(match locked {
                    Some(t) => SecondFactor::Locked(t),
                    None => SecondFactor::Wrong,
                })
            }
        }
    }

    /// New recovery codes for a member; the old ones stop working.
    pub fn regenerate_recovery_codes(&self, user: &User) -> Result<Vec<String>> {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| claim_code()).collect();
        let hashes = codes
            .iter()
            .map(|c| hash_secret(c))
            .collect::<Result<Vec<String>>>()?;
        self.write(|c| {
            recovery::replace(c, user.id, &hashes)?;
            Ok(audit::record(
                c,
                Some(user.id),
                AuditAction::RecoveryCodesRegenerated,
                Some("user"),
                Some(user.id.0),
                None,
            )?)
        })?;
        Ok(codes)
    }
}
