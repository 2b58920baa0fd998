//! The Prometheus HTTP API as clients see it: `promtool query …` against Vigil, and the
//! JSON shapes and status codes of Vigil's answers compared with a live Prometheus 2.42
//! given the same data and the same requests.

mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::Value as Json;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as i64
}

/// Writes `node_load1` for two instances and a counter, one sample per 15 s over 10 min.
fn write_data(addr: SocketAddr, end: i64) {
    let times: Vec<i64> = (0..40).map(|i| end - (39 - i) * 15_000).collect();
    let series: Vec<BorrowedSeries<'_>> = vec![
        (
            vec![("__name__", "node_load1"), ("instance", "a:9100"), ("job", "node")],
            times.iter().map(|t| (*t, 0.5)).collect(),
        ),
        (
            vec![("__name__", "node_load1"), ("instance", "b:9100"), ("job", "node")],
            times.iter().map(|t| (*t, 1.25)).collect(),
        ),
        (
            vec![("__name__", "http_requests_total"), ("code", "200"), ("job", "api")],
            times.iter().enumerate().map(|(i, t)| (*t, 10.0 * i as f64)).collect(),
        ),
    ];
    let r = write_v1(addr, &series);
    assert_eq!(r.status / 100, 2, "write failed: {}", r.text());
}

fn promtool(args: &[&str]) -> (bool, String) {
    let out = Command::new("promtool").args(args).output().expect("run promtool");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn promtool_queries_vigil() {
    if !require_peer("promtool", "promtool_queries_vigil") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = Vigil::start(&tmp.path().join("vigil"), &[]);
    let end = now_ms() - 1_000;
    write_data(v.addr, end);
    let url = format!("http://{}", v.addr);

    let (ok, out) = promtool(&["query", "instant", &url, "sum by (job) (node_load1)"]);
    assert!(ok, "promtool query instant failed: {out}");
    assert!(out.contains("{job=\"node\"} => 1.75"), "unexpected output: {out}");

    let start = ((end - 300_000) / 1000).to_string();
    let stop = (end / 1000).to_string();
    let (ok, out) = promtool(&[
        "query",
        "range",
        &format!("--start={start}"),
        &format!("--end={stop}"),
        "--step=1m",
        &url,
        "rate(http_requests_total[2m])",
    ]);
    assert!(ok, "promtool query range failed: {out}");
    // 10 per 15 s is 0.666… per second; every one of the 6 steps reports it.
    assert_eq!(out.matches("0.6666666666666666 @[").count(), 6, "unexpected output: {out}");

    let (ok, out) = promtool(&["query", "series", "--match=node_load1", &url]);
    assert!(ok, "promtool query series failed: {out}");
    assert!(out.contains("instance=\"a:9100\"") && out.contains("instance=\"b:9100\""), "unexpected output: {out}");

    let (ok, out) = promtool(&["query", "labels", &url, "job"]);
    assert!(ok, "promtool query labels failed: {out}");
    let values: Vec<&str> = out.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(values, vec!["api", "node"], "unexpected output: {out}");

    let (ok, out) = promtool(&["query", "instant", &url, "sum(node_load1[5m])"]);
    assert!(!ok, "a type error must fail: {out}");
    assert!(out.contains("sum() expects an instant vector, got a range vector"), "unexpected output: {out}");
    eprintln!("promtool instant, range, series, labels and an error case checked against Vigil");
    v.stop();
}

/// The JSON's shape: objects by key, arrays by their first element, scalars by type.
fn shape(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(_) => "bool".into(),
        Json::Number(_) => "number".into(),
        Json::String(_) => "string".into(),
        Json::Array(a) => format!("[{}]", a.first().map(shape).unwrap_or_default()),
        Json::Object(m) => {
            let mut keys: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{}", shape(v))).collect();
            keys.sort();
            format!("{{{}}}", keys.join(","))
        }
    }
}

