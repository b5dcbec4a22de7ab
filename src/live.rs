//! The live hub: changes other sessions should see (new threads, replies, hides, bans) as a
//! broadcast of small id-only events.
//!
//! Events cross processes through the store's `events` table: every writer appends a row in the
//! same transaction as its change. One watcher per process owns a dedicated connection, checks
//! `PRAGMA data_version` (which moves only when another connection committed; a cheap call) every
//! [`POLL_INTERVAL`] or as soon as this process pokes it after its own write, and forwards new rows
//! to the broadcast. Sessions filter what they receive for their member (blocks, anonymity) by
//! reloading through the service, which applies the member's view: an event itself says nothing
//! a member may not know. An event about one member (their unread counts, their account) goes
//! to that member's sessions alone, so 500 members' read marks wake 500 sessions, not every
//! session 500 times. See docs/ARCHITECTURE.md, "Live events across processes".

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, broadcast, watch};
use tokio_util::sync::CancellationToken;

use crate::domain::UserId;
use crate::store::events::{self, Event};
use crate::store::{Store, StoreError};

/// How often the watcher looks for other processes' writes. Changes made by the console or an
/// admin command reach SSH sessions within this (DESIGN.md asks for one second).
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// Events buffered per subscriber; a session that falls further behind reloads its view.
const CAPACITY: usize = 1024;
/// Events buffered per member for their own sessions (they come a few at a time).
const PERSONAL_CAPACITY: usize = 64;
/// How often old events are pruned from the table.
const PRUNE_EVERY: u32 = 3000;

/// The in-process side of live events. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Event>>,
    poke: Arc<Notify>,
    /// Members with an open session in this process: how many, and the channel of the events
    /// about them alone. In memory only: who was online when is never stored (DESIGN.md §8).
    online: Arc<std::sync::Mutex<std::collections::HashMap<UserId, Member>>>,
    /// Who is online changed since the watcher last said so (see [`Hub::presence_changed`]).
    presence: Arc<std::sync::atomic::AtomicBool>,
    /// How many times the watcher said so: watched only by sessions that show who is online.
    seen: Arc<watch::Sender<u64>>,
    /// When this process's hub was made: the server's uptime, for the sysop's dashboard.
    started: std::time::Instant,
}

/// A member online in this process.
struct Member {
    sessions: usize,
    personal: broadcast::Sender<Arc<Event>>,
}

/// Keeps a member counted as online while it lives (one per session), and receives the events
/// about that member alone.
pub struct Presence {
    hub: Hub,
    user: UserId,
    personal: broadcast::Receiver<Arc<Event>>,
}

impl Presence {
    /// The next event about this member alone (their counts, their account); see
    /// [`Hub::subscribe`] for the rest. Cancel-safe, as a broadcast receive is.
    pub async fn recv(&mut self) -> Result<Arc<Event>, broadcast::error::RecvError> {
        self.personal.recv().await
    }
}

impl Drop for Presence {
    fn drop(&mut self) {
        let mut map = self.hub.online.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = map.get_mut(&self.user) {
            m.sessions -= 1;
            if m.sessions == 0 {
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
            seen: Arc::new(watch::channel(0).0),
            started: std::time::Instant::now(),
        }
    }

    /// Counts `user` online until the returned guard is dropped; the guard receives the events
    /// about them alone.
    pub fn enter(&self, user: UserId) -> Presence {
        let (first, personal) = {
            let mut map = self.online.lock().unwrap_or_else(|e| e.into_inner());
            let m = map.entry(user).or_insert_with(|| Member {
                sessions: 0,
                personal: broadcast::channel(PERSONAL_CAPACITY).0,
            });
            m.sessions += 1;
            // Subscribed under the lock: the sender lives while this receiver's member does.
            (m.sessions == 1, m.personal.subscribe())
        };
        if first {
            self.presence_changed();
        }
        Presence {
            hub: self.clone(),
            user,
            personal,
        }
    }

    /// Passes an event on: to the sessions of the member it is about alone, or to every
    /// session (which each decide what it means for their member).
    fn send(&self, event: Event) {
        let event = Arc::new(event);
        if event.kind == events::EventKind::Announcement {
            // For every signed-in session, through its member's own channel, which a session
            // keeps even while it sleeps on a stale list (the broadcast it may drop).
            let map = self.online.lock().unwrap_or_else(|e| e.into_inner());
            for m in map.values() {
                let _ = m.personal.send(event.clone());
            }
            return;
        }
        if let Some(user) = personal_to(&event) {
            let map = self.online.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(m) = map.get(&user) {
                // No receiver is not an error: the member's last session just ended.
                let _ = m.personal.send(event);
            }
            return;
        }
        // No subscriber is not an error: nobody is online.
        let _ = self.tx.send(event);
    }

    /// Tells this process's sessions that who is online (or seen) changed: the watcher tells
    /// the sessions showing who is online ([`Hub::watch_presence`]) at its next round (within
    /// [`POLL_INTERVAL`]), once for all the changes since the last. Only they are woken: a
    /// thousand members arriving must not wake ten thousand sessions five times a second.
    pub fn presence_changed(&self) {
        self.presence
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Changes in who is online, for a session showing who is online: `changed()` wakes it
    /// once per watcher round in which someone came, left or changed whether they are seen.
    pub fn watch_presence(&self) -> watch::Receiver<u64> {
        self.seen.subscribe()
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

    /// Open sessions of members in this process (sign-ups in progress are not counted), and
    /// how many members they belong to.
    pub fn sessions(&self) -> (usize, usize) {
        let map = self.online.lock().unwrap_or_else(|e| e.into_inner());
        (map.values().map(|m| m.sessions).sum(), map.len())
    }

    /// How long this process has been running.
    pub fn uptime(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    /// The events every session gets (new posts, thread changes, reports); those about one
    /// member alone come through their [`Presence`], and who is online through
    /// [`Hub::watch_presence`].
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
                self.seen.send_modify(|n| *n = n.wrapping_add(1));
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
                        self.send(event);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live watcher could not read events"),
            }
        }
    }
}

/// The member an event concerns alone, whose sessions are the only ones to get it: a change in
/// their unread counts or their account. Other sessions would drop it (see `tui::App::live`
/// and `session::run`).
fn personal_to(event: &Event) -> Option<UserId> {
    match event.kind {
        events::EventKind::Message | events::EventKind::UserChanged => event.user,
        _ => None,
    }
}

/// The in-process event a session makes of a change in who is online: no id, no member.
pub fn presence_event() -> Event {
    Event {
        id: 0,
        kind: events::EventKind::Presence,
        board: None,
        thread: None,
        post: None,
        user: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{member, store};

    async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(5), f)
            .await
            .expect("the event arrived")
    }

