//! FreeSWITCH `mod_cdr_csv` Master.csv.
//!
//! Every template FreeSWITCH ships that writes CSV starts with the same 13 values:
//! caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp,
//! end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode. The module's
//! built-in `default` template stops there (13 fields); the `example` template of
//! `cdr_csv.conf.xml` (the one the shipped configuration selects) adds read_codec and
//! write_codec (15); `linksys` adds sip_user_agent and sip_p_rtp_stat (17); `snom` five more
//! (20). The template is told from the field count. FreeSWITCH's `asterisk` template (18
//! fields) is Asterisk's layout: read it as `asterisk-csv`.
//!
//! Every value is written in double quotes without escaping; the `default` and `snom` templates
//! put a space before the accountcode's opening quote, which is undone here. Times
//! (`*_stamp`) are the switch's local time, read in [`ParseOptions::time_zone`]; an empty
//! answer_stamp means no answer. The call id is the uuid (one per channel, so per leg).
//!
//! The leg: these templates carry no direction. A row with a bleg_uuid is an A-leg (it bridged
//! out to that leg). Otherwise a row whose caller_id_name is `Outbound Call`, the name
//! FreeSWITCH gives a channel it originates when no caller name is set, is a B-leg. Everything
//! else is an A-leg, which is also all that the shipped `legs=a` setting writes. The rule
//! reads one row alone, so the same row always gets the same leg.
//!
//! The call is connected when it has an answer_stamp (or billsec > 0): FreeSWITCH can answer
//! and hang up in the same second, a connected call with billsec 0.

use csv::ByteRecord;

use super::ParseOptions;
use super::clock::Clock;
use super::fields::{seconds, show, span, text, unquote_stray};
use crate::ingest::{Leg, RawCdr};

/// The caller name FreeSWITCH gives a channel it originates without one.
const OUTBOUND_CALL: &[u8] = b"Outbound Call";

const CALLER_ID_NAME: usize = 0;
const CALLER_ID_NUMBER: usize = 1;
const DESTINATION_NUMBER: usize = 2;
const START_STAMP: usize = 4;
const ANSWER_STAMP: usize = 5;
const END_STAMP: usize = 6;
const DURATION: usize = 7;
const BILLSEC: usize = 8;
const HANGUP_CAUSE: usize = 9;
const UUID: usize = 10;
const BLEG_UUID: usize = 11;
const ACCOUNTCODE: usize = 12;

