//! The byte layout of a CDR block: CDRs of one customer on one UTC day, stored together as ONE
//! redb value instead of one B-tree row each. A batch writes a few thousand values instead of
//! tens of thousands of rows, and a page of CDRs reads one or two values.
//!
//! Layout (little-endian):
//! ```text
//! u32 rows
//! rows × { i64 start, u32 seq offset from the block id, u32 end of the row's bytes }
//! row bytes, one postcard `StoredCdr` after another
//! ```
//! Rows are sorted by (start, seq). The seq of a row is the block id plus its offset, so a
//! block can be made before its batch's sequence numbers are known.

/// Bytes of the row count.
const HEAD: usize = 4;
/// Bytes of one index entry.
const ENTRY: usize = 16;

/// A block stops growing at this many bytes, so that a heavy customer's day is several values
/// that each fill a 64 KiB page instead of one value rounded up to a much larger page.
pub const MAX_BLOCK_BYTES: usize = 60 << 10;

/// Builds one block from rows given in (start, seq) order.
#[derive(Debug, Default)]
pub struct BlockBuilder {
    index: Vec<u8>,
    body: Vec<u8>,
    rows: u32,
    min_start: i64,
    max_start: i64,
}

impl BlockBuilder {
    /// An empty block.
    pub fn new() -> BlockBuilder {
        BlockBuilder::default()
    }

    /// Rows added so far.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Bytes the block has so far.
    pub fn bytes(&self) -> usize {
        HEAD + self.index.len() + self.body.len()
    }

    /// Appends a row whose bytes `write` appends to the buffer it is given.
    pub fn push_with(&mut self, start: i64, offset: u32, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.body);
        self.push_entry(start, offset);
    }

    /// Appends a row's bytes.
    pub fn push(&mut self, start: i64, offset: u32, row: &[u8]) {
        self.body.extend_from_slice(row);
        self.push_entry(start, offset);
    }

    fn push_entry(&mut self, start: i64, offset: u32) {
        if self.rows == 0 {
            self.min_start = start;
        }
        self.max_start = start;
        self.index.extend_from_slice(&start.to_le_bytes());
        self.index.extend_from_slice(&offset.to_le_bytes());
        // A block never reaches 4 GiB: it is cut at MAX_BLOCK_BYTES plus one row.
        self.index
            .extend_from_slice(&(self.body.len() as u32).to_le_bytes());
        self.rows += 1;
    }

    /// The block's bytes and (first start, last start, rows).
    pub fn finish(self) -> (Vec<u8>, BlockMeta) {
        let mut out = Vec::with_capacity(self.bytes());
        out.extend_from_slice(&self.rows.to_le_bytes());
        out.extend_from_slice(&self.index);
        out.extend_from_slice(&self.body);
        let meta = BlockMeta {
            min_start: self.min_start,
            max_start: self.max_start,
            rows: self.rows,
        };
        (out, meta)
    }
}

/// What the block index says about a block: its first and last start, and its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockMeta {
    /// Start of its first row.
    pub min_start: i64,
    /// Start of its last row.
    pub max_start: i64,
    /// How many rows it holds.
    pub rows: u32,
}

impl BlockMeta {
    /// As stored in the block index.
    pub fn tuple(self) -> (i64, i64, u32) {
        (self.min_start, self.max_start, self.rows)
    }

    /// From the block index.
    pub fn from_tuple((min_start, max_start, rows): (i64, i64, u32)) -> BlockMeta {
        BlockMeta {
            min_start,
            max_start,
            rows,
        }
    }
}

/// A stored block, borrowed. Every accessor checks its bounds: bad bytes give `None`, never a
/// panic.
#[derive(Debug, Clone, Copy)]
pub struct BlockRef<'a> {
    bytes: &'a [u8],
    rows: usize,
}

