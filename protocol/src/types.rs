//! The data the admin protocol carries. Times are Unix seconds (UTC). Inputs that hold money are
//! decimal strings, read and checked by the daemon so that its error names the field.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    Access, BreakoutColumn, CdrColumn, CustomerKind, CustomerStatus, Micros, PaymentStatus,
    Section, SignupStatus, SmtpSecurity,
};

/// What the daemon answers to the handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// The daemon's protocol version (equal to the client's, or the handshake fails).
    pub protocol: u32,
    /// The daemon's package version.
    pub daemon: String,
    /// When the daemon started.
    pub started_at: i64,
}

/// One portal brand on one FQDN, with every setting of the admin's Portal dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// Lower-case ASCII (punycode) FQDN, without a trailing dot.
    pub fqdn: String,
    /// The brand's name, shown in the top bar when there is no logo and in titles.
    pub brand_name: String,
    /// Customers may sign up by themselves.
    pub customer_signup: bool,
    /// Carriers may sign up by themselves.
    pub carrier_signup: bool,
    /// The status self-signed-up accounts get.
    pub signup_status: SignupStatus,
    /// ISO 4217 codes offered at sign-up (never empty).
    pub currencies: Vec<String>,
    /// The customer whose values seed every self-signed-up account.
    pub template_customer: Option<u64>,
    /// The sections customers see (in canonical order).
    pub access: Vec<Section>,
    /// CDR columns shown to customers, in order.
    pub cdr_columns: Vec<CdrColumn>,
    /// CDR columns shown to carriers, in order.
    pub carrier_cdr_columns: Vec<CdrColumn>,
    /// Breakout columns shown to customers, in order.
    pub breakout_columns: Vec<BreakoutColumn>,
    /// Breakout columns shown to carriers, in order.
    pub carrier_breakout_columns: Vec<BreakoutColumn>,
    /// Raw JavaScript, or `<script src="https://...">` tags.
    pub custom_js: String,
    /// Raw CSS.
    pub custom_css: String,
    /// Name of a file in the public file store.
    pub logo: Option<String>,
    /// Plain text at the bottom of every page.
    pub footer: String,
    /// The brand's mail server.
    pub smtp: Option<SmtpSettings>,
    /// When the domain was added.
    pub created_at: i64,
    /// When a setting last changed.
    pub updated_at: i64,
}

/// The brand's mail server as stored; the password is never sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    /// Host name of the SMTP server.
    pub host: String,
    /// Port of the SMTP server.
    pub port: u16,
    /// How the connection is secured.
    pub security: SmtpSecurity,
    /// User name for AUTH, if any.
    pub username: String,
    /// Whether a password is stored.
    pub password_set: bool,
    /// The From address of mails sent for the brand.
    pub from: String,
}

/// The brand's mail server as set by an admin.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SmtpSpec {
    /// Host name of the SMTP server.
    pub host: String,
    /// Port; 587 when unset.
    pub port: Option<u16>,
    /// How the connection is secured; STARTTLS when unset.
    pub security: Option<SmtpSecurity>,
    /// User name for AUTH.
    pub username: String,
    /// Password for AUTH. `None` keeps the stored one.
    pub password: Option<String>,
    /// The From address.
    pub from: String,
}

impl fmt::Debug for SmtpSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSpec")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

/// Changes to a domain: every `Some` is set, every `None` is kept (or defaulted on add).
/// Nested `Option`s clear a value with `Some(None)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DomainPatch {
    /// New brand name.
    pub brand_name: Option<String>,
    /// Allow customer sign-up.
    pub customer_signup: Option<bool>,
    /// Allow carrier sign-up.
    pub carrier_signup: Option<bool>,
    /// Status of self-signed-up accounts.
    pub signup_status: Option<SignupStatus>,
    /// ISO 4217 codes.
    pub currencies: Option<Vec<String>>,
    /// Template customer id, or `Some(None)` to clear.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "clearable"
    )]
    pub template_customer: Option<Option<u64>>,
    /// The whole access set.
    pub access: Option<Vec<Section>>,
    /// Sections to add to the access set, after `access` is applied. Edits the stored set in
    /// the same transaction, so concurrent edits of different sections are never lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub show_sections: Vec<Section>,
    /// Sections to remove from the access set, after `show_sections`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hide_sections: Vec<Section>,
    /// Customer CDR columns, in order.
    pub cdr_columns: Option<Vec<CdrColumn>>,
    /// Carrier CDR columns, in order.
    pub carrier_cdr_columns: Option<Vec<CdrColumn>>,
    /// Customer breakout columns, in order.
    pub breakout_columns: Option<Vec<BreakoutColumn>>,
    /// Carrier breakout columns, in order.
    pub carrier_breakout_columns: Option<Vec<BreakoutColumn>>,
    /// Custom JavaScript.
    pub custom_js: Option<String>,
    /// Custom CSS.
    pub custom_css: Option<String>,
    /// Logo file name, or `Some(None)` to clear.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "clearable"
    )]
    pub logo: Option<Option<String>>,
    /// Footer text.
    pub footer: Option<String>,
    /// SMTP settings, or `Some(None)` to clear.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "clearable"
    )]
    pub smtp: Option<Option<SmtpSpec>>,
}

