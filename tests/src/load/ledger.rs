//! What the driver knows it sent: the CDRs the daemon acknowledged (a 200 from the ingest
//! endpoint, or an import that exited 0) and those whose fate is unknown (the daemon died before
//! it answered). After a restart every acknowledged CDR must be there, and nothing else but the
//! unknown ones.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use super::fixtures::Call;

/// How a CDR was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Posted as mod_json_cdr JSON.
    Post,
    /// In a CSV file given to `portico cdr import`.
    Import,
}

/// A file whose import did not finish: it must be imported again.
#[derive(Debug, Clone)]
pub struct PendingFile {
    /// The CSV file.
    pub path: PathBuf,
    /// Its calls.
    pub calls: Vec<Call>,
}

#[derive(Debug, Default)]
struct Inner {
    acked: HashMap<String, Call>,
    unknown: HashMap<String, (Call, Via)>,
    files: Vec<PendingFile>,
}

/// The driver's record of every CDR it sent.
#[derive(Debug, Default)]
pub struct Ledger {
    inner: Mutex<Inner>,
}

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The daemon acknowledged `call`.
    pub fn acked(&self, call: Call) {
        let mut inner = self.lock();
        inner.unknown.remove(&call.id);
        inner.acked.insert(call.id.clone(), call);
    }

    /// `call` was sent and no answer came.
    pub fn unknown(&self, call: Call, via: Via) {
        let mut inner = self.lock();
        if !inner.acked.contains_key(&call.id) {
            inner.unknown.insert(call.id.clone(), (call, via));
        }
    }

    /// An import of `file` did not finish.
    pub fn unfinished(&self, file: PendingFile) {
        for call in &file.calls {
            self.unknown(call.clone(), Via::Import);
        }
        self.lock().files.push(file);
    }

    /// Takes the unknown posts and the unfinished files, to send them again.
    pub fn take_retries(&self) -> (Vec<Call>, Vec<PendingFile>) {
        let mut inner = self.lock();
        let posts = inner
            .unknown
            .values()
            .filter(|(_, via)| *via == Via::Post)
            .map(|(c, _)| c.clone())
            .collect();
        (posts, std::mem::take(&mut inner.files))
    }

    /// The acknowledged calls and the ids of the unknown ones.
    pub fn snapshot(&self) -> (HashMap<String, Call>, HashMap<String, Call>) {
        let inner = self.lock();
        (
            inner.acked.clone(),
            inner
                .unknown
                .iter()
                .map(|(k, (c, _))| (k.clone(), c.clone()))
                .collect(),
        )
    }

    /// A few acknowledged posts, to post again (they must come back as duplicates).
    pub fn sample_acked(&self, n: usize) -> Vec<Call> {
        self.lock()
            .acked
            .values()
            .filter(|c| c.id.starts_with("soak-j-"))
            .take(n)
            .cloned()
            .collect()
    }
}
