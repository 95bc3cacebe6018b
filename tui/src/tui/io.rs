//! The I/O task: the only code of the console that talks to porticod. The UI loop sends it
//! [`Request`]s and it answers with [`Reply`]s, so a slow daemon never freezes the screen. It
//! (re)connects by itself: when the daemon goes away it says so and tries again every second.

use std::path::{Path, PathBuf};
use std::time::Duration;

use portico_protocol::{
    Access, AdminClient, AdminError, AdminResult, AuditEntry, Blob, CertUpload, ContactCreated,
    ContactSpec, Customer, CustomerDetail, CustomerPatch, CustomerStatus, Domain, DomainPatch,
    DomainTls, FileInfo, IngestStatus, PaymentSpec, RateCard, RateCardImported, Section,
    UnassignedGroup, VersionInfo,
};
use tarpc::client::RpcError;
use tarpc::context::Context;
use tokio::sync::mpsc;

use crate::cli::connect::{Connection, Wait, deadline};
use crate::cli::error::io_reason;

/// How often the status line's figures are asked for.
const STATUS_EVERY: Duration = Duration::from_secs(2);
/// How long to wait between two connection attempts.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// Size of one piece of a rate card import: small enough to show progress.
const IMPORT_PIECE_BYTES: usize = 256 * 1024;
/// How many audit entries the audit screen shows.
pub const AUDIT_LIMIT: u32 = 500;

/// What the UI asks the daemon for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Domains,
    AddDomain(String, DomainPatch),
    SetDomain(String, DomainPatch),
    RemoveDomain(String),
    Customers,
    Customer(u64),
    AddCustomer(CustomerPatch),
    SetCustomer(u64, CustomerPatch),
    Overrides(u64, Vec<(Section, Access)>),
    Approve(u64),
    Reject(u64),
    AddContact(u64, ContactSpec),
    ResetPassword(String),
    AddRoute(u64, String, String),
    AddPayment(u64, PaymentSpec),
    Files,
    /// Upload the file at the path under the name; then, when set, make it the domain's logo.
    PutFile {
        path: PathBuf,
        name: String,
        logo_of: Option<String>,
    },
    RemoveFile(String),
    RateCards,
    ImportRateCard {
        path: PathBuf,
        name: String,
        currency: String,
        replace: bool,
    },
    Unassigned,
    Assign(String, u64),
    Audit,
    /// Every domain's DNS and certificate state (asked for with the domain list).
    Tls,
    /// Check a domain's DNS now; the daemon orders at once when it passes and one is due.
    TlsCheck(String),
    /// Serve the chain and key read from these paths as the domain's certificate.
    CertUpload {
        fqdn: String,
        chain: PathBuf,
        key: PathBuf,
    },
    /// Drop the domain's uploaded certificate.
    CertRemove(String),
    /// Send a test mail through the domain's stored SMTP settings to the address.
    TestMail(String, String),
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The daemon said no; `Invalid` names the field.
    Admin(AdminError),
    /// The request never got an answer (link down, deadline) or could not be prepared.
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Admin(e) => write!(f, "{e}"),
            Failure::Other(s) => f.write_str(s),
        }
    }
}

/// What the I/O task reports.
// A few replies per request: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Connected and past the handshake.
    Up(VersionInfo),
    /// Not connected; the reason says what to do. The task keeps trying.
    Down(String),
    Ingest(IngestStatus),
    Domains(Vec<Domain>),
    DomainSaved {
        added: bool,
        domain: Domain,
    },
    DomainRemoved(String),
    Customers(Vec<Customer>),
    Customer(Box<CustomerDetail>),
    CustomerChanged(Customer),
    ContactCreated(ContactCreated),
    Files(Vec<FileInfo>),
    FileStored(FileInfo),
    RateCards(Vec<RateCard>),
    ImportProgress {
        done: usize,
        total: usize,
    },
    Imported(RateCardImported),
    Unassigned(Vec<UnassignedGroup>),
    Assigned {
        account_code: String,
        moved: u64,
    },
    Audit(Vec<AuditEntry>),
    Tls(Vec<DomainTls>),
    TlsChecked(DomainTls),
    CertUploaded(DomainTls),
    CertRemoved(DomainTls),
    /// The daemon's words about the test mail it sent.
    TestMailSent {
        fqdn: String,
        answer: String,
    },
    /// A change that needs no data back went through; the text says what.
    Done(String),
    /// A request failed; `what` names it for the message line.
    Failed {
        what: &'static str,
        failure: Failure,
    },
}

