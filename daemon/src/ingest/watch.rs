//! Watched files: `[[ingest.watch]]` entries follow a file a switch appends CDR lines to, the
//! way Asterisk writes `Master.csv` (it opens the file, appends a record and closes it again for
//! each call) and the way logrotate rotates it (rename and a new file, or truncation).
//!
//! [`Tail`] knows where a file was read up to and finds the next piece of whole lines; it
//! never takes a line the switch is still writing. [`Watcher`] parses each piece and stores
//! its CDRs together with the new read position in ONE transaction, so after a crash or a
//! restart the file is read on from exactly where the last commit left it: nothing is lost and
//! nothing read twice. [`run`] polls a watcher until shutdown.
//!
//! Rotation: the open file is kept between polls, so when the path names another file, the
//! renamed one is read to its end through that handle (and left only once a later poll finds
//! it no longer growing: a switch that keeps its file open writes there until it reopens)
//! before the new one is started at its first byte. After a restart, a file that was rotated away is looked for beside the path (by
//! device and inode, as logrotate's `Master.csv.1`) to read its end. A file smaller than the
//! read position was truncated and is read again from its start.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{FileExt as _, MetadataExt as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::formats::{self, Format, ParseOptions};
use super::pipeline::{Batch, Ingest, Rejected};
use crate::config::WatchConfig;
use crate::store::StoreError;
use crate::store::cdr::WatchState;

/// The most bytes read and stored in one transaction: a large backlog goes in pieces.
pub const MAX_CHUNK: usize = 4 * 1024 * 1024;
/// The most bytes of a generic CSV header row.
const MAX_HEADER: usize = 64 * 1024;
/// Steps (switches and pieces) in one poll before it yields.
const MAX_STEPS: usize = 16;
/// Directory entries looked at when a rotated file is searched for.
const MAX_SIBLINGS: usize = 10_000;

/// A file's identity: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
}

impl FileId {
    fn of(meta: &fs::Metadata) -> FileId {
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    fn of_state(s: &WatchState) -> FileId {
        FileId {
            dev: s.dev,
            ino: s.ino,
        }
    }
}

/// The file being read, open between polls.
#[derive(Debug)]
struct Open {
    file: File,
    id: FileId,
    offset: u64,
    lines: u64,
}

/// A piece of whole lines to store, and the position after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The bytes (whole lines; the last one of a finished file may lack its line end).
    pub bytes: Vec<u8>,
    /// The file line number of its first line (1-based).
    pub first_line: u64,
    /// Lines in it.
    pub lines: u64,
    /// It starts at the file's first byte (a generic CSV header is in it).
    pub from_start: bool,
    /// The read position once it is stored.
    pub state: WatchState,
    /// More can be read right away (the piece was cut at [`MAX_CHUNK`]).
    pub more: bool,
}

/// Why reading goes on in another file or at another place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchReason {
    /// First time this path is read.
    Start,
    /// After a restart, the stored position in the same file.
    Resume,
    /// After a restart, the stored file was found beside the path (rotated) and is read on.
    ResumeRotated,
    /// After a restart, the stored file is gone; the file at the path is read from its start.
    Lost,
    /// The path names a new file; the old one was read to its end.
    Rotated,
    /// The file shrank below the read position.
    Truncated,
}

/// Reading goes on in `file` at `state`.
#[derive(Debug)]
pub struct Switch {
    file: File,
    /// The position to store.
    pub state: WatchState,
    /// Why.
    pub reason: SwitchReason,
}

/// What [`Tail::step`] found.
#[derive(Debug)]
pub enum Step {
    /// Nothing new (or only a line still being written).
    Idle,
    /// The path does not exist (yet).
    Missing,
    /// Lines to store.
    Lines(Chunk),
    /// Reading goes on elsewhere; store the new position.
    Switch(Switch),
}

/// Follows one path: finds pieces of whole lines; the position moves only on
/// [`Tail::commit_lines`] / [`Tail::commit_switch`], after the caller stored it.
#[derive(Debug)]
pub struct Tail {
    path: PathBuf,
    cur: Option<Open>,
    /// Where a step stopped short of the end (file, offset, size, poll): when a later poll
    /// finds the very same, the file stopped growing there, so what is pending is final.
    waited: Option<(FileId, u64, u64, u64)>,
    /// Polls so far ([`Tail::next_poll`]).
    polls: u64,
}

impl Tail {
    /// A tail of `path`, not attached to a file yet.
    pub fn new(path: impl Into<PathBuf>) -> Tail {
        Tail {
            path: path.into(),
            cur: None,
            waited: None,
            polls: 0,
        }
    }

