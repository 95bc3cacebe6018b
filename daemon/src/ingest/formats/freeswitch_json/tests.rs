use base64::engine::general_purpose::STANDARD;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::*;

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

const ALEG: &[u8] = fixture!("fs_json_aleg_unanswered_urlenc.json");
const BLEG: &[u8] = fixture!("fs_json_bleg_unanswered_urlenc.json");
const PLAIN: &[u8] = fixture!("fs_json_answered_plain_tabs.json");
const OLD: &[u8] = fixture!("fs_json_2013_answered_urlenc_compact.json");

fn opts() -> ParseOptions {
    ParseOptions {
        customer_variable: Some("portico_customer".into()),
        ..ParseOptions::default()
    }
}

fn parse(doc: &[u8]) -> Result<RawCdr, String> {
    parse_document(doc, &opts())
}

fn value(doc: &[u8]) -> Value {
    serde_json::from_slice(doc).unwrap()
}

fn parse_value(v: &Value) -> Result<RawCdr, String> {
    parse(serde_json::to_string(v).unwrap().as_bytes())
}

fn vars(v: &mut Value) -> &mut Object {
    v["variables"].as_object_mut().unwrap()
}

#[test]
fn inbound_a_leg_url_encoded_unanswered() {
    let cdr = parse(ALEG).unwrap();
    assert_eq!(
        cdr,
        RawCdr {
            call_id: "6a1f0c2e-1111-4d2b-9c3a-0000000000a1".into(),
            leg: Leg::A,
            account_code: "cust-1001".into(),
            customer_hint: Some("acme corp".into()),
            source_number: "1001".into(),
            destination: "1003".into(),
            start: 1_762_942_902,
            answer: None,
            end: Some(1_762_942_916),
            duration: 14,
            billsec: 0,
            answered: false,
            release_reason: "ORIGINATOR_CANCEL".into(),
            sip_code: Some(487),
            direction: "inbound".into(),
            source_ip: "203.0.113.77".into(),
        }
    );
}

#[test]
fn outbound_b_leg_url_encoded() {
    let cdr = parse(BLEG).unwrap();
    assert_eq!(
        cdr.call_id, "6a1f0c2e-2222-4d2b-9c3a-0000000000b1",
        "not call_uuid"
    );
    assert_eq!(cdr.leg, Leg::B);
    assert_eq!(cdr.direction, "outbound");
    assert_eq!(cdr.account_code, "");
    assert_eq!(cdr.customer_hint, None);
    assert_eq!(cdr.sip_code, Some(487), "from sip%3A487");
    assert_eq!(cdr.source_ip, "203.0.113.78");
    assert_eq!(
        (cdr.source_number.as_str(), cdr.destination.as_str()),
        ("1001", "1003")
    );
    assert_eq!(
        (cdr.start, cdr.end, cdr.duration),
        (1_762_942_912, Some(1_762_942_916), 4)
    );
}

#[test]
fn plain_values_tab_layout_two_callflows() {
    let cdr = parse(PLAIN).unwrap();
    assert_eq!(cdr.call_id, "3da8bf84-3333-4959-9e24-e72875cb33a1");
    assert_eq!(cdr.leg, Leg::A);
    // Not URL-encoded: a literal % stays.
    assert_eq!(cdr.customer_hint.as_deref(), Some("Acme 100%"));
    // The newest caller profile (profile_index 2) is where the call went.
    assert_eq!(cdr.destination, "0044207946000");
    assert_eq!(cdr.source_number, "1001");
    assert_eq!(cdr.start, 1_515_669_944);
    assert_eq!(cdr.answer, Some(1_515_669_947));
    assert_eq!(cdr.end, Some(1_515_670_015));
    assert_eq!((cdr.duration, cdr.billsec), (71, 68));
    assert!(cdr.answered);
    assert_eq!(cdr.sip_code, Some(200));
    assert_eq!(cdr.account_code, "");
    assert_eq!(cdr.source_ip, "10.10.10.100");

    // The callflow order does not matter, the profile_index does.
    let mut v = value(PLAIN);
    v["callflow"].as_array_mut().unwrap().reverse();
    assert_eq!(parse_value(&v).unwrap().destination, "0044207946000");
}

