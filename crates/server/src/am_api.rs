//! The Alertmanager v2 API (`/api/v2/...`) in front of Vigil's built-in alert manager, shaped
//! like Alertmanager 0.25's OpenAPI spec so `amtool` and Prometheus's notifier work unchanged.
//! Handlers parse and shape JSON only; every decision is made by `alerting::Alertmanager`.

use std::sync::Arc;

use alerting::matchers::{MatchOp, Matcher, parse_matcher};
use alerting::silence::SilenceError;
use alerting::views::{AlertFilter, AlertView, SilenceView};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::prom_api::params::{Params, parse_rfc3339};
use crate::prom_api::status::rfc3339;

/// The `/api/v2` routes (and Vigil's alert-manager extensions), as data so the server can
/// list every path it serves.
pub fn routes() -> Vec<(&'static str, MethodRouter<Arc<AppState>>)> {
    vec![
        ("/api/v2/status", get(status)),
        ("/api/v2/receivers", get(receivers)),
        ("/api/v2/alerts", get(get_alerts).post(post_alerts)),
        ("/api/v2/alerts/groups", get(groups)),
        ("/api/v2/silences", get(get_silences).post(post_silence)),
        ("/api/v2/silence/{id}", get(get_silence).delete(delete_silence)),
        ("/api/vigil/v1/alertmanager/preview", axum::routing::post(preview)),
        ("/api/vigil/v1/alertmanager/acks", get(get_acks).post(post_ack).delete(delete_ack)),
    ]
}

/// The `/api/v2` routes.
pub fn router(state: Arc<AppState>) -> Router {
    routes().into_iter().fold(Router::new(), |r, (path, method)| r.route(path, method)).with_state(state)
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A refused request. Alertmanager answers errors with a JSON string; the status follows
/// from the variant.
#[derive(Debug, thiserror::Error)]
enum ApiError {
    /// The request is malformed (body, parameter, matcher, time).
    #[error("{0}")]
    BadRequest(String),
    /// The silence or alert group named does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Silence(#[from] SilenceError),
    #[error(transparent)]
    Ack(#[from] alerting::AckError),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_)
            | ApiError::Silence(SilenceError::Invalid(_))
            | ApiError::Ack(alerting::AckError::Invalid(_)) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_)
            | ApiError::Silence(SilenceError::NotFound)
            | ApiError::Ack(alerting::AckError::NotFound) => StatusCode::NOT_FOUND,
            ApiError::Silence(SilenceError::Storage(_)) | ApiError::Ack(alerting::AckError::Storage(_)) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        reply(self.status(), Value::String(self.to_string()))
    }
}

fn bad_request(msg: impl Into<String>) -> ApiError {
    ApiError::BadRequest(msg.into())
}

type ApiResult = Result<Response, ApiError>;

fn manager(state: &AppState) -> &alerting::Alertmanager {
    &state.alertmanager
}

fn labels(m: &alerting::labels::LabelSet) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

fn alert_json(a: &AlertView) -> Value {
    json!({
        "annotations": labels(&a.annotations),
        "endsAt": rfc3339(a.ends_at),
        "fingerprint": a.fingerprint,
        "receivers": a.receivers.iter().map(|r| json!({ "name": r })).collect::<Vec<_>>(),
        "startsAt": rfc3339(a.starts_at),
        "status": {
            "inhibitedBy": a.inhibited_by,
            "silencedBy": a.silenced_by,
            "state": a.state.as_str(),
        },
        "updatedAt": rfc3339(a.updated_at),
        "generatorURL": a.generator_url,
        "labels": labels(&a.labels),
    })
}

fn matcher_json(m: &Matcher) -> Value {
    json!({ "name": m.name, "value": m.value, "isRegex": m.op.is_regex(), "isEqual": m.op.is_equal() })
}

fn silence_json(s: &SilenceView) -> Value {
    json!({
        "id": s.id,
        "status": { "state": s.state.as_str() },
        "updatedAt": rfc3339(s.updated_at),
        "comment": s.comment,
        "createdBy": s.created_by,
        "endsAt": rfc3339(s.ends_at),
        "matchers": s.matchers.iter().map(matcher_json).collect::<Vec<_>>(),
        "startsAt": rfc3339(s.starts_at),
    })
}

/// `filter=` matchers, each in Alertmanager's syntax (`alertname="x"`, `severity=~"crit.*"`).
fn filter_matchers(p: &Params) -> Result<Vec<Matcher>, ApiError> {
    p.all("filter")
        .into_iter()
        .map(|f| parse_matcher(f).map_err(|e| bad_request(format!("bad matcher format: {e}"))))
        .collect()
}

