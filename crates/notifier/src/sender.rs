//! One POST of a JSON alert batch to one Alertmanager, as Prometheus's `sendOne`: credentials
//! read at send time (so rotated files are picked up), the set's timeout around the whole
//! exchange, and any 2xx status counted as success.

use std::time::Duration;

use bytes::Bytes;
use scrape::config::HttpSettings;

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

/// Reads a secret given inline or in a file.
fn secret(inline: &Option<String>, file: &Option<String>) -> Result<Option<String>, SendError> {
    match (inline, file) {
        (Some(s), _) => Ok(Some(s.clone())),
        (None, Some(p)) => std::fs::read_to_string(p)
            .map(|s| Some(s.trim().to_string()))
            .map_err(|e| SendError::Setup(format!("cannot read credentials file {p}: {e}"))),
        _ => Ok(None),
    }
}

/// POSTs `body` (a JSON array of alerts) to `url` within `timeout_ms`.
pub async fn post(
    client: &reqwest::Client,
    http: &HttpSettings,
    url: &str,
    body: Bytes,
    timeout_ms: i64,
) -> Result<(), SendError> {
    let mut req = client.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
    if let Some(b) = &http.basic_auth {
        let user = secret(&b.username, &b.username_file)?.unwrap_or_default();
        let pass = secret(&b.password, &b.password_file)?;
        req = req.basic_auth(user, pass);
    }
    if let Some((kind, cred, file)) = &http.authorization {
        let c = secret(cred, file)?.unwrap_or_default();
        req = req.header(reqwest::header::AUTHORIZATION, format!("{kind} {c}"));
    }
    let work = async {
        let mut resp = req.send().await.map_err(|e| transport(url, &e))?;
        let status = resp.status();
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

fn transport(url: &str, e: &reqwest::Error) -> SendError {
    SendError::Transport { url: url.to_string(), message: scrape::client::error_chain(e) }
}
