//! The audit log: append-only rows for every moderator and sysop action and for security
//! events (logins, keys, second factor, roles, deletion). Rows hold ids and a reason, never an
//! address or post text.

use rusqlite::{Connection, params};

use super::Result;
use crate::clock::now;
use crate::domain::UserId;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignUp,
    Login,
    /// A good key whose connection never passed the second factor (refused or abandoned).
    LoginFailed,
    SecondFactorFailed,
    SecondFactorEnabled,
    SecondFactorDisabled,
    KeyAdded,
    KeyRevoked,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
    RoleChanged,
    Banned,
    Unbanned,
    Approved,
    InviteCreated,
    AccountDeleted,
    DocumentsAccepted,
    Purged,
    Backup,
    /// `bbs admin restore` put a backup in place of the database.
    Restored,
    /// A sysop spoke to every open session (`ssh HOST announce`).
    Announced,
    /// A sysop read the server's numbers over SSH (`ssh HOST stats`).
    StatsViewed,
    PostHidden,
    PostRestored,
    PostWithdrawn,
    ThreadLocked,
    ThreadUnlocked,
    ThreadPinned,
    ThreadUnpinned,
    ReportResolved,
    AutoHidden,
    Warned,
    Silenced,
    Unsilenced,
    Appealed,
    ThreadMoved,
    PostEdited,
    ContentWarningChanged,
    UnmaskRequested,
    Unmasked,
    UnmaskDeclined,
    BoardCreated,
    BoardChanged,
    RevisionErased,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignUp => "sign_up",
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::SecondFactorFailed => "2fa_failed",
            Action::SecondFactorEnabled => "2fa_enabled",
            Action::SecondFactorDisabled => "2fa_disabled",
            Action::KeyAdded => "key_added",
            Action::KeyRevoked => "key_revoked",
            Action::RecoveryCodeUsed => "recovery_code_used",
            Action::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            Action::RoleChanged => "role_changed",
            Action::Banned => "banned",
            Action::Unbanned => "unbanned",
            Action::Approved => "approved",
            Action::InviteCreated => "invite_created",
            Action::AccountDeleted => "account_deleted",
            Action::DocumentsAccepted => "documents_accepted",
            Action::Purged => "purged",
            Action::Backup => "backup",
            Action::Restored => "restored",
            Action::Announced => "announced",
            Action::StatsViewed => "stats_viewed",
            Action::PostHidden => "post_hidden",
            Action::PostWithdrawn => "post_withdrawn",
            Action::PostRestored => "post_restored",
            Action::ThreadLocked => "thread_locked",
            Action::ThreadUnlocked => "thread_unlocked",
            Action::ThreadPinned => "thread_pinned",
            Action::ThreadUnpinned => "thread_unpinned",
            Action::ReportResolved => "report_resolved",
            Action::AutoHidden => "auto_hidden",
            Action::Warned => "warned",
            Action::Silenced => "silenced",
            Action::Appealed => "appealed",
            Action::Unsilenced => "unsilenced",
            Action::ThreadMoved => "thread_moved",
            Action::PostEdited => "post_edited",
            Action::ContentWarningChanged => "cw_changed",
            Action::UnmaskRequested => "unmask_requested",
            Action::Unmasked => "unmasked",
            Action::UnmaskDeclined => "unmask_declined",
            Action::BoardCreated => "board_created",
            Action::BoardChanged => "board_changed",
            Action::RevisionErased => "revision_erased",
        }
    }
}

/// One row as readers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    /// The actor's handle, or "system" for the server and the admin CLI.
    pub actor: String,
    pub action: String,
    /// The target, as "user river" / "post 12".
    pub target: Option<String>,
    pub reason: Option<String>,
}

/// Appends a row. `target` is a member unless `target_kind` says otherwise.
pub fn record(
    c: &Connection,
    actor: Option<UserId>,
    action: Action,
    target_kind: Option<&str>,
    target_id: Option<i64>,
    reason: Option<&str>,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO audit_log (at, actor_id, action, target_kind, target_id, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        now(),
        actor,
        action.as_str(),
        target_kind,
        target_id,
        reason
    ])?;
    Ok(())
}

/// Filters for reading the log; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<UserId>,
    pub target_user: Option<UserId>,
    pub action: Option<String>,
}

/// Newest first.
pub fn list(c: &Connection, filter: &Filter, limit: i64, offset: i64) -> Result<Vec<Entry>> {
    let mut stmt = c.prepare_cached(
        "SELECT a.id, a.at, IFNULL(u.handle, 'system'), a.action, a.target_kind, a.target_id,
                t.handle, a.reason
           FROM audit_log a
           LEFT JOIN users u ON u.id = a.actor_id
           LEFT JOIN users t ON a.target_kind = 'user' AND t.id = a.target_id
          WHERE (?1 IS NULL OR a.actor_id = ?1)
            AND (?2 IS NULL OR (a.target_kind = 'user' AND a.target_id = ?2))
            AND (?3 IS NULL OR a.action = ?3)
          ORDER BY a.id DESC LIMIT ?4 OFFSET ?5",
    )?;
    let rows = stmt.query_map(
        params![
            filter.actor,
            filter.target_user,
            filter.action,
            limit,
            offset
        ],
        |r| {
            let kind: Option<String> = r.get(4)?;
            let id: Option<i64> = r.get(5)?;
            let handle: Option<String> = r.get(6)?;
            let target = match (kind, id, handle) {
                (Some(k), _, Some(h)) if k == "user" => Some(format!("user {h}")),
                (Some(k), Some(id), _) => Some(format!("{k} {id}")),
                _ => None,
            };
            Ok(Entry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                target,
                reason: r.get(7)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes rows older than `before` (Unix seconds); returns how many.
pub fn purge(c: &Connection, before: i64) -> Result<usize> {
    Ok(c.prepare_cached("DELETE FROM audit_log WHERE at < ?1")?
        .execute([before])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;

    #[test]
    fn purge_deletes_only_rows_older_than_the_cutoff() {
        let store = store();
        store
            .write(|c| {
                c.execute(
                    "INSERT INTO audit_log (at, action) VALUES (100, 'login'), (200, 'login')",
                    [],
                )?;
                record(c, None, Action::Login, None, None, None)
            })
            .expect("write");
        let n = store.write(|c| purge(c, 150)).expect("purge");
        assert_eq!(n, 1);
        let left = store
            .read(|c| list(c, &Filter::default(), 10, 0))
            .expect("list");
        assert_eq!(left.len(), 2);
        assert!(left.iter().all(|e| e.at >= 150));
    }
}
