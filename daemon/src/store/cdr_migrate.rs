//! Migration `0006_cdr_blocks`: from one B-tree row per CDR and per rollup row (the layout of
//! `0002_cdr_tables`) to CDR blocks and daily rollup blocks. Seqs are kept, so a CDR's key and
//! the cursors handed out before stay valid.

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::StoreError;
use super::cdr::{CDR_BLOCK_INDEX, CDR_BLOCKS, CDR_IDS, SEQ_COUNTER, StoredCdr, day_of};
use super::cdr_block::{BlockBuilder, BlockRef, MAX_BLOCK_BYTES};
use super::codec::Packed;
use super::rollup_block::{RollupBlockRef, merge};
use super::rollups::ROLLUP_DAYS;
use super::tables::META;
use crate::store::cdr::RollupDelta;

/// `0002`: CDRs by (customer, start, seq).
pub const LEGACY_CDRS: TableDefinition<(u64, i64, u64), Packed<StoredCdr>> =
    TableDefinition::new("cdrs@1");
/// `0002`: CDR identity → its key in [`LEGACY_CDRS`].
pub const LEGACY_CDR_IDS: TableDefinition<&str, (u64, i64, u64)> =
    TableDefinition::new("cdr_ids@1");
/// `0002`: a rollup row: (attempts, connected, billsec, billed seconds, charge).
type LegacyRollupRow = (u64, u64, u64, u64, i64);
/// `0002`: rollups by (customer, UTC day, destination name id).
pub const LEGACY_ROLLUPS: TableDefinition<(u64, i64, u32), LegacyRollupRow> =
    TableDefinition::new("rollups@1");
/// `0002`: the same summed over aligned 4-day blocks.
pub const LEGACY_ROLLUPS_4: TableDefinition<(u64, i64, u32), LegacyRollupRow> =
    TableDefinition::new("rollups_4d@1");
/// `0002`: the same summed over aligned 16-day blocks.
pub const LEGACY_ROLLUPS_16: TableDefinition<(u64, i64, u32), LegacyRollupRow> =
    TableDefinition::new("rollups_16d@1");

/// One block being filled: customer, day, rows as (start, seq, bytes).
type Pending = (u64, i64, Vec<(i64, u64, Vec<u8>)>, usize);

/// Moves every CDR, identity and rollup row to the block tables and drops the old tables.
pub(super) fn cdr_blocks(txn: &WriteTransaction) -> Result<(), StoreError> {
    let highest = move_cdrs(txn)?;
    {
        let old = txn.open_table(LEGACY_CDR_IDS)?;
        let mut ids = txn.open_table(CDR_IDS)?;
        for row in old.iter()? {
            let (k, v) = row?;
            ids.insert(k.value(), v.value().2)?;
        }
    }
    move_rollups(txn)?;
    {
        // New blocks get ids above every stored seq.
        let mut meta = txn.open_table(META)?;
        let seq = meta.get(SEQ_COUNTER)?.map(|g| g.value()).unwrap_or(0);
        if highest > seq {
            meta.insert(SEQ_COUNTER, highest)?;
        }
    }
    txn.delete_table(LEGACY_CDRS)?;
    txn.delete_table(LEGACY_CDR_IDS)?;
    txn.delete_table(LEGACY_ROLLUPS)?;
    txn.delete_table(LEGACY_ROLLUPS_4)?;
    txn.delete_table(LEGACY_ROLLUPS_16)?;
    Ok(())
}

