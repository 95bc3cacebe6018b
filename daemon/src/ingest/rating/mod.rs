//! Rating: prices a call from the rate cards on a customer's routes. Pure: no I/O, no store.
//!
//! The ingest pipeline keeps one [`RateIndex`] per rate card (built from the card's rates, and
//! rebuilt when they change), lends a customer's routes to [`price`] or [`price_ref`] as
//! [`RoutedCard`]s, and stores what comes back. The rules are DESIGN.md's: longest prefix of
//! the dialled number after the route's tech prefix, the rate in effect at call start, billing
//! increments, connect fee, exact micro-units; an unanswered attempt costs nothing.

mod charge;
#[cfg(test)]
mod crosscheck;
mod index;

pub use charge::{billed_seconds, charge};
pub use index::RateIndex;

use portico_protocol::{Micros, Rate};

/// The digits of a dialled number: `destination` without a leading `+`, or `None` when what is
/// left is empty or not all ASCII digits (`*97`, `voicemail`, `1234*256`): such a number has no
/// rate. Nothing else is rewritten (no trimming, no `00` to `+`): rate card prefixes must be
/// written the way the switch writes numbers.
pub fn dialled_digits(destination: &str) -> Option<&str> {
    let digits = destination.strip_prefix('+').unwrap_or(destination);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// One of a customer's routes, ready for rating: the rate card's name, the route's tech prefix
/// (may be empty) and the card's index.
#[derive(Debug, Clone, Copy)]
pub struct RoutedCard<'a> {
    /// The rate card's name.
    pub ratecard: &'a str,
    /// Stripped from the dialled number before rating; empty for none.
    pub tech_prefix: &'a str,
    /// The card's rates.
    pub index: &'a RateIndex,
}

/// A priced call, owning its strings (what the store keeps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// The rate card that priced it.
    pub ratecard: String,
    /// The tech prefix of the route that priced it (empty for none).
    pub tech_prefix: String,
    /// The matched rate prefix.
    pub prefix: String,
    /// The matched rate's destination name.
    pub destination_name: String,
    /// The matched rate per minute.
    pub rate_per_min: Micros,
    /// The matched rate's connect fee (charged only if the call was answered).
    pub connect_fee: Micros,
    /// Billed seconds (0 for an unanswered call).
    pub billed: u32,
    /// The charge (0 for an unanswered call).
    pub charge: Micros,
}

/// A priced call, borrowing from the routes and their indexes: no allocation. Turn it into a
/// [`Priced`] with `Priced::from` when the strings must outlive the indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricedRef<'a> {
    /// Position in the `routes` slice of the route that priced it.
    pub route: usize,
    /// The rate card that priced it.
    pub ratecard: &'a str,
    /// The tech prefix of that route (empty for none).
    pub tech_prefix: &'a str,
    /// The matched rate (prefix, destination name, prices, increments, date).
    pub rate: &'a Rate,
    /// Billed seconds (0 for an unanswered call).
    pub billed: u32,
    /// The charge (0 for an unanswered call).
    pub charge: Micros,
}

impl From<PricedRef<'_>> for Priced {
    fn from(p: PricedRef<'_>) -> Self {
        Priced {
            ratecard: p.ratecard.to_string(),
            tech_prefix: p.tech_prefix.to_string(),
            prefix: p.rate.prefix.clone(),
            destination_name: p.rate.name.clone(),
            rate_per_min: p.rate.rate_per_min,
            connect_fee: p.rate.connect_fee,
            billed: p.billed,
            charge: p.charge,
        }
    }
}

