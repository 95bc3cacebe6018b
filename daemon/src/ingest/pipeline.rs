//! The ingest pipeline: a batch of parsed CDRs is matched to customers, priced, stored with its
//! rollups and counters, and committed durably in ONE transaction. Nothing is acknowledged
//! before that commit; a batch seen again stores nothing twice.

use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};

use portico_protocol::{ImportReport, QuarantineEntry};

use super::RawCdr;
use super::rating::{self, RateIndex, RoutedCard};
pub use crate::store::cdr::day_of;
use crate::store::cdr::{
    CdrBatch, CdrRow, Claim, RollupDelta, SEQ_COUNTER, UNASSIGNED, UNRATED_NAME,
};
use crate::store::{Store, StoreError, Tx};

/// META key of the generation that every admin change bumps; the rating cache is rebuilt when
/// it moves.
pub const GENERATION: &str = "admin_generation";

/// A line or document that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// File line number (0 for a document).
    pub line: u64,
    /// Why.
    pub reason: String,
    /// The start of it.
    pub excerpt: String,
}

/// One batch: parsed CDRs with their line numbers, and what could not be parsed.
#[derive(Debug, Default)]
pub struct Batch {
    /// Where it comes from (file name, watched path, `http <peer>`).
    pub source: String,
    /// Lines or documents read.
    pub lines: u64,
    /// The CDRs, with their line numbers.
    pub cdrs: Vec<(u64, RawCdr)>,
    /// What was refused.
    pub rejected: Vec<Rejected>,
}

/// What the ingest knows about customers and rates, rebuilt when an admin change happened.
struct RatingCache {
    generation: u64,
    account_codes: FxHashMap<String, u64>,
    customers: FxHashMap<u64, Vec<(String, String)>>,
    cards: FxHashMap<String, RateIndex>,
}

impl RatingCache {
    fn load(tx: &Tx, generation: u64) -> Result<RatingCache, StoreError> {
        let mut account_codes = FxHashMap::default();
        let mut customers = FxHashMap::default();
        for c in tx.customers()? {
            for code in &c.account_codes {
                account_codes.insert(code.clone(), c.id);
            }
            let routes = tx
                .routes_of(c.id)?
                .into_iter()
                .map(|r| (r.ratecard, r.tech_prefix))
                .collect();
            customers.insert(c.id, routes);
        }
        let mut cards = FxHashMap::default();
        for card in tx.ratecards()? {
            let rates = tx.rates(&card.name)?;
            cards.insert(card.name, RateIndex::new(rates));
        }
        Ok(RatingCache {
            generation,
            account_codes,
            customers,
            cards,
        })
    }

    fn customer_of(&self, raw: &RawCdr) -> u64 {
        raw.customer_hint
            .as_deref()
            .and_then(|hint| self.account_codes.get(hint))
            .or_else(|| self.account_codes.get(raw.account_code.as_str()))
            .copied()
            .unwrap_or(UNASSIGNED)
    }

