//! Small readers of CSV field bytes shared by the line formats.
//!
//! Fields stay bytes until a value is kept: a non-UTF-8 byte must never stop an import, so text
//! is decoded lossily (U+FFFD), and numbers and times are read straight from the bytes.

use std::borrow::Cow;

/// How many characters of a line a quarantine entry keeps.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// How many characters of a bad value a reason quotes.
const SHOWN_CHARS: usize = 60;

/// The field without surrounding ASCII whitespace.
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// A field as text: trimmed, decoded lossily.
pub(crate) fn text(b: &[u8]) -> String {
    let b = trim(b);
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// Removes a stray pair of quotes around a field that the CSV reader took as unquoted.
///
/// FreeSWITCH's built-in `default` template (and the shipped `snom` one) put a space before
/// the last quoted value: `..."bleg_uuid", "accountcode"`. A CSV reader honours quotes only at
/// the very start of a field, so that field arrives as ` "1000"`. Doubled quotes inside are
/// undone too.
pub(crate) fn unquote_stray(b: &[u8]) -> Cow<'_, [u8]> {
    let t = trim(b);
    if t.len() >= 2 && t[0] == b'"' && t[t.len() - 1] == b'"' {
        let inner = &t[1..t.len() - 1];
        if inner.windows(2).any(|w| w == b"\"\"") {
            let mut out = Vec::with_capacity(inner.len());
            let mut i = 0;
            while i < inner.len() {
                out.push(inner[i]);
                i += if inner[i] == b'"' && inner.get(i + 1) == Some(&b'"') {
                    2
                } else {
                    1
                };
            }
            return Cow::Owned(out);
        }
        return Cow::Borrowed(inner);
    }
    Cow::Borrowed(t)
}

/// A count of seconds: `Ok(None)` when empty; digits, optionally with a fraction, which rounds
/// up (a started second is a second, as carriers bill). `Err` when it is not such a number or
/// does not fit 32 bits.
pub(crate) fn seconds(b: &[u8]) -> Result<Option<u32>, ()> {
    let b = trim(b);
    if b.is_empty() {
        return Ok(None);
    }
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len == 0 {
        return Err(());
    }
    let mut n: u32 = 0;
    for &c in &b[..int_len] {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(c - b'0')))
            .ok_or(())?;
    }
    let rest = &b[int_len..];
    if rest.is_empty() {
        return Ok(Some(n));
    }
    let frac = rest.strip_prefix(b".").ok_or(())?;
    if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
        return Err(());
    }
    if frac.iter().any(|&c| c != b'0') {
        n = n.checked_add(1).ok_or(())?;
    }
    Ok(Some(n))
}

/// Seconds between two instants, clamped to what a `u32` holds (0 when `to` is before `from`).
pub(crate) fn span(from: i64, to: i64) -> u32 {
    u32::try_from(to.saturating_sub(from).max(0)).unwrap_or(u32::MAX)
}

/// A SIP response code: `486`, or `sip:486` as FreeSWITCH writes hangup causes; 100 to 699.
pub(crate) fn sip_code(s: &str) -> Option<u16> {
    let s = s.trim();
    let s = s
        .strip_prefix("sip:")
        .or_else(|| s.strip_prefix("SIP:"))
        .unwrap_or(s);
    if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|c| (100..=699).contains(c))
}

/// A value quoted in a reason: lossy, shortened, in double quotes.
pub(crate) fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let mut out = String::with_capacity(s.len().min(SHOWN_CHARS * 4) + 2);
    out.push('"');
    out.extend(s.chars().take(SHOWN_CHARS));
    if s.chars().nth(SHOWN_CHARS).is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

/// The start of a line for a quarantine entry: lossy UTF-8, without its line end, at most
/// [`EXCERPT_CHARS`] characters.
pub(crate) fn excerpt(b: &[u8]) -> String {
    let mut b = b;
    while let [rest @ .., b'\n' | b'\r'] = b {
        b = rest;
    }
    let s = String::from_utf8_lossy(b);
    match s.char_indices().nth(EXCERPT_CHARS) {
        Some((at, _)) => s[..at].to_owned(),
        None => s.into_owned(),
    }
}

