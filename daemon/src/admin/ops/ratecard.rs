//! Rate cards and routes (a customer's rate card assignments).

use portico_protocol::{
    AdminError, AdminResult, RateCard, RateCardDetail, RateCardImported, Route,
};

use super::customer_exists;
use crate::admin::service::Changed;
use crate::model::{currency, ratecard_csv, text};
use crate::store::Tx;

const MAX_TECH_PREFIX: usize = 16;

fn lookup(tx: &Tx, name: &str) -> AdminResult<RateCard> {
    tx.ratecard(name)?.ok_or_else(|| {
        AdminError::not_found(format!(
            "rate card \"{name}\" (see `portico ratecard list`)"
        ))
    })
}

/// Imports rates from CSV into a card, creating it when new. All or nothing.
pub fn import(
    tx: &mut Tx,
    now: i64,
    name: &str,
    currency_in: &str,
    csv: &str,
    replace: bool,
) -> AdminResult<Changed<RateCardImported>> {
    let name = text::check_required("name", name, 100)?;
    let code = currency::normalize_currency("currency", currency_in)?;
    let rates = ratecard_csv::parse_rates(csv)?;
    let mut card = match tx.ratecard(&name)? {
        Some(card) if card.currency != code => {
            return Err(AdminError::invalid(
                "currency",
                format!(
                    "rate card \"{name}\" holds {} rates; import with --currency {} or into a \
                     new rate card",
                    card.currency, card.currency
                ),
            ));
        }
        Some(card) => card,
        None => RateCard {
            name: name.clone(),
            currency: code,
            rates: 0,
            created_at: now,
            updated_at: now,
        },
    };
    if replace {
        tx.clear_rates(&name)?;
        card.rates = 0;
    }
    let (mut inserted, mut replaced) = (0u64, 0u64);
    for rate in &rates {
        if tx.put_rate(&name, rate)? {
            replaced += 1;
        } else {
            inserted += 1;
        }
    }
    card.rates += inserted;
    card.updated_at = now;
    tx.put_ratecard(&card)?;
    Ok((
        RateCardImported {
            card,
            inserted,
            replaced,
        },
        format!("rate card {name}"),
    ))
}

/// A card with its rates.
pub fn show(tx: &Tx, name: &str) -> AdminResult<RateCardDetail> {
    let card = lookup(tx, name)?;
    let rates = tx.rates(name)?;
    Ok(RateCardDetail { card, rates })
}

/// Removes a card unless a route uses it.
pub fn remove(tx: &mut Tx, name: &str) -> AdminResult<Changed<()>> {
    lookup(tx, name)?;
    let users = tx.routes_using(name)?;
    if !users.is_empty() {
        let ids: Vec<String> = users
            .iter()
            .map(|r| format!("#{}", r.customer_id))
            .collect();
        return Err(AdminError::conflict(format!(
            "rate card \"{name}\" is assigned to customer {}; remove those routes first \
             (`portico route rm ID \"{name}\"`)",
            ids.join(", ")
        )));
    }
    tx.remove_ratecard(name)?;
    Ok(((), format!("rate card {name}")))
}

/// Assigns a card to a customer (or changes the tech prefix of an assignment).
pub fn route_add(
    tx: &mut Tx,
    customer_id: u64,
    card_name: &str,
    tech_prefix: &str,
) -> AdminResult<Changed<Route>> {
    let customer = customer_exists(tx, customer_id)?;
    let card = lookup(tx, card_name)?;
    if card.currency != customer.currency {
        return Err(AdminError::invalid(
            "ratecard",
            format!(
                "rate card \"{card_name}\" is in {} but customer #{customer_id} pays in {}; \
                 assign a {} rate card",
                card.currency, customer.currency, customer.currency
            ),
        ));
    }
    let tech_prefix = tech_prefix.trim();
    if tech_prefix.len() > MAX_TECH_PREFIX
        || !tech_prefix
            .chars()
            .all(|c| c.is_ascii_digit() || c == '#' || c == '*')
    {
        return Err(AdminError::invalid(
            "tech_prefix",
            format!(
                "{} is not a tech prefix; use up to {MAX_TECH_PREFIX} digits, '#' or '*' (e.g. 123#)",
                text::shown(tech_prefix)
            ),
        ));
    }
    let route = Route {
        customer_id,
        ratecard: card.name,
        tech_prefix: tech_prefix.to_string(),
    };
    tx.put_route(&route)?;
    let target = format!("customer #{customer_id} route {}", route.ratecard);
    Ok((route, target))
}

/// Removes a rate card assignment.
pub fn route_remove(tx: &mut Tx, customer_id: u64, card_name: &str) -> AdminResult<Changed<()>> {
    customer_exists(tx, customer_id)?;
    if !tx.remove_route(customer_id, card_name)? {
        return Err(AdminError::not_found(format!(
            "route of customer #{customer_id} to rate card \"{card_name}\""
        )));
    }
    Ok(((), format!("customer #{customer_id} route {card_name}")))
}
