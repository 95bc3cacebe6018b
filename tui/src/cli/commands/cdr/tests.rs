//! `portico cdr` against the fake daemon (real framing over a Unix socket), and its printing.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Parser;
use portico_protocol::{AdminError, AdminRequest, AdminResponse, CdrCursor, CompactString, Micros};

use super::*;
use crate::cli::args::{Cli, Command, GlobalArgs};
use crate::cli::fake_daemon;

/// A scratch directory unique to this process and test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("portico-cdr-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, data).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn session(socket: &Path, json: bool) -> Session {
    Session::new(&GlobalArgs {
        socket: Some(socket.to_path_buf()),
        json,
    })
}

fn parse(args: &[&str]) -> Command {
    let mut all = vec!["portico"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).unwrap().command.unwrap()
}

fn import_args(args: &[&str]) -> CdrImportArgs {
    let mut all = vec!["cdr", "import"];
    all.extend_from_slice(args);
    match parse(&all) {
        Command::Cdr(CdrCommand::Import(a)) => a,
        _ => panic!("not cdr import"),
    }
}

fn list_args(args: &[&str]) -> CdrListArgs {
    let mut all = vec!["cdr", "list"];
    all.extend_from_slice(args);
    match parse(&all) {
        Command::Cdr(CdrCommand::List(a)) => a,
        _ => panic!("not cdr list"),
    }
}

fn quarantined(source: &str, line: u64, reason: &str) -> QuarantineEntry {
    QuarantineEntry {
        id: line,
        source: source.into(),
        line,
        reason: reason.into(),
        excerpt: String::new(),
        at: 0,
    }
}

type Chunks = Arc<Mutex<Vec<CdrImportChunk>>>;

/// A daemon that records every chunk and answers like the real one would for a line format:
/// every line a CDR, the header row (generic CSV, first chunk) counted as a line but not
/// imported and returned; a line holding `bad` quarantined; `fail_at` (a chunk's first line)
/// refused.
fn import_daemon(name: &str, fail_at: Option<u64>) -> (PathBuf, Chunks) {
    let chunks: Chunks = Arc::default();
    let seen = Arc::clone(&chunks);
    let path = fake_daemon::socket(name);
    fake_daemon::start(&path, move |request| match request {
        AdminRequest::Version { client_protocol } => Some(fake_daemon::version(client_protocol)),
        AdminRequest::CdrImport { chunk } => {
            seen.lock().unwrap().push(chunk.clone());
            if fail_at == Some(chunk.first_line) {
                return Some(AdminResponse::CdrImport(Err(AdminError::internal(
                    "disk full",
                ))));
            }
            let text = String::from_utf8_lossy(&chunk.data.0).into_owned();
            // Records, not lines: a quoted line end does not start a record.
            let mut records: Vec<(u64, String)> = Vec::new();
            let mut line = chunk.first_line;
            let mut open = false;
            for physical in text.split_inclusive('\n') {
                if open {
                    if let Some(last) = records.last_mut() {
                        last.1.push_str(physical);
                    }
                } else {
                    records.push((line, physical.to_string()));
                }
                if physical.matches('"').count() % 2 == 1 {
                    open = !open;
                }
                line += 1;
            }
            let mut report = ImportReport {
                lines: line - chunk.first_line,
                ..ImportReport::default()
            };
            let generic = chunk.format == "generic-csv";
            if generic && chunk.header.is_none() && !records.is_empty() {
                let (_, header) = records.remove(0);
                report.header = Some(header.trim_end().to_string());
            }
            for (line, record) in records {
                if record.contains("bad") {
                    report
                        .quarantined
                        .push(quarantined(&chunk.source, line, "not a date"));
                } else {
                    report.imported += 1;
                    if record.contains("nobody") {
                        report.unassigned += 1;
                    }
                }
            }
            Some(AdminResponse::CdrImport(Ok(report)))
        }
        _ => None,
    });
    (path, chunks)
}