/// A call failed: either the daemon answered no, or the link broke.
enum CallError {
    Admin(AdminError),
    Link(String),
}

/// Runs until the UI drops its sender.
/// `first` is the connection the console opened before it took over the terminal.
pub async fn run(
    socket: PathBuf,
    first: Connection,
    mut requests: mpsc::Receiver<(u64, Request)>,
    replies: mpsc::Sender<(Option<u64>, Reply)>,
) {
    let mut first = Some(first);
    let mut lost = false;
    loop {
        let opened = match first.take() {
            Some(conn) => Ok(conn),
            None => Connection::open(&socket).await,
        };
        let conn = match opened {
            Ok(conn) => conn,
            Err(e) => {
                // After a loss, say so until the daemon is back, with why it is not yet.
                let reason = if lost {
                    format!("the daemon went away; reconnecting… ({})", e.message())
                } else {
                    e.message().to_string()
                };
                if replies.send((None, Reply::Down(reason))).await.is_err() {
                    return;
                }
                // Requests made while down fail at once rather than hang.
                let wait = tokio::time::sleep(RETRY_EVERY);
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        () = &mut wait => break,
                        request = requests.recv() => {
                            let Some((ticket, request)) = request else { return };
                            let failed = Reply::Failed {
                                what: name(&request),
                                failure: Failure::Other("not connected to porticod".into()),
                            };
                            if replies.send((Some(ticket), failed)).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                continue;
            }
        };
        if replies
            .send((None, Reply::Up(conn.daemon().clone())))
            .await
            .is_err()
        {
            return;
        }
        let link = Link {
            admin: conn.admin().clone(),
            replies: replies.clone(),
            ticket: None,
        };
        let mut status = tokio::time::interval(STATUS_EVERY);
        let mut link = link;
        let why = loop {
            tokio::select! {
                _ = status.tick() => {
                    match link.call(Wait::Normal, |c| link.admin.ingest_status(c)).await {
                        Ok(s) => { let _ = replies.send((None, Reply::Ingest(s))).await; }
                        Err(CallError::Link(reason)) => break reason,
                        Err(CallError::Admin(_)) => {}
                    }
                }
                request = requests.recv() => {
                    let Some((ticket, request)) = request else { return };
                    let what = name(&request);
                    link.ticket = Some(ticket);
                    let answer = link.serve(request).await;
                    let t = Some(ticket);
                    match answer {
                        Ok(reply) => { let _ = replies.send((t, reply)).await; }
                        Err(CallError::Admin(e)) => {
                            let _ = replies.send((t, Reply::Failed { what, failure: Failure::Admin(e) })).await;
                        }
                        Err(CallError::Link(reason)) => {
                            let _ = replies.send((t, Reply::Failed { what, failure: Failure::Other(reason.clone()) })).await;
                            break reason;
                        }
                    }
                }
            }
        };
        let _ = replies
            .send((
                None,
                Reply::Down(format!("the daemon went away ({why}); reconnecting…")),
            ))
            .await;
        lost = true;
        tokio::time::sleep(RETRY_EVERY).await;
    }
}

/// The name of a request, for messages.
fn name(request: &Request) -> &'static str {
    match request {
        Request::Domains => "loading domains",
        Request::AddDomain(..) => "adding the domain",
        Request::SetDomain(..) => "saving the domain",
        Request::RemoveDomain(..) => "deleting the domain",
        Request::Customers => "loading customers",
        Request::Customer(..) => "loading the customer",
        Request::AddCustomer(..) => "adding the customer",
        Request::SetCustomer(..) => "saving the customer",
        Request::Overrides(..) => "saving the overrides",
        Request::Approve(..) => "approving",
        Request::Reject(..) => "rejecting",
        Request::AddContact(..) => "adding the contact",
        Request::ResetPassword(..) => "resetting the password",
        Request::AddRoute(..) => "adding the route",
        Request::AddPayment(..) => "adding the payment",
        Request::Files => "loading files",
        Request::PutFile { .. } => "uploading",
        Request::RemoveFile(..) => "deleting the file",
        Request::RateCards => "loading rate cards",
        Request::ImportRateCard { .. } => "importing",
        Request::Unassigned => "loading unassigned CDRs",
        Request::Assign(..) => "assigning",
        Request::Audit => "loading the audit log",
        Request::Tls => "loading certificate states",
        Request::TlsCheck(..) => "checking DNS",
        Request::CertUpload { .. } => "uploading the certificate",
        Request::CertRemove(..) => "removing the uploaded certificate",
        Request::TestMail(..) => "sending the test mail",
    }
}

