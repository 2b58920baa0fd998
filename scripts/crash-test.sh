#!/usr/bin/env bash
# The kill -9 crash test with more cycles than CI runs: scripts/crash-test.sh [CYCLES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL_CRASH_CYCLES="${1:-200}" VIGIL_CRASH_SEED="${2:-$RANDOM}" \
  cargo test --release -p vigil --test crash -- --nocapture
