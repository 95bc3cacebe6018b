//! CDR tables: the calls themselves (keyed for newest-first paging per customer), the identity
//! index that makes ingest idempotent, per-customer daily rollups per destination (so reports
//! never scan raw CDRs), running totals, quarantine, and watched-file positions.

use portico_protocol::QuarantineEntry;
use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::codec::{BinRecord, Json, Packed, PackedRef, Record, encode_packed};
use super::tables::META;
use super::tx::{Inner, Tx, decode};

/// Customer id under which unassigned CDRs are kept.
pub const UNASSIGNED: u64 = 0;

/// CDRs by (customer, start, seq); seq makes keys unique and orders calls of one second.
pub const CDRS: TableDefinition<(u64, i64, u64), Packed<StoredCdr>> =
    TableDefinition::new("cdrs@1");
/// CDR identity (see [`cdr_identity`]) → its key in [`CDRS`].
pub const CDR_IDS: TableDefinition<&str, (u64, i64, u64)> = TableDefinition::new("cdr_ids@1");
/// A rollup row: (attempts, connected, billsec, billed seconds, charge in micro-units).
pub type RollupRow = (u64, u64, u64, u64, i64);
/// A customer's totals: (attempts, connected, billsec, billed, charge, unrated).
pub type TotalsRow = (u64, u64, u64, u64, i64, u64);
/// Rollups by (customer, UTC day number, destination name id). Fixed-width keys: a 30-day
/// breakout of a heavy customer scans tens of thousands of rows, and comparing and grouping
/// integers is what keeps it fast.
pub const ROLLUPS: TableDefinition<(u64, i64, u32), RollupRow> = TableDefinition::new("rollups@1");
/// The same rollups summed over aligned 4-day blocks: (customer, first day, destination id).
pub const ROLLUPS_4: TableDefinition<(u64, i64, u32), RollupRow> =
    TableDefinition::new("rollups_4d@1");
/// The same rollups summed over aligned 16-day blocks. A 30-day breakout reads a handful of
/// blocks and edge days instead of 30 days of rows.
pub const ROLLUPS_16: TableDefinition<(u64, i64, u32), RollupRow> =
    TableDefinition::new("rollups_16d@1");
/// Rollup levels: block length in days and table.
type RollupTable = TableDefinition<'static, (u64, i64, u32), RollupRow>;
const LEVELS: [(i64, RollupTable); 3] = [(1, ROLLUPS), (4, ROLLUPS_4), (16, ROLLUPS_16)];

/// Destination name → its id in [`ROLLUPS`].
pub const DEST_NAMES: TableDefinition<&str, u32> = TableDefinition::new("dest_names@1");
/// Destination name id → the name.
pub const DEST_BY_ID: TableDefinition<u32, &str> = TableDefinition::new("dest_by_id@1");
/// Per-customer running totals.
pub const TOTALS: TableDefinition<u64, TotalsRow> = TableDefinition::new("cdr_totals@1");
/// Quarantined lines and documents by id.
pub const QUARANTINE: TableDefinition<u64, Json<QuarantineEntry>> =
    TableDefinition::new("quarantine@1");
/// Read positions of watched files by path.
pub const WATCHES: TableDefinition<&str, Json<WatchState>> = TableDefinition::new("watches@1");

/// Name of rollup rows of calls that found no rate.
pub const UNRATED_NAME: &str = "(unrated)";

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

impl CdrKey {
    fn tuple(self) -> (u64, i64, u64) {
        (self.customer, self.start, self.seq)
    }

    fn from_tuple((customer, start, seq): (u64, i64, u64)) -> CdrKey {
        CdrKey {
            customer,
            start,
            seq,
        }
    }
}

/// A CDR as stored (the key holds customer, start and seq). Compact: postcard, no field names.
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

    fn from_totals(v: TotalsRow) -> RollupDelta {
        RollupDelta {
            attempts: v.0,
            connected: v.1,
            billsec: v.2,
            billed: v.3,
            charge: v.4,
            unrated: v.5,
        }
    }

    fn totals_row(&self) -> TotalsRow {
        (
            self.attempts,
            self.connected,
            self.billsec,
            self.billed,
            self.charge,
            self.unrated,
        )
    }

    fn from_rollup(v: RollupRow) -> RollupDelta {
        RollupDelta {
            attempts: v.0,
            connected: v.1,
            billsec: v.2,
            billed: v.3,
            charge: v.4,
            unrated: 0,
        }
    }
}

