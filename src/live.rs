//! The live hub: changes other sessions should see (new threads, replies, hides, bans) as a
//! broadcast of small id-only events.
//!
//! Events cross processes through the store's `events` table: every writer appends a row in the
//! same transaction as its change. One watcher per process owns a dedicated connection, checks
//! `PRAGMA data_version` (which moves only when another connection committed; a cheap call) every
//! [`POLL_INTERVAL`] or as soon as this process pokes it after its own write, and forwards new rows
//! to the broadcast. Sessions filter what they receive for their member (blocks, anonymity) by
//! reloading through the service, which applies the member's view: an event itself says nothing
//! a member may not know. See docs/ARCHITECTURE.md, "Live events across processes".

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

use crate::domain::UserId;
use crate::store::events::{self, Event};
use crate::store::{Store, StoreError};

/// How often the watcher looks for other processes' writes. Changes made by the console or an
/// admin command reach SSH sessions within this (DESIGN.md asks for one second).
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// Events buffered per subscriber; a session that falls further behind reloads its view.
const CAPACITY: usize = 1024;
/// How often old events are pruned from the table.
const PRUNE_EVERY: u32 = 3000;

/// The in-process side of live events. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Event>>,
    poke: Arc<Notify>,
    /// Members with an open session in this process, and how many. In memory only: who was
    /// online when is never stored (DESIGN.md §8).
    online: Arc<std::sync::Mutex<std::collections::HashMap<UserId, usize>>>,
    /// Who is online changed since the watcher last said so (see [`Hub::presence_changed`]).
    presence: Arc<std::sync::atomic::AtomicBool>,
}

/// Keeps a member counted as online while it lives (one per session).
pub struct Presence {
    hub: Hub,
    user: UserId,
}

impl Drop for Presence {
    fn drop(&mut self) {
        let mut map = self.hub.online.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.user);
                drop(map);
                self.hub.presence_changed();
            }
        }
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    pub fn new() -> Hub {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
            poke: Arc::new(Notify::new()),
            online: Arc::default(),
            presence: Arc::default(),
        }
    }

    /// Counts `user` online until the returned guard is dropped.
    pub fn enter(&self, user: UserId) -> Presence {
        let first = {
            let mut map = self.online.lock().unwrap_or_else(|e| e.into_inner());
            let n = map.entry(user).or_default();
            *n += 1;
            *n == 1
        };
        if first {
            self.presence_changed();
        }
        Presence {
            hub: self.clone(),
            user,
        }
    }

    /// Tells this process's sessions that who is online (or seen) changed: the watcher sends
    /// one `Presence` event at its next round (within [`POLL_INTERVAL`]) for all the changes
    /// since the last, so a thousand members arriving wake each session a few times, not a
    /// thousand.
    pub fn presence_changed(&self) {
        self.presence
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Members with an open session in this process.
    pub fn online(&self) -> Vec<UserId> {
        self.online
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Tells the watcher that this process just wrote, so it forwards at once.
    pub fn poke(&self) {
        self.poke.notify_one();
    }

    /// Whether a poke is waiting for the watcher, taking it (tests: every write must poke).
    #[cfg(test)]
    pub(crate) fn take_poke(&self) -> bool {
        use std::future::Future;
        let notified = self.poke.notified();
        let mut notified = std::pin::pin!(notified);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        notified.as_mut().poll(&mut cx).is_ready()
    }

    /// Watches the store for new events until `shutdown`.
    pub async fn watch(
        self,
        store: Arc<Store>,
        shutdown: CancellationToken,
    ) -> Result<(), StoreError> {
        let watch_store = store.clone();
        let conn = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            let conn = watch_store.connect()?;
            let last = events::last_id(&conn)?;
            let version = events::data_version(&conn)?;
            Ok((conn, last, version))
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;
        let (mut conn, mut last, mut version) = conn;
        let mut rounds = 0u32;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                _ = self.poke.notified() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
            }
            if self
                .presence
                .swap(false, std::sync::atomic::Ordering::AcqRel)
            {
                presence_changed(&self.tx);
            }
            rounds = rounds.wrapping_add(1);
            let prune = rounds.is_multiple_of(PRUNE_EVERY);
            let result = tokio::task::spawn_blocking(move || {
                let r = (|| -> Result<_, StoreError> {
                    let now = events::data_version(&conn)?;
                    if now == version && !prune {
                        return Ok((version, Vec::new()));
                    }
                    if prune {
                        events::prune(&conn)?;
                    }
                    Ok((now, events::since(&conn, last)?))
                })();
                (conn, r)
            })
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?;
            conn = result.0;
            match result.1 {
                Ok((v, new)) => {
                    version = v;
                    for event in new {
                        last = last.max(event.id);
                        // No subscriber is not an error: nobody is online.
                        let _ = self.tx.send(Arc::new(event));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live watcher could not read events"),
            }
        }
    }
}

/// The in-process event for a change in who is online: no id, no member.
fn presence_changed(tx: &broadcast::Sender<Arc<Event>>) {
    // No subscriber is not an error: nobody is online.
    let _ = tx.send(Arc::new(Event {
        id: 0,
        kind: events::EventKind::Presence,
        board: None,
        thread: None,
        post: None,
        user: None,
    }));
}
