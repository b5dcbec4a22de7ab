//! Admission before authentication (DESIGN.md §8). russh has none of sshd's pre-auth limits,
//! so Haven keeps its own, in memory only, with no address ever logged or stored:
//!
//! - a server-wide cap on connections that have not authenticated (a new key's sign-up counts
//!   as unauthenticated until its account exists), and a per-source cap well below it;
//! - random early drop past a threshold (like sshd's `MaxStartups`), but only for sources that
//!   already hold a slot: a fresh address is never dropped at random;
//! - when the cap is reached, the source holding the most slots loses its oldest handshake, so
//!   one or ten flooding addresses cannot lock out a member arriving from somewhere else;
//! - a small cap on concurrent sign-ups, server-wide and per source;
//! - per-source penalties that grow with each failure (no login, a failed authentication, a
//!   deadline missed) and expire, like sshd's `PerSourcePenalties`;
//! - counts of open sessions and of connections, held by guards, so a cap counts what it names.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::RngExt;
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};

use crate::config::Limits;

/// sshd's MaxStartups "rate": the drop probability where random dropping begins (percent).
const EARLY_DROP_PERCENT: usize = 30;
/// A penalty blocks a source only once it has added up to this much (sshd's `min:15s`), so one
/// slip (a mistyped code, a dropped connection) costs nothing.
const PENALTY_ACTIVE: Duration = Duration::from_secs(15);
/// Sources tracked at once; past this, no new penalty is recorded (the caps still hold).
const MAX_SOURCES: usize = 65_536;

/// Why a connection that did not log in ended, for its source's penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// It went away (or was pushed out) without authenticating.
    NoAuth,
    /// An authentication attempt was refused (a wrong code, a key Haven does not take).
    AuthFailed,
    /// It missed a deadline: the version line, key exchange, login grace or sign-up time.
    Deadline,
}

impl Failure {
    /// What each failure adds to the source's penalty (sshd's defaults: noauth 1 s, authfail
    /// 5 s, grace-exceeded 10 s).
    fn cost(self) -> Duration {
        Duration::from_secs(match self {
            Failure::NoAuth => 1,
            Failure::AuthFailed => 5,
            Failure::Deadline => 10,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    /// Handshake or authentication in progress: may be pushed out under flood.
    Handshake,
    /// A new key filling in sign-up: never pushed out (sign-ups have their own small cap).
    Signup,
}

struct Slot {
    id: u64,
    kind: SlotKind,
    evict: CancellationToken,
}

#[derive(Default)]
struct Source {
    /// Unauthenticated connections from this source, oldest first.
    slots: Vec<Slot>,
    signups: usize,
    /// Penalty added up so far, and when it ends.
    penalty: Duration,
    penalty_ends: Option<Instant>,
}

impl Source {
    fn blocked(&self, now: Instant) -> bool {
        self.penalty >= PENALTY_ACTIVE && self.penalty_ends.is_some_and(|end| end > now)
    }

    fn forgettable(&self, now: Instant) -> bool {
        self.slots.is_empty() && self.penalty_ends.is_none_or(|end| end <= now)
    }
}

#[derive(Default)]
struct State {
    total: usize,
    signups: usize,
    sources: HashMap<IpAddr, Source>,
    next_id: u64,
}

impl State {
    /// Removes the slot `id` of `source`, if it is still held; says whether it was.
    fn release(&mut self, source: IpAddr, id: u64) -> bool {
        let Some(s) = self.sources.get_mut(&source) else {
            return false;
        };
        let Some(i) = s.slots.iter().position(|slot| slot.id == id) else {
            return false;
        };
        let slot = s.slots.remove(i);
        self.total -= 1;
        if slot.kind == SlotKind::Signup {
            s.signups -= 1;
            self.signups -= 1;
        }
        true
    }

    fn tidy(&mut self, source: IpAddr, now: Instant) {
        if self
            .sources
            .get(&source)
            .is_some_and(|s| s.forgettable(now))
        {
            self.sources.remove(&source);
        }
    }
}

/// Why a connection was not admitted (never told to the client: it is simply dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The source is serving a penalty.
    Penalty,
    /// The source holds its share of unauthenticated slots.
    SourceFull,
    /// The server-wide cap, with no flooding source to push out.
    Full,
    /// Random early drop.
    Dropped,
}

/// Admission rules and state, shared by the accept loop and every connection.
#[derive(Clone)]
pub struct Admission {
    state: Arc<Mutex<State>>,
    max: usize,
    per_source: usize,
    drop_from: usize,
    max_signups: usize,
    signups_per_source: usize,
    penalties: bool,
    penalty_max: Duration,
}

/// Held while a connection is unauthenticated (or signing up); dropping it frees the slot.
pub struct Permit {
    admission: Admission,
    source: IpAddr,
    id: u64,
    evict: CancellationToken,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.admission.lock();
        state.release(self.source, self.id);
        state.tidy(self.source, Instant::now());
    }
}

impl Permit {
    /// Resolves when the slot was taken back for a newcomer from a less busy source.
    pub fn evicted(&self) -> WaitForCancellationFuture<'_> {
        self.evict.cancelled()
    }

