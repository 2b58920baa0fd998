#!/usr/bin/env bash
# Runs every test of the workspace: unit, property, fuzz-corpus, end-to-end (the real binary on
# loopback), the kill -9 crash test (VIGIL_CRASH_CYCLES, default 20) and, when Prometheus is
# installed, the Prometheus → Vigil remote-write test. Ends with one summary line
# "N passed, N failed" over all test binaries.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
