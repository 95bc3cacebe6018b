//! CDR tables: the calls themselves, in blocks (see [`super::cdr_block`]) found through a
//! per-customer, per-day block index; the identity index that makes ingest idempotent;
//! quarantine and watched-file positions. Rollups and totals are in [`super::rollups`].
//!
//! Why blocks: a batch of CDRs used to be one B-tree insert per CDR (plus one per identity and
//! several per rollup row), and that serial write transaction was most of the ingest's time.
//! Now a batch writes one value per customer and day (cut at [`cdr_block::MAX_BLOCK_BYTES`]),
//! appended at the end of the block table, and a page of CDRs reads one or two values.

use std::ops::Bound;

use portico_protocol::QuarantineEntry;
use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use super::StoreError;
pub use super::cdr_batch::CdrBatch;
use super::cdr_batch::{claim_ids, cursor_error};
use super::cdr_block::{BlockBuilder, BlockRef, CdrBlock};
use super::cdr_page::{BlockRead, IndexRead, PageQuery, block_row, missing_block};
use super::cdr_row::{RowError, Texts, read_row_texts};
use super::codec::{BinRecord, Json, Record};
use super::tables::META;
use super::tx::{Inner, Tx, decode};

/// Customer id under which unassigned CDRs are kept.
pub const UNASSIGNED: u64 = 0;

/// CDR blocks by block id. A block id is the seq of its first row; new blocks always get ids
/// above every stored one, so a batch appends at the end of the table.
pub const CDR_BLOCKS: TableDefinition<u64, CdrBlock> = TableDefinition::new("cdr_blocks@1");
/// Where a customer's CDRs of a day are: (customer, UTC day, block id) → (first start, last
/// start, rows) of the block.
pub const CDR_BLOCK_INDEX: TableDefinition<(u64, i64, u64), (i64, i64, u32)> =
    TableDefinition::new("cdr_block_index@1");
/// CDR identity (see [`cdr_identity`]) → the CDR's seq.
pub const CDR_IDS: TableDefinition<&str, u64> = TableDefinition::new("cdr_ids@2");
/// Quarantined lines and documents by id.
pub const QUARANTINE: TableDefinition<u64, Json<QuarantineEntry>> =
    TableDefinition::new("quarantine@1");
/// Read positions of watched files by path.
pub const WATCHES: TableDefinition<&str, Json<WatchState>> = TableDefinition::new("watches@1");

/// Name of rollup rows of calls that found no rate.
pub const UNRATED_NAME: &str = "(unrated)";

/// META counter: the highest seq handed out.
pub const SEQ_COUNTER: &str = "cdr_seq";

/// The key of a stored CDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CdrKey {
    /// Customer id, or [`UNASSIGNED`].
    pub customer: u64,
    /// Start (Unix seconds).
    pub start: i64,
    /// Storage sequence number.
    pub seq: u64,
}

/// A CDR as stored (the block holds customer, start and seq). Compact: postcard, no field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCdr {
    /// Call id.
    pub call_id: String,
    /// 0 = A-leg, 1 = B-leg.
    pub leg: u8,
    /// Account code.
    pub account_code: String,
    /// Calling number.
    pub source_number: String,
    /// Dialled number.
    pub destination: String,
    /// Matched destination name (empty when unrated).
    pub destination_name: String,
    /// Answer time.
    pub answer: Option<i64>,
    /// End time.
    pub end: Option<i64>,
    /// Seconds from start to end.
    pub duration: u32,
    /// Seconds from answer to end.
    pub billsec: u32,
    /// Billed seconds.
    pub billed: u32,
    /// Connected.
    pub connected: bool,
    /// Rate per minute applied (micro-units).
    pub rate: Option<i64>,
    /// Connect fee of the rate (micro-units).
    pub connect_fee: i64,
    /// Charge (micro-units).
    pub charge: i64,
    /// Release reason.
    pub release_reason: String,
    /// SIP code.
    pub sip_code: Option<u16>,
    /// Direction.
    pub direction: String,
    /// Source IP.
    pub source_ip: String,
    /// Stripped tech prefix.
    pub tech_prefix: String,
    /// Rate card used.
    pub ratecard: String,
    /// A rate was found.
    pub rated: bool,
}

impl BinRecord for StoredCdr {
    const NAME: &'static str = "cdr@1";
}

