//! Scraping end to end: the real binary scrapes real exporters (Debian's node_exporter and
//! blackbox_exporter) and a small in-test HTTP server, and what it ingests is compared with
//! what Prometheus 2.42 ingests from the same targets with the same config.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Vigil, free_port, get, request, require_peer, urlencode as encode};
use serde_json::Value;

/// Path → (content type, body).
type Bodies = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

/// Serves fixed bodies by path over HTTP/1.1 (one request per connection), changeable while
/// running; a path not set answers 404. The thread ends with the test process.
#[derive(Clone)]
struct FixtureServer {
    addr: SocketAddr,
    bodies: Bodies,
}

impl FixtureServer {
    fn start() -> FixtureServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fixture server");
        let addr = listener.local_addr().expect("addr");
        let bodies: Bodies = Arc::default();
        let shared = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(&stream);
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path =
                        line.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_string();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                            break;
                        }
                    }
                    let found = shared.lock().map(|m| m.get(&path).cloned()).unwrap_or(None);
                    let mut out = &stream;
                    let _ = match found {
                        Some((ct, body)) => {
                            let head = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            );
                            out.write_all(head.as_bytes()).and_then(|_| out.write_all(&body))
                        }
                        None => {
                            out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        }
                    };
                });
            }
        });
        FixtureServer { addr, bodies }
    }

    fn set(&self, path: &str, content_type: &str, body: &str) {
        self.bodies
            .lock()
            .expect("fixture lock")
            .insert(path.to_string(), (content_type.to_string(), body.as_bytes().to_vec()));
    }
}

/// A child process killed and reaped on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_http(addr: SocketAddr, path: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if get(addr, path).is_ok_and(|r| r.status == 200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not answer 200 on {path} at {addr}");
}

fn spawn(bin: &str, args: &[String], log: &Path) -> Proc {
    let logf = std::fs::File::create(log).expect("log file");
    Proc(
        Command::new(bin)
            .args(args)
            .stdout(Stdio::null())
            .stderr(logf)
            .spawn()
            .unwrap_or_else(|e| panic!("start {bin}: {e}")),
    )
}

fn start_node_exporter(dir: &Path) -> (Proc, SocketAddr) {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    let p =
        spawn("prometheus-node-exporter", &[format!("--web.listen-address={addr}")], &dir.join("node_exporter.log"));
    wait_http(addr, "/metrics", "node_exporter");
    (p, addr)
}

fn start_blackbox_exporter(dir: &Path) -> (Proc, SocketAddr) {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    let cfg = dir.join("blackbox.yml");
    std::fs::write(
        &cfg,
        "modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n  tcp_connect:\n    prober: tcp\n    timeout: 5s\n",
    )
    .expect("write blackbox.yml");
    let p = spawn(
        "prometheus-blackbox-exporter",
        &[format!("--config.file={}", cfg.display()), format!("--web.listen-address={addr}")],
        &dir.join("blackbox.log"),
    );
    wait_http(addr, "/metrics", "blackbox_exporter");
    (p, addr)
}

fn start_prometheus(dir: &Path, config: &Path) -> (Proc, SocketAddr) {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    let p = spawn(
        "prometheus",
        &[
            format!("--config.file={}", config.display()),
            format!("--storage.tsdb.path={}", dir.join("prom").display()),
            format!("--web.listen-address={addr}"),
        ],
        &dir.join("prometheus.log"),
    );
    wait_http(addr, "/-/ready", "prometheus");
    (p, addr)
}

fn api(addr: SocketAddr, path: &str) -> Value {
    let r = get(addr, path).unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("GET {path}: {e}: {}", r.text()))
}

