//! ACME end to end against Let's Encrypt's Pebble, with pebble-challtestsrv as the DNS server
//! whose records each test sets: certificates by HTTP-01 and TLS-ALPN-01 for names whose CNAME
//! points at the carrier's host, no order for the others (and the status says why), a CA that
//! is down retried with backoff, renewal when the (test-controlled) clock passes two thirds of
//! the lifetime, the per-hour order cap, a restart that serves the stored certificate, and a
//! renewal while the DNS server and then the CA are unreachable (the held certificate is served,
//! the retries back off, the status names what is down).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use portico_tests::Daemon;
use portico_tests::daemon::free_port;
use portico_tests::https::{self, state, wait_status};
use portico_tests::pebble::{ChallSrv, Pebble, Targets};

/// The name brands point their portal names at.
const TARGET: &str = "portico.carrier.test";

struct Setup {
    dns: ChallSrv,
    pebble: Pebble,
    targets: Targets,
}

fn setup() -> Setup {
    let dns = ChallSrv::start();
    let targets = Targets {
        http_port: free_port(),
        tls_port: free_port(),
    };
    let pebble = Pebble::prepare(&dns, targets);
    Setup {
        dns,
        pebble,
        targets,
    }
}

impl Setup {
    fn daemon(&self, challenge: &str, extra: &str) -> Daemon {
        self.daemon_retrying(challenge, 2, extra)
    }

    /// A daemon whose retry wait doubles from 1 s up to `retry_max` s.
    fn daemon_retrying(&self, challenge: &str, retry_max: u32, extra: &str) -> Daemon {
        let config = format!(
            r#"
data_dir = "{{dir}}"
[admin]
socket = "{{dir}}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{{port}}"]
[tls]
mode = "acme"
listen = ["127.0.0.1:{{https_port}}"]
cname_target = "{TARGET}"
name_servers = ["{dns}"]
acme_directory = "{directory}"
acme_root = "{root}"
challenge = "{challenge}"
check_interval_ms = 200
dns_recheck_secs = 1
retry_base_secs = 1
retry_max_secs = {retry_max}
clock_file = "{{dir}}/clock"
caa_identities = ["pebble.letsencrypt.org"]
{extra}
"#,
            dns = self.dns.dns_addr(),
            directory = self.pebble.directory(),
            root = self.pebble.listener_root().display(),
        );
        Daemon::builder()
            .http_port(self.targets.http_port)
            .https_port(self.targets.tls_port)
            .config(config)
            .start()
    }
}

fn add(d: &Daemon, fqdn: &str) {
    d.cli().ok([
        "domain",
        "add",
        fqdn,
        "--currencies",
        "USD",
        "--brand-name",
        "Acme Voice",
    ]);
}

fn orders_logged(d: &Daemon, fqdn: &str) -> usize {
    d.logs()
        .lines()
        .filter(|l| l.contains("tls: ordering a certificate") && l.contains(fqdn))
        .count()
}

fn assert_served_by_pebble(d: &Daemon, pebble: &Pebble, fqdn: &str) -> serde_json::Value {
    let status = wait_status(d, fqdn, "active", |s| state(s) == "active");
    assert_eq!(status["cert"]["source"], "acme");
    assert!(
        status["cert"]["issuer"]
            .as_str()
            .unwrap()
            .contains("Pebble"),
        "{status:#}"
    );
    let root = pebble.issuing_root();
    let page = https::get(fqdn, d.https_port(), "/login", &root)
        .unwrap_or_else(|e| panic!("{fqdn}: {e}\n{}", d.logs()));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Acme Voice"), "{}", page.body);
    assert_eq!(
        page.header("strict-transport-security").as_deref(),
        Some("max-age=31536000")
    );
    status
}

