#!/usr/bin/env python3
"""Ratio table of a query benchmark run: Vigil's median and p99 latency and peak extra
memory per query, relative to Prometheus and VictoriaMetrics (below 1 = Vigil better)."""
import json
import sys
from collections import defaultdict


def main(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    by = defaultdict(dict)
    for r in rows:
        by[(r["query"], r["mode"])][r["system"]] = r
    peers = [p for p in ("prometheus", "victoriametrics") if any(p in v for v in by.values())]

    def ratio(v, p, key):
        if not v or not p or v.get("error") or p.get("error") or not p.get(key):
            return "n/a"
        if v.get(key) is None:
            return "n/a"
        return f"{v[key] / p[key]:.2f}"

    head = "| query | mode | result series | Vigil median | " + " | ".join(
        f"median ×{p[:4]} | p99 ×{p[:4]} | peak mem ×{p[:4]}" for p in peers) + " |"
    print(head)
    print("|" + "---|" * (4 + 3 * len(peers)))
    meds = defaultdict(list)
    for (q, m), s in by.items():
        v = s.get("vigil", {})
        cells = [q, m, str(v.get("result_series", "")), f"{v.get('median_seconds', float('nan')) * 1000:.1f} ms" if "median_seconds" in v else v.get("error", "n/a")[:40]]
        for p in peers:
            pr = s.get(p, {})
            cells += [ratio(v, pr, "median_seconds"), ratio(v, pr, "p99_seconds"), ratio(v, pr, "peak_extra_bytes")]
            r = ratio(v, pr, "median_seconds")
            if r != "n/a":
                meds[p].append(float(r))
        print("| " + " | ".join(cells) + " |")
    for p, xs in meds.items():
        xs.sort()
        gm = 1.0
        for x in xs:
            gm *= x
        gm **= 1.0 / len(xs)
        print(f"\nVigil/{p} median latency: geometric mean {gm:.2f}, median {xs[len(xs) // 2]:.2f}, worst {xs[-1]:.2f} over {len(xs)} queries")


if __name__ == "__main__":
    main(sys.argv[1])
