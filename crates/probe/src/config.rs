//! The blackbox_exporter configuration file (`modules:` map), with its defaults and validation.
//!
//! Field names and defaults follow blackbox_exporter 0.23.0 so an existing `blackbox.yml` loads
//! unchanged. Unknown fields are rejected (blackbox decodes with `KnownFields(true)`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::duration::parse_go_duration;

/// A configuration file that could not be loaded: names the file, the line and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("cannot parse blackbox config {origin}{}: {message}", location_suffix(*.line, *.column))]
pub struct ConfigError {
    /// Where the text came from (a file path, or a description such as "built-in").
    pub origin: String,
    /// 1-based line of the offending node, when known.
    pub line: Option<u64>,
    /// 1-based column of the offending node, when known.
    pub column: Option<u64>,
    /// What is wrong, naming the field.
    pub message: String,
}

/// Drops saphyr's own "line N column M: " prefix; the error renders the position itself.
fn strip_position(message: &str) -> &str {
    let Some(rest) = message.strip_prefix("line ") else { return message };
    match rest.split_once(": ") {
        Some((pos, tail)) if pos.split(" column ").all(|n| n.chars().all(|c| c.is_ascii_digit())) => tail,
        _ => message,
    }
}

fn location_suffix(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// The parsed `modules:` map of a blackbox_exporter configuration file.
#[derive(Debug, Clone, Default)]
pub struct Modules {
    pub(crate) modules: BTreeMap<String, Module>,
}

impl Modules {
    /// Parses a blackbox_exporter config file; errors name the file, line and field.
    pub fn parse(yaml: &str, origin: &str) -> Result<Modules, ConfigError> {
        let raw: RawConfig = serde_saphyr::from_str(yaml).map_err(|e| {
            let loc = e.location();
            let text = e.to_string();
            // saphyr renders a source snippet after the first line; the first line is the message.
            let first = text.lines().next().unwrap_or("invalid configuration").trim();
            let message = strip_position(first.strip_prefix("error: ").unwrap_or(first)).to_string();
            ConfigError {
                origin: origin.to_string(),
                line: loc.map(|l| l.line()),
                column: loc.map(|l| l.column()),
                message,
            }
        })?;
        let modules = raw.modules.unwrap_or_default();
        // Prometheus's http_config rules (one credential kind, proxy combinations, reserved
        // headers) apply to the http prober's inlined client settings too.
        for (name, module) in &modules {
            module.http.http_client_config().validate().map_err(|e| ConfigError {
                origin: origin.to_string(),
                line: None,
                column: None,
                message: format!("module {name:?}: http: {e}"),
            })?;
        }
        Ok(Modules { modules })
    }

    /// The modules blackbox_exporter 0.23.0's example config ships, so `/probe?module=http_2xx`
    /// works without any configuration.
    pub fn builtin() -> Modules {
        let mut modules = BTreeMap::new();
        modules.insert("http_2xx".to_string(), Module::new("http"));
        let mut post = Module::new("http");
        post.http.method = "POST".to_string();
        modules.insert("http_post_2xx".to_string(), post);
        modules.insert("tcp_connect".to_string(), Module::new("tcp"));
        let mut pop3s = Module::new("tcp");
        pop3s.tcp.query_response = vec![QueryResponse { expect: Regex::new("^+OK").ok(), ..Default::default() }];
        pop3s.tcp.tls = true;
        modules.insert("pop3s_banner".to_string(), pop3s);
        let mut ssh = Module::new("tcp");
        ssh.tcp.query_response = vec![
            QueryResponse { expect: Regex::new("^SSH-2.0-").ok(), ..Default::default() },
            QueryResponse { send: "SSH-2.0-blackbox-ssh-check".to_string(), ..Default::default() },
        ];
        modules.insert("ssh_banner".to_string(), ssh);
        let mut irc = Module::new("tcp");
        irc.tcp.query_response = vec![
            QueryResponse { send: "NICK prober".to_string(), ..Default::default() },
            QueryResponse { send: "USER prober prober prober :prober".to_string(), ..Default::default() },
            QueryResponse {
                expect: Regex::new("PING :([^ ]+)").ok(),
                send: "PONG ${1}".to_string(),
                ..Default::default()
            },
            QueryResponse { expect: Regex::new("^:[^ ]+ 001").ok(), ..Default::default() },
        ];
        modules.insert("irc_banner".to_string(), irc);
        // grpc and icmp modules ship too; Vigil does not run those probers, and keeping the names
        // makes a request for them fail with blackbox's "Unknown prober" rather than "Unknown module".
        modules.insert("grpc".to_string(), Module::new("grpc"));
        modules.insert("grpc_plain".to_string(), Module::new("grpc"));
        modules.insert("icmp".to_string(), Module::new("icmp"));
        let mut icmp5 = Module::new("icmp");
        icmp5.timeout = Some(Duration::from_secs(5));
        modules.insert("icmp_ttl5".to_string(), icmp5);
        Modules { modules }
    }

    /// The module called `name`, if configured.
    pub fn get(&self, name: &str) -> Option<&Module> {
        self.modules.get(name)
    }

    /// Module names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    modules: Option<BTreeMap<String, Module>>,
}

/// One probe module: which prober runs and its settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Module {
    /// `http`, `tcp`, `icmp`, `dns` or `grpc`; Vigil runs `http` and `tcp`.
    pub prober: String,
    /// Upper bound of a probe's run time; the scrape timeout minus 0.5 s when unset or larger.
    #[serde(deserialize_with = "de_opt_duration")]
    pub timeout: Option<Duration>,
    /// Settings of the `http` prober.
    pub http: HttpProbe,
    /// Settings of the `tcp` prober.
    pub tcp: TcpProbe,
    /// Accepted so blackbox files load; not run by Vigil.
    pub icmp: Option<IgnoredAny>,
    /// Accepted so blackbox files load; not run by Vigil.
    pub dns: Option<IgnoredAny>,
    /// Accepted so blackbox files load; not run by Vigil.
    pub grpc: Option<IgnoredAny>,
}

