//! Admin endpoints, enabled only with `--web.enable-admin-api`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// `POST /api/v1/admin/tsdb/flush`: persists the whole head into blocks and compacts them
/// now (Vigil-specific; used by benchmarks and before backups).
pub async fn flush(State(state): State<Arc<AppState>>) -> Response {
    if !state.admin_api {
        return (StatusCode::FORBIDDEN, "admin APIs are disabled; start Vigil with --web.enable-admin-api\n")
            .into_response();
    }
    let Some(db) = state.db().cloned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "storage is not ready yet\n").into_response();
    };
    match tokio::task::spawn_blocking(move || db.flush_head().map(|r| (r, db.stats()))).await {
        Ok(Ok((report, stats))) => Json(serde_json::json!({
            "status": "success",
            "data": {
                "blocksWritten": report.blocks_written,
                "compactions": report.compactions,
                "blocks": stats.blocks,
                "blockBytes": stats.block_bytes,
                "blockSamples": stats.block_samples,
                "walBytes": stats.wal_bytes,
            }
        }))
        .into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("flush failed: {e}\n")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("flush task failed: {e}\n")).into_response(),
    }
}
