//! The redb store: the only module that knows redb. Everything else sees [`Store`] and [`Tx`].
//!
//! redb calls block; async code reaches the store through `tokio::task::spawn_blocking`, but for
//! the short reads a portal page starts with (a few records from the page cache), which run on the
//! async worker: see `portal::tenant::read_now`.

/// A redb value type read in place: a value is `$view::new(bytes)` over the stored bytes, and
/// `$view.bytes` is what is written.
macro_rules! view_value {
    ($(#[$doc:meta])* $value:ident => $view:ident, $name:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $value(std::marker::PhantomData<()>);

        impl redb::Value for $value {
            type SelfType<'a>
                = $view<'a>
            where
                Self: 'a;
            type AsBytes<'a>
                = &'a [u8]
            where
                Self: 'a;

            fn fixed_width() -> Option<usize> {
                None
            }

            fn from_bytes<'a>(data: &'a [u8]) -> $view<'a>
            where
                Self: 'a,
            {
                $view::new(data)
            }

            fn as_bytes<'a, 'b: 'a>(value: &'a $view<'b>) -> &'a [u8]
            where
                Self: 'b,
            {
                value.bytes
            }

            fn type_name() -> redb::TypeName {
                redb::TypeName::new($name)
            }
        }
    };
}

/// Opens `$def` as `$t` in whichever kind of transaction `$self` holds and evaluates `$body`.
macro_rules! with_table {
    ($self:expr, $def:expr, |$t:ident| $body:expr) => {
        match &$self.inner {
            Inner::Read(txn) => {
                let $t = txn.open_table($def)?;
                $body
            }
            Inner::Write(txn) => {
                let $t = txn.open_table($def)?;
                $body
            }
        }
    };
}

mod account;
pub mod backup;
pub mod cdr;
mod cdr_batch;
pub mod cdr_block;
mod cdr_migrate;
mod cdr_page;
mod cdr_row;
mod codec;
mod export;
mod health;
mod migrations;
pub mod rollup_block;
pub mod rollups;
mod sessions;
pub mod tables;
pub mod tls;
mod tx;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::ReadableDatabase;

pub use cdr::{CdrKey, RollupDelta, StoredCdr, WatchState};
pub use cdr_row::Texts;
pub use codec::{Record, encode_packed};
pub use migrations::SCHEMA_VERSION;
pub use tables::{ContactRecord, DomainRecord, SessionRecord, TokenRecord};
pub use tls::{AcmeAccountRecord, CertRecord, LocalCaRecord, TlsStateRecord};
pub use tx::{Child, ChildKind, Tx};

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file was written by a newer porticod.
    #[error(
        "{path}: written by a newer porticod (schema version {found}, this porticod knows up to \
         {known}); install that porticod version or newer, or restore a backup made for this one"
    )]
    TooNew {
        /// The store file.
        path: String,
        /// Its schema version.
        found: u64,
        /// The newest this build knows.
        known: u64,
    },
    /// The file could not be opened.
    #[error("{path}: {source}")]
    Open {
        /// The store file.
        path: String,
        /// Why.
        source: redb::DatabaseError,
    },
    /// A stored record did not decode.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// redb failed.
    #[error("store: {0}")]
    Redb(#[from] redb::Error),
    /// A backup or restore step failed; the text names the file and what to do.
    #[error("{0}")]
    Backup(String),
    /// The filesystem of the data directory has no room left: the change was not saved.
    #[error(
        "the disk holding the store is full ({0}): the change was not saved; free space in the \
         data directory's filesystem, and writes resume by themselves"
    )]
    DiskFull(String),
    /// An earlier write failed and the store is being reopened (see [`health`]).
    #[error(
        "the store is being reopened after a failed write ({0}); try again in a moment, and if \
         this persists, look at the daemon's log and the data directory's disk"
    )]
    Reopening(String),
}

