//! What can go wrong with a request, by stage, so callers map each to their own report
//! (a scrape's `lastError`, a notification's retry decision) without matching strings.

use promconfig::HttpConfigError;
use promconfig::secret::SecretFileError;

use crate::tls::TlsSetupError;

/// A request that did not produce a response.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The settings are invalid (checked again when the client is built).
    #[error(transparent)]
    Config(#[from] HttpConfigError),
    /// The TLS settings could not be turned into a TLS client.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    /// A credentials or header file could not be read.
    #[error(transparent)]
    Secret(#[from] SecretFileError),
    /// The URL cannot be requested.
    #[error("invalid URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    /// A header value is not valid in HTTP.
    #[error("invalid value for header {0:?}")]
    HeaderValue(String),
    /// Connecting, the proxy tunnel, the TLS handshake or the exchange failed.
    #[error("{0}")]
    Transport(String),
    /// More redirects than the client follows.
    #[error("stopped after 10 redirects")]
    TooManyRedirects,
    /// The OAuth2 token endpoint did not give a token.
    #[error("cannot get OAuth2 token from {url}: {reason}")]
    OAuth2 { url: String, reason: String },
    /// The response body is larger than the caller allows.
    #[error("body size limit exceeded ({limit} bytes)")]
    BodyTooLarge { limit: u64 },
}
