//! The whole command line of `portico`, in one place: `--help` and (later) the man pages are
//! both built from these definitions, so they cannot drift apart.
//!
//! Values that name protocol things (sections, columns, statuses) are taken as text here and
//! read with the protocol enums' `FromStr` afterwards, so that a wrong name is reported as
//! `portico: --access: unknown section "balanse"; use one of: ...` with the flag named.

use std::fmt::Display;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use portico_protocol::{
    Access, BreakoutColumn, CdrColumn, CustomerKind, CustomerStatus, PaymentStatus, Section,
    SignupStatus, SmtpSecurity,
};

const MAIN_AFTER_HELP: &str = "\
Examples:
  portico domain add portal.acme.test --currencies USD,EUR --brand-name 'Acme Voice'
  portico domain set portal.acme.test --hide cdr --show breakout
  portico customer add --name 'Example Ltd' --currency USD --debit-limit 50
  portico ratecard import 'Retail USD' rates.csv --currency USD
  portico cdr import --format asterisk-csv /var/log/asterisk/cdr-csv/Master.csv
  portico report breakout 7 --from 2026-01-01 --to 2026-02-01
  portico --json domain list

The socket is PORTICO_SOCKET or --socket PATH; without either, ./portico-data/admin.sock when it
exists (a development daemon started with `porticod --dev`), else /run/portico/admin.sock. Its
users are root and the members of the portico-admin group.

On success portico exits 0. On an error it prints one line `portico: <message>` on stderr and
exits 1; a command line it cannot read exits 2.";

/// `portico`: the admin console of Portico.
#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about = "Administer a Portico customer portal daemon (porticod)",
    long_about = "Administer a Portico customer portal daemon (porticod) over its admin socket: \
portal domains (brands), the public file store, customers and their contacts, rate cards, routes, \
payments, alerts, packages and contracts, CDRs and the reports on them, and the audit log.\n\n\
Every subcommand prints readable text, or with --json the protocol's own JSON, suitable for \
scripts. Run without a subcommand to see this help.",
    after_help = MAIN_AFTER_HELP
)]
pub struct Cli {
    /// Options that apply to every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path of porticod's admin socket
    #[arg(
        long,
        global = true,
        env = "PORTICO_SOCKET",
        hide_env_values = true,
        value_name = "PATH",
        long_help = "Path of porticod's admin socket. Default: ./portico-data/admin.sock when it \
exists, else /run/portico/admin.sock."
    )]
    pub socket: Option<PathBuf>,

    /// Print the result as pretty JSON of the protocol's types
    #[arg(long, global = true)]
    pub json: bool,
}

/// The subcommands, one per kind of object.
// One value per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the versions of this portico and of the daemon
    Version,
    /// Portal domains (one brand on one FQDN)
    #[command(subcommand)]
    Domain(DomainCommand),
    /// The public file store (logos and other public files)
    #[command(subcommand)]
    File(FileCommand),
    /// Customers and carriers
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Portal logins of customers
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Rate cards
    #[command(subcommand)]
    Ratecard(RatecardCommand),
    /// Rate card assignments of customers
    #[command(subcommand)]
    Route(RouteCommand),
    /// Payments of customers
    #[command(subcommand)]
    Payment(PaymentCommand),
    /// Low-balance alerts
    #[command(subcommand)]
    Alert(AlertCommand),
    /// Packages sold to customers
    #[command(subcommand)]
    Package(PackageCommand),
    /// Contracts customers read and approve
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Call detail records: import, list, assign, quarantine
    #[command(subcommand)]
    Cdr(CdrCommand),
    /// Reports on a customer's calls: breakout and summaries
    #[command(subcommand)]
    Report(ReportCommand),
    /// Show the newest entries of the audit log
    Audit(AuditArgs),
    /// The local certificate authority (--dev and air-gapped installs)
    #[command(subcommand)]
    Ca(CaCommand),
    /// Print the daemon's full export as JSON (secrets only as hashes)
    #[command(
        long_about = "Print the daemon's full export of its store as JSON, exactly as the daemon \
produced it. Passwords appear only as their hashes.",
        after_help = "Example:\n  portico export > portico-export.json"
    )]
    Export,
}

// ---------------------------------------------------------------------------------------------
// certificates

/// `portico domain cert ...`
#[derive(Debug, Subcommand)]
pub enum DomainCertCommand {
    /// Serve an uploaded certificate (PEM chain and key) for a domain instead of ACME
    #[command(
        long_about = "Serve an uploaded certificate for a domain instead of ordering one. The \
chain (the domain's certificate first) and the key must match, and the certificate must cover \
the domain and not be expired. Portico does not renew uploaded certificates: upload the next \
one before this one expires, or remove it to go back to automatic certificates.",
        after_help = "Example:\n  portico domain cert upload portal.acme.test --chain fullchain.pem --key privkey.pem"
    )]
    Upload {
        /// The domain's FQDN
        #[arg(value_name = "FQDN")]
        fqdn: String,
        /// PEM file of the certificate chain, leaf first
        #[arg(long, value_name = "PATH")]
        chain: PathBuf,
        /// PEM file of the private key
        #[arg(long, value_name = "PATH")]
        key: PathBuf,
    },
    /// Remove a domain's uploaded certificate (back to automatic certificates)
    Rm {
        /// The domain's FQDN
        #[arg(value_name = "FQDN")]
        fqdn: String,
    },
}

