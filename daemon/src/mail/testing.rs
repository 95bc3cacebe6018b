//! A real SMTP server on loopback for the daemon's mail tests: Debian's `python3-aiosmtpd`
//! (`python3 -m aiosmtpd -n -l 127.0.0.1:PORT`) with a small handler that writes each accepted
//! message as JSON (envelope, subject, From, decoded text) to a temp dir. A missing aiosmtpd is a
//! loud failure that names the package, never a skipped test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portico_protocol::{Domain, SignupStatus, SmtpSecurity, SmtpSettings};
use serde::Deserialize;

const HANDLER: &str = r#"
import email, email.policy, itertools, json, os

class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode('utf-8', 'surrogateescape')
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=('plain', 'html'))
        record = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': list(envelope.rcpt_tos),
            'subject': str(msg.get('subject', '')),
            'from': str(msg.get('from', '')),
            'text': body.get_content() if body is not None else '',
        }
        path = os.path.join(self.directory, '%06d.json' % next(self.counter))
        with open(path + '.tmp', 'w') as f:
            json.dump(record, f)
        os.rename(path + '.tmp', path)
        return '250 OK'
"#;

/// One message the server accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub subject: String,
    pub from: String,
    pub text: String,
}

impl Mail {
    /// The first link in the text that contains `part`.
    pub fn link_with(&self, part: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(part))
            .map(str::to_owned)
    }
}

/// A running aiosmtpd; stopped when dropped.
pub struct Sink {
    child: Child,
    pub port: u16,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python3() -> &'static Path {
    Path::new("/usr/bin/python3")
}

impl Sink {
    /// Starts aiosmtpd on a free loopback port; panics (naming the package) when it cannot.
    pub fn start() -> Sink {
        let check = Command::new(python3())
            .args(["-c", "import aiosmtpd"])
            .output();
        match check {
            Ok(out) if out.status.success() => {}
            _ => panic!(
                "python3 -m aiosmtpd is missing: `apt-get install python3-aiosmtpd` (./.ci/run \
                 installs it)"
            ),
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("portico_mail_sink.py"), HANDLER).unwrap();
        let out = dir.path().join("mail");
        std::fs::create_dir(&out).unwrap();
        let mut last = String::new();
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = Command::new(python3())
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-c", "portico_mail_sink.Sink"])
                .arg(&out)
                .env("PYTHONPATH", dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starting python3 -m aiosmtpd");
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = child.try_wait() {
                    let mut err = String::new();
                    if let Some(mut stderr) = child.stderr.take() {
                        use std::io::Read;
                        let _ = stderr.read_to_string(&mut err);
                    }
                    last = format!("aiosmtpd exited ({status}): {err}");
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Sink {
                        child,
                        port,
                        out,
                        _dir: dir,
                    };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("aiosmtpd did not start on loopback: {last}");
    }

    /// SMTP settings of a brand that sends here (plain SMTP on loopback, no login).
    pub fn settings(&self, from: &str) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port: self.port,
            security: SmtpSecurity::None,
            username: String::new(),
            password_set: false,
            from: from.to_owned(),
        }
    }

    /// Every message received so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits (up to 20 s) until `count` messages to `to` arrived; returns the last of them.
    pub async fn wait_for(&self, to: &str, count: usize) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let to_them: Vec<Mail> = self
                .mails()
                .into_iter()
                .filter(|m| m.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(to)))
                .collect();
            if to_them.len() >= count {
                return to_them[count - 1].clone();
            }
            assert!(
                Instant::now() < deadline,
                "no mail #{count} to {to} within 20 s; received: {:?}",
                self.mails()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A domain without SMTP, sign-up or sections, as stored.
pub fn domain_record(fqdn: &str, brand: &str) -> crate::store::DomainRecord {
    crate::store::DomainRecord {
        domain: Domain {
            fqdn: fqdn.to_owned(),
            brand_name: brand.to_owned(),
            customer_signup: false,
            carrier_signup: false,
            signup_status: SignupStatus::Active,
            currencies: vec!["USD".to_owned()],
            template_customer: None,
            access: Vec::new(),
            cdr_columns: Vec::new(),
            carrier_cdr_columns: Vec::new(),
            breakout_columns: Vec::new(),
            carrier_breakout_columns: Vec::new(),
            custom_js: String::new(),
            custom_css: String::new(),
            logo: None,
            footer: String::new(),
            smtp: None,
            created_at: 0,
            updated_at: 0,
        },
        smtp_password: None,
    }
}