impl StoredCdr {
    /// The borrowed form.
    pub fn as_row(&self) -> CdrRow<'_> {
        CdrRow {
            call_id: &self.call_id,
            leg: self.leg,
            account_code: &self.account_code,
            source_number: &self.source_number,
            destination: &self.destination,
            destination_name: &self.destination_name,
            answer: self.answer,
            end: self.end,
            duration: self.duration,
            billsec: self.billsec,
            billed: self.billed,
            connected: self.connected,
            rate: self.rate,
            connect_fee: self.connect_fee,
            charge: self.charge,
            release_reason: &self.release_reason,
            sip_code: self.sip_code,
            direction: &self.direction,
            source_ip: &self.source_ip,
            tech_prefix: &self.tech_prefix,
            ratecard: &self.ratecard,
            rated: self.rated,
        }
    }
}

/// A stored CDR read in place: the same fields as [`StoredCdr`] (in the same order, so the same
/// postcard bytes), with the strings borrowed from the store's page instead of allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdrRow<'a> {
    /// Call id.
    pub call_id: &'a str,
    /// 0 = A-leg, 1 = B-leg.
    pub leg: u8,
    /// Account code.
    pub account_code: &'a str,
    /// Calling number.
    pub source_number: &'a str,
    /// Dialled number.
    pub destination: &'a str,
    /// Matched destination name (empty when unrated).
    pub destination_name: &'a str,
    /// Answer time.
    pub answer: Option<i64>,
    /// End time.
    pub end: Option<i64>,
    /// Seconds from start to end.
    pub duration: u32,
    /// Seconds from answer to end.
    pub billsec: u32,
    /// Billed seconds.
    pub billed: u32,
    /// Connected.
    pub connected: bool,
    /// Rate per minute applied (micro-units).
    pub rate: Option<i64>,
    /// Connect fee of the rate (micro-units).
    pub connect_fee: i64,
    /// Charge (micro-units).
    pub charge: i64,
    /// Release reason.
    pub release_reason: &'a str,
    /// SIP code.
    pub sip_code: Option<u16>,
    /// Direction.
    pub direction: &'a str,
    /// Source IP.
    pub source_ip: &'a str,
    /// Stripped tech prefix.
    pub tech_prefix: &'a str,
    /// Rate card used.
    pub ratecard: &'a str,
    /// A rate was found.
    pub rated: bool,
}

impl<'a> CdrRow<'a> {
    /// Reads a row's bytes (postcard's, read by hand: see [`super::cdr_row`]).
    pub fn decode(bytes: &'a [u8]) -> Result<CdrRow<'a>, StoreError> {
        Self::decode_texts(bytes, Texts::ALL)
    }

    /// [`CdrRow::decode`] with only the text fields in `texts` read: the others are empty.
    pub fn decode_texts(bytes: &'a [u8], texts: Texts) -> Result<CdrRow<'a>, StoreError> {
        read_row_texts(bytes, texts).map_err(Self::corrupt)
    }

    /// The error of a row that could not be read.
    #[cold]
    pub(super) fn corrupt(e: RowError) -> StoreError {
        StoreError::Corrupt(format!("{}: {e}", StoredCdr::NAME))
    }

    /// The owned form.
    pub fn to_stored(&self) -> StoredCdr {
        StoredCdr {
            call_id: self.call_id.to_string(),
            leg: self.leg,
            account_code: self.account_code.to_string(),
            source_number: self.source_number.to_string(),
            destination: self.destination.to_string(),
            destination_name: self.destination_name.to_string(),
            answer: self.answer,
            end: self.end,
            duration: self.duration,
            billsec: self.billsec,
            billed: self.billed,
            connected: self.connected,
            rate: self.rate,
            connect_fee: self.connect_fee,
            charge: self.charge,
            release_reason: self.release_reason.to_string(),
            sip_code: self.sip_code,
            direction: self.direction.to_string(),
            source_ip: self.source_ip.to_string(),
            tech_prefix: self.tech_prefix.to_string(),
            ratecard: self.ratecard.to_string(),
            rated: self.rated,
        }
    }
}

/// Where a watched file was read up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WatchState {
    /// Device and inode of the file read, to notice a rotation.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
    /// Bytes consumed (always at a line end).
    pub offset: u64,
    /// Lines consumed (for quarantine line numbers).
    pub lines: u64,
}

impl Record for WatchState {
    const NAME: &'static str = "watch_state@1";
}

/// What a batch adds to one rollup row or one customer's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RollupDelta {
    /// Calls attempted.
    pub attempts: u64,
    /// Calls connected.
    pub connected: u64,
    /// billsec of connected calls.
    pub billsec: u64,
    /// Billed seconds.
    pub billed: u64,
    /// Charge (micro-units).
    pub charge: i64,
    /// Calls with no rate.
    pub unrated: u64,
}

