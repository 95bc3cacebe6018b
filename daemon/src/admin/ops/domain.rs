//! Domains: add, change, show, remove.

use portico_protocol::{AdminError, AdminResult, Domain, DomainPatch, SmtpSettings};

use super::customer_exists;
use crate::admin::service::Changed;
use crate::model::{contact, currency, domain_defaults, files, fqdn, text};
use crate::store::{DomainRecord, Tx};

const MAX_BRAND_CHARS: usize = 120;
const MAX_FOOTER_CHARS: usize = 2_000;
const MAX_CUSTOM_CHARS: usize = 256 * 1024;

fn lookup(tx: &Tx, fqdn_in: &str) -> AdminResult<DomainRecord> {
    let name = fqdn::normalize_fqdn(fqdn_in)?;
    tx.domain(&name)?.ok_or_else(|| {
        AdminError::not_found(format!("domain \"{name}\" (see `portico domain list`)"))
    })
}

/// Every domain.
pub fn list(tx: &Tx) -> AdminResult<Vec<Domain>> {
    Ok(tx.domains()?.into_iter().map(|r| r.domain).collect())
}

/// One domain.
pub fn show(tx: &Tx, fqdn_in: &str) -> AdminResult<Domain> {
    Ok(lookup(tx, fqdn_in)?.domain)
}

/// Adds a domain; `currencies` is required.
pub fn add(
    tx: &mut Tx,
    now: i64,
    fqdn_in: &str,
    patch: DomainPatch,
) -> AdminResult<Changed<Domain>> {
    let name = fqdn::normalize_fqdn(fqdn_in)?;
    if tx.domain(&name)?.is_some() {
        return Err(AdminError::conflict(format!(
            "domain \"{name}\" exists already; change it with `portico domain set {name} ...`"
        )));
    }
    if patch.currencies.is_none() {
        return Err(AdminError::invalid(
            "currencies",
            "a domain needs at least one ISO 4217 currency offered at sign-up; pass e.g. --currencies USD,EUR",
        ));
    }
    let mut record = DomainRecord {
        domain: Domain {
            fqdn: name.clone(),
            brand_name: name.clone(),
            customer_signup: false,
            carrier_signup: false,
            signup_status: Default::default(),
            currencies: Vec::new(),
            template_customer: None,
            access: domain_defaults::default_access(),
            cdr_columns: domain_defaults::default_cdr_columns(),
            carrier_cdr_columns: domain_defaults::default_carrier_cdr_columns(),
            breakout_columns: domain_defaults::default_breakout_columns(),
            carrier_breakout_columns: domain_defaults::default_carrier_breakout_columns(),
            custom_js: String::new(),
            custom_css: String::new(),
            logo: None,
            footer: String::new(),
            smtp: None,
            created_at: now,
            updated_at: now,
        },
        smtp_password: None,
    };
    apply(tx, &mut record, patch)?;
    tx.put_domain(&record)?;
    Ok((record.domain, format!("domain {name}")))
}

/// Changes the settings set in `patch`.
pub fn set(
    tx: &mut Tx,
    now: i64,
    fqdn_in: &str,
    patch: DomainPatch,
) -> AdminResult<Changed<Domain>> {
    let mut record = lookup(tx, fqdn_in)?;
    apply(tx, &mut record, patch)?;
    record.domain.updated_at = now;
    tx.put_domain(&record)?;
    let target = format!("domain {}", record.domain.fqdn);
    Ok((record.domain, target))
}

/// Removes a domain.
pub fn remove(tx: &mut Tx, fqdn_in: &str) -> AdminResult<Changed<()>> {
    let record = lookup(tx, fqdn_in)?;
    let fqdn = &record.domain.fqdn;
    let bound: Vec<String> = tx
        .customers()?
        .into_iter()
        .filter(|c| c.domain.as_deref() == Some(fqdn.as_str()))
        .map(|c| format!("#{}", c.id))
        .collect();
    if let Some(first) = bound.first() {
        return Err(AdminError::conflict(format!(
            "domain \"{fqdn}\" is the portal of customer {}; move them to another domain or \
             unbind them first (`portico customer set {} --domain OTHER|none`)",
            bound.join(", "),
            first.trim_start_matches('#')
        )));
    }
    tx.remove_domain(fqdn)?;
    Ok(((), format!("domain {}", record.domain.fqdn)))
}

