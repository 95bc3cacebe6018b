//! Prices a generated set of calls and checks every charge and every customer's total against
//! a brute-force computation written from the rules' text, sharing no code with the engine.

use super::{RateIndex, RoutedCard, price};
use portico_protocol::{Micros, Rate};
use std::collections::HashSet;

const CARDS: usize = 5;
/// Distinct prefixes; each card takes each with probability 1/2, so ~3,000 (card, prefix).
const POOL: usize = 1_200;
const CUSTOMERS: usize = 1_000;
const CALLS: usize = 100_000;
const HOUR: i64 = 3_600;
const T0: i64 = 1_700_006_400;
const WINDOW_HOURS: u64 = 24 * 30;
const TECH_PREFIXES: [&str; 6] = ["99#", "123", "7*", "0011", "#5", "4"];
const NOT_NUMBERS: [&str; 8] = [
    "*97",
    "voicemail",
    "1234*256",
    "",
    "+",
    "44 20",
    "4420#",
    "++44",
];

/// splitmix64: tiny, deterministic, good enough to spread test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

struct Customer {
    /// (card, tech prefix), in route order.
    routes: Vec<(usize, &'static str)>,
}

struct Call {
    customer: usize,
    destination: String,
    start: i64,
    billsec: u32,
    answered: bool,
}

fn make_prefixes(rng: &mut Rng) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut pool = Vec::new();
    while pool.len() < POOL {
        // Mostly extensions of earlier prefixes, so numbers match several nested prefixes.
        let prefix = if pool.is_empty() || rng.percent(20) {
            let len = 1 + rng.index(3);
            rng.digits(len)
        } else {
            let base: &String = &pool[rng.index(pool.len())];
            let len = 1 + rng.index(3);
            format!("{base}{}", rng.digits(len))
        };
        if prefix.len() <= 10 && seen.insert(prefix.clone()) {
            pool.push(prefix);
        }
    }
    pool
}

fn make_rate(rng: &mut Rng, card: usize, prefix: &str, which: &str, from: i64) -> Rate {
    const INCREMENTS: [(u32, u32); 6] = [(1, 1), (30, 6), (60, 60), (60, 1), (6, 6), (0, 0)];
    let (first, next) = match INCREMENTS[rng.index(INCREMENTS.len())] {
        (0, 0) => (1 + rng.below(120) as u32, 1 + rng.below(60) as u32),
        pair => pair,
    };
    let rate_per_min = match rng.below(4) {
        // Tiny rates land on half micro-units often.
        0 => rng.below(20) as i64,
        1 => rng.below(1_000) as i64,
        _ => rng.below(500_000) as i64,
    };
    let connect_fee = if rng.percent(50) {
        0
    } else {
        rng.below(50_000) as i64
    };
    Rate {
        prefix: prefix.to_string(),
        name: format!("card {card} {prefix} {which}"),
        rate_per_min: Micros(rate_per_min),
        connect_fee: Micros(connect_fee),
        first_increment: first,
        next_increment: next,
        effective_from: from,
    }
}

fn make_cards(rng: &mut Rng, pool: &[String]) -> Vec<Vec<Rate>> {
    (0..CARDS)
        .map(|card| {
            let mut rates = Vec::new();
            for prefix in pool {
                if !rng.percent(50) {
                    continue;
                }
                // On the hour (as calls often start), some before the window opens.
                let old = T0 + (rng.below(WINDOW_HOURS) as i64 - WINDOW_HOURS as i64 / 4) * HOUR;
                let new = old + (1 + rng.below(WINDOW_HOURS / 2) as i64) * HOUR;
                rates.push(make_rate(rng, card, prefix, "old", old));
                rates.push(make_rate(rng, card, prefix, "new", new));
            }
            // The index must not depend on the input order.
            for i in (1..rates.len()).rev() {
                rates.swap(i, rng.index(i + 1));
            }
            rates
        })
        .collect()
}

