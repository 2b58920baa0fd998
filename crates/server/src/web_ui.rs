//! The web UI on Vigil's port: every GET that no API route answers. Files of the bundle are
//! served as embedded (precompressed, with ETags); the UI's page paths answer `index.html`, so
//! the client-side router draws `/explore`, `/d/{uid}/{slug}` and the rest, and a link to any
//! view works when opened fresh. Any other path answers the same page with status 404: a
//! browser shows the UI's "not found" page, a client or probe sees 404.

use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// Path prefixes that belong to APIs: an unknown path under them is a 404, never the UI page,
/// so clients of the APIs get a clear answer instead of HTML.
const API_PREFIXES: &[&str] = &["/api/", "/-/", "/metrics", "/federate", "/probe", "/loki/", "/v1/"];

/// The fallback handler: UI assets and client-side routes, 404 for everything else.
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if !(method == Method::GET || method == Method::HEAD) || API_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return crate::health::not_found(uri).await;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let name = if last.contains('.') { path } else { ui::INDEX };
    let status = if name == ui::INDEX && !ui::is_page(path) { StatusCode::NOT_FOUND } else { StatusCode::OK };
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(asset) = ui::lookup(name, accept) else {
        return crate::health::not_found(uri).await;
    };
    let if_none_match = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).unwrap_or("");
    // Names are not content-hashed, so browsers revalidate every time; the ETag makes that a 304.
    let common = [
        (header::ETAG, asset.etag.clone()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
        (header::VARY, "Accept-Encoding".to_string()),
    ];
    if status == StatusCode::OK && ui::not_modified(&asset, if_none_match) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let mut resp = (status, common, [(header::CONTENT_TYPE, asset.content_type)]).into_response();
    if let Some(enc) = asset.encoding
        && let Ok(v) = header::HeaderValue::from_str(enc)
    {
        resp.headers_mut().insert(header::CONTENT_ENCODING, v);
    }
    if method == Method::HEAD {
        if let Ok(v) = header::HeaderValue::from_str(&asset.body.len().to_string()) {
            resp.headers_mut().insert(header::CONTENT_LENGTH, v);
        }
        return resp;
    }
    let (parts, _) = resp.into_parts();
    Response::from_parts(parts, axum::body::Body::from(asset.body.into_owned()))
}
