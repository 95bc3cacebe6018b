//! `portico domain ...`: portal domains, and turning DOMAIN OPTIONS into a `DomainPatch`.

use std::collections::BTreeSet;

use portico_protocol::{Domain, DomainPatch, Section, SmtpSecurity, SmtpSettings, SmtpSpec};

use super::Session;
use crate::cli::args::{DomainAddArgs, DomainCommand, DomainOptions, DomainSetArgs};
use crate::cli::error::CliError;
use crate::cli::output::{Align, Fields, Table, join, opt, removed, table_or, time};
use crate::cli::values;

/// Runs one `domain` subcommand.
pub async fn run(session: &Session, command: DomainCommand) -> Result<String, CliError> {
    match command {
        DomainCommand::List => {
            let conn = session.connect().await?;
            let list = conn
                .call("domain_list", |ctx| conn.admin().domain_list(ctx))
                .await?;
            session.format.render(&list, render_list)
        }
        DomainCommand::Show { fqdn } => {
            let conn = session.connect().await?;
            let domain = conn
                .call("domain_show", |ctx| conn.admin().domain_show(ctx, fqdn))
                .await?;
            session.format.render(&domain, render_domain)
        }
        DomainCommand::Rm { fqdn } => {
            let conn = session.connect().await?;
            let key = fqdn.clone();
            conn.call("domain_remove", |ctx| conn.admin().domain_remove(ctx, fqdn))
                .await?;
            removed(session.format, "domain", key)
        }
        DomainCommand::SmtpTest { fqdn, to } => {
            let conn = session.connect().await?;
            let sent = conn
                .call("domain_smtp_test", |ctx| {
                    conn.admin().domain_smtp_test(ctx, fqdn, to)
                })
                .await?;
            session
                .format
                .render(&serde_json::json!({ "sent": sent }), |_| {
                    format!("{}\n", crate::cli::output::clean(&sent))
                })
        }
        DomainCommand::Add(args) => add(session, args).await,
        DomainCommand::Set(args) => set(session, args).await,
        DomainCommand::Status { fqdn } => super::tls::status(session, fqdn).await,
        DomainCommand::Check { fqdn } => super::tls::check(session, fqdn).await,
        DomainCommand::Cert(c) => super::tls::cert(session, c).await,
    }
}

async fn add(session: &Session, args: DomainAddArgs) -> Result<String, CliError> {
    let edit = DomainEdit::from_options(Some(&args.currencies), &args.options)?;
    let conn = session.connect().await?;
    let patch = edit.to_patch(None);
    let domain = conn
        .call("domain_add", |ctx| {
            conn.admin().domain_add(ctx, args.fqdn, patch)
        })
        .await?;
    session.format.render(&domain, render_domain)
}

async fn set(session: &Session, args: DomainSetArgs) -> Result<String, CliError> {
    let edit = DomainEdit::from_options(args.currencies.as_deref(), &args.options)?;
    let conn = session.connect().await?;
    // --smtp-* change part of the stored SMTP settings: read them first.
    let stored = if edit.needs_stored() {
        let fqdn = args.fqdn.clone();
        Some(
            conn.call("domain_show", |ctx| conn.admin().domain_show(ctx, fqdn))
                .await?,
        )
    } else {
        None
    };
    let patch = edit.to_patch(stored.as_ref());
    let domain = conn
        .call("domain_set", |ctx| {
            conn.admin().domain_set(ctx, args.fqdn, patch)
        })
        .await?;
    session.format.render(&domain, render_domain)
}

/// DOMAIN OPTIONS, read and checked, before the stored domain is known.
#[derive(Debug, Default)]
pub struct DomainEdit {
    /// Everything that does not depend on the stored domain.
    base: DomainPatch,
    show: BTreeSet<Section>,
    hide: BTreeSet<Section>,
    smtp: SmtpEdit,
}

#[derive(Debug, Default)]
enum SmtpEdit {
    #[default]
    Keep,
    Clear,
    Set(SmtpFlags),
}

