//! Online backups of the live database (SQLite's backup API, a few pages at a time, so the
//! board keeps running), and checking a backup file. A backup is encrypted with the same key as
//! the database: keep the key (or passphrase) apart from the backups.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{DbKey, Result, Store, StoreError, open_connection};

/// Pages copied per step: small enough that writers are never held up for long.
const PAGES_PER_STEP: i32 = 256;
/// Pause between steps, giving writers their turn.
const STEP_PAUSE: Duration = Duration::from_millis(5);

/// What a check of a database file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// (table, rows) for the main tables.
    pub counts: Vec<(&'static str, i64)>,
    pub schema_version: i64,
}

impl Store {
    /// Copies the live database to a new file at `dest` (refusing to overwrite one), calling
    /// `progress(done_pages, total_pages)` after each step.
    pub fn backup(&self, dest: &Path, mut progress: impl FnMut(i64, i64)) -> Result<()> {
        if dest.exists() {
            return Err(StoreError::Io {
                path: dest.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "already exists"),
            });
        }
        let source = self.connect()?;
        let mut target = open_connection(dest, self.key.as_ref(), true)?;
        {
            let backup = Backup::new(&source, &mut target)?;
            loop {
                let step = backup.step(PAGES_PER_STEP)?;
                let p = backup.progress();
                progress(i64::from(p.pagecount - p.remaining), i64::from(p.pagecount));
                match step {
                    StepResult::Done => break,
                    _ => std::thread::sleep(STEP_PAUSE),
                }
            }
        }
        // The copy is a plain rollback-journal file, private to its owner.
        target.execute_batch("PRAGMA journal_mode = DELETE;")?;
        drop(target);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o600)).map_err(
                |source| StoreError::Io {
                    path: dest.to_path_buf(),
                    source,
                },
            )?;
        }
        Ok(())
    }
}

/// Opens a backup file read-only (checking it must not change it).
fn open_read_only(path: &Path, key: Option<&DbKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    super::apply_key(&conn, key)?;
    Ok(conn)
}

/// Opens a database file (a backup) with `key`, checks its integrity page by page and counts
/// what it holds.
pub fn verify(path: &Path, key: Option<&DbKey>) -> Result<Verified> {
    if !path.exists() {
        return Err(StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let conn = open_read_only(path, key)?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Corrupt(format!("integrity check: {check}")));
    }
    let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut counts = Vec::new();
    for table in [
        "users",
        "boards",
        "threads",
        "posts",
        "messages",
        "audit_log",
    ] {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        counts.push((table, n));
    }
    Ok(Verified {
        counts,
        schema_version,
    })
}
