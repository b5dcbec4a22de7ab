//! Use cases: what members, the console and the admin CLI can do. Each one applies the policy,
//! validates and sanitises input, calls the store and pokes the live hub. The same service
//! serves SSH sessions, the console and `bbs admin`, so every rule lives in one place.
//!
//! Methods are synchronous (they call SQLite); async callers run them with `spawn_blocking`.

mod board_admin;
mod edits;
mod messages;
mod notifications;
mod read_marks;
mod search;
mod unmask;

use std::sync::Arc;

use crate::assets::Assets;
use crate::config::{Config, RegistrationMode};
use crate::domain::policy::{self, Action, Denied};
use crate::domain::validate::{self, Invalid};
use crate::domain::{AccountStatus, KeyRecord};
use crate::domain::{
    Board, BoardId, Draft, DraftPlace, PostId, Role, ThreadId, ThreadPage, ThreadSummary, User,
    UserId,
};
use crate::live::Hub;
use crate::store::audit::{self, Action as AuditAction};
use crate::store::events::{self, EventKind};
use crate::store::visibility::{self, PostAuthor, Reader};
use crate::store::{
    self, Store, StoreError, blocks, boards, drafts, invites, meta, posts, recovery, users,
};

/// Why a use case failed, in words for the member.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Denied(#[from] Denied),
    #[error("That {0} is no longer there.")]
    NotFound(&'static str),
    #[error("That sysop claim code is not right.")]
    BadClaimCode,
    #[error("Joining needs an invite code from a moderator.")]
    InviteNeeded,
    #[error("That invite code is not valid: it may have been used or have expired.")]
    BadInvite,
    #[error("That handle and recovery code do not match an account.")]
    RecoveryFailed,
    #[error("That code is not right. Check your authenticator app's clock and try the next code.")]
    WrongCode,
    /// Posting too fast, or too much on the first day: gentle, with when to try again.
    #[error("{0}")]
    SlowDown(String),
    #[error(
        "Your post contains \u{201c}{0}\u{201d}, which is not allowed here. Your draft is kept."
    )]
    Watched(String),
    /// A malformed request from a staff screen or command (bad board settings, bad filter).
    #[error("{0}")]
    BadBoard(String),
    #[error("Please give a reason: it goes into the audit log.")]
    ReasonNeeded,
    #[error("To delete your account, type your handle exactly.")]
    ConfirmationMismatch,
    #[error("Moderators and sysops must keep a second factor.")]
    SecondFactorRequired,
    #[error("No member is called {0:?}.")]
    NoSuchMember(String),
    #[error("{0}")]
    Key(#[from] users::KeyRefused),
    #[error("That is not an OpenSSH public key: {0}")]
    BadKey(String),
    /// A refusal the member can act on, in words for them.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

pub use board_admin::{BoardFlag, BoardOp, BoardSetting};
pub use edits::CW_MAX;
pub use messages::{Conversation, MESSAGE_MAX, MESSAGES_PER_PAGE, Profile};
pub use read_marks::FLUSH_EVERY;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// A public key as sign-up and login see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub algorithm: String,
    /// OpenSSH `algo base64`, without comment.
    pub openssh: String,
    /// `SHA256:…` as `ssh-keygen -lf` prints it.
    pub fingerprint: String,
}

impl KeyInfo {
    /// The row the store keeps for this key.
    pub fn as_new_key<'a>(&'a self, comment: Option<&'a str>) -> users::NewKey<'a> {
        users::NewKey {
            algorithm: &self.algorithm,
            public_key: &self.openssh,
            fingerprint: &self.fingerprint,
            comment,
        }
    }

    /// Parses one line in `authorized_keys` format (options allowed before the key); returns
    /// the key and its comment.
    pub fn parse_authorized(line: &str) -> Result<(KeyInfo, String)> {
        let entry: russh::keys::ssh_key::authorized_keys::Entry = line
            .trim()
            .parse()
            .map_err(|e: russh::keys::ssh_key::Error| ServiceError::BadKey(e.to_string()))?;
        let key = entry.public_key();
        Ok((
            KeyInfo::from_public_key(key),
            crate::sanitize::line(key.comment().as_str_lossy())
                .trim()
                .to_string(),
        ))
    }

    pub fn from_public_key(key: &russh::keys::PublicKey) -> KeyInfo {
        let mut key = key.clone();
        key.set_comment("");
        KeyInfo {
            algorithm: key.algorithm().as_str().to_string(),
            openssh: key.to_openssh().unwrap_or_default().trim().to_string(),
            fingerprint: key.fingerprint(russh::keys::HashAlg::Sha256).to_string(),
        }
    }
}

/// A post that was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub thread: ThreadId,
    pub post: PostId,
    /// Held for a moderator's approval (a watched word): nobody sees it yet.
    pub held: bool,
}

/// What a moderator can do to the author of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanction {
    Warn,
    /// Read-only for this many seconds.
    Silence(i64),
    /// Banned for this many seconds, or until lifted.
    Ban(Option<i64>),
}

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

/// What a key's owner gets at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Member {
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

/// What `import_keys` did, line by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub keys_added: usize,
    /// (line number, reason) for each refused line.
    pub refused: Vec<(usize, String)>,
}

/// Distinct trusted reporters that hide a post until a moderator reviews it.
pub const AUTO_HIDE_REPORTS: i64 = 3;

const UNMASK_KEYS: &str = "An unmask request is confirmed with a or declined with x.";

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

/// Audit entries per page of the moderators' audit screen.
pub const AUDIT_PAGE: i64 = 100;

/// Longest safety plan: room for a real plan, not a place to store files.
pub const PLAN_MAX: usize = 8_000;

/// Recovery codes made at sign-up (and on request), shown once.
pub const RECOVERY_CODES: usize = 10;

/// Posts per page in a thread.
pub const POSTS_PER_PAGE: i64 = 20;

/// The use cases. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    store: Arc<Store>,
    hub: Hub,
    config: Arc<Config>,
    assets: Arc<Assets>,
    clock: Arc<Clock>,
    read_marks: read_marks::ReadMarks,
}

