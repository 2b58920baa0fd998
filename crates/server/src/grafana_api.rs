//! Grafana's dashboard HTTP API (`/api/dashboards/...`, `/api/search`, `/api/folders`,
//! `/api/health`) with Grafana's request and response shapes and status codes, so scripts
//! that push dashboards to Grafana work against Vigil. Handlers parse and shape JSON only;
//! every decision is made by `dashboards::DashboardStore`.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use dashboards::{
    Dashboard, DashboardStore, DeleteError, Folder, FolderError, GENERAL_FOLDER_TITLE, Hit, HitKind, SaveError,
    SaveRequest, SearchQuery,
};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::prom_api::status::rfc3339;

/// The Grafana-compatible routes, as data so the server can list every path it serves.
pub fn routes() -> Vec<(&'static str, MethodRouter<Arc<AppState>>)> {
    vec![
        ("/api/health", get(health)),
        ("/api/dashboards/db", post(save_dashboard)),
        ("/api/dashboards/uid/{uid}", get(get_dashboard).delete(delete_dashboard)),
        ("/api/dashboards/tags", get(tags)),
        ("/api/search", get(search)),
        ("/api/folders", get(list_folders).post(create_folder)),
        ("/api/folders/{uid}", get(get_folder)),
    ]
}

/// A refusal in Grafana's shape: `{"message": ...}`, plus `"status"` for the errors Grafana
/// gives one (`version-mismatch`, `name-exists`, `not-found`, `empty-name`).
struct ApiError {
    code: StatusCode,
    message: String,
    status: Option<&'static str>,
}

impl ApiError {
    fn new(code: StatusCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), status: None }
    }

    fn with_status(mut self, status: &'static str) -> Self {
        self.status = Some(status);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "message": self.message });
        if let Some(s) = self.status {
            body["status"] = Value::from(s);
        }
        reply(self.code, body)
    }
}

impl From<SaveError> for ApiError {
    fn from(e: SaveError) -> Self {
        let message = e.to_string();
        match e {
            SaveError::TitleEmpty => ApiError::new(StatusCode::BAD_REQUEST, message).with_status("empty-name"),
            SaveError::Uid(_)
            | SaveError::SameUidExists
            | SaveError::CannotSaveProvisioned
            | SaveError::FolderNotFound => ApiError::new(StatusCode::BAD_REQUEST, message),
            SaveError::NotFound => ApiError::new(StatusCode::NOT_FOUND, message).with_status("not-found"),
            SaveError::NameExists => ApiError::new(StatusCode::PRECONDITION_FAILED, message).with_status("name-exists"),
            SaveError::VersionMismatch => {
                ApiError::new(StatusCode::PRECONDITION_FAILED, message).with_status("version-mismatch")
            }
            SaveError::Storage(_) => internal(message),
        }
    }
}

impl From<DeleteError> for ApiError {
    fn from(e: DeleteError) -> Self {
        let message = e.to_string();
        match e {
            DeleteError::NotFound => ApiError::new(StatusCode::NOT_FOUND, message),
            DeleteError::Provisioned => ApiError::new(StatusCode::BAD_REQUEST, message),
            DeleteError::Storage(_) => internal(message),
        }
    }
}

impl From<FolderError> for ApiError {
    fn from(e: FolderError) -> Self {
        let message = e.to_string();
        match e {
            FolderError::TitleEmpty | FolderError::Uid(_) => ApiError::new(StatusCode::BAD_REQUEST, message),
            FolderError::SameUidExists | FolderError::SameNameExists => ApiError::new(StatusCode::CONFLICT, message),
            FolderError::Storage(_) => internal(message),
        }
    }
}

fn internal(message: String) -> ApiError {
    tracing::error!(error = %message, "dashboard store failure");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
}

type ApiResult = Result<Response, ApiError>;

fn reply(code: StatusCode, body: Value) -> Response {
    (code, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Runs a store call that writes files off the async threads.
async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&DashboardStore) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.dashboards.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| internal(format!("dashboard store task failed: {e}")))
}

