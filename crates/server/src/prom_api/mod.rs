//! The Prometheus HTTP API (`/api/v1/query`, `/query_range`, `/series`, `/labels`,
//! `/label/<name>/values`, `/metadata`, `/status/*`, `/federate`), with Prometheus's
//! envelopes, error types and status codes, so that Grafana and `promtool` work unchanged.
//!
//! Handlers only parse parameters, run the engine on the blocking pool (bounded by the
//! query concurrency limit) and encode; the engine and the storage own all semantics.

mod encode;
pub mod error;
pub(crate) mod params;
pub mod rules;
pub mod status;
pub mod targets;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use promql::{EngineOptions, QueryError};
use tsdb::{Db, Labels};

pub use error::{ApiError, ErrorType};
pub use params::{parse_duration, parse_time};
pub use status::StatusInfo;

use crate::AppState;
use params::Params;

/// The most points a range query may return per series, as Prometheus.
const MAX_POINTS: i64 = 11_000;

/// Settings of the query API.
#[derive(Debug, Clone)]
pub struct QueryOptions {
    pub engine: EngineOptions,
    /// Queries evaluated at once; more wait for a slot (`--query.max-concurrency`).
    pub max_concurrency: usize,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions { engine: EngineOptions::default(), max_concurrency: 20 }
    }
}

/// The engine settings, the concurrency gate and the query metrics.
pub struct QueryState {
    pub options: QueryOptions,
    gate: tokio::sync::Semaphore,
    metrics: QueryMetrics,
}