impl RollupDelta {
    /// Adds another delta.
    pub fn add(&mut self, other: &RollupDelta) {
        self.attempts += other.attempts;
        self.connected += other.connected;
        self.billsec += other.billsec;
        self.billed += other.billed;
        self.charge += other.charge;
        self.unrated += other.unrated;
    }

    /// Takes back a delta added before.
    pub fn sub(&mut self, other: &RollupDelta) {
        self.attempts -= other.attempts;
        self.connected -= other.connected;
        self.billsec -= other.billsec;
        self.billed -= other.billed;
        self.charge -= other.charge;
        self.unrated -= other.unrated;
    }
}

/// The identity of a CDR in [`CDR_IDS`]: its call id. FreeSWITCH gives every leg its own uuid
/// and Asterisk every CDR its own uniqueid (with the sequence), so the id alone names one CDR;
/// the leg is kept as a column but is not part of the identity, because a leg read from a CSV
/// template is a guess that can differ from the JSON of the same channel.
pub fn cdr_identity(call_id: &str) -> &str {
    call_id
}

/// The UTC day number of a Unix time.
pub fn day_of(t: i64) -> i64 {
    t.div_euclid(86_400)
}

/// How [`Tx::store_cdrs`] treats identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// New CDRs: a call id already stored is a duplicate and is left out.
    New,
    /// CDRs taken out with [`Tx::take_cdrs`] and stored again: their identities point to the new
    /// seqs.
    Moved,
}

impl Tx {
    /// Stores a batch in one go. With [`Claim::New`], each row's identity is claimed first: a
    /// call id stored already, or repeated in the batch, makes the row a duplicate, left out.
    /// Row `p` gets seq `first_seq + p`; the caller moves the seq counter past the batch.
    /// Returns the rows (storage order, ascending) that were duplicates.
    pub fn store_cdrs(
        &mut self,
        batch: &CdrBatch,
        first_seq: u64,
        claim: Claim,
    ) -> Result<Vec<u32>, StoreError> {
        let txn = self.w()?;
        let mut dups: Vec<u32> = Vec::new();
        {
            let mut ids = txn.open_table(CDR_IDS)?;
            match claim {
                Claim::New => {
                    dups.extend_from_slice(&batch.repeats);
                    let mut sorted = Vec::with_capacity(batch.by_id.len());
                    for &p in &batch.by_id {
                        let id = cdr_identity(batch.id_str(p as usize)?);
                        sorted.push((id, first_seq + u64::from(p), p));
                    }
                    dups.extend(claim_ids(&mut ids, sorted)?);
                }
                Claim::Moved => {
                    for p in 0..batch.len() {
                        ids.insert(cdr_identity(batch.id_str(p)?), first_seq + p as u64)?;
                    }
                }
            }
        }
        dups.sort_unstable();
        let remade;
        let drafts = if dups.is_empty() {
            &batch.drafts
        } else {
            remade = batch.make_drafts(|p| dups.binary_search(&(p as u32)).is_err());
            &remade
        };
        {
            let mut blocks = txn.open_table(CDR_BLOCKS)?;
            let mut cursor = blocks.upper_bound_mut(Bound::<u64>::Unbounded)?;
            for d in drafts {
                cursor
                    .insert_before(first_seq + u64::from(d.first), BlockRef::new(&d.bytes))
                    .map_err(|e| cursor_error("cdr blocks", e))?;
            }
            cursor.close()?;
        }
        let mut index = txn.open_table(CDR_BLOCK_INDEX)?;
        for d in drafts {
            index.insert(
                (d.customer, d.day, first_seq + u64::from(d.first)),
                d.meta.tuple(),
            )?;
        }
        Ok(dups)
    }

