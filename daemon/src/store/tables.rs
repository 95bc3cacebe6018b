//! Every table of `portico.redb`, with its key and value types. A table's name carries a version:
//! a change of layout is a new name plus a migration that moves the rows.

use portico_protocol::{
    Alert, AuditEntry, Contact, Contract, ContractApproval, Customer, Domain, FileInfo, Package,
    Payment, Rate, RateCard, Route,
};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use super::codec::{Json, Record};

/// `schema_version` and other single values.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta@1");
/// Applied migrations: name → Unix time applied.
pub const MIGRATIONS: TableDefinition<&str, i64> = TableDefinition::new("migrations@1");
/// Id sequences: kind → last id handed out.
pub const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters@1");
/// Domains by FQDN.
pub const DOMAINS: TableDefinition<&str, Json<DomainRecord>> = TableDefinition::new("domains@1");
/// Public file metadata by name.
pub const FILES: TableDefinition<&str, Json<FileInfo>> = TableDefinition::new("files@1");
/// Public file content by name.
pub const FILE_CONTENT: TableDefinition<&str, &[u8]> = TableDefinition::new("file_content@1");
/// Customers by id.
pub const CUSTOMERS: TableDefinition<u64, Json<Customer>> = TableDefinition::new("customers@1");
/// Account code → customer id (account codes are unique).
pub const ACCOUNT_CODES: TableDefinition<&str, u64> = TableDefinition::new("account_codes@1");
/// Contacts by id.
pub const CONTACTS: TableDefinition<u64, Json<ContactRecord>> = TableDefinition::new("contacts@1");
/// Contact e-mail → contact id (e-mail addresses are unique).
pub const CONTACT_EMAILS: TableDefinition<&str, u64> = TableDefinition::new("contact_emails@1");
/// Rate cards by name.
pub const RATECARDS: TableDefinition<&str, Json<RateCard>> = TableDefinition::new("ratecards@1");
/// Rates by (card, prefix, effective_from).
pub const RATES: TableDefinition<(&str, &str, i64), Json<Rate>> = TableDefinition::new("rates@1");
/// Routes by (customer, card).
pub const ROUTES: TableDefinition<(u64, &str), Json<Route>> = TableDefinition::new("routes@1");
/// Payments by (customer, id).
pub const PAYMENTS: TableDefinition<(u64, u64), Json<Payment>> = TableDefinition::new("payments@1");
/// Alerts by (customer, id).
pub const ALERTS: TableDefinition<(u64, u64), Json<Alert>> = TableDefinition::new("alerts@1");
/// Packages by (customer, id).
pub const PACKAGES: TableDefinition<(u64, u64), Json<Package>> = TableDefinition::new("packages@1");
/// Contracts by (customer, id).
pub const CONTRACTS: TableDefinition<(u64, u64), Json<Contract>> =
    TableDefinition::new("contracts@1");
/// Owner of a customer's child object: (kind, id) → customer id.
pub const OWNERS: TableDefinition<(&str, u64), u64> = TableDefinition::new("owners@1");
/// Portal sessions by SHA-256 of the cookie token.
pub const SESSIONS: TableDefinition<&[u8; 32], Json<SessionRecord>> =
    TableDefinition::new("sessions@1");
/// One-time tokens by SHA-256 of the token.
pub const TOKENS: TableDefinition<&[u8; 32], Json<TokenRecord>> = TableDefinition::new("tokens@1");
/// Contract approvals given on the portal by (customer, contract).
pub const CONTRACT_APPROVALS: TableDefinition<(u64, u64), Json<ContractApproval>> =
    TableDefinition::new("contract_approvals@1");
/// The last TOTP time step each contact logged in with (a code is never accepted twice).
pub const TOTP_STEPS: TableDefinition<u64, u64> = TableDefinition::new("totp_steps@1");
/// The audit log by sequence number.
pub const AUDIT: TableDefinition<u64, Json<AuditEntry>> = TableDefinition::new("audit@1");

/// A domain as stored: the settings plus the SMTP password, which is never sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRecord {
    /// The settings.
    #[serde(flatten)]
    pub domain: Domain,
    /// The SMTP password, when SMTP is set and has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_password: Option<String>,
}

/// A contact as stored: the public part plus the argon2id hash of its password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// The public part.
    #[serde(flatten)]
    pub contact: Contact,
    /// PHC string of the password's argon2id hash.
    pub password_hash: String,
    /// Base32 TOTP secret while two-factor is on (or being enrolled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// SHA-256 hashes (hex) of the unused two-factor recovery codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
    /// Signed up by itself and its e-mail address not confirmed yet: it cannot log in until
    /// the confirmation link (or a password reset link) was opened.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unconfirmed: bool,
}

// Debug by hand: a logged record must not carry the password hash or the TOTP secret.
impl std::fmt::Debug for ContactRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactRecord")
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

/// A portal session as stored, under the SHA-256 of its cookie token (the token itself is
/// never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The domain it was created on; it is valid there only.
    pub fqdn: String,
    /// The contact that logged in.
    pub contact_id: u64,
    /// The contact's customer.
    pub customer_id: u64,
    /// When it was created (Unix seconds).
    pub created_at: i64,
    /// When it stops being valid (Unix seconds).
    pub expires_at: i64,
    /// The CSRF token its forms carry.
    pub csrf: String,
    /// Password checked, two-factor code still to give: only the code page is open.
    #[serde(default)]
    pub pending_second_factor: bool,
}

/// A one-time token (password reset, e-mail confirmation), under the SHA-256 of the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// What it is for: `reset` or `confirm`.
    pub purpose: String,
    /// The domain it was issued on; it works there only.
    pub fqdn: String,
    /// The contact it is for.
    pub contact_id: u64,
    /// When it stops being valid (Unix seconds).
    pub expires_at: i64,
}

macro_rules! records {
    ($($t:ty => $name:literal),+ $(,)?) => {
        $(impl Record for $t { const NAME: &'static str = $name; })+
    };
}

records! {
    DomainRecord => "domain@1",
    FileInfo => "file_info@1",
    Customer => "customer@1",
    ContactRecord => "contact@1",
    SessionRecord => "session@1",
    TokenRecord => "token@1",
    RateCard => "ratecard@1",
    Rate => "rate@1",
    Route => "route@1",
    Payment => "payment@1",
    Alert => "alert@1",
    Package => "package@1",
    Contract => "contract@1",
    AuditEntry => "audit_entry@1",
    ContractApproval => "contract_approval@1",
    portico_protocol::QuarantineEntry => "quarantine_entry@1",
}