struct Link {
    admin: AdminClient,
    replies: mpsc::Sender<(Option<u64>, Reply)>,
    /// The request being served, for replies sent before its answer.
    ticket: Option<u64>,
}

impl Link {
    async fn tell(&self, reply: Reply) {
        let _ = self.replies.send((self.ticket, reply)).await;
    }

    async fn call<T, F>(&self, wait: Wait, rpc: impl FnOnce(Context) -> F) -> Result<T, CallError>
    where
        F: std::future::Future<Output = Result<AdminResult<T>, RpcError>>,
    {
        match rpc(deadline(wait)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(CallError::Admin(e)),
            Err(RpcError::DeadlineExceeded) => Err(CallError::Admin(AdminError::internal(
                "porticod did not answer in time; it may be overloaded (see its log)",
            ))),
            Err(RpcError::Server(e)) => Err(CallError::Admin(AdminError::internal(e.detail))),
            Err(RpcError::Shutdown) => Err(CallError::Link("connection closed".into())),
            Err(RpcError::Channel(e)) => Err(CallError::Link(e.to_string())),
            Err(RpcError::Send(e)) => Err(CallError::Link(e.to_string())),
        }
    }

    async fn serve(&self, request: Request) -> Result<Reply, CallError> {
        let a = &self.admin;
        let n = Wait::Normal;
        Ok(match request {
            Request::Domains => Reply::Domains(self.call(n, |c| a.domain_list(c)).await?),
            Request::AddDomain(fqdn, patch) => Reply::DomainSaved {
                added: true,
                domain: self.call(n, |c| a.domain_add(c, fqdn, patch)).await?,
            },
            Request::SetDomain(fqdn, patch) => Reply::DomainSaved {
                added: false,
                domain: self.call(n, |c| a.domain_set(c, fqdn, patch)).await?,
            },
            Request::RemoveDomain(fqdn) => {
                self.call(n, |c| a.domain_remove(c, fqdn.clone())).await?;
                Reply::DomainRemoved(fqdn)
            }
            Request::Customers => {
                Reply::Customers(self.call(n, |c| a.customer_list(c, None)).await?)
            }
            Request::Customer(id) => {
                Reply::Customer(Box::new(self.call(n, |c| a.customer_show(c, id)).await?))
            }
            Request::AddCustomer(fields) => {
                Reply::CustomerChanged(self.call(n, |c| a.customer_add(c, fields)).await?)
            }
            Request::SetCustomer(id, patch) => {
                Reply::CustomerChanged(self.call(n, |c| a.customer_set(c, id, patch)).await?)
            }
            Request::Overrides(id, changes) => {
                let mut last = None;
                for (section, access) in changes {
                    last = Some(
                        self.call(n, |c| a.customer_override(c, id, section, access))
                            .await?,
                    );
                }
                match last {
                    Some(customer) => Reply::CustomerChanged(customer),
                    None => Reply::Done("nothing to save".into()),
                }
            }
            Request::Approve(id) => {
                Reply::CustomerChanged(self.call(n, |c| a.customer_approve(c, id)).await?)
            }
            Request::Reject(id) => {
                let patch = CustomerPatch {
                    status: Some(CustomerStatus::Suspended),
                    ..CustomerPatch::default()
                };
                Reply::CustomerChanged(self.call(n, |c| a.customer_set(c, id, patch)).await?)
            }
            Request::AddContact(id, spec) => {
                Reply::ContactCreated(self.call(n, |c| a.contact_add(c, id, spec)).await?)
            }
            Request::ResetPassword(email) => Reply::ContactCreated(
                self.call(n, |c| a.contact_reset_password(c, email, None))
                    .await?,
            ),
            Request::AddRoute(id, card, prefix) => {
                let route = self.call(n, |c| a.route_add(c, id, card, prefix)).await?;
                Reply::Done(format!("route to rate card {} added", route.ratecard))
            }
            Request::AddPayment(id, spec) => {
                let p = self.call(n, |c| a.payment_add(c, id, spec)).await?;
                Reply::Done(format!("payment #{} of {} added", p.id, p.amount))
            }
            Request::Files => Reply::Files(self.call(n, |c| a.file_list(c)).await?),
            Request::PutFile {
                path,
                name,
                logo_of,
            } => {
                let bytes = std::fs::read(&path).map_err(|e| {
                    CallError::Admin(AdminError::invalid(
                        "path",
                        format!("cannot read {}: {}", path.display(), io_reason(&e)),
                    ))
                })?;
                let info = self
                    .call(Wait::Long, |c| a.file_put(c, name, Blob(bytes)))
                    .await?;
                if let Some(fqdn) = logo_of {
                    let patch = DomainPatch {
                        logo: Some(Some(info.name.clone())),
                        ..DomainPatch::default()
                    };
                    let domain = self.call(n, |c| a.domain_set(c, fqdn, patch)).await?;
                    self.tell(Reply::FileStored(info)).await;
                    return Ok(Reply::DomainSaved {
                        added: false,
                        domain,
                    });
                }
                Reply::FileStored(info)
            }
            Request::RemoveFile(name) => {
                self.call(n, |c| a.file_remove(c, name.clone())).await?;
                Reply::Done(format!("file {name} deleted"))
            }
            Request::RateCards => Reply::RateCards(self.call(n, |c| a.ratecard_list(c)).await?),
            Request::ImportRateCard {
                path,
                name,
                currency,
                replace,
            } => self.import(&path, name, currency, replace).await?,
            Request::Unassigned => Reply::Unassigned(self.call(n, |c| a.cdr_unassigned(c)).await?),
            Request::Assign(code, id) => {
                let moved = self
                    .call(Wait::Long, |c| a.cdr_assign(c, code.clone(), id))
                    .await?;
                Reply::Assigned {
                    account_code: code,
                    moved,
                }
            }
            Request::Audit => Reply::Audit(self.call(n, |c| a.audit_list(c, AUDIT_LIMIT)).await?),
            Request::Tls => Reply::Tls(self.call(n, |c| a.domain_tls_list(c)).await?),
            Request::TlsCheck(fqdn) => Reply::TlsChecked(
                self.call(Wait::Long, |c| a.domain_tls_check(c, fqdn))
                    .await?,
            ),
            Request::CertUpload { fqdn, chain, key } => {
                let upload = CertUpload {
                    chain_pem: read_pem("chain", &chain)?,
                    key_pem: read_pem("key", &key)?,
                };
                Reply::CertUploaded(
                    self.call(n, |c| a.domain_cert_upload(c, fqdn, upload))
                        .await?,
                )
            }
            Request::CertRemove(fqdn) => {
                Reply::CertRemoved(self.call(n, |c| a.domain_cert_remove(c, fqdn)).await?)
            }
            Request::TestMail(fqdn, to) => {
                let answer = self
                    .call(Wait::Long, |c| a.domain_smtp_test(c, fqdn.clone(), to))
                    .await?;
                Reply::TestMailSent { fqdn, answer }
            }
        })
    }

