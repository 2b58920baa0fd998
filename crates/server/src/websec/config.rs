//! The web configuration file (`--web.config.file`) in the Prometheus exporter-toolkit format:
//! `tls_server_config`, `http_server_config`, `rate_limit` and `basic_auth_users`, with the
//! same field names, defaults and validation rules. Unknown fields are errors naming the file
//! and line, like the rest of Vigil's configuration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// A problem with the web configuration, with the file and line it was found at (0: the
/// file as a whole).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct WebConfigError {
    pub origin: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for WebConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.origin, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.origin, self.message)
        }
    }
}

/// A value that breaks a rule, before it is placed at a file and line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfigFile {
    #[serde(default)]
    pub tls_server_config: Option<TlsServerConfig>,
    #[serde(default)]
    pub http_server_config: Option<HttpServerConfig>,
    #[serde(default)]
    pub rate_limit: Option<RateLimitConfig>,
    #[serde(default)]
    pub basic_auth_users: Option<BTreeMap<String, Spanned<String>>>,
}

/// `tls_server_config:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsServerConfig {
    /// The certificate (chain) in PEM, inline.
    #[serde(default)]
    pub cert: Option<Spanned<String>>,
    /// The private key in PEM, inline.
    #[serde(default)]
    pub key: Option<Spanned<String>>,
    /// Client CA certificates in PEM, inline.
    #[serde(default)]
    pub client_ca: Option<Spanned<String>>,
    #[serde(default)]
    pub cert_file: Option<Spanned<String>>,
    #[serde(default)]
    pub key_file: Option<Spanned<String>>,
    #[serde(default)]
    pub client_auth_type: Option<Spanned<String>>,
    #[serde(default)]
    pub client_ca_file: Option<Spanned<String>>,
    #[serde(default)]
    pub cipher_suites: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub curve_preferences: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub min_version: Option<Spanned<String>>,
    #[serde(default)]
    pub max_version: Option<Spanned<String>>,
    /// Default true, as in exporter-toolkit.
    #[serde(default)]
    pub prefer_server_cipher_suites: Option<bool>,
    #[serde(default)]
    pub client_allowed_sans: Option<Vec<String>>,
}

impl TlsServerConfig {
    /// Whether the section configures TLS at all (exporter-toolkit's `IsEnabled`): any
    /// certificate, key, client CA or client auth setting. An empty section means plain HTTP.
    pub fn is_enabled(&self) -> bool {
        let set = |v: &Option<Spanned<String>>| v.as_ref().is_some_and(|s| !s.value.is_empty());
        set(&self.cert)
            || set(&self.cert_file)
            || set(&self.key)
            || set(&self.key_file)
            || set(&self.client_ca)
            || set(&self.client_ca_file)
            || set(&self.client_auth_type)
    }
}

/// `http_server_config:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpServerConfig {
    /// Accepted; Vigil answers HTTP/1.1 (over TLS, ALPN offers `http/1.1` only).
    #[serde(default)]
    pub http2: Option<bool>,
    #[serde(default)]
    pub headers: Option<BTreeMap<String, Spanned<String>>>,
}

/// `rate_limit:`: at most `burst` requests at once, refilled one every `interval`
/// (a Go duration such as `100ms`); interval 0 turns it off.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    #[serde(default)]
    pub burst: u32,
    #[serde(default)]
    pub interval: Option<Spanned<GoDuration>>,
}

/// A Go `time.Duration` as YAML gives it: a string like `1m30s` or a number of nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoDuration(pub Duration);

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Nanos(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Nanos(n) => Ok(GoDuration(Duration::from_nanos(n))),
            Raw::Text(s) => {
                promconfig::duration::parse_go_duration(&s).map(GoDuration).map_err(serde::de::Error::custom)
            }
        }
    }
}

/// Headers `http_server_config.headers` may set, with the values allowed where the set is
/// closed; exporter-toolkit allows exactly these, so configurations stay portable across the
/// Prometheus ecosystem.
pub const ALLOWED_HEADERS: &[(&str, &[&str])] = &[
    ("Strict-Transport-Security", &[]),
    ("X-Content-Type-Options", &["nosniff"]),
    ("X-Frame-Options", &["deny", "sameorigin"]),
    ("X-XSS-Protection", &[]),
    ("Content-Security-Policy", &[]),
];