fn apply(tx: &Tx, record: &mut DomainRecord, patch: DomainPatch) -> AdminResult<()> {
    let d = &mut record.domain;
    if let Some(brand) = patch.brand_name {
        d.brand_name = text::check_required("brand_name", &brand, MAX_BRAND_CHARS)?;
    }
    if let Some(v) = patch.customer_signup {
        d.customer_signup = v;
    }
    if let Some(v) = patch.carrier_signup {
        d.carrier_signup = v;
    }
    if let Some(v) = patch.signup_status {
        d.signup_status = v;
    }
    if let Some(list) = patch.currencies {
        d.currencies = currency::normalize_currencies("currencies", &list)?;
    }
    if let Some(template) = patch.template_customer {
        if let Some(id) = template {
            customer_exists(tx, id).map_err(|_| {
                AdminError::invalid(
                    "template_customer",
                    format!(
                        "there is no customer #{id}; create it with `portico customer add` or \
                         pick one from `portico customer list`"
                    ),
                )
            })?;
        }
        d.template_customer = template;
    }
    if let Some(list) = patch.access {
        d.access = domain_defaults::canonical_sections(&list);
    }
    if let Some(both) = patch
        .show_sections
        .iter()
        .find(|s| patch.hide_sections.contains(s))
    {
        return Err(AdminError::invalid(
            "access",
            format!("{both} is both shown and hidden; name each section once"),
        ));
    }
    if !patch.show_sections.is_empty() || !patch.hide_sections.is_empty() {
        let mut set = d.access.clone();
        set.extend(patch.show_sections.iter().copied());
        set.retain(|s| !patch.hide_sections.contains(s));
        d.access = domain_defaults::canonical_sections(&set);
    }
    if let Some(cols) = patch.cdr_columns {
        domain_defaults::check_columns("cdr_columns", &cols)?;
        d.cdr_columns = cols;
    }
    if let Some(cols) = patch.carrier_cdr_columns {
        domain_defaults::check_columns("carrier_cdr_columns", &cols)?;
        d.carrier_cdr_columns = cols;
    }
    if let Some(cols) = patch.breakout_columns {
        domain_defaults::check_columns("breakout_columns", &cols)?;
        d.breakout_columns = cols;
    }
    if let Some(cols) = patch.carrier_breakout_columns {
        domain_defaults::check_columns("carrier_breakout_columns", &cols)?;
        d.carrier_breakout_columns = cols;
    }
    if let Some(js) = patch.custom_js {
        let js = text::check_text("custom_js", &js, MAX_CUSTOM_CHARS, true)?;
        if let Some(src) = crate::portal::brand::refused_script_srcs(&js).first() {
            return Err(AdminError::invalid(
                "custom_js",
                format!(
                    "<script src={}> is not an https:// URL on a DNS name; the portal's \
                     Content-Security-Policy only admits https script origins, so use https",
                    text::shown(src)
                ),
            ));
        }
        d.custom_js = js;
    }
    if let Some(css) = patch.custom_css {
        d.custom_css = text::check_text("custom_css", &css, MAX_CUSTOM_CHARS, true)?;
    }
    if let Some(logo) = patch.logo {
        if let Some(name) = &logo {
            let info = tx.file_info(name)?.ok_or_else(|| {
                AdminError::invalid(
                    "logo",
                    format!(
                        "there is no file \"{name}\" in the public file store; upload it with \
                         `portico file put PATH` first"
                    ),
                )
            })?;
            files::check_logo(&info)?;
        }
        d.logo = logo;
    }
    if let Some(footer) = patch.footer {
        d.footer = text::check_text("footer", &footer, MAX_FOOTER_CHARS, true)?;
    }
    if let Some(smtp) = patch.smtp {
        match smtp {
            None => {
                d.smtp = None;
                record.smtp_password = None;
            }
            Some(spec) => {
                let host = text::check_required("smtp.host", &spec.host, 253)?;
                let port = spec.port.unwrap_or(587);
                if port == 0 {
                    return Err(AdminError::invalid(
                        "smtp.port",
                        "port 0 is not a port; use 587 (STARTTLS), 465 (TLS) or 25",
                    ));
                }
                let from = contact::normalize_email("smtp.from", &spec.from)?;
                let username = text::check_text("smtp.username", &spec.username, 256, false)?;
                match spec.password {
                    Some(p) if p.is_empty() => record.smtp_password = None,
                    Some(p) => {
                        record.smtp_password =
                            Some(text::check_text("smtp.password", &p, 1024, false)?)
                    }
                    None if d.smtp.is_none() => record.smtp_password = None,
                    None => {}
                }
                d.smtp = Some(SmtpSettings {
                    host,
                    port,
                    security: spec.security.unwrap_or_default(),
                    username,
                    password_set: record.smtp_password.is_some(),
                    from,
                });
            }
        }
    }
    Ok(())
}
