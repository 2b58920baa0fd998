//! OAuth2 client credentials (`oauth2:`): a token fetched from `token_url`, cached and reused
//! until shortly before it expires, then fetched again — what Prometheus's oauth2 round
//! tripper does with Go's `clientcredentials` package.

use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use promconfig::http::OAuth2;
use promconfig::secret;

use crate::client::{ClientOptions, HttpClient};
use crate::error::ClientError;
use crate::proxy::base64;

/// A token is refreshed this long before it expires (Go's oauth2 `expiryDelta`).
const EARLY_REFRESH: Duration = Duration::from_secs(10);

/// Largest token response read.
const MAX_TOKEN_RESPONSE: u64 = 1 << 20;

/// A cached access token.
#[derive(Debug, Clone)]
struct Token {
    header: String,
    expires: Option<Instant>,
}

/// Fetches and caches the tokens of one `oauth2:` block.
pub struct TokenSource {
    cfg: OAuth2,
    /// A client with the block's own TLS and proxy settings and no credentials.
    client: HttpClient,
    cache: tokio::sync::Mutex<Option<Token>>,
}

/// The token endpoint's JSON answer (RFC 6749 section 5.1).
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

impl TokenSource {
    pub fn new(cfg: &OAuth2, user_agent: &str) -> Result<TokenSource, ClientError> {
        let http = promconfig::HttpClientConfig {
            tls_config: cfg.tls_config.clone(),
            proxy_url: cfg.proxy_url.clone(),
            no_proxy: cfg.no_proxy.clone(),
            proxy_from_environment: cfg.proxy_from_environment,
            proxy_connect_header: cfg.proxy_connect_header.clone(),
            ..Default::default()
        };
        let client =
            HttpClient::new(&http, ClientOptions { user_agent: user_agent.to_string(), ..Default::default() })?;
        Ok(TokenSource { cfg: cfg.clone(), client, cache: tokio::sync::Mutex::new(None) })
    }

    /// The `Authorization` header value: the cached token while it is valid, a new one otherwise.
    pub async fn authorization(&self) -> Result<String, ClientError> {
        let mut cache = self.cache.lock().await;
        if let Some(t) = cache.as_ref()
            && t.expires.is_none_or(|e| Instant::now() + EARLY_REFRESH < e)
        {
            return Ok(t.header.clone());
        }
        let token = self.fetch().await?;
        let header = token.header.clone();
        *cache = Some(token);
        Ok(header)
    }

    /// The token request's form (built apart: the serializer is not `Send` across awaits).
    fn form(&self) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials");
        if !self.cfg.scopes.is_empty() {
            form.append_pair("scope", &self.cfg.scopes.join(" "));
        }
        for (k, v) in &self.cfg.endpoint_params {
            form.append_pair(k, v);
        }
        form.finish()
    }

    async fn fetch(&self) -> Result<Token, ClientError> {
        let url = self.cfg.token_url.clone();
        let fail = |reason: String| ClientError::OAuth2 { url: url.clone(), reason };
        let secret = secret::resolve(
            self.cfg.client_secret.as_ref(),
            self.cfg.client_secret_file.as_deref(),
            "oauth2 client_secret_file",
        )?
        .unwrap_or_default();
        let body = self.form();
        // RFC 6749 2.3.1: client id and secret form-encoded, then as Basic credentials.
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let basic = format!("Basic {}", base64(format!("{}:{}", enc(&self.cfg.client_id), enc(&secret)).as_bytes()));
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&basic).map_err(|_| fail("invalid client_id".into()))?);
        // Boxed: the token client is an HttpClient too, so this future nests in `request`'s.
        let resp = Box::pin(self.client.request(hyper::Method::POST, &url, headers, Bytes::from(body)))
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = resp.status;
        let bytes = resp.bytes_limited(MAX_TOKEN_RESPONSE).await.map_err(|e| fail(e.to_string()))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).into_owned();
            return Err(fail(format!("server returned HTTP status {status}: {}", text.trim())));
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&bytes).map_err(|e| fail(format!("invalid token response: {e}")))?;
        if parsed.access_token.is_empty() {
            return Err(fail("server response missing access_token".into()));
        }
        let seconds = match parsed.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => s.parse::<f64>().ok(),
            _ => None,
        };
        let expires = seconds.filter(|s| *s > 0.0).map(|s| Instant::now() + Duration::from_secs_f64(s.min(1e9)));
        let kind = match parsed.token_type.as_deref() {
            None | Some("") => "Bearer".to_string(),
            // RFC 6750: the scheme is case-insensitive; Go's oauth2 normalises "bearer".
            Some(k) if k.eq_ignore_ascii_case("bearer") => "Bearer".to_string(),
            Some(k) => k.to_string(),
        };
        tracing::debug!(token_url = %url, expires_in = ?seconds, "fetched OAuth2 token");
        Ok(Token { header: format!("{kind} {}", parsed.access_token), expires })
    }
}
