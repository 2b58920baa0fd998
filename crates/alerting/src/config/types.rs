//! Small value types of alertmanager.yml: secrets (never printed), URLs (checked after loading,
//! where the field's name is known, so errors say which field is wrong), SMTP `host:port`
//! addresses, and the HTTP client settings every HTTP-based receiver shares.

use std::fmt;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// A secret string (password, routing key). `Debug` prints `<secret>` so secrets never reach
/// logs; [`Secret::expose`] is the one way to read it.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret's value, for the integration that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "<secret>" })
    }
}

/// A URL field with the line it was written on. Loading checks it (scheme http or https, a host,
/// no template syntax) and names the field when it is wrong.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    value: String,
    line: u64,
}

impl Url {
    /// A URL not read from a file (defaults, tests).
    pub fn new(s: impl Into<String>) -> Url {
        Url { value: s.into(), line: 0 }
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The line of alertmanager.yml the URL was written on (0 for defaults).
    pub fn line(&self) -> u64 {
        self.line
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.value)
    }
}

impl<'de> Deserialize<'de> for Url {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<String>::deserialize(d)?;
        Ok(Url { line: s.referenced.line(), value: s.value })
    }
}

/// What [`check_url`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum UrlCheck {
    Valid,
    /// Not a URL at all but a bare word such as `YOUR_SLACK_WEBHOOK_URL`: loads with a warning
    /// (example configs ship such placeholders), and sending through it fails until it is set.
    Placeholder,
}

/// Checks a URL the way Alertmanager's `parseURL` does (scheme http or https, a host) and
/// explains what is wrong in terms of the field.
pub fn check_url(field: &str, s: &str) -> Result<UrlCheck, String> {
    if s.contains("{{") || s.contains("}}") {
        return Err(format!(
            "{field}: {s:?} is not a valid URL: it contains template syntax, but templates are not expanded \
             in alertmanager.yml (only notification fields such as title or text are templated); write the URL itself"
        ));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(format!("{field}: {s:?} is not a valid URL: it contains whitespace"));
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        if s.is_empty() || s.contains(':') || s.contains('/') {
            return Err(format!("{field}: {s:?} is not a valid URL: expected http://host/path or https://host/path"));
        }
        return Ok(UrlCheck::Placeholder);
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!("{field}: {s:?} is not a valid URL: unsupported scheme {scheme:?} (use http or https)"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("{field}: {s:?} is not a valid URL: the host is missing"));
    }
    Ok(UrlCheck::Valid)
}

/// An SMTP `host:port` address.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct HostPort {
    pub host: String,
    pub port: String,
}

impl HostPort {
    /// Splits `host:port` (`[v6]:port` too); an empty string is "not set".
    pub fn parse(s: &str) -> Result<HostPort, String> {
        if s.is_empty() {
            return Ok(HostPort::default());
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, p) =
                rest.split_once("]:").ok_or_else(|| format!("address {s:?}: missing port (write host:port)"))?;
            (h, p)
        } else {
            s.rsplit_once(':')
                .ok_or_else(|| format!("address {s:?}: missing port (write host:port, e.g. localhost:25)"))?
        };
        if port.is_empty() {
            return Err(format!("address {s:?}: port cannot be empty"));
        }
        if host.contains(':') && !s.starts_with('[') {
            return Err(format!("address {s:?}: too many colons (write IPv6 hosts as [addr]:port)"));
        }
        Ok(HostPort { host: host.to_string(), port: port.to_string() })
    }

    pub fn is_empty(&self) -> bool {
        self.host.is_empty() && self.port.is_empty()
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return Ok(());
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl<'de> Deserialize<'de> for HostPort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        HostPort::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `basic_auth:` of an HTTP client.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    #[serde(default)]
    pub username: String,
    pub username_file: Option<String>,
    pub password: Option<Secret>,
    pub password_file: Option<String>,
}

/// `authorization:` of an HTTP client (`type` defaults to Bearer).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub credentials: Option<Secret>,
    pub credentials_file: Option<String>,
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
    pub min_version: Option<String>,
    pub max_version: Option<String>,
}

/// `http_config:` (Prometheus's common HTTP client settings). Fields Vigil does not act on
/// (OAuth2, proxies) load and are named by [`HttpConfig::unsupported`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub basic_auth: Option<BasicAuth>,
    pub authorization: Option<Authorization>,
    pub bearer_token: Option<Secret>,
    pub bearer_token_file: Option<String>,
    #[serde(default)]
    pub tls_config: TlsConfig,
    #[serde(default = "yes")]
    pub follow_redirects: bool,
    #[serde(default = "yes")]
    pub enable_http2: bool,
    pub proxy_url: Option<String>,
    #[serde(default)]
    oauth2: Option<IgnoredAny>,
    #[serde(default)]
    no_proxy: Option<IgnoredAny>,
    #[serde(default)]
    proxy_from_environment: Option<bool>,
    #[serde(default)]
    proxy_connect_header: Option<IgnoredAny>,
    #[serde(default)]
    http_headers: Option<IgnoredAny>,
}

