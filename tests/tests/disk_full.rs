//! The disk filling up under the data directory: the daemon's data directory is a small tmpfs
//! (mounted by the test, so it runs as root, as CI does), nearly filled by a filler file, then
//! FreeSWITCH posts CDRs until the store has no room. Writes must then fail with an answer that
//! says the disk is full (507 to the ingest endpoint, the CLI's error), never a 200; reads keep
//! working (the portal's pages of a logged-in customer, `portico cdr list`, balances); once the
//! filler is deleted, writes work again without a restart; and a restart finds everything that
//! was acknowledged, once, with balances that add up, and no repair.
//!
//! The binaries must be built first: `cargo build --workspace --bins` (`./.ci/run` does it).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use portico_tests::Daemon;
use portico_tests::daemon::free_port;
use portico_tests::https::{state, wait_status};
use portico_tests::load::check;
use portico_tests::load::client::{self, CdrPoster, Visitor};
use portico_tests::load::fixtures::{Call, RATES};

/// A tmpfs of a given size mounted on a fresh temporary directory, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::Builder::new()
            .prefix("portico-disk-full-")
            .tempdir()
            .unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Tmpfs { dir },
            Ok(o) => panic!(
                "this test puts the data directory on a small filesystem: it mounts a tmpfs of \
                 {size} at {} and that failed: {}; run it as root (CI does, through .ci/run) or \
                 in a container allowed to mount (CAP_SYS_ADMIN)",
                dir.path().display(),
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!("cannot run mount (util-linux) to mount a tmpfs: {e}"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Bytes free on it.
    fn free(&self) -> u64 {
        let s = nix::sys::statvfs::statvfs(self.path()).unwrap();
        s.blocks_available() * s.fragment_size()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Something still holds a file there: detach it now, it goes when released.
            let _ = Command::new("umount").arg("-l").arg(self.path()).status();
        }
    }
}

const USER: &str = "freeswitch";
const PASSWORD: &str = "disk-full-secret";
const FQDN: &str = "portal.full.test";
const EMAIL: &str = "ops@full.test";
const LOGIN_PASSWORD: &str = "Full-disk-password-1";

fn config(data: &Path, ingest_port: u16) -> String {
    format!(
        r#"
data_dir = "{}"
[admin]
socket = "{{dir}}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{{port}}"]
[tls]
mode = "local"
listen = ["127.0.0.1:{{https_port}}"]
check_interval_ms = 500
[ingest]
listen = ["127.0.0.1:{ingest_port}"]
username = "{USER}"
password = "{PASSWORD}"
"#,
        data.display()
    )
}

/// Posts `call`; the status and body.
fn post(rt: &tokio::runtime::Runtime, p: &mut CdrPoster, call: &Call) -> (u16, String) {
    let a = rt
        .block_on(p.post(&call.id, call.freeswitch_json()))
        .unwrap_or_else(|e| panic!("posting {}: {e:#}", call.id));
    (a.status, a.body)
}

