//! `http_config`: the HTTP client settings Prometheus 2.42 shares between scrape configs,
//! Alertmanager targets, receivers and blackbox modules (its `config.HTTPClientConfig`),
//! with its validation messages. One definition for every Vigil crate; the `httpclient`
//! crate builds clients from it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::secret::Secret;

/// `basic_auth:`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    #[serde(default)]
    pub username: String,
    pub username_file: Option<String>,
    pub password: Option<Secret>,
    pub password_file: Option<String>,
}

/// `authorization:` (`type` defaults to Bearer).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub credentials: Option<Secret>,
    pub credentials_file: Option<String>,
}

impl Authorization {
    /// The scheme sent before the credentials.
    pub fn scheme(&self) -> &str {
        match self.kind.as_deref() {
            Some(k) if !k.is_empty() => k,
            _ => "Bearer",
        }
    }
}

/// `tls_config:`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub ca: Option<String>,
    pub ca_file: Option<String>,
    pub cert: Option<String>,
    pub cert_file: Option<String>,
    pub key: Option<Secret>,
    pub key_file: Option<String>,
    pub server_name: Option<String>,
    #[serde(default)]
    pub insecure_skip_verify: bool,
    pub min_version: Option<TlsVersion>,
    pub max_version: Option<TlsVersion>,
}

/// A TLS protocol version as Prometheus writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum TlsVersion {
    TLS10,
    TLS11,
    TLS12,
    TLS13,
}

/// The proxy settings, gathered from the inline fields of `http_config` or `oauth2` (where
/// Prometheus writes them) for the client and its OAuth2 token requests.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProxyConfig {
    /// `http://[user:password@]host:port` of the proxy.
    pub proxy_url: Option<String>,
    /// Comma-separated hosts, domains (`.example.com`), IPs and CIDRs that bypass the proxy.
    pub no_proxy: Option<String>,
    /// Take the proxy from `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`.
    pub proxy_from_environment: bool,
    /// Headers sent with the proxy's CONNECT request (values are secrets).
    pub proxy_connect_header: BTreeMap<String, Vec<Secret>>,
}

/// `oauth2:`: the client-credentials flow.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2 {
    #[serde(default)]
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub client_secret_file: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub token_url: String,
    #[serde(default)]
    pub endpoint_params: BTreeMap<String, String>,
    #[serde(default)]
    pub tls_config: TlsConfig,
    pub proxy_url: Option<String>,
    pub no_proxy: Option<String>,
    #[serde(default)]
    pub proxy_from_environment: bool,
    #[serde(default)]
    pub proxy_connect_header: BTreeMap<String, Vec<Secret>>,
}

impl OAuth2 {
    /// The proxy settings of the token requests.
    pub fn proxy(&self) -> ProxyConfig {
        ProxyConfig {
            proxy_url: self.proxy_url.clone(),
            no_proxy: self.no_proxy.clone(),
            proxy_from_environment: self.proxy_from_environment,
            proxy_connect_header: self.proxy_connect_header.clone(),
        }
    }
}

/// One `http_headers:` entry: plain values, secret values and values read from files.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub secrets: Vec<Secret>,
    #[serde(default)]
    pub files: Vec<String>,
}

crate::struct_with_http_client_fields! {
    /// The whole `http_config:` block.
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct HttpClientConfig {}
}

/// `true`, as a serde default (`follow_redirects`, `enable_http2`).
pub fn default_true() -> bool {
    true
}

impl Default for HttpClientConfig {
    fn default() -> Self {
        HttpClientConfig {
            basic_auth: None,
            authorization: None,
            oauth2: None,
            bearer_token: None,
            bearer_token_file: None,
            tls_config: TlsConfig::default(),
            follow_redirects: true,
            enable_http2: true,
            proxy_url: None,
            no_proxy: None,
            proxy_from_environment: false,
            proxy_connect_header: BTreeMap::new(),
            http_headers: BTreeMap::new(),
        }
    }
}

