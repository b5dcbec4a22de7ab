//! Opening Haven's state: the data dir (made on first start, 0700), the database, the texts,
//! first-start seeding and the sysop claim code. Shared by `serve`, `console` and `admin`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::assets::Assets;
use crate::config::{Config, Encryption};
use crate::live::Hub;
use crate::service::{Service, ServiceError};
use crate::store::{DbKey, Store, StoreError};

use zeroize::Zeroizing;

/// Bytes reserved for a passphrase typed at the terminal, so the buffer holding it never moves.
const PASSPHRASE_ROOM: usize = 1024;

/// The database file's name inside the data dir.
pub const DB_FILE: &str = "haven.db";

/// The key file's name inside the data dir (mode "keyfile").
pub const KEY_FILE: &str = "db.key";
/// The passphrase salt's name inside the data dir (mode "passphrase"); not a secret.
pub const SALT_FILE: &str = "db.salt";
/// The file that holds the sysop claim code when `bbs serve` has no terminal to show it on
/// (0600, replaced at each start that makes a code, removed once there is a sysop).
pub const CLAIM_FILE: &str = "sysop-claim-code";
/// The lock file in the data dir: every process that opens the board (serve, console, admin)
/// holds a shared lock on it while it runs, and `bbs admin restore` an exclusive one, so a
/// database is never swapped under a running server. Empty, and never removed (removing a
/// lock file while another process opens it would let both believe they hold it).
pub const LOCK_FILE: &str = "bbs.lock";
/// Where a passphrase may come from.
pub const PASSPHRASE_ENV: &str = "BBS_DB_PASSPHRASE";
pub const PASSPHRASE_CREDENTIAL: &str = "bbs-db-passphrase";

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("database key: {0}")]
    Key(String),
    #[error("cannot create data dir {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write or remove the sysop claim code file {path}: {source}")]
    ClaimFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "a restore is in progress on {0} (it holds the lock file {LOCK_FILE}): wait for it to finish"
    )]
    Restoring(PathBuf),
    #[error("cannot lock {path}: {source}")]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot prepare the database: {0}")]
    Service(#[from] ServiceError),
}

/// What opening gives back.
pub struct Opened {
    pub service: Service,
    /// A sysop claim code made now, to be shown once.
    pub claim_code: Option<String>,
    /// This process's shared hold on the data dir: keep it as long as the service is used.
    pub lock: DataDirLock,
}

/// A hold on the data dir's [`LOCK_FILE`] (`flock`), released when dropped or when the
/// process ends, however it ends.
#[derive(Debug)]
pub struct DataDirLock {
    _file: std::fs::File,
}

impl DataDirLock {
    /// Takes the lock without waiting: shared (many holders) or exclusive (one, and no shared
    /// holder). `Ok(None)` when another process holds it in a way that conflicts.
    pub fn take(dir: &std::path::Path, exclusive: bool) -> Result<Option<DataDirLock>, BootError> {
        let path = dir.join(LOCK_FILE);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|source| BootError::Lock {
            path: path.clone(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            let how = if exclusive {
                libc::LOCK_EX
            } else {
                libc::LOCK_SH
            };
            // SAFETY: flock only reads the descriptor, which `file` keeps open while the lock
            // lives; it has no memory effects.
            if unsafe { libc::flock(file.as_raw_fd(), how | libc::LOCK_NB) } != 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::WouldBlock {
                    return Ok(None);
                }
                return Err(BootError::Lock { path, source: e });
            }
        }
        Ok(Some(DataDirLock { _file: file }))
    }
}

/// Opens (and on first start creates) everything under the config's data dir. Only the server
/// makes a sysop claim code (`claim`): an admin command must not replace the one it printed.
pub fn open(config: Config, claim: bool) -> Result<Opened, BootError> {
    let dir = config.data_dir.clone();
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|source| BootError::DataDir {
            path: dir.clone(),
            source,
        })?;
    }
    let lock = DataDirLock::take(&dir, false)?.ok_or_else(|| BootError::Restoring(dir.clone()))?;
    let db = dir.join(DB_FILE);
    let key = database_key(&config, &db)?;
    let store = Arc::new(Store::open(&db, key)?);
    // Skeletons stored by an earlier version are recomputed (once per skeleton version), so
    // look-alikes of existing handles are judged by today's rule.
    store.write(crate::store::users::refresh_skeletons)?;
    let assets = Arc::new(Assets::load(&dir));
    let service = Service::new(store, Hub::new(), Arc::new(config), assets);
    let claim_code = service.initialise(claim)?;
    Ok(Opened {
        service,
        claim_code,
        lock,
    })
}

