//! Reading CDR blocks: a page of a customer's CDRs newest first, and whole blocks.

use redb::ReadableTable;

use super::StoreError;
use super::cdr::{CdrKey, CdrRow, day_of};
use super::cdr_block::{BlockMeta, BlockRef, CdrBlock};
use super::cdr_row::{Texts, read_row_texts};

pub(super) fn missing_block(id: u64, customer: u64, day: i64) -> StoreError {
    StoreError::Corrupt(format!(
        "CDR block {id} (customer #{customer}, day {day}) is in the index but not stored"
    ))
}

/// Row `i` of block `id`: start, seq offset and bytes.
pub(super) fn block_row<'a>(
    block: &BlockRef<'a>,
    i: usize,
    id: u64,
) -> Result<(i64, u32, &'a [u8]), StoreError> {
    match (block.start(i), block.offset(i), block.row(i)) {
        (Some(start), Some(offset), Some(bytes)) => Ok((start, offset, bytes)),
        _ => Err(StoreError::Corrupt(format!(
            "CDR block {id}: row {i} is out of its bounds"
        ))),
    }
}

/// The block index, whichever kind of transaction reads it.
pub(super) trait IndexRead {
    /// Index keys of a customer with `day_from <= day <= day_to`, in key order.
    fn keys(
        &self,
        customer: u64,
        day_from: i64,
        day_to: i64,
    ) -> Result<Vec<(u64, i64, u64)>, StoreError>;
}

impl<T: ReadableTable<(u64, i64, u64), (i64, i64, u32)>> IndexRead for T {
    fn keys(
        &self,
        customer: u64,
        day_from: i64,
        day_to: i64,
    ) -> Result<Vec<(u64, i64, u64)>, StoreError> {
        let mut out = Vec::new();
        for row in self.range((customer, day_from, 0u64)..=(customer, day_to, u64::MAX))? {
            out.push(row?.0.value());
        }
        Ok(out)
    }
}