const GENERIC: &[u8] = b"call_id,source,destination,start\n\
1,100,200,2026-01-01 00:00:00\n\
2,\"Alice\nSmith\",201,2026-01-01 00:01:00\n\
3,102,bad,2026-01-01 00:02:00\n\
4,103,nobody,2026-01-01 00:03:00\n\
5,\xff\xfe,205,2026-01-01 00:04:00\n";

#[tokio::test]
async fn generic_csv_goes_in_chunks_with_the_header_forwarded() {
    let dir = Scratch::new("generic");
    let file = dir.file("calls.csv", GENERIC);
    let (socket, chunks) = import_daemon("import-generic", None);
    let args = import_args(&[
        "--format",
        "generic-csv",
        file.to_str().unwrap(),
        "--time-zone",
        "Europe/Paris",
        "--mapping",
        "call_id=call_id",
    ]);
    let out = import(&session(&socket, true), args, 64, false)
        .await
        .unwrap();

    let chunks = chunks.lock().unwrap();
    assert!(chunks.len() >= 3, "{chunks:?}");
    // Together the chunks are the file, byte for byte, and each starts at a record.
    let joined: Vec<u8> = chunks.iter().flat_map(|c| c.data.0.clone()).collect();
    assert_eq!(joined, GENERIC);
    let mut line = 1;
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.first_line, line, "chunk {i}");
        line += c.data.0.iter().filter(|&&b| b == b'\n').count() as u64;
        assert!(c.data.0.ends_with(b"\n"), "chunk {i} ends inside a line");
        assert!(
            !c.data.0.starts_with(b"Smith"),
            "chunk {i} starts inside a field"
        );
        assert_eq!(c.format, "generic-csv");
        assert_eq!(c.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(c.mapping.as_deref(), Some("call_id=call_id"));
        assert_eq!(
            c.source,
            std::path::absolute(&file).unwrap().display().to_string()
        );
        let header = if i == 0 {
            None
        } else {
            Some("call_id,source,destination,start".to_string())
        };
        assert_eq!(c.header, header, "chunk {i}");
    }

    // The reports are summed; the header is no part of the sum.
    let report: ImportReport = serde_json::from_str(&out).unwrap();
    assert_eq!(report.lines, 7);
    assert_eq!(report.imported, 4);
    assert_eq!(report.unassigned, 1);
    assert_eq!(report.header, None);
    assert_eq!(report.quarantined.len(), 1);
    assert_eq!(report.quarantined[0].line, 5);
    let _ = std::fs::remove_file(&socket);
}