    /// A new poll begins: what waited in an earlier poll and is still the same has stopped
    /// growing (steps within one poll follow each other at once).
    pub fn next_poll(&mut self) {
        self.polls += 1;
    }

    /// Whether a file is open (otherwise the next step needs the stored position).
    pub fn is_attached(&self) -> bool {
        self.cur.is_some()
    }

    /// The position in memory (what was committed last).
    pub fn position(&self) -> Option<WatchState> {
        self.cur.as_ref().map(|c| WatchState {
            dev: c.id.dev,
            ino: c.id.ino,
            offset: c.offset,
            lines: c.lines,
        })
    }

    /// The next thing to do. `stored` is the stored position, used when no file is open yet.
    pub fn step(&mut self, stored: Option<&WatchState>) -> io::Result<Step> {
        let Some(cur) = &self.cur else {
            return self.attach(stored);
        };
        let at_path = match fs::metadata(&self.path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let size = cur.file.metadata()?.len();
        let rotated = at_path.as_ref().is_some_and(|m| FileId::of(m) != cur.id);
        if !rotated {
            if size < cur.offset {
                return Ok(Step::Switch(Switch {
                    file: cur.file.try_clone()?,
                    state: state(cur.id, 0, 0),
                    reason: SwitchReason::Truncated,
                }));
            }
            return Ok(match self.read(size, false)? {
                Some(chunk) => Step::Lines(chunk),
                None => Step::Idle,
            });
        }
        // The path names another file: read the old one to its end through the open handle
        // first. A writer that still holds it (logrotate's `create`, until the switch reopens)
        // may go on appending, and finish its last line: the old file is left only once a
        // later poll finds it read to its end and no longer growing, and a last line without
        // its line end is then taken as it is.
        if size > cur.offset {
            return Ok(match self.read(size, true)? {
                Some(chunk) => Step::Lines(chunk),
                None => Step::Idle,
            });
        }
        let spot = (cur.id, cur.offset, size);
        if !self.stopped_at(spot) {
            self.waited = Some((spot.0, spot.1, spot.2, self.polls));
            return Ok(Step::Idle);
        }
        let file = File::open(&self.path)?;
        let id = FileId::of(&file.metadata()?);
        Ok(Step::Switch(Switch {
            file,
            state: state(id, 0, 0),
            reason: SwitchReason::Rotated,
        }))
    }

    /// The stored position has been committed: read on from there.
    pub fn commit_switch(&mut self, switch: Switch) {
        self.cur = Some(Open {
            file: switch.file,
            id: FileId::of_state(&switch.state),
            offset: switch.state.offset,
            lines: switch.state.lines,
        });
        self.waited = None;
    }

    /// The chunk has been committed: read on after it.
    pub fn commit_lines(&mut self, chunk: &Chunk) {
        if let Some(cur) = &mut self.cur {
            cur.offset = chunk.state.offset;
            cur.lines = chunk.state.lines;
        }
    }

    /// Whether an earlier poll waited at this very spot (file, offset, size): the file has
    /// not changed since.
    fn stopped_at(&self, spot: (FileId, u64, u64)) -> bool {
        self.waited
            .is_some_and(|(id, offset, size, poll)| (id, offset, size) == spot && poll < self.polls)
    }

    /// The first record of the open file, without its line end (a generic CSV header).
    pub fn first_record(&self) -> io::Result<Option<Vec<u8>>> {
        let Some(cur) = &self.cur else {
            return Ok(None);
        };
        let bytes = read_at(&cur.file, 0, MAX_HEADER)?;
        let end = bytes
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(bytes.len());
        let mut line = bytes[..end].to_vec();
        while line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok((!line.is_empty()).then_some(line))
    }

    fn attach(&mut self, stored: Option<&WatchState>) -> io::Result<Step> {
        let meta = match fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // The file read last may have been rotated away with no new file yet.
                if let Some(s) = stored
                    && let Some((file, _)) = find_by_id(&self.path, FileId::of_state(s))
                {
                    return Ok(Step::Switch(Switch {
                        file,
                        state: s.clone(),
                        reason: SwitchReason::ResumeRotated,
                    }));
                }
                return Ok(Step::Missing);
            }
            Err(e) => return Err(e),
        };
        if meta.is_dir() {
            return Err(io::Error::other("is a directory, not a file"));
        }
        let file = File::open(&self.path)?;
        let id = FileId::of(&file.metadata()?);
        let Some(s) = stored else {
            return Ok(Step::Switch(Switch {
                file,
                state: state(id, 0, 0),
                reason: SwitchReason::Start,
            }));
        };
        if FileId::of_state(s) == id {
            return Ok(Step::Switch(Switch {
                file,
                state: s.clone(),
                reason: SwitchReason::Resume,
            }));
        }
        if let Some((old, _)) = find_by_id(&self.path, FileId::of_state(s)) {
            return Ok(Step::Switch(Switch {
                file: old,
                state: s.clone(),
                reason: SwitchReason::ResumeRotated,
            }));
        }
        Ok(Step::Switch(Switch {
            file,
            state: state(id, 0, 0),
            reason: SwitchReason::Lost,
        }))
    }

    /// The next piece of the open file, `size` bytes long now; `finished`: it will not grow
    /// any more once it stops (it was rotated away).
    fn read(&mut self, size: u64, finished: bool) -> io::Result<Option<Chunk>> {
        let Some(cur) = &self.cur else {
            return Ok(None);
        };
        let available = size.saturating_sub(cur.offset);
        let want = usize::try_from(available)
            .unwrap_or(MAX_CHUNK)
            .min(MAX_CHUNK);
        if want == 0 {
            return Ok(None);
        }
        let bytes = read_at(&cur.file, cur.offset, want)?;
        let capped = (bytes.len() as u64) < available;
        let stopped_here = self.stopped_at((cur.id, cur.offset, size));
        let cut = cut_point(&bytes, capped, finished, stopped_here);
        // Something is pending at the end of the file: see whether it is still so next poll.
        self.waited = (!capped && cut < bytes.len()).then_some((
            cur.id,
            cur.offset + cut as u64,
            size,
            self.polls,
        ));
        if cut == 0 {
            return Ok(None);
        }
        let mut bytes = bytes;
        bytes.truncate(cut);
        let mut lines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
        if bytes.last() != Some(&b'\n') {
            lines += 1;
        }
        Ok(Some(Chunk {
            first_line: cur.lines + 1,
            lines,
            from_start: cur.offset == 0,
            state: state(cur.id, cur.offset + cut as u64, cur.lines + lines),
            more: capped,
            bytes,
        }))
    }
}

