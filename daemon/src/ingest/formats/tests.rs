//! Tests of the entry points over the project's own fixtures (`daemon/tests/fixtures/cdr/`).

use super::*;
use crate::ingest::Leg;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cdr/",
            $name
        ))
        .as_slice()
    };
}

fn utc() -> ParseOptions {
    ParseOptions::default()
}

fn lines_of(p: &Parsed) -> Vec<u64> {
    p.cdrs.iter().map(|(l, _)| *l).collect()
}

fn quarantined_lines(p: &Parsed) -> Vec<u64> {
    p.quarantined.iter().map(|q| q.line).collect()
}

fn answered(p: &Parsed) -> usize {
    p.cdrs.iter().filter(|(_, c)| c.answered).count()
}

fn cdr_at(p: &Parsed, line: u64) -> &RawCdr {
    &p.cdrs.iter().find(|(l, _)| *l == line).unwrap().1
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>().unwrap(), f);
        assert_eq!(f.to_string(), f.name());
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, format!("\"{}\"", f.name()));
        assert_eq!(serde_json::from_str::<Format>(&json).unwrap(), f);
    }
    let err = "asterisk".parse::<Format>().unwrap_err();
    assert_eq!(
        err,
        "unknown CDR format \"asterisk\"; the formats are asterisk-csv, freeswitch-csv, \
         freeswitch-json, generic-csv"
    );
    assert!(serde_json::from_str::<Format>("\"AsteriskCsv\"").is_err());
}

#[test]
fn quarantined_displays_with_its_line() {
    let q = Quarantined {
        line: 17,
        reason: r#"start "2015-13-45 99:00:00" is not a date-time (YYYY-MM-DD HH:MM:SS)"#.into(),
        excerpt: String::new(),
    };
    assert_eq!(
        q.to_string(),
        r#"line 17: start "2015-13-45 99:00:00" is not a date-time (YYYY-MM-DD HH:MM:SS)"#
    );
}