#[tokio::test]
async fn many_files_are_summed_and_reported() {
    let dir = Scratch::new("many");
    let mut bad = String::new();
    for i in 0..25 {
        bad.push_str(&format!("\"{i}\",\"bad\"\n"));
    }
    let a = dir.file("a.csv", b"\"1\",\"ok\"\n\"2\",\"nobody\"\n");
    let b = dir.file("b.csv", bad.as_bytes());
    let empty = dir.file("empty.csv", b"");
    let (socket, chunks) = import_daemon("import-many", None);
    let args = import_args(&[
        "--format",
        "asterisk-csv",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        empty.to_str().unwrap(),
    ]);
    let out = import(&session(&socket, false), args, 100, false)
        .await
        .unwrap();
    let chunks = chunks.lock().unwrap();
    // a in one chunk, b (275 bytes) in three, the empty file in none.
    assert_eq!(chunks.len(), 4, "{chunks:?}");
    assert!(
        chunks
            .iter()
            .all(|c| c.header.is_none() && c.mapping.is_none())
    );
    assert!(out.starts_with(
        "files:       3\nlines:       27\nimported:    2\nduplicates:  0\n\
         unassigned:  1 (portico cdr unassigned)\nunrated:     0\nquarantined: 25\n"
    ));
    let b_source = std::path::absolute(&b).unwrap().display().to_string();
    assert!(
        out.contains(&format!(
            "\nquarantined lines:\n  {b_source}:1: not a date\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("  {b_source}:20: not a date\n")),
        "{out}"
    );
    assert!(!out.contains(&format!("{b_source}:21:")), "{out}");
    assert!(
        out.ends_with("  ... and 5 more (portico cdr quarantine)\n"),
        "{out}"
    );
    let _ = std::fs::remove_file(&socket);
}

#[tokio::test]
async fn a_failed_chunk_says_what_was_committed() {
    let dir = Scratch::new("fail");
    let a = dir.file("a.csv", b"\"1\",\"x\"\n");
    let mut big = String::new();
    for i in 1..=10 {
        big.push_str(&format!("\"{i}\",\"x\"\n"));
    }
    let b = dir.file("b.csv", big.as_bytes());
    // Chunks of b: lines 1-3, 4-6 (refused), 7-9, 10.
    let (socket, chunks) = import_daemon("import-fail", Some(4));
    let args = import_args(&[
        "--format",
        "freeswitch-csv",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    let err = import(&session(&socket, false), args, 27, false)
        .await
        .unwrap_err();
    let shown = b.display();
    assert_eq!(
        err.message(),
        format!(
            "{shown}: lines 4-6 were not imported: internal error: disk full; the file before \
             it and lines 1-3 of {shown} were imported. Each chunk is committed on its own and \
             CDRs are deduplicated, so running the same import again is safe"
        )
    );
    // Nothing after the failed chunk was sent.
    assert_eq!(chunks.lock().unwrap().len(), 3);
    let _ = std::fs::remove_file(&socket);
}

#[tokio::test]
async fn a_daemon_that_goes_away_mid_import_is_reported_with_what_was_committed() {
    let dir = Scratch::new("gone");
    let a = dir.file("a.csv", b"\"1\",\"x\"\n\"2\",\"x\"\n");
    let path = fake_daemon::socket("import-gone");
    fake_daemon::start(&path, |request| match request {
        AdminRequest::Version { client_protocol } => Some(fake_daemon::version(client_protocol)),
        _ => None,
    });
    let args = import_args(&["--format", "asterisk-csv", a.to_str().unwrap()]);
    let err = import(&session(&path, false), args, 4, false)
        .await
        .unwrap_err();
    let text = err.message();
    assert!(
        text.starts_with(&format!(
            "{}: line 1 was not imported: porticod at ",
            a.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("closed the connection before answering cdr_import"),
        "{text}"
    );
    assert!(text.contains("; nothing was imported. "), "{text}");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn freeswitch_json_files_go_whole_one_call_each() {
    let dir = Scratch::new("json");
    let doc = |uuid: &str| {
        format!(
            "{{\n  \"variables\": {{\n    \"uuid\": \"{uuid}\",\n    \"x\": \"a\\nb\"\n  }}\n}}\n"
        )
    };
    let a = dir.file("a.cdr.json", doc("a-1").as_bytes());
    let b = dir.file("b.cdr.json", doc("b-2").as_bytes());
    let (socket, chunks) = import_daemon("import-json", None);
    let args = import_args(&[
        "--format",
        "freeswitch-json",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    let out = import(&session(&socket, true), args, 8, false)
        .await
        .unwrap();
    let chunks = chunks.lock().unwrap();
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0].data.0, doc("a-1").as_bytes());
    assert_eq!(chunks[1].data.0, doc("b-2").as_bytes());
    assert!(
        chunks
            .iter()
            .all(|c| c.first_line == 1 && c.format == "freeswitch-json")
    );
    let report: ImportReport = serde_json::from_str(&out).unwrap();
    assert_eq!(report.lines, 12);
    let _ = std::fs::remove_file(&socket);
}

#[tokio::test]
async fn import_arguments_are_checked_before_connecting() {
    let dir = Scratch::new("checks");
    let a = dir.file("a.csv", b"x\n");
    let a = a.to_str().unwrap();
    let nowhere = Path::new("/nonexistent/portico.sock");
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["--format", "asterisk-csv", a, "--mapping", "x=y"],
            "--mapping: only generic-csv files have a header row to map; leave --mapping out or \
             use --format generic-csv"
                .into(),
        ),
        (
            vec!["--format", "asterisk-csv", a, a, "--source", "sw1"],
            "--source: names the lines of one file; give one FILE, or leave --source out to \
             name each file by its path"
                .into(),
        ),
        (
            vec!["--format", "asterisk-csv", "-", "-"],
            "FILE: \"-\" (stdin) can be given only once".into(),
        ),
        (
            vec!["--format", "asterisk-csv", "/nonexistent/Master.csv"],
            "cannot read /nonexistent/Master.csv: No such file or directory".into(),
        ),
        (
            vec!["--format", "freeswitch-json", dir.0.to_str().unwrap()],
            format!(
                "{0} is a directory; give the files in it (e.g. {0}/*.json)",
                dir.0.display()
            ),
        ),
    ];
    for (args, message) in cases {
        let err = import(&session(nowhere, false), import_args(&args), 64, false)
            .await
            .unwrap_err();
        assert_eq!(err.message(), message, "{args:?}");
    }
}

#[test]
fn import_formats_are_checked_by_clap() {
    let err =
        Cli::try_parse_from(["portico", "cdr", "import", "--format", "csv", "a"]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("asterisk-csv"), "{err}");
    let err =
        Cli::try_parse_from(["portico", "cdr", "import", "--format", "asterisk-csv"]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let a = import_args(&[
        "--format",
        "freeswitch-json",
        "a.json",
        "b.json",
        "--source",
        "x",
    ]);
    assert_eq!(
        a.files,
        vec![PathBuf::from("a.json"), PathBuf::from("b.json")]
    );
    assert_eq!(a.source.as_deref(), Some("x"));
}

#[test]
fn documents_are_named_without_a_line() {
    let r = ImportReport {
        lines: 1,
        quarantined: vec![quarantined("/spool/a.json", 0, "no uuid")],
        ..ImportReport::default()
    };
    let text = render_import(1, &r);
    assert!(
        text.ends_with("quarantined lines:\n  /spool/a.json: no uuid\n"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// list

const T0: i64 = 1_795_737_600;

fn cdr(n: u64, rated: bool) -> Cdr {
    Cdr {
        call_id: format!("call-{n}").into(),
        leg: "a".into(),
        customer_id: Some(7),
        account_code: "1001".into(),
        source_number: "+442079460000".into(),
        destination: format!("4477009000{n:02}").into(),
        destination_name: if rated {
            "United Kingdom - Mobile".into()
        } else {
            CompactString::default()
        },
        call_time: T0 - n as i64 * 60,
        answer_time: Some(T0 - n as i64 * 60 + 5),
        end_time: Some(T0 - n as i64 * 60 + 95),
        duration: 95,
        billed_duration: 96,
        billsec: 90,
        ring_duration: 5,
        connected: true,
        rate: rated.then_some(Micros(25_000)),
        connect_cost: Micros(10_000),
        charge: if rated { Micros(50_000) } else { Micros(0) },
        currency: "USD".into(),
        release_reason: "NORMAL_CLEARING".into(),
        sip_code: Some(200),
        direction: "outbound".into(),
        source_ip: "203.0.113.7".into(),
        tech_prefix: CompactString::default(),
        ratecard: "Retail, USD".into(),
        rated,
    }
}

fn cursor(n: u64) -> CdrCursor {
    CdrCursor {
        call_time: T0 - n as i64 * 60,
        seq: n,
    }
}

type Queries = Arc<Mutex<Vec<CdrQuery>>>;

/// Three CDRs in pages of two: [1, 2] then [3].
fn list_daemon(name: &str) -> (PathBuf, Queries) {
    let queries: Queries = Arc::default();
    let seen = Arc::clone(&queries);
    let path = fake_daemon::socket(name);
    fake_daemon::start(&path, move |request| match request {
        AdminRequest::Version { client_protocol } => Some(fake_daemon::version(client_protocol)),
        AdminRequest::CdrList { query } => {
            seen.lock().unwrap().push(query.clone());
            let page = match query.after {
                None => CdrPage {
                    cdrs: vec![cdr(1, true), cdr(2, false)],
                    next: Some(cursor(2)),
                },
                Some(c) if c == cursor(2) => CdrPage {
                    cdrs: vec![cdr(3, true)],
                    next: None,
                },
                Some(_) => CdrPage {
                    cdrs: vec![],
                    next: None,
                },
            };
            Some(AdminResponse::CdrList(Ok(page)))
        }
        _ => None,
    });
    (path, queries)
}

async fn run_list(name: &str, json: bool, args: &[&str]) -> (String, String, Vec<CdrQuery>) {
    let (socket, queries) = list_daemon(name);
    let mut out = Vec::new();
    let mut hints = Vec::new();
    list(
        &session(&socket, json),
        list_args(args),
        &mut out,
        &mut hints,
        Csv::Exact,
    )
    .await
    .unwrap();
    let _ = std::fs::remove_file(&socket);
    let queries = queries.lock().unwrap().clone();
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(hints).unwrap(),
        queries,
    )
}

#[tokio::test]
async fn one_page_ends_with_the_cursor_hint() {
    let (out, hints, queries) = run_list(
        "list-page",
        false,
        &[
            "7",
            "--from",
            "2026-01-01",
            "--connected",
            "--search",
            " 4477 ",
        ],
    )
    .await;
    assert_eq!(
        queries,
        vec![CdrQuery {
            customer_id: Some(7),
            from: Some(1_767_225_600),
            to: None,
            connected_only: true,
            search: Some("4477".into()),
            limit: 100,
            after: None,
        }]
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "CALL_TIME_UTC        SOURCE         DESTINATION   DESTINATION_NAME         DURATION  \
         BILLED   RATE  CHARGE  RELEASE_REASON"
    );
    assert_eq!(
        lines[1],
        "2026-11-26 23:59:00  +442079460000  447700900001  United Kingdom - Mobile        95      \
         96  0.025    0.05  NORMAL_CLEARING"
    );
    assert!(
        lines[2].ends_with("           0.00  NORMAL_CLEARING  *"),
        "{out}"
    );
    assert_eq!(lines[3], "* no rate matched: stored without a charge");
    assert_eq!(lines[4], format!("more: --after {}:2", T0 - 120));
    assert_eq!(lines.len(), 5);
    assert!(hints.is_empty());
}

#[tokio::test]
async fn all_follows_the_cursors_to_the_end() {
    let (out, _, queries) = run_list("list-all", false, &["7", "--all"]).await;
    let afters: Vec<Option<CdrCursor>> = queries.iter().map(|q| q.after).collect();
    assert_eq!(afters, vec![None, Some(cursor(2))]);
    assert!(queries.iter().all(|q| q.limit == 1000));
    assert_eq!(out.matches("CALL_TIME_UTC").count(), 1, "{out}");
    assert_eq!(out.matches("NORMAL_CLEARING").count(), 3, "{out}");
    assert!(!out.contains("more:"), "{out}");

    let (_, _, queries) = run_list(
        "list-after",
        false,
        &["7", "--after", &format!("{}:2", T0 - 120), "--limit", "5"],
    )
    .await;
    assert_eq!(queries[0].after, Some(cursor(2)));
    assert_eq!(queries[0].limit, 5);
}

#[tokio::test]
async fn json_all_streams_one_page_with_every_cdr() {
    let (out, _, _) = run_list("list-json-all", true, &["7", "--all"]).await;
    let whole = CdrPage {
        cdrs: vec![cdr(1, true), cdr(2, false), cdr(3, true)],
        next: None,
    };
    // Streamed page by page, yet the same text as printing the whole page at once.
    assert_eq!(out, output::json(&whole).unwrap());

    let (out, _, _) = run_list("list-json-page", true, &["7"]).await;
    let page: CdrPage = serde_json::from_str(&out).unwrap();
    assert_eq!(page.cdrs.len(), 2);
    assert_eq!(page.next, Some(cursor(2)));
}

#[tokio::test]
async fn json_all_of_nothing_is_an_empty_page() {
    let (out, _, queries) =
        run_list("list-json-empty", true, &["7", "--all", "--after", "1:1"]).await;
    assert_eq!(queries.len(), 1);
    let empty = CdrPage {
        cdrs: vec![],
        next: None,
    };
    assert_eq!(out, output::json(&empty).unwrap());
}

#[tokio::test]
async fn csv_has_every_field_and_the_hint_goes_to_stderr() {
    let (out, hints, _) = run_list("list-csv", false, &["7", "--csv"]).await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], CDR_CSV_COLUMNS.join(","));
    assert_eq!(
        lines[1],
        "call-1,a,7,1001,+442079460000,447700900001,United Kingdom - Mobile,\
         2026-11-26T23:59:00Z,2026-11-26T23:59:05Z,2026-11-27T00:00:35Z,95,96,90,5,true,0.025,\
         0.01,0.05,USD,NORMAL_CLEARING,200,outbound,203.0.113.7,,\"Retail, USD\",true"
    );
    assert_eq!(lines.len(), 3);
    assert_eq!(hints, format!("more: --after {}:2\n", T0 - 120));

    let (out, hints, _) = run_list("list-csv-all", false, &["7", "--csv", "--all"]).await;
    assert_eq!(out.lines().count(), 4);
    assert_eq!(out.matches("call_id,").count(), 1);
    assert!(hints.is_empty());
}

#[test]
fn csv_columns_are_every_field_of_the_protocol() {
    let json = serde_json::to_value(cdr(1, true)).unwrap();
    let mut fields: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    let mut columns = CDR_CSV_COLUMNS.to_vec();
    columns.sort_unstable();
    assert_eq!(columns, fields);
    assert_eq!(cdr_csv_values(&cdr(1, true)).len(), CDR_CSV_COLUMNS.len());
    // Absent values are empty cells.
    let mut c = cdr(1, false);
    c.answer_time = None;
    c.sip_code = None;
    c.customer_id = None;
    let values = cdr_csv_values(&c);
    for column in ["answer_time", "sip_code", "customer_id", "rate"] {
        let at = CDR_CSV_COLUMNS.iter().position(|c| *c == column).unwrap();
        assert_eq!(values[at], "", "{column}");
    }
}

#[tokio::test]
async fn unassigned_lists_show_the_account_code() {
    let (out, _, queries) = run_list("list-unassigned", false, &["unassigned"]).await;
    assert_eq!(queries[0].customer_id, None);
    assert!(
        out.starts_with("CALL_TIME_UTC        ACCOUNT_CODE  SOURCE"),
        "{out}"
    );
}

#[tokio::test]
async fn a_closed_stdout_stops_the_listing() {
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from(ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let (socket, queries) = list_daemon("list-closed");
    list(
        &session(&socket, false),
        list_args(&["7", "--all"]),
        &mut Closed,
        &mut Vec::new(),
        Csv::Exact,
    )
    .await
    .unwrap();
    assert_eq!(queries.lock().unwrap().len(), 1);
    let _ = std::fs::remove_file(&socket);
}

#[tokio::test]
async fn a_cursor_that_does_not_move_is_an_error() {
    let path = fake_daemon::socket("list-stuck");
    fake_daemon::start(&path, |request| match request {
        AdminRequest::Version { client_protocol } => Some(fake_daemon::version(client_protocol)),
        AdminRequest::CdrList { .. } => Some(AdminResponse::CdrList(Ok(CdrPage {
            cdrs: vec![cdr(1, true)],
            next: Some(cursor(1)),
        }))),
        _ => None,
    });
    let err = list(
        &session(&path, false),
        list_args(&["7", "--all"]),
        &mut Vec::new(),
        &mut Vec::new(),
        Csv::Exact,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "porticod returned the cursor {}:1 again; stopped following it",
            T0 - 60
        )
    );
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn list_errors() {
    let nowhere = Path::new("/nonexistent/portico.sock");
    let cases: Vec<(bool, Vec<&str>, &str)> = vec![
        (
            false,
            vec!["seven"],
            "CUSTOMER_ID: \"seven\" is neither a customer id nor `unassigned`",
        ),
        (true, vec!["7", "--csv"], "--csv and --json: choose one"),
        (
            false,
            vec!["7", "--after", "tomorrow"],
            "--after: \"tomorrow\" is not a cursor; pass the value printed after `more: \
             --after` (CALL_TIME:SEQ, e.g. 1795737600:42)",
        ),
    ];
    for (json, args, message) in cases {
        let err = list(
            &session(nowhere, json),
            list_args(&args),
            &mut Vec::new(),
            &mut Vec::new(),
            Csv::Exact,
        )
        .await
        .unwrap_err();
        assert_eq!(err.message(), message, "{args:?}");
    }
    let err = Cli::try_parse_from(["portico", "cdr", "list", "7", "--limit", "1001"]).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let err = Cli::try_parse_from(["portico", "cdr", "list", "7", "--limit", "0"]).unwrap_err();
    assert_eq!(err.exit_code(), 2);

    // The daemon's own refusal comes through as it is.
    let path = fake_daemon::socket("list-refused");
    fake_daemon::start(&path, |request| match request {
        AdminRequest::Version { client_protocol } => Some(fake_daemon::version(client_protocol)),
        AdminRequest::CdrList { .. } => Some(AdminResponse::CdrList(Err(AdminError::not_found(
            "customer 99",
        )))),
        _ => None,
    });
    let err = list(
        &session(&path, false),
        list_args(&["99"]),
        &mut Vec::new(),
        &mut Vec::new(),
        Csv::Exact,
    )
    .await
    .unwrap_err();
    assert_eq!(err.message(), "not found: customer 99");
    let _ = std::fs::remove_file(&path);
}

// ---------------------------------------------------------------------------------------------
// unassigned, assign, quarantine, status

#[tokio::test]
async fn assign_prints_how_many_moved() {
    let path = fake_daemon::socket("assign");
    fake_daemon::start(&path, |request| match request {
        AdminRequest::Version { client_protocol } => Some(fake_daemon::version(client_protocol)),
        AdminRequest::CdrAssign {
            account_code,
            customer_id,
        } => {
            assert_eq!((account_code.as_str(), customer_id), ("1001", 7));
            Some(AdminResponse::CdrAssign(Ok(42)))
        }
        _ => None,
    });
    let out = crate::cli::commands::run(
        &GlobalArgs {
            socket: Some(path.clone()),
            json: false,
        },
        parse(&["cdr", "assign", "1001", "7"]),
    )
    .await
    .unwrap();
    assert_eq!(
        out,
        "assigned 42 CDRs with account code \"1001\" to customer 7; later CDRs with it match \
         the customer directly\n"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn unassigned_quarantine_and_status_tables() {
    let groups = vec![
        UnassignedGroup {
            account_code: "1001".into(),
            cdrs: 12,
            first_call: T0,
            last_call: T0 + 60,
        },
        UnassignedGroup {
            account_code: String::new(),
            cdrs: 3,
            first_call: T0,
            last_call: T0,
        },
    ];
    let text = render_unassigned(&groups);
    assert!(
        text.starts_with("ACCOUNT_CODE  CDRS  FIRST_CALL_UTC"),
        "{text}"
    );
    assert!(text.contains("\n\"\"               3  "), "{text}");
    assert!(text.ends_with("assign a group with: portico cdr assign ACCOUNT_CODE CUSTOMER_ID\n"));
    assert_eq!(render_unassigned(&vec![]), "no unassigned CDRs\n");

    let mut q = quarantined(
        "/var/log/asterisk/cdr-csv/Master.csv",
        17,
        "start \u{1b}[2J",
    );
    q.excerpt = "x".repeat(100);
    let text = render_quarantine(&vec![q]);
    assert!(
        text.contains("/var/log/asterisk/cdr-csv/Master.csv:17  start \\u{1b}[2J"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with(&format!("{}...", "x".repeat(37))),
        "{text}"
    );
    assert_eq!(render_quarantine(&vec![]), "nothing is quarantined\n");

    let status = IngestStatus {
        cdrs: 100,
        unassigned: 3,
        unrated: 0,
        quarantined: 2,
    };
    assert_eq!(
        render_status(&status),
        "cdrs:        100\nunassigned:  3 (portico cdr unassigned)\nunrated:     0\n\
         quarantined: 2 (portico cdr quarantine)\n"
    );
}
