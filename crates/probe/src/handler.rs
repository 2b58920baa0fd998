//! The `/probe` endpoint: blackbox_exporter's parameters, timeout header and error answers.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::{Modules, ProbeError, run_module};

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The one path [`router`] serves.
pub const PATH: &str = "/probe";

/// An axum router serving `GET /probe` with blackbox's error behaviour: 400 for an unknown
/// module or a missing target, 500 for an unparsable timeout header. The modules sit behind a
/// lock so a configuration reload swaps them without restarting the server.
pub fn router(modules: Arc<RwLock<Modules>>) -> axum::Router {
    axum::Router::new().route(PATH, get(probe)).with_state(modules)
}

async fn probe(
    State(modules): State<Arc<RwLock<Modules>>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let name = params.get("module").map(String::as_str).filter(|m| !m.is_empty()).unwrap_or("http_2xx");
    // Clone the one module out so the lock is not held across the probe.
    let module = match modules.read() {
        Ok(guard) => guard.get(name).cloned(),
        Err(poisoned) => poisoned.into_inner().get(name).cloned(),
    };
    let Some(mut module) = module else {
        return error(StatusCode::BAD_REQUEST, ProbeError::UnknownModule(name.to_string()).to_string());
    };
    let timeout = match headers.get("X-Prometheus-Scrape-Timeout-Seconds").map(|v| v.to_str().map(str::parse::<f64>)) {
        None => None,
        Some(Ok(Ok(v))) => Some(v),
        Some(_) => {
            let msg = "Failed to parse timeout from Prometheus header: invalid syntax".to_string();
            return error(StatusCode::INTERNAL_SERVER_ERROR, msg);
        }
    };
    let target = params.get("target").cloned().unwrap_or_default();
    if let Some(hostname) = params.get("hostname").filter(|h| !h.is_empty())
        && module.prober == "http"
        && !target.is_empty()
    {
        if let Some((_, configured)) = module.http.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host"))
            && configured != hostname
        {
            let e = ProbeError::HostConflict { configured: configured.clone(), requested: hostname.clone() };
            return error(StatusCode::BAD_REQUEST, e.to_string());
        }
        module.http.headers.retain(|k, _| !k.eq_ignore_ascii_case("host"));
        module.http.headers.insert("Host".to_string(), hostname.clone());
    }
    match run_module(&module, &target, timeout).await {
        Ok(text) => ([(header::CONTENT_TYPE, TEXT_FORMAT)], text).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// Go's `http.Error`: plain text with a trailing newline.
fn error(status: StatusCode, message: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n")).into_response()
}