/// `portico ca ...`
#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Print the local CA's root certificate (PEM) for browsers and clients to trust
    #[command(after_help = "Example:\n  portico ca export > portico-local-ca.pem")]
    Export,
}

// ---------------------------------------------------------------------------------------------
// domain

/// `portico domain ...`
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// List every domain
    List,
    /// Show every setting of one domain
    Show {
        /// The domain's FQDN
        #[arg(value_name = "FQDN")]
        fqdn: String,
    },
    /// Add a domain
    #[command(
        long_about = "Add a portal domain: one brand on one FQDN. The brand's owner points the \
FQDN at this host with a CNAME. Settings that are not given take their defaults.",
        after_help = "Examples:\n  \
portico domain add portal.acme.test --currencies USD --brand-name 'Acme Voice'\n  \
portico domain add portal.acme.test --currencies USD,EUR --customer-signup yes \\\n      \
--signup-status pending_approval --hide carrier_portal --logo acme.png"
    )]
    Add(DomainAddArgs),
    /// Change settings of a domain
    #[command(
        long_about = "Change settings of a domain; settings that are not given are kept. \
--show and --hide add sections to or remove them from the stored access set; --access replaces \
the whole set. --smtp-* flags are merged with the stored SMTP settings (an unset password keeps \
the stored one).",
        after_help = "Examples:\n  \
portico domain set portal.acme.test --brand-name 'Acme Voice' --footer '(c) Acme'\n  \
portico domain set portal.acme.test --show breakout --hide cdr,latest_calls\n  \
portico domain set portal.acme.test --cdr-columns call_time,destination,duration,charge\n  \
portico domain set portal.acme.test --smtp-host mail.acme.test --smtp-from noc@acme.test \\\n      \
--smtp-username noc --smtp-password-file /etc/portico/acme-smtp.pass\n  \
portico domain set portal.acme.test --template-customer none --logo none --no-smtp"
    )]
    Set(DomainSetArgs),
    /// Remove a domain
    Rm {
        /// The domain's FQDN
        #[arg(value_name = "FQDN")]
        fqdn: String,
    },
    /// Show the HTTPS state of every domain, or of one: DNS check, certificate, orders
    #[command(
        long_about = "Show each domain's HTTPS state: dns_pending (with what DNS has instead of \
the CNAME), issuing, active (issuer and expiry) or failed (the CA's problem and the next retry), \
with the certificate served and the last DNS check.",
        after_help = "Examples:\n  portico domain status\n  portico domain status portal.acme.test --json"
    )]
    Status {
        /// Only this domain
        #[arg(value_name = "FQDN")]
        fqdn: Option<String>,
    },
    /// Check a domain's DNS now (CNAME to [tls] cname_target, CAA) and order at once if it passes
    #[command(after_help = "Example:\n  portico domain check portal.acme.test")]
    Check {
        /// The domain's FQDN
        #[arg(value_name = "FQDN")]
        fqdn: String,
    },
    /// Certificates uploaded instead of ACME
    #[command(subcommand)]
    Cert(DomainCertCommand),
    /// Send a test mail through a domain's SMTP settings
    #[command(
        name = "smtp-test",
        long_about = "Send a test mail through a domain's SMTP settings, to check them before \
customers depend on them (sign-up confirmations, password resets). A failure names the server and \
what failed: connecting, TLS, the login, or the mail refused.",
        after_help = "Example:\n  portico domain smtp-test portal.acme.test --to noc@acme.test"
    )]
    SmtpTest {
        /// The domain's FQDN
        #[arg(value_name = "FQDN")]
        fqdn: String,
        /// The address to send the test mail to
        #[arg(long, value_name = "ADDRESS")]
        to: String,
    },
}

/// `portico domain add`.
#[derive(Debug, Args)]
pub struct DomainAddArgs {
    /// The domain's FQDN, e.g. portal.acme.test
    #[arg(value_name = "FQDN")]
    pub fqdn: String,

    /// ISO 4217 codes offered at sign-up, comma separated (e.g. USD,EUR)
    #[arg(long, value_name = "LIST", help_heading = "Basic")]
    pub currencies: String,

    /// The domain's settings.
    #[command(flatten)]
    pub options: DomainOptions,
}

/// `portico domain set`.
#[derive(Debug, Args)]
pub struct DomainSetArgs {
    /// The domain's FQDN
    #[arg(value_name = "FQDN")]
    pub fqdn: String,

    /// ISO 4217 codes offered at sign-up, comma separated (e.g. USD,EUR)
    #[arg(long, value_name = "LIST", help_heading = "Basic")]
    pub currencies: Option<String>,

    /// The settings to change.
    #[command(flatten)]
    pub options: DomainOptions,
}

/// The settings of a domain, shared by `domain add` and `domain set`; grouped like the tabs of
/// the TUI's domain editor.
#[derive(Debug, Default, Args)]
pub struct DomainOptions {
    /// The brand's name (shown when there is no logo, and in titles)
    #[arg(long, value_name = "S", help_heading = "Basic")]
    pub brand_name: Option<String>,