/// Reads a field that may be absent (keep), `null` (clear) or a value (set): serde alone reads
/// `null` as absent, which would turn every "clear" into "keep".
fn clearable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A file of the public file store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// The file's name (letters, digits, `.`, `_`, `-`).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type found from the content.
    pub content_type: String,
    /// Pixel width, for images.
    pub width: Option<u32>,
    /// Pixel height, for images.
    pub height: Option<u32>,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// When it was stored.
    pub uploaded_at: i64,
}

/// An account: a customer or a carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Stable id.
    pub id: u64,
    /// Company or person name.
    pub name: String,
    /// Customer or carrier.
    pub kind: CustomerKind,
    /// ISO 4217 code of the account's currency.
    pub currency: String,
    /// Active, pending approval or suspended.
    pub status: CustomerStatus,
    /// How far below zero the balance may go.
    pub debit_limit: Micros,
    /// Account codes that match this account's CDRs (unique across accounts).
    pub account_codes: Vec<String>,
    /// Per-section portal access overrides; sections not listed follow the domain.
    pub overrides: BTreeMap<Section, Access>,
    /// When it was added.
    pub created_at: i64,
    /// The portal domain its contacts log in on; `None`: they cannot log in anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// Fields of a customer to set: every `Some` is set, every `None` is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CustomerPatch {
    /// Name.
    pub name: Option<String>,
    /// Kind; customer when unset on add.
    pub kind: Option<CustomerKind>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Status; active when unset on add.
    pub status: Option<CustomerStatus>,
    /// Debit limit as a decimal string.
    pub debit_limit: Option<String>,
    /// The whole list of account codes.
    pub account_codes: Option<Vec<String>>,
    /// The portal domain (FQDN) its contacts log in on; `Some(None)` unbinds it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "clearable"
    )]
    pub domain: Option<Option<String>>,
}

/// A customer with everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    /// The customer.
    pub customer: Customer,
    /// Its portal logins.
    pub contacts: Vec<Contact>,
    /// Its rate card assignments.
    pub routes: Vec<Route>,
    /// Its payments, newest first.
    pub payments: Vec<Payment>,
    /// Its alerts.
    pub alerts: Vec<Alert>,
    /// Its packages.
    pub packages: Vec<Package>,
    /// Its contracts.
    pub contracts: Vec<Contract>,
    /// Domains that use it as their template customer.
    pub template_of: Vec<String>,
    /// Its balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<crate::Balance>,
    /// Its contacts' approvals of its contracts, by contract id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<crate::ContractApproval>,
}

/// A portal login of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Stable id.
    pub id: u64,
    /// The account it belongs to.
    pub customer_id: u64,
    /// Login e-mail address (lower-cased, unique).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Networks it may log in from (CIDR); empty means anywhere.
    pub ip_allow: Vec<String>,
    /// When it was added.
    pub created_at: i64,
    /// Phone number, as the contact typed it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// IANA time zone the portal shows times in; empty means UTC.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub time_zone: String,
    /// Two-factor (TOTP) login is on.
    #[serde(default)]
    pub two_factor: bool,
}

/// A new portal login.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContactSpec {
    /// Login e-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Password; generated when `None`.
    pub password: Option<String>,
    /// Networks it may log in from (addresses or CIDR).
    pub ip_allow: Vec<String>,
}

impl fmt::Debug for ContactSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactSpec")
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("ip_allow", &self.ip_allow)
            .finish()
    }
}

/// A contact, and the password the daemon generated for it, if it did.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCreated {
    /// The contact.
    pub contact: Contact,
    /// The generated password, shown once.
    pub generated_password: Option<String>,
}

impl fmt::Debug for ContactCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactCreated")
            .field("contact", &self.contact)
            .field(
                "generated_password",
                &self.generated_password.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A rate card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCard {
    /// Unique name.
    pub name: String,
    /// ISO 4217 code of its rates.
    pub currency: String,
    /// How many rates it holds.
    pub rates: u64,
    /// When it was created.
    pub created_at: i64,
    /// When rates were last imported.
    pub updated_at: i64,
}

/// One rate of a rate card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Digits the dialled number starts with.
    pub prefix: String,
    /// Name of the destination, e.g. `United Kingdom - Mobile`.
    pub name: String,
    /// Price of one minute.
    pub rate_per_min: Micros,
    /// Price charged once per connected call.
    pub connect_fee: Micros,
    /// First billing increment in seconds.
    pub first_increment: u32,
    /// Following billing increments in seconds.
    pub next_increment: u32,
    /// From when the rate applies (calls starting at or after it).
    pub effective_from: i64,
}

