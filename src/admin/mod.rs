//! `bbs admin …`: one function per subcommand; each calls the service only and returns text
//! for the sysop or an error for `main` to turn into an exit code.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::sanitize;
use crate::service::{KeyInfo, Service};

/// `bbs admin users`: every member with id, role, status and handle.
pub fn users(service: &Service) -> Result<String> {
    let list = service
        .store()
        .read(crate::store::users::list)
        .context("listing members")?;
    let mut out = format!("{:>6}  {:<12} {:<8} {}\n", "id", "role", "status", "handle");
    for (u, status) in list {
        out.push_str(&format!(
            "{:>6}  {:<12} {:<8} {}\n",
            u.id,
            u.role.as_str(),
            status,
            sanitize::line(&u.handle)
        ));
    }
    Ok(out)
}

/// Reads one OpenSSH public key from a file (the first key line).
pub fn read_public_key(path: &Path) -> Result<KeyInfo> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .with_context(|| format!("{} holds no public key", path.display()))?;
    let key = russh::keys::PublicKey::from_openssh(line)
        .with_context(|| format!("{} is not an OpenSSH public key", path.display()))?;
    Ok(KeyInfo::from_public_key(&key))
}

/// `bbs admin add-sysop --key FILE --handle NAME`.
pub fn add_sysop(service: &Service, key_file: &Path, handle: &str) -> Result<String> {
    let key = read_public_key(key_file)?;
    if service.login(&key)?.is_some() {
        bail!("that key already belongs to a member");
    }
    let user = service.add_sysop(handle, &key)?;
    Ok(format!(
        "sysop {} created (id {}), key {}\n",
        sanitize::line(&user.handle),
        user.id,
        key.fingerprint
    ))
}
