//! End-to-end delivery against local capture servers standing in for Alertmanagers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use notifier::{Alert, AlertSink, AlertingConfig, Notifier, NotifierConfig, Options};

/// One request an Alertmanager stand-in received.
#[derive(Debug, Clone)]
struct Captured {
    path: String,
    content_type: Option<String>,
    authorization: Option<String>,
    body: Vec<u8>,
}

impl Captured {
    fn alerts(&self) -> Vec<Alert> {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone)]
struct Stand {
    status: StatusCode,
    delay: Duration,
    seen: Arc<Mutex<Vec<Captured>>>,
}

async fn handle(State(s): State<Stand>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(String::from);
    s.seen.lock().unwrap().push(Captured {
        path: uri.path().to_string(),
        content_type: h("content-type"),
        authorization: h("authorization"),
        body: body.to_vec(),
    });
    tokio::time::sleep(s.delay).await;
    s.status
}

/// Starts a stand-in Alertmanager answering every request with `status` after `delay`.
async fn stand_in(status: StatusCode, delay: Duration) -> (SocketAddr, Arc<Mutex<Vec<Captured>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().fallback(handle).with_state(Stand { status, delay, seen: seen.clone() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, seen)
}

fn config(yaml: &str, external: &[(&str, &str)]) -> NotifierConfig {
    let a: AlertingConfig = serde_saphyr::from_str(yaml).unwrap();
    let ext: BTreeMap<String, String> = external.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    NotifierConfig::resolve(&a, &ext).unwrap()
}

fn alert(name: &str, severity: &str) -> Alert {
    Alert {
        annotations: [("summary".to_string(), format!("{name} is firing"))].into(),
        ends_at: 1_796_205_840_000,
        starts_at: 1_796_205_600_123,
        generator_url: "http://vigil:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1".into(),
        labels: [("alertname".to_string(), name.to_string()), ("severity".to_string(), severity.to_string())].into(),
    }
}

/// Reads one sample from the rendered registry.
fn metric(registry: &telemetry::Registry, series: &str) -> f64 {
    let text = registry.render();
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(f64::NAN, |v| v.parse().unwrap())
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Alert>>);

impl AlertSink for Recorder {
    fn deliver(&self, alerts: &[Alert]) {
        self.0.lock().unwrap().extend_from_slice(alerts);
    }
}

#[tokio::test]
async fn posts_prometheus_json_with_auth_and_survives_a_failing_alertmanager() {
    let (ok, ok_seen) = stand_in(StatusCode::OK, Duration::ZERO).await;
    let (bad, bad_seen) = stand_in(StatusCode::INTERNAL_SERVER_ERROR, Duration::ZERO).await;
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    let sink = Arc::new(Recorder::default());
    n.add_sink(sink.clone());
    n.apply_config(config(
        &format!(
            "alert_relabel_configs:\n  - source_labels: [severity]\n    regex: debug\n    action: drop\nalertmanagers:\n  - basic_auth:\n      username: vigil\n      password: s3cret\n    static_configs:\n      - targets: ['{ok}', '{bad}']\n"
        ),
        &[("env", "prod"), ("severity", "ignored-when-present")],
    ))
    .unwrap();
    let ok_url = format!("http://{ok}/api/v2/alerts");
    let bad_url = format!("http://{bad}/api/v2/alerts");
    assert_eq!(n.alertmanagers(), [ok_url.clone(), bad_url.clone()]);

    n.send(vec![alert("HostDown", "page"), alert("Noise", "debug"), alert("DiskFull", "ticket")]);
    wait_for("both Alertmanagers", || ok_seen.lock().unwrap().len() == 1 && bad_seen.lock().unwrap().len() == 1).await;
    wait_for("metrics", || {
        metric(&registry, &format!("vigil_notifications_errors_total{{alertmanager=\"{bad_url}\"}}")) == 2.0
    })
    .await;

    let got = ok_seen.lock().unwrap()[0].clone();
    assert_eq!(got.path, "/api/v2/alerts");
    assert_eq!(got.content_type.as_deref(), Some("application/json"));
    assert_eq!(got.authorization.as_deref(), Some("Basic dmlnaWw6czNjcmV0"));
    let want = concat!(
        r#"[{"annotations":{"summary":"HostDown is firing"},"endsAt":"2026-12-02T10:04:00.000Z","startsAt":"2026-12-02T10:00:00.123Z","generatorURL":"http://vigil:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1","labels":{"alertname":"HostDown","env":"prod","severity":"page"}},"#,
        r#"{"annotations":{"summary":"DiskFull is firing"},"endsAt":"2026-12-02T10:04:00.000Z","startsAt":"2026-12-02T10:00:00.123Z","generatorURL":"http://vigil:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1","labels":{"alertname":"DiskFull","env":"prod","severity":"ticket"}}]"#
    );
    assert_eq!(String::from_utf8(got.body.clone()).unwrap(), want);
    assert_eq!(bad_seen.lock().unwrap()[0].body, got.body, "both Alertmanagers get the same body");
    assert_eq!(*sink.0.lock().unwrap(), got.alerts(), "the sink gets exactly what the Alertmanagers get");

    assert_eq!(metric(&registry, &format!("vigil_notifications_sent_total{{alertmanager=\"{ok_url}\"}}")), 2.0);
    assert_eq!(metric(&registry, &format!("vigil_notifications_errors_total{{alertmanager=\"{ok_url}\"}}")), 0.0);
    assert_eq!(metric(&registry, &format!("vigil_notifications_sent_total{{alertmanager=\"{bad_url}\"}}")), 0.0);
    assert_eq!(metric(&registry, "vigil_notifications_dropped_total"), 0.0, "one Alertmanager took the batch");
    assert_eq!(
        metric(&registry, &format!("vigil_notifications_latency_seconds_count{{alertmanager=\"{ok_url}\"}}")),
        1.0
    );
    assert_eq!(metric(&registry, "vigil_notifications_alertmanagers_discovered"), 2.0);
    assert_eq!(metric(&registry, "vigil_notifications_queue_capacity"), 10_000.0);
    assert_eq!(metric(&registry, "vigil_notifications_queue_length"), 0.0);
    n.stop().await;
}

#[tokio::test]
async fn batches_hold_at_most_64_alerts() {
    let (am, seen) = stand_in(StatusCode::OK, Duration::ZERO).await;
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    n.apply_config(config(&format!("alertmanagers:\n  - static_configs:\n      - targets: ['{am}']\n"), &[])).unwrap();
    n.send((0..150).map(|i| alert(&format!("A{i}"), "page")).collect());
    wait_for("three requests", || seen.lock().unwrap().len() == 3).await;
    let reqs = seen.lock().unwrap().clone();
    let sizes: Vec<usize> = reqs.iter().map(|r| r.alerts().len()).collect();
    assert_eq!(sizes, [64, 64, 22]);
    let names: Vec<String> = reqs.iter().flat_map(|r| r.alerts()).map(|a| a.name().to_string()).collect();
    let want: Vec<String> = (0..150).map(|i| format!("A{i}")).collect();
    assert_eq!(names, want, "alerts leave in the order they were sent");
    n.stop().await;
}

#[tokio::test]
async fn a_full_queue_drops_the_oldest_and_counts_them() {
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options { queue_capacity: 5, ..Options::default() }, &registry).unwrap();
    // A sink but no Alertmanager: batches leave the queue without being counted as dropped.
    n.add_sink(Arc::new(Recorder::default()));
    n.send((0..12).map(|i| alert(&format!("A{i}"), "page")).collect());
    assert_eq!(metric(&registry, "vigil_notifications_dropped_total"), 7.0);
    assert_eq!(metric(&registry, "vigil_notifications_queue_capacity"), 5.0);
    wait_for("queue emptied", || n.queue_len() == 0).await;
    assert_eq!(metric(&registry, "vigil_notifications_dropped_total"), 7.0);

    // Without any receiver, a batch nobody took is dropped, as in Prometheus 2.42.
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    n.send(vec![alert("A", "page"), alert("B", "page")]);
    wait_for("dropped", || metric(&registry, "vigil_notifications_dropped_total") == 2.0).await;
}

