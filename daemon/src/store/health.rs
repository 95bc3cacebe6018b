//! Keeping the store usable through a failed write. When a write to the file fails (the disk is
//! full, an I/O error), redb refuses every later operation on that handle, reads included, until
//! the file is closed and opened again. So the store remembers that a write failed, reopens the
//! file (the last commit is intact: redb commits are atomic), and keeps answering reads while the
//! disk is full; writes fail with a message that says so, and work again once there is room.
//!
//! Also here: opening the file, with a log line when redb has to repair it (after a crash, when
//! the last commit did not record the allocator state).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use redb::Database;

use super::StoreError;

/// I/O failures seen by any store of this process; a store compares it before and after an
/// operation to learn whether the operation's error came from the file.
static FAILURES: AtomicU64 = AtomicU64::new(0);
/// The last I/O failure was "no space": later refusals of the failed handle say so too.
static LAST_WAS_FULL: AtomicBool = AtomicBool::new(false);

/// How long a reopen waits for operations still holding the failed handle to end.
const REOPEN_WAIT: Duration = Duration::from_secs(2);
/// After a reopen that failed, how long before the next try.
const REOPEN_PAUSE: Duration = Duration::from_millis(500);

pub(super) fn failures() -> u64 {
    FAILURES.load(Ordering::SeqCst)
}

/// A redb error as a [`StoreError`]: "no space" becomes [`StoreError::DiskFull`], redb's refusal
/// after an earlier failure [`StoreError::DiskFull`] or [`StoreError::Reopening`]; both count as
/// I/O failures.
pub(super) fn classify(e: redb::Error) -> StoreError {
    match e {
        redb::Error::Io(io) => {
            FAILURES.fetch_add(1, Ordering::SeqCst);
            let full = is_disk_full(&io);
            LAST_WAS_FULL.store(full, Ordering::SeqCst);
            if full {
                StoreError::DiskFull(io.to_string())
            } else {
                StoreError::Redb(redb::Error::Io(io))
            }
        }
        redb::Error::PreviousIo => {
            FAILURES.fetch_add(1, Ordering::SeqCst);
            if LAST_WAS_FULL.load(Ordering::SeqCst) {
                StoreError::DiskFull("No space left on device".into())
            } else {
                StoreError::Reopening("an earlier write to the file failed".into())
            }
        }
        other => StoreError::Redb(other),
    }
}

fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || matches!(e.raw_os_error(), Some(n) if n == nix::libc::ENOSPC || n == nix::libc::EDQUOT)
}

/// Opens (or creates) the file. redb's default page cache is 1 GiB; a portal daemon should stay
/// small, and the hot pages (recent CDRs, rollups, indexes) fit well in less.
pub(super) fn open(path: &Path, cache_bytes: usize) -> Result<Database, redb::DatabaseError> {
    let shown = path.display().to_string();
    let said = Arc::new(AtomicBool::new(false));
    let said_in_callback = said.clone();
    let started = Instant::now();
    let db = redb::Builder::new()
        .set_cache_size(cache_bytes)
        .set_repair_callback(move |_| {
            if !said_in_callback.swap(true, Ordering::SeqCst) {
                tracing::warn!(path = %shown, "store: the file was not closed cleanly and its last commit recorded no allocator state; repairing it (this reads the whole file)");
            }
        })
        .create(path)?;
    if said.load(Ordering::SeqCst) {
        tracing::warn!(path = %path.display(), took_ms = started.elapsed().as_millis() as u64, "store: repair finished");
    }
    Ok(db)
}

/// The open file, reopened after a failed write.
pub(super) struct File {
    db: RwLock<Option<Arc<Database>>>,
    path: PathBuf,
    cache_bytes: usize,
    /// Held while reopening; the time of the last reopen that failed.
    reopen: Mutex<Option<Instant>>,
}

impl File {
    pub(super) fn new(db: Database, path: &Path, cache_bytes: usize) -> File {
        File {
            db: RwLock::new(Some(Arc::new(db))),
            path: path.to_path_buf(),
            cache_bytes,
            reopen: Mutex::new(None),
        }
    }

    fn current(&self) -> Option<Arc<Database>> {
        self.db
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The open database, reopening it if a failed write closed it.
    pub(super) fn db(&self) -> Result<Arc<Database>, StoreError> {
        match self.current() {
            Some(db) => Ok(db),
            None => self.reopen(),
        }
    }

    /// Called after an operation on `db` failed with an I/O error: when `db` refuses writes
    /// from now on, it is closed and the file opened again.
    pub(super) fn recover(&self, db: Arc<Database>) {
        let is_current = |db: &Arc<Database>| {
            self.db
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
                .is_some_and(|c| Arc::ptr_eq(c, db))
        };
        if !is_current(&db) {
            return;
        }
        // A handle that still begins a write is usable: the failure did not stick.
        if let Ok(txn) = db.begin_write() {
            let _ = txn.abort();
            return;
        }
        {
            let mut slot = self.db.write().unwrap_or_else(PoisonError::into_inner);
            if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, &db)) {
                *slot = None;
            } else {
                return;
            }
        }
        tracing::warn!(path = %self.path.display(), "store: a write to the file failed; closing and reopening it");
        drop(db);
        if let Err(e) = self.reopen() {
            tracing::error!(error = %e, "store: reopening failed; the next operation tries again");
        }
    }

    fn reopen(&self) -> Result<Arc<Database>, StoreError> {
        let mut last_failure = self.reopen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(db) = self.current() {
            return Ok(db);
        }
        if last_failure.is_some_and(|t| t.elapsed() < REOPEN_PAUSE) {
            return Err(StoreError::Reopening(
                "the last try failed moments ago".into(),
            ));
        }
        // Operations that still hold the old handle keep the file locked until they end; they
        // fail at once, so this does not wait long.
        let deadline = Instant::now() + REOPEN_WAIT;
        loop {
            match open(&self.path, self.cache_bytes) {
                Ok(db) => {
                    let db = Arc::new(db);
                    *self.db.write().unwrap_or_else(PoisonError::into_inner) = Some(db.clone());
                    *last_failure = None;
                    tracing::info!(path = %self.path.display(), "store: file reopened");
                    return Ok(db);
                }
                Err(redb::DatabaseError::DatabaseAlreadyOpen) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => {
                    *last_failure = Some(Instant::now());
                    return Err(StoreError::Reopening(e.to_string()));
                }
            }
        }
    }
}
