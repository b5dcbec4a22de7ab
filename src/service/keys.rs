//! A member's SSH keys: adding, revoking, importing `authorized_keys` files.

use super::*;

/// A public key as sign-up and login see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub algorithm: String,
    /// OpenSSH `algo base64`, without comment.
    pub openssh: String,
    /// `SHA256:…` as `ssh-keygen -lf` prints it.
    pub fingerprint: String,
}

impl KeyInfo {
    /// The row the store keeps for this key.
    pub fn as_new_key<'a>(&'a self, comment: Option<&'a str>) -> users::NewKey<'a> {
        users::NewKey {
            algorithm: &self.algorithm,
            public_key: &self.openssh,
            fingerprint: &self.fingerprint,
            comment,
        }
    }

    /// Parses one line in `authorized_keys` format (options allowed before the key); returns
    /// the key and its comment.
    pub fn parse_authorized(line: &str) -> Result<(KeyInfo, String)> {
        let entry: russh::keys::ssh_key::authorized_keys::Entry = line
            .trim()
            .parse()
            .map_err(|e: russh::keys::ssh_key::Error| ServiceError::BadKey(e.to_string()))?;
        let key = entry.public_key();
        Ok((
            KeyInfo::from_public_key(key)?,
            crate::sanitize::line(key.comment().as_str_lossy())
                .trim()
                .to_string(),
        ))
    }

    /// The key as the store keeps it; a key that cannot be written in OpenSSH form is refused.
    pub fn from_public_key(key: &russh::keys::PublicKey) -> Result<KeyInfo> {
        let mut key = key.clone();
        key.set_comment("");
        let openssh = key
            .to_openssh()
            .map_err(|e| ServiceError::BadKey(e.to_string()))?;
        Ok(KeyInfo {
            algorithm: key.algorithm().as_str().to_string(),
            openssh: openssh.trim().to_string(),
            fingerprint: key.fingerprint(russh::keys::HashAlg::Sha256).to_string(),
        })
    }
}

/// What `import_keys` did, line by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub keys_added: usize,
    /// (line number, reason) for each refused line.
    pub refused: Vec<(usize, String)>,
}

impl Service {
    /// A member's keys.
    pub fn keys(&self, user: UserId) -> Result<Vec<KeyRecord>> {
        Ok(self.store.read(|c| users::keys(c, user))?)
    }

    /// Adds a key to a member (the member themselves, or a sysop for them).
    pub fn add_key(
        &self,
        actor: Option<&User>,
        target: UserId,
        key: &KeyInfo,
        comment: Option<&str>,
    ) -> Result<i64> {
        let comment = comment.map(crate::sanitize::line);
        self.write(|c| {
            let id = users::add_key(c, target, &key.as_new_key(comment.as_deref()))?;
            audit::record(
                c,
                actor.map(|a| a.id),
                AuditAction::KeyAdded,
                Some("user"),
                Some(target.0),
                Some(&key.fingerprint),
            )?;
            Ok(id)
        })
    }

    /// Adds a key to the member called `handle` (admin CLI).
    pub fn add_key_to(&self, handle: &str, key: &KeyInfo) -> Result<User> {
        let target = self.member(handle)?;
        self.add_key(None, target.id, key, None)?;
        Ok(target)
    }

    /// Revokes a key; sessions that logged in with it close at once.
    pub fn revoke_key(&self, actor: Option<&User>, target: UserId, key_id: i64) -> Result<()> {
        self.write(|c| {
            let fingerprint = users::keys(c, target)?
                .into_iter()
                .find(|k| k.id == key_id)
                .map(|k| k.fingerprint);
            users::revoke_key(c, target, key_id)?;
            Ok(record_member_change(
                c,
                actor.map(|a| a.id),
                AuditAction::KeyRevoked,
                target,
                fingerprint.as_deref(),
            )?)
        })
    }

    /// Imports `authorized_keys` text: one member per line, named by the key's comment, or the
    /// key added to the member of that name. One transaction for the whole file.
    pub fn import_keys(&self, text: &str) -> Result<ImportReport> {
        let (g, p) = (
            self.assets().guidelines.version,
            self.assets().privacy.version,
        );
        let mut report = ImportReport::default();
        let mut parsed = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match KeyInfo::parse_authorized(line) {
                Ok((key, comment)) if comment.is_empty() => {
                    let _ = key;
                    report
                        .refused
                        .push((n, "no comment to take the handle from".into()));
                }
                Ok((key, comment)) => parsed.push((n, key, comment)),
                Err(e) => report.refused.push((n, e.to_string())),
            }
        }
        let report = self.write(move |c| {
            for (n, key, handle) in parsed {
                let new = key.as_new_key(None);
                if let Some(existing) = users::by_handle(c, &handle)? {
                    match users::add_key(c, existing.id, &new) {
                        Ok(_) => {
                            audit::record(
                                c,
                                None,
                                AuditAction::KeyAdded,
                                Some("user"),
                                Some(existing.id.0),
                                Some(&key.fingerprint),
                            )?;
                            report.keys_added += 1;
                        }
                        Err(store::Checked::Refused(e)) => report.refused.push((n, e.to_string())),
                        Err(store::Checked::Store(e)) => return Err(e.into()),
                    }
                    continue;
                }
                let handle = match validate::handle(&handle) {
                    Ok(h) => h,
                    Err(e) => {
                        report.refused.push((n, format!("{handle:?}: {e}")));
                        continue;
                    }
                };
                match users::create(c, &handle, Role::Member, &new, g, p) {
                    Ok(u) => {
                        audit::record(
                            c,
                            None,
                            AuditAction::SignUp,
                            Some("user"),
                            Some(u.id.0),
                            Some("imported"),
                        )?;
                        report.created += 1;
                    }
                    Err(store::Checked::Refused(e)) => {
                        report.refused.push((n, format!("{handle:?}: {e}")))
                    }
                    Err(store::Checked::Store(e)) => return Err(e.into()),
                }
            }
            report.refused.sort();
            Ok(report)
        })?;
        Ok(report)
    }

    /// The row id of a registered key.
    pub fn key_id(&self, key: &KeyInfo) -> Result<Option<i64>> {
        Ok(self
            .store
            .read(|c| users::account_by_key(c, &key.openssh))?
            .map(|o| o.key_id))
    }
}
