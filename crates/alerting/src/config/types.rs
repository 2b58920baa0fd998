//! Small value types of alertmanager.yml: secrets (never printed), URLs (checked after loading,
//! where the field's name is known, so errors say which field is wrong), SMTP `host:port`
//! addresses, and the HTTP client settings every HTTP-based receiver shares.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

pub use promconfig::Secret;

use super::problem::{AddressProblem, ConfigProblem, UrlProblem};

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
pub fn check_url(field: &str, s: &str) -> Result<UrlCheck, ConfigProblem> {
    let invalid = |reason| ConfigProblem::InvalidUrl { field: field.to_string(), value: s.to_string(), reason };
    if s.contains("{{") || s.contains("}}") {
        return Err(invalid(UrlProblem::Template));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(invalid(UrlProblem::Whitespace));
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        if s.is_empty() || s.contains(':') || s.contains('/') {
            return Err(invalid(UrlProblem::NotAUrl));
        }
        return Ok(UrlCheck::Placeholder);
    };
    if scheme != "http" && scheme != "https" {
        return Err(invalid(UrlProblem::UnsupportedScheme(scheme.to_string())));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() || host.starts_with(':') {
        return Err(invalid(UrlProblem::MissingHost));
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
    pub fn parse(s: &str) -> Result<HostPort, ConfigProblem> {
        if s.is_empty() {
            return Ok(HostPort::default());
        }
        let invalid = |reason| ConfigProblem::InvalidAddress { address: s.to_string(), reason };
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            rest.split_once("]:").ok_or_else(|| invalid(AddressProblem::MissingPortBracketed))?
        } else {
            s.rsplit_once(':').ok_or_else(|| invalid(AddressProblem::MissingPort))?
        };
        if port.is_empty() {
            return Err(invalid(AddressProblem::EmptyPort));
        }
        if host.contains(':') && !s.starts_with('[') {
            return Err(invalid(AddressProblem::TooManyColons));
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

pub use promconfig::http::{Authorization, BasicAuth, TlsConfig};

/// `http_config:`: Prometheus's common HTTP client settings, defined once in [`promconfig`].
pub type HttpConfig = promconfig::HttpClientConfig;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_with_the_field_name() {
        assert_eq!(check_url("url", "https://hooks.slack.com/services/X"), Ok(UrlCheck::Valid));
        assert_eq!(check_url("url", "http://webhook-service/alerts"), Ok(UrlCheck::Valid));
        assert_eq!(check_url("url", "http://user:pw@host:8080"), Ok(UrlCheck::Valid));
        assert_eq!(check_url("api_url", "YOUR_SLACK_WEBHOOK_URL"), Ok(UrlCheck::Placeholder));
        let e = check_url("slack_api_url", "{{ .SlackWebhookURL }}").unwrap_err().to_string();
        assert!(e.starts_with("slack_api_url: ") && e.contains("not a valid URL") && e.contains("template"), "{e}");
        assert!(check_url("url", "ftp://x/y").unwrap_err().to_string().contains("unsupported scheme"));
        assert!(check_url("url", "http:///path").unwrap_err().to_string().contains("host is missing"));
        assert!(check_url("url", "localhost:80/x").is_err());
    }

    #[test]
    fn host_port() {
        assert_eq!(HostPort::parse("localhost:587").unwrap().to_string(), "localhost:587");
        assert_eq!(HostPort::parse("[::1]:25").unwrap().host, "::1");
        assert!(HostPort::parse("localhost").unwrap_err().to_string().contains("missing port"));
        assert!(HostPort::parse("localhost:").unwrap_err().to_string().contains("port cannot be empty"));
        assert!(HostPort::parse("").unwrap().is_empty());
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "<secret>");
        assert_eq!(Secret::new("hunter2").expose(), "hunter2");
    }
}