/// Query metrics on `/metrics`: latency by kind, outcomes by error type, samples read.
struct QueryMetrics {
    instant_seconds: Arc<telemetry::Histogram>,
    range_seconds: Arc<telemetry::Histogram>,
    outcomes: Vec<(&'static str, Arc<telemetry::Counter>)>,
    samples_loaded: Arc<telemetry::Counter>,
}

/// The outcomes `vigil_queries_total` counts: success and the API's error types.
const OUTCOMES: [&str; 6] = ["success", "bad_data", "execution", "timeout", "canceled", "internal"];

impl QueryMetrics {
    fn outcome(&self, result: &str) -> &telemetry::Counter {
        let i = self.outcomes.iter().position(|(r, _)| *r == result).unwrap_or(OUTCOMES.len() - 1);
        &self.outcomes[i].1
    }
}

impl QueryState {
    pub fn new(options: QueryOptions, registry: &telemetry::Registry) -> Self {
        let gate = tokio::sync::Semaphore::new(options.max_concurrency.max(1));
        const BOUNDS: &[f64] = &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0];
        let hist = |kind: &str| {
            registry.histogram(
                "vigil_query_duration_seconds",
                "Time to evaluate PromQL queries, by kind.",
                &[("kind", kind)],
                BOUNDS,
            )
        };
        let metrics = QueryMetrics {
            instant_seconds: hist("instant"),
            range_seconds: hist("range"),
            outcomes: OUTCOMES
                .iter()
                .map(|r| {
                    let help = "PromQL queries by outcome (success or error type).";
                    (*r, registry.counter("vigil_queries_total", help, &[("result", r)]))
                })
                .collect(),
            samples_loaded: registry.counter(
                "vigil_query_samples_loaded_total",
                "Samples read from storage by PromQL queries.",
                &[],
            ),
        };
        QueryState { options, gate, metrics }
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn ok(data: String) -> Response {
    json(StatusCode::OK, encode::success(&data))
}

/// A rejected request parameter: answered as `bad_data` with status 400.
fn bad_data(msg: impl Into<String>) -> ApiError {
    ApiError::BadData(msg.into())
}

/// The open database, or the 503 `unavailable` answer while the WAL replays.
fn running_db(state: &AppState) -> Result<Arc<Db>, ApiError> {
    Ok(state.running()?.db.clone())
}

fn query_error(e: QueryError) -> Response {
    ApiError::from(e).into_response()
}

/// Parameters from the URL and, for form POSTs, the body.
fn params(query: Option<String>, headers: &HeaderMap, body: &Bytes) -> Params {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    Params::parse(query.as_deref(), form.then_some(&body[..]))
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn time_param(p: &Params, name: &str, default: Option<i64>) -> Result<i64, ApiError> {
    match p.get(name) {
        Some(s) if !s.is_empty() => parse_time(s).ok_or_else(|| {
            bad_data(format!("invalid parameter \"{name}\": cannot parse \"{s}\" to a valid timestamp"))
        }),
        _ => default
            .ok_or_else(|| bad_data(format!("invalid parameter \"{name}\": cannot parse \"\" to a valid timestamp"))),
    }
}

/// The engine options for one request: the `timeout` parameter may only shorten the limit.
fn engine_for(state: &AppState, p: &Params) -> Result<promql::Engine, ApiError> {
    let mut opts = state.query.options.engine.clone();
    if let Some(t) = p.get("timeout").filter(|s| !s.is_empty()) {
        let ms = parse_duration(t).filter(|ms| *ms > 0).ok_or_else(|| {
            bad_data(format!("invalid parameter \"timeout\": cannot parse \"{t}\" to a valid duration"))
        })?;
        opts.limits.timeout = opts.limits.timeout.min(Duration::from_millis(ms as u64));
    }
    Ok(promql::Engine::new(opts))
}

/// Runs a query on the blocking pool once a concurrency slot is free.
/// With `want_stats` (the `stats` parameter), the answer carries Prometheus's `stats` object.
async fn run_query<F>(state: &Arc<AppState>, range: bool, want_stats: bool, f: F) -> Response
where
    F: FnOnce(&Db) -> Result<promql::QueryResult, QueryError> + Send + 'static,
{
    let db = match running_db(state) {
        Ok(db) => db,
        Err(e) => return e.into_response(),
    };
    let queued = std::time::Instant::now();
    let Ok(_permit) = state.query.gate.acquire().await else {
        return query_error(QueryError::Canceled);
    };
    let started = std::time::Instant::now();
    let result = tokio::task::spawn_blocking(move || f(&db)).await;
    let stats = want_stats.then(|| encode::QueryStats {
        queue_seconds: started.duration_since(queued).as_secs_f64(),
        eval_seconds: started.elapsed().as_secs_f64(),
    });
    let m = &state.query.metrics;
    let hist = if range { &m.range_seconds } else { &m.instant_seconds };
    hist.observe(started.elapsed().as_secs_f64());
    match &result {
        Ok(Ok(r)) => {
            m.outcome("success").inc();
            m.samples_loaded.add(r.samples_loaded as u64);
        }
        Ok(Err(e)) => m.outcome(ErrorType::from(e).as_str()).inc(),
        Err(_) => m.outcome("internal").inc(),
    }
    match result {
        Ok(Ok(r)) => json(StatusCode::OK, encode::query_result(&r, stats)),
        Ok(Err(e)) => {
            if matches!(e, QueryError::Timeout { .. } | QueryError::TooManySamples { .. }) {
                tracing::warn!(error = %e, "query stopped by a limit");
            }
            query_error(e)
        }
        Err(e) => {
            tracing::error!(error = %e, "query task failed");
            query_error(QueryError::Execution("query evaluation aborted unexpectedly".into()))
        }
    }
}

/// Prometheus answers statistics for any non-empty `stats` parameter (`all` adds per-step
/// samples there; Vigil answers the totals either way).
fn wants_stats(p: &Params) -> bool {
    p.get("stats").is_some_and(|s| !s.is_empty())
}

pub async fn query(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(q, &headers, &body);
    let Some(query) = p.get("query").map(str::to_string) else {
        return bad_data("invalid parameter \"query\": no query given").into_response();
    };
    let t = match time_param(&p, "time", Some(now_ms())) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let engine = match engine_for(&state, &p) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    run_query(&state, false, wants_stats(&p), move |db| engine.instant(db, &query, t)).await
}

pub async fn query_range(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(q, &headers, &body);
    let Some(query) = p.get("query").map(str::to_string) else {
        return bad_data("invalid parameter \"query\": no query given").into_response();
    };
    let (start, end) = match (time_param(&p, "start", None), time_param(&p, "end", None)) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r.into_response(),
    };
    if end < start {
        return bad_data("end timestamp must not be before start time").into_response();
    }
    let step_s = p.get("step").unwrap_or("");
    let Some(step) = parse_duration(step_s) else {
        return bad_data(format!("invalid parameter \"step\": cannot parse \"{step_s}\" to a valid duration"))
            .into_response();
    };
    if step <= 0 {
        return bad_data("zero or negative query resolution step widths are not accepted. Try a positive integer")
            .into_response();
    }
    if (end - start) / step > MAX_POINTS {
        return bad_data(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        ).into_response();
    }
    let engine = match engine_for(&state, &p) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    run_query(&state, true, wants_stats(&p), move |db| engine.range(db, &query, start, end, step)).await
}

/// The matchers of every `match[]` parameter.
fn match_params(p: &Params) -> Result<Vec<Vec<tsdb::Matcher>>, ApiError> {
    p.all("match[]")
        .into_iter()
        .map(|m| promql::parse::parse_selector(m).map_err(|e| bad_data(format!("invalid parameter \"match[]\": {e}"))))
        .collect()
}

fn range_params(p: &Params) -> Result<(i64, i64), ApiError> {
    let start = time_param(p, "start", Some(i64::MIN / 2))?;
    let end = time_param(p, "end", Some(i64::MAX / 2))?;
    if end < start {
        return Err(bad_data("end timestamp must not be before start time"));
    }
    Ok((start, end))
}

fn limit_param(p: &Params) -> Result<Option<usize>, ApiError> {
    match p.get("limit").filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(0) => Ok(None),
            Ok(n) if n > 0 => Ok(Some(n as usize)),
            _ => {
                Err(bad_data(format!("invalid parameter \"limit\": cannot parse \"{s}\": must be a positive integer")))
            }
        },
    }
}