    /// What the SSH handler keeps to turn this connection into a sign-up.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            admission: self.admission.clone(),
            source: self.source,
            id: self.id,
        }
    }

    pub fn begin_signup(&self) -> bool {
        self.ticket().begin_signup()
    }

    /// Records that this connection failed; its source pays the penalty.
    pub fn failed(&self, failure: Failure) {
        self.admission.penalize(self.source, failure);
    }
}

/// Names a connection's slot without holding it.
pub struct Ticket {
    admission: Admission,
    source: IpAddr,
    id: u64,
}

impl Ticket {
    /// Makes this connection a sign-up, if the sign-up caps allow one more; it keeps its
    /// unauthenticated slot (and is no longer pushed out) until its permit is dropped.
    pub fn begin_signup(&self) -> bool {
        let a = &self.admission;
        let mut state = a.lock();
        let state = &mut *state;
        let Some(source) = state.sources.get_mut(&self.source) else {
            return false;
        };
        let Some(slot) = source.slots.iter_mut().find(|s| s.id == self.id) else {
            return false;
        };
        if slot.kind == SlotKind::Signup {
            return true;
        }
        if state.signups >= a.max_signups || source.signups >= a.signups_per_source {
            return false;
        }
        slot.kind = SlotKind::Signup;
        source.signups += 1;
        state.signups += 1;
        true
    }
}

