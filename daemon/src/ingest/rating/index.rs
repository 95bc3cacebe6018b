//! One rate card's rates arranged for longest-prefix lookup at a point in time.
//!
//! A digit trie: walking the dialled number once from its first digit visits every prefix of
//! it that the card knows, shortest first, so the deepest visited prefix with a rate already in
//! effect is the answer, and a longer prefix whose rates all start later falls back to the next
//! shorter one for free. Nodes are 12 bytes; only nodes that have children own a block of ten
//! child slots, so a card of 100,000 prefixes stays a few megabytes and the walk touches one
//! node and one block per digit.

use portico_protocol::Rate;

/// "No node" / "no children" in the `u32` links.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    /// Index into [`RateIndex::blocks`] of this node's ten child slots, or [`NONE`].
    children: u32,
    /// This node's rates are `rates[start..end]`, ascending by `effective_from`.
    start: u32,
    end: u32,
}

impl Node {
    const EMPTY: Node = Node {
        children: NONE,
        start: 0,
        end: 0,
    };
}

/// The rates of one rate card, indexed for [`RateIndex::lookup`]. Build it once per card (and
/// again when the card's rates change); it is immutable and `Sync`, so one `Arc<RateIndex>` can
/// serve every ingest thread.
#[derive(Debug, Clone)]
pub struct RateIndex {
    /// `nodes[0]` is the root (the empty prefix).
    nodes: Vec<Node>,
    /// Child slots, indexed by digit; each entry is a node index or [`NONE`].
    blocks: Vec<[u32; 10]>,
    /// All indexed rates, grouped by prefix, each group ascending by `effective_from`.
    rates: Vec<Rate>,
    /// Rates left out because their prefix is not all ASCII digits.
    skipped: usize,
}

impl Default for RateIndex {
    fn default() -> Self {
        RateIndex {
            nodes: vec![Node::EMPTY],
            blocks: Vec::new(),
            rates: Vec::new(),
            skipped: 0,
        }
    }
}

impl RateIndex {
    /// Indexes one rate card's rates, in any order.
    ///
    /// A rate whose prefix is not all ASCII digits can never match a dialled number and is
    /// left out (counted by [`RateIndex::skipped`]); the import refuses such prefixes anyway.
    /// An empty prefix would match every number. Two rates with the same prefix and the same
    /// `effective_from` should not exist (an import replaces one with the other); if they do,
    /// the one later in `rates` wins.
    pub fn new(mut rates: Vec<Rate>) -> Self {
        let before = rates.len();
        rates.retain(|r| r.prefix.bytes().all(|b| b.is_ascii_digit()));
        let mut index = RateIndex {
            skipped: before - rates.len(),
            ..RateIndex::default()
        };
        // Stable, so equal (prefix, date) pairs keep their input order.
        rates.sort_by(|a, b| {
            a.prefix
                .cmp(&b.prefix)
                .then(a.effective_from.cmp(&b.effective_from))
        });
        let mut kept = Vec::with_capacity(rates.len());
        let mut rest = rates.into_iter().peekable();
        while let Some(first) = rest.next() {
            let mut group = vec![first];
            while let Some(next) = rest.next_if(|r| r.prefix == group[0].prefix) {
                group.push(next);
            }
            let start = u32::try_from(kept.len()).ok();
            let end = u32::try_from(kept.len() + group.len()).ok();
            let (Some(start), Some(end)) = (start, end) else {
                // More than 4 billion rates in one card: nothing real gets here.
                index.skipped += group.len();
                continue;
            };
            let Some(node) = index.insert_path(group[0].prefix.as_bytes()) else {
                index.skipped += group.len();
                continue;
            };
            index.nodes[node].start = start;
            index.nodes[node].end = end;
            kept.append(&mut group);
        }
        index.rates = kept;
        index
    }

