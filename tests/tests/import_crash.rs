//! `kill -9` of the daemon in the middle of a large `portico cdr import`, a restart, and the same
//! import again: the store must hold exactly the CDRs, totals and reports of a clean import.
//!
//! The binaries must be built first: `cargo build --workspace --bins` (`./.ci/run` does it).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use portico_tests::Daemon;
use serde_json::Value;

/// Lines in the file (about 70 MB): several of the CLI's 16 MiB chunks, so a kill lands between commits.
const LINES: u32 = 350_000;
const CUSTOMERS: u32 = 7;

const RATES: &str = "prefix,name,rate,connect_fee,first_increment,next_increment\n\
                     44,United Kingdom,0.0110,0,1,1\n\
                     447,United Kingdom - Mobile,0.0420,0.0100,30,6\n\
                     49,Germany,0.0130,0,60,60\n\
                     4915,Germany - Mobile,0.0550,0,6,6\n";

/// One Asterisk Master.csv line (17 fields); calls spread over customers, destinations and
/// answer states; one in 97 has an account code nobody owns.
fn line(n: u32) -> String {
    let account = if n.is_multiple_of(97) {
        "nobody".to_string()
    } else {
        format!("acct{}", n % CUSTOMERS)
    };
    let dst = match n % 4 {
        0 => format!("4420{n:07}"),
        1 => format!("447700{n:06}"),
        2 => format!("4930{n:07}"),
        _ => format!("491520{n:06}"),
    };
    let start = 1_772_359_200 + i64::from(n) * 7;
    let t = |s: i64| {
        time::OffsetDateTime::from_unix_timestamp(s)
            .unwrap()
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .unwrap()
    };
    let answered = !n.is_multiple_of(3);
    let billsec = if answered { n % 400 } else { 0 };
    let answer = if answered {
        format!("\"{}\"", t(start + 4))
    } else {
        String::new()
    };
    format!(
        "\"{account}\",\"1000\",\"{dst}\",\"from-internal\",\"\"\"Desk\"\" <1000>\",\"SIP/1000-{n:08x}\",\
         \"SIP/trunk-{n:08x}\",\"Dial\",\"SIP/trunk/{dst},60\",\"{}\",{answer},\"{}\",{},{billsec},\"{}\",\
         \"DOCUMENTATION\",\"1772359200.{n}\"\n",
        t(start),
        t(start + 4 + i64::from(billsec)),
        4 + billsec,
        if answered { "ANSWERED" } else { "NO ANSWER" },
    )
}

fn setup(d: &Daemon, rates: &Path) -> Vec<u64> {
    let cli = d.cli();
    cli.ok([
        "ratecard",
        "import",
        "Std",
        rates.to_str().unwrap(),
        "--currency",
        "EUR",
    ]);
    (0..CUSTOMERS)
        .map(|i| {
            let c = cli.json([
                "customer",
                "add",
                "--name",
                &format!("Customer {i}"),
                "--currency",
                "EUR",
                "--account-codes",
                &format!("acct{i}"),
            ]);
            let id = c["id"].as_u64().unwrap();
            cli.ok(["route", "add", &id.to_string(), "Std"]);
            id
        })
        .collect()
}

/// Everything a customer sees about its calls, as JSON text.
fn reports(d: &Daemon, ids: &[u64]) -> Vec<String> {
    let cli = d.cli();
    let mut out = vec![cli.json(["cdr", "status"]).to_string()];
    for id in ids {
        let id = id.to_string();
        out.push(cli.json(["customer", "balance", &id]).to_string());
        out.push(
            cli.json(["report", "breakout", &id, "--per-day"])
                .to_string(),
        );
        out.push(cli.json(["report", "summary", &id]).to_string());
    }
    out.push(cli.json(["cdr", "unassigned"]).to_string());
    out
}

fn stored(d: &Daemon) -> u64 {
    d.cli().json(["cdr", "status"])["cdrs"].as_u64().unwrap()
}

#[test]
fn kill_9_in_the_middle_of_a_large_import_then_the_same_import_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Master.csv");
    let rates = dir.path().join("rates.csv");
    std::fs::write(&file, (0..LINES).map(line).collect::<String>()).unwrap();
    std::fs::write(&rates, RATES).unwrap();
    let import = [
        "cdr",
        "import",
        "--format",
        "asterisk-csv",
        file.to_str().unwrap(),
    ];

    // The reference: one clean import.
    let clean = Daemon::start();
    let ids = setup(&clean, &rates);
    let report = clean.cli().json(import);
    assert_eq!(report["imported"], LINES);
    assert_eq!(report["quarantined"].as_array().unwrap().len(), 0);
    let expected = reports(&clean, &ids);

    // The same import, killed once some chunks are committed and before the last.
    let mut crashed = Daemon::start();
    let ids_b = setup(&crashed, &rates);
    assert_eq!(ids_b, ids);
    let (cmd, child) = crashed.cli().spawn(import);
    let deadline = Instant::now() + Duration::from_secs(300);
    let at_kill = loop {
        let n = stored(&crashed);
        if n > 0 {
            break n;
        }
        assert!(Instant::now() < deadline, "no chunk was committed in time");
        std::thread::sleep(Duration::from_millis(20));
    };
    let status = crashed.stop_with(Signal::SIGKILL);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    assert!(
        at_kill < u64::from(LINES),
        "the import finished before the kill ({at_kill} CDRs); the test needs a larger file"
    );
    let interrupted = portico_tests::Cli::wait(cmd, child);
    assert_ne!(
        interrupted.code, 0,
        "the CLI must report the lost daemon:\n{interrupted}"
    );

    crashed.start_again();
    let after_restart = stored(&crashed);
    assert!(
        after_restart >= at_kill && after_restart < u64::from(LINES),
        "committed chunks survive, nothing more: {at_kill} seen, {after_restart} after restart"
    );
    let again = crashed.cli().json(import);
    assert_eq!(again["duplicates"].as_u64().unwrap(), after_restart);
    assert_eq!(
        again["imported"].as_u64().unwrap(),
        u64::from(LINES) - after_restart
    );
    let got = reports(&crashed, &ids);
    for (want, got) in expected.iter().zip(&got) {
        let (want, got): (Value, Value) = (
            serde_json::from_str(want).unwrap(),
            serde_json::from_str(got).unwrap(),
        );
        assert_eq!(got, want);
    }
    assert_eq!(got.len(), expected.len());
}
