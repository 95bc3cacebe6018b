#!/usr/bin/env bash
# Soak test (issue 8): a release porticod in a fresh temporary directory, on loopback only, with
# several portal domains over HTTPS (local CA), customers with logins, rates, payments and seed
# CDRs; then for DURATION seconds, all at once: customers logging in and paging CDRs and breakouts
# over HTTPS, FreeSWITCH-style JSON CDRs posted to the ingest endpoint at a steady rate, periodic
# `portico cdr import` runs, and admin CLI changes (customer set, domain section toggles,
# payments). The daemon's RSS is printed every minute; at the end, per kind of request: requests,
# req/s, p50, p99, errors (each error with its detail), the RSS series with a verdict on growth,
# and a check of the store (every acknowledged CDR stored once, every balance recomputed).
#
#   tests/bench/soak.sh                  # 10 minutes
#   DURATION=120 tests/bench/soak.sh     # 2 minutes
#   tests/bench/soak.sh --kill 20        # kill -9 the daemon 20 times during the mix, checking
#                                        # the store after each restart
#   tests/bench/soak.sh --help           # every option of the driver (tests/src/bin/soak.rs)
#
# Exit status 0 only when no request failed and every check held. Builds the release binaries
# first (cargo build --release); set PORTICO_BIN_DIR to use binaries built elsewhere.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
if [[ -z ${PORTICO_BIN_DIR:-} ]]; then
    echo "building porticod, portico and the soak driver (release)" >&2
    (cd "$REPO" && cargo build --release --locked -q -p porticod -p portico -p portico-tests --bins)
fi
BIN=${PORTICO_BIN_DIR:-$TARGET/release}
[[ -x $BIN/soak ]] || { echo "no soak driver at $BIN/soak" >&2; exit 1; }
echo "soak $(date -u +%FT%TZ) on $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)" >&2
PORTICO_BIN_DIR=$BIN exec "$BIN/soak" "$@"
