#!/usr/bin/env bash
# Rule-evaluation benchmark: 1,000 rules (half recording, half alerting; bench/rules_gen.py) over
# ~100k node_exporter series, evaluated every 15 s by Vigil and by Prometheus 2.42, one after the
# other on this machine with the same data and the same rule file. Reports evaluation time per
# interval, server CPU per interval and RSS as ratios (bench/rules_report.py), and checks that
# both produced the same recorded series (count and values) and the same alerts.
#
#   bench/rules.sh                                        # 100k series, 50 groups × 20 rules (~27 min)
#   SERIES=20000 WINDOWS=1 LOAD_BUDGET=90 bench/rules.sh  # smaller (~11 min)
#   SYSTEMS=prometheus NO_BUILD=1 bench/rules.sh
#
# Timing, per system (wall-clock seconds; T is a multiple of the interval):
#   load      vigil-rwgen writes HISTORY_MIN minutes of samples before T and the samples of the
#             measurement after T. Those have timestamps in the future: a query at time t sees
#             only samples ≤ t, so the rules see a live-looking feed (fresh samples every
#             interval, full 5m windows) while nothing is ingested during the measurement;
#   T-30..T   idle CPU (data loaded, no rules yet);
#   T         the config gains `rule_files`; SIGHUP;
#   warm-up   WARMUP intervals: every group runs a few times, alerts reach their states;
#   windows   WINDOWS windows of WINDOW intervals each: the server's CPU, the CPU of everything
#             else on the machine, each group's last evaluation time sampled every interval.
#             The report uses the window least disturbed by other processes (the machine may be
#             shared); all are kept in the results.
#   end       recorded series (count and sum per rule) and ALERTS as of each window's end
#             (queries with an explicit time, so they do not disturb the windows).
# The data is anchored to T the same way for every system and groups evaluate on the interval
# grid, so both systems evaluate the rules over the same samples at the same window ends.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
trap cleanup_all EXIT

SERIES=${SERIES:-100000}
HISTORY_MIN=${HISTORY_MIN:-30}
INTERVAL=${INTERVAL:-15}
WARMUP=${WARMUP:-4}
WINDOW=${WINDOW:-8}
WINDOWS=${WINDOWS:-3}
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
# Samples after T: the warm-up, the windows and two minutes to spare.
FUTURE_S=$(( (WARMUP + WINDOWS * WINDOW) * INTERVAL + 120 ))
STEPS=$(( (HISTORY_MIN * 60 + FUTURE_S) / INTERVAL ))
HOURS=$(python3 -c "print(repr($STEPS * $INTERVAL / 3600))")
echo "template: $TEMPLATE_SOURCE, $PER_HOST series per host, $INSTANCES hosts, $STEPS samples per series" >&2

RULES="$WORK/rules.yml"
python3 bench/rules_gen.py --template "$TEMPLATE" --instances "$INSTANCES" --interval "$INTERVAL" \
  --steps "$STEPS" --groups "$RULE_GROUPS" --rules-per-group "$RULES_PER_GROUP" \
  --max-for $(( (WARMUP + WINDOW - 2) * INTERVAL )) --out "$RULES" --summary "$WORK/expected.json"
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
# Waits (up to QUIET_TIMEOUT s) until the rest of the machine has used less than 10% of one core
# for 10 s: the measurement is CPU time on a 2-core machine that others may share.
wait_quiet() {
  python3 - "${QUIET_TIMEOUT:-1800}" <<'PY'
import os, sys, time
tck, deadline, said = os.sysconf("SC_CLK_TCK"), time.time() + float(sys.argv[1]), False
def busy():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (f[0] + f[1] + f[2] + f[5] + f[6]) / tck
while time.time() < deadline:
    b0 = busy(); time.sleep(10); used = busy() - b0
    if used < 1.0:
        sys.exit(0)
    if not said:
        print(f"waiting for a quiet machine (others used {used:.1f} CPU-s in 10 s)", file=sys.stderr); said = True
print("machine still busy; measuring anyway (see 'other processes' in the report)", file=sys.stderr)
PY
}

python3 - "$WORK/expected.json" >"$OUT" <<PY
import json, sys
e = json.load(open(sys.argv[1]))
e.update({"kind": "setup", "series": $PER_HOST * $INSTANCES, "hosts": $INSTANCES, "series_per_host": $PER_HOST,
          "samples_per_series": $STEPS, "history_min": $HISTORY_MIN, "interval_s": $INTERVAL,
          "warmup_intervals": $WARMUP, "window_intervals": $WINDOW, "windows": $WINDOWS,
          "template": "$TEMPLATE_SOURCE", "rule_file": "$RESULTS/rules-$STAMP.rules.yml"})
print(json.dumps(e))
PY

for sys in $SYSTEMS; do
  dir="$WORK/$sys"; rm -rf "$dir"; port=$(free_port)
  wait_quiet
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
  echo "== $sys: rules loaded; warm-up $WARMUP intervals, then $WINDOWS windows of $WINDOW intervals" >&2
  python3 - "$sys" "$port" "$pid" "$T" "$WARMUP" "$WINDOW" "$WINDOWS" "$INTERVAL" "$RULE_GROUPS" \
    "$(python3 -c "print($idle1 - $idle0)")" "$WORK/$sys.rwgen.json" >>"$OUT" <<'PY'
