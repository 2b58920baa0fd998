#!/usr/bin/env bash
# Scrape benchmark: TARGETS targets each serving real node_exporter output (~1,000 series,
# static, on loopback), scraped at the same interval by Vigil, Prometheus and VictoriaMetrics'
# built-in scraper (vmsingle -promscrape.config), one after the other on this machine. Reports
# scraper CPU-seconds per million scraped samples and RSS, as ratios to Prometheus.
#
#   bench/scrape.sh                                # 1000 targets, 10 s interval, 120 s window
#   TARGETS=200 WINDOW=60 bench/scrape.sh          # smaller
#   SYSTEMS="vigil prometheus" bench/scrape.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
trap cleanup_all EXIT

TARGETS=${TARGETS:-1000}
INTERVAL=${INTERVAL:-10}
WINDOW=${WINDOW:-120}
SYSTEMS=${SYSTEMS:-"vigil prometheus victoriametrics"}
WORK=${WORK:-$(mktemp -d /tmp/vigil-bench.XXXXXX)}
RESULTS=bench/results
mkdir -p "$RESULTS" "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS/scrape-$STAMP.jsonl"

bench_install_peers
cargo build --release -q -p vigil

TEMPLATE="$WORK/node_exporter.prom"
fetch_node_template "$TEMPLATE.raw"
# node_exporter gives ~500 series here; every sample line is repeated with a `copy` label
# COPIES times (families stay together), so each target serves ~1,000 series.
python3 - "$TEMPLATE.raw" "${COPIES:-2}" >"$TEMPLATE" <<'PY'
import sys
copies = int(sys.argv[2])
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        print(line)
        continue
    for c in range(copies):
        if c == 0:
            print(line)
        elif "{" in line:
            print(line.replace("{", '{copy="%d",' % c, 1))
        else:
            name, rest = line.split(" ", 1)
            print('%s{copy="%d"} %s' % (name, c, rest))
PY
PER_TARGET=$(grep -cv '^#' "$TEMPLATE")
SRV_PORT=$(free_port)
start_bg "$WORK/server.log" python3 bench/serve_exposition.py "$TEMPLATE" "$SRV_PORT" >/dev/null
wait_http_200 "http://127.0.0.1:$SRV_PORT/metrics" 30 >/dev/null

# One job, TARGETS target groups on the one server: each its own path and instance label.
export SCRAPE_CONFIG="$WORK/prometheus.yml"
python3 - "$TARGETS" "$INTERVAL" "$SRV_PORT" >"$SCRAPE_CONFIG" <<'PY'
import sys
n, interval, port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
print(f"global:\n  scrape_interval: {interval}s\n  scrape_timeout: {min(interval, 10)}s\nscrape_configs:\n  - job_name: node\n    static_configs:")
for i in range(n):
    print(f"      - targets: ['127.0.0.1:{port}']\n        labels: {{__metrics_path__: /metrics/{i}, host: host-{i:05d}}}")
PY
echo "$TARGETS targets x $PER_TARGET series ($TEMPLATE_SOURCE), every ${INTERVAL}s, ${WINDOW}s window" >&2

query_value() {  # PORT PROMQL → first value of an instant query (0 if none)
  curl -s -G "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'
}

for sys in $SYSTEMS; do
  dir="$WORK/$sys"; rm -rf "$dir"; port=$(free_port)
  echo "== $sys" >&2
  pid=$("start_$sys" "$dir" "$port" "$WORK/$sys.log")
  wait_http_200 "$("ready_url_$sys" "$port")" 120 >/dev/null
  # Warm-up: two rounds, so every series exists and caches are filled.
  sleep $((2 * INTERVAL + 2))
  cpu0=$(proc_cpu_seconds "$pid"); t0=$(now_s)
  sleep "$WINDOW"
  cpu1=$(proc_cpu_seconds "$pid"); t1=$(now_s)
  rss=$(proc_rss_bytes "$pid"); hwm=$(proc_hwm_bytes "$pid")
  sleep 2
  samples=$(query_value "$port" "sum(sum_over_time(scrape_samples_scraped[${WINDOW}s]))")
  up=$(query_value "$port" "count(up == 1)")
  stop_pid "$pid"
  python3 - <<PY >>"$OUT"
import json
cpu = $cpu1 - $cpu0
samples = float("$samples")
print(json.dumps({
  "system": "$sys", "targets": $TARGETS, "series_per_target": $PER_TARGET, "interval_s": $INTERVAL,
  "window_s": round($t1 - $t0, 1), "targets_up": float("$up"), "samples_scraped": samples,
  "cpu_seconds": round(cpu, 2), "cpu_s_per_million_samples": round(cpu / samples * 1e6, 3) if samples else None,
  "rss_bytes": $rss, "peak_rss_bytes": $hwm, "template": "$TEMPLATE_SOURCE",
}))
PY
  tail -1 "$OUT" >&2
done
python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
base = next((r for r in rows if r["system"] == "prometheus"), None)
print("| system | targets up | samples scraped | CPU-s per M samples | × Prometheus | RSS MiB | × Prometheus |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    c, m = r["cpu_s_per_million_samples"], r["rss_bytes"] / 2**20
    rc = f"{c / base['cpu_s_per_million_samples']:.2f}" if base and c and base["cpu_s_per_million_samples"] else "-"
    rm = f"{r['rss_bytes'] / base['rss_bytes']:.2f}" if base else "-"
    print(f"| {r['system']} | {r['targets_up']:.0f}/{r['targets']} | {r['samples_scraped']:.0f} | {c} | {rc} | {m:.0f} | {rm} |")
PY
echo "raw results: $OUT" >&2