fn string_array(items: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("[");
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode::string(&mut out, &s);
    }
    out.push(']');
    out
}

/// Runs a storage read or write on the blocking pool; errors become API error responses.
async fn on_storage<T, F>(state: &Arc<AppState>, what: &'static str, f: F) -> Result<T, Response>
where
    T: Send + 'static,
    F: FnOnce(&Db) -> Result<T, tsdb::Error> + Send + 'static,
{
    let db = running_db(state).map_err(IntoResponse::into_response)?;
    match tokio::task::spawn_blocking(move || f(&db)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(ApiError::Storage(e).into_response()),
        Err(_) => Err(ApiError::Aborted(what).into_response()),
    }
}

/// The `match[]`, `start`/`end` and `limit` parameters of the metadata endpoints.
type Lookup = (Vec<Vec<tsdb::Matcher>>, i64, i64, Option<usize>);

fn lookup_params(p: &Params) -> Result<Lookup, ApiError> {
    let sets = match_params(p)?;
    let (start, end) = range_params(p)?;
    Ok((sets, start, end, limit_param(p)?))
}

/// Lists with a `limit` get a warning when cut, as Prometheus does.
fn limited(data: String, truncated: bool) -> Response {
    if truncated {
        json(
            StatusCode::OK,
            format!("{{\"status\":\"success\",\"data\":{data},\"warnings\":[\"results truncated due to limit\"]}}"),
        )
    } else {
        ok(data)
    }
}

pub async fn series(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(q, &headers, &body);
    let (sets, start, end, limit) = match lookup_params(&p) {
        Ok(l) if l.0.is_empty() => return bad_data("no match[] parameter provided").into_response(),
        Ok(l) => l,
        Err(r) => return r.into_response(),
    };
    let found = on_storage(&state, "series lookup", move |db| {
        let mut all = BTreeSet::new();
        for m in &sets {
            for s in db.select(m, start, end)? {
                all.insert(s.labels);
            }
        }
        Ok(all)
    })
    .await;
    let found: BTreeSet<Labels> = match found {
        Ok(f) => f,
        Err(r) => return r,
    };
    let truncated = limit.is_some_and(|l| found.len() > l);
    let mut out = String::from("[");
    for (i, l) in found.iter().take(limit.unwrap_or(usize::MAX)).enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode::labels(&mut out, l);
    }
    out.push(']');
    limited(out, truncated)
}