impl Module {
    fn new(prober: &str) -> Module {
        Module { prober: prober.to_string(), ..Default::default() }
    }
}

/// A compiled regular expression that remembers its source text.
#[derive(Debug, Clone)]
pub struct Regex(pub(crate) regex::bytes::Regex);

impl Regex {
    /// Compiles `s`.
    pub fn new(s: &str) -> Result<Regex, regex::Error> {
        regex::bytes::Regex::new(s).map(Regex)
    }

    /// The source text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<'de> Deserialize<'de> for Regex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Regex::new(&s).map_err(|e| serde::de::Error::custom(format!("could not compile regular expression {s:?}: {e}")))
    }
}

fn de_opt_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let s = String::deserialize(d)?;
    parse_go_duration(&s).map(Some).map_err(serde::de::Error::custom)
}

promconfig::struct_with_http_client_fields! {
/// Options of the `http` prober (blackbox's `HTTPProbe` plus the inlined HTTP client config:
/// credentials, OAuth2, TLS, proxies and headers, with redirects followed at most 10 times).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpProbe {
    /// Accepted status codes; empty means any 2xx.
    pub valid_status_codes: Vec<u16>,
    /// Accepted protocol strings such as `HTTP/1.1`; empty accepts any.
    pub valid_http_versions: Vec<String>,
    /// `ip4` or `ip6` (the default).
    pub preferred_ip_protocol: String,
    /// Use the other IP family when the preferred one has no address (default true).
    pub ip_protocol_fallback: bool,
    /// Only meaningful with a proxy; accepted for compatibility.
    pub skip_resolve_phase_with_proxy: bool,
    /// Deprecated inverse of `follow_redirects`; wins when set.
    pub no_follow_redirects: Option<bool>,
    /// Fail when the final response came over TLS.
    pub fail_if_ssl: bool,
    /// Fail when the final response did not come over TLS.
    pub fail_if_not_ssl: bool,
    /// Request method (GET when empty).
    pub method: String,
    /// Request headers; a `Host` entry sets the request's host.
    pub headers: BTreeMap<String, String>,
    /// Fail when the body matches any of these.
    pub fail_if_body_matches_regexp: Vec<Regex>,
    /// Fail when the body does not match all of these.
    pub fail_if_body_not_matches_regexp: Vec<Regex>,
    /// Fail when a header value matches.
    pub fail_if_header_matches: Vec<HeaderMatch>,
    /// Fail when no value of the header matches.
    pub fail_if_header_not_matches: Vec<HeaderMatch>,
    /// Request body.
    pub body: String,
    /// Expected content encoding of the body; only `identity` (or empty) is supported.
    pub compression: String,
    /// Largest body read, in bytes (0: unlimited).
    #[serde(deserialize_with = "de_byte_size")]
    pub body_size_limit: u64,
}
}

