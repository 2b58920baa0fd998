//! `/api/v1/rules`, `/api/v1/alerts` and `/api/v1/alertmanagers`, shaped like Prometheus's.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use rules::alerting::{Alert, AlertState};
use rules::group::Rule;
use rules::{Group, RuleKind};
use serde_json::{Map, Value, json};

use super::params::Params;
use super::status::rfc3339;
use super::{bad_data, ok};
use crate::AppState;

fn labels_json(m: &std::collections::BTreeMap<String, String>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

/// Prometheus prints a zero `time.Time` for "never".
fn time_or_zero(t: Option<i64>) -> String {
    t.map_or_else(|| "0001-01-01T00:00:00Z".to_string(), rfc3339)
}

fn alert_json(a: &Alert) -> Value {
    let mut o = Map::new();
    o.insert("labels".into(), labels_json(&a.labels));
    o.insert("annotations".into(), labels_json(&a.annotations));
    o.insert("state".into(), a.state.as_str().into());
    o.insert("activeAt".into(), rfc3339(a.active_at).into());
    if let Some(k) = a.keep_firing_since {
        o.insert("keepFiringSince".into(), rfc3339(k).into());
    }
    o.insert("value".into(), rules::gofmt::float_exp(a.value, false).into());
    Value::Object(o)
}

fn rule_json(r: &Rule, with_alerts: bool) -> Value {
    let mut o = Map::new();
    match &r.spec.kind {
        RuleKind::Alerting { alert, for_ms, keep_firing_for_ms, annotations, .. } => {
            o.insert("state".into(), r.state().as_str().into());
            o.insert("name".into(), alert.clone().into());
            o.insert("query".into(), r.spec.expr_text.clone().into());
            o.insert("duration".into(), json!(*for_ms as f64 / 1000.0));
            o.insert("keepFiringFor".into(), json!(*keep_firing_for_ms as f64 / 1000.0));
            o.insert("labels".into(), labels_json(&r.spec.labels));
            o.insert("annotations".into(), labels_json(annotations));
            if with_alerts {
                let alerts: Vec<Value> = r.alerts.active().into_iter().map(alert_json).collect();
                o.insert("alerts".into(), Value::Array(alerts));
            }
        }
        RuleKind::Recording { record } => {
            o.insert("name".into(), record.clone().into());
            o.insert("query".into(), r.spec.expr_text.clone().into());
            o.insert("labels".into(), labels_json(&r.spec.labels));
        }
    }
    o.insert("health".into(), r.health.as_str().into());
    if let Some(e) = &r.last_error {
        o.insert("lastError".into(), e.clone().into());
    }
    o.insert("evaluationTime".into(), json!(r.evaluation_seconds));
    o.insert("lastEvaluation".into(), time_or_zero(r.last_evaluation).into());
    o.insert("type".into(), if r.spec.is_alerting() { "alerting" } else { "recording" }.into());
    Value::Object(o)
}

fn groups(state: &AppState) -> Vec<rules::SharedGroup> {
    state.running().map(|r| r.rules.groups()).unwrap_or_default()
}

/// `GET /api/v1/rules?type=alert|record&rule_name[]=…&rule_group[]=…&file[]=…&exclude_alerts=…`
pub async fn rules(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), None);
    let (want_alerting, want_recording) = match p.get("type").map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => (true, true),
        Some("alert") => (true, false),
        Some("record") => (false, true),
        Some(other) => {
            return bad_data(format!("invalid parameter 'type': {other:?}; use type=alert or type=record"))
                .into_response();
        }
    };
    let with_alerts = match p.get("exclude_alerts") {
        None | Some("") | Some("false") => true,
        Some("true") => false,
        Some(other) => {
            return bad_data(format!("invalid parameter 'exclude_alerts': {other:?} is not true or false"))
                .into_response();
        }
    };
    let names = p.all("rule_name[]");
    let group_names = p.all("rule_group[]");
    let files = p.all("file[]");
    let mut out = Vec::new();
    for shared in groups(&state) {
        let g = rules::manager::lock(&shared);
        if !group_names.is_empty() && !group_names.contains(&g.name.as_str()) {
            continue;
        }
        if !files.is_empty() && !files.contains(&g.file.as_str()) {
            continue;
        }
        let rules: Vec<Value> = g
            .rules
            .iter()
            .filter(|r| if r.spec.is_alerting() { want_alerting } else { want_recording })
            .filter(|r| names.is_empty() || names.contains(&r.spec.name()))
            .map(|r| rule_json(r, with_alerts))
            .collect();
        let filtering = !(names.is_empty() && want_alerting && want_recording);
        if filtering && rules.is_empty() {
            continue;
        }
        out.push(group_json(&g, rules));
    }
    ok(json!({ "groups": out }).to_string())
}

fn group_json(g: &Group, rules: Vec<Value>) -> Value {
    json!({
        "name": g.name,
        "file": g.file,
        "rules": rules,
        "interval": g.interval_ms as f64 / 1000.0,
        "limit": g.limit,
        "evaluationTime": g.evaluation_seconds,
        "lastEvaluation": time_or_zero(g.last_evaluation),
    })
}

/// `GET /api/v1/alerts`: every pending and firing alert.
pub async fn alerts(State(state): State<Arc<AppState>>) -> Response {
    let mut out = Vec::new();
    for shared in groups(&state) {
        let g = rules::manager::lock(&shared);
        for r in &g.rules {
            out.extend(r.alerts.active().into_iter().filter(|a| a.state != AlertState::Inactive).map(alert_json));
        }
    }
    ok(json!({ "alerts": out }).to_string())
}

/// `GET /api/v1/alertmanagers`: where alerts are sent.
pub async fn alertmanagers(State(state): State<Arc<AppState>>) -> Response {
    let (active, dropped) = match state.running().map(|r| &r.notifier) {
        Ok(n) => (n.alertmanagers(), n.dropped_alertmanagers()),
        Err(_) => (Vec::new(), Vec::new()),
    };
    let urls = |v: Vec<String>| v.into_iter().map(|u| json!({ "url": u })).collect::<Vec<_>>();
    ok(json!({ "activeAlertmanagers": urls(active), "droppedAlertmanagers": urls(dropped) }).to_string())
}
