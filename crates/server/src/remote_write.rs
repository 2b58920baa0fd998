//! `POST /api/v1/write`: the Prometheus remote-write receiver (1.0 and 2.0).
//!
//! The body is decoded and validated as a whole first (a malformed request is rejected with
//! 400 and nothing is stored), then appended. Samples the storage refuses (out of order,
//! duplicates with another value, too old) are counted and reported with 400 naming the first
//! one, while the valid rest is stored — as Prometheus' own receiver reports them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use telemetry::{Counter, Registry};
use tsdb::head::SeriesInput;
use tsdb::{MetricMetadata, MetricType};

use crate::AppState;

/// Counters of the receiver.
pub struct Metrics {
    requests_ok: Arc<Counter>,
    requests_bad: Arc<Counter>,
    requests_too_large: Arc<Counter>,
    requests_unsupported: Arc<Counter>,
    requests_failed: Arc<Counter>,
    samples_received: Arc<Counter>,
    samples_rejected: Arc<Counter>,
}

impl Metrics {
    pub fn new(r: &Registry) -> Self {
        let req = |code: &str| {
            r.counter(
                "vigil_remote_write_requests_total",
                "Remote-write requests by response status.",
                &[("code", code)],
            )
        };
        Metrics {
            requests_ok: req("204"),
            requests_bad: req("400"),
            requests_too_large: req("413"),
            requests_unsupported: req("415"),
            requests_failed: req("500"),
            samples_received: r.counter("vigil_remote_write_samples_received_total", "Samples in decoded remote-write requests.", &[]),
            samples_rejected: r.counter(
                "vigil_remote_write_samples_rejected_total",
                "Samples in remote-write requests that were not stored (see vigil_tsdb_samples_rejected_total for reasons).",
                &[],
            ),
        }
    }

    fn count_status(&self, status: StatusCode) {
        match status.as_u16() {
            200..=299 => self.requests_ok.inc(),
            413 => self.requests_too_large.inc(),
            415 => self.requests_unsupported.inc(),
            400..=499 => self.requests_bad.inc(),
            _ => self.requests_failed.inc(),
        }
    }
}

fn header_str<'a>(h: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn text(status: StatusCode, msg: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], msg + "\n").into_response()
}

pub async fn write(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let resp = handle(&state, headers, body).await;
    state.metrics.count_status(resp.status());
    resp
}

async fn handle(state: &Arc<AppState>, headers: HeaderMap, body: Body) -> Response {
    let limit = state.limits.max_body_bytes;
    let declared = header_str(&headers, &header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "request body of {} bytes exceeds the limit of {limit} bytes (--web.max-request-bytes)",
                declared.unwrap_or(0)
            ),
        );
    }
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body exceeds the limit of {limit} bytes (--web.max-request-bytes) or could not be read"
                ),
            );
        }
    };
    let Ok(db) = state.running().map(|r| r.db.clone()) else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage is not ready yet (replaying the write-ahead log)".into(),
        );
    };
    let content_type = header_str(&headers, &header::CONTENT_TYPE).map(str::to_string);
    let content_encoding = header_str(&headers, &header::CONTENT_ENCODING).map(str::to_string);
    let limits = state.limits.remote_write.clone();
    let st = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let payload =
            ::remote_write::decompress(content_type.as_deref(), content_encoding.as_deref(), &bytes, &limits)?;
        store(&st, &db, &payload, &limits)
    })
    .await;
    match result {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            tracing::debug!(error = %e, "rejected remote-write request");
            let mut resp = text(status, e.to_string());
            // The 2.0 spec asks for the counts on every answer once the protocol was
            // negotiated; nothing of a rejected request was written.
            if e.http_status() != 415 {
                add_written_headers(&mut resp, 0, 0);
            }
            resp
        }
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("remote-write task failed: {e}")),
    }
}

fn metric_type(code: u8) -> MetricType {
    MetricType::from_code(code).unwrap_or(MetricType::Unknown)
}

