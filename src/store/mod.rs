//! The store: everything Haven keeps, in one SQLite file. rusqlite only, synchronous; callers
//! on the async side run it through `spawn_blocking` (see `service`).
//!
//! One writer connection behind a mutex (SQLite allows one writer at a time anyway; queueing here
//! is cheaper than SQLITE_BUSY retries) and a small pool of read connections, which WAL lets
//! run beside the writer. Every write transaction starts IMMEDIATE and commits with
//! `synchronous=FULL`, so when a write returns, it is durable: a post is acknowledged to the
//! member only after that. See docs/ARCHITECTURE.md, "The database".
//!
//! One file per table group; each holds free functions over a `&Connection`. SQL lives only here.

pub mod announcements;
pub mod audit;
pub mod backup;
pub mod blocks;
pub mod boards;
pub mod drafts;
pub mod erase;
pub mod events;
pub mod export;
pub mod invites;
pub mod messages;
pub mod meta;
pub mod migrations;
pub mod notifications;
pub mod pace;
pub mod posts;
pub mod quotes;
pub mod recovery;
pub mod reports;
pub mod revisions;
pub mod sanctions;
pub mod search;
pub mod unmask;
pub mod unread;
pub mod users;
pub mod visibility;
mod writer;

#[cfg(test)]
mod aggregates_tests;
#[cfg(test)]
mod pool_tests;

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long a connection waits for a lock before reporting the database busy. Long enough to
/// ride out a checkpoint or a backup step, short enough that a member sees an answer.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read connections, at most. A busy server runs far more database tasks at once than it has
/// cores (a new post wakes every reader of its thread), and opening a connection (key, pragmas,
/// schema, a cold page cache to decrypt again) costs far more than a query, so the pool opens
/// up to this many, keeps them, and a read that finds them all busy waits for one: a few more
/// than cores, so a read waiting on the disk does not stall the others.
const MAX_READERS: usize = 8;
/// Each reader's page cache: 8 MiB, so at most 64 MiB for the pool (the writer keeps 64 MiB).
const READER_CACHE: &str = "PRAGMA cache_size = -8192;";

/// Why a store call failed, as far as the caller needs to tell causes apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer held the database for longer than the busy timeout.
    #[error("the database is busy; please try again in a moment")]
    Busy,
    /// The disk is full: nothing was written.
    #[error("the server's disk is full; nothing was saved")]
    Full,
    /// The disk refused a write (full, over a quota or a file-size limit, or failing).
    #[error("the server could not write to its disk; nothing was saved")]
    Write,
    /// The database could not be decrypted with the key given.
    #[error("the database key does not open this database (wrong key file or passphrase?)")]
    WrongKey,
    /// The database file is not a Haven database, is corrupt, or is newer than this program.
    #[error("database problem: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A task that ran database work on the blocking pool failed (panicked or was cancelled).
    #[error("a database task did not finish: {0}")]
    Task(String),
    /// The commit of a batch of writes failed (told to the other writes of the batch).
    #[error("the write could not be saved: {0}")]
    Batch(String),
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::DiskFull) => StoreError::Full,
            Some(ErrorCode::SystemIoFailure) if is_write_failure(&e) => StoreError::Write,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    /// The same failure, for the other writes of a batch whose commit failed.
    fn for_others(&self) -> StoreError {
        match self {
            StoreError::Busy => StoreError::Busy,
            StoreError::Full => StoreError::Full,
            StoreError::Write => StoreError::Write,
            other => StoreError::Batch(other.to_string()),
        }
    }
}

/// An I/O error on the way to disk (not on reading).
fn is_write_failure(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi;
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if matches!(
            f.extended_code,
            ffi::SQLITE_IOERR_WRITE
                | ffi::SQLITE_IOERR_FSYNC
                | ffi::SQLITE_IOERR_DIR_FSYNC
                | ffi::SQLITE_IOERR_TRUNCATE
                | ffi::SQLITE_IOERR_SHMSIZE
        )
    )
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The error of a store function that checks a rule inside the write transaction, so that two
/// writers cannot race past it (a handle or a key taken): the rule refused, or the database
/// failed. Callers that only pass errors on use `?` (the service turns a refusal into its own
/// error); a caller that goes on after a refusal (an import) matches on `Refused`.
#[derive(Debug)]
pub enum Checked<R> {
    Refused(R),
    Store(StoreError),
}

