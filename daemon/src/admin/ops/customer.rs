//! Customers and carriers: fields, account codes, portal access overrides, approval.

use std::collections::BTreeMap;

use portico_protocol::{
    Access, AdminError, AdminResult, Alert, Contract, Customer, CustomerDetail, CustomerKind,
    CustomerPatch, CustomerStatus, Micros, Package, Payment, Section,
};

use super::customer_exists;
use crate::admin::service::Changed;
use crate::model::{currency, fqdn, money, text};
use crate::store::Tx;

const MAX_NAME_CHARS: usize = 200;
const MAX_ACCOUNT_CODE_CHARS: usize = 64;

fn target(c: &Customer) -> String {
    format!("customer #{} {}", c.id, c.name)
}

/// Adds a customer; `name` and `currency` are required.
pub fn add(tx: &mut Tx, now: i64, fields: CustomerPatch) -> AdminResult<Changed<Customer>> {
    if fields.name.is_none() {
        return Err(AdminError::invalid(
            "name",
            "a customer needs a name; pass --name",
        ));
    }
    if fields.currency.is_none() {
        return Err(AdminError::invalid(
            "currency",
            "a customer needs an ISO 4217 currency; pass e.g. --currency USD",
        ));
    }
    let mut customer = Customer {
        id: 0,
        name: String::new(),
        kind: CustomerKind::Customer,
        currency: String::new(),
        status: CustomerStatus::Active,
        debit_limit: Micros(0),
        account_codes: Vec::new(),
        overrides: BTreeMap::new(),
        created_at: now,
        domain: None,
    };
    apply(tx, &mut customer, fields)?;
    customer.id = tx.next_id("customer")?;
    check_codes_free(tx, &customer)?;
    tx.put_customer(&customer)?;
    let t = target(&customer);
    Ok((customer, t))
}

/// Changes the fields set in `patch`.
pub fn set(tx: &mut Tx, id: u64, patch: CustomerPatch) -> AdminResult<Changed<Customer>> {
    let mut customer = customer_exists(tx, id)?;
    if let Some(code) = &patch.currency {
        let code = currency::normalize_currency("currency", code)?;
        if code != customer.currency && !tx.routes_of(id)?.is_empty() {
            return Err(AdminError::invalid(
                "currency",
                format!(
                    "customer #{id} has rate cards in {}; remove its routes (`portico route rm`) \
                     before changing its currency",
                    customer.currency
                ),
            ));
        }
    }
    apply(tx, &mut customer, patch)?;
    check_codes_free(tx, &customer)?;
    tx.put_customer(&customer)?;
    let t = target(&customer);
    Ok((customer, t))
}

fn apply(tx: &Tx, c: &mut Customer, p: CustomerPatch) -> AdminResult<()> {
    if let Some(domain) = p.domain {
        c.domain = match domain {
            None => None,
            Some(raw) => {
                let fqdn = fqdn::normalize_fqdn(&raw).map_err(|e| match e {
                    AdminError::Invalid { reason, .. } => AdminError::invalid("domain", reason),
                    other => other,
                })?;
                if tx.domain(&fqdn)?.is_none() {
                    return Err(AdminError::invalid(
                        "domain",
                        format!(
                            "no portal domain \"{fqdn}\" exists; add it first (`portico domain \
                             add {fqdn} --currencies ...`) or pick one from `portico domain list`"
                        ),
                    ));
                }
                Some(fqdn)
            }
        };
    }
    if let Some(name) = p.name {
        c.name = text::check_required("name", &name, MAX_NAME_CHARS)?;
    }
    if let Some(kind) = p.kind {
        c.kind = kind;
    }
    if let Some(code) = p.currency {
        c.currency = currency::normalize_currency("currency", &code)?;
    }
    if let Some(status) = p.status {
        c.status = status;
    }
    if let Some(limit) = p.debit_limit {
        c.debit_limit = money::parse_non_negative("debit_limit", &limit)?;
    }
    if let Some(codes) = p.account_codes {
        let mut clean: Vec<String> = Vec::new();
        for code in codes {
            let code = text::check_required("account_codes", &code, MAX_ACCOUNT_CODE_CHARS)?;
            if code.chars().any(char::is_whitespace) || code.contains(',') {
                return Err(AdminError::invalid(
                    "account_codes",
                    format!(
                        "{} has a space or comma; an account code is one word",
                        text::shown(&code)
                    ),
                ));
            }
            if clean.contains(&code) {
                return Err(AdminError::invalid(
                    "account_codes",
                    format!(
                        "{} is listed twice; list each account code once",
                        text::shown(&code)
                    ),
                ));
            }
            clean.push(code);
        }
        c.account_codes = clean;
    }
    Ok(())
}

