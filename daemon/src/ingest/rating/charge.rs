//! Billed seconds and the charge of a connected call, in exact integer arithmetic.

use portico_protocol::Micros;

/// Seconds billed for a connected call of `billsec` seconds under a `first`/`next` increment
/// scheme: 0 if `billsec` is 0, `first` if `billsec <= first`, else
/// `first + ceil((billsec - first) / next) * next`.
///
/// A `next` of 0 (refused at rate card import) is taken as 1, so the call is billed by the
/// second after the first increment instead of dividing by zero. A result beyond `u32::MAX`
/// (only possible for absurd inputs) saturates.
pub fn billed_seconds(billsec: u32, first: u32, next: u32) -> u32 {
    if billsec == 0 {
        return 0;
    }
    if billsec <= first {
        return first;
    }
    let next = u64::from(next.max(1));
    let over = u64::from(billsec - first);
    let billed = u64::from(first) + over.div_ceil(next) * next;
    u32::try_from(billed).unwrap_or(u32::MAX)
}

/// The charge of a connected call: `connect_fee + rate_per_min * billed / 60`, the second term
/// rounded half-up to whole micro-units (0.5 micro-units and more round up).
///
/// Rates and fees are never negative (the rate card import refuses them). Should a negative
/// rate reach this function anyway, the per-minute part rounds half away from zero, so a
/// credit mirrors the charge of the same positive rate exactly. A total outside the range of
/// `Micros` saturates.
pub fn charge(rate_per_min: Micros, connect_fee: Micros, billed: u32) -> Micros {
    // Micro-units times seconds; at most 2^63 * 2^32, far inside i128.
    let micro_seconds = i128::from(rate_per_min.0) * i128::from(billed);
    let per_minute = if micro_seconds < 0 {
        -((30 - micro_seconds) / 60)
    } else {
        (micro_seconds + 30) / 60
    };
    let total = i128::from(connect_fee.0) + per_minute;
    Micros(i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_seconds_bill_nothing() {
        assert_eq!(billed_seconds(0, 30, 6), 0);
        assert_eq!(billed_seconds(0, 60, 60), 0);
        assert_eq!(billed_seconds(0, 1, 1), 0);
    }

    #[test]
    fn increments_30_6() {
        assert_eq!(billed_seconds(1, 30, 6), 30);
        assert_eq!(billed_seconds(30, 30, 6), 30);
        assert_eq!(billed_seconds(31, 30, 6), 36);
        assert_eq!(billed_seconds(36, 30, 6), 36);
        assert_eq!(billed_seconds(37, 30, 6), 42);
        assert_eq!(billed_seconds(61, 30, 6), 66);
    }

    #[test]
    fn increments_60_60() {
        assert_eq!(billed_seconds(1, 60, 60), 60);
        assert_eq!(billed_seconds(60, 60, 60), 60);
        assert_eq!(billed_seconds(61, 60, 60), 120);
        assert_eq!(billed_seconds(120, 60, 60), 120);
        assert_eq!(billed_seconds(121, 60, 60), 180);
    }

    #[test]
    fn increments_1_1_and_60_1() {
        assert_eq!(billed_seconds(7, 1, 1), 7);
        assert_eq!(billed_seconds(7, 60, 1), 60);
        assert_eq!(billed_seconds(61, 60, 1), 61);
    }

    #[test]
    fn next_zero_counts_as_one_and_huge_values_saturate() {
        assert_eq!(billed_seconds(45, 30, 0), 45);
        assert_eq!(billed_seconds(u32::MAX, 1, 1), u32::MAX);
        assert_eq!(billed_seconds(u32::MAX - 1, 1, u32::MAX), u32::MAX);
        assert_eq!(billed_seconds(u32::MAX, u32::MAX, 7), u32::MAX);
    }

    fn m(v: i64) -> Micros {
        Micros(v)
    }

    #[test]
    fn whole_minutes_are_exact() {
        // 0.0125/min for 120 s = 0.025; plus a 0.01 connect fee.
        assert_eq!(charge(m(12_500), m(10_000), 120), m(35_000));
        assert_eq!(charge(m(12_500), m(0), 60), m(12_500));
    }

    #[test]
    fn half_a_micro_rounds_up() {
        // 0.000001/min for 30 s = 0.0000005 -> 0.000001.
        assert_eq!(charge(m(1), m(0), 30), m(1));
        // 29 s = 0.00000048.. -> 0.
        assert_eq!(charge(m(1), m(0), 29), m(0));
        // 0.000003/min for 10 s = 0.0000005 -> 0.000001; 0.000003/min for 30 s = 1.5 -> 2.
        assert_eq!(charge(m(3), m(0), 10), m(1));
        assert_eq!(charge(m(3), m(0), 30), m(2));
        // 0.000007/min for 6 s = 0.7 -> 1; for 4 s = 0.466.. -> 0.
        assert_eq!(charge(m(7), m(0), 6), m(1));
        assert_eq!(charge(m(7), m(0), 4), m(0));
        // 0.012345/min for 30 s = 6172.5 -> 6173 micro-units.
        assert_eq!(charge(m(12_345), m(0), 30), m(6_173));
        // 0.012345/min for 42 s = 8641.5 -> 8642.
        assert_eq!(charge(m(12_345), m(0), 42), m(8_642));
        // 0.012347/min for 31 s = 6379.28.. -> 6379.
        assert_eq!(charge(m(12_347), m(0), 31), m(6_379));
    }

    #[test]
    fn zero_billed_is_the_connect_fee() {
        assert_eq!(charge(m(99_999), m(1_500), 0), m(1_500));
        assert_eq!(charge(m(0), m(0), 3_600), m(0));
    }

    #[test]
    fn negative_rates_mirror_positive_ones() {
        assert_eq!(charge(m(-1), m(0), 30), m(-1));
        assert_eq!(charge(m(-1), m(0), 29), m(0));
        assert_eq!(charge(m(-12_345), m(0), 30), m(-6_173));
        assert_eq!(charge(m(-12_345), m(10_000), 30), m(10_000 - 6_173));
    }

    #[test]
    fn extremes_do_not_overflow() {
        assert_eq!(charge(m(i64::MAX), m(i64::MAX), u32::MAX), m(i64::MAX));
        assert_eq!(charge(m(i64::MIN), m(i64::MIN), u32::MAX), m(i64::MIN));
        // i64::MAX micro-units per minute for 60 s is i64::MAX exactly.
        assert_eq!(charge(m(i64::MAX), m(0), 60), m(i64::MAX));
    }
}