#[tokio::test]
async fn overflow_while_an_alertmanager_is_slow_keeps_the_newest() {
    let (am, seen) = stand_in(StatusCode::OK, Duration::from_millis(300)).await;
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options { queue_capacity: 3, max_batch_size: 2, ..Options::default() }, &registry).unwrap();
    n.apply_config(config(&format!("alertmanagers:\n  - static_configs:\n      - targets: ['{am}']\n"), &[])).unwrap();
    n.send(vec![alert("A0", "page"), alert("A1", "page")]);
    wait_for("first batch in flight", || seen.lock().unwrap().len() == 1).await;
    for i in 2..7 {
        n.send(vec![alert(&format!("A{i}"), "page")]);
    }
    assert_eq!(metric(&registry, "vigil_notifications_dropped_total"), 2.0);
    wait_for("rest delivered", || seen.lock().unwrap().len() == 3).await;
    let names: Vec<String> =
        seen.lock().unwrap().iter().flat_map(|r| r.alerts()).map(|a| a.name().to_string()).collect();
    assert_eq!(names, ["A0", "A1", "A4", "A5", "A6"]);
    n.stop().await;
}

#[tokio::test]
async fn reload_switches_alertmanagers_without_losing_queued_alerts() {
    let (slow, slow_seen) = stand_in(StatusCode::OK, Duration::from_millis(300)).await;
    let (next, next_seen) = stand_in(StatusCode::OK, Duration::ZERO).await;
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    n.apply_config(config(&format!("alertmanagers:\n  - static_configs:\n      - targets: ['{slow}']\n"), &[]))
        .unwrap();
    n.send(vec![alert("First", "page")]);
    wait_for("first batch in flight", || slow_seen.lock().unwrap().len() == 1).await;
    n.send((0..10).map(|i| alert(&format!("Q{i}"), "page")).collect());
    assert_eq!(n.queue_len(), 10);
    n.apply_config(config(&format!("alertmanagers:\n  - static_configs:\n      - targets: ['{next}']\n"), &[]))
        .unwrap();
    assert_eq!(n.alertmanagers(), [format!("http://{next}/api/v2/alerts")]);
    wait_for("queued alerts at the new Alertmanager", || next_seen.lock().unwrap().len() == 1).await;
    assert_eq!(next_seen.lock().unwrap()[0].alerts().len(), 10);
    assert_eq!(slow_seen.lock().unwrap().len(), 1);
    assert_eq!(metric(&registry, "vigil_notifications_dropped_total"), 0.0);
    n.stop().await;
}

