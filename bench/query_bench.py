#!/usr/bin/env python3
"""Runs the PromQL query suite against one running system and prints one JSON line per query.

Latency is measured client-side over --runs repetitions (after one warm-up run); peak memory
is the process's VmHWM after resetting it (writing 5 to /proc/PID/clear_refs) just before the
query's runs, minus the RSS at that moment: the extra memory the query needed at its peak.
"""
import argparse
import json
import statistics
import time
import urllib.parse
import urllib.request

QUERIES = [
    # name, expression
    ("rate", "rate(node_network_receive_bytes_total[5m])"),
    ("sum_by_rate", "sum by (instance) (rate(node_cpu_seconds_total[5m]))"),
    ("histogram_quantile", "histogram_quantile(0.9, sum by (le, handler) (rate(bench_request_duration_seconds_bucket[5m])))"),
    ("topk", "topk(10, rate(node_network_receive_bytes_total[5m]))"),
    ("subquery", "max_over_time(sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))[1h:5m])"),
    ("ratio", "1 - sum by (instance) (node_memory_MemAvailable_bytes) / sum by (instance) (node_memory_MemTotal_bytes)"),
    ("wide_count", "count by (instance) ({__name__=~\"node_.+\"})"),
    # (rate over many metric names at once would fail on Prometheus 2.x, which drops names
    # before the aggregation and then finds duplicate label sets.)
    ("wide_max", "max by (instance) ({__name__=~\"node_.+_total\"})"),
]

# mode, range seconds (0 = instant), step seconds
MODES = [("instant", 0, 0), ("range_1h", 3600, 60), ("range_24h", 86400, 600)]


def rss_bytes(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def run(url, path, params):
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(url + path, data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        body = r.read()
    dt = time.perf_counter() - t0
    doc = json.loads(body)
    if doc.get("status") != "success":
        raise RuntimeError(doc)
    res = doc["data"]["result"]
    return dt, len(res) if isinstance(res, list) else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--end-ms", type=int, required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--series", type=int, default=0)
    a = ap.parse_args()
    end = a.end_ms / 1000.0 - 30  # inside the data, clear of the last write
    for name, expr in QUERIES:
        for mode, rng, step in MODES:
            if rng == 0:
                path, params = "/api/v1/query", {"query": expr, "time": end}
            else:
                path, params = "/api/v1/query_range", {"query": expr, "start": end - rng, "end": end, "step": step}
            out = {"system": a.system, "query": name, "mode": mode, "expr": expr, "series_total": a.series}
            try:
                run(a.url, path, params)  # warm-up (page cache, compiled regexes)
                base = rss_bytes(a.pid, "VmRSS")
                peak_ok = reset_peak(a.pid)
                times, n = [], 0
                for _ in range(a.runs):
                    dt, n = run(a.url, path, params)
                    times.append(dt)
                times.sort()
                out.update({
                    "result_series": n,
                    "median_seconds": statistics.median(times),
                    "p99_seconds": times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))],
                    "peak_extra_bytes": max(0, rss_bytes(a.pid, "VmHWM") - base) if peak_ok else None,
                    "runs": a.runs,
                })
            except Exception as e:  # a failed query is a result too
                out["error"] = str(e)[:300]
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
