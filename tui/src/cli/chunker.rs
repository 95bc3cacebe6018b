//! Cutting a CDR file into chunks of whole lines for `portico cdr import`, read as it streams
//! (a file of millions of CDRs is never held in memory whole).
//!
//! A chunk ends only at a line end that is outside a quoted CSV field: Asterisk and FreeSWITCH
//! quote their strings, and a quoted field may hold a line end (a caller name, a user field).
//! Quotes are followed the way CSV readers (and the daemon) read them: a `"` opens a quoted
//! field only at the start of a field, `""` inside one is an escaped quote, and a `"` in the
//! middle of an unquoted field is an ordinary byte. The bytes are never decoded, so a file that
//! is not UTF-8 is cut the same way.

use std::io::{self, ErrorKind, Read};

/// Where the reader is in a CSV record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quotes {
    /// At the start of a field (a `"` here opens a quoted field).
    FieldStart,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a `"` inside a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

impl Quotes {
    /// The state after `b`, and whether `b` ended a record (a line end outside quotes).
    fn step(self, b: u8) -> (Quotes, bool) {
        match (self, b) {
            (Quotes::Quoted, b'"') => (Quotes::QuoteInQuoted, false),
            (Quotes::Quoted, _) => (Quotes::Quoted, false),
            (Quotes::FieldStart | Quotes::QuoteInQuoted, b'"') => (Quotes::Quoted, false),
            (_, b'\n') => (Quotes::FieldStart, true),
            (_, b',') => (Quotes::FieldStart, false),
            _ => (Quotes::Unquoted, false),
        }
    }
}

/// Whole lines of a file, with where they are in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The bytes: whole records, each with its line end (the file's last line may lack one).
    pub data: Vec<u8>,
    /// File line number (1-based) of the first line.
    pub first_line: u64,
    /// File line number of the last line.
    pub last_line: u64,
}

/// Reads a file and hands it out in chunks of about `target` bytes that each end at a record
/// end. A record longer than `target` makes a chunk of its own; a "record" that is still open
/// after `longest` bytes (a stray quote that never closes) is cut at its last line end and the
/// quote state starts afresh, so that the daemon quarantines those lines and the rest of the
/// file still goes in.
#[derive(Debug)]
pub struct Chunker<R> {
    reader: R,
    target: usize,
    longest: usize,
    /// Bytes read and not yet handed out.
    buf: Vec<u8>,
    /// How much of `buf` the quote state has seen.
    scanned: usize,
    quotes: Quotes,
    /// End of the last record end found in `buf[..scanned]`, 0 when none.
    cut: usize,
    /// File line number of `buf[0]`.
    line: u64,
    eof: bool,
}

impl<R: Read> Chunker<R> {
    /// Chunks of about `target` bytes; a record may run to 4 times that, at least 16 MiB.
    pub fn new(reader: R, target: usize) -> Chunker<R> {
        let target = target.max(1);
        Chunker::with_longest(reader, target, target.saturating_mul(4).max(16 << 20))
    }

    /// Chunks of about `target` bytes; a record still open after `longest` bytes is cut.
    pub fn with_longest(reader: R, target: usize, longest: usize) -> Chunker<R> {
        let target = target.max(1);
        Chunker {
            reader,
            target,
            longest: longest.max(target),
            buf: Vec::new(),
            scanned: 0,
            quotes: Quotes::FieldStart,
            cut: 0,
            line: 1,
            eof: false,
        }
    }