/// Where the sysop claim code is written when it cannot be shown.
pub fn claim_file(dir: &std::path::Path) -> PathBuf {
    dir.join(CLAIM_FILE)
}

/// Writes this start's sysop claim code to [`CLAIM_FILE`] (0600), replacing an earlier one.
pub fn write_claim_file(dir: &std::path::Path, code: &str) -> Result<(), BootError> {
    let path = claim_file(dir);
    remove_claim_file(dir)?;
    write_private(&path, format!("{code}\n").as_bytes()).map_err(|source| BootError::ClaimFile {
        path: path.clone(),
        source,
    })
}

/// Removes the claim code file, if there is one: its code no longer works.
pub fn remove_claim_file(dir: &std::path::Path) -> Result<(), BootError> {
    let path = claim_file(dir);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(BootError::ClaimFile { path, source: e })
        }
        _ => Ok(()),
    }
}

/// Writes a secret file readable by its owner only, refusing to replace one.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Hex digits, one line, wiped when dropped (a key file's text is the key).
fn hex_line(bytes: &[u8]) -> Zeroizing<String> {
    use std::fmt::Write as _;
    let mut out = Zeroizing::new(String::with_capacity(bytes.len() * 2 + 1));
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out.push('\n');
    out
}

fn unhex(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    bytes.map(Zeroizing::new)
}

/// The database key for the configured encryption mode (see `bbs.toml`, `[storage]`).
pub fn database_key(config: &Config, db: &std::path::Path) -> Result<Option<DbKey>, BootError> {
    let dir = &config.data_dir;
    match config.encryption {
        Encryption::None => Ok(None),
        Encryption::Keyfile => {
            let path = dir.join(KEY_FILE);
            match std::fs::read_to_string(&path).map(Zeroizing::new) {
                Ok(text) => {
                    let bytes = unhex(&text)
                        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                        .ok_or_else(|| {
                            BootError::Key(format!("{} is not a 64-digit hex key", path.display()))
                        })?;
                    Ok(Some(DbKey(bytes)))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if db.exists() {
                        return Err(BootError::Key(format!(
                            "{} is missing, but the database exists: restore the key file",
                            path.display()
                        )));
                    }
                    let key = DbKey(rand::random());
                    write_private(&path, hex_line(&key.0).as_bytes()).map_err(|e| {
                        BootError::Key(format!("cannot write {}: {e}", path.display()))
                    })?;
                    Ok(Some(key))
                }
                Err(e) => Err(BootError::Key(format!(
                    "cannot read {}: {e}",
                    path.display()
                ))),
            }
        }
        Encryption::Passphrase => {
            // Every copy of the passphrase is wiped when dropped (the process environment
            // keeps its own).
            let passphrase = std::env::var(PASSPHRASE_ENV)
                .ok()
                .map(Zeroizing::new)
                .filter(|p| !p.is_empty())
                .or_else(|| {
                    let dir = std::env::var_os("CREDENTIALS_DIRECTORY")?;
                    let text = Zeroizing::new(
                        std::fs::read_to_string(
                            std::path::Path::new(&dir).join(PASSPHRASE_CREDENTIAL),
                        )
                        .ok()?,
                    );
                    Some(Zeroizing::new(
                        text.trim_end_matches(['\r', '\n']).to_string(),
                    ))
                });
            // Or typed at the terminal that started bbs (never echoed, never stored).
            let passphrase = match passphrase {
                Some(p) => Some(p),
                None => prompt_passphrase(!db.exists())?,
            };
            let Some(passphrase) = passphrase else {
                return Err(BootError::Key(format!(
                    "encryption is \"passphrase\": type it at the terminal, or set {PASSPHRASE_ENV} or the systemd credential {PASSPHRASE_CREDENTIAL}"
                )));
            };
            let salt_path = dir.join(SALT_FILE);
            let salt = match std::fs::read_to_string(&salt_path) {
                Ok(text) => unhex(&text)
                    .ok_or_else(|| BootError::Key(format!("{} is not hex", salt_path.display())))?,
                Err(_) if !db.exists() => {
                    let salt: [u8; 16] = rand::random();
                    write_private(&salt_path, hex_line(&salt).as_bytes()).map_err(|e| {
                        BootError::Key(format!("cannot write {}: {e}", salt_path.display()))
                    })?;
                    Zeroizing::new(salt.to_vec())
                }
                Err(e) => {
                    return Err(BootError::Key(format!(
                        "cannot read {}: {e}",
                        salt_path.display()
                    )));
                }
            };
            let mut key = DbKey([0u8; 32]);
            argon2::Argon2::default()
                .hash_password_into(passphrase.as_bytes(), &salt, &mut key.0)
                .map_err(|e| BootError::Key(format!("cannot derive the key: {e}")))?;
            Ok(Some(key))
        }
    }
}

