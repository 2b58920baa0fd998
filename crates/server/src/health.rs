//! Liveness, readiness, self-metrics and the 404 fallback.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub async fn healthy() -> &'static str {
    "Vigil is Healthy.\n"
}

pub async fn ready(State(state): State<Arc<AppState>>) -> Response {
    if state.running().is_ok() {
        (StatusCode::OK, "Vigil is Ready.\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable: replaying the write-ahead log\n").into_response()
    }
}

pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.registry.render()).into_response()
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    (StatusCode::NOT_FOUND, format!("404 page not found: {}\n", uri.path())).into_response()
}

/// `POST /-/reload`: re-reads the configuration like SIGHUP. Like Prometheus, only when
/// `--web.enable-lifecycle` is on; a failed reload answers 500 with the error and changes nothing,
/// and a reload before start-up has finished answers 503.
pub async fn reload(State(state): State<Arc<AppState>>) -> Response {
    let Some(tx) = &state.reload else {
        return (StatusCode::FORBIDDEN, "Lifecycle API is not enabled.\n").into_response();
    };
    // The reload loop starts once everything runs; until then there is nothing to reload.
    if state.running().is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "Vigil is still starting (WAL replay); reload once /-/ready\n")
            .into_response();
    }
    let (done, result) = tokio::sync::oneshot::channel();
    if tx.send(done).await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "Vigil is shutting down\n").into_response();
    }
    match result.await {
        Ok(Ok(())) => (StatusCode::OK, "").into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("failed to reload config: {e}\n")).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "reload was not carried out\n").into_response(),
    }
}

/// `GET /metrics/host`: this host's metrics under node_exporter's names, so a fresh Vigil scrapes
/// its own machine without a node_exporter. Read on a blocking thread: it walks /proc and /sys.
pub async fn host_metrics(State(state): State<Arc<AppState>>) -> Response {
    let host = state.host.clone();
    let body = tokio::task::spawn_blocking(move || {
        let mut out = String::with_capacity(64 << 10);
        host.gather(&mut out);
        out
    })
    .await;
    match body {
        Ok(text) => {
            ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("host metrics collection failed: {e}\n")).into_response(),
    }
}
