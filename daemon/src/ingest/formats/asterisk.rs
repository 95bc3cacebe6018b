//! Asterisk `cdr_csv` Master.csv, and `cdr_custom`'s sample mapping.
//!
//! `cdr_csv` writes, in this order: accountcode, src, dst, dcontext, clid, channel,
//! dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition,
//! amaflags; then uniqueid if `loguniqueid`, userfield if `loguserfield`, and peeraccount,
//! linkedid, sequence if `newcdrcolumns`. Strings are double-quoted with `""` inside, numbers
//! bare, an unset time (an unanswered call's answer) a bare empty field. Times are local unless
//! `usegmtime`, so they are read in [`ParseOptions::time_zone`].
//!
//! The layout is told from each line's field count, so a Master.csv that spans a change of
//! those settings reads whole:
//!
//! | fields | after the 16 standard ones |
//! |---|---|
//! | 16 | nothing |
//! | 17 | uniqueid, or userfield alone (a value not shaped like a uniqueid, `[system-]digits.digits`) |
//! | 18 | uniqueid, userfield |
//! | 19 | peeraccount, linkedid, sequence |
//! | 20 | uniqueid or userfield (as for 17), peeraccount, linkedid, sequence |
//! | 21 | uniqueid, userfield, peeraccount, linkedid, sequence |
//!
//! `cdr_custom` with the mapping of Asterisk's sample `cdr_custom.conf` starts with clid
//! instead: clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, start, answer,
//! end, duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, then
//! `${CDR(sequence)}` bare. Such a line (17 to 19 fields, a date at the 9th and 11th field and
//! none at the 12th, where cdr_csv has its end time) is read with that layout: detection, no
//! option. Its duration and billsec may be quoted, fractional (`CDR(billsec,f)`: a started
//! second counts), and its empty answer `""`.
//!
//! The call id is the uniqueid. A line without one (16 or 19 fields, or an empty one) gets an
//! id derived from its content: `ast-` and 32 hex digits of a SHA-256 over every field, so the
//! same line imported twice is the same CDR. The call is connected when the disposition is
//! `ANSWERED`: `BUSY` or `NO ANSWER` with billsec > 0 (a busy tone or voicemail the switch
//! answered) is not. A disposition that is none of Asterisk's (`NO ANSWER`, `BUSY`, `FAILED`,
//! `CONGESTION`, `UNKNOWN`), such as the FreeSWITCH hangup cause that FreeSWITCH's own
//! `asterisk` csv template writes there, counts as connected when there is an answer time.

use csv::ByteRecord;
use sha2::{Digest, Sha256};

use super::ParseOptions;
use super::clock::Clock;
use super::fields::{looks_like_date, seconds, show, span, text, trim};
use crate::ingest::{Leg, RawCdr};

/// Where each value sits in one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    account_code: usize,
    src: usize,
    dst: usize,
    start: usize,
    answer: usize,
    end: usize,
    duration: usize,
    billsec: usize,
    disposition: usize,
    amaflags: usize,
    uniqueid: Option<usize>,
}

const CDR_CSV: Layout = Layout {
    account_code: 0,
    src: 1,
    dst: 2,
    start: 9,
    answer: 10,
    end: 11,
    duration: 12,
    billsec: 13,
    disposition: 14,
    amaflags: 15,
    uniqueid: None,
};

const CDR_CUSTOM: Layout = Layout {
    account_code: 15,
    src: 1,
    dst: 2,
    start: 8,
    answer: 9,
    end: 10,
    duration: 11,
    billsec: 12,
    disposition: 13,
    amaflags: 14,
    uniqueid: Some(16),
};

/// What Asterisk writes as amaflags (FreeSWITCH's `asterisk` template leaves it empty). A
/// line whose amaflags is something else has its columns shifted: a value with a stray quote
/// has eaten a comma, and every field after it is in the wrong place.
const AMA_FLAGS: [&[u8]; 6] = [
    b"DOCUMENTATION",
    b"BILLING",
    b"OMIT",
    b"DEFAULT",
    b"UNKNOWN",
    b"",
];

