#!/usr/bin/env bash
# Web UI benchmark (issue 14), in headless Chromium (Debian's) on this machine:
#  1. first contentful paint and "content there" for cold loads of / and of Node Exporter Full
#     (imported through POST /api/dashboards/db), median of RUNS loads, a new context each;
#  2. drawing SERIES x POINTS with the UI's own Chart component (uPlot), median of RUNS;
#  3. the bundle's JS+CSS bytes (raw, gzip, brotli) and the bytes one page load transfers,
#     Vigil's /explore vs Debian's Prometheus 2.42 /graph;
#  4. server CPU per Node Exporter Full refresh: Vigil and Prometheus both scrape the same
#     prometheus-node-exporter (and themselves) every 5 s for WAIT seconds; the API requests one
#     refresh sends (every row expanded) are captured from the browser against Vigil, then
#     replayed REFRESHES times against each server, times shifted to now; CPU from /proc.
#
#   bench/ui.sh
#   RUNS=7 REFRESHES=40 WAIT=300 bench/ui.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
trap cleanup_all EXIT

RUNS=${RUNS:-5}
REFRESHES=${REFRESHES:-50}
WAIT=${WAIT:-180}
RANGE=${RANGE:-now-15m}
SERIES=${SERIES:-100}
POINTS=${POINTS:-10000}
WORK=${WORK:-$(mktemp -d /tmp/vigil-uibench.XXXXXX)}
RESULTS=bench/results
mkdir -p "$RESULTS" "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS/ui-$STAMP.jsonl"
export CLK_TCK
CLK_TCK=$(getconf CLK_TCK)
B="timeout 300 node bench/ui_bench.mjs"

bench_install_peers
[ -n "${VIGIL_BIN:-}" ] || timeout 900 cargo build --release -q -p vigil
[ -d ui/node_modules/playwright-core ] || (cd ui && timeout 300 npm ci --no-audit --no-fund)