    /// A customer's routes with their rate indexes, in route order.
    fn routed(&self, customer: u64) -> Vec<RoutedCard<'_>> {
        self.customers
            .get(&customer)
            .map(|routes| {
                routes
                    .iter()
                    .filter_map(|(card, tech)| {
                        self.cards.get(card).map(|index| RoutedCard {
                            ratecard: card,
                            tech_prefix: tech,
                            index,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The ingest: shared by every way in (admin imports, HTTP, watched files).
#[derive(Clone)]
pub struct Ingest {
    store: Store,
    cache: Arc<Mutex<Option<Arc<RatingCache>>>>,
    customer_variable: Option<Arc<str>>,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest")
            .field("store", &self.store)
            .finish()
    }
}

/// The stored form of a parsed CDR priced by `priced` (unrated when `None`), borrowing its
/// strings from both.
fn row_of<'a>(raw: &'a RawCdr, priced: Option<&rating::PricedRef<'a>>) -> CdrRow<'a> {
    CdrRow {
        call_id: &raw.call_id,
        leg: u8::from(raw.leg == super::Leg::B),
        account_code: &raw.account_code,
        source_number: &raw.source_number,
        destination: &raw.destination,
        destination_name: priced.map_or("", |p| p.rate.name.as_str()),
        answer: raw.answer,
        end: raw.end,
        duration: raw.duration,
        billsec: if raw.answered { raw.billsec } else { 0 },
        billed: priced.map_or(0, |p| p.billed),
        connected: raw.answered,
        rate: priced.map(|p| p.rate.rate_per_min.0),
        connect_fee: priced.map_or(0, |p| p.rate.connect_fee.0),
        charge: priced.map_or(0, |p| p.charge.0),
        release_reason: &raw.release_reason,
        sip_code: raw.sip_code,
        direction: &raw.direction,
        source_ip: &raw.source_ip,
        tech_prefix: priced.map_or("", |p| p.tech_prefix),
        ratecard: priced.map_or("", |p| p.ratecard),
        rated: priced.is_some(),
    }
}

/// What one CDR adds to its rollup row and its customer's totals.
pub fn delta_of(cdr: &CdrRow<'_>) -> RollupDelta {
    RollupDelta {
        attempts: 1,
        connected: u64::from(cdr.connected),
        billsec: if cdr.connected {
            u64::from(cdr.billsec)
        } else {
            0
        },
        billed: u64::from(cdr.billed),
        charge: cdr.charge,
        unrated: u64::from(!cdr.rated),
    }
}

/// The rollup row name of a CDR.
pub fn rollup_name<'a>(cdr: &CdrRow<'a>) -> &'a str {
    if cdr.rated {
        cdr.destination_name
    } else {
        UNRATED_NAME
    }
}

/// A batch's rollup and totals deltas, and its report counts; made while the batch is
/// prepared, then corrected for the duplicates the transaction finds.
#[derive(Debug, Default)]
pub struct Deltas {
    /// Destination names, by the index the rollup keys use.
    names: Vec<String>,
    /// Per (customer, day, destination name index).
    rollups: FxHashMap<(u64, i64, u32), RollupDelta>,
    /// Per customer.
    totals: FxHashMap<u64, RollupDelta>,
    /// CDRs counted.
    rows: u64,
    /// Of which unassigned.
    unassigned: u64,
    /// Of which unrated.
    unrated: u64,
}

impl Deltas {
    /// Counts (`sign` 1) or uncounts (`sign` -1) one CDR of `customer`; `name` is the index of
    /// its rollup name.
    fn count(&mut self, customer: u64, start: i64, cdr: &CdrRow<'_>, name: u32, sign: i64) {
        let step = |n: &mut u64| *n = n.wrapping_add_signed(sign);
        step(&mut self.rows);
        if !cdr.rated {
            step(&mut self.unrated);
        }
        if customer == UNASSIGNED {
            step(&mut self.unassigned);
            return;
        }
        let d = delta_of(cdr);
        let rollup = self
            .rollups
            .entry((customer, day_of(start), name))
            .or_default();
        if sign < 0 {
            rollup.sub(&d);
        } else {
            rollup.add(&d);
        }
        let totals = self.totals.entry(customer).or_default();
        if sign < 0 {
            totals.sub(&d);
        } else {
            totals.add(&d);
        }
    }

    /// Takes the counts of duplicate rows `dups` of `batch` back out.
    fn uncount(&mut self, batch: &CdrBatch, dups: &[u32]) -> Result<(), StoreError> {
        if dups.is_empty() {
            return Ok(());
        }
        let names = std::mem::take(&mut self.names);
        {
            let index: FxHashMap<&str, u32> = names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i as u32))
                .collect();
            for &p in dups {
                let (customer, start, row) = batch.row(p as usize)?;
                let name = index.get(rollup_name(&row)).copied().unwrap_or(0);
                self.count(customer, start, &row, name, -1);
            }
        }
        self.names = names;
        Ok(())
    }

    /// Adds the deltas to the stored rollups and totals (nothing for rows that all turned
    /// out to be duplicates).
    pub fn apply(self, tx: &mut Tx) -> Result<(), StoreError> {
        let names = &self.names;
        tx.add_rollups(
            self.rollups
                .into_iter()
                .filter(|(_, d)| d.attempts > 0)
                .map(|((c, day, name), d)| ((c, day, names[name as usize].as_str()), d)),
        )?;
        tx.add_totals(self.totals.into_iter().filter(|(_, d)| d.attempts > 0))
    }
}

/// Matches, prices and encodes CDRs (all of `customer` when given, else each of the customer
/// its account code names) into a batch, and counts what they add to rollups and totals.
fn build(cache: &RatingCache, cdrs: &[RawCdr], customer: Option<u64>) -> (CdrBatch, Deltas) {
    let mut routes: FxHashMap<u64, Vec<RoutedCard<'_>>> = FxHashMap::default();
    let mut batch = CdrBatch::with_capacity(cdrs.len());
    let mut deltas = Deltas::default();
    let mut names: FxHashMap<&str, u32> = FxHashMap::default();
    for raw in cdrs {
        let customer = customer.unwrap_or_else(|| cache.customer_of(raw));
        let priced = if customer == UNASSIGNED {
            None
        } else {
            let routed = routes
                .entry(customer)
                .or_insert_with(|| cache.routed(customer));
            rating::price_ref(
                routed,
                &raw.destination,
                raw.start,
                raw.billsec,
                raw.answered,
            )
        };
        let row = row_of(raw, priced.as_ref());
        let name = rollup_name(&row);
        let name = match names.get(name) {
            Some(i) => *i,
            None => {
                let i = deltas.names.len() as u32;
                deltas.names.push(name.to_string());
                names.insert(name, i);
                i
            }
        };
        deltas.count(customer, raw.start, &row, name, 1);
        batch.push(customer, raw.start, &row);
    }
    (batch.finish(), deltas)
}

impl Ingest {
    /// An ingest writing to `store`.
    pub fn new(store: Store) -> Ingest {
        Ingest {
            store,
            cache: Arc::new(Mutex::new(None)),
            customer_variable: None,
        }
    }

    /// Sets the FreeSWITCH variable whose value is matched to customers' account codes
    /// (`[ingest] customer_variable`).
    pub fn with_customer_variable(mut self, name: Option<String>) -> Ingest {
        self.customer_variable = name.map(Arc::from);
        self
    }

    /// The FreeSWITCH variable that names the customer, if configured.
    pub fn customer_variable(&self) -> Option<&str> {
        self.customer_variable.as_deref()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn cache(&self, tx: &Tx) -> Result<Arc<RatingCache>, StoreError> {
        let generation = tx.counter(GENERATION)?;
        let mut slot = self
            .cache
            .lock()
            .map_err(|_| StoreError::Corrupt("rating cache lock poisoned".into()))?;
        if let Some(cache) = slot.as_ref().filter(|c| c.generation == generation) {
            return Ok(cache.clone());
        }
        let fresh = Arc::new(RatingCache::load(tx, generation)?);
        *slot = Some(fresh.clone());
        Ok(fresh)
    }

    /// Stores a batch in one durable transaction. `also` runs in the same transaction (a
    /// watched file records its read position there, so position and CDRs commit together).
    /// Blocking: call from a blocking thread.
    pub fn ingest(
        &self,
        batch: Batch,
        also: impl FnOnce(&mut Tx) -> Result<(), StoreError>,
    ) -> Result<ImportReport, StoreError> {
        let prepared = self.prepare(batch)?;
        self.commit(prepared, also)
    }

    /// Matches and prices a batch outside any write transaction, so that several batches can
    /// be prepared in parallel while one commits. [`Ingest::commit`] prices again only when an
    /// admin change happened in between.
    pub fn prepare(&self, batch: Batch) -> Result<Prepared, StoreError> {
        let cache = self.store.read(|tx| self.cache(tx))?;
        let cdrs: Vec<RawCdr> = batch.cdrs.into_iter().map(|(_, raw)| raw).collect();
        let (rows, deltas) = build(&cache, &cdrs, None);
        Ok(Prepared {
            source: batch.source,
            lines: batch.lines,
            rows,
            deltas,
            rejected: batch.rejected,
            generation: cache.generation,
        })
    }

    /// Stores a prepared batch in one durable transaction (see [`Ingest::ingest`]).
    pub fn commit(
        &self,
        prepared: Prepared,
        also: impl FnOnce(&mut Tx) -> Result<(), StoreError>,
    ) -> Result<ImportReport, StoreError> {
        self.store.write(|tx| {
            let (mut rows, mut deltas) = (prepared.rows, prepared.deltas);
            let cache = self.cache(tx)?;
            if cache.generation != prepared.generation {
                // Customers, routes or rates changed since the batch was priced.
                let raws = (0..rows.len())
                    .map(|p| {
                        let (_, start, row) = rows.row(p)?;
                        Ok(raw_for_repricing(&row, start))
                    })
                    .collect::<Result<Vec<RawCdr>, StoreError>>()?;
                (rows, deltas) = build(&cache, &raws, None);
            }
            let first_seq = tx.counter(SEQ_COUNTER)? + 1;
            let dups = tx.store_cdrs(&rows, first_seq, Claim::New)?;
            deltas.uncount(&rows, &dups)?;
            let mut report = ImportReport {
                lines: prepared.lines,
                imported: deltas.rows,
                duplicates: dups.len() as u64,
                unassigned: deltas.unassigned,
                unrated: deltas.unrated,
                ..Default::default()
            };
            deltas.apply(tx)?;
            // Every row took a seq, duplicates too (they leave gaps).
            tx.bump_counter(SEQ_COUNTER, rows.len() as i64)?;
            tx.bump_counter("cdrs", report.imported as i64)?;
            tx.bump_counter("cdrs_unassigned", report.unassigned as i64)?;
            tx.bump_counter("cdrs_unrated", report.unrated as i64)?;
            let at = time::OffsetDateTime::now_utc().unix_timestamp();
            for r in prepared.rejected {
                let entry = tx.quarantine(QuarantineEntry {
                    id: 0,
                    source: prepared.source.clone(),
                    line: r.line,
                    reason: r.reason,
                    excerpt: r.excerpt,
                    at,
                })?;
                report.quarantined.push(entry);
            }
            also(tx)?;
            Ok(report)
        })
    }
}

/// A batch matched and priced, waiting for its transaction.
#[derive(Debug)]
pub struct Prepared {
    source: String,
    lines: u64,
    rows: CdrBatch,
    deltas: Deltas,
    rejected: Vec<Rejected>,
    generation: u64,
}

/// The parts of a stored CDR that matching and pricing read.
fn raw_for_repricing(cdr: &CdrRow<'_>, start: i64) -> RawCdr {
    RawCdr {
        call_id: cdr.call_id.to_string(),
        leg: if cdr.leg == 0 {
            super::Leg::A
        } else {
            super::Leg::B
        },
        account_code: cdr.account_code.to_string(),
        source_number: cdr.source_number.to_string(),
        destination: cdr.destination.to_string(),
        start,
        answer: cdr.answer,
        end: cdr.end,
        duration: cdr.duration,
        billsec: cdr.billsec,
        answered: cdr.connected,
        release_reason: cdr.release_reason.to_string(),
        sip_code: cdr.sip_code,
        direction: cdr.direction.to_string(),
        source_ip: cdr.source_ip.to_string(),
        customer_hint: None,
    }
}

/// Assigns every unassigned CDR with `account_code` to `customer_id`: adds the code to the
/// customer (so later CDRs match), prices the moved CDRs and updates rollups and counters.
pub fn assign(
    tx: &mut Tx,
    account_code: &str,
    customer_id: u64,
) -> Result<u64, portico_protocol::AdminError> {
    let code = account_code.trim();
    let mut customer = crate::admin::ops::customer_exists(tx, customer_id)?;
    if let Some(owner) = tx.account_code_owner(code)?.filter(|o| *o != customer_id) {
        return Err(portico_protocol::AdminError::conflict(format!(
            "account code \"{code}\" belongs to customer #{owner}; its CDRs are not unassigned"
        )));
    }
    if !code.is_empty() && !customer.account_codes.iter().any(|c| c == code) {
        customer.account_codes.push(code.to_string());
        tx.put_customer(&customer)?;
    }
    let generation = tx.bump_counter(GENERATION, 1)?;
    let cache = RatingCache::load(tx, generation)?;
    let moving = tx.take_cdrs(UNASSIGNED, |row| row.account_code == code)?;
    let raws: Vec<RawCdr> = moving
        .iter()
        .map(|(key, old)| raw_for_repricing(&old.as_row(), key.start))
        .collect();
    let (batch, deltas) = build(&cache, &raws, Some(customer_id));
    let rated = (deltas.rows - deltas.unrated) as i64;
    deltas.apply(tx)?;
    let first_seq = tx.counter(SEQ_COUNTER)? + 1;
    tx.store_cdrs(&batch, first_seq, Claim::Moved)?;
    tx.bump_counter(SEQ_COUNTER, batch.len() as i64)?;
    tx.bump_counter("cdrs_unassigned", -(moving.len() as i64))?;
    tx.bump_counter("cdrs_unrated", -rated)?;
    Ok(moving.len() as u64)
}
