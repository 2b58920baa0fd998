//! Prometheus's shared configuration vocabulary, written once for every Vigil crate that reads
//! prometheus.yml, alertmanager.yml or blackbox.yml: durations (Prometheus's and Go's forms),
//! byte sizes, secrets that never print, the common HTTP client settings (`http_config`:
//! authentication, OAuth2, TLS, proxies, headers), relabelling, file globs, RFC 3339 times and
//! Go's URL escaping. No I/O beyond reading secret files and listing
//! globs: the HTTP stack that acts on these settings is the `httpclient` crate.

// Lets the field macro name this crate the same way inside and outside it.
extern crate self as promconfig;

pub mod bytesize;
pub mod discovery;
pub mod duration;
pub mod embed;
pub mod glob;
pub mod http;
pub mod mask;
pub mod relabel;
pub mod secret;
pub mod time;
pub mod url;

pub use bytesize::{ByteSize, parse_byte_size};
pub use duration::{Duration, format_duration_ms, parse_duration_ms};
pub use http::{Authorization, BasicAuth, HttpClientConfig, HttpConfigError, OAuth2, TlsConfig};
pub use secret::Secret;

/// Runs every parser of this crate on `text`, for the fuzz target `http_config_parse` and its
/// corpus test: each must return a value or an error, never panic.
pub fn fuzz_one(text: &str) {
    if let Ok(cfg) = serde_saphyr::from_str::<HttpClientConfig>(text) {
        let _ = cfg.validate();
    }
    let masked = mask::mask_secrets(text);
    debug_assert!(masked.lines().count() <= text.lines().count() + 1);
    let _ = parse_duration_ms(text);
    let _ = duration::parse_go_duration(text);
    let _ = parse_byte_size(text);
    let _ = time::parse_rfc3339(text);
    let _ = glob::matches(text, "name");
}
