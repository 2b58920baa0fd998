//! Delivery semantics: retries on 5xx and network errors with backoff, none on 4xx, timeouts,
//! `send_resolved`, parallel integrations, and Alertmanager's metrics.

mod common;

use std::time::{Duration, Instant};

use common::{CaptureServer, build, build_with, fast_options, firing_group, metric, receiver, resolved_group};
use receivers::{AttemptError, NotifyError, Templates};

fn webhook(url: &str) -> alerting::config::Receiver {
    receiver(&format!("    webhook_configs:\n      - url: {url}\n"))
}

#[tokio::test]
async fn retries_500_then_succeeds() {
    let server = CaptureServer::start(&[500, 503], 200, Duration::ZERO).await;
    let (integrations, registry) = build(&webhook(&server.url("/")));
    let results = integrations.notify(&firing_group()).await;
    assert!(results[0].1.is_ok(), "{:?}", results[0].1);
    let got = server.captured();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].body, got[2].body, "every attempt sends the same message");
    let l = r#"{integration="webhook"}"#;
    assert_eq!(metric(&registry, &format!("alertmanager_notifications_total{l}")), 1.0);
    assert_eq!(metric(&registry, &format!("alertmanager_notifications_failed_total{l}")), 0.0);
    assert_eq!(metric(&registry, &format!("alertmanager_notification_requests_total{l}")), 3.0);
    assert_eq!(metric(&registry, &format!("alertmanager_notification_requests_failed_total{l}")), 2.0);
    assert_eq!(metric(&registry, &format!("alertmanager_notification_latency_seconds_count{l}")), 3.0);
    // Every integration Alertmanager knows has its series from the start.
    assert_eq!(metric(&registry, r#"alertmanager_notifications_total{integration="opsgenie"}"#), 0.0);
}

#[tokio::test]
async fn does_not_retry_4xx() {
    let server = CaptureServer::start(&[], 400, Duration::ZERO).await;
    let (integrations, registry) = build(&webhook(&server.url("/")));
    let results = integrations.notify(&firing_group()).await;
    let err = results[0].1.as_ref().unwrap_err();
    assert!(matches!(err, NotifyError::Unrecoverable { attempts: 1, .. }), "{err:?}");
    assert!(matches!(err.cause(), AttemptError::Status { status: 400, retry: false, .. }));
    assert_eq!(
        err.to_string(),
        "notify retry canceled due to unrecoverable error after 1 attempts: unexpected status code 400: answer 400"
    );
    assert_eq!(server.captured().len(), 1);
    assert_eq!(metric(&registry, r#"alertmanager_notifications_failed_total{integration="webhook"}"#), 1.0);
    // 429 is only retried where the service documents it (PagerDuty), as in Alertmanager.
    let server = CaptureServer::start(&[], 429, Duration::ZERO).await;
    let (integrations, _) = build(&webhook(&server.url("/")));
    assert!(integrations.notify(&firing_group()).await[0].1.is_err());
    assert_eq!(server.captured().len(), 1);
}

#[tokio::test]
async fn slow_endpoints_time_out_within_the_budget() {
    let server = CaptureServer::start(&[], 200, Duration::from_secs(3)).await;
    let options = receivers::DeliveryOptions {
        attempt_timeout: Duration::from_millis(200),
        total_timeout: Duration::from_millis(700),
        ..fast_options()
    };
    let (integrations, _) = build_with(&webhook(&server.url("/")), Templates::builtin(), options);
    let start = Instant::now();
    let results = integrations.notify(&firing_group()).await;
    let elapsed = start.elapsed();
    let err = results[0].1.as_ref().unwrap_err();
    assert!(matches!(err, NotifyError::GaveUp { .. }), "{err:?}");
    assert!(matches!(err.cause(), AttemptError::Timeout(_)), "{err:?}");
    assert!(err.attempts() >= 2, "{err}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn network_errors_are_retried_until_the_deadline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let (integrations, _) = build(&webhook(&url));
    let results = integrations.notify_within(&firing_group(), Duration::from_millis(300)).await;
    let err = results[0].1.as_ref().unwrap_err();
    assert!(matches!(err.cause(), AttemptError::Transport(_)), "{err:?}");
    assert!(err.attempts() >= 2, "{err}");
    assert!(err.to_string().starts_with("notify retry canceled after"), "{err}");
    assert!(!err.to_string().contains(&url), "URLs may hold secrets: {err}");
}

#[tokio::test]
async fn send_resolved_false_skips_resolved_alerts() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let r =
        receiver(&format!("    webhook_configs:\n      - url: {}\n        send_resolved: false\n", server.url("/")));
    let (integrations, registry) = build(&r);
    assert!(integrations.notify(&resolved_group()).await[0].1.is_ok());
    assert!(server.captured().is_empty());
    // Alertmanager counts the notification although nothing was sent.
    assert_eq!(metric(&registry, r#"alertmanager_notifications_total{integration="webhook"}"#), 1.0);
    let mut mixed = firing_group();
    mixed.alerts[1].status = receivers::Status::Resolved;
    mixed.alerts[1].ends_at_ms = Some(common::T0 + 1000);
    integrations.notify(&mixed).await;
    let body = server.captured()[0].json();
    assert_eq!(body["alerts"].as_array().unwrap().len(), 1, "only the firing alert is sent");
    assert_eq!(body["commonLabels"]["instance"], "api-1:8080");
}

#[tokio::test]
async fn integrations_are_notified_in_parallel_and_individually() {
    let slow = CaptureServer::start(&[], 200, Duration::from_millis(400)).await;
    let fast = CaptureServer::start(&[], 500, Duration::ZERO).await;
    let r = receiver(&format!(
        "    webhook_configs:\n      - url: {}\n      - url: {}\n",
        slow.url("/slow"),
        fast.url("/fast")
    ));
    let options = receivers::DeliveryOptions { total_timeout: Duration::from_millis(600), ..fast_options() };
    let (integrations, _) = build_with(&r, Templates::builtin(), options);
    let start = Instant::now();
    let results = integrations.notify(&firing_group()).await;
    assert!(start.elapsed() < Duration::from_millis(1100), "{:?}", start.elapsed());
    let names: Vec<String> = results.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(names, ["webhook[0]", "webhook[1]"]);
    assert!(results[0].1.is_ok());
    assert!(results[1].1.is_err());
    assert!(fast.captured().len() >= 2, "the failing one was retried meanwhile");

    let ids = integrations.ids();
    let one = integrations.notify_integration(ids[0], &firing_group(), Duration::from_secs(2)).await;
    assert!(matches!(one, Some(Ok(()))));
    assert_eq!(slow.captured().len(), 2);
}

#[tokio::test]
async fn template_errors_are_not_retried() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let r = receiver(&format!(
        "    slack_configs:\n      - api_url: {}\n        send_resolved: true\n        title: '{{{{ .Oops }}'\n",
        server.url("/slack")
    ));
    let (integrations, _) = build(&r);
    let results = integrations.notify(&firing_group()).await;
    let err = results[0].1.as_ref().unwrap_err();
    assert!(matches!(err, NotifyError::Unrecoverable { attempts: 1, .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("cannot render title: error parsing template slack[0].title: template: slack[0].title:1:"),
        "{text}"
    );
    assert!(server.captured().is_empty());
}
