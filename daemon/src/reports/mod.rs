//! What the portal (and the admin) ask about calls: pages of CDRs, the breakout, summaries and
//! the balance. Breakout and summaries read the daily rollups, never the raw CDRs.

use std::collections::BTreeMap;

use portico_protocol::{
    AdminError, AdminResult, Alert, Balance, BreakoutRow, Cdr, CdrCursor, CdrPage, CdrQuery,
    CompactString, Customer, Micros, Payment, PaymentStatus, ReportQuery, Summary, SummaryRow,
    Traffic, UnassignedGroup,
};
use time::OffsetDateTime;

use crate::admin::ops::customer_exists;
use crate::ingest::pipeline::day_of;
use crate::store::{Texts, Tx};

pub mod csv;
use crate::store::cdr::{CdrKey, CdrRow, RollupDelta, StoredCdr, UNASSIGNED};

/// Largest page of CDRs.
pub const MAX_PAGE: u32 = 1_000;

/// Seconds of ringing: start to answer, or the whole call when it was not answered.
pub fn ring_seconds(start: i64, answer: Option<i64>, duration: u32) -> u32 {
    match answer {
        Some(answer) => (answer - start).clamp(0, i64::from(u32::MAX)) as u32,
        None => duration,
    }
}

/// A stored CDR as the protocol shows it. `currency` is the customer's, made once per page.
/// The texts are copied into [`CompactString`]s: inline, with no allocation, up to 24 bytes.
pub fn cdr_view(key: CdrKey, cdr: &CdrRow<'_>, currency: &CompactString) -> Cdr {
    let ring = ring_seconds(key.start, cdr.answer, cdr.duration);
    Cdr {
        call_id: cdr.call_id.into(),
        leg: CompactString::const_new(if cdr.leg == 0 { "a" } else { "b" }),
        customer_id: (key.customer != UNASSIGNED).then_some(key.customer),
        account_code: cdr.account_code.into(),
        source_number: cdr.source_number.into(),
        destination: cdr.destination.into(),
        destination_name: cdr.destination_name.into(),
        call_time: key.start,
        answer_time: cdr.answer,
        end_time: cdr.end,
        duration: cdr.duration,
        billed_duration: cdr.billed,
        billsec: cdr.billsec,
        ring_duration: ring,
        connected: cdr.connected,
        rate: cdr.rate.map(Micros),
        connect_cost: Micros(if cdr.connected { cdr.connect_fee } else { 0 }),
        charge: Micros(cdr.charge),
        currency: currency.clone(),
        release_reason: cdr.release_reason.into(),
        sip_code: cdr.sip_code,
        direction: cdr.direction.into(),
        source_ip: cdr.source_ip.into(),
        tech_prefix: cdr.tech_prefix.into(),
        ratecard: cdr.ratecard.into(),
        rated: cdr.rated,
    }
}

/// A page of CDRs, newest first, keyset-paged.
pub fn cdr_page(tx: &Tx, q: &CdrQuery) -> AdminResult<CdrPage> {
    let (customer, currency) = match q.customer_id {
        Some(id) => (id, customer_exists(tx, id)?.currency.into()),
        None => (UNASSIGNED, CompactString::default()),
    };
    let mut cdrs = Vec::with_capacity(page_limit(q));
    let next = cdr_page_with(tx, customer, q, Texts::ALL, |key, row| {
        cdrs.push(cdr_view(key, row, &currency));
    })?;
    Ok(CdrPage { cdrs, next })
}

/// Stored CDRs with their keys, newest first.
pub type CdrRows = Vec<(CdrKey, StoredCdr)>;

/// The stored rows of a page of `customer`'s CDRs (newest first) and where the next page
/// starts, copied out of the store: for a page rendered after its read transaction ends.
pub fn cdr_rows(tx: &Tx, customer: u64, q: &CdrQuery) -> AdminResult<(CdrRows, Option<CdrCursor>)> {
    let mut rows = Vec::with_capacity(page_limit(q));
    let next = cdr_page_with(tx, customer, q, Texts::ALL, |key, row| {
        rows.push((key, row.to_stored()))
    })?;
    Ok((rows, next))
}

fn page_limit(q: &CdrQuery) -> usize {
    (if q.limit == 0 {
        100
    } else {
        q.limit.min(MAX_PAGE)
    }) as usize
}