fn make_customers(rng: &mut Rng) -> Vec<Customer> {
    (0..CUSTOMERS)
        .map(|_| {
            let count = 1 + rng.index(3);
            let mut routes: Vec<(usize, &'static str)> = Vec::new();
            while routes.len() < count {
                let card = rng.index(CARDS);
                if routes.iter().any(|&(c, _)| c == card) {
                    continue;
                }
                let tech = if rng.percent(60) {
                    ""
                } else {
                    TECH_PREFIXES[rng.index(TECH_PREFIXES.len())]
                };
                routes.push((card, tech));
            }
            Customer { routes }
        })
        .collect()
}

fn make_calls(rng: &mut Rng, pool: &[String], customers: &[Customer]) -> Vec<Call> {
    (0..CALLS)
        .map(|_| {
            let customer = rng.index(customers.len());
            let number = |rng: &mut Rng| {
                let prefix = &pool[rng.index(pool.len())];
                let extra = rng.index(16 - prefix.len().min(15));
                let plus = if rng.percent(10) { "+" } else { "" };
                format!("{plus}{prefix}{}", rng.digits(extra))
            };
            let destination = match rng.below(20) {
                // A known prefix behind the tech prefix of one of the customer's routes.
                0..=12 => {
                    let routes = &customers[customer].routes;
                    let tech = routes[rng.index(routes.len())].1;
                    format!("{tech}{}", number(rng))
                }
                // Behind any tech prefix (often one the customer does not have).
                13 | 14 => {
                    let tech = TECH_PREFIXES[rng.index(TECH_PREFIXES.len())];
                    format!("{tech}{}", number(rng))
                }
                // Random digits.
                15..=17 => {
                    let len = 1 + rng.index(15);
                    rng.digits(len)
                }
                // Not a number.
                _ => {
                    let text = NOT_NUMBERS[rng.index(NOT_NUMBERS.len())];
                    if rng.percent(50) {
                        text.to_string()
                    } else {
                        format!("{}{text}", TECH_PREFIXES[rng.index(TECH_PREFIXES.len())])
                    }
                }
            };
            let on_the_hour = rng.percent(50);
            let start = T0
                + rng.below(WINDOW_HOURS) as i64 * HOUR
                + if on_the_hour {
                    0
                } else {
                    rng.below(HOUR as u64) as i64
                };
            let answered = rng.percent(75);
            let billsec = match rng.below(50) {
                0..=4 => 0,
                5 => rng.below(100_000) as u32,
                _ if !answered && rng.percent(80) => 0,
                _ => 1 + rng.below(3_600) as u32,
            };
            Call {
                customer,
                destination,
                start,
                billsec,
                answered,
            }
        })
        .collect()
}

/// What the rules say a call costs, found by scanning every rate of every applicable route.
struct Expected<'r> {
    route: usize,
    rate: &'r Rate,
    billed: u128,
    charge: u128,
}

/// Which rules the brute force saw applied, so the data demonstrably exercises them.
#[derive(Default, Debug)]
struct Seen {
    priced: usize,
    unpriced: usize,
    unanswered_priced: usize,
    half_micro: usize,
    start_at_effective_date: usize,
    fell_back: usize,
    tie_to_first_route: usize,
    won_by_tech_route: usize,
    won_by_later_route: usize,
}

fn expected<'r>(
    routes: &[(usize, &str)],
    cards: &'r [Vec<Rate>],
    call: &Call,
    seen: &mut Seen,
) -> Option<Expected<'r>> {
    let mut best: Option<(usize, &'r Rate)> = None;
    // The prefix length at which a later route tied with the route holding the best rate.
    let mut tie_at: Option<usize> = None;
    for (position, &(card, tech)) in routes.iter().enumerate() {
        let dest = call.destination.as_bytes();
        let tech = tech.as_bytes();
        if dest.len() < tech.len() || &dest[..tech.len()] != tech {
            continue;
        }
        let mut number = &dest[tech.len()..];
        if number.first() == Some(&b'+') {
            number = &number[1..];
        }
        if number.is_empty() || number.iter().any(|c| !c.is_ascii_digit()) {
            continue;
        }
        let mut longest_matching = 0;
        for rate in &cards[card] {
            let p = rate.prefix.as_bytes();
            if p.len() > number.len() || &number[..p.len()] != p {
                continue;
            }
            longest_matching = longest_matching.max(p.len());
            if rate.effective_from > call.start {
                continue;
            }
            if rate.effective_from == call.start {
                seen.start_at_effective_date += 1;
            }
            let better = match best {
                None => true,
                Some((held_route, held)) if held_route == position => {
                    p.len() > held.prefix.len()
                        || (p.len() == held.prefix.len()
                            && rate.effective_from > held.effective_from)
                }
                Some((_, held)) => {
                    if p.len() == held.prefix.len() {
                        tie_at = Some(p.len());
                    }
                    p.len() > held.prefix.len()
                }
            };
            if better {
                best = Some((position, rate));
            }
        }
        if let Some((held_route, held)) = best
            && held_route == position
            && held.prefix.len() < longest_matching
        {
            seen.fell_back += 1;
        }
    }
    let Some((route, rate)) = best else {
        seen.unpriced += 1;
        return None;
    };
    seen.priced += 1;
    if tie_at == Some(rate.prefix.len()) {
        seen.tie_to_first_route += 1;
    }
    if !routes[route].1.is_empty() {
        seen.won_by_tech_route += 1;
    }
    if route > 0 {
        seen.won_by_later_route += 1;
    }
    if !call.answered {
        seen.unanswered_priced += 1;
        return Some(Expected {
            route,
            rate,
            billed: 0,
            charge: 0,
        });
    }
    // Billed seconds, from the rule's words.
    let billsec = u128::from(call.billsec);
    let first = u128::from(rate.first_increment);
    let next = u128::from(rate.next_increment);
    let billed = if billsec == 0 {
        0
    } else if billsec <= first {
        first
    } else {
        let beyond = billsec - first;
        let mut steps = beyond / next;
        if steps * next < beyond {
            steps += 1;
        }
        first + steps * next
    };
    // Connect fee + rate * billed / 60, half a micro-unit or more rounds up.
    let per_min = u128::try_from(rate.rate_per_min.0).unwrap();
    let fee = u128::try_from(rate.connect_fee.0).unwrap();
    let micro_seconds = per_min * billed;
    let mut part = micro_seconds / 60;
    let remainder = micro_seconds - part * 60;
    if remainder >= 30 {
        part += 1;
    }
    if remainder == 30 {
        seen.half_micro += 1;
    }
    Some(Expected {
        route,
        rate,
        billed,
        charge: fee + part,
    })
}

