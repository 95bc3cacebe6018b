//! Reading a stored CDR row in place. The bytes are what postcard writes for a
//! [`StoredCdr`](super::cdr::StoredCdr) (fields in order, integers as varints, signed ones
//! zig-zagged, strings as a varint length and UTF-8 bytes, options and booleans as one byte
//! 0 or 1); this reads them field by field without serde's generic machinery, which was most
//! of the cost of a page of CDRs. It takes exactly what `postcard::from_bytes` takes (a test
//! compares the two on good and damaged bytes); bytes after the last field are ignored, as
//! postcard ignores them.
//!
//! A reader that shows only some text fields (the portal's CDR table) names them ([`Texts`]):
//! the others are stepped over, their length checked but their bytes not read as UTF-8, and
//! come back empty.

use super::cdr::CdrRow;

/// Why a row's bytes could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowError {
    /// The bytes end inside a field.
    Truncated,
    /// A varint is too long for its type.
    BadVarint,
    /// An option tag or a boolean that is not 0 or 1.
    BadTag,
    /// A string that is not UTF-8.
    BadUtf8,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RowError::Truncated => "the row's bytes end inside a field",
            RowError::BadVarint => "a number is encoded with too many bytes",
            RowError::BadTag => "an option or boolean byte is neither 0 nor 1",
            RowError::BadUtf8 => "a text field is not UTF-8",
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    #[inline(always)]
    fn byte(&mut self) -> Result<u8, RowError> {
        let b = *self.bytes.get(self.at).ok_or(RowError::Truncated)?;
        self.at += 1;
        Ok(b)
    }

    /// A varint of at most `MAX` bytes whose last byte is at most `LAST` (postcard's rule).
    #[inline(always)]
    fn varint<const MAX: usize, const LAST: u8>(&mut self) -> Result<u64, RowError> {
        let first = self.byte()?;
        if first & 0x80 == 0 {
            return Ok(u64::from(first));
        }
        let mut out = u64::from(first & 0x7F);
        for i in 1..MAX {
            let b = self.byte()?;
            out |= u64::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                return if i == MAX - 1 && b > LAST {
                    Err(RowError::BadVarint)
                } else {
                    Ok(out)
                };
            }
        }
        Err(RowError::BadVarint)
    }

    #[inline(always)]
    fn u64(&mut self) -> Result<u64, RowError> {
        self.varint::<10, 1>()
    }

    #[inline(always)]
    fn u32(&mut self) -> Result<u32, RowError> {
        // At most 5 bytes with a last byte <= 15: always fits.
        self.varint::<5, 15>().map(|v| v as u32)
    }

    #[inline(always)]
    fn u16(&mut self) -> Result<u16, RowError> {
        // At most 3 bytes with a last byte <= 3: always fits.
        self.varint::<3, 3>().map(|v| v as u16)
    }

    #[inline(always)]
    fn i64(&mut self) -> Result<i64, RowError> {
        let n = self.u64()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    #[inline(always)]
    fn flag(&mut self) -> Result<bool, RowError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(RowError::BadTag),
        }
    }

    #[inline(always)]
    fn option_i64(&mut self) -> Result<Option<i64>, RowError> {
        Ok(if self.flag()? {
            Some(self.i64()?)
        } else {
            None
        })
    }

    #[inline(always)]
    fn option_u16(&mut self) -> Result<Option<u16>, RowError> {
        Ok(if self.flag()? {
            Some(self.u16()?)
        } else {
            None
        })
    }

    /// A text field: read when `wanted`, else stepped over (its length checked) and empty.
    #[inline(always)]
    fn str(&mut self, wanted: bool) -> Result<&'a str, RowError> {
        // A length that does not fit a usize cannot fit the bytes either.
        let len = usize::try_from(self.u64()?).map_err(|_| RowError::Truncated)?;
        let end = self.at.checked_add(len).ok_or(RowError::Truncated)?;
        let bytes = self.bytes.get(self.at..end).ok_or(RowError::Truncated)?;
        self.at = end;
        if !wanted {
            return Ok("");
        }
        std::str::from_utf8(bytes).map_err(|_| RowError::BadUtf8)
    }
}

/// Which text fields of a row to read: the others come back empty (see the module's doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Texts(u16);

impl Texts {
    pub const CALL_ID: Texts = Texts(1);
    pub const ACCOUNT_CODE: Texts = Texts(1 << 1);
    pub const SOURCE_NUMBER: Texts = Texts(1 << 2);
    pub const DESTINATION: Texts = Texts(1 << 3);
    pub const DESTINATION_NAME: Texts = Texts(1 << 4);
    pub const RELEASE_REASON: Texts = Texts(1 << 5);
    pub const DIRECTION: Texts = Texts(1 << 6);
    pub const SOURCE_IP: Texts = Texts(1 << 7);
    pub const TECH_PREFIX: Texts = Texts(1 << 8);
    pub const RATECARD: Texts = Texts(1 << 9);
    /// Every text field: the whole row.
    pub const ALL: Texts = Texts((1 << 10) - 1);
    /// No text field: numbers, times and flags only.
    pub const NONE: Texts = Texts(0);

