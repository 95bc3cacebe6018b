//! The load driver's own data: a rate card whose prices are easy to recompute, FreeSWITCH
//! mod_json_cdr documents and Asterisk Master.csv lines, all for calls of the last few days (the
//! portal's CDR page shows the last seven by default).

use serde_json::json;

/// Per-second prices (1/1 increments, no connect fee), so a charge is `billsec * price`.
pub const RATES: &str = "prefix,name,rate,connect_fee,first_increment,next_increment\n\
                         44,United Kingdom,0.0600,0,1,1\n\
                         49,Germany,0.1200,0,1,1\n";

/// The price of one second to `destination` under [`RATES`], in micro-units.
pub fn micros_per_second(destination: &str) -> i64 {
    if destination.starts_with("49") {
        2_000
    } else {
        1_000
    }
}

/// One call the driver made up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Call id (the CDR's identity with leg `a`).
    pub id: String,
    /// Account code: names the customer.
    pub account: String,
    /// Dialled number.
    pub destination: String,
    /// Start, Unix seconds.
    pub start: i64,
    /// Billed seconds; 0: not answered.
    pub billsec: i64,
}

impl Call {
    /// Call number `n` of `series` (`j` JSON, `c` CSV, `s` seed) for the account `account`,
    /// started within the six days before `now`.
    pub fn new(series: char, n: u64, account: &str, now: i64) -> Call {
        let destination = if n.is_multiple_of(3) {
            format!("4930{n:08}")
        } else {
            format!("4420{n:08}")
        };
        let billsec = if n.is_multiple_of(5) {
            0
        } else {
            (n * 7 % 600) as i64 + 1
        };
        // Asterisk's uniqueid is `seconds.sequence`; a CSV line's call id is that field.
        let id = if series == 'j' {
            format!("soak-j-{n:010}")
        } else {
            format!("1790000000.{n}")
        };
        Call {
            id,
            account: account.to_string(),
            destination,
            start: now - 3600 - (n.wrapping_mul(7_919) % (6 * 86_400)) as i64,
            billsec,
        }
    }

    /// What the rate card charges for it, in micro-units.
    pub fn charge(&self) -> i64 {
        self.billsec * micros_per_second(&self.destination)
    }

    /// The call as mod_json_cdr posts it (values not URL-encoded, as with `encode-values=false`).
    pub fn freeswitch_json(&self) -> String {
        let answered = self.billsec > 0;
        let answer = if answered { self.start + 3 } else { 0 };
        let end = if answered {
            answer + self.billsec
        } else {
            self.start + 20
        };
        json!({
            "core-uuid": "7d0c1b52-1d2b-4c4e-9d0a-5b1f00c0ffee",
            "switchname": "fs-soak-1",
            "channel_data": {"state": "CS_REPORTING", "direction": "inbound", "state_number": "11"},
            "variables": {
                "direction": "inbound",
                "uuid": self.id,
                "call_uuid": self.id,
                "sip_from_user": "2125550147",
                "sip_network_ip": "198.51.100.20",
                "caller_id": "\"Front Desk\" <2125550147>",
                "accountcode": self.account,
                "sip_term_status": if answered { "200" } else { "487" },
                "hangup_cause": if answered { "NORMAL_CLEARING" } else { "ORIGINATOR_CANCEL" },
                "start_epoch": self.start.to_string(),
                "answer_epoch": answer.to_string(),
                "end_epoch": end.to_string(),
                "duration": (end - self.start).to_string(),
                "billsec": self.billsec.to_string(),
            },
            "callflow": [{
                "dialplan": "XML",
                "profile_index": "1",
                "caller_profile": {
                    "caller_id_name": "Front Desk",
                    "caller_id_number": "2125550147",
                    "destination_number": self.destination,
                    "uuid": self.id,
                    "network_addr": "198.51.100.20",
                },
                "times": {
                    "created_time": format!("{}000000", self.start),
                    "answered_time": format!("{answer}000000"),
                    "hangup_time": format!("{end}000000"),
                }
            }]
        })
        .to_string()
    }

    /// The call as one line of Asterisk's Master.csv (times in UTC).
    pub fn asterisk_csv(&self) -> String {
        let answered = self.billsec > 0;
        let answer = if answered {
            format!("\"{}\"", stamp(self.start + 3))
        } else {
            String::new()
        };
        let end = if answered {
            self.start + 3 + self.billsec
        } else {
            self.start + 20
        };
        format!(
            "\"{acct}\",\"1000\",\"{dst}\",\"from-internal\",\"\"\"Desk\"\" <1000>\",\"SIP/1000-1\",\
             \"SIP/trunk-1\",\"Dial\",\"SIP/trunk/{dst},60\",\"{start}\",{answer},\"{end}\",{dur},{bill},\
             \"{disp}\",\"DOCUMENTATION\",\"{id}\"\n",
            acct = self.account,
            dst = self.destination,
            start = stamp(self.start),
            end = stamp(end),
            dur = end - self.start,
            bill = self.billsec,
            disp = if answered { "ANSWERED" } else { "NO ANSWER" },
            id = self.id,
        )
    }
}

/// `YYYY-MM-DD HH:MM:SS` in UTC.
fn stamp(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_stable_and_priced_per_second() {
        let c = Call::new('j', 10, "soak1", 1_800_000_000);
        assert_eq!(c, Call::new('j', 10, "soak1", 1_800_000_000));
        assert_eq!(c.billsec, 0);
        let c = Call::new('j', 3, "soak1", 1_800_000_000);
        assert!(c.destination.starts_with("49"));
        assert_eq!(c.charge(), c.billsec * 2_000);
        assert!(c.asterisk_csv().ends_with(&format!("\"{}\"\n", c.id)));
        assert_eq!(stamp(0), "1970-01-01 00:00:00");
        let doc: serde_json::Value = serde_json::from_str(&c.freeswitch_json()).unwrap();
        assert_eq!(doc["variables"]["uuid"], c.id.as_str());
    }
}