/// The identity of a CDR in [`CDR_IDS`]: its call id. FreeSWITCH gives every leg its own uuid
/// and Asterisk every CDR its own uniqueid (with the sequence), so the id alone names one CDR;
/// the leg is kept as a column but is not part of the identity, because a leg read from a CSV
/// template is a guess that can differ from the JSON of the same channel.
pub fn cdr_identity(call_id: &str) -> &str {
    call_id
}

impl Tx {
    /// Claims the identities of new CDRs: each row gets its key (with the next sequence number)
    /// when its call id is new, `None` when it is stored already or repeats an earlier row. One
    /// B-tree insert per row: a duplicate's previous key is put back.
    pub fn claim_cdr_ids(
        &mut self,
        rows: &[(u64, i64, &str)],
        mut seq: u64,
    ) -> Result<Vec<Option<CdrKey>>, StoreError> {
        let mut ids = self.w()?.open_table(CDR_IDS)?;
        let mut out = vec![None; rows.len()];
        // In key order the B-tree is walked forwards instead of jumped about; a stable sort
        // keeps the first of repeated ids first.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| rows[i].2);
        for i in order {
            let (customer, start, call_id) = rows[i];
            let key = CdrKey {
                customer,
                start,
                seq: seq + 1,
            };
            let identity = cdr_identity(call_id);
            let previous = ids.insert(identity, key.tuple())?.map(|g| g.value());
            match previous {
                Some(previous) => {
                    ids.insert(identity, previous)?;
                }
                None => {
                    seq += 1;
                    out[i] = Some(key);
                }
            }
        }
        Ok(out)
    }

    /// Stores CDRs whose identities are claimed (see [`Tx::claim_cdr_ids`]).
    pub fn insert_claimed_cdrs(
        &mut self,
        mut rows: Vec<(CdrKey, Vec<u8>)>,
    ) -> Result<(), StoreError> {
        // In key order the B-tree is walked forwards instead of jumped about.
        rows.sort_unstable_by_key(|(k, _)| *k);
        let mut cdrs = self.w()?.open_table(CDRS)?;
        for (key, bytes) in &rows {
            cdrs.insert(key.tuple(), PackedRef::<StoredCdr>::new(bytes))?;
        }
        Ok(())
    }

    /// Stores many CDRs under their keys and indexes their identities.
    pub fn insert_cdrs(&mut self, rows: Vec<(CdrKey, StoredCdr)>) -> Result<(), StoreError> {
        {
            let mut ids = self.w()?.open_table(CDR_IDS)?;
            for (key, cdr) in &rows {
                ids.insert(cdr_identity(&cdr.call_id), key.tuple())?;
            }
        }
        self.insert_claimed_cdrs(
            rows.iter()
                .map(|(key, cdr)| (*key, encode_packed(cdr)))
                .collect(),
        )
    }

    /// Removes a stored CDR (to store it again under another customer).
    pub fn remove_cdr(&mut self, key: CdrKey) -> Result<Option<StoredCdr>, StoreError> {
        let txn = self.w()?;
        let removed = match txn.open_table(CDRS)?.remove(key.tuple())? {
            Some(g) => Some(decode(g.value().decode())?),
            None => None,
        };
        if let Some(cdr) = &removed {
            txn.open_table(CDR_IDS)?
                .remove(cdr_identity(&cdr.call_id))?;
        }
        Ok(removed)
    }