/// A rate card with its rates, sorted by prefix then effective date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCardDetail {
    /// The card.
    pub card: RateCard,
    /// Its rates.
    pub rates: Vec<Rate>,
}

/// The outcome of a rate card import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCardImported {
    /// The card after the import.
    pub card: RateCard,
    /// Rates that were new.
    pub inserted: u64,
    /// Rates that replaced a stored one with the same prefix and effective date.
    pub replaced: u64,
}

/// A rate card assigned to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The customer.
    pub customer_id: u64,
    /// The rate card's name.
    pub ratecard: String,
    /// Digits stripped from the dialled number before rating (may be empty).
    pub tech_prefix: String,
}

/// A payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Stable id.
    pub id: u64,
    /// The customer.
    pub customer_id: u64,
    /// The amount, in the customer's currency.
    pub amount: Micros,
    /// Pending, completed or cancelled.
    pub status: PaymentStatus,
    /// Free text; text after `#` is for admins only.
    pub description: String,
    /// When it was recorded.
    pub created_at: i64,
}

/// A new payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PaymentSpec {
    /// Decimal amount.
    pub amount: String,
    /// Status; completed when unset.
    pub status: Option<PaymentStatus>,
    /// Description.
    pub description: String,
}

/// A low-balance alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable id.
    pub id: u64,
    /// The customer.
    pub customer_id: u64,
    /// The balance below which the alert fires.
    pub threshold: Micros,
    /// Where the alert is mailed.
    pub email: String,
}

/// A new alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AlertSpec {
    /// Decimal threshold.
    pub threshold: String,
    /// Where to mail it.
    pub email: String,
}

/// A package sold to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Stable id.
    pub id: u64,
    /// The customer.
    pub customer_id: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Monthly price.
    pub price: Micros,
}

/// A new package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PackageSpec {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Decimal monthly price.
    pub price: String,
}

/// A contract a customer reads and, when required, approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// Stable id.
    pub id: u64,
    /// The customer.
    pub customer_id: u64,
    /// Name.
    pub name: String,
    /// The contract's text.
    pub text: String,
    /// Must be approved before the portal is used.
    pub required: bool,
}

/// A new contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContractSpec {
    /// Name.
    pub name: String,
    /// Text.
    pub text: String,
    /// Must be approved.
    pub required: bool,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increasing sequence number.
    pub seq: u64,
    /// When it happened.
    pub at: i64,
    /// The caller's uid (from SO_PEERCRED), if known.
    pub uid: Option<u32>,
    /// The caller's pid, if known.
    pub pid: Option<i32>,
    /// The admin call, e.g. `domain_set`.
    pub action: String,
    /// What it changed, e.g. `domain portal.example.com`.
    pub target: String,
    /// The call's arguments as JSON, with secrets removed.
    pub detail: String,
}

/// File content on the wire: base64 in JSON (a byte array would cost up to four bytes a byte).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use base64::Engine as _;
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Blob)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_travel_as_base64() {
        let blob = Blob(vec![0, 255, 1, 128]);
        let json = serde_json::to_string(&blob).unwrap();
        assert_eq!(json, "\"AP8BgA==\"");
        assert_eq!(serde_json::from_str::<Blob>(&json).unwrap(), blob);
        assert!(serde_json::from_str::<Blob>("\"not base64!\"").is_err());
    }

    #[test]
    fn keep_clear_and_set_survive_the_wire() {
        let patch = DomainPatch {
            template_customer: Some(None),
            logo: Some(Some("logo.png".into())),
            smtp: None,
            ..Default::default()
        };
        let json = serde_json::to_string(&patch).unwrap();
        let back: DomainPatch = serde_json::from_str(&json).unwrap();
        assert_eq!(back, patch);
        assert_eq!(
            back.template_customer,
            Some(None),
            "clear stays clear: {json}"
        );
        assert_eq!(back.smtp, None, "keep stays keep: {json}");
    }

    #[test]
    fn patches_without_section_edits_omit_them() {
        let json = serde_json::to_value(DomainPatch::default()).unwrap();
        assert!(json.get("show_sections").is_none());
        let back: DomainPatch = serde_json::from_str("{}").unwrap_or_default();
        assert!(back.show_sections.is_empty());
    }
}
