//! `portico cdr ...`: importing CDR files chunk by chunk, listing CDRs page by page, the
//! unassigned CDRs, the quarantine and the ingest counters.

use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use portico_protocol::{
    Blob, Cdr, CdrImportChunk, CdrPage, CdrQuery, ImportReport, IngestStatus, QuarantineEntry,
    UnassignedGroup,
};
use serde::Serialize;

use super::Session;
use crate::cli::args::{CdrCommand, CdrImportArgs, CdrListArgs};
use crate::cli::chunker::Chunker;
use crate::cli::connect::{Connection, Wait};
use crate::cli::csv::Csv;
use crate::cli::error::{CliError, io_reason};
use crate::cli::output::{
    self, Align, Fields, Format, Table, amount_column, clean, rfc3339, table_or, time, utc,
};
use crate::cli::values;

/// Bytes of a line format sent in one call (whole lines, so a little less). Bigger chunks let
/// the daemon's rollup updates cover more CDRs per transaction (16 MiB ingests about a quarter
/// faster than 8 MiB); base64 on the wire keeps 16 MiB well inside the 32 MiB frame limit.
pub const CHUNK_BYTES: usize = 16 << 20;

/// Largest `freeswitch-json` file: it is one document, sent whole in one call.
pub const MAX_DOCUMENT_BYTES: u64 = 16 << 20;

/// Quarantined lines the import report lists; `portico cdr quarantine` shows them all.
const SHOWN_QUARANTINED: usize = 20;

/// Page size of `cdr list` by default, and with `--all`.
const PAGE: u32 = 100;
const PAGE_ALL: u32 = 1_000;