#[test]
fn http_01_gets_a_certificate_for_a_cname_and_tells_why_not_for_the_others() {
    let mut s = setup();
    s.pebble.start();
    s.dns.set_cname("portal.acme.test", TARGET);
    s.dns.add_a("a-record.acme.test", &["203.0.113.7"]);
    s.dns.set_cname("elsewhere.acme.test", "other.example");
    let mut d = s.daemon("http-01", "");
    for name in [
        "portal.acme.test",
        "a-record.acme.test",
        "elsewhere.acme.test",
    ] {
        add(&d, name);
    }

    let status = assert_served_by_pebble(&d, &s.pebble, "portal.acme.test");
    assert_eq!(status["dns"]["ok"], true);
    assert_eq!(status["dns"]["found"], format!("CNAME to {TARGET}"));

    let a = wait_status(&d, "a-record.acme.test", "dns_pending", |s| {
        state(s) == "dns_pending"
    });
    let found = a["state"]["found"].as_str().unwrap();
    assert!(
        found.contains("A record 203.0.113.7 instead of a CNAME"),
        "{found}"
    );
    assert!(found.contains(TARGET), "says what to point at: {found}");
    assert!(a["cert"].is_null());
    let other = wait_status(&d, "elsewhere.acme.test", "dns_pending", |s| {
        state(s) == "dns_pending"
    });
    let found = other["state"]["found"].as_str().unwrap();
    assert!(found.contains("CNAME to other.example"), "{found}");
    assert_eq!(
        orders_logged(&d, "a-record.acme.test"),
        0,
        "no order without the CNAME"
    );
    assert_eq!(orders_logged(&d, "elsewhere.acme.test"), 0);

    // On demand: the CLI shows what DNS has now.
    let text = d.cli().ok(["domain", "check", "a-record.acme.test"]);
    assert!(
        text.contains("A record 203.0.113.7 instead of a CNAME"),
        "{text}"
    );
    let table = d.cli().ok(["domain", "status"]);
    assert!(
        table.contains("portal.acme.test") && table.contains("active"),
        "{table}"
    );
    assert!(table.contains("dns_pending"), "{table}");

    // Fixing DNS and checking again orders at once.
    s.dns.set_cname("elsewhere.acme.test", TARGET);
    let checked = d.cli().json(["domain", "check", "elsewhere.acme.test"]);
    assert_eq!(checked["dns"]["ok"], true, "{checked:#}");
    assert_served_by_pebble(&d, &s.pebble, "elsewhere.acme.test");

    // A restart serves the stored certificate at once, without a new order.
    let serial = status["cert"]["serial"].as_str().unwrap().to_string();
    d.restart();
    let served = https::served_serial("portal.acme.test", d.https_port()).unwrap();
    assert_eq!(https::serial_key(&served), https::serial_key(&serial));
    std::thread::sleep(std::time::Duration::from_millis(600));
    let after = d.cli().json(["domain", "status", "portal.acme.test"]);
    assert_eq!(after["cert"]["serial"], serial.as_str());
    assert_eq!(orders_logged(&d, "portal.acme.test"), 1, "{}", d.logs());
}

#[test]
fn tls_alpn_01_gets_a_certificate_and_the_order_cap_holds_the_next_one_back() {
    let mut s = setup();
    s.pebble.start();
    s.dns.set_cname("portal.acme.test", TARGET);
    s.dns.set_cname("second.acme.test", TARGET);
    let d = s.daemon("tls-alpn-01", "orders_per_hour = 1");
    add(&d, "portal.acme.test");
    assert_served_by_pebble(&d, &s.pebble, "portal.acme.test");
    assert!(
        d.logs().contains("answered an acme-tls/1 validation"),
        "{}",
        d.logs()
    );
    assert!(!d.logs().contains("answered an HTTP-01 validation"));

    add(&d, "second.acme.test");
    let held = wait_status(&d, "second.acme.test", "held back by the cap", |s| {
        s["note"]
            .as_str()
            .is_some_and(|n| n.contains("orders_per_hour"))
    });
    assert!(held["cert"].is_null(), "{held:#}");
    assert_eq!(orders_logged(&d, "second.acme.test"), 0);
}

#[test]
fn a_ca_that_is_down_is_retried_with_backoff_then_the_clock_drives_renewal() {
    let mut s = setup();
    // Pebble is not started yet: every order fails.
    s.dns.set_cname("portal.acme.test", TARGET);
    let d = s.daemon("http-01", "");
    add(&d, "portal.acme.test");
    let failed = wait_status(&d, "portal.acme.test", "failed twice", |s| {
        state(s) == "failed" && s["failures"].as_u64().unwrap_or(0) >= 2
    });
    let problem = failed["state"]["problem"].as_str().unwrap();
    assert!(
        problem.to_lowercase().contains("connect") || problem.contains("refused"),
        "{problem}"
    );
    assert!(failed["state"]["next_retry"].as_i64().unwrap() > 0);
    let text = d.cli().ok(["domain", "status", "portal.acme.test"]);
    assert!(
        text.contains("failed:") && text.contains("next try"),
        "{text}"
    );

    s.pebble.start();
    let first = assert_served_by_pebble(&d, &s.pebble, "portal.acme.test");
    assert_eq!(first["failures"], 0);
    let serial = first["cert"]["serial"].as_str().unwrap().to_string();
    let renew_at = first["cert"]["renew_at"].as_i64().unwrap();
    let (nb, na) = (
        first["cert"]["not_before"].as_i64().unwrap(),
        first["cert"]["not_after"].as_i64().unwrap(),
    );
    assert_eq!(renew_at, nb + (na - nb) * 2 / 3);

    // The clock passes two thirds of the lifetime: a new certificate, served without restart.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    std::fs::write(d.dir().join("clock"), format!("{}", renew_at - now + 60)).unwrap();
    let renewed = wait_status(&d, "portal.acme.test", "renewed", |s| {
        state(s) == "active" && s["cert"]["serial"].as_str() != Some(serial.as_str())
    });
    std::fs::remove_file(d.dir().join("clock")).unwrap();
    let new_serial = renewed["cert"]["serial"].as_str().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let served = https::served_serial("portal.acme.test", d.https_port()).unwrap();
        if https::serial_key(&served) != https::serial_key(&serial) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the old certificate is still served"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_ne!(new_serial, serial);
    assert!(orders_logged(&d, "portal.acme.test") >= 2);
}