impl Default for HttpProbe {
    fn default() -> Self {
        // The inlined http_config's defaults are Prometheus's.
        let http = promconfig::HttpClientConfig::default();
        HttpProbe {
            valid_status_codes: Vec::new(),
            valid_http_versions: Vec::new(),
            preferred_ip_protocol: String::new(),
            ip_protocol_fallback: true,
            skip_resolve_phase_with_proxy: false,
            no_follow_redirects: None,
            fail_if_ssl: false,
            fail_if_not_ssl: false,
            method: String::new(),
            headers: BTreeMap::new(),
            fail_if_body_matches_regexp: Vec::new(),
            fail_if_body_not_matches_regexp: Vec::new(),
            fail_if_header_matches: Vec::new(),
            fail_if_header_not_matches: Vec::new(),
            body: String::new(),
            compression: String::new(),
            body_size_limit: 0,
            basic_auth: http.basic_auth,
            authorization: http.authorization,
            oauth2: http.oauth2,
            bearer_token: http.bearer_token,
            bearer_token_file: http.bearer_token_file,
            tls_config: http.tls_config,
            follow_redirects: http.follow_redirects,
            enable_http2: http.enable_http2,
            proxy_url: http.proxy_url,
            no_proxy: http.no_proxy,
            proxy_from_environment: http.proxy_from_environment,
            proxy_connect_header: http.proxy_connect_header,
            http_headers: http.http_headers,
        }
    }
}

impl HttpProbe {
    /// Whether redirects are followed, with the deprecated `no_follow_redirects` taking precedence.
    pub fn follows_redirects(&self) -> bool {
        match self.no_follow_redirects {
            Some(no) => !no,
            None => self.follow_redirects,
        }
    }
}

fn de_byte_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let s = String::deserialize(d)?;
    crate::duration::parse_byte_size(&s).map_err(serde::de::Error::custom)
}

/// A header check of `fail_if_header_matches` / `fail_if_header_not_matches`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderMatch {
    /// Header name (case-insensitive).
    pub header: String,
    /// Expression tested against each value.
    pub regexp: Regex,
    /// A missing header passes instead of failing.
    #[serde(default)]
    pub allow_missing: bool,
}

pub use promconfig::http::{Authorization, BasicAuth};

/// TLS client settings: Prometheus's `tls_config`, from [`promconfig`].
pub use promconfig::http::TlsConfig;

/// Options of the `tcp` prober.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TcpProbe {
    /// `ip4` or `ip6` (the default).
    pub preferred_ip_protocol: String,
    /// Use the other IP family when the preferred one has no address (default true).
    pub ip_protocol_fallback: bool,
    /// Local address to bind before connecting.
    pub source_ip_address: String,
    /// Lines to expect and send after connecting.
    pub query_response: Vec<QueryResponse>,
    /// Connect with TLS.
    pub tls: bool,
    /// TLS settings for `tls` and `starttls`.
    pub tls_config: TlsConfig,
}

impl Default for TcpProbe {
    fn default() -> Self {
        TcpProbe {
            preferred_ip_protocol: String::new(),
            ip_protocol_fallback: true,
            source_ip_address: String::new(),
            query_response: Vec::new(),
            tls: false,
            tls_config: TlsConfig::default(),
        }
    }
}

/// One step of a TCP dialogue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueryResponse {
    /// Read lines until one matches; `${1}` in `send` expands its groups.
    pub expect: Option<Regex>,
    /// Line to send (a newline is appended).
    pub send: String,
    /// Upgrade the connection to TLS after this step.
    pub starttls: bool,
}