/// Returns the highest seq seen.
fn move_cdrs(txn: &WriteTransaction) -> Result<u64, StoreError> {
    let old = txn.open_table(LEGACY_CDRS)?;
    let mut blocks = txn.open_table(CDR_BLOCKS)?;
    let mut index = txn.open_table(CDR_BLOCK_INDEX)?;
    let mut highest = 0;
    let mut pending: Option<Pending> = None;
    let mut flush = |p: Pending| -> Result<(), StoreError> {
        let (customer, day, rows, _) = p;
        let Some(id) = rows.iter().map(|(_, seq, _)| *seq).min() else {
            return Ok(());
        };
        let mut b = BlockBuilder::new();
        for (start, seq, bytes) in &rows {
            let offset = u32::try_from(seq - id).map_err(|_| {
                StoreError::Corrupt(format!(
                    "CDRs of customer #{customer} on day {day}: seqs {id} and {seq} are too far \
                     apart for one block"
                ))
            })?;
            b.push(*start, offset, bytes);
        }
        let (bytes, meta) = b.finish();
        blocks.insert(id, BlockRef::new(&bytes))?;
        index.insert((customer, day, id), meta.tuple())?;
        Ok(())
    };
    for row in old.iter()? {
        let (k, v) = row?;
        let (customer, start, seq) = k.value();
        highest = highest.max(seq);
        let day = day_of(start);
        let bytes = v.value().bytes().to_vec();
        let same = matches!(&pending, Some((c, d, _, size)) if *c == customer && *d == day && *size < MAX_BLOCK_BYTES);
        if !same && let Some(done) = pending.take() {
            flush(done)?;
        }
        let p = pending.get_or_insert_with(|| (customer, day, Vec::new(), 0));
        p.3 += bytes.len() + 16;
        p.2.push((start, seq, bytes));
    }
    if let Some(done) = pending.take() {
        flush(done)?;
    }
    Ok(highest)
}

