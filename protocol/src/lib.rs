//! The admin protocol between `porticod` and `portico`.
//!
//! This crate holds only the tarpc service trait ([`Admin`]), the data types it carries and one
//! error enum ([`AdminError`]). Methods are added, never changed: a client that speaks another
//! [`PROTOCOL_VERSION`] is refused by [`Admin::version`], which every client calls first.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod approvals;
mod backup;
mod cdr;
mod enums;
mod money;
mod tls;
mod types;

pub use approvals::ContractApproval;
pub use backup::*;
pub use cdr::*;
pub use compact_str::CompactString;
pub use enums::*;
pub use money::{Micros, MoneyError};
pub use tls::*;
pub use types::*;

/// The version of this protocol. Bumped when a method or a type changes incompatibly.
pub const PROTOCOL_VERSION: u32 = 2;

/// Largest frame either side accepts on the admin socket, in bytes. Large imports are sent in
/// chunks below this size.
pub const MAX_FRAME_BYTES: usize = 32 * 1024 * 1024;

/// Largest file the public file store accepts, in bytes.
pub const MAX_PUBLIC_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Largest logo, in bytes (1 MiB).
pub const MAX_LOGO_BYTES: usize = 1024 * 1024;

/// Widest logo, in pixels.
pub const MAX_LOGO_WIDTH: u32 = 350;

/// An error from the daemon. Every variant says what was wrong in words meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdminError {
    /// A value is not acceptable; `field` names it (as the CLI flag or DTO field is named).
    #[error("{field}: {reason}")]
    Invalid {
        /// The field that was wrong, e.g. `fqdn` or `currencies`.
        field: String,
        /// What was wrong and what to do.
        reason: String,
    },
    /// The named object does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for, e.g. `domain "portal.example.com"`.
        what: String,
    },
    /// The change conflicts with what is stored (a duplicate, or an object still in use).
    #[error("{reason}")]
    Conflict {
        /// What conflicts and what to do.
        reason: String,
    },
    /// The client's protocol version does not match the daemon's, or it skipped `version()`.
    #[error("{reason}")]
    Refused {
        /// Why the client was refused.
        reason: String,
    },
    /// The daemon failed; the reason is logged there too.
    #[error("internal error: {reason}")]
    Internal {
        /// What failed.
        reason: String,
    },
}

impl AdminError {
    /// Shorthand for [`AdminError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        AdminError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`AdminError::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        AdminError::NotFound { what: what.into() }
    }

    /// Shorthand for [`AdminError::Conflict`].
    pub fn conflict(reason: impl Into<String>) -> Self {
        AdminError::Conflict {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`AdminError::Internal`].
    pub fn internal(reason: impl Into<String>) -> Self {
        AdminError::Internal {
            reason: reason.into(),
        }
    }
}

/// Result of every fallible admin call.
pub type AdminResult<T> = Result<T, AdminError>;

/// The admin service served by `porticod` on its Unix socket.
///
/// Every change is one store transaction: a call that returns an error has changed nothing.
/// Every successful change is recorded in the audit log with the caller's uid and pid.
#[tarpc::service]
pub trait Admin {
    /// Handshake. Must be the first call on a connection: the daemon refuses every other call
    /// until it succeeds, and refuses this one when `client_protocol` differs from its own.
    async fn version(client_protocol: u32) -> AdminResult<VersionInfo>;

    /// Lists every domain, sorted by FQDN.
    async fn domain_list() -> AdminResult<Vec<Domain>>;
    /// Shows one domain.
    async fn domain_show(fqdn: String) -> AdminResult<Domain>;
    /// Adds a domain with the given settings; unset settings take their defaults.
    /// `currencies` is required.
    async fn domain_add(fqdn: String, settings: DomainPatch) -> AdminResult<Domain>;
    /// Changes the settings that are set in `patch`.
    async fn domain_set(fqdn: String, patch: DomainPatch) -> AdminResult<Domain>;
    /// Removes a domain.
    async fn domain_remove(fqdn: String) -> AdminResult<()>;

    /// Stores a file in the public file store, replacing a file of the same name.
    async fn file_put(name: String, content: Blob) -> AdminResult<FileInfo>;
    /// Lists the public file store.
    async fn file_list() -> AdminResult<Vec<FileInfo>>;
    /// Removes a file; refused while a domain uses it as its logo.
    async fn file_remove(name: String) -> AdminResult<()>;

    /// Adds a customer (or carrier). `name` and `currency` are required.
    async fn customer_add(fields: CustomerPatch) -> AdminResult<Customer>;
    /// Changes the fields set in `patch`.
    async fn customer_set(id: u64, patch: CustomerPatch) -> AdminResult<Customer>;
    /// Shows a customer with everything that belongs to it.
    async fn customer_show(id: u64) -> AdminResult<CustomerDetail>;
    /// Lists customers, optionally only those with one status.
    async fn customer_list(status: Option<CustomerStatus>) -> AdminResult<Vec<Customer>>;
    /// Removes a customer and everything that belongs to it; refused while it is a domain's
    /// template customer.
    async fn customer_remove(id: u64) -> AdminResult<()>;
    /// Sets one section's portal access override for a customer.
    async fn customer_override(id: u64, section: Section, access: Access) -> AdminResult<Customer>;
    /// Approves a customer that is pending approval (sets it active).
    async fn customer_approve(id: u64) -> AdminResult<Customer>;

    /// Adds a portal login to a customer. Without a password one is generated and returned once.
    async fn contact_add(customer_id: u64, spec: ContactSpec) -> AdminResult<ContactCreated>;
    /// Sets a contact's password, or generates one when `password` is `None` and returns it.
    async fn contact_reset_password(
        email: String,
        password: Option<String>,
    ) -> AdminResult<ContactCreated>;
    /// Removes a contact.
    async fn contact_remove(email: String) -> AdminResult<()>;

