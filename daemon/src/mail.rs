//! Mail through a brand's own SMTP server (the domain's `smtp` settings): sign-up confirmations,
//! password resets, admins' test mails. lettre over tokio, TLS by rustls with ring (the daemon's
//! one crypto provider), trusting the system's CA certificates.
//!
//! Mails are plain text; From is the brand's from address under the brand's name, and the
//! subject names the brand. A failure is said for a person: which server, what failed (connect,
//! TLS, login, refused mail) and what to change.

use std::error::Error as _;
use std::fmt;
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portico_protocol::{SmtpSecurity, SmtpSettings};

use crate::store::DomainRecord;

/// How long one step of an SMTP conversation may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A brand's mail server with its password, ready to send.
#[derive(Clone)]
pub struct Mailer {
    brand: String,
    settings: SmtpSettings,
    password: Option<String>,
}

// By hand: the password stays out of logs.
impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("brand", &self.brand)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// A mail that was not sent, said for a person: which server, what failed and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// One mail to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The recipient's address.
    pub to: String,
    /// The subject (the brand's name is put in front of it).
    pub subject: String,
    /// The plain-text body.
    pub text: String,
}

impl Mailer {
    /// The mailer of `record`, when the domain has SMTP settings.
    pub fn of(record: &DomainRecord) -> Option<Mailer> {
        let settings = record.domain.smtp.clone()?;
        Some(Mailer {
            brand: record.domain.brand_name.clone(),
            settings,
            password: record.smtp_password.clone(),
        })
    }

    /// The server as an admin names it, e.g. `mail.acme.test:587 (starttls)`.
    pub fn server(&self) -> String {
        format!(
            "{}:{} ({})",
            self.settings.host, self.settings.port, self.settings.security
        )
    }

    /// Sends `mail`; waits until the server accepted it.
    pub async fn send(&self, mail: Outgoing) -> Result<(), MailError> {
        let message = self.message(&mail)?;
        let transport = self.transport()?;
        match transport.send(message).await {
            Ok(_) => {
                tracing::info!(server = %self.server(), subject = %mail.subject, "mail: sent");
                Ok(())
            }
            Err(e) => {
                let error = MailError(explain(&self.settings, &e));
                tracing::warn!(server = %self.server(), error = %error, "mail: not sent");
                Err(error)
            }
        }
    }

    /// Sends `mail` in the background; a failure is logged. A page's answer then neither waits
    /// for a slow server nor tells by its timing whether a mail went out.
    pub fn send_later(&self, mail: Outgoing) {
        let mailer = self.clone();
        tokio::spawn(async move {
            // `send` logs the outcome.
            let _ = mailer.send(mail).await;
        });
    }

    fn message(&self, mail: &Outgoing) -> Result<Message, MailError> {
        let from_address = self.settings.from.parse().map_err(|e| {
            MailError(format!(
                "the SMTP from address \"{}\" is not an e-mail address ({e}); set one with \
                 `portico domain set FQDN --smtp-from ADDRESS`",
                self.settings.from
            ))
        })?;
        let to = mail.to.parse::<Mailbox>().map_err(|e| {
            MailError(format!(
                "\"{}\" is not an e-mail address to send to ({e})",
                mail.to
            ))
        })?;
        Message::builder()
            .from(Mailbox::new(Some(self.brand.clone()), from_address))
            .to(to)
            .subject(format!("{}: {}", self.brand, mail.subject))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())
            .map_err(|e| MailError(format!("the mail could not be built: {e}")))
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let s = &self.settings;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| {
                MailError(format!(
                    "TLS for the SMTP server {host} could not be set up: {e}; check --smtp-host"
                ))
            })
        };
        let tls = match s.security {
            SmtpSecurity::Starttls => Tls::Required(tls(&s.host)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls(&s.host)?),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
            .port(s.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                s.username.clone(),
                self.password.clone().unwrap_or_default(),
            ));
        }
        Ok(builder.build())
    }
}

/// Every message of an error's chain, outermost first.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn io_kind(e: &lettre::transport::smtp::Error) -> Option<std::io::ErrorKind> {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

/// What went wrong, for the admin who set the server up.
fn explain(s: &SmtpSettings, e: &lettre::transport::smtp::Error) -> String {
    let server = format!("{}:{}", s.host, s.port);
    let detail = chain(e);
    let lower = detail.to_lowercase();
    if io_kind(e) == Some(std::io::ErrorKind::ConnectionRefused) {
        return format!(
            "connecting to the SMTP server {server} failed: connection refused ({detail}); check \
             --smtp-host and --smtp-port, and that the server runs and lets this host connect"
        );
    }
    if e.is_timeout() {
        return format!(
            "the SMTP server {server} did not answer within {} seconds ({detail}); check \
             --smtp-host and --smtp-port, and that no firewall drops the connection",
            TIMEOUT.as_secs()
        );
    }
    if lower.contains("starttls is not supported") {
        return format!(
            "the SMTP server {server} does not offer STARTTLS ({detail}); use \
             --smtp-security tls (usually port 465), or none only on a network you trust"
        );
    }
    if e.is_tls()
        || [
            "tls",
            "certificate",
            "handshake",
            "corrupt message",
            "invalid data",
        ]
        .iter()
        .any(|w| lower.contains(w))
    {
        return format!(
            "TLS with the SMTP server {server} failed ({detail}); check --smtp-security (tls \
             is usually port 465, starttls port 587) and that the server's certificate is valid \
             for {} and trusted by this host",
            s.host
        );
    }
    if let Some(code) = e.status() {
        let code = code.to_string();
        if ["530", "534", "535", "538", "454"].contains(&code.as_str()) || lower.contains("auth") {
            return format!(
                "the SMTP server {server} refused the login of user \"{}\" ({detail}); check \
                 --smtp-username and the password (--smtp-password-file)",
                s.username
            );
        }
        return format!(
            "the SMTP server {server} refused the mail ({detail}); check that --smtp-from \"{}\" \
             is an address the server lets this login send from, and the recipient",
            s.from
        );
    }
    if lower.contains("authentication mechanism") {
        return format!(
            "the SMTP server {server} offers no login method Portico knows ({detail}); use \
             TLS or STARTTLS (servers offer logins only over TLS), or leave --smtp-username \
             empty if the server needs no login"
        );
    }
    if io_kind(e).is_some() || lower.contains("resolve") {
        return format!(
            "the SMTP server {server} could not be reached ({detail}); check --smtp-host and \
             --smtp-port"
        );
    }
    format!("sending through the SMTP server {server} failed: {detail}")
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
