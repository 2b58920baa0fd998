#!/usr/bin/env python3
"""Writes the rule-evaluation benchmark's rule file: GROUPS groups of RULES_PER_GROUP rules
(the first half of each group recording rules, the second half alerting rules) over the
node_exporter metrics that `vigil-rwgen` replays from TEMPLATE.

Every metric a rule names is checked against the template, so no rule selects nothing by
accident. Alert thresholds are not guessed: the generator knows how vigil-rwgen evolves each
series (counters grow by 0..step per interval, gauges random-walk by at most ±step per
interval, 0/1 gauges stay constant; step = 0.01% of a counter's template value, 0.1% of a
gauge's) and computes, for every alert expression, the interval its value must stay in over
STEPS intervals of data. A threshold is then placed outside that interval: above it (the
alert can never fire) or below it (it fires for every series the expression returns). So the
set of active alerts is fixed by construction and the same for any correct implementation,
whatever the evaluation timestamps. A few alerts fire (on purpose only per-instance
expressions, so the count is `instances` per rule) and most never do.

Also writes a summary (JSON): expected recorded series and expected active alerts by state.

  bench/rules_gen.py --template node.prom --instances 198 --out rules.yml --summary sum.json
"""
import argparse
import json
import math
import random
import re
import sys

SKIP_LABELS = ("instance", "job")


# --- the template, read as vigil-rwgen reads it (crates/rwgen/src/template.rs) ---------------

def parse_labels(s):
    out, rest = {}, s.strip()
    while rest:
        eq = rest.index("=")
        name = rest[:eq].strip()
        rest = rest[eq + 1:].lstrip()
        assert rest.startswith('"')
        rest = rest[1:]
        val, i = [], 0
        while True:
            c = rest[i]
            if c == "\\":
                n = rest[i + 1]
                val.append("\n" if n == "n" else n)
                i += 2
                continue
            if c == '"':
                break
            val.append(c)
            i += 1
        out[name] = "".join(val)
        rest = rest[i + 1:].lstrip().lstrip(",").lstrip()
    return out


