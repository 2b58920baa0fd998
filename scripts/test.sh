#!/usr/bin/env bash
# Runs every test of the workspace: unit, property, fuzz-corpus, end-to-end (the real binary on
# loopback), the kill -9 crash test (VIGIL_CRASH_CYCLES, default 20) and, when Prometheus is
# installed, the Prometheus → Vigil remote-write test, the PromQL differential test against
# Prometheus and the promtool/API-shape tests; the PromQL conformance suites (Vigil's own, and
# upstream's when ../shared is present). Ends with one summary line
# "N passed, N failed" over all test binaries.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The upstream PromQL suite is enforced by `cargo test -p promql --test conformance`; here its
# pass rate is printed for the record when ../shared is present.
if [ -d ../shared/conformance/promqltest ]; then
  echo "== upstream promqltest (../shared/conformance/promqltest):"
  cargo run -q -p vigil -- promqltest ../shared/conformance/promqltest \
    --known-failures conformance/upstream-known-failures.txt 2>/dev/null | tail -2 | head -1
fi
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