    /// A customer's CDRs with `from <= start < to`, newest first, starting below `below`
    /// (exclusive), for which `keep` is true; at most `limit`.
    pub fn cdrs_newest_first(
        &self,
        customer: u64,
        from: i64,
        to: i64,
        below: Option<CdrKey>,
        limit: usize,
        mut keep: impl FnMut(&StoredCdr) -> bool,
    ) -> Result<Vec<(CdrKey, StoredCdr)>, StoreError> {
        let low = (customer, from, 0u64);
        let high = match below {
            Some(k) if k.customer == customer && k.start < to => k.tuple(),
            _ => (customer, to, 0u64),
        };
        with_table!(self, CDRS, |t| {
            let mut out = Vec::new();
            for row in t.range(low..high)?.rev() {
                if out.len() >= limit {
                    break;
                }
                let (key, value) = row?;
                let cdr = decode(value.value().decode())?;
                if keep(&cdr) {
                    out.push((CdrKey::from_tuple(key.value()), cdr));
                }
            }
            Ok(out)
        })
    }

    /// How many CDRs are stored (rows of the CDR table itself, not a counter).
    pub fn cdr_rows(&self) -> Result<u64, StoreError> {
        use redb::ReadableTableMetadata;
        with_table!(self, CDRS, |t| Ok(t.len()?))
    }

    /// Every CDR of a customer (oldest first), for moving unassigned ones.
    pub fn cdrs_of(&self, customer: u64) -> Result<Vec<(CdrKey, StoredCdr)>, StoreError> {
        with_table!(self, CDRS, |t| {
            let mut out = Vec::new();
            for row in t.range((customer, i64::MIN, 0u64)..=(customer, i64::MAX, u64::MAX))? {
                let (key, value) = row?;
                out.push((
                    CdrKey::from_tuple(key.value()),
                    decode(value.value().decode())?,
                ));
            }
            Ok(out)
        })
    }

