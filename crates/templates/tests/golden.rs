//! Golden cases verified against Prometheus 2.42's `promtool test rules` (except the
//! ones marked `promtool_skip`): each template is expanded as the annotation of an
//! alert with labels `{instance="host.example.com:9090", job="node"}`, external labels
//! `{cluster="eu1"}`, external URL `http://prom.example.com:9090/prom/` and the case's
//! value. Errors are compared after the `template: NAME:LINE:COL: ` position, since
//! Prometheus counts columns from its hidden `{{$labels := .Labels}}…` preamble.

mod common;

use common::{FakeQueries, alert_labels, data, external_labels};
use templates::expand_alert_template;

/// Drops `error executing template __alert_A: template: __alert_A:L:C: `.
fn strip_position(message: &str) -> String {
    let prefix = "error executing template __alert_A: template: __alert_A:";
    let Some(rest) = message.strip_prefix(prefix) else {
        return message.to_string();
    };
    let mut parts = rest.splitn(3, ':');
    let (_line, _col) = (parts.next(), parts.next());
    parts.next().unwrap_or("").trim_start().to_string()
}

#[test]
fn golden_cases_match_prometheus() {
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("golden/alert_templates.json")).expect("golden file is JSON");
    assert!(cases.len() > 190, "golden file looks truncated");
    let labels = alert_labels();
    let external = external_labels();
    let mut failures = Vec::new();
    for case in &cases {
        let template = case["template"].as_str().expect("template");
        let value: f64 = case["value"].as_str().expect("value").parse().expect("numeric value");
        let result =
            expand_alert_template("__alert_A", template, &data(&labels, &external, value), 0, Some(&FakeQueries));
        match (case.get("expected").and_then(|v| v.as_str()), case.get("error").and_then(|v| v.as_str()), result) {
            (Some(want), _, Ok(got)) if got == want => {}
            (None, Some(want), Err(e)) if strip_position(&e.to_string()) == want => {}
            (want, want_err, got) => {
                failures.push(format!("{template:?}\n   want {want:?} / {want_err:?}\n   got  {got:?}"))
            }
        }
    }
    assert!(failures.is_empty(), "{} golden mismatches:\n{}", failures.len(), failures.join("\n"));
}