/// Asks for the database passphrase on the terminal, without echo (twice, when it is new).
/// None when there is no terminal to ask on.
fn prompt_passphrase(new: bool) -> Result<Option<Zeroizing<String>>, BootError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    let first = read_hidden(if new {
        "New database passphrase: "
    } else {
        "Database passphrase: "
    })?;
    if new {
        let again = read_hidden("The same passphrase again: ")?;
        if *again != *first {
            return Err(BootError::Key(
                "the two passphrases differ; nothing was created".into(),
            ));
        }
    }
    if first.is_empty() {
        return Err(BootError::Key(
            "an empty passphrase protects nothing".into(),
        ));
    }
    Ok(Some(first))
}

/// Reads a line from the terminal with echo off (raw mode), Backspace working, Ctrl-C or
/// Ctrl-D giving up.
fn read_hidden(label: &str) -> Result<Zeroizing<String>, BootError> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    use std::io::Write;
    let fail = |e: std::io::Error| BootError::Key(format!("cannot read the passphrase: {e}"));
    let mut err = std::io::stderr();
    // Echo goes off before the question shows, so nothing typed after it is ever echoed.
    crossterm::terminal::enable_raw_mode().map_err(fail)?;
    if let Err(e) = write!(err, "{label}").and_then(|_| err.flush()) {
        let _ = crossterm::terminal::disable_raw_mode();
        return Err(fail(e));
    }
    // Room enough that typing never reallocates (which would leave a copy behind unwiped).
    let mut text = Zeroizing::new(String::with_capacity(PASSPHRASE_ROOM));
    let outcome = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char('c' | 'd') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(BootError::Key("no passphrase given".into()));
                }
                KeyCode::Char(c) => text.push(c),
                _ => {}
            },
            Ok(Event::Paste(p)) => text.push_str(&Zeroizing::new(p)),
            Ok(_) => {}
            Err(e) => break Err(fail(e)),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = writeln!(err, "\r");
    outcome.map(|()| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_line_reads_back_as_the_same_key() {
        let key: [u8; 32] = std::array::from_fn(|i| (i * 37 % 256) as u8);
        let line = hex_line(&key);
        assert_eq!(line.len(), 65);
        assert!(line.ends_with('\n'));
        assert_eq!(unhex(&line).as_deref().map(Vec::as_slice), Some(&key[..]));
        assert_eq!(unhex("0g").as_deref(), None);
        assert_eq!(unhex("abc").as_deref(), None);
    }

    #[test]
    fn a_database_key_is_wiped_from_memory_when_dropped() {
        let mut key = std::mem::ManuallyDrop::new(DbKey([0xa5; 32]));
        // SAFETY: the key is dropped once, in place; its bytes stay allocated (ManuallyDrop
        // never frees them) and every byte pattern is a valid [u8; 32], so reading them after
        // the drop is sound.
        unsafe { std::ptr::drop_in_place(&mut *key) };
        assert_eq!(key.0, [0; 32]);
    }

    #[test]
    fn a_new_key_file_opens_the_database_it_made_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let db = dir.path().join(DB_FILE);
        let first = database_key(&config, &db).expect("new key").expect("a key");
        drop(Store::open(&db, Some(first.clone())).expect("create"));
        let again = database_key(&config, &db)
            .expect("read key")
            .expect("a key");
        assert_eq!(again, first);
        Store::open(&db, Some(again)).expect("the same key opens it");
    }
}