/// The --smtp-* flags that were given.
#[derive(Default)]
struct SmtpFlags {
    host: Option<String>,
    port: Option<u16>,
    security: Option<SmtpSecurity>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
}

impl std::fmt::Debug for SmtpFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpFlags")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

impl DomainEdit {
    /// Reads the options; every error names its flag. Files named by `--*-file` are read here.
    pub fn from_options(
        currencies: Option<&str>,
        o: &DomainOptions,
    ) -> Result<DomainEdit, CliError> {
        let base = DomainPatch {
            brand_name: o.brand_name.clone(),
            customer_signup: o
                .customer_signup
                .as_deref()
                .map(|v| values::boolean("--customer-signup", v))
                .transpose()?,
            carrier_signup: o
                .carrier_signup
                .as_deref()
                .map(|v| values::boolean("--carrier-signup", v))
                .transpose()?,
            signup_status: o
                .signup_status
                .as_deref()
                .map(|v| values::name("--signup-status", v))
                .transpose()?,
            currencies: currencies.map(values::list),
            template_customer: o
                .template_customer
                .as_deref()
                .map(template_customer)
                .transpose()?,
            access: o
                .access
                .as_deref()
                .map(|v| values::names("--access", v))
                .transpose()?,
            cdr_columns: o
                .cdr_columns
                .as_deref()
                .map(|v| values::names("--cdr-columns", v))
                .transpose()?,
            carrier_cdr_columns: o
                .carrier_cdr_columns
                .as_deref()
                .map(|v| values::names("--carrier-cdr-columns", v))
                .transpose()?,
            breakout_columns: o
                .breakout_columns
                .as_deref()
                .map(|v| values::names("--breakout-columns", v))
                .transpose()?,
            carrier_breakout_columns: o
                .carrier_breakout_columns
                .as_deref()
                .map(|v| values::names("--carrier-breakout-columns", v))
                .transpose()?,
            custom_js: match (&o.custom_js, &o.custom_js_file) {
                (Some(text), _) => Some(text.clone()),
                (None, Some(path)) => Some(values::read_text(path)?),
                (None, None) => None,
            },
            custom_css: match (&o.custom_css, &o.custom_css_file) {
                (Some(text), _) => Some(text.clone()),
                (None, Some(path)) => Some(values::read_text(path)?),
                (None, None) => None,
            },
            logo: o
                .logo
                .as_deref()
                .map(|v| values::or_none(v).map(str::to_string)),
            footer: o.footer.clone(),
            smtp: None,
            show_sections: Vec::new(),
            hide_sections: Vec::new(),
        };
        let show = section_set("--show", &o.show)?;
        let hide = section_set("--hide", &o.hide)?;
        if let Some(both) = show.intersection(&hide).next() {
            return Err(CliError::new(format!(
                "--show and --hide both name {both}; name each section once"
            )));
        }
        Ok(DomainEdit {
            base,
            show,
            hide,
            smtp: smtp_edit(o)?,
        })
    }

    /// Whether the stored domain must be read to build the patch.
    pub fn needs_stored(&self) -> bool {
        matches!(self.smtp, SmtpEdit::Set(_))
    }

    /// The patch to send, given the stored domain when there is one (`set`) or none (`add`).
    /// --show/--hide travel as edits that the daemon applies to the stored set in the same
    /// transaction, so two admins editing different sections never undo each other.
    pub fn to_patch(&self, stored: Option<&Domain>) -> DomainPatch {
        let mut patch = self.base.clone();
        patch.show_sections = self.show.iter().copied().collect();
        patch.hide_sections = self.hide.iter().copied().collect();
        patch.smtp = match &self.smtp {
            SmtpEdit::Keep => None,
            SmtpEdit::Clear => Some(None),
            SmtpEdit::Set(flags) => {
                let stored = stored.and_then(|d| d.smtp.as_ref());
                Some(Some(merge_smtp(flags, stored)))
            }
        };
        patch
    }
}

