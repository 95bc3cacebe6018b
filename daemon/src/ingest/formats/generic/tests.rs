use super::*;
use crate::ingest::formats::{Format, parse_lines};

fn opts(mapping: &str) -> ParseOptions {
    ParseOptions {
        mapping: Some(mapping.parse().unwrap()),
        ..ParseOptions::default()
    }
}

fn parse_one(header: &str, row: &str, opts: &ParseOptions) -> Result<RawCdr, String> {
    let input = format!("{header}\n{row}\n");
    let p = parse_lines(Format::GenericCsv, input.as_bytes(), 1, None, opts);
    match (p.cdrs.as_slice(), p.quarantined.as_slice()) {
        ([(2, cdr)], []) => Ok(cdr.clone()),
        ([], [q]) => {
            assert_eq!(q.line, 2);
            Err(q.reason.clone())
        }
        other => panic!("unexpected {other:?}"),
    }
}

const NATIVE: &str = "call_id,destination,start,billsec";

#[test]
fn mapping_from_str_and_display() {
    let m: GenericMapping = " call_id = uuid , destination=dnis,start=calldate,"
        .parse()
        .unwrap();
    assert_eq!(m.column("call_id"), Some("uuid"));
    assert_eq!(m.column("destination"), Some("dnis"));
    assert_eq!(m.column("billsec"), None);
    assert_eq!(m.column("nonsense"), None);
    assert_eq!(
        m.to_string(),
        "call_id=uuid,destination=dnis,start=calldate"
    );
    assert_eq!(m.to_string().parse::<GenericMapping>().unwrap(), m);
    assert_eq!("".parse::<GenericMapping>().unwrap(), GenericMapping::new());

    assert_eq!(
        "call_id=uuid,dnis=destination"
            .parse::<GenericMapping>()
            .unwrap_err(),
        format!(
            "unknown field \"dnis\" in the CDR column mapping; the fields are {}",
            GenericMapping::FIELDS.join(", ")
        )
    );
    assert_eq!(
        "call_id".parse::<GenericMapping>().unwrap_err(),
        "\"call_id\" in the CDR column mapping is not FIELD=COLUMN"
    );
    assert_eq!(
        "call_id=a,call_id=b".parse::<GenericMapping>().unwrap_err(),
        "field call_id is mapped twice in the CDR column mapping"
    );
    assert_eq!(
        "start= ".parse::<GenericMapping>().unwrap_err(),
        "field start is mapped to an empty column name"
    );
}

#[test]
fn mapping_map_replaces() {
    let mut m = GenericMapping::new();
    m.map("start", "a").unwrap();
    m.map("start", "b").unwrap();
    assert_eq!(m.to_string(), "start=b");
    assert!(m.map("begin", "x").is_err());
}

#[test]
fn mapping_serde_is_a_string() {
    let m: GenericMapping = "call_id=uuid,start=calldate".parse().unwrap();
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, "\"call_id=uuid,start=calldate\"");
    assert_eq!(serde_json::from_str::<GenericMapping>(&json).unwrap(), m);
    assert!(serde_json::from_str::<GenericMapping>("\"when=calldate\"").is_err());
}

#[test]
fn fields_list_matches_the_enum() {
    for (i, f) in FIELDS.iter().enumerate() {
        assert_eq!(f.index(), i);
        assert_eq!(GenericMapping::FIELDS[i], f.name());
        assert_eq!(Field::from_name(f.name()), Some(*f));
    }
}