/// The instant vector of `q` as (labels, value) pairs.
fn query(addr: SocketAddr, q: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    let v = api(addr, &format!("/api/v1/query?query={}", encode(q)));
    v["data"]["result"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    let labels = labels_of(&s["metric"]);
                    let value = s["value"][1].as_str().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
                    (labels, value)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn labels_of(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// Every series either system holds from the last `secs` seconds.
fn series_set(addr: SocketAddr, secs: u64) -> BTreeSet<BTreeMap<String, String>> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let path = format!("/api/v1/series?match[]={}&start={}&end={}", encode("{__name__=~\".+\"}"), now - secs, now + 5);
    api(addr, &path)["data"].as_array().expect("series list").iter().map(labels_of).collect()
}

/// Polls `f` until it returns Some or `secs` pass.
fn eventually<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn targets(addr: SocketAddr) -> Vec<Value> {
    api(addr, "/api/v1/targets")["data"]["activeTargets"].as_array().cloned().unwrap_or_default()
}

/// The target of `job` once it has been scraped at least once.
fn scraped_target(addr: SocketAddr, job: &str) -> Value {
    eventually(30, &format!("a scrape of job {job}"), || {
        targets(addr).into_iter().find(|t| t["scrapePool"] == job && t["health"] != "unknown")
    })
}

/// An exposition with the cases where Prometheus's ingestion rules matter: a label clash with
/// the target labels, explicit timestamps, histograms, summaries, untyped, escapes, NaN/Inf.
const EDGE_EXPOSITION: &str = r#"# HELP app_requests_total Requests handled.
# TYPE app_requests_total counter
app_requests_total{method="GET",code="200"} 10
app_requests_total{method="POST",code="500",job="inner",instance="x"} 2
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{le="0.1"} 1
app_latency_seconds_bucket{le="1"} 3
app_latency_seconds_bucket{le="+Inf"} 4
app_latency_seconds_sum 2.5
app_latency_seconds_count 4
# TYPE app_rpc_seconds summary
app_rpc_seconds{quantile="0.5"} 0.2
app_rpc_seconds{quantile="0.99"} NaN
app_rpc_seconds_sum 1
app_rpc_seconds_count 5
app_untyped{path="C:\\dir\\\"quoted\"\nnext"} +Inf
app_empty_label{a="",b="x"} 1
app_old_timestamp 3 1600000000000
"#;

/// OpenMetrics with what only it has: units, `_created`, exemplars, info and stateset families.
const EDGE_OPENMETRICS: &str = "# TYPE om_requests counter\n# UNIT om_requests requests\n# HELP om_requests Requests.\nom_requests_total{path=\"/a\"} 5 # {trace_id=\"abc\"} 1.0 1600000000.000\nom_requests_created{path=\"/a\"} 1600000000.5\n# TYPE om_build info\nom_build_info{version=\"1.2\"} 1\n# TYPE om_state stateset\nom_state{om_state=\"on\"} 1\nom_state{om_state=\"off\"} 0\n# TYPE om_size_bytes gauge\n# UNIT om_size_bytes bytes\nom_size_bytes 1e3\n# EOF\n";

/// The same config for both systems: node_exporter, blackbox_exporter's own metrics, a blackbox
/// probe with the englog relabelling recipe, and the edge-case exposition with honor_labels off
/// and on plus metric relabelling.
fn comparison_config(node: SocketAddr, blackbox: SocketAddr, fixture: SocketAddr) -> String {
    format!(
        r#"global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['{node}']
  - job_name: blackbox-self
    static_configs:
      - targets: ['{blackbox}']
        labels:
          team: ops
  - job_name: blackbox
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: ['http://{fixture}/edge']
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: {blackbox}
  - job_name: edge
    static_configs:
      - targets: ['{fixture}']
    metrics_path: /edge
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: app_rpc_seconds.*
        action: drop
      - regex: method
        action: labeldrop
  - job_name: edge-openmetrics
    static_configs:
      - targets: ['{fixture}']
    metrics_path: /om
  - job_name: dropped
    static_configs:
      - targets: ['{fixture}', 'keep-me-out:1']
        labels:
          tier: x
    relabel_configs:
      - action: drop
        source_labels: [tier]
        regex: x
  - job_name: edge-honor
    honor_labels: true
    honor_timestamps: false
    static_configs:
      - targets: ['{fixture}']
    metrics_path: /edge
"#
    )
}

#[test]
fn ingests_the_same_series_as_prometheus_from_real_exporters() {
    let test = "ingests_the_same_series_as_prometheus_from_real_exporters";
    if !require_peer("prometheus", test)
        || !require_peer("prometheus-node-exporter", test)
        || !require_peer("prometheus-blackbox-exporter", test)
    {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_node, node) = start_node_exporter(tmp.path());
    let (_bb, blackbox) = start_blackbox_exporter(tmp.path());
    let fixture = FixtureServer::start();
    fixture.set("/edge", "text/plain; version=0.0.4", EDGE_EXPOSITION);
    fixture.set("/om", "application/openmetrics-text; version=1.0.0; charset=utf-8", EDGE_OPENMETRICS);
    let cfg = tmp.path().join("prometheus.yml");
    std::fs::write(&cfg, comparison_config(node, blackbox, fixture.addr)).expect("write config");
    let (_prom, prom) = start_prometheus(tmp.path(), &cfg);
    let vigil = Vigil::start(&tmp.path().join("vigil"), &[&format!("--config.file={}", cfg.display())]);

    // Let both scrape every target several times.
    for job in ["node", "blackbox-self", "blackbox", "edge", "edge-openmetrics", "edge-honor"] {
        let t = scraped_target(vigil.addr, job);
        assert_eq!(t["health"], "up", "vigil target of {job}: {t}");
        let t = scraped_target(prom, job);
        assert_eq!(t["health"], "up", "prometheus target of {job}: {t}");
    }
    std::thread::sleep(Duration::from_secs(4));

    let ours = series_set(vigil.addr, 60);
    let theirs = series_set(prom, 60);
    let only_ours: Vec<_> = ours.difference(&theirs).collect();
    let only_theirs: Vec<_> = theirs.difference(&ours).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "series differ (vigil {} vs prometheus {}):\nonly in vigil: {only_ours:#?}\nonly in prometheus: {only_theirs:#?}",
        ours.len(),
        theirs.len()
    );
    assert!(ours.len() > 200, "expected node_exporter's hundreds of series, got {}", ours.len());
    for name in [
        "up",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ] {
        assert_eq!(ours.iter().filter(|s| s["__name__"] == name).count(), 6, "{name} per target");
    }

    // The same values where they are deterministic.
    for q in [
        "app_requests_total",
        "om_requests_total",
        "om_size_bytes",
        "probe_success",
        "probe_http_status_code",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "node_memory_MemTotal_bytes",
    ] {
        let mut a = query(vigil.addr, q);
        let mut b = query(prom, q);
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        assert!(!a.is_empty(), "{q}: no result from vigil");
        assert_eq!(a, b, "{q}: vigil vs prometheus");
    }
    // /api/v1/targets: the same fields, labels, discovered labels and URLs as Prometheus.
    let by_url = |addr: SocketAddr| -> BTreeMap<String, Value> {
        targets(addr).into_iter().map(|t| (t["scrapeUrl"].as_str().unwrap_or_default().to_string(), t)).collect()
    };
    let (ours_t, theirs_t) = (by_url(vigil.addr), by_url(prom));
    assert_eq!(ours_t.keys().collect::<Vec<_>>(), theirs_t.keys().collect::<Vec<_>>(), "scrape URLs");
    for (url, a) in &ours_t {
        let b = &theirs_t[url];
        let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<BTreeSet<_>>()).unwrap_or_default();
        assert_eq!(keys(a), keys(b), "target fields of {url}");
        for field in
            ["labels", "discoveredLabels", "scrapePool", "globalUrl", "health", "scrapeInterval", "scrapeTimeout"]
        {
            assert_eq!(a[field], b[field], "{field} of {url}");
        }
    }
    let dropped = |addr: SocketAddr| -> BTreeSet<String> {
        api(addr, "/api/v1/targets?state=dropped")["data"]["droppedTargets"]
            .as_array()
            .expect("dropped targets")
            .iter()
            .map(|t| t["discoveredLabels"].to_string())
            .collect()
    };
    let (ours_d, theirs_d) = (dropped(vigil.addr), dropped(prom));
    assert_eq!(ours_d.len(), 2, "{ours_d:?}");
    assert_eq!(ours_d, theirs_d, "dropped targets");
    // Per-target metadata (TYPE, HELP, UNIT) as Prometheus reports it.
    for job in ["edge", "edge-openmetrics", "node"] {
        let path = format!("/api/v1/targets/metadata?match_target={}", encode(&format!("{{job=\"{job}\"}}")));
        let pick = |v: Value| -> BTreeSet<String> {
            v["data"]
                .as_array()
                .expect("metadata list")
                .iter()
                .map(|m| format!("{} {} {} {:?}", m["metric"], m["type"], m["unit"], m["help"]))
                .collect()
        };
        let (a, b) = (pick(api(vigil.addr, &path)), pick(api(prom, &path)));
        assert!(!a.is_empty(), "no metadata for {job}");
        assert_eq!(a, b, "targets/metadata of {job}: vigil vs prometheus");
    }
    // The explicitly timestamped sample is years old: outside the lookback for both when
    // honoured, and current (scrape time) when honor_timestamps is off.
    let old = query(vigil.addr, "app_old_timestamp");
    assert_eq!(old.len(), 1, "only the edge-honor job's copy is current: {old:?}");
    assert_eq!(old[0].0["job"], "edge-honor");
}

