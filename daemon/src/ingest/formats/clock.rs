//! Date-times as switches write them, turned into Unix seconds (UTC).
//!
//! Switches mostly write local wall-clock times without an offset (`2015-03-24 15:44:40`), so the
//! source's time zone decides what instant they mean. Converting through the tz database for
//! every one of millions of timestamps is the expensive part of a parse, so a [`Clock`] remembers
//! the offset of the last local hour it converted, but only for hours that hold no transition:
//! consecutive CDRs nearly always share an hour.

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

/// What a date-time field may hold, said in quarantine reasons.
pub(crate) const LOCAL_FORMAT: &str = "YYYY-MM-DD HH:MM:SS";

/// Converts date-times read from one input, in one time zone.
pub(crate) struct Clock<'a> {
    tz: &'a TimeZone,
    /// The local hour (local seconds / 3600) whose offset is cached; `i64::MIN` when none.
    hour: i64,
    /// The UTC offset of that whole hour, in seconds.
    offset: i64,
}

/// The parts of a civil date-time, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i16,
    month: i8,
    day: i8,
    hour: i8,
    minute: i8,
    second: i8,
}

impl Civil {
    /// Seconds since 1970-01-01 00:00:00 as if this civil time were UTC.
    fn as_if_utc(&self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        ) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    fn to_jiff(self, minute: i8, second: i8) -> Option<DateTime> {
        DateTime::new(
            self.year, self.month, self.day, self.hour, minute, second, 0,
        )
        .ok()
    }
}

impl<'a> Clock<'a> {
    pub(crate) fn new(tz: &'a TimeZone) -> Self {
        Clock {
            tz,
            hour: i64::MIN,
            offset: 0,
        }
    }

    /// Parses a date-time: `YYYY-MM-DD HH:MM:SS` (a `T` may stand for the space, a fraction of
    /// a second is dropped) in this clock's zone, the same followed by `Z` or an offset (RFC
    /// 3339), or Unix seconds (digits, optionally with a fraction). `None` when it is none of
    /// these or names no real time. The input is expected trimmed.
    pub(crate) fn parse(&mut self, s: &[u8]) -> Option<i64> {
        if s.is_empty() {
            return None;
        }
        if s[0].is_ascii_digit() && s.len() >= 19 && s[4] == b'-' {
            return self.parse_civil(s);
        }
        parse_epoch(s)
    }

    /// A time field of a CSV record: `Ok(None)` when empty (bare or `""`), an error naming the
    /// field when it is not a date-time.
    pub(crate) fn field(&mut self, b: &[u8], name: &str) -> Result<Option<i64>, String> {
        let b = super::fields::trim(b);
        if b.is_empty() {
            return Ok(None);
        }
        match self.parse(b) {
            Some(t) => Ok(Some(t)),
            None => Err(format!(
                "{name} {} is not a date-time ({LOCAL_FORMAT})",
                super::fields::show(b)
            )),
        }
    }

    fn parse_civil(&mut self, s: &[u8]) -> Option<i64> {
        let civil = parse_civil_prefix(s)?;
        let mut rest = &s[19..];
        if let Some(after_dot) = rest.strip_prefix(b".") {
            let digits = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            rest = &after_dot[digits..];
        }
        if rest.is_empty() {
            return self.local_to_utc(civil);
        }
        let offset = parse_offset(rest)?;
        Some(civil.as_if_utc() - offset)
    }

    /// The instant of a local civil time in this clock's zone. A time that occurs twice (when
    /// clocks go back) is taken at its first occurrence, one that never occurs (when clocks go
    /// forward) is moved forward by the gap: jiff's "compatible" rule, the same as RFC 5545.
    fn local_to_utc(&mut self, civil: Civil) -> Option<i64> {
        let local = civil.as_if_utc();
        let hour = local.div_euclid(3600);
        if hour == self.hour {
            return Some(local - self.offset);
        }
        let first = self
            .tz
            .to_ambiguous_timestamp(civil.to_jiff(0, 0)?)
            .offset();
        let last = self
            .tz
            .to_ambiguous_timestamp(civil.to_jiff(59, 59)?)
            .offset();
        if let (
            AmbiguousOffset::Unambiguous { offset: a },
            AmbiguousOffset::Unambiguous { offset: b },
        ) = (first, last)
            && a == b
        {
            self.hour = hour;
            self.offset = i64::from(a.seconds());
            return Some(local - self.offset);
        }
        // A transition falls inside this hour: resolve this one time exactly, cache nothing.
        let dt = civil.to_jiff(civil.minute, civil.second)?;
        let ts = self.tz.to_ambiguous_timestamp(dt).compatible().ok()?;
        Some(ts.as_second())
    }
}

