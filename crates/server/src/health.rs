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
    if state.db().is_some() {
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
