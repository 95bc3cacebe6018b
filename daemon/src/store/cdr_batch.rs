//! [`CdrBatch`]: a batch of CDRs encoded, sorted and cut into blocks before the write
//! transaction, and the identity claims the transaction makes for it.

use std::ops::Bound;

use super::StoreError;
use super::cdr::{CdrRow, day_of};
use super::cdr_block::{BlockBuilder, BlockMeta, MAX_BLOCK_BYTES};

/// Where one row of a [`CdrBatch`] is.
#[derive(Debug, Clone, Copy)]
struct RowRef {
    customer: u64,
    start: i64,
    /// Position in push order.
    input: u32,
    /// The row's bytes in the arena.
    at: u32,
    len: u32,
    /// The call id's bytes in the arena (inside the row's: its first field).
    id_at: u32,
    id_len: u32,
}

/// A block made before the write transaction: rows `first..first + rows` of its batch.
#[derive(Debug)]
pub(super) struct Draft {
    pub(super) customer: u64,
    pub(super) day: i64,
    pub(super) first: u32,
    pub(super) meta: BlockMeta,
    pub(super) bytes: Vec<u8>,
}

/// CDRs encoded, sorted and cut into blocks before the write transaction, so that the
/// transaction only claims identities and appends bytes. Rows are encoded into one buffer as
/// they are pushed: nothing is allocated per CDR. Row `p` (in storage order, see
/// [`CdrBatch::row`]) gets seq `first_seq + p`, where `first_seq` is known only in the
/// transaction: a block stores each row's offset from its first row, which does not depend on
/// it.
#[derive(Debug, Default)]
pub struct CdrBatch {
    arena: Vec<u8>,
    /// In push order until [`CdrBatch::finish`], then in storage order: customer, start, push
    /// order.
    rows: Vec<RowRef>,
    /// Rows by call id; a call id repeated in the batch is listed once (its first push).
    pub(super) by_id: Vec<u32>,
    /// Rows whose call id an earlier push has.
    pub(super) repeats: Vec<u32>,
    pub(super) drafts: Vec<Draft>,
}

impl CdrBatch {
    /// An empty batch with room for about `rows` CDRs.
    pub fn with_capacity(rows: usize) -> CdrBatch {
        CdrBatch {
            arena: Vec::with_capacity(rows * 128),
            rows: Vec::with_capacity(rows),
            ..CdrBatch::default()
        }
    }

    /// Encodes a CDR of `customer` starting at `start`.
    pub fn push(&mut self, customer: u64, start: i64, row: &CdrRow<'_>) {
        let at = self.arena.len();
        // Serialising into a Vec cannot fail for this type.
        let _ = postcard::to_io(row, &mut self.arena);
        let id_len = row.call_id.len();
        // postcard writes the call id first: its length as a varint, then its bytes.
        let varint = (usize::BITS - (id_len | 1).leading_zeros()).div_ceil(7) as usize;
        // A batch is one chunk of a file (tens of MiB at most), far below 4 GiB.
        self.rows.push(RowRef {
            customer,
            start,
            input: self.rows.len() as u32,
            at: at as u32,
            len: (self.arena.len() - at) as u32,
            id_at: (at + varint) as u32,
            id_len: id_len as u32,
        });
    }

