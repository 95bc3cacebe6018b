//! Let's Encrypt's Pebble (an ACME CA for tests) and pebble-challtestsrv (here: the DNS server
//! whose records a test sets), run per test on loopback with free ports, from Debian's `pebble`
//! package (`/usr/bin/pebble`, `/usr/bin/pebble-challtestsrv`).
//!
//! Debian's package does not ship Pebble's listener certificate: [`Pebble::start`] makes a CA
//! and a listener certificate with rcgen; the daemon trusts that CA (`[tls] acme_root`). The
//! certificates Pebble issues chain to another root, made anew at every start, which
//! [`Pebble::issuing_root`] fetches from the management API.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use crate::daemon::free_port;

const READY_TIMEOUT: Duration = Duration::from_secs(20);

fn find(program: &str) -> PathBuf {
    let path = Path::new("/usr/bin").join(program);
    assert!(
        path.exists(),
        "{} is missing: install Debian's `pebble` package (.ci/run does)",
        path.display()
    );
    path
}

fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) {
    if let Err(e) = crate::daemon::wait_for_port(child, port, what, READY_TIMEOUT) {
        panic!("{e}:\n{}", std::fs::read_to_string(log).unwrap_or_default());
    }
}

fn stop(child: &mut Option<Child>) {
    if let Some(mut c) = child.take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// pebble-challtestsrv as a DNS server on loopback.
#[derive(Debug)]
pub struct ChallSrv {
    dir: TempDir,
    dns_port: u16,
    mgmt_port: u16,
    child: Option<Child>,
}

impl ChallSrv {
    /// Starts it with only its DNS server and management API, answering names without
    /// records with 127.0.0.1 (and no AAAA, so Pebble validates over IPv4).
    pub fn start() -> ChallSrv {
        let dir = tempfile::Builder::new()
            .prefix("portico-challtestsrv-")
            .tempdir()
            .unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let (dns_port, mgmt_port) = (free_port(), free_port());
        let mut srv = ChallSrv {
            dir,
            dns_port,
            mgmt_port,
            child: None,
        };
        srv.start_again();
        srv
    }

    /// Stops it: its DNS server no longer answers (the port is closed).
    pub fn stop(&mut self) {
        stop(&mut self.child);
    }

    /// Starts it again on the same ports, after [`ChallSrv::stop`]; it starts without records.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "pebble-challtestsrv is running");
        let (dns_port, mgmt_port) = (self.dns_port, self.mgmt_port);
        let log = self.dir.path().join("challtestsrv.log");
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap_or_else(|e| panic!("{e}"));
        let err = out.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let mut child = Command::new(find("pebble-challtestsrv"))
            .arg("-dns01")
            .arg(format!("127.0.0.1:{dns_port}"))
            .arg("-management")
            .arg(format!("127.0.0.1:{mgmt_port}"))
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start pebble-challtestsrv: {e}"));
        wait_for_port(mgmt_port, &mut child, "pebble-challtestsrv", &log);
        // The DNS server listens (TCP and UDP) once the management API does.
        wait_for_port(dns_port, &mut child, "pebble-challtestsrv DNS", &log);
        self.child = Some(child);
    }

    /// Its DNS address, for `[tls] name_servers` and Pebble's `-dnsserver`.
    pub fn dns_addr(&self) -> String {
        format!("127.0.0.1:{}", self.dns_port)
    }

    /// `host` gets a CNAME to `target`.
    pub fn set_cname(&self, host: &str, target: &str) {
        self.post(
            "/set-cname",
            &serde_json::json!({"host": fqdn(host), "target": fqdn(target)}),
        );
    }

    /// `host` gets A records.
    pub fn add_a(&self, host: &str, addresses: &[&str]) {
        self.post(
            "/add-a",
            &serde_json::json!({"host": fqdn(host), "addresses": addresses}),
        );
    }

    /// `host` gets a CAA `issue` record for `issuer`.
    pub fn add_caa_issue(&self, host: &str, issuer: &str) {
        self.post(
            "/add-caa",
            &serde_json::json!({"host": fqdn(host), "policies": [{"tag": "issue", "value": issuer}]}),
        );
    }

    fn post(&self, path: &str, body: &serde_json::Value) {
        let body = body.to_string();
        let mut s = TcpStream::connect(("127.0.0.1", self.mgmt_port))
            .unwrap_or_else(|e| panic!("challtestsrv management: {e}"));
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes())
            .unwrap_or_else(|e| panic!("challtestsrv {path}: {e}"));
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "challtestsrv {path} {body}: {answer}\n{}",
            std::fs::read_to_string(self.dir.path().join("challtestsrv.log")).unwrap_or_default()
        );
    }
}

