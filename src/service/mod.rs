//! Use cases: what members, the console and the admin CLI can do. Each one applies the policy,
//! validates and sanitises input, calls the store and pokes the live hub. The same service
//! serves SSH sessions, the console and `bbs admin`, so every rule lives in one place.
//!
//! Methods are synchronous (they call SQLite); async callers run them with `spawn_blocking`.
//! Each topic is one file with one `impl Service`; every write goes through [`Service::write`]
//! (docs/ARCHITECTURE.md, "The life of a key press", step 5, and "Where to start").

mod accounts;
mod announce;
pub use announce::ANNOUNCE_MAX;
mod backups;
pub use backups::{Made as BackupMade, PURGE_EVERY, backup_name, backup_time, utc_stamp};
mod board_admin;
mod edits;
mod keys;
mod members;
mod messages;
mod moderation;
mod notifications;
mod pace;
mod posting;
mod read_marks;
mod reading;
mod reports;
mod safety;
mod sanctions;
mod search;
pub use search::{Query, SEARCH_PAGE, parse as parse_search};
mod second_factor;
mod secrets;
mod stats;
pub use stats::{STATS_HOURS, STATS_REPORTS, Stats};
mod unmask;

use std::sync::{Arc, PoisonError, RwLock};

use crate::assets::Assets;
pub use crate::clock::Clock;
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
    /// Something failed on the server that is not the member's doing (a code could not be
    /// hashed, a key or an export could not be encoded); nothing was changed.
    #[error("Something went wrong on the server ({0}). Nothing was changed.")]
    Internal(String),
}

impl<R> From<store::Checked<R>> for ServiceError
where
    ServiceError: From<R>,
{
    fn from(e: store::Checked<R>) -> Self {
        match e {
            store::Checked::Refused(r) => r.into(),
            store::Checked::Store(e) => e.into(),
        }
    }
}

pub use accounts::{Login, SessionCheck};
pub use board_admin::{BoardFlag, BoardOp, BoardSetting};
pub use edits::CW_MAX;
pub use keys::{ImportReport, KeyInfo};
pub use messages::{Conversation, MESSAGE_MAX, MESSAGES_PER_PAGE, Profile};
pub use moderation::{AUDIT_PAGE, ModAction};
pub use posting::Posted;
pub use read_marks::FLUSH_EVERY;
pub use reading::POSTS_PER_PAGE;
pub use reports::AUTO_HIDE_REPORTS;
pub use safety::PLAN_MAX;
pub use sanctions::Sanction;
pub use second_factor::{
    RECOVERY_CODES, SecondFactor, TOTP_LOCK_SECONDS, TOTP_MAX_FAILURES, TotpSetup,
};
use secrets::claim_code;
pub use secrets::{hash_secret, verify_secret};

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// The use cases. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    store: Arc<Store>,
    hub: Hub,
    /// The settings and texts in force, shared by every clone; a SIGHUP swaps them
    /// (`crate::reload`). A reader takes its own `Arc` for as long as one use case runs, so a
    /// swap never changes a setting halfway through one, and the lock is held only for the clone.
    config: Arc<RwLock<Arc<Config>>>,
    assets: Arc<RwLock<Arc<Assets>>>,
    clock: Arc<Clock>,
    read_marks: read_marks::ReadMarks,
}

impl Service {
    pub fn new(store: Arc<Store>, hub: Hub, config: Arc<Config>, assets: Arc<Assets>) -> Service {
        Service {
            store,
            hub,
            config: Arc::new(RwLock::new(config)),
            assets: Arc::new(RwLock::new(assets)),
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

    /// Every write of a use case: runs `f` in the single writer's transaction, commits, then
    /// tells this process's live watcher, so the events the write appended reach open sessions
    /// at once instead of at the next poll. When `f` refuses (any error), nothing it wrote is
    /// kept. No use case calls the store's `write` or the hub's `poke` itself.
    fn write<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        let value = self.store.write_with(f)?;
        self.hub.poke();
        Ok(value)
    }

    /// Like [`Service::write`], but gives up at once (`Ok(None)`) when the write lock is held:
    /// for bookkeeping that can be done later (read marks), never for a member's own write.
    fn try_write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> store::Result<T>,
    ) -> Result<Option<T>> {
        let value = self.store.try_write(f)?;
        if value.is_some() {
            self.hub.poke();
        }
        Ok(value)
    }

    /// The clock silences and bans are measured by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The settings in force now.
    pub fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts new settings in force (a reload; see `crate::reload` for which may change).
    pub fn set_config(&self, config: Config) {
        *self.config.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(config);
    }

    /// The texts in force now.
    pub fn assets(&self) -> Arc<Assets> {
        self.assets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts new texts in force (a reload).
    pub fn set_assets(&self, assets: Assets) {
        *self.assets.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(assets);
    }
    pub fn hub(&self) -> &Hub {
        &self.hub
    }
    pub fn store(&self) -> &Arc<Store> {
        &self.store
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

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod view_tests;

#[cfg(test)]
mod tests;