#[tokio::test]
async fn stop_drains_the_queue() {
    let (am, seen) = stand_in(StatusCode::OK, Duration::from_millis(20)).await;
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    n.apply_config(config(&format!("alertmanagers:\n  - static_configs:\n      - targets: ['{am}']\n"), &[])).unwrap();
    n.send((0..200).map(|i| alert(&format!("A{i}"), "page")).collect());
    n.stop().await;
    let total: usize = seen.lock().unwrap().iter().map(|r| r.alerts().len()).sum();
    assert_eq!(total, 200);
    assert_eq!(n.queue_len(), 0);
    // After stopping only the sinks hear of new alerts.
    n.send(vec![alert("Late", "page")]);
    assert_eq!(n.queue_len(), 0);
}

#[tokio::test]
async fn stop_gives_up_after_the_drain_timeout() {
    let (am, _seen) = stand_in(StatusCode::OK, Duration::from_secs(5)).await;
    let registry = telemetry::Registry::new();
    let n =
        Notifier::new(Options { drain_timeout: Duration::from_millis(200), ..Options::default() }, &registry).unwrap();
    n.apply_config(config(&format!("alertmanagers:\n  - static_configs:\n      - targets: ['{am}']\n"), &[])).unwrap();
    n.send((0..100).map(|i| alert(&format!("A{i}"), "page")).collect());
    let started = std::time::Instant::now();
    n.stop().await;
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(n.queue_len(), 0);
    assert_eq!(metric(&registry, "vigil_notifications_dropped_total"), 36.0, "the batch in flight is not counted");
}