#[test]
fn api_shapes_match_prometheus() {
    if !require_peer("prometheus", "api_shapes_match_prometheus") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = Vigil::start(&tmp.path().join("vigil"), &[]);
    let (mut prom, prom_addr) = start_prometheus(tmp.path());
    let end = now_ms() - 1_000;
    write_data(v.addr, end);
    write_data(prom_addr, end);
    let t = end as f64 / 1000.0;
    let s = t - 300.0;
    let requests = [
        format!("/api/v1/query?query=node_load1&time={t}"),
        format!("/api/v1/query?query=sum(node_load1)&time={t}"),
        format!("/api/v1/query?query=scalar(sum(node_load1))&time={t}"),
        format!("/api/v1/query?query=%22text%22&time={t}"),
        format!("/api/v1/query?query=node_load1%5B1m%5D&time={t}"),
        format!("/api/v1/query_range?query=rate(http_requests_total%5B2m%5D)&start={s}&end={t}&step=60"),
        format!("/api/v1/query_range?query=time()&start={s}&end={t}&step=60"),
        format!("/api/v1/query?query=sum(node_load1%5B5m%5D)&time={t}"),
        "/api/v1/query?query=node_load1&time=yesterday".to_string(),
        "/api/v1/query?query=rate(".to_string(),
        format!("/api/v1/query_range?query=up&start={t}&end={s}&step=60"),
        format!("/api/v1/query_range?query=up&start={s}&end={t}&step=0"),
        format!("/api/v1/query_range?query=up&start=0&end={t}&step=1"),
        "/api/v1/query_range?query=up&start=x&end=1&step=1".to_string(),
        "/api/v1/series?match%5B%5D=node_load1".to_string(),
        "/api/v1/series".to_string(),
        "/api/v1/series?match%5B%5D=%7B".to_string(),
        "/api/v1/labels".to_string(),
        "/api/v1/labels?match%5B%5D=http_requests_total".to_string(),
        "/api/v1/label/job/values".to_string(),
        "/api/v1/label/instance/values?match%5B%5D=node_load1".to_string(),
        "/api/v1/status/buildinfo".to_string(),
        "/api/v1/status/config".to_string(),
        "/api/v1/status/tsdb".to_string(),
        "/api/v1/query_exemplars?query=node_load1".to_string(),
    ];
    let mut diffs = Vec::new();
    for path in &requests {
        let (p, w) = (get(prom_addr, path).expect("prometheus"), get(v.addr, path).expect("vigil"));
        let pj: Json = serde_json::from_slice(&p.body).unwrap_or(Json::Null);
        let wj: Json = serde_json::from_slice(&w.body).unwrap_or(Json::Null);
        if p.status != w.status {
            diffs.push(format!("{path}: status {} (Prometheus) vs {} (Vigil): {}", p.status, w.status, w.text()));
        }
        if shape(&pj) != shape(&wj) {
            diffs.push(format!("{path}: shape\n  Prometheus {}\n  Vigil      {}", shape(&pj), shape(&wj)));
        }
        if pj.get("errorType") != wj.get("errorType") {
            diffs.push(format!("{path}: errorType {:?} vs {:?}", pj.get("errorType"), wj.get("errorType")));
        }
        if pj["data"]["resultType"] != wj["data"]["resultType"] {
            diffs.push(format!("{path}: resultType {} vs {}", pj["data"]["resultType"], wj["data"]["resultType"]));
        }
    }
    let _ = prom.kill();
    let _ = prom.wait();
    v.stop();
    eprintln!("compared {} requests with Prometheus: {} differences", requests.len(), diffs.len());
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn snapshot_and_parse_query() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let v = Vigil::start(&data, &["--web.enable-admin-api"]);
    let end = now_ms() - 1_000;
    write_data(v.addr, end);
    let r = request(v.addr, "POST", "/api/v1/admin/tsdb/snapshot", &[], &[]).expect("snapshot");
    assert_eq!(r.status, 200, "{}", r.text());
    let body: Json = serde_json::from_slice(&r.body).expect("json");
    let name = body["data"]["name"].as_str().expect("snapshot name").to_string();
    let snap = data.join("snapshots").join(&name);
    assert!(snap.is_dir(), "{} missing", snap.display());
    // The snapshot is a data directory of its own holding everything written.
    let rows = dump(&snap, "node_load1");
    assert_eq!(rows.len(), 80, "2 series × 40 samples expected in the snapshot");

    let r = get(v.addr, "/api/v1/parse_query?query=sum%20by%20(job)%20(rate(x%5B5m%5D))").expect("parse_query");
    assert_eq!(r.status, 200, "{}", r.text());
    let tree: Json = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(tree["data"]["type"], "aggregation", "{tree}");
    assert_eq!(tree["data"]["grouping"], serde_json::json!(["job"]), "{tree}");
    v.stop();

    let v = Vigil::start(&tmp.path().join("plain"), &[]);
    let r = request(v.addr, "POST", "/api/v1/admin/tsdb/snapshot", &[], &[]).expect("snapshot");
    assert_eq!(r.status, 503, "admin endpoints need --web.enable-admin-api: {}", r.text());
    v.stop();
}

#[test]
fn delete_series_and_clean_tombstones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = Vigil::start(&tmp.path().join("data"), &["--web.enable-admin-api"]);
    let end = now_ms() - 1_000;
    write_data(v.addr, end);
    let t = end as f64 / 1000.0;
    let count = |v: &Vigil| -> usize {
        let r = get(v.addr, &format!("/api/v1/query?query=count_over_time(node_load1%5B15m%5D)&time={t}")).expect("q");
        let j: Json = serde_json::from_slice(&r.body).expect("json");
        j["data"]["result"].as_array().map_or(0, |a| {
            a.iter().filter_map(|s| s["value"][1].as_str()).map(|x| x.parse::<f64>().unwrap_or(0.0) as usize).sum()
        })
    };
    assert_eq!(count(&v), 80);
    // Delete instance a's last five minutes (20 samples).
    let path = format!(
        "/api/v1/admin/tsdb/delete_series?match%5B%5D=node_load1%7Binstance%3D%22a:9100%22%7D&start={}&end={t}",
        t - 299.0
    );
    let r = request(v.addr, "POST", &path, &[], &[]).expect("delete");
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(count(&v), 60);
    let r = request(v.addr, "POST", "/api/v1/admin/tsdb/clean_tombstones", &[], &[]).expect("clean");
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(count(&v), 60);
    let r = request(v.addr, "POST", "/api/v1/admin/tsdb/delete_series", &[], &[]).expect("delete without match");
    assert_eq!(r.status, 400, "{}", r.text());
    v.stop();
}
