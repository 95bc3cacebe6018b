//! Per-customer daily rollups (one block per customer and day, see [`super::rollup_block`]),
//! the destination names they refer to by id, and per-customer running totals. Reports read
//! these, never the raw CDRs.

use redb::{ReadableTable, TableDefinition};

use super::StoreError;
use super::cdr::RollupDelta;
use super::rollup_block::{RollupBlock, RollupBlockRef, merge};
use super::tx::{Inner, Tx};

/// A customer's totals: (attempts, connected, billsec, billed, charge, unrated).
pub type TotalsRow = (u64, u64, u64, u64, i64, u64);

/// Rollups by (customer, UTC day number): the day's figures per destination name id.
pub const ROLLUP_DAYS: TableDefinition<(u64, i64), RollupBlock> =
    TableDefinition::new("rollup_days@1");
/// Destination name → its id in [`ROLLUP_DAYS`].
pub const DEST_NAMES: TableDefinition<&str, u32> = TableDefinition::new("dest_names@1");
/// Destination name id → the name.
pub const DEST_BY_ID: TableDefinition<u32, &str> = TableDefinition::new("dest_by_id@1");
/// Per-customer running totals.
pub const TOTALS: TableDefinition<u64, TotalsRow> = TableDefinition::new("cdr_totals@1");

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

fn totals_row(d: &RollupDelta) -> TotalsRow {
    (
        d.attempts,
        d.connected,
        d.billsec,
        d.billed,
        d.charge,
        d.unrated,
    )
}

impl Tx {
    /// Adds deltas to the daily rollups of (customer, day, destination name): one
    /// read-modify-write of a block per customer and day.
    pub fn add_rollups<'a>(
        &mut self,
        deltas: impl IntoIterator<Item = ((u64, i64, &'a str), RollupDelta)>,
    ) -> Result<(), StoreError> {
        let txn = self.w()?;
        let mut rows: Vec<((u64, i64), u32, RollupDelta)> = Vec::new();
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
                rows.push(((customer, day), id, delta));
            }
        }
        rows.sort_unstable_by_key(|(key, id, _)| (*key, *id));
        let mut table = txn.open_table(ROLLUP_DAYS)?;
        let mut add: Vec<(u32, RollupDelta)> = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let key = rows[i].0;
            add.clear();
            while i < rows.len() && rows[i].0 == key {
                match add.last_mut() {
                    Some((id, d)) if *id == rows[i].1 => d.add(&rows[i].2),
                    _ => add.push((rows[i].1, rows[i].2)),
                }
                i += 1;
            }
            let bytes = {
                let old = table.get(key)?;
                merge(old.as_ref().map(|g| g.value()), &add)
            };
            table.insert(key, RollupBlockRef::new(&bytes))?;
        }
        Ok(())
    }

    /// A customer's rollups with `day_from <= day < day_to`, summed per destination name (and
    /// per day when `per_day`): (day, name, figures).
    pub fn rollups_by_destination(
        &self,
        customer: u64,
        day_from: i64,
        day_to: i64,
        per_day: bool,
    ) -> Result<Vec<(Option<i64>, String, RollupDelta)>, StoreError> {
        // Destination ids are small and dense: sum into a vector indexed by id.
        let mut sums: Vec<Option<RollupDelta>> = Vec::new();
        let mut days: Vec<(i64, u32, RollupDelta)> = Vec::new();
        with_table!(self, ROLLUP_DAYS, |t| {
            for row in t.range((customer, day_from)..(customer, day_to))? {
                let (key, value) = row?;
                let day = key.value().1;
                for (id, d) in value.value().iter() {
                    if per_day {
                        days.push((day, id, d));
                    } else {
                        let slot = id as usize;
                        if slot >= sums.len() {
                            sums.resize(slot + 1, None);
                        }
                        sums[slot].get_or_insert_with(RollupDelta::default).add(&d);
                    }
                }
            }
            Ok::<_, StoreError>(())
        })?;
        if !per_day {
            days = sums
                .into_iter()
                .enumerate()
                .filter_map(|(id, d)| d.map(|d| (0, id as u32, d)))
                .collect();
        }
        let mut wanted: Vec<u32> = days.iter().map(|(_, id, _)| *id).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let names = self.dest_names(&wanted)?;
        Ok(days
            .into_iter()
            .map(|(day, id, d)| {
                let name = wanted
                    .binary_search(&id)
                    .ok()
                    .and_then(|i| names.get(i))
                    .cloned()
                    .unwrap_or_default();
                (per_day.then_some(day), name, d)
            })
            .collect())
    }

    /// The names of destination ids (sorted, distinct), in the same order; a name not found is
    /// empty.
    fn dest_names(&self, ids: &[u32]) -> Result<Vec<String>, StoreError> {
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        with_table!(self, DEST_BY_ID, |t| {
            let mut out = Vec::with_capacity(ids.len());
            let mut want = ids.iter().peekable();
            // One walk over the id range instead of a lookup per id.
            for row in t.range(*first..=*last)? {
                let (k, v) = row?;
                let k = k.value();
                while want.peek().is_some_and(|w| **w < k) {
                    want.next();
                    out.push(String::new());
                }
                if want.peek() == Some(&&k) {
                    want.next();
                    out.push(v.value().to_string());
                }
            }
            out.resize(ids.len(), String::new());
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
        with_table!(self, ROLLUP_DAYS, |t| {
            let mut out = Vec::new();
            for row in t.range((customer, day_from)..(customer, day_to))? {
                let (key, value) = row?;
                let day = key.value().1;
                let totals = value.value().totals().ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "rollup block of customer #{customer}, day {day}: too short"
                    ))
                })?;
                out.push((day, totals));
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
        let mut deltas: Vec<(u64, RollupDelta)> = deltas.into_iter().collect();
        deltas.sort_unstable_by_key(|(c, _)| *c);
        for (customer, delta) in deltas {
            let mut cur = t
                .get(customer)?
                .map(|g| from_totals(g.value()))
                .unwrap_or_default();
            cur.add(&delta);
            t.insert(customer, totals_row(&cur))?;
        }
        Ok(())
    }

    /// A customer's totals.
    pub fn totals(&self, customer: u64) -> Result<RollupDelta, StoreError> {
        with_table!(self, TOTALS, |t| Ok(t
            .get(customer)?
            .map(|g| from_totals(g.value()))
            .unwrap_or_default()))
    }
}