    /// Sorts the rows into storage order, finds repeated call ids and cuts the blocks.
    pub fn finish(mut self) -> CdrBatch {
        self.rows
            .sort_unstable_by_key(|r| (r.customer, r.start, r.input));
        // Call ids sorted by their first 16 bytes as one integer (the same order as the
        // strings'), comparing whole strings only on a tie; the first push of an id wins.
        let mut by_id: Vec<(u128, u32)> = (0..self.rows.len())
            .map(|p| (id_prefix(self.id(p)), p as u32))
            .collect();
        by_id.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.id(a.1 as usize).cmp(self.id(b.1 as usize)))
                .then_with(|| {
                    self.rows[a.1 as usize]
                        .input
                        .cmp(&self.rows[b.1 as usize].input)
                })
        });
        let mut repeats = Vec::new();
        by_id.dedup_by(|later, first| {
            let same = later.0 == first.0 && self.id(later.1 as usize) == self.id(first.1 as usize);
            if same {
                repeats.push(later.1);
            }
            same
        });
        repeats.sort_unstable();
        self.by_id = by_id.into_iter().map(|(_, p)| p).collect();
        self.repeats = repeats;
        self.drafts = self.make_drafts(|_| true);
        self
    }

    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the batch has no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `p` (storage order once finished): customer, start and the CDR.
    pub fn row(&self, p: usize) -> Result<(u64, i64, CdrRow<'_>), StoreError> {
        let r = self.rows[p];
        let bytes = &self.arena[r.at as usize..(r.at + r.len) as usize];
        Ok((r.customer, r.start, CdrRow::decode(bytes)?))
    }

    /// The push position of row `p`.
    pub fn input(&self, p: usize) -> usize {
        self.rows[p].input as usize
    }

    fn id(&self, p: usize) -> &[u8] {
        let r = &self.rows[p];
        &self.arena[r.id_at as usize..(r.id_at + r.id_len) as usize]
    }

    pub(super) fn id_str(&self, p: usize) -> Result<&str, StoreError> {
        std::str::from_utf8(self.id(p)).map_err(|e| StoreError::Corrupt(format!("call id: {e}")))
    }

    /// Cuts the rows (in storage order) into blocks of one customer and day, leaving out rows
    /// for which `keep` is false.
    pub(super) fn make_drafts(&self, keep: impl Fn(usize) -> bool) -> Vec<Draft> {
        let mut drafts = Vec::new();
        let mut open: Option<(u64, i64, u32, BlockBuilder)> = None;
        for (p, row) in self.rows.iter().enumerate() {
            if !keep(p) {
                continue;
            }
            let day = day_of(row.start);
            let full = match &open {
                Some((c, d, _, b)) => {
                    *c != row.customer || *d != day || b.bytes() >= MAX_BLOCK_BYTES
                }
                None => true,
            };
            if full {
                if let Some(done) = open.take() {
                    drafts.push(finish_draft(done));
                }
                open = Some((row.customer, day, p as u32, BlockBuilder::new()));
            }
            if let Some((_, _, first, b)) = open.as_mut() {
                let bytes = &self.arena[row.at as usize..(row.at + row.len) as usize];
                b.push(row.start, p as u32 - *first, bytes);
            }
        }
        if let Some(done) = open.take() {
            drafts.push(finish_draft(done));
        }
        drafts
    }
}

/// The first 16 bytes of a call id as a big-endian integer, zero-padded.
fn id_prefix(id: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = id.len().min(16);
    b[..n].copy_from_slice(&id[..n]);
    u128::from_be_bytes(b)
}

fn finish_draft((customer, day, first, b): (u64, i64, u32, BlockBuilder)) -> Draft {
    let (bytes, meta) = b.finish();
    Draft {
        customer,
        day,
        first,
        meta,
        bytes,
    }
}

pub(super) fn cursor_error(what: &str, e: redb::CursorError) -> StoreError {
    match e {
        redb::CursorError::UnorderedKey => StoreError::Corrupt(format!(
            "{what}: a key is not above every stored one; the cdr_seq counter is behind"
        )),
        other => StoreError::Redb(other.into()),
    }
}

type IdTable<'t> = redb::Table<'t, &'static str, u64>;