import json, os, sys, time, urllib.parse, urllib.request

sysname, port, pid, T, warmup, window, windows, interval, groups, idle_cpu, rwgen = sys.argv[1:]
pid, T, warmup, window, windows, interval, groups = map(int, (pid, T, warmup, window, windows, interval, groups))
base = f"http://127.0.0.1:{port}"
tck = os.sysconf("SC_CLK_TCK")

def get(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=120) as r:
        return r.read().decode()

def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(") ", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tck

def machine_busy():
    """CPU-seconds the whole machine was busy (user+nice+system+irq+softirq)."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (f[0] + f[1] + f[2] + f[5] + f[6]) / tck

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

wins = []
for w in range(windows):
    t0 = T + (warmup + w * window) * interval
    t1 = t0 + window * interval
    sleep_until(t0)
    cpu0, busy0, m0, w0 = cpu(), machine_busy(), metrics(), time.time()
    samples = []
    for k in range(window):
        sleep_until(t0 + k * interval + interval / 2)
        samples.append(metrics().get(LAST, 0.0))
    sleep_until(t1)
    cpu1, busy1, m1, w1 = cpu(), machine_busy(), metrics(), time.time()
    win = {
        "end": t1, "seconds": round(w1 - w0, 2),
        "cpu_seconds_per_interval": round((cpu1 - cpu0) / (w1 - w0) * interval, 4),
        # Everything else on the machine (this script's polling included).
        "other_cpu_seconds_per_interval": round(((busy1 - busy0) - (cpu1 - cpu0)) / (w1 - w0) * interval, 4),
        "eval_seconds_samples": samples, "eval_seconds_per_interval": sum(samples) / len(samples),
        **{k: m1.get(v, 0.0) - m0.get(v, 0.0) for k, v in COUNTERS.items()},
        "rss_bytes": status("VmRSS"),
    }
    if sysname == "prometheus":
        # Cross-check from Prometheus' own summary of every group evaluation in the window.
        ds = m1.get("prometheus_rule_group_duration_seconds_sum", 0) - m0.get("prometheus_rule_group_duration_seconds_sum", 0)
        dc = m1.get("prometheus_rule_group_duration_seconds_count", 0) - m0.get("prometheus_rule_group_duration_seconds_count", 0)
        win["eval_seconds_per_interval_from_summary"] = ds / dc * groups if dc else None
    wins.append(win)
    print(f"  window {w + 1}: CPU {win['cpu_seconds_per_interval']:.2f} s/interval, eval "
          f"{win['eval_seconds_per_interval']:.2f} s/interval, others {win['other_cpu_seconds_per_interval']:.2f} s/interval, "
          f"missed {win['missed']:.0f}", file=sys.stderr)
final = metrics()
hwm = status("VmHWM")
api_alerts = json.loads(get("/api/v1/alerts"))["data"]["alerts"]

# What the rules produced as of each window's end (every group has evaluated the slot before
# the end by then unless it missed it). Asked now, with an explicit time: nothing is measured.
def query(q, t):
    r = json.loads(get("/api/v1/query", query=q, time=str(t)))
    assert r["status"] == "success", r
    return r["data"]["result"]
for win in wins:
    t = win["end"]
    win["recorded_count_by_name"] = {s["metric"]["__name__"]: float(s["value"][1])
                                     for s in query('count by (__name__) ({__name__=~"bench:.+"})', t)}
    # Sum of absolute values per rule (no cancellation, so a relative tolerance works).
    win["recorded_sum_by_name"] = {s["metric"]["n"]: s["value"][1] for s in query(
        'sum by (n) (abs(label_replace({__name__=~"bench:.+"}, "n", "$1", "__name__", "(.+)")))', t)}
    win["recorded_series"] = sum(win["recorded_count_by_name"].values())
    win["alerts_query"] = {f'{s["metric"]["alertname"]}/{s["metric"]["alertstate"]}': float(s["value"][1])
                           for s in query("count by (alertname, alertstate) (ALERTS)", t)}
by_state = {}
for a in api_alerts:
    by_state[a["state"]] = by_state.get(a["state"], 0) + 1
g = json.load(open(rwgen))
print(json.dumps({
    "kind": "system", "system": sysname, "interval_s": interval, "windows": wins,
    "idle_cpu_seconds_per_interval": round(float(idle_cpu) / 30 * interval, 4),
    "peak_rss_bytes": hwm, "failures_total": final.get(COUNTERS["failures"], 0.0),
    "missed_total": final.get(COUNTERS["missed"], 0.0), "alerts_api": by_state,
    "load_seconds": g["seconds"], "load_samples": g["samples_acked"], "load_series": g["series"],
}))
PY
  stop_pid "$pid"
done
echo "raw results: $OUT (took $(( $(date +%s) - started )) s)" >&2
python3 bench/rules_report.py "$OUT"
