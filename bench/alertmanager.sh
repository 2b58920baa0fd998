#!/usr/bin/env bash
# Alert manager benchmark: 10k firing alerts in 1k groups posted (batches of 64, re-posted
# every 15 s like Prometheus's resends) into Vigil's built-in alert manager and into
# Alertmanager 0.25 with the same alertmanager.yml (group_wait 1s, webhook receiver), one
# after the other. Measures server CPU over the run, RSS at the end and notification latency
# (first notification of each group after its first alert was posted), then a ratio table.
#
#   bench/alertmanager.sh                     # 10k alerts, 1k groups, 60 s
#   ALERTS=2000 ALERT_GROUPS=200 DURATION=30 bench/alertmanager.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
trap cleanup_all EXIT

ALERTS=${ALERTS:-10000}
ALERT_GROUPS=${ALERT_GROUPS:-1000}
DURATION=${DURATION:-60}
RESEND=${RESEND:-15}
SYSTEMS=${SYSTEMS:-"vigil alertmanager"}
WORK=${WORK:-$(mktemp -d /tmp/vigil-bench-am.XXXXXX)}
RESULTS=bench/results
mkdir -p "$RESULTS" "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS/alertmanager-$STAMP.jsonl"

command -v prometheus-alertmanager >/dev/null 2>&1 || {
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq prometheus-alertmanager >/dev/null
}
case " $SYSTEMS " in *" vigil "*) [ -n "${VIGIL_BIN:-}" ] || cargo build --release -q -p vigil ;; esac

for sys in $SYSTEMS; do
  dir="$WORK/$sys"; rm -rf "$dir"; mkdir -p "$dir"
  port=$(free_port); hook=$(free_port)
  cat >"$dir/alertmanager.yml" <<YML
route:
  receiver: hook
  group_by: [group]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$hook/
YML
  echo "== $sys" >&2
  if [ "$sys" = vigil ]; then
    printf 'global:\n  scrape_interval: 1h\n' >"$dir/prometheus.yml"
    pid=$(start_bg "$WORK/$sys.log" "${VIGIL_BIN:-target/release/vigil}" serve --web.listen-address="127.0.0.1:$port" \
      --storage.path="$dir/data" --config.file="$dir/prometheus.yml" --alertmanager.config.file="$dir/alertmanager.yml")
    wait_http_200 "http://127.0.0.1:$port/-/ready" 60 >/dev/null
  else
    pid=$(start_bg "$WORK/$sys.log" prometheus-alertmanager --config.file="$dir/alertmanager.yml" \
      --storage.path="$dir/data" --web.listen-address="127.0.0.1:$port" --cluster.listen-address=)
    wait_http_200 "http://127.0.0.1:$port/-/ready" 60 >/dev/null
  fi
  sleep 1
  base_rss=$(proc_rss_bytes "$pid")
  cpu0=$(proc_cpu_seconds "$pid")
  load=$(python3 bench/alertmanager_load.py "http://127.0.0.1:$port/api/v2/alerts" "$hook" "$ALERTS" "$ALERT_GROUPS" "$DURATION" "$RESEND")
  cpu1=$(proc_cpu_seconds "$pid")
  rss=$(proc_rss_bytes "$pid"); hwm=$(proc_hwm_bytes "$pid")
  stop_pid "$pid"
  python3 - "$sys" "$load" <<PY >>"$OUT"
import json, sys
l = json.loads(sys.argv[2])
l.update({"system": sys.argv[1], "cpu_seconds": $cpu1 - $cpu0, "rss_bytes": $rss, "peak_rss_bytes": $hwm,
          "baseline_rss_bytes": $base_rss, "duration_s": $DURATION, "resend_s": $RESEND})
print(json.dumps(l))
PY
  tail -1 "$OUT" >&2
done
python3 - "$OUT" <<'PY'
import json, sys
rows = {r["system"]: r for r in map(json.loads, open(sys.argv[1]))}
keys = [("cpu_seconds", "CPU seconds"), ("rss_bytes", "RSS (MiB)"), ("peak_rss_bytes", "peak RSS (MiB)"),
        ("latency_p50", "latency p50 (s)"), ("latency_p99", "latency p99 (s)"), ("groups_notified", "groups notified"),
        ("alerts_notified", "alerts notified")]
systems = list(rows)
print("| metric | " + " | ".join(systems) + (" | Vigil / Alertmanager |" if len(systems) == 2 else " |"))
print("|---|" + "---|" * len(systems) + ("---|" if len(systems) == 2 else ""))
for k, name in keys:
    vals = [rows[s].get(k) for s in systems]
    shown = [f"{v / 1048576:.0f}" if "rss" in k and v is not None else str(v) for v in vals]
    ratio = ""
    if len(systems) == 2 and all(isinstance(v, (int, float)) and v for v in vals):
        ratio = f" {vals[0] / vals[1]:.2f}× |"
    print(f"| {name} | " + " | ".join(shown) + (" |" + ratio if len(systems) == 2 else " |"))
PY
echo "raw results: $OUT" >&2