/// Where to cut `bytes` (read from a record boundary): after the last whole record. Quoted
/// fields may hold line ends, so the cut is after the last line end outside quotes; but a
/// stray quote would hold everything after it back, so once the file stopped growing at the
/// same spot (`stopped_here`) the cut is after the last line end whatever the quotes (the
/// parser then reads the bad line on its own). A file that was rotated away and stopped
/// growing is taken to its last byte. In a piece cut at [`MAX_CHUNK`] (`capped`: more
/// follows, so nothing here is being written) no record is megabytes long: with no record end
/// the cut is at the last line end, and with no line end at all the piece is taken whole, so
/// that reading goes on.
fn cut_point(bytes: &[u8], capped: bool, finished: bool, stopped_here: bool) -> usize {
    let quoted = formats::complete_records_len(bytes);
    let lined = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    if capped {
        [quoted, lined, bytes.len()]
            .into_iter()
            .find(|n| *n > 0)
            .unwrap_or(0)
    } else if finished && stopped_here {
        bytes.len()
    } else if stopped_here && quoted < lined {
        lined
    } else {
        quoted
    }
}

fn state(id: FileId, offset: u64, lines: u64) -> WatchState {
    WatchState {
        dev: id.dev,
        ino: id.ino,
        offset,
        lines,
    }
}

fn read_at(file: &File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// A file beside `path` with identity `id` (a rotated `Master.csv.1`), opened.
fn find_by_id(path: &Path, id: FileId) -> Option<(File, PathBuf)> {
    let dir = path.parent()?;
    for entry in fs::read_dir(dir).ok()?.take(MAX_SIBLINGS).flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_file() && FileId::of(&meta) == id {
            let found = entry.path();
            let file = File::open(&found).ok()?;
            let opened = FileId::of(&file.metadata().ok()?);
            return (opened == id).then_some((file, found));
        }
    }
    None
}

/// Why a poll failed; the next poll tries again.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The watched path.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// The store refused the commit.
    #[error("{path}: storing: {source}")]
    Store {
        /// The watched path.
        path: String,
        /// Why.
        source: StoreError,
    },
}

/// What a poll did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    /// Caught up (or waiting for the file): poll again after the interval.
    Idle,
    /// There is more to read right away.
    More,
}

