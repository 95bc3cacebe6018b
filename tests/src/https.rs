//! HTTPS from the outside, as a browser sees it: curl with only the given root trusted, and
//! openssl to read the certificate a name is served with. Both run on loopback only
//! (`--resolve NAME:PORT:127.0.0.1`), never reaching another address.

use std::path::Path;
use std::process::{Command, Stdio};

/// An HTTPS answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The status code.
    pub status: u16,
    /// The raw header block (lower-cased names are easiest to search with [`Fetched::header`]).
    pub headers: String,
    /// The body.
    pub body: String,
    /// The HTTP version curl negotiated (`2` or `1.1`).
    pub http_version: String,
}

impl Fetched {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        self.headers.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            (n.trim().to_ascii_lowercase() == name).then(|| v.trim().to_string())
        })
    }

    /// The value a `Set-Cookie` header of the answer gives cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            if !n.trim().eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let pair = v.trim().split(';').next()?;
            let (cookie, value) = pair.split_once('=')?;
            (cookie.trim() == name).then(|| value.trim().to_string())
        })
    }
}

/// `GET https://NAME:PORT/PATH`, with NAME resolved to 127.0.0.1 and only `root_pem` trusted.
/// `Err` holds curl's message (a handshake that failed, a certificate not trusted, ...).
pub fn get(name: &str, port: u16, path: &str, root_pem: &Path) -> Result<Fetched, String> {
    call(name, port, path, root_pem, &Opts::default())
}

/// What else a request made by [`call`] carries.
#[derive(Debug, Clone, Default)]
pub struct Opts {
    /// The `Host` header (HTTP/2 `:authority`) when it is not the name connected to (the SNI).
    pub host: Option<String>,
    /// Cookies sent, by name and value.
    pub cookies: Vec<(String, String)>,
    /// A form posted (URL-encoded); `None` makes a GET.
    pub form: Option<Vec<(String, String)>>,
    /// More request headers (`Origin`, ...).
    pub headers: Vec<(String, String)>,
    /// The loopback address to connect from (e.g. `127.0.0.2`), as another client would.
    pub from: Option<String>,
    /// Speak HTTP/1.1 even though the server offers HTTP/2.
    pub http1: bool,
}

impl Opts {
    /// With one more cookie.
    pub fn cookie(mut self, name: &str, value: &str) -> Self {
        self.cookies.push((name.into(), value.into()));
        self
    }

    /// Posting `fields`.
    pub fn post(mut self, fields: &[(&str, &str)]) -> Self {
        self.form = Some(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        );
        self
    }

    /// With one more header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// With this `Host` header.
    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Speaking HTTP/1.1 only.
    pub fn http1(mut self) -> Self {
        self.http1 = true;
        self
    }

    /// Connecting from this loopback address.
    pub fn from(mut self, addr: &str) -> Self {
        self.from = Some(addr.into());
        self
    }
}

/// A request to `https://NAME:PORT/PATH` (TLS server name NAME, resolved to 127.0.0.1, only
/// `root_pem` trusted) with what `opts` adds. Redirects are not followed.
pub fn call(
    name: &str,
    port: u16,
    path: &str,
    root_pem: &Path,
    opts: &Opts,
) -> Result<Fetched, String> {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--noproxy", "*", "--max-time", "20", "-D", "-"])
        .arg("--cacert")
        .arg(root_pem)
        .arg("--resolve")
        .arg(format!("{name}:{port}:127.0.0.1"))
        .args(["-w", "\n%{http_code} %{http_version}"]);
    if let Some(host) = &opts.host {
        cmd.arg("-H").arg(format!("Host: {host}"));
    }
    for (n, v) in &opts.headers {
        cmd.arg("-H").arg(format!("{n}: {v}"));
    }
    if !opts.cookies.is_empty() {
        let jar: Vec<String> = opts
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        cmd.arg("-b").arg(jar.join("; "));
    }
    if let Some(form) = &opts.form {
        // An empty form is still a POST.
        if form.is_empty() {
            cmd.args(["--data-raw", ""]);
        }
        for (k, v) in form {
            cmd.arg("--data-urlencode").arg(format!("{k}={v}"));
        }
    }
    if let Some(from) = &opts.from {
        cmd.arg("--interface").arg(from);
    }
    if opts.http1 {
        cmd.arg("--http1.1");
    }
    let out = cmd
        .arg(format!("https://{name}:{port}{path}"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run curl (is it installed? .ci/run installs it): {e}"));
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (rest, last) = text
        .rsplit_once('\n')
        .ok_or_else(|| format!("curl printed no status line:\n{text}"))?;
    let (code, version) = last.split_once(' ').unwrap_or((last, ""));
    let status = code
        .trim()
        .parse()
        .map_err(|_| format!("curl printed no status: {last}"))?;
    let (headers, body) = rest
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_string(), b.to_string()))
        .unwrap_or_else(|| (rest.to_string(), String::new()));
    Ok(Fetched {
        status,
        headers,
        body,
        http_version: version.trim().to_string(),
    })
}

