#!/usr/bin/env bash
# Storage and remote-write ingest benchmark: the same node_exporter-shaped data into Vigil,
# Prometheus and VictoriaMetrics, one after the other on this machine, then a ratio table.
#
#   bench/storage.sh                       # 500k series, 2 simulated hours at 15 s
#   SERIES=100000 HOURS=2 bench/storage.sh # smaller
#   SYSTEMS="vigil prometheus" bench/storage.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
trap cleanup_all EXIT

SERIES=${SERIES:-500000}
HOURS=${HOURS:-2}
INTERVAL_MS=${INTERVAL_MS:-15000}
CONCURRENCY=${CONCURRENCY:-4}
SYSTEMS=${SYSTEMS:-"vigil prometheus victoriametrics"}
WORK=${WORK:-$(mktemp -d /tmp/vigil-bench.XXXXXX)}
RESULTS=bench/results
mkdir -p "$RESULTS" "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS/storage-$STAMP.jsonl"

bench_install_peers
cargo build --release -q -p vigil -p rwgen

# Real node_exporter output as the template.
TEMPLATE="$WORK/node_exporter.prom"
fetch_node_template "$TEMPLATE"
PER_HOST=$(target/release/vigil-rwgen --url http://127.0.0.1:1/ --template "$TEMPLATE" --count-only)
INSTANCES=$(( (SERIES + PER_HOST - 1) / PER_HOST ))
echo "template: $TEMPLATE_SOURCE, $PER_HOST series per host, $INSTANCES hosts" >&2

for sys in $SYSTEMS; do
  dir="$WORK/$sys"; rm -rf "$dir"; port=$(free_port)
  echo "== $sys" >&2
  pid=$("start_$sys" "$dir" "$port" "$WORK/$sys.log")
  wait_http_200 "$("ready_url_$sys" "$port")" 120 >/dev/null
  base_rss=$(proc_rss_bytes "$pid")
  cpu0=$(proc_cpu_seconds "$pid")
  gen=$(target/release/vigil-rwgen --url "$("write_url_$sys" "$port")" --template "$TEMPLATE" \
        --instances "$INSTANCES" --hours "$HOURS" --interval-ms "$INTERVAL_MS" --concurrency "$CONCURRENCY")
  cpu1=$(proc_cpu_seconds "$pid")
  sleep 2
  rss=$(proc_rss_bytes "$pid"); hwm=$(proc_hwm_bytes "$pid")
  # Restart with a full WAL: kill -9, start again, time until ready.
  stop_pid "$pid" KILL
  pid=$("start_$sys" "$dir" "$port" "$WORK/$sys.restart.log")
  restart_s=$(wait_http_200 "$("ready_url_$sys" "$port")" 1800)
  restart_hwm=$(proc_hwm_bytes "$pid"); restart_rss=$(proc_rss_bytes "$pid")
  persisted=$("compact_$sys" "$dir" "$port")
  disk=$(du_bytes "$persisted")
  stop_pid "$pid"
  python3 - "$sys" "$gen" <<PY >>"$OUT"
import json, sys
g = json.loads(sys.argv[2])
print(json.dumps({
  "system": sys.argv[1], "series": g["series"], "samples": g["samples_acked"],
  "ingest_seconds": g["seconds"], "samples_per_second": g["samples_per_second"],
  "server_cpu_seconds": $cpu1 - $cpu0, "generator_cpu_seconds": g["generator_cpu_seconds"],
  "rss_bytes": $rss, "peak_rss_bytes": $hwm, "baseline_rss_bytes": $base_rss,
  "restart_seconds": $restart_s, "restart_peak_rss_bytes": $restart_hwm, "restart_rss_bytes": $restart_rss,
  "disk_bytes": $disk, "disk_what": "$persisted".replace("$WORK/", ""),
  "template": "$TEMPLATE_SOURCE", "hours": $HOURS, "interval_ms": $INTERVAL_MS,
}))
PY
  tail -1 "$OUT" >&2
done
python3 bench/report.py "$OUT"
echo "raw results: $OUT" >&2
