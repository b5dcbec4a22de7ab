//! How the server is doing, for its sysops: the dashboard in the TUI (and `ssh host stats`).
//! Counts, and the review queue's first items by their queue labels (which a sysop sees in
//! the queue anyway: "post 12", a thread's title, a reported member's handle); no post text,
//! no address (DESIGN.md §8).

use super::{Result, Service};
use crate::domain::User;
use crate::domain::policy::Action;
use crate::store::{posts, reports, users};

/// Hours of posting shown, one bar each.
pub const STATS_HOURS: usize = 24;
/// Open review items named on the dashboard (urgent first), the rest counted.
pub const STATS_REPORTS: usize = 3;

/// A snapshot of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Open sessions in this process, and the members they belong to.
    pub sessions: usize,
    pub members_online: usize,
    /// Seconds since this process started.
    pub uptime: u64,
    /// Posts written in each of the last [`STATS_HOURS`] hours, the oldest hour first.
    pub posts_per_hour: Vec<u64>,
    /// Open items in the review queue, and how many of them are urgent.
    pub open_reports: i64,
    pub urgent_reports: i64,
    /// The first few open items, urgent first: (what, how many reports, urgent).
    pub first_reports: Vec<(String, i64, bool)>,
    /// Accounts waiting for approval, and active accounts.
    pub pending_accounts: i64,
    pub members: i64,
    /// Bytes on disk: the database and its write-ahead log.
    pub database_bytes: u64,
}

impl Stats {
    /// Posts in the last day.
    pub fn posts_last_day(&self) -> u64 {
        self.posts_per_hour.iter().sum()
    }
}

impl Service {
    /// How the server is doing now; for sysops only.
    pub fn stats(&self, actor: &User) -> Result<Stats> {
        self.can(&self.current(actor)?, Action::OperateServer)?;
        let now = self.clock.now();
        let (posts_per_hour, (open_reports, urgent_reports), first, (members, pending_accounts)) =
            self.store.read(|c| {
                Ok((
                    posts::per_hour(c, now, STATS_HOURS)?,
                    reports::open_counts(c)?,
                    reports::queue_head(c, STATS_REPORTS)?,
                    users::counts(c)?,
                ))
            })?;
        let (sessions, members_online) = self.hub.sessions();
        Ok(Stats {
            sessions,
            members_online,
            uptime: self.hub.uptime().as_secs(),
            posts_per_hour,
            open_reports,
            urgent_reports,
            first_reports: first
                .into_iter()
                .map(|(_, label, reports, urgent)| (label, reports, urgent))
                .collect(),
            pending_accounts,
            members,
            database_bytes: self.database_bytes(),
        })
    }

    /// The database file and its write-ahead log, as they are on disk now.
    fn database_bytes(&self) -> u64 {
        let path = self.store.path();
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        [path.to_path_buf(), wal.into()]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }
}
