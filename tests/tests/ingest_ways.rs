//! End-to-end tests of the ways CDRs come in on their own: the HTTP endpoint FreeSWITCH's
//! mod_json_cdr posts to, and watched files (Asterisk's Master.csv). The real `porticod` runs
//! from a config file on loopback; what it stored is read back through the admin socket and,
//! with the daemon stopped, from the store itself (the watched file's read position).
//!
//! The binaries must be built first: `cargo build --workspace --bins` (`./.ci/run` does it).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use portico_protocol::{
    AdminClient, Cdr, CdrQuery, Customer, ImportReport, IngestStatus, Micros, PROTOCOL_VERSION,
    QuarantineEntry,
};
use portico_tests::daemon::{free_port, run_porticod};
use portico_tests::{Daemon, admin};
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// the admin socket

fn with_client<T, F, Fut>(d: &Daemon, f: F) -> T
where
    F: FnOnce(AdminClient) -> Fut,
    Fut: Future<Output = T>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = admin::connect_raw(&d.socket()).await.unwrap();
        client
            .version(tarpc::context::current(), PROTOCOL_VERSION)
            .await
            .unwrap()
            .unwrap();
        f(client).await
    })
}

/// Every CDR of a customer (`None`: the unassigned ones), newest first.
fn cdrs(d: &Daemon, customer_id: Option<u64>) -> Vec<Cdr> {
    with_client(d, |c| async move {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = c
                .cdr_list(
                    tarpc::context::current(),
                    CdrQuery {
                        customer_id,
                        limit: 1000,
                        after,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .unwrap();
            out.extend(page.cdrs);
            match page.next {
                Some(next) => after = Some(next),
                None => return out,
            }
        }
    })
}

fn quarantine(d: &Daemon) -> Vec<QuarantineEntry> {
    with_client(d, |c| async move {
        c.quarantine_list(tarpc::context::current(), 1000)
            .await
            .unwrap()
            .unwrap()
    })
}

fn status(d: &Daemon) -> IngestStatus {
    with_client(d, |c| async move {
        c.ingest_status(tarpc::context::current())
            .await
            .unwrap()
            .unwrap()
    })
}

/// Waits until the daemon holds `n` CDRs (never more).
fn wait_for_cdrs(d: &Daemon, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = status(d);
        assert!(
            s.cdrs <= n,
            "more CDRs than written: {} > {n}\n{}",
            s.cdrs,
            d.logs()
        );
        if s.cdrs == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon holds {} CDRs, not {n}, after 60 s\n{}",
            s.cdrs,
            d.logs()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The `duplicates=N` of every "watched file read" log line: a watcher that resumes exactly
/// never reads a line twice, so they are all 0.
fn assert_nothing_read_twice(d: &Daemon) {
    let logs = d.logs();
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("watched file read"))
        .collect();
    assert!(!lines.is_empty(), "no watched-file log lines\n{logs}");
    for line in lines {
        let dup = line
            .split("duplicates=")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .unwrap_or_else(|| panic!("no duplicates= in {line:?}"));
        assert_eq!(dup, "0", "a line was read twice: {line}\n{logs}");
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP, written by hand so that every header is what mod_json_cdr (libcurl) sends

struct Reply {
    status: u16,
    head: String,
    body: String,
}

struct Post<'a> {
    path: &'a str,
    auth: Option<(&'a str, &'a str)>,
    content_type: &'a str,
    body: &'a [u8],
    /// libcurl's `Expect: 100-continue`: the body only goes once the server asked for it.
    expect_continue: bool,
}

impl Default for Post<'_> {
    fn default() -> Self {
        Post {
            path: "/cdr",
            auth: None,
            content_type: "application/json",
            body: b"",
            expect_continue: false,
        }
    }
}

fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<usize> {
    let mut byte = [0u8; 4096];
    loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(p + 4);
        }
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&byte[..n]),
        }
    }
}

