//! `portico customer ...`: customers and carriers, and turning flags into a `CustomerPatch`.

use portico_protocol::{
    Access, Balance, Customer, CustomerDetail, CustomerPatch, CustomerStatus, Section,
};

use super::Session;
use crate::cli::args::{CustomerCommand, CustomerFields};
use crate::cli::error::CliError;
use crate::cli::output::{Align, Fields, Table, join, removed, table_or, time, yes_no};
use crate::cli::values;

/// Runs one `customer` subcommand.
pub async fn run(session: &Session, command: CustomerCommand) -> Result<String, CliError> {
    let format = session.format;
    match command {
        CustomerCommand::List { status } => {
            let status: Option<CustomerStatus> = status
                .as_deref()
                .map(|s| values::name("--status", s))
                .transpose()?;
            let conn = session.connect().await?;
            let list = conn
                .call("customer_list", |ctx| {
                    conn.admin().customer_list(ctx, status)
                })
                .await?;
            format.render(&list, render_list)
        }
        CustomerCommand::Show { id } => {
            let conn = session.connect().await?;
            let detail = conn
                .call("customer_show", |ctx| conn.admin().customer_show(ctx, id))
                .await?;
            format.render(&detail, render_detail)
        }
        CustomerCommand::Balance { id } => {
            let conn = session.connect().await?;
            let balance = conn
                .call("customer_balance", |ctx| {
                    conn.admin().customer_balance(ctx, id)
                })
                .await?;
            format.render(&balance, render_balance)
        }
        CustomerCommand::Add(args) => {
            let patch = patch(Some(args.name), Some(args.currency), &args.fields)?;
            let conn = session.connect().await?;
            let customer = conn
                .call("customer_add", |ctx| conn.admin().customer_add(ctx, patch))
                .await?;
            format.render(&customer, render_customer)
        }
        CustomerCommand::Set(args) => {
            let patch = patch(args.name, args.currency, &args.fields)?;
            let conn = session.connect().await?;
            let customer = conn
                .call("customer_set", |ctx| {
                    conn.admin().customer_set(ctx, args.id, patch)
                })
                .await?;
            format.render(&customer, render_customer)
        }
        CustomerCommand::Rm { id } => {
            let conn = session.connect().await?;
            conn.call("customer_remove", |ctx| {
                conn.admin().customer_remove(ctx, id)
            })
            .await?;
            removed(format, "customer", id.to_string())
        }
        CustomerCommand::Approve { id } => {
            let conn = session.connect().await?;
            let customer = conn
                .call("customer_approve", |ctx| {
                    conn.admin().customer_approve(ctx, id)
                })
                .await?;
            format.render(&customer, render_customer)
        }
        CustomerCommand::Override {
            id,
            section,
            access,
        } => {
            let section: Section = values::name("SECTION", &section)?;
            let access: Access = values::name("ACCESS", &access)?;
            let conn = session.connect().await?;
            let customer = conn
                .call("customer_override", |ctx| {
                    conn.admin().customer_override(ctx, id, section, access)
                })
                .await?;
            format.render(&customer, render_customer)
        }
    }
}

/// The patch for `customer add` / `customer set`; every error names its flag.
pub fn patch(
    name: Option<String>,
    currency: Option<String>,
    fields: &CustomerFields,
) -> Result<CustomerPatch, CliError> {
    Ok(CustomerPatch {
        name,
        currency,
        kind: fields
            .kind
            .as_deref()
            .map(|v| values::name("--kind", v))
            .transpose()?,
        status: fields
            .status
            .as_deref()
            .map(|v| values::name("--status", v))
            .transpose()?,
        debit_limit: fields.debit_limit.clone(),
        account_codes: fields.account_codes.as_deref().map(values::list),
        domain: fields.domain.as_deref().map(|v| {
            let v = v.trim();
            (!v.eq_ignore_ascii_case("none")).then(|| v.to_owned())
        }),
    })
}

fn customer_fields(c: &Customer) -> Fields {
    let mut f = Fields::new();
    f.add("id", c.id.to_string())
        .add("name", c.name.as_str())
        .add("kind", c.kind.to_string())
        .add("currency", c.currency.as_str())
        .add("status", c.status.to_string())
        .add("debit_limit", format!("{} {}", c.debit_limit, c.currency))
        .add("account_codes", join(&c.account_codes))
        .add(
            "domain",
            c.domain
                .as_deref()
                .unwrap_or("none (its contacts cannot log in)"),
        )
        .add("created_at", time(c.created_at));
    f
}