#[test]
fn old_layout_compact_callflow_object() {
    let cdr = parse(OLD).unwrap();
    assert_eq!(cdr.call_id, "c8ccef5e-5555-4fd2-9a2e-fa6f295f3a1e");
    assert_eq!(cdr.leg, Leg::A);
    assert_eq!(cdr.account_code, "1001");
    assert_eq!(cdr.destination, "1002");
    assert_eq!(cdr.start, 1_368_707_608);
    assert_eq!(cdr.answer, Some(1_368_707_611));
    assert_eq!((cdr.duration, cdr.billsec), (24, 21));
    assert!(cdr.answered);
    assert_eq!(cdr.sip_code, Some(200));
    assert_eq!(cdr.source_ip, "192.0.2.1");
}

#[test]
fn leg_without_direction_keys() {
    for (doc, leg) in [(BLEG, Leg::B), (ALEG, Leg::A)] {
        let mut v = value(doc);
        vars(&mut v).remove("direction");
        v["channel_data"]
            .as_object_mut()
            .unwrap()
            .remove("direction");
        let cdr = parse_value(&v).unwrap();
        assert_eq!(cdr.leg, leg);
        assert_eq!(cdr.direction, "");
    }
    // channel_data.direction alone decides too.
    let mut v = value(BLEG);
    vars(&mut v).remove("direction");
    assert_eq!(parse_value(&v).unwrap().leg, Leg::B);
    // A switch-originated call is a lone outbound channel: a B-leg by direction.
    let mut v = value(ALEG);
    vars(&mut v).insert("direction".into(), "outbound".into());
    assert_eq!(parse_value(&v).unwrap().leg, Leg::B);
}

#[test]
fn form_bodies() {
    let want = parse(ALEG).unwrap();
    let compact = serde_json::to_string(&value(ALEG)).unwrap();

    let urlenc = format!("cdr={}", utf8_percent_encode(&compact, NON_ALPHANUMERIC));
    assert_eq!(parse(urlenc.as_bytes()).unwrap(), want);

    // A form encoder that writes spaces as `+`.
    let plain = serde_json::to_string(&value(PLAIN)).unwrap();
    let plus = format!(
        "cdr={}",
        utf8_percent_encode(&plain, NON_ALPHANUMERIC)
            .to_string()
            .replace("%20", "+")
    );
    assert_eq!(parse(plus.as_bytes()).unwrap(), parse(PLAIN).unwrap());

    // Raw JSON after cdr= (no encoding at all), and a trailing form field.
    let raw = format!("cdr={plain}&other=1");
    assert_eq!(parse(raw.as_bytes()).unwrap(), parse(PLAIN).unwrap());

    // encode=base64.
    let b64 = format!("cdr={}", STANDARD.encode(&compact));
    assert_eq!(parse(b64.as_bytes()).unwrap(), want);
    let b64_pct = format!(
        "cdr={}",
        utf8_percent_encode(&STANDARD.encode(&compact), NON_ALPHANUMERIC)
    );
    assert_eq!(parse(b64_pct.as_bytes()).unwrap(), want);

    assert_eq!(
        parse(b"cdr=!!!").unwrap_err(),
        "the cdr= form field holds neither URL-encoded JSON nor base64 JSON"
    );
}

#[test]
fn non_utf8_bytes_do_not_stop_a_document() {
    let mut doc = PLAIN.to_vec();
    let at = doc.windows(7).position(|w| w == b"FSDev2\"").unwrap();
    doc[at + 1] = 0xE9;
    let cdr = parse(&doc).unwrap();
    assert_eq!(cdr.call_id, "3da8bf84-3333-4959-9e24-e72875cb33a1");
    // And a BOM before the document.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(PLAIN);
    assert!(parse(&bom).is_ok());
}