/// The given --smtp-* flags over the stored settings; the password is never sent back by the
/// daemon, so an unset one stays `None`, which keeps the stored password.
fn merge_smtp(flags: &SmtpFlags, stored: Option<&SmtpSettings>) -> SmtpSpec {
    SmtpSpec {
        host: flags
            .host
            .clone()
            .or_else(|| stored.map(|s| s.host.clone()))
            .unwrap_or_default(),
        port: flags.port.or(stored.map(|s| s.port)),
        security: flags.security.or(stored.map(|s| s.security)),
        username: flags
            .username
            .clone()
            .or_else(|| stored.map(|s| s.username.clone()))
            .unwrap_or_default(),
        password: flags.password.clone(),
        from: flags
            .from
            .clone()
            .or_else(|| stored.map(|s| s.from.clone()))
            .unwrap_or_default(),
    }
}

fn smtp_edit(o: &DomainOptions) -> Result<SmtpEdit, CliError> {
    if o.no_smtp {
        return Ok(SmtpEdit::Clear);
    }
    let password = match (&o.smtp_password, &o.smtp_password_file) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(path)) => Some(values::read_password("--smtp-password-file", path)?),
        (None, None) => None,
    };
    let flags = SmtpFlags {
        host: o.smtp_host.clone(),
        port: o.smtp_port,
        security: o
            .smtp_security
            .as_deref()
            .map(|v| values::name("--smtp-security", v))
            .transpose()?,
        username: o.smtp_username.clone(),
        password,
        from: o.smtp_from.clone(),
    };
    let any = flags.host.is_some()
        || flags.port.is_some()
        || flags.security.is_some()
        || flags.username.is_some()
        || flags.password.is_some()
        || flags.from.is_some();
    Ok(if any {
        SmtpEdit::Set(flags)
    } else {
        SmtpEdit::Keep
    })
}

fn section_set(flag: &str, given: &[String]) -> Result<BTreeSet<Section>, CliError> {
    let mut set = BTreeSet::new();
    for item in given {
        set.extend(values::names::<Section>(flag, item)?);
    }
    Ok(set)
}

fn template_customer(text: &str) -> Result<Option<u64>, CliError> {
    match values::or_none(text) {
        None => Ok(None),
        Some(id) => id.trim().parse().map(Some).map_err(|_| {
            CliError::flag(
                "--template-customer",
                format!("\"{text}\" is not a customer id; give a number or none"),
            )
        }),
    }
}

/// Every field of a domain as `key: value` lines.
pub fn render_domain(d: &Domain) -> String {
    let mut f = Fields::new();
    f.add("fqdn", d.fqdn.as_str())
        .add("brand_name", d.brand_name.as_str())
        .add("customer_signup", d.customer_signup.to_string())
        .add("carrier_signup", d.carrier_signup.to_string())
        .add("signup_status", d.signup_status.to_string())
        .add("currencies", join(&d.currencies))
        .add("template_customer", opt(d.template_customer))
        .add("access", join(&d.access))
        .add("cdr_columns", join(&d.cdr_columns))
        .add("carrier_cdr_columns", join(&d.carrier_cdr_columns))
        .add("breakout_columns", join(&d.breakout_columns))
        .add(
            "carrier_breakout_columns",
            join(&d.carrier_breakout_columns),
        )
        .add("custom_js", d.custom_js.as_str())
        .add("custom_css", d.custom_css.as_str())
        .add("logo", opt(d.logo.as_deref()))
        .add("footer", d.footer.as_str());
    match &d.smtp {
        None => {
            f.add("smtp", "(none)");
        }
        Some(s) => {
            f.add("smtp.host", s.host.as_str())
                .add("smtp.port", s.port.to_string())
                .add("smtp.security", s.security.to_string())
                .add("smtp.username", s.username.as_str())
                .add(
                    "smtp.password",
                    if s.password_set { "(set)" } else { "(not set)" },
                )
                .add("smtp.from", s.from.as_str());
        }
    }
    f.add("created_at", time(d.created_at))
        .add("updated_at", time(d.updated_at));
    f.render()
}