macro_rules! redb_errors {
    ($($t:ty),+) => {
        $(impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                health::classify(e.into())
            }
        })+
    };
}
redb_errors!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::CursorError
);

/// Size of redb's page cache unless the config says otherwise.
pub const CACHE_BYTES: usize = 256 << 20;

/// The embedded database file, shared by every part of the daemon.
#[derive(Clone)]
pub struct Store {
    file: Arc<health::File>,
    path: PathBuf,
    /// Move on after write transactions to some tables (see [`Store::domains_generation`]).
    generations: Arc<Generations>,
}

/// See [`Store::domains_generation`].
#[derive(Debug, Default)]
struct Generations {
    domains: AtomicU64,
    accounts: AtomicU64,
    children: AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (or creates) `portico.redb` at `path`, refuses a newer schema, and applies every
    /// pending migration, each in its own transaction.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(path, CACHE_BYTES)
    }

    /// [`Store::open`] with a page cache of `cache_bytes` (`[store] cache_mib`).
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        let db = health::open(path, cache_bytes).map_err(|source| StoreError::Open {
            path: shown.clone(),
            source,
        })?;
        migrations::apply(&db, &shown)?;
        Ok(Store {
            file: Arc::new(health::File::new(db, path, cache_bytes)),
            path: path.to_path_buf(),
            generations: Arc::default(),
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction and commits only when it returns `Ok`: an error leaves
    /// the store exactly as it was.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let db = self.file.db()?;
        let failures = health::failures();
        let result = (|| {
            let mut txn = db.begin_write().map_err(StoreError::from)?;
            // Every commit records the allocator state, so the file opens without a repair
            // (a walk over the whole file) after a crash or a kill -9.
            txn.set_quick_repair(true);
            let mut tx = Tx::write(txn);
            let value = f(&mut tx);
            let written = tx.written();
            let committed = value.and_then(|value| Ok(tx.commit().map(|()| value)?));
            // After the commit (or its failure): a cache that read these before this point
            // holds the old generation and reads them again.
            let g = &self.generations;
            for (wrote, generation) in [
                (written.domains, &g.domains),
                (written.accounts, &g.accounts),
                (written.children, &g.children),
            ] {
                if wrote {
                    generation.fetch_add(1, Ordering::AcqRel);
                }
            }
            committed
        })();
        if result.is_err() && health::failures() != failures {
            self.file.recover(db);
        }
        result
    }

    /// A number that moves on whenever a committed write stored or removed a domain. A cache of
    /// domain records takes the generation before it reads them and keeps what it read only
    /// while the generation is still that one: a domain written after the read moves it on.
    pub fn domains_generation(&self) -> u64 {
        self.generations.domains.load(Ordering::Acquire)
    }

    /// Like [`Store::domains_generation`], for customers, contacts and sessions together.
    pub fn accounts_generation(&self) -> u64 {
        self.generations.accounts.load(Ordering::Acquire)
    }

    /// Like [`Store::domains_generation`], for the objects customers own (payments, alerts,
    /// packages, contracts) and the approvals of their contracts.
    pub fn children_generation(&self) -> u64 {
        self.generations.children.load(Ordering::Acquire)
    }

    /// Runs `f` in one read transaction (a consistent snapshot).
    pub fn read<T, E>(&self, f: impl FnOnce(&Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let db = self.file.db()?;
        let failures = health::failures();
        let result = db
            .begin_read()
            .map_err(StoreError::from)
            .map_err(E::from)
            .and_then(|txn| f(&Tx::read(txn)));
        if result.is_err() && health::failures() != failures {
            self.file.recover(db);
        }
        result
    }

    /// The whole store as JSON: every table, rows in key order. Secrets appear only as hashes
    /// (argon2id for contact passwords, a short SHA-256 digest for SMTP passwords).
    pub fn export(&self) -> Result<serde_json::Value, StoreError> {
        self.read(export::export)
    }
}

#[cfg(test)]
mod tests;
