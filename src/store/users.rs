//! Members and their keys.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Checked, Result};
use crate::clock::now;
use crate::domain::{AccountStatus, KeyRecord, Role, User, UserId, validate};

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    let status: String = r.get(5)?;
    Ok(User {
        id: r.get(0)?,
        handle: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Member),
        trust_level: r.get(3)?,
        created_at: r.get(4)?,
        // An unknown status is treated as the most restrictive.
        status: AccountStatus::parse(&status).unwrap_or(AccountStatus::Banned),
        silenced_until: r.get(6)?,
    })
}

const USER_COLUMNS: &str =
    "u.id, u.handle, u.role, u.trust_level, u.created_at, u.status, u.silenced_until";

/// The account that owns a key, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOwner {
    pub user: User,
    pub status: AccountStatus,
    /// The key's row id (a session remembers it, to end when the key is revoked).
    pub key_id: i64,
    /// End of a ban; None: permanent or not banned.
    pub banned_until: Option<i64>,
}

/// The account that owns this public key, whatever its status.
pub fn account_by_key(c: &Connection, public_key: &str) -> Result<Option<KeyOwner>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {USER_COLUMNS}, k.id, u.banned_until
           FROM user_keys k JOIN users u ON u.id = k.user_id
          WHERE k.public_key = ?1"
    ))?
    .query_row([public_key], |r| {
        let user = user_from_row(r)?;
        Ok(KeyOwner {
            status: user.status,
            user,
            key_id: r.get(7)?,
            banned_until: r.get(8)?,
        })
    })
    .optional()?)
}

/// An account's status and ban end.
pub fn status(c: &Connection, id: UserId) -> Result<Option<(AccountStatus, Option<i64>)>> {
    Ok(
        c.prepare_cached("SELECT status, banned_until FROM users WHERE id = ?1")?
            .query_row([id], |r| {
                let s: String = r.get(0)?;
                Ok((
                    AccountStatus::parse(&s).unwrap_or(AccountStatus::Banned),
                    r.get(1)?,
                ))
            })
            .optional()?,
    )
}

pub fn set_status(
    c: &Connection,
    id: UserId,
    status: AccountStatus,
    banned_until: Option<i64>,
) -> Result<()> {
    c.prepare_cached("UPDATE users SET status = ?2, banned_until = ?3 WHERE id = ?1")?
        .execute(params![id, status.as_str(), banned_until])?;
    Ok(())
}

/// True when the key row still exists and belongs to `user`.
pub fn key_belongs(c: &Connection, user: UserId, key_id: i64) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM user_keys WHERE id = ?1 AND user_id = ?2")?
            .exists(params![key_id, user])?,
    )
}

/// A member's keys, oldest first.
pub fn keys(c: &Connection, user: UserId) -> Result<Vec<KeyRecord>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, algorithm, fingerprint, comment, created_at, last_used_at
           FROM user_keys WHERE user_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok(KeyRecord {
            id: r.get(0)?,
            algorithm: r.get(1)?,
            fingerprint: r.get(2)?,
            comment: r.get(3)?,
            created_at: r.get(4)?,
            last_used_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Why a key could not be added or revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefused {
    #[error("That key is already registered.")]
    InUse,
    #[error("That is your only key: add another before revoking it.")]
    LastKey,
    #[error("No such key.")]
    NoSuchKey,
}

/// Adds a key to a member.
pub fn add_key(c: &Connection, user: UserId, key: &NewKey<'_>) -> Result<i64, Checked<KeyRefused>> {
    let taken: bool = c
        .prepare_cached("SELECT 1 FROM user_keys WHERE public_key = ?1")?
        .exists([key.public_key])?;
    if taken {
        return Err(Checked::Refused(KeyRefused::InUse));
    }
    c.prepare_cached(
        "INSERT INTO user_keys (user_id, algorithm, public_key, fingerprint, comment, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        user,
        key.algorithm,
        key.public_key,
        key.fingerprint,
        key.comment,
        now()
    ])?;
    Ok(c.last_insert_rowid())
}

/// Revokes one of a member's keys; never the last one.
pub fn revoke_key(c: &Connection, user: UserId, key_id: i64) -> Result<(), Checked<KeyRefused>> {
    if !key_belongs(c, user, key_id)? {
        return Err(Checked::Refused(KeyRefused::NoSuchKey));
    }
    let count: i64 = c
        .prepare_cached("SELECT count(*) FROM user_keys WHERE user_id = ?1")?
        .query_row([user], |r| r.get(0))?;
    if count <= 1 {
        return Err(Checked::Refused(KeyRefused::LastKey));
    }
    c.prepare_cached("DELETE FROM user_keys WHERE id = ?1")?
        .execute([key_id])?;
    Ok(())
}

pub fn touch_key(c: &Connection, key_id: i64) -> Result<()> {
    c.prepare_cached("UPDATE user_keys SET last_used_at = ?2 WHERE id = ?1")?
        .execute(params![key_id, now()])?;
    Ok(())
}

/// The active member who owns this public key (OpenSSH `algo base64` form).
pub fn by_key(c: &Connection, public_key: &str) -> Result<Option<User>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM user_keys k JOIN users u ON u.id = k.user_id
         WHERE k.public_key = ?1 AND u.status IN ('active', 'pending')"
    ))?
    .query_row([public_key], user_from_row)
    .optional()?)
}