/// Runs one `cdr` subcommand.
pub async fn run(session: &Session, command: CdrCommand) -> Result<String, CliError> {
    let format = session.format;
    match command {
        CdrCommand::Import(args) => {
            let progress = format == Format::Human && std::io::stderr().is_terminal();
            import(session, args, CHUNK_BYTES, progress).await
        }
        CdrCommand::List(args) => {
            let csv = if std::io::stdout().is_terminal() {
                Csv::Terminal
            } else {
                Csv::Exact
            };
            let mut out = std::io::BufWriter::new(std::io::stdout());
            list(session, args, &mut out, &mut std::io::stderr(), csv).await?;
            Ok(String::new())
        }
        CdrCommand::Unassigned => {
            let conn = session.connect().await?;
            let groups = conn
                .call("cdr_unassigned", |ctx| conn.admin().cdr_unassigned(ctx))
                .await?;
            format.render(&groups, render_unassigned)
        }
        CdrCommand::Assign {
            account_code,
            customer_id,
        } => {
            let conn = session.connect().await?;
            let code = account_code.clone();
            let assigned = conn
                .call_waiting("cdr_assign", Wait::Long, |ctx| {
                    conn.admin().cdr_assign(ctx, code, customer_id)
                })
                .await?;
            let result = Assigned {
                account_code,
                customer_id,
                assigned,
            };
            format.render(&result, render_assigned)
        }
        CdrCommand::Quarantine { limit } => {
            let conn = session.connect().await?;
            let entries = conn
                .call("quarantine_list", |ctx| {
                    conn.admin().quarantine_list(ctx, limit)
                })
                .await?;
            format.render(&entries, render_quarantine)
        }
        CdrCommand::Status => {
            let conn = session.connect().await?;
            let status = conn
                .call("ingest_status", |ctx| conn.admin().ingest_status(ctx))
                .await?;
            format.render(&status, render_status)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// import

/// One FILE argument, checked before anything is sent.
#[derive(Debug)]
struct Input {
    /// As given; `-` is stdin.
    path: PathBuf,
    /// How messages name it.
    shown: String,
    /// The `source` sent with its chunks.
    source: String,
    /// Its size when known (not for stdin).
    size: Option<u64>,
}

impl Input {
    fn is_stdin(&self) -> bool {
        self.path == Path::new("-")
    }

    fn open(&self) -> Result<Box<dyn Read>, CliError> {
        if self.is_stdin() {
            Ok(Box::new(std::io::stdin()))
        } else {
            let file = File::open(&self.path).map_err(|e| CliError::read(&self.path, &e))?;
            Ok(Box::new(file))
        }
    }
}

/// What has been imported so far.
#[derive(Debug, Default)]
struct Progress {
    /// Files imported completely.
    files: u64,
    /// The summed reports.
    report: ImportReport,
}

impl Progress {
    fn add(&mut self, r: ImportReport) {
        let sum = &mut self.report;
        sum.lines += r.lines;
        sum.imported += r.imported;
        sum.duplicates += r.duplicates;
        sum.unassigned += r.unassigned;
        sum.unrated += r.unrated;
        sum.quarantined.extend(r.quarantined);
    }

    /// The error for an import that stopped at `input` after its lines up to `committed`
    /// (0: none of it): what failed, what is stored, and that running it again is safe.
    fn stopped(&self, input: &Input, committed: u64, what: String) -> CliError {
        let mut stored = Vec::new();
        match self.files {
            0 => {}
            1 => stored.push("the file before it".to_string()),
            n => stored.push(format!("the {n} files before it")),
        }
        match committed {
            0 => {}
            1 => stored.push(format!("line 1 of {}", input.shown)),
            n => stored.push(format!("lines 1-{n} of {}", input.shown)),
        }
        let singular = stored.len() == 1 && (self.files == 1 || committed == 1);
        let stored = match stored.len() {
            0 => "nothing was imported".to_string(),
            _ if singular => format!("{} was imported", stored.join(" and ")),
            _ => format!("{} were imported", stored.join(" and ")),
        };
        CliError::new(format!(
            "{what}; {stored}. Each chunk is committed on its own and CDRs are deduplicated, so \
             running the same import again is safe"
        ))
    }
}

/// Imports every file in chunks of about `chunk_bytes`, with a progress bar when `progress`.
async fn import(
    session: &Session,
    args: CdrImportArgs,
    chunk_bytes: usize,
    progress: bool,
) -> Result<String, CliError> {
    let json = args.format == "freeswitch-json";
    if args.mapping.is_some() && args.format != "generic-csv" {
        return Err(CliError::flag(
            "--mapping",
            "only generic-csv files have a header row to map; leave --mapping out or use \
             --format generic-csv",
        ));
    }
    if args.source.is_some() && args.files.len() > 1 {
        return Err(CliError::flag(
            "--source",
            "names the lines of one file; give one FILE, or leave --source out to name each \
             file by its path",
        ));
    }
    if args.files.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err(CliError::new("FILE: \"-\" (stdin) can be given only once"));
    }
    let inputs = args
        .files
        .iter()
        .map(|path| check_input(path, args.source.as_deref(), json))
        .collect::<Result<Vec<_>, _>>()?;

    let conn = session.connect().await?;
    let total = inputs.iter().map(|i| i.size).sum::<Option<u64>>();
    let bar = progress_bar(progress, total);
    let mut done = Progress::default();
    for input in &inputs {
        bar.set_message(clean(&input.shown).into_owned());
        let result = if json {
            import_document(&conn, &args, input, &bar, &mut done).await
        } else {
            import_lines(&conn, &args, input, chunk_bytes, &bar, &mut done).await
        };
        if let Err(e) = result {
            bar.abandon();
            return Err(e);
        }
        done.files += 1;
    }
    bar.finish_and_clear();
    let files = done.files;
    session
        .format
        .render(&done.report, |r| render_import(files, r))
}

/// Checks that a FILE can be read, and names it.
fn check_input(path: &Path, source: Option<&str>, json: bool) -> Result<Input, CliError> {
    let shown = if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    };
    let default_source = || {
        if path == Path::new("-") {
            "stdin".to_string()
        } else {
            // The daemon keeps the source with quarantined lines: a full path still says
            // which file it was when read later, from elsewhere.
            std::path::absolute(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
                .to_string()
        }
    };
    let source = source.map_or_else(default_source, str::to_string);
    let size = if path == Path::new("-") {
        None
    } else {
        let meta = std::fs::metadata(path).map_err(|e| CliError::read(path, &e))?;
        if meta.is_dir() {
            return Err(CliError::new(format!(
                "{shown} is a directory; give the files in it (e.g. {shown}/*.json)"
            )));
        }
        if json && meta.len() > MAX_DOCUMENT_BYTES {
            return Err(CliError::new(format!(
                "{shown} is {} MiB; a freeswitch-json file is one mod_json_cdr document, sent \
                 whole, and may be at most {} MiB",
                meta.len() >> 20,
                MAX_DOCUMENT_BYTES >> 20
            )));
        }
        Some(meta.len())
    };
    Ok(Input {
        path: path.to_path_buf(),
        shown,
        source,
        size,
    })
}

/// Sends a line format in chunks of whole lines, the generic CSV header with every chunk
/// after the first. Two chunks are in flight at once: the daemon parses and prices one while
/// the other commits, which keeps both of a small server's cores busy.
async fn import_lines(
    conn: &Connection,
    args: &CdrImportArgs,
    input: &Input,
    chunk_bytes: usize,
    bar: &ProgressBar,
    done: &mut Progress,
) -> Result<(), CliError> {
    let mut chunks = Chunker::new(input.open()?, chunk_bytes);
    let mut answers = Answers {
        conn,
        input,
        generic: args.format == "generic-csv",
        bar,
        done,
        header: None,
        committed: 0,
    };
    let mut in_flight: Option<Sent> = None;
    loop {
        let chunk = match chunks.next_chunk() {
            Ok(chunk) => chunk,
            Err(e) => {
                let what = format!(
                    "cannot read {} after line {}: {}",
                    input.shown,
                    answers.committed,
                    io_reason(&e)
                );
                if let Some(sent) = in_flight.take() {
                    answers.finish(sent).await?;
                }
                return Err(answers.stopped(what));
            }
        };
        let Some(chunk) = chunk else {
            if let Some(sent) = in_flight.take() {
                answers.finish(sent).await?;
            }
            return Ok(());
        };
        // The first chunk of a generic CSV must come back (with its header row) before the
        // next can be sent; otherwise one chunk may wait while the next is sent.
        if let Some(sent) = in_flight.take() {
            if answers.generic && answers.header.is_none() {
                answers.finish(sent).await?;
            } else {
                in_flight = Some(sent);
            }
        }
        if answers.generic && answers.committed > 0 && answers.header.is_none() {
            let what = format!(
                "{}: porticod did not return the header row of the first chunk, which the \
                 chunks from line {} on need",
                input.shown, chunk.first_line
            );
            return Err(answers.stopped(what));
        }
        let (first, last, bytes) = (chunk.first_line, chunk.last_line, chunk.data.len() as u64);
        let request = CdrImportChunk {
            format: args.format.clone(),
            source: input.source.clone(),
            first_line: first,
            header: answers.header.clone(),
            data: Blob(chunk.data),
            time_zone: args.time_zone.clone(),
            mapping: args.mapping.clone(),
        };
        let next = send(conn, request, first, last, bytes);
        if let Some(older) = in_flight.take() {
            answers.finish(older).await?;
        }
        in_flight = Some(next);
    }
}

/// A chunk sent to the daemon, its answer pending.
struct Sent {
    answer: tokio::task::JoinHandle<
        Result<
            portico_protocol::AdminResult<portico_protocol::ImportReport>,
            tarpc::client::RpcError,
        >,
    >,
    first: u64,
    last: u64,
    bytes: u64,
}

fn send(conn: &Connection, request: CdrImportChunk, first: u64, last: u64, bytes: u64) -> Sent {
    let client = conn.admin().clone();
    let ctx = crate::cli::connect::deadline(Wait::Long);
    Sent {
        answer: tokio::spawn(async move { client.cdr_import(ctx, request).await }),
        first,
        last,
        bytes,
    }
}

/// What one file's import has been answered so far.
struct Answers<'a> {
    conn: &'a Connection,
    input: &'a Input,
    generic: bool,
    bar: &'a ProgressBar,
    done: &'a mut Progress,
    /// The generic CSV header row, once the daemon returned it.
    header: Option<String>,
    /// The last line of the file known to be committed.
    committed: u64,
}

impl Answers<'_> {
    /// Waits for a sent chunk's answer and counts it.
    async fn finish(&mut self, sent: Sent) -> Result<(), CliError> {
        let (first, last) = (sent.first, sent.last);
        let answer = self
            .conn
            .call_waiting("cdr_import", Wait::Long, |_| async move {
                sent.answer
                    .await
                    .unwrap_or(Err(tarpc::client::RpcError::Shutdown))
            })
            .await;
        let report = match answer {
            Ok(report) => report,
            Err(e) => {
                let what = if first == last {
                    format!("{}: line {first} was not imported: {e}", self.input.shown)
                } else {
                    format!(
                        "{}: lines {first}-{last} were not imported: {e}",
                        self.input.shown
                    )
                };
                return Err(self.stopped(what));
            }
        };
        if self.generic && self.header.is_none() {
            self.header.clone_from(&report.header);
        }
        self.done.add(report);
        self.bar.inc(sent.bytes);
        self.committed = self.committed.max(last);
        Ok(())
    }

    /// The error that stops this file's import, saying what was committed.
    fn stopped(&mut self, what: String) -> CliError {
        self.done.stopped(self.input, self.committed, what)
    }
}

