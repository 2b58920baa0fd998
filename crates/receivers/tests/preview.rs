//! Template previews: every field of every integration rendered without sending, secrets
//! masked, errors naming the integration, field, template and position; and the
//! `alerting::Notify` bridge.

mod common;

use std::sync::Arc;
use std::time::Duration;

use alerting::notify::Notify;
use common::{CaptureServer, fast_options, firing_group, receiver, resolved_group};
use receivers::{Notifier, NotifyMetrics, Templates, render_preview};

const RECEIVER: &str = r#"    slack_configs:
      - api_url: http://127.0.0.1:1/never-called
        title: '{{ template "slack.default.title" . }}'
        fields:
          - title: Instances
            value: '{{ range .Alerts }}{{ .Labels.instance }} {{ end }}'
    pagerduty_configs:
      - routing_key: very-secret
        url: http://127.0.0.1:1/never-called
    email_configs:
      - to: ops@example.com
        from: alerts@example.com
        smarthost: 127.0.0.1:1
    webhook_configs:
      - url: http://127.0.0.1:1/never-called
"#;

#[test]
fn renders_every_field_without_sending() {
    let r = receiver(RECEIVER);
    let preview = render_preview(&r, &Templates::builtin(), &firing_group()).unwrap();
    let names: Vec<&str> = preview.integrations.iter().map(|i| i.integration.as_str()).collect();
    assert_eq!(names, ["email[0]", "pagerduty[0]", "slack[0]", "webhook[0]"]);
    let slack = &preview.integrations[2];
    let field = |name: &str| slack.fields.iter().find(|f| f.field == name).and_then(|f| f.value.clone()).unwrap();
    assert_eq!(field("title"), "[FIRING:2] HighLatency (api critical)");
    assert_eq!(field("fields[0].value"), "api-1:8080 api-2:8080 ");
    assert_eq!(field("username"), "Alertmanager");
    let body: serde_json::Value = serde_json::from_str(slack.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["attachments"][0]["fields"][0]["title"], "Instances");

    let pd = &preview.integrations[1];
    let body = pd.body.as_deref().unwrap();
    assert!(body.contains(r#""routing_key":"(secret)""#) && !body.contains("very-secret"), "{body}");

    let email = &preview.integrations[0];
    let subject = email.fields.iter().find(|f| f.field == "headers.Subject").unwrap();
    assert_eq!(subject.value.as_deref(), Some("[FIRING:2] HighLatency (api critical)"));
    assert!(email.body.as_deref().unwrap().contains("Subject: [FIRING:2] HighLatency (api critical)\r\n"));

    let webhook = &preview.integrations[3];
    assert!(webhook.fields.is_empty());
    assert!(webhook.body.as_deref().unwrap().contains(r#""version":"4""#));

    // Slack's and e-mail's send_resolved default to false: a resolved group sends nothing there.
    let preview = render_preview(&r, &Templates::builtin(), &resolved_group()).unwrap();
    let skipped: Vec<bool> = preview.integrations.iter().map(|i| i.skipped).collect();
    assert_eq!(skipped, [true, false, true, false]);
    let json = serde_json::to_value(&preview).unwrap();
    assert_eq!(json["receiver"], "team-api");
}

#[test]
fn errors_name_integration_field_template_and_position() {
    let r = receiver(
        "    slack_configs:\n      - api_url: http://127.0.0.1:1/x\n        text: \"ok\\n{{ .CommonLabels.alertname | nosuch }}\"\n        title: '{{ .Nope }}'\n",
    );
    let err = render_preview(&r, &Templates::builtin(), &firing_group()).unwrap_err();
    assert_eq!(err.errors.len(), 2, "{err}");
    assert_eq!(
        err.errors[0],
        "slack[0] title: error executing template slack[0].title: template: slack[0].title:1:4: executing \"slack[0].title\" at <.Nope>: can't evaluate field Nope in type template.Data"
    );
    assert!(
        err.errors[1].starts_with("slack[0] text: error parsing template slack[0].text: template: slack[0].text:2:"),
        "{}",
        err.errors[1]
    );
    // The rest still renders.
    let slack = &err.preview.integrations[0];
    let username = slack.fields.iter().find(|f| f.field == "username").unwrap();
    assert_eq!(username.value.as_deref(), Some("Alertmanager"));
    assert!(slack.body.is_none());
}

#[tokio::test]
async fn notifier_delivers_the_dispatchers_notifications() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let r = receiver(&format!("    webhook_configs:\n      - url: {}\n", server.url("/hook")));
    let registry = telemetry::Registry::new();
    let notifier = Notifier::new(
        std::slice::from_ref(&r),
        Arc::new(Templates::builtin()),
        NotifyMetrics::new(&registry),
        fast_options(),
    )
    .unwrap();
    let data = firing_group();
    let (index, config) = r.integrations().remove(0);
    let notification = alerting::Notification {
        receiver: "team-api".into(),
        integration: config.kind(),
        integration_index: index,
        config: Arc::new(config),
        status: "firing",
        alerts: data
            .alerts
            .iter()
            .map(|a| alerting::NotificationAlert {
                status: "firing",
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_at: a.starts_at_ms,
                ends_at: None,
                generator_url: a.generator_url.clone(),
                fingerprint: a.fingerprint.clone(),
            })
            .collect(),
        group_labels: data.group_labels.clone(),
        common_labels: data.common_labels(),
        common_annotations: data.common_annotations(),
        external_url: data.external_url.clone(),
        group_key: data.group_key.clone(),
        truncated_alerts: 0,
        now: common::T0,
    };
    notifier.notify(&notification).await.unwrap();
    let got = server.captured();
    let direct = receivers::webhook::payload(&data, 0).unwrap();
    assert_eq!(got[0].body, direct);
    let mut unknown = notification.clone();
    unknown.receiver = "nobody".into();
    assert!(notifier.notify(&unknown).await.unwrap_err().to_string().contains("unknown receiver"));
}