    /// These and `other`.
    pub const fn and(self, other: Texts) -> Texts {
        Texts(self.0 | other.0)
    }

    /// These but not `other`.
    pub const fn without(self, other: Texts) -> Texts {
        Texts(self.0 & !other.0)
    }

    #[inline(always)]
    fn has(self, field: Texts) -> bool {
        self.0 & field.0 != 0
    }
}

/// Reads a row's fields in [`CdrRow`]'s (and `StoredCdr`'s) order.
#[cfg(test)]
fn read_row(bytes: &[u8]) -> Result<CdrRow<'_>, RowError> {
    read_row_texts(bytes, Texts::ALL)
}

/// [`read_row`], with only the text fields in `texts` read; the others are empty.
#[inline(always)]
pub(super) fn read_row_texts(bytes: &[u8], texts: Texts) -> Result<CdrRow<'_>, RowError> {
    let mut r = Reader { bytes, at: 0 };
    Ok(CdrRow {
        call_id: r.str(texts.has(Texts::CALL_ID))?,
        leg: r.byte()?,
        account_code: r.str(texts.has(Texts::ACCOUNT_CODE))?,
        source_number: r.str(texts.has(Texts::SOURCE_NUMBER))?,
        destination: r.str(texts.has(Texts::DESTINATION))?,
        destination_name: r.str(texts.has(Texts::DESTINATION_NAME))?,
        answer: r.option_i64()?,
        end: r.option_i64()?,
        duration: r.u32()?,
        billsec: r.u32()?,
        billed: r.u32()?,
        connected: r.flag()?,
        rate: r.option_i64()?,
        connect_fee: r.i64()?,
        charge: r.i64()?,
        release_reason: r.str(texts.has(Texts::RELEASE_REASON))?,
        sip_code: r.option_u16()?,
        direction: r.str(texts.has(Texts::DIRECTION))?,
        source_ip: r.str(texts.has(Texts::SOURCE_IP))?,
        tech_prefix: r.str(texts.has(Texts::TECH_PREFIX))?,
        ratecard: r.str(texts.has(Texts::RATECARD))?,
        rated: r.flag()?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::cdr::{StoredCdr, sample};
    use super::*;

    /// A small deterministic generator, so that a failure can be replayed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        /// Numbers of every varint length, and the extremes.
        fn int(&mut self) -> i64 {
            match self.below(6) {
                0 => 0,
                1 => i64::MIN,
                2 => i64::MAX,
                3 => -(self.below(1000) as i64),
                _ => (self.next() >> self.below(64)) as i64,
            }
        }

        fn text(&mut self) -> String {
            const PARTS: &[&str] = &["a", "7", "+", " ", "é", "日本", "\u{1F600}", "-", "\u{0}"];
            let len = match self.below(4) {
                0 => 0,
                1 => self.below(8),
                2 => self.below(40),
                _ => 100 + self.below(200),
            };
            (0..len)
                .map(|_| PARTS[self.below(PARTS.len() as u64) as usize])
                .collect()
        }

        fn cdr(&mut self) -> StoredCdr {
            StoredCdr {
                call_id: self.text(),
                leg: self.below(256) as u8,
                account_code: self.text(),
                source_number: self.text(),
                destination: self.text(),
                destination_name: self.text(),
                answer: (self.below(2) == 0).then(|| self.int()),
                end: (self.below(2) == 0).then(|| self.int()),
                duration: (self.next() >> self.below(64)) as u32,
                billsec: (self.next() >> self.below(64)) as u32,
                billed: u32::MAX - self.below(3) as u32,
                connected: self.below(2) == 0,
                rate: (self.below(2) == 0).then(|| self.int()),
                connect_fee: self.int(),
                charge: self.int(),
                release_reason: self.text(),
                sip_code: (self.below(2) == 0).then(|| (self.next() >> self.below(64)) as u16),
                direction: self.text(),
                source_ip: self.text(),
                tech_prefix: self.text(),
                ratecard: self.text(),
                rated: self.below(2) == 0,
            }
        }
    }

    fn by_postcard(bytes: &[u8]) -> Option<CdrRow<'_>> {
        postcard::from_bytes::<CdrRow<'_>>(bytes).ok()
    }

    #[test]
    fn reads_what_postcard_writes() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut rows = vec![sample("1700000000.1")];
        rows.extend((0..2_000).map(|_| rng.cdr()));
        for stored in rows {
            let bytes = postcard::to_stdvec(&stored).unwrap();
            let row = read_row(&bytes).unwrap();
            assert_eq!(row.to_stored(), stored);
            assert_eq!(Some(row), by_postcard(&bytes));
        }
    }

    #[test]
    fn takes_and_refuses_damaged_bytes_exactly_as_postcard_does() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut refused = 0;
        for _ in 0..3_000 {
            let mut bytes = postcard::to_stdvec(&rng.cdr()).unwrap();
            match rng.below(4) {
                // Cut anywhere.
                0 => bytes.truncate(rng.below(bytes.len() as u64 + 1) as usize),
                // A few bytes changed to anything, or to varint and tag edge values.
                1 | 2 => {
                    for _ in 0..=rng.below(3) {
                        let at = rng.below(bytes.len() as u64) as usize;
                        const EDGES: &[u8] = &[
                            0x00, 0x01, 0x02, 0x03, 0x04, 0x0F, 0x10, 0x7F, 0x80, 0xFF, 0xC3,
                        ];
                        bytes[at] = if rng.below(2) == 0 {
                            EDGES[rng.below(EDGES.len() as u64) as usize]
                        } else {
                            rng.below(256) as u8
                        };
                    }
                }
                // Trailing bytes.
                _ => bytes.extend_from_slice(&[0xFF, 0x00, 0x80]),
            }
            let ours = read_row(&bytes).ok();
            refused += usize::from(ours.is_none());
            assert_eq!(ours, by_postcard(&bytes), "bytes {bytes:02x?}");
        }
        assert!(
            refused > 500,
            "the damaged rows tested refusals ({refused})"
        );
    }

    #[test]
    fn long_varints_follow_postcards_limits() {
        // A u32 (duration) of 5 bytes whose last byte is 15 fits; 16 does not; 6 bytes never.
        let mut good = postcard::to_stdvec(&sample("x")).unwrap();
        let at = good.iter().position(|&b| b == 70).unwrap(); // duration 70, after answer/end
        for (varint, ok) in [
            (&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F][..], true),
            (&[0xFF, 0xFF, 0xFF, 0xFF, 0x10][..], false),
            (&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00][..], false),
            (&[0x80, 0x00][..], true),
        ] {
            let mut bytes = good[..at].to_vec();
            bytes.extend_from_slice(varint);
            bytes.extend_from_slice(&good[at + 1..]);
            assert_eq!(read_row(&bytes).is_ok(), ok, "{varint:02x?}");
            assert_eq!(read_row(&bytes).ok(), by_postcard(&bytes));
        }
        good.truncate(0);
        assert_eq!(read_row(&good), Err(RowError::Truncated));
    }

    /// A reader that names some text fields gets exactly those, the others empty; a damaged
    /// row is refused as the whole reader refuses it, except for bad UTF-8 in a field it did
    /// not ask for.
    #[test]
    fn reading_some_texts_gives_those_and_checks_the_rest_of_the_row() {
        let mut rng = Rng(0x0DDB_A11C_AFE5_0001);
        let name = Texts::SOURCE_NUMBER.and(Texts::DESTINATION_NAME);
        for _ in 0..1_000 {
            let stored = rng.cdr();
            let bytes = postcard::to_stdvec(&stored).unwrap();
            let all = read_row(&bytes).unwrap();
            let some = read_row_texts(&bytes, name).unwrap();
            let expected = CdrRow {
                call_id: "",
                account_code: "",
                destination: "",
                release_reason: "",
                direction: "",
                source_ip: "",
                tech_prefix: "",
                ratecard: "",
                ..all
            };
            assert_eq!(some, expected);
            let none = read_row_texts(&bytes, Texts::NONE).unwrap();
            assert_eq!((none.source_number, none.charge), ("", all.charge));
            for cut in [0, bytes.len() / 2, bytes.len() - 1] {
                assert!(
                    read_row_texts(&bytes[..cut], Texts::NONE).is_err(),
                    "cut at {cut}"
                );
            }
        }
        // Bad UTF-8 in the call id: refused when asked for, stepped over when not.
        let mut row = sample("x");
        row.call_id = "ab".into();
        let mut bytes = postcard::to_stdvec(&row).unwrap();
        bytes[1] = 0xFF;
        assert_eq!(read_row(&bytes), Err(RowError::BadUtf8));
        assert_eq!(
            read_row_texts(&bytes, Texts::CALL_ID),
            Err(RowError::BadUtf8)
        );
        let rest = read_row_texts(&bytes, Texts::ALL.without(Texts::CALL_ID)).unwrap();
        assert_eq!(
            (rest.call_id, rest.source_number),
            ("", row.source_number.as_str())
        );
    }
}