/// A customer as `key: value` lines, with its overrides.
pub fn render_customer(c: &Customer) -> String {
    let mut out = customer_fields(c).render();
    out.push('\n');
    out.push_str(&render_overrides(c));
    out
}

/// Every section with the customer's override, `default` when it follows the domain.
fn render_overrides(c: &Customer) -> String {
    let mut t = Table::new(&[("SECTION", Align::Left), ("ACCESS", Align::Left)]);
    for section in Section::ALL {
        let access = c.overrides.get(section).copied().unwrap_or(Access::Default);
        let note = match access {
            Access::Default => "default (follows the domain)".to_string(),
            other => other.to_string(),
        };
        t.row(vec![section.to_string(), note]);
    }
    format!("overrides:\n{}", t.render("  "))
}

/// A customer with everything that belongs to it.
pub fn render_detail(d: &CustomerDetail) -> String {
    let c = &d.customer;
    let cur = &c.currency;
    let mut f = customer_fields(c);
    f.add("template_of", join(&d.template_of));
    let mut out = f.render();
    if let Some(b) = &d.balance {
        out.push_str("\nbalance:\n");
        let mut f = Fields::new();
        add_balance(&mut f, b);
        for line in f.render().lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }

    let mut contacts = Table::new(&[
        ("ID", Align::Right),
        ("EMAIL", Align::Left),
        ("NAME", Align::Left),
        ("IP_ALLOW", Align::Left),
        ("CREATED", Align::Left),
    ]);
    for x in &d.contacts {
        contacts.row(vec![
            x.id.to_string(),
            x.email.clone(),
            x.name.clone(),
            if x.ip_allow.is_empty() {
                "anywhere".to_string()
            } else {
                x.ip_allow.join(",")
            },
            time(x.created_at),
        ]);
    }
    section(&mut out, "contacts", &contacts);

    let mut routes = Table::new(&[("RATECARD", Align::Left), ("TECH_PREFIX", Align::Left)]);
    for r in &d.routes {
        routes.row(vec![r.ratecard.clone(), r.tech_prefix.clone()]);
    }
    section(&mut out, "routes", &routes);

    let mut payments = Table::new(&[
        ("ID", Align::Right),
        ("AMOUNT", Align::Right),
        ("STATUS", Align::Left),
        ("CREATED", Align::Left),
        ("DESCRIPTION", Align::Left),
    ]);
    for p in &d.payments {
        payments.row(vec![
            p.id.to_string(),
            format!("{} {cur}", p.amount),
            p.status.to_string(),
            time(p.created_at),
            p.description.clone(),
        ]);
    }
    section(&mut out, "payments", &payments);

    let mut alerts = Table::new(&[
        ("ID", Align::Right),
        ("THRESHOLD", Align::Right),
        ("EMAIL", Align::Left),
    ]);
    for a in &d.alerts {
        alerts.row(vec![
            a.id.to_string(),
            format!("{} {cur}", a.threshold),
            a.email.clone(),
        ]);
    }
    section(&mut out, "alerts", &alerts);

    let mut packages = Table::new(&[
        ("ID", Align::Right),
        ("NAME", Align::Left),
        ("PRICE", Align::Right),
        ("DESCRIPTION", Align::Left),
    ]);
    for p in &d.packages {
        packages.row(vec![
            p.id.to_string(),
            p.name.clone(),
            format!("{} {cur}", p.price),
            p.description.clone(),
        ]);
    }
    section(&mut out, "packages", &packages);

    let mut contracts = Table::new(&[
        ("ID", Align::Right),
        ("NAME", Align::Left),
        ("REQUIRED", Align::Left),
        ("TEXT", Align::Left),
    ]);
    for k in &d.contracts {
        contracts.row(vec![
            k.id.to_string(),
            k.name.clone(),
            if k.required { "yes" } else { "no" }.to_string(),
            excerpt(&k.text, 50),
        ]);
    }
    section(&mut out, "contracts", &contracts);

    out.push('\n');
    out.push_str(&render_overrides(c));
    out
}

/// A balance's `key: value` lines, amounts with the currency.
fn add_balance(f: &mut Fields, b: &Balance) {
    let cur = &b.currency;
    f.add("payments", format!("{} {cur}", b.payments))
        .add("charges", format!("{} {cur}", b.charges))
        .add("balance", format!("{} {cur}", b.balance))
        .add("debit_limit", format!("{} {cur}", b.debit_limit))
        .add("available", format!("{} {cur}", b.available))
        .add("low_balance", yes_no(b.low_balance))
        .add("exhausted", yes_no(b.exhausted));
}

