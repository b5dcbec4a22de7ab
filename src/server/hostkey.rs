//! The server's ed25519 host key: made on first start, kept in the data dir (0600), loaded on
//! every later start, so members' `known_hosts` entries stay valid across restarts.

use std::io::Write;
use std::path::Path;

use russh::keys::{Algorithm, HashAlg, PrivateKey, ssh_key::LineEnding};

pub const FILE_NAME: &str = "host_ed25519_key";

#[derive(Debug, thiserror::Error)]
pub enum HostKeyError {
    #[error("cannot read host key {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write host key {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("host key {path} is not a valid OpenSSH private key: {message}")]
    Invalid { path: String, message: String },
}

/// Loads the host key from `dir`, creating it first if there is none.
pub fn load_or_create(dir: &Path) -> Result<PrivateKey, HostKeyError> {
    let path = dir.join(FILE_NAME);
    let shown = path.display().to_string();
    match std::fs::read_to_string(&path) {
        Ok(text) => PrivateKey::from_openssh(text.as_bytes()).map_err(|e| HostKeyError::Invalid {
            path: shown,
            message: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).map_err(|e| {
                HostKeyError::Invalid {
                    path: shown.clone(),
                    message: e.to_string(),
                }
            })?;
            let text = key
                .to_openssh(LineEnding::LF)
                .map_err(|e| HostKeyError::Invalid {
                    path: shown.clone(),
                    message: e.to_string(),
                })?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(|source| HostKeyError::Write {
                path: shown.clone(),
                source,
            })?;
            file.write_all(text.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|source| HostKeyError::Write {
                    path: shown,
                    source,
                })?;
            Ok(key)
        }
        Err(source) => Err(HostKeyError::Read {
            path: shown,
            source,
        }),
    }
}

/// `SHA256:…`, as `ssh-keygen -lf` and the ssh client print it.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}