async fn label_lookup(state: Arc<AppState>, p: Params, name: Option<String>) -> Response {
    let (sets, start, end, limit) = match lookup_params(&p) {
        Ok(l) => l,
        Err(r) => return r.into_response(),
    };
    let found = on_storage(&state, "label lookup", move |db| {
        let sets = if sets.is_empty() { vec![vec![]] } else { sets };
        let mut all = BTreeSet::new();
        for m in &sets {
            let found = match &name {
                Some(n) => db.label_values(n, m, start, end),
                None => db.label_names(m, start, end),
            };
            all.extend(found?);
        }
        Ok(all)
    })
    .await;
    match found {
        Ok(f) => {
            let truncated = limit.is_some_and(|l| f.len() > l);
            limited(string_array(f.into_iter().take(limit.unwrap_or(usize::MAX))), truncated)
        }
        Err(r) => r,
    }
}

pub async fn labels(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    label_lookup(state, params(q, &headers, &body), None).await
}

pub async fn label_values(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    // UTF-8 label names arrive escaped as `U__…` (Prometheus 3); plain names as they are.
    let name = unescape_label_name(&name);
    if name.is_empty() {
        return bad_data(format!("invalid label name: {name:?}")).into_response();
    }
    label_lookup(state, Params::parse(q.as_deref(), None), Some(name)).await
}

/// Decodes Prometheus's `U__` label-name escaping (`U__http_2e_method` → `http.method`).
fn unescape_label_name(s: &str) -> String {
    let Some(rest) = s.strip_prefix("U__") else { return s.to_string() };
    let mut out = String::new();
    // Between underscores: literal text, nothing (an escaped underscore) or a code point.
    let parts: Vec<&str> = rest.split('_').collect();
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i];
        if i % 2 == 0 {
            out.push_str(part);
        } else if part.is_empty() {
            out.push('_');
        } else if let Some(c) = u32::from_str_radix(part, 16).ok().and_then(char::from_u32) {
            out.push(c);
        } else {
            return s.to_string();
        }
        i += 1;
    }
    out
}

pub async fn query_exemplars(RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let p = params(q, &headers, &body);
    let Some(query) = p.get("query") else {
        return bad_data("invalid parameter \"query\": no query given").into_response();
    };
    if let Err(e) = promql::parse::parse(query, true) {
        return query_error(e);
    }
    if let Err(r) = range_params(&p) {
        return r.into_response();
    }
    // Exemplars are parsed on ingest but not stored yet: the honest answer is an empty list.
    ok("[]".into())
}

pub async fn format_query(RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let p = params(q, &headers, &body);
    let Some(query) = p.get("query") else {
        return bad_data("invalid parameter \"query\": no query given").into_response();
    };
    match promql::parse::format_query(query) {
        Ok(s) => {
            let mut out = String::new();
            encode::string(&mut out, &s);
            ok(out)
        }
        Err(e) => query_error(e),
    }
}

pub async fn parse_query(RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let p = params(q, &headers, &body);
    let Some(query) = p.get("query") else {
        return bad_data("invalid parameter \"query\": no query given").into_response();
    };
    match promql::parse::syntax_tree_json(query) {
        Ok(tree) => ok(tree),
        Err(e) => query_error(e),
    }
}

pub async fn metadata(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), None);
    let db = match running_db(&state) {
        Ok(db) => db,
        Err(e) => return e.into_response(),
    };
    let limit = match limit_param(&p) {
        Ok(l) => l,
        Err(r) => return r.into_response(),
    };
    let wanted = p.get("metric").filter(|m| !m.is_empty());
    let per_metric = match p.get("limit_per_metric").filter(|s| !s.is_empty()).map(str::parse::<i64>) {
        None => usize::MAX,
        Some(Ok(n)) if n > 0 => n as usize,
        Some(Ok(_)) => usize::MAX,
        Some(Err(_)) => return bad_data("invalid parameter \"limit_per_metric\": must be an integer").into_response(),
    };
    // Scraped targets' metadata first (what Prometheus reports), then remote-written metadata.
    let mut all = targets::scrape_metadata(&state);
    for (name, m) in db.metadata() {
        let entry = (m.metric_type.as_str().to_string(), m.help.clone(), m.unit.clone());
        let list = all.entry(name).or_default();
        if !list.contains(&entry) {
            list.push(entry);
        }
    }
    let mut out = String::from("{");
    let chosen = all.iter().filter(|(name, _)| wanted.is_none_or(|w| w == *name)).take(limit.unwrap_or(usize::MAX));
    for (i, (name, entries)) in chosen.enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode::string(&mut out, name);
        out.push_str(":[");
        for (j, (kind, help, unit)) in entries.iter().take(per_metric).enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str("{\"type\":");
            encode::string(&mut out, kind);
            out.push_str(",\"help\":");
            encode::string(&mut out, help);
            out.push_str(",\"unit\":");
            encode::string(&mut out, unit);
            out.push('}');
        }
        out.push(']');
    }
    out.push('}');
    ok(out)
}

