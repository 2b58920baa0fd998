#!/usr/bin/env python3
"""Alert-manager load: a webhook capture server plus a sender that posts N alerts in G groups
to /api/v2/alerts in batches of 64 (Prometheus's batch size), re-posting every RESEND seconds
for DURATION seconds as Prometheus does. Prints one JSON line: notification latency (first
notification of each group after its alerts were first posted), groups and alerts notified."""
import json, sys, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

url, hook_port, n_alerts, n_groups, duration, resend = (
    sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))

first_post = {}      # group -> time its first batch was posted
first_notify = {}    # group -> time of its first notification
alerts_seen = set()  # (group, instance) notified at least once
notifications = 0
lock = threading.Lock()

class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        global notifications
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.time()
        try:
            n = json.loads(body)
            g = n["groupLabels"].get("group", "")
            with lock:
                notifications += 1
                first_notify.setdefault(g, now)
                for a in n["alerts"]:
                    alerts_seen.add((a["labels"].get("group"), a["labels"].get("instance")))
        except Exception as e:  # a malformed notification is a failure worth seeing
            print("bad notification:", e, file=sys.stderr)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass

srv = ThreadingHTTPServer(("127.0.0.1", hook_port), Hook)
threading.Thread(target=srv.serve_forever, daemon=True).start()

per_group = n_alerts // n_groups
alerts = [{"labels": {"alertname": "BenchAlert", "group": f"g{g}", "instance": f"i{i}", "severity": "critical"},
           "annotations": {"summary": f"instance i{i} of group g{g} is down"}}
          for g in range(n_groups) for i in range(per_group)]

def post_all():
    for k in range(0, len(alerts), 64):
        batch = alerts[k:k + 64]
        now = time.time()
        with lock:
            for a in batch:
                first_post.setdefault(a["labels"]["group"], now)
        req = urllib.request.Request(url, data=json.dumps(batch).encode(), headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=30).read()

start = time.time()
post_all()
post_seconds = time.time() - start
while time.time() - start < duration:
    time.sleep(max(0.0, min(resend, duration - (time.time() - start))))
    if time.time() - start < duration:
        post_all()
lat = sorted(first_notify[g] - first_post[g] for g in first_notify if g in first_post)
def pct(p):
    return round(lat[min(len(lat) - 1, int(p * len(lat)))], 3) if lat else None
print(json.dumps({"alerts": n_alerts, "groups": n_groups, "groups_notified": len(first_notify),
                  "alerts_notified": len(alerts_seen), "notifications": notifications,
                  "first_post_seconds": round(post_seconds, 3),
                  "latency_p50": pct(0.5), "latency_p90": pct(0.9), "latency_p99": pct(0.99), "latency_max": pct(1.0)}))