/// Follows one watched file into the store.
pub struct Watcher {
    key: String,
    format: Format,
    opts: ParseOptions,
    ingest: Ingest,
    tail: Tail,
    header: Option<Vec<u8>>,
    missing_logged: bool,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("path", &self.key)
            .field("format", &self.format)
            .field("tail", &self.tail)
            .finish()
    }
}

impl Watcher {
    /// A watcher of `config.path`, storing through `ingest` (whose customer variable it uses).
    pub fn new(ingest: Ingest, config: &WatchConfig) -> Watcher {
        let key = config.path.to_string_lossy().into_owned();
        Watcher {
            tail: Tail::new(&config.path),
            key,
            format: config.format,
            opts: ParseOptions {
                time_zone: config.time_zone.clone(),
                customer_variable: ingest.customer_variable().map(str::to_string),
                mapping: config.mapping.clone(),
            },
            ingest,
            header: None,
            missing_logged: false,
        }
    }

    /// The watched path, as the read position is stored.
    pub fn path(&self) -> &str {
        &self.key
    }

    /// Reads what is new and stores it: blocking (file reads, parsing, commits). At most
    /// [`MAX_CHUNK`] bytes of lines are stored per commit, and a poll stops after a few.
    pub fn poll(&mut self) -> Result<Polled, WatchError> {
        self.tail.next_poll();
        for _ in 0..MAX_STEPS {
            let stored = if self.tail.is_attached() {
                None
            } else {
                self.stored()?
            };
            let step = self.tail.step(stored.as_ref()).map_err(|e| self.io(e))?;
            match step {
                Step::Idle => return Ok(Polled::Idle),
                Step::Missing => {
                    if !self.missing_logged {
                        tracing::info!(path = %self.key, "ingest: watched file does not exist yet; waiting for it");
                        self.missing_logged = true;
                    }
                    return Ok(Polled::Idle);
                }
                Step::Switch(switch) => self.switch(switch)?,
                Step::Lines(chunk) => {
                    let more = chunk.more;
                    self.store(chunk)?;
                    if more {
                        return Ok(Polled::More);
                    }
                }
            }
        }
        Ok(Polled::More)
    }

    fn stored(&self) -> Result<Option<WatchState>, WatchError> {
        self.ingest
            .store()
            .read(|tx| tx.watch_state(&self.key))
            .map_err(|source| WatchError::Store {
                path: self.key.clone(),
                source,
            })
    }

    fn io(&self, source: io::Error) -> WatchError {
        WatchError::Io {
            path: self.key.clone(),
            source,
        }
    }

    fn switch(&mut self, switch: Switch) -> Result<(), WatchError> {
        let s = switch.state.clone();
        self.ingest
            .store()
            .write(|tx| tx.set_watch_state(&self.key, &s))
            .map_err(|source| WatchError::Store {
                path: self.key.clone(),
                source,
            })?;
        self.missing_logged = false;
        let (path, offset, lines) = (&self.key, s.offset, s.lines);
        match switch.reason {
            SwitchReason::Start => {
                tracing::info!(%path, "ingest: watching a new file from its start")
            }
            SwitchReason::Resume => {
                tracing::info!(%path, offset, lines, "ingest: watched file resumed where it was left")
            }
            SwitchReason::ResumeRotated => {
                tracing::info!(%path, offset, lines, "ingest: the file read last was rotated; reading its end first")
            }
            SwitchReason::Lost => tracing::warn!(
                %path,
                "ingest: the file read last (before a restart) was rotated away and is not beside the path any more; \
                 lines written to it after the last stored position cannot be read. Reading the new file from its start"
            ),
            SwitchReason::Rotated => {
                tracing::info!(%path, "ingest: watched file rotated; the old one was read to its end, reading the new one")
            }
            SwitchReason::Truncated => {
                tracing::info!(%path, "ingest: watched file was truncated; reading it again from its start")
            }
        }
        self.tail.commit_switch(switch);
        self.header = None;
        Ok(())
    }