/// Whether a field starts like a date (`YYYY-MM-DD`): how line layouts are told apart.
pub(crate) fn looks_like_date(b: &[u8]) -> bool {
    let b = trim(b);
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_trims_and_decodes_lossily() {
        assert_eq!(text(b"  1001 "), "1001");
        assert_eq!(text(b"Jos\xe9"), "Jos\u{fffd}");
        assert_eq!(text(b"Jos\xc3\xa9"), "Jos\u{e9}");
        assert_eq!(text(b""), "");
    }

    #[test]
    fn unquote_stray_handles_freeswitch_default_template() {
        assert_eq!(&*unquote_stray(b" \"1000\""), b"1000");
        assert_eq!(&*unquote_stray(b"\"\""), b"");
        assert_eq!(&*unquote_stray(b" \"a \"\"b\"\" c\""), b"a \"b\" c");
        assert_eq!(&*unquote_stray(b"1000"), b"1000");
        assert_eq!(&*unquote_stray(b"\""), b"\"");
        assert_eq!(&*unquote_stray(b"say \"hi\""), b"say \"hi\"");
    }

    #[test]
    fn seconds_reads_integers_fractions_and_empties() {
        assert_eq!(seconds(b"0"), Ok(Some(0)));
        assert_eq!(seconds(b"27"), Ok(Some(27)));
        assert_eq!(seconds(b" 27 "), Ok(Some(27)));
        assert_eq!(seconds(b""), Ok(None));
        assert_eq!(seconds(b"  "), Ok(None));
        assert_eq!(seconds(b"13.000"), Ok(Some(13)));
        assert_eq!(seconds(b"13.001"), Ok(Some(14)));
        assert_eq!(seconds(b"0.2"), Ok(Some(1)));
        assert_eq!(seconds(b"4294967295"), Ok(Some(u32::MAX)));
        for bad in [
            &b"-1"[..],
            b"4294967296",
            b"4294967295.5",
            b"1e3",
            b"12s",
            b"1.",
            b".5",
            b"1.2.3",
            b"ANSWERED",
        ] {
            assert_eq!(seconds(bad), Err(()), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn span_clamps() {
        assert_eq!(span(10, 25), 15);
        assert_eq!(span(25, 10), 0);
        assert_eq!(span(0, i64::MAX), u32::MAX);
    }

    #[test]
    fn sip_codes() {
        assert_eq!(sip_code("486"), Some(486));
        assert_eq!(sip_code("sip:487"), Some(487));
        assert_eq!(sip_code(" SIP:200 "), Some(200));
        for bad in ["", "sip:", "99", "700", "4860", "q850:16", "abc", "sip:48a"] {
            assert_eq!(sip_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn show_quotes_and_shortens() {
        assert_eq!(show(b"2015-13-45"), "\"2015-13-45\"");
        let long = "x".repeat(100);
        let shown = show(long.as_bytes());
        assert_eq!(shown.chars().count(), SHOWN_CHARS + 3);
        assert!(shown.ends_with("…\""));
        assert_eq!(show(b"\xff"), "\"\u{fffd}\"");
    }

    #[test]
    fn excerpt_drops_line_end_and_caps_length() {
        assert_eq!(excerpt(b"a,b,c\r\n"), "a,b,c");
        assert_eq!(excerpt(b"a,b,c\n"), "a,b,c");
        assert_eq!(excerpt(b"x\xffy"), "x\u{fffd}y");
        let long = "\u{e9}".repeat(500);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
    }

    #[test]
    fn dates_are_recognised_by_shape() {
        assert!(looks_like_date(b"2015-03-24 15:44:40"));
        assert!(looks_like_date(b"2015-03-24"));
        assert!(!looks_like_date(b""));
        assert!(!looks_like_date(b"31"));
        assert!(!looks_like_date(b"PJSIP/client2"));
        assert!(!looks_like_date(b"2015/03/24"));
    }
}