fn yes() -> bool {
    true
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            basic_auth: None,
            authorization: None,
            bearer_token: None,
            bearer_token_file: None,
            tls_config: TlsConfig::default(),
            follow_redirects: true,
            enable_http2: true,
            proxy_url: None,
            oauth2: None,
            no_proxy: None,
            proxy_from_environment: None,
            proxy_connect_header: None,
            http_headers: None,
        }
    }
}

impl HttpConfig {
    /// Settings that load but that Vigil's HTTP client ignores.
    pub fn unsupported(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.oauth2.is_some() {
            out.push("oauth2");
        }
        if self.proxy_url.is_some() || self.no_proxy.is_some() || self.proxy_connect_header.is_some() {
            out.push("proxy_url");
        }
        if self.proxy_from_environment == Some(true) {
            out.push("proxy_from_environment");
        }
        if self.http_headers.is_some() {
            out.push("http_headers");
        }
        out
    }

    /// Prometheus's mutual-exclusion rules for credentials.
    pub fn validate(&self) -> Result<(), String> {
        let bearer = self.bearer_token.is_some() || self.bearer_token_file.is_some();
        if self.bearer_token.is_some() && self.bearer_token_file.is_some() {
            return Err("at most one of bearer_token & bearer_token_file must be configured".into());
        }
        if self.basic_auth.is_some() && (bearer || self.authorization.is_some()) {
            return Err(
                "at most one of basic_auth, bearer_token & bearer_token_file, authorization must be configured".into(),
            );
        }
        if bearer && self.authorization.is_some() {
            return Err("authorization is not compatible with bearer_token & bearer_token_file".into());
        }
        if let Some(b) = &self.basic_auth
            && b.password.is_some()
            && b.password_file.is_some()
        {
            return Err("at most one of basic_auth password & password_file must be configured".into());
        }
        if let Some(a) = &self.authorization {
            if a.credentials.is_some() && a.credentials_file.is_some() {
                return Err("at most one of authorization credentials & credentials_file must be configured".into());
            }
            if a.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("basic")) {
                return Err("authorization type cannot be set to \"basic\", use \"basic_auth\" instead".into());
            }
        }
        let t = &self.tls_config;
        if t.ca.is_some() && t.ca_file.is_some() {
            return Err("at most one of tls_config ca & ca_file must be configured".into());
        }
        if t.cert.is_some() && t.cert_file.is_some() {
            return Err("at most one of tls_config cert & cert_file must be configured".into());
        }
        if t.key.is_some() && t.key_file.is_some() {
            return Err("at most one of tls_config key & key_file must be configured".into());
        }
        Ok(())
    }

    /// Makes `*_file` paths relative to the config file's directory, as Alertmanager does.
    pub fn resolve_paths(&mut self, base: &std::path::Path) {
        let join = |p: &mut Option<String>| {
            if let Some(s) = p
                && !s.is_empty()
                && !std::path::Path::new(s.as_str()).is_absolute()
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
        join(&mut self.tls_config.ca_file);
        join(&mut self.tls_config.cert_file);
        join(&mut self.tls_config.key_file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_with_the_field_name() {
        assert_eq!(check_url("url", "https://hooks.slack.com/services/X"), Ok(UrlCheck::Valid));
        assert_eq!(check_url("url", "http://webhook-service/alerts"), Ok(UrlCheck::Valid));
        assert_eq!(check_url("url", "http://user:pw@host:8080"), Ok(UrlCheck::Valid));
        assert_eq!(check_url("api_url", "YOUR_SLACK_WEBHOOK_URL"), Ok(UrlCheck::Placeholder));
        let e = check_url("slack_api_url", "{{ .SlackWebhookURL }}").unwrap_err();
        assert!(e.starts_with("slack_api_url: ") && e.contains("not a valid URL") && e.contains("template"), "{e}");
        assert!(check_url("url", "ftp://x/y").unwrap_err().contains("unsupported scheme"));
        assert!(check_url("url", "http:///path").unwrap_err().contains("host is missing"));
        assert!(check_url("url", "localhost:80/x").is_err());
    }

    #[test]
    fn host_port() {
        assert_eq!(HostPort::parse("localhost:587").unwrap().to_string(), "localhost:587");
        assert_eq!(HostPort::parse("[::1]:25").unwrap().host, "::1");
        assert!(HostPort::parse("localhost").unwrap_err().contains("missing port"));
        assert!(HostPort::parse("localhost:").unwrap_err().contains("port cannot be empty"));
        assert!(HostPort::parse("").unwrap().is_empty());
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "<secret>");
        assert_eq!(Secret::new("hunter2").expose(), "hunter2");
    }
}