/// `YYYY-MM-DD?HH:MM:SS` at the start of `s` (the separator a space or `T`), range-checked.
fn parse_civil_prefix(s: &[u8]) -> Option<Civil> {
    if s.len() < 19
        || s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b' ' | b'T' | b't')
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let year = digits(&s[0..4])?;
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    let hour = digits(&s[11..13])?;
    let minute = digits(&s[14..16])?;
    let second = digits(&s[17..19])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    Some(Civil {
        year: i16::try_from(year).ok()?,
        month: i8::try_from(month).ok()?,
        day: i8::try_from(day).ok()?,
        hour: i8::try_from(hour).ok()?,
        minute: i8::try_from(minute).ok()?,
        second: i8::try_from(second).ok()?,
    })
}

/// `Z`, `+HH`, `+HHMM` or `+HH:MM` (or `-`), as seconds east of UTC.
fn parse_offset(s: &[u8]) -> Option<i64> {
    if s == b"Z" || s == b"z" {
        return Some(0);
    }
    let sign = match s.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &s[1..];
    let (hours, minutes) = match rest.len() {
        2 => (digits(rest)?, 0),
        4 => (digits(&rest[..2])?, digits(&rest[2..])?),
        5 if rest[2] == b':' => (digits(&rest[..2])?, digits(&rest[3..])?),
        _ => return None,
    };
    if hours > 25 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

/// Unix seconds: digits with an optional fraction (dropped). No sign: a CDR before 1970 is a
/// mistake, not a time.
fn parse_epoch(s: &[u8]) -> Option<i64> {
    let int_len = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 || int_len > 12 {
        return None;
    }
    let rest = &s[int_len..];
    if !rest.is_empty() {
        let frac = rest.strip_prefix(b".")?;
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    digits(&s[..int_len])
}

/// A run of ASCII digits as a number; `None` if any byte is not a digit.
fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(n)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn utc() -> TimeZone {
        TimeZone::UTC
    }

    fn parse_in(tz: &TimeZone, s: &str) -> Option<i64> {
        Clock::new(tz).parse(s.as_bytes())
    }

    #[test]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        // Every day of four centuries agrees with jiff.
        let mut expected = days_from_civil(1900, 1, 1);
        for year in 1900..2300 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(
                        days_from_civil(year, month, day),
                        expected,
                        "{year}-{month}-{day}"
                    );
                    expected += 1;
                }
            }
        }
        let jiff_days = TimeZone::UTC
            .to_timestamp(jiff::civil::date(2300, 1, 1).at(0, 0, 0, 0))
            .unwrap()
            .as_second()
            / 86_400;
        assert_eq!(expected, jiff_days);
    }

    #[test]
    fn local_time_in_utc() {
        assert_eq!(parse_in(&utc(), "2015-03-24 15:44:40"), Some(1_427_211_880));
        assert_eq!(parse_in(&utc(), "2015-03-24T15:44:40"), Some(1_427_211_880));
        assert_eq!(
            parse_in(&utc(), "2015-03-24 15:44:40.987654"),
            Some(1_427_211_880)
        );
    }

    #[test]
    fn local_time_in_a_zone() {
        let madrid = TimeZone::get("Europe/Madrid").unwrap();
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            parse_in(&madrid, "2015-03-24 16:44:40"),
            Some(1_427_211_880)
        );
        assert_eq!(
            parse_in(&madrid, "2015-07-01 12:00:00"),
            Some(1_435_744_800)
        );
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(parse_in(&ny, "2024-03-01 00:00:00"), Some(1_709_269_200));
    }

    #[test]
    fn the_cache_never_leaks_across_a_transition() {
        // Europe/Berlin went to summer time at 2024-03-31 02:00 local (01:00 UTC).
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let mut clock = Clock::new(&berlin);
        let before = clock.parse(b"2024-03-31 01:59:59").unwrap();
        let after = clock.parse(b"2024-03-31 03:00:00").unwrap();
        assert_eq!(
            after - before,
            1,
            "01:59:59 CET and 03:00:00 CEST are one second apart"
        );
        // The same hour read again after another hour gives the same answer from the cache.
        assert_eq!(clock.parse(b"2024-03-31 01:30:00"), Some(before - 1799));
        assert_eq!(clock.parse(b"2024-03-31 01:59:59"), Some(before));
        for s in [
            "2024-03-30 23:10:00",
            "2024-03-31 01:00:00",
            "2024-03-31 03:59:59",
            "2024-10-27 02:30:00",
            "2024-10-27 03:30:00",
        ] {
            let fresh = Clock::new(&berlin).parse(s.as_bytes());
            assert_eq!(clock.parse(s.as_bytes()), fresh, "{s}");
            let dt = s.replace(' ', "T").parse::<DateTime>().unwrap();
            let jiff = berlin.to_timestamp(dt).unwrap().as_second();
            assert_eq!(fresh, Some(jiff), "{s}");
        }
    }

    #[test]
    fn every_minute_around_transitions_matches_jiff() {
        // One clock reads minutes in order across spring and autumn transitions, so its
        // hour cache is exercised where it must not apply. Lord Howe moves by 30 minutes.
        for (zone, days) in [
            ("Europe/Berlin", [(2024, 3, 30), (2024, 10, 26)]),
            ("America/New_York", [(2024, 3, 9), (2024, 11, 2)]),
            ("Australia/Lord_Howe", [(2024, 4, 6), (2024, 10, 5)]),
        ] {
            let tz = TimeZone::get(zone).unwrap();
            let mut clock = Clock::new(&tz);
            for (y, m, d) in days {
                let start = jiff::civil::date(y, m, d).at(0, 0, 0, 0);
                for minute in 0..(3 * 24 * 60) {
                    let dt = start
                        .checked_add(jiff::Span::new().minutes(minute))
                        .unwrap()
                        .checked_add(jiff::Span::new().seconds(minute % 60))
                        .unwrap();
                    let text = dt.strftime("%Y-%m-%d %H:%M:%S").to_string();
                    let want = tz
                        .to_ambiguous_timestamp(dt)
                        .compatible()
                        .unwrap()
                        .as_second();
                    assert_eq!(clock.parse(text.as_bytes()), Some(want), "{zone} {text}");
                }
            }
        }
    }

    #[test]
    fn gaps_and_folds_follow_the_compatible_rule() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 02:30 did not exist on 2024-03-31: moved forward to 03:30 CEST = 01:30 UTC.
        let gap =
            Timestamp::from_second(parse_in(&berlin, "2024-03-31 02:30:00").unwrap()).unwrap();
        assert_eq!(gap.to_string(), "2024-03-31T01:30:00Z");
        // 02:30 happened twice on 2024-10-27: the first time, still CEST = 00:30 UTC.
        let fold =
            Timestamp::from_second(parse_in(&berlin, "2024-10-27 02:30:00").unwrap()).unwrap();
        assert_eq!(fold.to_string(), "2024-10-27T00:30:00Z");
    }

    #[test]
    fn explicit_offsets_ignore_the_zone() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        for s in [
            "2015-03-24T15:44:40Z",
            "2015-03-24 15:44:40z",
            "2015-03-24T16:44:40+01:00",
            "2015-03-24T16:44:40+0100",
            "2015-03-24T16:44:40+01",
            "2015-03-24T10:44:40-05:00",
            "2015-03-24T15:44:40.5Z",
        ] {
            assert_eq!(parse_in(&tokyo, s), Some(1_427_211_880), "{s}");
        }
    }

    #[test]
    fn epoch_seconds() {
        assert_eq!(parse_in(&utc(), "1427211880"), Some(1_427_211_880));
        assert_eq!(parse_in(&utc(), "1427211880.123456"), Some(1_427_211_880));
        assert_eq!(parse_in(&utc(), "0"), Some(0));
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for s in [
            "",
            "2015-13-45 99:00:00",
            "2015-02-29 10:00:00",
            "2015-04-31 10:00:00",
            "2015-03-24 24:00:00",
            "2015-03-24 23:60:00",
            "2015-03-24 23:59:60",
            "2015-03-24",
            "2015/03/24 15:44:40",
            "2015-03-24 15:44:4x",
            "2015-03-24 15:44:40 ",
            "2015-03-24 15:44:40.",
            "2015-03-24 15:44:40+1",
            "2015-03-24 15:44:40+01:0x",
            "2015-03-24 15:44:40+26:00",
            "24/03/2015",
            "-1427211880",
            "1427211880.",
            "1427211880.5x",
            "1234567890123",
            "ANSWERED",
            "\u{e9}t\u{e9}",
        ] {
            assert_eq!(parse_in(&utc(), s), None, "{s:?}");
        }
        // Leap day in a leap year is fine; 1900 was not a leap year, 2000 was.
        assert!(parse_in(&utc(), "2024-02-29 00:00:00").is_some());
        assert!(parse_in(&utc(), "1900-02-29 00:00:00").is_none());
        assert!(parse_in(&utc(), "2000-02-29 00:00:00").is_some());
    }
}