#[test]
fn native_names_need_no_mapping() {
    let cdr = parse_one(
        "Call_ID,DESTINATION,start,billsec,answered,leg,account_code,customer_hint",
        "x1,4420,2024-03-01 10:00:00,30,no,B,acme,Acme Ltd",
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(cdr.call_id, "x1");
    assert_eq!(cdr.destination, "4420");
    assert_eq!(cdr.billsec, 30);
    assert_eq!(cdr.duration, 30, "no end: the duration is the billsec");
    assert!(!cdr.answered, "the answered column wins over billsec");
    assert_eq!(cdr.leg, Leg::B);
    assert_eq!(cdr.customer_hint.as_deref(), Some("Acme Ltd"));
}

#[test]
fn customer_variable_names_a_column() {
    let o = ParseOptions {
        customer_variable: Some("tenant".into()),
        ..ParseOptions::default()
    };
    let cdr = parse_one(&format!("{NATIVE},tenant"), "x,1,0000000001,5,t-9", &o).unwrap();
    assert_eq!(cdr.customer_hint.as_deref(), Some("t-9"));
    let cdr = parse_one(&format!("{NATIVE},tenant"), "x,1,0000000001,5,", &o).unwrap();
    assert_eq!(cdr.customer_hint, None);
}

#[test]
fn required_columns() {
    let d = ParseOptions::default();
    let err = parse_one("call_id,destination,billsec", "x,1,5", &d).unwrap_err();
    assert_eq!(
        err,
        "not read: the header has no column for start (name one \"start\" or map it: \
         start=COLUMN); its columns are call_id, destination, billsec"
    );
    let err = parse_one("call_id,destination,start,answer", "x,1,2,3", &d).unwrap_err();
    assert!(
        err.contains("no column for end")
            && err.ends_with("without a billsec column, answer and end are needed"),
        "{err}"
    );
    let cdr = parse_one(
        "call_id,destination,start,answer,end",
        "x,1,2024-03-01 10:00:00,2024-03-01 10:00:10,2024-03-01 10:01:10",
        &d,
    )
    .unwrap();
    assert_eq!((cdr.duration, cdr.billsec), (70, 60));
    assert!(cdr.answered, "billsec from the times > 0");
}

#[test]
fn check_header_refuses_early() {
    let m: GenericMapping = "call_id=uuid,destination=dnis".parse().unwrap();
    let d = ParseOptions::default();
    assert!(m.check_header(b"uuid,dnis,start,billsec", &d).is_ok());
    assert!(
        m.check_header(b"\xef\xbb\xbfUUID,DNIS,Start,Billsec\r\n", &d)
            .is_ok()
    );
    assert_eq!(
        m.check_header(b"id,dnis,start,billsec", &d).unwrap_err(),
        "column \"uuid\" (mapped to call_id) is not in the header: id, dnis, start, billsec"
    );
    assert_eq!(
        m.check_header(b"", &d).unwrap_err(),
        "the header row is empty"
    );
}

#[test]
fn values_and_their_errors() {
    let d = ParseOptions::default();
    let h = "call_id,destination,start,answer,end,billsec,duration,leg,sip_code,answered";
    let ok = "x,1,2024-03-01 10:00:00,0,,7.2,00:01:05,a,,1";
    let cdr = parse_one(h, ok, &d).unwrap();
    assert_eq!(cdr.answer, None, "0 is no answer time");
    assert_eq!(cdr.billsec, 8);
    assert_eq!(cdr.duration, 65);
    assert!(cdr.answered);

    let cases = [
        (",1,2024-03-01 10:00:00,,,5,,,,", "call_id is empty"),
        ("x,1,,,,5,,,,", "start is empty"),
        (
            "x,1,2024-03-01 10:00:00,,,5,,c,,",
            "leg \"c\" is not a or b",
        ),
        (
            "x,1,2024-03-01 10:00:00,,,5,,,600s,",
            "sip_code \"600s\" is not a SIP response code (100 to 699)",
        ),
        (
            "x,1,2024-03-01 10:00:00,,,5,,,,maybe",
            "answered \"maybe\" is not yes or no (1/0, true/false)",
        ),
        (
            "x,1,2024-03-01 10:00:00,,,5,1:75:00,,,",
            "duration \"1:75:00\" is not a number of seconds (or H:MM:SS)",
        ),
        (
            "x,1,2024-03-01 10:00:00,,,-5,,,,",
            "billsec \"-5\" is not a number of seconds (or H:MM:SS)",
        ),
        (
            "x,1,2024-03-01 10:00:00,,yesterday,5,,,,",
            "end \"yesterday\" is not a date-time (YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds)",
        ),
        (
            "x,1,2024-03-01 10:00:00,,,5,,,",
            "has 9 fields; the header has 10",
        ),
        (
            "x,1,2024-03-01 10:00:00,,,5,,,,,",
            "has 11 fields; the header has 10",
        ),
    ];
    for (row, want) in cases {
        assert_eq!(parse_one(h, row, &d).unwrap_err(), want, "{row}");
    }
}

#[test]
fn disposition_is_the_release_reason_unless_mapped() {
    let d = ParseOptions::default();
    let cdr = parse_one(
        "call_id,destination,start,billsec,disposition",
        "x,1,1709287200,0,CONNECTED",
        &d,
    )
    .unwrap();
    assert!(cdr.answered, "disposition decides, even with billsec 0");
    assert_eq!(cdr.release_reason, "CONNECTED");
    let cdr = parse_one(
        "call_id,destination,start,billsec,disposition,release_reason",
        "x,1,1709287200,9,FAILED,503 Service Unavailable",
        &d,
    )
    .unwrap();
    assert!(!cdr.answered);
    assert_eq!(cdr.release_reason, "503 Service Unavailable");
    let o = opts("disposition=status,release_reason=status");
    let cdr = parse_one(
        "call_id,destination,start,billsec,status",
        "x,1,1709287200,9,ANSWER",
        &o,
    )
    .unwrap();
    assert!(cdr.answered);
    assert_eq!(cdr.release_reason, "ANSWER");
}

#[test]
fn repeated_header_rows_are_skipped_and_labels_name_columns() {
    let o = opts("start=calldate");
    let input = "call_id,destination,calldate,billsec\nx,1,bad,5\ncall_id,destination,calldate,billsec\ny,2,1709287200,5\n";
    let p = parse_lines(Format::GenericCsv, input.as_bytes(), 1, None, &o);
    assert_eq!(p.cdrs.len(), 1);
    assert_eq!(p.cdrs[0].0, 4);
    assert_eq!(p.quarantined.len(), 1);
    assert_eq!(
        p.quarantined[0].reason,
        "start (column \"calldate\") \"bad\" is not a date-time (YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds)"
    );
    assert_eq!(
        p.header.as_deref(),
        Some(&b"call_id,destination,calldate,billsec"[..])
    );
}

#[test]
fn local_times_use_the_zone_and_offsets_do_not() {
    let o = ParseOptions {
        time_zone: jiff::tz::TimeZone::get("Europe/Paris").unwrap(),
        ..ParseOptions::default()
    };
    let h = "call_id,destination,start,billsec";
    let local = parse_one(h, "x,1,2024-03-01 11:00:00,5", &o).unwrap();
    let zoned = parse_one(h, "x,1,2024-03-01T10:00:00Z,5", &o).unwrap();
    let epoch = parse_one(h, "x,1,1709287200,5", &o).unwrap();
    assert_eq!(local.start, 1_709_287_200);
    assert_eq!(zoned.start, 1_709_287_200);
    assert_eq!(epoch.start, 1_709_287_200);
}

#[test]
fn clock_durations() {
    assert_eq!(clock_duration(b"0:02:00"), Some(120));
    assert_eq!(clock_duration(b"1:00:01"), Some(3601));
    assert_eq!(clock_duration(b"2:05"), Some(125));
    assert_eq!(clock_duration(b"100:00:00"), Some(360_000));
    for bad in [
        &b"1"[..],
        b"1:2",
        b"1:60",
        b"::",
        b"1:00:00:00",
        b"a:00",
        b"1:-1",
    ] {
        assert_eq!(
            clock_duration(bad),
            None,
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn booleans() {
    for t in ["1", "true", "TRUE", "t", "yes", "Y", "answered"] {
        assert_eq!(boolean(t.as_bytes()), Some(true), "{t}");
    }
    for f in ["0", "false", "F", "no", "n", ""] {
        assert_eq!(boolean(f.as_bytes()), Some(false), "{f}");
    }
    assert_eq!(boolean(b"maybe"), None);
}
