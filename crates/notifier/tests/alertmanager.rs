//! Against a real Alertmanager (Debian's prometheus-alertmanager 0.25): alerts sent through the
//! notifier come back from its `GET /api/v2/alerts` with the same labels, annotations and times.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notifier::{Alert, AlertingConfig, Notifier, NotifierConfig, Options};

const BINARY: &str = "/usr/bin/prometheus-alertmanager";

/// Kills the Alertmanager when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn client() -> httpclient::HttpClient {
    httpclient::HttpClient::new(&Default::default(), Default::default()).unwrap()
}

async fn get(c: &httpclient::HttpClient, url: &str) -> Option<(u16, String)> {
    let r = c.get(url, Default::default()).await.ok()?;
    let status = r.status.as_u16();
    let body = r.bytes_limited(0).await.ok()?;
    Some((status, String::from_utf8_lossy(&body).into_owned()))
}

fn start(dir: &Path, port: u16) -> Running {
    let config = dir.join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:1/\n",
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("alertmanager.log")).unwrap();
    let child = Command::new(BINARY)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--config.file={}", config.display()))
        .arg("--cluster.listen-address=")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    Running(child)
}

#[tokio::test]
async fn alerts_reach_a_real_alertmanager() {
    if !Path::new(BINARY).exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{BINARY} is required in CI");
        }
        eprintln!("SKIPPED: prometheus-alertmanager not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _am = start(dir.path(), port);
    let base = format!("http://127.0.0.1:{port}");
    let http = client();
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&http, &format!("{base}/-/ready")).await.is_none_or(|(s, _)| s != 200) {
        assert!(
            Instant::now() < deadline,
            "Alertmanager did not become ready: {}",
            std::fs::read_to_string(dir.path().join("alertmanager.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    let alerting: AlertingConfig = serde_saphyr::from_str(&format!(
        "alertmanagers:\n  - static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
    ))
    .unwrap();
    let external: BTreeMap<String, String> = [("cluster".to_string(), "test".to_string())].into();
    n.apply_config(NotifierConfig::resolve(&alerting, &external).unwrap()).unwrap();

    let now = now_ms();
    let make = |name: &str, severity: &str| Alert {
        annotations: [("summary".to_string(), format!("{name} fired"))].into(),
        ends_at: now + 3_600_000,
        starts_at: now - 60_123,
        generator_url: "http://vigil.test:9090/graph?g0.expr=up&g0.tab=1".into(),
        labels: [("alertname".to_string(), name.to_string()), ("severity".to_string(), severity.to_string())].into(),
    };
    n.send(vec![make("VigilTestOne", "page"), make("VigilTestTwo", "ticket")]);

    let mut got: Vec<Alert> = Vec::new();
    while got.len() < 2 {
        assert!(Instant::now() < deadline, "Alertmanager did not list both alerts: {got:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some((200, body)) = get(&http, &format!("{base}/api/v2/alerts")).await {
            got = serde_json::from_str(&body).unwrap();
        }
    }
    got.sort_by(|a, b| a.name().cmp(b.name()));
    for (alert, (name, severity)) in got.iter().zip([("VigilTestOne", "page"), ("VigilTestTwo", "ticket")]) {
        let want: BTreeMap<String, String> = [("alertname", name), ("cluster", "test"), ("severity", severity)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(alert.labels, want);
        assert_eq!(alert.annotations.get("summary").map(String::as_str), Some(format!("{name} fired").as_str()));
        assert_eq!(alert.starts_at, now - 60_123);
        assert_eq!(alert.ends_at, now + 3_600_000);
        assert_eq!(alert.generator_url, "http://vigil.test:9090/graph?g0.expr=up&g0.tab=1");
    }
    let url = format!("{base}/api/v2/alerts");
    let sent = registry.render();
    assert!(sent.contains(&format!("vigil_notifications_sent_total{{alertmanager=\"{url}\"}} 2")), "{sent}");
    n.stop().await;
}
