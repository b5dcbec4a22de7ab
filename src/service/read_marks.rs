//! Read marks off the reading path (STYLE.md §13: reads don't write). Opening a thread, and
//! every live reload of it, is a pure read; when it shows a post newer than the member's mark,
//! the new mark is queued here, and queued marks are written together in one transaction:
//! by a background task every [`FLUSH_EVERY`], when the member next looks at a list (so its
//! unread counts are right), before trust is reckoned from threads read, and at shutdown.
//!
//! So while another process holds the write lock, threads still open; and 500 members reading
//! a thread that just got a post cost one write, not 500.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Result, Service};
use crate::domain::{PostId, ThreadId, UserId};
use crate::store::{events, posts};

/// How often queued read marks are written. Short enough that another session of the same
/// member sees its unread counts follow within a blink; long enough to batch a busy thread.
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// Marks waiting to be written: (member, thread) → the newest post they have seen there.
#[derive(Default, Clone)]
pub struct ReadMarks {
    pending: Arc<Mutex<HashMap<(UserId, ThreadId), PostId>>>,
}

impl ReadMarks {
    /// Queues a mark (a mark never moves backwards, here or in the store).
    pub fn queue(&self, user: UserId, thread: ThreadId, post: PostId) {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let mark = map.entry((user, thread)).or_insert(post);
        *mark = (*mark).max(post);
    }

    /// Takes the queued marks of `user` (or of everyone).
    fn take(&self, user: Option<UserId>) -> Vec<(UserId, ThreadId, PostId)> {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        match user {
            None => map.drain().map(|((u, t), p)| (u, t, p)).collect(),
            Some(u) => {
                let keys: Vec<_> = map.keys().filter(|(mu, _)| *mu == u).copied().collect();
                keys.into_iter()
                    .filter_map(|k| map.remove(&k).map(|p| (k.0, k.1, p)))
                    .collect()
            }
        }
    }

    /// Puts back marks a write could not take.
    fn restore(&self, marks: Vec<(UserId, ThreadId, PostId)>) {
        for (u, t, p) in marks {
            self.queue(u, t, p);
        }
    }

    fn has(&self, user: UserId) -> bool {
        let map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        map.keys().any(|(u, _)| *u == user)
    }
}

impl Service {
    /// Writes the queued read marks (of `user`, or everyone's) in one transaction, and tells
    /// the members' sessions their unread counts moved. `wait`: wait for the write lock as any
    /// write does; otherwise give up at once when it is held, keeping the marks queued.
    fn write_read_marks(&self, user: Option<UserId>, wait: bool) -> Result<usize> {
        let marks = self.read_marks.take(user);
        if marks.is_empty() {
            return Ok(0);
        }
        let write = |c: &rusqlite::Connection| {
            let mut told: Vec<UserId> = Vec::new();
            for (u, t, p) in &marks {
                posts::mark_read(c, *u, *t, *p)?;
                if !told.contains(u) {
                    events::counts_changed(c, *u)?;
                    told.push(*u);
                }
            }
            Ok(())
        };
        let written = if wait {
            self.write(|c| Ok(write(c)?)).map(Some)
        } else {
            self.try_write(write)
        };
        match written {
            Ok(Some(())) => Ok(marks.len()),
            Ok(None) => {
                self.read_marks.restore(marks);
                Ok(0)
            }
            Err(e) => {
                self.read_marks.restore(marks);
                Err(e)
            }
        }
    }

    /// Writes this member's queued marks if the database is free right now (a list is about to
    /// show their unread counts); otherwise the background flush will.
    pub(super) fn try_flush_read_marks(&self, user: UserId) {
        if !self.read_marks.has(user) {
            return;
        }
        if let Err(e) = self.write_read_marks(Some(user), false) {
            tracing::debug!(error = %e, "read marks kept for the next flush");
        }
    }

    /// Writes this member's queued marks, waiting for the write lock (before trust is reckoned
    /// from the threads they read).
    pub(super) fn flush_read_marks_of(&self, user: UserId) -> Result<()> {
        self.write_read_marks(Some(user), true).map(|_| ())
    }

    /// Writes every queued mark now (tests, shutdown).
    pub fn flush_read_marks(&self) -> Result<usize> {
        self.write_read_marks(None, true)
    }

    /// The service's background work in a serving process, until `shutdown`: the live watcher
    /// (other processes' changes reach this process's sessions) and the read-mark flush. The
    /// last marks are written after shutdown, once sessions are done.
    pub async fn run_background(self, shutdown: CancellationToken) {
        let watcher = tokio::spawn(self.hub.clone().watch(self.store.clone(), shutdown.clone()));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(FLUSH_EVERY) => {}
            }
            let s = self.clone();
            match tokio::task::spawn_blocking(move || s.write_read_marks(None, false)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "writing read marks failed; kept"),
                Err(e) => tracing::warn!(error = %e, "read-mark task failed"),
            }
        }
        match watcher.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "live watcher stopped"),
            Err(e) => tracing::warn!(error = %e, "live watcher task failed"),
            Ok(Ok(())) => {}
        }
    }

    /// Writes what is still queued; for a serving process after its sessions have ended.
    pub fn finish_background(&self) {
        if let Err(e) = self.flush_read_marks() {
            tracing::warn!(error = %e, "writing the last read marks failed");
        }
    }
}
