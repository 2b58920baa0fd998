#!/usr/bin/env bash
# Rule-evaluation benchmark: 1,000 rules (half recording, half alerting; bench/rules_gen.py) over
# ~100k node_exporter series, evaluated every 15 s by Vigil and by Prometheus 2.42, one after the
# other on this machine with the same data and the same rule file. Reports evaluation time per
# interval, server CPU per interval and RSS as ratios (bench/rules_report.py), and checks that
# both produced the same recorded series (count and values) and the same alerts.
#
#   bench/rules.sh                               # 100k series, 50 groups × 20 rules (~25 min)
#   SERIES=20000 WINDOW=4 bench/rules.sh         # smaller
#   SYSTEMS=prometheus NO_BUILD=1 bench/rules.sh
#
# Timing, per system (all times are wall-clock seconds, T = a multiple of the interval):
#   load      vigil-rwgen writes HISTORY_MIN minutes of samples before T and the samples of the
#             measurement after T (timestamps in the future: a query at time t sees only samples
#             ≤ t, so the rules see a live-looking feed without any ingest during the window);
#   T-30..T   idle CPU (data loaded, no rules yet);
#   T         the config gains `rule_files`; SIGHUP;
#   T..T+W    WARMUP intervals: the groups run a few times, alerts reach their states;
#   window    WINDOW intervals: CPU of the server, each group's last evaluation time sampled
#             every interval; at the end, the recorded series and alerts as of the window's end.
# The data is anchored to T the same way for every system, and groups evaluate on the interval
# grid, so both systems evaluate the rules over the same samples.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
trap cleanup_all EXIT

SERIES=${SERIES:-100000}
HISTORY_MIN=${HISTORY_MIN:-30}
INTERVAL=${INTERVAL:-15}
WARMUP=${WARMUP:-4}
WINDOW=${WINDOW:-8}
LOAD_BUDGET=${LOAD_BUDGET:-240}
RULE_GROUPS=${RULE_GROUPS:-50}
RULES_PER_GROUP=${RULES_PER_GROUP:-20}
CONCURRENCY=${CONCURRENCY:-4}
SYSTEMS=${SYSTEMS:-"vigil prometheus"}
WORK=${WORK:-$(mktemp -d /tmp/vigil-rbench.XXXXXX)}
RESULTS=bench/results
mkdir -p "$RESULTS" "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS/rules-$STAMP.jsonl"
started=$(date +%s)