class Series:
    def __init__(self, name, labels, value, decimals, kind):
        self.name, self.labels, self.kind = name, labels, kind
        self.scale = 10 ** decimals
        self.m0 = round(value * self.scale)
        if kind == "counter":
            self.step = min(max(abs(self.m0) // 10_000, 1), 1_000_000)
        elif kind == "gauge":
            self.step = min(max(abs(self.m0) // 1_000, 1), 1_000_000)
        else:
            self.step = 0

    def value_bounds(self, steps):
        if self.kind == "counter":
            return self.m0 / self.scale, (self.m0 + self.step * steps) / self.scale
        if self.kind == "gauge":
            return (max(0, self.m0 - self.step * steps) / self.scale,
                    max(0, self.m0 + self.step * steps) / self.scale)
        return self.m0 / self.scale, self.m0 / self.scale


def parse_template(text):
    counters, out = set(), []
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            parts = line[7:].split()
            if len(parts) >= 2 and parts[1] == "counter":
                counters.add(parts[0])
            continue
        if line.startswith("#") or not line.strip():
            continue
        close = line.rfind("}")
        if close >= 0:
            series, value = line[:close + 1], line[close + 1:].strip()
        else:
            if " " not in line:
                continue
            series, value = line.split(" ", 1)
        vt = value.split()[0] if value.split() else ""
        try:
            v = float(vt)
        except ValueError:
            continue
        if not math.isfinite(v):
            continue
        if "{" in series:
            o = series.index("{")
            name, labels = series[:o], parse_labels(series[o + 1:-1])
        else:
            name, labels = series, {}
        if "e" in vt or "E" in vt:
            dec = 0 if v == int(v) else 3
        else:
            dec = min(len(vt.split(".", 1)[1]), 6) if "." in vt else 0
        fam_counter = name in counters or any(name == c + "_total" for c in counters)
        kind = "counter" if fam_counter or name.endswith("_total") else ("const" if v in (0.0, 1.0) else "gauge")
        labels = {k: x for k, x in labels.items() if k not in SKIP_LABELS}
        out.append(Series(name, labels, v, dec, kind))
    return out


# --- expressions with known value bounds --------------------------------------------------------

class Vec:
    """A PromQL expression and, per output series of one instance (key: its labels other than
    instance/job), the interval its value stays in. per_instance: outputs repeat per host."""

    def __init__(self, text, out, per_instance=True, labels=None):
        self.text, self.out, self.per_instance = text, out, per_instance
        self.labels = labels or {}  # key → label dict (for further aggregation)

    def count(self, instances):
        return len(self.out) * (instances if self.per_instance else 1)

    def lo(self):
        return min(lo for lo, _ in self.out.values())

    def hi(self):
        return max(hi for _, hi in self.out.values())


def key_of(labels):
    return tuple(sorted(labels.items()))


class Gen:
    def __init__(self, series, instances, interval_s, steps, rng):
        self.series, self.instances, self.interval, self.steps, self.rng = series, instances, interval_s, steps, rng
        self.work_series = self.work_samples = 0
        self.by_name = {}
        for s in series:
            self.by_name.setdefault(s.name, []).append(s)

    def has(self, name, kind=None):
        ss = self.by_name.get(name, [])
        return bool(ss) and (kind is None or all(s.kind == kind for s in ss))

    def label_values(self, name, label):
        return sorted({s.labels[label] for s in self.by_name.get(name, []) if label in s.labels})

    # A selector: matchers on the template's own label values, never empty.
    def selector(self, name, allow=True):
        ss = self.by_name[name]
        labels = sorted({k for s in ss for k in s.labels})
        r = self.rng
        matchers = []
        if r.random() < 0.3:
            matchers.append(("job", "=", "node"))
        if allow and labels and r.random() < 0.8:
            lab = r.choice(labels)
            vals = [v for v in self.label_values(name, lab) if re.fullmatch(r"[A-Za-z0-9_-]+", v)]
            if vals:
                kind = r.choice(["=", "!=", "=~", "!~"])
                if kind in ("=~", "!~"):
                    pick = r.sample(vals, min(len(vals), r.randint(1, 3)))
                    if kind == "=~" and r.random() < 0.3:
                        pick = [pick[0][:2] + ".*"]
                    matchers.append((lab, kind, "|".join(sorted(pick))))
                else:
                    matchers.append((lab, kind, r.choice(vals)))
        matched = [s for s in ss if all(self._match(s, m) for m in matchers)]
        if not matched:
            return self.selector(name, allow=False)
        text = name + ("{" + ",".join(f'{l}{op}"{v}"' for l, op, v in matchers) + "}" if matchers else "")
        self.read(len(matched), 1)
        return text, matched

    def read(self, series, samples_each):
        """Work accounting: series (per host) a rule selects and samples it reads."""
        self.work_series += series
        self.work_samples += series * samples_each

    @staticmethod
    def _match(s, m):
        lab, op, v = m
        if lab == "job":
            val = "node"
        else:
            val = s.labels.get(lab, "")
        if op == "=":
            return val == v
        if op == "!=":
            return val != v
        ok = re.fullmatch(v, val) is not None
        return ok if op == "=~" else not ok

    def rate_vec(self, name, fn=None, window=None):
        fn = fn or self.rng.choice(["rate", "rate", "rate", "irate", "increase"])
        window = window or self.rng.choice(["1m", "2m", "5m", "5m", "5m", "10m"])
        text, matched = self.selector(name)
        w = parse_dur(window)
        self.work_samples += len(matched) * (w / self.interval - 1)
        out, labels = {}, {}
        for s in matched:
            mr = s.step / s.scale / self.interval
            hi = mr * w * 1.2 if fn == "increase" else mr
            out[key_of(s.labels)] = (0.0, hi)
            labels[key_of(s.labels)] = s.labels
        return Vec(f"{fn}({text}[{window}])", out, True, labels)

    def gauge_vec(self, name, fn=None):
        fn = fn if fn is not None else self.rng.choice(["", "", "avg_over_time", "max_over_time", "min_over_time", "quantile_over_time"])
        text, matched = self.selector(name)
        out, labels = {}, {}
        for s in matched:
            out[key_of(s.labels)] = s.value_bounds(self.steps)
            labels[key_of(s.labels)] = s.labels
        if fn:
            window = self.rng.choice(["5m", "10m"])
            arg = "0.9, " if fn == "quantile_over_time" else ""
            self.work_samples += len(matched) * (parse_dur(window) / self.interval - 1)
            text = f"{fn}({arg}{text}[{window}])"
        return Vec(text, out, True, labels)

    def deriv_vec(self, name):
        text, matched = self.selector(name)
        window = self.rng.choice(["5m", "10m"])
        self.work_samples += len(matched) * (parse_dur(window) / self.interval - 1)
        out, labels = {}, {}
        for s in matched:
            st = s.step / s.scale / self.interval
            out[key_of(s.labels)] = (-st, st)
            labels[key_of(s.labels)] = s.labels
        if self.rng.random() < 0.5:
            return Vec(f"deriv({text}[{window}])", out, True, labels)
        # predict_linear: the fitted value at the end of the window plus slope × horizon.
        horizon = self.rng.choice([3600, 4 * 3600])
        w = parse_dur(window)
        out2 = {}
        for s in matched:
            lo, hi = s.value_bounds(self.steps)
            st = s.step / s.scale / self.interval
            out2[key_of(s.labels)] = (lo - st * (w + horizon), hi + st * (w + horizon))
        return Vec(f"predict_linear({text}[{window}], {horizon})", out2, True, labels)

    def ratio_vec(self, num, den, usage):
        """num / den on identical label sets (both gauges with den's lower bound > 0)."""
        tn, mn = self.selector(num)
        # The denominator takes the numerator's matchers' effect through one-to-one matching.
        dd = {key_of(s.labels): s for s in self.by_name[den]}
        self.read(len(dd), 1)
        out, labels = {}, {}
        for s in mn:
            d = dd.get(key_of(s.labels))
            if d is None:
                continue
            nlo, nhi = s.value_bounds(self.steps)
            dlo, dhi = d.value_bounds(self.steps)
            if dlo <= 0:
                return None
            lo, hi = nlo / dhi, nhi / dlo
            out[key_of(s.labels)] = (1 - hi, 1 - lo) if usage else (lo, hi)
            labels[key_of(s.labels)] = s.labels
        if not out:
            return None
        text = f"{tn} / {den}"
        return Vec(f"1 - ({text})" if usage else text, out, True, labels)

    def agg(self, v, op, by, keep_instance=True):
        """op by (instance?, by...) (v)."""
        groups = {}
        for k, b in v.out.items():
            lab = v.labels[k]
            gk = tuple((l, lab.get(l, "")) for l in by)
            groups.setdefault(gk, []).append(b)
        out, labels = {}, {}
        for gk, bs in groups.items():
            if op == "sum":
                b = (sum(x for x, _ in bs), sum(y for _, y in bs))
            elif op == "avg":
                b = (sum(x for x, _ in bs) / len(bs), sum(y for _, y in bs) / len(bs))
            elif op == "max":
                b = (max(x for x, _ in bs), max(y for _, y in bs))
            elif op == "min":
                b = (min(x for x, _ in bs), min(y for _, y in bs))
            elif op == "count":
                b = (float(len(bs)), float(len(bs)))
            else:
                raise ValueError(op)
            out[gk] = b
            labels[gk] = dict(gk)
        if keep_instance and v.per_instance:
            cl = ", ".join(["instance"] + list(by))
            return Vec(f"{op} by ({cl}) ({v.text})", out, True, labels)
        cl = ", ".join(by)
        # Without instance the bounds of all hosts combine: sum and count scale with hosts.
        n = self.instances if v.per_instance else 1
        if op in ("sum", "count"):
            out = {k: (x * n, y * n) for k, (x, y) in out.items()}
        return Vec(f"{op} by ({cl}) ({v.text})" if by else f"{op}({v.text})", out, False, labels)


def parse_dur(d):
    return {"s": 1, "m": 60, "h": 3600}[d[-1]] * int(d[:-1])


def fmt_num(x):
    if x == 0:
        return "0"
    s = f"{x:.3g}"
    return s if "e" not in s else f"{x:.3e}"


def round_up(x):
    """A round number ≥ x (3 significant digits)."""
    if x <= 0:
        return 0.001 if x == 0 else -round_down(-x)
    e = math.floor(math.log10(x)) - 2
    return math.ceil(x / 10 ** e) * 10 ** e


def round_down(x):
    if x <= 0:
        return -round_up(-x) if x < 0 else 0.0
    e = math.floor(math.log10(x)) - 2
    return math.floor(x / 10 ** e) * 10 ** e


# --- the catalogue ----------------------------------------------------------------------------

COUNTERS_LABELLED = [  # (metric, label that distinguishes its series besides instance)
    ("node_cpu_seconds_total", "mode"),
    ("node_network_receive_bytes_total", "device"), ("node_network_transmit_bytes_total", "device"),
    ("node_network_receive_packets_total", "device"), ("node_network_transmit_packets_total", "device"),
    ("node_network_receive_errs_total", "device"), ("node_network_receive_drop_total", "device"),
    ("node_disk_io_time_seconds_total", "device"), ("node_disk_read_bytes_total", "device"),
    ("node_disk_written_bytes_total", "device"), ("node_disk_reads_completed_total", "device"),
    ("node_disk_writes_completed_total", "device"), ("node_disk_io_time_weighted_seconds_total", "device"),
    ("node_softnet_processed_total", "cpu"), ("node_softnet_dropped_total", "cpu"),
    ("node_scrape_collector_duration_seconds", None),
]
COUNTERS_PLAIN = [
    "node_context_switches_total", "node_intr_total", "node_forks_total", "process_cpu_seconds_total",
    "node_pressure_cpu_waiting_seconds_total", "node_pressure_io_waiting_seconds_total",
    "node_pressure_memory_waiting_seconds_total", "go_memstats_alloc_bytes_total",
]
GAUGES = [
    "node_load1", "node_load5", "node_load15", "node_memory_MemAvailable_bytes", "node_memory_MemFree_bytes",
    "node_memory_Cached_bytes", "node_memory_Buffers_bytes", "node_memory_Active_bytes", "node_memory_Slab_bytes",
    "node_filesystem_avail_bytes", "node_filesystem_free_bytes", "node_filesystem_files_free",
    "node_filefd_allocated", "node_sockstat_sockets_used", "node_sockstat_TCP_alloc", "node_procs_running",
    "node_entropy_available_bits", "node_nf_conntrack_entries", "go_goroutines", "process_resident_memory_bytes",
    "node_netstat_Tcp_CurrEstab", "node_memory_Committed_AS_bytes",
]
RATIOS = [  # (numerator, denominator)
    ("node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"),
    ("node_memory_MemFree_bytes", "node_memory_MemTotal_bytes"),
    ("node_filesystem_avail_bytes", "node_filesystem_size_bytes"),
    ("node_filesystem_files_free", "node_filesystem_files"),
    ("node_filefd_allocated", "node_filefd_maximum"),
    ("node_nf_conntrack_entries", "node_nf_conntrack_entries_limit"),
    ("node_memory_SwapFree_bytes", "node_memory_SwapTotal_bytes"),
]

SHORT = re.compile(r"^node_|_total$|_seconds$|_bytes$")


def short(metric):
    return SHORT.sub("", SHORT.sub("", metric))


def camel(s):
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[_:]", s) if p)


class Catalogue:
    def __init__(self, gen):
        g = self.g = gen
        self.labelled = [(m, l) for m, l in COUNTERS_LABELLED if g.has(m, "counter") and l is not None
                         and len(g.label_values(m, l)) > 1]
        self.plain = [m for m in COUNTERS_PLAIN if g.has(m, "counter")]
        self.gauges = [m for m in GAUGES if g.has(m, "gauge")]
        self.ratios = [(n, d) for n, d in RATIOS if g.has(n) and g.has(d) and
                       g.ratio_vec(n, d, False) is not None]
        missing = [m for m, _ in COUNTERS_LABELLED if m not in g.by_name] + \
                  [m for m in COUNTERS_PLAIN + GAUGES if m not in g.by_name]
        if missing:
            print(f"rules_gen: not in the template, not used: {', '.join(sorted(set(missing)))}", file=sys.stderr)
        assert self.labelled and self.gauges and self.ratios, "template has too few node_exporter metrics"

    def vector(self, shape):
        """One expression of a given shape; returns (Vec, metric hint)."""
        g, r = self.g, self.g.rng
        if shape == "sum_rate":
            m, _ = r.choice(self.labelled)
            return g.agg(g.rate_vec(m), r.choice(["sum", "sum", "avg", "max"]), []), m
        if shape == "by_label_rate":
            m, l = r.choice(self.labelled)
            return g.agg(g.rate_vec(m), r.choice(["sum", "avg", "max", "min"]), [l]), m
        if shape == "series_rate":
            m = r.choice(self.plain + [m for m, _ in self.labelled if m.startswith("node_network")])
            return g.rate_vec(m), m
        if shape == "ratio":
            n, d = r.choice(self.ratios)
            return g.ratio_vec(n, d, r.random() < 0.5), n
        if shape == "gauge":
            m = r.choice(self.gauges)
            return g.gauge_vec(m), m
        if shape == "gauge_sum":
            m = r.choice(self.gauges)
            return g.agg(g.gauge_vec(m), r.choice(["sum", "max", "min"]), []), m
        if shape == "trend":
            m = r.choice(self.gauges)
            return g.deriv_vec(m), m
        if shape == "global":
            m, l = r.choice(self.labelled)
            inner = g.rate_vec(m)
            return g.agg(inner, r.choice(["sum", "avg", "max", "count"]), r.choice([[], [l]]), keep_instance=False), m
        if shape == "cpu_busy":
            modes = g.label_values("node_cpu_seconds_total", "mode")
            if "idle" not in modes:
                return self.vector("sum_rate")
            w = r.choice(["1m", "2m", "5m", "10m"])
            ss = [s for s in g.by_name["node_cpu_seconds_total"] if s.labels.get("mode") == "idle"]
            g.read(len(ss), parse_dur(w) / g.interval)
            mr = max(s.step / s.scale / g.interval for s in ss)
            return Vec(f'1 - avg by (instance) (rate(node_cpu_seconds_total{{mode="idle"}}[{w}]))',
                       {(): (1 - mr, 1.0)}, True, {(): {}}), "node_cpu_seconds_total"
        raise ValueError(shape)


def gen_rules(args):
    rng = random.Random(args.seed)
    series = parse_template(open(args.template).read())
    g = Gen(series, args.instances, args.interval, args.steps, rng)
    cat = Catalogue(g)
    g.work_series = g.work_samples = 0
    n_groups, per = args.groups, args.rules_per_group
    n_rec = per // 2
    total_alert_rules = n_groups * (per - n_rec)
    # Alerting rules that fire (per-instance expressions only): FIRING of them with a short
    # `for` (firing by the end of the warm-up), PENDING with `for: 1h` (pending throughout).
    firing_idx = set(round(i * total_alert_rules / args.firing) for i in range(args.firing)) if args.firing else set()
    pend = sorted(firing_idx)[1::4][:args.pending]
    absent_rule = total_alert_rules // 2 + 1
    expected = {"recorded_series": 0, "recorded_names": 0, "alerts": {"firing": 0, "pending": 0},
                "alerts_by_name": {}, "groups": n_groups, "rules": n_groups * per,
                "recording_rules": n_groups * n_rec, "alerting_rules": total_alert_rules}

    rec_shapes = ["sum_rate"] * 6 + ["by_label_rate"] * 3 + ["series_rate"] * 2 + ["ratio"] * 2 + \
                 ["gauge"] * 2 + ["gauge_sum"] + ["trend"] + ["global"] * 2 + ["cpu_busy"]
    alert_shapes = ["sum_rate"] * 5 + ["by_label_rate"] * 3 + ["series_rate"] * 2 + ["ratio"] * 3 + \
                   ["gauge"] * 2 + ["trend"] + ["cpu_busy"] + ["recorded"] * 3
    per_instance_shapes = ["sum_rate", "ratio", "cpu_busy", "gauge"]
    lines = ["# Generated by bench/rules_gen.py — do not edit.",
             f"# template series per host: {len(series)}, hosts: {args.instances}, seed: {args.seed}",
             "groups:"]
    a_index = 0
    ts_dependent = []
    for gi in range(n_groups):
        lines.append(f"  - name: {json.dumps(f'node-bench-{gi:02d}')}")
        lines.append("    rules:")
        recorded = []  # (name, Vec) of this group
        for ri in range(per):
            rule_no = gi * per + ri
            if args.verbose and rule_no:
                print(f"work {rule_no - 1:04d} series={g.work_series - w0[0]} samples={g.work_samples - w0[1]:.0f} {lines[-1] if ri else ''}", file=sys.stderr)
            w0 = (g.work_series, g.work_samples)
            if ri < n_rec:
                shape = rng.choice(rec_shapes)
                if shape != "global" and recorded and rng.random() < 0.1:
                    # A rule over an earlier recorded series of the same group.
                    name0, v0 = rng.choice(recorded)
                    g.read(len(v0.out), 1)
                    if v0.per_instance:
                        v = Vec(f"max without (instance) ({name0})", dict(v0.out), False, dict(v0.labels))
                    else:
                        v = Vec(f"sum({name0})", {(): (sum(x for x, _ in v0.out.values()), sum(y for _, y in v0.out.values()))}, False, {(): {}})
                    metric, level = name0.split(":")[2], "global"
                else:
                    v, metric = cat.vector(shape)
                    while v is None:
                        v, metric = cat.vector(shape)
                    level = "instance" if v.per_instance else "global"
                    if shape == "by_label_rate" or shape == "series_rate":
                        level = "instance_" + "_".join(sorted({k for lab in v.labels.values() for k in lab})) if v.labels else level
                op = re.match(r"^[a-z_]+", v.text).group(0) if re.match(r"^[a-z_]+\(", v.text) or re.match(r"^[a-z_]+ by", v.text) else "expr"
                name = f"bench:{level.rstrip('_')}:{short(metric)}:{op}_{rule_no:04d}"
                recorded.append((name, v))
                # predict_linear's value depends on the evaluation timestamp itself, not only on
                # the samples; so does every rule that reads such a recorded series.
                if "predict_linear" in v.text or any(n in v.text for n in ts_dependent):
                    ts_dependent.append(name)
                lines.append(f"      - record: {name}")
                lines.append(f"        expr: {json.dumps(v.text)}")
                if rng.random() < 0.2:
                    lines.append(f"        labels: {{tier: {json.dumps(rng.choice(['infra', 'platform']))}}}")
                n = v.count(args.instances)
                expected["recorded_series"] += n
                expected["recorded_names"] += 1
                continue
            # --- alerting rule ---
            fire = a_index in firing_idx
            is_absent = a_index == absent_rule
            a_index += 1
            if is_absent:
                name = f"NodeExporterMissing{rule_no:04d}"
                expr = 'absent(node_uname_info{instance="host-99999:9100"})'
                lines += [f"      - alert: {name}", f"        expr: {json.dumps(expr)}", "        for: 30s",
                          "        labels: {severity: critical}",
                          "        annotations:",
                          f"          summary: {json.dumps('node_exporter on host-99999 has disappeared')}"]
                expected["alerts"]["firing"] += 1
                expected["alerts_by_name"][f"{name}/firing"] = 1
                continue
            shape = rng.choice(per_instance_shapes if fire else alert_shapes)
            if shape == "recorded":
                cand = [(n, v) for n, v in recorded if v.per_instance]
                if not cand:
                    shape = "sum_rate"
            while True:
                if shape == "recorded":
                    rname, v = rng.choice(cand)
                    g.read(len(v.out), 1)
                    v = Vec(rname, v.out, v.per_instance, v.labels)
                    metric = rname.split(":")[2]
                else:
                    v, metric = cat.vector(shape)
                if v is not None and (not fire or (v.per_instance and len(v.out) == 1)):
                    break
            lo, hi = v.lo(), v.hi()
            if fire:
                if lo > 0 and rng.random() < 0.6:
                    cmp, thr = ">", round_down(lo * 0.5)
                else:
                    cmp, thr = "<", round_up(max(hi * 1.5, hi + 1e-3))
            else:
                if lo > 0 and rng.random() < 0.3:
                    cmp, thr = "<", round_down(lo * 0.5)
                else:
                    cmp, thr = ">", round_up(max(hi * 1.5, hi + 1e-3))
            expr = f"{v.text} {cmp} {fmt_num(thr)}"
            if shape == "ratio" and rng.random() < 0.3:
                expr = f"({expr}) * on (instance) group_left (nodename) node_uname_info"
            alert = f"Host{camel(short(metric))}{'High' if cmp == '>' else 'Low'}{rule_no:04d}"
            if fire:
                for_s = "1h" if a_index - 1 in pend else rng.choice(
                    [f for f in ("0s", "30s", "1m") if parse_dur(f) <= args.max_for] or ["0s"])
            else:
                for_s = rng.choice(["0s", "1m", "2m", "5m", "10m", "15m"])
            severity = rng.choice(["warning", "warning", "critical", "info"])
            fmt = rng.choice(["{{ $value | humanize }}", "{{ $value | humanize }}", "{{ $value | humanize1024 }}",
                              "{{ $value | humanizePercentage }}", '{{ printf "%.2f" $value }}'])
            what = short(metric).replace("_", " ")
            lines.append(f"      - alert: {alert}")
            lines.append(f"        expr: {json.dumps(expr)}")
            if for_s != "0s":
                lines.append(f"        for: {for_s}")
            lab = {"severity": severity}
            if rng.random() < 0.2:
                lab["host"] = '{{ reReplaceAll ":[0-9]+$" "" $labels.instance }}'
            lines.append("        labels: {" + ", ".join(f"{k}: {json.dumps(x)}" for k, x in lab.items()) + "}")
            lines.append("        annotations:")
            lines.append(f"          summary: {json.dumps(f'{what} {cmp} {fmt_num(thr)} on {{{{ $labels.instance }}}}')}")
            desc = f"{what} on {{{{ $labels.instance }}}} is {fmt} (threshold {fmt_num(thr)})."
            if rng.random() < 0.3:
                desc += "\n  VALUE = {{ $value }}\n  LABELS = {{ $labels }}"
            lines.append(f"          description: {json.dumps(desc)}")
            if fire:
                state = "pending" if for_s == "1h" else "firing"
                n = v.count(args.instances)
                expected["alerts"][state] += n
                expected["alerts_by_name"][f"{alert}/{state}"] = n
    # Per-host work counted per rule; chained rules over per-host outputs are close enough.
    expected["timestamp_dependent_records"] = ts_dependent
    expected["series_selected_per_interval"] = round(g.work_series * args.instances)
    expected["samples_read_per_interval"] = round(g.work_samples * args.instances)
    return "\n".join(lines) + "\n", expected


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--template", required=True)
    p.add_argument("--instances", type=int, required=True, help="hosts vigil-rwgen simulates")
    p.add_argument("--interval", type=float, default=15, help="seconds between samples (and evaluations)")
    p.add_argument("--steps", type=int, default=200, help="samples per series in the data (bounds hold for this many)")
    p.add_argument("--groups", type=int, default=50)
    p.add_argument("--rules-per-group", type=int, default=20)
    p.add_argument("--firing", type=int, default=12, help="alerting rules that fire for every host")
    p.add_argument("--pending", type=int, default=3, help="of those, how many have `for: 1h` (stay pending)")
    p.add_argument("--max-for", type=int, default=120,
                   help="seconds of evaluation before alerts are counted: firing rules get `for` ≤ this")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--verbose", action="store_true", help="print each rule's work (series and samples per host)")
    p.add_argument("--out", required=True)
    p.add_argument("--summary")
    args = p.parse_args()
    text, expected = gen_rules(args)
    with open(args.out, "w") as f:
        f.write(text)
    summary = json.dumps(expected, sort_keys=True)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(summary + "\n")
    print(f"rules_gen: {expected['rules']} rules in {expected['groups']} groups; expected {expected['recorded_series']:,} "
          f"recorded series, {expected['alerts']['firing']:,} firing and {expected['alerts']['pending']:,} pending alerts; "
          f"per evaluation round the rules select {expected['series_selected_per_interval']:,} series and read "
          f"{expected['samples_read_per_interval']:,} samples",
          file=sys.stderr)


if __name__ == "__main__":
    main()
