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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, Result, StoreError};

/// Most writes committed together: bounds how long the first of them waits.
pub const MAX_BATCH: usize = 64;

/// The writer connection and the batch open on it.
pub struct Writer {
    conn: Connection,
    /// The batch whose transaction is open, if one is, and how many writes it holds.
    open: Option<(u64, usize)>,
    next_batch: u64,
}

/// How batches ended, for the writes waiting on them.
#[derive(Default)]
struct Outcomes {
    /// Every batch up to this one has ended.
    ended: u64,
    /// The recent batches whose commit failed, with why.
    failed: Vec<(u64, StoreError)>,
}

pub struct GroupWriter {
    writer: Mutex<Writer>,
    /// Writes waiting for the writer mutex: a finished write leaves the batch open for them.
    queued: AtomicUsize,
    outcomes: Mutex<Outcomes>,
    ended: Condvar,
}

impl GroupWriter {
    pub fn new(conn: Connection) -> GroupWriter {
        GroupWriter {
            writer: Mutex::new(Writer {
                conn,
                open: None,
                next_batch: 1,
            }),
            queued: AtomicUsize::new(0),
            outcomes: Mutex::new(Outcomes::default()),
            ended: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
        self.queued.fetch_add(1, Ordering::AcqRel);
        let guard = self.writer.lock();
        self.queued.fetch_sub(1, Ordering::AcqRel);
        self.recover(guard)
    }

    /// A write that panicked left its guard poisoned and the batch in an unknown state: the
    /// whole batch is rolled back and its writes are told.
    fn recover<'a>(
        &self,
        guard: std::sync::LockResult<MutexGuard<'a, Writer>>,
    ) -> MutexGuard<'a, Writer> {
        match guard {
            Ok(g) => g,
            Err(poisoned) => {
                let mut g = poisoned.into_inner();
                self.writer.clear_poison();
                if let Some((batch, _)) = g.open.take() {
                    let _ = g.conn.execute_batch("ROLLBACK");
                    self.end(batch, Some(StoreError::Batch("a write failed".into())));
                }
                g
            }
        }
    }

    /// Batches committed or rolled back so far (tests).
    #[cfg(test)]
    pub fn batches(&self) -> u64 {
        self.outcomes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ended
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
        self.run(w, f)
    }

    /// Like [`GroupWriter::write`], but gives up at once (`Ok(None)`) when another write holds
    /// the writer, in this process or another.
    pub fn try_write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<Option<T>> {
        let w = match self.writer.try_lock() {
            Ok(w) => w,
            Err(std::sync::TryLockError::Poisoned(p)) => self.recover(Err(p)),
            Err(std::sync::TryLockError::WouldBlock) => return Ok(None),
        };
        match self.run_with_timeout(w, f, Duration::ZERO) {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::Busy) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn run<T, E: From<StoreError>>(
        &self,
        w: MutexGuard<'_, Writer>,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.run_with_timeout(w, f, BUSY_TIMEOUT)
    }

    fn run_with_timeout<T, E: From<StoreError>>(
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
            let batch = w.next_batch;
            w.next_batch += 1;
            w.open = Some((batch, 0));
        }
        let (batch, _) = w.open.expect("a batch is open");
        // The write in its savepoint. The outer error is the savepoint's own failure, which
        // leaves the batch's transaction in an unknown state; the inner one is `f`'s.
        let ran: rusqlite::Result<Result<T, E>> = (|| {
            w.conn.execute_batch("SAVEPOINT write")?;
            match f(&w.conn) {
                Ok(v) => {
                    w.conn.execute_batch("RELEASE write")?;
                    if let Some((_, n)) = w.open.as_mut() {
                        *n += 1;
                    }
                    Ok(Ok(v))
                }
                Err(e) => {
                    w.conn.execute_batch("ROLLBACK TO write; RELEASE write")?;
                    Ok(Err(e))
                }
            }
        })();
        let value = match ran {
            Ok(value) => value,
            Err(broken) => {
                let broken = StoreError::from(broken);
                let _ = w.conn.execute_batch("ROLLBACK");
                w.open = None;
                self.end(batch, Some(broken.for_others()));
                return Err(broken.into());
            }
        };
        let held = w.open.map_or(0, |(_, n)| n);
        let someone_queued = self.queued.load(Ordering::Acquire) > 0;
        if someone_queued && held > 0 && held < MAX_BATCH {
            // Leave the batch open for the writes queued behind this one; the last commits.
            drop(w);
            let value = value?;
            return match self.wait(batch) {
                None => Ok(value),
                Some(e) => Err(e.into()),
            };
        }
        if held == 0 && !someone_queued {
            // Nothing to keep: this write failed and no one else wrote in the batch.
            let _ = w.conn.execute_batch("ROLLBACK");
            w.open = None;
            self.end(batch, None);
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
        let (batch, _) = w.open.take()?;
        match w.conn.execute_batch("COMMIT") {
            Ok(()) => {
                self.end(batch, None);
                None
            }
            Err(e) => {
                let e = StoreError::from(e);
                let _ = w.conn.execute_batch("ROLLBACK");
                self.end(batch, Some(e.for_others()));
                Some(e)
            }
        }
    }

    fn end(&self, batch: u64, failure: Option<StoreError>) {
        let mut o = self.outcomes.lock().unwrap_or_else(|p| p.into_inner());
        o.ended = o.ended.max(batch);
        if let Some(e) = failure {
            o.failed.push((batch, e));
            let excess = o.failed.len().saturating_sub(16);
            o.failed.drain(..excess);
        }
        self.ended.notify_all();
    }

    /// Waits for `batch` to end; its failure, if it failed.
    fn wait(&self, batch: u64) -> Option<StoreError> {
        let mut o = self.outcomes.lock().unwrap_or_else(|p| p.into_inner());
        while o.ended < batch {
            o = self.ended.wait(o).unwrap_or_else(|p| p.into_inner());
        }
        o.failed
            .iter()
            .find(|(b, _)| *b == batch)
            .map(|(_, e)| e.for_others())
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
}
