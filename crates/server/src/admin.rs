//! Admin endpoints, enabled only with `--web.enable-admin-api`.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::prom_api::ApiError;

/// Why a snapshot could not be taken; answered as `internal` with status 500.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("persisting the head: {0}")]
    Flush(#[source] tsdb::Error),
    #[error("creating {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: std::io::Error },
    /// A block vanished between listing and linking, typically replaced by a compaction.
    #[error("linking {} (a compaction may have replaced it; retry): {source}", path.display())]
    Link { path: PathBuf, source: std::io::Error },
}

/// `POST /api/v1/admin/tsdb/flush`: persists the whole head into blocks and compacts them
/// now (Vigil-specific; used by benchmarks and before backups).
pub async fn flush(State(state): State<Arc<AppState>>) -> Response {
    if !state.admin_api {
        return (StatusCode::FORBIDDEN, "admin APIs are disabled; start Vigil with --web.enable-admin-api\n")
            .into_response();
    }
    let Ok(db) = state.running().map(|r| r.db.clone()) else {
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

/// `POST /api/v1/admin/tsdb/snapshot[?skip_head=true]`: persists the head into blocks (unless
/// `skip_head`) and hard-links every block into `<data>/snapshots/<name>/blocks/`, as
/// Prometheus does; the snapshot is a data directory `vigil --storage.path` can open.
pub async fn snapshot(
    State(state): State<Arc<AppState>>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    if !state.admin_api {
        return crate::prom_api::admin_disabled();
    }
    let Ok(db) = state.running().map(|r| r.db.clone()) else {
        return (StatusCode::SERVICE_UNAVAILABLE, "storage is not ready yet\n").into_response();
    };
    let skip_head = q.as_deref().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "skip_head" && (v == "true" || v == "1"))
    });
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let name = format!(
        "{}-{:016x}",
        crate::prom_api::status::rfc3339(now).replace(['-', ':'], "").split('.').next().unwrap_or("").to_string() + "Z",
        xorshift(now as u64)
    );
    let result = tokio::task::spawn_blocking(move || -> Result<String, SnapshotError> {
        if !skip_head {
            db.flush_head().map_err(SnapshotError::Flush)?;
        }
        let dir = db.dir().join("snapshots").join(&name);
        std::fs::create_dir_all(&dir).map_err(|source| SnapshotError::CreateDir { path: dir.clone(), source })?;
        for block in db.block_handles() {
            let Some(block_name) = block.dir.file_name() else { continue };
            link_tree(&block.dir, &dir.join("blocks").join(block_name))
                .map_err(|source| SnapshotError::Link { path: block.dir.clone(), source })?;
        }
        Ok(name)
    })
    .await;
    match result {
        Ok(Ok(name)) => Json(serde_json::json!({"status": "success", "data": {"name": name}})).into_response(),
        Ok(Err(e)) => ApiError::Snapshot(e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("snapshot task failed: {e}\n")).into_response(),
    }
}

/// Hard-links every file under `from` into the same layout under `to`.
fn link_tree(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            link_tree(&entry.path(), &target)?;
        } else {
            std::fs::hard_link(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A few random-looking bits for snapshot names (unique per millisecond is enough).
fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}