/// Prices a call on a customer's routes; see [`price_ref`] for the rules. Allocates the
/// result's four strings once.
pub fn price(
    routes: &[RoutedCard<'_>],
    destination: &str,
    start: i64,
    billsec: u32,
    answered: bool,
) -> Option<Priced> {
    price_ref(routes, destination, start, billsec, answered).map(Priced::from)
}

/// Prices a call on a customer's routes without allocating.
///
/// A route with a non-empty tech prefix applies only when `destination` (as the switch wrote
/// it) starts with that tech prefix, and rates the rest of the number; a route with an empty
/// tech prefix applies to every number. The number is then normalised by [`dialled_digits`]
/// (a route on which it is not a number does not apply) and looked up in the route's card at
/// `start` ([`RateIndex::lookup`]). Among the routes that apply, the longest matched rate
/// prefix wins; on equal length the route earlier in `routes` wins.
///
/// `None` means no rate: the call is stored with no charge and flagged. An unanswered call
/// still gets its destination (the breakout counts attempts per destination) but 0 billed
/// seconds and a charge of 0, not even the connect fee. An answered call with `billsec` 0 is
/// billed 0 seconds and charged the connect fee.
pub fn price_ref<'a>(
    routes: &[RoutedCard<'a>],
    destination: &str,
    start: i64,
    billsec: u32,
    answered: bool,
) -> Option<PricedRef<'a>> {
    let mut best: Option<(usize, &RoutedCard<'a>, &'a Rate)> = None;
    for (position, route) in routes.iter().enumerate() {
        let Some(rest) = destination.strip_prefix(route.tech_prefix) else {
            continue;
        };
        let Some(digits) = dialled_digits(rest) else {
            continue;
        };
        let Some(rate) = route.index.lookup(digits, start) else {
            continue;
        };
        if best.is_none_or(|(_, _, held)| rate.prefix.len() > held.prefix.len()) {
            best = Some((position, route, rate));
        }
    }
    let (position, route, rate) = best?;
    let (billed, charge) = if answered {
        let billed = billed_seconds(billsec, rate.first_increment, rate.next_increment);
        (billed, charge(rate.rate_per_min, rate.connect_fee, billed))
    } else {
        (0, Micros(0))
    };
    Some(PricedRef {
        route: position,
        ratecard: route.ratecard,
        tech_prefix: route.tech_prefix,
        rate,
        billed,
        charge,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Spec {
        prefix: &'static str,
        name: &'static str,
        rate: i64,
        fee: i64,
        first: u32,
        next: u32,
        from: i64,
    }

    fn card(specs: &[Spec]) -> RateIndex {
        RateIndex::new(
            specs
                .iter()
                .map(|s| Rate {
                    prefix: s.prefix.to_string(),
                    name: s.name.to_string(),
                    rate_per_min: Micros(s.rate),
                    connect_fee: Micros(s.fee),
                    first_increment: s.first,
                    next_increment: s.next,
                    effective_from: s.from,
                })
                .collect(),
        )
    }

    fn spec(prefix: &'static str, name: &'static str, rate: i64, fee: i64) -> Spec {
        Spec {
            prefix,
            name,
            rate,
            fee,
            first: 1,
            next: 1,
            from: 0,
        }
    }

    fn route<'a>(ratecard: &'a str, tech_prefix: &'a str, index: &'a RateIndex) -> RoutedCard<'a> {
        RoutedCard {
            ratecard,
            tech_prefix,
            index,
        }
    }

    /// (card, tech prefix, prefix, name) of the winner.
    fn who(p: &Option<Priced>) -> Option<(&str, &str, &str, &str)> {
        p.as_ref().map(|p| {
            (
                p.ratecard.as_str(),
                p.tech_prefix.as_str(),
                p.prefix.as_str(),
                p.destination_name.as_str(),
            )
        })
    }

    #[test]
    fn dialled_digits_strips_one_plus_and_refuses_non_numbers() {
        assert_eq!(dialled_digits("+447700900123"), Some("447700900123"));
        assert_eq!(dialled_digits("447700900123"), Some("447700900123"));
        assert_eq!(dialled_digits("*97"), None);
        assert_eq!(dialled_digits("voicemail"), None);
        assert_eq!(dialled_digits("1234*256"), None);
        assert_eq!(dialled_digits("4420#"), None);
        assert_eq!(dialled_digits("++44"), None);
        assert_eq!(dialled_digits("44 20"), None);
        assert_eq!(dialled_digits(" 44"), None);
        assert_eq!(dialled_digits("+"), None);
        assert_eq!(dialled_digits(""), None);
        assert_eq!(dialled_digits("٤٤"), None);
    }

    #[test]
    fn a_connected_call_is_priced_in_full() {
        let uk = card(&[Spec {
            prefix: "44",
            name: "UK",
            rate: 12_345,
            fee: 10_000,
            first: 30,
            next: 6,
            from: 0,
        }]);
        let routes = [route("retail", "", &uk)];
        let priced = price(&routes, "+442079460000", 100, 31, true);
        assert_eq!(
            priced,
            Some(Priced {
                ratecard: "retail".to_string(),
                tech_prefix: String::new(),
                prefix: "44".to_string(),
                destination_name: "UK".to_string(),
                rate_per_min: Micros(12_345),
                connect_fee: Micros(10_000),
                billed: 36,
                // 12345 * 36 / 60 = 7407 exactly, plus the fee.
                charge: Micros(17_407),
            })
        );
        // 42 s = 8641.5 -> 8642 micro-units, plus the fee.
        let priced = price(&routes, "442079460000", 100, 42, true);
        assert_eq!(
            priced.map(|p| (p.billed, p.charge)),
            Some((42, Micros(18_642)))
        );
    }

    #[test]
    fn unanswered_calls_keep_their_destination_and_cost_nothing() {
        let uk = card(&[spec("44", "UK", 12_345, 10_000)]);
        let routes = [route("retail", "", &uk)];
        let priced = price(&routes, "442079460000", 100, 25, false);
        assert_eq!(who(&priced), Some(("retail", "", "44", "UK")));
        let priced = priced.unwrap();
        assert_eq!((priced.billed, priced.charge), (0, Micros(0)));
        assert_eq!(priced.connect_fee, Micros(10_000));
        let priced = price(&routes, "442079460000", 100, 0, false).unwrap();
        assert_eq!((priced.billed, priced.charge), (0, Micros(0)));
    }

    #[test]
    fn answered_with_no_seconds_costs_the_connect_fee() {
        let uk = card(&[Spec {
            prefix: "44",
            name: "UK",
            rate: 12_345,
            fee: 10_000,
            first: 60,
            next: 60,
            from: 0,
        }]);
        let priced = price(&[route("retail", "", &uk)], "4420", 100, 0, true).unwrap();
        assert_eq!((priced.billed, priced.charge), (0, Micros(10_000)));
    }

    #[test]
    fn rate_in_effect_at_call_start() {
        let uk = card(&[
            Spec {
                from: 1_000,
                ..spec("44", "UK old", 10_000, 0)
            },
            Spec {
                from: 2_000,
                ..spec("44", "UK new", 20_000, 0)
            },
        ]);
        let routes = [route("retail", "", &uk)];
        assert_eq!(price(&routes, "4420", 999, 60, true), None);
        let at = |start| price(&routes, "4420", start, 60, true).map(|p| p.charge);
        assert_eq!(at(1_000), Some(Micros(10_000)));
        assert_eq!(at(1_999), Some(Micros(10_000)));
        assert_eq!(at(2_000), Some(Micros(20_000)));
    }

    #[test]
    fn longer_prefix_not_yet_effective_falls_back() {
        let uk = card(&[
            spec("44", "UK", 10_000, 0),
            Spec {
                from: 5_000,
                ..spec("447", "UK mobile", 90_000, 0)
            },
        ]);
        let routes = [route("retail", "", &uk)];
        assert_eq!(
            who(&price(&routes, "447700900123", 4_999, 60, true)),
            Some(("retail", "", "44", "UK"))
        );
        assert_eq!(
            who(&price(&routes, "447700900123", 5_000, 60, true)),
            Some(("retail", "", "447", "UK mobile"))
        );
    }

    #[test]
    fn tech_prefix_routes_apply_only_to_their_numbers_and_are_stripped() {
        let premium = card(&[spec("44", "UK premium", 50_000, 0)]);
        let cheap = card(&[spec("44", "UK cheap", 5_000, 0)]);
        let routes = [
            route("premium", "99#", &premium),
            route("cheap", "", &cheap),
        ];
        // With the tech prefix: only the premium route applies (99#44... is not a number).
        let p = price(&routes, "99#447700900123", 0, 60, true);
        assert_eq!(who(&p), Some(("premium", "99#", "44", "UK premium")));
        assert_eq!(p.unwrap().charge, Micros(50_000));
        // Without it: the premium route does not apply.
        let p = price(&routes, "447700900123", 0, 60, true);
        assert_eq!(who(&p), Some(("cheap", "", "44", "UK cheap")));
        // A '+' after the tech prefix is the number's own.
        let p = price(&routes, "99#+447700900123", 0, 60, true);
        assert_eq!(who(&p), Some(("premium", "99#", "44", "UK premium")));
        // The tech prefix must be at the very start.
        assert_eq!(price(&routes[..1], "+99#447700900123", 0, 60, true), None);
        assert_eq!(price(&routes[..1], "9944", 0, 60, true), None);
    }

    #[test]
    fn digit_tech_prefix_competes_with_the_plain_route_by_prefix_length() {
        // "123" + "4477..." on the tech route matches 4477 (4 digits); the plain route sees
        // "1234477..." and matches 1 (1 digit). The longer match wins whatever the order.
        let tech = card(&[spec("4477", "UK mobile 77", 40_000, 0)]);
        let plain = card(&[spec("1", "NANP", 1_000, 0)]);
        let both = [route("plain", "", &plain), route("tech", "123", &tech)];
        assert_eq!(
            who(&price(&both, "1234477009", 0, 60, true)),
            Some(("tech", "123", "4477", "UK mobile 77"))
        );
        // Without a match on the tech route, the plain route prices the whole number.
        assert_eq!(
            who(&price(&both, "1233300", 0, 60, true)),
            Some(("plain", "", "1", "NANP"))
        );
    }

    #[test]
    fn equal_prefix_length_goes_to_the_first_route() {
        let a = card(&[spec("447", "A mobile", 1, 0)]);
        let b = card(&[spec("447", "B mobile", 2, 0), spec("4477", "B 77", 3, 0)]);
        let routes = [route("a", "", &a), route("b", "", &b)];
        assert_eq!(
            who(&price(&routes, "447800", 0, 60, true)),
            Some(("a", "", "447", "A mobile"))
        );
        let reversed = [route("b", "", &b), route("a", "", &a)];
        assert_eq!(
            who(&price(&reversed, "447800", 0, 60, true)),
            Some(("b", "", "447", "B mobile"))
        );
        // A longer match on a later route still wins.
        assert_eq!(
            who(&price(&routes, "447700", 0, 60, true)),
            Some(("b", "", "4477", "B 77"))
        );
        let r = price_ref(&routes, "447700", 0, 60, true).unwrap();
        assert_eq!(r.route, 1);
    }

    #[test]
    fn plus_and_non_numbers() {
        let uk = card(&[spec("44", "UK", 10_000, 0), spec("9", "nine", 1, 0)]);
        let routes = [route("retail", "", &uk), route("tech", "12", &uk)];
        assert_eq!(
            who(&price(&routes, "+447700900123", 0, 60, true)),
            Some(("retail", "", "44", "UK"))
        );
        for dest in [
            "*97",
            "voicemail",
            "1234*256",
            "",
            "+",
            "++44",
            "44*",
            "12*97",
        ] {
            assert_eq!(price(&routes, dest, 0, 60, true), None, "{dest}");
        }
    }

    #[test]
    fn no_routes_no_rate() {
        assert_eq!(price(&[], "447700900123", 0, 60, true), None);
        let empty = RateIndex::default();
        assert_eq!(price(&[route("e", "", &empty)], "44", 0, 60, true), None);
    }

    #[test]
    fn price_ref_and_price_agree() {
        let uk = card(&[spec("44", "UK", 12_345, 7)]);
        let routes = [route("retail", "9", &uk)];
        let r = price_ref(&routes, "9447", 0, 61, true).unwrap();
        assert_eq!(r.route, 0);
        assert_eq!(r.rate.name, "UK");
        assert_eq!(Some(Priced::from(r)), price(&routes, "9447", 0, 61, true));
    }
}
