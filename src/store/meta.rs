//! Server-wide facts kept in the `meta` table (the sysop claim code's hash, …).

use rusqlite::{Connection, OptionalExtension};

use super::Result;

pub const SYSOP_CLAIM: &str = "sysop_claim_hash";
/// The `validate::SKELETON_VERSION` the stored handle skeletons were computed with.
pub const SKELETON_VERSION: &str = "handle_skeleton_version";

pub fn get(c: &Connection, key: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set(c: &Connection, key: &str, value: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

pub fn delete(c: &Connection, key: &str) -> Result<()> {
    c.prepare_cached("DELETE FROM meta WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}