/// Checks one configured header against [`ALLOWED_HEADERS`] (names are matched exactly, as
/// exporter-toolkit does).
pub fn check_header(name: &str, value: &str) -> Result<(), Invalid> {
    let Some((_, allowed)) = ALLOWED_HEADERS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = ALLOWED_HEADERS.iter().map(|(n, _)| *n).collect();
        return Err(Invalid(format!("HTTP header {name:?} can not be configured (allowed: {})", names.join(", "))));
    };
    if !allowed.is_empty() && !allowed.contains(&value) {
        return Err(Invalid(format!("invalid value for {name}. Expected one of: {allowed:?}, but got: {value:?}")));
    }
    if axum::http::HeaderValue::from_str(value).is_err() {
        return Err(Invalid(format!("invalid value for {name}: {value:?} is not a valid header value")));
    }
    Ok(())
}

/// Parses the file's text. An empty file (or one with only comments) is a valid empty
/// configuration: plain HTTP, no authentication.
pub fn parse(text: &str, origin: &str) -> Result<WebConfigFile, WebConfigError> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(WebConfigFile::default());
    }
    let file: WebConfigFile = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, origin))?;
    if let Some(http) = &file.http_server_config {
        for (name, value) in http.headers.iter().flatten() {
            check_header(name, &value.value).map_err(|m| at(origin, value.referenced.line(), m.0))?;
        }
    }
    for (user, hash) in file.basic_auth_users.iter().flatten() {
        check_bcrypt_hash(&hash.value)
            .map_err(|m| at(origin, hash.referenced.line(), format!("basic_auth_users: user {user:?}: {m}")))?;
    }
    Ok(file)
}

/// A password hash must be bcrypt (`$2a$`, `$2b$`, `$2x$` or `$2y$`, cost 4 to 31), as
/// exporter-toolkit requires (`htpasswd -nBC 10 USER` makes one).
pub fn check_bcrypt_hash(hash: &str) -> Result<(), Invalid> {
    let bad = || "the password must be a bcrypt hash ($2y$…, e.g. from `htpasswd -nBC 10 USER`)".to_string();
    if !["$2a$", "$2b$", "$2x$", "$2y$"].iter().any(|p| hash.starts_with(p)) {
        return Err(Invalid(bad()));
    }
    let parts: bcrypt::HashParts = hash.parse().map_err(|e| Invalid(format!("{}: {e}", bad())))?;
    if !(4..=31).contains(&parts.get_cost()) {
        return Err(Invalid(format!("bcrypt cost {} is outside 4..31", parts.get_cost())));
    }
    Ok(())
}

pub(crate) fn at(origin: &str, line: u64, message: impl Into<String>) -> WebConfigError {
    WebConfigError { origin: origin.to_string(), line, message: message.into() }
}

/// A YAML or schema error (unknown field, wrong type) with its line.
fn yaml_error(e: &serde_saphyr::Error, origin: &str) -> WebConfigError {
    let line = e.location().map_or(0, |l| l.line());
    let text = e.to_string();
    // saphyr's first line reads "error: line L column C: message"; we print file:line instead.
    let mut message = text.lines().next().unwrap_or("").trim();
    message = message.strip_prefix("error: ").unwrap_or(message);
    if message.starts_with("line ")
        && let Some((_, rest)) = message.split_once(": ")
    {
        message = rest;
    }
    let message = message.to_string();
    at(origin, line, message)
}

/// The file, read and parsed; relative paths in it are relative to its directory, as in
/// exporter-toolkit.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub file: WebConfigFile,
    pub origin: String,
    pub dir: PathBuf,
}

pub fn load(path: &Path) -> Result<Loaded, WebConfigError> {
    let origin = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| at(&origin, 0, format!("cannot read web config file: {e}")))?;
    let file = parse(&text, &origin)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Loaded { file, origin, dir })
}