/// `customer balance`: the customer's id, then its balance.
pub fn render_balance(b: &Balance) -> String {
    let mut f = Fields::new();
    f.add("customer", b.customer_id.to_string());
    add_balance(&mut f, b);
    f.render()
}

fn section(out: &mut String, title: &str, table: &Table) {
    out.push('\n');
    if table.is_empty() {
        out.push_str(&format!("{title}: (none)\n"));
    } else {
        out.push_str(&format!("{title}:\n"));
        out.push_str(&table.render("  "));
    }
}

/// The start of a text, on one line.
fn excerpt(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut short: String = one_line.chars().take(max.saturating_sub(3)).collect();
        short.push_str("...");
        short
    }
}

fn render_list(customers: &Vec<Customer>) -> String {
    let mut t = Table::new(&[
        ("ID", Align::Right),
        ("NAME", Align::Left),
        ("KIND", Align::Left),
        ("CURRENCY", Align::Left),
        ("STATUS", Align::Left),
        ("DEBIT_LIMIT", Align::Right),
        ("ACCOUNT_CODES", Align::Left),
    ]);
    for c in customers {
        t.row(vec![
            c.id.to_string(),
            c.name.clone(),
            c.kind.to_string(),
            c.currency.clone(),
            c.status.to_string(),
            c.debit_limit.to_string(),
            c.account_codes.join(","),
        ]);
    }
    table_or(
        &t,
        "no customers; add one with: portico customer add --name N --currency C",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command};
    use clap::Parser;
    use portico_protocol::{
        Contact, Contract, CustomerKind, Micros, Payment, PaymentStatus, Route,
    };
    use std::collections::BTreeMap;

    fn parse(args: &[&str]) -> Result<CustomerPatch, CliError> {
        let mut all = vec!["portico", "customer"];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).unwrap();
        match cli.command {
            Some(Command::Customer(CustomerCommand::Add(a))) => {
                patch(Some(a.name), Some(a.currency), &a.fields)
            }
            Some(Command::Customer(CustomerCommand::Set(s))) => {
                patch(s.name, s.currency, &s.fields)
            }
            _ => panic!("not customer add/set"),
        }
    }

    #[test]
    fn add_fills_the_patch() {
        let p = parse(&[
            "add",
            "--name",
            "Example Ltd",
            "--currency",
            "USD",
            "--kind",
            "carrier",
            "--status",
            "pending_approval",
            "--debit-limit",
            "-10.50",
            "--account-codes",
            "1001, 1002",
        ])
        .unwrap();
        assert_eq!(
            p,
            CustomerPatch {
                name: Some("Example Ltd".into()),
                kind: Some(CustomerKind::Carrier),
                currency: Some("USD".into()),
                status: Some(CustomerStatus::PendingApproval),
                debit_limit: Some("-10.50".into()),
                account_codes: Some(vec!["1001".into(), "1002".into()]),
                domain: None,
            }
        );
    }

    #[test]
    fn set_sends_only_what_was_given() {
        let p = parse(&["set", "7", "--status", "suspended"]).unwrap();
        assert_eq!(
            p,
            CustomerPatch {
                status: Some(CustomerStatus::Suspended),
                ..CustomerPatch::default()
            }
        );
        let p = parse(&["set", "7", "--account-codes", ""]).unwrap();
        assert_eq!(p.account_codes, Some(vec![]));
    }

    #[test]
    fn add_requires_name_and_currency() {
        let err = Cli::try_parse_from(["portico", "customer", "add", "--name", "X"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--currency"), "{err}");
    }

    #[test]
    fn bad_names_name_the_flag() {
        let err = parse(&["set", "7", "--kind", "reseller"]).unwrap_err();
        assert_eq!(
            err.message(),
            "--kind: unknown customer kind \"reseller\"; use one of: customer, carrier"
        );
        let err = parse(&["set", "7", "--status", "closed"]).unwrap_err();
        assert!(
            err.message()
                .starts_with("--status: unknown customer status \"closed\"; use one of: active,"),
            "{err}"
        );
    }

    fn customer() -> Customer {
        let mut overrides = BTreeMap::new();
        overrides.insert(Section::Cdr, Access::Hide);
        Customer {
            id: 7,
            name: "Demo\nCustomer".into(),
            kind: CustomerKind::Customer,
            currency: "USD".into(),
            status: CustomerStatus::Active,
            debit_limit: Micros(5_000_000),
            account_codes: vec!["1001".into()],
            overrides,
            created_at: 0,
            domain: Some("portal.example.com".into()),
        }
    }

    #[test]
    fn show_prints_everything_that_belongs_to_the_customer() {
        let detail = CustomerDetail {
            customer: customer(),
            contacts: vec![Contact {
                id: 3,
                customer_id: 7,
                email: "demo@portal.localhost".into(),
                name: "Demo".into(),
                ip_allow: vec![],
                created_at: 0,
                phone: String::new(),
                time_zone: String::new(),
                two_factor: false,
            }],
            routes: vec![Route {
                customer_id: 7,
                ratecard: "Demo Rates".into(),
                tech_prefix: String::new(),
            }],
            payments: vec![Payment {
                id: 9,
                customer_id: 7,
                amount: Micros(5_000_000),
                status: PaymentStatus::Completed,
                description: "Welcome credit".into(),
                created_at: 0,
            }],
            alerts: vec![],
            packages: vec![],
            contracts: vec![Contract {
                id: 4,
                customer_id: 7,
                name: "Terms".into(),
                text: "Line one\nline two".into(),
                required: true,
            }],
            template_of: vec!["portal.localhost".into()],
            balance: None,
            approvals: vec![],
        };
        let text = render_detail(&detail);
        assert!(text.contains("name:          Demo\\nCustomer\n"), "{text}");
        assert!(text.contains("demo@portal.localhost"), "{text}");
        assert!(text.contains("Demo Rates"), "{text}");
        assert!(text.contains("5.00 USD"), "{text}");
        assert!(text.contains("alerts: (none)"), "{text}");
        assert!(text.contains("packages: (none)"), "{text}");
        assert!(text.contains("Line one line two"), "{text}");
        assert!(text.contains("template_of:   portal.localhost"), "{text}");
        assert!(text.contains("  cdr                     hide\n"), "{text}");
        assert!(
            text.contains("  balance                 default (follows the domain)\n"),
            "{text}"
        );
        let json = crate::cli::output::json(&detail).unwrap();
        assert_eq!(
            serde_json::from_str::<CustomerDetail>(&json).unwrap(),
            detail
        );
    }

    fn balance(low: bool) -> Balance {
        Balance {
            customer_id: 7,
            currency: "USD".into(),
            payments: Micros(5_000_000),
            charges: Micros(7_125_000),
            balance: Micros(-2_125_000),
            debit_limit: Micros(5_000_000),
            available: Micros(2_875_000),
            low_balance: low,
            exhausted: false,
        }
    }

    #[test]
    fn balance_prints_every_figure_with_the_currency() {
        assert_eq!(
            render_balance(&balance(true)),
            "customer:    7\npayments:    5.00 USD\ncharges:     7.125 USD\n\
             balance:     -2.125 USD\ndebit_limit: 5.00 USD\navailable:   2.875 USD\n\
             low_balance: yes\nexhausted:   no\n"
        );
    }

    #[test]
    fn show_prints_the_balance_block_when_there_is_one() {
        let mut detail = CustomerDetail {
            customer: customer(),
            contacts: vec![],
            routes: vec![],
            payments: vec![],
            alerts: vec![],
            packages: vec![],
            contracts: vec![],
            template_of: vec![],
            balance: None,
            approvals: vec![],
        };
        assert!(!render_detail(&detail).contains("balance:\n"));
        detail.balance = Some(balance(false));
        let text = render_detail(&detail);
        assert!(
            text.contains(
                "\nbalance:\n  payments:    5.00 USD\n  charges:     7.125 USD\n  \
                 balance:     -2.125 USD\n  debit_limit: 5.00 USD\n  available:   2.875 USD\n  \
                 low_balance: no\n  exhausted:   no\n\ncontacts: (none)\n"
            ),
            "{text}"
        );
    }

    #[tokio::test]
    async fn balance_asks_the_daemon() {
        use crate::cli::fake_daemon;
        use portico_protocol::{AdminRequest, AdminResponse};
        let path = fake_daemon::socket("customer-balance");
        fake_daemon::start(&path, |request| match request {
            AdminRequest::Version { client_protocol } => {
                Some(fake_daemon::version(client_protocol))
            }
            AdminRequest::CustomerBalance { customer_id: 7 } => {
                Some(AdminResponse::CustomerBalance(Ok(balance(false))))
            }
            _ => None,
        });
        let cli = Cli::try_parse_from([
            "portico",
            "--json",
            "--socket",
            path.to_str().unwrap(),
            "customer",
            "balance",
            "7",
        ])
        .unwrap();
        let out = crate::cli::commands::run(&cli.global, cli.command.unwrap())
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Balance>(&out).unwrap(),
            balance(false)
        );
        let _ = std::fs::remove_file(&path);
    }
}