    /// Let customers sign up by themselves
    #[arg(long, value_name = "BOOL", help_heading = "Basic", long_help = bool_help("Let customers sign up by themselves."))]
    pub customer_signup: Option<String>,

    /// Let carriers sign up by themselves
    #[arg(long, value_name = "BOOL", help_heading = "Basic", long_help = bool_help("Let carriers sign up by themselves."))]
    pub carrier_signup: Option<String>,

    /// Status of self-signed-up accounts: active or pending_approval
    #[arg(long, value_name = "STATUS", help_heading = "Basic", long_help = names_help("Status of self-signed-up accounts.", SignupStatus::ALL))]
    pub signup_status: Option<String>,

    /// Customer whose values seed every self-signed-up account, or `none`
    #[arg(long, value_name = "ID|none", help_heading = "Basic")]
    pub template_customer: Option<String>,

    /// The whole set of sections customers see, comma separated ("" for none)
    #[arg(long, value_name = "LIST", help_heading = "User access", long_help = names_help("The whole set of portal sections customers see, comma separated; an empty string hides them all.", Section::ALL))]
    pub access: Option<String>,

    /// Show a section to customers (repeatable)
    #[arg(long, value_name = "SECTION", help_heading = "User access", long_help = names_help("Add a section to the access set (repeatable, or comma separated).", Section::ALL))]
    pub show: Vec<String>,

    /// Hide a section from customers (repeatable)
    #[arg(long, value_name = "SECTION", help_heading = "User access", long_help = names_help("Remove a section from the access set (repeatable, or comma separated).", Section::ALL))]
    pub hide: Vec<String>,

    /// CDR columns shown to customers, in order
    #[arg(long, value_name = "LIST", help_heading = "CDR", long_help = names_help("CDR columns shown to customers, in order, comma separated.", CdrColumn::ALL))]
    pub cdr_columns: Option<String>,

    /// CDR columns shown to carriers, in order
    #[arg(long, value_name = "LIST", help_heading = "CDR", long_help = names_help("CDR columns shown to carriers, in order, comma separated.", CdrColumn::ALL))]
    pub carrier_cdr_columns: Option<String>,

    /// Breakout columns shown to customers, in order
    #[arg(long, value_name = "LIST", help_heading = "Breakout", long_help = names_help("Breakout columns shown to customers, in order, comma separated; call_time groups by day.", BreakoutColumn::ALL))]
    pub breakout_columns: Option<String>,

    /// Breakout columns shown to carriers, in order
    #[arg(long, value_name = "LIST", help_heading = "Breakout", long_help = names_help("Breakout columns shown to carriers, in order, comma separated; call_time groups by day.", BreakoutColumn::ALL))]
    pub carrier_breakout_columns: Option<String>,

    /// Custom JavaScript, or <script src="https://..."> tags
    #[arg(
        long,
        value_name = "S",
        help_heading = "Advanced",
        conflicts_with = "custom_js_file"
    )]
    pub custom_js: Option<String>,

    /// Read the custom JavaScript from a file ("-" for stdin)
    #[arg(long, value_name = "PATH", help_heading = "Advanced")]
    pub custom_js_file: Option<PathBuf>,

    /// Custom CSS (e.g. overriding --portico-accent)
    #[arg(
        long,
        value_name = "S",
        help_heading = "Advanced",
        conflicts_with = "custom_css_file"
    )]
    pub custom_css: Option<String>,

    /// Read the custom CSS from a file ("-" for stdin)
    #[arg(long, value_name = "PATH", help_heading = "Advanced")]
    pub custom_css_file: Option<PathBuf>,

    /// Logo: a file of the public file store (see `portico file put`), or `none`
    #[arg(long, value_name = "NAME|none", help_heading = "Advanced")]
    pub logo: Option<String>,

    /// Plain text at the bottom of every page
    #[arg(long, value_name = "S", help_heading = "Advanced")]
    pub footer: Option<String>,

    /// SMTP server host name (any --smtp-* flag sets SMTP)
    #[arg(long, value_name = "HOST", help_heading = "SMTP")]
    pub smtp_host: Option<String>,

    /// SMTP server port (default 587)
    #[arg(long, value_name = "N", help_heading = "SMTP")]
    pub smtp_port: Option<u16>,

    /// SMTP connection security: starttls, tls or none
    #[arg(long, value_name = "SECURITY", help_heading = "SMTP", long_help = names_help("How the connection to the SMTP server is secured (default starttls).", SmtpSecurity::ALL))]
    pub smtp_security: Option<String>,

    /// SMTP user name for AUTH
    #[arg(long, value_name = "USER", help_heading = "SMTP")]
    pub smtp_username: Option<String>,

    /// SMTP password (visible to other local users; prefer --smtp-password-file)
    #[arg(
        long,
        value_name = "P",
        help_heading = "SMTP",
        conflicts_with = "smtp_password_file"
    )]
    pub smtp_password: Option<String>,

    /// Read the SMTP password from a file (first line; "-" for stdin)
    #[arg(long, value_name = "PATH", help_heading = "SMTP")]
    pub smtp_password_file: Option<PathBuf>,

    /// The From address of mails sent for the brand
    #[arg(long, value_name = "ADDR", help_heading = "SMTP")]
    pub smtp_from: Option<String>,

    /// Remove the SMTP settings
    #[arg(
        long,
        help_heading = "SMTP",
        conflicts_with_all = [
            "smtp_host", "smtp_port", "smtp_security", "smtp_username",
            "smtp_password", "smtp_password_file", "smtp_from",
        ]
    )]
    pub no_smtp: bool,
}

