//! CDR ingest and report benchmark on the anchor data of `gen_cdrs.py` (Asterisk Master.csv,
//! 1,000 accounts, 30 days). Prints figures; asserts nothing about time.
//!
//! ```sh
//! cargo bench -p porticod --bench cdr_ingest -- --data /tmp/cdr-anchor/data --rows 1000000
//!     [--chunk-mib 16] [--cache-mib 256] [--store DIR] [--quiet-gate SECONDS] [--profile-qa N]
//! ```
//! `--quiet-gate S` waits (at most S seconds), before the ingest and before the queries, until
//! the machine is idle, as the anchor script does before each step; `--profile-qa N` runs the
//! q(a) page N more times before it is measured, for a profiler, and prints their mean.
//!
//! Phases, as the anchors measure them: ingest (parse, match, rate, store, roll up, each chunk
//! committed durably) of the whole file; q(a) the newest 100 CDRs of the heaviest and the median
//! account in the 7-day window of the meta file (median of 20 warm runs); q(b) the breakout of
//! those accounts over the 30 days (median of 10 warm runs); peak memory (VmHWM) and the store's
//! size per CDR.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use portico_protocol::{Blob, CdrImportChunk, CdrQuery, CustomerPatch, ReportQuery};
use porticod::admin::ops;
use porticod::ingest::import::import_chunk;
use porticod::ingest::pipeline::Ingest;
use porticod::reports;
use porticod::store::{Store, Texts};

// The allocator porticod runs with (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    data: PathBuf,
    rows: u64,
    chunk: usize,
    store_dir: Option<PathBuf>,
    cache_mib: usize,
    quiet_gate: Option<u64>,
    profile_qa: usize,
}

