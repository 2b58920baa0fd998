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
# The web UI: type check, unit tests (vitest), the committed bundle is exactly what the sources
# build, and the browser tests in real Chromium against the binary built above (screenshots in
# target/ui-e2e). Needs Node, npm and Chromium: missing ones fail under CI=true and are
# reported as skipped elsewhere.
ui_status=0
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then
  echo "== web UI (ui/)"
  (
    set -e
    cd ui
    npm ci --no-audit --no-fund --loglevel=error
    npx tsc --noEmit -p .
    npx vitest run
    node build.mjs --check
    VIGIL_BIN="$PWD/../target/debug/vigil" timeout 1200 node e2e/run.mjs
  ) 2>&1 | tee -a "$log"
  ui_status=${PIPESTATUS[0]}
elif [ "${CI:-}" = true ]; then
  echo "FAILED: the web UI tests need node, npm and chromium (.ci/run installs them)" | tee -a "$log"
  ui_status=1
else
  echo "SKIPPED: web UI tests (need node, npm and chromium; install Debian's chromium)" | tee -a "$log"
fi
[ "$ui_status" -ne 0 ] && status=1

awk '{ gsub(/\033\[[0-9;]*m/, "") }
     /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^ +Tests +[0-9]+ (passed|failed)/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^ℹ pass [0-9]+$/ { p += $3 } /^ℹ fail [0-9]+$/ { f += $3 }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
