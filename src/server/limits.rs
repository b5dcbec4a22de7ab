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
/// A handshake this old may be pushed out for a newcomer when every source holds one slot.
const STALE: Duration = Duration::from_secs(2);
/// Sources tracked at once; past this, no new penalty is recorded (the caps still hold).
const MAX_SOURCES: usize = 65_536;

/// The "source" limits count: an IPv4 address, or an IPv6 /64 (one subscriber's network, in
/// which an attacker has endless addresses, like sshd's `PerSourceNetBlockSize 32:64`). An
/// IPv4 address mapped into IPv6 counts as itself.
fn source_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(octets.into())
            }
        },
    }
}

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
    /// 5 s, grace-exceeded 10 s), plus the time the connection held its slot: slots are what a
    /// flood takes from members, so holding one without logging in is what costs.
    fn cost(self, held: Duration) -> Duration {
        Duration::from_secs(match self {
            Failure::NoAuth => 1,
            Failure::AuthFailed => 5,
            Failure::Deadline => 10,
        }) + held
    }
}

/// A source's penalty fades by one second every this long, so failures spaced out add up
/// (a deadline missed every 10 s is blocked by the second) and a quiet source is forgiven.
const PENALTY_FADE: Duration = Duration::from_secs(10);
/// Time spent in sign-up counts this much less than time spent in a handshake: a person
/// reading the guidelines and leaving is not an attacker.
const SIGNUP_HOLD_DISCOUNT: u32 = 10;

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
    since: Instant,
}

#[derive(Default)]
struct Source {
    /// Unauthenticated connections from this source, oldest first.
    slots: Vec<Slot>,
    signups: usize,
    /// Failures added up (fading with time), as of `scored`.
    score: Duration,
    scored: Option<Instant>,
    /// Refused until then.
    blocked_until: Option<Instant>,
}

impl Source {
    fn blocked(&self, now: Instant) -> bool {
        self.blocked_until.is_some_and(|end| end > now)
    }

    /// The score now, after fading.
    fn score_at(&self, now: Instant) -> Duration {
        let faded = self.scored.map_or(Duration::ZERO, |t| {
            now.saturating_duration_since(t)
                .div_f64(PENALTY_FADE.as_secs_f64())
        });
        self.score.saturating_sub(faded)
    }