/// Whether an active sysop exists (until one does, start-up offers a claim code).
pub fn has_active_sysop(c: &Connection) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM users WHERE role = 'sysop' AND status = 'active'")?
            .exists([])?,
    )
}

pub fn by_id(c: &Connection, id: UserId) -> Result<Option<User>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"
    ))?
    .query_row([id], user_from_row)
    .optional()?)
}

pub fn by_handle(c: &Connection, handle: &str) -> Result<Option<User>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.handle_norm = ?1"
    ))?
    .query_row([validate::normalize_handle(handle)], user_from_row)
    .optional()?)
}

/// True when a handle with the same confusable skeleton exists.
pub fn skeleton_taken(c: &Connection, handle: &str) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM users WHERE handle_skeleton = ?1")?
            .exists([validate::skeleton(handle)])?,
    )
}

/// Recomputes the stored skeletons when `validate::skeleton` has changed since they were
/// stored (`validate::SKELETON_VERSION`, kept in `meta`), so look-alikes are judged by today's
/// rule; otherwise it costs one read. Returns how many rows changed. Handles whose new
/// skeletons collide all stay as they are: the rule stops new look-alikes, it renames no one.
/// `handle_norm` is left alone, as `normalize_handle` has not changed (its column is unique, so
/// a change there would need a migration of its own). Deleted accounts keep their tombstone.
pub fn refresh_skeletons(c: &Connection) -> Result<usize> {
    use super::meta;
    let version = validate::SKELETON_VERSION.to_string();
    if meta::get(c, meta::SKELETON_VERSION)?.as_deref() == Some(version.as_str()) {
        return Ok(0);
    }
    let rows: Vec<(UserId, String, String)> = {
        let mut stmt =
            c.prepare("SELECT id, handle, handle_skeleton FROM users WHERE status != 'deleted'")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut update = c.prepare("UPDATE users SET handle_skeleton = ?2 WHERE id = ?1")?;
    let mut changed = 0;
    for (id, handle, stored) in rows {
        let skeleton = validate::skeleton(&handle);
        if skeleton != stored {
            update.execute(params![id, skeleton])?;
            changed += 1;
        }
    }
    meta::set(c, meta::SKELETON_VERSION, &version)?;
    Ok(changed)
}

pub fn count(c: &Connection) -> Result<i64> {
    Ok(c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
}

/// Accounts by status: (active, waiting for approval), for the sysop's dashboard.
pub fn counts(c: &Connection) -> Result<(i64, i64)> {
    Ok(c.query_row(
        "SELECT IFNULL(sum(status = 'active'), 0), IFNULL(sum(status = 'pending'), 0) FROM users",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// A key to attach to a new member.
pub struct NewKey<'a> {
    pub algorithm: &'a str,
    pub public_key: &'a str,
    pub fingerprint: &'a str,
    pub comment: Option<&'a str>,
}

/// Creates a member with one key. The handle must already be validated; uniqueness is
/// checked here, inside the write transaction, so two sign-ups cannot race to one handle.
pub fn create(
    c: &Connection,
    handle: &str,
    role: Role,
    key: &NewKey<'_>,
    guidelines_version: i64,
    privacy_version: i64,
) -> Result<User, Checked<validate::Invalid>> {
    if skeleton_taken(c, handle)? {
        return Err(Checked::Refused(validate::Invalid::HandleTaken));
    }
    let key_taken: bool = c
        .prepare_cached("SELECT 1 FROM user_keys WHERE public_key = ?1")?
        .exists([key.public_key])?;
    if key_taken {
        return Err(Checked::Refused(validate::Invalid::KeyTaken));
    }
    let at = now();
    c.prepare_cached(
        "INSERT INTO users (handle, handle_norm, handle_skeleton, role, created_at,
                            guidelines_version, privacy_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        handle,
        validate::normalize_handle(handle),
        validate::skeleton(handle),
        role.as_str(),
        at,
        guidelines_version,
        privacy_version
    ])?;
    let id = UserId(c.last_insert_rowid());
    c.prepare_cached(
        "INSERT INTO user_keys (user_id, algorithm, public_key, fingerprint, comment, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        key.algorithm,
        key.public_key,
        key.fingerprint,
        key.comment,
        at
    ])?;
    Ok(by_id(c, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?)
}

pub fn set_role(c: &Connection, id: UserId, role: Role) -> Result<()> {
    c.prepare_cached("UPDATE users SET role = ?2 WHERE id = ?1")?
        .execute(params![id, role.as_str()])?;
    Ok(())
}

pub fn touch_last_seen(c: &Connection, id: UserId) -> Result<()> {
    c.prepare_cached("UPDATE users SET last_seen_at = ?2 WHERE id = ?1")?
        .execute(params![id, now()])?;
    Ok(())
}

/// Every member, for `bbs admin users`.
pub fn list(c: &Connection) -> Result<Vec<(User, String)>> {
    let mut stmt =
        c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id"))?;
    let rows = stmt.query_map([], |r| {
        let u = user_from_row(r)?;
        let status = u.status.as_str().to_string();
        Ok((u, status))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{refusal, store};

    fn key(n: u8) -> String {
        format!("ssh-ed25519 AAAA{n}")
    }

    #[test]
    fn a_created_member_is_found_by_key_and_handle() {
        let store = store();
        let k = key(1);
        let user = store
            .write_with(|c| {
                create(
                    c,
                    "river",
                    Role::Member,
                    &NewKey {
                        algorithm: "ssh-ed25519",
                        public_key: &k,
                        fingerprint: "SHA256:x",
                        comment: None,
                    },
                    1,
                    1,
                )
            })
            .map_err(refusal)
            .expect("valid");
        let found = store.read(|c| by_key(c, &k)).expect("read");
        assert_eq!(found, Some(user.clone()));
        let found = store.read(|c| by_handle(c, "RIVER")).expect("read");
        assert_eq!(found.map(|u| u.id), Some(user.id));
    }

    #[test]
    fn a_look_alike_handle_is_taken() {
        let store = store();
        let (k1, k2) = (key(1), key(2));
        let mk = |k: &str, h: &str| {
            let k = k.to_string();
            let h = h.to_string();
            store
                .write_with(move |c| {
                    create(
                        c,
                        &h,
                        Role::Member,
                        &NewKey {
                            algorithm: "ssh-ed25519",
                            public_key: &k,
                            fingerprint: "SHA256:x",
                            comment: None,
                        },
                        1,
                        1,
                    )
                })
                .map_err(refusal)
        };
        assert!(mk(&k1, "willow").is_ok());
        assert_eq!(mk(&k2, "WiII0w"), Err(validate::Invalid::HandleTaken));
    }

    #[test]
    fn an_accent_does_not_make_a_handle_new() {
        let store = store();
        let mk = |n: u8, h: &str| {
            let k = key(n);
            let h = h.to_string();
            store
                .write_with(move |c| {
                    create(
                        c,
                        &h,
                        Role::Member,
                        &NewKey {
                            algorithm: "ssh-ed25519",
                            public_key: &k,
                            fingerprint: "SHA256:x",
                            comment: None,
                        },
                        1,
                        1,
                    )
                })
                .map_err(refusal)
        };
        assert!(mk(1, "alice").is_ok());
        for (n, h) in [(2, "alíce"), (3, "alicë"), (4, "ᴀlice")] {
            assert_eq!(
                validate::handle(h),
                Ok(h.to_string()),
                "{h:?} is well formed"
            );
            assert_eq!(mk(n, h), Err(validate::Invalid::HandleTaken), "{h:?}");
        }
    }

    #[test]
    fn stale_skeletons_are_refreshed_once_per_version() {
        use crate::store::{meta, test_support::user};
        let store = store();
        let stored = |id: UserId| {
            store
                .read(move |c| {
                    Ok(c.query_row(
                        "SELECT handle_skeleton FROM users WHERE id = ?1",
                        [id],
                        |r| r.get::<_, String>(0),
                    )?)
                })
                .expect("read")
        };
        // Rows as an earlier version left them: skeletons that today's rule would not give,
        // two of them now colliding, and a deleted account's tombstone.
        let (alice, alice_acute, gone) = store
            .write(|c| {
                let a = user(c, "alice");
                let b = user(c, "alíce");
                let g = user(c, "gone");
                c.execute(
                    "UPDATE users SET status = 'deleted', handle_skeleton = 'tomb' WHERE id = ?1",
                    [g],
                )?;
                Ok((a, b, g))
            })
            .expect("write");
        assert!(!store.read(|c| skeleton_taken(c, "alicë")).expect("read"));

        assert_eq!(store.write(refresh_skeletons).expect("refresh"), 2);
        assert_eq!(stored(alice), validate::skeleton("alice"));
        assert_eq!(stored(alice_acute), validate::skeleton("alice"));
        assert_eq!(stored(gone), "tomb");
        assert!(store.read(|c| skeleton_taken(c, "alicë")).expect("read"));
        assert_eq!(
            store.read(count).expect("count"),
            3,
            "colliding handles both stay"
        );
        let version = store
            .read(|c| meta::get(c, meta::SKELETON_VERSION))
            .expect("read");
        assert_eq!(version, Some(validate::SKELETON_VERSION.to_string()));

        // Once this version has run, it does not look again.
        store
            .write(|c| {
                c.execute(
                    "UPDATE users SET handle_skeleton = 'stale' WHERE id = ?1",
                    [alice],
                )?;
                Ok(())
            })
            .expect("write");
        assert_eq!(store.write(refresh_skeletons).expect("refresh"), 0);
        assert_eq!(stored(alice), "stale");
    }
}

/// A member's second-factor state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    pub secret: Vec<u8>,
    /// The last time step accepted: codes of that step or earlier are refused (no replay).
    pub last_step: Option<i64>,
    pub failures: i64,
    pub locked_until: Option<i64>,
}

/// The member's TOTP state, if they enrolled.
pub fn totp(c: &Connection, user: UserId) -> Result<Option<TotpState>> {
    Ok(c.prepare_cached(
        "SELECT totp_secret, totp_last_step, totp_failures, totp_locked_until
           FROM users WHERE id = ?1 AND totp_secret IS NOT NULL",
    )?
    .query_row([user], |r| {
        Ok(TotpState {
            secret: r.get(0)?,
            last_step: r.get(1)?,
            failures: r.get(2)?,
            locked_until: r.get(3)?,
        })
    })
    .optional()?)
}

/// Sets (enrolment, with the step of the confirming code) or clears the TOTP secret.
pub fn set_totp(
    c: &Connection,
    user: UserId,
    secret: Option<&[u8]>,
    step: Option<i64>,
) -> Result<()> {
    c.prepare_cached(
        "UPDATE users SET totp_secret = ?2, totp_last_step = ?3, totp_failures = 0,
                          totp_locked_until = NULL WHERE id = ?1",
    )?
    .execute(params![user, secret, step])?;
    Ok(())
}

/// Records an accepted code's step and clears failures.
pub fn totp_accepted(c: &Connection, user: UserId, step: Option<i64>) -> Result<()> {
    c.prepare_cached(
        "UPDATE users SET totp_last_step = IFNULL(?2, totp_last_step), totp_failures = 0,
                          totp_locked_until = NULL WHERE id = ?1",
    )?
    .execute(params![user, step])?;
    Ok(())
}

/// Records a wrong code.
pub fn totp_failed(
    c: &Connection,
    user: UserId,
    failures: i64,
    locked_until: Option<i64>,
) -> Result<()> {
    c.prepare_cached("UPDATE users SET totp_failures = ?2, totp_locked_until = ?3 WHERE id = ?1")?
        .execute(params![user, failures, locked_until])?;
    Ok(())
}

/// The versions of the guidelines and privacy policy the member last accepted.
pub fn accepted_versions(c: &Connection, user: UserId) -> Result<(i64, i64)> {
    Ok(
        c.prepare_cached("SELECT guidelines_version, privacy_version FROM users WHERE id = ?1")?
            .query_row([user], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, 0)),
    )
}

pub fn accept_versions(c: &Connection, user: UserId, guidelines: i64, privacy: i64) -> Result<()> {
    c.prepare_cached(
        "UPDATE users SET guidelines_version = ?2, privacy_version = ?3 WHERE id = ?1",
    )?
    .execute(params![user, guidelines, privacy])?;
    Ok(())
}

pub fn safety_plan(c: &Connection, user: UserId) -> Result<Option<String>> {
    Ok(
        c.prepare_cached("SELECT safety_plan FROM users WHERE id = ?1")?
            .query_row([user], |r| r.get(0))
            .optional()?
            .flatten(),
    )
}

pub fn set_safety_plan(c: &Connection, user: UserId, plan: Option<&str>) -> Result<()> {
    c.prepare_cached("UPDATE users SET safety_plan = ?2 WHERE id = ?1")?
        .execute(params![user, plan])?;
    Ok(())
}

/// The member's muted words, sorted.
pub fn muted_words(c: &Connection, user: UserId) -> Result<Vec<String>> {
    let mut stmt =
        c.prepare_cached("SELECT word FROM muted_words WHERE user_id = ?1 ORDER BY word")?;
    let rows = stmt.query_map([user], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the member's muted words.
pub fn set_muted_words(c: &Connection, user: UserId, words: &[String]) -> Result<()> {
    c.prepare_cached("DELETE FROM muted_words WHERE user_id = ?1")?
        .execute([user])?;
    let mut stmt =
        c.prepare_cached("INSERT OR IGNORE INTO muted_words (user_id, word) VALUES (?1, ?2)")?;
    for w in words {
        stmt.execute(params![user, w])?;
    }
    Ok(())
}

/// Silences a member until `until` (None lifts it).
pub fn set_silenced_until(c: &Connection, user: UserId, until: Option<i64>) -> Result<()> {
    c.prepare_cached("UPDATE users SET silenced_until = ?2 WHERE id = ?1")?
        .execute(params![user, until])?;
    Ok(())
}

/// Whether a moderator wants a terminal bell with an urgent report (off by default).
pub fn report_bell(c: &Connection, user: UserId) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT report_bell FROM users WHERE id = ?1")?
            .query_row([user], |r| r.get(0))?,
    )
}

/// The colour theme the member chose, by name (None: the default).
pub fn theme(c: &Connection, user: UserId) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT theme FROM users WHERE id = ?1")?
        .query_row([user], |r| r.get(0))
        .optional()?
        .flatten())
}

/// The time zone the member chose (an IANA name), if any.
pub fn time_zone(c: &Connection, user: UserId) -> Result<Option<String>> {
    Ok(
        c.prepare_cached("SELECT time_zone FROM users WHERE id = ?1")?
            .query_row([user], |r| r.get(0))
            .optional()?
            .flatten(),
    )
}

pub fn set_time_zone(c: &Connection, user: UserId, zone: Option<&str>) -> Result<()> {
    c.prepare_cached("UPDATE users SET time_zone = ?2 WHERE id = ?1")?
        .execute(params![user, zone])?;
    Ok(())
}

pub fn set_theme(c: &Connection, user: UserId, theme: &str) -> Result<()> {
    c.prepare_cached("UPDATE users SET theme = ?2 WHERE id = ?1")?
        .execute(params![user, theme])?;
    Ok(())
}

pub fn set_report_bell(c: &Connection, user: UserId, on: bool) -> Result<()> {
    c.prepare_cached("UPDATE users SET report_bell = ?2 WHERE id = ?1")?
        .execute(params![user, on])?;
    Ok(())
}

/// Whether the member shows in "who's online" (invisible by default).
pub fn presence_visible(c: &Connection, user: UserId) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT presence_visible FROM users WHERE id = ?1")?
            .query_row([user], |r| r.get(0))?,
    )
}

pub fn set_presence_visible(c: &Connection, user: UserId, visible: bool) -> Result<()> {
    c.prepare_cached("UPDATE users SET presence_visible = ?2 WHERE id = ?1")?
        .execute(params![user, visible])?;
    Ok(())
}

/// Of the members `online`, the handles `reader` may see there: those who chose to be seen,
/// active, and not blocked by the reader. Whether they blocked the reader changes nothing: who's
/// online must not tell anyone of a block (DESIGN.md §5).
pub fn visible_online(c: &Connection, reader: UserId, online: &[UserId]) -> Result<Vec<String>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT handle FROM users u
          WHERE u.id = :member AND u.presence_visible = 1 AND u.status = 'active'
            AND {}",
        super::visibility::actor_visible("u.id")
    ))?;
    let mut out = Vec::new();
    for id in online {
        if let Some(h) = stmt
            .query_row(
                rusqlite::named_params! {":reader": reader, ":member": id},
                |r| r.get::<_, String>(0),
            )
            .optional()?
        {
            out.push(h);
        }
    }
    out.sort_by_key(|h| h.to_lowercase());
    Ok(out)
}