async fn import_document(
    conn: &Connection,
    args: &CdrImportArgs,
    input: &Input,
    bar: &ProgressBar,
    done: &mut Progress,
) -> Result<(), CliError> {
    let mut data = Vec::new();
    input
        .open()?
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| CliError::read(Path::new(&input.shown), &e))?;
    if data.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(done.stopped(
            input,
            0,
            format!(
                "{} holds more than {} MiB; a freeswitch-json input is one document",
                input.shown,
                MAX_DOCUMENT_BYTES >> 20
            ),
        ));
    }
    let bytes = data.len() as u64;
    let request = CdrImportChunk {
        format: args.format.clone(),
        source: input.source.clone(),
        first_line: 1,
        header: None,
        data: Blob(data),
        time_zone: args.time_zone.clone(),
        mapping: None,
    };
    let report = conn
        .call_waiting("cdr_import", Wait::Long, |ctx| {
            conn.admin().cdr_import(ctx, request)
        })
        .await
        .map_err(|e| done.stopped(input, 0, format!("{}: not imported: {e}", input.shown)))?;
    done.add(report);
    bar.inc(bytes);
    Ok(())
}

/// Bytes sent of the total, with the rate, on stderr; hidden when not wanted.
fn progress_bar(show: bool, total: Option<u64>) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let template = match total {
        Some(_) => {
            "{spinner} {elapsed_precise} [{wide_bar}] {binary_bytes}/{binary_total_bytes} \
             {binary_bytes_per_sec} eta {eta} {msg}"
        }
        None => "{spinner} {elapsed_precise} {binary_bytes} {binary_bytes_per_sec} {msg}",
    };
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr()).with_style(style);
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

