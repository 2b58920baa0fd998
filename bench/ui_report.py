#!/usr/bin/env python3
"""Prints the web UI benchmark's results (bench/ui.sh's JSON lines) as a Markdown table."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by = {}
for r in rows:
    key = r["metric"] + (":" + r["system"] if "system" in r else "")
    by[key] = r


def kib(n):
    return f"{n / 1024:.1f} KiB"


out = ["| Figure | Vigil | Prometheus 2.42 | Vigil / Prometheus |", "|---|---|---|---|"]
m = by.get("machine")
if m:
    print(f"machine: {m['cores']} cores, {m['cpu']}, {m['mem_bytes'] / 2**30:.1f} GiB; {m['prometheus']}")
for kind, label in (("paint_home", "Home `/`"), ("paint_dashboard", "Node Exporter Full")):
    p = by.get(kind)
    if p:
        out.append(f"| {label}: first contentful paint, median of {p['runs']} cold loads | {p['fcp_median_ms']} ms | — | — |")
        out.append(f"| {label}: content rendered, median of {p['runs']} | {p['content_median_ms']} ms | — | — |")
c = by.get("chart_draw_ms")
if c:
    out.append(f"| Chart: {c['series']} series × {c['points']:,} points drawn, median of {c['runs']} | {c['median_ms']} ms | — | — |")
b = by.get("bundle_bytes")
if b:
    out.append(f"| Bundle JS+CSS raw / gzip / brotli | {kib(b['raw'])} / {kib(b['gzip'])} / {kib(b['brotli'])} | — | — |")
wv, wp = by.get("page_weight:vigil"), by.get("page_weight:prometheus")
if wv and wp:
    out.append(f"| Page load, static assets on the wire ({wv['path']} vs {wp['path']}) | {kib(wv['asset_wire_bytes'])} ({wv['asset_requests']} req) | {kib(wp['asset_wire_bytes'])} ({wp['asset_requests']} req) | {wv['asset_wire_bytes'] / wp['asset_wire_bytes']:.2f}× |")
    out.append(f"| Page load, static assets decoded | {kib(wv['asset_decoded_bytes'])} | {kib(wp['asset_decoded_bytes'])} | {wv['asset_decoded_bytes'] / wp['asset_decoded_bytes']:.2f}× |")
    out.append(f"| Page load, everything on the wire (API calls included) | {kib(wv['total_wire_bytes'])} ({wv['requests']} req) | {kib(wp['total_wire_bytes'])} ({wp['requests']} req) | {wv['total_wire_bytes'] / wp['total_wire_bytes']:.2f}× |")
cap = by.get("refresh_capture")
rv, rp = by.get("refresh_cpu:vigil"), by.get("refresh_cpu:prometheus")
if cap:
    out.append(f"| Node Exporter Full refresh: panels / API requests (unique) | {cap['panels']} / {cap['requests_sent']} ({cap['requests_unique']}) | — | — |")
if rv and rp:
    out.append(f"| Server CPU per refresh (idle rate subtracted), {rv['refreshes']} refreshes | {rv['cpu_ms_per_refresh']} ms | {rp['cpu_ms_per_refresh']} ms | {rv['cpu_ms_per_refresh'] / rp['cpu_ms_per_refresh']:.2f}× |")
    out.append(f"| Server CPU per refresh, raw | {rv['cpu_ms_per_refresh_raw']} ms | {rp['cpu_ms_per_refresh_raw']} ms | {rv['cpu_ms_per_refresh_raw'] / rp['cpu_ms_per_refresh_raw']:.2f}× |")
    out.append(f"| Wall time per refresh (replay, {rv['concurrency']} at a time) | {rv['wall_ms_per_refresh']} ms | {rp['wall_ms_per_refresh']} ms | {rv['wall_ms_per_refresh'] / rp['wall_ms_per_refresh']:.2f}× |")
    out.append(f"| Requests answering an error (of {rv['queries_per_refresh']}) | {rv['errors_first_refresh']} | {rp['errors_first_refresh']} | — |")
print("\n".join(out))
if rv and rp:
    pf = {(f["path"], f["query"]) for f in rp["failures"]}
    only = [f for f in rv["failures"] if (f["path"], f["query"]) not in pf]
    for f in only:
        print(f"Vigil fails, Prometheus answers: {f['method']} {f['path']} {f['query']!r}: {f['status']} {f['error']}")
    vf = {(f["path"], f["query"]) for f in rv["failures"]}
    for f in rp["failures"]:
        if (f["path"], f["query"]) not in vf:
            print(f"Prometheus fails, Vigil answers: {f['method']} {f['path']} {f['query']!r}: {f['status']} {f['error']}")
if rv and rp and "shapes" in rv:
    diff_series = [i for i, (a, b) in enumerate(zip(rv["shapes"], rp["shapes"])) if a and b and a[0] != b[0]]
    tot = lambda s: sum(x[1] for x in s if x)
    print(f"answers compared: {len(rv['shapes'])} requests, {len(diff_series)} with a different series count; samples answered Vigil {tot(rv['shapes']):,} vs Prometheus {tot(rp['shapes']):,}")
    try:
        reqs = json.load(open(sys.argv[1].replace(".jsonl", ".refresh.json")))["requests"]
    except OSError:
        reqs = None
    for i in diff_series[:20]:
        what = reqs[i]["path"] + " " + dict(reqs[i]["params"]).get("query", "") if reqs else f"request {i}"
        print(f"  {what!r}: Vigil {rv['shapes'][i]} vs Prometheus {rp['shapes'][i]} [series, samples]")
    diff_samples = [i for i, (a, b) in enumerate(zip(rv["shapes"], rp["shapes"])) if a and b and a[0] == b[0] and a[1] != b[1]]
    print(f"same series count but different sample count: {len(diff_samples)} requests")
    for i in diff_samples[:10]:
        what = reqs[i]["path"] + " " + dict(reqs[i]["params"]).get("query", "") if reqs else f"request {i}"
        print(f"  {what[:160]!r}: Vigil {rv['shapes'][i]} vs Prometheus {rp['shapes'][i]} [series, samples]")
for sysname in ("vigil", "prometheus"):
    d = by.get("data_span:" + sysname)
    if d:
        print(f"{sysname} holds node_load1 from {d['first']} to {d['last']} ({d['samples']} samples, asked at {d['at']})")