fn bool_param(p: &Params, name: &str) -> Result<bool, ApiError> {
    match p.get(name) {
        None | Some("") | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(bad_request(format!("{name}: {other:?} is not true or false"))),
    }
}

fn alert_filter(p: &Params) -> Result<AlertFilter, ApiError> {
    let mut f = AlertFilter {
        matchers: filter_matchers(p)?,
        active: bool_param(p, "active")?,
        silenced: bool_param(p, "silenced")?,
        inhibited: bool_param(p, "inhibited")?,
        unprocessed: bool_param(p, "unprocessed")?,
        ..AlertFilter::default()
    };
    if let Some(r) = p.get("receiver").filter(|r| !r.is_empty()) {
        f = f.with_receiver(r).map_err(|e| bad_request(e.to_string()))?;
    }
    Ok(f)
}

/// `GET /api/v2/status`
async fn status(State(state): State<Arc<AppState>>) -> ApiResult {
    let am = manager(&state);
    let s = am.status();
    Ok(reply(
        StatusCode::OK,
        json!({
            "cluster": { "name": "", "peers": [], "status": "disabled" },
            "config": { "original": s.config_original },
            "uptime": rfc3339(s.started_at),
            "versionInfo": {
                "branch": "vigil",
                "buildDate": "",
                "buildUser": "",
                "goVersion": "none (Vigil is written in Rust)",
                "revision": "",
                "version": concat!("0.25.0-vigil-", env!("CARGO_PKG_VERSION")),
            },
        }),
    ))
}

/// `GET /api/v2/receivers`
async fn receivers(State(state): State<Arc<AppState>>) -> ApiResult {
    let am = manager(&state);
    Ok(reply(StatusCode::OK, Value::Array(am.receivers().into_iter().map(|n| json!({ "name": n })).collect())))
}