impl Drop for ChallSrv {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

/// Pebble, the ACME CA.
#[derive(Debug)]
pub struct Pebble {
    dir: TempDir,
    port: u16,
    mgmt_port: u16,
    config: PathBuf,
    dns: String,
    env: Vec<(String, String)>,
    child: Option<Child>,
}

/// What Pebble validates against: the daemon's plain-HTTP port (HTTP-01) and HTTPS port
/// (TLS-ALPN-01), both on 127.0.0.1.
#[derive(Debug, Clone, Copy)]
pub struct Targets {
    /// HTTP-01.
    pub http_port: u16,
    /// TLS-ALPN-01.
    pub tls_port: u16,
}

impl Pebble {
    /// Prepares Pebble (certificates, config, ports) without starting it, so that a test can
    /// point the daemon at a CA that is down, then [`Pebble::start`] it.
    pub fn prepare(dns: &ChallSrv, targets: Targets) -> Pebble {
        let dir = tempfile::Builder::new()
            .prefix("portico-pebble-")
            .tempdir()
            .unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let (port, mgmt_port) = (free_port(), free_port());
        let (ca_pem, cert_pem, key_pem) = listener_certificate();
        let p = dir.path();
        let write = |name: &str, text: &str| {
            std::fs::write(p.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
        };
        write("ca.pem", &ca_pem);
        write("cert.pem", &cert_pem);
        write("key.pem", &key_pem);
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": format!("127.0.0.1:{port}"),
                "managementListenAddress": format!("127.0.0.1:{mgmt_port}"),
                "certificate": p.join("cert.pem"),
                "privateKey": p.join("key.pem"),
                "httpPort": targets.http_port,
                "tlsPort": targets.tls_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false,
            }
        });
        write("pebble.json", &config.to_string());
        Pebble {
            port,
            mgmt_port,
            config: p.join("pebble.json"),
            dns: dns.dns_addr(),
            env: vec![
                ("PEBBLE_VA_NOSLEEP".into(), "1".into()),
                ("PEBBLE_WFE_NONCEREJECT".into(), "0".into()),
            ],
            child: None,
            dir,
        }
    }

    /// Prepares and starts Pebble.
    pub fn start_with(dns: &ChallSrv, targets: Targets) -> Pebble {
        let mut p = Pebble::prepare(dns, targets);
        p.start();
        p
    }

    /// Sets an environment variable for the next start (e.g. `PEBBLE_WFE_NONCEREJECT`).
    pub fn env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// Starts (or starts again) Pebble and waits until it listens.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "pebble is already running");
        let log = self.dir.path().join("pebble.log");
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap_or_else(|e| panic!("{e}"));
        let err = out.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let mut cmd = Command::new(find("pebble"));
        cmd.arg("-config")
            .arg(&self.config)
            .arg("-dnsserver")
            .arg(&self.dns)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start pebble: {e}"));
        wait_for_port(self.port, &mut child, "pebble", &log);
        wait_for_port(self.mgmt_port, &mut child, "pebble management", &log);
        self.child = Some(child);
    }

    /// Stops Pebble.
    pub fn stop(&mut self) {
        stop(&mut self.child);
    }

    /// The directory URL.
    pub fn directory(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.port)
    }

    /// The CA that signed Pebble's listener certificate (`[tls] acme_root`).
    pub fn listener_root(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Pebble's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pebble.log")).unwrap_or_default()
    }

    /// Writes the root Pebble issues certificates under (new at every start) to a file in its
    /// directory and returns the path.
    pub fn issuing_root(&self) -> PathBuf {
        let out = Command::new("curl")
            .args(["-sS", "--noproxy", "*", "--max-time", "10", "--cacert"])
            .arg(self.listener_root())
            .arg(format!("https://127.0.0.1:{}/roots/0", self.mgmt_port))
            .output()
            .unwrap_or_else(|e| panic!("cannot run curl: {e}"));
        let pem = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() && pem.contains("BEGIN CERTIFICATE"),
            "Pebble's /roots/0: {pem} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = self.dir.path().join("issuing-root.pem");
        std::fs::write(&path, pem).unwrap_or_else(|e| panic!("{e}"));
        path
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        stop(&mut self.child);
        if std::thread::panicking() {
            eprintln!("--- pebble log ---\n{}", self.log());
        }
    }
}

/// A CA and a listener certificate for 127.0.0.1 / localhost signed by it: (ca, cert, key).
fn listener_certificate() -> (String, String, String) {
    let ca = crate::certs::TestCa::new("Pebble listener test CA");
    let leaf = ca.leaf(&["127.0.0.1", "localhost"]);
    (ca.pem.clone(), leaf.chain_pem, leaf.key_pem)
}