#[test]
fn unreachable_and_malformed_targets_are_down_with_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixture = FixtureServer::start();
    fixture.set("/good", "text/plain; version=0.0.4", "a_metric 1\nb_metric{x=\"1\"} 2\n");
    fixture.set("/bad", "text/plain; version=0.0.4", "ok_metric 1\nbroken_metric{x=\"1\" 2\nother 3\n");
    let dead = free_port();
    // Accepts connections and never answers: the scrape must time out.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind silent listener");
    let silent_addr = silent.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().flatten() {
            held.push(s);
        }
    });
    let cfg = tmp.path().join("prometheus.yml");
    std::fs::write(
        &cfg,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: dead\n    static_configs:\n      - targets: ['127.0.0.1:{dead}']\n  - job_name: bad\n    metrics_path: /bad\n    static_configs:\n      - targets: ['{f}']\n  - job_name: missing\n    metrics_path: /nothing-here\n    static_configs:\n      - targets: ['{f}']\n  - job_name: silent\n    scrape_timeout: 500ms\n    static_configs:\n      - targets: ['{silent_addr}']\n",
            f = fixture.addr
        ),
    )
    .expect("write config");
    let vigil = Vigil::start(&tmp.path().join("vigil"), &[&format!("--config.file={}", cfg.display())]);

    let dead_t = scraped_target(vigil.addr, "dead");
    assert_eq!(dead_t["health"], "down");
    let err = dead_t["lastError"].as_str().unwrap_or_default();
    assert!(err.contains("connection refused") || err.contains("onnect"), "dead target error: {err}");

    let bad = scraped_target(vigil.addr, "bad");
    assert_eq!(bad["health"], "down");
    let err = bad["lastError"].as_str().unwrap_or_default();
    assert!(err.contains("line 2"), "parse error should name the line: {err}");

    let missing = scraped_target(vigil.addr, "missing");
    assert_eq!(missing["lastError"], "server returned HTTP status 404 Not Found");

    let slow = scraped_target(vigil.addr, "silent");
    assert_eq!(slow["health"], "down");
    let err = slow["lastError"].as_str().unwrap_or_default();
    assert!(err.contains("timeout") || err.contains("deadline"), "silent target error: {err}");
    assert!(slow["lastScrapeDuration"].as_f64().is_some_and(|d| (0.4..1.5).contains(&d)), "{slow}");

    let up: BTreeMap<String, f64> = query(vigil.addr, "up").into_iter().map(|(l, v)| (l["job"].clone(), v)).collect();
    assert_eq!(up.get("dead"), Some(&0.0));
    assert_eq!(up.get("bad"), Some(&0.0));
    assert_eq!(up.get("missing"), Some(&0.0));
    // Bad parameters of the scrape endpoints are 400s naming the parameter.
    for (path, want) in [
        ("/api/v1/targets/metadata?match_target=%7Bjob%3D", "invalid parameter \"match_target\""),
        ("/api/v1/targets/metadata?limit=x", "limit"),
        ("/api/v1/metadata?limit_per_metric=x", "invalid parameter \"limit_per_metric\""),
    ] {
        let r = get(vigil.addr, path).expect("request");
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        let body: Value = serde_json::from_slice(&r.body).expect("json error body");
        assert_eq!(body["errorType"], "bad_data", "{path}");
        assert!(body["error"].as_str().is_some_and(|e| e.contains(want)), "{path}: {body}");
    }
    let only_dead = api(vigil.addr, "/api/v1/targets?scrapePool=dead");
    assert_eq!(only_dead["data"]["activeTargets"].as_array().map(Vec::len), Some(1), "{only_dead}");
    // All or nothing: the malformed body's good first line was not ingested.
    assert!(query(vigil.addr, "ok_metric").is_empty(), "a failed scrape must not ingest part of its body");
    assert!(query(vigil.addr, "scrape_samples_scraped{job=\"bad\"}").iter().all(|(_, v)| *v == 0.0));
}

