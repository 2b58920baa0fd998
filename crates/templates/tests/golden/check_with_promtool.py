#!/usr/bin/env python3
"""Checks alert_templates.json against a real Prometheus: `promtool test rules`.

Every case becomes an alerting rule (labels instance/job from `up{job="node"}`, the
case's value, its template as annotation `t`); promtool reports the annotations it
rendered, which are compared with the expected output (errors: the text after
`template: NAME:LINE:COL: `, since Prometheus counts columns from its hidden preamble).

Usage: python3 check_with_promtool.py [path/to/promtool]   (Debian: apt-get install prometheus)
Cases with "promtool_skip" (functions newer than 2.42, promtool quirks) are left out.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = json.load(open(os.path.join(HERE, "alert_templates.json"), encoding="utf-8"))
PROMTOOL = sys.argv[1] if len(sys.argv) > 1 else "promtool"

TEST_FILE = """rule_files: [rules.yml]
evaluation_interval: 1m
tests:
- interval: 1m
  external_labels: {cluster: eu1}
  external_url: http://prom.example.com:9090/prom/
  input_series:
  - {series: 'up{job="node",instance="host.example.com:9090"}', values: '1'}
  - {series: 'up{job="api",instance="b.example.com:9100"}', values: '0'}
  - {series: 'up{job="db",instance="a.example.com:9100"}', values: '1'}
  alert_rule_test:
  - eval_time: 0m
    alertname: A
    exp_alerts: []
"""


def go_unquote(s):
    """Decodes a Go %q string literal as promtool prints annotation values."""
    body, out, i = s[1:-1], [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "'": "'"}
    while i < len(body):
        if body[i] != "\\":
            out.append(body[i])
            i += 1
            continue
        esc = body[i + 1]
        if esc in simple:
            out.append(simple[esc])
            i += 2
        else:
            width = {"x": 2, "u": 4, "U": 8}[esc]
            out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
            i += 2 + width
    return "".join(out)


def main():
    rules = ["groups:", "- name: golden", "  rules:"]
    for i, case in enumerate(CASES):
        if case.get("promtool_skip"):
            continue
        rules += [
            "  - alert: A",
            "    expr: " + json.dumps('up{job="node"} * 0 + (%s)' % case["value"]),
            '    labels: {case: "%d"}' % i,
            "    annotations:",
            "      t: " + json.dumps(case["template"]),
        ]
    with tempfile.TemporaryDirectory() as tmp:
        open(os.path.join(tmp, "rules.yml"), "w", encoding="utf-8").write("\n".join(rules) + "\n")
        open(os.path.join(tmp, "test.yml"), "w", encoding="utf-8").write(TEST_FILE)
        out = subprocess.run([PROMTOOL, "test", "rules", "test.yml"], cwd=tmp, capture_output=True, text=True)
    report = out.stdout + out.stderr
    got = {int(m.group(1)): go_unquote(m.group(2)) for m in re.finditer(r'case="(\d+)".*?\n\s*Annotations:\{t=(".*")\}', report)}
    bad = checked = 0
    for i, case in enumerate(CASES):
        if case.get("promtool_skip"):
            continue
        checked += 1
        rendered = got.get(i)
        if rendered is None:
            print("MISSING", i, repr(case["template"]))
            bad += 1
            continue
        if "error" in case:
            rendered = re.sub(r"^<error expanding template: error executing template __alert_A: template: __alert_A:\d+:\d+: ", "", rendered)
            rendered, want = rendered.removesuffix(">"), case["error"]
        else:
            want = case["expected"]
        if rendered != want:
            print("DIFF %d %r\n  promtool: %r\n  expected: %r" % (i, case["template"], rendered, want))
            bad += 1
    print("%d checked, %d mismatches" % (checked, bad))
    return 1 if bad or not got else 0


if __name__ == "__main__":
    sys.exit(main())