    /// Sends the CSV in pieces of whole lines, each with the header, reporting progress.
    async fn import(
        &self,
        path: &Path,
        name: String,
        currency: String,
        replace: bool,
    ) -> Result<Reply, CallError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CallError::Admin(AdminError::invalid(
                "path",
                format!("cannot read {}: {}", path.display(), io_reason(&e)),
            ))
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let pieces = pieces(text, IMPORT_PIECE_BYTES);
        let total = pieces.len();
        let mut sum: Option<RateCardImported> = None;
        for (i, piece) in pieces.into_iter().enumerate() {
            self.tell(Reply::ImportProgress { done: i, total }).await;
            let got = self
                .call(Wait::Long, |c| {
                    self.admin.ratecard_import(
                        c,
                        name.clone(),
                        currency.clone(),
                        piece,
                        replace && i == 0,
                    )
                })
                .await?;
            sum = Some(match sum {
                None => got,
                Some(s) => RateCardImported {
                    card: got.card,
                    inserted: s.inserted + got.inserted,
                    replaced: s.replaced + got.replaced,
                },
            });
        }
        self.tell(Reply::ImportProgress { done: total, total })
            .await;
        sum.map(Reply::Imported).ok_or_else(|| {
            CallError::Admin(AdminError::invalid(
                "path",
                format!("{} is empty", path.display()),
            ))
        })
    }
}

