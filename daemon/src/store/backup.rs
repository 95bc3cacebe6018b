//! Backup and restore of the store file.
//!
//! A backup copies the file while this process holds redb's write transaction, so no commit can
//! land during the copy: every commit is durable (fsynced) when it returns, so the file then
//! holds exactly the last commit. The copy is opened (redb repairs its "was open" mark, as after
//! a crash), checked page by page, and closed cleanly before anyone reads it.
//!
//! A restore refuses to run while a daemon holds the store (redb's file lock), checks the file,
//! keeps the current store beside it, and puts the copy in its place.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::{Store, StoreError, migrations};

/// A checked copy of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Its size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its schema version.
    pub schema_version: u64,
}

fn io(path: &Path, what: &str, e: std::io::Error) -> StoreError {
    StoreError::Backup(format!("{}: {what}: {e}", path.display()))
}

/// Opens `path` as a store file, repairs it if it was copied while open, checks every page,
/// reads its schema version and closes it cleanly. Refuses a newer schema.
pub fn check(path: &Path) -> Result<u64, StoreError> {
    let shown = path.display().to_string();
    let mut db = redb::Builder::new()
        .create(path)
        .map_err(|source| StoreError::Open {
            path: shown.clone(),
            source,
        })?;
    let intact = db
        .check_integrity()
        .map_err(|e| StoreError::Backup(format!("{shown}: integrity check failed: {e}")))?;
    if !intact {
        return Err(StoreError::Backup(format!(
            "{shown}: the file is damaged (redb's integrity check failed)"
        )));
    }
    let version = migrations::stored_version(&db)?;
    if version > migrations::SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: shown,
            found: version,
            known: migrations::SCHEMA_VERSION,
        });
    }
    if version == 0 {
        return Err(StoreError::Backup(format!(
            "{shown}: not a Portico store (it has no schema version)"
        )));
    }
    drop(db);
    Ok(version)
}

fn digest(path: &Path) -> Result<(u64, String), StoreError> {
    let mut file = std::fs::File::open(path).map_err(|e| io(path, "read", e))?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher).map_err(|e| io(path, "read", e))?;
    Ok((size, hex::encode(hasher.finalize())))
}

impl Store {
    /// Writes a consistent, checked copy of the store to `dest` (a new file). Changes wait
    /// while the file is copied.
    pub fn backup_to(&self, dest: &Path) -> Result<Copied, StoreError> {
        {
            // Holding the write transaction keeps every other writer out until the copy is
            // complete; it is dropped (aborted) without writing anything.
            let txn = self.file.db()?.begin_write()?;
            std::fs::copy(&self.path, dest).map_err(|e| io(dest, "copy the store", e))?;
            txn.abort()?;
        }
        let schema_version = check(dest)?;
        let (size, sha256) = digest(dest)?;
        Ok(Copied {
            size,
            sha256,
            schema_version,
        })
    }
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The store file now in place.
    pub store: PathBuf,
    /// Where the store it replaced was kept, if there was one.
    pub previous: Option<PathBuf>,
    /// The restored file's schema version before the daemon upgrades it.
    pub schema_version: u64,
}

/// Puts the backup `from` in place of `store` (`DATA_DIR/portico.redb`). Refused while a daemon
/// holds `store`. The file is checked first; the current store is renamed to
/// `portico.redb.before-restore-<unix time>`; the restored file gets the data directory's owner
/// and group (so that a restore run as root leaves a file the daemon's user can open).
pub fn restore(from: &Path, store: &Path) -> Result<Restored, StoreError> {
    let dir = store
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io(dir, "create the data directory", e))?;
    // Holding the live store open keeps a daemon from starting on it mid-restore; failing to
    // open it because it is locked means a daemon runs.
    let live = if store.exists() {
        match redb::Database::open(store) {
            Ok(db) => Some(db),
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                return Err(StoreError::Backup(format!(
                    "{}: a porticod is running on this store; stop it first \
                     (systemctl stop porticod), then restore",
                    store.display()
                )));
            }
            // A damaged live store is what a restore is for: go on.
            Err(_) => None,
        }
    } else {
        None
    };
    if !from.is_file() {
        return Err(StoreError::Backup(format!(
            "{}: no such file; give the path of a file written by `portico backup`",
            from.display()
        )));
    }
    let staged = dir.join(".portico.redb.restoring");
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(from, &staged).map_err(|e| io(&staged, "copy the backup", e))?;
    let schema_version = match check(&staged) {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            let reason = e
                .to_string()
                .replace(&format!("{}: ", staged.display()), "");
            return Err(StoreError::Backup(format!(
                "{}: not a usable Portico store ({reason}); give a file written by \
                 `portico backup`",
                from.display()
            )));
        }
    };
    let meta = std::fs::metadata(dir).map_err(|e| io(dir, "read", e))?;
    {
        use std::os::unix::fs::MetadataExt as _;
        // Only root may give a file away; anyone else already owns what they copy.
        if nix::unistd::geteuid().is_root() {
            std::os::unix::fs::chown(&staged, Some(meta.uid()), Some(meta.gid()))
                .map_err(|e| io(&staged, "set the owner", e))?;
        }
    }
    let previous = if store.exists() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let kept = dir.join(format!("portico.redb.before-restore-{now}"));
        std::fs::rename(store, &kept).map_err(|e| io(store, "keep the current store", e))?;
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&staged, store).map_err(|e| io(store, "put the backup in place", e))?;
    drop(live);
    Ok(Restored {
        store: store.to_path_buf(),
        previous,
        schema_version,
    })
}