/// Domains as a table.
pub fn render_list(domains: &Vec<Domain>) -> String {
    let mut t = Table::new(&[
        ("FQDN", Align::Left),
        ("BRAND", Align::Left),
        ("CURRENCIES", Align::Left),
        ("SIGNUP", Align::Left),
        ("TEMPLATE", Align::Right),
        ("LOGO", Align::Left),
        ("SMTP", Align::Left),
    ]);
    for d in domains {
        let signup: Vec<&str> = [
            (d.customer_signup, "customer"),
            (d.carrier_signup, "carrier"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, what)| *what)
        .collect();
        t.row(vec![
            d.fqdn.clone(),
            d.brand_name.clone(),
            d.currencies.join(","),
            if signup.is_empty() {
                "off".to_string()
            } else {
                format!("{} ({})", signup.join("+"), d.signup_status)
            },
            d.template_customer
                .map_or("-".to_string(), |id| id.to_string()),
            d.logo.clone().unwrap_or_else(|| "-".to_string()),
            d.smtp.as_ref().map_or("-".to_string(), |s| s.host.clone()),
        ]);
    }
    table_or(
        &t,
        "no domains yet; add one with: portico domain add FQDN --currencies LIST",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command};
    use clap::Parser;
    use portico_protocol::{BreakoutColumn, CdrColumn, SignupStatus};

    fn set_edit(args: &[&str]) -> Result<DomainEdit, CliError> {
        let mut all = vec!["portico", "domain", "set", "portal.acme.test"];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).unwrap();
        let Some(Command::Domain(DomainCommand::Set(set))) = cli.command else {
            panic!("not domain set");
        };
        DomainEdit::from_options(set.currencies.as_deref(), &set.options)
    }

    fn add_edit(args: &[&str]) -> Result<DomainEdit, CliError> {
        let mut all = vec!["portico", "domain", "add", "portal.acme.test"];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).unwrap();
        let Some(Command::Domain(DomainCommand::Add(add))) = cli.command else {
            panic!("not domain add");
        };
        DomainEdit::from_options(Some(&add.currencies), &add.options)
    }

    fn stored() -> Domain {
        Domain {
            fqdn: "portal.acme.test".into(),
            brand_name: "Acme".into(),
            customer_signup: false,
            carrier_signup: false,
            signup_status: SignupStatus::Active,
            currencies: vec!["USD".into()],
            template_customer: Some(3),
            access: vec![Section::Balance, Section::Cdr, Section::Payments],
            cdr_columns: vec![CdrColumn::CallTime],
            carrier_cdr_columns: vec![],
            breakout_columns: vec![BreakoutColumn::DestinationName],
            carrier_breakout_columns: vec![],
            custom_js: String::new(),
            custom_css: String::new(),
            logo: None,
            footer: String::new(),
            smtp: Some(SmtpSettings {
                host: "mail.acme.test".into(),
                port: 465,
                security: SmtpSecurity::Tls,
                username: "noc".into(),
                password_set: true,
                from: "noc@acme.test".into(),
            }),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn nothing_given_changes_nothing() {
        let edit = set_edit(&[]).unwrap();
        assert!(!edit.needs_stored());
        assert_eq!(edit.to_patch(None), DomainPatch::default());
    }

    #[test]
    fn add_sets_currencies_and_plain_fields() {
        let edit = add_edit(&[
            "--currencies",
            "USD, eur",
            "--brand-name",
            "Acme Voice",
            "--customer-signup",
            "yes",
            "--carrier-signup",
            "off",
            "--signup-status",
            "pending_approval",
            "--footer",
            "(c) Acme",
        ])
        .unwrap();
        let patch = edit.to_patch(None);
        assert_eq!(patch.currencies, Some(vec!["USD".into(), "eur".into()]));
        assert_eq!(patch.brand_name.as_deref(), Some("Acme Voice"));
        assert_eq!(patch.customer_signup, Some(true));
        assert_eq!(patch.carrier_signup, Some(false));
        assert_eq!(patch.signup_status, Some(SignupStatus::PendingApproval));
        assert_eq!(patch.footer.as_deref(), Some("(c) Acme"));
        assert_eq!(patch.access, None);
        assert_eq!(patch.smtp, None);
    }

    #[test]
    fn empty_access_is_the_empty_set() {
        let patch = set_edit(&["--access", ""]).unwrap().to_patch(None);
        assert_eq!(patch.access, Some(vec![]));
    }

    #[test]
    fn access_keeps_the_given_sections() {
        let patch = set_edit(&["--access", "cdr,balance"])
            .unwrap()
            .to_patch(None);
        assert_eq!(patch.access, Some(vec![Section::Cdr, Section::Balance]));
    }

    #[test]
    fn show_and_hide_travel_as_edits_without_reading_the_domain() {
        let edit = set_edit(&[
            "--show",
            "breakout",
            "--hide",
            "cdr",
            "--show",
            "alerts,summary",
        ])
        .unwrap();
        assert!(!edit.needs_stored());
        let patch = edit.to_patch(None);
        assert_eq!(patch.access, None);
        assert_eq!(
            patch.show_sections,
            vec![Section::Summary, Section::Breakout, Section::Alerts]
        );
        assert_eq!(patch.hide_sections, vec![Section::Cdr]);
    }

    #[test]
    fn show_and_hide_go_with_a_given_access_list() {
        let edit = set_edit(&["--access", "balance,cdr", "--hide", "cdr"]).unwrap();
        let patch = edit.to_patch(None);
        assert_eq!(patch.access, Some(vec![Section::Balance, Section::Cdr]));
        assert_eq!(patch.hide_sections, vec![Section::Cdr]);
    }

    #[test]
    fn show_and_hide_of_the_same_section_is_refused() {
        let err = set_edit(&["--show", "cdr", "--hide", "cdr"]).unwrap_err();
        assert_eq!(
            err.message(),
            "--show and --hide both name cdr; name each section once"
        );
    }

    #[test]
    fn bad_names_are_refused_with_the_flag_named() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["--access", "balanse"],
                "--access: unknown section \"balanse\"; use one of: balance, ",
            ),
            (&["--show", "nope"], "--show: unknown section \"nope\""),
            (&["--hide", "nope"], "--hide: unknown section \"nope\""),
            (
                &["--cdr-columns", "call_id,colour"],
                "--cdr-columns: unknown CDR column \"colour\"",
            ),
            (
                &["--carrier-cdr-columns", "x"],
                "--carrier-cdr-columns: unknown CDR column \"x\"",
            ),
            (
                &["--breakout-columns", "asr,x"],
                "--breakout-columns: unknown breakout column \"x\"",
            ),
            (
                &["--carrier-breakout-columns", "x"],
                "--carrier-breakout-columns: unknown breakout column \"x\"",
            ),
            (
                &["--signup-status", "open"],
                "--signup-status: unknown sign-up status \"open\"; use one of: active, pending_approval",
            ),
            (
                &["--smtp-security", "ssl"],
                "--smtp-security: unknown SMTP security \"ssl\"; use one of: starttls, tls, none",
            ),
            (
                &["--customer-signup", "maybe"],
                "--customer-signup: \"maybe\" is not a boolean",
            ),
            (
                &["--carrier-signup", "2"],
                "--carrier-signup: \"2\" is not a boolean",
            ),
            (
                &["--template-customer", "acme"],
                "--template-customer: \"acme\" is not a customer id; give a number or none",
            ),
        ];
        for (args, expected) in cases {
            let err = set_edit(args).unwrap_err();
            assert!(err.message().starts_with(expected), "{args:?}: {err}");
        }
    }

    #[test]
    fn none_clears_template_customer_and_logo() {
        let patch = set_edit(&["--template-customer", "none", "--logo", "none"])
            .unwrap()
            .to_patch(None);
        assert_eq!(patch.template_customer, Some(None));
        assert_eq!(patch.logo, Some(None));
        let patch = set_edit(&["--template-customer", "12", "--logo", "acme.png"])
            .unwrap()
            .to_patch(None);
        assert_eq!(patch.template_customer, Some(Some(12)));
        assert_eq!(patch.logo, Some(Some("acme.png".into())));
    }

    #[test]
    fn no_smtp_clears_it() {
        let edit = set_edit(&["--no-smtp"]).unwrap();
        assert!(!edit.needs_stored());
        assert_eq!(edit.to_patch(None).smtp, Some(None));
    }

    #[test]
    fn smtp_on_add_takes_only_the_flags() {
        let edit = add_edit(&[
            "--currencies",
            "USD",
            "--smtp-host",
            "mail.acme.test",
            "--smtp-from",
            "noc@acme.test",
        ])
        .unwrap();
        let spec = edit.to_patch(None).smtp.unwrap().unwrap();
        assert_eq!(spec.host, "mail.acme.test");
        assert_eq!(spec.from, "noc@acme.test");
        assert_eq!(spec.port, None);
        assert_eq!(spec.security, None);
        assert_eq!(spec.username, "");
        assert_eq!(spec.password, None);
    }

    #[test]
    fn smtp_on_set_merges_with_the_stored_settings() {
        let edit = set_edit(&["--smtp-port", "587", "--smtp-security", "starttls"]).unwrap();
        assert!(edit.needs_stored());
        let spec = edit.to_patch(Some(&stored())).smtp.unwrap().unwrap();
        assert_eq!(spec.host, "mail.acme.test");
        assert_eq!(spec.port, Some(587));
        assert_eq!(spec.security, Some(SmtpSecurity::Starttls));
        assert_eq!(spec.username, "noc");
        assert_eq!(
            spec.password, None,
            "an unset password keeps the stored one"
        );
        assert_eq!(spec.from, "noc@acme.test");
    }

    #[test]
    fn smtp_password_file_is_read() {
        let dir = std::env::temp_dir().join(format!("portico-cli-domain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("smtp.pass");
        std::fs::write(&path, "hunter2\n").unwrap();
        let edit = set_edit(&["--smtp-password-file", path.to_str().unwrap()]).unwrap();
        let spec = edit.to_patch(Some(&stored())).smtp.unwrap().unwrap();
        assert_eq!(spec.password.as_deref(), Some("hunter2"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn custom_files_are_read_and_missing_ones_named() {
        let dir = std::env::temp_dir().join(format!("portico-cli-css-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let css = dir.join("brand.css");
        std::fs::write(&css, ":root { --portico-accent: #c00; }\n").unwrap();
        let patch = set_edit(&[
            "--custom-css-file",
            css.to_str().unwrap(),
            "--custom-js",
            "",
        ])
        .unwrap()
        .to_patch(None);
        assert_eq!(
            patch.custom_css.as_deref(),
            Some(":root { --portico-accent: #c00; }\n")
        );
        assert_eq!(patch.custom_js.as_deref(), Some(""));
        std::fs::remove_dir_all(&dir).unwrap();

        let err = set_edit(&["--custom-js-file", "/nonexistent/brand.js"]).unwrap_err();
        assert_eq!(
            err.message(),
            "cannot read /nonexistent/brand.js: No such file or directory"
        );
    }

    #[test]
    fn columns_keep_their_order() {
        let patch = set_edit(&[
            "--cdr-columns",
            "charge,call_time",
            "--breakout-columns",
            "",
        ])
        .unwrap()
        .to_patch(None);
        assert_eq!(
            patch.cdr_columns,
            Some(vec![CdrColumn::Charge, CdrColumn::CallTime])
        );
        assert_eq!(patch.breakout_columns, Some(vec![]));
    }

    #[test]
    fn show_prints_every_field() {
        let text = render_domain(&stored());
        for key in [
            "fqdn:",
            "brand_name:",
            "customer_signup:",
            "carrier_signup:",
            "signup_status:",
            "currencies:",
            "template_customer:",
            "access:",
            "cdr_columns:",
            "carrier_cdr_columns:",
            "breakout_columns:",
            "carrier_breakout_columns:",
            "custom_js:",
            "custom_css:",
            "logo:",
            "footer:",
            "smtp.host:",
            "smtp.port:",
            "smtp.security:",
            "smtp.username:",
            "smtp.password:",
            "smtp.from:",
            "created_at:",
            "updated_at:",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(key)),
                "{key} missing:\n{text}"
            );
        }
        assert!(
            text.contains("access:                   balance, cdr, payments\n"),
            "{text}"
        );
        assert!(text.contains("smtp.password:            (set)\n"), "{text}");
        assert!(!text.contains("hunter2"));
    }

    #[test]
    fn show_escapes_control_characters() {
        let mut d = stored();
        d.brand_name = "Evil\u{1b}]0;owned\u{7}".into();
        let text = render_domain(&d);
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("Evil\\u{1b}]0;owned\\u{7}"), "{text}");
    }

    fn global(socket: &std::path::Path) -> crate::cli::args::GlobalArgs {
        crate::cli::args::GlobalArgs {
            socket: Some(socket.to_path_buf()),
            json: true,
        }
    }

    fn command(args: &[&str]) -> Command {
        let mut all = vec!["portico"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap().command.unwrap()
    }

    #[tokio::test]
    async fn set_reads_the_stored_domain_then_sends_the_merged_patch() {
        use crate::cli::fake_daemon;
        use portico_protocol::{AdminRequest, AdminResponse};
        use std::sync::{Arc, Mutex};

        let sent: Arc<Mutex<Vec<DomainPatch>>> = Arc::default();
        let seen = Arc::clone(&sent);
        let path = fake_daemon::socket("domain-set");
        fake_daemon::start(&path, move |request| match request {
            AdminRequest::Version { client_protocol } => {
                Some(fake_daemon::version(client_protocol))
            }
            AdminRequest::DomainShow { .. } => Some(AdminResponse::DomainShow(Ok(stored()))),
            AdminRequest::DomainSet { patch, .. } => {
                let mut d = stored();
                d.access = patch.access.clone().unwrap_or_default();
                seen.lock().unwrap().push(patch);
                Some(AdminResponse::DomainSet(Ok(d)))
            }
            _ => None,
        });
        let out = crate::cli::commands::run(
            &global(&path),
            command(&[
                "domain",
                "set",
                "portal.acme.test",
                "--show",
                "breakout",
                "--smtp-port",
                "587",
            ]),
        )
        .await
        .unwrap();
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].access, None);
        assert_eq!(sent[0].show_sections, vec![Section::Breakout]);
        let smtp = sent[0].smtp.clone().unwrap().unwrap();
        assert_eq!(
            (smtp.host.as_str(), smtp.port),
            ("mail.acme.test", Some(587))
        );
        let printed: Domain = serde_json::from_str(&out).unwrap();
        assert_eq!(printed.fqdn, "portal.acme.test");
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn add_with_hide_is_one_call() {
        use crate::cli::fake_daemon;
        use portico_protocol::{AdminRequest, AdminResponse};
        use std::sync::{Arc, Mutex};

        let sent: Arc<Mutex<Vec<DomainPatch>>> = Arc::default();
        let seen = Arc::clone(&sent);
        let path = fake_daemon::socket("domain-add");
        fake_daemon::start(&path, move |request| match request {
            AdminRequest::Version { client_protocol } => {
                Some(fake_daemon::version(client_protocol))
            }
            AdminRequest::DomainAdd { settings, .. } => {
                seen.lock().unwrap().push(settings);
                Some(AdminResponse::DomainAdd(Ok(stored())))
            }
            _ => None,
        });
        crate::cli::commands::run(
            &global(&path),
            command(&[
                "domain",
                "add",
                "portal.acme.test",
                "--currencies",
                "USD",
                "--hide",
                "carrier_portal",
            ]),
        )
        .await
        .unwrap();
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].access, None);
        assert_eq!(sent[0].hide_sections, vec![Section::CarrierPortal]);
        assert_eq!(sent[0].currencies, Some(vec!["USD".to_string()]));
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn json_round_trips() {
        let d = stored();
        let text = crate::cli::output::json(&d).unwrap();
        let back: Domain = serde_json::from_str(&text).unwrap();
        assert_eq!(back, d);
    }
}
