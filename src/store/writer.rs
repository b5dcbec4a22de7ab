//! The single writer with group commit: many writes per fsync, each acknowledged only once
//! durable (DESIGN.md §10; docs/ARCHITECTURE.md, "The database").
//!
//! Every write runs in a savepoint of the one open IMMEDIATE transaction, on the writer
//! connection, behind a mutex. When a write is done and other writes are already queued on the
//! mutex, the transaction is left open for them and the write waits; the write that finds no
//! one queued behind it (or fills the batch) commits — one fsync for the whole batch — and
//! wakes the others. So a lone write costs what it did (begin, write, commit), and sixteen at
//! once cost one commit instead of sixteen. A write that fails rolls back its own savepoint
//! only; a commit that fails fails every write of its batch, and nothing of it is kept.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, Result, StoreError};

/// Most writes (those that failed included) in one batch: bounds how long the first waits.
pub const MAX_BATCH: usize = 64;

/// How one batch ended, for the writes waiting on it: each holds the batch's own outcome, so
/// none can miss it however many batches end meanwhile.
#[derive(Default)]
struct Outcome {
    /// None while the batch is open; then its failure, if it failed.
    ended: Mutex<Option<Option<StoreError>>>,
    done: Condvar,
}

impl Outcome {
    fn end(&self, failure: Option<StoreError>) {
        *self.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(failure);
        self.done.notify_all();
    }

    /// Waits for the batch to end; its failure, if it failed.
    fn wait(&self) -> Option<StoreError> {
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(failure) = &*ended {
                return failure.as_ref().map(StoreError::for_others);
            }
            ended = self.done.wait(ended).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The batch whose transaction is open.
struct Batch {
    /// Writes kept in it.
    held: usize,
    /// Writes run in it, kept or not.
    ran: usize,
    outcome: Arc<Outcome>,
}

/// The writer connection and the batch open on it.
pub struct Writer {
    conn: Connection,
    open: Option<Batch>,
}

pub struct GroupWriter {
    writer: Mutex<Writer>,
    /// Writes waiting for the writer mutex: a finished write leaves the batch open for them.
    queued: AtomicUsize,
    /// Batches ended so far (tests count commits with it).
    ended: AtomicU64,
}

impl GroupWriter {
    pub fn new(conn: Connection) -> GroupWriter {
        GroupWriter {
            writer: Mutex::new(Writer { conn, open: None }),
            queued: AtomicUsize::new(0),
            ended: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
        self.queued.fetch_add(1, Ordering::AcqRel);
        let guard = self.writer.lock();
        self.queued.fetch_sub(1, Ordering::AcqRel);
        self.recover(guard)
    }

    /// A poisoned writer (a panic while it was held, outside a write's own closure, which is
    /// caught): whatever batch is open is rolled back and its writes are told.
    fn recover<'a>(
        &self,
        guard: std::sync::LockResult<MutexGuard<'a, Writer>>,
    ) -> MutexGuard<'a, Writer> {
        match guard {
            Ok(g) => g,
            Err(poisoned) => {
                let mut g = poisoned.into_inner();
                self.writer.clear_poison();
                self.abandon(&mut g, StoreError::Batch("a write failed".into()));
                g
            }
        }
    }

    /// Rolls the open batch back, if any, and tells its writes why.
    fn abandon(&self, w: &mut Writer, why: StoreError) {
        if let Some(batch) = w.open.take() {
            let _ = w.conn.execute_batch("ROLLBACK");
            self.end(&batch, Some(why));
        }
    }

    fn end(&self, batch: &Batch, failure: Option<StoreError>) {
        self.ended.fetch_add(1, Ordering::AcqRel);
        batch.outcome.end(failure);
    }

    /// Batches committed or rolled back so far (tests).
    #[cfg(test)]
    pub fn batches(&self) -> u64 {
        self.ended.load(Ordering::Acquire)
    }

    /// Runs `f` on the writer with no batch open (checkpoints, backups): any open batch is
    /// committed first.
    pub fn exclusive<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut w = self.lock();
        self.commit_open(&mut w);
        f(&w.conn)
    }

