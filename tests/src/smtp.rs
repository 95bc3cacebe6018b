//! A real SMTP server on loopback for the portal's mail tests: Debian's `python3-aiosmtpd`
//! (`python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c portico_sink.Sink DIR`) with a small handler
//! that writes every message it accepts to a directory as JSON, decoded by Python's `email`
//! package (subject, text and HTML parts), next to the raw message.
//!
//! ```no_run
//! use portico_tests::smtp::SmtpServer;
//! let smtp = SmtpServer::start();
//! // configure the brand: --smtp-host 127.0.0.1 --smtp-port smtp.port() ...
//! let mail = smtp.wait_for_mail_to("alice@acme.test");
//! let link = mail.link_containing("/reset/").expect("a reset link");
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tempfile::TempDir;

use crate::browser::python3;
use crate::daemon::start_on_free_port;

/// How long the server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long [`SmtpServer::wait_for_mail_to`] waits by default.
pub const MAIL_WAIT: Duration = Duration::from_secs(20);

/// The aiosmtpd handler: each message becomes `NNNNNN.json` (written to a temporary name, then
/// renamed, so a reader never sees half a file).
const SINK_PY: &str = r#"
import email, email.policy, itertools, json, os, threading

class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()
        self.counter = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error('portico_sink.Sink takes the output directory')
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode('utf-8', 'surrogateescape')
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text, html = [], []
        for part in msg.walk():
            if part.is_multipart() or part.get_content_disposition() == 'attachment':
                continue
            kind = part.get_content_type()
            if kind in ('text/plain', 'text/html'):
                try:
                    body = part.get_content()
                except Exception as e:
                    body = 'UNDECODABLE PART: %s' % e
                (text if kind == 'text/plain' else html).append(body)
        record = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': list(envelope.rcpt_tos),
            'peer': str(session.peer),
            'subject': str(msg.get('subject', '')),
            'from': str(msg.get('from', '')),
            'to': str(msg.get('to', '')),
            'headers': [[k, str(v)] for k, v in msg.items()],
            'text': text,
            'html': html,
            'raw': raw.decode('utf-8', 'replace'),
        }
        with self.lock:
            n = next(self.counter)
        path = os.path.join(self.directory, '%06d.json' % n)
        with open(path + '.tmp', 'w') as f:
            json.dump(record, f)
        os.rename(path + '.tmp', path)
        return '250 Message accepted for delivery'
"#;

/// A message the server accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    /// The envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`).
    pub rcpt_tos: Vec<String>,
    /// The `Subject:` header, decoded.
    pub subject: String,
    /// The `From:` header, decoded.
    pub from: String,
    /// The `To:` header, decoded.
    pub to: String,
    /// Every header, decoded, in order.
    pub headers: Vec<(String, String)>,
    /// The decoded `text/plain` parts.
    pub text: Vec<String>,
    /// The decoded `text/html` parts.
    pub html: Vec<String>,
    /// The message as sent.
    pub raw: String,
}

impl Mail {
    /// Whether the envelope or the `To:` header names `address` (case-insensitive).
    pub fn is_to(&self, address: &str) -> bool {
        let address = address.to_ascii_lowercase();
        self.rcpt_tos
            .iter()
            .any(|r| r.to_ascii_lowercase() == address)
            || self.to.to_ascii_lowercase().contains(&address)
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The text parts, or the HTML parts when there is no text part, joined.
    pub fn body(&self) -> String {
        if self.text.is_empty() {
            self.html.join("\n")
        } else {
            self.text.join("\n")
        }
    }

    /// Every `http://` or `https://` URL in the text and HTML parts, in order, without
    /// duplicates; `&amp;` in HTML attributes is decoded.
    pub fn links(&self) -> Vec<String> {
        let mut found = Vec::new();
        for part in self.text.iter().chain(&self.html) {
            for link in links_in(part) {
                if !found.contains(&link) {
                    found.push(link);
                }
            }
        }
        found
    }

    /// The first link that contains `needle` (e.g. `/reset/`).
    pub fn link_containing(&self, needle: &str) -> Option<String> {
        self.links().into_iter().find(|l| l.contains(needle))
    }
}

/// The URLs in `text`: from `http://`/`https://` up to whitespace, a quote, `<`, `>` or `)`,
/// without trailing punctuation.
pub fn links_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let at = match (rest.find("http://"), rest.find("https://")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => break,
        };
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .unwrap_or(tail.len());
        let link = tail[..end]
            .trim_end_matches(['.', ',', ';', ':', '!', '?'])
            .replace("&amp;", "&");
        out.push(link);
        rest = &tail[end..];
    }
    out
}