fn post(port: u16, req: Post<'_>) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!(
        "POST {}?uuid=test HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: freeswitch-json/1.0\r\n\
         Accept: */*\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        req.path,
        req.content_type,
        req.body.len()
    );
    if let Some((user, pass)) = req.auth {
        head.push_str(&format!(
            "Authorization: Basic {}\r\n",
            base64(format!("{user}:{pass}").as_bytes())
        ));
    }
    if req.expect_continue {
        head.push_str("Expect: 100-continue\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    if req.expect_continue {
        let end = read_head(&mut stream, &mut raw).expect("no answer to the request head");
        if raw.starts_with(b"HTTP/1.1 100") {
            raw.drain(..end);
            stream.write_all(req.body).unwrap();
        }
    } else {
        stream.write_all(req.body).unwrap();
    }
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Reply {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

fn base64(input: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters, as FreeSWITCH's `switch_url_encode`.
fn url_encode(input: &str) -> String {
    let mut out = String::new();
    for b in input.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// fixtures: the project's own, modelled on what FreeSWITCH and Asterisk write

/// 2026-03-02 09:00:00 UTC.
const CALL_EPOCH: i64 = 1_772_442_000;

struct Call<'a> {
    uuid: &'a str,
    account: &'a str,
    /// The value of the `portico_account` channel variable, if set.
    variable: Option<&'a str>,
    destination: &'a str,
    billsec: i64,
}

/// A mod_json_cdr document of an answered inbound A-leg. With `url_encoded`, string values are
/// URL-encoded as with mod_json_cdr's default `encode-values`.
fn fs_document(call: &Call<'_>, url_encoded: bool) -> String {
    let enc = |s: &str| {
        if url_encoded {
            url_encode(s)
        } else {
            s.to_string()
        }
    };
    let (start, answer) = (CALL_EPOCH, CALL_EPOCH + 4);
    let end = answer + call.billsec;
    let stamp = |t: i64| {
        let s = t - CALL_EPOCH;
        format!("2026-03-02 09:{:02}:{:02}", s / 60, s % 60)
    };
    let mut variables = json!({
        "direction": "inbound",
        "uuid": call.uuid,
        "session_id": "41",
        "sip_from_user": "2125550147",
        "sip_network_ip": "198.51.100.20",
        "sip_received_ip": "198.51.100.20",
        "channel_name": enc("sofia/external/2125550147@198.51.100.20"),
        "caller_id": enc("\"Front Desk\" <2125550147>"),
        "accountcode": call.account,
        "call_uuid": call.uuid,
        "current_application": "bridge",
        "sip_term_status": "200",
        "sip_hangup_disposition": "recv_bye",
        "hangup_cause": "NORMAL_CLEARING",
        "hangup_cause_q850": "16",
        "start_stamp": enc(&stamp(start)),
        "answer_stamp": enc(&stamp(answer)),
        "end_stamp": enc(&stamp(end)),
        "start_epoch": start.to_string(),
        "start_uepoch": format!("{start}000000"),
        "answer_epoch": answer.to_string(),
        "answer_uepoch": format!("{answer}000000"),
        "end_epoch": end.to_string(),
        "end_uepoch": format!("{end}000000"),
        "duration": (end - start).to_string(),
        "billsec": call.billsec.to_string(),
        "progresssec": "1",
        "answersec": "4",
        "waitsec": "4",
        "flow_billsec": call.billsec.to_string(),
        "mduration": ((end - start) * 1000).to_string(),
        "billmsec": (call.billsec * 1000).to_string(),
    });
    if let Some(v) = call.variable {
        variables["portico_account"] = json!(v);
    }
    let profile = json!({
        "username": "2125550147",
        "dialplan": "XML",
        "caller_id_name": enc("Front Desk"),
        "ani": "2125550147",
        "caller_id_number": "2125550147",
        "network_addr": "198.51.100.20",
        "destination_number": call.destination,
        "uuid": call.uuid,
        "source": "mod_sofia",
        "context": "public",
        "chan_name": enc("sofia/external/2125550147@198.51.100.20"),
    });
    json!({
        "core-uuid": "6f0c3a52-1d2b-4c4e-9d0a-5b1f00c0ffee",
        "switchname": "fs-edge-1",
        "channel_data": {
            "state": "CS_REPORTING",
            "direction": "inbound",
            "state_number": "11",
            "flags": "0=1;1=1;3=1;38=1;40=1",
            "caps": "1=1;2=1;3=1;4=1;5=1;6=1"
        },
        "callStats": {},
        "variables": variables,
        "callflow": [{
            "dialplan": "XML",
            "profile_index": "1",
            "extension": {"name": "carrier_out", "number": call.destination},
            "caller_profile": profile,
            "times": {
                "created_time": format!("{start}000000"),
                "profile_created_time": format!("{start}000000"),
                "progress_time": format!("{}000000", start + 1),
                "answered_time": format!("{answer}000000"),
                "hangup_time": format!("{end}000000"),
                "transfer_time": "0"
            }
        }]
    })
    .to_string()
}

const RATES: &str = "prefix,name,rate,connect_fee,first_increment,next_increment,effective_from\n\
                     44,United Kingdom,0.0100,0,1,1,2026-01-01\n\
                     4420,United Kingdom - London,0.0060,0,1,1,2026-01-01\n";

/// One Asterisk cdr_csv line (16 standard fields, uniqueid, userfield): call `n`, starting at
/// 2026-03-01 10:00:00 local time plus 10 s per call; every fifth is not answered.
fn asterisk_line(n: u32) -> String {
    let start = 10 * n;
    let t = |s: u32| {
        format!(
            "2026-03-01 {:02}:{:02}:{:02}",
            10 + s / 3600,
            s / 60 % 60,
            s % 60
        )
    };
    let answered = answered(n);
    let (answer, billsec, disposition) = if answered {
        (format!("\"{}\"", t(start + 3)), 5, "ANSWERED")
    } else {
        (String::new(), 0, "NO ANSWER")
    };
    format!(
        "\"\",\"100{d}\",\"4420{n:07}\",\"from-trunk\",\"\"\"Desk {n}\"\" <100{d}>\",\"SIP/100{d}-{n:08x}\",\
         \"SIP/carrier-{n:08x}\",\"Dial\",\"SIP/carrier/4420{n:07},60,tT\",\"{s}\",{answer},\"{e}\",{dur},{billsec},\
         \"{disposition}\",\"DOCUMENTATION\",\"1772359200.{n}\",\"\"\n",
        d = n % 10,
        s = t(start),
        e = t(start + 8),
        dur = 8,
    )
}

/// Every fifth call is not answered.
fn answered(n: u32) -> bool {
    !n.is_multiple_of(5)
}

fn call_id(n: u32) -> String {
    format!("1772359200.{n}")
}

/// When call `n` started, in UTC, for a file written in Europe/Paris (UTC+1 on 2026-03-01).
fn asterisk_start_utc(n: u32) -> i64 {
    1_772_323_200 + 10 * 3600 + 10 * i64::from(n) - 3600
}

fn append(path: &Path, bytes: &[u8]) {
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

fn watch_config(poll_ms: u32) -> String {
    format!(
        r#"
data_dir = "{{dir}}"
[admin]
socket = "{{dir}}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{{port}}"]
[ingest]
time_zone = "Europe/Paris"
[[ingest.watch]]
path = "{{dir}}/cdr-csv/Master.csv"
format = "asterisk-csv"
poll_ms = {poll_ms}
"#
    )
}

/// The read position stored for `path`, read from the store of a stopped daemon.
fn stored_position(d: &Daemon, path: &Path) -> porticod::store::cdr::WatchState {
    let store = porticod::store::Store::open(&d.dir().join("portico.redb")).unwrap();
    store
        .read(|tx| tx.watch_state(path.to_str().unwrap()))
        .unwrap()
        .unwrap_or_else(|| panic!("no position stored for {}", path.display()))
}

fn assert_calls(d: &Daemon, expected: impl IntoIterator<Item = u32>) {
    let expected: Vec<u32> = expected.into_iter().collect();
    let got = cdrs(d, None);
    let ids: Vec<&str> = got.iter().map(|c| c.call_id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a call is stored twice: {ids:?}");
    let want: BTreeSet<String> = expected.iter().map(|n| call_id(*n)).collect();
    let have: BTreeSet<String> = unique.iter().map(|s| s.to_string()).collect();
    assert_eq!(have, want, "stored calls");
    for cdr in &got {
        let n: u32 = cdr.call_id.rsplit('.').next().unwrap().parse().unwrap();
        assert_eq!(
            cdr.call_time,
            asterisk_start_utc(n),
            "start of {}",
            cdr.call_id
        );
        assert_eq!(cdr.destination, format!("4420{n:07}"));
        assert_eq!(cdr.connected, answered(n), "{cdr:?}");
        assert_eq!(cdr.billsec, if answered(n) { 5 } else { 0 }, "{cdr:?}");
    }
}

fn lines(range: std::ops::RangeInclusive<u32>) -> String {
    range.map(asterisk_line).collect()
}

// ---------------------------------------------------------------------------------------------
// mod_json_cdr over HTTP

const USER: &str = "freeswitch";
const PASSWORD: &str = "s3cret:with a colon";

fn http_daemon(ingest_port: u16) -> Daemon {
    Daemon::builder()
        .config(format!(
            r#"
data_dir = "{{dir}}"
[admin]
socket = "{{dir}}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{{port}}"]
[ingest]
listen = ["127.0.0.1:{ingest_port}"]
username = "{USER}"
password = "{PASSWORD}"
customer_variable = "portico_account"
"#
        ))
        .start()
}

#[test]
fn mod_json_cdr_posts_are_stored_once_priced_and_acknowledged_after_the_commit() {
    let port = free_port();
    let mut d = http_daemon(port);
    let cli = d.cli();
    let acme: Customer = serde_json::from_value(cli.json([
        "customer",
        "add",
        "--name",
        "Acme Voice",
        "--currency",
        "USD",
        "--account-codes",
        "ACME",
    ]))
    .unwrap();
    let rates = d.dir().join("rates.csv");
    fs::write(&rates, RATES).unwrap();
    cli.json([
        "ratecard",
        "import",
        "Acme Rates",
        rates.to_str().unwrap(),
        "--currency",
        "USD",
    ]);
    cli.json(["route", "add", &acme.id.to_string(), "Acme Rates"]);
    let auth = Some((USER, PASSWORD));

    // A plain JSON document (encode = false), as libcurl sends a body over 1 KiB.
    let first = fs_document(
        &Call {
            uuid: "9a4e2c1e-0b7d-4f57-a3c5-1f2d3e4a5b6c",
            account: "ACME",
            variable: None,
            destination: "442071234567",
            billsec: 60,
        },
        false,
    );
    let r = post(
        port,
        Post {
            auth,
            body: first.as_bytes(),
            expect_continue: true,
            ..Post::default()
        },
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("stored"), "{}", r.body);
    let stored = cdrs(&d, Some(acme.id));
    assert_eq!(stored.len(), 1, "{stored:?}");
    let cdr = &stored[0];
    assert_eq!(cdr.call_id, "9a4e2c1e-0b7d-4f57-a3c5-1f2d3e4a5b6c");
    assert_eq!(cdr.leg, "a");
    assert_eq!(cdr.account_code, "ACME");
    assert_eq!(cdr.destination, "442071234567");
    assert_eq!(cdr.source_number, "2125550147");
    assert_eq!(cdr.call_time, CALL_EPOCH);
    assert_eq!(cdr.answer_time, Some(CALL_EPOCH + 4));
    assert_eq!(cdr.billsec, 60);
    assert!(cdr.connected);
    assert_eq!(cdr.destination_name, "United Kingdom - London");
    assert_eq!(cdr.charge, Micros(6_000), "60 s at 0.0060/min");

    // FreeSWITCH retries when an answer got lost: the same document is stored once.
    let r = post(
        port,
        Post {
            auth,
            body: first.as_bytes(),
            ..Post::default()
        },
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("duplicate"), "{}", r.body);
    assert_eq!(cdrs(&d, Some(acme.id)).len(), 1);

    // encode = true: `cdr=<url-encoded JSON>` with URL-encoded values; the customer is named
    // by the configured channel variable, not by the account code.
    let second = fs_document(
        &Call {
            uuid: "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5",
            account: "wholesale-7",
            variable: Some("ACME"),
            destination: "447700900123",
            billsec: 30,
        },
        true,
    );
    let form = format!("cdr={}", url_encode(&second));
    let r = post(
        port,
        Post {
            auth,
            content_type: "application/x-www-form-urlencoded",
            body: form.as_bytes(),
            ..Post::default()
        },
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mine = cdrs(&d, Some(acme.id));
    let second_cdr = mine
        .iter()
        .find(|c| c.call_id == "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5")
        .unwrap_or_else(|| panic!("the variable did not match the customer: {mine:?}"));
    assert_eq!(second_cdr.charge, Micros(5_000), "30 s at 0.0100/min");

    // encode = base64, posted to `/`; no customer matches: kept unassigned.
    let third = fs_document(
        &Call {
            uuid: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
            account: "nobody",
            variable: None,
            destination: "15551230000",
            billsec: 12,
        },
        false,
    );
    let form = format!("cdr={}", base64(third.as_bytes()));
    let r = post(
        port,
        Post {
            path: "/",
            auth,
            content_type: "application/x-www-form-base64-encoded",
            body: form.as_bytes(),
            ..Post::default()
        },
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let unassigned = cdrs(&d, None);
    assert_eq!(unassigned.len(), 1, "{unassigned:?}");
    assert_eq!(unassigned[0].account_code, "nobody");

    // Wrong or missing credentials: 401 with a challenge, and nothing stored. With
    // `Expect: 100-continue` the answer comes before the body is sent.
    let other = fs_document(
        &Call {
            uuid: "ffffffff-0000-4000-8000-000000000001",
            account: "ACME",
            variable: None,
            destination: "442071234567",
            billsec: 1,
        },
        false,
    );
    for (auth, expect_continue) in [
        (Some((USER, "wrong")), false),
        (Some(("root", PASSWORD)), false),
        (None, false),
        (Some((USER, "wrong")), true),
    ] {
        let r = post(
            port,
            Post {
                auth,
                body: other.as_bytes(),
                expect_continue,
                ..Post::default()
            },
        );
        assert_eq!(r.status, 401, "{auth:?}: {}", r.body);
        assert!(
            r.head.contains("www-authenticate: basic realm="),
            "{}",
            r.head
        );
    }

    // A document that cannot be read: 400 with the reason, and quarantined with its source.
    let r = post(
        port,
        Post {
            auth,
            body: b"{\"variables\": {\"uuid\": ",
            ..Post::default()
        },
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let q = quarantine(&d);
    assert_eq!(q.len(), 1, "{q:?}");
    assert!(q[0].source.starts_with("http 127.0.0.1:"), "{:?}", q[0]);
    assert_eq!(q[0].line, 0);
    assert!(!q[0].reason.is_empty());
    assert!(
        r.body.contains(&q[0].reason),
        "{} / {}",
        r.body,
        q[0].reason
    );
    assert!(q[0].excerpt.starts_with("{\"variables\""), "{:?}", q[0]);

    let s = status(&d);
    assert_eq!((s.cdrs, s.unassigned, s.quarantined), (3, 1, 1), "{s:?}");
    let shown: IngestStatus = serde_json::from_value(cli.json(["cdr", "status"])).unwrap();
    assert_eq!(shown, s, "portico cdr status --json");

    // The same call through another way in (mod_json_cdr's error directory, imported by an
    // admin) is stored once.
    let spool = d.dir().join("9a4e2c1e.cdr.json");
    fs::write(&spool, &first).unwrap();
    let report: ImportReport = serde_json::from_value(cli.json([
        "cdr",
        "import",
        "--format",
        "freeswitch-json",
        spool.to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!((report.imported, report.duplicates), (0, 1), "{report:?}");
    let logs = d.logs();
    assert!(
        !logs.contains(PASSWORD),
        "the password is in the log\n{logs}"
    );
    assert!(
        logs.contains("9a4e2c1e-0b7d-4f57-a3c5-1f2d3e4a5b6c"),
        "call ids are logged\n{logs}"
    );

    // After a restart the endpoint is back, and what it stored is still known.
    d.restart();
    let r = post(
        port,
        Post {
            auth,
            body: first.as_bytes(),
            ..Post::default()
        },
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("duplicate"), "{}", r.body);
    assert_eq!(status(&d).cdrs, 3);
}

#[test]
fn the_endpoint_refuses_other_methods_and_oversized_documents() {
    let port = free_port();
    let d = http_daemon(port);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let get = format!(
        "GET /cdr HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nConnection: close\r\n\r\n",
        base64(format!("{USER}:{PASSWORD}").as_bytes())
    );
    stream.write_all(get.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");

    // Announced larger than 1 MiB: refused with 413 before the body is sent.
    let big = vec![b' '; 1024 * 1024 + 1];
    let r = post(
        port,
        Post {
            auth: Some((USER, PASSWORD)),
            body: &big,
            expect_continue: true,
            ..Post::default()
        },
    );
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(status(&d).cdrs, 0);
}

#[test]
fn anonymous_posts_are_refused_off_loopback_and_the_error_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("porticod.toml");
    fs::write(
        &path,
        format!(
            "data_dir = \"{0}\"\n[admin]\nsocket = \"{0}/admin.sock\"\ngroup = \"\"\n\
             [ingest]\nlisten = [\"0.0.0.0:{1}\"]\nallow_anonymous = true\n",
            dir.path().display(),
            free_port()
        ),
    )
    .unwrap();
    let run = run_porticod(["--config", path.to_str().unwrap()], dir.path());
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("porticod.toml"), "{run}");
    assert!(run.stderr.contains("ingest.allow_anonymous"), "{run}");
    assert!(run.stderr.contains("0.0.0.0"), "{run}");

    fs::write(
        &path,
        format!(
            "data_dir = \"{0}\"\n[admin]\nsocket = \"{0}/admin.sock\"\ngroup = \"\"\n\
             [[ingest.watch]]\npath = \"{0}/Master.csv\"\nformat = \"asterisk-csv\"\n\
             time_zone = \"Europe/Pariss\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let run = run_porticod(["--config", path.to_str().unwrap()], dir.path());
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("ingest.watch[0].time_zone"), "{run}");
    assert!(run.stderr.contains("Europe/Pariss"), "{run}");
}

// ---------------------------------------------------------------------------------------------
// watched files

#[test]
fn a_watched_file_is_followed_through_partial_lines_restarts_and_rotations() {
    let mut d = Daemon::builder().config(watch_config(50)).start();
    let dir = d.dir().join("cdr-csv");
    fs::create_dir(&dir).unwrap();
    let master = dir.join("Master.csv");
    let rotated = |k: u32| dir.join(format!("Master.csv.{k}"));

    // Lines 1-3 are calls 1-3, line 4 is not a CDR, line 5 is call 4, and call 5 is being
    // written.
    let call5 = asterisk_line(5);
    let (head5, tail5) = call5.split_at(call5.len() / 2);
    append(
        &master,
        format!(
            "{}this line is not a CDR\n{}{head5}",
            lines(1..=3),
            asterisk_line(4)
        )
        .as_bytes(),
    );
    wait_for_cdrs(&d, 4);
    let q = quarantine(&d);
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].source, master.to_str().unwrap());
    assert_eq!(q[0].line, 4);
    // The half-written line is left alone, however many polls pass.
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(status(&d).cdrs, 4);
    assert_eq!(quarantine(&d).len(), 1, "a partial line was taken");

    append(&master, format!("{tail5}{}", asterisk_line(6)).as_bytes());
    wait_for_cdrs(&d, 6);

    // A restart while a line is half written; more is written while the daemon is down.
    let call8 = asterisk_line(8);
    let (head8, tail8) = call8.split_at(40);
    append(&master, format!("{}{head8}", asterisk_line(7)).as_bytes());
    wait_for_cdrs(&d, 7);
    let status_code = d.stop();
    assert!(status_code.success(), "{status_code}\n{}", d.logs());
    append(&master, format!("{tail8}{}", asterisk_line(9)).as_bytes());
    d.start_again();
    wait_for_cdrs(&d, 9);

    // logrotate: rename, a late record in the renamed file, then the new file (whose first
    // line is not a CDR).
    append(&master, asterisk_line(10).as_bytes());
    fs::rename(&master, rotated(1)).unwrap();
    append(&rotated(1), asterisk_line(11).as_bytes());
    append(&master, format!("garbage\n{}", lines(12..=13)).as_bytes());
    wait_for_cdrs(&d, 13);
    let q = quarantine(&d);
    assert_eq!(q.len(), 2, "{q:?}");
    assert_eq!(
        (q[0].source.as_str(), q[0].line),
        (master.to_str().unwrap(), 1)
    );

    // Rotated again while the daemon is down: the renamed file's end is found beside it.
    assert!(d.stop().success());
    append(&master, asterisk_line(14).as_bytes());
    fs::rename(rotated(1), rotated(2)).unwrap();
    fs::rename(&master, rotated(1)).unwrap();
    append(&master, lines(15..=16).as_bytes());
    d.start_again();
    wait_for_cdrs(&d, 16);

    assert_calls(&d, 1..=16);
    assert_eq!(quarantine(&d).len(), 2);

    // The same lines imported by an admin are all known already.
    let mut files: Vec<String> = [rotated(2), rotated(1), master.clone()]
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    files.splice(
        0..0,
        [
            "cdr",
            "import",
            "--format",
            "asterisk-csv",
            "--time-zone",
            "Europe/Paris",
        ]
        .map(String::from),
    );
    let report: ImportReport = serde_json::from_value(d.cli().json(&files)).unwrap();
    assert_eq!((report.imported, report.duplicates), (0, 16), "{report:?}");
    assert_eq!(status(&d).cdrs, 16);
    assert!(d.stop().success());
    assert_nothing_read_twice(&d);
    let pos = stored_position(&d, &master);
    let meta = fs::metadata(&master).unwrap();
    assert_eq!(
        (pos.dev, pos.ino),
        (meta.dev(), meta.ino()),
        "the current file"
    );
    assert_eq!(pos.offset, meta.len(), "read to its end");
    assert_eq!(pos.lines, 2);
}

#[test]
fn kill_9_while_a_watched_file_grows_loses_and_repeats_nothing() {
    const CALLS: u32 = 1500;
    let mut d = Daemon::builder().config(watch_config(20)).start();
    let dir = d.dir().join("cdr-csv");
    fs::create_dir(&dir).unwrap();
    let master = dir.join("Master.csv");

    // Asterisk's way: open, append one record, close; here in two writes, so that the daemon
    // often finds half a line. The first kill comes while a line is half written and all
    // before it is stored (the writer waits for it there); the second wherever the daemon
    // happens to be, and the writer goes on meanwhile both times.
    const HELD_AT: u32 = CALLS / 4;
    let (at_hold, held) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let writer = {
        let master = master.clone();
        std::thread::spawn(move || {
            for n in 1..=CALLS {
                let line = asterisk_line(n);
                let (a, b) = line.split_at(line.len() / 3);
                append(&master, a.as_bytes());
                if n == HELD_AT {
                    at_hold.send(()).unwrap();
                    released.recv().unwrap();
                }
                if n % 7 == 0 {
                    std::thread::sleep(Duration::from_millis(2));
                }
                append(&master, b.as_bytes());
                if n % 3 == 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        })
    };
    held.recv().unwrap();
    wait_for_cdrs(&d, u64::from(HELD_AT - 1));
    let killed = d.stop_with(Signal::SIGKILL);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&killed),
        Some(9)
    );
    release.send(()).unwrap();
    d.start_again();

    let written = |path: &PathBuf| {
        fs::read(path)
            .map(|b| b.iter().filter(|c| **c == b'\n').count())
            .unwrap_or(0)
    };
    while written(&master) < CALLS as usize * 2 / 3 && !writer.is_finished() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = d.stop_with(Signal::SIGKILL);
    std::thread::sleep(Duration::from_millis(50));
    d.start_again();
    writer.join().unwrap();
    wait_for_cdrs(&d, u64::from(CALLS));

    let s = status(&d);
    assert_eq!((s.cdrs, s.quarantined), (u64::from(CALLS), 0), "{s:?}");
    assert_calls(&d, 1..=CALLS);
    assert!(d.stop().success());
    assert_nothing_read_twice(&d);
    let resumed = d.logs().matches("resumed where it was left").count();
    assert!(
        resumed >= 2,
        "both restarts resume the stored position\n{}",
        d.logs()
    );
    let pos = stored_position(&d, &master);
    assert_eq!(pos.offset, fs::metadata(&master).unwrap().len());
    assert_eq!(pos.lines, u64::from(CALLS));
}