// ---------------------------------------------------------------------------------------------
// file

/// `portico file ...`
#[derive(Debug, Subcommand)]
pub enum FileCommand {
    /// Store a file in the public file store (replaces a file of the same name)
    #[command(
        after_help = "Example:\n  portico file put ./acme-logo.png --name acme.png\n  \
portico domain set portal.acme.test --logo acme.png"
    )]
    Put {
        /// The file to upload
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Name in the store (letters, digits, '.', '_', '-'); default: the file's name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// List the public file store
    List,
    /// Remove a file (refused while a domain uses it as its logo)
    Rm {
        /// The file's name in the store
        #[arg(value_name = "NAME")]
        name: String,
    },
}

// ---------------------------------------------------------------------------------------------
// customer

/// `portico customer ...`
#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// List customers
    List {
        /// Only customers with this status: active, pending_approval or suspended
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Show a customer with its balance, contacts, routes, payments, alerts, packages and contracts
    Show {
        /// The customer's id
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Show a customer's balance: completed payments - charges, debit limit, what is left
    Balance {
        /// The customer's id
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Add a customer or carrier
    #[command(after_help = "Examples:\n  \
portico customer add --name 'Example Ltd' --currency USD\n  \
portico customer add --name 'Wholesale Co' --currency EUR --kind carrier --debit-limit 500 \\\n      \
--account-codes 1001,1002")]
    Add(CustomerAddArgs),
    /// Change a customer's fields
    #[command(after_help = "Examples:\n  \
portico customer set 7 --status suspended\n  \
portico customer set 7 --debit-limit 25.50 --account-codes ''")]
    Set(CustomerSetArgs),
    /// Remove a customer and everything that belongs to it
    Rm {
        /// The customer's id
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Approve a customer that is pending approval
    Approve {
        /// The customer's id
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Show or hide one portal section for one customer, or follow the domain again
    #[command(
        long_about = "Override whether one customer sees one portal section: show or hide it \
whatever the domain says, or `default` to follow the domain's access set again.",
        after_help = "Example:\n  portico customer override 7 breakout show"
    )]
    Override {
        /// The customer's id
        #[arg(value_name = "ID")]
        id: u64,
        /// The section
        #[arg(value_name = "SECTION", long_help = names_help("The section.", Section::ALL))]
        section: String,
        /// default, show or hide
        #[arg(value_name = "ACCESS", long_help = names_help("The override.", Access::ALL))]
        access: String,
    },
}

/// `portico customer add`.
#[derive(Debug, Args)]
pub struct CustomerAddArgs {
    /// Company or person name
    #[arg(long, value_name = "N")]
    pub name: String,
    /// ISO 4217 code of the account's currency
    #[arg(long, value_name = "C")]
    pub currency: String,
    /// The other fields.
    #[command(flatten)]
    pub fields: CustomerFields,
}

/// `portico customer set`.
#[derive(Debug, Args)]
pub struct CustomerSetArgs {
    /// The customer's id
    #[arg(value_name = "ID")]
    pub id: u64,
    /// Company or person name
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// ISO 4217 code of the account's currency
    #[arg(long, value_name = "C")]
    pub currency: Option<String>,
    /// The other fields.
    #[command(flatten)]
    pub fields: CustomerFields,
}

/// Customer fields shared by `customer add` and `customer set`.
#[derive(Debug, Default, Args)]
pub struct CustomerFields {
    /// customer or carrier
    #[arg(long, value_name = "KIND", long_help = names_help("Customer or carrier (default customer).", CustomerKind::ALL))]
    pub kind: Option<String>,
    /// active, pending_approval or suspended
    #[arg(long, value_name = "STATUS", long_help = names_help("The account's status (default active).", CustomerStatus::ALL))]
    pub status: Option<String>,
    /// How far below zero the balance may go, e.g. 50 or 12.50
    #[arg(long, value_name = "D", allow_negative_numbers = true)]
    pub debit_limit: Option<String>,
    /// The whole list of account codes matching its CDRs, comma separated ("" for none)
    #[arg(long, value_name = "LIST")]
    pub account_codes: Option<String>,
    /// The portal domain its contacts log in on, or `none`
    #[arg(long, value_name = "FQDN|none")]
    pub domain: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// contact

/// `portico contact ...`
#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Add a portal login to a customer
    #[command(
        long_about = "Add a portal login to a customer. Without --password or --password-file \
the daemon generates a password and portico prints it once.",
        after_help = "Examples:\n  \
portico contact add 7 --email ops@example.test --name 'Ops Team'\n  \
portico contact add 7 --email ops@example.test --name 'Ops' --password-file pw.txt \\\n      \
--ip-allow 203.0.113.0/24"
    )]
    Add {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
        /// Login e-mail address
        #[arg(long, value_name = "E")]
        email: String,
        /// Display name
        #[arg(long, value_name = "N")]
        name: String,
        /// The password to use.
        #[command(flatten)]
        password: PasswordArgs,
        /// Networks it may log in from (addresses or CIDR), comma separated; default anywhere
        #[arg(long, value_name = "LIST")]
        ip_allow: Option<String>,
    },
    /// Set a contact's password, or generate a new one and print it once
    ResetPassword {
        /// The contact's e-mail address
        #[arg(value_name = "EMAIL")]
        email: String,
        /// The password to use.
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Remove a contact
    Rm {
        /// The contact's e-mail address
        #[arg(value_name = "EMAIL")]
        email: String,
    },
}

/// A password given on the command line or in a file; neither means "generate one".
#[derive(Debug, Default, Args)]
pub struct PasswordArgs {
    /// The password (visible to other local users; prefer --password-file)
    #[arg(long, value_name = "P", conflicts_with = "password_file")]
    pub password: Option<String>,
    /// Read the password from a file (first line; "-" for stdin)
    #[arg(long, value_name = "F")]
    pub password_file: Option<PathBuf>,
}

// ---------------------------------------------------------------------------------------------
// ratecard

/// `portico ratecard ...`
#[derive(Debug, Subcommand)]
pub enum RatecardCommand {
    /// Import rates from a CSV file, creating the card when new
    #[command(
        long_about = "Import rates from a CSV file into the named rate card, creating it when \
new. Rows with the prefix and effective date of a stored rate replace it; with --replace every \
stored rate of the card is dropped first. The import is refused when any row is bad.\n\n\
The header row is required; columns (case-insensitive): prefix, name (or destination), rate (or \
rate_per_min), and optionally connect_fee (connection_fee), first_increment (first), \
next_increment (next), effective_from (effective_date: YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or RFC \
3339, UTC).",
        after_help = "Example:\n  portico ratecard import 'Retail USD' rates.csv --currency USD\n\n\
rates.csv:\n  prefix,name,rate,connect_fee,first_increment,next_increment,effective_from\n  \
44,United Kingdom,0.0100,0,1,1,2026-01-01\n  \
447,United Kingdom - Mobile,0.0250,0.01,30,6,2026-01-01"
    )]
    Import {
        /// The rate card's name
        #[arg(value_name = "NAME")]
        name: String,
        /// The CSV file ("-" for stdin)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// ISO 4217 code of the rates
        #[arg(long, value_name = "C")]
        currency: String,
        /// Drop every stored rate of the card first
        #[arg(long)]
        replace: bool,
    },
    /// List rate cards
    List,
    /// Show a rate card with its rates
    Show {
        /// The rate card's name
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Remove a rate card (refused while a route uses it)
    Rm {
        /// The rate card's name
        #[arg(value_name = "NAME")]
        name: String,
    },
}