/// Claims the ids of `sorted` (ascending, distinct; (call id, seq, row)) and returns the rows
/// whose id is stored already. Walks the id table with one cursor: ids above every stored one,
/// the usual case for time-ordered call ids, are buffered and spliced in as whole leaves
/// instead of one tree descent each.
pub(super) fn claim_ids<'k>(
    ids: &mut IdTable<'_>,
    sorted: impl IntoIterator<Item = (&'k str, u64, u32)>,
) -> Result<Vec<u32>, StoreError> {
    let mut sorted = sorted.into_iter().peekable();
    let mut dups = Vec::new();
    let Some(&(first, _, _)) = sorted.peek() else {
        return Ok(dups);
    };
    let mut cursor = ids.lower_bound_mut(Bound::Included(first))?;
    for (key, seq, row) in sorted {
        let mut steps = 0;
        loop {
            let next = cursor
                .peek_next()?
                .map(|(k, _)| k.value().cmp(key))
                .unwrap_or(std::cmp::Ordering::Greater);
            match next {
                std::cmp::Ordering::Less if steps < 8 => {
                    cursor.next()?;
                    steps += 1;
                }
                std::cmp::Ordering::Less => {
                    cursor.close()?;
                    cursor = ids.lower_bound_mut(Bound::Included(key))?;
                    steps = 0;
                }
                std::cmp::Ordering::Equal => {
                    dups.push(row);
                    break;
                }
                std::cmp::Ordering::Greater => {
                    cursor
                        .insert_before(key, seq)
                        .map_err(|e| cursor_error("cdr ids", e))?;
                    break;
                }
            }
        }
    }
    cursor.close()?;
    Ok(dups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cdr::StoredCdr;

    fn cdr(id: &str) -> StoredCdr {
        crate::store::cdr::sample(id)
    }

    #[test]
    fn a_batch_is_cut_per_customer_and_day_and_repeats_are_found() {
        let rows = [
            (2, 86_400 + 5, cdr("b")),
            (1, 10, cdr("a")),
            (2, 86_400 + 1, cdr("a-much-longer-call-id-than-16-bytes.1")),
            (2, 2 * 86_400, cdr("a")),
            (3, 7, cdr("a-much-longer-call-id-than-16-bytes.2")),
        ];
        let mut batch = CdrBatch::with_capacity(rows.len());
        for (c, start, row) in &rows {
            batch.push(*c, *start, &row.as_row());
        }
        let batch = batch.finish();
        let order: Vec<(u64, i64, String)> = (0..batch.len())
            .map(|p| {
                let (c, s, row) = batch.row(p).unwrap();
                assert_eq!(batch.id_str(p).unwrap(), row.call_id);
                (c, s, row.call_id.to_string())
            })
            .collect();
        assert_eq!(
            order,
            vec![
                (1, 10, "a".into()),
                (2, 86_401, "a-much-longer-call-id-than-16-bytes.1".into()),
                (2, 86_405, "b".into()),
                (2, 2 * 86_400, "a".into()),
                (3, 7, "a-much-longer-call-id-than-16-bytes.2".into()),
            ]
        );
        assert_eq!(batch.input(0), 1);
        // "a" was pushed first for customer 1 (row 0), so the later "a" (row 3) repeats it.
        assert_eq!(batch.repeats, vec![3]);
        let ids: Vec<&str> = batch
            .by_id
            .iter()
            .map(|p| batch.id_str(*p as usize).unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![
                "a",
                "a-much-longer-call-id-than-16-bytes.1",
                "a-much-longer-call-id-than-16-bytes.2",
                "b"
            ]
        );
        let blocks: Vec<(u64, i64, u32, u32)> = batch
            .drafts
            .iter()
            .map(|d| (d.customer, d.day, d.first, d.meta.rows))
            .collect();
        assert_eq!(
            blocks,
            vec![(1, 0, 0, 1), (2, 1, 1, 2), (2, 2, 3, 1), (3, 0, 4, 1)]
        );
    }

    #[test]
    fn a_call_id_is_found_after_its_length_prefix_whatever_its_length() {
        for len in [0usize, 1, 127, 128, 300, 20_000] {
            let id = "x".repeat(len);
            let mut batch = CdrBatch::with_capacity(1);
            batch.push(1, 1, &cdr(&id).as_row());
            let batch = batch.finish();
            assert_eq!(batch.id_str(0).unwrap(), id);
        }
    }
}