    /// The node for `prefix` (all digits), created with its ancestors as needed; `None` only if
    /// the links would not fit in `u32`.
    fn insert_path(&mut self, prefix: &[u8]) -> Option<usize> {
        let mut node = 0usize;
        for &byte in prefix {
            let digit = usize::from(byte - b'0');
            if self.nodes[node].children == NONE {
                let block = u32::try_from(self.blocks.len())
                    .ok()
                    .filter(|&b| b != NONE)?;
                self.blocks.push([NONE; 10]);
                self.nodes[node].children = block;
            }
            let block = self.nodes[node].children as usize;
            if self.blocks[block][digit] == NONE {
                let child = u32::try_from(self.nodes.len())
                    .ok()
                    .filter(|&n| n != NONE)?;
                self.nodes.push(Node::EMPTY);
                self.blocks[block][digit] = child;
            }
            node = self.blocks[block][digit] as usize;
        }
        Some(node)
    }

    /// The rate for a number dialled at `at` (Unix seconds): among the prefixes `digits` starts
    /// with, the longest that has a rate in effect at `at`, and of that prefix's rates the one
    /// with the greatest `effective_from <= at`. A longer prefix whose rates all start after
    /// `at` is passed over for a shorter one.
    ///
    /// `digits` is matched as a string: normalise it first with
    /// [`dialled_digits`](super::dialled_digits). The walk stops at the first byte that is not
    /// an ASCII digit. No allocation.
    pub fn lookup(&self, digits: &str, at: i64) -> Option<&Rate> {
        let mut node = self.nodes.first()?;
        let mut best = self.in_effect(node, at);
        for byte in digits.bytes() {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 || node.children == NONE {
                break;
            }
            let Some(block) = self.blocks.get(node.children as usize) else {
                break;
            };
            let Some(child) = self.nodes.get(block[usize::from(digit)] as usize) else {
                break;
            };
            node = child;
            if let Some(rate) = self.in_effect(node, at) {
                best = Some(rate);
            }
        }
        best
    }

    /// The node's rate in effect at `at`, if any.
    fn in_effect(&self, node: &Node, at: i64) -> Option<&Rate> {
        let rates = self.rates.get(node.start as usize..node.end as usize)?;
        let in_effect = rates.partition_point(|r| r.effective_from <= at);
        rates.get(in_effect.checked_sub(1)?)
    }

    /// How many rates are indexed.
    pub fn len(&self) -> usize {
        self.rates.len()
    }

