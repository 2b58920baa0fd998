//! The Slack integration against a capture server: the default message byte for byte, and a
//! fully templated one using a `templates:` file.

mod common;

use std::time::Duration;

use common::{CaptureServer, build, build_with, fast_options, firing_group, receiver, resolved_group};
use receivers::Templates;

#[tokio::test]
async fn default_message_matches_alertmanager() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let r = receiver(&format!(
        "    slack_configs:\n      - api_url: {}\n        send_resolved: true\n",
        server.url("/services/T0/B0/X")
    ));
    let (integrations, _) = build(&r);
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    let got = server.captured();
    assert_eq!(got[0].path, "/services/T0/B0/X");
    assert_eq!(got[0].header("content-type"), "application/json");
    assert_eq!(got[0].header("user-agent"), "Alertmanager/0.25.0");
    let want = concat!(
        r#"{"username":"Alertmanager","attachments":[{"title":"[FIRING:2] HighLatency (api critical)","#,
        r#""title_link":"http://vigil:9093/#/alerts?receiver=team-api","text":"","#,
        r#""fallback":"[FIRING:2] HighLatency (api critical) | http://vigil:9093/#/alerts?receiver=team-api","#,
        r#""callback_id":"","footer":"","color":"danger","mrkdwn_in":["fallback","pretext","text"]}]}"#,
        "\n"
    );
    assert_eq!(got[0].body, want);

    integrations.notify(&resolved_group()).await;
    let body = server.captured()[1].json();
    assert_eq!(body["attachments"][0]["color"], "good");
    assert_eq!(body["attachments"][0]["title"], "[RESOLVED] HighLatency (api critical)");
}

#[tokio::test]
async fn templated_fields_from_a_templates_file() {
    let file = r#"
{{ define "slack.myorg.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} on {{ .CommonLabels.service }}{{ end }}
{{ define "slack.myorg.text" }}{{ range .Alerts }}*{{ .Labels.instance }}*: {{ .Annotations.summary }}
{{ end }}{{ end }}
"#;
    let templates = Templates::from_sources(&[("myorg.tmpl".into(), file.into())]).unwrap();
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let yaml = format!(
        r#"    slack_configs:
      - api_url: {}
        channel: '#{{{{ .CommonLabels.service }}}}-alerts'
        username: vigil
        icon_emoji: ':fire:'
        link_names: true
        title: '{{{{ template "slack.myorg.title" . }}}}'
        text: '{{{{ template "slack.myorg.text" . }}}}'
        footer: '{{{{ .ExternalURL }}}}'
        mrkdwn_in: [text]
        short_fields: true
        fields:
          - title: Severity
            value: '{{{{ .CommonLabels.severity | title }}}}'
          - title: Runbook
            value: '{{{{ .CommonAnnotations.runbook }}}}'
            short: false
        actions:
          - type: button
            text: Runbook
            url: '{{{{ .CommonAnnotations.runbook }}}}'
            style: danger
            confirm:
              text: Sure?
              ok_text: 'Yes'
"#,
        server.url("/hook")
    );
    let (integrations, _) = build_with(&receiver(&yaml), templates, fast_options());
    let results = integrations.notify(&firing_group()).await;
    assert!(results[0].1.is_ok(), "{:?}", results[0].1);
    let got = server.captured();
    let want = concat!(
        r##"{"channel":"#api-alerts","username":"vigil","icon_emoji":":fire:","link_names":true,"##,
        r#""attachments":[{"title":"[FIRING] HighLatency on api","#,
        r#""title_link":"http://vigil:9093/#/alerts?receiver=team-api","#,
        r#""text":"*api-1:8080*: Latency is high\n*api-2:8080*: Latency is high\n","#,
        r#""fallback":"[FIRING:2] HighLatency (api critical) | http://vigil:9093/#/alerts?receiver=team-api","#,
        r#""callback_id":"","#,
        r#""fields":[{"title":"Severity","value":"Critical","short":true},{"title":"Runbook","value":"https://runbooks/latency","short":false}],"#,
        r#""actions":[{"type":"button","text":"Runbook","url":"https://runbooks/latency","style":"danger","confirm":{"text":"Sure?","ok_text":"Yes"}}],"#,
        r#""footer":"http://vigil:9093","color":"danger","mrkdwn_in":["text"]}]}"#,
        "\n"
    );
    assert_eq!(got[0].body, want);
}

#[tokio::test]
async fn long_titles_are_cut_at_1024_characters() {
    let server = CaptureServer::start(&[], 200, Duration::ZERO).await;
    let r = receiver(&format!(
        "    slack_configs:\n      - api_url: {}\n        title: '{{{{ range $i, $_ := (stringSlice {}) }}}}é{{{{ end }}}}'\n",
        server.url("/"),
        vec!["\"x\""; 1100].join(" ")
    ));
    let (integrations, _) = build(&r);
    integrations.notify(&firing_group()).await;
    let title = server.captured()[0].json()["attachments"][0]["title"].as_str().unwrap().to_string();
    assert_eq!(title.chars().count(), 1024);
    assert!(title.ends_with("é…"));
}
