//! Opening Haven's state: the data dir (made on first start, 0700), the database, the texts,
//! first-start seeding and the sysop claim code. Shared by `serve`, `console` and `admin`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::assets::Assets;
use crate::config::Config;
use crate::live::Hub;
use crate::service::{Service, ServiceError};
use crate::store::{Store, StoreError};

/// The database file's name inside the data dir.
pub const DB_FILE: &str = "haven.db";

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("cannot create data dir {path}: {source}")]
    DataDir {
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
    let store = Arc::new(Store::open(&dir.join(DB_FILE))?);
    let assets = Arc::new(Assets::load(&dir));
    let service = Service::new(store, Hub::new(), Arc::new(config), assets);
    let claim_code = service.initialise(claim)?;
    Ok(Opened {
        service,
        claim_code,
    })
}
