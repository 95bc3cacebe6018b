//! FreeSWITCH `mod_json_cdr` documents.
//!
//! A document holds `variables` (the channel variables, all strings), `channel_data`,
//! `callflow` (an array of caller profiles, newest first, in 1.2 and later; a single object in
//! older versions), and more that Portico does not need. With `encode-values` (the default)
//! every variable value is URL-encoded (`2025-11-12%2010%3A21%3A42`); caller profiles never
//! are. Whether a document is encoded is told from its values: FreeSWITCH's encoder leaves no
//! space, colon, quote, `<`, `@` and the like in an encoded value, and `start_stamp` always has
//! a space and colons, so `start_stamp` decides, or else any value with such a character means
//! plain. Values of an encoded document are decoded once, tolerantly (`%25(2000,4000,440,480)`
//! is the ringback `%(2000,4000,440,480)`; a `%` not followed by two hex digits stays).
//!
//! mod_json_cdr posts the document as the body (`application/json`), or as the form field
//! `cdr=<URL-encoded JSON>` (`encode=true`), or `cdr=<base64>` (`encode=base64`); all three
//! are read.
//!
//! What is taken from where (the first that is present and not empty):
//!
//! | RawCdr | from |
//! |---|---|
//! | call_id | `variables.uuid`, the current caller profile's `uuid` (never `call_uuid`, which on a B-leg names the A-leg, nor `core-uuid`, which names the switch) |
//! | leg | `variables.direction` or `channel_data.direction`: `inbound` is A, `outbound` B; without either, a caller profile with an `originator` is B |
//! | account_code | `variables.accountcode` |
//! | customer_hint | `variables.<customer_variable>` when configured |
//! | source_number | `variables.caller_id_number`, the current caller profile's `caller_id_number` |
//! | destination | `variables.destination_number`, the current caller profile's `destination_number` (the profile with the highest `profile_index`: after a transfer, where the call went, as `${destination_number}` in mod_cdr_csv) |
//! | start, answer, end | `variables.*_epoch` (UTC; 0 is absent), `*_uepoch`, `*_stamp` (local, in the configured zone), the callflow `times` (`created_time`, `answered_time`, `hangup_time`, microseconds) |
//! | duration, billsec | `variables.duration`, `variables.billsec`; else from the times |
//! | answered | answer time or billsec > 0 |
//! | release_reason | `variables.hangup_cause` |
//! | sip_code | `variables.sip_term_status`, `last_bridge_proto_specific_hangup_cause` (`sip:486`), `proto_specific_hangup_cause` |
//! | direction | as for leg |
//! | source_ip | `variables.sip_network_ip`, `variables.sip_received_ip`, the caller profile's `network_addr` |
//!
//! A call placed by the switch itself (`originate`) is a lone outbound channel, so a B-leg by
//! this rule, although FreeSWITCH's own `log-b-leg` setting would count it as an A-leg (it has
//! no originator).

use std::borrow::Cow;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use percent_encoding::percent_decode;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use super::clock::{Clock, LOCAL_FORMAT};
use super::fields::{self, show, sip_code, span};
use super::{ParseOptions, Parsed, Quarantined};
use crate::ingest::{Leg, RawCdr};

/// What FreeSWITCH's URL encoder always escapes (besides controls and non-ASCII).
const URL_UNSAFE: &[u8] = b"\r\n #&+:;<=>?@[\\]^`{|}\"";

/// Reads one document (JSON, or a `cdr=` form body).
pub(super) fn parse_document(input: &[u8], opts: &ParseOptions) -> Result<RawCdr, String> {
    let input = strip_bom(input).trim_ascii();
    if input.is_empty() {
        return Err("the document is empty".to_owned());
    }
    let body = unwrap_form(input)?;
    let text = String::from_utf8_lossy(&body);
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("not a JSON document: {e}"))?;
    from_value(&value, opts)
}