/// The request body as a JSON object, within `--web.max-request-bytes`.
async fn json_body(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Map<String, Value>, ApiError> {
    let limit = state.limits.max_body_bytes;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body exceeds the limit of {limit} bytes (--web.max-request-bytes)"),
        )
    };
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let bytes = to_bytes(body, limit).await.map_err(|_| too_large())?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_request("the body is not a JSON object")),
        Err(e) => Err(bad_request(format!("the body is not valid JSON: {e}"))),
    }
}

/// Grafana answers unparsable bodies with "bad request data"; the detail says what is wrong.
fn bad_request(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, format!("bad request data: {detail}"))
}

/// `GET /api/health`
async fn health() -> Response {
    reply(StatusCode::OK, json!({ "commit": "", "database": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Parses a `POST /api/dashboards/db` body.
fn save_request(mut body: Map<String, Value>) -> Result<SaveRequest, ApiError> {
    let dashboard = match body.remove("dashboard") {
        Some(Value::Object(d)) => d,
        Some(_) => return Err(bad_request("\"dashboard\" must be a JSON object")),
        None => return Err(bad_request("\"dashboard\" is missing")),
    };
    let overwrite = match body.get("overwrite") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad_request("\"overwrite\" must be a boolean")),
    };
    let folder_uid = match body.get("folderUid") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad_request("\"folderUid\" must be a string")),
    };
    let folder_id = match body.get("folderId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| bad_request("\"folderId\" must be an integer"))?),
    };
    let message = body.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(SaveRequest { dashboard, overwrite, folder_uid, folder_id, message })
}

/// `POST /api/dashboards/db`: create or update.
async fn save_dashboard(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> ApiResult {
    let req = save_request(json_body(&state, &headers, body).await?)?;
    let now = now_ms();
    let saved = blocking(&state, move |s| s.save(req, now)).await??;
    tracing::info!(uid = %saved.uid, version = saved.version, title = %saved.title, "dashboard saved");
    Ok(reply(
        StatusCode::OK,
        json!({
            "id": saved.id,
            "uid": saved.uid,
            "url": saved.url(),
            "status": "success",
            "version": saved.version,
            "slug": saved.slug(),
            "folderUid": saved.folder_uid,
        }),
    ))
}

fn folder_fields(folder: Option<&Folder>) -> (i64, &str, &str, String) {
    match folder {
        Some(f) => (f.id, f.uid.as_str(), f.title.as_str(), f.url()),
        None => (0, "", GENERAL_FOLDER_TITLE, String::new()),
    }
}

/// `GET /api/dashboards/uid/{uid}`
async fn get_dashboard(State(state): State<Arc<AppState>>, Path(uid): Path<String>) -> ApiResult {
    let store = &state.dashboards;
    let d = store.get(&uid).ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "Dashboard not found"))?;
    let folder = store.folder(&d.folder_uid);
    let (folder_id, folder_uid, folder_title, folder_url) = folder_fields(folder.as_ref());
    let provisioning = d.provisioning();
    let meta = json!({
        "type": "db",
        "canSave": d.can_save(),
        "canEdit": d.can_save(),
        "canAdmin": true,
        "canStar": false,
        "canDelete": d.can_delete(),
        "slug": d.slug(),
        "url": d.url(),
        "expires": "0001-01-01T00:00:00Z",
        "created": rfc3339(d.created_ms),
        "updated": rfc3339(d.updated_ms),
        "updatedBy": "",
        "createdBy": "",
        "version": d.version,
        "hasAcl": false,
        "isFolder": false,
        "isStarred": false,
        "folderId": folder_id,
        "folderUid": folder_uid,
        "folderTitle": folder_title,
        "folderUrl": folder_url,
        // As Grafana: a provisioned dashboard the API may update is not shown as provisioned.
        "provisioned": provisioning.is_some_and(|p| !p.allow_ui_updates),
        "provisionedExternalId": provisioning.map(|p| p.external_id.as_str()).unwrap_or_default(),
    });
    Ok(reply(StatusCode::OK, json!({ "dashboard": d.json, "meta": meta })))
}

