//! One-time invite codes (registration mode `invite`). Codes are random and long enough that a
//! plain SHA-256 of them is a safe stored form (no salt needed, and it can be looked up).

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::Result;
use crate::clock::now;
use crate::domain::UserId;

/// The stored form of a code: SHA-256 of its letters and digits, upper-cased.
pub fn code_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(norm.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn create(c: &Connection, code: &str, by: Option<UserId>, expires_at: i64) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO invites (code_hash, created_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![code_hash(code), by, now(), expires_at])?;
    Ok(())
}

/// Uses up a code valid at `at` (unused, unexpired) for `user`; false if there is none. `at` is
/// the service's clock, which decides expiry.
pub fn redeem(c: &Connection, code: &str, user: UserId, at: i64) -> Result<bool> {
    let id: Option<i64> = c
        .prepare_cached(
            "SELECT id FROM invites WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
        )?
        .query_row(params![code_hash(code), at], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(false) };
    c.prepare_cached("UPDATE invites SET used_by = ?2, used_at = ?3 WHERE id = ?1")?
        .execute(params![id, user, now()])?;
    Ok(true)
}

/// True if a code is valid at `at` (checked before sign-up, redeemed inside it).
pub fn valid(c: &Connection, code: &str, at: i64) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM invites WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
    )?
    .exists(params![code_hash(code), at])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;

    #[test]
    fn a_code_works_once_and_not_after_it_expires() {
        let store = store();
        store
            .write(|c| create(c, "ABCD-EFGH-JKLM", None, now() + 3600))
            .expect("create");
        store
            .write(|c| create(c, "OLD0-OLD0-OLD0", None, now() - 1))
            .expect("create");
        assert!(
            store
                .read(|c| valid(c, "abcd efgh jklm", now()))
                .expect("read"),
            "case and spacing do not matter"
        );
        assert!(
            !store
                .read(|c| valid(c, "OLD0-OLD0-OLD0", now()))
                .expect("read"),
            "expired"
        );
        assert!(
            !store
                .write(|c| redeem(c, "OLD0-OLD0-OLD0", UserId(1), now()))
                .expect("redeem")
        );
        // The redeeming account must exist (foreign key): make one.
        store
            .write(|c| {
                c.execute(
                    "INSERT INTO users (id, handle, handle_norm, handle_skeleton, created_at)
                     VALUES (1, 'a', 'a', 'a', 0)",
                    [],
                )?;
                Ok(())
            })
            .expect("user");
        assert!(
            store
                .write(|c| redeem(c, "ABCD-EFGH-JKLM", UserId(1), now()))
                .expect("redeem")
        );
        assert!(
            !store
                .write(|c| redeem(c, "ABCD-EFGH-JKLM", UserId(1), now()))
                .expect("redeem"),
            "single use"
        );
    }
}