// ---------------------------------------------------------------------------------------------
// route

/// `portico route ...`
#[derive(Debug, Subcommand)]
pub enum RouteCommand {
    /// Assign a rate card to a customer
    #[command(after_help = "Example:\n  portico route add 7 'Retail USD' --tech-prefix 99#")]
    Add {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
        /// The rate card's name
        #[arg(value_name = "RATECARD")]
        ratecard: String,
        /// Digits stripped from the dialled number before rating
        #[arg(long, value_name = "P", default_value = "")]
        tech_prefix: String,
    },
    /// Remove a rate card assignment
    Rm {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
        /// The rate card's name
        #[arg(value_name = "RATECARD")]
        ratecard: String,
    },
}

// ---------------------------------------------------------------------------------------------
// payment

/// `portico payment ...`
#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Record a payment
    #[command(
        after_help = "Examples:\n  portico payment add 7 25.00 --description 'Bank transfer'\n  \
portico payment add 7 100 --status pending --description 'Wire #admin note'"
    )]
    Add {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
        /// The amount in the customer's currency, e.g. 25.00
        #[arg(value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: String,
        /// pending, completed (default) or cancelled
        #[arg(long, value_name = "STATUS", long_help = names_help("The payment's status (default completed).", PaymentStatus::ALL))]
        status: Option<String>,
        /// Free text; text after '#' is for admins only
        #[arg(long, value_name = "D", default_value = "")]
        description: String,
    },
    /// List a customer's payments, newest first
    List {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
    },
    /// Change a payment's status
    Status {
        /// The payment's id
        #[arg(value_name = "PAYMENT_ID")]
        payment_id: u64,
        /// pending, completed or cancelled
        #[arg(value_name = "STATUS", long_help = names_help("The new status.", PaymentStatus::ALL))]
        status: String,
    },
}

// ---------------------------------------------------------------------------------------------
// alert, package, contract

/// `portico alert ...`
#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Add a low-balance alert
    #[command(
        after_help = "Example:\n  portico alert add 7 --threshold 10 --email billing@example.test"
    )]
    Add {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
        /// The balance below which the alert fires, e.g. 10.00
        #[arg(long, value_name = "D", allow_negative_numbers = true)]
        threshold: String,
        /// Where the alert is mailed
        #[arg(long, value_name = "E")]
        email: String,
    },
    /// Remove an alert
    Rm {
        /// The alert's id
        #[arg(value_name = "ID")]
        id: u64,
    },
}