/// A running aiosmtpd on 127.0.0.1 that keeps every message; stopped when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    dir: TempDir,
    port: u16,
    child: Child,
    cert: Option<PathBuf>,
}

impl SmtpServer {
    /// Starts a plain SMTP server (no TLS, no AUTH: a domain's `--smtp-security none`, no
    /// username) on a free port.
    ///
    /// # Panics
    /// When Debian's `python3-aiosmtpd` is missing or the server does not listen.
    pub fn start() -> SmtpServer {
        SmtpServer::launch(false)
    }

    /// Starts a server that offers STARTTLS and requires it before `MAIL FROM`, with a
    /// self-signed certificate for `localhost` and `127.0.0.1` ([`SmtpServer::cert_path`]): a
    /// client must trust that certificate (or not check it) to deliver.
    pub fn start_with_starttls() -> SmtpServer {
        SmtpServer::launch(true)
    }

    /// The PEM certificate of a STARTTLS server.
    pub fn cert_path(&self) -> Option<&Path> {
        self.cert.as_deref()
    }

    fn launch(starttls: bool) -> SmtpServer {
        let dir = tempfile::Builder::new()
            .prefix("portico-smtp-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let python = python3();
        let check = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        assert!(
            check.status.success(),
            "{} cannot import aiosmtpd: the mail tests need Debian's python3-aiosmtpd \
             (`apt-get install python3-aiosmtpd`; ./.ci/run installs it)\n{}",
            python.display(),
            String::from_utf8_lossy(&check.stderr)
        );
        std::fs::write(dir.path().join("portico_sink.py"), SINK_PY)
            .unwrap_or_else(|e| panic!("cannot write the SMTP handler: {e}"));
        let mails = dir.path().join("mail");
        std::fs::create_dir(&mails).unwrap_or_else(|e| panic!("{}: {e}", mails.display()));
        let tls = starttls.then(|| {
            crate::browser::self_signed_cert(
                dir.path(),
                &["DNS:localhost".to_string(), "IP:127.0.0.1".to_string()],
            )
        });

        let log = dir.path().join("aiosmtpd.log");
        let (child, port) = start_on_free_port("aiosmtpd", &log, START_TIMEOUT, |port| {
            let log_file = File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
            Command::new(&python)
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(tls.iter().flat_map(|(cert, key)| {
                    [
                        "--tlscert".as_ref(),
                        cert.as_os_str(),
                        "--tlskey".as_ref(),
                        key.as_os_str(),
                    ]
                }))
                .args(["-c", "portico_sink.Sink"])
                .arg(&mails)
                .env("PYTHONPATH", dir.path())
                .env("PYTHONUNBUFFERED", "1")
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()))
        });
        SmtpServer {
            dir,
            port,
            child,
            cert: tls.map(|(cert, _)| cert),
        }
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The host the server listens on: `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// Where the messages are written.
    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Every message accepted so far, in arrival order.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.mail_dir())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files.iter().map(|p| read_mail(p)).collect()
    }

    /// The messages to `address` so far.
    pub fn messages_to(&self, address: &str) -> Vec<Mail> {
        self.messages()
            .into_iter()
            .filter(|m| m.is_to(address))
            .collect()
    }

    /// Waits up to [`MAIL_WAIT`] for a message to `address` and returns the latest one.
    ///
    /// # Panics
    /// When none arrives; the message lists what did arrive and the server's log.
    pub fn wait_for_mail_to(&self, address: &str) -> Mail {
        self.wait_for_mail_to_within(address, MAIL_WAIT)
    }

    /// Like [`SmtpServer::wait_for_mail_to`] with another timeout.
    pub fn wait_for_mail_to_within(&self, address: &str, timeout: Duration) -> Mail {
        self.wait_for_nth_mail_to(address, 1, timeout)
    }

    /// Waits until `n` messages to `address` have arrived and returns the `n`-th (for a second
    /// reset request, say).
    pub fn wait_for_nth_mail_to(&self, address: &str, n: usize, timeout: Duration) -> Mail {
        let deadline = Instant::now() + timeout;
        loop {
            let mut to = self.messages_to(address);
            if to.len() >= n {
                return to.swap_remove(n - 1);
            }
            if Instant::now() >= deadline {
                let all = self.messages();
                panic!(
                    "no mail number {n} to {address} within {timeout:?}; {} message(s) arrived: \
                     {:?}\n--- aiosmtpd log ---\n{}",
                    all.len(),
                    all.iter()
                        .map(|m| format!("to {:?}: {}", m.rcpt_tos, m.subject))
                        .collect::<Vec<_>>(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What aiosmtpd printed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("aiosmtpd.log")).unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- aiosmtpd log ---\n{}", self.log());
        }
    }
}

fn read_mail(path: &Path) -> Mail {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not a message record ({e}): {text}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};

    use super::*;

    #[test]
    fn finds_links_in_text_and_html() {
        assert_eq!(
            links_in("Reset: https://a.test/reset/abc?x=1&amp;y=2.\nOr http://b.test/x)"),
            vec!["https://a.test/reset/abc?x=1&y=2", "http://b.test/x"]
        );
        assert_eq!(
            links_in("<a href=\"https://a.test/r/1\">https://a.test/r/1</a>"),
            vec!["https://a.test/r/1", "https://a.test/r/1"]
        );
        assert!(links_in("no links here").is_empty());
    }

    /// Speaks SMTP to the real aiosmtpd by hand: a quoted-printable message with a long link
    /// arrives decoded, and the link is found whole.
    #[test]
    fn a_real_smtp_server_keeps_each_message() {
        let smtp = SmtpServer::start();
        let stream = std::net::TcpStream::connect(("127.0.0.1", smtp.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut expect = |code: &str| loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            assert!(line.starts_with(code), "expected {code}, got {line:?}");
            if line.as_bytes().get(3) != Some(&b'-') {
                break;
            }
        };
        expect("220");
        let mut send = |line: &str, code: &str| {
            writer.write_all(line.as_bytes()).unwrap();
            expect(code);
        };
        send("EHLO portico.test\r\n", "250");
        send("MAIL FROM:<noreply@acme.test>\r\n", "250");
        send("RCPT TO:<Alice@Acme.test>\r\n", "250");
        send("DATA\r\n", "354");
        let link = "https://acme.test/reset/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        // Quoted-printable: soft line breaks cut the link in two.
        let (a, b) = link.split_at(60);
        let body = format!(
            "From: Acme <noreply@acme.test>\r\nTo: alice@acme.test\r\n\
             Subject: =?utf-8?q?R=C3=A9initialiser?=\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n\
             Open {a}=\r\n{b} within 30 minutes.\r\n.\r\n"
        );
        send(&body, "250");
        send("QUIT\r\n", "221");

        let mail = smtp.wait_for_mail_to("alice@acme.test");
        assert_eq!(mail.subject, "Réinitialiser");
        assert_eq!(mail.mail_from, "noreply@acme.test");
        assert_eq!(mail.link_containing("/reset/").as_deref(), Some(link));
        assert!(mail.body().contains("within 30 minutes"), "{}", mail.body());
        assert!(smtp.messages_to("bob@acme.test").is_empty());
        assert_eq!(smtp.messages().len(), 1);
    }

    /// With STARTTLS, mail is refused before the handshake and accepted after it (Python's
    /// smtplib as the client, trusting the server's certificate).
    #[test]
    fn a_starttls_server_requires_tls() {
        let smtp = SmtpServer::start_with_starttls();
        let cert = smtp.cert_path().unwrap();
        let script = r#"
import smtplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
with smtplib.SMTP('127.0.0.1', port, timeout=10) as s:
    s.ehlo()
    assert s.has_extn('starttls'), 'no STARTTLS offered'
    code, _ = s.mail('noreply@acme.test')
    assert code == 530, 'MAIL before STARTTLS answered %d' % code
    s.rset()
    ctx = ssl.create_default_context(cafile=cafile)
    s.starttls(context=ctx)
    s.sendmail('noreply@acme.test', ['carol@acme.test'],
               'Subject: over TLS\r\n\r\nhttps://acme.test/confirm/xyz\r\n')
"#;
        let out = Command::new(python3())
            .arg("-c")
            .arg(script)
            .arg(smtp.port().to_string())
            .arg(cert)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mail = smtp.wait_for_mail_to("carol@acme.test");
        assert_eq!(mail.subject, "over TLS");
        assert_eq!(
            mail.link_containing("/confirm/").as_deref(),
            Some("https://acme.test/confirm/xyz")
        );
    }
}