/// The block table, whichever kind of transaction reads it.
pub(super) trait BlockRead {
    /// Runs `f` on block `id` (of `customer` and `day`, for the error message).
    fn with_block(
        &self,
        id: u64,
        customer: u64,
        day: i64,
        f: &mut dyn FnMut(BlockRef<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}

impl<T: ReadableTable<u64, CdrBlock>> BlockRead for T {
    fn with_block(
        &self,
        id: u64,
        customer: u64,
        day: i64,
        f: &mut dyn FnMut(BlockRef<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let guard = self
            .get(id)?
            .ok_or_else(|| missing_block(id, customer, day))?;
        f(guard.value())
    }
}

/// One page request, as [`Tx::visit_cdrs_newest_first`] takes it.
pub(super) struct PageQuery {
    pub(super) customer: u64,
    pub(super) from: i64,
    pub(super) to: i64,
    pub(super) below: Option<CdrKey>,
    pub(super) limit: usize,
    /// The text fields the visit reads.
    pub(super) texts: Texts,
}

impl PageQuery {
    /// Walks the block index newest day first. Within a day, blocks are read in order of their
    /// last start, and only until the rows found so far are all newer than the next block's
    /// last start; of each block only the rows under the page's upper bound are looked at.
    pub(super) fn run<I, B>(
        &self,
        index: &I,
        blocks: &B,
        mut keep: Option<&mut dyn FnMut(&CdrRow<'_>) -> bool>,
        visit: &mut dyn FnMut(CdrKey, &CdrRow<'_>),
    ) -> Result<usize, StoreError>
    where
        I: ReadableTable<(u64, i64, u64), (i64, i64, u32)>,
        B: ReadableTable<u64, CdrBlock>,
    {
        let (from, customer) = (self.from, self.customer);
        if self.limit == 0 || from >= self.to {
            return Ok(0);
        }
        // Rows qualify when (start, seq) < upper and start >= from.
        let upper = match self.below {
            Some(k) if k.customer == customer && k.start < self.to => (k.start, k.seq),
            _ => (self.to, 0),
        };
        if upper.0 < from {
            return Ok(0);
        }
        let last_day = if upper.1 == 0 {
            day_of(upper.0.saturating_sub(1))
        } else {
            day_of(upper.0)
        };
        let first_day = day_of(from);
        let mut done = 0usize;
        let mut day_blocks: Vec<(u64, BlockMeta)> = Vec::new();
        let mut day: Option<i64> = None;
        let mut entries = index
            .range((customer, first_day, 0u64)..=(customer, last_day, u64::MAX))?
            .rev();
        loop {
            let entry = match entries.next() {
                Some(e) => {
                    let (k, v) = e?;
                    Some((k.value(), BlockMeta::from_tuple(v.value())))
                }
                None => None,
            };
            let next_day = entry.as_ref().map(|((_, d, _), _)| *d);
            if next_day != day {
                if !day_blocks.is_empty() {
                    done += self.day(
                        blocks,
                        &mut day_blocks,
                        upper,
                        self.limit - done,
                        &mut keep,
                        visit,
                    )?;
                    day_blocks.clear();
                    if done >= self.limit {
                        break;
                    }
                }
                day = next_day;
            }
            match entry {
                Some(((_, _, id), meta)) => {
                    if meta.min_start <= upper.0 && meta.max_start >= from {
                        day_blocks.push((id, meta));
                    }
                }
                None => break,
            }
        }
        Ok(done)
    }

    /// Visits the newest `need` qualifying rows of one day's blocks.
    fn day<B: ReadableTable<u64, CdrBlock>>(
        &self,
        blocks: &B,
        metas: &mut [(u64, BlockMeta)],
        upper: (i64, u64),
        need: usize,
        keep: &mut Option<&mut dyn FnMut(&CdrRow<'_>) -> bool>,
        visit: &mut dyn FnMut(CdrKey, &CdrRow<'_>),
    ) -> Result<usize, StoreError> {
        metas.sort_unstable_by(|a, b| b.1.max_start.cmp(&a.1.max_start).then(b.0.cmp(&a.0)));
        let mut guards = Vec::new();
        // (start, seq, guard, row): the best rows so far, newest first after each block.
        let mut found: Vec<(i64, u64, usize, usize)> = Vec::new();
        for &(id, meta) in metas.iter() {
            if found.len() >= need && found[need - 1].0 > meta.max_start {
                break;
            }
            let guard = blocks
                .get(id)?
                .ok_or_else(|| missing_block(id, self.customer, day_of(meta.min_start)))?;
            let g = guards.len();
            {
                let block = guard.value();
                let offset_bound = upper.1.saturating_sub(id);
                let mut i = block.rows_below(upper.0, offset_bound);
                let mut took = 0;
                while i > 0 && took < need {
                    i -= 1;
                    let (start, offset, bytes) = block_row(&block, i, id)?;
                    if start < self.from {
                        break;
                    }
                    if let Some(keep) = keep.as_mut()
                        && !keep(&CdrRow::decode(bytes)?)
                    {
                        continue;
                    }
                    found.push((start, id + u64::from(offset), g, i));
                    took += 1;
                }
            }
            guards.push(guard);
            found.sort_unstable_by_key(|f| std::cmp::Reverse((f.0, f.1)));
            found.truncate(need);
        }
        for &(start, seq, g, i) in &found {
            let block = guards[g].value();
            let bytes = block.row(i).ok_or_else(|| {
                StoreError::Corrupt(format!("CDR block: row {i} is out of its bounds"))
            })?;
            // Matched where it was read: the row is not moved out of its Result.
            match &read_row_texts(bytes, self.texts) {
                Ok(row) => visit(
                    CdrKey {
                        customer: self.customer,
                        start,
                        seq,
                    },
                    row,
                ),
                Err(e) => return Err(CdrRow::corrupt(*e)),
            }
        }
        Ok(found.len())
    }
}
