//! Schema migrations, applied in order past `PRAGMA user_version`, all in one transaction.
//! `schema.sql` is migration 0. Never edit or remove a migration once shipped: append.

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, StoreError};

/// The migrations, in order. Index + 1 is the `user_version` after applying it.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema.sql"),
    include_str!("migrations/0001_messages_unmask.sql"),
    include_str!("migrations/0002_report_bell.sql"),
    include_str!("migrations/0003_visible_aggregates.sql"),
    include_str!("migrations/0004_author_index_fts_title.sql"),
    include_str!("migrations/0005_time_zone.sql"),
    include_str!("migrations/0006_announcements.sql"),
    include_str!("migrations/0007_notice_titles.sql"),
];

/// The schema version this program brings a database to (and the newest it opens).
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the schema up to date. Refuses a database newer than this program.
pub fn apply(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {version}, newer than this program ({known}); \
             upgrade bbs"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::store_on_disk;

    #[test]
    fn migrations_set_the_version_and_are_idempotent() {
        let (dir, store) = store_on_disk();
        let v: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .expect("version");
        assert_eq!(v, super::MIGRATIONS.len() as i64);
        drop(store);
        // Opening again applies nothing and keeps the version.
        let store = super::super::Store::open(&dir.path().join("haven.db"), None).expect("reopen");
        let fk: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
            .expect("fk");
        assert_eq!(fk, 1);
    }
}