fn check_codes_free(tx: &Tx, c: &Customer) -> AdminResult<()> {
    for code in &c.account_codes {
        if let Some(owner) = tx.account_code_owner(code)?.filter(|o| *o != c.id) {
            return Err(AdminError::conflict(format!(
                "account code \"{code}\" already belongs to customer #{owner}; an account code \
                 matches one customer's CDRs, so remove it there first"
            )));
        }
    }
    Ok(())
}

/// A customer with everything it owns.
pub fn show(tx: &Tx, id: u64) -> AdminResult<CustomerDetail> {
    let customer = customer_exists(tx, id)?;
    let mut payments = tx.children::<Payment>(id)?;
    payments.reverse();
    Ok(CustomerDetail {
        contacts: tx.contacts_of(id)?,
        routes: tx.routes_of(id)?,
        payments,
        alerts: tx.children::<Alert>(id)?,
        packages: tx.children::<Package>(id)?,
        contracts: tx.children::<Contract>(id)?,
        template_of: template_of(tx, id)?,
        balance: Some(crate::reports::balance(tx, id)?),
        approvals: tx.contract_approvals(id)?,
        customer,
    })
}

fn template_of(tx: &Tx, id: u64) -> AdminResult<Vec<String>> {
    Ok(tx
        .domains()?
        .into_iter()
        .filter(|d| d.domain.template_customer == Some(id))
        .map(|d| d.domain.fqdn)
        .collect())
}

/// Removes a customer and everything it owns, unless it is a domain's template customer.
pub fn remove(tx: &mut Tx, id: u64) -> AdminResult<Changed<()>> {
    let customer = customer_exists(tx, id)?;
    let domains = template_of(tx, id)?;
    if let Some(first) = domains.first() {
        return Err(AdminError::conflict(format!(
            "customer #{id} is the template customer of {}; pick another template first \
             (`portico domain set {first} --template-customer ID|none`)",
            domains.join(", ")
        )));
    }
    tx.remove_customer(id)?;
    Ok(((), target(&customer)))
}

/// Sets one section's override; `default` removes it.
pub fn set_override(
    tx: &mut Tx,
    id: u64,
    section: Section,
    access: Access,
) -> AdminResult<Changed<Customer>> {
    let mut customer = customer_exists(tx, id)?;
    match access {
        Access::Default => {
            customer.overrides.remove(&section);
        }
        other => {
            customer.overrides.insert(section, other);
        }
    }
    tx.put_customer(&customer)?;
    let t = format!("{} section {section}", target(&customer));
    Ok((customer, t))
}

/// Approves a customer that is pending approval.
pub fn approve(tx: &mut Tx, id: u64) -> AdminResult<Changed<Customer>> {
    let mut customer = customer_exists(tx, id)?;
    if customer.status != CustomerStatus::PendingApproval {
        return Err(AdminError::conflict(format!(
            "customer #{id} is {}, not pending approval; nothing to approve",
            customer.status
        )));
    }
    customer.status = CustomerStatus::Active;
    tx.put_customer(&customer)?;
    let t = target(&customer);
    Ok((customer, t))
}
