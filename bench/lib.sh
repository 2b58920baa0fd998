#!/usr/bin/env bash
# Shared helpers for Vigil's benchmarks: install and start peers on loopback, read a process's
# CPU and memory from /proc, wait for readiness, measure disk. Source it; every process started
# through start_bg is killed by cleanup_all (install it with `trap cleanup_all EXIT`).

BENCH_PIDS=()

bench_install_peers() {
  local need=()
  command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
  command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
  command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
  if [ "${#need[@]}" -gt 0 ]; then
    echo "installing peers: ${need[*]}" >&2
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

now_s() { date +%s.%N; }

# CPU seconds (user + system) of a pid.
proc_cpu_seconds() {
  awk -v tck="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / tck }' "/proc/$1/stat"
}

# Resident set size and its peak, in bytes.
proc_rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }
proc_hwm_bytes() { awk '/^VmHWM:/ { print $2 * 1024 }' "/proc/$1/status"; }

du_bytes() { du -sb "$1" 2>/dev/null | awk '{ print $1 }'; }

# Starts a command in the background with its output in a log; prints the pid.
start_bg() {
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid")
  echo "$pid"
}

# Waits until URL answers 200; prints the seconds it took. Fails after TIMEOUT seconds.
wait_http_200() {
  local url=$1 timeout=${2:-600} start
  start=$(now_s)
  while true; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; then
      python3 -c "print(round($(now_s) - $start, 3))"
      return 0
    fi
    if python3 -c "import sys; sys.exit(0 if $(now_s) - $start > $timeout else 1)"; then
      echo "timeout waiting for $url" >&2
      return 1
    fi
    sleep 0.05
  done
}

stop_pid() {
  local pid=$1 sig=${2:-TERM}
  kill "-$sig" "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup_all() {
  for pid in "${BENCH_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

# Per-system start commands: start_<system> DATA_DIR PORT LOG → pid; ready_url_<system> PORT.
# Without SCRAPE_CONFIG every system gets a config with no scrape jobs (so Vigil does not
# scrape itself with its embedded default); with it, all of them load that prometheus.yml.
start_vigil() {
  [ -n "${SCRAPE_CONFIG:-}" ] || printf 'global:\n  scrape_interval: 15s\n' >"$1.yml"
  start_bg "$3" "${VIGIL_BIN:-target/release/vigil}" serve --web.listen-address="127.0.0.1:$2" \
    --storage.path="$1" --web.enable-admin-api --storage.retention.time=100y \
    --config.file="${SCRAPE_CONFIG:-$1.yml}" ${VIGIL_EXTRA_ARGS:-}
}
ready_url_vigil() { echo "http://127.0.0.1:$1/-/ready"; }
write_url_vigil() { echo "http://127.0.0.1:$1/api/v1/write"; }

start_prometheus() {
  mkdir -p "$1"
  [ -n "${SCRAPE_CONFIG:-}" ] || printf 'global:\n  scrape_interval: 15s\n' >"$1.yml"
  start_bg "$3" prometheus --config.file="${SCRAPE_CONFIG:-$1.yml}" --storage.tsdb.path="$1" \
    --web.listen-address="127.0.0.1:$2" --web.enable-remote-write-receiver --web.enable-admin-api \
    --storage.tsdb.retention.time=100y ${PROMETHEUS_EXTRA_ARGS:-}
}
ready_url_prometheus() { echo "http://127.0.0.1:$1/-/ready"; }
write_url_prometheus() { echo "http://127.0.0.1:$1/api/v1/write"; }

start_victoriametrics() {
  start_bg "$3" victoria-metrics -storageDataPath="$1" -httpListenAddr="127.0.0.1:$2" \
    -retentionPeriod=100y -search.latencyOffset=1s ${SCRAPE_CONFIG:+-promscrape.config="$SCRAPE_CONFIG"} ${VM_EXTRA_ARGS:-}
}
ready_url_victoriametrics() { echo "http://127.0.0.1:$1/health"; }
write_url_victoriametrics() { echo "http://127.0.0.1:$1/api/v1/write"; }

# Makes each system persist and compact what it holds; prints the directory holding the result.
compact_vigil() {
  curl -sf -X POST "http://127.0.0.1:$2/api/v1/admin/tsdb/flush" >/dev/null
  echo "$1/blocks"
}
compact_prometheus() {
  local name
  name=$(curl -sf -X POST "http://127.0.0.1:$2/api/v1/admin/tsdb/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])')
  echo "$1/snapshots/$name"
}
compact_victoriametrics() {
  curl -sf "http://127.0.0.1:$2/internal/force_flush" >/dev/null
  curl -sf "http://127.0.0.1:$2/internal/force_merge" >/dev/null
  # force_merge runs in the background: wait until no merge is active.
  for _ in $(seq 1 1200); do
    local active
    active=$(curl -s "http://127.0.0.1:$2/metrics" | awk '/^vm_active_merges/ { s += $2 } END { print s + 0 }')
    [ "$active" = 0 ] && break
    sleep 0.5
  done
  sleep 2
  echo "$1"
}

# Writes the exposition the load generators replay to $1: the live output of Debian's
# prometheus-node-exporter when installed, else the sample in ../shared. Sets TEMPLATE_SOURCE.
fetch_node_template() {
  local out=$1 port pid
  if command -v prometheus-node-exporter >/dev/null 2>&1; then
    port=$(free_port)
    pid=$(start_bg "$out.log" prometheus-node-exporter --web.listen-address="127.0.0.1:$port")
    wait_http_200 "http://127.0.0.1:$port/metrics" 30 >/dev/null
    curl -sf "http://127.0.0.1:$port/metrics" >"$out"
    stop_pid "$pid"
    TEMPLATE_SOURCE="prometheus-node-exporter $(prometheus-node-exporter --version 2>&1 | head -1 | awk '{print $3}')"
  else
    cp ../shared/peers/load/node_exporter_sample.prom "$out"
    TEMPLATE_SOURCE="shared/peers/load/node_exporter_sample.prom (node_exporter not installed)"
  fi
}
