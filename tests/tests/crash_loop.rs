//! `kill -9` of the daemon at random moments while the soak mix runs (HTTPS portal visits, CDR
//! posts, CSV imports, admin changes), five times. After each restart: every acknowledged CDR is
//! stored, none twice, nothing is stored that was never sent, every charge is the rate card's,
//! every balance equals its recomputation from the stored charges and completed payments, and
//! the store opened without a repair. What got no answer is sent again (FreeSWITCH retries, the
//! admin re-runs the import) and a few acknowledged posts too, which must come back as
//! duplicates. `tests/bench/soak.sh --kill 20` is the long version.
//!
//! The binaries must be built first: `cargo build --workspace --bins` (`./.ci/run` does it).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::time::Duration;

use portico_tests::load::{self, Options};

#[test]
fn kill_9_five_times_during_the_mix_loses_and_doubles_nothing() {
    let outcome = load::run(Options {
        duration: Duration::from_secs(75),
        domains: 2,
        customers: 6,
        seed_cdrs: 2_000,
        visitors: 2,
        posts_per_second: 20,
        import_every: Duration::from_secs(7),
        import_lines: 3_000,
        admin_every: Duration::from_secs(2),
        rss_every: Duration::from_secs(30),
        kills: 5,
        verbose: true,
    })
    .unwrap();
    println!("{}", outcome.report);
    assert_eq!(outcome.kills, 5, "{}", outcome.report);
    assert!(outcome.errors.is_empty(), "{}", outcome.report);
    assert!(outcome.problems.is_empty(), "{}", outcome.report);
    assert_eq!(
        outcome.repairs, 0,
        "the store needed a repair after a kill:\n{}",
        outcome.report
    );
    // The mix did run between the kills: CDRs came in both ways, and the retries went through.
    let last = &outcome.last_check;
    assert!(last.stored > 2_000 + 500, "{}", outcome.report);
    assert_eq!(last.balances, 6);
}
