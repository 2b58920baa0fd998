//! The HTTP side of a scrape: one connection-pooling client per job, built from the job's
//! authentication and TLS settings, and a fetch that enforces the timeout and the body size
//! limit (after gzip decompression, as Prometheus does).

use std::io::Read;

use httpclient::hyper_reexports::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, StatusCode,
};
use httpclient::{ClientError, ClientOptions, HttpClient};

use crate::config::HttpSettings;

/// Why a fetch failed; the text becomes the target's `lastError`.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Setup(String),
    #[error("Get \"{url}\": context deadline exceeded (scrape timeout {timeout_ms}ms)")]
    Timeout { url: String, timeout_ms: i64 },
    #[error("Get \"{url}\": {message}")]
    Transport { url: String, message: String },
    #[error("server returned HTTP status {0}")]
    Status(String),
    #[error("body size limit exceeded ({limit} bytes)")]
    BodyTooLarge { limit: u64 },
    #[error("cannot decompress gzip body: {0}")]
    Gzip(String),
}

/// A fetched scrape body and its content type.
pub struct Fetched {
    pub body: Vec<u8>,
    pub content_type: Option<String>,
}

/// Builds the pooled client of one job.
pub fn build_client(http: &HttpSettings) -> Result<HttpClient, FetchError> {
    let opts = ClientOptions { pool_max_idle_per_host: 2, ..ClientOptions::default() };
    HttpClient::new(&http.client, opts).map_err(|e| FetchError::Setup(e.to_string()))
}

/// GETs a scrape URL with Prometheus's headers, within `timeout_ms`, reading at most
/// `body_limit` bytes of (decompressed) body; 0 means no limit.
pub async fn fetch(
    client: &HttpClient,
    http: &HttpSettings,
    url: &str,
    timeout_ms: i64,
    body_limit: u64,
) -> Result<Fetched, FetchError> {
    let timeout = std::time::Duration::from_millis(timeout_ms.max(1) as u64);
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(exposition::SCRAPE_ACCEPT_HEADER));
    let seconds = format!("{}", timeout_ms as f64 / 1000.0);
    if let Ok(v) = HeaderValue::from_str(&seconds) {
        headers.insert("X-Prometheus-Scrape-Timeout-Seconds", v);
    }
    headers.insert(ACCEPT_ENCODING, HeaderValue::from_static(if http.compression { "gzip" } else { "identity" }));
    let work = async {
        let mut resp = client.get(url, headers).await.map_err(|e| transport(url, e))?;
        let status = resp.status;
        if status != StatusCode::OK {
            let text = format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
            return Err(FetchError::Status(text.trim_end().to_string()));
        }
        let content_type = resp.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from);
        let gzip = resp
            .headers
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
        let announced = resp
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            .min(if body_limit > 0 { body_limit } else { 64 << 20 });
        let mut raw = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport(url, e))? {
            raw.extend_from_slice(&chunk);
            if !gzip && body_limit > 0 && raw.len() as u64 > body_limit {
                return Err(FetchError::BodyTooLarge { limit: body_limit });
            }
        }
        let body = if gzip { gunzip(&raw, body_limit)? } else { raw };
        Ok(Fetched { body, content_type })
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(FetchError::Timeout { url: url.to_string(), timeout_ms }),
    }
}

fn transport(url: &str, e: ClientError) -> FetchError {
    match e {
        ClientError::BodyTooLarge { limit } => FetchError::BodyTooLarge { limit },
        other => FetchError::Transport { url: url.to_string(), message: other.to_string() },
    }
}

fn gunzip(raw: &[u8], limit: u64) -> Result<Vec<u8>, FetchError> {
    // Expositions compress about 5-10×: sizing the buffer up front avoids regrowing it.
    let guess = raw.len().saturating_mul(8).min(32 << 20);
    let guess =
        if limit > 0 { guess.min(usize::try_from(limit).unwrap_or(usize::MAX).saturating_add(1)) } else { guess };
    let mut out = Vec::with_capacity(guess);
    let dec = flate2::read::GzDecoder::new(raw);
    let cap = if limit > 0 { limit + 1 } else { u64::MAX };
    dec.take(cap).read_to_end(&mut out).map_err(|e| FetchError::Gzip(e.to_string()))?;
    if limit > 0 && out.len() as u64 > limit {
        return Err(FetchError::BodyTooLarge { limit });
    }
    Ok(out)
}