    #[tokio::test]
    async fn an_event_about_one_member_reaches_only_that_members_sessions() {
        let store = Arc::new(store());
        let (a, b) = (member(&store, "alder"), member(&store, "birch"));
        let hub = Hub::new();
        let (mut a1, mut a2, mut b1) = (hub.enter(a), hub.enter(a), hub.enter(b));
        let shutdown = CancellationToken::new();
        let watcher = tokio::spawn(hub.clone().watch(store.clone(), shutdown.clone()));
        // Let the watcher take its starting point, and send its word of who came online,
        // before anything is written.
        tokio::time::sleep(POLL_INTERVAL * 2).await;
        let mut everyone = hub.subscribe();
        store
            .write(|c| {
                events::counts_changed(c, a)?;
                events::thread_changed(c, crate::domain::BoardId(1), crate::domain::ThreadId(7))
            })
            .expect("write");
        hub.poke();
        // Both of alder's sessions are told of alder's counts...
        for p in [&mut a1, &mut a2] {
            let e = within(p.recv()).await.expect("alder's event");
            assert_eq!(
                (e.kind.clone(), e.user),
                (events::EventKind::Message, Some(a))
            );
        }
        // ...while every session gets the thread's change, and it comes first to them: the
        // event about alder was never theirs.
        let e = within(everyone.recv()).await.expect("a public event");
        assert_eq!(e.kind, events::EventKind::ThreadChanged);
        assert!(everyone.try_recv().is_err());
        assert!(
            b1.personal.try_recv().is_err(),
            "birch heard of alder's counts"
        );
        shutdown.cancel();
        watcher.await.expect("watcher").expect("watched");
    }

    #[tokio::test]
    async fn an_announcement_reaches_every_members_own_channel_once() {
        let store = Arc::new(store());
        let (a, b) = (member(&store, "alder"), member(&store, "birch"));
        let hub = Hub::new();
        let (mut a1, mut b1) = (hub.enter(a), hub.enter(b));
        let shutdown = CancellationToken::new();
        let watcher = tokio::spawn(hub.clone().watch(store.clone(), shutdown.clone()));
        tokio::time::sleep(POLL_INTERVAL * 2).await;
        // A session asleep on a stale list holds no broadcast receiver, only its own channel.
        let mut everyone = hub.subscribe();
        let id = store
            .write(|c| crate::store::announcements::create(c, a, "Back at 9"))
            .expect("write");
        hub.poke();
        for p in [&mut a1, &mut b1] {
            let e = within(p.recv()).await.expect("the announcement");
            assert_eq!(
                (e.kind.clone(), e.id),
                (events::EventKind::Announcement, id)
            );
        }
        // Not also on the broadcast: a session would show it twice.
        tokio::time::sleep(POLL_INTERVAL * 2).await;
        assert!(everyone.try_recv().is_err());
        shutdown.cancel();
        watcher.await.expect("watcher").expect("watched");
    }
}