    fn forgettable(&self, now: Instant) -> bool {
        self.slots.is_empty() && !self.blocked(now) && self.score_at(now).is_zero()
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
    since: Instant,
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

    /// Records that this connection failed; its source pays the penalty, which includes the
    /// time it held its slot.
    pub fn failed(&self, failure: Failure) {
        let now = Instant::now();
        let mut held = now.saturating_duration_since(self.since);
        let signup = {
            let state = self.admission.lock();
            state.sources.get(&self.source).is_some_and(|s| {
                s.slots
                    .iter()
                    .any(|slot| slot.id == self.id && slot.kind == SlotKind::Signup)
            })
        };
        if signup {
            held /= SIGNUP_HOLD_DISCOUNT;
        }
        self.admission.penalize_at(self.source, failure, held, now);
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
        let source = source_of(source);
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
            let victim = match busiest.filter(|(_, n)| *n > held + 1) {
                Some((victim, _)) => state.sources[&victim]
                    .slots
                    .iter()
                    .find(|s| s.kind == SlotKind::Handshake)
                    .map(|s| (victim, s.id, s.evict.clone())),
                // Many sources with a slot each: the oldest handshake anywhere goes, if it has
                // had longer than any real login needs.
                None => state
                    .sources
                    .iter()
                    .filter(|(ip, _)| **ip != source)
                    .flat_map(|(ip, s)| s.slots.iter().map(move |slot| (*ip, slot)))
                    .filter(|(_, slot)| slot.kind == SlotKind::Handshake)
                    .filter(|(_, slot)| now.saturating_duration_since(slot.since) >= STALE)
                    .min_by_key(|(_, slot)| slot.since)
                    .map(|(ip, slot)| (ip, slot.id, slot.evict.clone())),
            };
            let Some((victim, id, token)) = victim else {
                return Err(Refused::Full);
            };
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
            since: now,
        });
        Ok(Permit {
            admission: self.clone(),
            source,
            id,
            evict,
            since: now,
        })
    }

    /// Adds `failure`'s cost (and `held`, the time it held a slot) to `source`'s score, which
    /// fades by a second every ten. Once the score passes 15 s the source is refused for as
    /// long as the score, up to the configured maximum.
    pub fn penalize(&self, source: IpAddr, failure: Failure) {
        self.penalize_at(source, failure, Duration::ZERO, Instant::now());
    }

    fn penalize_at(&self, source: IpAddr, failure: Failure, held: Duration, now: Instant) {
        if !self.penalties {
            return;
        }
        let source = source_of(source);
        let mut state = self.lock();
        if !state.sources.contains_key(&source) && state.sources.len() >= MAX_SOURCES {
            state.sources.retain(|_, s| !s.forgettable(now));
            if state.sources.len() >= MAX_SOURCES {
                return;
            }
        }
        let s = state.sources.entry(source).or_default();
        s.score = (s.score_at(now) + failure.cost(held)).min(self.penalty_max);
        s.scored = Some(now);
        if s.score >= PENALTY_ACTIVE {
            s.blocked_until = Some(now + s.score);
        }
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
    /// The highest count since [`Gauge::take_peak`] last looked.
    peak: Arc<AtomicUsize>,
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
            peak: Arc::default(),
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
            .map(|n| {
                self.peak.fetch_max(n + 1, Ordering::AcqRel);
                Held(self.count.clone())
            })
    }

    /// The highest count since the last call (or since the start), and starts again from now.
    pub fn take_peak(&self) -> usize {
        self.peak.swap(self.current(), Ordering::AcqRel)
    }

    pub fn current(&self) -> usize {
        self.count.load(Ordering::Acquire)
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
        let zero = Duration::ZERO;
        a.penalize_at(ip(5), Failure::AuthFailed, zero, t0);
        a.penalize_at(ip(5), Failure::AuthFailed, zero, t0);
        assert!(
            a.admit_at(ip(5), t0).is_ok(),
            "10 s of penalty is not yet a block"
        );
        a.penalize_at(ip(5), Failure::AuthFailed, zero, t0);
        assert_eq!(a.admit_at(ip(5), t0).err(), Some(Refused::Penalty));
        assert!(a.admit_at(ip(6), t0).is_ok(), "only that source");
        // It lasts as long as the score, and then the source may come back.
        assert!(a.admit_at(ip(5), t0 + Duration::from_secs(14)).is_err());
        assert!(a.admit_at(ip(5), t0 + Duration::from_secs(16)).is_ok());
        // Growth is capped.
        let t1 = t0 + Duration::from_secs(20);
        for _ in 0..1000 {
            a.penalize_at(ip(7), Failure::Deadline, zero, t1);
        }
        let max = crate::config::Config::default().limits.penalty_max;
        assert!(
            a.admit_at(ip(7), t1 + max - Duration::from_secs(1))
                .is_err()
        );
        assert!(a.admit_at(ip(7), t1 + max + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn the_smallest_penalty_max_a_config_may_set_still_refuses() {
        assert_eq!(
            crate::config::PENALTY_MAX_SECONDS.min,
            i64::try_from(PENALTY_ACTIVE.as_secs()).expect("small")
        );
    }

    #[test]
    fn spaced_out_failures_still_add_up() {
        let a = Admission::new(&rules(100, 10));
        let t0 = Instant::now();
        // A silent connection every 10 s, each missing its 10 s deadline.
        a.penalize_at(ip(5), Failure::Deadline, Duration::from_secs(10), t0);
        let t1 = t0 + Duration::from_secs(10);
        assert!(
            a.admit_at(ip(5), t1).is_err(),
            "20 s held and missed is a block"
        );
        // A slot held 23 s and then dropped costs more than it fades.
        a.penalize_at(ip(6), Failure::NoAuth, Duration::from_secs(23), t0);
        assert!(a.admit_at(ip(6), t0 + Duration::from_secs(1)).is_err());
        // A quick slip costs nothing that lasts.
        a.penalize_at(ip(8), Failure::NoAuth, Duration::from_millis(200), t0);
        assert!(a.admit_at(ip(8), t0).is_ok());
    }

    #[test]
    fn many_sources_with_one_slot_each_cannot_lock_a_newcomer_out() {
        let a = Admission::new(&rules(10, 10));
        let t0 = Instant::now();
        let flood: Vec<_> = (0..10)
            .map(|i| a.admit_at(ip(20 + i), t0).expect("flood"))
            .collect();
        // Fresh handshakes are left alone...
        assert_eq!(a.admit_at(ip(1), t0).err(), Some(Refused::Full));
        // ...but one that has sat for seconds gives way to a newcomer.
        let member = a.admit_at(ip(1), t0 + STALE).expect("member admitted");
        assert_eq!(flood.iter().filter(|p| p.evict.is_cancelled()).count(), 1);
        drop((member, flood));
        assert_eq!(a.pending(), 0);
    }

    #[test]
    fn an_ipv6_network_counts_as_one_source() {
        let a = Admission::new(&rules(1000, 2));
        let v6 = |s: &str| s.parse::<IpAddr>().expect("ip");
        let _p1 = a.admit(v6("2001:db8:1:2::1")).expect("first");
        let _p2 = a.admit(v6("2001:db8:1:2:ffff::9")).expect("second");
        assert_eq!(
            a.admit(v6("2001:db8:1:2:abcd::1")).err(),
            Some(Refused::SourceFull),
            "the same /64"
        );
        assert!(a.admit(v6("2001:db8:1:3::1")).is_ok(), "another /64");
        let _m1 = a.admit(v6("::ffff:192.0.2.7")).expect("mapped");
        let _m2 = a.admit(v6("192.0.2.7")).expect("plain");
        assert_eq!(a.admit(v6("192.0.2.7")).err(), Some(Refused::SourceFull));
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
        assert_eq!(g.current(), 2);
        drop(a);
        assert_eq!(g.current(), 1);
        assert_eq!(g.take_peak(), 2, "the busiest moment is remembered");
        assert_eq!(g.take_peak(), 1, "and forgotten once looked at");
        assert!(g.take().is_some());
    }
}
