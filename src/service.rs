//! Use cases: what members, the console and the admin CLI can do. Each one applies the policy,
//! validates and sanitises input, calls the store and pokes the live hub. The same service
//! serves SSH sessions, the console and `bbs admin`, so every rule lives in one place.
//!
//! Methods are synchronous (they call SQLite); async callers run them with `spawn_blocking`.

use std::sync::Arc;

use crate::assets::Assets;
use crate::config::Config;
use crate::domain::policy::{self, Action, Denied};
use crate::domain::validate::{self, Invalid};
use crate::domain::{
    Board, BoardId, Draft, DraftPlace, PostId, Role, ThreadId, ThreadPage, ThreadSummary, User,
    UserId,
};
use crate::live::Hub;
use crate::store::{self, Store, StoreError, boards, drafts, meta, posts, users};

/// Why a use case failed, in words for the member.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Denied(#[from] Denied),
    #[error("That {0} is no longer there.")]
    NotFound(&'static str),
    #[error("This thread is locked: no new replies.")]
    Locked,
    #[error("That sysop claim code is not right.")]
    BadClaimCode,
    #[error("{0}")]
    Store(#[from] StoreError),
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

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
    pub fn from_public_key(key: &russh::keys::PublicKey) -> KeyInfo {
        let mut key = key.clone();
        key.set_comment("");
        KeyInfo {
            algorithm: key.algorithm().as_str().to_string(),
            openssh: key.to_openssh().unwrap_or_default().trim().to_string(),
            fingerprint: key.fingerprint(russh::keys::HashAlg::Sha256).to_string(),
        }
    }
}

/// Posts per page in a thread.
pub const POSTS_PER_PAGE: i64 = 20;

/// The use cases. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    store: Arc<Store>,
    hub: Hub,
    config: Arc<Config>,
    assets: Arc<Assets>,
}