/// Reads whole documents one after another (one per line, or pretty-printed) for
/// `parse_lines`: each is parsed on its own, and one that is not JSON is quarantined from its
/// first line up to the next line that starts with `{`.
pub(super) fn parse_stream(input: &[u8], first_line: u64, opts: &ParseOptions, out: &mut Parsed) {
    let text = String::from_utf8_lossy(input);
    let text = text.as_ref();
    let mut pos = 0;
    // Line number of `pos`, kept up to date by counting the newlines passed over.
    let mut line = first_line;
    let mut counted = 0;
    let line_at = |to: usize, line: &mut u64, counted: &mut usize| {
        *line += text.as_bytes()[*counted..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        *counted = to;
    };
    loop {
        let rest = &text[pos..];
        pos += rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}')
                .len();
        if pos >= text.len() {
            break;
        }
        line_at(pos, &mut line, &mut counted);
        let rest = &text[pos..];
        let end = if rest.starts_with("cdr=") {
            Ok(rest.find('\n').unwrap_or(rest.len()))
        } else {
            let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<IgnoredAny>();
            match stream.next() {
                Some(Ok(_)) => Ok(stream.byte_offset()),
                Some(Err(e)) => Err(format!("not a JSON document: {e}")),
                None => break,
            }
        };
        match end {
            Ok(len) => {
                let doc = &rest[..len];
                match parse_document(doc.as_bytes(), opts) {
                    Ok(cdr) => out.cdrs.push((line, cdr)),
                    Err(reason) => out.quarantined.push(Quarantined {
                        line,
                        reason,
                        excerpt: fields::excerpt(doc.as_bytes()),
                    }),
                }
                pos += len.max(1);
            }
            Err(reason) => {
                let skip = rest.find("\n{").map_or(rest.len(), |i| i + 1);
                out.quarantined.push(Quarantined {
                    line,
                    reason,
                    excerpt: fields::excerpt(&rest.as_bytes()[..skip]),
                });
                pos += skip;
            }
        }
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// The JSON inside a `cdr=` form body, or the input itself.
fn unwrap_form(input: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    let Some(value) = input.strip_prefix(b"cdr=") else {
        return Ok(Cow::Borrowed(input));
    };
    // FreeSWITCH escapes `&` inside the value, so a raw one ends the field.
    let value = value
        .split(|&b| b == b'&')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if value.starts_with(b"{") || value.starts_with(b"%7B") || value.starts_with(b"%7b") {
        // A form encodes a space as `+`; FreeSWITCH writes `%20` and escapes a real `+`.
        let spaced: Vec<u8> = value
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        return Ok(Cow::Owned(percent_decode(&spaced).collect()));
    }
    let lenient = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let decoded_pct: Vec<u8> = percent_decode(value).collect();
    for candidate in [value, decoded_pct.as_slice()] {
        let compact: Vec<u8> = candidate
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        if let Ok(json) = lenient.decode(&compact)
            && json.trim_ascii_start().starts_with(b"{")
        {
            return Ok(Cow::Owned(json));
        }
    }
    Err("the cdr= form field holds neither URL-encoded JSON nor base64 JSON".to_owned())
}

type Object = Map<String, Value>;

/// The parts of a document that are read.
struct Doc<'a> {
    vars: &'a Object,
    encoded: bool,
    profile: Option<&'a Object>,
    times: Option<&'a Object>,
    channel_data: Option<&'a Object>,
}

impl<'a> Doc<'a> {
    /// A variable's value, decoded when the document is URL-encoded; `None` when absent or
    /// empty.
    fn var(&self, name: &str) -> Option<Cow<'a, str>> {
        let v = match self.vars.get(name)? {
            Value::String(s) if self.encoded => percent_decode(s.as_bytes()).decode_utf8_lossy(),
            Value::String(s) => Cow::Borrowed(s.as_str()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Owned(b.to_string()),
            _ => return None,
        };
        if v.trim().is_empty() { None } else { Some(v) }
    }

    /// A caller-profile string; never URL-encoded.
    fn profile_str(&self, name: &str) -> Option<&'a str> {
        self.profile?
            .get(name)?
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn var_or_profile(&self, var: &str, profile: &str) -> Option<String> {
        self.var(var)
            .map(|v| v.trim().to_owned())
            .or_else(|| self.profile_str(profile).map(str::to_owned))
    }

    /// An instant from `variables.<epoch>`, `<uepoch>`, `<stamp>` or the callflow time.
    fn instant(
        &self,
        clock: &mut Clock<'_>,
        epoch: &str,
        uepoch: &str,
        stamp: &str,
        flow_time: &str,
    ) -> Result<Option<i64>, String> {
        if let Some(v) = self.var(epoch) {
            let n = whole(&v).ok_or_else(|| {
                format!("variables.{epoch} {} is not a number", show(v.as_bytes()))
            })?;
            if n > 0 {
                return Ok(Some(n));
            }
        }
        if let Some(v) = self.var(uepoch) {
            let n = whole(&v).ok_or_else(|| {
                format!("variables.{uepoch} {} is not a number", show(v.as_bytes()))
            })?;
            if n > 0 {
                return Ok(Some(n / 1_000_000));
            }
        }
        if let Some(v) = self.var(stamp) {
            let v = v.trim();
            return match clock.parse(v.as_bytes()) {
                Some(t) => Ok(Some(t)),
                None => Err(format!(
                    "variables.{stamp} {} is not a date-time ({LOCAL_FORMAT})",
                    show(v.as_bytes())
                )),
            };
        }
        let micros = match self.times.and_then(|t| t.get(flow_time)) {
            Some(Value::String(s)) => whole(s),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        Ok(micros.filter(|&m| m > 0).map(|m| m / 1_000_000))
    }

    fn seconds(&self, name: &str) -> Result<Option<u32>, String> {
        match self.var(name) {
            None => Ok(None),
            Some(v) => match fields::seconds(v.as_bytes()) {
                Ok(s) => Ok(s),
                Err(()) => Err(format!(
                    "variables.{name} {} is not a number of seconds",
                    show(v.as_bytes())
                )),
            },
        }
    }

    fn direction(&self) -> Option<String> {
        self.var("direction")
            .map(|d| d.trim().to_ascii_lowercase())
            .or_else(|| {
                self.channel_data?
                    .get("direction")?
                    .as_str()
                    .map(|d| d.trim().to_ascii_lowercase())
            })
            .filter(|d| !d.is_empty())
    }

    fn has_originator(&self) -> bool {
        let in_profile = self
            .profile
            .and_then(|p| p.get("originator"))
            .is_some_and(|o| !o.is_null());
        in_profile || self.var("originator").is_some()
    }
}

/// A whole number, as FreeSWITCH writes epochs (digits, trimmed).
fn whole(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Whether the variables were URL-encoded by FreeSWITCH (see the module documentation).
fn is_url_encoded(vars: &Object) -> bool {
    if let Some(Value::String(s)) = vars.get("start_stamp") {
        if s.contains([' ', ':']) {
            return false;
        }
        if s.contains("%20") || s.contains("%3A") || s.contains("%3a") {
            return true;
        }
    }
    let mut escaped = false;
    for v in vars.values() {
        let Value::String(s) = v else { continue };
        let b = s.as_bytes();
        if b.iter()
            .any(|&c| !(b' '..=b'~').contains(&c) || URL_UNSAFE.contains(&c))
        {
            return false;
        }
        escaped = escaped
            || b.windows(3)
                .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    }
    escaped
}

/// The current caller profile's callflow entry: the one with the highest `profile_index`.
fn current_callflow(doc: &Object) -> Option<&Object> {
    fn index(cf: &Object) -> u64 {
        match cf.get("profile_index") {
            Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
            Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
            _ => 0,
        }
    }
    match doc.get("callflow")? {
        Value::Object(cf) => Some(cf),
        Value::Array(flows) => {
            let mut best: Option<&Object> = None;
            for cf in flows.iter().filter_map(Value::as_object) {
                if best.is_none_or(|b| index(cf) > index(b)) {
                    best = Some(cf);
                }
            }
            best
        }
        _ => None,
    }
}

fn from_value(value: &Value, opts: &ParseOptions) -> Result<RawCdr, String> {
    let Some(root) = value.as_object() else {
        return Err(format!(
            "a mod_json_cdr document is a JSON object, not {}",
            kind(value)
        ));
    };
    let Some(vars) = root.get("variables").and_then(Value::as_object) else {
        return Err(
            "the document has no \"variables\" object; is it a FreeSWITCH mod_json_cdr CDR?"
                .to_owned(),
        );
    };
    let callflow = current_callflow(root);
    let doc = Doc {
        vars,
        encoded: is_url_encoded(vars),
        profile: callflow.and_then(|cf| cf.get("caller_profile")?.as_object()),
        times: callflow.and_then(|cf| cf.get("times")?.as_object()),
        channel_data: root.get("channel_data").and_then(Value::as_object),
    };
    let call_id = doc
        .var_or_profile("uuid", "uuid")
        .ok_or("the document has no variables.uuid (nor a caller profile uuid)")?;

    let mut clock = Clock::new(&opts.time_zone);
    let start = doc
        .instant(
            &mut clock,
            "start_epoch",
            "start_uepoch",
            "start_stamp",
            "created_time",
        )?
        .ok_or("the document has no start time (variables.start_epoch, start_stamp)")?;
    let answer = doc.instant(
        &mut clock,
        "answer_epoch",
        "answer_uepoch",
        "answer_stamp",
        "answered_time",
    )?;
    let end = doc.instant(
        &mut clock,
        "end_epoch",
        "end_uepoch",
        "end_stamp",
        "hangup_time",
    )?;
    let duration = match doc.seconds("duration")? {
        Some(d) => d,
        None => end.map_or(0, |e| span(start, e)),
    };
    let billsec = match doc.seconds("billsec")? {
        Some(b) => b,
        None => match (answer, end) {
            (Some(a), Some(e)) => span(a, e),
            _ => 0,
        },
    };
    let direction = doc.direction();
    let leg = match direction.as_deref() {
        Some("outbound") => Leg::B,
        Some("inbound") => Leg::A,
        _ if doc.has_originator() => Leg::B,
        _ => Leg::A,
    };
    let sip = [
        "sip_term_status",
        "last_bridge_proto_specific_hangup_cause",
        "proto_specific_hangup_cause",
    ]
    .iter()
    .find_map(|k| doc.var(k).and_then(|v| sip_code(&v)));
    let customer_hint = opts
        .customer_variable
        .as_deref()
        .and_then(|name| doc.var(name))
        .map(|v| v.trim().to_owned());
    let source_ip = doc
        .var("sip_network_ip")
        .or_else(|| doc.var("sip_received_ip"))
        .map(|v| v.trim().to_owned())
        .or_else(|| doc.profile_str("network_addr").map(str::to_owned))
        .unwrap_or_default();
    let owned = |v: Option<Cow<'_, str>>| v.map(|v| v.trim().to_owned()).unwrap_or_default();

    Ok(RawCdr {
        call_id,
        leg,
        account_code: owned(doc.var("accountcode")),
        customer_hint,
        source_number: doc
            .var_or_profile("caller_id_number", "caller_id_number")
            .unwrap_or_default(),
        destination: doc
            .var_or_profile("destination_number", "destination_number")
            .unwrap_or_default(),
        start,
        answer,
        end,
        duration,
        billsec,
        answered: answer.is_some() || billsec > 0,
        release_reason: owned(doc.var("hangup_cause")),
        sip_code: sip,
        direction: direction.unwrap_or_default(),
        source_ip,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