#[test]
fn a_ca_rejecting_every_nonce_fails_with_its_problem_then_a_fresh_ca_issues() {
    let mut s = setup();
    s.pebble.env("PEBBLE_WFE_NONCEREJECT", "100");
    s.pebble.start();
    s.dns.set_cname("portal.acme.test", TARGET);
    let d = s.daemon("http-01", "");
    add(&d, "portal.acme.test");
    let failed = wait_status(&d, "portal.acme.test", "failed", |s| state(s) == "failed");
    let problem = failed["state"]["problem"].as_str().unwrap();
    assert!(
        problem.contains("badNonce"),
        "the CA's problem type is kept: {problem}"
    );

    // The CA comes back healthy: the next retry (after the backoff) goes through.
    s.pebble.stop();
    s.pebble.env("PEBBLE_WFE_NONCEREJECT", "0");
    s.pebble.start();
    assert_served_by_pebble(&d, &s.pebble, "portal.acme.test");
}

/// The `failures` count and `next_retry` of each failure in a row whose problem mentions
/// `problem`, until `failures` reaches `upto`.
fn failure_series(d: &Daemon, fqdn: &str, upto: u64, problem: &str) -> Vec<(u64, i64)> {
    let mut series: Vec<(u64, i64)> = Vec::new();
    while series.last().is_none_or(|(n, _)| *n < upto) {
        let after = series.last().map_or(0, |l| l.0);
        let s = wait_status(d, fqdn, &format!("failed with {problem:?}"), |s| {
            state(s) == "failed"
                && s["failures"].as_u64().unwrap_or(0) > after
                && s["state"]["problem"]
                    .as_str()
                    .is_some_and(|p| p.contains(problem))
        });
        series.push((
            s["failures"].as_u64().unwrap(),
            s["state"]["next_retry"].as_i64().unwrap(),
        ));
    }
    series
}

#[test]
fn a_held_certificate_is_served_while_dns_and_the_ca_are_down_and_renewal_backs_off() {
    let mut s = setup();
    s.pebble.start();
    s.dns.set_cname("portal.acme.test", TARGET);
    let d = s.daemon_retrying("http-01", 16, "");
    add(&d, "portal.acme.test");
    let first = assert_served_by_pebble(&d, &s.pebble, "portal.acme.test");
    let serial = first["cert"]["serial"].as_str().unwrap().to_string();
    let root = s.pebble.issuing_root();

    // DNS and the CA go away; then the clock passes two thirds of the certificate's lifetime.
    s.dns.stop();
    s.pebble.stop();
    let renew_at = first["cert"]["renew_at"].as_i64().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    std::fs::write(d.dir().join("clock"), format!("{}", renew_at - now + 60)).unwrap();

    // The renewal's DNS check gets no answer: a failed attempt, retried later and later; the
    // status says the DNS server is unreachable, not that the record is wrong.
    let dns_down = failure_series(&d, "portal.acme.test", 3, "DNS server unreachable");
    let gaps: Vec<i64> = dns_down.windows(2).map(|w| w[1].1 - w[0].1).collect();
    assert!(
        gaps.windows(2).all(|g| g[1] > g[0]),
        "the wait between retries grows: next_retry {dns_down:?}"
    );
    let text = d.cli().ok(["domain", "status", "portal.acme.test"]);
    assert!(
        text.contains("DNS server unreachable") && text.contains("next try"),
        "{text}"
    );
    // Meanwhile the certificate held is served, over HTTPS, as before.
    let page = https::get("portal.acme.test", d.https_port(), "/login", &root).unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(
        https::serial_key(&https::served_serial("portal.acme.test", d.https_port()).unwrap()),
        https::serial_key(&serial)
    );

    // DNS is back (the CNAME is still right) but the CA is not: the order fails, the status
    // says the CA is unreachable, and the wait keeps growing from where it was.
    s.dns.start_again();
    s.dns.set_cname("portal.acme.test", TARGET);
    let last = dns_down.last().unwrap().0;
    let ca_down = failure_series(&d, "portal.acme.test", last + 1, "CA unreachable");
    let (n, _) = ca_down.last().unwrap();
    assert!(*n > last, "{ca_down:?}");
    let text = d.cli().ok(["domain", "status", "portal.acme.test"]);
    assert!(text.contains("CA unreachable"), "{text}");
    assert_eq!(
        https::serial_key(&https::served_serial("portal.acme.test", d.https_port()).unwrap()),
        https::serial_key(&serial)
    );

    // The CA is back: the next retry renews, and the new certificate is served.
    s.pebble.start();
    let renewed = wait_status(&d, "portal.acme.test", "renewed", |s| {
        state(s) == "active" && s["cert"]["serial"].as_str() != Some(serial.as_str())
    });
    assert_eq!(renewed["failures"], 0);
    let new_serial = renewed["cert"]["serial"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while https::serial_key(&https::served_serial("portal.acme.test", d.https_port()).unwrap())
        != https::serial_key(&new_serial)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the renewed certificate is not served"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