    /// Whether no rate is indexed (every lookup answers `None`).
    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }

    /// How many rates [`RateIndex::new`] left out (a prefix that is not all digits).
    pub fn skipped(&self) -> usize {
        self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_protocol::Micros;

    fn rate(prefix: &str, name: &str, effective_from: i64) -> Rate {
        Rate {
            prefix: prefix.to_string(),
            name: name.to_string(),
            rate_per_min: Micros(10_000),
            connect_fee: Micros(0),
            first_increment: 1,
            next_increment: 1,
            effective_from,
        }
    }

    fn name<'a>(index: &'a RateIndex, digits: &str, at: i64) -> Option<&'a str> {
        index.lookup(digits, at).map(|r| r.name.as_str())
    }

    #[test]
    fn longest_prefix_wins() {
        let index = RateIndex::new(vec![
            rate("44", "UK", 0),
            rate("447", "UK mobile", 0),
            rate("4477", "UK mobile 77", 0),
            rate("1", "NANP", 0),
        ]);
        assert_eq!(name(&index, "447700900123", 10), Some("UK mobile 77"));
        assert_eq!(name(&index, "447800900123", 10), Some("UK mobile"));
        assert_eq!(name(&index, "442079460000", 10), Some("UK"));
        assert_eq!(name(&index, "12125550100", 10), Some("NANP"));
        assert_eq!(name(&index, "4", 10), None);
        assert_eq!(name(&index, "33123456789", 10), None);
        assert_eq!(name(&index, "", 10), None);
        // The number may be exactly the prefix.
        assert_eq!(name(&index, "447", 10), Some("UK mobile"));
        assert_eq!(index.len(), 4);
        assert_eq!(index.skipped(), 0);
    }

    #[test]
    fn rate_in_effect_switches_at_exactly_its_date() {
        let index = RateIndex::new(vec![
            rate("44", "new", 2_000),
            rate("44", "old", 1_000),
            rate("44", "newest", 3_000),
        ]);
        assert_eq!(name(&index, "4420", 999), None);
        assert_eq!(name(&index, "4420", 1_000), Some("old"));
        assert_eq!(name(&index, "4420", 1_999), Some("old"));
        assert_eq!(name(&index, "4420", 2_000), Some("new"));
        assert_eq!(name(&index, "4420", 2_999), Some("new"));
        assert_eq!(name(&index, "4420", 3_000), Some("newest"));
        assert_eq!(name(&index, "4420", i64::MAX), Some("newest"));
    }

    #[test]
    fn longer_prefix_not_yet_in_effect_falls_back_to_a_shorter_one() {
        let index = RateIndex::new(vec![
            rate("4", "zone 4", 0),
            rate("44", "UK", 500),
            rate("447", "UK mobile", 1_000),
            rate("4477", "UK mobile 77", 2_000),
        ]);
        assert_eq!(name(&index, "447700", 100), Some("zone 4"));
        assert_eq!(name(&index, "447700", 500), Some("UK"));
        assert_eq!(name(&index, "447700", 1_500), Some("UK mobile"));
        assert_eq!(name(&index, "447700", 2_000), Some("UK mobile 77"));
        assert_eq!(name(&index, "4", -1), None);
    }

    #[test]
    fn prefix_with_only_future_rates_between_two_effective_ones() {
        // 447's only rate starts later, so 4479 (in effect) still wins over 44 when it applies,
        // and 44 answers for 4478.
        let index = RateIndex::new(vec![
            rate("44", "UK", 0),
            rate("447", "UK mobile", 5_000),
            rate("4479", "UK mobile 79", 0),
        ]);
        assert_eq!(name(&index, "447912", 100), Some("UK mobile 79"));
        assert_eq!(name(&index, "447812", 100), Some("UK"));
        assert_eq!(name(&index, "447812", 5_000), Some("UK mobile"));
    }

    #[test]
    fn same_prefix_and_date_later_in_input_wins() {
        let index = RateIndex::new(vec![rate("44", "first", 0), rate("44", "second", 0)]);
        assert_eq!(name(&index, "44", 0), Some("second"));
    }

    #[test]
    fn non_digit_prefixes_are_skipped_and_non_digits_end_the_walk() {
        let index = RateIndex::new(vec![
            rate("4*4", "bad", 0),
            rate("+44", "bad", 0),
            rate("4", "four", 0),
            rate("44", "UK", 0),
        ]);
        assert_eq!(index.len(), 2);
        assert_eq!(index.skipped(), 2);
        assert_eq!(name(&index, "4*4", 0), Some("four"));
        assert_eq!(name(&index, "44*", 0), Some("UK"));
        assert_eq!(name(&index, "*44", 0), None);
    }

    #[test]
    fn empty_prefix_matches_everything_and_empty_card_nothing() {
        let index = RateIndex::new(vec![rate("", "anywhere", 0), rate("1", "NANP", 0)]);
        assert_eq!(name(&index, "33", 0), Some("anywhere"));
        assert_eq!(name(&index, "1212", 0), Some("NANP"));
        let empty = RateIndex::new(Vec::new());
        assert!(empty.is_empty());
        assert_eq!(name(&empty, "1212", 0), None);
        assert_eq!(name(&RateIndex::default(), "1212", 0), None);
    }

    #[test]
    fn long_prefixes_and_digits_beyond_them() {
        let long = "12345678901234567890";
        let index = RateIndex::new(vec![rate(long, "long", 0), rate("1", "one", 0)]);
        assert_eq!(name(&index, &format!("{long}99"), 0), Some("long"));
        assert_eq!(name(&index, &long[..19], 0), Some("one"));
    }
}