    /// Adds deltas to rollup rows (customer, day, destination name), at every level.
    pub fn add_rollups<'a>(
        &mut self,
        deltas: impl IntoIterator<Item = ((u64, i64, &'a str), RollupDelta)>,
    ) -> Result<(), StoreError> {
        let txn = self.w()?;
        let mut by_key: rustc_hash::FxHashMap<(usize, u64, i64, u32), RollupDelta> =
            rustc_hash::FxHashMap::default();
        {
            let mut names = txn.open_table(DEST_NAMES)?;
            let mut by_id = txn.open_table(DEST_BY_ID)?;
            let mut ids: rustc_hash::FxHashMap<&'a str, u32> = rustc_hash::FxHashMap::default();
            for ((customer, day, name), delta) in deltas {
                let id = match ids.get(name) {
                    Some(id) => *id,
                    None => {
                        let known = names.get(name)?.map(|g| g.value());
                        let id = match known {
                            Some(id) => id,
                            None => {
                                let id = by_id.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1;
                                names.insert(name, id)?;
                                by_id.insert(id, name)?;
                                id
                            }
                        };
                        ids.insert(name, id);
                        id
                    }
                };
                for (level, (len, _)) in LEVELS.iter().enumerate() {
                    let start = day - day.rem_euclid(*len);
                    by_key
                        .entry((level, customer, start, id))
                        .or_default()
                        .add(&delta);
                }
            }
        }
        let mut tables = [
            txn.open_table(LEVELS[0].1)?,
            txn.open_table(LEVELS[1].1)?,
            txn.open_table(LEVELS[2].1)?,
        ];
        let mut sorted: Vec<_> = by_key.into_iter().collect();
        sorted.sort_unstable_by_key(|(k, _)| *k);
        for ((level, customer, start, id), delta) in sorted {
            let t = &mut tables[level];
            let key = (customer, start, id);
            let mut cur = t
                .get(key)?
                .map(|g| RollupDelta::from_rollup(g.value()))
                .unwrap_or_default();
            cur.add(&delta);
            t.insert(
                key,
                (
                    cur.attempts,
                    cur.connected,
                    cur.billsec,
                    cur.billed,
                    cur.charge,
                ),
            )?;
        }
        Ok(())
    }

    /// The first and last day (exclusive) of a customer's daily rollups within a range.
    fn rollup_days(
        &self,
        customer: u64,
        from: i64,
        to: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        with_table!(self, ROLLUPS, |t| {
            let mut range = t.range((customer, from, 0u32)..(customer, to, 0u32))?;
            let first = match range.next() {
                Some(row) => row?.0.value().1,
                None => return Ok(None),
            };
            let last = match range.next_back() {
                Some(row) => row?.0.value().1,
                None => first,
            };
            Ok(Some((first, last + 1)))
        })
    }

    /// A customer's rollups with `day_from <= day < day_to`, summed per destination name (and
    /// per day when `per_day`): (day, name, figures). Without `per_day` the range is read as
    /// aligned 16-day and 4-day blocks plus the days at its edges.
    pub fn rollups_by_destination(
        &self,
        customer: u64,
        day_from: i64,
        day_to: i64,
        per_day: bool,
    ) -> Result<Vec<(Option<i64>, String, RollupDelta)>, StoreError> {
        let mut groups: rustc_hash::FxHashMap<(Option<i64>, u32), RollupDelta> =
            rustc_hash::FxHashMap::default();
        let Some((from, to)) = self.rollup_days(customer, day_from, day_to)? else {
            return Ok(Vec::new());
        };
        // Runs of one level: (level, first block start, last block start + 1).
        let mut runs: Vec<(usize, i64, i64)> = Vec::new();
        let mut d = from;
        while d < to {
            let level = if per_day {
                0
            } else {
                LEVELS
                    .iter()
                    .rposition(|(len, _)| d.rem_euclid(*len) == 0 && d + len <= to)
                    .unwrap_or(0)
            };
            let len = LEVELS[level].0;
            match runs.last_mut() {
                Some((l, _, end)) if *l == level && *end == d => *end = d + len,
                _ => runs.push((level, d, d + len)),
            }
            d += len;
        }
        for (level, start, end) in runs {
            with_table!(self, LEVELS[level].1, |t| {
                for row in t.range((customer, start, 0u32)..(customer, end, 0u32))? {
                    let (key, value) = row?;
                    let (_, day, id) = key.value();
                    groups
                        .entry((per_day.then_some(day), id))
                        .or_default()
                        .add(&RollupDelta::from_rollup(value.value()));
                }
                Ok::<_, StoreError>(())
            })?;
        }
        with_table!(self, DEST_BY_ID, |t| {
            let mut out = Vec::with_capacity(groups.len());
            for ((day, id), delta) in groups {
                let name = t
                    .get(id)?
                    .map(|g| g.value().to_string())
                    .unwrap_or_default();
                out.push((day, name, delta));
            }
            Ok(out)
        })
    }

    /// A customer's rollups with `day_from <= day < day_to`, summed per day.
    pub fn rollups_by_day(
        &self,
        customer: u64,
        day_from: i64,
        day_to: i64,
    ) -> Result<Vec<(i64, RollupDelta)>, StoreError> {
        with_table!(self, ROLLUPS, |t| {
            let mut out: Vec<(i64, RollupDelta)> = Vec::new();
            for row in t.range((customer, day_from, 0u32)..(customer, day_to, 0u32))? {
                let (key, value) = row?;
                let (_, day, _) = key.value();
                let d = RollupDelta::from_rollup(value.value());
                match out.last_mut() {
                    Some((last, sum)) if *last == day => sum.add(&d),
                    _ => out.push((day, d)),
                }
            }
            Ok(out)
        })
    }

    /// Adds deltas to customers' totals.
    pub fn add_totals(
        &mut self,
        deltas: impl IntoIterator<Item = (u64, RollupDelta)>,
    ) -> Result<(), StoreError> {
        let mut t = self.w()?.open_table(TOTALS)?;
        for (customer, delta) in deltas {
            let mut cur = t
                .get(customer)?
                .map(|g| RollupDelta::from_totals(g.value()))
                .unwrap_or_default();
            cur.add(&delta);
            t.insert(customer, cur.totals_row())?;
        }
        Ok(())
    }

    /// A customer's totals.
    pub fn totals(&self, customer: u64) -> Result<RollupDelta, StoreError> {
        with_table!(self, TOTALS, |t| Ok(t
            .get(customer)?
            .map(|g| RollupDelta::from_totals(g.value()))
            .unwrap_or_default()))
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
        use redb::ReadableTableMetadata;
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
