//! Errors of building integrations, of one delivery attempt, and of a whole notification
//! (all its attempts). Whether an attempt is worth repeating is decided here, with
//! Alertmanager's rules: network failures and 5xx (plus an integration's extra codes, such as
//! PagerDuty's 429) are retried; 4xx, template errors and bad settings are not.

use std::time::Duration;

use templates::TemplateError;

/// An integration could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
#[error("{integration}: {error}")]
pub struct BuildError {
    /// Which integration, e.g. `webhook[0]`.
    pub integration: String,
    /// What is wrong with its settings.
    pub error: SetupError,
}

/// Why an integration's settings do not make a working integration. Typed so callers can
/// tell a missing setting from a broken HTTP or TLS setup; the texts are the ones users
/// have seen in config errors.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// PagerDuty Events API v2 without a URL.
    #[error("no url (set it or global.pagerduty_url)")]
    NoPagerdutyUrl,
    /// PagerDuty without a service or routing key.
    #[error("missing service or routing key in PagerDuty config")]
    NoPagerdutyKey,
    /// Slack without an API URL.
    #[error("no api_url or api_url_file (set it here or as global.slack_api_url)")]
    NoSlackUrl,
    /// A webhook without a URL.
    #[error("one of url or url_file must be configured")]
    NoWebhookUrl,
    /// E-mail without a smarthost.
    #[error("no smarthost (set it here or as global.smtp_smarthost)")]
    NoSmarthost,
    /// The HTTP client could not be built from `http_config`.
    #[error(transparent)]
    Http(#[from] httpclient::ClientError),
    /// The e-mail TLS server name is not a valid DNS name or IP address.
    #[error("invalid TLS server name {name:?}: {error}")]
    TlsServerName {
        /// The name (`server_name`, else the smarthost's host).
        name: String,
        /// Why it is invalid.
        error: rustls::pki_types::InvalidDnsNameError,
    },
    /// The e-mail `tls_config` is invalid.
    #[error(transparent)]
    TlsConfig(#[from] promconfig::HttpConfigError),
    /// The e-mail TLS client could not be set up (CA or client certificate files).
    #[error(transparent)]
    Tls(#[from] httpclient::tls::TlsSetupError),
}

/// Why one delivery attempt failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AttemptError {
    /// A templated field failed to render (not retried: it would fail again).
    #[error("cannot render {field}: {source}")]
    Template { field: String, source: Box<TemplateError> },
    /// The settings cannot work as written: no URL, an unreadable key file, a bad address.
    #[error("{0}")]
    Config(String),
    /// The receiving service answered with a non-2xx status.
    #[error("unexpected status code {status}{}", details_suffix(.details))]
    Status { status: u16, details: String, retry: bool },
    /// The request did not get an answer (connection refused, reset, TLS failure).
    #[error("{0}")]
    Transport(String),
    /// The attempt took longer than its timeout.
    #[error("attempt timed out after {}", humanize(*.0))]
    Timeout(Duration),
    /// An SMTP step failed; `retry` is false for permanent (5xx) rejections of the message.
    #[error("{message}")]
    Smtp { message: String, retry: bool },
}

fn details_suffix(details: &str) -> String {
    if details.is_empty() { String::new() } else { format!(": {details}") }
}

fn humanize(d: Duration) -> String {
    if d < Duration::from_secs(1) { format!("{}ms", d.as_millis()) } else { format!("{:.1}s", d.as_secs_f64()) }
}

impl AttemptError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            AttemptError::Template { .. } | AttemptError::Config(_) => false,
            AttemptError::Status { retry, .. } | AttemptError::Smtp { retry, .. } => *retry,
            AttemptError::Transport(_) | AttemptError::Timeout(_) => true,
        }
    }
}

/// A notification that was not delivered, after all its attempts.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NotifyError {
    /// An attempt failed in a way retrying cannot fix.
    #[error("notify retry canceled due to unrecoverable error after {attempts} attempts: {cause}")]
    Unrecoverable { attempts: u32, cause: AttemptError },
    /// The time allowed for the notification ran out while attempts kept failing.
    #[error("notify retry canceled after {attempts} attempts: {cause}")]
    GaveUp { attempts: u32, cause: AttemptError },
}

impl NotifyError {
    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        match self {
            NotifyError::Unrecoverable { attempts, .. } | NotifyError::GaveUp { attempts, .. } => *attempts,
        }
    }

    /// The last attempt's failure.
    pub fn cause(&self) -> &AttemptError {
        match self {
            NotifyError::Unrecoverable { cause, .. } | NotifyError::GaveUp { cause, .. } => cause,
        }
    }
}