    /// Runs `f` as one write of a batch; returns once the batch holding it is durable.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let w = self.lock();
        self.run(w, f, BUSY_TIMEOUT)
    }

    /// Like [`GroupWriter::write`], but gives up at once (`Ok(None)`) when another write holds
    /// the writer, in this process or another. Once it runs, it may wait for the batch it
    /// joined to commit, as any write does.
    pub fn try_write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<Option<T>> {
        let w = match self.writer.try_lock() {
            Ok(w) => w,
            Err(std::sync::TryLockError::Poisoned(p)) => self.recover(Err(p)),
            Err(std::sync::TryLockError::WouldBlock) => return Ok(None),
        };
        match self.run(w, f, Duration::ZERO) {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::Busy) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn run<T, E: From<StoreError>>(
        &self,
        mut w: MutexGuard<'_, Writer>,
        f: impl FnOnce(&Connection) -> Result<T, E>,
        timeout: Duration,
    ) -> Result<T, E> {
        if w.open.is_none() {
            w.conn.busy_timeout(timeout).map_err(StoreError::from)?;
            let begun = w.conn.execute_batch("BEGIN IMMEDIATE");
            w.conn
                .busy_timeout(BUSY_TIMEOUT)
                .map_err(StoreError::from)?;
            begun.map_err(StoreError::from)?;
            w.open = Some(Batch {
                held: 0,
                ran: 0,
                outcome: Arc::default(),
            });
        }
        // The write in its savepoint. The outer error is the savepoint's own failure, which
        // leaves the batch's transaction in an unknown state; the inner one is `f`'s. A panic
        // in `f` is caught long enough to give the batch up, then goes on.
        let ran = catch_unwind(AssertUnwindSafe(|| -> rusqlite::Result<Result<T, E>> {
            w.conn.execute_batch("SAVEPOINT write")?;
            match f(&w.conn) {
                Ok(v) => {
                    w.conn.execute_batch("RELEASE write")?;
                    Ok(Ok(v))
                }
                Err(e) => {
                    w.conn.execute_batch("ROLLBACK TO write; RELEASE write")?;
                    Ok(Err(e))
                }
            }
        }));
        let value = match ran {
            Ok(Ok(value)) => value,
            Ok(Err(broken)) => {
                let broken = StoreError::from(broken);
                self.abandon(&mut w, broken.for_others());
                return Err(broken.into());
            }
            Err(panic) => {
                self.abandon(&mut w, StoreError::Batch("a write failed".into()));
                drop(w);
                resume_unwind(panic);
            }
        };
        let batch = w.open.as_mut().expect("a batch is open");
        batch.ran += 1;
        if value.is_ok() {
            batch.held += 1;
        }
        let (held, ran) = (batch.held, batch.ran);
        let someone_queued = self.queued.load(Ordering::Acquire) > 0;
        if someone_queued && held > 0 && ran < MAX_BATCH {
            // Leave the batch open for the writes queued behind this one; the last commits.
            let outcome = batch.outcome.clone();
            drop(w);
            let value = value?;
            return match outcome.wait() {
                None => Ok(value),
                Some(e) => Err(e.into()),
            };
        }
        if held == 0 && !someone_queued {
            // Nothing to keep: this write failed and no one else wrote in the batch.
            if let Some(batch) = w.open.take() {
                let _ = w.conn.execute_batch("ROLLBACK");
                self.end(&batch, None);
            }
            return value;
        }
        match self.commit_open(&mut w) {
            None => value,
            Some(e) => {
                // This write's own error says more than the commit's, when it failed itself.
                value?;
                Err(e.into())
            }
        }
    }

    /// Commits the open batch, if any; returns why it failed, if it did.
    fn commit_open(&self, w: &mut Writer) -> Option<StoreError> {
        let batch = w.open.take()?;
        match w.conn.execute_batch("COMMIT") {
            Ok(()) => {
                self.end(&batch, None);
                None
            }
            Err(e) => {
                let e = StoreError::from(e);
                let _ = w.conn.execute_batch("ROLLBACK");
                self.end(&batch, Some(e.for_others()));
                Some(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::store;
    use crate::store::{Store, StoreError};

    fn rows(store: &Store) -> i64 {
        store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM bench_rows", [], |r| r.get(0))?))
            .expect("count")
    }

    #[test]
    fn concurrent_writes_share_commits_and_each_is_visible_when_it_returns() {
        let store = store();
        store
            .write(|c| Ok(c.execute_batch("CREATE TABLE bench_rows (w INTEGER, n INTEGER)")?))
            .expect("table");
        let before = store.writer.batches();
        let (threads, each): (u32, u32) = (8, 50);
        std::thread::scope(|s| {
            for w in 0..threads {
                let store = &store;
                s.spawn(move || {
                    for n in 0..each {
                        store
                            .write(|c| {
                                c.execute("INSERT INTO bench_rows VALUES (?1, ?2)", [w, n])?;
                                // A write that takes a moment, as a real one does, so the
                                // others queue behind it even on a loaded machine.
                                std::thread::sleep(std::time::Duration::from_millis(1));
                                Ok(())
                            })
                            .expect("write");
                        // Committed when write returns: another connection sees it.
                        let seen: i64 = store
                            .read(|c| {
                                Ok(c.query_row(
                                    "SELECT count(*) FROM bench_rows WHERE w = ?1 AND n = ?2",
                                    [w, n],
                                    |r| r.get(0),
                                )?)
                            })
                            .expect("read");
                        assert_eq!(seen, 1, "write {w}/{n} is visible once it returned");
                    }
                });
            }
        });
        assert_eq!(rows(&store), i64::from(threads * each));
        let batches = store.writer.batches() - before;
        assert!(
            batches < u64::from(threads * each),
            "{batches} commits for {} writes: none were shared",
            threads * each
        );
    }

    #[test]
    fn a_failed_write_loses_only_itself() {
        let store = store();
        store
            .write(|c| Ok(c.execute_batch("CREATE TABLE bench_rows (w INTEGER, n INTEGER)")?))
            .expect("table");
        std::thread::scope(|s| {
            for w in 0..6i64 {
                let store = &store;
                s.spawn(move || {
                    for n in 0..40i64 {
                        let result = store.write(|c| {
                            c.execute("INSERT INTO bench_rows VALUES (?1, ?2)", [w, n])?;
                            if n % 4 == 0 {
                                return Err(StoreError::Batch("refused on purpose".into()));
                            }
                            Ok(())
                        });
                        assert_eq!(result.is_err(), n % 4 == 0);
                    }
                });
            }
        });
        assert_eq!(rows(&store), 6 * 30, "every write but the refused ones");
        let refused: i64 = store
            .read(|c| {
                Ok(
                    c.query_row("SELECT count(*) FROM bench_rows WHERE n % 4 = 0", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .expect("count");
        assert_eq!(refused, 0);
    }

    #[test]
    fn a_write_that_panics_gives_its_batch_up_and_the_writer_goes_on() {
        let store = store();
        store
            .write(|c| Ok(c.execute_batch("CREATE TABLE bench_rows (w INTEGER, n INTEGER)")?))
            .expect("table");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = store.write(|c| -> crate::store::Result<()> {
                c.execute("INSERT INTO bench_rows VALUES (1, 1)", [])?;
                panic!("a bug in a use case");
            });
        }));
        assert!(panicked.is_err(), "the panic goes on to the caller");
        store
            .write(|c| {
                Ok(c.execute("INSERT INTO bench_rows VALUES (2, 2)", [])
                    .map(|_| ())?)
            })
            .expect("the next write works");
        assert_eq!(rows(&store), 1, "the panicked write left nothing");
    }
}
