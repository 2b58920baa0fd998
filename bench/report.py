#!/usr/bin/env python3
"""Prints the storage benchmark's results as a Markdown table of Vigil/peer ratios."""
import json
import sys

rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[r["system"]] = r

def metrics(r):
    return {
        "ingest throughput (samples/s)": r["samples_per_second"],
        "server CPU-seconds per million samples": r["server_cpu_seconds"] / r["samples"] * 1e6,
        "bytes per sample on disk after compaction": r["disk_bytes"] / r["samples"],
        "resident memory per active series (bytes)": r["rss_bytes"] / r["series"],
        "peak memory per active series (bytes)": r["peak_rss_bytes"] / r["series"],
        "restart time with a full WAL (s)": r["restart_seconds"],
        "peak memory during restart / steady RSS": r["restart_peak_rss_bytes"] / r["rss_bytes"],
    }

better_high = {"ingest throughput (samples/s)"}
v = rows.get("vigil")
peers = [p for p in ("prometheus", "victoriametrics") if p in rows]
if v:
    any_r = v
else:
    any_r = next(iter(rows.values()))
print(f"Data: {any_r['series']:,} series × {any_r['samples'] // max(any_r['series'], 1)} samples "
      f"({any_r['hours']} simulated hours at {any_r['interval_ms'] // 1000} s) = {any_r['samples']:,} samples; template: {any_r['template']}\n")
head = "| metric | " + " | ".join(["Vigil"] + [p.capitalize() for p in peers])
if v:
    head += " | " + " | ".join(f"Vigil / {p.capitalize()}" for p in peers)
print(head + " |")
print("|" + "---|" * (1 + (1 if v else 0) + len(peers) + (len(peers) if v else 0)))
mv = metrics(v) if v else None
for name in metrics(any_r):
    cells = []
    if v:
        cells.append(f"{mv[name]:,.3g}" if mv[name] < 100 else f"{mv[name]:,.0f}")
    for p in peers:
        x = metrics(rows[p])[name]
        cells.append(f"{x:,.3g}" if x < 100 else f"{x:,.0f}")
    if v:
        for p in peers:
            x = metrics(rows[p])[name]
            ratio = mv[name] / x if x else float("nan")
            cells.append(f"{ratio:.2f}×")
    print(f"| {name} | " + " | ".join(cells) + " |")