fn render_import(files: u64, r: &ImportReport) -> String {
    let mut f = Fields::new();
    f.add("files", files.to_string())
        .add("lines", r.lines.to_string())
        .add("imported", r.imported.to_string())
        .add("duplicates", r.duplicates.to_string())
        .add(
            "unassigned",
            if r.unassigned > 0 {
                format!("{} (portico cdr unassigned)", r.unassigned)
            } else {
                "0".to_string()
            },
        )
        .add("unrated", r.unrated.to_string())
        .add("quarantined", r.quarantined.len().to_string());
    let mut out = f.render();
    if !r.quarantined.is_empty() {
        out.push_str("\nquarantined lines:\n");
        for q in r.quarantined.iter().take(SHOWN_QUARANTINED) {
            out.push_str(&format!("  {}: {}\n", clean(&place(q)), clean(&q.reason)));
        }
        let more = r.quarantined.len().saturating_sub(SHOWN_QUARANTINED);
        if more > 0 {
            out.push_str(&format!("  ... and {more} more (portico cdr quarantine)\n"));
        }
    }
    out
}

/// `FILE:LINE`, or `FILE` for a document (line 0).
fn place(q: &QuarantineEntry) -> String {
    if q.line == 0 {
        q.source.clone()
    } else {
        format!("{}:{}", q.source, q.line)
    }
}

