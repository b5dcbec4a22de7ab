//! Scheduled maintenance in the serving process (`bbs serve`): online backups on the
//! `[backup]` schedule, and the daily audit retention purge.
//!
//! A backup is written under a temporary name (`….partial`), checked with the store's own key
//! (`store::backup::verify`: every page, and the main tables counted), renamed to its UTC time
//! (`haven-20261207T031500Z.db`, 0600), recorded in the audit log as `bbs admin backup` is, and
//! then the oldest of the server's own backups beyond `backup.keep` are deleted. Only a file
//! whose whole name has that pattern is ever deleted, so whatever else a sysop keeps in the
//! directory is safe. A failure (a full disk, a directory that cannot be written) is a warning
//! in the log and is tried again later; it never stops the server. Logs name the file and its
//! size, never anything it holds.
//!
//! When a backup is due is decided by the service's clock against the newest backup's name,
//! so a server restarted every night still backs up once a day.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Result, Service};
use crate::store::StoreError;
use crate::store::backup::Verified;

/// The parts of a scheduled backup's file name: `haven-YYYYMMDDTHHMMSSZ.db`.
const PREFIX: &str = "haven-";
const SUFFIX: &str = ".db";
/// A backup being written, or one a crash left behind (deleted at the next backup).
const PARTIAL: &str = ".partial";
/// How often the retention purge runs (the first time at the first check after start).
pub const PURGE_EVERY: Duration = Duration::from_secs(86_400);
/// After a failed backup, the longest wait before the next try (a full disk may be cleared
/// within the hour; trying every minute would fill the log instead).
const RETRY_AFTER: Duration = Duration::from_secs(3600);

/// `at` (Unix seconds) as a UTC time for file names: "20261207T031509Z".
pub fn utc_stamp(at: i64) -> String {
    // "2026-12-07 03:15" → "20261207T0315", then the seconds.
    let stamp: String = crate::domain::format_time(at)
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('T'),
            c if c.is_ascii_digit() => Some(c),
            _ => None,
        })
        .collect();
    format!("{stamp}{:02}Z", at.rem_euclid(60))
}

/// The file name of a backup made at `at` (Unix seconds, UTC).
pub fn backup_name(at: i64) -> String {
    format!("{PREFIX}{}{SUFFIX}", utc_stamp(at))
}

/// The time a scheduled backup's file name says; `None` for any other name.
pub fn backup_time(name: &str) -> Option<i64> {
    let stamp = name
        .strip_prefix(PREFIX)?
        .strip_suffix(SUFFIX)?
        .strip_suffix('Z')?;
    let (date, time) = stamp.split_once('T')?;
    if date.len() != 8 || time.len() != 6 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day = crate::domain::parse_date(&format!(
        "{}-{}-{}",
        date.get(..4)?,
        date.get(4..6)?,
        date.get(6..)?
    ))?;
    let part = |r: std::ops::Range<usize>, max: i64| {
        time.get(r)?
            .parse::<i64>()
            .ok()
            .filter(|v| (0..max).contains(v))
    };
    Some(day + part(0..2, 24)? * 3600 + part(2..4, 60)? * 60 + part(4..6, 60)?)
}