/// The clock that decides when silences and bans end: the wall clock, plus an offset that only
/// tests move (an hour's silence is tested without waiting an hour).
#[derive(Debug, Default)]
pub struct Clock {
    offset: std::sync::atomic::AtomicI64,
}

impl Clock {
    pub fn now(&self) -> i64 {
        store::now() + self.offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves this service's time forward (tests).
    pub fn advance(&self, secs: i64) {
        self.offset
            .fetch_add(secs, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Service {
    pub fn new(store: Arc<Store>, hub: Hub, config: Arc<Config>, assets: Arc<Assets>) -> Service {
        Service {
            store,
            hub,
            config,
            assets,
            clock: Arc::default(),
            read_marks: read_marks::ReadMarks::default(),
        }
    }

    /// The policy's answer for `actor` now (by this service's clock).
    fn can(&self, actor: &User, action: Action<'_>) -> Result<(), Denied> {
        policy::can(actor, action, self.clock.now())
    }

    /// Why a screen should not offer `action` (open a composer) to `actor`, if it should not.
    /// A silence is the one refusal that does not close the composer: it ends by itself, so a
    /// silenced member may write a draft, and the policy refuses the post until it is over.
    fn offer(&self, actor: &User, action: Action<'_>) -> Option<Denied> {
        self.can(actor, action)
            .err()
            .filter(|d| !matches!(d, Denied::Silenced(_)))
    }

    /// The clock silences and bans are measured by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn assets(&self) -> &Assets {
        &self.assets
    }
    pub fn hub(&self) -> &Hub {
        &self.hub
    }
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Start-up work: seed the boards on first start and, while no sysop exists, make a fresh
    /// sysop claim code (replacing any earlier one, so the code in the current log is the one
    /// that works). Returns the code, to be printed once.
    pub fn initialise(&self, claim: bool) -> Result<Option<String>> {
        let seeds = self.config.boards.clone();
        self.store.write(|c| boards::seed(c, &seeds))?;
        if !claim {
            return Ok(None);
        }
        let needs_claim = self.store.write(|c| {
            let has_sysop: bool = c
                .prepare("SELECT 1 FROM users WHERE role = 'sysop' AND status = 'active'")?
                .exists([])?;
            Ok(!has_sysop)
        })?;
        if !needs_claim {
            return Ok(None);
        }
        let code = claim_code();
        let hash = hash_secret(&code);
        self.store
            .write(|c| meta::set(c, meta::SYSOP_CLAIM, &hash))?;
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
        Ok(self.store.write(|c| {
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
            users::touch_last_seen(c, user.id)?;
            users::touch_key(c, key_id)?;
            audit::record(c, Some(user.id), AuditAction::Login, None, None, None)?;
            Ok(Login::Member { user, key_id })
        })?)
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
    fn current(&self, actor: &User) -> Result<User> {
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

    fn member(&self, handle: &str) -> Result<User> {
        self.store
            .read(|c| users::by_handle(c, handle))?
            .ok_or_else(|| ServiceError::NoSuchMember(crate::sanitize::line(handle)))
    }

    /// Creates a member for a key (admin CLI), with the same handle rules as sign-up.
    pub fn add_user(&self, handle: &str, key: &KeyInfo, role: Role) -> Result<User> {
        let handle = validate::handle(handle)?;
        let (g, p) = (self.assets.guidelines.version, self.assets.privacy.version);
        Ok(self.store.write(|c| {
            let created = users::create(c, &handle, role, &key.as_new_key(None), g, p)?;
            if let Ok(u) = &created {
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
            }
            Ok(created)
        })??)
    }

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
        self.store.write(|c| {
            users::set_role(c, target.id, role)?;
            record_member_change(
                c,
                actor.map(|a| a.id),
                AuditAction::RoleChanged,
                target.id,
                Some(&format!(
                    "{} → {}: {reason}",
                    target.role.as_str(),
                    role.as_str()
                )),
            )
        })?;
        self.hub.poke();
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
        self.store.write(|c| {
            users::set_status(c, target.id, AccountStatus::Banned, until)?;
            // In the member's record, with its reason: what they are shown when they connect.
            store::sanctions::add(c, target.id, "ban", &reason, actor.map(|a| a.id), until)?;
            record_member_change(
                c,
                actor.map(|a| a.id),
                AuditAction::Banned,
                target.id,
                Some(&reason),
            )
        })?;
        self.hub.poke();
        Ok(target)
    }

    pub fn unban(&self, actor: Option<&User>, handle: &str, reason: &str) -> Result<User> {
        let target = self.member(handle)?;
        let reason = crate::sanitize::line(reason);
        self.store.write(|c| {
            users::set_status(c, target.id, AccountStatus::Active, None)?;
            audit::record(
                c,
                actor.map(|a| a.id),
                AuditAction::Unbanned,
                Some("user"),
                Some(target.id.0),
                Some(&reason),
            )
        })?;
        Ok(target)
    }

    /// A member's keys.
    pub fn keys(&self, user: UserId) -> Result<Vec<KeyRecord>> {
        Ok(self.store.read(|c| users::keys(c, user))?)
    }

    /// Adds a key to a member (the member themselves, or a sysop for them).
    pub fn add_key(
        &self,
        actor: Option<&User>,
        target: UserId,
        key: &KeyInfo,
        comment: Option<&str>,
    ) -> Result<i64> {
        let comment = comment.map(crate::sanitize::line);
        Ok(self.store.write(|c| {
            let id = users::add_key(c, target, &key.as_new_key(comment.as_deref()))?;
            if id.is_ok() {
                audit::record(
                    c,
                    actor.map(|a| a.id),
                    AuditAction::KeyAdded,
                    Some("user"),
                    Some(target.0),
                    Some(&key.fingerprint),
                )?;
            }
            Ok(id)
        })??)
    }

    /// Adds a key to the member called `handle` (admin CLI).
    pub fn add_key_to(&self, handle: &str, key: &KeyInfo) -> Result<User> {
        let target = self.member(handle)?;
        self.add_key(None, target.id, key, None)?;
        Ok(target)
    }

    /// Revokes a key; sessions that logged in with it close at once.
    pub fn revoke_key(&self, actor: Option<&User>, target: UserId, key_id: i64) -> Result<()> {
        self.store.write(|c| {
            let fingerprint = users::keys(c, target)?
                .into_iter()
                .find(|k| k.id == key_id)
                .map(|k| k.fingerprint);
            let r = users::revoke_key(c, target, key_id)?;
            if r.is_ok() {
                record_member_change(
                    c,
                    actor.map(|a| a.id),
                    AuditAction::KeyRevoked,
                    target,
                    fingerprint.as_deref(),
                )?;
            }
            Ok(r)
        })??;
        self.hub.poke();
        Ok(())
    }

    /// Imports `authorized_keys` text: one member per line, named by the key's comment, or the
    /// key added to the member of that name. One transaction for the whole file.
    pub fn import_keys(&self, text: &str) -> Result<ImportReport> {
        let (g, p) = (self.assets.guidelines.version, self.assets.privacy.version);
        let mut report = ImportReport::default();
        let mut parsed = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match KeyInfo::parse_authorized(line) {
                Ok((key, comment)) if comment.is_empty() => {
                    let _ = key;
                    report
                        .refused
                        .push((n, "no comment to take the handle from".into()));
                }
                Ok((key, comment)) => parsed.push((n, key, comment)),
                Err(e) => report.refused.push((n, e.to_string())),
            }
        }
        let report = self.store.write(move |c| {
            for (n, key, handle) in parsed {
                let new = key.as_new_key(None);
                if let Some(existing) = users::by_handle(c, &handle)? {
                    match users::add_key(c, existing.id, &new)? {
                        Ok(_) => {
                            audit::record(
                                c,
                                None,
                                AuditAction::KeyAdded,
                                Some("user"),
                                Some(existing.id.0),
                                Some(&key.fingerprint),
                            )?;
                            report.keys_added += 1;
                        }
                        Err(e) => report.refused.push((n, e.to_string())),
                    }
                    continue;
                }
                let handle = match validate::handle(&handle) {
                    Ok(h) => h,
                    Err(e) => {
                        report.refused.push((n, format!("{handle:?}: {e}")));
                        continue;
                    }
                };
                match users::create(c, &handle, Role::Member, &new, g, p)? {
                    Ok(u) => {
                        audit::record(
                            c,
                            None,
                            AuditAction::SignUp,
                            Some("user"),
                            Some(u.id.0),
                            Some("imported"),
                        )?;
                        report.created += 1;
                    }
                    Err(e) => report.refused.push((n, format!("{handle:?}: {e}"))),
                }
            }
            report.refused.sort();
            Ok(report)
        })?;
        Ok(report)
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
        self.store.write(|c| {
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
                return Ok(Err(ServiceError::NotFound(target_kind)));
            };
            audit::record(
                c,
                Some(actor.id),
                audit_action,
                Some(target_kind),
                Some(target_id),
                Some(&reason),
            )?;
            events::thread_changed(c, board, thread)?;
            Ok(Ok(()))
        })??;
        self.hub.poke();
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
        self.store.write(|c| {
            let Some(to) = boards::by_slug(c, slug)? else {
                return Ok(Err(ServiceError::BadBoard(format!(
                    "no board called {slug:?}"
                ))));
            };
            let Some(from) = posts::move_thread(c, thread, to)? else {
                return Ok(Err(ServiceError::NotFound("thread")));
            };
            audit::record(
                c,
                Some(actor.id),
                AuditAction::ThreadMoved,
                Some("thread"),
                Some(thread.0),
                Some(&format!("to {slug}: {reason}")),
            )?;
            events::thread_changed(c, from, thread)?;
            events::thread_changed(c, to, thread)?;
            Ok(Ok(()))
        })??;
        self.hub.poke();
        Ok(format!("Thread moved to {slug}."))
    }

    /// Lifts a member's silence (sysops by CLI, with a reason); their sessions follow at once.
    pub fn unsilence(&self, actor: Option<&User>, handle: &str, reason: &str) -> Result<User> {
        let target = self.member(handle)?;
        let reason = crate::sanitize::line(reason);
        self.store.write(|c| {
            users::set_silenced_until(c, target.id, None)?;
            store::reports::notify(c, target.id, "moderator", "Your account can post again.")?;
            record_member_change(
                c,
                actor.map(|a| a.id),
                AuditAction::Unsilenced,
                target.id,
                Some(&reason),
            )
        })?;
        self.hub.poke();
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
            self.store.write(|c| {
                store::sanctions::tell_author(c, &author, "warning", &reason, actor.id, &told)?;
                audit::record(
                    c,
                    Some(actor.id),
                    AuditAction::Warned,
                    Some("post"),
                    Some(post.0),
                    Some(&reason),
                )
            })?;
            self.hub.poke();
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
        self.store.write(|c| {
            store::sanctions::add(c, author, kind, &reason, Some(actor.id), until)?;
            match sanction {
                Sanction::Warn => {}
                Sanction::Silence(_) => users::set_silenced_until(c, author, until)?,
                Sanction::Ban(_) => users::set_status(c, author, AccountStatus::Banned, until)?,
            }
            if !told.is_empty() {
                store::reports::notify(c, author, "moderator", &told)?;
            }
            record_member_change(c, Some(actor.id), audit_action, author, Some(&reason))
        })?;
        self.hub.poke();
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
        self.store.write(|c| {
            store::reports::appeal(c, user.id, &text)?;
            audit::record(
                c,
                Some(user.id),
                AuditAction::Appealed,
                Some("user"),
                Some(user.id.0),
                None,
            )
        })?;
        Ok("Your appeal is with the moderators. You will hear back.".into())
    }

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
                    .read(|c| posts::thread_page(c, &Reader::of(&reporter), thread, 0, 1, false))?
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
        let filed = self.store.write(|c| {
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
        self.hub.poke();
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
    pub fn set_report_bell(&self, user: &User, on: bool) -> Result<String> {
        self.can(&self.current(user)?, Action::Moderate)?;
        self.store
            .write(|c| users::set_report_bell(c, user.id, on))?;
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
        self.store
            .write(|c| store::reports::claim(c, target, claim.then_some(actor.id)))?;
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
        self.store.write(|c| {
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
            audit::record(
                c,
                Some(actor.id),
                AuditAction::ReportResolved,
                Some(kind),
                Some(id),
                Some(&outcome),
            )
        })?;
        self.hub.poke();
        Ok("Resolved; the reporters are told the outcome.".into())
    }

    /// System messages waiting for the member (e.g. report outcomes), marked read.
    pub fn take_notices(&self, user: &User) -> Result<Vec<String>> {
        Ok(self
            .store
            .write(|c| store::reports::take_notices(c, user.id))?)
    }

    /// Trust level 1 comes with time and reading (DESIGN.md §7), checked when it matters.
    fn promote_if_due(&self, user: User) -> Result<User> {
        let p = &self.config.posting;
        if user.trust_level > 0 || store::now() - user.created_at < p.trusted_after_days * 86_400 {
            return Ok(user);
        }
        self.flush_read_marks_of(user.id)?;
        let read = self.store.read(|c| store::pace::threads_read(c, user.id))?;
        if read < p.trusted_after_threads_read {
            return Ok(user);
        }
        self.store.write(|c| {
            store::pace::set_trust_level(c, user.id, 1)?;
            audit::record(
                c,
                None,
                AuditAction::RoleChanged,
                Some("user"),
                Some(user.id.0),
                Some("trust level 0 → 1"),
            )
        })?;
        Ok(User {
            trust_level: 1,
            ..user
        })
    }

    /// Rate limits (DESIGN.md §7): everyone waits a little between posts; new members wait
    /// longer and post less on their first day; the same text twice in a row is refused. The
    /// refusal says when to try again and points to help, and the draft is kept.
    fn check_pace(&self, author: &User, place: DraftPlace, body: &str) -> Result<()> {
        let p = &self.config.posting;
        let now = store::now();
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
            let (threads, replies) = self
                .store
                .read(|c| store::pace::counts_since(c, author.id, author.created_at))?;
            let over = match place {
                DraftPlace::NewThread(_) => threads >= p.first_day_threads,
                DraftPlace::Reply(..) => replies >= p.first_day_replies,
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

    /// Deletes audit-log and security-event rows past the retention setting, and old live
    /// events; records that it did. Returns how many audit rows went.
    pub fn purge(&self) -> Result<usize> {
        let before = store::now() - self.config.audit_retention_days * 86_400;
        let days = self.config.audit_retention_days;
        Ok(self.store.write(|c| {
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
        })?)
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
            self.config.registration
        };
        let invite = invite
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if mode == RegistrationMode::Invite {
            match &invite {
                None => return Err(ServiceError::InviteNeeded),
                Some(code) => {
                    if !self.store.read(|c| invites::valid(c, code))? {
                        return Err(ServiceError::BadInvite);
                    }
                }
            }
        }
        let (g, p) = (self.assets.guidelines.version, self.assets.privacy.version);
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| claim_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| hash_secret(c)).collect();
        let user = self.store.write(|c| {
            let created = users::create(c, &handle, role, &key.as_new_key(None), g, p)?;
            if let Ok(u) = &created {
                if mode == RegistrationMode::Invite
                    && !invites::redeem(c, invite.as_deref().unwrap_or_default(), u.id)?
                {
                    // Used up by someone else since the check: undo by failing the transaction.
                    return Err(StoreError::Corrupt("invite code raced".into()));
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
            }
            Ok(created)
        })??;
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
            self.store.write(|c| {
                audit::record(
                    c,
                    None,
                    AuditAction::SecondFactorFailed,
                    Some("user"),
                    Some(user.id.0),
                    Some("wrong recovery code"),
                )
            })?;
            return Err(ServiceError::RecoveryFailed);
        };
        let left = codes.len() - 1;
        self.store.write(|c| {
            if !recovery::use_code(c, *code_id)? {
                return Ok(Err(ServiceError::RecoveryFailed));
            }
            let added = users::add_key(
                c,
                user.id,
                &key.as_new_key(Some("added with a recovery code")),
            )?;
            if let Err(e) = added {
                return Ok(Err(ServiceError::Key(e)));
            }
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
            Ok(Ok(()))
        })??;
        Ok((user, left))
    }

    /// Deletes the member's account (confirmed by typing their handle): see `store::erase`.
    /// Their sessions end at once; the erased text is gone from the data dir's files.
    pub fn delete_account(&self, user: &User, confirm: &str, erase_posts: bool) -> Result<()> {
        if validate::normalize_handle(confirm.trim()) != validate::normalize_handle(&user.handle) {
            return Err(ServiceError::ConfirmationMismatch);
        }
        self.store.write(|c| {
            store::erase::delete_account(c, user.id, erase_posts)?;
            record_member_change(
                c,
                Some(user.id),
                AuditAction::AccountDeleted,
                user.id,
                Some(if erase_posts {
                    "posts erased"
                } else {
                    "posts kept without a name"
                }),
            )
        })?;
        self.hub.poke();
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
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        Ok(text)
    }

    /// Blocks the author of a post, as the reader sees it. A named author is blocked everywhere;
    /// an anonymous one is hidden in that thread only, under their pseudonym (a block must
    /// never tell anyone who wrote an anonymous post). Returns what to tell the member, and
    /// whether the thread itself is now out of their sight (they blocked who started it). The
    /// blocked member is never told.
    pub fn block_author(&self, user: &User, post: PostId) -> Result<(String, bool)> {
        // Only the author of a post the member can see (a stale screen must not name anyone).
        self.store
            .read(|c| visibility::can_see_post(c, &Reader::of(user), post))?
            .ok_or(ServiceError::NotFound("post"))?;
        let (author, thread) = self
            .store
            .read(|c| blocks::post_author(c, post))?
            .ok_or(ServiceError::NotFound("post"))?;
        if author.is(user.id) {
            return Ok(("That is your own post.".into(), false));
        }
        let author = match author {
            PostAuthor::Gone => return Err(ServiceError::NotFound("author")),
            PostAuthor::Masked(masked) => {
                let name = self.store.write(|c| {
                    blocks::hide_pseudonym(c, user.id, thread, &masked)?;
                    visibility::pseudonym_in(c, thread, &masked)
                })?;
                return Ok((
                    format!("You will no longer see {name}'s posts in this thread."),
                    false,
                ));
            }
            PostAuthor::Named(id) => id,
        };
        let handle = self
            .user(author)?
            .map(|u| u.handle)
            .unwrap_or_else(|| visibility::DELETED_AUTHOR.to_string());
        self.store.write(|c| blocks::block(c, user.id, author))?;
        let their_thread = self
            .store
            .read(|c| posts::thread_started_by(c, thread, author))?;
        Ok((
            format!(
                "You blocked {}. You will not see their posts, threads or messages; they are not told.",
                crate::sanitize::line(&handle)
            ),
            their_thread,
        ))
    }

    /// Unblocks the member called `handle`; everything of theirs shows again.
    pub fn unblock(&self, user: &User, handle: &str) -> Result<String> {
        let target = self.member(handle)?;
        let done = self
            .store
            .write(|c| blocks::unblock(c, user.id, target.id))?;
        let name = crate::sanitize::line(&target.handle);
        Ok(if done {
            format!("You unblocked {name}.")
        } else {
            format!("You had not blocked {name}.")
        })
    }

    /// The handles the member blocked.
    pub fn blocked(&self, user: &User) -> Result<Vec<String>> {
        Ok(self.store.read(|c| blocks::list(c, user.id))?)
    }

    /// Most muted words a member keeps, and the longest one.
    pub const MUTED_MAX: usize = 100;
    pub const MUTED_WORD_MAX: usize = 60;

    pub fn muted_words(&self, user: &User) -> Result<Vec<String>> {
        Ok(self.store.read(|c| users::muted_words(c, user.id))?)
    }

    /// Replaces the member's muted words from a comma-separated list.
    pub fn set_muted_words(&self, user: &User, list: &str) -> Result<Vec<String>> {
        let mut words: Vec<String> = crate::sanitize::line(list)
            .split(',')
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().take(Self::MUTED_WORD_MAX).collect())
            .collect();
        words.sort();
        words.dedup();
        words.truncate(Self::MUTED_MAX);
        self.store
            .write(|c| users::set_muted_words(c, user.id, &words))?;
        Ok(words)
    }

    /// The member's own safety plan. Never logged, never shown to anyone else.
    pub fn safety_plan(&self, user: &User) -> Result<Option<String>> {
        Ok(self.store.read(|c| users::safety_plan(c, user.id))?)
    }

    /// Saves the member's safety plan (cleaned, capped; empty clears it). Never logged.
    pub fn set_safety_plan(&self, user: &User, text: &str) -> Result<()> {
        let text: String = crate::sanitize::multiline(text)
            .chars()
            .take(PLAN_MAX)
            .collect();
        let text = text.trim_end();
        let value = (!text.trim().is_empty()).then_some(text);
        Ok(self
            .store
            .write(|c| users::set_safety_plan(c, user.id, value))?)
    }

    /// Which documents changed since the member last accepted them.
    pub fn documents_due(&self, user: UserId) -> Result<(bool, bool)> {
        let (g, p) = self.store.read(|c| users::accepted_versions(c, user))?;
        Ok((
            g < self.assets.guidelines.version,
            p < self.assets.privacy.version,
        ))
    }

    /// Records that the member accepted the current documents.
    pub fn accept_documents(&self, user: &User) -> Result<()> {
        let (g, p) = (self.assets.guidelines.version, self.assets.privacy.version);
        self.store.write(|c| {
            users::accept_versions(c, user.id, g, p)?;
            audit::record(
                c,
                Some(user.id),
                AuditAction::DocumentsAccepted,
                None,
                None,
                Some(&format!("guidelines v{g}, privacy v{p}")),
            )
        })?;
        Ok(())
    }

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
        Ok(self.config.require_2fa_for_staff && user.role.is_staff() && !self.has_totp(user.id)?)
    }

    /// Starts an enrolment: a new secret, its URI and QR code. Nothing is stored yet.
    pub fn totp_setup(&self, user: &User) -> TotpSetup {
        let secret = crate::domain::totp::new_secret();
        let uri = crate::domain::totp::uri(&secret, &user.handle, &self.config.name);
        TotpSetup {
            secret_text: crate::domain::totp::secret_text(&secret),
            qr: crate::domain::totp::qr_lines(&uri),
            uri,
            secret,
        }
    }

    /// Finishes an enrolment: the code proves the app has the secret.
    pub fn enable_totp(&self, user: &User, secret: &[u8], code: &str) -> Result<()> {
        let now = store::now();
        let step =
            crate::domain::totp::verify(secret, code, now as u64).ok_or(ServiceError::WrongCode)?;
        self.store.write(|c| {
            users::set_totp(c, user.id, Some(secret), Some(step as i64))?;
            audit::record(
                c,
                Some(user.id),
                AuditAction::SecondFactorEnabled,
                Some("user"),
                Some(user.id.0),
                None,
            )
        })?;
        Ok(())
    }

    /// Turns the second factor off, given a current code. Staff must keep theirs.
    pub fn disable_totp(&self, user: &User, code: &str) -> Result<()> {
        if self.config.require_2fa_for_staff && user.role.is_staff() {
            return Err(ServiceError::SecondFactorRequired);
        }
        match self.second_factor(user.id, code)? {
            SecondFactor::Accepted | SecondFactor::RecoveryCodeUsed(_) => {}
            SecondFactor::Wrong | SecondFactor::Locked(_) => return Err(ServiceError::WrongCode),
        }
        self.store.write(|c| {
            users::set_totp(c, user.id, None, None)?;
            audit::record(
                c,
                Some(user.id),
                AuditAction::SecondFactorDisabled,
                Some("user"),
                Some(user.id.0),
                None,
            )
        })?;
        Ok(())
    }

    /// Checks a second-factor code at login: a TOTP code (each step accepted once; five wrong
    /// in a row lock it for fifteen minutes) or, always, one of the member's recovery codes.
    pub fn second_factor(&self, user: UserId, code: &str) -> Result<SecondFactor> {
        let now = store::now();
        let Some(state) = self.store.read(|c| users::totp(c, user))? else {
            return Ok(SecondFactor::Accepted);
        };
        let code = code.trim();
        // A recovery code (letters and dashes) works even while locked.
        if code.len() > 8 {
            let codes = self.store.read(|c| recovery::unused(c, user))?;
            if let Some((id, _)) = codes.iter().find(|(_, h)| verify_secret(code, h)) {
                let used = self.store.write(|c| {
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
                self.store
                    .write(|c| users::totp_accepted(c, user, Some(step)))?;
                Ok(SecondFactor::Accepted)
            }
            // Wrong, or a replay of an already accepted code.
            _ => {
                let failures = state.failures + 1;
                let locked = (failures >= TOTP_MAX_FAILURES).then_some(now + TOTP_LOCK_SECONDS);
                self.store.write(|c| {
                    users::totp_failed(
                        c,
                        user,
                        if locked.is_some() { 0 } else { failures },
                        locked,
                    )?;
                    audit::record(
                        c,
                        Some(user),
                        AuditAction::SecondFactorFailed,
                        Some("user"),
                        Some(user.0),
                        None,
                    )
                })?;
                Ok(match locked {
                    Some(t) => SecondFactor::Locked(t),
                    None => SecondFactor::Wrong,
                })
            }
        }
    }

    /// Makes a one-time invite code, valid for `days` (moderators in the TUI, sysops by CLI).
    pub fn create_invite(&self, actor: Option<&User>, days: i64) -> Result<(String, i64)> {
        if let Some(a) = actor {
            self.can(&self.current(a)?, Action::ManageMembers)?;
        }
        let code = claim_code();
        let expires = store::now() + days.clamp(1, 365) * 86_400;
        self.store.write(|c| {
            invites::create(c, &code, actor.map(|a| a.id), expires)?;
            audit::record(
                c,
                actor.map(|a| a.id),
                AuditAction::InviteCreated,
                None,
                None,
                None,
            )
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

    /// A moderator approves (shows) or rejects (keeps hidden) a post held for approval, and
    /// resolves its queue entry.
    pub fn decide_held(&self, actor: &User, post: PostId, approve: bool) -> Result<String> {
        let actor = self.current(actor)?;
        self.can(&actor, Action::Moderate)?;
        self.store.write(|c| {
            let Some((board, thread)) = posts::decide_held(c, post, approve)? else {
                return Ok(Err(ServiceError::NotFound("held post")));
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
            Ok(Ok(()))
        })??;
        self.hub.poke();
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

    /// Approves a waiting account (it becomes active at once, in its open sessions too) or
    /// rejects it (the account is deleted, like a member deleting their own).
    pub fn decide_pending(&self, actor: &User, member: UserId, approve: bool) -> Result<()> {
        self.can(&self.current(actor)?, Action::ManageMembers)?;
        let status = self.store.read(|c| users::status(c, member))?;
        if !matches!(status, Some((AccountStatus::Pending, _))) {
            return Err(ServiceError::NotFound("waiting account"));
        }
        self.store.write(|c| {
            if approve {
                users::set_status(c, member, AccountStatus::Active, None)?;
            } else {
                store::erase::delete_account(c, member, true)?;
            }
            record_member_change(
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
            )
        })?;
        self.hub.poke();
        Ok(())
    }

    /// The row id of a registered key.
    pub fn key_id(&self, key: &KeyInfo) -> Result<Option<i64>> {
        Ok(self
            .store
            .read(|c| users::account_by_key(c, &key.openssh))?
            .map(|o| o.key_id))
    }

    /// New recovery codes for a member; the old ones stop working.
    pub fn regenerate_recovery_codes(&self, user: &User) -> Result<Vec<String>> {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| claim_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| hash_secret(c)).collect();
        self.store.write(|c| {
            recovery::replace(c, user.id, &hashes)?;
            audit::record(
                c,
                Some(user.id),
                AuditAction::RecoveryCodesRegenerated,
                Some("user"),
                Some(user.id.0),
                None,
            )
        })?;
        Ok(codes)
    }

    /// Adds a sysop directly (admin CLI), consuming any pending claim.
    pub fn add_sysop(&self, handle: &str, key: &KeyInfo) -> Result<User> {
        self.add_user(handle, key, Role::Sysop)
    }

    /// The boards `reader` may read (the welcome board only, while awaiting approval), each
    /// with whether the policy lets them start a thread there.
    pub fn boards(&self, reader: &User) -> Result<Vec<Board>> {
        self.try_flush_read_marks(reader.id);
        let mut list = self.store.read(|c| boards::list(c, &Reader::of(reader)))?;
        for b in &mut list {
            b.start_refused = self.offer(reader, Action::StartThread(b));
        }
        Ok(list)
    }

    /// A board, if `reader` may read it.
    pub fn board(&self, reader: &User, board: BoardId) -> Result<Board> {
        let mut b = self
            .store
            .read(|c| boards::by_id(c, &Reader::of(reader), board))?
            .ok_or(ServiceError::NotFound("board"))?;
        self.can(reader, Action::ReadBoard(&b))?;
        b.start_refused = self.offer(reader, Action::StartThread(&b));
        Ok(b)
    }

    /// One page of a board's threads and the board's thread count.
    pub fn threads(
        &self,
        reader: &User,
        board: BoardId,
        offset: i64,
        limit: i64,
    ) -> Result<(Board, Vec<ThreadSummary>)> {
        let b = self.board(reader, board)?;
        self.try_flush_read_marks(reader.id);
        let list = self.store.read(|c| {
            posts::threads_page(
                c,
                &Reader::of(reader),
                board,
                offset.max(0),
                limit.clamp(1, 200),
            )
        })?;
        Ok((b, list))
    }

    /// A page of a thread, as the reader may see it; moderators also get hidden posts. A pure
    /// read: the read mark it moves is queued and written in a batch (see `read_marks`).
    pub fn thread(&self, reader: &User, thread: ThreadId, offset: i64) -> Result<ThreadPage> {
        let staff = reader.is_staff();
        let mut page = self
            .store
            .read(|c| {
                posts::thread_page(
                    c,
                    &Reader::of(reader),
                    thread,
                    offset.max(0),
                    POSTS_PER_PAGE,
                    staff,
                )
            })?
            .ok_or(ServiceError::NotFound("thread"))?;
        let board = self.board(reader, page.board_id)?;
        let state = policy::ThreadState {
            locked: page.locked,
        };
        page.reply_refused = self.offer(reader, Action::Reply(&board, state));
        page.edit_refused = self.offer(reader, Action::EditOwnPost(&board, state));
        // Posts with a word the reader muted arrive collapsed, like a content warning.
        let muted = self.store.read(|c| users::muted_words(c, reader.id))?;
        if !muted.is_empty() {
            let (first, title) = (page.posts_first_id(), page.title.clone());
            for post in &mut page.posts {
                let cw = post.content_warning.as_deref().unwrap_or_default();
                post.muted = muted.iter().any(|w| {
                    crate::domain::contains_word(&post.body, w)
                        || crate::domain::contains_word(cw, w)
                        || (post.id == first && crate::domain::contains_word(&title, w))
                });
            }
        }
        if staff {
            let ids: Vec<PostId> = page
                .posts
                .iter()
                .filter(|p| p.anonymous)
                .map(|p| p.id)
                .collect();
            if !ids.is_empty() {
                for (id, handle) in self
                    .store
                    .read(|c| store::unmask::unmasked_authors(c, &ids))?
                {
                    if let Some(p) = page.posts.iter_mut().find(|p| p.id == id) {
                        p.unmasked = Some(handle);
                    }
                }
            }
        }
        if let Some(last) = page.posts.last().map(|p| p.id)
            && page.read_mark.is_none_or(|m| m < last)
        {
            self.read_marks.queue(reader.id, thread, last);
        }
        Ok(page)
    }

    /// The offset of the page that holds `post`, if the reader may see it.
    pub fn page_of(&self, reader: &User, post: PostId) -> Result<Option<(ThreadId, i64)>> {
        Ok(self
            .store
            .read(|c| posts::post_position(c, &Reader::of(reader), post))?
            .map(|(t, i)| (t, i - i % POSTS_PER_PAGE)))
    }

    pub fn load_draft(&self, user: &User, place: DraftPlace) -> Result<Option<Draft>> {
        Ok(self.store.read(|c| drafts::load(c, user.id, place))?)
    }

    pub fn save_draft(&self, user: &User, place: DraftPlace, draft: &Draft) -> Result<()> {
        Ok(self
            .store
            .write(|c| drafts::save(c, user.id, place, draft))?)
    }

    /// Posts a draft: a new thread or a reply. On success the draft is deleted in the same
    /// transaction; on any failure it is kept (saved first), so nothing the member wrote is lost.
    pub fn post(&self, author: &User, place: DraftPlace, draft: &Draft) -> Result<Posted> {
        self.save_draft(author, place, draft)?;
        // Rights as they are now (a ban, silence or role change elsewhere applies at once).
        let author = &self.promote_if_due(self.current(author)?)?;
        // A reply goes to the board its thread is on now (it may have moved since the
        // composer opened).
        let board = match place {
            DraftPlace::NewThread(b) => b,
            DraftPlace::Reply(_, t) => {
                self.store
                    .read(|c| posts::thread_state(c, t))?
                    .ok_or(ServiceError::NotFound("thread"))?
                    .0
            }
        };
        let board = self.board(author, board)?;
        let now = self.clock.now();
        // The policy answers before anything is checked against the text, so a refusal names
        // the real reason (a silence, a read-only board) rather than a rate limit.
        match place {
            DraftPlace::NewThread(_) => self.can(author, Action::StartThread(&board))?,
            DraftPlace::Reply(..) => self.can(
                author,
                Action::Reply(&board, policy::ThreadState::default()),
            )?,
        }
        if draft.anonymous {
            self.can(author, Action::PostAnonymously(&board))?;
        }
        let body = validate::body(&draft.body)?;
        self.check_pace(author, place, &body)?;
        // Watched words (bbs.toml): refused, held for approval, or posted and flagged.
        let watched = &self.config.watched;
        let text = format!("{} {} {}", draft.title, draft.content_warning, body);
        if let Some(word) = crate::domain::watched_word(&text, &watched.block) {
            return Err(ServiceError::Watched(word.to_string()));
        }
        let held =
            !author.is_staff() && crate::domain::watched_word(&text, &watched.approve).is_some();
        let flagged = crate::domain::watched_word(&text, &watched.flag).map(str::to_string);
        let cw = crate::sanitize::line(&draft.content_warning)
            .trim()
            .to_string();
        let cw = (!cw.is_empty()).then_some(cw);
        let new = posts::NewPost {
            author: author.id,
            body: &body,
            content_warning: cw.as_deref(),
            anonymous: draft.anonymous,
            held,
        };
        let (thread, post) = match place {
            DraftPlace::NewThread(b) => {
                let title = validate::title(&draft.title)?;
                self.store.write(|c| {
                    let ids = posts::create_thread(c, b, &title, &new)?;
                    drafts::delete(c, author.id, place)?;
                    Ok(ids)
                })?
            }
            DraftPlace::Reply(_, t) => {
                // The thread's state is read in the same transaction that writes the reply, so
                // a lock made a moment ago applies, by the same policy the screen asked.
                let id = self.store.write(|c| {
                    let Some((_, locked)) = posts::thread_state(c, t)? else {
                        return Ok(Err(ServiceError::NotFound("thread")));
                    };
                    let state = policy::ThreadState { locked };
                    if let Err(denied) = policy::can(author, Action::Reply(&board, state), now) {
                        return Ok(Err(denied.into()));
                    }
                    let id = posts::reply(c, t, &new)?;
                    drafts::delete(c, author.id, place)?;
                    Ok(Ok(id))
                })??;
                (t, id)
            }
        };
        // The post is out: a failure to notify is logged, never reported as a failed post.
        if !held && let Err(e) = self.notify_post(post, &body) {
            tracing::warn!(error = %e, "notifying about a post failed");
        }
        if held || flagged.is_some() {
            self.store.write(|c| {
                if held {
                    store::reports::system_report(c, post, "held for approval")?;
                }
                if let Some(word) = &flagged {
                    store::reports::system_report(c, post, &format!("watched word: {word}"))?;
                }
                Ok(())
            })?;
        }
        self.hub.poke();
        Ok(Posted { thread, post, held })
    }
}

/// Records a change to a member in the audit log and tells their open sessions (in any
/// process) to re-check themselves: a ban, a role, a key, a silence takes effect at once.
fn record_member_change(
    c: &rusqlite::Connection,
    actor: Option<UserId>,
    action: AuditAction,
    target: UserId,
    reason: Option<&str>,
) -> store::Result<()> {
    audit::record(c, actor, action, Some("user"), Some(target.0), reason)?;
    events::append(c, EventKind::UserChanged, None, None, None, Some(target))
}

/// A sysop claim code: 3 groups of 4 from an alphabet without look-alikes.
fn claim_code() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut code = String::new();
    for group in 0..3 {
        if group > 0 {
            code.push('-');
        }
        for _ in 0..4 {
            code.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
        }
    }
    code
}

/// Hashes a secret (claim codes, later invites and recovery codes) with argon2id.
pub fn hash_secret(secret: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    let hash: Result<argon2::password_hash::phc::PasswordHash, _> =
        argon2::Argon2::default().hash_password(normalize_code(secret).as_bytes());
    hash.map(|h| h.to_string()).unwrap_or_default()
}

/// Checks a secret against its argon2id hash.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(normalize_code(secret).as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Codes are typed by people: ignore case, spaces and dashes.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Current time, re-exported for the UI's relative times.
pub fn now() -> i64 {
    store::now()
}

#[cfg(test)]
mod view_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> (tempfile::TempDir, Service) {
        service_with(|_| {})
    }

    fn service_with(change: impl FnOnce(&mut Config)) -> (tempfile::TempDir, Service) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            encryption: crate::config::Encryption::None,
            ..Config::default()
        };
        change(&mut config);
        let opened = crate::boot::open(config, false).expect("open");
        (dir, opened.service)
    }

    fn draft(title: &str, body: &str) -> Draft {
        Draft {
            title: title.into(),
            body: body.into(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_new_member_is_slowed_gently_and_never_loses_the_draft() {
        let (_d, s) = service();
        let m = s.add_user("newcomer", &key(), Role::Member).expect("add");
        let place = DraftPlace::NewThread(BoardId(1));
        let thread = s
            .post(&m, place, &draft("first", "hello"))
            .expect("first post")
            .thread;
        let reply = DraftPlace::Reply(BoardId(1), thread);
        match s.post(&m, reply, &draft("", "too soon")) {
            Err(ServiceError::SlowDown(text)) => {
                assert!(
                    text.contains("again in") && text.contains("Help now"),
                    "{text}"
                );
            }
            other => panic!("expected a slow-down, got {other:?}"),
        }
        let kept = s.load_draft(&m, reply).expect("draft").map(|d| d.body);
        assert_eq!(kept, Some("too soon".into()));
    }

    #[test]
    fn first_day_limits_and_duplicates_are_refused_and_trust_lifts_the_limits() {
        let (_d, s) = service_with(|c| {
            c.posting.new_member_post_interval = 0;
            c.posting.new_member_thread_interval = 0;
            c.posting.post_interval = 0;
            c.posting.first_day_threads = 1;
            c.posting.trusted_after_days = 0;
            c.posting.trusted_after_threads_read = 1;
        });
        let m = s.add_user("eager", &key(), Role::Member).expect("add");
        let board = DraftPlace::NewThread(BoardId(1));
        let t = s.post(&m, board, &draft("one", "a")).expect("first").thread;
        let second = s.post(&m, board, &draft("two", "b"));
        assert!(
            matches!(second, Err(ServiceError::SlowDown(ref t)) if t.contains("first day")),
            "{second:?}"
        );
        let reply = DraftPlace::Reply(BoardId(1), t);
        s.post(&m, reply, &draft("", "same words")).expect("reply");
        let again = s.post(&m, reply, &draft("", "same words"));
        assert!(
            matches!(again, Err(ServiceError::SlowDown(ref t)) if t.contains("just posted")),
            "{again:?}"
        );
        // Reading, not posting, is what earns trust.
        let elder = s.add_user("elder", &key(), Role::Member).expect("add");
        let t2 = s
            .post(&elder, board, &draft("by elder", "x"))
            .expect("elder")
            .thread;
        s.thread(&m, t2, 0).expect("read");
        let third = s.post(&m, board, &draft("three", "c"));
        assert!(
            third.is_ok(),
            "trust level 1 lifts the first-day limit: {third:?}"
        );
        assert_eq!(s.user(m.id).expect("user").map(|u| u.trust_level), Some(1));
    }

    fn key() -> KeyInfo {
        let k = russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519)
            .expect("key");
        KeyInfo::from_public_key(k.public_key())
    }

    #[test]
    fn a_demoted_moderator_cannot_act_on_a_stale_copy_of_their_account() {
        let (_d, s) = service();
        let moderator = s
            .add_user("watchful", &key(), Role::Moderator)
            .expect("add");
        assert!(s.create_invite(Some(&moderator), 7).is_ok());
        s.set_role(None, "watchful", Role::Member, "stepped down")
            .expect("demote");
        // `moderator` still says Moderator: the service must not believe it.
        assert!(matches!(
            s.create_invite(Some(&moderator), 7),
            Err(ServiceError::Denied(Denied::StaffOnly))
        ));
        assert!(matches!(
            s.pending_accounts(&moderator),
            Err(ServiceError::Denied(Denied::StaffOnly))
        ));
        assert!(matches!(
            s.audit_for(&moderator, 0, ""),
            Err(ServiceError::Denied(Denied::StaffOnly))
        ));
    }

    #[test]
    fn a_banned_member_cannot_post_from_an_open_session() {
        let (_d, s) = service();
        let member = s.add_user("poster", &key(), Role::Member).expect("add");
        s.ban(None, "poster", None, "test").expect("ban");
        let draft = Draft {
            title: "t".into(),
            body: "b".into(),
            ..Draft::default()
        };
        let r = s.post(&member, DraftPlace::NewThread(BoardId(1)), &draft);
        assert!(r.is_err(), "{r:?}");
    }
}