#[test]
fn generated_calls_match_a_brute_force_pricing() {
    let mut rng = Rng(0x5EED_0FC0_FFEE);
    let pool = make_prefixes(&mut rng);
    let cards = make_cards(&mut rng, &pool);
    let customers = make_customers(&mut rng);
    let calls = make_calls(&mut rng, &pool, &customers);
    let names: Vec<String> = (0..CARDS).map(|c| format!("card-{c}")).collect();
    assert!(cards.iter().map(Vec::len).sum::<usize>() >= 2 * 2_800);

    let built = std::time::Instant::now();
    let indexes: Vec<RateIndex> = cards.iter().map(|r| RateIndex::new(r.clone())).collect();
    let routed: Vec<Vec<RoutedCard<'_>>> = customers
        .iter()
        .map(|c| {
            c.routes
                .iter()
                .map(|&(card, tech)| RoutedCard {
                    ratecard: &names[card],
                    tech_prefix: tech,
                    index: &indexes[card],
                })
                .collect()
        })
        .collect();
    let build_time = built.elapsed();

    let priced_at = std::time::Instant::now();
    let got: Vec<_> = calls
        .iter()
        .map(|c| {
            price(
                &routed[c.customer],
                &c.destination,
                c.start,
                c.billsec,
                c.answered,
            )
        })
        .collect();
    let price_time = priced_at.elapsed();
    println!(
        "rating {} calls: indexes built in {build_time:?}, priced in {price_time:?} ({:.0} calls/s; \
         a debug build, so only a rough hint)",
        calls.len(),
        calls.len() as f64 / price_time.as_secs_f64()
    );

    let mut seen = Seen::default();
    let mut engine_totals = vec![0i128; CUSTOMERS];
    let mut brute_totals = vec![0u128; CUSTOMERS];
    for (i, (call, got)) in calls.iter().zip(&got).enumerate() {
        let routes = &customers[call.customer].routes;
        let want = expected(routes, &cards, call, &mut seen);
        let context = || {
            format!(
                "call #{i}: customer {} routes {routes:?} destination {:?} start {} billsec {} \
                 answered {}",
                call.customer, call.destination, call.start, call.billsec, call.answered
            )
        };
        match (got, want) {
            (None, None) => {}
            (Some(got), Some(want)) => {
                let (card, tech) = routes[want.route];
                assert_eq!(got.ratecard, names[card], "{}", context());
                assert_eq!(got.tech_prefix, tech, "{}", context());
                assert_eq!(got.prefix, want.rate.prefix, "{}", context());
                assert_eq!(got.destination_name, want.rate.name, "{}", context());
                assert_eq!(got.rate_per_min, want.rate.rate_per_min, "{}", context());
                assert_eq!(got.connect_fee, want.rate.connect_fee, "{}", context());
                assert_eq!(u128::from(got.billed), want.billed, "{}", context());
                assert_eq!(
                    u128::try_from(got.charge.0).unwrap(),
                    want.charge,
                    "{}",
                    context()
                );
                engine_totals[call.customer] += i128::from(got.charge.0);
                brute_totals[call.customer] += want.charge;
            }
            (got, want) => panic!(
                "{}: engine {got:?}, brute force {:?}",
                context(),
                want.map(|w| &w.rate.name)
            ),
        }
    }
    for (customer, (engine, brute)) in engine_totals.iter().zip(&brute_totals).enumerate() {
        assert_eq!(
            u128::try_from(*engine).unwrap(),
            *brute,
            "customer {customer} total"
        );
    }
    println!("{seen:?}");
    // The data must exercise every rule, or the comparison proves little.
    assert!(seen.priced > CALLS / 2, "{seen:?}");
    assert!(seen.unpriced > 1_000, "{seen:?}");
    assert!(seen.unanswered_priced > 1_000, "{seen:?}");
    assert!(seen.half_micro > 100, "{seen:?}");
    assert!(seen.start_at_effective_date > 100, "{seen:?}");
    assert!(seen.fell_back > 1_000, "{seen:?}");
    assert!(seen.tie_to_first_route > 100, "{seen:?}");
    assert!(seen.won_by_tech_route > 1_000, "{seen:?}");
    assert!(seen.won_by_later_route > 1_000, "{seen:?}");
    assert!(brute_totals.iter().filter(|&&t| t > 0).count() > CUSTOMERS * 9 / 10);
}