    /// The next chunk, or `None` at the end of the file.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        // The last record end within `target` bytes makes the chunk.
        self.fill(self.target)?;
        let within = self.buf.len().min(self.target);
        self.scan(within, false);
        if self.eof && self.buf.len() <= self.target {
            let all = self.buf.len();
            return Ok(self.take(all));
        }
        if self.cut > 0 {
            let cut = self.cut;
            return Ok(self.take(cut));
        }
        // No record ends within `target` bytes: the chunk is the first record, however long.
        loop {
            let end = self.buf.len().min(self.longest);
            self.scan(end, true);
            if self.cut > 0 {
                let cut = self.cut;
                return Ok(self.take(cut));
            }
            if self.eof {
                let all = self.buf.len();
                return Ok(self.take(all));
            }
            if self.buf.len() >= self.longest {
                return self.cut_runaway().map(Some);
            }
            let want = self.buf.len() + self.target.max(64 * 1024);
            self.fill(want.min(self.longest))?;
        }
    }

    /// Reads until `buf` holds `len` bytes or the file ends.
    fn fill(&mut self, len: usize) -> io::Result<()> {
        const STEP: usize = 1 << 20;
        while !self.eof && self.buf.len() < len {
            let start = self.buf.len();
            let room = (len - start).min(STEP);
            self.buf.resize(start + room, 0);
            match self.reader.read(&mut self.buf[start..]) {
                Ok(0) => {
                    self.buf.truncate(start);
                    self.eof = true;
                }
                Ok(n) => self.buf.truncate(start + n),
                Err(e) if e.kind() == ErrorKind::Interrupted => self.buf.truncate(start),
                Err(e) => {
                    self.buf.truncate(start);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Follows the quotes up to `end`, noting record ends; with `first`, stops at the first.
    fn scan(&mut self, end: usize, first: bool) {
        while self.scanned < end {
            let b = self.buf[self.scanned];
            self.scanned += 1;
            let (quotes, record_end) = self.quotes.step(b);
            self.quotes = quotes;
            if record_end {
                self.cut = self.scanned;
                if first {
                    return;
                }
            }
        }
    }

    /// Hands out `buf[..len]` (nothing when empty).
    fn take(&mut self, len: usize) -> Option<Chunk> {
        if len == 0 {
            return None;
        }
        let rest = self.buf.split_off(len);
        let data = std::mem::replace(&mut self.buf, rest);
        self.scanned -= len;
        self.cut = 0;
        let line_ends = data.iter().filter(|&&b| b == b'\n').count() as u64;
        let first_line = self.line;
        self.line += line_ends;
        let last_line = if data.last() == Some(&b'\n') {
            self.line - 1
        } else {
            self.line
        };
        Some(Chunk {
            data,
            first_line,
            last_line,
        })
    }

    /// `longest` bytes without a record end: cut at the last line end, quotes or not, and
    /// read what follows afresh.
    fn cut_runaway(&mut self) -> io::Result<Chunk> {
        let window = &self.buf[..self.longest.min(self.buf.len())];
        let Some(at) = window.iter().rposition(|&b| b == b'\n') else {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                format!(
                    "line {} is longer than {} MiB; is this a CDR file of this format?",
                    self.line,
                    self.longest >> 20
                ),
            ));
        };
        self.quotes = Quotes::FieldStart;
        let chunk = self.take(at + 1);
        self.scanned = 0;
        chunk.ok_or_else(|| io::Error::other("empty cut"))
    }
}

impl<R: Read> Iterator for Chunker<R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_chunk().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per read, like a pipe.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn chunks(data: &[u8], target: usize) -> Vec<Chunk> {
        Chunker::new(data, target).map(Result::unwrap).collect()
    }

    /// The chunks hold the file exactly, in order, and each line number is right.
    fn check_cover(data: &[u8], chunks: &[Chunk]) {
        let joined: Vec<u8> = chunks.iter().flat_map(|c| c.data.clone()).collect();
        assert_eq!(joined, data);
        let mut line = 1;
        for c in chunks {
            assert_eq!(c.first_line, line, "{c:?}");
            let ends = c.data.iter().filter(|&&b| b == b'\n').count() as u64;
            line += ends;
            let last = if c.data.ends_with(b"\n") {
                line - 1
            } else {
                line
            };
            assert_eq!(c.last_line, last, "{c:?}");
        }
    }

    #[test]
    fn never_splits_a_line() {
        let data = b"a,1\nbb,22\nccc,333\ndddd,4444\n";
        for target in 1..=data.len() + 1 {
            let c = chunks(data, target);
            check_cover(data, &c);
            for chunk in &c {
                assert!(chunk.data.ends_with(b"\n"), "target {target}: {chunk:?}");
                assert!(
                    chunk.data.len() <= target.max(10),
                    "target {target}: {chunk:?}"
                );
            }
        }
    }

    #[test]
    fn chunks_fill_up_to_the_target() {
        let data = b"a,1\nbb,22\nccc,333\ndddd,4444\n";
        let c = chunks(data, 14);
        let texts: Vec<&[u8]> = c.iter().map(|c| c.data.as_slice()).collect();
        assert_eq!(
            texts,
            vec![&b"a,1\nbb,22\n"[..], &b"ccc,333\n"[..], &b"dddd,4444\n"[..]]
        );
        let lines: Vec<(u64, u64)> = c.iter().map(|c| (c.first_line, c.last_line)).collect();
        assert_eq!(lines, vec![(1, 2), (3, 3), (4, 4)]);
        assert_eq!(chunks(data, 1 << 20).len(), 1);
    }

    #[test]
    fn quoted_line_ends_stay_inside_a_chunk() {
        let data = b"\"1001\",\"Alice\nSmith\",\"x\"\n\"1002\",\"Bob\",\"y\"\n";
        for target in 1..=data.len() {
            let c = chunks(data, target);
            check_cover(data, &c);
            for chunk in &c {
                // Every chunk starts at a record start.
                assert!(
                    chunk.data.starts_with(b"\"100"),
                    "target {target}: {chunk:?}"
                );
            }
        }
        let c = chunks(data, 10);
        let lines: Vec<(u64, u64)> = c.iter().map(|c| (c.first_line, c.last_line)).collect();
        assert_eq!(lines, vec![(1, 2), (3, 3)]);
    }

    #[test]
    fn doubled_and_mid_field_quotes_are_read_like_csv() {
        // `""` inside a quoted field is a quote; `5"` in an unquoted field is a plain byte;
        // neither may leave the reader "inside quotes".
        let data = b"\"say \"\"hi\"\"\",5\"\nnext,1\n\"a\nb\",2\nlast,3\n";
        let c = chunks(data, 1);
        check_cover(data, &c);
        let texts: Vec<&[u8]> = c.iter().map(|c| c.data.as_slice()).collect();
        assert_eq!(
            texts,
            vec![
                &b"\"say \"\"hi\"\"\",5\"\n"[..],
                &b"next,1\n"[..],
                &b"\"a\nb\",2\n"[..],
                &b"last,3\n"[..],
            ]
        );
    }

    #[test]
    fn a_last_line_without_line_end_is_sent() {
        let data = b"a,1\nb,2";
        let c = chunks(data, 4);
        check_cover(data, &c);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[1].data.as_slice(), c[1].first_line, c[1].last_line),
            (&b"b,2"[..], 2, 2)
        );
    }

    #[test]
    fn empty_files_have_no_chunks() {
        assert!(chunks(b"", 10).is_empty());
        let c = chunks(b"\n", 10);
        assert_eq!((c.len(), c[0].first_line, c[0].last_line), (1, 1, 1));
    }

    #[test]
    fn bytes_that_are_not_utf8_pass_unchanged() {
        let data = b"\"caf\xe9\",\xff\xfe\n\"\xc3\x28\",2\n";
        let c = chunks(data, 8);
        check_cover(data, &c);
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn slow_readers_give_the_same_chunks() {
        let mut data = Vec::new();
        for i in 0..500 {
            data.extend_from_slice(format!("\"{i}\",\"name\n{i}\",\"x\"\"y\"\r\n").as_bytes());
        }
        let whole = chunks(&data, 300);
        let trickled: Vec<Chunk> = Chunker::new(
            Trickle {
                data: &data,
                step: 7,
            },
            300,
        )
        .map(Result::unwrap)
        .collect();
        assert_eq!(whole, trickled);
        check_cover(&data, &whole);
        assert!(whole.len() > 10);
        for chunk in &whole {
            assert!(chunk.data.starts_with(b"\""), "{chunk:?}");
            assert!(chunk.data.ends_with(b"\r\n"), "{chunk:?}");
        }
    }

    #[test]
    fn a_stray_quote_costs_lines_not_the_import() {
        // The quote on line 2 never closes: after `longest` bytes the chunker gives up on it,
        // cuts at the last line end and reads on with fresh quote state.
        let mut data = b"a,1\nb,\"oops\n".to_vec();
        for i in 0..20 {
            data.extend_from_slice(format!("c{i},1\n").as_bytes());
        }
        let c: Vec<Chunk> = Chunker::with_longest(&data[..], 8, 40)
            .map(Result::unwrap)
            .collect();
        check_cover(&data, &c);
        assert!(c.iter().all(|c| c.data.len() <= 40), "{c:?}");
        assert!(c.len() >= 4, "{c:?}");
    }

    #[test]
    fn a_line_longer_than_the_limit_is_an_error() {
        let data = [b'x'; 100];
        let err = Chunker::with_longest(&data[..], 8, 40)
            .next_chunk()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert!(
            err.to_string().starts_with("line 1 is longer than"),
            "{err}"
        );
    }

    #[test]
    fn long_records_make_chunks_of_their_own() {
        let data = b"short\n\"a very long record\nwith a line end\"\nshort\n";
        let c = chunks(data, 8);
        check_cover(data, &c);
        let texts: Vec<&[u8]> = c.iter().map(|c| c.data.as_slice()).collect();
        assert_eq!(
            texts,
            vec![
                &b"short\n"[..],
                &b"\"a very long record\nwith a line end\"\n"[..],
                &b"short\n"[..]
            ]
        );
    }
}
