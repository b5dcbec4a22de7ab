//! Pre-authentication limits (DESIGN.md §8). russh has none of sshd's, so Haven adds them: a
//! cap on connections still authenticating, with random early drop past a threshold (like
//! sshd's `MaxStartups 10:30:100`), and a cap per source address. State is in memory only and
//! holds no address once its last connection ends; nothing here is logged with an address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use rand::RngExt;

/// sshd's MaxStartups "rate": the drop probability where random dropping begins (percent).
const EARLY_DROP_PERCENT: usize = 30;

#[derive(Default)]
struct Counts {
    total: usize,
    per_source: HashMap<IpAddr, usize>,
}

/// Counts connections that have not authenticated yet.
#[derive(Clone)]
pub struct Limiter {
    counts: Arc<Mutex<Counts>>,
    max: usize,
    per_source: usize,
}

/// Held while a connection is unauthenticated; dropping it frees the slot.
pub struct Permit {
    counts: Arc<Mutex<Counts>>,
    source: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_source.get_mut(&self.source) {
            *n -= 1;
            if *n == 0 {
                c.per_source.remove(&self.source);
            }
        }
    }
}

impl Limiter {
    pub fn new(max: usize, per_source: usize) -> Limiter {
        Limiter {
            counts: Arc::default(),
            max: max.max(1),
            per_source: per_source.max(1),
        }
    }

    /// Admits a new connection from `source`, or refuses it.
    pub fn admit(&self, source: IpAddr) -> Option<Permit> {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if c.total >= self.max || c.per_source.get(&source).copied().unwrap_or(0) >= self.per_source
        {
            return None;
        }
        // Random early drop between start (max/10) and max: probability rises from 30% to 100%.
        let start = (self.max / 10).max(1);
        if c.total >= start {
            let span = (self.max - start).max(1);
            let p = EARLY_DROP_PERCENT + (100 - EARLY_DROP_PERCENT) * (c.total - start) / span;
            if rand::rng().random_range(0..100) < p {
                return None;
            }
        }
        c.total += 1;
        *c.per_source.entry(source).or_insert(0) += 1;
        Some(Permit {
            counts: self.counts.clone(),
            source,
        })
    }

    /// Connections still authenticating.
    pub fn pending(&self) -> usize {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_source_cap_and_release() {
        let l = Limiter::new(1000, 2);
        let ip: IpAddr = "127.0.0.1".parse().expect("ip");
        let a = l.admit(ip).expect("first");
        let _b = l.admit(ip).expect("second");
        assert!(l.admit(ip).is_none(), "third from one source is refused");
        drop(a);
        assert!(l.admit(ip).is_some(), "a freed slot can be used again");
    }

    #[test]
    fn global_cap_with_early_drop() {
        let l = Limiter::new(20, 1000);
        let ip: IpAddr = "127.0.0.1".parse().expect("ip");
        let mut held = Vec::new();
        for _ in 0..1000 {
            if let Some(p) = l.admit(ip) {
                held.push(p);
            }
        }
        assert_eq!(held.len(), 20, "never more than the cap");
        drop(held);
        assert_eq!(l.pending(), 0);
        // Below the start threshold nothing is dropped.
        let first: Vec<_> = (0..2).map(|_| l.admit(ip)).collect();
        assert!(first.iter().all(Option::is_some));
    }
}
