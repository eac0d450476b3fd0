#!/usr/bin/env bash
# The crash loop's documented full run: `loaxa serve` killed with SIGKILL 50 times at random
# moments during uploads, approvals and airing, restarted and checked each time
# (tests/integration/crash.rs). CI runs the same test with 10 rounds.
#
#   deploy/proof/crash-loop.sh                      # 50 rounds, a fresh seed (printed)
#   LOAXA_CRASH_SEED=123 deploy/proof/crash-loop.sh # replay a run
#   LOAXA_CRASH_ROUNDS=200 deploy/proof/crash-loop.sh
#   LOAXA_CRASH_KEEP=1 ...                          # keep the station's folder for inspection
#
# Only the crash test runs: `loaxa` refuses unknown LOAXA_* variables, so exporting these
# around the whole suite would fail the tests that start the binary themselves.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOAXA_CRASH_ROUNDS="${LOAXA_CRASH_ROUNDS:-50}"
exec nice -n 10 cargo test --locked --test integration crash:: -- --nocapture --test-threads=1 "$@"
