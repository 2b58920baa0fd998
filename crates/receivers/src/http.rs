//! The HTTP side of the webhook, Slack and PagerDuty integrations: a pooled client built from
//! `http_config` (Vigil's one HTTP stack, so TLS, OAuth2, proxies and headers behave as
//! everywhere else in Vigil), credentials applied per request (files re-read so rotated secrets are picked up),
//! Alertmanager's `User-Agent`, and its rule for which answers are failures worth retrying.

use alerting::config::types::HttpConfig;
use httpclient::hyper_reexports::{CONTENT_TYPE, HeaderMap, HeaderValue, Method};
use httpclient::{ClientError, ClientOptions};

use crate::error::{AttemptError, SetupError};

/// The `User-Agent` of notification requests: receivers that check it for Alertmanager keep
/// working.
pub const USER_AGENT: &str = "Alertmanager/0.25.0";

/// How much of an error response's body is kept for the error message.
const MAX_ERROR_BODY: usize = 1024;

/// An HTTP client for one integration.
#[derive(Clone)]
pub struct HttpClient {
    client: httpclient::HttpClient,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").finish_non_exhaustive()
    }
}

/// A response: status and (the start of) its body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl HttpClient {
    /// The client for `http_config` (`None`: defaults).
    pub fn new(config: Option<&HttpConfig>) -> Result<HttpClient, SetupError> {
        let default = HttpConfig::default();
        let cfg = config.unwrap_or(&default);
        let opts = ClientOptions { user_agent: USER_AGENT.to_string(), ..ClientOptions::default() };
        let client = httpclient::HttpClient::new(cfg, opts)?;
        Ok(HttpClient { client })
    }

    /// POSTs a JSON body with Alertmanager's headers.
    pub async fn post_json(&self, url: &str, body: String) -> Result<Response, AttemptError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let mut resp = self.client.request(Method::POST, url, headers, body.into()).await.map_err(|e| match e {
            ClientError::Transport(m) => AttemptError::Transport(m),
            ClientError::OAuth2 { .. } => AttemptError::Transport(e.to_string()),
            // Never the URL itself: it may hold a secret (Slack's does).
            ClientError::Url { reason, .. } => AttemptError::Config(format!("invalid URL: {reason}")),
            other => AttemptError::Config(other.to_string()),
        })?;
        let status = resp.status.as_u16();
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

/// Reads a secret (URL, key, password) from a file, trimmed, as Alertmanager does at send time.
pub fn read_secret_file(path: &str) -> Result<String, AttemptError> {
    promconfig::secret::resolve(None, Some(path), "secret file")
        .map(Option::unwrap_or_default)
        .map_err(|e| AttemptError::Config(format!("cannot read {path}: {}", e.source)))
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