impl<R> From<StoreError> for Checked<R> {
    fn from(e: StoreError) -> Self {
        Checked::Store(e)
    }
}

impl<R> From<rusqlite::Error> for Checked<R> {
    fn from(e: rusqlite::Error) -> Self {
        Checked::Store(e.into())
    }
}

/// The 256-bit key the database is encrypted with (SQLCipher), given to every connection as a
/// raw key, so no per-connection key derivation runs. Wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey(pub [u8; 32]);

impl Drop for DbKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// The database: one writer, a pool of readers.
pub struct Store {
    path: PathBuf,
    /// None: an unencrypted database (tests of the store itself, `encryption = "none"`).
    key: Option<DbKey>,
    writer: writer::GroupWriter,
    readers: Readers,
}

/// The read connections: the idle ones, how many are open, and a signal when one comes back.
#[derive(Default)]
struct Readers {
    pool: Mutex<ReaderPool>,
    returned: Condvar,
}

#[derive(Default)]
struct ReaderPool {
    idle: Vec<Connection>,
    open: usize,
}

/// A read connection taken from the pool, given back when dropped (a panicking read too).
struct Lease<'a> {
    readers: &'a Readers,
    conn: Option<Connection>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut pool = self.readers.pool.lock().unwrap_or_else(|p| p.into_inner());
        match self.conn.take() {
            Some(conn) => pool.idle.push(conn),
            None => pool.open -= 1,
        }
        drop(pool);
        self.readers.returned.notify_one();
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, encrypted with `key`, and brings its
    /// schema up to date. A wrong key is reported as such.
    pub fn open(path: &Path, key: Option<DbKey>) -> Result<Store> {
        let mut writer = open_connection(path, key.as_ref(), true)?;
        // The writer keeps a large page cache: encrypted pages are costly to read again.
        writer.execute_batch("PRAGMA cache_size = -65536;")?;
        migrations::apply(&mut writer)?;
        Ok(Store {
            path: path.to_path_buf(),
            key,
            writer: writer::GroupWriter::new(writer),
            readers: Readers::default(),
        })
    }

    /// A fresh database held in memory by SQLite's `memdb` VFS, for unit tests. Unlike a
    /// shared-cache `:memory:` database (whose table locks would meet the reader pool as
    /// `SQLITE_LOCKED`), a `memdb` database named with a leading `/` is shared by every
    /// connection of the process with the file locking of a real file, so the writer and the
    /// readers behave as they do on disk: busy, then retried. It lives while the writer does.
    #[cfg(test)]
    pub fn in_memory() -> Result<Store> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let uri = format!("file:/haven-{}-{n}?vfs=memdb", std::process::id());
        Store::open(Path::new(&uri), None)
    }

    /// The key the database is encrypted with (backups use the same).
    pub fn key(&self) -> Option<&DbKey> {
        self.key.as_ref()
    }

    /// A connection of its own (the live watcher keeps one to watch `data_version`).
    pub fn connect(&self) -> Result<Connection> {
        open_connection(&self.path, self.key.as_ref(), false)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a read connection.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let lease = self.lease()?;
        f(lease.conn.as_ref().expect("a lease holds its connection"))
    }

    /// An idle read connection, a new one while fewer than [`MAX_READERS`] are open, or else
    /// the first one given back.
    fn lease(&self) -> Result<Lease<'_>> {
        let readers = &self.readers;
        let mut pool = readers.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = pool.idle.pop() {
                return Ok(Lease {
                    readers,
                    conn: Some(conn),
                });
            }
            if pool.open < MAX_READERS {
                pool.open += 1;
                drop(pool);
                // Counted open before it is, so a failure must give the place back: a lease
                // without a connection does that when dropped.
                let mut lease = Lease {
                    readers,
                    conn: None,
                };
                let conn = open_connection(&self.path, self.key.as_ref(), false)?;
                // Each reader keeps a page cache of its own: a page read again from the OS
                // is decrypted and authenticated again (bbs-bench, BENCHMARKS.md).
                conn.execute_batch(READER_CACHE)?;
                lease.conn = Some(conn);
                return Ok(lease);
            }
            pool = readers
                .returned
                .wait(pool)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Checkpoints the WAL into the database and truncates it (after erasing data).
    pub fn checkpoint(&self) -> Result<()> {
        self.writer.exclusive(erase::checkpoint)
    }

    /// Runs `f` as a write and returns once it is durable. Writes made at the same time share
    /// one transaction and one commit (see `writer`); `f` runs in a savepoint of its own.
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.write_with(f)
    }

    /// Like [`Store::write`], for a caller with its own error type: when `f` fails, with a
    /// store error or a refusal of the caller's, nothing it did is kept.
    pub fn write_with<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.writer.write(f)
    }

    /// Like [`Store::write`], but gives up at once — `Ok(None)` — when the write lock is
    /// held, by another process or by this one, instead of waiting: for bookkeeping that can
    /// be done later (read marks), never for a member's own write.
    pub fn try_write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<Option<T>> {
        self.writer.try_write(f)
    }
}