/// Reads Asterisk lines; one per input, for its clock cache.
pub(super) struct Parser<'a> {
    clock: Clock<'a>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(opts: &'a ParseOptions) -> Self {
        Parser {
            clock: Clock::new(&opts.time_zone),
        }
    }

    pub(super) fn parse(&mut self, rec: &ByteRecord) -> Result<RawCdr, String> {
        let layout = layout(rec)?;
        let f = |i: usize| rec.get(i).unwrap_or_default();

        let amaflags = trim(f(layout.amaflags));
        if !AMA_FLAGS.iter().any(|a| amaflags.eq_ignore_ascii_case(a)) {
            return Err(format!(
                "amaflags {} is not an AMA flag (DOCUMENTATION, BILLING, OMIT, DEFAULT); are the \
                 columns shifted by a stray quote?",
                show(amaflags)
            ));
        }
        let start = self
            .clock
            .field(f(layout.start), "start")?
            .ok_or_else(|| "start is empty; every Asterisk CDR has a start time".to_owned())?;
        let answer = self.clock.field(f(layout.answer), "answer")?;
        let end = self.clock.field(f(layout.end), "end")?;
        let duration = match seconds(f(layout.duration)) {
            Ok(Some(d)) => d,
            Ok(None) => match end {
                Some(end) => span(start, end),
                None => return Err("duration and end are both empty".to_owned()),
            },
            Err(()) => {
                return Err(format!(
                    "duration {} is not a number of seconds",
                    show(f(layout.duration))
                ));
            }
        };
        let billsec = match seconds(f(layout.billsec)) {
            Ok(Some(b)) => b,
            Ok(None) => match (answer, end) {
                (Some(a), Some(e)) => span(a, e),
                _ => 0,
            },
            Err(()) => {
                return Err(format!(
                    "billsec {} is not a number of seconds",
                    show(f(layout.billsec))
                ));
            }
        };
        let disposition = text(f(layout.disposition));
        let answered = match disposition.as_str() {
            "ANSWERED" => true,
            "NO ANSWER" | "BUSY" | "FAILED" | "CONGESTION" | "UNKNOWN" => false,
            _ => answer.is_some(),
        };
        // Asterisk 12+ writes one CDR per dial attempt of a channel, all with the channel's
        // uniqueid; `sequence` (the last field of the newcdrcolumns and cdr_custom layouts)
        // tells them apart, so it is part of the call id.
        let sequence = (rec.len() >= 19)
            .then(|| trim(f(rec.len() - 1)))
            .filter(|s| !s.is_empty() && s.iter().all(u8::is_ascii_digit));
        let call_id = match (layout.uniqueid.map(|i| trim(f(i))), sequence) {
            (Some(u), Some(seq)) if !u.is_empty() => format!("{}#{}", text(u), text(seq)),
            (Some(u), None) if !u.is_empty() => text(u),
            _ => derived_id(rec),
        };
        Ok(RawCdr {
            call_id,
            leg: Leg::A,
            account_code: text(f(layout.account_code)),
            customer_hint: None,
            source_number: text(f(layout.src)),
            destination: text(f(layout.dst)),
            start,
            answer,
            end,
            duration,
            billsec,
            answered,
            release_reason: disposition,
            sip_code: None,
            direction: String::new(),
            source_ip: String::new(),
        })
    }
}

fn layout(rec: &ByteRecord) -> Result<Layout, String> {
    let n = rec.len();
    let f = |i: usize| rec.get(i).unwrap_or_default();
    if (17..=19).contains(&n) && looks_like_date(f(8)) && !looks_like_date(f(11)) {
        return Ok(CDR_CUSTOM);
    }
    let uniqueid = match n {
        16 | 19 => None,
        18 | 21 => Some(16),
        17 | 20 => looks_like_uniqueid(trim(f(16))).then_some(16),
        _ => {
            return Err(format!(
                "has {n} fields; Asterisk cdr_csv writes 16 to 21 (cdr_custom's sample mapping \
                 17 to 19)"
            ));
        }
    };
    Ok(Layout {
        uniqueid,
        ..CDR_CSV
    })
}