impl<'a> BlockRef<'a> {
    /// Wraps a block's bytes.
    pub fn new(bytes: &'a [u8]) -> BlockRef<'a> {
        let rows = bytes
            .get(..HEAD)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .unwrap_or(0) as usize;
        // A count that does not fit the bytes reads as an empty block; `check` reports it.
        let rows = if HEAD + rows * ENTRY <= bytes.len() {
            rows
        } else {
            0
        };
        BlockRef { bytes, rows }
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Rows in the block.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when the block holds no row.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Whether the count and every row's bounds fit the bytes.
    pub fn check(&self) -> bool {
        let declared = self
            .bytes
            .get(..HEAD)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes);
        declared == Some(self.rows as u32) && (0..self.rows).all(|i| self.row(i).is_some())
    }

    fn entry(&self, i: usize) -> Option<&'a [u8]> {
        let at = HEAD + i * ENTRY;
        self.bytes.get(at..at + ENTRY)
    }

    fn field<const N: usize>(&self, i: usize, at: usize) -> Option<[u8; N]> {
        self.entry(i)?.get(at..at + N)?.try_into().ok()
    }

    /// Start of row `i`.
    pub fn start(&self, i: usize) -> Option<i64> {
        self.field::<8>(i, 0).map(i64::from_le_bytes)
    }

    /// Seq offset of row `i` from the block id.
    pub fn offset(&self, i: usize) -> Option<u32> {
        self.field::<4>(i, 8).map(u32::from_le_bytes)
    }

    fn end(&self, i: usize) -> Option<usize> {
        self.field::<4>(i, 12)
            .map(|b| u32::from_le_bytes(b) as usize)
    }

    /// The bytes of row `i`.
    pub fn row(&self, i: usize) -> Option<&'a [u8]> {
        let body = HEAD + self.rows * ENTRY;
        let from = if i == 0 { 0 } else { self.end(i - 1)? };
        let to = self.end(i)?;
        self.bytes.get(body + from..body + to)
    }

    /// How many rows sort below (start, offset): the rows before that position.
    pub fn rows_below(&self, start: i64, offset: u64) -> usize {
        let (mut lo, mut hi) = (0, self.rows);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let here = (
                self.start(mid).unwrap_or(i64::MAX),
                u64::from(self.offset(mid).unwrap_or(u32::MAX)),
            );
            if here < (start, offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

view_value!(
    /// The redb value type of the CDR block table.
    CdrBlock => BlockRef,
    "portico::cdr_block@1"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_in_order_with_their_starts_offsets_and_bytes() {
        let mut b = BlockBuilder::new();
        b.push(100, 0, b"first");
        b.push(100, 3, b"");
        b.push_with(250, 7, |buf| buf.extend_from_slice(b"third row"));
        let (bytes, meta) = b.finish();
        assert_eq!(
            meta,
            BlockMeta {
                min_start: 100,
                max_start: 250,
                rows: 3
            }
        );
        let r = BlockRef::new(&bytes);
        assert!(r.check());
        assert_eq!(r.len(), 3);
        assert_eq!(r.row(0), Some(&b"first"[..]));
        assert_eq!(r.row(1), Some(&b""[..]));
        assert_eq!(r.row(2), Some(&b"third row"[..]));
        assert_eq!((r.start(2), r.offset(2)), (Some(250), Some(7)));
        assert_eq!(r.row(3), None);
        assert_eq!(r.rows_below(100, 0), 0);
        assert_eq!(r.rows_below(100, 3), 1);
        assert_eq!(r.rows_below(100, 4), 2);
        assert_eq!(r.rows_below(250, 8), 3);
        assert_eq!(r.rows_below(i64::MAX, 0), 3);
    }

    #[test]
    fn damaged_bytes_read_as_missing_rows_not_a_panic() {
        let mut b = BlockBuilder::new();
        b.push(1, 0, b"abc");
        let (bytes, _) = b.finish();
        let cut = BlockRef::new(&bytes[..bytes.len() - 1]);
        assert!(!cut.check());
        assert_eq!(cut.row(0), None);
        let absurd = BlockRef::new(&[255, 255, 255, 255]);
        assert!(absurd.is_empty());
        assert!(!absurd.check());
        assert!(BlockRef::new(&[]).is_empty());
    }
}
