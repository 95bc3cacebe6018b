//! `portico domain status|check|cert` and `portico ca export`: HTTPS state and certificates.

use portico_protocol::{CertUpload, DomainTls, TlsState};

use super::Session;
use crate::cli::args::{CaCommand, DomainCertCommand};
use crate::cli::error::CliError;
use crate::cli::output::{Align, Fields, Table, removed, table_or, time};

/// `portico domain status [FQDN]`.
pub async fn status(session: &Session, fqdn: Option<String>) -> Result<String, CliError> {
    let conn = session.connect().await?;
    let list = conn
        .call("domain_tls_list", |ctx| conn.admin().domain_tls_list(ctx))
        .await?;
    match fqdn {
        None => session.format.render(&list, render_list),
        Some(name) => {
            let wanted = name.trim().trim_end_matches('.').to_ascii_lowercase();
            let one = list.into_iter().find(|d| d.fqdn == wanted).ok_or_else(|| {
                CliError::new(format!(
                    "not found: domain \"{name}\"; `portico domain list` shows the domains"
                ))
            })?;
            session.format.render(&one, render_one)
        }
    }
}

/// `portico domain check FQDN`.
pub async fn check(session: &Session, fqdn: String) -> Result<String, CliError> {
    let conn = session.connect().await?;
    let status = conn
        .call("domain_tls_check", |ctx| {
            conn.admin().domain_tls_check(ctx, fqdn)
        })
        .await?;
    session.format.render(&status, render_one)
}

/// `portico domain cert ...`.
pub async fn cert(session: &Session, command: DomainCertCommand) -> Result<String, CliError> {
    match command {
        DomainCertCommand::Upload { fqdn, chain, key } => {
            let chain_pem =
                std::fs::read_to_string(&chain).map_err(|e| CliError::read(&chain, &e))?;
            let key_pem = std::fs::read_to_string(&key).map_err(|e| CliError::read(&key, &e))?;
            let conn = session.connect().await?;
            let status = conn
                .call("domain_cert_upload", |ctx| {
                    conn.admin()
                        .domain_cert_upload(ctx, fqdn, CertUpload { chain_pem, key_pem })
                })
                .await?;
            session.format.render(&status, render_one)
        }
        DomainCertCommand::Rm { fqdn } => {
            let conn = session.connect().await?;
            let key = fqdn.clone();
            conn.call("domain_cert_remove", |ctx| {
                conn.admin().domain_cert_remove(ctx, fqdn)
            })
            .await?;
            removed(session.format, "uploaded certificate of domain", key)
        }
    }
}

/// `portico ca export`: the PEM itself, with or without --json (a PEM is what tools want).
pub async fn ca(session: &Session, command: CaCommand) -> Result<String, CliError> {
    match command {
        CaCommand::Export => {
            let conn = session.connect().await?;
            let pem = conn
                .call("ca_export", |ctx| conn.admin().ca_export(ctx))
                .await?;
            match session.format {
                crate::cli::output::Format::Json => {
                    crate::cli::output::json(&serde_json::json!({ "root_pem": pem }))
                }
                crate::cli::output::Format::Human => Ok(pem),
            }
        }
    }
}

/// The state in one cell: `active until 2027-01-01 00:00:00 UTC`, `dns_pending: ...`.
pub fn state_text(state: &TlsState) -> String {
    match state {
        TlsState::Waiting => "waiting".into(),
        TlsState::DnsPending { found } => format!("dns_pending: {found}"),
        TlsState::Issuing => "issuing".into(),
        TlsState::Active { not_after, .. } => format!("active until {}", time(*not_after)),
        TlsState::Failed {
            problem,
            next_retry,
        } => format!("failed: {problem} (next try {})", time(*next_retry)),
    }
}

fn render_list(list: &Vec<DomainTls>) -> String {
    let mut t = Table::new(&[
        ("FQDN", Align::Left),
        ("STATE", Align::Left),
        ("CERTIFICATE", Align::Left),
        ("EXPIRES (UTC)", Align::Left),
        ("DETAIL", Align::Left),
    ]);
    for d in list {
        let detail = match &d.state {
            TlsState::DnsPending { found } => found.clone(),
            TlsState::Failed {
                problem,
                next_retry,
            } => format!("{problem} (next try {})", time(*next_retry)),
            _ => d.note.clone().unwrap_or_default(),
        };
        t.row(vec![
            d.fqdn.clone(),
            d.state.name().to_string(),
            d.cert.as_ref().map_or("-".into(), |c| c.source.to_string()),
            d.cert
                .as_ref()
                .map_or("-".into(), |c| crate::cli::output::utc(c.not_after)),
            detail,
        ]);
    }
    table_or(
        &t,
        "No domains yet: add one with `portico domain add FQDN --currencies USD`.\n",
    )
}

fn render_one(d: &DomainTls) -> String {
    let mut f = Fields::new();
    f.add("fqdn", d.fqdn.clone());
    f.add("state", state_text(&d.state));
    if let Some(note) = &d.note {
        f.add("note", note.clone());
    }
    match &d.dns {
        Some(dns) => {
            f.add(
                "dns",
                format!(
                    "{} ({}, checked {})",
                    dns.found,
                    if dns.ok { "ok" } else { "not ok" },
                    time(dns.checked_at)
                ),
            );
        }
        None => {
            f.add("dns", "not checked yet");
        }
    }
    match &d.cert {
        Some(c) => {
            f.add("certificate", c.source.to_string());
            f.add("issuer", c.issuer.clone());
            f.add("names", c.names.join(", "));
            f.add("serial", c.serial.clone());
            f.add(
                "valid",
                format!("{} to {}", time(c.not_before), time(c.not_after)),
            );
            if let Some(at) = c.renew_at {
                f.add("renews", time(at));
            }
        }
        None => {
            f.add("certificate", "none");
        }
    }
    if d.failures > 0 {
        f.add("failures", d.failures.to_string());
    }
    f.render()
}