# The machine.
python3 - "$OUT" <<'PY' >>"$OUT"
import json, os, platform, subprocess, sys
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
prom = subprocess.run(["prometheus", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
print(json.dumps({"bench": "ui", "metric": "machine", "cores": os.cpu_count(), "cpu": cpu, "mem_bytes": mem, "kernel": platform.release(), "prometheus": prom}))
PY

# 3a. The bundle as built (crates/ui/dist holds each asset with .gz and .br siblings).
python3 - >>"$OUT" <<'PY'
import json, os
d = "crates/ui/dist"
row = {"bench": "ui", "metric": "bundle_bytes", "files": {}}
for kind in ("raw", "gzip", "brotli"):
    row[kind] = 0
for name in sorted(os.listdir(d)):
    if not name.endswith((".js", ".css")):
        continue
    f = {"raw": os.path.getsize(f"{d}/{name}"), "gzip": os.path.getsize(f"{d}/{name}.gz"), "brotli": os.path.getsize(f"{d}/{name}.br")}
    row["files"][name] = f
    for k, v in f.items():
        row[k] += v
print(json.dumps(row))
PY

# Peers: one node_exporter; Vigil and Prometheus scrape it and themselves every 5 s.
NE_PORT=$(free_port); V_PORT=$(free_port); P_PORT=$(free_port)
start_bg "$WORK/node_exporter.log" prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" >/dev/null
wait_http_200 "http://127.0.0.1:$NE_PORT/metrics" 30 >/dev/null
scrape_config() { # SELF_JOB SELF_PORT
  printf 'global:\n  scrape_interval: 5s\n  scrape_timeout: 5s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n  - job_name: %s\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$NE_PORT" "$1" "$2"
}
scrape_config vigil "$V_PORT" >"$WORK/vigil.yml"
scrape_config prometheus "$P_PORT" >"$WORK/prometheus.yml"
V_PID=$(SCRAPE_CONFIG="$WORK/vigil.yml" start_vigil "$WORK/vigil" "$V_PORT" "$WORK/vigil.log")
P_PID=$(SCRAPE_CONFIG="$WORK/prometheus.yml" start_prometheus "$WORK/prometheus" "$P_PORT" "$WORK/prometheus.log")
wait_http_200 "$(ready_url_vigil "$V_PORT")" 120 >/dev/null
wait_http_200 "$(ready_url_prometheus "$P_PORT")" 120 >/dev/null
SCRAPE_START=$(date +%s)
V="http://127.0.0.1:$V_PORT"; P="http://127.0.0.1:$P_PORT"
echo "vigil $V (pid $V_PID), prometheus $P (pid $P_PID), node_exporter :$NE_PORT; scraping for ${WAIT}s" >&2

# Browser-only figures while both gather data.
echo "== chart draw" >&2
$B chart --runs "$RUNS" --series "$SERIES" --points "$POINTS" >>"$OUT"
echo "== page weight" >&2
$B weight --base "$V" --path /explore --system vigil >>"$OUT"
$B weight --base "$P" --path /graph --system prometheus >>"$OUT"
sleep 15 # two scrapes, so the home page's rate() figures have data
echo "== home page" >&2
$B paint --base "$V" --path / --kind home --runs "$RUNS" >>"$OUT"

left=$(( SCRAPE_START + WAIT - $(date +%s) ))
[ "$left" -gt 0 ] && { echo "== waiting ${left}s for data" >&2; sleep "$left"; }

echo "== Node Exporter Full" >&2
DASH_URL=$(python3 - "$V" <<'PY'
import json, sys, urllib.request
d = json.load(open("ui/test/fixtures/node-exporter-full.json"))
req = urllib.request.Request(sys.argv[1] + "/api/dashboards/db", data=json.dumps({"dashboard": d, "overwrite": True}).encode(), headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req, timeout=30))["url"])
PY
)
$B paint --base "$V" --path "$DASH_URL?from=$RANGE&to=now" --kind dashboard --runs "$RUNS" >>"$OUT"
$B capture --base "$V" --path "$DASH_URL?from=$RANGE&to=now" --out "$WORK/refresh.json" >>"$OUT"

echo "== replaying one refresh x $REFRESHES" >&2
# Both warm-up refreshes ask for the same moment (a little in the past), so answers compare.
AT=$(( $(date +%s) - 10 ))
$B replay --base "$V" --capture "$WORK/refresh.json" --pid "$V_PID" --system vigil --refreshes "$REFRESHES" --at "$AT" >>"$OUT"
$B replay --base "$P" --capture "$WORK/refresh.json" --pid "$P_PID" --system prometheus --refreshes "$REFRESHES" --at "$AT" >>"$OUT"
cp "$WORK/refresh.json" "$RESULTS/ui-$STAMP.refresh.json"
python3 -c 'import json,sys; print(json.dumps({"bench":"ui","metric":"run","range":sys.argv[1],"scraped_s":int(sys.argv[2]),"stamp":sys.argv[3]}))' "$RANGE" "$(( $(date +%s) - SCRAPE_START ))" "$STAMP" >>"$OUT"
# The span each server holds of the shared node_exporter (explains small sample-count differences).
for s in "vigil $V" "prometheus $P"; do
  set -- $s
  curl -sf "$2/api/v1/query" --data-urlencode 'query=node_load1{job="node"}[1h]' --data-urlencode "time=$AT" | python3 -c '
import json, sys
v = json.load(sys.stdin)["data"]["result"][0]["values"]
print(json.dumps({"bench": "ui", "metric": "data_span", "system": sys.argv[1], "at": int(sys.argv[2]), "samples": len(v), "first": v[0][0], "last": v[-1][0]}))' "$1" "$AT" >>"$OUT"
done
stop_pid "$V_PID"; stop_pid "$P_PID"

python3 bench/ui_report.py "$OUT"
echo "raw results: $OUT (captured refresh: $RESULTS/ui-$STAMP.refresh.json)" >&2