    fn store(&mut self, chunk: Chunk) -> Result<(), WatchError> {
        if self.format == Format::GenericCsv && !chunk.from_start && self.header.is_none() {
            self.header = self.tail.first_record().map_err(|e| self.io(e))?;
        }
        let header = if chunk.from_start {
            None
        } else {
            self.header.as_deref()
        };
        let parsed = formats::parse_lines(
            self.format,
            &chunk.bytes,
            chunk.first_line,
            header,
            &self.opts,
        );
        let batch = Batch {
            source: self.key.clone(),
            lines: chunk.lines,
            cdrs: parsed.cdrs,
            rejected: parsed
                .quarantined
                .into_iter()
                .map(|q| Rejected {
                    line: q.line,
                    reason: q.reason,
                    excerpt: q.excerpt,
                })
                .collect(),
        };
        let key = self.key.clone();
        let report = self
            .ingest
            .ingest(batch, |tx| tx.set_watch_state(&key, &chunk.state))
            .map_err(|source| WatchError::Store {
                path: self.key.clone(),
                source,
            })?;
        self.tail.commit_lines(&chunk);
        if chunk.from_start && parsed.header.is_some() {
            self.header = parsed.header;
        }
        let quarantined = report.quarantined.len();
        if quarantined > 0 {
            tracing::warn!(
                path = %self.key, lines = chunk.lines, imported = report.imported,
                duplicates = report.duplicates, quarantined,
                first_line = chunk.first_line,
                "ingest: watched file read; some lines were quarantined (portico quarantine list)"
            );
        } else {
            tracing::info!(
                path = %self.key, lines = chunk.lines, imported = report.imported,
                duplicates = report.duplicates, offset = chunk.state.offset,
                "ingest: watched file read"
            );
        }
        Ok(())
    }
}