/// `DELETE /api/dashboards/uid/{uid}`
async fn delete_dashboard(State(state): State<Arc<AppState>>, Path(uid): Path<String>) -> ApiResult {
    let gone = blocking(&state, move |s| s.delete(&uid)).await??;
    tracing::info!(uid = %gone.uid, title = %gone.title, "dashboard deleted");
    Ok(reply(
        StatusCode::OK,
        json!({ "title": gone.title, "message": format!("Dashboard {} deleted", gone.title), "id": gone.id }),
    ))
}

/// `GET /api/dashboards/tags`
async fn tags(State(state): State<Arc<AppState>>) -> Response {
    let tags: Vec<Value> =
        state.dashboards.tags().into_iter().map(|(term, count)| json!({ "term": term, "count": count })).collect();
    reply(StatusCode::OK, Value::Array(tags))
}

fn parse_count(name: &str, value: &str) -> Result<usize, ApiError> {
    value.parse::<usize>().map_err(|_| bad_request(format!("{name} must be a non-negative integer, got {value:?}")))
}

/// Parses `GET /api/search` parameters (`tag`, `dashboardUIDs`, `folderUIDs`, `folderIds`
/// repeatable).
fn search_query(raw: Option<&str>) -> Result<(SearchQuery, bool), ApiError> {
    let mut q = SearchQuery::default();
    let mut starred = false;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "query" => q.query = Some(v.into_owned()),
            "tag" => q.tags.push(v.into_owned()),
            "type" => {
                q.kind = match v.as_ref() {
                    "dash-db" => Some(HitKind::Dashboard),
                    "dash-folder" => Some(HitKind::Folder),
                    "" => None,
                    other => return Err(bad_request(format!("type must be dash-db or dash-folder, got {other:?}"))),
                }
            }
            "dashboardUIDs" | "dashboardUID" => q.dashboard_uids.extend(split_list(&v)),
            "folderUIDs" => q.folder_uids.extend(split_list(&v)),
            "folderIds" => {
                for id in split_list(&v) {
                    let id = id
                        .parse::<i64>()
                        .map_err(|_| bad_request(format!("folderIds must be integers, got {id:?}")))?;
                    q.folder_ids.push(id);
                }
            }
            "limit" => q.limit = parse_count("limit", &v)?,
            "page" => q.page = parse_count("page", &v)?,
            "starred" => starred = v == "true",
            _ => {}
        }
    }
    if q.limit == 0 {
        q.limit = dashboards::DEFAULT_SEARCH_LIMIT;
    }
    Ok((q, starred))
}

/// A repeatable parameter may also carry a comma-separated list.
fn split_list(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn hit_json(hit: &Hit) -> Value {
    match hit {
        Hit::Folder(f) => json!({
            "id": f.id,
            "uid": f.uid,
            "orgId": 1,
            "title": f.title,
            "uri": format!("db/{}", dashboards::slug::slugify(&f.title)),
            "url": f.url(),
            "slug": dashboards::slug::slugify(&f.title),
            "type": "dash-folder",
            "tags": [],
            "isStarred": false,
            "sortMeta": 0,
        }),
        Hit::Dashboard { dashboard: d, folder } => dashboard_hit(d, folder.as_ref()),
    }
}

fn dashboard_hit(d: &Dashboard, folder: Option<&Folder>) -> Value {
    let mut hit = json!({
        "id": d.id,
        "uid": d.uid,
        "orgId": 1,
        "title": d.title,
        "uri": format!("db/{}", d.slug()),
        "url": d.url(),
        "slug": d.slug(),
        "type": "dash-db",
        "tags": d.tags,
        "isStarred": false,
        "sortMeta": 0,
    });
    // Grafana leaves the folder fields out for dashboards in General.
    if let Some(f) = folder {
        hit["folderId"] = Value::from(f.id);
        hit["folderUid"] = Value::from(f.uid.as_str());
        hit["folderTitle"] = Value::from(f.title.as_str());
        hit["folderUrl"] = Value::from(f.url());
    }
    hit
}

/// `GET /api/search`
async fn search(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    let (q, starred) = search_query(raw.as_deref())?;
    // Vigil has no stars: a search for starred dashboards finds none.
    let hits = if starred { Vec::new() } else { state.dashboards.search(&q) };
    Ok(reply(StatusCode::OK, Value::Array(hits.iter().map(hit_json).collect())))
}

fn folder_json(f: &Folder) -> Value {
    json!({
        "id": f.id,
        "uid": f.uid,
        "orgId": 1,
        "title": f.title,
        "url": f.url(),
        "hasAcl": false,
        "canSave": true,
        "canEdit": true,
        "canAdmin": true,
        "canDelete": false,
        "createdBy": "",
        "created": rfc3339(f.created_ms),
        "updatedBy": "",
        "updated": rfc3339(f.updated_ms),
        "version": f.version,
    })
}

/// `GET /api/folders`
async fn list_folders(State(state): State<Arc<AppState>>) -> Response {
    let folders: Vec<Value> =
        state.dashboards.folders().iter().map(|f| json!({ "id": f.id, "uid": f.uid, "title": f.title })).collect();
    reply(StatusCode::OK, Value::Array(folders))
}

/// `GET /api/folders/{uid}`
async fn get_folder(State(state): State<Arc<AppState>>, Path(uid): Path<String>) -> ApiResult {
    match state.dashboards.folder(&uid) {
        Some(f) => Ok(reply(StatusCode::OK, folder_json(&f))),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "folder not found").with_status("not-found")),
    }
}