/// The serial (upper-case hex, as openssl prints it) of the certificate served for `name` on
/// `127.0.0.1:port`; `Err` when the handshake fails (no certificate for that name).
pub fn served_serial(name: &str, port: u16) -> Result<String, String> {
    served(name, port, "-serial").map(|s| {
        s.trim()
            .trim_start_matches("serial=")
            .trim()
            .to_ascii_uppercase()
    })
}

/// The serial of the certificate served to a client that sends no SNI.
pub fn served_serial_without_sni(port: u16) -> Result<String, String> {
    served_with(port, "-noservername", "-serial").map(|s| {
        s.trim()
            .trim_start_matches("serial=")
            .trim()
            .to_ascii_uppercase()
    })
}

/// The issuer line of the certificate served for `name`.
pub fn served_issuer(name: &str, port: u16) -> Result<String, String> {
    served(name, port, "-issuer").map(|s| s.trim().to_string())
}

fn served(name: &str, port: u16, what: &str) -> Result<String, String> {
    served_with(port, &format!("-servername {name}"), what)
}

fn served_with(port: u16, sni: &str, what: &str) -> Result<String, String> {
    let script = format!(
        "openssl s_client -connect 127.0.0.1:{port} {sni} </dev/null 2>/dev/null \
         | openssl x509 -noout {what}"
    );
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", &script])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash/openssl: {e}"));
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "no certificate served ({sni}) on port {port}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Whether a second connection to `name` resumes the TLS session the first one was given, as
/// an OpenSSL client (wrk, curl) sees it: `openssl s_client -sess_out`, then `-sess_in`.
pub fn resumes(name: &str, port: u16) -> bool {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"));
    let session = dir.path().join("session.pem");
    let connect = |arg: &str| {
        // A request that the server answers, so that TLS 1.3 tickets (sent after the
        // handshake) arrive before the connection closes.
        let script = format!(
            "printf 'GET /login HTTP/1.1\\r\\nHost: {name}\\r\\nConnection: close\\r\\n\\r\\n' \
             | openssl s_client -connect 127.0.0.1:{port} -servername {name} -ign_eof {arg} {} \
             2>/dev/null",
            session.display()
        );
        let out = Command::new("bash")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run bash/openssl: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = connect("-sess_out");
    assert!(
        first.contains("New, "),
        "no TLS session with {name} on port {port}:\n{first}"
    );
    if !session.exists() {
        return false;
    }
    connect("-sess_in")
        .lines()
        .any(|l| l.starts_with("Reused,"))
}

/// Normalises a serial for comparison: upper-case hex without leading zeros.
pub fn serial_key(serial: &str) -> String {
    serial
        .trim()
        .to_ascii_uppercase()
        .trim_start_matches('0')
        .to_string()
}

/// Polls `portico domain status FQDN --json` until `done` holds (a minute at most) and
/// returns that status.
///
/// # Panics
/// When it does not hold within a minute; the message holds the last status and the logs.
pub fn wait_status(
    daemon: &crate::Daemon,
    fqdn: &str,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let status = daemon.cli().json(["domain", "status", fqdn]);
        if done(&status) {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{fqdn} did not become {what} within a minute; last status:\n{status:#}\n{}",
            daemon.logs()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The `state` name of a status (`active`, `dns_pending`, ...).
pub fn state(status: &serde_json::Value) -> &str {
    status["state"]["state"].as_str().unwrap_or("")
}
