#!/usr/bin/env bash
# Runs every test of the workspace: unit, property, fuzz-corpus, end-to-end (the real binary on
# loopback), the kill -9 crash test (VIGIL_CRASH_CYCLES, default 20) and, when Prometheus is
# installed, the Prometheus → Vigil remote-write test.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --workspace "$@"