#[test]
fn reload_adds_and_removes_jobs_keeping_data_and_unchanged_targets() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixture = FixtureServer::start();
    fixture.set("/a", "text/plain", "metric_a 1\n");
    fixture.set("/b", "text/plain", "metric_b 2\n");
    let job = |name: &str, path: &str| {
        format!(
            "  - job_name: {name}\n    metrics_path: {path}\n    static_configs:\n      - targets: ['{}']\n",
            fixture.addr
        )
    };
    let cfg = tmp.path().join("prometheus.yml");
    let head = "global:\n  scrape_interval: 1s\nscrape_configs:\n";
    std::fs::write(&cfg, format!("{head}{}{}", job("keep", "/a"), job("remove", "/b"))).expect("write config");

    // Without --web.enable-lifecycle the HTTP reload is refused, like Prometheus.
    let plain = Vigil::start(&tmp.path().join("plain"), &[&format!("--config.file={}", cfg.display())]);
    let r = request(plain.addr, "POST", "/-/reload", &[], &[]).expect("reload request");
    assert_eq!(r.status, 403, "{}", r.text());
    drop(plain);

    let vigil = Vigil::start(
        &tmp.path().join("vigil"),
        &[&format!("--config.file={}", cfg.display()), "--web.enable-lifecycle"],
    );
    let before = scraped_target(vigil.addr, "keep");
    eventually(20, "metric_b", || (!query(vigil.addr, "metric_b").is_empty()).then_some(()));

    // A broken file is refused and changes nothing.
    std::fs::write(&cfg, format!("{head}  - job_name: [broken\n")).expect("write config");
    let r = request(vigil.addr, "POST", "/-/reload", &[], &[]).expect("reload request");
    assert_eq!(r.status, 500, "{}", r.text());
    assert!(r.text().contains("prometheus.yml"), "error names the file: {}", r.text());
    assert_eq!(targets(vigil.addr).len(), 2);

    std::fs::write(&cfg, format!("{head}{}{}", job("keep", "/a"), job("added", "/b"))).expect("write config");
    let r = request(vigil.addr, "POST", "/-/reload", &[], &[]).expect("reload request");
    assert_eq!(r.status, 200, "{}", r.text());
    scraped_target(vigil.addr, "added");
    let shown = api(vigil.addr, "/api/v1/status/config");
    assert!(shown["data"]["yaml"].as_str().is_some_and(|y| y.contains("job_name: added")), "{shown}");
    let pools = api(vigil.addr, "/api/v1/scrape_pools");
    assert_eq!(pools["data"]["scrapePools"], serde_json::json!(["added", "keep"]));
    // The removed job's series are marked stale: gone from instant queries, still in the range.
    eventually(10, "staleness of the removed job", || query(vigil.addr, "up{job=\"remove\"}").is_empty().then_some(()));
    let range = api(vigil.addr, &format!("/api/v1/query?query={}", encode("count_over_time(up{job=\"remove\"}[1m])")));
    assert!(range["data"]["result"][0]["value"][1].as_str().is_some_and(|v| v != "0"), "history kept: {range}");
    // The unchanged target kept running: its scrape clock did not restart and it never went down.
    let after = scraped_target(vigil.addr, "keep");
    assert_eq!(after["health"], "up");
    assert_ne!(before["lastScrape"], Value::Null);
    let ups = api(vigil.addr, &format!("/api/v1/query?query={}", encode("min_over_time(up{job=\"keep\"}[1m])")));
    assert_eq!(ups["data"]["result"][0]["value"][1], "1", "{ups}");

    // SIGHUP reloads too.
    std::fs::write(&cfg, format!("{head}{}", job("keep", "/a"))).expect("write config");
    let _ = Command::new("kill").arg("-HUP").arg(vigil.child.id().to_string()).status();
    eventually(10, "SIGHUP reload", || (targets(vigil.addr).len() == 1).then_some(()));
}

