#!/usr/bin/env bash
# Runs every fuzz target of Portico's parsers for SECONDS_PER_TARGET seconds (default 60) and
# prints a table: target, executions, crashes, seconds. Exits 1 when any target crashed; the
# input that did it is in fuzz/artifacts/<target>/ (replay it with
# `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`).
#
# Needs a nightly toolchain (`rustup toolchain install nightly`); installs cargo-fuzz when it is
# missing. The committed corpora in fuzz/corpus/<target>/ are read, not written: new inputs go
# to a scratch directory. With UPDATE_CORPUS=1 they are merged into the committed corpora,
# minimised with `cargo fuzz cmin`.
#
# Builds in $CARGO_TARGET_DIR/fuzz when CARGO_TARGET_DIR is set, else in fuzz/target.
set -euo pipefail

seconds=${1:-60}
case $seconds in
'' | *[!0-9]*)
    echo "usage: fuzz/run.sh [SECONDS_PER_TARGET]" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: cargo-fuzz needs a nightly toolchain; run: rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# -a: debug assertions, so that integer overflow panics as it does in tests.
build=(-a)
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    build+=(--target-dir "$CARGO_TARGET_DIR/fuzz")
fi
cargo +nightly fuzz build "${build[@]}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rows=()
failed=0
for target in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$target" "artifacts/$target" "$scratch/$target"
    before=$(find "artifacts/$target" -type f | wc -l)
    log="$scratch/$target.log"
    start=$(date +%s)
    status=0
    # New inputs go to the scratch directory (the first); the committed corpus seeds the run.
    cargo +nightly fuzz run "${build[@]}" "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1 || status=$?
    took=$(($(date +%s) - start))
    execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -n 1)
    crashes=$(($(find "artifacts/$target" -type f | wc -l) - before))
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1 # stopped by something that left no artifact (see the log below)
    fi
    if [ "$crashes" -ne 0 ]; then
        failed=1
        echo "== $target failed (exit $status); the end of its log:" >&2
        tail -n 40 "$log" >&2
    elif [ "${UPDATE_CORPUS:-0}" = 1 ]; then
        cp -n "$scratch/$target"/* "corpus/$target/" 2>/dev/null || true
        cargo +nightly fuzz cmin "${build[@]}" "$target" "corpus/$target" >"$log.cmin" 2>&1
    fi
    rows+=("$(printf '%-16s %12s %8s %8s' "$target" "${execs:-?}" "$crashes" "$took")")
done

printf '%-16s %12s %8s %8s\n' target executions crashes seconds
printf '%s\n' "${rows[@]}"
exit "$failed"