/// `GET /api/v2/alerts?filter=…&receiver=…&active=…&silenced=…&inhibited=…&unprocessed=…`
async fn get_alerts(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> ApiResult {
    let am = manager(&state);
    let p = Params::parse(q.as_deref(), None);
    let filter = alert_filter(&p)?;
    Ok(reply(StatusCode::OK, Value::Array(am.alerts(&filter).iter().map(alert_json).collect())))
}

/// `GET /api/v2/alerts/groups`
async fn groups(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> ApiResult {
    let am = manager(&state);
    let p = Params::parse(q.as_deref(), None);
    let filter = alert_filter(&p)?;
    let out: Vec<Value> = am
        .groups(&filter)
        .iter()
        .map(|g| {
            {
                let mut o = json!({
                    "labels": labels(&g.labels),
                    "receiver": { "name": g.receiver },
                    "alerts": g.alerts.iter().map(alert_json).collect::<Vec<_>>(),
                });
                // Vigil's additions; Alertmanager clients ignore unknown fields.
                if let Some(a) = &g.ack {
                    o["vigilAck"] = ack_json(a);
                }
                if let Some(e) = &g.escalation {
                    o["vigilEscalation"] = json!({
                        "policy": e.policy,
                        "startedAt": rfc3339(e.started_at),
                        "levels": e.levels.iter().map(|l| json!({
                            "level": l.level,
                            "receiver": l.receiver,
                            "dueAt": rfc3339(l.due_at),
                            "notifiedAt": l.notified_at.map(rfc3339),
                        })).collect::<Vec<_>>(),
                    });
                }
                o
            }
        })
        .collect();
    Ok(reply(StatusCode::OK, Value::Array(out)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAlert {
    #[serde(default)]
    labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    starts_at: Option<String>,
    #[serde(default)]
    ends_at: Option<String>,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
}

/// Go's zero time (`0001-01-01T00:00:00Z`, with or without fractions) means "not set", as
/// amtool and Prometheus send it; anything before 1900 is treated the same.
const UNSET_BEFORE_MS: i64 = -2_208_988_800_000;

fn time_field(v: &Option<String>, what: &str, i: usize) -> Result<Option<i64>, ApiError> {
    match v.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => match parse_rfc3339(s) {
            Some(t) if t < UNSET_BEFORE_MS => Ok(None),
            Some(t) => Ok(Some(t)),
            None => Err(bad_request(format!("alert {i}: {what} {s:?} is not an RFC 3339 time"))),
        },
    }
}

/// `POST /api/v2/alerts`: a JSON array of alerts (what Prometheus's notifier sends).
async fn post_alerts(State(state): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let am = manager(&state);
    let wire: Vec<WireAlert> = match serde_json::from_slice(&body) {
        Ok(w) => w,
        Err(e) => return Err(bad_request(format!("body is not a JSON array of alerts: {e}"))),
    };
    let mut alerts = Vec::with_capacity(wire.len());
    for (i, w) in wire.into_iter().enumerate() {
        let (starts_at, ends_at) = match (time_field(&w.starts_at, "startsAt", i), time_field(&w.ends_at, "endsAt", i))
        {
            (Ok(s), Ok(e)) => (s, e),
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        alerts.push(alerting::alert::PostableAlert {
            labels: w.labels,
            annotations: w.annotations,
            starts_at,
            ends_at,
            generator_url: w.generator_url,
        });
    }
    match am.put_alerts(alerts) {
        Ok(()) => Ok(StatusCode::OK.into_response()),
        Err(rejected) => Err(bad_request(rejected.to_string())),
    }
}

/// `GET /api/v2/silences?filter=…`
async fn get_silences(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> ApiResult {
    let am = manager(&state);
    let p = Params::parse(q.as_deref(), None);
    let matchers = filter_matchers(&p)?;
    Ok(reply(StatusCode::OK, Value::Array(am.silences(&matchers).iter().map(silence_json).collect())))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMatcher {
    name: String,
    value: String,
    is_regex: bool,
    #[serde(default = "yes")]
    is_equal: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSilence {
    #[serde(default)]
    id: Option<String>,
    matchers: Vec<WireMatcher>,
    starts_at: String,
    ends_at: String,
    created_by: String,
    comment: String,
}

fn postable_silence(w: WireSilence) -> Result<alerting::silence::PostableSilence, ApiError> {
    let matchers = w
        .matchers
        .iter()
        .map(|m| {
            Matcher::new(MatchOp::from_flags(m.is_regex, m.is_equal), &m.name, &m.value)
                .map_err(|e| bad_request(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let starts_at = parse_rfc3339(&w.starts_at)
        .ok_or_else(|| bad_request(format!("startsAt {:?} is not an RFC 3339 time", w.starts_at)))?;
    let ends_at = parse_rfc3339(&w.ends_at)
        .ok_or_else(|| bad_request(format!("endsAt {:?} is not an RFC 3339 time", w.ends_at)))?;
    Ok(alerting::silence::PostableSilence {
        id: w.id.filter(|s| !s.is_empty()),
        matchers,
        starts_at,
        ends_at,
        created_by: w.created_by,
        comment: w.comment,
    })
}

/// `POST /api/v2/silences`: create, or update when `id` is given; answers `{"silenceID": …}`.
async fn post_silence(State(state): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let am = manager(&state);
    let wire: WireSilence = match serde_json::from_slice(&body) {
        Ok(w) => w,
        Err(e) => return Err(bad_request(format!("body is not a silence: {e}"))),
    };
    let silence = postable_silence(wire)?;
    let id = am.add_silence(silence)?;
    Ok(reply(StatusCode::OK, json!({ "silenceID": id })))
}

/// `GET /api/v2/silence/{id}`
async fn get_silence(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    let am = manager(&state);
    match am.silence(&id) {
        Some(s) => Ok(reply(StatusCode::OK, silence_json(&s))),
        None => Err(ApiError::NotFound(format!("silence {id} not found"))),
    }
}

/// `DELETE /api/v2/silence/{id}`: expires it.
async fn delete_silence(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    let am = manager(&state);
    match am.expire_silence(&id) {
        Ok(()) => Ok(StatusCode::OK.into_response()),
        Err(SilenceError::NotFound) => Err(ApiError::NotFound(format!("silence {id} not found"))),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/vigil/v1/alertmanager/preview` with `{"receiver": "…", "alerts": [{"labels": …,
/// "annotations": …, "status": "firing"}]}`: every templated field of the receiver's
/// integrations rendered for those alerts under the running config, nothing sent. Template
/// errors answer 422 with the partial preview and the errors (template name and position).
async fn preview(State(state): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let am = manager(&state);
    let req: receivers::sample::PreviewRequest =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("body is not a preview request: {e}")))?;
    let external_url = state.external_url.clone();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    match receivers::sample::preview(&am.config(), &req, &external_url, now) {
        Ok(p) => Ok(reply(StatusCode::OK, serde_json::to_value(p).unwrap_or(Value::Null))),
        Err(receivers::sample::SampleError::Render(e)) => Ok(reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "errors": e.errors, "preview": serde_json::to_value(&e.preview).unwrap_or(Value::Null) }),
        )),
        Err(e) => Err(bad_request(e.to_string())),
    }
}

fn ack_json(a: &alerting::AckView) -> Value {
    json!({
        "groupKey": a.group_key,
        "receiver": a.receiver,
        "by": a.by,
        "comment": a.comment,
        "at": rfc3339(a.at),
        "expiresAt": a.expires_at.map(rfc3339),
    })
}

/// Which group an ack request means: `groupKey` (as in webhook payloads), or `receiver` plus
/// the group's `labels` (as `/api/v2/alerts/groups` shows them).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAck {
    #[serde(default)]
    group_key: Option<String>,
    #[serde(default)]
    receiver: Option<String>,
    #[serde(default)]
    labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    by: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    expires_at: Option<String>,
}

fn group_ref(w: &WireAck) -> Result<alerting::GroupRef, ApiError> {
    match (&w.group_key, &w.receiver) {
        (Some(k), _) => Ok(alerting::GroupRef::Key(k.clone())),
        (None, Some(r)) => Ok(alerting::GroupRef::Labels { receiver: r.clone(), labels: w.labels.clone() }),
        (None, None) => Err(bad_request("name the group: groupKey, or receiver and labels")),
    }
}

/// Acks keep the API's own wording for a missing group; the rest is the ack error itself.
fn ack_error(e: alerting::AckError) -> ApiError {
    match e {
        alerting::AckError::NotFound => ApiError::NotFound("no such alert group, or it is not acknowledged".into()),
        e => ApiError::Ack(e),
    }
}

/// `GET /api/vigil/v1/alertmanager/acks`
async fn get_acks(State(state): State<Arc<AppState>>) -> ApiResult {
    let am = manager(&state);
    Ok(reply(StatusCode::OK, Value::Array(am.acks().iter().map(ack_json).collect())))
}

/// `POST /api/vigil/v1/alertmanager/acks` `{"groupKey"|"receiver"+"labels", "by", "comment",
/// "expiresAt"?}`: repeats of the group stop (and escalation) until it resolves or the ack
/// expires.
async fn post_ack(State(state): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let am = manager(&state);
    let w: WireAck =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("body is not an acknowledgement: {e}")))?;
    let group = group_ref(&w)?;
    let expires_at = match w.expires_at.as_deref() {
        None | Some("") => None,
        Some(s) => {
            Some(parse_rfc3339(s).ok_or_else(|| bad_request(format!("expiresAt {s:?} is not an RFC 3339 time")))?)
        }
    };
    let ack = am.acknowledge(group, w.by, w.comment, expires_at).map_err(ack_error)?;
    Ok(reply(StatusCode::OK, ack_json(&ack)))
}

/// `DELETE /api/vigil/v1/alertmanager/acks` with the group in the body: withdraws the ack.
async fn delete_ack(State(state): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let am = manager(&state);
    let w: WireAck =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("body does not name a group: {e}")))?;
    let ack = am.unacknowledge(group_ref(&w)?).map_err(ack_error)?;
    Ok(reply(StatusCode::OK, ack_json(&ack)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk_error() -> alerting::PersistError {
        alerting::PersistError::Write { path: "silences.json".into(), source: std::io::Error::other("disk full") }
    }

    #[test]
    fn status_follows_the_variant() {
        let cases: Vec<(ApiError, u16)> = vec![
            (bad_request("body is not a silence"), 400),
            (ApiError::NotFound("silence x not found".into()), 404),
            (SilenceError::NotFound.into(), 404),
            (SilenceError::Invalid("at least one matcher required".into()).into(), 400),
            // A silence that cannot be written is the server's fault, not the client's.
            (SilenceError::Storage(disk_error()).into(), 500),
            (alerting::AckError::Invalid("expiresAt must be in the future".into()).into(), 400),
            (alerting::AckError::Storage(disk_error()).into(), 500),
            (ack_error(alerting::AckError::NotFound), 404),
        ];
        for (e, status) in cases {
            assert_eq!(e.status().as_u16(), status, "{e}");
        }
    }

    #[test]
    fn storage_errors_keep_their_cause_in_the_message() {
        let e = ApiError::from(SilenceError::Storage(disk_error()));
        assert_eq!(e.to_string(), "cannot persist silences: cannot write silences.json: disk full");
    }
}
