//! `bbs admin …`: one function per subcommand; each calls the service only and returns text
//! for the sysop (or an error that `main` turns into a message and an exit code).

use std::path::Path;

pub mod boards;
mod restore;
pub use restore::restore;

use anyhow::{Context, Result, bail};

use crate::domain::Role;
use crate::domain::format_time;
use crate::sanitize;
use crate::service::{KeyInfo, Service};
use crate::store::audit::Filter;

/// `bbs admin users`: every member with id, role, status and handle.
pub fn users(service: &Service) -> Result<String> {
    let list = service.members().context("listing members")?;
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

/// `bbs admin show HANDLE`: a member, their status and keys.
pub fn show(service: &Service, handle: &str) -> Result<String> {
    let (user, status, keys) = service.show(handle)?;
    let mut out = format!(
        "handle   {}\nid       {}\nrole     {}\nstatus   {}\njoined   {} UTC\nkeys     {}\n",
        sanitize::line(&user.handle),
        user.id,
        user.role.as_str(),
        status.as_str(),
        format_time(user.created_at),
        keys.len()
    );
    for k in keys {
        out.push_str(&format!(
            "  {} {}  added {}{}\n",
            k.algorithm,
            k.fingerprint,
            format_time(k.created_at),
            k.last_used_at
                .map(|t| format!(", last used {}", format_time(t)))
                .unwrap_or_default()
        ));
    }
    Ok(out)
}

/// Reads one OpenSSH public key from a file (the first key line; options allowed).
pub fn read_public_key(path: &Path) -> Result<KeyInfo> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .with_context(|| format!("{} holds no public key", path.display()))?;
    let (key, _) = KeyInfo::parse_authorized(line)
        .with_context(|| format!("{} is not an OpenSSH public key", path.display()))?;
    Ok(key)
}

/// `bbs admin add-sysop --key FILE --handle NAME`.
pub fn add_sysop(service: &Service, key_file: &Path, handle: &str) -> Result<String> {
    add_user(service, handle, key_file, Role::Sysop)
}

/// `bbs admin add-user HANDLE --key FILE [--role ROLE]`.
pub fn add_user(service: &Service, handle: &str, key_file: &Path, role: Role) -> Result<String> {
    let key = read_public_key(key_file)?;
    let user = service.add_user(handle, &key, role)?;
    Ok(format!(
        "{} {} created (id {}), key {}\n",
        role.as_str(),
        sanitize::line(&user.handle),
        user.id,
        key.fingerprint
    ))
}

/// `bbs admin add-key HANDLE --key FILE`.
pub fn add_key(service: &Service, handle: &str, key_file: &Path) -> Result<String> {
    let key = read_public_key(key_file)?;
    let user = service.add_key_to(handle, &key)?;
    Ok(format!(
        "key {} added to {}\n",
        key.fingerprint,
        sanitize::line(&user.handle)
    ))
}

/// `bbs admin import-keys FILE`: authorized_keys lines, the comment naming the member.
pub fn import_keys(service: &Service, file: &Path) -> Result<(String, bool)> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let report = service.import_keys(&text)?;
    let mut out = String::new();
    for (line, reason) in &report.refused {
        out.push_str(&format!("{}:{line}: refused: {reason}\n", file.display()));
    }
    out.push_str(&format!(
        "{} members created, {} keys added to existing members, {} lines refused\n",
        report.created,
        report.keys_added,
        report.refused.len()
    ));
    Ok((out, report.refused.is_empty()))
}

/// `bbs admin role HANDLE ROLE`.
pub fn role(service: &Service, handle: &str, role: &str, reason: &str) -> Result<String> {
    let Some(role) = Role::parse(role) else {
        bail!("unknown role {role:?}: use member, professional, moderator or sysop");
    };
    let user = service.set_role(None, handle, role, reason)?;
    Ok(format!(
        "{} is now {}\n",
        sanitize::line(&user.handle),
        role.as_str()
    ))
}

/// `bbs admin ban HANDLE [--for DURATION] --reason TEXT`.
pub fn ban(
    service: &Service,
    handle: &str,
    duration: Option<&str>,
    reason: &str,
) -> Result<String> {
    let until = match duration {
        Some(d) => Some(service.clock().now() + parse_duration(d)?),
        None => None,
    };
    let user = service.ban(None, handle, until, reason)?;
    Ok(match until {
        Some(t) => format!(
            "{} is banned until {} UTC\n",
            sanitize::line(&user.handle),
            format_time(t)
        ),
        None => format!("{} is banned\n", sanitize::line(&user.handle)),
    })
}