/// A backup the schedule made.
#[derive(Debug)]
pub struct Made {
    pub path: PathBuf,
    pub bytes: u64,
    pub verified: Verified,
    /// Older backups deleted to keep `backup.keep`.
    pub deleted: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The server's own backups in `dir`, oldest first (none if the directory does not exist).
fn own_backups(dir: &Path) -> std::io::Result<Vec<(i64, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if let Some(at) = name.to_str().and_then(backup_time)
            && entry.file_type()?.is_file()
        {
            found.push((at, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

impl Service {
    /// Makes a checked backup in `dir` now (made 0700 if missing), records it, and deletes the
    /// oldest of the server's own backups beyond `backup.keep`.
    pub fn backup_into(&self, dir: &Path) -> Result<Made> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(io(dir))?;
        // What a crash left half-written is no backup.
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name();
            let leftover = name
                .to_str()
                .and_then(|n| n.strip_suffix(PARTIAL))
                .and_then(backup_time)
                .is_some();
            if leftover {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let name = backup_name(self.clock.now());
        let path = dir.join(&name);
        if path.exists() {
            return Err(StoreError::Io {
                path,
                source: std::io::ErrorKind::AlreadyExists.into(),
            }
            .into());
        }
        let partial = dir.join(format!("{name}{PARTIAL}"));
        let checked = self
            .store
            .backup(&partial, |_, _| {})
            .and_then(|()| crate::store::backup::verify(&partial, self.store.key()));
        let verified = match checked {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e.into());
            }
        };
        std::fs::rename(&partial, &path).map_err(io(&path))?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        self.record_backup(Some(&format!("scheduled: {name}")))?;
        let mut deleted = 0;
        let mine = own_backups(dir).map_err(io(dir))?;
        let extra = mine.len().saturating_sub(self.config().backup.keep);
        for (_, old) in mine.into_iter().take(extra) {
            std::fs::remove_file(&old).map_err(io(&old))?;
            deleted += 1;
        }
        Ok(Made {
            path,
            bytes,
            verified,
            deleted,
        })
    }

    /// Makes a backup if the schedule says one is due: backups are on, and the newest of the
    /// server's own is at least `backup.interval` old by the service's clock (or there is none).
    pub fn backup_if_due(&self) -> Result<Option<Made>> {
        let config = self.config();
        let interval = i64::try_from(config.backup.interval.as_secs()).unwrap_or(i64::MAX);
        if interval == 0 {
            return Ok(None);
        }
        let dir = config.backup_dir();
        let newest = own_backups(&dir)
            .map_err(io(&dir))?
            .last()
            .map(|(at, _)| *at);
        if newest.is_some_and(|at| self.clock.now() < at.saturating_add(interval)) {
            return Ok(None);
        }
        self.backup_into(&dir).map(Some)
    }

    /// The serving process's maintenance, until `shutdown`: every `backup.check_every` it makes
    /// a backup if one is due, and once a day it purges the audit log past retention. A backup
    /// in progress is finished before this returns, so the server's drain waits for it.
    pub async fn run_maintenance(self, shutdown: CancellationToken) {
        let mut purged: Option<Instant> = None;
        let mut failed: Option<Instant> = None;
        loop {
            let every = self.config().backup.check_every;
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            if purged.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                purged = Some(Instant::now());
                let s = self.clone();
                match tokio::task::spawn_blocking(move || s.purge()).await {
                    Ok(Ok(rows)) => tracing::info!(rows, "audit rows past retention purged"),
                    Ok(Err(e)) => tracing::warn!(error = %e, "the retention purge failed"),
                    Err(e) => tracing::warn!(error = %e, "the retention purge task failed"),
                }
            }
            let retry = self.config().backup.interval.min(RETRY_AFTER);
            if failed.is_some_and(|at| at.elapsed() < retry) {
                continue;
            }
            let s = self.clone();
            match tokio::task::spawn_blocking(move || s.backup_if_due()).await {
                Ok(Ok(Some(made))) => {
                    failed = None;
                    tracing::info!(
                        file = %made.path.display(),
                        bytes = made.bytes,
                        deleted_old = made.deleted,
                        "scheduled backup written and checked"
                    );
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => {
                    failed = Some(Instant::now());
                    tracing::warn!(error = %e, "scheduled backup failed; the board runs on");
                }
                Err(e) => {
                    failed = Some(Instant::now());
                    tracing::warn!(error = %e, "scheduled backup task failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::test_support::service_on_disk;
    use crate::store::audit::Filter;

    #[test]
    fn a_backup_name_is_its_utc_time_and_only_such_names_are_the_servers() {
        let at = crate::domain::parse_date("2026-12-07").expect("date") + 3 * 3600 + 15 * 60 + 9;
        assert_eq!(backup_name(at), "haven-20261207T031509Z.db");
        assert_eq!(backup_time(&backup_name(at)), Some(at));
        for other in [
            "haven.db",
            "haven-20261207T031509Z.db.partial",
            "haven-20261207T031509Z.db.bak",
            "my-haven-20261207T031509Z.db",
            "haven-20261207T031509.db",
            "haven-20261207T251509Z.db",
            "haven-20261307T031509Z.db",
            "haven-2026127T031509Z.db",
            "haven-20261207T03150xZ.db",
        ] {
            assert_eq!(backup_time(other), None, "{other}");
        }
    }

    fn backups(service: &Service) -> Vec<String> {
        own_backups(&service.config().backup_dir())
            .expect("list")
            .into_iter()
            .filter_map(|(_, p)| Some(p.file_name()?.to_str()?.to_string()))
            .collect()
    }

    fn audited(service: &Service, action: &str) -> usize {
        let filter = Filter {
            action: Some(action.into()),
            ..Filter::default()
        };
        service.audit(&filter, 100, 0).expect("audit").len()
    }

    /// Lets virtual time run (it moves on by itself while every task waits) until `done`, for
    /// at most ten real seconds.
    async fn until(what: &str, done: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "waited for {what}");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn the_schedule_makes_checked_backups_and_keeps_only_keep() {
        let (_dir, service) = service_on_disk(|c| {
            c.backup.interval = Duration::from_secs(3600);
            c.backup.keep = 2;
        });
        let dir = service.config().backup_dir();
        // What else a sysop keeps there is never touched.
        std::fs::create_dir_all(&dir).expect("mkdir");
        for other in ["notes.txt", "haven-before-upgrade.db"] {
            std::fs::write(dir.join(other), "mine").expect("write");
        }
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(service.clone().run_maintenance(shutdown.clone()));

        // Nothing in the first minute after start.
        tokio::time::sleep(Duration::from_secs(59)).await;
        assert!(backups(&service).is_empty());
        until("the first backup", || backups(&service).len() == 1).await;
        assert_eq!(audited(&service, "backup"), 1);
        assert_eq!(
            audited(&service, "purged"),
            1,
            "the purge runs at the first check"
        );
        let first = dir.join(&backups(&service)[0]);
        let verified = crate::store::backup::verify(&first, None).expect("a good backup");
        assert!(verified.counts.contains(&("boards", 4)), "{verified:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first)
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // Checks go on every minute, but nothing is due until the interval has passed.
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(backups(&service).len(), 1);

        for made in 2..=4 {
            service.clock().advance(3600);
            until("the next backup", || audited(&service, "backup") == made).await;
            assert_eq!(backups(&service).len(), made.min(2));
        }
        let names = backups(&service);
        assert!(!names.contains(&first.file_name().expect("name").to_string_lossy().into()));
        let times: Vec<i64> = names.iter().filter_map(|n| backup_time(n)).collect();
        assert_eq!(times.len(), 2);
        // An hour apart by the service's clock (and the real seconds the test took).
        assert!((3600..3610).contains(&(times[1] - times[0])), "{names:?}");
        for other in ["notes.txt", "haven-before-upgrade.db"] {
            assert!(dir.join(other).exists(), "{other} was deleted");
        }
        // Only one purge a day.
        assert_eq!(audited(&service, "purged"), 1);
        shutdown.cancel();
        task.await.expect("maintenance ends at shutdown");
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_backup_that_cannot_be_written_is_logged_and_the_schedule_goes_on() {
        let (dir, service) = service_on_disk(|c| c.backup.interval = Duration::from_secs(3600));
        // A directory that cannot be made: its parent is a file.
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, "x").expect("write");
        let broken = blocker.join("backups");
        assert!(service.backup_into(&broken).is_err());
        let shutdown = CancellationToken::new();
        let mut config = (*service.config()).clone();
        config.backup.dir = Some(broken);
        let service = Service::new(
            service.store().clone(),
            service.hub().clone(),
            std::sync::Arc::new(config),
            std::sync::Arc::default(),
        );
        let task = tokio::spawn(service.clone().run_maintenance(shutdown.clone()));
        until("the purge", || audited(&service, "purged") == 1).await;
        tokio::time::sleep(Duration::from_secs(7200)).await;
        assert!(!task.is_finished(), "the maintenance task ended");
        assert_eq!(audited(&service, "backup"), 0);
        shutdown.cancel();
        task.await.expect("ends at shutdown");
    }
}