/// `POST /api/folders`
async fn create_folder(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> ApiResult {
    let body = json_body(&state, &headers, body).await?;
    let field = |name: &str| match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_request(format!("\"{name}\" must be a string"))),
    };
    let uid = field("uid")?;
    let title = field("title")?.unwrap_or_default();
    let now = now_ms();
    let folder = blocking(&state, move |s| s.create_folder(uid.as_deref(), &title, now)).await??;
    tracing::info!(uid = %folder.uid, title = %folder.title, "folder created");
    Ok(reply(StatusCode::OK, folder_json(&folder)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_body_errors_name_the_field() {
        let m = |v: Value| match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let e = save_request(m(json!({"overwrite": true}))).err().map(|e| e.message);
        assert_eq!(e.as_deref(), Some("bad request data: \"dashboard\" is missing"));
        let e = save_request(m(json!({"dashboard": []}))).err().map(|e| e.message);
        assert_eq!(e.as_deref(), Some("bad request data: \"dashboard\" must be a JSON object"));
        let e = save_request(m(json!({"dashboard": {}, "folderId": "x"}))).err().map(|e| e.message);
        assert_eq!(e.as_deref(), Some("bad request data: \"folderId\" must be an integer"));
        let ok =
            save_request(m(json!({"dashboard": {"title": "t"}, "overwrite": true, "folderUid": "f", "message": "m"})))
                .ok()
                .map(|r| (r.overwrite, r.folder_uid, r.message));
        assert_eq!(ok, Some((true, Some("f".to_string()), "m".to_string())));
    }

    #[test]
    fn search_parameters_repeat_and_validate() {
        let (q, starred) = search_query(Some(
            "query=Cart&tag=a&tag=b&type=dash-db&dashboardUIDs=x,y&dashboardUIDs=z&folderUIDs=general&limit=5&page=2",
        ))
        .ok()
        .expect("parses");
        assert!(!starred);
        assert_eq!(q.query.as_deref(), Some("Cart"));
        assert_eq!(q.tags, vec!["a", "b"]);
        assert_eq!(q.kind, Some(HitKind::Dashboard));
        assert_eq!(q.dashboard_uids, vec!["x", "y", "z"]);
        assert_eq!(q.folder_uids, vec!["general"]);
        assert_eq!((q.limit, q.page), (5, 2));
        assert!(search_query(Some("limit=ten")).is_err());
        assert!(search_query(Some("folderIds=x")).is_err());
        assert_eq!(
            search_query(Some("folderIds=0&folderIds=3,4")).ok().map(|(q, _)| q.folder_ids),
            Some(vec![0, 3, 4])
        );
        assert!(search_query(Some("type=bogus")).is_err());
        assert!(search_query(Some("starred=true")).is_ok_and(|(_, s)| s));
    }
}