#[test]
fn url_encoding_detection() {
    let mut m = Object::new();
    let s = |v: &str| Value::String(v.into());
    m.insert("start_stamp".into(), s("2025-11-12%2010%3A21%3A42"));
    assert!(is_url_encoded(&m));
    m.insert("start_stamp".into(), s("2025-11-12 10:21:42"));
    assert!(!is_url_encoded(&m));

    let mut m = Object::new();
    m.insert("a".into(), s("sofia/internal/1001%40192.0.2.1"));
    assert!(is_url_encoded(&m), "escapes and no unsafe character");
    m.insert("b".into(), s("1001@192.0.2.1"));
    assert!(!is_url_encoded(&m), "an @ is never left by the encoder");

    let mut m = Object::new();
    m.insert("ringback".into(), s("%(2000,4000,440,480)"));
    assert!(!is_url_encoded(&m), "no %XX at all");
    m.insert("name".into(), s("Jos\u{e9}"));
    assert!(!is_url_encoded(&m));
}

#[test]
fn encoded_values_decode_once_and_tolerantly() {
    let mut v = value(ALEG);
    vars(&mut v).insert("portico_customer".into(), "100%zz%2541".into());
    let cdr = parse_value(&v).unwrap();
    assert_eq!(cdr.customer_hint.as_deref(), Some("100%zz%41"));
}

#[test]
fn times_fall_back_from_epoch_to_uepoch_stamp_and_callflow() {
    let base = parse(ALEG).unwrap();
    let mut v = value(ALEG);
    vars(&mut v).remove("start_epoch");
    assert_eq!(parse_value(&v).unwrap().start, base.start, "start_uepoch");
    vars(&mut v).remove("start_uepoch");
    assert_eq!(
        parse_value(&v).unwrap().start,
        base.start,
        "start_stamp in UTC"
    );
    let kolkata = ParseOptions {
        time_zone: jiff::tz::TimeZone::get("Asia/Kolkata").unwrap(),
        ..opts()
    };
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(
        parse_document(json.as_bytes(), &kolkata).unwrap().start,
        base.start - 19_800,
        "start_stamp is local time"
    );
    vars(&mut v).remove("start_stamp");
    assert_eq!(
        parse_value(&v).unwrap().start,
        base.start,
        "callflow created_time"
    );
    v["callflow"][0]["times"]
        .as_object_mut()
        .unwrap()
        .remove("created_time");
    assert_eq!(
        parse_value(&v).unwrap_err(),
        "the document has no start time (variables.start_epoch, start_stamp)"
    );

    // An epoch that is not a number is an error, not a silent fallback.
    let mut v = value(ALEG);
    vars(&mut v).insert("end_epoch".into(), "soon".into());
    assert_eq!(
        parse_value(&v).unwrap_err(),
        r#"variables.end_epoch "soon" is not a number"#
    );
    let mut v = value(PLAIN);
    vars(&mut v).remove("answer_epoch");
    vars(&mut v).insert("answer_stamp".into(), "yesterday".into());
    assert_eq!(
        parse_value(&v).unwrap_err(),
        r#"variables.answer_stamp "yesterday" is not a date-time (YYYY-MM-DD HH:MM:SS)"#
    );
}

#[test]
fn durations_from_times_and_numbers_as_numbers() {
    let mut v = value(PLAIN);
    vars(&mut v).remove("duration");
    vars(&mut v).remove("billsec");
    let cdr = parse_value(&v).unwrap();
    assert_eq!((cdr.duration, cdr.billsec), (71, 68));
    vars(&mut v).insert("billsec".into(), serde_json::json!(68));
    assert_eq!(parse_value(&v).unwrap().billsec, 68);
    vars(&mut v).insert("billsec".into(), "68s".into());
    assert_eq!(
        parse_value(&v).unwrap_err(),
        r#"variables.billsec "68s" is not a number of seconds"#
    );
}