/// A combination of settings Prometheus rejects, with its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpConfigError {
    #[error("at most one of bearer_token & bearer_token_file must be configured")]
    BearerTwice,
    #[error("at most one of basic_auth, oauth2, bearer_token & bearer_token_file, authorization must be configured")]
    SeveralAuthMethods,
    #[error("authorization is not compatible with bearer_token & bearer_token_file")]
    AuthorizationAndBearer,
    #[error("at most one of {0} must be configured")]
    BothInlineAndFile(&'static str),
    #[error("authorization type cannot be set to \"basic\", use \"basic_auth\" instead")]
    BasicAsAuthorizationType,
    #[error("tls_config needs both a client certificate and its key, or neither")]
    CertWithoutKey,
    #[error("tls_config.max_version {0:?} is not supported: Vigil speaks TLS 1.2 and 1.3 only")]
    MaxVersionTooOld(TlsVersion),
    #[error("tls_config.min_version {min:?} is greater than max_version {max:?}")]
    MinAboveMax { min: TlsVersion, max: TlsVersion },
    #[error("oauth2 token_url must be configured")]
    OAuth2WithoutTokenUrl,
    #[error("oauth2 client_id must be configured")]
    OAuth2WithoutClientId,
    #[error("{0}")]
    Proxy(&'static str),
    #[error("invalid proxy_url {url:?}: {reason}")]
    ProxyUrl { url: String, reason: &'static str },
    #[error("setting header {0:?} is not allowed")]
    ReservedHeader(String),
    #[error("invalid header name {0:?}")]
    HeaderName(String),
}

/// Headers Prometheus's `http_headers` refuses to set, because the client owns them.
const RESERVED_HEADERS: [&str; 20] = [
    "authorization",
    "host",
    "content-encoding",
    "content-length",
    "content-type",
    "user-agent",
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "www-authenticate",
    "accept-encoding",
    "x-prometheus-remote-write-version",
    "x-prometheus-remote-read-version",
    "x-prometheus-scrape-timeout-seconds",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "upgrade",
    "transfer-encoding",
];

impl HttpClientConfig {
    /// Prometheus's validation: mutually exclusive credentials, inline-or-file pairs, TLS
    /// versions, proxy combinations and reserved headers.
    pub fn validate(&self) -> Result<(), HttpConfigError> {
        use HttpConfigError::*;
        let bearer = self.bearer_token.is_some() || self.bearer_token_file.is_some();
        if self.bearer_token.is_some() && self.bearer_token_file.is_some() {
            return Err(BearerTwice);
        }
        let methods = [self.basic_auth.is_some(), self.oauth2.is_some(), self.authorization.is_some()];
        if methods.iter().filter(|m| **m).count() > 1
            || (bearer && (self.basic_auth.is_some() || self.oauth2.is_some()))
        {
            return Err(SeveralAuthMethods);
        }
        if bearer && self.authorization.is_some() {
            return Err(AuthorizationAndBearer);
        }
        if let Some(b) = &self.basic_auth {
            if b.password.is_some() && b.password_file.is_some() {
                return Err(BothInlineAndFile("basic_auth password & password_file"));
            }
            if !b.username.is_empty() && b.username_file.is_some() {
                return Err(BothInlineAndFile("basic_auth username & username_file"));
            }
        }
        if let Some(a) = &self.authorization {
            if a.credentials.is_some() && a.credentials_file.is_some() {
                return Err(BothInlineAndFile("authorization credentials & credentials_file"));
            }
            if a.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("basic")) {
                return Err(BasicAsAuthorizationType);
            }
        }
        if let Some(o) = &self.oauth2 {
            if o.client_id.is_empty() {
                return Err(OAuth2WithoutClientId);
            }
            if o.token_url.is_empty() {
                return Err(OAuth2WithoutTokenUrl);
            }
            if o.client_secret.is_some() && o.client_secret_file.is_some() {
                return Err(BothInlineAndFile("oauth2 client_secret & client_secret_file"));
            }
            o.tls_config.validate()?;
            o.proxy().validate()?;
        }
        self.tls_config.validate()?;
        self.proxy().validate()?;
        for name in self.http_headers.keys() {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_!#$%&'*+.^`|~".contains(&b)) {
                return Err(HeaderName(name.clone()));
            }
            if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                return Err(ReservedHeader(name.clone()));
            }
        }
        Ok(())
    }

    /// The proxy settings of the client's own requests.
    pub fn proxy(&self) -> ProxyConfig {
        ProxyConfig {
            proxy_url: self.proxy_url.clone(),
            no_proxy: self.no_proxy.clone(),
            proxy_from_environment: self.proxy_from_environment,
            proxy_connect_header: self.proxy_connect_header.clone(),
        }
    }

    /// The `Authorization` settings after folding the legacy `bearer_token(_file)` into them.
    pub fn effective_authorization(&self) -> Option<Authorization> {
        if let Some(a) = &self.authorization {
            return Some(a.clone());
        }
        if self.bearer_token.is_some() || self.bearer_token_file.is_some() {
            return Some(Authorization {
                kind: Some("Bearer".into()),
                credentials: self.bearer_token.clone(),
                credentials_file: self.bearer_token_file.clone(),
            });
        }
        None
    }

    /// Makes every `*_file` path relative to the config file's directory, as Prometheus does.
    pub fn resolve_paths(&mut self, base: &Path) {
        let join = |p: &mut Option<String>| {
            if let Some(s) = p
                && !s.is_empty()
                && !Path::new(s.as_str()).is_absolute()
            {
                *s = base.join(&*s).display().to_string();
            }
        };
        join(&mut self.bearer_token_file);
        if let Some(b) = &mut self.basic_auth {
            join(&mut b.password_file);
            join(&mut b.username_file);
        }
        if let Some(a) = &mut self.authorization {
            join(&mut a.credentials_file);
        }
        if let Some(o) = &mut self.oauth2 {
            join(&mut o.client_secret_file);
            o.tls_config.resolve_paths(base);
        }
        self.tls_config.resolve_paths(base);
        for h in self.http_headers.values_mut() {
            for f in &mut h.files {
                if !f.is_empty() && !Path::new(f.as_str()).is_absolute() {
                    *f = base.join(&*f).display().to_string();
                }
            }
        }
    }
}

