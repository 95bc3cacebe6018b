//! A call as a switch reported it, before matching and rating.

/// Which leg of a call a CDR describes. A CDR's identity is its call id plus its leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Leg {
    /// The calling side (Asterisk's CDR, FreeSWITCH's inbound leg).
    #[default]
    A,
    /// The called side (FreeSWITCH's outbound leg).
    B,
}

impl Leg {
    /// `a` or `b`.
    pub fn as_str(self) -> &'static str {
        match self {
            Leg::A => "a",
            Leg::B => "b",
        }
    }
}

/// One CDR as parsed from a switch's output. Times are Unix seconds, UTC (a parser converts
/// local times with the source's configured time zone).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawCdr {
    /// Asterisk `uniqueid`, FreeSWITCH `uuid`. Never empty: a parser refuses a record without
    /// one (or derives a stable one from the record's content when the format has none).
    pub call_id: String,
    /// The leg.
    pub leg: Leg,
    /// The account code (`accountcode`), may be empty.
    pub account_code: String,
    /// The value of the configured customer variable (FreeSWITCH), when present.
    pub customer_hint: Option<String>,
    /// The calling number (`src`, `caller_id_number`).
    pub source_number: String,
    /// The dialled number (`dst`, `destination_number`), as the switch wrote it.
    pub destination: String,
    /// When the call started.
    pub start: i64,
    /// When it was answered, if it was.
    pub answer: Option<i64>,
    /// When it ended.
    pub end: Option<i64>,
    /// Seconds from start to end.
    pub duration: u32,
    /// Seconds from answer to end.
    pub billsec: u32,
    /// Whether the call was connected (Asterisk: disposition ANSWERED; FreeSWITCH: answered).
    /// Only connected calls cost anything.
    pub answered: bool,
    /// The release reason: Asterisk's disposition, FreeSWITCH's hangup cause.
    pub release_reason: String,
    /// The SIP response code, when the switch reports one.
    pub sip_code: Option<u16>,
    /// `inbound` or `outbound`, when known (may be empty).
    pub direction: String,
    /// The caller's IP address, when known (may be empty).
    pub source_ip: String,
}
