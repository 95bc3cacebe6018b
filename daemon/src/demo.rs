//! `--demo`: seeds the demo brand `portal.localhost` with a template customer, a customer with a
//! contact, a rate card and payments, and prints what to open and how to log in.

use portico_protocol::{
    AdminError, AlertSpec, AuditEntry, ContactSpec, CustomerPatch, DomainPatch, PaymentSpec,
    PaymentStatus,
};

use crate::admin::ops;
use crate::admin::service::now;
use crate::config::Config;
use crate::store::Store;

/// The demo brand's FQDN.
pub const DEMO_FQDN: &str = "portal.localhost";
/// The demo contact's login.
pub const DEMO_EMAIL: &str = "demo@portal.localhost";

const DEMO_RATES: &str = "\
prefix,name,rate,connect_fee,first_increment,next_increment,effective_from
1,United States,0.0090,0,6,6,2026-01-01
1212,United States - New York,0.0080,0,6,6,2026-01-01
44,United Kingdom,0.0120,0,1,1,2026-01-01
447,United Kingdom - Mobile,0.0350,0.01,30,6,2026-01-01
49,Germany,0.0130,0,1,1,2026-01-01
4915,Germany - Mobile,0.0600,0,30,6,2026-01-01
33,France,0.0140,0,1,1,2026-01-01
336,France - Mobile,0.0550,0,30,6,2026-01-01
";

/// What the seed left for the person at the keyboard.
#[derive(Debug)]
pub struct Seeded {
    /// The demo contact's password, new at every start (none when the login was removed).
    pub password: Option<String>,
    /// False when the demo data was there already (only the password was renewed).
    pub created: bool,
}

/// Calls the demo seeds: about 20 a day over the last 30 days.
const DEMO_DAYS: i64 = 30;
const DEMO_CALLS_PER_DAY: i64 = 20;

/// Dialled numbers of the demo calls, one per rate of the demo card and one without a rate.
const DEMO_NUMBERS: &[&str] = &[
    "12125550143",
    "13105550178",
    "442079460123",
    "447700900461",
    "4930901820",
    "4915123456789",
    "33142685300",
    "33612345678",
    "8613800138000",
];

/// Asterisk Master.csv lines of the demo calls, ending before `now`; the same `now` gives the
/// same calls (a small linear congruential generator, not a random source).
fn demo_cdrs(now: i64) -> String {
    let mut state: u64 = now.unsigned_abs() / 86_400;
    let mut next = move |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % bound.max(1)
    };
    let stamp = |t: i64| {
        time::OffsetDateTime::from_unix_timestamp(t)
            .map(|d| {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                    d.year(),
                    u8::from(d.month()),
                    d.day(),
                    d.hour(),
                    d.minute(),
                    d.second()
                )
            })
            .unwrap_or_default()
    };
    let mut out = String::new();
    let first_day = now - DEMO_DAYS * 86_400;
    for n in 0..DEMO_DAYS * DEMO_CALLS_PER_DAY {
        let start = first_day + (n * 86_400) / DEMO_CALLS_PER_DAY + next(3_000) as i64;
        let dst = DEMO_NUMBERS[next(DEMO_NUMBERS.len() as u64) as usize];
        let answered = next(10) < 7;
        let ring = 3 + next(20) as i64;
        let billsec = if answered { 5 + next(300) as i64 } else { 0 };
        let end = start + ring + billsec;
        if end >= now {
            continue;
        }
        let answer = if answered {
            format!("\"{}\"", stamp(start + ring))
        } else {
            String::new()
        };
        let disposition = if answered { "ANSWERED" } else { "NO ANSWER" };
        out.push_str(&format!(
            "\"1001\",\"15550100\",\"{dst}\",\"demo\",\"\"\"Demo Desk\"\" <15550100>\",\
             \"SIP/demo-{n:08x}\",\"SIP/carrier-{n:08x}\",\"Dial\",\"SIP/carrier/{dst}\",\
             \"{}\",{answer},\"{}\",{},{billsec},\"{disposition}\",\"DOCUMENTATION\",\
             \"demo-{n}\",\"\"\n",
            stamp(start),
            stamp(end),
            ring + billsec,
        ));
    }
    out
}

