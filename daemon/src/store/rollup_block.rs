//! The byte layout of a day's rollup block: one customer's figures on one UTC day, per
//! destination, as ONE redb value. A batch rewrites one value per customer and day it touches
//! (instead of a row per destination at several levels), and a 30-day breakout reads 30 values.
//!
//! Layout (little-endian), entries sorted by destination id:
//! ```text
//! u32 entries
//! the day's totals: u64 attempts, u64 connected, u64 billsec, u64 billed, i64 charge
//! entries × { u32 destination id, the same five figures }
//! ```

use super::cdr::RollupDelta;

const HEAD: usize = 4 + FIGURES;
const FIGURES: usize = 40;
const ENTRY: usize = 4 + FIGURES;

fn put_figures(out: &mut Vec<u8>, d: &RollupDelta) {
    out.extend_from_slice(&d.attempts.to_le_bytes());
    out.extend_from_slice(&d.connected.to_le_bytes());
    out.extend_from_slice(&d.billsec.to_le_bytes());
    out.extend_from_slice(&d.billed.to_le_bytes());
    out.extend_from_slice(&d.charge.to_le_bytes());
}

fn figures(b: &[u8]) -> Option<RollupDelta> {
    let word = |i: usize| -> Option<[u8; 8]> { b.get(i * 8..i * 8 + 8)?.try_into().ok() };
    Some(RollupDelta {
        attempts: u64::from_le_bytes(word(0)?),
        connected: u64::from_le_bytes(word(1)?),
        billsec: u64::from_le_bytes(word(2)?),
        billed: u64::from_le_bytes(word(3)?),
        charge: i64::from_le_bytes(word(4)?),
        unrated: 0,
    })
}

/// A stored rollup block, borrowed. Bad bytes read as missing entries, never a panic.
#[derive(Debug, Clone, Copy)]
pub struct RollupBlockRef<'a> {
    bytes: &'a [u8],
    entries: usize,
}

impl<'a> RollupBlockRef<'a> {
    /// Wraps a block's bytes.
    pub fn new(bytes: &'a [u8]) -> RollupBlockRef<'a> {
        let entries = bytes
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .unwrap_or(0) as usize;
        let entries = if HEAD + entries * ENTRY <= bytes.len() {
            entries
        } else {
            0
        };
        RollupBlockRef { bytes, entries }
    }

    /// Destinations in the block.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// True when the block has no destination.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The day's figures over every destination.
    pub fn totals(&self) -> Option<RollupDelta> {
        figures(self.bytes.get(4..HEAD)?)
    }

    /// Entry `i`: destination id and figures.
    pub fn entry(&self, i: usize) -> Option<(u32, RollupDelta)> {
        if i >= self.entries {
            return None;
        }
        let at = HEAD + i * ENTRY;
        let e = self.bytes.get(at..at + ENTRY)?;
        let id = u32::from_le_bytes(e.get(..4)?.try_into().ok()?);
        Some((id, figures(e.get(4..)?)?))
    }

    /// Every entry, by destination id.
    pub fn iter(&self) -> impl Iterator<Item = (u32, RollupDelta)> + 'a {
        let me = *self;
        (0..me.entries).filter_map(move |i| me.entry(i))
    }
}

/// A block with `add` (sorted by destination id, one entry per id) added to `old`.
pub fn merge(old: Option<RollupBlockRef<'_>>, add: &[(u32, RollupDelta)]) -> Vec<u8> {
    let old_entries: Vec<(u32, RollupDelta)> = old.map(|o| o.iter().collect()).unwrap_or_default();
    let mut merged: Vec<(u32, RollupDelta)> = Vec::with_capacity(old_entries.len() + add.len());
    let (mut i, mut j) = (0, 0);
    while i < old_entries.len() || j < add.len() {
        let take_old = match (old_entries.get(i), add.get(j)) {
            (Some(o), Some(a)) if o.0 == a.0 => {
                let mut sum = o.1;
                sum.add(&a.1);
                merged.push((o.0, sum));
                i += 1;
                j += 1;
                continue;
            }
            (Some(o), Some(a)) => o.0 < a.0,
            (Some(_), None) => true,
            _ => false,
        };
        if take_old {
            merged.push(old_entries[i]);
            i += 1;
        } else {
            merged.push(add[j]);
            j += 1;
        }
    }
    let mut totals = RollupDelta::default();
    for (_, d) in &merged {
        totals.add(d);
    }
    let mut out = Vec::with_capacity(HEAD + merged.len() * ENTRY);
    out.extend_from_slice(&(merged.len() as u32).to_le_bytes());
    put_figures(&mut out, &totals);
    for (id, d) in &merged {
        out.extend_from_slice(&id.to_le_bytes());
        put_figures(&mut out, d);
    }
    out
}

view_value!(
    /// The redb value type of the daily rollup table.
    RollupBlock => RollupBlockRef,
    "portico::rollup_day@1"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(attempts: u64, charge: i64) -> RollupDelta {
        RollupDelta {
            attempts,
            connected: attempts / 2,
            billsec: attempts * 10,
            billed: attempts * 12,
            charge,
            unrated: 0,
        }
    }

    #[test]
    fn merging_adds_matching_destinations_and_keeps_the_rest_in_id_order() {
        let first = merge(None, &[(2, d(1, 10)), (5, d(2, 20))]);
        let b = RollupBlockRef::new(&first);
        assert_eq!(b.len(), 2);
        assert_eq!(b.totals(), Some(d(3, 30)));
        let second = merge(Some(b), &[(1, d(4, 1)), (5, d(1, -5)), (9, d(1, 0))]);
        let b = RollupBlockRef::new(&second);
        let got: Vec<(u32, RollupDelta)> = b.iter().collect();
        assert_eq!(
            got,
            vec![(1, d(4, 1)), (2, d(1, 10)), (5, d(3, 15)), (9, d(1, 0))]
        );
        let mut sum = RollupDelta::default();
        for (_, e) in &got {
            sum.add(e);
        }
        assert_eq!((sum.attempts, sum.charge), (9, 26));
        assert_eq!(b.totals(), Some(sum));
    }

    #[test]
    fn damaged_bytes_read_as_no_entries() {
        let bytes = merge(None, &[(2, d(1, 10))]);
        assert!(RollupBlockRef::new(&bytes[..bytes.len() - 1]).is_empty());
        assert!(RollupBlockRef::new(&[]).is_empty());
        assert_eq!(RollupBlockRef::new(&[]).totals(), None);
    }
}
