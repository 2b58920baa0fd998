//! The webhook integration against a capture server: Alertmanager's JSON byte for byte,
//! headers, `max_alerts`, credentials, `url_file`.

mod common;

use std::time::Duration;

use common::{CaptureServer, build, firing_group, receiver, resolved_group};

/// Alertmanager 0.25's body for `firing_group()`: template data fields in order, then the
/// protocol fields; maps sorted; `&` escaped as Go does; zero `endsAt`; trailing newline.
const FIRING_BODY: &str = concat!(
    r#"{"receiver":"team-api","status":"firing","alerts":["#,
    r#"{"status":"firing","labels":{"alertname":"HighLatency","instance":"api-1:8080","service":"api","severity":"critical"},"#,
    r#""annotations":{"runbook":"https://runbooks/latency","summary":"Latency is high"},"#,
    r#""startsAt":"2023-01-01T12:00:00Z","endsAt":"0001-01-01T00:00:00Z","#,
    r#""generatorURL":"http://prometheus:9090/graph?g0.expr=latency\u0026instance=api-1:8080","fingerprint":"00000000b60b60b0"},"#,
    r#"{"status":"firing","labels":{"alertname":"HighLatency","instance":"api-2:8080","service":"api","severity":"critical"},"#,
    r#""annotations":{"runbook":"https://runbooks/latency","summary":"Latency is high"},"#,
    r#""startsAt":"2023-01-01T12:00:00Z","endsAt":"0001-01-01T00:00:00Z","#,
    r#""generatorURL":"http://prometheus:9090/graph?g0.expr=latency\u0026instance=api-2:8080","fingerprint":"00000000b60b60b0"}],"#,
    r#""groupLabels":{"alertname":"HighLatency"},"#,
    r#""commonLabels":{"alertname":"HighLatency","service":"api","severity":"critical"},"#,
    r#""commonAnnotations":{"runbook":"https://runbooks/latency","summary":"Latency is high"},"#,
    r#""externalURL":"http://vigil:9093","version":"4","groupKey":"{}:{alertname=\"HighLatency\"}","truncatedAlerts":0}"#,
    "\n"
);

fn webhook(url: &str, extra: &str) -> alerting::config::Receiver {
    receiver(&format!("    webhook_configs:\n      - url: {url}\n{extra}"))
}

#[tokio::test]
async fn posts_alertmanagers_json_exactly() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let (integrations, _) = build(&webhook(&server.url("/hook"), ""));
    let results = integrations.notify(&firing_group()).await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].0.to_string(), "webhook[0]");
    assert!(results[0].1.is_ok(), "{:?}", results[0].1);
    let got = server.captured();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/hook");
    assert_eq!(got[0].body, FIRING_BODY);
    assert_eq!(got[0].header("content-type"), "application/json");
    assert_eq!(got[0].header("user-agent"), "Alertmanager/0.25.0");
    assert_eq!(got[0].header("authorization"), "");
}

#[tokio::test]
async fn resolved_alerts_carry_their_end() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let (integrations, _) = build(&webhook(&server.url("/"), ""));
    integrations.notify(&resolved_group()).await;
    let body = server.captured()[0].json();
    assert_eq!(body["status"], "resolved");
    assert_eq!(body["alerts"][0]["status"], "resolved");
    assert_eq!(body["alerts"][0]["endsAt"], "2023-01-01T12:05:00Z");
}

#[tokio::test]
async fn max_alerts_truncates_and_counts() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let (integrations, _) = build(&webhook(&server.url("/"), "        max_alerts: 1\n"));
    integrations.notify(&firing_group()).await;
    let body = server.captured()[0].json();
    assert_eq!(body["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(body["truncatedAlerts"], 1);
    // As in Alertmanager, the data is computed from the alerts sent.
    assert_eq!(body["commonLabels"]["instance"], "api-1:8080");
}

#[tokio::test]
async fn basic_auth_and_bearer_credentials() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let basic =
        "        http_config:\n          basic_auth:\n            username: alice\n            password: s3cret\n";
    let (integrations, _) = build(&webhook(&server.url("/"), basic));
    integrations.notify(&firing_group()).await;
    // base64("alice:s3cret")
    assert_eq!(server.captured()[0].header("authorization"), "Basic YWxpY2U6czNjcmV0");

    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok-123\n").unwrap();
    let bearer = format!(
        "        http_config:\n          authorization:\n            credentials_file: {}\n",
        token_file.display()
    );
    let (integrations, _) = build(&webhook(&server.url("/"), &bearer));
    integrations.notify(&firing_group()).await;
    assert_eq!(server.captured()[1].header("authorization"), "Bearer tok-123");

    let legacy = "        http_config:\n          bearer_token: legacy\n";
    let (integrations, _) = build(&webhook(&server.url("/"), legacy));
    integrations.notify(&firing_group()).await;
    assert_eq!(server.captured()[2].header("authorization"), "Bearer legacy");
}

#[tokio::test]
async fn url_file_is_read_at_send_time() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("url");
    std::fs::write(&file, format!("{}\n", server.url("/from-file"))).unwrap();
    let r = receiver(&format!("    webhook_configs:\n      - url_file: {}\n", file.display()));
    let (integrations, _) = build(&r);
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    assert_eq!(server.captured()[0].path, "/from-file");
}