/// `[systemname-]<seconds>.<sequence>`, as Asterisk makes channel unique ids.
fn looks_like_uniqueid(b: &[u8]) -> bool {
    let tail = match b.iter().rposition(|&c| c == b'-') {
        Some(i) => &b[i + 1..],
        None => b,
    };
    match tail.iter().position(|&c| c == b'.') {
        Some(dot) => {
            dot > 0
                && dot + 1 < tail.len()
                && tail[..dot].iter().all(u8::is_ascii_digit)
                && tail[dot + 1..].iter().all(u8::is_ascii_digit)
        }
        None => false,
    }
}

/// A stable id for a line without a uniqueid: every field, length-prefixed, hashed.
fn derived_id(rec: &ByteRecord) -> String {
    let mut h = Sha256::new();
    for field in rec {
        h.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_le_bytes());
        h.update(field);
    }
    let digest = h.finalize();
    format!("ast-{}", hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::formats::test_record as record;

    fn parse(line: &str) -> Result<RawCdr, String> {
        let opts = ParseOptions::default();
        Parser::new(&opts).parse(&record(line))
    }

    const STD16: &str = r#""acc1","100","700","phones","""Name"" <100>","SIP/100-00000000","","Hangup","","2015-03-24 15:44:40","2015-03-24 15:44:41","2015-03-24 15:44:43",3,2,"ANSWERED","DOCUMENTATION""#;

    #[test]
    fn standard_sixteen_fields() {
        let cdr = parse(STD16).unwrap();
        assert_eq!(cdr.account_code, "acc1");
        assert_eq!(cdr.source_number, "100");
        assert_eq!(cdr.destination, "700");
        assert_eq!(cdr.start, 1_427_211_880);
        assert_eq!(cdr.answer, Some(1_427_211_881));
        assert_eq!(cdr.end, Some(1_427_211_883));
        assert_eq!((cdr.duration, cdr.billsec), (3, 2));
        assert!(cdr.answered);
        assert_eq!(cdr.release_reason, "ANSWERED");
        assert_eq!(cdr.leg, Leg::A);
        assert!(cdr.call_id.starts_with("ast-"));
        assert_eq!(cdr.call_id.len(), 4 + 32);
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let a = parse(STD16).unwrap().call_id;
        assert_eq!(parse(STD16).unwrap().call_id, a, "same line, same id");
        // The same values quoted differently are the same CDR.
        let requoted = STD16.replace(",3,2,", ",\"3\",\"2\",");
        assert_eq!(parse(&requoted).unwrap().call_id, a);
        let other = STD16.replace("15:44:40", "15:44:39");
        assert_ne!(parse(&other).unwrap().call_id, a);
        // Fields are length-prefixed: moving a character across a boundary changes the id.
        let shifted = STD16.replace(r#""acc1","100""#, r#""acc11","00""#);
        assert_ne!(parse(&shifted).unwrap().call_id, a);
    }

    #[test]
    fn layouts_by_field_count() {
        let u = r#","1427211880.0""#;
        let uf = r#","userfield text""#;
        let newcols = r#","peer","1427211880.0",7"#;
        let cases: [(String, Option<&str>); 8] = [
            (format!("{STD16}{u}"), Some("1427211880.0")),
            (format!("{STD16}{uf}"), None),
            (format!("{STD16}{u}{uf}"), Some("1427211880.0")),
            (format!("{STD16}{u},\"\""), Some("1427211880.0")),
            (format!("{STD16}{newcols}"), None),
            (format!("{STD16}{u}{newcols}"), Some("1427211880.0")),
            (format!("{STD16}{uf}{newcols}"), None),
            (format!("{STD16}{u}{uf}{newcols}"), Some("1427211880.0")),
        ];
        for (line, id) in cases {
            let cdr = parse(&line).unwrap();
            match id {
                // newcdrcolumns lines end with the sequence, which joins the uniqueid.
                Some(id) if line.ends_with(",7") => {
                    assert_eq!(cdr.call_id, format!("{id}#7"), "{line}")
                }
                Some(id) => assert_eq!(cdr.call_id, id, "{line}"),
                None => assert!(cdr.call_id.starts_with("ast-"), "{line}"),
            }
            assert_eq!(cdr.destination, "700");
            assert_eq!(cdr.start, 1_427_211_880);
        }
    }

    #[test]
    fn uniqueid_shapes() {
        assert!(looks_like_uniqueid(b"1427211880.0"));
        assert!(looks_like_uniqueid(b"1428416135.10"));
        assert!(looks_like_uniqueid(b"pbx-a-1690325492.2"));
        assert!(!looks_like_uniqueid(b""));
        assert!(!looks_like_uniqueid(b"1427211880"));
        assert!(!looks_like_uniqueid(b".5"));
        assert!(!looks_like_uniqueid(b"5."));
        assert!(!looks_like_uniqueid(b"ticket 12.5a"));
        assert!(!looks_like_uniqueid(b"some userfield"));
    }

    #[test]
    fn empty_uniqueid_gets_a_derived_id() {
        let cdr = parse(&format!("{STD16},\"\",\"\"")).unwrap();
        assert!(cdr.call_id.starts_with("ast-"));
    }

    #[test]
    fn wrong_field_counts_are_refused() {
        for n in [1usize, 15, 22] {
            let line = vec!["\"x\""; n].join(",");
            let err = parse(&line).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "has {n} fields; Asterisk cdr_csv writes 16 to 21 (cdr_custom's sample \
                     mapping 17 to 19)"
                )
            );
        }
    }

    #[test]
    fn bare_and_quoted_empty_answers_are_none() {
        let bare = STD16.replace(r#""2015-03-24 15:44:41""#, "");
        let quoted = STD16.replace(r#""2015-03-24 15:44:41""#, r#""""#);
        for line in [bare, quoted] {
            let line = line
                .replace("ANSWERED", "NO ANSWER")
                .replace(",3,2,", ",3,0,");
            let cdr = parse(&line).unwrap();
            assert_eq!(cdr.answer, None, "{line}");
            assert!(!cdr.answered);
            assert_eq!(cdr.billsec, 0);
            assert_eq!(cdr.release_reason, "NO ANSWER");
        }
    }

    #[test]
    fn busy_with_billsec_is_not_connected() {
        let line = STD16
            .replace("ANSWERED", "BUSY")
            .replace(",3,2,", ",27,27,");
        let cdr = parse(&line).unwrap();
        assert!(!cdr.answered);
        assert_eq!(cdr.billsec, 27);
        assert_eq!(cdr.release_reason, "BUSY");
        let line = STD16.replace("ANSWERED", "NO ANSWER");
        assert!(!parse(&line).unwrap().answered);
    }

    #[test]
    fn unknown_disposition_follows_the_answer_time() {
        let line = STD16.replace("ANSWERED", "NORMAL_CLEARING");
        let cdr = parse(&line).unwrap();
        assert!(cdr.answered);
        assert_eq!(cdr.release_reason, "NORMAL_CLEARING");
        let line = line.replace(r#""2015-03-24 15:44:41""#, "");
        assert!(!parse(&line).unwrap().answered);
    }

    #[test]
    fn times_are_read_in_the_configured_zone() {
        let opts = ParseOptions {
            time_zone: jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap(),
            ..ParseOptions::default()
        };
        let cdr = Parser::new(&opts).parse(&record(STD16)).unwrap();
        // São Paulo was UTC-3 in March 2015.
        assert_eq!(cdr.start, 1_427_211_880 + 3 * 3600);
        assert_eq!(cdr.end, Some(1_427_211_883 + 3 * 3600));
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let cases = [
            (
                STD16.replace("2015-03-24 15:44:40", "2015-13-45 99:00:00"),
                r#"start "2015-13-45 99:00:00" is not a date-time (YYYY-MM-DD HH:MM:SS)"#,
            ),
            (
                STD16.replace(r#""2015-03-24 15:44:40""#, ""),
                "start is empty; every Asterisk CDR has a start time",
            ),
            (
                STD16.replace("2015-03-24 15:44:43", "tomorrow"),
                r#"end "tomorrow" is not a date-time (YYYY-MM-DD HH:MM:SS)"#,
            ),
            (
                STD16.replace(",3,2,", ",-3,2,"),
                r#"duration "-3" is not a number of seconds"#,
            ),
            (
                STD16.replace(",3,2,", ",3,two,"),
                r#"billsec "two" is not a number of seconds"#,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse(&line).unwrap_err(), want, "{line}");
        }
    }

    #[test]
    fn empty_numbers_come_from_the_times() {
        let line = STD16.replace(",3,2,", ",,,");
        let cdr = parse(&line).unwrap();
        assert_eq!((cdr.duration, cdr.billsec), (3, 2));
        let line = STD16
            .replace(",3,2,", ",,,")
            .replace(r#""2015-03-24 15:44:43""#, "");
        assert_eq!(parse(&line).unwrap_err(), "duration and end are both empty");
    }

    #[test]
    fn shifted_columns_are_caught_by_amaflags() {
        // `"ANSWERED,` lost its closing quote: the disposition eats the amaflags.
        let line = STD16.replace(
            r#""ANSWERED","DOCUMENTATION""#,
            r#""ANSWERED,"DOCUMENTATION""#,
        ) + r#","1427211880.0",""#;
        assert_eq!(
            parse(&line).unwrap_err(),
            r#"amaflags "1427211880.0" is not an AMA flag (DOCUMENTATION, BILLING, OMIT, DEFAULT); are the columns shifted by a stray quote?"#
        );
        for flag in ["BILLING", "OMIT", "DEFAULT", "Unknown", ""] {
            let line = STD16.replace("DOCUMENTATION", flag);
            assert!(parse(&line).is_ok(), "{flag}");
        }
    }

    #[test]
    fn non_utf8_values_are_kept_lossily() {
        let mut line = STD16.replace(r#""700""#, r#""70X""#).into_bytes();
        let at = line.windows(3).position(|w| w == b"70X").unwrap();
        line[at + 2] = 0xFF;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(line.as_slice());
        let mut rec = ByteRecord::new();
        assert!(rdr.read_byte_record(&mut rec).unwrap());
        let opts = ParseOptions::default();
        let cdr = Parser::new(&opts).parse(&rec).unwrap();
        assert_eq!(cdr.destination, "70\u{fffd}");
    }

    #[test]
    fn cdr_custom_sample_mapping_is_detected() {
        let line = r#"""""" <client1>","client1","6789","default","PJSIP/client1-00000002","PJSIP/client2-00000003","Dial","PJSIP/client2","2023-07-26 01:51:32","2023-07-26 01:51:50","2023-07-26 01:52:04","31","13","ANSWERED","DOCUMENTATION","acct7","1690325492.2","",2"#;
        let cdr = parse(line).unwrap();
        assert_eq!(cdr.call_id, "1690325492.2#2", "uniqueid and sequence");
        assert_eq!(cdr.source_number, "client1");
        assert_eq!(cdr.destination, "6789");
        assert_eq!(cdr.account_code, "acct7");
        assert_eq!(cdr.start, 1_690_336_292);
        assert_eq!(cdr.answer, Some(1_690_336_310));
        assert_eq!(cdr.end, Some(1_690_336_324));
        assert_eq!((cdr.duration, cdr.billsec), (31, 13));
        assert!(cdr.answered);

        let unanswered = line
            .replace(r#""2023-07-26 01:51:50""#, r#""""#)
            .replace("ANSWERED", "NO ANSWER")
            .replace(r#""13""#, r#""0""#);
        let cdr = parse(&unanswered).unwrap();
        assert_eq!(cdr.answer, None);
        assert!(!cdr.answered);

        // Without the trailing sequence, and with high-resolution seconds.
        let no_seq = line
            .strip_suffix(",2")
            .unwrap()
            .replace(r#""13""#, r#""12.48""#);
        let cdr = parse(&no_seq).unwrap();
        assert_eq!(cdr.call_id, "1690325492.2");
        assert_eq!(cdr.billsec, 13);
    }
}