/// `/federate`: the latest sample (within the lookback window) of every series matching a
/// `match[]`, in the text exposition format.
pub async fn federate(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(q, &headers, &body);
    let sets = match match_params(&p) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let db = match running_db(&state) {
        Ok(db) => db,
        Err(e) => return e.into_response(),
    };
    let lookback = state.query.options.engine.lookback_delta_ms;
    let now = now_ms();
    let text = tokio::task::spawn_blocking(move || -> Result<String, tsdb::Error> {
        let mut latest: std::collections::BTreeMap<Labels, (i64, f64)> = Default::default();
        for m in &sets {
            for s in db.select(m, now - lookback + 1, now)? {
                if let Some(last) = s.samples.last().filter(|x| !tsdb::is_stale_nan(x.v)) {
                    latest.insert(s.labels.clone(), (last.t, last.v));
                }
            }
        }
        let mut out = String::new();
        let mut last_name = String::new();
        let mut sorted: Vec<_> = latest.into_iter().collect();
        sorted.sort_by(|a, b| a.0.metric_name().cmp(b.0.metric_name()).then_with(|| a.0.cmp(&b.0)));
        for (labels, (t, v)) in sorted {
            let name = labels.metric_name().to_string();
            if name != last_name {
                out.push_str(&format!("# TYPE {name} untyped\n"));
                last_name = name.clone();
            }
            out.push_str(&name);
            let rest: Vec<String> = labels
                .iter()
                .filter(|l| &*l.name != tsdb::METRIC_NAME)
                .map(|l| format!("{}=\"{}\"", l.name, escape_label_value(&l.value)))
                .collect();
            if !rest.is_empty() {
                out.push_str(&format!("{{{}}}", rest.join(",")));
            }
            out.push_str(&format!(" {} {t}\n", encode::float(v)));
        }
        Ok(out)
    })
    .await;
    match text {
        Ok(Ok(t)) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], t).into_response(),
        Ok(Err(e)) => ApiError::Storage(e).into_response(),
        Err(_) => ApiError::Aborted("federation").into_response(),
    }
}

fn escape_label_value(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The answer of every admin endpoint while `--web.enable-admin-api` is off.
pub fn admin_disabled() -> Response {
    ApiError::Unavailable("admin APIs disabled; start Vigil with --web.enable-admin-api").into_response()
}

/// `POST /api/v1/admin/tsdb/delete_series?match[]=…&start=…&end=…`: hides the matching
/// series' samples in the range at once (a durable tombstone); 204 when recorded.
pub async fn delete_series(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !state.admin_api {
        return admin_disabled();
    }
    let p = params(q, &headers, &body);
    let (sets, start, end, _) = match lookup_params(&p) {
        Ok(l) if l.0.is_empty() => return bad_data("no match[] parameter provided").into_response(),
        Ok(l) => l,
        Err(r) => return r.into_response(),
    };
    let done = on_storage(&state, "deletion", move |db| {
        for m in &sets {
            db.delete_series(m, start, end)?;
        }
        Ok(())
    })
    .await;
    match done {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => r,
    }
}

/// `POST /api/v1/admin/tsdb/clean_tombstones`: rewrites the blocks without deleted data.
pub async fn clean_tombstones(State(state): State<Arc<AppState>>) -> Response {
    if !state.admin_api {
        return admin_disabled();
    }
    match on_storage(&state, "tombstone clean-up", |db| db.clean_tombstones()).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_label_names_are_unescaped() {
        assert_eq!(unescape_label_name("job"), "job");
        assert_eq!(unescape_label_name("U__http_2e_method"), "http.method");
        assert_eq!(unescape_label_name("U__a__b"), "a_b");
    }
}