/// Seeds the demo data once; on later starts only renews the demo contact's password.
pub fn seed(store: &Store) -> Result<Seeded, AdminError> {
    let seeded = seed_accounts(store)?;
    if seeded.created {
        let ingest = crate::ingest::pipeline::Ingest::new(store.clone());
        let chunk = portico_protocol::CdrImportChunk {
            format: "asterisk-csv".into(),
            source: "demo".into(),
            first_line: 1,
            header: None,
            data: portico_protocol::Blob(demo_cdrs(now()).into_bytes()),
            time_zone: None,
            mapping: None,
        };
        let report = crate::ingest::import::import_chunk(&ingest, chunk)?;
        tracing::info!(calls = report.imported, "demo: calls imported");
    }
    Ok(seeded)
}

fn seed_accounts(store: &Store) -> Result<Seeded, AdminError> {
    let password = ops::contact::NewPassword::prepare(None)?;
    store.write(|tx| {
        let at = now();
        let created = tx.domain(DEMO_FQDN)?.is_none();
        let login = if created {
            let (template, _) = ops::customer::add(
                tx,
                at,
                CustomerPatch {
                    name: Some("Demo Template".into()),
                    currency: Some("USD".into()),
                    debit_limit: Some("0".into()),
                    ..Default::default()
                },
            )?;
            let (customer, _) = ops::customer::add(
                tx,
                at,
                CustomerPatch {
                    name: Some("Demo Customer".into()),
                    currency: Some("USD".into()),
                    debit_limit: Some("10.00".into()),
                    account_codes: Some(vec!["1001".into()]),
                    ..Default::default()
                },
            )?;
            ops::ratecard::import(tx, at, "Demo Rates", "USD", DEMO_RATES, false)?;
            for id in [template.id, customer.id] {
                ops::ratecard::route_add(tx, id, "Demo Rates", "")?;
            }
            ops::account::payment_add(
                tx,
                at,
                template.id,
                PaymentSpec {
                    amount: "5.00".into(),
                    status: Some(PaymentStatus::Completed),
                    description: "Welcome credit".into(),
                },
            )?;
            ops::account::payment_add(
                tx,
                at,
                customer.id,
                PaymentSpec {
                    amount: "100.00".into(),
                    status: Some(PaymentStatus::Completed),
                    description: "Card payment #demo-seed".into(),
                },
            )?;
            ops::account::alert_add(
                tx,
                customer.id,
                AlertSpec {
                    threshold: "5.00".into(),
                    email: DEMO_EMAIL.into(),
                },
            )?;
            let (login, _) = ops::contact::add(
                tx,
                at,
                customer.id,
                ContactSpec {
                    email: DEMO_EMAIL.into(),
                    name: "Demo User".into(),
                    password: None,
                    ip_allow: Vec::new(),
                },
                password,
            )?;
            ops::domain::add(
                tx,
                at,
                DEMO_FQDN,
                DomainPatch {
                    brand_name: Some("Portico Demo".into()),
                    customer_signup: Some(true),
                    currencies: Some(vec!["USD".into(), "EUR".into()]),
                    template_customer: Some(Some(template.id)),
                    footer: Some("Portico Demo — a demo brand running on your own machine.".into()),
                    ..Default::default()
                },
            )?;
            ops::customer::set(
                tx,
                customer.id,
                CustomerPatch {
                    domain: Some(Some(DEMO_FQDN.into())),
                    ..Default::default()
                },
            )?;
            Some(login)
        } else if tx.contact_by_email(DEMO_EMAIL)?.is_some() {
            Some(ops::contact::reset_password(tx, DEMO_EMAIL, password)?.0)
        } else {
            // An admin removed the demo login; the rest of the demo stays as they left it.
            None
        };
        tx.audit(AuditEntry {
            seq: 0,
            at,
            uid: Some(nix::unistd::getuid().as_raw()),
            pid: Some(std::process::id() as i32),
            action: "demo_seed".into(),
            target: format!("domain {DEMO_FQDN}"),
            detail: serde_json::json!({ "created": created }).to_string(),
        })?;
        Ok(Seeded {
            password: login.and_then(|l| l.generated_password),
            created,
        })
    })
}

