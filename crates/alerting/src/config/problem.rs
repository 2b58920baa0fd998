//! Typed reasons a part of alertmanager.yml (or its `vigil:` section) is rejected.

use crate::matchers::MatcherError;

/// Why one part of the configuration is invalid, before the file and line are attached to it
/// (that makes a [`super::ConfigError`]). A typed value rather than a string so callers can
/// tell the cases apart and keep the underlying matcher or HTTP-config error as a source; the
/// texts are exactly the ones Vigil has always printed (tests and users compare them).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigProblem {
    /// A URL field that is not an http(s) URL: `field`, the value, and what is wrong with it.
    #[error("{field}: {value:?} is not a valid URL: {reason}")]
    InvalidUrl { field: String, value: String, reason: UrlProblem },
    /// An SMTP `host:port` address that cannot be split.
    #[error("address {address:?}: {reason}")]
    InvalidAddress { address: String, reason: AddressProblem },
    #[error("root route must specify a default receiver")]
    RootWithoutReceiver,
    #[error("root route must not have any matchers")]
    RootWithMatchers,
    #[error("root route must not have any mute time intervals")]
    RootWithMuteTimeIntervals,
    #[error("root route must not have any active time intervals")]
    RootWithActiveTimeIntervals,
    #[error("cannot have continue in root route")]
    RootWithContinue,
    #[error("invalid label name {0:?}")]
    InvalidLabelName(String),
    /// A `match_re`-style regex that does not compile.
    #[error(transparent)]
    Matcher(MatcherError),
    /// A line of a `matchers:` list (prefixed with `prefix`, e.g. `source_` in inhibit rules).
    #[error("{prefix}matchers: {source}")]
    Matchers { prefix: &'static str, source: MatcherError },
    #[error("{0:?} is not a valid label name in equal")]
    InvalidEqualLabel(String),
    /// An integration's own `http_config` is invalid; `what` names the integration.
    #[error("{what}.http_config: {source}")]
    HttpConfig { what: String, source: promconfig::http::HttpConfigError },
    #[error("missing to address in email config")]
    EmailMissingTo,
    #[error("duplicate header {0:?} in email config")]
    EmailDuplicateHeader(String),
    #[error("no global SMTP smarthost set (set global.smtp_smarthost or smarthost here)")]
    EmailNoSmarthost,
    #[error("no global SMTP from set (set global.smtp_from or from here)")]
    EmailNoFrom,
    #[error("at most one of auth_password & auth_password_file must be configured")]
    EmailPasswordTwice,
    #[error("missing name in recurring silence")]
    RecurringMissingName,
    /// Something wrong inside the recurring silence named `name`.
    #[error("recurring silence {name:?}: {reason}")]
    Recurring { name: String, reason: Box<ConfigProblem> },
    #[error("at least one matcher is required")]
    NoMatchers,
    #[error("at least one matcher must not match the empty string")]
    OnlyEmptyMatchers,
    #[error("time_intervals must name or contain at least one time interval")]
    NoTimeIntervals,
    #[error("undefined time interval {0:?}")]
    UndefinedTimeInterval(String),
}

/// What is wrong with a URL, as the tail of [`ConfigProblem::InvalidUrl`]'s message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    #[error(
        "it contains template syntax, but templates are not expanded in alertmanager.yml (only notification \
         fields such as title or text are templated); write the URL itself"
    )]
    Template,
    #[error("it contains whitespace")]
    Whitespace,
    #[error("expected http://host/path or https://host/path")]
    NotAUrl,
    #[error("unsupported scheme {0:?} (use http or https)")]
    UnsupportedScheme(String),
    #[error("the host is missing")]
    MissingHost,
}

/// What is wrong with a `host:port`, as the tail of [`ConfigProblem::InvalidAddress`]'s message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressProblem {
    #[error("missing port (write host:port)")]
    MissingPortBracketed,
    #[error("missing port (write host:port, e.g. localhost:25)")]
    MissingPort,
    #[error("port cannot be empty")]
    EmptyPort,
    #[error("too many colons (write IPv6 hosts as [addr]:port)")]
    TooManyColons,
}
