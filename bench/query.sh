#!/usr/bin/env bash
# PromQL query benchmark: the same node_exporter-shaped data (plus one classic histogram per
# host) written into Vigil, Prometheus and VictoriaMetrics, then the same query suite against
# each — instant and range, 1 h and 24 h — one system at a time on this machine. Reports
# median and p99 latency and peak memory per query, as ratios (bench/query_report.py).
#
#   bench/query.sh                                   # 100k series, 24 h at 60 s
#   SERIES=20000 HOURS=24 bench/query.sh             # smaller
#   SYSTEMS="vigil prometheus" RUNS=5 bench/query.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
trap cleanup_all EXIT

SERIES=${SERIES:-100000}
HOURS=${HOURS:-24}
INTERVAL_MS=${INTERVAL_MS:-60000}
CONCURRENCY=${CONCURRENCY:-4}
RUNS=${RUNS:-7}
SYSTEMS=${SYSTEMS:-"vigil prometheus victoriametrics"}
WORK=${WORK:-$(mktemp -d /tmp/vigil-qbench.XXXXXX)}
RESULTS=bench/results
mkdir -p "$RESULTS" "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS/query-$STAMP.jsonl"

bench_install_peers
cargo build --release -q -p vigil -p rwgen

TEMPLATE="$WORK/node_exporter.prom"
fetch_node_template "$TEMPLATE"
# node_exporter has no classic histogram; add an application-style one per host.
{
  echo "# HELP bench_request_duration_seconds Request latency."
  echo "# TYPE bench_request_duration_seconds histogram"
  for h in /api /login /search; do
    c=0
    for le in 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf; do
      c=$((c + 7))
      echo "bench_request_duration_seconds_bucket{handler=\"$h\",le=\"$le\"} $c"
    done
  done
} >>"$TEMPLATE"
PER_HOST=$(target/release/vigil-rwgen --url http://127.0.0.1:1/ --template "$TEMPLATE" --count-only)
INSTANCES=$(( (SERIES + PER_HOST - 1) / PER_HOST ))
echo "$PER_HOST series per host, $INSTANCES hosts, $HOURS h at ${INTERVAL_MS} ms" >&2

# One fixed end time for every system, so that the same windows are queried.
END_MS=$(( $(date +%s) * 1000 / INTERVAL_MS * INTERVAL_MS ))
START_MS=$(( END_MS - HOURS * 3600000 ))

for sys in $SYSTEMS; do
  dir="$WORK/$sys"; rm -rf "$dir"; port=$(free_port)
  echo "== $sys: loading" >&2
  case $sys in
    victoriametrics) VM_EXTRA_ARGS="-search.disableCache -search.maxPointsPerTimeseries=100000 ${VM_EXTRA_ARGS:-}";;
  esac
  pid=$("start_$sys" "$dir" "$port" "$WORK/$sys.log")
  wait_http_200 "$("ready_url_$sys" "$port")" 120 >/dev/null
  target/release/vigil-rwgen --url "$("write_url_$sys" "$port")" --template "$TEMPLATE" \
    --instances "$INSTANCES" --hours "$HOURS" --interval-ms "$INTERVAL_MS" --concurrency "$CONCURRENCY" \
    --start-ms "$START_MS" >"$WORK/$sys.rwgen.json"
  [ "$sys" = victoriametrics ] && curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
  sleep 5
  echo "== $sys: querying" >&2
  python3 bench/query_bench.py --system "$sys" --url "http://127.0.0.1:$port" --pid "$pid" \
    --end-ms "$END_MS" --runs "$RUNS" --series "$((PER_HOST * INSTANCES))" >>"$OUT"
  stop_pid "$pid"
done
python3 bench/query_report.py "$OUT"
echo "raw results: $OUT" >&2