/// Tells the person who started `--demo` where to go.
pub fn print_welcome(config: &Config, seeded: &Seeded) {
    let port = config.http_listen.first().map(|a| a.port()).unwrap_or(8080);
    let socket = config.admin_socket.display();
    println!();
    println!("  Portico demo is running.");
    println!();
    println!("  Portal:   http://{DEMO_FQDN}:{port}/   (brand \"Portico Demo\")");
    if let Some(https) = config.tls.listen.first() {
        println!(
            "            https://{DEMO_FQDN}:{}/   (trust the root of `portico ca export`)",
            https.port()
        );
    }
    match &seeded.password {
        Some(password) => {
            println!("  Login:    {DEMO_EMAIL}");
            println!("  Password: {password}   (new at every start)");
        }
        None => println!(
            "  Login:    {DEMO_EMAIL} was removed; add a contact with `portico contact add`"
        ),
    }
    println!("  Admin:    portico --socket {socket} domain show {DEMO_FQDN}");
    println!();
    println!("  *.localhost names resolve to this machine in most browsers; with curl use");
    println!("  curl -H 'Host: {DEMO_FQDN}' http://127.0.0.1:{port}/login");
    println!("  Stop with Ctrl-C.");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::password;

    #[test]
    fn seeding_twice_keeps_the_data_and_renews_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portico.redb")).unwrap();
        let first = seed(&store).unwrap();
        assert!(first.created);
        let before = store.export().unwrap();
        let second = seed(&store).unwrap();
        assert!(!second.created);
        assert_ne!(first.password, second.password);
        let after = store.export().unwrap();
        assert_eq!(before["customers"].as_array().unwrap().len(), 2);
        assert_eq!(after["domains"], before["domains"]);
        let hash = store
            .read(|tx| tx.contact_by_email(DEMO_EMAIL))
            .unwrap()
            .unwrap()
            .password_hash;
        assert!(password::verify(&hash, second.password.as_deref().unwrap()));
        assert!(!password::verify(&hash, first.password.as_deref().unwrap()));
        let domain = store
            .read(|tx| tx.domain(DEMO_FQDN))
            .unwrap()
            .unwrap()
            .domain;
        assert_eq!(domain.brand_name, "Portico Demo");
        assert!(domain.template_customer.is_some());
    }

    #[test]
    fn demo_calls_are_imported_once_and_priced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portico.redb")).unwrap();
        seed(&store).unwrap();
        let customer = store
            .read(|tx| tx.contact_by_email(DEMO_EMAIL))
            .unwrap()
            .unwrap()
            .contact
            .customer_id;
        let count = |store: &Store| {
            store
                .read(|tx| {
                    crate::reports::summary(
                        tx,
                        &portico_protocol::ReportQuery {
                            customer_id: customer,
                            from: None,
                            to: None,
                            per_day: false,
                        },
                    )
                })
                .unwrap()
                .months
                .iter()
                .map(|m| (m.traffic.attempts, m.traffic.charge.0))
                .fold((0, 0), |(a, c), (x, y)| (a + x, c + y))
        };
        let (attempts, charge) = count(&store);
        assert!(attempts > 500, "{attempts} demo calls");
        assert!(charge > 0, "the demo calls are priced");
        seed(&store).unwrap();
        assert_eq!(count(&store), (attempts, charge), "a restart adds no calls");
    }
}