bench_install_peers
[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p vigil -p rwgen

TEMPLATE="$WORK/node_exporter.prom"
fetch_node_template "$TEMPLATE"
PER_HOST=$(target/release/vigil-rwgen --url http://127.0.0.1:1/ --template "$TEMPLATE" --count-only)
INSTANCES=$(( (SERIES + PER_HOST - 1) / PER_HOST ))
# Samples after T: the warm-up, the window and two minutes to spare.
FUTURE_S=$(( (WARMUP + WINDOW) * INTERVAL + 120 ))
STEPS=$(( (HISTORY_MIN * 60 + FUTURE_S) / INTERVAL ))
HOURS=$(python3 -c "print(repr($STEPS * $INTERVAL / 3600))")
echo "template: $TEMPLATE_SOURCE, $PER_HOST series per host, $INSTANCES hosts, $STEPS samples per series" >&2

RULES="$WORK/rules.yml"
python3 bench/rules_gen.py --template "$TEMPLATE" --instances "$INSTANCES" --interval "$INTERVAL" \
  --steps "$STEPS" --groups "$RULE_GROUPS" --rules-per-group "$RULES_PER_GROUP" \
  --out "$RULES" --summary "$WORK/expected.json"
promtool check rules "$RULES" >&2
if [[ " $SYSTEMS " == *" vigil "* ]]; then target/release/vigil check rules "$RULES" >&2; fi
cp "$RULES" "$RESULTS/rules-$STAMP.rules.yml"

export SCRAPE_CONFIG="$WORK/prometheus.yml"
write_config() {  # with_rules(0|1)
  printf 'global:\n  scrape_interval: %ss\n  evaluation_interval: %ss\n' "$INTERVAL" "$INTERVAL" >"$SCRAPE_CONFIG"
  [ "$1" = 1 ] && printf 'rule_files:\n  - %s\n' "$RULES" >>"$SCRAPE_CONFIG"
  return 0
}
sleep_until() { python3 -c "import time; time.sleep(max(0, $1 - time.time()))"; }

python3 - "$WORK/expected.json" >"$OUT" <<PY
import json, sys
e = json.load(open(sys.argv[1]))
e.update({"kind": "setup", "series": $PER_HOST * $INSTANCES, "hosts": $INSTANCES, "series_per_host": $PER_HOST,
          "samples_per_series": $STEPS, "history_min": $HISTORY_MIN, "interval_s": $INTERVAL,
          "warmup_intervals": $WARMUP, "window_intervals": $WINDOW, "template": "$TEMPLATE_SOURCE",
          "rule_file": "$RESULTS/rules-$STAMP.rules.yml"})
print(json.dumps(e))
PY

for sys in $SYSTEMS; do
  dir="$WORK/$sys"; rm -rf "$dir"; port=$(free_port)
  echo "== $sys: loading" >&2
  write_config 0
  pid=$("start_$sys" "$dir" "$port" "$WORK/$sys.log")
  wait_http_200 "$("ready_url_$sys" "$port")" 120 >/dev/null
  T=$(( ( $(date +%s) + LOAD_BUDGET + INTERVAL - 1) / INTERVAL * INTERVAL ))
  START_MS=$(( (T - HISTORY_MIN * 60) * 1000 ))
  target/release/vigil-rwgen --url "$("write_url_$sys" "$port")" --template "$TEMPLATE" \
    --instances "$INSTANCES" --hours "$HOURS" --interval-ms "$((INTERVAL * 1000))" \
    --concurrency "$CONCURRENCY" --start-ms "$START_MS" >"$WORK/$sys.rwgen.json"
  if [ "$(date +%s)" -gt $((T - 35)) ]; then
    echo "loading $sys took longer than LOAD_BUDGET=$LOAD_BUDGET s minus 35 s; raise LOAD_BUDGET" >&2
    exit 1
  fi
  echo "== $sys: loaded in $(python3 -c "import json; print(json.load(open('$WORK/$sys.rwgen.json'))['seconds'])") s; rules at $(date -d "@$T" +%T)" >&2
  sleep_until $((T - 30))
  idle0=$(proc_cpu_seconds "$pid")
  sleep_until "$T"
  idle1=$(proc_cpu_seconds "$pid")
  write_config 1
  kill -HUP "$pid"
  echo "== $sys: rules loaded, warm-up ${WARMUP} intervals, window ${WINDOW} intervals" >&2
  python3 - "$sys" "$port" "$pid" "$T" "$WARMUP" "$WINDOW" "$INTERVAL" "$RULE_GROUPS" \
    "$(python3 -c "print($idle1 - $idle0)")" "$WORK/$sys.rwgen.json" >>"$OUT" <<'PY'
import json, os, sys, time, urllib.parse, urllib.request

sysname, port, pid, T, warmup, window, interval, groups, idle_cpu, rwgen = sys.argv[1:]
pid, T, warmup, window, interval, groups = int(pid), int(T), int(warmup), int(window), int(interval), int(groups)
base = f"http://127.0.0.1:{port}"
tck = os.sysconf("SC_CLK_TCK")

def get(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read().decode()

def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(") ", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tck

def status(field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024

def metrics():
    """Sums of every sample of each metric name on /metrics."""
    out = {}
    for line in get("/metrics").splitlines():
        if not line or line[0] == "#":
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        try:
            out[name] = out.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
        except ValueError:
            pass
    return out

p = "prometheus_" if sysname == "prometheus" else "vigil_"
LAST = "prometheus_rule_group_last_duration_seconds" if sysname == "prometheus" else "vigil_rule_group_last_duration_seconds_sum"
COUNTERS = {"evaluations": p + "rule_evaluations_total", "failures": p + "rule_evaluation_failures_total",
            "missed": p + "rule_group_iterations_missed_total"}

def sleep_until(t):
    time.sleep(max(0.0, t - time.time()))

# The rules are loaded once the rules API lists every group.
deadline = time.time() + 60
while True:
    try:
        n = len(json.loads(get("/api/v1/rules"))["data"]["groups"])
    except Exception:
        n = -1
    if n == groups:
        break
    if time.time() > deadline:
        sys.exit(f"{sysname}: {n} rule groups loaded, expected {groups}")
    time.sleep(0.2)

t0 = T + warmup * interval
t1 = t0 + window * interval
sleep_until(t0)
cpu0, m0, w0 = cpu(), metrics(), time.time()
per_interval = []
for k in range(window):
    sleep_until(t0 + k * interval + interval / 2)
    per_interval.append(metrics().get(LAST, 0.0))
sleep_until(t1)
cpu1, m1, w1 = cpu(), metrics(), time.time()
rss, hwm = status("VmRSS"), status("VmHWM")

# What the rules produced, as of the end of the window (every group has evaluated the slot
# before t1 by t1 + interval/2 unless an evaluation takes longer than that).
sleep_until(t1 + interval / 2)
def query(q):
    r = json.loads(get("/api/v1/query", query=q, time=str(t1)))
    assert r["status"] == "success", r
    return r["data"]["result"]
rec_count = {s["metric"]["__name__"]: float(s["value"][1]) for s in query('count by (__name__) ({__name__=~"bench:.+"})')}
# Sum of absolute values per rule (no cancellation, so a relative tolerance works).
rec_sum = {s["metric"]["n"]: s["value"][1] for s in
           query('sum by (n) (abs(label_replace({__name__=~"bench:.+"}, "n", "$1", "__name__", "(.+)")))')}
alerts_q = {f'{s["metric"]["alertname"]}/{s["metric"]["alertstate"]}': float(s["value"][1])
            for s in query("count by (alertname, alertstate) (ALERTS)")}
api_alerts = json.loads(get("/api/v1/alerts"))["data"]["alerts"]
by_state = {}
for a in api_alerts:
    by_state[a["state"]] = by_state.get(a["state"], 0) + 1
g = json.load(open(rwgen))

row = {
    "kind": "system", "system": sysname, "window_s": round(w1 - w0, 2), "intervals": window,
    "cpu_seconds": round(cpu1 - cpu0, 3), "cpu_seconds_per_interval": round((cpu1 - cpu0) / (w1 - w0) * interval, 4),
    "idle_cpu_seconds_per_interval": round(float(idle_cpu) / 30 * interval, 4),
    "eval_seconds_per_interval_samples": per_interval,
    "eval_seconds_per_interval": sum(per_interval) / len(per_interval),
    "rss_bytes": rss, "peak_rss_bytes": hwm,
    **{k: m1.get(v, 0.0) - m0.get(v, 0.0) for k, v in COUNTERS.items()},
    "failures_total": m1.get(COUNTERS["failures"], 0.0), "missed_total": m1.get(COUNTERS["missed"], 0.0),
    "recorded_series": sum(rec_count.values()), "recorded_names": len(rec_count),
    "recorded_count_by_name": rec_count, "recorded_sum_by_name": rec_sum,
    "alerts_api": by_state, "alerts_query": alerts_q,
    "load_seconds": g["seconds"], "load_samples": g["samples_acked"], "load_series": g["series"],
}
if sysname == "prometheus":
    # Cross-check from Prometheus' own summary of every group evaluation in the window.
    ds = m1.get("prometheus_rule_group_duration_seconds_sum", 0) - m0.get("prometheus_rule_group_duration_seconds_sum", 0)
    dc = m1.get("prometheus_rule_group_duration_seconds_count", 0) - m0.get("prometheus_rule_group_duration_seconds_count", 0)
    row["eval_seconds_per_interval_from_summary"] = ds / dc * groups if dc else None
print(json.dumps(row))
PY
  python3 -c "import json,sys; r=json.loads(open('$OUT').readlines()[-1]); print({k: r[k] for k in ('system','cpu_seconds_per_interval','eval_seconds_per_interval','rss_bytes','evaluations','failures','missed','recorded_series','alerts_api')})" >&2
  stop_pid "$pid"
done
echo "raw results: $OUT (took $(( $(date +%s) - started )) s)" >&2
python3 bench/rules_report.py "$OUT"