/// Series ids by a 128-bit hash of their encoded labels: a series seen before is appended by id
/// without parsing its labels again (the receiver's hot path). Ids of series the head has
/// since dropped are detected by the head and retried with labels. Bounded by clearing it when
/// it outgrows the head.
#[derive(Default)]
pub struct RefCache {
    map: RwLock<HashMap<u128, u32, KeyIsHash>>,
}

/// The cache's keys are already xxh3 hashes; hashing them again would only cost time.
#[derive(Default, Clone, Copy)]
struct KeyIsHash;

impl std::hash::BuildHasher for KeyIsHash {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(0)
    }
}

struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 ^= v as u64 ^ (v >> 64) as u64;
    }
}

impl RefCache {
    fn update(&self, entries: impl Iterator<Item = (u128, u32)>, head_series: usize) {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        if map.len() > 2 * head_series + 100_000 {
            map.clear();
        }
        map.extend(entries);
    }
}

fn store(
    state: &AppState,
    db: &tsdb::Db,
    payload: &::remote_write::Payload,
    limits: &::remote_write::Limits,
) -> Result<Response, ::remote_write::DecodeError> {
    let decoded = {
        let map = state.ref_cache.map.read().unwrap_or_else(|p| p.into_inner());
        payload.parse_with(limits, &|key| map.get(&key).copied())?
    };
    let views: Vec<_> = decoded.series().collect();
    let batch: Vec<SeriesInput<'_, &str>> =
        views.iter().map(|s| SeriesInput { labels: s.labels, samples: s.samples, hint: s.hint }).collect();
    let received = decoded.num_samples();
    state.metrics.samples_received.add(received as u64);
    let mut outcome = match db.append(&batch) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "cannot store remote-write request");
            return Ok(text(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot store samples: {e}")));
        }
    };
    if !outcome.stale.is_empty() {
        let stale = outcome.stale.clone();
        let labels: Vec<Vec<(&str, &str)>> = stale.iter().map(|i| decoded.labels_of(*i)).collect::<Result<_, _>>()?;
        let retry: Vec<SeriesInput<'_, &str>> =
            stale.iter().zip(&labels).map(|(i, l)| SeriesInput::new(l, views[*i].samples)).collect();
        match db.append(&retry) {
            Ok(o) => outcome.absorb(o, &stale),
            Err(e) => return Ok(text(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot store samples: {e}"))),
        }
    }
    let fresh = views
        .iter()
        .zip(&outcome.ids)
        .filter(|(v, id)| v.key != 0 && id.is_some() && v.hint != **id)
        .filter_map(|(v, id)| id.map(|id| (v.key, id)));
    state.ref_cache.update(fresh, db.head().num_series());
    if !decoded.metadata.is_empty() {
        let md = decoded
            .metadata
            .into_iter()
            .map(|m| {
                (
                    m.metric_family,
                    MetricMetadata { metric_type: metric_type(m.metric_type), help: m.help, unit: m.unit },
                )
            })
            .collect();
        if let Err(e) = db.set_metadata(md) {
            tracing::warn!(error = %e, "cannot store metric metadata");
        }
    }
    let written = outcome.samples_written + outcome.duplicates_ignored;
    let mut resp = match &outcome.first_error {
        None => StatusCode::NO_CONTENT.into_response(),
        Some((series, err)) => {
            state.metrics.samples_rejected.add(outcome.rejected as u64);
            tracing::warn!(rejected = outcome.rejected, written, first_series = %series, first_error = %err, "remote-write samples rejected");
            text(
                StatusCode::BAD_REQUEST,
                format!("{} of {received} samples rejected; first: {err} (series {series})", outcome.rejected),
            )
        }
    };
    add_written_headers(&mut resp, written, 0);
    Ok(resp)
}

/// `X-Prometheus-Remote-Write-*-Written`. Exemplars are counted by the decoder but not stored
/// yet, so none are reported as written.
fn add_written_headers(resp: &mut Response, samples: usize, histograms: usize) {
    for (name, value) in ::remote_write::written_headers(samples, histograms, 0) {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            resp.headers_mut().insert(n, v);
        }
    }
}