// ---------------------------------------------------------------------------------------------
// list

/// Writes what `cdr list` prints as it goes; a reader that went away (`| head`) ends the
/// listing quietly.
struct Sink<'a, W: Write> {
    out: &'a mut W,
    closed: bool,
}

impl<W: Write> Sink<'_, W> {
    fn write(&mut self, text: &str) -> Result<(), CliError> {
        if self.closed {
            return Ok(());
        }
        match self
            .out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
        {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(CliError::new(format!(
                "cannot write the output: {}",
                io_reason(&e)
            ))),
        }
    }
}

/// `CUSTOMER_ID` or `unassigned`.
fn customer_arg(text: &str) -> Result<Option<u64>, CliError> {
    if text.eq_ignore_ascii_case("unassigned") {
        return Ok(None);
    }
    text.trim().parse().map(Some).map_err(|_| {
        CliError::flag(
            "CUSTOMER_ID",
            format!("\"{text}\" is neither a customer id nor `unassigned`"),
        )
    })
}

/// How pages are printed.
enum Pages {
    Human {
        unassigned: bool,
        widths: Vec<usize>,
        rows: u64,
        unrated: bool,
    },
    Json {
        all: bool,
        rows: u64,
    },
    Csv(Csv),
}

/// Lists CDRs to `out` page by page (following the cursors with `--all`); the hint for the
/// next page of CSV goes to `hints`, so that stdout stays CSV.
async fn list<W: Write, E: Write>(
    session: &Session,
    args: CdrListArgs,
    out: &mut W,
    hints: &mut E,
    csv: Csv,
) -> Result<(), CliError> {
    let customer_id = customer_arg(&args.customer)?;
    let (from, to) = values::date_range(args.from.as_deref(), args.to.as_deref())?;
    let after = args
        .after
        .as_deref()
        .map(|text| values::cursor("--after", text))
        .transpose()?;
    if args.csv && session.format == Format::Json {
        return Err(CliError::new("--csv and --json: choose one"));
    }
    let mut query = CdrQuery {
        customer_id,
        from,
        to,
        connected_only: args.connected,
        search: args
            .search
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        limit: args.limit.unwrap_or(if args.all { PAGE_ALL } else { PAGE }),
        after,
    };
    let mut pages = if args.csv {
        Pages::Csv(csv)
    } else if session.format == Format::Json {
        Pages::Json {
            all: args.all,
            rows: 0,
        }
    } else {
        Pages::Human {
            unassigned: customer_id.is_none(),
            widths: Vec::new(),
            rows: 0,
            unrated: false,
        }
    };
    let mut sink = Sink { out, closed: false };

    let conn = session.connect().await?;
    let mut first = true;
    loop {
        let page = conn
            .call("cdr_list", |ctx| conn.admin().cdr_list(ctx, query.clone()))
            .await?;
        sink.write(&pages.page(&page, first)?)?;
        first = false;
        match page.next {
            Some(next) if args.all && !sink.closed => {
                if query.after == Some(next) || page.cdrs.is_empty() {
                    return Err(CliError::new(format!(
                        "porticod returned the cursor {} again; stopped following it",
                        values::cursor_text(&next)
                    )));
                }
                query.after = Some(next);
            }
            next => {
                let (text, hint) = pages.end(next.map(|c| values::cursor_text(&c)), customer_id);
                sink.write(&text)?;
                if !hint.is_empty() {
                    let _ = hints.write_all(hint.as_bytes());
                }
                return Ok(());
            }
        }
    }
}