    /// Takes a customer's CDRs for which `take` is true out of their blocks (to store them
    /// again under another customer with [`Tx::store_cdrs`] and [`Claim::Moved`]). Their
    /// identities stay claimed.
    pub fn take_cdrs(
        &mut self,
        customer: u64,
        mut take: impl FnMut(&CdrRow<'_>) -> bool,
    ) -> Result<Vec<(CdrKey, StoredCdr)>, StoreError> {
        let txn = self.w()?;
        let mut index = txn.open_table(CDR_BLOCK_INDEX)?;
        let mut blocks = txn.open_table(CDR_BLOCKS)?;
        let mut entries = Vec::new();
        for row in index.range((customer, i64::MIN, 0u64)..=(customer, i64::MAX, u64::MAX))? {
            entries.push(row?.0.value());
        }
        let mut taken = Vec::new();
        for (c, day, id) in entries {
            let rest = {
                let guard = blocks
                    .get(id)?
                    .ok_or_else(|| missing_block(id, customer, day))?;
                let block = guard.value();
                let mut rest = BlockBuilder::new();
                let mut moved = false;
                for i in 0..block.len() {
                    let (start, offset, bytes) = block_row(&block, i, id)?;
                    let row = CdrRow::decode(bytes)?;
                    if take(&row) {
                        moved = true;
                        taken.push((
                            CdrKey {
                                customer: c,
                                start,
                                seq: id + u64::from(offset),
                            },
                            row.to_stored(),
                        ));
                    } else {
                        rest.push(start, offset, bytes);
                    }
                }
                moved.then_some(rest)
            };
            match rest {
                None => {}
                Some(rest) if rest.rows() == 0 => {
                    blocks.remove(id)?;
                    index.remove((c, day, id))?;
                }
                Some(rest) => {
                    let (bytes, meta) = rest.finish();
                    blocks.insert(id, BlockRef::new(&bytes))?;
                    index.insert((c, day, id), meta.tuple())?;
                }
            }
        }
        Ok(taken)
    }

    /// Visits a customer's CDRs with `from <= start < to`, newest first, starting below `below`
    /// (exclusive), for which `keep` (when given) is true; at most `limit`. The rows are
    /// borrowed from the store's pages: nothing is allocated per row. `visit` gets the text
    /// fields in `texts` (the others empty); `keep` gets every field. Returns how many were
    /// visited.
    #[allow(clippy::too_many_arguments)]
    pub fn visit_cdrs_newest_first(
        &self,
        customer: u64,
        from: i64,
        to: i64,
        below: Option<CdrKey>,
        limit: usize,
        texts: Texts,
        keep: Option<&mut dyn FnMut(&CdrRow<'_>) -> bool>,
        visit: &mut dyn FnMut(CdrKey, &CdrRow<'_>),
    ) -> Result<usize, StoreError> {
        let page = PageQuery {
            customer,
            from,
            to,
            below,
            limit,
            texts,
        };
        match &self.inner {
            Inner::Read(txn) => {
                let index = txn.open_table(CDR_BLOCK_INDEX)?;
                let blocks = txn.open_table(CDR_BLOCKS)?;
                page.run(&index, &blocks, keep, visit)
            }
            Inner::Write(txn) => {
                let index = txn.open_table(CDR_BLOCK_INDEX)?;
                let blocks = txn.open_table(CDR_BLOCKS)?;
                page.run(&index, &blocks, keep, visit)
            }
        }
    }

    /// [`Tx::visit_cdrs_newest_first`], collected into owned CDRs.
    pub fn cdrs_newest_first(
        &self,
        customer: u64,
        from: i64,
        to: i64,
        below: Option<CdrKey>,
        limit: usize,
        mut keep: impl FnMut(&CdrRow<'_>) -> bool,
    ) -> Result<Vec<(CdrKey, StoredCdr)>, StoreError> {
        let mut out = Vec::new();
        self.visit_cdrs_newest_first(
            customer,
            from,
            to,
            below,
            limit,
            Texts::ALL,
            Some(&mut keep),
            &mut |key, row| out.push((key, row.to_stored())),
        )?;
        Ok(out)
    }

    /// How many CDRs are stored: the rows of every block, as the block index counts them.
    pub fn cdr_rows(&self) -> Result<u64, StoreError> {
        with_table!(self, CDR_BLOCK_INDEX, |t| {
            let mut rows = 0u64;
            for entry in t.iter()? {
                rows += u64::from(entry?.1.value().2);
            }
            Ok(rows)
        })
    }

    /// How many blocks hold the CDRs.
    pub fn cdr_blocks(&self) -> Result<u64, StoreError> {
        with_table!(self, CDR_BLOCKS, |t| Ok(t.len()?))
    }

    /// Every CDR of a customer, oldest first.
    pub fn cdrs_of(&self, customer: u64) -> Result<Vec<(CdrKey, StoredCdr)>, StoreError> {
        let mut out = Vec::new();
        let mut visit = |index: &dyn IndexRead, blocks: &dyn BlockRead| -> Result<(), StoreError> {
            for (c, day, id) in index.keys(customer, i64::MIN, i64::MAX)? {
                blocks.with_block(id, c, day, &mut |block| {
                    for i in 0..block.len() {
                        let (start, offset, bytes) = block_row(&block, i, id)?;
                        out.push((
                            CdrKey {
                                customer: c,
                                start,
                                seq: id + u64::from(offset),
                            },
                            CdrRow::decode(bytes)?.to_stored(),
                        ));
                    }
                    Ok(())
                })?;
            }
            Ok(())
        };
        match &self.inner {
            Inner::Read(txn) => visit(
                &txn.open_table(CDR_BLOCK_INDEX)?,
                &txn.open_table(CDR_BLOCKS)?,
            )?,
            Inner::Write(txn) => visit(
                &txn.open_table(CDR_BLOCK_INDEX)?,
                &txn.open_table(CDR_BLOCKS)?,
            )?,
        }
        out.sort_by_key(|(k, _)| *k);
        Ok(out)
    }

    /// A counter of the META table (0 when unset).
    pub fn counter(&self, name: &str) -> Result<u64, StoreError> {
        with_table!(self, META, |t| Ok(t
            .get(name)?
            .map(|g| g.value())
            .unwrap_or(0)))
    }

    /// Adds to (or, with a negative delta, takes from) a counter of the META table.
    pub fn bump_counter(&mut self, name: &str, delta: i64) -> Result<u64, StoreError> {
        let mut t = self.w()?.open_table(META)?;
        let cur = t.get(name)?.map(|g| g.value()).unwrap_or(0);
        let next = cur.saturating_add_signed(delta);
        t.insert(name, next)?;
        Ok(next)
    }

    /// Records a quarantined line or document; its id is assigned here.
    pub fn quarantine(
        &mut self,
        mut entry: QuarantineEntry,
    ) -> Result<QuarantineEntry, StoreError> {
        let mut t = self.w()?.open_table(QUARANTINE)?;
        let id = t.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1;
        entry.id = id;
        t.insert(id, Ok(entry.clone()))?;
        Ok(entry)
    }

    /// The newest quarantine entries, newest first.
    pub fn quarantined(&self, limit: usize) -> Result<Vec<QuarantineEntry>, StoreError> {
        with_table!(self, QUARANTINE, |t| {
            let mut out = Vec::new();
            for row in t.iter()?.rev().take(limit) {
                let (_, value) = row?;
                out.push(decode(value.value())?);
            }
            Ok(out)
        })
    }

    /// How many entries the quarantine holds.
    pub fn quarantine_len(&self) -> Result<u64, StoreError> {
        with_table!(self, QUARANTINE, |t| Ok(t.len()?))
    }

    /// Where a watched file was read up to.
    pub fn watch_state(&self, path: &str) -> Result<Option<WatchState>, StoreError> {
        with_table!(self, WATCHES, |t| match t.get(path)? {
            Some(g) => Ok(Some(decode(g.value())?)),
            None => Ok(None),
        })
    }

    /// Records where a watched file was read up to.
    pub fn set_watch_state(&mut self, path: &str, state: &WatchState) -> Result<(), StoreError> {
        self.w()?
            .open_table(WATCHES)?
            .insert(path, Ok(state.clone()))?;
        Ok(())
    }
}

/// A priced, connected CDR for tests.
#[cfg(test)]
pub(crate) fn sample(id: &str) -> StoredCdr {
    StoredCdr {
        call_id: id.into(),
        leg: 1,
        account_code: "1001".into(),
        source_number: "15551234".into(),
        destination: "447700900123".into(),
        destination_name: "United Kingdom - Mobile".into(),
        answer: Some(5),
        end: Some(70),
        duration: 70,
        billsec: 65,
        billed: 66,
        connected: true,
        rate: Some(60_000),
        connect_fee: 10_000,
        charge: 76_000,
        release_reason: "ANSWERED".into(),
        sip_code: Some(200),
        direction: "outbound".into(),
        source_ip: "192.0.2.1".into(),
        tech_prefix: "99".into(),
        ratecard: "UK".into(),
        rated: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdr(id: &str) -> StoredCdr {
        sample(id)
    }

    #[test]
    fn a_borrowed_row_reads_the_bytes_of_a_stored_cdr() {
        let stored = cdr("abc.1");
        let bytes = super::super::codec::encode_packed(&stored);
        let row = CdrRow::decode(&bytes).unwrap();
        assert_eq!(row.call_id, "abc.1");
        assert_eq!(row.to_stored(), stored);
    }
}
