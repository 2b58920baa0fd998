//! The HTTP side of a scrape: one connection-pooling client per job, built from the job's
//! authentication and TLS settings, and a fetch that enforces the timeout and the body size
//! limit (after gzip decompression, as Prometheus does).

use std::io::Read;
use std::sync::Once;

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

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only when a provider is already installed, which is what we want anyway.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Builds the pooled client of one job.
pub fn build_client(http: &HttpSettings) -> Result<reqwest::Client, FetchError> {
    install_crypto_provider();
    let mut b = reqwest::Client::builder()
        .no_proxy()
        .user_agent(concat!("Vigil/", env!("CARGO_PKG_VERSION")))
        .pool_max_idle_per_host(2)
        .redirect(if http.follow_redirects {
            reqwest::redirect::Policy::limited(10)
        } else {
            reqwest::redirect::Policy::none()
        });
    if !http.enable_http2 {
        b = b.http1_only();
    }
    let tls = &http.tls;
    if tls.insecure_skip_verify {
        b = b.danger_accept_invalid_certs(true);
    }
    let read = |inline: &Option<String>, file: &Option<String>, what: &str| -> Result<Option<Vec<u8>>, FetchError> {
        match (inline, file) {
            (Some(s), _) => Ok(Some(s.as_bytes().to_vec())),
            (None, Some(p)) => std::fs::read(p)
                .map(Some)
                .map_err(|e| FetchError::Setup(format!("cannot read tls_config.{what}_file {p}: {e}"))),
            _ => Ok(None),
        }
    };
    if let Some(pem) = read(&tls.ca, &tls.ca_file, "ca")? {
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| FetchError::Setup(format!("invalid CA certificate in tls_config: {e}")))?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    if let (Some(mut cert), Some(key)) =
        (read(&tls.cert, &tls.cert_file, "cert")?, read(&tls.key, &tls.key_file, "key")?)
    {
        cert.push(b'\n');
        cert.extend_from_slice(&key);
        let id = reqwest::Identity::from_pem(&cert)
            .map_err(|e| FetchError::Setup(format!("invalid client certificate or key in tls_config: {e}")))?;
        b = b.identity(id);
    }
    b.build().map_err(|e| FetchError::Setup(format!("cannot build HTTP client: {e}")))
}

/// Reads a secret that may be inline or in a file (re-read on every scrape, like Prometheus,
/// so rotated credentials are picked up).
fn secret(inline: &Option<String>, file: &Option<String>) -> Result<Option<String>, FetchError> {
    match (inline, file) {
        (Some(s), _) => Ok(Some(s.clone())),
        (None, Some(p)) => std::fs::read_to_string(p)
            .map(|s| Some(s.trim().to_string()))
            .map_err(|e| FetchError::Setup(format!("cannot read credentials file {p}: {e}"))),
        _ => Ok(None),
    }
}

/// GETs a scrape URL with Prometheus's headers, within `timeout_ms`, reading at most
/// `body_limit` bytes of (decompressed) body; 0 means no limit.
pub async fn fetch(
    client: &reqwest::Client,
    http: &HttpSettings,
    url: &str,
    timeout_ms: i64,
    body_limit: u64,
) -> Result<Fetched, FetchError> {
    let timeout = std::time::Duration::from_millis(timeout_ms.max(1) as u64);
    let mut req = client
        .get(url)
        .header(reqwest::header::ACCEPT, exposition::SCRAPE_ACCEPT_HEADER)
        .header("X-Prometheus-Scrape-Timeout-Seconds", format!("{}", timeout_ms as f64 / 1000.0));
    if http.compression {
        req = req.header(reqwest::header::ACCEPT_ENCODING, "gzip");
    } else {
        req = req.header(reqwest::header::ACCEPT_ENCODING, "identity");
    }
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
        let resp = req.send().await.map_err(|e| transport(url, &e))?;
        let status = resp.status();
        if status != reqwest::StatusCode::OK {
            let text = format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
            return Err(FetchError::Status(text.trim_end().to_string()));
        }
        let headers = resp.headers();
        let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from);
        let gzip = headers
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
        let mut resp = resp;
        let announced = resp.content_length().unwrap_or(0).min(if body_limit > 0 { body_limit } else { 64 << 20 });
        let mut raw = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport(url, &e))? {
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

fn transport(url: &str, e: &reqwest::Error) -> FetchError {
    FetchError::Transport { url: url.to_string(), message: error_chain(e) }
}

/// An error followed by its causes, `: `-separated. reqwest's Display hides the cause ("error
/// sending request"); the chain names it ("… tcp connect error: Connection refused").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
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