impl Pages {
    /// What one page prints.
    fn page(&mut self, page: &CdrPage, first: bool) -> Result<String, CliError> {
        match self {
            Pages::Json { all: false, .. } => output::json(page),
            Pages::Json { all: true, rows } => {
                let mut text = String::new();
                for cdr in &page.cdrs {
                    text.push_str(if *rows == 0 {
                        "{\n  \"cdrs\": [\n"
                    } else {
                        ",\n"
                    });
                    let one = output::json(cdr)?;
                    let lines: Vec<String> =
                        one.trim_end().lines().map(|l| format!("    {l}")).collect();
                    text.push_str(&lines.join("\n"));
                    *rows += 1;
                }
                Ok(text)
            }
            Pages::Csv(csv) => {
                let mut text = String::new();
                if first {
                    text.push_str(&csv.record(CDR_CSV_COLUMNS));
                }
                for cdr in &page.cdrs {
                    text.push_str(&csv.record(&cdr_csv_values(cdr)));
                }
                Ok(text)
            }
            Pages::Human {
                unassigned,
                widths,
                rows,
                unrated,
            } => {
                if page.cdrs.is_empty() {
                    return Ok(String::new());
                }
                let table = cdr_table(&page.cdrs, *unassigned);
                let text = table.render_continued("", widths, *rows == 0);
                *rows += page.cdrs.len() as u64;
                *unrated |= page.cdrs.iter().any(|c| !c.rated);
                Ok(text)
            }
        }
    }

    /// What ends the listing on stdout, and the hint for stderr.
    fn end(&self, next: Option<String>, customer_id: Option<u64>) -> (String, String) {
        let more = next.map(|c| format!("more: --after {c}\n"));
        match self {
            Pages::Json { all: false, .. } => (String::new(), String::new()),
            Pages::Json { all: true, rows: 0 } => (
                "{\n  \"cdrs\": [],\n  \"next\": null\n}\n".into(),
                String::new(),
            ),
            Pages::Json { all: true, .. } => {
                ("\n  ],\n  \"next\": null\n}\n".into(), String::new())
            }
            Pages::Csv(_) => (String::new(), more.unwrap_or_default()),
            Pages::Human { rows, unrated, .. } => {
                let mut text = String::new();
                if *rows == 0 {
                    text.push_str(&match customer_id {
                        Some(id) => format!("no CDRs of customer {id} match\n"),
                        None => "no unassigned CDRs match\n".to_string(),
                    });
                }
                if *unrated {
                    text.push_str("* no rate matched: stored without a charge\n");
                }
                text.push_str(&more.unwrap_or_default());
                (text, String::new())
            }
        }
    }
}

/// A page of CDRs as a table; unassigned CDRs show their account code.
fn cdr_table(cdrs: &[Cdr], unassigned: bool) -> Table {
    let mut headers = vec![("CALL_TIME_UTC", Align::Left)];
    if unassigned {
        headers.push(("ACCOUNT_CODE", Align::Left));
    }
    headers.extend([
        ("SOURCE", Align::Left),
        ("DESTINATION", Align::Left),
        ("DESTINATION_NAME", Align::Left),
        ("DURATION", Align::Right),
        ("BILLED", Align::Right),
        ("RATE", Align::Right),
        ("CHARGE", Align::Right),
        ("RELEASE_REASON", Align::Left),
        ("", Align::Left),
    ]);
    let rates = amount_column(&cdrs.iter().map(|c| c.rate).collect::<Vec<_>>());
    let charges = amount_column(&cdrs.iter().map(|c| Some(c.charge)).collect::<Vec<_>>());
    let mut t = Table::new(&headers);
    for ((c, rate), charge) in cdrs.iter().zip(rates).zip(charges) {
        let mut row = vec![utc(c.call_time)];
        if unassigned {
            row.push(c.account_code.to_string());
        }
        row.extend([
            c.source_number.to_string(),
            c.destination.to_string(),
            c.destination_name.to_string(),
            c.duration.to_string(),
            c.billed_duration.to_string(),
            rate,
            charge,
            c.release_reason.to_string(),
            if c.rated { "" } else { "*" }.to_string(),
        ]);
        t.row(row);
    }
    t
}

/// The CSV columns of `cdr list --csv`: every field of the protocol's `Cdr`, in its order.
pub const CDR_CSV_COLUMNS: &[&str] = &[
    "call_id",
    "leg",
    "customer_id",
    "account_code",
    "source_number",
    "destination",
    "destination_name",
    "call_time",
    "answer_time",
    "end_time",
    "duration",
    "billed_duration",
    "billsec",
    "ring_duration",
    "connected",
    "rate",
    "connect_cost",
    "charge",
    "currency",
    "release_reason",
    "sip_code",
    "direction",
    "source_ip",
    "tech_prefix",
    "ratecard",
    "rated",
];