fn move_rollups(txn: &WriteTransaction) -> Result<(), StoreError> {
    let old = txn.open_table(LEGACY_ROLLUPS)?;
    let mut days = txn.open_table(ROLLUP_DAYS)?;
    let mut key: Option<(u64, i64)> = None;
    let mut entries: Vec<(u32, RollupDelta)> = Vec::new();
    let mut write = |key: (u64, i64), entries: &[(u32, RollupDelta)]| -> Result<(), StoreError> {
        let bytes = merge(None, entries);
        days.insert(key, RollupBlockRef::new(&bytes))?;
        Ok(())
    };
    for row in old.iter()? {
        let (k, v) = row?;
        let (customer, day, dest) = k.value();
        let (attempts, connected, billsec, billed, charge) = v.value();
        if key != Some((customer, day)) {
            if let Some(done) = key {
                write(done, &entries)?;
            }
            key = Some((customer, day));
            entries.clear();
        }
        entries.push((
            dest,
            RollupDelta {
                attempts,
                connected,
                billsec,
                billed,
                charge,
                unrated: 0,
            },
        ));
    }
    if let Some(done) = key {
        write(done, &entries)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cdr::{CdrKey, UNASSIGNED};
    use crate::store::codec::{PackedRef, encode_packed};
    use crate::store::{Store, migrations};

    fn cdr(id: &str, code: &str) -> StoredCdr {
        StoredCdr {
            call_id: id.into(),
            leg: 0,
            account_code: code.into(),
            source_number: "1001".into(),
            destination: "4420".into(),
            destination_name: "UK".into(),
            answer: Some(1),
            end: Some(20),
            duration: 20,
            billsec: 19,
            billed: 19,
            connected: true,
            rate: Some(12_000),
            connect_fee: 0,
            charge: 3_800,
            release_reason: "ANSWERED".into(),
            sip_code: None,
            direction: String::new(),
            source_ip: String::new(),
            tech_prefix: String::new(),
            ratecard: "UK".into(),
            rated: true,
        }
    }

    #[test]
    fn a_store_of_the_row_layout_opens_with_its_cdrs_identities_and_rollups_in_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portico.redb");
        // Rows as 0002 stored them: customer 7 on two days (seqs out of start order, as claims
        // in id order made them), one unassigned CDR, and their rollups.
        let rows = [
            ((7u64, 86_400 * 3 + 50, 4u64), cdr("b.1", "acct")),
            ((7, 86_400 * 3 + 10, 9), cdr("a.1", "acct")),
            ((7, 86_400 * 4 + 5, 2), cdr("c.1", "acct")),
            ((UNASSIGNED, 86_400 * 4 + 6, 11), cdr("d.1", "stray")),
        ];
        {
            let db = redb::Database::create(&path).unwrap();
            migrations::apply_first(&db, "test", 2).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut cdrs = txn.open_table(LEGACY_CDRS).unwrap();
                let mut ids = txn.open_table(LEGACY_CDR_IDS).unwrap();
                for (key, c) in &rows {
                    let bytes = encode_packed(c);
                    cdrs.insert(*key, PackedRef::new(&bytes)).unwrap();
                    ids.insert(c.call_id.as_str(), *key).unwrap();
                }
                let mut rollups = txn.open_table(LEGACY_ROLLUPS).unwrap();
                rollups.insert((7, 3, 1), (2, 2, 38, 38, 7_600)).unwrap();
                rollups.insert((7, 4, 1), (1, 1, 19, 19, 3_800)).unwrap();
                let mut names = txn.open_table(crate::store::rollups::DEST_NAMES).unwrap();
                names.insert("UK", 1).unwrap();
                let mut by_id = txn.open_table(crate::store::rollups::DEST_BY_ID).unwrap();
                by_id.insert(1, "UK").unwrap();
                txn.open_table(META)
                    .unwrap()
                    .insert(SEQ_COUNTER, 10)
                    .unwrap();
            }
            txn.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let got = store.read(|tx| tx.cdrs_of(7)).unwrap();
        let keys: Vec<(i64, u64, &str)> = got
            .iter()
            .map(|(k, c)| (k.start, k.seq, c.call_id.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                (86_400 * 3 + 10, 9, "a.1"),
                (86_400 * 3 + 50, 4, "b.1"),
                (86_400 * 4 + 5, 2, "c.1")
            ]
        );
        assert_eq!(got[0].1, rows[1].1);
        assert_eq!(store.read(|tx| tx.cdr_rows()).unwrap(), 4);
        let page = store
            .read(|tx| tx.cdrs_newest_first(7, i64::MIN, i64::MAX, None, 2, |_| true))
            .unwrap();
        let seqs: Vec<u64> = page.iter().map(|(k, _)| k.seq).collect();
        assert_eq!(seqs, vec![2, 4]);
        let below = page.last().map(|(k, _)| *k);
        let rest = store
            .read(|tx| tx.cdrs_newest_first(7, i64::MIN, i64::MAX, below, 10, |_| true))
            .unwrap();
        assert_eq!(
            rest.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            vec![CdrKey {
                customer: 7,
                start: 86_400 * 3 + 10,
                seq: 9
            }]
        );
        let breakout = store
            .read(|tx| tx.rollups_by_destination(7, 0, 10, false))
            .unwrap();
        assert_eq!(breakout.len(), 1);
        assert_eq!((breakout[0].2.attempts, breakout[0].2.charge), (3, 11_400));
        let days = store.read(|tx| tx.rollups_by_day(7, 0, 10)).unwrap();
        assert_eq!(
            days.iter()
                .map(|(d, r)| (*d, r.attempts))
                .collect::<Vec<_>>(),
            vec![(3, 2), (4, 1)]
        );
        // The identities came along: the same CDRs again are duplicates, a new one is not.
        let mut batch = crate::store::cdr::CdrBatch::with_capacity(3);
        for id in ["a.1", "d.1", "e.1"] {
            batch.push(7, 86_400 * 5, &cdr(id, "acct").as_row());
        }
        let batch = batch.finish();
        let dup = store
            .write(|tx| {
                let first = tx.counter(SEQ_COUNTER)? + 1;
                assert_eq!(first, 12, "new seqs start above every migrated one");
                tx.store_cdrs(&batch, first, crate::store::cdr::Claim::New)
            })
            .unwrap();
        assert_eq!(dup, vec![0, 1], "a.1 and d.1 are stored already");
        // The old tables are gone.
        let export = store.export().unwrap();
        assert_eq!(export["schema_version"], migrations::SCHEMA_VERSION);
    }
}