/// `portico package ...`
#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Add a package
    #[command(
        after_help = "Example:\n  portico package add 7 --name 'UK 1000' --price 9.99 \
--description '1000 minutes to the UK'"
    )]
    Add {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
        /// Name
        #[arg(long, value_name = "N")]
        name: String,
        /// Monthly price, e.g. 9.99
        #[arg(long, value_name = "D", allow_negative_numbers = true)]
        price: String,
        /// Description
        #[arg(long, value_name = "S", default_value = "")]
        description: String,
    },
    /// Remove a package
    Rm {
        /// The package's id
        #[arg(value_name = "ID")]
        id: u64,
    },
}

/// `portico contract ...`
#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Add a contract
    #[command(
        group(ArgGroup::new("contract_text").required(true).args(["text", "text_file"])),
        after_help = "Example:\n  portico contract add 7 --name 'Terms of service' --text-file terms.txt --required"
    )]
    Add {
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
        /// Name
        #[arg(long, value_name = "N")]
        name: String,
        /// The contract's text
        #[arg(long, value_name = "T")]
        text: Option<String>,
        /// Read the contract's text from a file ("-" for stdin)
        #[arg(long, value_name = "F")]
        text_file: Option<PathBuf>,
        /// The customer must approve it before using the portal
        #[arg(long)]
        required: bool,
    },
    /// Remove a contract
    Rm {
        /// The contract's id
        #[arg(value_name = "ID")]
        id: u64,
    },
}

// ---------------------------------------------------------------------------------------------
// cdr

/// The CDR formats `portico cdr import` reads, by their stable names.
pub const CDR_FORMATS: &[&str] = &[
    "asterisk-csv",
    "freeswitch-csv",
    "freeswitch-json",
    "generic-csv",
];

/// `portico cdr ...`
#[derive(Debug, Subcommand)]
pub enum CdrCommand {
    /// Import CDR files, sent to the daemon in chunks of whole lines
    #[command(
        long_about = "Import CDR files. Each file is read as bytes (text that is not UTF-8 is \
fine) and sent to the daemon in chunks of whole lines of about 4 MiB; a chunk never ends inside a \
quoted field. Each chunk is committed durably on its own, and a CDR's identity is its call id and \
leg, so importing a file again, or after an interrupted import, stores nothing twice.\n\n\
Lines the daemon cannot read are quarantined with their file and line number and the rest goes \
on; the report lists them (all of them: portico cdr quarantine). A freeswitch-json FILE is one \
mod_json_cdr document; give many (e.g. a spool directory's *.json).\n\n\
A progress bar is shown on stderr when it is a terminal (not with --json).\n\n\
Exit status: 0 when every chunk was taken, also when lines were quarantined; 1 when a chunk \
could not be imported (the message says which lines were already committed).",
        after_help = "Examples:\n  \
portico cdr import --format asterisk-csv --time-zone Europe/Paris Master.csv\n  \
portico cdr import --format freeswitch-csv /var/log/freeswitch/cdr-csv/Master.csv\n  \
portico cdr import --format freeswitch-json /var/spool/freeswitch/json_cdr/*.json\n  \
portico cdr import --format generic-csv calls.csv --mapping call_id=uuid,source=caller\n  \
zcat Master.csv.1.gz | portico cdr import --format asterisk-csv - --source Master.csv.1"
    )]
    Import(CdrImportArgs),
    /// List a customer's CDRs (or the unassigned ones), newest first
    #[command(
        long_about = "List a customer's CDRs, or with `unassigned` the CDRs that matched no \
customer, newest first, a page at a time. The line `more: --after CURSOR` says how to ask for \
the next page; --all follows the pages to the end. --csv writes every field of each CDR as CSV \
(times in RFC 3339, UTC), page by page, for scripts; without --all the hint goes to stderr.\n\n\
A `*` in the last column marks a call with no rate: it is stored with no charge.",
        after_help = "DATE is YYYY-MM-DD (midnight UTC), \"YYYY-MM-DD HH:MM[:SS]\" (UTC) or \
RFC 3339 with an offset (2026-01-31T08:00:00+01:00). --to is exclusive.\n\n\
Examples:\n  \
portico cdr list 7 --from 2026-01-01 --to 2026-02-01 --connected\n  \
portico cdr list 7 --search 4420 --limit 20\n  \
portico cdr list 7 --after 1795737600:42\n  \
portico cdr list unassigned\n  \
portico cdr list 7 --from 2026-01-01 --all --csv > january.csv"
    )]
    List(CdrListArgs),
    /// Show the unassigned CDRs grouped by account code
    #[command(
        after_help = "Assign a group to a customer with:\n  portico cdr assign ACCOUNT_CODE CUSTOMER_ID"
    )]
    Unassigned,
    /// Assign the unassigned CDRs of an account code to a customer (and rate them)
    #[command(
        long_about = "Assign every unassigned CDR with this account code to a customer and rate \
them. The account code is added to the customer, so later CDRs with it match directly.",
        after_help = "Example:\n  portico cdr assign 1001 7"
    )]
    Assign {
        /// The account code ("" for CDRs without one)
        #[arg(value_name = "ACCOUNT_CODE")]
        account_code: String,
        /// The customer's id
        #[arg(value_name = "CUSTOMER_ID")]
        customer_id: u64,
    },
    /// Show quarantined lines and documents, newest first
    Quarantine {
        /// How many entries to show
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: u32,
    },
    /// Show the ingest counters: CDRs stored, unassigned, unrated, quarantined
    Status,
}