fn args() -> Args {
    let mut a = Args {
        data: PathBuf::from("/tmp/cdr-anchor/data"),
        rows: 1_000_000,
        chunk: 16 << 20,
        store_dir: None,
        cache_mib: 256,
        quiet_gate: None,
        profile_qa: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--data" => a.data = it.next().expect("--data DIR").into(),
            "--rows" => a.rows = it.next().expect("--rows N").parse().expect("a number"),
            "--chunk-mib" => {
                a.chunk = it
                    .next()
                    .expect("--chunk-mib N")
                    .parse::<usize>()
                    .expect("a number")
                    << 20
            }
            "--store" => a.store_dir = Some(it.next().expect("--store DIR").into()),
            "--cache-mib" => {
                a.cache_mib = it.next().expect("--cache-mib N").parse().expect("a number")
            }
            "--quiet-gate" => {
                a.quiet_gate = Some(
                    it.next()
                        .expect("--quiet-gate SECONDS")
                        .parse()
                        .expect("a number"),
                )
            }
            "--profile-qa" => {
                a.profile_qa = it
                    .next()
                    .expect("--profile-qa N")
                    .parse()
                    .expect("a number")
            }
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

/// Cuts a file into chunks of whole records.
struct ChunkReader {
    file: std::fs::File,
    pending: Vec<u8>,
    eof: bool,
    line: u64,
    chunk: usize,
}

impl ChunkReader {
    fn next_chunk(&mut self) -> Option<(Vec<u8>, u64)> {
        use std::io::Read;
        while !self.eof && self.pending.len() < self.chunk {
            let want = (self.chunk - self.pending.len()) as u64;
            let n = (&mut self.file)
                .take(want)
                .read_to_end(&mut self.pending)
                .expect("read");
            self.eof = n == 0;
        }
        if self.pending.is_empty() {
            return None;
        }
        // Cutting a file into chunks of whole lines is the client's work (`portico cdr import`
        // does it quote-aware in its own process); the anchor data has no quoted line ends, so
        // the bench cuts at the last line end and measures what porticod does with a chunk.
        let take = if self.eof {
            self.pending.len()
        } else {
            self.pending
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
        };
        let rest = self.pending.split_off(take);
        let data = std::mem::replace(&mut self.pending, rest);
        let first = self.line;
        self.line += porticod::ingest::import::count_lines(&data);
        Some((data, first))
    }
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn timed<T>(warm: usize, runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    for _ in 0..warm {
        f();
    }
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    (median(times), last.expect("at least one run"))
}

fn parse_time(s: &str) -> i64 {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s, fmt)
        .expect("meta time")
        .assume_utc()
        .unix_timestamp()
}

/// The q(a) query: the newest 100 CDRs of a customer in a window.
fn page_query(id: u64, from: i64, to: i64) -> CdrQuery {
    CdrQuery {
        customer_id: Some(id),
        from: Some(from),
        to: Some(to),
        limit: 100,
        ..Default::default()
    }
}

/// Waits (at most `most` seconds) until the machine's cores are at least 85% idle in two
/// 5-second samples in a row, as the anchor script does before each timed step.
fn quiet_gate(most: u64) {
    fn busy() -> (u64, u64) {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let v: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        let all: u64 = v.iter().sum();
        let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
        (all - idle, all)
    }
    let end = Instant::now() + Duration::from_secs(most);
    let mut ok = 0;
    while Instant::now() < end {
        let (b0, a0) = busy();
        std::thread::sleep(Duration::from_secs(5));
        let (b1, a1) = busy();
        let idle = 1.0 - (b1 - b0) as f64 / (a1 - a0).max(1) as f64;
        ok = if idle >= 0.85 { ok + 1 } else { 0 };
        if ok >= 2 {
            println!("quiet gate: idle {:.0}%", idle * 100.0);
            return;
        }
    }
    println!("quiet gate: machine still busy after {most} s, measuring anyway");
}

fn main() {
    let a = args();
    let csv_path = a.data.join(format!("cdr_{}.csv", a.rows));
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(a.data.join(format!("meta_{}.json", a.rows)))
            .expect("meta_N.json (run gen_cdrs.py or cdr_anchors.sh first)"),
    )
    .expect("meta JSON");
    let rates = std::fs::read_to_string(a.data.join("rates.csv")).expect("rates.csv");
    let dir = tempfile::tempdir_in(a.store_dir.clone().unwrap_or_else(std::env::temp_dir))
        .expect("temp dir");
    let store_path = dir.path().join("portico.redb");
    let store = Store::open_with_cache(&store_path, a.cache_mib << 20).expect("store");

    // 1,000 customers acct0001..acct1000 on one rate card, as the anchors rate them.
    let mut ids = std::collections::HashMap::new();
    store
        .write(|tx| {
            ops::ratecard::import(tx, 0, "Anchor", "USD", &rates, false)?;
            for i in 1..=1000 {
                let code = format!("acct{i:04}");
                let (c, _) = ops::customer::add(
                    tx,
                    0,
                    CustomerPatch {
                        name: Some(code.to_uppercase()),
                        currency: Some("USD".into()),
                        account_codes: Some(vec![code.clone()]),
                        ..Default::default()
                    },
                )?;
                ops::ratecard::route_add(tx, c.id, "Anchor", "")?;
                ids.insert(code, c.id);
            }
            tx.bump_counter(porticod::ingest::pipeline::GENERATION, 1)?;
            Ok::<_, portico_protocol::AdminError>(())
        })
        .expect("setup");
    let ingest = Ingest::new(store.clone());

    // Ingest: the file streamed in chunks of whole lines, each chunk one durable transaction,
    // as `portico cdr import` sends it (two chunks in flight: one is parsed and priced while
    // the other commits). The bench never holds the whole file.
    let file = std::fs::File::open(&csv_path).expect("cdr_N.csv");
    let file_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let reader = std::sync::Mutex::new(ChunkReader {
        file,
        pending: Vec::new(),
        eof: false,
        line: 1,
        chunk: a.chunk,
    });
    if let Some(most) = a.quiet_gate {
        quiet_gate(most);
    }
    let started = Instant::now();
    let totals = std::sync::Mutex::new((0u64, 0u64, 0u64));
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let next = reader.lock().expect("reader").next_chunk();
                    let Some((data, first_line)) = next else {
                        break;
                    };
                    let report = import_chunk(
                        &ingest,
                        CdrImportChunk {
                            format: "asterisk-csv".into(),
                            source: csv_path.display().to_string(),
                            first_line,
                            data: Blob(data),
                            ..Default::default()
                        },
                    )
                    .expect("import");
                    let mut t = totals.lock().expect("totals");
                    t.0 += report.imported;
                    t.1 += report.quarantined.len() as u64;
                    t.2 += report.unrated;
                }
            });
        }
    });
    let (imported, quarantined, unrated) = *totals.lock().expect("totals");
    let ingest_time = started.elapsed();
    let hwm_after_ingest = vm_hwm_kib();
    let store_bytes = std::fs::metadata(&store_path).map(|m| m.len()).unwrap_or(0);
    let rows = store.read(|tx| tx.cdr_rows()).expect("rows");
    assert_eq!(
        rows, imported,
        "every imported CDR is a row of the CDR table"
    );

    let heavy = meta["heavy"].as_str().expect("heavy");
    let median_acct = meta["median"].as_str().expect("median");
    let wa = &meta["window_a"];
    let (wa_from, wa_to) = (
        parse_time(wa[0].as_str().expect("window_a[0]")),
        parse_time(wa[1].as_str().expect("window_a[1]")),
    );
    let (t0, t_end) = (
        parse_time(meta["t0"].as_str().expect("t0")),
        parse_time(meta["t_end"].as_str().expect("t_end")),
    );

    println!(
        "portico cdr bench: {} rows from {}",
        a.rows,
        csv_path.display()
    );
    println!(
        "ingest: {imported} CDRs in {:.2} s = {:.0} rows/s (quarantined {quarantined}, unrated {unrated}), chunk {} MiB, page cache {} MiB",
        ingest_time.as_secs_f64(),
        imported as f64 / ingest_time.as_secs_f64(),
        a.chunk >> 20,
        a.cache_mib
    );
    println!(
        "store: {:.1} MiB, {:.1} bytes/CDR (input {:.1} bytes/row); peak RSS (VmHWM) after ingest {:.1} MiB",
        store_bytes as f64 / 1048576.0,
        store_bytes as f64 / imported.max(1) as f64,
        file_bytes as f64 / imported.max(1) as f64,
        hwm_after_ingest as f64 / 1024.0,
    );
    let (empty, _) = timed(2, 20, || {
        store
            .read(|_| Ok::<_, porticod::store::StoreError>(()))
            .expect("read")
    });
    println!(
        "an empty read transaction: {:.3} ms",
        empty.as_secs_f64() * 1e3
    );
    if let Some(most) = a.quiet_gate {
        quiet_gate(most);
    }
    for (who, acct) in [("heavy", heavy), ("median", median_acct)] {
        let id = ids[acct];
        let (customer, _) = timed(2, 20, || {
            store
                .read(|tx| ops::customer_exists(tx, id))
                .expect("customer")
        });
        let (raw, n) = timed(2, 20, || {
            store
                .read(|tx| tx.cdrs_newest_first(id, wa_from, wa_to, None, 101, |_| true))
                .expect("raw page")
                .len()
        });
        let (borrowed, seen) = timed(2, 20, || {
            let mut charge = 0i64;
            let mut n = 0;
            store
                .read(|tx| {
                    let q = page_query(id, wa_from, wa_to);
                    reports::cdr_page_with(tx, id, &q, Texts::ALL, |_, row| {
                        n += 1;
                        charge += row.charge;
                    })
                })
                .expect("borrowed page");
            (n, charge)
        });
        println!(
            "q(a) {who}: customer record {:.4} ms; {n} CDRs as owned StoredCdr {:.4} ms; {} CDRs \
             visited borrowed (what a page rendered straight from the store needs) {:.4} ms",
            customer.as_secs_f64() * 1e3,
            raw.as_secs_f64() * 1e3,
            seen.0,
            borrowed.as_secs_f64() * 1e3,
        );
        if a.profile_qa > 0 {
            let t = Instant::now();
            for _ in 0..a.profile_qa {
                let page = store
                    .read(|tx| reports::cdr_page(tx, &page_query(id, wa_from, wa_to)))
                    .expect("page");
                std::hint::black_box(page);
            }
            println!(
                "q(a) {who}: {} pages for a profiler, {:.4} ms each on average",
                a.profile_qa,
                t.elapsed().as_secs_f64() * 1e3 / a.profile_qa as f64
            );
        }
        let (qa, page) = timed(2, 20, || {
            store
                .read(|tx| reports::cdr_page(tx, &page_query(id, wa_from, wa_to)))
                .expect("page")
        });
        let (qb, rows) = timed(2, 10, || {
            store
                .read(|tx| {
                    reports::breakout(
                        tx,
                        &ReportQuery {
                            customer_id: id,
                            from: Some(t0),
                            to: Some(t_end),
                            per_day: false,
                        },
                    )
                })
                .expect("breakout")
        });
        let charge: i64 = rows.iter().map(|r| r.traffic.charge.0).sum();
        let attempts: u64 = rows.iter().map(|r| r.traffic.attempts).sum();
        println!(
            "q(a) {who} {acct}: page of {} in {:.3} ms | q(b) breakout 30 d: {} destinations, {attempts} attempts, charge {} in {:.3} ms",
            page.cdrs.len(),
            qa.as_secs_f64() * 1e3,
            rows.len(),
            portico_protocol::Micros(charge),
            qb.as_secs_f64() * 1e3
        );
    }
    println!(
        "peak RSS (VmHWM) at the end: {:.1} MiB",
        vm_hwm_kib() as f64 / 1024.0
    );
}
