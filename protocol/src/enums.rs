//! Closed sets of names: sections, columns and statuses. Each has one stable snake_case name used
//! in the config, on the wire and on the command line.

use std::fmt;
use std::str::FromStr;

/// A name that is not one of an enum's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} \"{given}\"; use one of: {valid}")]
pub struct UnknownName {
    /// What kind of name was expected, e.g. `section`.
    pub kind: &'static str,
    /// The name that was given.
    pub given: String,
    /// The valid names, comma separated.
    pub valid: String,
}

macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
                 serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in its canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| UnknownName {
                        kind: $kind,
                        given: s.to_string(),
                        valid: $name::ALL
                            .iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
        }
    };
}

named_enum! {
    /// A portal section a customer may see (ConnexCS's "User Access Area").
    Section, "section" {
        /// The balance card and figure in the top bar.
        Balance => "balance",
        /// Today's and this month's summary.
        Summary => "summary",
        /// The call detail records page and its CSV download.
        Cdr => "cdr",
        /// The latest calls on the dashboard.
        LatestCalls => "latest_calls",
        /// The breakout report.
        Breakout => "breakout",
        /// The customer's rate cards.
        RateCards => "rate_cards",
        /// Payments.
        Payments => "payments",
        /// Bank payments not yet completed.
        PendingBankPayments => "pending_bank_payments",
        /// Alerts.
        Alerts => "alerts",
        /// Letting the customer edit its low-balance alert.
        EditableBalanceAlert => "editable_balance_alert",
        /// Packages.
        Packages => "packages",
        /// Contracts.
        Contracts => "contracts",
        /// The carrier view of the portal.
        CarrierPortal => "carrier_portal",
    }
}

named_enum! {
    /// A column of the CDR table.
    CdrColumn, "CDR column" {
        /// The call id.
        CallId => "call_id",
        /// When the call started.
        CallTime => "call_time",
        /// When it was answered.
        AnswerTime => "answer_time",
        /// When it ended.
        EndTime => "end_time",
        /// The calling number.
        SourceNumber => "source_number",
        /// The dialled number.
        Destination => "destination",
        /// The name of the destination's prefix.
        DestinationName => "destination_name",
        /// The account code.
        AccountCode => "account_code",
        /// Total seconds.
        Duration => "duration",
        /// Billed seconds after increments.
        BilledDuration => "billed_duration",
        /// Seconds of ringing.
        RingDuration => "ring_duration",
        /// The rate per minute.
        Rate => "rate",
        /// The connect fee.
        ConnectCost => "connect_cost",
        /// The charge.
        Charge => "charge",
        /// The currency.
        Currency => "currency",
        /// The release reason.
        ReleaseReason => "release_reason",
        /// The SIP response code.
        SipCode => "sip_code",
        /// Inbound or outbound.
        Direction => "direction",
        /// The source IP address.
        SourceIp => "source_ip",
        /// The tech prefix.
        TechPrefix => "tech_prefix",
    }
}

named_enum! {
    /// A column of the breakout report.
    BreakoutColumn, "breakout column" {
        /// Group by day.
        CallTime => "call_time",
        /// The destination's name.
        DestinationName => "destination_name",
        /// Calls attempted.
        Attempts => "attempts",
        /// Calls connected.
        Connected => "connected",
        /// Answer-seizure ratio.
        Asr => "asr",
        /// Average call duration.
        Acd => "acd",
        /// Minutes of connected calls.
        Duration => "duration",
        /// Billed minutes.
        BilledDuration => "billed_duration",
        /// The charge.
        Charge => "charge",
    }
}

named_enum! {
    /// The status a self-signed-up account gets.
    SignupStatus, "sign-up status" {
        /// The account can use the portal at once.
        Active => "active",
        /// The account waits for an admin's approval.
        PendingApproval => "pending_approval",
    }
}

named_enum! {
    /// Whether an account is a customer or a carrier.
    CustomerKind, "customer kind" {
        /// A customer.
        Customer => "customer",
        /// A carrier.
        Carrier => "carrier",
    }
}

named_enum! {
    /// The state of an account.
    CustomerStatus, "customer status" {
        /// In service.
        Active => "active",
        /// Signed up, waiting for approval.
        PendingApproval => "pending_approval",
        /// Suspended by an admin.
        Suspended => "suspended",
    }
}

named_enum! {
    /// A per-customer override of a section's visibility.
    Access, "access" {
        /// Follow the domain's access set.
        Default => "default",
        /// Show, whatever the domain says.
        Show => "show",
        /// Hide, whatever the domain says.
        Hide => "hide",
    }
}

named_enum! {
    /// The state of a payment.
    PaymentStatus, "payment status" {
        /// Announced, not yet received (e.g. a bank transfer).
        Pending => "pending",
        /// Received: counts towards the balance.
        Completed => "completed",
        /// Cancelled.
        Cancelled => "cancelled",
    }
}

named_enum! {
    /// How the daemon secures its connection to an SMTP server.
    SmtpSecurity, "SMTP security" {
        /// STARTTLS on the submission port.
        Starttls => "starttls",
        /// TLS from the first byte (port 465).
        Tls => "tls",
        /// No TLS (only for a relay on the same host).
        None => "none",
    }
}

// The macro cannot mark a `#[default]` variant, so the defaults are written out.
#[allow(clippy::derivable_impls)]
impl Default for SignupStatus {
    fn default() -> Self {
        SignupStatus::Active
    }
}

#[allow(clippy::derivable_impls)]
impl Default for SmtpSecurity {
    fn default() -> Self {
        SmtpSecurity::Starttls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_str() {
        for s in Section::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<Section>(&json).unwrap(), *s);
            assert_eq!(s.as_str().parse::<Section>(), Ok(*s));
        }
        assert_eq!(CdrColumn::ALL.len(), 20);
        assert_eq!(Section::ALL.len(), 13);
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = "balanse".parse::<Section>().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("unknown section \"balanse\""), "{text}");
        assert!(text.contains("balance, summary, cdr"), "{text}");
    }
}
