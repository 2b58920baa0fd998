//! The pooled HTTP client of one `http_config`: credentials, OAuth2 tokens and `http_headers`
//! applied to every request (secret files re-read each time, so rotated credentials are picked
//! up), redirects followed like Go's client, and bodies read with a size limit.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HOST, HeaderMap, HeaderValue, LOCATION, USER_AGENT};
use hyper::{Method, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use promconfig::HttpClientConfig;

use crate::auth::RequestAuth;
use crate::connector::Connector;
use crate::error::ClientError;
use crate::proxy::ProxySelector;

/// Redirects followed before giving up (Go's default).
const MAX_REDIRECTS: usize = 10;

/// Settings that belong to the caller rather than to `http_config`.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `User-Agent` sent unless the request sets one.
    pub user_agent: String,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { user_agent: concat!("Vigil/", env!("CARGO_PKG_VERSION")).into(), pool_max_idle_per_host: 4 }
    }
}

/// An HTTP client built from one `http_config`; cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Client<Connector, Full<Bytes>>,
    config: HttpClientConfig,
    auth: RequestAuth,
    user_agent: HeaderValue,
}

/// A response whose body has not been read yet.
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Incoming,
}

impl Response {
    /// The next piece of the body, `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, ClientError> {
        loop {
            match self.body.frame().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(ClientError::Transport(crate::error_chain(&e))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                }
            }
        }
    }

    /// The whole body, failing once it exceeds `limit` bytes (0: no limit).
    pub async fn bytes_limited(mut self, limit: u64) -> Result<Bytes, ClientError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            out.extend_from_slice(&chunk);
            if limit > 0 && out.len() as u64 > limit {
                return Err(ClientError::BodyTooLarge { limit });
            }
        }
        Ok(Bytes::from(out))
    }
}

impl HttpClient {
    /// Builds the client: validates `cfg`, loads TLS material, prepares proxy and OAuth2.
    pub fn new(cfg: &HttpClientConfig, opts: ClientOptions) -> Result<HttpClient, ClientError> {
        cfg.validate()?;
        let alpn: &[&[u8]] = if cfg.enable_http2 { &[b"h2", b"http/1.1"] } else { &[b"http/1.1"] };
        let tls = crate::tls::client_config(&cfg.tls_config, alpn)?;
        let proxy = ProxySelector::new(&cfg.proxy())?;
        let connector = Connector::new(tls, proxy);
        let pool =
            Client::builder(TokioExecutor::new()).pool_max_idle_per_host(opts.pool_max_idle_per_host).build(connector);
        let auth = RequestAuth::new(cfg, &opts.user_agent)?;
        let user_agent =
            HeaderValue::from_str(&opts.user_agent).map_err(|_| ClientError::HeaderValue("User-Agent".into()))?;
        Ok(HttpClient { inner: Arc::new(Inner { pool, config: cfg.clone(), auth, user_agent }) })
    }

    /// The settings the client was built from.
    pub fn config(&self) -> &HttpClientConfig {
        &self.inner.config
    }

    /// Sends a request with the client's credentials and headers, following redirects when
    /// `follow_redirects` is set. Callers bound the time with their own timeout.
    pub async fn request(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Response, ClientError> {
        let mut method = method;
        let mut body = body;
        let mut uri = parse_uri(url)?;
        let first_authority = uri.authority().cloned();
        for _ in 0..=MAX_REDIRECTS {
            let mut req = hyper::Request::builder().method(method.clone()).uri(uri.clone());
            let Some(h) = req.headers_mut() else {
                return Err(ClientError::Url { url: uri.to_string(), reason: "invalid request".into() });
            };
            *h = headers.clone();
            // Credentials go only to the host the request was made for, like Go's client.
            let same_host = uri.authority() == first_authority.as_ref();
            self.inner.auth.apply(h, same_host).await?;
            if !h.contains_key(USER_AGENT) {
                h.insert(USER_AGENT, self.inner.user_agent.clone());
            }
            h.remove(HOST);
            let req = req
                .body(Full::new(body.clone()))
                .map_err(|e| ClientError::Url { url: uri.to_string(), reason: e.to_string() })?;
            let resp =
                self.inner.pool.request(req).await.map_err(|e| ClientError::Transport(crate::error_chain(&e)))?;
            let status = resp.status();
            let redirect = matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308);
            if !(redirect && self.inner.config.follow_redirects) {
                let (parts, body) = resp.into_parts();
                return Ok(Response { status, headers: parts.headers, body });
            }
            let Some(location) = resp.headers().get(LOCATION).and_then(|l| l.to_str().ok()) else {
                let (parts, body) = resp.into_parts();
                return Ok(Response { status, headers: parts.headers, body });
            };
            uri = resolve_location(&uri, location)?;
            // 301/302/303 turn a POST into a GET without body, as browsers and Go do.
            if status == StatusCode::SEE_OTHER || (method == Method::POST && status.as_u16() < 303) {
                method = Method::GET;
                body = Bytes::new();
            }
        }
        Err(ClientError::TooManyRedirects)
    }

    /// GETs `url` with `headers`.
    pub async fn get(&self, url: &str, headers: HeaderMap) -> Result<Response, ClientError> {
        self.request(Method::GET, url, headers, Bytes::new()).await
    }
}

fn parse_uri(url: &str) -> Result<Uri, ClientError> {
    let uri: Uri = url
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| ClientError::Url { url: url.to_string(), reason: e.to_string() })?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(ClientError::Url { url: url.to_string(), reason: "scheme must be http or https".into() }),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(ClientError::Url { url: url.to_string(), reason: "the host is missing".into() });
    }
    Ok(uri)
}

/// The target of a `Location` header: absolute, or relative to the request's URI.
fn resolve_location(base: &Uri, location: &str) -> Result<Uri, ClientError> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return parse_uri(location);
    }
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or("");
    let target = if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = base.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{scheme}://{authority}{dir}{location}")
    };
    parse_uri(&target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_like_a_browser() {
        let base: Uri = "http://a:1/x/y?q=1".parse().unwrap();
        assert_eq!(resolve_location(&base, "/z").unwrap().to_string(), "http://a:1/z");
        assert_eq!(resolve_location(&base, "z").unwrap().to_string(), "http://a:1/x/z");
        assert_eq!(resolve_location(&base, "https://b/").unwrap().to_string(), "https://b/");
        assert_eq!(resolve_location(&base, "//c:2/p").unwrap().to_string(), "http://c:2/p");
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(parse_uri("ftp://x/").is_err());
        assert!(parse_uri("http:///p").is_err());
        assert!(parse_uri("not a url").is_err());
        assert!(parse_uri("https://x:9/p").is_ok());
    }
}