#[tokio::test]
async fn a_slow_alertmanager_times_out_as_an_error() {
    let (am, _seen) = stand_in(StatusCode::OK, Duration::from_secs(5)).await;
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    n.apply_config(config(
        &format!("alertmanagers:\n  - timeout: 100ms\n    static_configs:\n      - targets: ['{am}']\n"),
        &[],
    ))
    .unwrap();
    n.send(vec![alert("A", "page")]);
    let url = format!("http://{am}/api/v2/alerts");
    wait_for("error", || {
        metric(&registry, &format!("vigil_notifications_errors_total{{alertmanager=\"{url}\"}}")) == 1.0
    })
    .await;
    wait_for("dropped", || metric(&registry, "vigil_notifications_dropped_total") == 1.0).await;
}

#[tokio::test]
async fn per_set_alert_relabelling_and_bearer_tokens() {
    let (a, a_seen) = stand_in(StatusCode::OK, Duration::ZERO).await;
    let (b, b_seen) = stand_in(StatusCode::OK, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "from-file\n").unwrap();
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    n.apply_config(config(
        &format!(
            "alertmanagers:\n  - bearer_token_file: {}\n    static_configs:\n      - targets: ['{a}']\n  - authorization:\n      credentials: inline\n    alert_relabel_configs:\n      - source_labels: [severity]\n        regex: page\n        action: keep\n    static_configs:\n      - targets: ['{b}']\n",
            token.display()
        ),
        &[],
    ))
    .unwrap();
    n.send(vec![alert("P", "page"), alert("T", "ticket")]);
    wait_for("both sets", || a_seen.lock().unwrap().len() == 1 && b_seen.lock().unwrap().len() == 1).await;
    let a_req = a_seen.lock().unwrap()[0].clone();
    let b_req = b_seen.lock().unwrap()[0].clone();
    assert_eq!(a_req.authorization.as_deref(), Some("Bearer from-file"));
    assert_eq!(b_req.authorization.as_deref(), Some("Bearer inline"));
    assert_eq!(a_req.alerts().len(), 2);
    let b_names: Vec<String> = b_req.alerts().iter().map(|x| x.name().to_string()).collect();
    assert_eq!(b_names, ["P"]);
    let url = format!("http://{b}/api/v2/alerts");
    wait_for("count", || {
        metric(&registry, &format!("vigil_notifications_sent_total{{alertmanager=\"{url}\"}}")) == 1.0
    })
    .await;
    n.stop().await;
}

#[tokio::test]
async fn status_lists_active_and_dropped_and_follows_file_sd() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("am.json");
    std::fs::write(&file, r#"[{"targets":["am1:9093"]}]"#).unwrap();
    let registry = telemetry::Registry::new();
    let n = Notifier::new(Options::default(), &registry).unwrap();
    n.apply_config(config(
        &format!(
            "alertmanagers:\n  - static_configs:\n      - targets: ['keep:9093', 'drop:9093']\n    file_sd_configs:\n      - files: ['{}']\n    relabel_configs:\n      - source_labels: [__address__]\n        regex: 'drop:.*'\n        action: drop\n",
            file.display()
        ),
        &[],
    ))
    .unwrap();
    let json = serde_json::to_string(&n.status()).unwrap();
    assert_eq!(
        json,
        r#"{"activeAlertmanagers":[{"url":"http://keep:9093/api/v2/alerts"},{"url":"http://am1:9093/api/v2/alerts"}],"droppedAlertmanagers":[{"url":"http://drop:9093/api/v2/alerts"}]}"#
    );
    // A longer file: FileSd notices the size change even within one mtime tick.
    std::fs::write(&file, r#"[{"targets":["am1:9093","am2:9093"]}]"#).unwrap();
    n.refresh_discovery();
    assert_eq!(
        n.alertmanagers(),
        ["http://keep:9093/api/v2/alerts", "http://am1:9093/api/v2/alerts", "http://am2:9093/api/v2/alerts"]
    );
    assert_eq!(metric(&registry, "vigil_notifications_alertmanagers_discovered"), 3.0);
}

#[test]
fn needs_a_runtime() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Notifier>();
    let e = Notifier::new(Options::default(), &telemetry::Registry::new()).err().unwrap();
    assert!(e.to_string().contains("Tokio runtime"), "{e}");
}
