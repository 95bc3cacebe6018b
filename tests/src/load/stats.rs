//! What the load driver measured: per kind of request, every latency and every error.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Latencies (µs) and errors of one kind.
#[derive(Debug, Default, Clone)]
pub struct Kind {
    /// One entry per request that succeeded.
    pub micros: Vec<u64>,
    /// Errors, in words (request and what went wrong).
    pub errors: Vec<String>,
    /// Requests cut short by a deliberate kill of the daemon (kill mode only): not errors.
    pub interrupted: u64,
}

/// Every kind's record, shared by the workers.
#[derive(Debug, Default)]
pub struct Stats {
    kinds: Mutex<BTreeMap<&'static str, Kind>>,
}

impl Stats {
    fn with<T>(&self, kind: &'static str, f: impl FnOnce(&mut Kind) -> T) -> T {
        let mut kinds = self
            .kinds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(kinds.entry(kind).or_default())
    }

    /// A request of `kind` that succeeded in `took`.
    pub fn ok(&self, kind: &'static str, took: Duration) {
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.with(kind, |k| k.micros.push(us));
    }

    /// A request of `kind` that failed.
    pub fn error(&self, kind: &'static str, what: String) {
        self.with(kind, |k| k.errors.push(what));
    }

    /// A request of `kind` that a deliberate kill cut short.
    pub fn interrupted(&self, kind: &'static str) {
        self.with(kind, |k| k.interrupted += 1);
    }

    /// Every error so far.
    pub fn errors(&self) -> Vec<String> {
        let kinds = self
            .kinds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kinds
            .iter()
            .flat_map(|(name, k)| k.errors.iter().map(move |e| format!("{name}: {e}")))
            .collect()
    }

    /// A snapshot of every kind.
    pub fn snapshot(&self) -> BTreeMap<&'static str, Kind> {
        self.kinds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The table: kind, requests, req/s over `elapsed`, p50, p99, max (ms), errors,
    /// interrupted; then every error's detail.
    pub fn table(&self, elapsed: Duration) -> String {
        let mut out = String::new();
        let secs = elapsed.as_secs_f64().max(0.001);
        let _ = writeln!(
            out,
            "{:<16} {:>9} {:>8} {:>9} {:>9} {:>9} {:>7} {:>11}",
            "kind", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "interrupted"
        );
        let kinds = self.snapshot();
        for (name, k) in &kinds {
            let mut v = k.micros.clone();
            v.sort_unstable();
            let ms = |q: f64| {
                if v.is_empty() {
                    0.0
                } else {
                    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
                    v[i.min(v.len() - 1)] as f64 / 1000.0
                }
            };
            let _ = writeln!(
                out,
                "{:<16} {:>9} {:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>7} {:>11}",
                name,
                v.len(),
                v.len() as f64 / secs,
                ms(0.5),
                ms(0.99),
                ms(1.0),
                k.errors.len(),
                k.interrupted
            );
        }
        for (name, k) in &kinds {
            for e in k.errors.iter().take(20) {
                let _ = writeln!(out, "error {name}: {e}");
            }
            if k.errors.len() > 20 {
                let _ = writeln!(out, "error {name}: ... {} more", k.errors.len() - 20);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_counts_and_lists_errors() {
        let s = Stats::default();
        for ms in 1..=100 {
            s.ok("page", Duration::from_millis(ms));
        }
        s.error("ingest", "POST /cdr x: 500".into());
        s.interrupted("ingest");
        let t = s.table(Duration::from_secs(10));
        assert!(t.contains("page"), "{t}");
        assert!(t.contains("   10.0 "), "{t}");
        assert!(t.contains("error ingest: POST /cdr x: 500"), "{t}");
        assert_eq!(s.errors().len(), 1);
    }
}
