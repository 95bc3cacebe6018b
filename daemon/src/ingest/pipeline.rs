//! The ingest pipeline: a batch of parsed CDRs is matched to customers, priced, stored with its
//! rollups and counters, and committed durably in ONE transaction. Nothing is acknowledged
//! before that commit; a batch seen again stores nothing twice.

use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};

use portico_protocol::{ImportReport, QuarantineEntry};

use super::RawCdr;
use super::rating::{self, RateIndex, RoutedCard};
use crate::store::cdr::{CdrKey, RollupDelta, StoredCdr, UNASSIGNED, UNRATED_NAME};
use crate::store::{Store, StoreError, Tx, encode_packed};

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

    /// Prices a call for `customer` and fills the rating fields of `cdr`.
    fn price(&self, customer: u64, raw: &RawCdr, cdr: &mut StoredCdr) {
        price_with(&self.routed(customer), raw, cdr);
    }
}

/// Prices a call on the given routes and fills the rating fields of `cdr`.
fn price_with(routed: &[RoutedCard<'_>], raw: &RawCdr, cdr: &mut StoredCdr) {
    if let Some(p) = rating::price_ref(
        routed,
        &raw.destination,
        raw.start,
        raw.billsec,
        raw.answered,
    ) {
        cdr.destination_name.clone_from(&p.rate.name);
        cdr.rate = Some(p.rate.rate_per_min.0);
        cdr.connect_fee = p.rate.connect_fee.0;
        cdr.billed = p.billed;
        cdr.charge = p.charge.0;
        p.tech_prefix.clone_into(&mut cdr.tech_prefix);
        p.ratecard.clone_into(&mut cdr.ratecard);
        cdr.rated = true;
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

/// The stored form of a parsed CDR, before rating.
pub fn stored_from_raw(raw: &RawCdr) -> StoredCdr {
    StoredCdr {
        call_id: raw.call_id.clone(),
        leg: u8::from(raw.leg == super::Leg::B),
        account_code: raw.account_code.clone(),
        source_number: raw.source_number.clone(),
        destination: raw.destination.clone(),
        destination_name: String::new(),
        answer: raw.answer,
        end: raw.end,
        duration: raw.duration,
        billsec: if raw.answered { raw.billsec } else { 0 },
        billed: 0,
        connected: raw.answered,
        rate: None,
        connect_fee: 0,
        charge: 0,
        release_reason: raw.release_reason.clone(),
        sip_code: raw.sip_code,
        direction: raw.direction.clone(),
        source_ip: raw.source_ip.clone(),
        tech_prefix: String::new(),
        ratecard: String::new(),
        rated: false,
    }
}

/// The UTC day number of a Unix time.
pub fn day_of(t: i64) -> i64 {
    t.div_euclid(86_400)
}

/// What one CDR adds to its rollup row and its customer's totals.
pub fn delta_of(cdr: &StoredCdr) -> RollupDelta {
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
pub fn rollup_name(cdr: &StoredCdr) -> &str {
    if cdr.rated {
        &cdr.destination_name
    } else {
        UNRATED_NAME
    }
}

/// Accumulates a batch's rollup and totals deltas.
#[derive(Default)]
pub struct Deltas<'a> {
    /// Per (customer, day, destination).
    pub rollups: FxHashMap<(u64, i64, &'a str), RollupDelta>,
    /// Per customer.
    pub totals: FxHashMap<u64, RollupDelta>,
}

impl<'a> Deltas<'a> {
    /// Counts one stored CDR of `customer`.
    pub fn add(&mut self, customer: u64, start: i64, cdr: &'a StoredCdr) {
        if customer == UNASSIGNED {
            return;
        }
        let d = delta_of(cdr);
        self.rollups
            .entry((customer, day_of(start), rollup_name(cdr)))
            .or_default()
            .add(&d);
        self.totals.entry(customer).or_default().add(&d);
    }

    /// Adds the deltas to the stored rollups and totals.
    pub fn apply(self, tx: &mut Tx) -> Result<(), StoreError> {
        tx.add_rollups(self.rollups)?;
        tx.add_totals(self.totals)
    }
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
        let rows = price_all(&cache, batch.cdrs);
        Ok(Prepared {
            source: batch.source,
            lines: batch.lines,
            rows,
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
            let mut rows = prepared.rows;
            let cache = self.cache(tx)?;
            if cache.generation != prepared.generation {
                // Customers, routes or rates changed since the batch was priced.
                let raws: Vec<(u64, RawCdr)> = rows
                    .drain(..)
                    .map(|(_, start, cdr, _)| (0, raw_for_repricing(&cdr, start)))
                    .collect();
                rows = price_all(&cache, raws);
            }
            let mut report = ImportReport {
                lines: prepared.lines,
                ..Default::default()
            };
            let first_seq = tx.counter("cdr_seq")?;
            let claimed = {
                let ids: Vec<(u64, i64, &str)> = rows
                    .iter()
                    .map(|(customer, start, c, _)| (*customer, *start, c.call_id.as_str()))
                    .collect();
                tx.claim_cdr_ids(&ids, first_seq)?
            };
            let mut keep = Vec::with_capacity(rows.len());
            for ((customer, _, cdr, bytes), key) in rows.into_iter().zip(claimed) {
                let Some(key) = key else {
                    report.duplicates += 1;
                    continue;
                };
                if customer == UNASSIGNED {
                    report.unassigned += 1;
                }
                if !cdr.rated {
                    report.unrated += 1;
                }
                keep.push((key, cdr, bytes));
            }
            // Every claimed row took the next sequence number.
            let seq = first_seq + keep.len() as u64;
            let mut deltas = Deltas::default();
            for (key, cdr, _) in &keep {
                deltas.add(key.customer, key.start, cdr);
            }
            deltas.apply(tx)?;
            report.imported = keep.len() as u64;
            tx.insert_claimed_cdrs(
                keep.into_iter()
                    .map(|(key, _, bytes)| (key, bytes))
                    .collect(),
            )?;
            tx.bump_counter("cdr_seq", (seq - first_seq) as i64)?;
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
    rows: Vec<(u64, i64, StoredCdr, Vec<u8>)>,
    rejected: Vec<Rejected>,
    generation: u64,
}

/// Matches, prices and encodes every CDR: (customer, start, stored form, its bytes).
fn price_all(cache: &RatingCache, cdrs: Vec<(u64, RawCdr)>) -> Vec<(u64, i64, StoredCdr, Vec<u8>)> {
    let mut routes: FxHashMap<u64, Vec<RoutedCard<'_>>> = FxHashMap::default();
    cdrs.into_iter()
        .map(|(_, raw)| {
            let customer = cache.customer_of(&raw);
            let mut cdr = stored_from_raw(&raw);
            if customer != UNASSIGNED {
                let routed = routes
                    .entry(customer)
                    .or_insert_with(|| cache.routed(customer));
                price_with(routed, &raw, &mut cdr);
            }
            let bytes = encode_packed(&cdr);
            (customer, raw.start, cdr, bytes)
        })
        .collect()
}

/// The parts of a stored CDR that matching and pricing read.
fn raw_for_repricing(cdr: &StoredCdr, start: i64) -> RawCdr {
    RawCdr {
        call_id: cdr.call_id.clone(),
        leg: if cdr.leg == 0 {
            super::Leg::A
        } else {
            super::Leg::B
        },
        account_code: cdr.account_code.clone(),
        source_number: cdr.source_number.clone(),
        destination: cdr.destination.clone(),
        start,
        answer: cdr.answer,
        end: cdr.end,
        duration: cdr.duration,
        billsec: cdr.billsec,
        answered: cdr.connected,
        release_reason: cdr.release_reason.clone(),
        sip_code: cdr.sip_code,
        direction: cdr.direction.clone(),
        source_ip: cdr.source_ip.clone(),
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
    let moving: Vec<(CdrKey, StoredCdr)> = tx
        .cdrs_of(UNASSIGNED)?
        .into_iter()
        .filter(|(_, c)| c.account_code == code)
        .collect();
    let mut moved = Vec::with_capacity(moving.len());
    for (key, old) in &moving {
        tx.remove_cdr(*key)?;
        let mut cdr = old.clone();
        cache.price(customer_id, &raw_for_repricing(old, key.start), &mut cdr);
        moved.push((
            CdrKey {
                customer: customer_id,
                ..*key
            },
            cdr,
        ));
    }
    let rated = moved.iter().filter(|(_, c)| c.rated).count() as i64;
    let mut deltas = Deltas::default();
    for (key, cdr) in &moved {
        deltas.add(key.customer, key.start, cdr);
    }
    deltas.apply(tx)?;
    tx.insert_cdrs(moved)?;
    tx.bump_counter("cdrs_unassigned", -(moving.len() as i64))?;
    tx.bump_counter("cdrs_unrated", -rated)?;
    Ok(moving.len() as u64)
}
