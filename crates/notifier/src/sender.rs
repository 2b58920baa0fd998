//! One POST of a JSON alert batch to one Alertmanager, as Prometheus's `sendOne`: credentials
//! read at send time (so rotated files are picked up), the set's timeout around the whole
//! exchange, and any 2xx status counted as success.

use std::time::Duration;

use bytes::Bytes;
use httpclient::HttpClient;
use httpclient::hyper_reexports::{CONTENT_TYPE, HeaderMap, HeaderValue, Method};

/// Why a batch did not reach an Alertmanager.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Setup(String),
    #[error("Post \"{url}\": context deadline exceeded (timeout {timeout_ms}ms)")]
    Timeout { url: String, timeout_ms: i64 },
    #[error("Post \"{url}\": {message}")]
    Transport { url: String, message: String },
    #[error("bad response status {0}")]
    Status(String),
}

/// POSTs `body` (a JSON array of alerts) to `url` within `timeout_ms`.
pub async fn post(client: &HttpClient, url: &str, body: Bytes, timeout_ms: i64) -> Result<(), SendError> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let work = async {
        let mut resp = client.request(Method::POST, url, headers, body).await.map_err(|e| transport(url, e))?;
        let status = resp.status;
        // Read the body to the end so the connection goes back to the pool.
        while let Ok(Some(_)) = resp.chunk().await {}
        if !status.is_success() {
            let text = format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
            return Err(SendError::Status(text.trim_end().to_string()));
        }
        Ok(())
    };
    let limit = Duration::from_millis(u64::try_from(timeout_ms).unwrap_or(0));
    match tokio::time::timeout(limit, work).await {
        Ok(r) => r,
        Err(_) => Err(SendError::Timeout { url: url.to_string(), timeout_ms }),
    }
}

fn transport(url: &str, e: httpclient::ClientError) -> SendError {
    match e {
        httpclient::ClientError::Transport(message) => SendError::Transport { url: url.to_string(), message },
        other => SendError::Setup(other.to_string()),
    }
}