#[test]
fn file_sd_targets_appear_change_and_vanish() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixture = FixtureServer::start();
    fixture.set("/metrics", "text/plain", "svc_metric 7\n");
    let sd = tmp.path().join("targets.json");
    std::fs::write(&sd, format!(r#"[{{"targets":["{}"],"labels":{{"env":"prod"}}}}]"#, fixture.addr)).expect("sd");
    let cfg = tmp.path().join("prometheus.yml");
    std::fs::write(
        &cfg,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sd\n    file_sd_configs:\n      - files: ['{}']\n        refresh_interval: 1s\n",
            tmp.path().join("*.json").display()
        ),
    )
    .expect("write config");
    let vigil = Vigil::start(&tmp.path().join("vigil"), &[&format!("--config.file={}", cfg.display())]);
    let t = scraped_target(vigil.addr, "sd");
    assert_eq!(t["labels"]["env"], "prod");
    assert_eq!(t["discoveredLabels"]["__meta_filepath"], sd.display().to_string());
    let v = eventually(10, "svc_metric", || query(vigil.addr, "svc_metric{env=\"prod\"}").first().map(|(_, v)| *v));
    assert_eq!(v, 7.0);

    // A label change is a new target: the old series go stale, the new ones appear.
    std::fs::write(&sd, format!(r#"[{{"targets":["{}"],"labels":{{"env":"staging"}}}}]"#, fixture.addr)).expect("sd");
    eventually(15, "relabelled target", || {
        (!query(vigil.addr, "svc_metric{env=\"staging\"}").is_empty()).then_some(())
    });
    eventually(10, "staleness of the old target", || {
        query(vigil.addr, "svc_metric{env=\"prod\"}").is_empty().then_some(())
    });

    // A broken file keeps the last good targets.
    std::fs::write(&sd, "[{").expect("sd");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(targets(vigil.addr).len(), 1);

    // An empty list removes the target and marks its series stale.
    std::fs::write(&sd, "[]").expect("sd");
    eventually(15, "target removal", || targets(vigil.addr).is_empty().then_some(()));
    eventually(10, "staleness after removal", || query(vigil.addr, "up{job=\"sd\"}").is_empty().then_some(()));
}

#[test]
fn fresh_vigil_without_config_shows_its_host_and_itself() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let vigil = Vigil::spawn_exact(&tmp.path().join("vigil"), &[]);
    vigil.wait_ready(Duration::from_secs(30));
    // The embedded default scrapes every 15s with a per-target offset.
    let node = eventually(40, "host metrics", || {
        let mem = query(vigil.addr, "node_memory_MemTotal_bytes{job=\"node\"}");
        (!mem.is_empty()).then_some(mem)
    });
    assert!(node[0].1 > 0.0);
    for q in [
        "node_cpu_seconds_total",
        "node_load1",
        "node_filesystem_size_bytes",
        "node_network_receive_bytes_total",
        "node_disk_read_bytes_total",
    ] {
        let r = query(vigil.addr, q);
        // Containers may lack block devices; everything else exists on any Linux host.
        assert!(!r.is_empty() || q == "node_disk_read_bytes_total", "{q} missing");
    }
    let own = eventually(40, "self metrics", || {
        let r = query(vigil.addr, "process_resident_memory_bytes{job=\"vigil\"}");
        (!r.is_empty()).then_some(r)
    });
    assert!(own[0].1 > 1e6, "RSS {own:?}");
    let up = query(vigil.addr, "up");
    assert_eq!(up.len(), 2, "{up:?}");
    assert!(up.iter().all(|(_, v)| *v == 1.0), "{up:?}");
}

#[test]
fn englog_blackbox_recipe_probes_through_the_built_in_prober() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = tmp.path().join("prometheus.yml");
    std::fs::write(&cfg, "").expect("write config");
    let vigil = Vigil::start(&tmp.path().join("vigil"), &[&format!("--config.file={}", cfg.display())]);
    let me = vigil.addr;
    // The seed's job with its replacement pointed at Vigil itself, loaded by a SIGHUP reload.
    std::fs::write(
        &cfg,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: \"blackbox\"\n    metrics_path: /probe\n    params:\n      module: [http_2xx]\n    static_configs:\n      - targets:\n          - http://{me}/-/healthy\n          - http://{me}/no-such-page\n    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n      - target_label: __address__\n        replacement: {me}\n"
        ),
    )
    .expect("write config");
    let _ = Command::new("kill").arg("-HUP").arg(vigil.child.id().to_string()).status();
    let ok = eventually(20, "probe results", || {
        let r = query(vigil.addr, "probe_success");
        (r.len() == 2).then_some(r)
    });
    let by_instance: BTreeMap<String, f64> = ok.into_iter().map(|(l, v)| (l["instance"].clone(), v)).collect();
    assert_eq!(by_instance.get(&format!("http://{me}/-/healthy")), Some(&1.0), "{by_instance:?}");
    assert_eq!(by_instance.get(&format!("http://{me}/no-such-page")), Some(&0.0), "{by_instance:?}");
    let code = query(vigil.addr, "probe_http_status_code");
    assert!(code.iter().any(|(_, v)| *v == 404.0), "{code:?}");
    let phases = query(vigil.addr, "probe_http_duration_seconds");
    let names: BTreeSet<String> = phases.iter().map(|(l, _)| l["phase"].clone()).collect();
    assert_eq!(names, ["connect", "processing", "resolve", "tls", "transfer"].iter().map(|s| s.to_string()).collect());
}