/// A CDR's values in the order of [`CDR_CSV_COLUMNS`]; times in RFC 3339 (UTC), absent
/// values empty.
fn cdr_csv_values(c: &Cdr) -> Vec<String> {
    fn opt<T: ToString>(v: Option<T>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }
    vec![
        c.call_id.to_string(),
        c.leg.to_string(),
        opt(c.customer_id),
        c.account_code.to_string(),
        c.source_number.to_string(),
        c.destination.to_string(),
        c.destination_name.to_string(),
        rfc3339(c.call_time),
        opt(c.answer_time.map(rfc3339)),
        opt(c.end_time.map(rfc3339)),
        c.duration.to_string(),
        c.billed_duration.to_string(),
        c.billsec.to_string(),
        c.ring_duration.to_string(),
        c.connected.to_string(),
        opt(c.rate),
        c.connect_cost.to_string(),
        c.charge.to_string(),
        c.currency.to_string(),
        c.release_reason.to_string(),
        opt(c.sip_code),
        c.direction.to_string(),
        c.source_ip.to_string(),
        c.tech_prefix.to_string(),
        c.ratecard.to_string(),
        c.rated.to_string(),
    ]
}

// ---------------------------------------------------------------------------------------------
// unassigned, assign, quarantine, status

fn render_unassigned(groups: &Vec<UnassignedGroup>) -> String {
    let mut t = Table::new(&[
        ("ACCOUNT_CODE", Align::Left),
        ("CDRS", Align::Right),
        ("FIRST_CALL_UTC", Align::Left),
        ("LAST_CALL_UTC", Align::Left),
    ]);
    for g in groups {
        t.row(vec![
            if g.account_code.is_empty() {
                "\"\"".to_string()
            } else {
                g.account_code.clone()
            },
            g.cdrs.to_string(),
            utc(g.first_call),
            utc(g.last_call),
        ]);
    }
    if t.is_empty() {
        return table_or(&t, "no unassigned CDRs");
    }
    let mut out = t.render("");
    out.push_str("\nassign a group with: portico cdr assign ACCOUNT_CODE CUSTOMER_ID\n");
    out
}

/// What `cdr assign` did (its `--json` output).
#[derive(Debug, Serialize)]
struct Assigned {
    account_code: String,
    customer_id: u64,
    assigned: u64,
}

fn render_assigned(a: &Assigned) -> String {
    let s = if a.assigned == 1 { "" } else { "s" };
    format!(
        "assigned {} CDR{s} with account code \"{}\" to customer {}; later CDRs with it match \
         the customer directly\n",
        a.assigned,
        clean(&a.account_code),
        a.customer_id
    )
}

fn render_quarantine(entries: &Vec<QuarantineEntry>) -> String {
    let mut t = Table::new(&[
        ("ID", Align::Right),
        ("AT", Align::Left),
        ("WHERE", Align::Left),
        ("REASON", Align::Left),
        ("EXCERPT", Align::Left),
    ]);
    for q in entries {
        t.row(vec![
            q.id.to_string(),
            time(q.at),
            place(q),
            q.reason.clone(),
            excerpt(&q.excerpt, 40),
        ]);
    }
    table_or(&t, "nothing is quarantined")
}

/// The start of a text, at most `max` characters.
fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max.saturating_sub(3)).collect();
        short.push_str("...");
        short
    }
}

fn render_status(s: &IngestStatus) -> String {
    let hint = |n: u64, what: &str| {
        if n > 0 {
            format!("{n} ({what})")
        } else {
            n.to_string()
        }
    };
    Fields::new()
        .add("cdrs", s.cdrs.to_string())
        .add("unassigned", hint(s.unassigned, "portico cdr unassigned"))
        .add("unrated", s.unrated.to_string())
        .add("quarantined", hint(s.quarantined, "portico cdr quarantine"))
        .render()
}

#[cfg(test)]
mod tests;