/// `bbs admin unban HANDLE`.
pub fn unban(service: &Service, handle: &str, reason: &str) -> Result<String> {
    let user = service.unban(None, handle, reason)?;
    Ok(format!(
        "{} is no longer banned\n",
        sanitize::line(&user.handle)
    ))
}

/// `bbs admin backup DEST`: an online copy of the live database (encrypted as it is), with progress on
/// stderr.
pub fn backup(service: &Service, dest: &Path) -> Result<String> {
    use std::io::Write;
    let mut last = -1;
    service
        .store()
        .backup(dest, |done, total| {
            let percent = if total > 0 { done * 100 / total } else { 100 };
            if percent != last {
                last = percent;
                let filled = (percent / 5) as usize;
                eprint!(
                    "\rbackup [{}{}] {percent:>3}%  {done}/{total} pages",
                    "#".repeat(filled),
                    " ".repeat(20 - filled)
                );
                let _ = std::io::stderr().flush();
            }
        })
        .with_context(|| format!("backing up to {}", dest.display()))?;
    eprintln!();
    let verified = crate::store::backup::verify(dest, service.store().key())
        .with_context(|| format!("checking the backup {}", dest.display()))?;
    service.record_backup(None)?;
    // Said from the key the store was opened with, so it cannot disagree with the file.
    let protection = match service.store().key() {
        Some(_) => {
            "It is encrypted with this server's key: keep db.key (or the passphrase) apart from it."
        }
        None => {
            "It is NOT encrypted (storage.encryption = \"none\"): it is a plain SQLite file that \
             anyone who can read it can open, every post and message in it. Keep it where only you \
             can read it (it is 0600), on an encrypted disk, or encrypt it before it leaves this \
             machine."
        }
    };
    Ok(format!(
        "backup written to {} and checked: {}\n{protection}\n",
        dest.display(),
        summary(&verified)
    ))
}

fn summary(v: &crate::store::backup::Verified) -> String {
    v.counts
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `bbs admin verify-backup FILE`: opens a backup with this server's key and checks it.
pub fn verify_backup(config: &crate::config::Config, file: &Path) -> Result<String> {
    let key = crate::boot::database_key(config, file)?;
    let verified = crate::store::backup::verify(file, key.as_ref())
        .with_context(|| format!("{} is not a good backup", file.display()))?;
    Ok(format!(
        "{}: integrity ok, schema version {}: {}\n",
        file.display(),
        verified.schema_version,
        summary(&verified)
    ))
}

/// `bbs admin purge`: enforce the audit retention setting.
pub fn purge(service: &Service) -> Result<String> {
    let n = service.purge()?;
    Ok(format!(
        "{n} audit rows older than {} days deleted\n",
        service.config().audit_retention_days
    ))
}

/// `bbs admin invite [--days N]`: a one-time invite code.
pub fn invite(service: &Service, days: i64) -> Result<String> {
    let (code, expires) = service.create_invite(None, days)?;
    Ok(format!(
        "{code}\n(single use; valid until {} UTC)\n",
        format_time(expires)
    ))
}

/// `bbs admin audit [--actor H] [--target H] [--action A] [--limit N]`.
pub fn audit(
    service: &Service,
    actor: Option<&str>,
    target: Option<&str>,
    action: Option<&str>,
    limit: i64,
) -> Result<String> {
    let filter = Filter {
        actor: actor.map(|h| service.member_id(h)).transpose()?,
        target_user: target.map(|h| service.member_id(h)).transpose()?,
        action: action.map(str::to_string),
    };
    let mut out = String::new();
    for e in service.audit(&filter, limit.clamp(1, 10_000), 0)? {
        out.push_str(&format!(
            "{} UTC  {:<16} {:<26} {}{}\n",
            format_time(e.at),
            sanitize::line(&e.actor),
            e.action,
            e.target.as_deref().map(sanitize::line).unwrap_or_default(),
            e.reason
                .as_deref()
                .map(|r| format!("  ({})", sanitize::line(r)))
                .unwrap_or_default()
        ));
    }
    Ok(out)
}

/// "30m", "12h", "7d", "2w" → seconds.
pub fn parse_duration(s: &str) -> Result<i64> {
    crate::domain::parse_duration(s)
        .with_context(|| format!("{s:?} is not a duration like 30m, 12h, 7d or 2w"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").ok(), Some(1800));
        assert_eq!(parse_duration("7d").ok(), Some(604_800));
        assert!(parse_duration("7").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("3y").is_err());
    }
}
