//! The PagerDuty integration against a capture server: Events API v2 trigger then resolve
//! with one dedup key, templated payload fields, rate-limit retries, and the v1 API.

mod common;

use std::time::Duration;

use common::{CaptureServer, build, build_with, fast_options, firing_group, receiver, resolved_group};
use receivers::Templates;
use receivers::encoding::sha256_hex;

#[tokio::test]
async fn trigger_then_resolve_with_the_same_dedup_key() {
    let server = CaptureServer::start(&[], 202, Duration::ZERO).await;
    let r = receiver(&format!(
        "    pagerduty_configs:\n      - routing_key: R0UT1NG\n        url: {}\n",
        server.url("/v2/enqueue")
    ));
    let (integrations, _) = build(&r);
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    assert!(integrations.notify(&resolved_group()).await[0].1.is_ok());
    let got = server.captured();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].path, "/v2/enqueue");
    assert_eq!(got[0].header("content-type"), "application/json");
    let key = sha256_hex("{}:{alertname=\"HighLatency\"}");
    let instances = |status: &str| {
        ["api-1:8080", "api-2:8080"]
            .iter()
            .map(|i| {
                format!(
                    "Labels:\\n - alertname = HighLatency\\n - instance = {i}\\n - service = api\\n - severity = critical\\n\
                     Annotations:\\n - runbook = https://runbooks/latency\\n - summary = Latency is high\\n\
                     Source: http://prometheus:9090/graph?g0.expr=latency\\u0026instance={i}\\n{status}"
                )
            })
            .collect::<String>()
    };
    let trigger = format!(
        concat!(
            r#"{{"routing_key":"R0UT1NG","dedup_key":"{key}","event_action":"trigger","#,
            r#""payload":{{"summary":"[FIRING:2] HighLatency (api critical)","source":"Alertmanager","severity":"error","#,
            r#""custom_details":{{"firing":"{firing}","num_firing":"2","num_resolved":"0","resolved":""}}}},"#,
            r#""client":"Alertmanager","client_url":"http://vigil:9093/#/alerts?receiver=team-api"}}"#,
            "\n"
        ),
        key = key,
        firing = instances(""),
    );
    assert_eq!(got[0].body, trigger);
    let resolve = got[1].json();
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(resolve["dedup_key"], key.as_str());
    assert_eq!(resolve["payload"]["summary"], "[RESOLVED] HighLatency (api critical)");
    assert_eq!(resolve["payload"]["custom_details"]["num_resolved"], "2");
}

#[tokio::test]
async fn templated_payload_fields_images_and_links() {
    let server = CaptureServer::start(&[], 202, Duration::ZERO).await;
    let yaml = format!(
        r#"    pagerduty_configs:
      - routing_key: key
        url: {}
        severity: '{{{{ .CommonLabels.severity }}}}'
        class: latency
        component: '{{{{ .CommonLabels.service }}}}'
        group: backend
        source: prometheus-eu
        description: '{{{{ .CommonAnnotations.summary }}}} ({{{{ len .Alerts }}}})'
        details:
          firing: custom
          team: api
        images:
          - src: 'https://grafana/{{{{ .CommonLabels.service }}}}.png'
            alt: graph
          - src: ''
        links:
          - href: '{{{{ .CommonAnnotations.runbook }}}}'
            text: Runbook
"#,
        server.url("/")
    );
    let (integrations, _) = build(&receiver(&yaml));
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    let body = server.captured()[0].json();
    let p = &body["payload"];
    assert_eq!(p["summary"], "Latency is high (2)");
    assert_eq!(p["severity"], "critical");
    assert_eq!(p["source"], "prometheus-eu");
    assert_eq!(
        (p["class"].as_str(), p["component"].as_str(), p["group"].as_str()),
        (Some("latency"), Some("api"), Some("backend"))
    );
    assert_eq!(p["custom_details"]["firing"], "custom");
    assert_eq!(p["custom_details"]["team"], "api");
    assert_eq!(p["custom_details"]["num_firing"], "2");
    assert_eq!(body["images"], serde_json::json!([{"src": "https://grafana/api.png", "alt": "graph", "href": ""}]));
    assert_eq!(body["links"], serde_json::json!([{"href": "https://runbooks/latency", "text": "Runbook"}]));
}

#[tokio::test]
async fn long_summaries_are_cut() {
    let server = CaptureServer::start(&[], 202, Duration::ZERO).await;
    let yaml = format!(
        "    pagerduty_configs:\n      - routing_key: key\n        url: {}\n        description: '{}'\n",
        server.url("/"),
        "ab".repeat(600)
    );
    let (integrations, _) = build(&receiver(&yaml));
    integrations.notify(&firing_group()).await;
    let summary = server.captured()[0].json()["payload"]["summary"].as_str().unwrap().to_string();
    assert_eq!(summary.chars().count(), 1024);
    assert!(summary.ends_with('…'));
}

#[tokio::test]
async fn rate_limits_are_retried_and_bad_requests_explained() {
    let server = CaptureServer::start(&[429], 202, Duration::ZERO).await;
    let r = receiver(&format!("    pagerduty_configs:\n      - routing_key: key\n        url: {}\n", server.url("/")));
    let (integrations, _) = build(&r);
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    assert_eq!(server.captured().len(), 2);

    let bad = CaptureServer::start(&[], 400, Duration::ZERO).await;
    let r = receiver(&format!("    pagerduty_configs:\n      - routing_key: key\n        url: {}\n", bad.url("/")));
    let (integrations, _) = build(&r);
    let err = integrations.notify(&firing_group()).await.remove(0).1.unwrap_err();
    assert_eq!(bad.captured().len(), 1);
    assert!(err.to_string().contains("unexpected status code 400"), "{err}");
}

#[tokio::test]
async fn v1_service_keys_use_the_v1_api() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let r = receiver("    pagerduty_configs:\n      - service_key: SERV1CE\n");
    let options = receivers::DeliveryOptions {
        pagerduty_v1_url: server.url("/generic/2010-04-15/create_event.json"),
        ..fast_options()
    };
    let (integrations, _) = build_with(&r, Templates::builtin(), options);
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    assert!(integrations.notify(&resolved_group()).await[0].1.is_ok());
    let got = server.captured();
    assert_eq!(got[0].path, "/generic/2010-04-15/create_event.json");
    let trigger = got[0].json();
    let key = sha256_hex("{}:{alertname=\"HighLatency\"}");
    assert_eq!(trigger["service_key"], "SERV1CE");
    assert_eq!(trigger["incident_key"], key.as_str());
    assert_eq!(trigger["event_type"], "trigger");
    assert_eq!(trigger["description"], "[FIRING:2] HighLatency (api critical)");
    assert_eq!(trigger["client"], "Alertmanager");
    assert_eq!(trigger["payload"], serde_json::Value::Null);
    assert_eq!(trigger["details"]["num_firing"], "2");
    let resolve = got[1].json();
    assert_eq!(resolve["event_type"], "resolve");
    assert!(resolve.get("client").is_none(), "v1 resolve events carry no client");
}

#[tokio::test]
async fn routing_key_files_are_read_at_send_time() {
    let server = CaptureServer::start(&[], 202, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key");
    std::fs::write(&file, "from-file\n").unwrap();
    let r = receiver(&format!(
        "    pagerduty_configs:\n      - routing_key_file: {}\n        url: {}\n",
        file.display(),
        server.url("/")
    ));
    let (integrations, _) = build(&r);
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    assert_eq!(server.captured()[0].json()["routing_key"], "from-file");
}
