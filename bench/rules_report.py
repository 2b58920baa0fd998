#!/usr/bin/env python3
"""Prints the rule-evaluation benchmark's results (bench/rules.sh) as Markdown tables with
Vigil/Prometheus ratios, and checks that both systems produced the same recorded series
(per rule: number of series and the sum of their values) and the same alerts as each other and
as bench/rules_gen.py predicted. Exits 1 on any mismatch, rule failure or missed iteration.

  bench/rules_report.py bench/results/rules-<stamp>.jsonl
"""
import json
import math
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
setup = next(r for r in rows if r.get("kind") == "setup")
systems = {r["system"]: r for r in rows if r.get("kind") == "system"}
NAMES = {"vigil": "Vigil", "prometheus": "Prometheus 2.42"}
order = [s for s in ("vigil", "prometheus") if s in systems]
problems = []

print(f"Data: {setup['series']:,} series ({setup['hosts']} hosts × {setup['series_per_host']} node_exporter series, "
      f"{setup['template']}), {setup['samples_per_series']} samples per series at {setup['interval_s']} s "
      f"({setup['history_min']} min of history before the rules start). Rules: {setup['rules']:,} "
      f"({setup['recording_rules']} recording, {setup['alerting_rules']} alerting) in {setup['groups']} groups, "
      f"evaluated every {setup['interval_s']} s; window {setup['window_intervals']} intervals after a "
      f"{setup['warmup_intervals']}-interval warm-up.\n")


def alerts(r, state):
    return r["alerts_api"].get(state, 0)


METRICS = [  # (label, function, format, lower is better)
    ("rule evaluation time per interval (s, sum over groups)", lambda r: r["eval_seconds_per_interval"], "{:.3f}", True),
    ("server CPU-seconds per interval", lambda r: r["cpu_seconds_per_interval"], "{:.3f}", True),
    ("RSS at the end of the window (MiB)", lambda r: r["rss_bytes"] / 2**20, "{:,.0f}", True),
    ("peak RSS (MiB)", lambda r: r["peak_rss_bytes"] / 2**20, "{:,.0f}", True),
    ("idle CPU-seconds per interval before the rules", lambda r: r["idle_cpu_seconds_per_interval"], "{:.3f}", None),
    ("rule evaluations in the window", lambda r: r["evaluations"], "{:,.0f}", None),
    ("failed evaluations (whole run)", lambda r: r["failures_total"], "{:,.0f}", None),
    ("missed group iterations (whole run)", lambda r: r["missed_total"], "{:,.0f}", None),
    ("recorded series", lambda r: r["recorded_series"], "{:,.0f}", None),
    ("active alerts: firing", lambda r: alerts(r, "firing"), "{:,.0f}", None),
    ("active alerts: pending", lambda r: alerts(r, "pending"), "{:,.0f}", None),
]
head = "| metric | " + " | ".join(NAMES[s] for s in order)
if len(order) == 2:
    head += " | Vigil / Prometheus"
print(head + " |")
print("|---" * (len(order) + 1 + (len(order) == 2)) + "|")
for label, f, fmt, ratio in METRICS:
    cells = [fmt.format(f(systems[s])) for s in order]
    if len(order) == 2:
        v, p = f(systems["vigil"]), f(systems["prometheus"])
        cells.append(f"**{v / p:.2f}×**" if ratio and p else ("same" if ratio is None and v == p else "—"))
    print(f"| {label} | " + " | ".join(cells) + " |")
p = systems.get("prometheus")
if p and p.get("eval_seconds_per_interval_from_summary") is not None:
    print(f"\nPrometheus' own summary of every group evaluation in the window gives "
          f"{p['eval_seconds_per_interval_from_summary']:.3f} s per interval (the table samples the last "
          f"evaluation of each group once per interval: {', '.join(f'{x:.2f}' for x in p['eval_seconds_per_interval_samples'])}).")
v = systems.get("vigil")
if v:
    print(f"Vigil's samples: {', '.join(f'{x:.2f}' for x in v['eval_seconds_per_interval_samples'])}.")

# --- correctness -----------------------------------------------------------------------------
exp_alerts = setup["alerts_by_name"]
for s in order:
    r = systems[s]
    if r["failures_total"]:
        problems.append(f"{NAMES[s]}: {r['failures_total']:.0f} failed rule evaluations")
    if r["missed_total"]:
        problems.append(f"{NAMES[s]}: {r['missed_total']:.0f} missed group iterations")
    if r["recorded_series"] != setup["recorded_series"]:
        problems.append(f"{NAMES[s]}: {r['recorded_series']:,.0f} recorded series, rules_gen expected {setup['recorded_series']:,}")
    if r["recorded_names"] != setup["recorded_names"]:
        problems.append(f"{NAMES[s]}: {r['recorded_names']} recorded metric names, expected {setup['recorded_names']}")
    got = {k: int(x) for k, x in r["alerts_query"].items()}
    if got != exp_alerts:
        diff = sorted(set(got.items()) ^ set(exp_alerts.items()))
        problems.append(f"{NAMES[s]}: ALERTS differ from rules_gen's prediction: {diff[:10]}")
    for state in ("firing", "pending"):
        want = sum(n for k, n in exp_alerts.items() if k.endswith("/" + state))
        if alerts(r, state) != want:
            problems.append(f"{NAMES[s]}: /api/v1/alerts has {alerts(r, state)} {state}, expected {want}")


def close(a, b):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-6 * max(abs(a), abs(b))


if len(order) == 2:
    a, b = systems["vigil"], systems["prometheus"]
    names = set(a["recorded_count_by_name"]) | set(b["recorded_count_by_name"])
    cnt = [n for n in sorted(names) if a["recorded_count_by_name"].get(n) != b["recorded_count_by_name"].get(n)]
    val = [n for n in sorted(names) if n not in cnt and not close(a["recorded_sum_by_name"].get(n, "nan"), b["recorded_sum_by_name"].get(n, "nan"))]
    if cnt:
        problems.append(f"recorded series counts differ for {len(cnt)} rules, e.g. " +
                        ", ".join(f"{n}: {a['recorded_count_by_name'].get(n)} vs {b['recorded_count_by_name'].get(n)}" for n in cnt[:5]))
    if val:
        problems.append(f"recorded values (sum per rule) differ for {len(val)} rules, e.g. " +
                        ", ".join(f"{n}: {a['recorded_sum_by_name'].get(n)} vs {b['recorded_sum_by_name'].get(n)}" for n in val[:5]))
    if a["alerts_query"] != b["alerts_query"]:
        problems.append("ALERTS differ between the systems: " + str(sorted(set(a["alerts_query"].items()) ^ set(b["alerts_query"].items()))[:10]))
    if not problems:
        print(f"\nSame results: both recorded {a['recorded_series']:,.0f} series under {len(names)} names with the same "
              f"value sums per rule (relative difference ≤ 1e-6), and the same {sum(a['alerts_api'].values()):,} active "
              f"alerts ({len(a['alerts_query'])} alert names × state), as rules_gen predicted.")
elif not problems:
    print("\nResults match rules_gen's prediction (recorded series and alerts).")

if problems:
    print("\n**MISMATCH / PROBLEMS:**")
    for p in problems:
        print(f"- {p}")
    sys.exit(1)