#[test]
fn a_full_disk_refuses_writes_clearly_keeps_reads_and_recovers_when_space_returns() {
    let disk = Tmpfs::mount("24m");
    let ingest_port = free_port();
    let mut d = Daemon::builder()
        .config(config(disk.path(), ingest_port))
        .start();
    let cli = d.cli();
    let rates = d.dir().join("rates.csv");
    std::fs::write(&rates, RATES).unwrap();
    cli.ok([
        "ratecard",
        "import",
        "Std",
        rates.to_str().unwrap(),
        "--currency",
        "USD",
    ]);
    cli.ok(["domain", "add", FQDN, "--currencies", "USD"]);
    wait_status(&d, FQDN, "active", |s| state(s) == "active");
    let customer = cli.json([
        "customer",
        "add",
        "--name",
        "Full Disk Ltd",
        "--currency",
        "USD",
        "--account-codes",
        "full1",
        "--domain",
        FQDN,
    ]);
    let id = customer["id"].as_u64().unwrap();
    let ids = id.to_string();
    cli.ok(["route", "add", &ids, "Std"]);
    cli.ok([
        "contact",
        "add",
        &ids,
        "--email",
        EMAIL,
        "--name",
        "Ops",
        "--password",
        LOGIN_PASSWORD,
    ]);
    cli.ok(["payment", "add", &ids, "50.00"]);
    let root = cli.ok(["ca", "export"]);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // A customer logs in while there is room (a login writes its session).
    let mut visitor = Visitor::new(
        client::tls_trusting(root.as_bytes()).unwrap(),
        FQDN,
        d.https_port(),
    );
    rt.block_on(async {
        let form = visitor.get("/login").await.unwrap();
        let csrf = client::hidden_input(&form.body, "csrf").unwrap();
        let answer = visitor
            .post_form(
                "/login",
                &[
                    ("email", EMAIL),
                    ("password", LOGIN_PASSWORD),
                    ("csrf", &csrf),
                ],
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 303, "{}", answer.body);
    });

    // The filler leaves about 1 MiB; CDR posts take the rest.
    let filler = disk.path().join("filler");
    let leave = 1 << 20;
    let size = disk.free().saturating_sub(leave);
    std::fs::write(&filler, vec![0u8; size as usize]).unwrap();
    let mut poster = CdrPoster::new(ingest_port, USER, PASSWORD);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut acked: HashMap<String, Call> = HashMap::new();
    let mut n = 0u64;
    let refused = loop {
        let call = Call::new('j', n, "full1", now);
        n += 1;
        let (status, body) = post(&rt, &mut poster, &call);
        match status {
            200 => {
                acked.insert(call.id.clone(), call);
            }
            _ => break (status, body, call),
        }
        assert!(
            n < 50_000,
            "50,000 CDRs fit in about 1 MiB: is the data directory on the tmpfs?\n{}",
            d.logs()
        );
    };
    let (status, body, first_refused) = refused;
    assert_eq!(
        status,
        507,
        "a full disk is 507 Insufficient Storage: {body}\n{}",
        d.logs()
    );
    assert!(body.contains("disk") && body.contains("full"), "{body}");
    assert!(
        acked.len() > 10,
        "only {} CDRs before the disk was full",
        acked.len()
    );

    // Still full: the same answer again, never a 200 for a CDR that was not stored.
    for k in 0..5 {
        let call = Call::new('x', k, "full1", now);
        let (status, body) = post(&rt, &mut poster, &call);
        assert_eq!(status, 507, "{body}");
    }
    // An admin change says what is wrong.
    let run = cli.run(["payment", "add", &ids, "1.00"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr.contains("disk holding the store is full")
            && run.stderr.contains("No space left on device"),
        "{run}"
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{run}");

    // Reads keep working: the logged-in customer's pages, the CLI, the admin API.
    rt.block_on(async {
        for path in ["/", "/cdr", "/breakout"] {
            let page = visitor.get(path).await.unwrap();
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert!(
                !page.body.contains("type=\"password\""),
                "{path}: logged out"
            );
        }
    });
    let listed = cli.json(["cdr", "list", &ids, "--limit", "5"]);
    assert!(listed.to_string().contains("soak-j-"), "{listed}");
    let balance = cli.json(["customer", "balance", &ids]);
    assert_eq!(balance["customer_id"], id);
    let accounts = HashMap::from([("full1".to_string(), id)]);
    let found = rt
        .block_on(check::check(
            &d.socket(),
            &accounts,
            &acked,
            &HashMap::new(),
        ))
        .unwrap();
    assert!(
        found.problems.is_empty(),
        "while full: {:?}",
        found.problems
    );

    // Room again: the refused CDR is taken (mod_json_cdr retries it), without a restart.
    std::fs::remove_file(&filler).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = post(&rt, &mut poster, &first_refused);
        if status == 200 {
            assert!(body.starts_with("stored"), "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "writes did not resume within 20 s of freeing space: {status} {body}\n{}",
            d.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    acked.insert(first_refused.id.clone(), first_refused);
    for k in 0..20 {
        let call = Call::new('j', n + k, "full1", now);
        let (status, body) = post(&rt, &mut poster, &call);
        assert_eq!(status, 200, "{body}");
        acked.insert(call.id.clone(), call);
    }
    cli.ok(["payment", "add", &ids, "1.00"]);

    // A restart finds exactly what was acknowledged, and the file needed no repair.
    d.restart();
    let found = rt
        .block_on(check::check(
            &d.socket(),
            &accounts,
            &acked,
            &HashMap::new(),
        ))
        .unwrap();
    assert!(
        found.problems.is_empty(),
        "after restart: {:?}",
        found.problems
    );
    assert_eq!(found.stored, acked.len());
    let logs = d.logs();
    for line in logs.lines().filter(|l| l.contains("store:")) {
        println!("{line}");
    }
    assert!(!logs.contains("repairing"), "{logs}");
    assert!(logs.contains("No space left on device"), "{logs}");
    drop(d);
}