/// `portico cdr import`.
#[derive(Debug, Args)]
pub struct CdrImportArgs {
    /// The files' format
    #[arg(
        long,
        value_name = "FORMAT",
        value_parser = clap::builder::PossibleValuesParser::new(CDR_FORMATS)
    )]
    pub format: String,

    /// The files to import ("-" for stdin)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// IANA time zone of times written without an offset (e.g. Europe/Paris); default UTC
    #[arg(long, value_name = "IANA")]
    pub time_zone: Option<String>,

    /// generic-csv: which file column holds each Portico field, e.g. call_id=uuid,source=caller
    #[arg(long, value_name = "portico=col,...")]
    pub mapping: Option<String>,

    /// Name the lines' origin in quarantine entries (default: the file's path); one FILE only
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
}

/// `portico cdr list`.
#[derive(Debug, Args)]
pub struct CdrListArgs {
    /// The customer's id, or `unassigned`
    #[arg(value_name = "CUSTOMER_ID|unassigned")]
    pub customer: String,

    /// Calls that started at or after DATE
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Calls that started before DATE (exclusive)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Only connected (answered) calls
    #[arg(long)]
    pub connected: bool,

    /// Only calls whose source or destination number contains DIGITS
    #[arg(long, value_name = "DIGITS")]
    pub search: Option<String>,

    /// CDRs per page, 1 to 1000 (default 100; with --all, 1000)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: Option<u32>,

    /// Continue after this cursor (printed as `more: --after CURSOR`)
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,

    /// Follow the pages to the end
    #[arg(long)]
    pub all: bool,

    /// Write CSV with every field, for scripts
    #[arg(long)]
    pub csv: bool,
}

// ---------------------------------------------------------------------------------------------
// report

/// `portico report ...`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Per destination: attempts, connected, ASR, ACD, minutes, billed minutes, charge
    #[command(
        long_about = "The breakout of a customer's calls per destination name (with --per-day, \
per UTC day and destination): attempts, connected, ASR (connected / attempts, in percent), ACD \
(average seconds of a connected call), seconds and minutes talked and billed, and the charge. \
It covers whole UTC days: --from is rounded down to its day, --to (exclusive) up.",
        after_help = "DATE is YYYY-MM-DD (midnight UTC), \"YYYY-MM-DD HH:MM[:SS]\" (UTC) or \
RFC 3339 with an offset.\n\n\
Examples:\n  \
portico report breakout 7 --from 2026-01-01 --to 2026-02-01\n  \
portico report breakout 7 --from 2026-01-01 --per-day --csv > breakout.csv"
    )]
    Breakout(ReportArgs),
    /// Per UTC day and per month: attempts, connected, ASR, ACD, minutes, charge
    #[command(
        after_help = "DATE is YYYY-MM-DD (midnight UTC), \"YYYY-MM-DD HH:MM[:SS]\" (UTC) or \
RFC 3339 with an offset.\n\n\
Example:\n  portico report summary 7 --from 2026-01-01"
    )]
    Summary(SummaryArgs),
}

/// `portico report breakout`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The customer's id
    #[arg(value_name = "CUSTOMER_ID")]
    pub customer_id: u64,

    /// From DATE (rounded down to its UTC day)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// To DATE, exclusive (rounded up to a UTC day)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// One row per UTC day and destination
    #[arg(long)]
    pub per_day: bool,

    /// Write CSV, for scripts
    #[arg(long)]
    pub csv: bool,
}

/// `portico report summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The customer's id
    #[arg(value_name = "CUSTOMER_ID")]
    pub customer_id: u64,

    /// From DATE (rounded down to its UTC day)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// To DATE, exclusive (rounded up to a UTC day)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Write CSV, for scripts (a `period` column says day or month)
    #[arg(long)]
    pub csv: bool,
}

// ---------------------------------------------------------------------------------------------
// audit

/// `portico audit`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  portico audit --limit 10")]
pub struct AuditArgs {
    /// How many entries to show, newest first
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: u32,
}

// ---------------------------------------------------------------------------------------------
// help texts built from the protocol, so they list exactly the names the daemon knows

fn names_help<T: Display>(text: &str, all: &[T]) -> String {
    let names: Vec<String> = all.iter().map(ToString::to_string).collect();
    format!("{text}\n\nOne of: {}", names.join(", "))
}