#[test]
fn answered_by_billsec_when_the_answer_time_is_missing() {
    let mut v = value(PLAIN);
    for k in ["answer_epoch", "answer_stamp"] {
        vars(&mut v).remove(k);
    }
    v["callflow"][0]["times"]
        .as_object_mut()
        .unwrap()
        .remove("answered_time");
    let cdr = parse_value(&v).unwrap();
    assert_eq!(cdr.answer, None);
    assert!(cdr.answered);
}

#[test]
fn call_id_fallback_and_refusals() {
    let mut v = value(ALEG);
    vars(&mut v).remove("uuid");
    assert_eq!(
        parse_value(&v).unwrap().call_id,
        "6a1f0c2e-1111-4d2b-9c3a-0000000000a1",
        "caller profile uuid"
    );
    v["callflow"][0]["caller_profile"]
        .as_object_mut()
        .unwrap()
        .remove("uuid");
    assert_eq!(
        parse_value(&v).unwrap_err(),
        "the document has no variables.uuid (nor a caller profile uuid)"
    );

    assert_eq!(parse(b"").unwrap_err(), "the document is empty");
    assert_eq!(parse(b"  \n").unwrap_err(), "the document is empty");
    assert!(
        parse(b"{\"variables\":")
            .unwrap_err()
            .starts_with("not a JSON document: ")
    );
    assert_eq!(
        parse(b"\"cdr\"").unwrap_err(),
        "a mod_json_cdr document is a JSON object, not a string"
    );
    assert_eq!(
        parse(b"{\"core-uuid\":\"x\"}").unwrap_err(),
        "the document has no \"variables\" object; is it a FreeSWITCH mod_json_cdr CDR?"
    );
}

#[test]
fn sip_code_sources_in_order() {
    let mut v = value(PLAIN);
    vars(&mut v).insert("sip_term_status".into(), "486".into());
    assert_eq!(parse_value(&v).unwrap().sip_code, Some(486));
    vars(&mut v).remove("sip_term_status");
    vars(&mut v).remove("last_bridge_proto_specific_hangup_cause");
    assert_eq!(parse_value(&v).unwrap().sip_code, None);
    vars(&mut v).insert("proto_specific_hangup_cause".into(), "sip:503".into());
    assert_eq!(parse_value(&v).unwrap().sip_code, Some(503));
    vars(&mut v).insert("proto_specific_hangup_cause".into(), "q850:16".into());
    assert_eq!(parse_value(&v).unwrap().sip_code, None);
}

#[test]
fn source_ip_fallbacks() {
    let mut v = value(PLAIN);
    vars(&mut v).remove("sip_network_ip");
    vars(&mut v).insert("sip_received_ip".into(), "10.0.0.9".into());
    assert_eq!(parse_value(&v).unwrap().source_ip, "10.0.0.9");
    vars(&mut v).remove("sip_received_ip");
    assert_eq!(
        parse_value(&v).unwrap().source_ip,
        "10.10.10.100",
        "network_addr"
    );
}

#[test]
fn stream_resynchronises_after_a_broken_document() {
    let mut input = b"{\"variables\": {\"uuid\": \n  \"x\"\n".to_vec();
    input.extend_from_slice(OLD);
    input.push(b'\n');
    let mut out = Parsed::default();
    parse_stream(&input, 10, &opts(), &mut out);
    assert_eq!(out.quarantined.len(), 1);
    assert_eq!(out.quarantined[0].line, 10);
    assert_eq!(out.cdrs.len(), 1);
    assert_eq!(out.cdrs[0].0, 12);

    // Form bodies one per line are read too.
    let compact = serde_json::to_string(&value(ALEG)).unwrap();
    let line = format!(
        "cdr={}\n\u{feff}cdr={}\n",
        utf8_percent_encode(&compact, NON_ALPHANUMERIC),
        STANDARD.encode(&compact)
    );
    let mut out = Parsed::default();
    parse_stream(line.as_bytes(), 1, &opts(), &mut out);
    assert!(out.quarantined.is_empty(), "{:?}", out.quarantined);
    assert_eq!(out.cdrs.len(), 2);
    assert_eq!((out.cdrs[0].0, out.cdrs[1].0), (1, 2));
}
