//! The checks after each restart and at the end: every acknowledged CDR is stored once with the
//! charge the rate card gives, nothing is stored that was never sent, and every balance equals
//! its recomputation from the stored charges and the completed payments.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use portico_protocol::{AdminClient, Cdr, CdrQuery, PROTOCOL_VERSION, PaymentStatus};
use tarpc::context;

use super::fixtures::Call;

/// What a check found.
#[derive(Debug, Default, Clone)]
pub struct Found {
    /// CDRs stored.
    pub stored: usize,
    /// Acknowledged CDRs (all of them stored, or a problem says which are not).
    pub acked: usize,
    /// Unacknowledged CDRs that made it into the store.
    pub unknown_stored: usize,
    /// Customers whose balance was recomputed.
    pub balances: usize,
    /// Everything that is wrong, in words; empty when all holds.
    pub problems: Vec<String>,
}

/// A connected admin client (after the version handshake).
pub async fn admin(socket: &Path) -> Result<AdminClient> {
    let client = crate::admin::connect_raw(socket)
        .await
        .with_context(|| format!("connecting to {}", socket.display()))?;
    client
        .version(context::current(), PROTOCOL_VERSION)
        .await?
        .map_err(|e| anyhow!("version: {e:?}"))?;
    Ok(client)
}

/// Every CDR of `customer_id` (`None`: unassigned), all pages.
pub async fn all_cdrs(client: &AdminClient, customer_id: Option<u64>) -> Result<Vec<Cdr>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = client
            .cdr_list(
                context::current(),
                CdrQuery {
                    customer_id,
                    limit: 1000,
                    after,
                    ..Default::default()
                },
            )
            .await?
            .map_err(|e| anyhow!("cdr_list: {e:?}"))?;
        out.extend(page.cdrs);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}

/// Checks the store behind `socket` against what the driver knows: `acked` must all be there,
/// `unknown` may be; `customers` maps account codes to customer ids.
pub async fn check(
    socket: &Path,
    customers: &HashMap<String, u64>,
    acked: &HashMap<String, Call>,
    unknown: &HashMap<String, Call>,
) -> Result<Found> {
    let client = admin(socket).await?;
    let mut found = Found {
        acked: acked.len(),
        ..Found::default()
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let unassigned = all_cdrs(&client, None).await?;
    if !unassigned.is_empty() {
        found.problems.push(format!(
            "{} CDRs are unassigned (first: {})",
            unassigned.len(),
            unassigned[0].call_id
        ));
    }
    let mut ids: Vec<u64> = customers.values().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let cdrs = all_cdrs(&client, Some(id)).await?;
        let mut charges = 0i64;
        for cdr in &cdrs {
            charges += cdr.charge.0;
            *seen
                .entry(format!("{} {}", cdr.call_id, cdr.leg))
                .or_default() += 1;
            let known = acked
                .get(cdr.call_id.as_str())
                .or_else(|| unknown.get(cdr.call_id.as_str()));
            match known {
                None => found.problems.push(format!(
                    "customer {id}: CDR {} was never sent by the driver",
                    cdr.call_id
                )),
                Some(call) => {
                    if customers.get(&call.account) != Some(&id) {
                        found.problems.push(format!(
                            "CDR {} of account {} stored for customer {id}",
                            cdr.call_id, call.account
                        ));
                    }
                    if cdr.charge.0 != call.charge() || i64::from(cdr.billsec) != call.billsec {
                        found.problems.push(format!(
                            "CDR {}: charge {} for {} s, expected {} for {} s",
                            cdr.call_id,
                            cdr.charge.0,
                            cdr.billsec,
                            call.charge(),
                            call.billsec
                        ));
                    }
                    if !acked.contains_key(cdr.call_id.as_str()) {
                        found.unknown_stored += 1;
                    }
                }
            }
        }
        found.stored += cdrs.len();
        let balance = client
            .customer_balance(context::current(), id)
            .await?
            .map_err(|e| anyhow!("customer_balance {id}: {e:?}"))?;
        let payments: i64 = client
            .payment_list(context::current(), id)
            .await?
            .map_err(|e| anyhow!("payment_list {id}: {e:?}"))?
            .iter()
            .filter(|p| p.status == PaymentStatus::Completed)
            .map(|p| p.amount.0)
            .sum();
        if balance.charges.0 != charges
            || balance.payments.0 != payments
            || balance.balance.0 != payments - charges
        {
            found.problems.push(format!(
                "customer {id}: balance says payments {} - charges {} = {}; recomputed {payments} - {charges} = {}",
                balance.payments.0,
                balance.charges.0,
                balance.balance.0,
                payments - charges
            ));
        }
        found.balances += 1;
    }
    for (key, n) in &seen {
        if *n > 1 {
            found
                .problems
                .push(format!("CDR {key} is stored {n} times"));
        }
    }
    let missing: Vec<&String> = acked
        .keys()
        .filter(|id| !seen.contains_key(&format!("{id} a")))
        .collect();
    if !missing.is_empty() {
        found.problems.push(format!(
            "{} acknowledged CDRs are missing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        ));
    }
    if found.stored != found.acked + found.unknown_stored {
        found.problems.push(format!(
            "{} CDRs stored, but {} acknowledged + {} unacknowledged that made it",
            found.stored, found.acked, found.unknown_stored
        ));
    }
    Ok(found)
}
