//! Recovery codes: stored only as argon2id hashes; each works once.

use rusqlite::{Connection, params};

use super::Result;
use crate::clock::now;
use crate::domain::UserId;

/// Replaces a member's codes with new hashes.
pub fn replace(c: &Connection, user: UserId, hashes: &[String]) -> Result<()> {
    c.prepare_cached("DELETE FROM recovery_codes WHERE user_id = ?1")?
        .execute([user])?;
    let mut stmt =
        c.prepare_cached("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")?;
    for h in hashes {
        stmt.execute(params![user, h])?;
    }
    Ok(())
}

/// The member's unused codes: (row id, hash).
pub fn unused(c: &Connection, user: UserId) -> Result<Vec<(i64, String)>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, code_hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
    )?;
    let rows = stmt.query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Marks a code used; false if it was already used (a race between two logins).
pub fn use_code(c: &Connection, id: i64) -> Result<bool> {
    Ok(c.prepare_cached(
        "UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
    )?
    .execute(params![id, now()])?
        == 1)
}