/// Reads mod_cdr_csv lines; one per input, for its clock cache.
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
        match rec.len() {
            13 | 15 | 17 | 20 => {}
            18 => {
                return Err(
                    "has 18 fields, the layout of FreeSWITCH's asterisk template; import this \
                     file as asterisk-csv"
                        .to_owned(),
                );
            }
            n => {
                return Err(format!(
                    "has {n} fields; mod_cdr_csv's default, example, linksys and snom \
                     templates write 13, 15, 17 or 20"
                ));
            }
        }
        let f = |i: usize| unquote_stray(rec.get(i).unwrap_or_default());

        let uuid = f(UUID);
        if uuid.is_empty() {
            return Err("uuid is empty".to_owned());
        }
        let start = self
            .clock
            .field(&f(START_STAMP), "start_stamp")?
            .ok_or_else(|| {
                "start_stamp is empty; every FreeSWITCH CDR has a start time".to_owned()
            })?;
        let answer = self.clock.field(&f(ANSWER_STAMP), "answer_stamp")?;
        let end = self.clock.field(&f(END_STAMP), "end_stamp")?;
        let duration = match seconds(&f(DURATION)) {
            Ok(Some(d)) => d,
            Ok(None) => match end {
                Some(end) => span(start, end),
                None => return Err("duration and end_stamp are both empty".to_owned()),
            },
            Err(()) => {
                return Err(format!(
                    "duration {} is not a number of seconds",
                    show(&f(DURATION))
                ));
            }
        };
        let billsec = match seconds(&f(BILLSEC)) {
            Ok(Some(b)) => b,
            Ok(None) => match (answer, end) {
                (Some(a), Some(e)) => span(a, e),
                _ => 0,
            },
            Err(()) => {
                return Err(format!(
                    "billsec {} is not a number of seconds",
                    show(&f(BILLSEC))
                ));
            }
        };
        let leg = if !f(BLEG_UUID).is_empty() {
            Leg::A
        } else if *f(CALLER_ID_NAME) == *OUTBOUND_CALL {
            Leg::B
        } else {
            Leg::A
        };
        Ok(RawCdr {
            call_id: text(&uuid),
            leg,
            account_code: text(&f(ACCOUNTCODE)),
            customer_hint: None,
            source_number: text(&f(CALLER_ID_NUMBER)),
            destination: text(&f(DESTINATION_NUMBER)),
            start,
            answer,
            end,
            duration,
            billsec,
            answered: answer.is_some() || billsec > 0,
            release_reason: text(&f(HANGUP_CAUSE)),
            sip_code: None,
            direction: String::new(),
            source_ip: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::formats::test_record as record;

    fn parse(line: &str) -> Result<RawCdr, String> {
        let opts = ParseOptions::default();
        Parser::new(&opts).parse(&record(line))
    }

    const EXAMPLE: &str = r#""Alice","1000","1002","default","2017-07-09 10:43:03","2017-07-09 10:43:27","2017-07-09 10:46:35","212","188","NORMAL_CLEARING","fcf5e663-98c0-4022-8d6e-91562a8bff0a","ed572f73-97f0-4f66-856f-600cbf0d0592","1000","G722","G722""#;

    #[test]
    fn example_template() {
        let cdr = parse(EXAMPLE).unwrap();
        assert_eq!(cdr.call_id, "fcf5e663-98c0-4022-8d6e-91562a8bff0a");
        assert_eq!(cdr.leg, Leg::A);
        assert_eq!(cdr.source_number, "1000");
        assert_eq!(cdr.destination, "1002");
        assert_eq!(cdr.account_code, "1000");
        assert_eq!(cdr.start, 1_499_596_983);
        assert_eq!(cdr.answer, Some(1_499_597_007));
        assert_eq!(cdr.end, Some(1_499_597_195));
        assert_eq!((cdr.duration, cdr.billsec), (212, 188));
        assert!(cdr.answered);
        assert_eq!(cdr.release_reason, "NORMAL_CLEARING");
    }

    #[test]
    fn default_template_with_its_stray_space() {
        let line = r#""Alice","1000","1002","default","2017-07-09 10:43:03","","2017-07-09 10:43:23","20","0","ORIGINATOR_CANCEL","07e9b707-92b3-4cf9-b0b6-8476902ac417","", "acct-9""#;
        let cdr = parse(line).unwrap();
        assert_eq!(cdr.account_code, "acct-9");
        assert_eq!(cdr.answer, None);
        assert!(!cdr.answered);
        assert_eq!(cdr.billsec, 0);
        assert_eq!(cdr.release_reason, "ORIGINATOR_CANCEL");
    }

    #[test]
    fn linksys_and_snom_templates() {
        let linksys = format!(r#"{EXAMPLE},"Linksys/SPA942","stat""#);
        assert_eq!(parse(&linksys).unwrap().destination, "1002");
        let snom = EXAMPLE.replace(r#","1000","G722""#, r#", "1000","G722""#)
            + r#","snom360","cc","rx","tx","rec.wav""#;
        let cdr = parse(&snom).unwrap();
        assert_eq!(cdr.account_code, "1000");
        assert_eq!(cdr.billsec, 188);
    }

    #[test]
    fn legs() {
        assert_eq!(parse(EXAMPLE).unwrap().leg, Leg::A);
        let b = EXAMPLE
            .replace("\"Alice\"", "\"Outbound Call\"")
            .replace("ed572f73-97f0-4f66-856f-600cbf0d0592", "");
        assert_eq!(parse(&b).unwrap().leg, Leg::B);
        // An originated channel that bridged out is the calling side of that bridge.
        let ab = EXAMPLE.replace("\"Alice\"", "\"Outbound Call\"");
        assert_eq!(parse(&ab).unwrap().leg, Leg::A);
        let plain = EXAMPLE.replace("ed572f73-97f0-4f66-856f-600cbf0d0592", "");
        assert_eq!(parse(&plain).unwrap().leg, Leg::A);
    }

    #[test]
    fn answered_in_the_same_second_is_connected_with_zero_billsec() {
        let line = EXAMPLE
            .replace("2017-07-09 10:43:27", "2017-07-09 10:46:35")
            .replace(r#""212","188""#, r#""212","0""#);
        let cdr = parse(&line).unwrap();
        assert!(cdr.answered);
        assert_eq!(cdr.billsec, 0);
    }

    #[test]
    fn wrong_counts_and_values() {
        assert_eq!(
            parse(&vec!["\"x\""; 14].join(",")).unwrap_err(),
            "has 14 fields; mod_cdr_csv's default, example, linksys and snom templates write 13, \
             15, 17 or 20"
        );
        assert!(
            parse(&vec!["\"x\""; 18].join(","))
                .unwrap_err()
                .contains("asterisk-csv")
        );
        assert_eq!(
            parse(&EXAMPLE.replace("fcf5e663-98c0-4022-8d6e-91562a8bff0a", "")).unwrap_err(),
            "uuid is empty"
        );
        assert_eq!(
            parse(&EXAMPLE.replace("2017-07-09 10:43:03", "09/07/2017 10:43")).unwrap_err(),
            r#"start_stamp "09/07/2017 10:43" is not a date-time (YYYY-MM-DD HH:MM:SS)"#
        );
        assert_eq!(
            parse(&EXAMPLE.replace(r#""2017-07-09 10:43:03""#, r#""""#)).unwrap_err(),
            "start_stamp is empty; every FreeSWITCH CDR has a start time"
        );
        assert_eq!(
            parse(&EXAMPLE.replace(r#""188""#, r#""1 88""#)).unwrap_err(),
            r#"billsec "1 88" is not a number of seconds"#
        );
        assert_eq!(
            parse(&EXAMPLE.replace(r#""212""#, r#""x""#)).unwrap_err(),
            r#"duration "x" is not a number of seconds"#
        );
    }

    #[test]
    fn empty_numbers_come_from_the_times() {
        let line = EXAMPLE.replace(r#""212","188""#, r#""","""#);
        let cdr = parse(&line).unwrap();
        assert_eq!((cdr.duration, cdr.billsec), (212, 188));
    }
}