fn bool_help(text: &str) -> String {
    format!("{text}\n\nOne of: true, false, yes, no, on, off")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_before_or_after_the_subcommand() {
        let before =
            Cli::try_parse_from(["portico", "--json", "--socket", "/s", "domain", "list"]).unwrap();
        let after =
            Cli::try_parse_from(["portico", "domain", "list", "--json", "--socket", "/s"]).unwrap();
        for cli in [before, after] {
            assert!(cli.global.json);
            assert_eq!(cli.global.socket, Some(PathBuf::from("/s")));
        }
    }

    #[test]
    fn bare_portico_parses_without_a_command() {
        let cli = Cli::try_parse_from(["portico"]).unwrap();
        assert!(cli.command.is_none());
    }

    #[test]
    fn domain_add_requires_currencies() {
        let err = Cli::try_parse_from(["portico", "domain", "add", "a.test"]).unwrap_err();
        assert!(err.to_string().contains("--currencies"), "{err}");
    }

    #[test]
    fn conflicting_sources_are_usage_errors() {
        for args in [
            &[
                "portico",
                "domain",
                "set",
                "a.test",
                "--custom-js",
                "x",
                "--custom-js-file",
                "f",
            ][..],
            &[
                "portico",
                "domain",
                "set",
                "a.test",
                "--no-smtp",
                "--smtp-host",
                "h",
            ][..],
            &[
                "portico",
                "contact",
                "reset-password",
                "a@b.test",
                "--password",
                "p",
                "--password-file",
                "f",
            ][..],
            &["portico", "contract", "add", "1", "--name", "n"][..],
            &[
                "portico",
                "contract",
                "add",
                "1",
                "--name",
                "n",
                "--text",
                "t",
                "--text-file",
                "f",
            ][..],
        ] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }

    #[test]
    fn negative_amounts_are_values() {
        let cli = Cli::try_parse_from(["portico", "payment", "add", "3", "-5.00"]).unwrap();
        let Some(Command::Payment(PaymentCommand::Add { amount, .. })) = cli.command else {
            panic!("not a payment add");
        };
        assert_eq!(amount, "-5.00");
    }

    #[test]
    fn audit_limit_defaults_to_50() {
        let cli = Cli::try_parse_from(["portico", "audit"]).unwrap();
        let Some(Command::Audit(a)) = cli.command else {
            panic!("not audit");
        };
        assert_eq!(a.limit, 50);
    }

    #[test]
    fn long_help_lists_every_section() {
        let mut cmd = Cli::command();
        let domain = cmd.find_subcommand_mut("domain").unwrap();
        let set = domain.find_subcommand_mut("set").unwrap();
        let help = set.render_long_help().to_string();
        for s in Section::ALL {
            assert!(help.contains(s.as_str()), "{s} missing from help");
        }
    }

    #[test]
    fn cdr_list_takes_every_flag() {
        let cli = Cli::try_parse_from([
            "portico",
            "cdr",
            "list",
            "unassigned",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31 12:00",
            "--connected",
            "--search",
            "4420",
            "--limit",
            "20",
            "--after",
            "1795737600:42",
            "--all",
            "--csv",
        ])
        .unwrap();
        let Some(Command::Cdr(CdrCommand::List(a))) = cli.command else {
            panic!("not cdr list");
        };
        assert_eq!(a.customer, "unassigned");
        assert_eq!(a.from.as_deref(), Some("2026-01-01"));
        assert_eq!(a.to.as_deref(), Some("2026-01-31 12:00"));
        assert!(a.connected && a.all && a.csv);
        assert_eq!(a.search.as_deref(), Some("4420"));
        assert_eq!(a.limit, Some(20));
        assert_eq!(a.after.as_deref(), Some("1795737600:42"));
    }

    #[test]
    fn cdr_subcommands_parse() {
        let cli = Cli::try_parse_from(["portico", "cdr", "assign", "", "7"]).unwrap();
        let Some(Command::Cdr(CdrCommand::Assign {
            account_code,
            customer_id,
        })) = cli.command
        else {
            panic!("not cdr assign");
        };
        assert_eq!((account_code.as_str(), customer_id), ("", 7));
        let cli = Cli::try_parse_from(["portico", "cdr", "quarantine"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Cdr(CdrCommand::Quarantine { limit: 50 }))
        ));
        for args in [
            &["portico", "cdr", "status"][..],
            &["portico", "cdr", "unassigned"][..],
            &["portico", "customer", "balance", "7"][..],
        ] {
            Cli::try_parse_from(args).unwrap();
        }
        let cli = Cli::try_parse_from([
            "portico",
            "cdr",
            "import",
            "--format",
            "generic-csv",
            "a.csv",
            "b.csv",
            "--time-zone",
            "Europe/Paris",
            "--mapping",
            "call_id=uuid",
            "--source",
            "sw1",
        ])
        .unwrap();
        let Some(Command::Cdr(CdrCommand::Import(a))) = cli.command else {
            panic!("not cdr import");
        };
        assert_eq!(a.format, "generic-csv");
        assert_eq!(a.files.len(), 2);
        assert_eq!(a.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(a.mapping.as_deref(), Some("call_id=uuid"));
        assert_eq!(a.source.as_deref(), Some("sw1"));
    }

    #[test]
    fn report_commands_parse() {
        let cli = Cli::try_parse_from([
            "portico",
            "report",
            "breakout",
            "7",
            "--from",
            "2026-01-01",
            "--per-day",
            "--csv",
        ])
        .unwrap();
        let Some(Command::Report(ReportCommand::Breakout(a))) = cli.command else {
            panic!("not report breakout");
        };
        assert_eq!(a.customer_id, 7);
        assert!(a.per_day && a.csv);
        assert_eq!(a.to, None);
        let cli = Cli::try_parse_from(["portico", "report", "summary", "7", "--to", "2026-02-01"])
            .unwrap();
        let Some(Command::Report(ReportCommand::Summary(a))) = cli.command else {
            panic!("not report summary");
        };
        assert_eq!(a.to.as_deref(), Some("2026-02-01"));
        assert!(!a.csv);
        let err = Cli::try_parse_from(["portico", "report", "summary", "seven"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err =
            Cli::try_parse_from(["portico", "report", "summary", "7", "--per-day"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}
