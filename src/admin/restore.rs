//! `bbs admin restore FILE`: puts a checked backup in place of the board's database.
//!
//! In order, stopping at the first refusal with nothing changed: the file must open with this
//! board's key and pass `store::backup::verify` (so a backup of another board, a damaged file or
//! anything else is refused), must not be newer than this program, and no other process may be
//! using the data dir (`boot::LOCK_FILE`: a server, the console or an admin command holds it
//! shared; this takes it exclusively). Then the current database (with its WAL, which may hold
//! committed changes) is moved aside as `haven.db.before-restore-<UTC time>`, 0600, and a copy of
//! the backup is written, synced and renamed into place. It is opened once as the server would
//! (migrations applied) and the restore is recorded in its audit log.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::boot::{self, DB_FILE, DataDirLock};
use crate::config::Config;

/// Files SQLite keeps beside a database that belong to it: moved aside with it.
const COMPANIONS: [&str; 2] = ["-wal", "-journal"];

/// Restores `file` into the data dir of `config`; returns what was done, for the sysop.
pub fn restore(config: &Config, file: &Path) -> Result<String> {
    if !file.is_file() {
        bail!("{} is not a file; nothing was changed", file.display());
    }
    let dir = &config.data_dir;
    // The key is looked for as for a backup check: a missing key file is an error here, never
    // a new key made.
    let key = boot::database_key(config, file)?;
    let verified = crate::store::backup::verify(file, key.as_ref()).with_context(|| {
        format!(
            "{} is not a backup this board can open (made with another key or passphrase, \
             damaged, or not a Haven database); nothing was changed",
            file.display()
        )
    })?;
    let known = crate::store::migrations::current_version();
    if verified.schema_version > known {
        bail!(
            "{} is at schema version {}, newer than this program ({known}): upgrade bbs first; \
             nothing was changed",
            file.display(),
            verified.schema_version
        );
    }
    if !dir.is_dir() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    let lock = DataDirLock::take(dir, true)?.ok_or_else(|| {
        anyhow!(
            "a Haven server, console or admin command is using {} (it holds {}): stop the \
             server first (for example `systemctl stop haven`) and run restore again; nothing \
             was changed",
            dir.display(),
            dir.join(boot::LOCK_FILE).display()
        )
    })?;
    let db = dir.join(DB_FILE);
    let aside = dir.join(format!(
        "{DB_FILE}.before-restore-{}",
        crate::service::utc_stamp(crate::clock::now())
    ));
    let set_aside = set_aside(dir, &db, &aside)?;
    if let Err(e) = copy_in(file, dir, &db) {
        // Put the old database back as it was.
        if set_aside {
            let _ = std::fs::rename(&aside, &db);
            for s in COMPANIONS {
                let _ = std::fs::rename(with_suffix(&aside, s), with_suffix(&db, s));
            }
        }
        return Err(e.context("nothing was changed"));
    }
    drop(lock);
    let opened = boot::open(config.clone(), false).context("opening the restored database")?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    opened
        .service
        .record_restore(&format!("from {}", crate::sanitize::line(&name)))?;
    let counts = verified
        .counts
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect::<Vec<_>>()
        .join(", ");
    let before = if set_aside {
        format!(
            "The database it replaced is {} (0600): delete it once the board is as you want it.",
            aside.display()
        )
    } else {
        "There was no database here before.".to_string()
    };
    Ok(format!(
        "{} checked: {counts}.\nRestored it as {}.\n{before}\nStart the server again (for \
         example `systemctl start haven`).\n",
        file.display(),
        db.display()
    ))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Moves the database and its WAL or journal aside (the shared-memory index is rebuilt from the
/// WAL, so it is removed). False if there was no database.
fn set_aside(dir: &Path, db: &Path, aside: &Path) -> Result<bool> {
    let _ = std::fs::remove_file(with_suffix(db, "-shm"));
    if !db.exists() {
        return Ok(false);
    }
    for (from, to) in std::iter::once((db.to_path_buf(), aside.to_path_buf())).chain(
        COMPANIONS
            .iter()
            .map(|s| (with_suffix(db, s), with_suffix(aside, s))),
    ) {
        if !from.exists() {
            continue;
        }
        std::fs::rename(&from, &to)
            .with_context(|| format!("moving {} to {}", from.display(), to.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("making {} private", to.display()))?;
        }
    }
    sync_dir(dir);
    Ok(true)
}

/// Copies `file` to a temporary name beside `db` (0600), syncs it, and renames it into place.
fn copy_in(file: &Path, dir: &Path, db: &Path) -> Result<()> {
    let tmp = with_suffix(db, ".restoring");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = (|| -> std::io::Result<()> {
        let mut out = options.open(&tmp)?;
        let mut from = std::fs::File::open(file)?;
        std::io::copy(&mut from, &mut out)?;
        out.sync_all()?;
        std::fs::rename(&tmp, db)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow!(e).context(format!(
            "copying {} into {}",
            file.display(),
            db.display()
        )));
    }
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable (best effort: a directory cannot be synced everywhere).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
