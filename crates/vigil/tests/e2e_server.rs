//! End-to-end: the real binary on a loopback port, written to with remote-write, read back with
//! `vigil tsdb dump` while running and after restarts.

mod common;

use common::*;

type OwnedSeries = (Vec<(&'static str, String)>, Vec<(i64, f64)>);

fn series(job: &str, n: usize, t0: i64) -> Vec<OwnedSeries> {
    (0..n)
        .map(|i| {
            let labels =
                vec![("__name__", "e2e_metric".to_string()), ("i", format!("{i:03}")), ("job", job.to_string())];
            let samples = (0..10).map(|k| (t0 + k * 15_000, (i * 100 + k as usize) as f64)).collect();
            (labels, samples)
        })
        .collect()
}

fn send(v: &Vigil, data: &[OwnedSeries]) -> Response {
    let borrowed: Vec<BorrowedSeries<'_>> =
        data.iter().map(|(l, s)| (l.iter().map(|(k, v)| (*k, v.as_str())).collect(), s.clone())).collect();
    write_v1(v.addr, &borrowed)
}

#[test]
fn health_ready_and_self_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let v = Vigil::start(&tmp.path().join("data"), &[]);
    let h = get(v.addr, "/-/healthy").unwrap();
    assert_eq!(h.status, 200);
    assert_eq!(get(v.addr, "/-/ready").unwrap().status, 200);
    let m = get(v.addr, "/metrics").unwrap();
    assert_eq!(m.status, 200);
    let text = m.text();
    assert!(text.contains("# TYPE vigil_tsdb_head_series gauge"), "{text}");
    assert!(metric_value(&text, "process_resident_memory_bytes").is_some_and(|v| v > 0.0), "{text}");
    // Unknown API paths are 404; the UI's pages are 200; other paths are 404 with the UI's page
    // (its router says "not found").
    assert_eq!(get(v.addr, "/api/v1/nope").unwrap().status, 404);
    assert_eq!(get(v.addr, "/explore").unwrap().status, 200);
    let page = get(v.addr, "/nope").unwrap();
    assert_eq!(page.status, 404);
    assert!(page.text().contains("<div id=\"root\">"), "{}", page.text());
    assert!(v.stop().success());
}

#[test]
fn write_read_restart_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let t0 = 1_700_000_000_000;
    let v = Vigil::start(&dir, &[]);
    let resp = send(&v, &series("a", 50, t0));
    assert_eq!(resp.status, 204, "{}", resp.text());
    assert_eq!(resp.header("X-Prometheus-Remote-Write-Samples-Written"), Some("500"));
    // Read back while the server is running (read-only access to a live directory).
    let rows = dump(&dir, r#"e2e_metric{job="a"}"#);
    assert_eq!(rows.len(), 500);
    assert!(rows.contains(&(r#"e2e_metric{i="007", job="a"}"#.to_string(), 703.0, t0 + 3 * 15_000)));
    assert_eq!(v.metric("vigil_tsdb_head_series"), Some(50.0));
    assert!(v.stop().success());

    // Restart: the WAL is replayed and more data appends after it.
    let v = Vigil::start(&dir, &[]);
    assert_eq!(v.metric("vigil_tsdb_head_series"), Some(50.0));
    let resp = send(&v, &series("a", 50, t0 + 150_000));
    assert_eq!(resp.status, 204, "{}", resp.text());
    v.kill9();
    let rows = dump(&dir, r#"e2e_metric{i="001"}"#);
    let ts: Vec<i64> = rows.iter().map(|r| r.2).collect();
    assert_eq!(ts.len(), 20);
    assert!(ts.windows(2).all(|w| w[0] < w[1]), "{ts:?}");
}

#[test]
fn bad_requests_get_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v = Vigil::start(&dir, &["--web.max-request-bytes=4KB"]);
    // Not snappy.
    let r = post_body(v.addr, remote_write::CONTENT_TYPE_V1, b"definitely not snappy");
    assert_eq!(r.status, 400);
    assert!(r.text().to_lowercase().contains("snappy"), "{}", r.text());
    assert_eq!(r.header("X-Prometheus-Remote-Write-Samples-Written"), Some("0"));
    // Unsupported protobuf message.
    let r = post_body(v.addr, "application/x-protobuf;proto=io.example.Nope", b"");
    assert_eq!(r.status, 415, "{}", r.text());
    // Too large.
    let r = post_body(v.addr, remote_write::CONTENT_TYPE_V1, &vec![0u8; 8192]);
    assert_eq!(r.status, 413, "{}", r.text());
    // Unsorted labels are named.
    let r = write_v1(v.addr, &[(vec![("__name__", "m"), ("z", "1"), ("a", "2")], vec![(1000, 1.0)])]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("sorted"), "{}", r.text());
    // Empty metric name.
    let r = write_v1(v.addr, &[(vec![("job", "x")], vec![(1000, 1.0)])]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("metric name"), "{}", r.text());
    // Out of order: the valid part is stored, the rest reported and counted.
    let ok = write_v1(v.addr, &[(vec![("__name__", "m")], vec![(2000, 1.0)])]);
    assert_eq!(ok.status, 204, "{}", ok.text());
    let r = write_v1(v.addr, &[(vec![("__name__", "m")], vec![(1000, 5.0), (3000, 2.0)])]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("out of order"), "{}", r.text());
    assert_eq!(v.metric(r#"vigil_tsdb_samples_rejected_total{reason="out_of_order"}"#), Some(1.0));
    // Same timestamp, different value.
    let r = write_v1(v.addr, &[(vec![("__name__", "m")], vec![(3000, 9.0)])]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("duplicate"), "{}", r.text());
    // Same timestamp, same value: an idempotent retry.
    let r = write_v1(v.addr, &[(vec![("__name__", "m")], vec![(3000, 2.0)])]);
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(v.stop().success());
    let rows = dump(&dir, "m");
    assert_eq!(rows.iter().map(|r| (r.2, r.1)).collect::<Vec<_>>(), vec![(2000, 1.0), (3000, 2.0)]);
}

#[test]
fn remote_write_v2_with_utf8_names_and_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v = Vigil::start(&dir, &[]);
    let req = remote_write::build_v2(&[(
        vec![("__name__".into(), "http.server.duration".into()), ("service.name".into(), "checkout".into())],
        vec![(5000, 0.25), (6000, f64::from_bits(0x7ff0_0000_0000_0002))],
    )]);
    let r = post_body(v.addr, remote_write::CONTENT_TYPE_V2, &remote_write::encode_v2(&req));
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(r.header("X-Prometheus-Remote-Write-Samples-Written"), Some("2"));
    let rows = dump(&dir, r#"{"http.server.duration"}"#);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, r#"{"http.server.duration", "service.name"="checkout"}"#);
    assert!(rows[1].1.is_nan());
    assert!(v.stop().success());
}

#[test]
fn out_of_order_window_accepts_late_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v = Vigil::start(&dir, &["--storage.out-of-order-window=10m"]);
    assert_eq!(write_v1(v.addr, &[(vec![("__name__", "late")], vec![(600_000, 1.0)])]).status, 204);
    assert_eq!(write_v1(v.addr, &[(vec![("__name__", "late")], vec![(300_000, 2.0)])]).status, 204);
    let r = write_v1(v.addr, &[(vec![("__name__", "late")], vec![(-1_000_000, 3.0)])]);
    assert_eq!(r.status, 400, "{}", r.text());
    v.kill9();
    let rows = dump(&dir, "late");
    assert_eq!(rows.iter().map(|r| r.2).collect::<Vec<_>>(), vec![300_000, 600_000]);
}

#[test]
fn compaction_and_retention_on_a_running_server() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    // One-minute blocks, maintenance every 200 ms, 10 minutes of retention.
    let v = Vigil::start(
        &dir,
        &[
            "--storage.tsdb.min-block-duration=1m",
            "--storage.maintenance-interval=200ms",
            "--storage.retention.time=10m",
            "--web.enable-admin-api",
        ],
    );
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let start = now - 20 * 60_000;
    for minute in 0..20 {
        let samples: Vec<(i64, f64)> =
            (0..4).map(|k| (start + minute * 60_000 + k * 15_000, (minute * 4 + k) as f64)).collect();
        let r = write_v1(v.addr, &[(vec![("__name__", "ret"), ("job", "x")], samples)]);
        assert_eq!(r.status, 204, "{}", r.text());
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while v.metric("vigil_tsdb_retention_blocks_deleted_total").unwrap_or(0.0) < 1.0 {
        assert!(std::time::Instant::now() < deadline, "no retention happened; log:\n{}", v.log_text());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(v.metric("vigil_tsdb_blocks_written_total").unwrap_or(0.0) >= 1.0);
    let r = request(v.addr, "POST", "/api/v1/admin/tsdb/flush", &[], b"").unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    v.stop();
    let rows = dump(&dir, "ret");
    let oldest = rows.iter().map(|r| r.2).min().unwrap();
    assert!(oldest >= now - 12 * 60_000, "data older than retention survived: {oldest} vs now {now}");
    assert!(rows.iter().any(|r| r.2 == start + 19 * 60_000 + 45_000), "newest sample lost");
}

#[test]
fn config_file_with_sections_not_implemented_starts_and_broken_yaml_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("prometheus.yml");
    std::fs::write(&cfg, "global:\n  scrape_interval: 15s\nremote_read: []\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['localhost:9100']\n").unwrap();
    let v = Vigil::start(&tmp.path().join("data"), &[&format!("--config.file={}", cfg.display())]);
    assert!(v.log_text().contains("remote_read"), "expected a warning naming the ignored section:\n{}", v.log_text());
    v.stop();
    std::fs::write(&cfg, "global:\n  scrape_interval: [15s\n").unwrap();
    let out = std::process::Command::new(vigil_bin())
        .args(["serve", "--web.listen-address=127.0.0.1:0", &format!("--config.file={}", cfg.display())])
        .arg(format!("--storage.path={}", tmp.path().join("d2").display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("prometheus.yml"), "{err}");
}

#[test]
fn second_server_on_same_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v = Vigil::start(&dir, &[]);
    let out = std::process::Command::new(vigil_bin())
        .args([
            "serve",
            &format!("--web.listen-address=127.0.0.1:{}", free_port()),
            &format!("--storage.path={}", dir.display()),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"), "{}", String::from_utf8_lossy(&out.stderr));
    v.stop();
}

#[test]
fn series_dropped_from_the_head_are_recreated_on_the_next_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v = Vigil::start(&dir, &["--web.enable-admin-api"]);
    let one = |t: i64| write_v1(v.addr, &[(vec![("__name__", "again"), ("k", "v")], vec![(t, t as f64)])]);
    assert_eq!(one(1000).status, 204);
    assert_eq!(one(2000).status, 204); // served from the receiver's series-id cache
    // Flushing persists and drops every head series; the cached id is now stale.
    let r = request(v.addr, "POST", "/api/v1/admin/tsdb/flush", &[], b"").unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(v.metric("vigil_tsdb_head_series"), Some(0.0));
    let r = one(3000);
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(v.metric("vigil_tsdb_head_series"), Some(1.0));
    v.stop();
    let rows = dump(&dir, "again");
    assert_eq!(rows.iter().map(|r| r.2).collect::<Vec<_>>(), vec![1000, 2000, 3000]);
}

#[test]
fn tsdb_analyze_reports_cardinality() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let v = Vigil::start(&dir, &[]);
    assert_eq!(send(&v, &series("a", 30, 1_700_000_000_000)).status, 204);
    let out = std::process::Command::new(vigil_bin())
        .args(["tsdb", "analyze", &format!("--storage.path={}", dir.display()), "--limit=3"])
        .output()
        .unwrap();
    v.stop();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Series: 30"), "{text}");
    assert!(text.contains("30 e2e_metric"), "{text}");
    assert!(text.contains("30 i"), "label name i has 30 values: {text}");
    // A missing directory is a clear error, not an empty report.
    let out = std::process::Command::new(vigil_bin())
        .args(["tsdb", "analyze", "--storage.path=/nonexistent/vigil"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}