impl Admission {
    pub fn new(limits: &Limits) -> Admission {
        let max = limits.max_unauthenticated.max(1);
        Admission {
            state: Arc::default(),
            max,
            per_source: limits.max_unauthenticated_per_source.clamp(1, max),
            drop_from: limits.random_drop_from.clamp(1, max),
            max_signups: limits.max_signups,
            signups_per_source: limits.max_signups_per_source,
            penalties: limits.penalties,
            penalty_max: limits.penalty_max.max(PENALTY_ACTIVE),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits a new connection from `source`, or says why not.
    pub fn admit(&self, source: IpAddr) -> Result<Permit, Refused> {
        self.admit_at(source, Instant::now())
    }

    fn admit_at(&self, source: IpAddr, now: Instant) -> Result<Permit, Refused> {
        let mut state = self.lock();
        let (held, blocked) = state
            .sources
            .get(&source)
            .map_or((0, false), |s| (s.slots.len(), s.blocked(now)));
        if blocked {
            return Err(Refused::Penalty);
        }
        if held >= self.per_source {
            return Err(Refused::SourceFull);
        }
        if state.total >= self.max {
            // Full: the busiest other source gives up its oldest handshake, if it holds clearly
            // more than this one. Otherwise the newcomer waits, like everyone else.
            let busiest = state
                .sources
                .iter()
                .filter(|(ip, _)| **ip != source)
                .filter(|(_, s)| s.slots.iter().any(|slot| slot.kind == SlotKind::Handshake))
                .max_by_key(|(_, s)| s.slots.len())
                .map(|(ip, s)| (*ip, s.slots.len()));
            let Some((victim, count)) = busiest.filter(|(_, n)| *n > held + 1) else {
                return Err(Refused::Full);
            };
            let slots = &state.sources[&victim].slots;
            let Some(oldest) = slots.iter().find(|s| s.kind == SlotKind::Handshake) else {
                return Err(Refused::Full);
            };
            debug_assert!(count > 1);
            let (id, token) = (oldest.id, oldest.evict.clone());
            state.release(victim, id);
            token.cancel();
        } else if held > 0 && state.total >= self.drop_from {
            // Random early drop, rising from 30 % at the threshold to 100 % at the cap, for
            // sources that already have a connection in progress.
            let span = (self.max - self.drop_from).max(1);
            let p = EARLY_DROP_PERCENT
                + (100 - EARLY_DROP_PERCENT) * (state.total - self.drop_from) / span;
            if rand::rng().random_range(0..100) < p {
                return Err(Refused::Dropped);
            }
        }
        state.next_id += 1;
        let id = state.next_id;
        let evict = CancellationToken::new();
        state.total += 1;
        if !state.sources.contains_key(&source) && state.sources.len() >= MAX_SOURCES {
            state.sources.retain(|_, s| !s.forgettable(now));
        }
        state.sources.entry(source).or_default().slots.push(Slot {
            id,
            kind: SlotKind::Handshake,
            evict: evict.clone(),
        });
        Ok(Permit {
            admission: self.clone(),
            source,
            id,
            evict,
        })
    }

    /// Adds `failure`'s cost to `source`'s penalty; the source is refused while the penalty
    /// (once it passes 15 s) lasts. Penalties grow up to the configured maximum and expire.
    pub fn penalize(&self, source: IpAddr, failure: Failure) {
        self.penalize_at(source, failure, Instant::now());
    }

    fn penalize_at(&self, source: IpAddr, failure: Failure, now: Instant) {
        if !self.penalties {
            return;
        }
        let mut state = self.lock();
        if !state.sources.contains_key(&source) && state.sources.len() >= MAX_SOURCES {
            state.sources.retain(|_, s| !s.forgettable(now));
            if state.sources.len() >= MAX_SOURCES {
                return;
            }
        }
        let s = state.sources.entry(source).or_default();
        if s.penalty_ends.is_none_or(|end| end <= now) {
            // An expired penalty starts again from nothing.
            s.penalty = Duration::ZERO;
        }
        s.penalty = (s.penalty + failure.cost()).min(self.penalty_max);
        s.penalty_ends = Some(now + s.penalty);
    }

    /// Connections still authenticating (sign-ups included).
    pub fn pending(&self) -> usize {
        self.lock().total
    }

    /// Sign-ups in progress.
    pub fn signups(&self) -> usize {
        self.lock().signups
    }
}

/// A count with a cap, held by guards: open sessions, or open connections.
#[derive(Clone)]
pub struct Gauge {
    count: Arc<AtomicUsize>,
    max: usize,
}

/// One unit of a [`Gauge`], given back when dropped.
pub struct Held(Arc<AtomicUsize>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gauge {
    pub fn new(max: usize) -> Gauge {
        Gauge {
            count: Arc::default(),
            max,
        }
    }

    /// One more, if the cap allows.
    pub fn take(&self) -> Option<Held> {
        self.count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Held(self.count.clone()))
    }

    /// One more, whatever the cap (for what was admitted under another cap already).
    pub fn force(&self) -> Held {
        self.count.fetch_add(1, Ordering::AcqRel);
        Held(self.count.clone())
    }

    pub fn current(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub fn max(&self) -> usize {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(max: usize, per_source: usize) -> Limits {
        let mut l = crate::config::Config::default().limits;
        l.max_unauthenticated = max;
        l.max_unauthenticated_per_source = per_source;
        l.random_drop_from = max;
        l
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[test]
    fn per_source_cap_and_release() {
        let a = Admission::new(&rules(1000, 2));
        let first = a.admit(ip(1)).expect("first");
        let _second = a.admit(ip(1)).expect("second");
        assert_eq!(a.admit(ip(1)).err(), Some(Refused::SourceFull));
        assert!(a.admit(ip(2)).is_ok(), "another source is not affected");
        drop(first);
        assert!(a.admit(ip(1)).is_ok(), "a freed slot can be used again");
    }

    #[test]
    fn random_drop_spares_fresh_sources_and_never_passes_the_cap() {
        let mut l = rules(100, 1000);
        l.random_drop_from = 2;
        let a = Admission::new(&l);
        let mut held = Vec::new();
        let mut dropped = 0;
        while held.len() < 50 {
            match a.admit(ip(1)) {
                Ok(p) => held.push(p),
                Err(Refused::Dropped) => dropped += 1,
                Err(e) => panic!("{e:?} below the cap"),
            }
        }
        assert!(
            dropped > 0,
            "one source past the threshold is dropped at random"
        );
        // Addresses that hold nothing are never dropped at random.
        for last in 2..=40 {
            held.push(a.admit(ip(last)).expect("fresh source admitted"));
        }
        // The cap holds whatever comes.
        for _ in 0..10_000 {
            if let Ok(p) = a.admit(ip(1)) {
                held.push(p);
            }
        }
        assert_eq!(a.pending(), 100);
        drop(held);
        assert_eq!(a.pending(), 0);
    }

    #[test]
    fn a_full_server_pushes_out_the_busiest_source_for_a_newcomer() {
        let a = Admission::new(&rules(20, 11));
        let flood: Vec<_> = (0..20)
            .map(|i| a.admit(ip(2 + (i % 2) as u8)).expect("flood"))
            .collect();
        assert_eq!(a.pending(), 20);
        // A member from elsewhere gets in; the oldest slot of a flooding source goes.
        let member = a.admit(ip(1)).expect("member admitted while full");
        assert_eq!(a.pending(), 20);
        let evicted = flood.iter().filter(|p| p.evict.is_cancelled()).count();
        assert_eq!(evicted, 1);
        assert!(
            flood[0].evict.is_cancelled() || flood[1].evict.is_cancelled(),
            "the oldest of its source went first"
        );
        // The flooding sources cannot push each other (or the member) out.
        assert_eq!(a.admit(ip(2)).err(), Some(Refused::Full));
        assert_eq!(a.admit(ip(3)).err(), Some(Refused::Full));
        drop(member);
        drop(flood);
        assert_eq!(a.pending(), 0);
    }

    #[test]
    fn sign_ups_have_their_own_caps_and_are_not_pushed_out() {
        let mut l = rules(4, 4);
        l.max_signups = 3;
        l.max_signups_per_source = 2;
        let a = Admission::new(&l);
        let s1 = a.admit(ip(2)).expect("1");
        let s2 = a.admit(ip(2)).expect("2");
        let s3 = a.admit(ip(2)).expect("3");
        assert!(s1.begin_signup() && s2.begin_signup());
        assert!(!s3.begin_signup(), "two sign-ups per source");
        let other = a.admit(ip(3)).expect("other");
        assert!(other.begin_signup());
        assert_eq!(a.signups(), 3);
        let fourth = a
            .admit(ip(4))
            .expect("pushes out the handshake, not a sign-up");
        assert!(!fourth.begin_signup(), "three sign-ups server-wide");
        assert!(s3.evict.is_cancelled());
        assert!(!s1.evict.is_cancelled() && !s2.evict.is_cancelled());
        drop((s1, s2, s3, other, fourth));
        assert_eq!((a.pending(), a.signups()), (0, 0));
    }

    #[test]
    fn penalties_grow_block_and_expire() {
        let a = Admission::new(&rules(100, 10));
        let t0 = Instant::now();
        a.penalize_at(ip(5), Failure::AuthFailed, t0);
        a.penalize_at(ip(5), Failure::AuthFailed, t0);
        assert!(
            a.admit_at(ip(5), t0).is_ok(),
            "10 s of penalty is not yet a block"
        );
        a.penalize_at(ip(5), Failure::AuthFailed, t0);
        assert_eq!(a.admit_at(ip(5), t0).err(), Some(Refused::Penalty));
        assert!(a.admit_at(ip(6), t0).is_ok(), "only that source");
        // It lasts as long as it has grown, and then it is forgotten.
        assert!(a.admit_at(ip(5), t0 + Duration::from_secs(14)).is_err());
        assert!(a.admit_at(ip(5), t0 + Duration::from_secs(16)).is_ok());
        // Growth is capped.
        let t1 = t0 + Duration::from_secs(20);
        for _ in 0..1000 {
            a.penalize_at(ip(7), Failure::Deadline, t1);
        }
        let max = crate::config::Config::default().limits.penalty_max;
        assert!(
            a.admit_at(ip(7), t1 + max - Duration::from_secs(1))
                .is_err()
        );
        assert!(a.admit_at(ip(7), t1 + max + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn penalties_can_be_turned_off() {
        let mut l = rules(100, 10);
        l.penalties = false;
        let a = Admission::new(&l);
        for _ in 0..10 {
            a.penalize(ip(5), Failure::Deadline);
        }
        assert!(a.admit(ip(5)).is_ok());
    }

    #[test]
    fn gauges_count_what_they_hold() {
        let g = Gauge::new(2);
        let a = g.take().expect("a");
        let _b = g.take().expect("b");
        assert!(g.take().is_none());
        let forced = g.force();
        assert_eq!(g.current(), 3);
        drop((a, forced));
        assert_eq!(g.current(), 1);
        assert!(g.take().is_some());
    }
}