impl Service {
    pub fn new(store: Arc<Store>, hub: Hub, config: Arc<Config>, assets: Arc<Assets>) -> Service {
        Service {
            store,
            hub,
            config,
            assets,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn assets(&self) -> &Assets {
        &self.assets
    }
    pub fn hub(&self) -> &Hub {
        &self.hub
    }
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Start-up work: seed the boards on first start and, while no sysop exists, make a fresh
    /// sysop claim code (replacing any earlier one, so the code in the current log is the one
    /// that works). Returns the code, to be printed once.
    pub fn initialise(&self) -> Result<Option<String>> {
        let seeds = self.config.boards.clone();
        self.store.write(|c| boards::seed(c, &seeds))?;
        let needs_claim = self.store.write(|c| {
            let has_sysop: bool = c
                .prepare("SELECT 1 FROM users WHERE role = 'sysop' AND status = 'active'")?
                .exists([])?;
            Ok(!has_sysop)
        })?;
        if !needs_claim {
            return Ok(None);
        }
        let code = claim_code();
        let hash = hash_secret(&code);
        self.store
            .write(|c| meta::set(c, meta::SYSOP_CLAIM, &hash))?;
        Ok(Some(code))
    }

    /// True while a sysop claim code is waiting to be used.
    pub fn claim_pending(&self) -> Result<bool> {
        Ok(self
            .store
            .read(|c| meta::get(c, meta::SYSOP_CLAIM))?
            .is_some())
    }

    /// The member who owns this key, if any.
    pub fn login(&self, key: &KeyInfo) -> Result<Option<User>> {
        let user = self.store.read(|c| users::by_key(c, &key.openssh))?;
        if let Some(u) = &user {
            let id = u.id;
            self.store.write(|c| users::touch_last_seen(c, id))?;
        }
        Ok(user)
    }

    pub fn user(&self, id: UserId) -> Result<Option<User>> {
        Ok(self.store.read(|c| users::by_id(c, id))?)
    }

    /// The first sysop (who the local console acts as).
    pub fn first_sysop(&self) -> Result<Option<User>> {
        Ok(self.store.read(|c| {
            Ok(users::list(c)?
                .into_iter()
                .find(|(u, status)| u.role == Role::Sysop && status == "active")
                .map(|(u, _)| u))
        })?)
    }

    /// Signs up a new member with `key`. A correct sysop claim code makes them the sysop.
    pub fn sign_up(&self, handle: &str, key: &KeyInfo, claim: Option<&str>) -> Result<User> {
        let handle = validate::handle(handle)?;
        let claim = claim.map(str::trim).filter(|c| !c.is_empty());
        let claim_hash = match claim {
            Some(_) => self.store.read(|c| meta::get(c, meta::SYSOP_CLAIM))?,
            None => None,
        };
        let role = match (claim, claim_hash) {
            (Some(code), Some(hash)) if verify_secret(code, &hash) => Role::Sysop,
            (Some(_), _) => return Err(ServiceError::BadClaimCode),
            (None, _) => Role::Member,
        };
        let (g, p) = (self.assets.guidelines.version, self.assets.privacy.version);
        let user = self.store.write(|c| {
            let created = users::create(
                c,
                &handle,
                role,
                &users::NewKey {
                    algorithm: &key.algorithm,
                    public_key: &key.openssh,
                    fingerprint: &key.fingerprint,
                    comment: None,
                },
                g,
                p,
            )?;
            if created.is_ok() && role == Role::Sysop {
                meta::delete(c, meta::SYSOP_CLAIM)?;
            }
            Ok(created)
        })??;
        tracing::info!(user = %user.id, role = role.as_str(), "member signed up");
        Ok(user)
    }

    /// Adds a sysop directly (admin CLI), consuming any pending claim.
    pub fn add_sysop(&self, handle: &str, key: &KeyInfo) -> Result<User> {
        let handle = validate::handle(handle)?;
        let (g, p) = (self.assets.guidelines.version, self.assets.privacy.version);
        Ok(self.store.write(|c| {
            let created = users::create(
                c,
                &handle,
                Role::Sysop,
                &users::NewKey {
                    algorithm: &key.algorithm,
                    public_key: &key.openssh,
                    fingerprint: &key.fingerprint,
                    comment: None,
                },
                g,
                p,
            )?;
            if created.is_ok() {
                meta::delete(c, meta::SYSOP_CLAIM)?;
            }
            Ok(created)
        })??)
    }

    pub fn boards(&self, reader: &User) -> Result<Vec<Board>> {
        Ok(self.store.read(|c| boards::list(c, reader.id))?)
    }

    pub fn board(&self, reader: &User, board: BoardId) -> Result<Board> {
        self.store
            .read(|c| boards::by_id(c, reader.id, board))?
            .ok_or(ServiceError::NotFound("board"))
    }

    /// One page of a board's threads and the board's thread count.
    pub fn threads(
        &self,
        reader: &User,
        board: BoardId,
        offset: i64,
        limit: i64,
    ) -> Result<(Board, Vec<ThreadSummary>)> {
        let b = self.board(reader, board)?;
        let list = self.store.read(|c| {
            posts::threads_page(c, reader.id, board, offset.max(0), limit.clamp(1, 200))
        })?;
        Ok((b, list))
    }

    /// A page of a thread; marks what it shows as read.
    pub fn thread(&self, reader: &User, thread: ThreadId, offset: i64) -> Result<ThreadPage> {
        let page = self
            .store
            .read(|c| posts::thread_page(c, reader.id, thread, offset.max(0), POSTS_PER_PAGE))?
            .ok_or(ServiceError::NotFound("thread"))?;
        if let Some(last) = page.posts.last() {
            let (uid, pid) = (reader.id, last.id);
            self.store
                .write(|c| posts::mark_read(c, uid, thread, pid))?;
        }
        Ok(page)
    }

    /// The offset of the page that holds `post`.
    pub fn page_of(&self, post: PostId) -> Result<Option<(ThreadId, i64)>> {
        Ok(self
            .store
            .read(|c| posts::post_position(c, post))?
            .map(|(t, i)| (t, i - i % POSTS_PER_PAGE)))
    }

    pub fn load_draft(&self, user: &User, place: DraftPlace) -> Result<Option<Draft>> {
        Ok(self.store.read(|c| drafts::load(c, user.id, place))?)
    }

    pub fn save_draft(&self, user: &User, place: DraftPlace, draft: &Draft) -> Result<()> {
        Ok(self
            .store
            .write(|c| drafts::save(c, user.id, place, draft))?)
    }

    /// Posts a draft: a new thread or a reply. On success the draft is deleted in the same
    /// transaction; on any failure it is kept (saved first), so nothing the member wrote is lost.
    pub fn post(
        &self,
        author: &User,
        place: DraftPlace,
        draft: &Draft,
    ) -> Result<(ThreadId, PostId)> {
        self.save_draft(author, place, draft)?;
        let board = self.board(author, place.board())?;
        let body = validate::body(&draft.body)?;
        let cw = crate::sanitize::line(&draft.content_warning)
            .trim()
            .to_string();
        let cw = (!cw.is_empty()).then_some(cw);
        if draft.anonymous {
            policy::can(author, Action::PostAnonymously(&board))?;
        }
        let result = match place {
            DraftPlace::NewThread(b) => {
                policy::can(author, Action::StartThread(&board))?;
                let title = validate::title(&draft.title)?;
                self.store.write(|c| {
                    let ids = posts::create_thread(
                        c,
                        b,
                        &title,
                        &posts::NewPost {
                            author: author.id,
                            body: &body,
                            content_warning: cw.as_deref(),
                            anonymous: draft.anonymous,
                        },
                    )?;
                    drafts::delete(c, author.id, place)?;
                    Ok(ids)
                })?
            }
            DraftPlace::Reply(_, t) => {
                policy::can(author, Action::Reply(&board))?;
                let id = self.store.write(|c| {
                    let r = posts::reply(
                        c,
                        t,
                        &posts::NewPost {
                            author: author.id,
                            body: &body,
                            content_warning: cw.as_deref(),
                            anonymous: draft.anonymous,
                        },
                    )?;
                    if r.is_ok() {
                        drafts::delete(c, author.id, place)?;
                    }
                    Ok(r)
                })?;
                match id {
                    Ok(id) => (t, id),
                    Err(posts::ReplyRefused::Locked) => return Err(ServiceError::Locked),
                    Err(posts::ReplyRefused::NoThread) => {
                        return Err(ServiceError::NotFound("thread"));
                    }
                }
            }
        };
        self.hub.poke();
        Ok(result)
    }
}

/// A sysop claim code: 3 groups of 4 from an alphabet without look-alikes.
fn claim_code() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut code = String::new();
    for group in 0..3 {
        if group > 0 {
            code.push('-');
        }
        for _ in 0..4 {
            code.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
        }
    }
    code
}

/// Hashes a secret (claim codes, later invites and recovery codes) with argon2id.
pub fn hash_secret(secret: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    let hash: Result<argon2::password_hash::phc::PasswordHash, _> =
        argon2::Argon2::default().hash_password(normalize_code(secret).as_bytes());
    hash.map(|h| h.to_string()).unwrap_or_default()
}

/// Checks a secret against its argon2id hash.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(normalize_code(secret).as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Codes are typed by people: ignore case, spaces and dashes.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Current time, re-exported for the UI's relative times.
pub fn now() -> i64 {
    store::now()
}