/// A page of `customer`'s CDRs (newest first), handed to `visit` borrowed from the store
/// instead of copied, and where the next page starts. `q.customer_id` is not read: the caller
/// names the customer, so a cursor taken from a URL only ever selects keys inside that
/// customer's own range. `visit` gets the text fields in `texts`, the others empty.
pub fn cdr_page_with(
    tx: &Tx,
    customer: u64,
    q: &CdrQuery,
    texts: Texts,
    mut visit: impl FnMut(CdrKey, &CdrRow<'_>),
) -> AdminResult<Option<CdrCursor>> {
    let limit = page_limit(q);
    let from = q.from.unwrap_or(i64::MIN);
    let to = q.to.unwrap_or(i64::MAX);
    if from >= to {
        return Err(AdminError::invalid(
            "from",
            "the range is empty: --from must be before --to",
        ));
    }
    let search = q
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Needle::new);
    let below = match q.after {
        // A cursor before the range has nothing below it inside the range (and must not make
        // the scan start over at the top).
        Some(c) if c.call_time < from => return Ok(None),
        Some(c) => Some(CdrKey {
            customer,
            start: c.call_time,
            seq: c.seq,
        }),
        None => None,
    };
    let mut filter = |cdr: &CdrRow<'_>| {
        (!q.connected_only || cdr.connected)
            && search
                .as_ref()
                .is_none_or(|s| s.found_in(cdr.source_number) || s.found_in(cdr.destination))
    };
    let keep: Option<&mut dyn FnMut(&CdrRow<'_>) -> bool> = if q.connected_only || search.is_some()
    {
        Some(&mut filter)
    } else {
        None
    };
    // One row past the page says whether another page follows.
    let mut seen = 0;
    let mut last = None;
    tx.visit_cdrs_newest_first(
        customer,
        from,
        to,
        below,
        limit + 1,
        texts,
        keep,
        &mut |key, row| {
            seen += 1;
            if seen <= limit {
                last = Some(key);
                visit(key, row);
            }
        },
    )?;
    Ok(last.filter(|_| seen > limit).map(|k| CdrCursor {
        call_time: k.start,
        seq: k.seq,
    }))
}

/// A case-insensitive search text. Numbers are ASCII, so the common case compares bytes
/// without lower-casing (and allocating) every row's fields.
enum Needle {
    Ascii(Vec<u8>),
    Other(String),
}

impl Needle {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            Needle::Ascii(text.to_ascii_lowercase().into_bytes())
        } else {
            Needle::Other(text.to_lowercase())
        }
    }

    fn found_in(&self, hay: &str) -> bool {
        match self {
            // Bytes of multi-byte characters are >= 0x80, so an ASCII needle only ever matches
            // whole ASCII characters.
            Needle::Ascii(n) => hay
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n)),
            Needle::Other(n) => hay.to_lowercase().contains(n.as_str()),
        }
    }
}

/// Figures of a group of calls, with ASR and ACD derived.
pub fn traffic(d: &RollupDelta) -> Traffic {
    let asr = if d.attempts == 0 {
        "0.0".to_string()
    } else {
        // Tenths of a percent, rounded half-up, in integers.
        let tenths = (d.connected * 2000 + d.attempts) / (2 * d.attempts);
        format!("{}.{}", tenths / 10, tenths % 10)
    };
    Traffic {
        attempts: d.attempts,
        connected: d.connected,
        asr,
        acd: d.billsec.checked_div(d.connected).unwrap_or(0),
        duration: d.billsec,
        billed_duration: d.billed,
        charge: Micros(d.charge),
    }
}

fn day_range(q: &ReportQuery) -> (i64, i64) {
    let from = q.from.map(day_of).unwrap_or(i64::MIN / 86_400);
    // `to` is exclusive: a range ending at midnight excludes that day, one ending later
    // includes it.
    let to = q.to.map(|t| day_of(t - 1) + 1).unwrap_or(i64::MAX / 86_400);
    (from, to)
}

/// The breakout: per destination (and per day when asked), over whole UTC days.
pub fn breakout(tx: &Tx, q: &ReportQuery) -> AdminResult<Vec<BreakoutRow>> {
    customer_exists(tx, q.customer_id)?;
    let (from, to) = day_range(q);
    let mut rows: Vec<BreakoutRow> = tx
        .rollups_by_destination(q.customer_id, from, to, q.per_day)?
        .into_iter()
        .map(|(day, name, d)| BreakoutRow {
            day: day.map(|d| d * 86_400),
            destination_name: name,
            traffic: traffic(&d),
        })
        .collect();
    // Newest day first, then the costliest destinations first.
    rows.sort_by(|a, b| {
        b.day
            .cmp(&a.day)
            .then(b.traffic.charge.cmp(&a.traffic.charge))
            .then(b.traffic.attempts.cmp(&a.traffic.attempts))
            .then(a.destination_name.cmp(&b.destination_name))
    });
    Ok(rows)
}

fn month_start(day: i64) -> i64 {
    let date = OffsetDateTime::from_unix_timestamp(day * 86_400)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .date();
    let first = date.replace_day(1).unwrap_or(date);
    first.midnight().assume_utc().unix_timestamp()
}