#[test]
fn asterisk_master_fixture() {
    let p = parse_lines(
        Format::AsteriskCsv,
        fixture!("asterisk_master.csv"),
        1,
        None,
        &utc(),
    );
    assert_eq!(
        lines_of(&p),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 19]
    );
    assert_eq!(quarantined_lines(&p), [11, 12, 17]);
    assert_eq!(answered(&p), 10);
    assert_eq!(p.header, None);

    let q = &p.quarantined;
    assert_eq!(
        q[0].to_string(),
        r#"line 11: start "2015-13-45 99:00:00" is not a date-time (YYYY-MM-DD HH:MM:SS)"#
    );
    assert!(q[0].excerpt.starts_with(r#""","100","700","phones""#));
    assert_eq!(
        q[1].reason,
        "has 9 fields; Asterisk cdr_csv writes 16 to 21 (cdr_custom's sample mapping 17 to 19)"
    );
    assert_eq!(
        q[2].reason,
        r#"amaflags "1429172023.2" is not an AMA flag (DOCUMENTATION, BILLING, OMIT, DEFAULT); are the columns shifted by a stray quote?"#
    );

    let first = cdr_at(&p, 1);
    assert_eq!(first.call_id, "1427211880.0");
    assert_eq!(first.start, 1_427_211_880);
    assert_eq!(first.destination, "700");

    let dial = cdr_at(&p, 2);
    assert_eq!(dial.account_code, "acct-42");
    assert_eq!((dial.duration, dial.billsec), (30, 25));

    let no_answer = cdr_at(&p, 3);
    assert_eq!(no_answer.answer, None);
    assert!(!no_answer.answered);

    let busy = cdr_at(&p, 4);
    assert_eq!((busy.release_reason.as_str(), busy.billsec), ("BUSY", 27));
    assert!(!busy.answered);
    let voicemail = cdr_at(&p, 5);
    assert_eq!(voicemail.billsec, 15);
    assert!(!voicemail.answered);
    assert_eq!(cdr_at(&p, 6).release_reason, "FAILED");

    let playback = cdr_at(&p, 7);
    assert_eq!(playback.account_code, "100");
    assert_eq!(playback.source_number, "");
    assert_eq!(playback.destination, "s");
    assert!(playback.answered);
    assert_eq!(playback.billsec, 0);

    // Non-UTF-8 in clid does not matter; the row is read.
    assert_eq!(cdr_at(&p, 8).call_id, "1427212773.0");
    // The quoted line end in lastdata keeps the record whole.
    assert_eq!(cdr_at(&p, 9).call_id, "1428418571.22");
    // CRLF.
    assert_eq!(cdr_at(&p, 13).call_id, "1429172940.0");
    // Start times need not grow.
    assert!(cdr_at(&p, 14).start < cdr_at(&p, 13).start);
    // A line cut short inside its last quoted field swallows the next line into one record;
    // read line by line, both are whole enough.
    assert_eq!(cdr_at(&p, 15).call_id, "1429171903.1");
    assert_eq!(cdr_at(&p, 16).call_id, "1428419051.24");
    // The last line has no line end.
    let last = cdr_at(&p, 19);
    assert_eq!(last.call_id, "1429174800.0");
    assert_eq!(last.billsec, 5);
}

#[test]
fn line_numbers_count_from_first_line() {
    let p = parse_lines(
        Format::AsteriskCsv,
        fixture!("asterisk_master.csv"),
        1001,
        None,
        &utc(),
    );
    assert_eq!(lines_of(&p)[..3], [1001, 1002, 1003]);
    assert_eq!(quarantined_lines(&p), [1011, 1012, 1017]);
}

/// Cuts `input` into chunks of about `lines` lines at record boundaries, as a reader of a
/// large file does, and parses each with the right first line and header.
fn parse_in_chunks(format: Format, input: &[u8], lines: usize, opts: &ParseOptions) -> Parsed {
    let mut all = Parsed::default();
    let mut header: Option<Vec<u8>> = None;
    let mut rest = input;
    let mut line = 1u64;
    while !rest.is_empty() {
        let mut cut = 0;
        let mut taken = 0;
        // Take `lines` lines, and more while that would cut inside a quoted field.
        while cut < rest.len() && (taken < lines || complete_records_len(&rest[..cut]) == 0) {
            match rest[cut..].iter().position(|&b| b == b'\n') {
                Some(i) => cut += i + 1,
                None => cut = rest.len(),
            }
            taken += 1;
        }
        if cut < rest.len() {
            cut = complete_records_len(&rest[..cut]);
        }
        let chunk = &rest[..cut];
        let p = parse_lines(format, chunk, line, header.as_deref(), opts);
        if header.is_none() {
            header = p.header.clone();
        }
        all.cdrs.extend(p.cdrs);
        all.quarantined.extend(p.quarantined);
        line += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        rest = &rest[cut..];
    }
    all.header = header;
    all
}

#[test]
fn chunked_parses_equal_one_parse() {
    let mapping: GenericMapping = GENERIC_MAPPING.parse().unwrap();
    let generic_opts = ParseOptions {
        mapping: Some(mapping),
        ..utc()
    };
    for (format, input, opts) in [
        (Format::AsteriskCsv, fixture!("asterisk_master.csv"), utc()),
        (
            Format::FreeswitchCsv,
            fixture!("freeswitch_example.csv"),
            utc(),
        ),
        (Format::GenericCsv, fixture!("generic.csv"), generic_opts),
    ] {
        let whole = parse_lines(format, input, 1, None, &opts);
        for lines in 1..6 {
            let chunked = parse_in_chunks(format, input, lines, &opts);
            assert_eq!(chunked.cdrs, whole.cdrs, "{format} in chunks of {lines}");
            assert_eq!(chunked.quarantined, whole.quarantined, "{format} {lines}");
            assert_eq!(chunked.header, whole.header, "{format} {lines}");
        }
    }
}

#[test]
fn a_cut_inside_a_quoted_line_end_quarantines_both_halves() {
    let input = fixture!("asterisk_master.csv");
    let lines: Vec<&[u8]> = input.split_inclusive(|&b| b == b'\n').collect();
    let head: Vec<u8> = lines[..9].concat();
    let tail: Vec<u8> = lines[9..].concat();
    let a = parse_lines(Format::AsteriskCsv, &head, 1, None, &utc());
    let b = parse_lines(Format::AsteriskCsv, &tail, 10, None, &utc());
    assert_eq!(quarantined_lines(&a), [9]);
    assert_eq!(quarantined_lines(&b)[0], 10);
    // complete_records_len tells a reader not to cut there.
    assert_eq!(complete_records_len(&head), lines[..8].concat().len());
}

#[test]
fn complete_records_len_cases() {
    assert_eq!(complete_records_len(b""), 0);
    assert_eq!(complete_records_len(b"a,b"), 0);
    assert_eq!(complete_records_len(b"a,b\n"), 4);
    assert_eq!(complete_records_len(b"a,b\nc,d"), 4);
    assert_eq!(complete_records_len(b"a,b\r\nc,d\r\n"), 10);
    assert_eq!(complete_records_len(b"\"a\nb\",c\n"), 8);
    assert_eq!(complete_records_len(b"x\n\"a\nb\",c"), 2);
    assert_eq!(complete_records_len(b"\"say \"\"hi\"\"\n\",c\nd\n"), 18);
    assert_eq!(
        complete_records_len(b"\"x\"\"\n"),
        0,
        "still inside the quotes"
    );
    // A quote inside an unquoted field is a plain character, as the CSV reader takes it.
    assert_eq!(complete_records_len(b"ab\"c,d\ne\n"), 9);
    assert_eq!(complete_records_len(b"\"a\"b\"\n"), 6);
}

#[test]
fn asterisk_layouts_fixture() {
    let p = parse_lines(
        Format::AsteriskCsv,
        fixture!("asterisk_layouts.csv"),
        1,
        None,
        &utc(),
    );
    assert!(p.quarantined.is_empty(), "{:?}", p.quarantined);
    let ids: Vec<&str> = p.cdrs.iter().map(|(_, c)| c.call_id.as_str()).collect();
    assert!(ids[0].starts_with("ast-"));
    assert_eq!(ids[1], "1709287200.1");
    assert!(ids[2].starts_with("ast-"));
    assert_eq!(ids[3], "1709287200.2");
    // 19 fields: no uniqueid, and the linkedid is not a CDR's id.
    assert!(ids[4].starts_with("ast-"));
    // newcdrcolumns: the sequence (last field) joins the uniqueid.
    assert_eq!(ids[5..7], ["1709287200.4#4", "1709287200.5#5"][..]);
    assert_eq!(ids[7], "3f0c1d9e-0000-4000-8000-000000000001");
    for (_, c) in &p.cdrs {
        assert_eq!(c.start, 1_709_287_200);
        assert_eq!((c.duration, c.billsec), (65, 60));
        assert!(c.answered, "{}", c.call_id);
        assert_eq!(c.destination, "0044123");
    }
    assert_eq!(p.cdrs[7].1.release_reason, "NORMAL_CLEARING");
}

#[test]
fn asterisk_cdr_custom_fixture() {
    let p = parse_lines(
        Format::AsteriskCsv,
        fixture!("asterisk_cdr_custom.csv"),
        1,
        None,
        &utc(),
    );
    assert!(p.quarantined.is_empty(), "{:?}", p.quarantined);
    assert_eq!(lines_of(&p), [1, 2, 3, 4]);
    assert_eq!(answered(&p), 3);
    let c = &p.cdrs[2].1;
    assert_eq!(c.call_id, "1690327106.0#0");
    assert_eq!(c.account_code, "acct-3");
    assert_eq!(c.source_number, "desk3");
    assert_eq!((c.duration, c.billsec), (26, 18));
    assert_eq!(p.cdrs[1].1.answer, None);
    assert_eq!(p.cdrs[3].1.call_id, "1690325659.8");
}

#[test]
fn asterisk_time_zone_shifts_every_time() {
    let tz = jiff::tz::TimeZone::get("Indian/Antananarivo").unwrap();
    let opts = ParseOptions {
        time_zone: tz,
        ..utc()
    };
    let p = parse_lines(
        Format::AsteriskCsv,
        fixture!("asterisk_cdr_custom.csv"),
        1,
        None,
        &opts,
    );
    // In the zone it was written in, the start is the uniqueid's own timestamp.
    for (_, c) in &p.cdrs {
        let epoch: i64 = c.call_id.split('.').next().unwrap().parse().unwrap();
        assert_eq!(c.start, epoch, "{}", c.call_id);
    }
}

#[test]
fn freeswitch_example_fixture() {
    let p = parse_lines(
        Format::FreeswitchCsv,
        fixture!("freeswitch_example.csv"),
        1,
        None,
        &utc(),
    );
    assert_eq!(lines_of(&p), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(quarantined_lines(&p), [10, 11]);
    assert_eq!(answered(&p), 5);
    assert_eq!(
        p.quarantined[0].reason,
        r#"answer_stamp "2017-07-09 25:00:00" is not a date-time (YYYY-MM-DD HH:MM:SS)"#
    );
    assert!(p.quarantined[1].reason.starts_with("has 14 fields"));

    let legs: Vec<Leg> = p.cdrs.iter().map(|(_, c)| c.leg).collect();
    assert_eq!(
        legs,
        [
            Leg::A,
            Leg::A,
            Leg::B,
            Leg::A,
            Leg::A,
            Leg::A,
            Leg::A,
            Leg::A,
            Leg::A
        ]
    );
    let voicemail = cdr_at(&p, 1);
    assert_eq!(voicemail.destination, "voicemail");
    assert!(!voicemail.answered);
    assert!(cdr_at(&p, 1).start > cdr_at(&p, 2).start);
    assert_eq!(cdr_at(&p, 4).destination, "*");
    assert_eq!(cdr_at(&p, 5).destination, "1234*256");
    let same_second = cdr_at(&p, 6);
    assert!(same_second.answered);
    assert_eq!(same_second.billsec, 0);
    assert_eq!(cdr_at(&p, 7).destination, "+441134900292");
    assert_eq!(cdr_at(&p, 8).release_reason, "INVALID_GATEWAY");
    assert_eq!(cdr_at(&p, 9).source_number, "1003");
}

#[test]
fn freeswitch_default_fixture() {
    let p = parse_lines(
        Format::FreeswitchCsv,
        fixture!("freeswitch_default.csv"),
        1,
        None,
        &utc(),
    );
    assert!(p.quarantined.is_empty(), "{:?}", p.quarantined);
    let codes: Vec<&str> = p
        .cdrs
        .iter()
        .map(|(_, c)| c.account_code.as_str())
        .collect();
    assert_eq!(codes, ["cust-7", "cust-7", ""]);
    assert_eq!(answered(&p), 1);
    assert_eq!(p.cdrs[0].1.destination, "0033612345678");
}

#[test]
fn freeswitch_local_times_follow_the_zone() {
    let opts = ParseOptions {
        time_zone: jiff::tz::TimeZone::get("Asia/Kolkata").unwrap(),
        ..utc()
    };
    let utc_p = parse_lines(
        Format::FreeswitchCsv,
        fixture!("freeswitch_example.csv"),
        1,
        None,
        &utc(),
    );
    let ist = parse_lines(
        Format::FreeswitchCsv,
        fixture!("freeswitch_example.csv"),
        1,
        None,
        &opts,
    );
    for ((_, a), (_, b)) in utc_p.cdrs.iter().zip(&ist.cdrs) {
        assert_eq!(a.start - b.start, 5 * 3600 + 1800);
        assert_eq!(a.answer.map(|t| t - 19_800), b.answer);
    }
}

const GENERIC_MAPPING: &str = "call_id=uuid,account_code=accountcode,source_number=caller,\
                               destination=dnis,start=calldate,answer=answered_at,end=ended_at,\
                               disposition=status,sip_code=sip,source_ip=ip";

#[test]
fn generic_fixture() {
    let opts = ParseOptions {
        mapping: Some(GENERIC_MAPPING.parse().unwrap()),
        ..utc()
    };
    let p = parse_lines(Format::GenericCsv, fixture!("generic.csv"), 1, None, &opts);
    assert_eq!(
        p.header.as_deref(),
        Some(
            &b"\xef\xbb\xbfuuid,Leg,accountcode,caller,dnis,calldate,answered_at,ended_at,\
               billsec,status,sip,direction,ip"[..]
        )
    );
    assert_eq!(lines_of(&p), [2, 3, 4, 8]);
    assert_eq!(quarantined_lines(&p), [5, 6]);
    assert_eq!(
        p.quarantined[0].reason,
        r#"start (column "calldate") "2024-03-01 25:00:00" is not a date-time (YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds)"#
    );
    assert_eq!(p.quarantined[1].reason, "has 11 fields; the header has 13");

    let g1 = cdr_at(&p, 2);
    assert_eq!(g1.call_id, "g-1");
    assert_eq!(g1.leg, Leg::A);
    assert_eq!(g1.account_code, "acme");
    assert_eq!(g1.source_number, "+15551230001");
    assert_eq!(g1.destination, "+442079460000");
    assert_eq!(g1.start, 1_709_287_200);
    assert_eq!(g1.answer, Some(1_709_287_205));
    assert_eq!(g1.end, Some(1_709_287_265));
    assert_eq!((g1.duration, g1.billsec), (65, 60));
    assert!(g1.answered);
    assert_eq!(g1.release_reason, "ANSWERED");
    assert_eq!(g1.sip_code, Some(200));
    assert_eq!(g1.direction, "outbound");
    assert_eq!(g1.source_ip, "198.51.100.7");

    let g2 = cdr_at(&p, 3);
    assert_eq!(g2.start, 1_709_283_900, "RFC 3339 with an offset");
    assert_eq!(g2.answer, None);
    assert!(!g2.answered);
    assert_eq!(g2.sip_code, Some(486));
    assert_eq!(g2.duration, 20);

    let g3 = cdr_at(&p, 4);
    assert_eq!(g3.leg, Leg::B);
    assert_eq!(g3.account_code, "Acme, Inc.");
    assert_eq!(g3.start, 1_709_287_800, "Unix seconds");
    assert_eq!(g3.billsec, 120, "H:MM:SS");
    assert!(g3.answered, "disposition 'answered', any case");
    assert_eq!(g3.sip_code, None);
    assert_eq!(g3.source_ip, "");

    assert_eq!(cdr_at(&p, 8).sip_code, Some(200));
}

#[test]
fn generic_header_from_an_earlier_chunk() {
    let opts = ParseOptions {
        mapping: Some(GENERIC_MAPPING.parse().unwrap()),
        ..utc()
    };
    let input = fixture!("generic.csv");
    let first_line_end = input.iter().position(|&b| b == b'\n').unwrap() + 1;
    let header = &input[..first_line_end - 1];
    let body = &input[first_line_end..];
    let p = parse_lines(Format::GenericCsv, body, 2, Some(header), &opts);
    assert_eq!(p.header, None);
    assert_eq!(lines_of(&p), [2, 3, 4, 8]);
    assert_eq!(quarantined_lines(&p), [5, 6]);
}

#[test]
fn generic_with_an_unusable_header_quarantines_every_row() {
    let opts = ParseOptions {
        mapping: Some("destination=called".parse().unwrap()),
        ..utc()
    };
    let p = parse_lines(Format::GenericCsv, fixture!("generic.csv"), 1, None, &opts);
    assert!(p.cdrs.is_empty());
    assert_eq!(quarantined_lines(&p), [2, 3, 4, 5, 6, 8]);
    assert!(p.header.is_some());
    assert!(
        p.quarantined[0].reason.starts_with(
            r#"not read: column "called" (mapped to destination) is not in the header: uuid, Leg,"#
        ),
        "{}",
        p.quarantined[0].reason
    );
    // A header given that is empty refuses every row too, rather than take one as the header.
    let p = parse_lines(Format::GenericCsv, b"a,b\nc,d\n", 5, Some(b""), &opts);
    assert_eq!(quarantined_lines(&p), [5, 6]);
    assert_eq!(p.quarantined[0].reason, "the header row given is empty");
}

#[test]
fn empty_input_parses_to_nothing() {
    for f in Format::ALL {
        assert_eq!(
            parse_lines(f, b"", 1, None, &utc()),
            Parsed::default(),
            "{f}"
        );
        let blank = parse_lines(f, b"\n\n\r\n", 1, None, &utc());
        assert!(blank.cdrs.is_empty() && blank.quarantined.is_empty(), "{f}");
    }
}

#[test]
fn json_documents_through_parse_lines() {
    let p = parse_lines(
        Format::FreeswitchJson,
        fixture!("fs_json_lines.jsonl"),
        1,
        None,
        &utc(),
    );
    assert_eq!(lines_of(&p), [1, 2, 4]);
    assert_eq!(quarantined_lines(&p), [3]);
    assert!(
        p.quarantined[0].reason.starts_with("not a JSON document"),
        "{}",
        p.quarantined[0].reason
    );
    assert_eq!(p.cdrs[0].1.call_id, "c8ccef5e-5555-4fd2-9a2e-fa6f295f3a1e");
    assert_eq!(p.cdrs[1].1.leg, Leg::B);
    assert_eq!(p.cdrs[2].1.call_id, "6a1f0c2e-1111-4d2b-9c3a-0000000000a1");

    // Pretty documents one after the other, starting at line 40 of some file.
    let mut two = fixture!("fs_json_aleg_unanswered_urlenc.json").to_vec();
    let first_len = two.iter().filter(|&&b| b == b'\n').count() as u64;
    two.extend_from_slice(fixture!("fs_json_answered_plain_tabs.json"));
    let p = parse_lines(Format::FreeswitchJson, &two, 40, None, &utc());
    assert!(p.quarantined.is_empty(), "{:?}", p.quarantined);
    assert_eq!(lines_of(&p), [40, 40 + first_len]);

    // A document that is JSON but not a CDR is quarantined with its reason.
    let p = parse_lines(Format::FreeswitchJson, b"[1,2]\n{}\n", 1, None, &utc());
    assert_eq!(quarantined_lines(&p), [1, 2]);
    assert_eq!(
        p.quarantined[0].reason,
        "a mod_json_cdr document is a JSON object, not an array"
    );
}

#[test]
fn parse_json_reads_the_fixture_documents() {
    for (doc, id, answered) in [
        (
            fixture!("fs_json_aleg_unanswered_urlenc.json"),
            "6a1f0c2e-1111-4d2b-9c3a-0000000000a1",
            false,
        ),
        (
            fixture!("fs_json_bleg_unanswered_urlenc.json"),
            "6a1f0c2e-2222-4d2b-9c3a-0000000000b1",
            false,
        ),
        (
            fixture!("fs_json_answered_plain_tabs.json"),
            "3da8bf84-3333-4959-9e24-e72875cb33a1",
            true,
        ),
        (
            fixture!("fs_json_2013_answered_urlenc_compact.json"),
            "c8ccef5e-5555-4fd2-9a2e-fa6f295f3a1e",
            true,
        ),
    ] {
        let cdr = parse_json(doc, &utc()).unwrap();
        assert_eq!(cdr.call_id, id);
        assert_eq!(cdr.answered, answered, "{id}");
    }
}