impl TlsConfig {
    /// Inline-or-file pairs, certificate with key, and versions rustls can honour.
    pub fn validate(&self) -> Result<(), HttpConfigError> {
        use HttpConfigError::*;
        if self.ca.is_some() && self.ca_file.is_some() {
            return Err(BothInlineAndFile("tls_config ca & ca_file"));
        }
        if self.cert.is_some() && self.cert_file.is_some() {
            return Err(BothInlineAndFile("tls_config cert & cert_file"));
        }
        if self.key.is_some() && self.key_file.is_some() {
            return Err(BothInlineAndFile("tls_config key & key_file"));
        }
        if (self.cert.is_some() || self.cert_file.is_some()) != (self.key.is_some() || self.key_file.is_some()) {
            return Err(CertWithoutKey);
        }
        if let Some(max) = self.max_version {
            if max < TlsVersion::TLS12 {
                return Err(MaxVersionTooOld(max));
            }
            if let Some(min) = self.min_version
                && min > max
            {
                return Err(MinAboveMax { min, max });
            }
        }
        Ok(())
    }

    fn resolve_paths(&mut self, base: &Path) {
        for p in [&mut self.ca_file, &mut self.cert_file, &mut self.key_file] {
            if let Some(s) = p
                && !s.is_empty()
                && !Path::new(s.as_str()).is_absolute()
            {
                *s = base.join(&*s).display().to_string();
            }
        }
    }
}

impl ProxyConfig {
    /// Prometheus's proxy rules: one source of proxy settings, `no_proxy` and CONNECT headers
    /// only with a proxy, and a URL Vigil can speak to.
    pub fn validate(&self) -> Result<(), HttpConfigError> {
        use HttpConfigError::*;
        if self.proxy_from_environment && (self.proxy_url.is_some() || self.no_proxy.is_some()) {
            return Err(Proxy(
                "if proxy_from_environment is configured, proxy_url and no_proxy must not be configured",
            ));
        }
        if self.no_proxy.is_some() && self.proxy_url.is_none() {
            return Err(Proxy("if no_proxy is configured, proxy_url must also be configured"));
        }
        if !self.proxy_connect_header.is_empty() && self.proxy_url.is_none() && !self.proxy_from_environment {
            return Err(Proxy(
                "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured",
            ));
        }
        if let Some(url) = &self.proxy_url {
            check_proxy_url(url)?;
        }
        Ok(())
    }
}

/// Vigil tunnels through HTTP proxies with CONNECT: the URL must be `http://host:port`.
pub fn check_proxy_url(url: &str) -> Result<(), HttpConfigError> {
    let bad = |reason| HttpConfigError::ProxyUrl { url: url.to_string(), reason };
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(bad("only http:// proxies are supported (CONNECT tunnels)"));
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    if host.is_empty() {
        return Err(bad("the host is missing"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
