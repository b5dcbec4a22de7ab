//! Helpers for the service's unit tests: a full service on an in-memory store (SQLite's
//! `memdb`, see [`Store::in_memory`]), seeded as a first start seeds it, keys and drafts.

use super::*;

/// A service with the default settings, changed by `change`. Its data dir does not exist, so
/// a use case that touched a file would fail its test instead of writing somewhere.
pub fn service_with(change: impl FnOnce(&mut Config)) -> Service {
    let mut config = Config {
        data_dir: std::path::PathBuf::from("/nonexistent/haven-unit-test"),
        encryption: crate::config::Encryption::None,
        ..Config::default()
    };
    change(&mut config);
    let store = Arc::new(Store::in_memory().expect("in-memory store"));
    let service = Service::new(store, Hub::new(), Arc::new(config), Arc::default());
    service.initialise(false).expect("seed");
    service
}

/// A service over a file in a temporary directory, opened as a server opens it (`boot::open`),
/// for the tests of what only WAL on disk gives: reading while another connection holds the
/// write lock. (`memdb` locks like a rollback journal: a pending writer shuts readers out.)
pub fn service_on_disk(change: impl FnOnce(&mut Config)) -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        encryption: crate::config::Encryption::None,
        ..Config::default()
    };
    change(&mut config);
    let opened = crate::boot::open(config, false).expect("open");
    (dir, opened.service)
}

/// A service with the default settings.
pub fn service() -> Service {
    service_with(|_| {})
}

/// Posting without pace: tests post faster than any member.
pub fn without_pace(config: &mut Config) {
    config.posting.post_interval = 0;
    config.posting.new_member_post_interval = 0;
    config.posting.new_member_thread_interval = 0;
    config.posting.first_day_threads = 1000;
    config.posting.first_day_replies = 1000;
    config.posting.duplicate_window = 0;
}

/// A fresh Ed25519 key.
pub fn key() -> KeyInfo {
    let k = russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519)
        .expect("key");
    KeyInfo::from_public_key(k.public_key()).expect("encode key")
}

/// A draft with a title (empty for a reply) and a body.
pub fn draft(title: &str, body: &str) -> Draft {
    Draft {
        title: title.into(),
        body: body.into(),
        ..Draft::default()
    }
}