/// Gives a fresh connection its key (it must come first, before anything reads the file) and
/// checks it: a wrong key shows only when a page is read.
fn apply_key(conn: &Connection, key: Option<&DbKey>) -> Result<()> {
    use std::fmt::Write as _;
    if let Some(DbKey(key)) = key {
        // The key in hex and the statement that carries it are wiped once SQLCipher has them
        // (SQLite's own copies are its business; rusqlite's C string is not wiped).
        let mut hex = zeroize::Zeroizing::new(String::with_capacity(64));
        for b in key {
            let _ = write!(hex, "{b:02x}");
        }
        let pragma = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex.as_str()));
        conn.execute_batch(&pragma)?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|e| match StoreError::from(e) {
                StoreError::Corrupt(_) => StoreError::WrongKey,
                other => other,
            })?;
    }
    Ok(())
}

fn open_connection(path: &Path, key: Option<&DbKey>, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    apply_key(&conn, key)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The query planner's stability guarantee: a statement keeps its plan whatever values are
    // bound to it. Without it SQLite compiles a statement again on every run that binds anew a
    // value it planned with (a LIMIT, an equality before an ORDER BY, ...), which is nearly
    // every page Haven reads; the plans it would gain are none that our indexes need.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    #[cfg(unix)]
    if create {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .map_err(|source| StoreError::Io { path: p, source })?;
            }
        }
    }
    Ok(conn)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A fresh store in memory (see [`Store::in_memory`]).
    pub fn store() -> Store {
        Store::in_memory().expect("in-memory store")
    }

    /// A fresh store in a temporary directory (kept alive by the returned guard), for the tests
    /// of what happens to the file: reopening it.
    pub fn store_on_disk() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("haven.db"), None).expect("open store");
        (dir, store)
    }

    /// The refusal of a checked store function; a database failure fails the test.
    pub fn refusal<R>(e: Checked<R>) -> R {
        match e {
            Checked::Refused(r) => r,
            Checked::Store(e) => panic!("database failure: {e}"),
        }
    }

    /// A member made as sign-up makes one (`users::create`, with a placeholder key), for store
    /// tests that need an account with a key row.
    pub fn member(store: &Store, handle: &str) -> crate::domain::UserId {
        let key = format!("ssh-ed25519 {handle}");
        store
            .write_with(|c| {
                super::users::create(
                    c,
                    handle,
                    crate::domain::Role::Member,
                    &super::users::NewKey {
                        algorithm: "ssh-ed25519",
                        public_key: &key,
                        fingerprint: "SHA256:x",
                        comment: None,
                    },
                    1,
                    1,
                )
            })
            .map_err(refusal)
            .expect("valid")
            .id
    }

    /// How many rows of `table` hold `text` in any of their columns, read from the database
    /// itself: for the tests that say a copy of something must not be kept.
    pub fn rows_holding(store: &Store, table: &str, text: &str) -> i64 {
        store
            .read(|c| {
                let columns: Vec<String> = c
                    .prepare("SELECT name FROM pragma_table_info(?1)")?
                    .query_map([table], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                assert!(!columns.is_empty(), "no table {table}");
                let any = columns
                    .iter()
                    .map(|col| format!("instr(CAST(\"{col}\" AS TEXT), ?1) > 0"))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                Ok(c.query_row(
                    &format!("SELECT count(*) FROM \"{table}\" WHERE {any}"),
                    [text],
                    |r| r.get(0),
                )?)
            })
            .expect("read the table")
    }

    /// A member with just a handle (no key), for store tests.
    pub fn user(c: &Connection, handle: &str) -> crate::domain::UserId {
        c.execute(
            "INSERT INTO users (handle, handle_norm, handle_skeleton, created_at)
             VALUES (?1, ?1, ?1, 0)",
            [handle],
        )
        .expect("user");
        crate::domain::UserId(c.last_insert_rowid())
    }
}