/// A PEM file the admin named in the form field `field`; a refusal names that field.
fn read_pem(field: &str, path: &Path) -> Result<String, CallError> {
    std::fs::read_to_string(path).map_err(|e| {
        CallError::Admin(AdminError::invalid(
            field,
            format!("cannot read {}: {}", path.display(), io_reason(&e)),
        ))
    })
}

/// The CSV as pieces of about `max` bytes of whole lines, each starting with the header line.
/// (A quoted field with a line break inside is not split: such rate cards are not expected, and
/// the daemon refuses a piece it cannot read, naming the line.)
fn pieces(text: &str, max: usize) -> Vec<String> {
    let mut lines = text.split_inclusive('\n');
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header = if header.ends_with('\n') {
        header.to_string()
    } else {
        format!("{header}\n")
    };
    let mut out = Vec::new();
    let mut piece = header.clone();
    for line in lines {
        if piece.len() + line.len() > max && piece.len() > header.len() {
            out.push(std::mem::replace(&mut piece, header.clone()));
        }
        piece.push_str(line);
    }
    if piece.len() > header.len() || out.is_empty() {
        out.push(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_repeat_the_header_and_keep_every_line() {
        let csv = "prefix,rate\n1,0.1\n2,0.2\n3,0.3\n";
        let parts = pieces(csv, 20);
        assert!(parts.len() > 1, "{parts:?}");
        for p in &parts {
            assert!(p.starts_with("prefix,rate\n"), "{p:?}");
        }
        let body: String = parts
            .iter()
            .map(|p| p.trim_start_matches("prefix,rate\n"))
            .collect();
        assert_eq!(body, "1,0.1\n2,0.2\n3,0.3\n");
        assert_eq!(pieces(csv, 1 << 20), vec![csv.to_string()]);
        assert_eq!(pieces("", 10), Vec::<String>::new());
    }
}