    /// Imports rates from CSV into the named rate card, creating it when new. Rows with the
    /// prefix and effective date of a stored rate replace it; with `replace` every stored rate
    /// of the card is dropped first. The whole import is refused when any row is bad.
    async fn ratecard_import(
        name: String,
        currency: String,
        csv: String,
        replace: bool,
    ) -> AdminResult<RateCardImported>;
    /// Lists rate cards.
    async fn ratecard_list() -> AdminResult<Vec<RateCard>>;
    /// Shows a rate card with its rates.
    async fn ratecard_show(name: String) -> AdminResult<RateCardDetail>;
    /// Removes a rate card; refused while a route uses it.
    async fn ratecard_remove(name: String) -> AdminResult<()>;

    /// Assigns a rate card to a customer, with an optional tech prefix.
    async fn route_add(
        customer_id: u64,
        ratecard: String,
        tech_prefix: String,
    ) -> AdminResult<Route>;
    /// Removes a rate card assignment.
    async fn route_remove(customer_id: u64, ratecard: String) -> AdminResult<()>;

    /// Records a payment.
    async fn payment_add(customer_id: u64, spec: PaymentSpec) -> AdminResult<Payment>;
    /// Lists a customer's payments, newest first.
    async fn payment_list(customer_id: u64) -> AdminResult<Vec<Payment>>;
    /// Changes a payment's status.
    async fn payment_set_status(payment_id: u64, status: PaymentStatus) -> AdminResult<Payment>;

    /// Adds a low-balance alert.
    async fn alert_add(customer_id: u64, spec: AlertSpec) -> AdminResult<Alert>;
    /// Removes an alert.
    async fn alert_remove(alert_id: u64) -> AdminResult<()>;
    /// Adds a package.
    async fn package_add(customer_id: u64, spec: PackageSpec) -> AdminResult<Package>;
    /// Removes a package.
    async fn package_remove(package_id: u64) -> AdminResult<()>;
    /// Adds a contract.
    async fn contract_add(customer_id: u64, spec: ContractSpec) -> AdminResult<Contract>;
    /// Removes a contract.
    async fn contract_remove(contract_id: u64) -> AdminResult<()>;

    /// The newest audit entries, newest first, at most `limit`.
    async fn audit_list(limit: u32) -> AdminResult<Vec<AuditEntry>>;

    /// A full export of the store as JSON (secrets are exported as their hashes, never clear).
    async fn export() -> AdminResult<String>;

    /// Imports one chunk of a CDR file; it is durably stored when this returns.
    async fn cdr_import(chunk: CdrImportChunk) -> AdminResult<ImportReport>;
    /// A page of CDRs (a customer's, or the unassigned ones), newest first.
    async fn cdr_list(query: CdrQuery) -> AdminResult<CdrPage>;
    /// Unassigned CDRs grouped by account code.
    async fn cdr_unassigned() -> AdminResult<Vec<UnassignedGroup>>;
    /// Assigns every unassigned CDR with `account_code` to a customer (and rates them); the
    /// account code is added to the customer so later CDRs match. Returns how many moved.
    async fn cdr_assign(account_code: String, customer_id: u64) -> AdminResult<u64>;
    /// Quarantined lines and documents, newest first.
    async fn quarantine_list(limit: u32) -> AdminResult<Vec<QuarantineEntry>>;
    /// The breakout of a customer's calls.
    async fn report_breakout(query: ReportQuery) -> AdminResult<Vec<BreakoutRow>>;
    /// Daily and monthly summaries of a customer's calls.
    async fn report_summary(query: ReportQuery) -> AdminResult<Summary>;
    /// A customer's balance.
    async fn customer_balance(customer_id: u64) -> AdminResult<Balance>;
    /// Ingest counters.
    async fn ingest_status() -> AdminResult<IngestStatus>;

    /// Every domain's HTTPS state (DNS check, certificate, order), sorted by FQDN.
    async fn domain_tls_list() -> AdminResult<Vec<DomainTls>>;
    /// Checks a domain's DNS now and, when it passes and a certificate is due, wakes the
    /// ordering at once instead of at the next scheduled check.
    async fn domain_tls_check(fqdn: String) -> AdminResult<DomainTls>;
    /// Serves an uploaded certificate for a domain instead of ordering one. The chain and key
    /// must match and the certificate must cover the domain.
    async fn domain_cert_upload(fqdn: String, upload: CertUpload) -> AdminResult<DomainTls>;
    /// Drops a domain's uploaded certificate; the domain goes back to automatic certificates.
    async fn domain_cert_remove(fqdn: String) -> AdminResult<DomainTls>;
    /// The local CA's root certificate in PEM, for browsers to trust (`[tls] mode = "local"`).
    async fn ca_export() -> AdminResult<String>;
    /// Sends a test mail through a domain's SMTP settings to `to`. Answers what was sent
    /// through which server, or an error that names the server and what failed (connect, TLS,
    /// login, refused mail) and what to change.
    async fn domain_smtp_test(fqdn: String, to: String) -> AdminResult<String>;
    /// Takes a consistent copy of the store (while no change can commit; changes wait for the
    /// copy) and checks it by opening it. The copy is kept for this connection until it closes
    /// or the next `backup_start`; read it with `backup_read`.
    async fn backup_start() -> AdminResult<BackupInfo>;
    /// Up to `len` bytes (at most [`BACKUP_CHUNK_BYTES`]) of the copy from `offset`; fewer only
    /// at its end.
    async fn backup_read(offset: u64, len: u32) -> AdminResult<Blob>;
}
