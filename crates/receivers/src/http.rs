//! The HTTP side of the webhook, Slack and PagerDuty integrations: a pooled client built from
//! `http_config` (the scrape crate's client, so TLS and HTTP/2 behave as everywhere else in
//! Vigil), credentials applied per request (files re-read so rotated secrets are picked up),
//! Alertmanager's `User-Agent`, and its rule for which answers are failures worth retrying.

use alerting::config::types::{HttpConfig, Secret};
use scrape::config::{HttpSettings, TlsConfig};

use crate::error::AttemptError;

/// The `User-Agent` of notification requests: receivers that check it for Alertmanager keep
/// working.
pub const USER_AGENT: &str = "Alertmanager/0.25.0";

/// How much of an error response's body is kept for the error message.
const MAX_ERROR_BODY: usize = 1024;

/// Where a request's credentials come from.
#[derive(Debug, Clone)]
enum Credentials {
    Basic {
        username: String,
        username_file: Option<String>,
        password: Option<Secret>,
        password_file: Option<String>,
    },
    /// `Authorization: <kind> <credentials>` (bearer tokens included).
    Header {
        kind: String,
        credentials: Option<Secret>,
        credentials_file: Option<String>,
    },
}

/// An HTTP client for one integration.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    credentials: Option<Credentials>,
}

/// A response: status and (the start of) its body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl HttpClient {
    /// The client for `http_config` (`None`: defaults).
    pub fn new(config: Option<&HttpConfig>) -> Result<HttpClient, String> {
        let default = HttpConfig::default();
        let cfg = config.unwrap_or(&default);
        cfg.validate()?;
        let t = &cfg.tls_config;
        let settings = HttpSettings {
            basic_auth: None,
            authorization: None,
            tls: TlsConfig {
                ca: t.ca.clone(),
                ca_file: t.ca_file.clone(),
                cert: t.cert.clone(),
                cert_file: t.cert_file.clone(),
                key: t.key.as_ref().map(|k| k.expose().to_string()),
                key_file: t.key_file.clone(),
                server_name: t.server_name.clone(),
                insecure_skip_verify: t.insecure_skip_verify,
                min_version: t.min_version.clone(),
                max_version: t.max_version.clone(),
            },
            follow_redirects: cfg.follow_redirects,
            enable_http2: cfg.enable_http2,
            compression: false,
        };
        let client = scrape::client::build_client(&settings).map_err(|e| e.to_string())?;
        Ok(HttpClient { client, credentials: credentials(cfg) })
    }

    /// POSTs a JSON body with Alertmanager's headers.
    pub async fn post_json(&self, url: &str, body: String) -> Result<Response, AttemptError> {
        let mut req = self
            .client
            .post(url)
            .header(reqwest::header::USER_AGENT, USER_AGENT)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        match &self.credentials {
            None => {}
            Some(Credentials::Basic { username, username_file, password, password_file }) => {
                let user = secret(Some(username.as_str()).filter(|u| !u.is_empty()), username_file.as_deref())?;
                let pass = secret(password.as_ref().map(Secret::expose), password_file.as_deref())?;
                req = req.basic_auth(user, Some(pass));
            }
            Some(Credentials::Header { kind, credentials, credentials_file }) => {
                let c = secret(credentials.as_ref().map(Secret::expose), credentials_file.as_deref())?;
                req = req.header(reqwest::header::AUTHORIZATION, format!("{kind} {c}"));
            }
        }
        let mut resp = req.send().await.map_err(|e| AttemptError::Transport(describe(&e.without_url())))?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        // The body only feeds error messages; a broken body after the status is not a failure.
        while let Ok(Some(chunk)) = resp.chunk().await {
            if body.len() < MAX_ERROR_BODY {
                body.extend_from_slice(&chunk);
            }
        }
        body.truncate(MAX_ERROR_BODY);
        Ok(Response { status, body: String::from_utf8_lossy(&body).trim().to_string() })
    }
}

fn credentials(cfg: &HttpConfig) -> Option<Credentials> {
    if let Some(b) = &cfg.basic_auth {
        return Some(Credentials::Basic {
            username: b.username.clone(),
            username_file: b.username_file.clone(),
            password: b.password.clone(),
            password_file: b.password_file.clone(),
        });
    }
    if let Some(a) = &cfg.authorization {
        return Some(Credentials::Header {
            kind: a.kind.clone().unwrap_or_else(|| "Bearer".into()),
            credentials: a.credentials.clone(),
            credentials_file: a.credentials_file.clone(),
        });
    }
    if cfg.bearer_token.is_some() || cfg.bearer_token_file.is_some() {
        return Some(Credentials::Header {
            kind: "Bearer".into(),
            credentials: cfg.bearer_token.clone(),
            credentials_file: cfg.bearer_token_file.clone(),
        });
    }
    None
}

/// An inline secret, else the trimmed content of its file, else empty.
fn secret(inline: Option<&str>, file: Option<&str>) -> Result<String, AttemptError> {
    match (inline, file) {
        (Some(s), _) => Ok(s.to_string()),
        (None, Some(path)) => read_secret_file(path),
        (None, None) => Ok(String::new()),
    }
}

/// Reads a secret (URL, key, password) from a file, trimmed, as Alertmanager does at send time.
pub fn read_secret_file(path: &str) -> Result<String, AttemptError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|e| AttemptError::Config(format!("cannot read {path}: {e}")))
}

/// An error with its causes (`error sending request: client error (Connect): tcp connect
/// error: Connection refused`), without the URL, which may hold a secret (Slack's does).
fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Alertmanager's `Retrier.Check`: 2xx succeeds; 5xx and `retry_codes` are retried; anything
/// else fails for good. `details` turns the response into the error's detail text.
pub fn check(resp: &Response, retry_codes: &[u16], details: impl Fn(&Response) -> String) -> Result<(), AttemptError> {
    if resp.status / 100 == 2 {
        return Ok(());
    }
    let retry = resp.status / 100 == 5 || retry_codes.contains(&resp.status);
    Err(AttemptError::Status { status: resp.status, details: details(resp), retry })
}

/// The response body as the error detail (Alertmanager's default).
pub fn body_details(resp: &Response) -> String {
    resp.body.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16) -> Response {
        Response { status, body: "nope".into() }
    }

    #[test]
    fn status_classes_decide_retries() {
        assert!(check(&resp(202), &[], body_details).is_ok());
        let e = check(&resp(500), &[], body_details).unwrap_err();
        assert!(e.is_retryable());
        assert_eq!(e.to_string(), "unexpected status code 500: nope");
        assert!(!check(&resp(400), &[], body_details).unwrap_err().is_retryable());
        assert!(check(&resp(429), &[429], body_details).unwrap_err().is_retryable());
        assert!(!check(&resp(429), &[], body_details).unwrap_err().is_retryable());
    }
}