/// Polls `watcher` every `interval` (at once while there is more) until `shutdown`; a poll
/// under way finishes (its commit) first.
pub async fn run(
    mut watcher: Watcher,
    interval: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    tokio::pin!(shutdown);
    tracing::info!(path = %watcher.path(), ?interval, "ingest: watching");
    let mut last_error: Option<String> = None;
    loop {
        let polled = tokio::task::spawn_blocking(move || {
            let result = watcher.poll();
            (watcher, result)
        })
        .await;
        let result;
        (watcher, result) = match polled {
            Ok(pair) => pair,
            Err(e) => {
                tracing::error!(error = %e, "ingest: a watcher failed and stopped");
                return;
            }
        };
        let wait = match result {
            Ok(polled) => {
                if last_error.take().is_some() {
                    tracing::info!(path = %watcher.path(), "ingest: watched file readable again");
                }
                if polled == Polled::More {
                    Duration::ZERO
                } else {
                    interval
                }
            }
            Err(e) => {
                let text = e.to_string();
                if last_error.as_deref() != Some(text.as_str()) {
                    tracing::warn!(error = %text, "ingest: cannot read the watched file; trying again");
                    last_error = Some(text);
                }
                // The position moves only after a commit, so the next poll retries the same
                // piece, through the same open handle.
                interval
            }
        };
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
    tracing::debug!(path = %watcher.path(), "ingest: watcher stopped");
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn append(path: &Path, bytes: &[u8]) {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(bytes).unwrap();
    }

    /// Steps the tail as a watcher does, committing everything; returns what was read.
    fn drain(tail: &mut Tail, stored: &mut Option<WatchState>) -> (Vec<u8>, Vec<SwitchReason>) {
        let mut read = Vec::new();
        let mut switches = Vec::new();
        tail.next_poll();
        for _ in 0..100 {
            let from = if tail.is_attached() {
                None
            } else {
                stored.clone()
            };
            match tail.step(from.as_ref()).unwrap() {
                Step::Idle | Step::Missing => return (read, switches),
                Step::Lines(chunk) => {
                    read.extend_from_slice(&chunk.bytes);
                    *stored = Some(chunk.state.clone());
                    tail.commit_lines(&chunk);
                }
                Step::Switch(sw) => {
                    switches.push(sw.reason);
                    *stored = Some(sw.state.clone());
                    tail.commit_switch(sw);
                }
            }
        }
        panic!("the tail does not settle");
    }

    /// `polls` polls of [`drain`].
    fn drain_polls(
        tail: &mut Tail,
        stored: &mut Option<WatchState>,
        polls: usize,
    ) -> (Vec<u8>, Vec<SwitchReason>) {
        let mut all = (Vec::new(), Vec::new());
        for _ in 0..polls {
            let (read, switches) = drain(tail, stored);
            all.0.extend(read);
            all.1.extend(switches);
        }
        all
    }

    #[test]
    fn only_whole_lines_are_taken_and_a_partial_line_waits_for_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        let mut tail = Tail::new(&path);
        let mut stored = None;
        assert!(matches!(tail.step(None).unwrap(), Step::Missing));

        append(&path, b"a,1\nb,2\nc,");
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(sw, [SwitchReason::Start]);
        assert_eq!(read, b"a,1\nb,2\n");
        let s = stored.clone().unwrap();
        assert_eq!((s.offset, s.lines), (8, 2));

        // Several polls with the line unfinished take nothing, however long it stays so.
        for _ in 0..3 {
            tail.next_poll();
            assert!(matches!(tail.step(None).unwrap(), Step::Idle));
        }
        append(&path, b"3\nd,4\n");
        match tail.step(None).unwrap() {
            Step::Lines(chunk) => {
                assert_eq!(chunk.bytes, b"c,3\nd,4\n");
                assert_eq!(chunk.first_line, 3);
                assert_eq!(chunk.lines, 2);
                assert!(!chunk.from_start);
                assert_eq!((chunk.state.offset, chunk.state.lines), (16, 4));
                assert!(!chunk.more);
                tail.commit_lines(&chunk);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(tail.step(None).unwrap(), Step::Idle));
    }

    #[test]
    fn an_uncommitted_piece_is_offered_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        append(&path, b"a\nb\n");
        let mut tail = Tail::new(&path);
        let Step::Switch(sw) = tail.step(None).unwrap() else {
            panic!()
        };
        tail.commit_switch(sw);
        let Step::Lines(first) = tail.step(None).unwrap() else {
            panic!()
        };
        // The store failed: no commit. The same piece comes again.
        let Step::Lines(again) = tail.step(None).unwrap() else {
            panic!()
        };
        assert_eq!(first, again);
    }

    #[test]
    fn a_restart_resumes_at_the_stored_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        append(&path, b"a\nb\n");
        let mut stored = None;
        let (read, _) = drain(&mut Tail::new(&path), &mut stored);
        assert_eq!(read, b"a\nb\n");
        append(&path, b"c\n");

        let mut tail = Tail::new(&path);
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(sw, [SwitchReason::Resume]);
        assert_eq!(read, b"c\n");
        assert_eq!(stored.unwrap().lines, 3);
    }

    #[test]
    fn a_rotated_file_is_read_to_its_end_before_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        let rotated = dir.path().join("Master.csv.1");
        append(&path, b"a\n");
        let mut tail = Tail::new(&path);
        let mut stored = None;
        assert_eq!(drain(&mut tail, &mut stored).0, b"a\n");

        // The switch appends more, then logrotate renames; the switch writes to the new file.
        append(&path, b"b\nc");
        fs::rename(&path, &rotated).unwrap();
        append(&path, b"x\ny\n");
        let old_id = FileId::of_state(stored.as_ref().unwrap());

        // The old file's unfinished last line is waited for once...
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(read, b"b\n");
        assert!(sw.is_empty());
        // ...and a writer still holding the old file finishes it, and writes once more
        // before it reopens the path.
        append(&rotated, b"2\n");
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(read, b"c2\n");
        assert!(
            sw.is_empty(),
            "the old file is left once it stopped growing"
        );
        append(&rotated, b"late\n");
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(read, b"late\n");
        assert!(sw.is_empty());
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(read, b"x\ny\n");
        assert_eq!(sw, [SwitchReason::Rotated]);
        let s = stored.unwrap();
        assert_ne!(FileId::of_state(&s), old_id);
        assert_eq!((s.offset, s.lines), (4, 2), "the new file's own position");
    }

    #[test]
    fn the_last_line_of_a_rotated_file_that_stopped_growing_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        append(&path, b"a\n");
        let mut tail = Tail::new(&path);
        let mut stored = None;
        drain(&mut tail, &mut stored);
        append(&path, b"b");
        fs::rename(&path, dir.path().join("old.csv")).unwrap();
        append(&path, b"n\n");
        assert_eq!(
            drain(&mut tail, &mut stored).0,
            b"",
            "first look: maybe still written"
        );
        assert_eq!(
            drain(&mut tail, &mut stored).0,
            b"b",
            "b is whole once the old file stopped growing"
        );
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(read, b"n\n");
        assert_eq!(sw, [SwitchReason::Rotated]);
    }

    #[test]
    fn a_renamed_file_with_no_successor_yet_is_still_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        append(&path, b"a\n");
        let mut tail = Tail::new(&path);
        let mut stored = None;
        drain(&mut tail, &mut stored);
        let old = dir.path().join("Master.csv.1");
        fs::rename(&path, &old).unwrap();
        append(&old, b"b\n");
        assert_eq!(drain(&mut tail, &mut stored).0, b"b\n");
        append(&path, b"c\n");
        let (read, sw) = drain_polls(&mut tail, &mut stored, 2);
        assert_eq!(read, b"c\n");
        assert_eq!(sw, [SwitchReason::Rotated]);
    }

    #[test]
    fn after_a_restart_a_rotated_file_is_found_beside_the_path_and_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        append(&path, b"a\n");
        let mut stored = None;
        drain(&mut Tail::new(&path), &mut stored);
        // While the daemon was down: more lines, a rotation, and lines in the new file.
        append(&path, b"b\n");
        fs::rename(&path, dir.path().join("Master.csv.1")).unwrap();
        append(&path, b"c\n");

        let mut tail = Tail::new(&path);
        let (read, sw) = drain_polls(&mut tail, &mut stored, 2);
        assert_eq!(read, b"b\nc\n");
        assert_eq!(
            sw,
            [SwitchReason::ResumeRotated, SwitchReason::Rotated],
            "old file finished, then the new one"
        );
    }

    #[test]
    fn after_a_restart_a_vanished_file_is_reported_and_the_new_one_read_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        append(&path, b"a\n");
        let mut stored = None;
        drain(&mut Tail::new(&path), &mut stored);
        let gone = dir.path().join("elsewhere");
        fs::create_dir(&gone).unwrap();
        fs::rename(&path, gone.join("Master.csv")).unwrap();
        append(&path, b"n\n");
        let (read, sw) = drain(&mut Tail::new(&path), &mut stored);
        assert_eq!(read, b"n\n");
        assert_eq!(sw, [SwitchReason::Lost]);
    }

    #[test]
    fn a_truncated_file_is_read_again_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        append(&path, b"aaaa\nbbbb\n");
        let mut tail = Tail::new(&path);
        let mut stored = None;
        drain(&mut tail, &mut stored);
        // copytruncate: the same inode, emptied, then written again.
        fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        append(&path, b"c\n");
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(sw, [SwitchReason::Truncated]);
        assert_eq!(read, b"c\n");
        let s = stored.clone().unwrap();
        assert_eq!((s.offset, s.lines), (2, 1));

        // Truncated while the daemon was down: found on resume too.
        fs::write(&path, b"").unwrap();
        let mut tail = Tail::new(&path);
        let (read, sw) = drain(&mut tail, &mut stored);
        assert_eq!(sw, [SwitchReason::Resume, SwitchReason::Truncated]);
        assert_eq!(read, b"");
        assert_eq!(stored.unwrap().offset, 0);
    }

    #[test]
    fn a_large_backlog_is_read_in_bounded_pieces_at_line_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        let line = format!("{}\n", "x".repeat(99));
        let count = (MAX_CHUNK * 5 / 2) / line.len() + 7;
        append(&path, line.repeat(count).as_bytes());
        let mut tail = Tail::new(&path);
        let Step::Switch(sw) = tail.step(None).unwrap() else {
            panic!()
        };
        tail.commit_switch(sw);
        let mut pieces = Vec::new();
        while let Step::Lines(chunk) = tail.step(None).unwrap() {
            assert!(chunk.bytes.len() <= MAX_CHUNK);
            assert!(chunk.bytes.ends_with(b"\n"));
            pieces.push((chunk.first_line, chunk.lines, chunk.more));
            tail.commit_lines(&chunk);
        }
        assert_eq!(pieces.len(), 3, "{pieces:?}");
        assert!(pieces[0].2 && pieces[1].2 && !pieces[2].2, "{pieces:?}");
        assert_eq!(pieces[1].0, pieces[0].1 + 1);
        let total: u64 = pieces.iter().map(|p| p.1).sum();
        assert_eq!(total, count as u64);
        assert_eq!(tail.position().unwrap().offset, (line.len() * count) as u64);
    }

    #[test]
    fn the_first_record_is_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls.csv");
        append(&path, b"id,to\r\n1,44\n");
        let mut tail = Tail::new(&path);
        assert_eq!(tail.first_record().unwrap(), None, "no file open");
        let Step::Switch(sw) = tail.step(None).unwrap() else {
            panic!()
        };
        tail.commit_switch(sw);
        assert_eq!(tail.first_record().unwrap().as_deref(), Some(&b"id,to"[..]));
    }

    fn watcher(dir: &Path, file: &Path, format: Format, mapping: Option<&str>) -> Watcher {
        let store = crate::store::Store::open(&dir.join("portico.redb")).unwrap();
        let config = WatchConfig {
            path: file.to_path_buf(),
            format,
            time_zone: jiff::tz::TimeZone::UTC,
            poll: Duration::from_millis(10),
            mapping: mapping.map(|m| m.parse().unwrap()),
        };
        Watcher::new(Ingest::new(store), &config)
    }

    fn stored_ids(w: &Watcher) -> Vec<String> {
        let mut ids: Vec<String> = w
            .ingest
            .store()
            .read(|tx| tx.cdrs_of(crate::store::cdr::UNASSIGNED))
            .unwrap()
            .into_iter()
            .map(|(_, c)| c.call_id)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn a_watcher_stores_cdrs_and_position_together_and_a_new_one_resumes_there() {
        const WHOLE: &str =
            "id,to,at,secs\ng-1,4420,2026-03-01 10:00:00,30\ng-2,4421,2026-03-01 10:01:00,0\n";
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("calls.csv");
        append(&csv, format!("{WHOLE}g-3,44").as_bytes());
        let mut w = watcher(
            dir.path(),
            &csv,
            Format::GenericCsv,
            Some("call_id=id,destination=to,start=at,billsec=secs"),
        );
        assert_eq!(w.poll().unwrap(), Polled::Idle);
        assert_eq!(stored_ids(&w), ["g-1", "g-2"]);
        let key = csv.to_str().unwrap().to_string();
        let pos = w
            .ingest
            .store()
            .read(|tx| tx.watch_state(&key))
            .unwrap()
            .unwrap();
        assert_eq!((pos.offset, pos.lines), (WHOLE.len() as u64, 3));
        assert_eq!(w.tail.position(), Some(pos));

        // A restart: a new watcher on the same store reads the header again from the file's
        // start, and goes on after line 3.
        append(&csv, b"22,2026-03-01 10:02:00,5\nnot,a,cdr,here\n");
        let ingest = w.ingest.clone();
        drop(w);
        let mut w = Watcher::new(
            ingest,
            &WatchConfig {
                path: csv.clone(),
                format: Format::GenericCsv,
                time_zone: jiff::tz::TimeZone::UTC,
                poll: Duration::from_millis(10),
                mapping: Some(
                    "call_id=id,destination=to,start=at,billsec=secs"
                        .parse()
                        .unwrap(),
                ),
            },
        );
        assert_eq!(w.poll().unwrap(), Polled::Idle);
        assert_eq!(stored_ids(&w), ["g-1", "g-2", "g-3"]);
        let q = w.ingest.store().read(|tx| tx.quarantined(10)).unwrap();
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!((q[0].source.as_str(), q[0].line), (key.as_str(), 5));
        let pos = w
            .ingest
            .store()
            .read(|tx| tx.watch_state(&key))
            .unwrap()
            .unwrap();
        assert_eq!(pos.offset, fs::metadata(&csv).unwrap().len());
        assert_eq!(pos.lines, 5);
    }

    #[test]
    fn a_quoted_line_end_does_not_split_a_record_and_a_stray_quote_does_not_stall() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Master.csv");
        let mut tail = Tail::new(&path);
        let mut stored = None;
        // A record whose quoted field holds a line end, still being written.
        append(&path, b"\"a\",\"1\"\n\"b\",\"two\nlines");
        assert_eq!(drain(&mut tail, &mut stored).0, b"\"a\",\"1\"\n");
        append(&path, b"\"\n");
        assert_eq!(drain(&mut tail, &mut stored).0, b"\"b\",\"two\nlines\"\n");
        // A stray quote: everything after it looks quoted. Once the file stopped growing
        // there, reading goes on at line ends.
        append(&path, b"c,\"bad\nd,4\n");
        assert_eq!(
            drain(&mut tail, &mut stored).0,
            b"",
            "first look: maybe still written"
        );
        assert_eq!(drain(&mut tail, &mut stored).0, b"c,\"bad\nd,4\n");
        assert_eq!(stored.unwrap().lines, 5);
    }

    #[test]
    fn cut_points() {
        // Whole lines only, while the file may grow.
        assert_eq!(cut_point(b"a\nb", false, false, false), 2);
        assert_eq!(cut_point(b"a\nb", false, false, true), 2);
        // A rotated file that stopped growing is taken whole.
        assert_eq!(cut_point(b"a\nb", false, true, false), 2);
        assert_eq!(cut_point(b"a\nb", false, true, true), 3);
        // A megabytes-long "line" does not stop reading.
        assert_eq!(cut_point(b"abc", true, false, false), 3);
        assert_eq!(cut_point(b"a\nbc", true, false, false), 2);
        assert_eq!(cut_point(b"", false, false, false), 0);
    }
}