/// Daily and monthly summaries, newest first.
pub fn summary(tx: &Tx, q: &ReportQuery) -> AdminResult<Summary> {
    customer_exists(tx, q.customer_id)?;
    summary_of(tx, q)
}

/// [`summary`] of a customer the caller has read in this same transaction (not looked up
/// again).
pub fn summary_of(tx: &Tx, q: &ReportQuery) -> AdminResult<Summary> {
    let (from, to) = day_range(q);
    let mut days: BTreeMap<i64, RollupDelta> = BTreeMap::new();
    let mut months: BTreeMap<i64, RollupDelta> = BTreeMap::new();
    for (day, d) in tx.rollups_by_day(q.customer_id, from, to)? {
        days.entry(day * 86_400).or_default().add(&d);
        months.entry(month_start(day)).or_default().add(&d);
    }
    let rows = |m: BTreeMap<i64, RollupDelta>| -> Vec<SummaryRow> {
        m.into_iter()
            .rev()
            .map(|(period, d)| SummaryRow {
                period,
                traffic: traffic(&d),
            })
            .collect()
    };
    Ok(Summary {
        days: rows(days),
        months: rows(months),
    })
}

/// A customer's balance: completed payments - charges, with its debit limit and alert state.
pub fn balance(tx: &Tx, customer_id: u64) -> AdminResult<Balance> {
    balance_of(tx, &customer_exists(tx, customer_id)?)
}

/// [`balance`] of a customer the caller has read in this same transaction.
pub fn balance_of(tx: &Tx, customer: &Customer) -> AdminResult<Balance> {
    let credit = credit_of(tx, customer.id)?;
    Ok(balance_from(
        customer,
        credit,
        tx.totals(customer.id)?.charge,
    ))
}

/// What a balance needs besides the charges: the customer's completed payments and its
/// low-balance alert threshold (the highest), from its payments and alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    pub payments: i64,
    pub threshold: Option<i64>,
}

/// The [`Credit`] of customer `customer_id`.
pub fn credit_of(tx: &Tx, customer_id: u64) -> AdminResult<Credit> {
    let payments: i64 = tx
        .children::<Payment>(customer_id)?
        .iter()
        .filter(|p| p.status == PaymentStatus::Completed)
        .map(|p| p.amount.0)
        .sum();
    let threshold = tx
        .children::<Alert>(customer_id)?
        .iter()
        .map(|a| a.threshold.0)
        .max();
    Ok(Credit {
        payments,
        threshold,
    })
}

/// The balance of `customer` with `credit` and `charges` (micro-units).
pub fn balance_from(customer: &Customer, credit: Credit, charges: i64) -> Balance {
    let balance = credit.payments - charges;
    let available = balance + customer.debit_limit.0;
    Balance {
        customer_id: customer.id,
        currency: customer.currency.clone(),
        payments: Micros(credit.payments),
        charges: Micros(charges),
        balance: Micros(balance),
        debit_limit: customer.debit_limit,
        available: Micros(available),
        low_balance: credit.threshold.is_some_and(|t| balance < t),
        exhausted: available <= 0,
    }
}

/// Unassigned CDRs grouped by account code, the biggest groups first.
pub fn unassigned_groups(tx: &Tx) -> AdminResult<Vec<UnassignedGroup>> {
    let mut groups: BTreeMap<String, UnassignedGroup> = BTreeMap::new();
    for (key, cdr) in tx.cdrs_of(UNASSIGNED)? {
        let g = groups
            .entry(cdr.account_code.clone())
            .or_insert_with(|| UnassignedGroup {
                account_code: cdr.account_code.clone(),
                cdrs: 0,
                first_call: key.start,
                last_call: key.start,
            });
        g.cdrs += 1;
        g.first_call = g.first_call.min(key.start);
        g.last_call = g.last_call.max(key.start);
    }
    let mut out: Vec<UnassignedGroup> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.cdrs
            .cmp(&a.cdrs)
            .then(a.account_code.cmp(&b.account_code))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asr_and_acd_are_exact_integers() {
        let t = traffic(&RollupDelta {
            attempts: 3,
            connected: 2,
            billsec: 125,
            billed: 130,
            charge: 7,
            unrated: 0,
        });
        assert_eq!(t.asr, "66.7");
        assert_eq!(t.acd, 62);
        assert_eq!(traffic(&RollupDelta::default()).asr, "0.0");
        let all = traffic(&RollupDelta {
            attempts: 8,
            connected: 8,
            ..Default::default()
        });
        assert_eq!(all.asr, "100.0");
    }

    #[test]
    fn month_start_is_the_first_at_midnight_utc() {
        // 2026-11-27 is day 20_419.
        let day = 1_795_737_600 / 86_400;
        assert_eq!(month_start(day), 1_793_491_200); // 2026-11-01T00:00:00Z
    }
}
