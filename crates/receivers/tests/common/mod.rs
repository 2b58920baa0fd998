//! Shared test fixtures: notification data, and a capture server that records every HTTP
//! request and answers with scripted statuses.

#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use receivers::{AlertData, NotificationData, Status};

/// 2023-01-01T12:00:00Z in Unix ms.
pub const T0: i64 = 1_672_574_400_000;

pub fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub fn alert(status: Status, instance: &str) -> AlertData {
    AlertData {
        status,
        labels: labels(&[
            ("alertname", "HighLatency"),
            ("service", "api"),
            ("severity", "critical"),
            ("instance", instance),
        ]),
        annotations: labels(&[("summary", "Latency is high"), ("runbook", "https://runbooks/latency")]),
        starts_at_ms: T0,
        ends_at_ms: if status == Status::Resolved { Some(T0 + 300_000) } else { None },
        generator_url: format!("http://prometheus:9090/graph?g0.expr=latency&instance={instance}"),
        fingerprint: format!("{:016x}", instance.len() as u64 * 0x1234_5678),
    }
}

/// Two firing alerts of the group `{alertname="HighLatency"}` for receiver `team-api`.
pub fn firing_group() -> NotificationData {
    NotificationData {
        receiver: "team-api".into(),
        group_key: "{}:{alertname=\"HighLatency\"}".into(),
        group_labels: labels(&[("alertname", "HighLatency")]),
        alerts: vec![alert(Status::Firing, "api-1:8080"), alert(Status::Firing, "api-2:8080")],
        external_url: "http://vigil:9093".into(),
    }
}

/// The same group, all resolved.
pub fn resolved_group() -> NotificationData {
    let mut d = firing_group();
    for a in &mut d.alerts {
        a.status = Status::Resolved;
        a.ends_at_ms = Some(T0 + 300_000);
    }
    d
}

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Captured {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Captured {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A local HTTP server recording requests; each answer is the next scripted status
/// (then `default_status`), after `delay`.
#[derive(Clone)]
pub struct CaptureServer {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Captured>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl CaptureServer {
    pub async fn start(script: &[u16], default_status: u16, delay: Duration) -> CaptureServer {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let (req2, script2) = (requests.clone(), script.clone());
        let handler = move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let (requests, script) = (req2.clone(), script2.clone());
            async move {
                requests.lock().unwrap().push(Captured {
                    path: uri.path().to_string(),
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let status = script.lock().unwrap().pop_front().unwrap_or(default_status);
                tokio::time::sleep(delay).await;
                (StatusCode::from_u16(status).unwrap(), format!("answer {status}"))
            }
        };
        let app = axum::Router::new().fallback(handler);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        CaptureServer { addr, requests, script }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn captured(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
}

/// The receiver `team-api` of an alertmanager.yml whose receiver entry continues with `body`
/// (indented by four spaces), loaded with the `alerting` crate so global defaults apply.
pub fn receiver(body: &str) -> alerting::config::Receiver {
    let yaml = format!("route:\n  receiver: team-api\nreceivers:\n  - name: team-api\n{body}");
    let cfg = alerting::load_str(&yaml, "test.yml").unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    cfg.receivers.into_iter().find(|r| r.name == "team-api").unwrap()
}

/// Short waits so retry tests run in milliseconds.
pub fn fast_options() -> receivers::DeliveryOptions {
    receivers::DeliveryOptions {
        total_timeout: Duration::from_secs(5),
        attempt_timeout: Duration::from_secs(2),
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..receivers::DeliveryOptions::default()
    }
}

/// The receiver's integrations with the default templates, fast retries and a fresh registry.
pub fn build(r: &alerting::config::Receiver) -> (receivers::Integrations, telemetry::Registry) {
    build_with(r, receivers::Templates::builtin(), fast_options())
}

pub fn build_with(
    r: &alerting::config::Receiver,
    templates: receivers::Templates,
    options: receivers::DeliveryOptions,
) -> (receivers::Integrations, telemetry::Registry) {
    let registry = telemetry::Registry::new();
    let metrics = receivers::NotifyMetrics::new(&registry);
    let integrations = receivers::Integrations::new(r, Arc::new(templates), metrics, options).unwrap();
    (integrations, registry)
}

/// The value of one sample in the registry's exposition text.
pub fn metric(registry: &telemetry::Registry, series: &str) -> f64 {
    let text = registry.render();
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .unwrap()
}