#[test]
fn seed_prometheus_configs_load_and_show_unreachable_targets_as_down() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/seeds");
    let englog = seeds.join("englog.prometheus.yml");
    if !englog.exists() {
        eprintln!("SKIPPED seed_prometheus_configs_load…: {} not present", englog.display());
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    // `vigil check config` accepts both seeds and names a broken file's line.
    let out = Command::new(common::vigil_bin())
        .args(["check", "config"])
        .arg(&englog)
        .arg(seeds.join("syncup.prometheus.yml"))
        .output()
        .expect("vigil check config");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.matches("SUCCESS").count(), 2, "{text}");
    // rule_files and alerting take effect now; the seeds' rule globs match nothing next to
    // the fixtures, which Prometheus accepts too.
    assert!(!text.contains("section rule_files ignored"), "rule_files is no longer ignored: {text}");
    let broken = tmp.path().join("broken.yml");
    std::fs::write(&broken, "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n")
        .expect("write");
    let out = Command::new(common::vigil_bin()).args(["check", "config"]).arg(&broken).output().expect("check");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        text.contains(&format!("{}:4: scrape timeout 10s greater than scrape interval 5s", broken.display())),
        "{text}"
    );

    // Served unchanged: every englog target is down (no such hosts here) with the reason.
    let vigil = Vigil::start(&tmp.path().join("vigil"), &[&format!("--config.file={}", englog.display())]);
    let all = eventually(40, "every englog target scraped once", || {
        let t = targets(vigil.addr);
        (t.len() == 9 && t.iter().all(|t| t["health"] != "unknown")).then_some(t)
    });
    for t in &all {
        assert_eq!(t["health"], "down", "{t}");
        assert!(!t["lastError"].as_str().unwrap_or_default().is_empty(), "{t}");
    }
    let bb: Vec<_> = all.iter().filter(|t| t["scrapePool"] == "blackbox").collect();
    assert_eq!(bb[0]["labels"]["instance"], "https://api.englog.com/health");
    assert!(bb[0]["scrapeUrl"].as_str().unwrap_or_default().starts_with("http://blackbox-exporter:9115/probe?"));
    let up = query(vigil.addr, "up");
    assert_eq!(up.len(), 9);
    assert!(up.iter().all(|(_, v)| *v == 0.0));
}
