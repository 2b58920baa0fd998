//! A real Prometheus (Debian's 2.42) scrapes itself and remote-writes into Vigil; Vigil must
//! accept everything: `prometheus_remote_storage_samples_failed_total` stays 0 and the series
//! are readable from Vigil.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

#[test]
fn prometheus_remote_writes_with_zero_failures() {
    if !require_peer("prometheus", "prometheus_remote_writes_with_zero_failures") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vigil");
    let v = Vigil::start(&dir, &[]);
    let prom_port = free_port();
    let cfg = tmp.path().join("prometheus.yml");
    std::fs::write(
        &cfg,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{prom_port}']\n  - job_name: vigil\n    static_configs:\n      - targets: ['{}']\nremote_write:\n  - url: http://{}/api/v1/write\n    queue_config:\n      batch_send_deadline: 1s\n    metadata_config:\n      send_interval: 2s\n",
            v.addr, v.addr
        ),
    )
    .unwrap();
    let log = std::fs::File::create(tmp.path().join("prometheus.log")).unwrap();
    let mut prom = Command::new("prometheus")
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", tmp.path().join("prom").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start prometheus");
    let prom_addr = format!("127.0.0.1:{prom_port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut sent = 0.0;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        let Ok(r) = get(prom_addr, "/metrics") else { continue };
        let text = r.text();
        sent = text
            .lines()
            .filter(|l| l.starts_with("prometheus_remote_storage_samples_total{"))
            .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
            .sum();
        if sent > 2000.0 {
            break;
        }
    }
    let text = get(prom_addr, "/metrics").map(|r| r.text()).unwrap_or_default();
    let _ = prom.kill();
    let _ = prom.wait();
    assert!(
        sent > 2000.0,
        "Prometheus sent only {sent} samples; its log:\n{}",
        std::fs::read_to_string(tmp.path().join("prometheus.log")).unwrap_or_default()
    );
    let failed: f64 = text
        .lines()
        .filter(|l| l.starts_with("prometheus_remote_storage_samples_failed_total{"))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .sum();
    assert_eq!(failed, 0.0, "Prometheus reports failed remote-write samples");
    assert!(text.contains("prometheus_remote_storage_samples_failed_total{"), "metric missing from Prometheus");
    let appended = v.metric("vigil_tsdb_head_samples_appended_total").unwrap_or(0.0);
    assert!(appended >= 1000.0, "Vigil stored only {appended} samples");
    assert_eq!(v.metric(r#"vigil_remote_write_requests_total{code="400"}"#), Some(0.0));
    v.stop();
    let rows = dump(&dir, r#"up{job="prometheus"}"#);
    assert!(!rows.is_empty(), "up{{job=\"prometheus\"}} not stored");
    assert!(rows.iter().all(|r| r.1 == 1.0));
}
