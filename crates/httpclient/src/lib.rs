//! Vigil's one HTTP client stack. Every outgoing HTTP request — scrapes, alert delivery to
//! Alertmanagers, receivers' webhooks, the prober, and later remote-write sending and OTLP
//! export — goes through this crate, built from Prometheus's `http_config`
//! ([`promconfig::HttpClientConfig`]): TLS (CA, client certificates, server name, versions),
//! basic auth, `authorization`, OAuth2 client credentials (token cached until it expires),
//! HTTP CONNECT proxies (`proxy_url`, `no_proxy`, `proxy_from_environment`,
//! `proxy_connect_header`), `http_headers`, redirects and HTTP/2.
//!
//! Layers, bottom up: [`connect`] opens TCP (optionally through a [`proxy`] tunnel) and TLS
//! ([`tls`]) and can time each step, which the prober reports; [`connector`] adapts that to
//! hyper's pooled client; [`client::HttpClient`] applies credentials, headers and redirects.

pub mod auth;
pub mod client;
pub mod connect;
pub mod connector;
pub mod error;
pub mod oauth2;
pub mod proxy;
pub mod tls;

pub use client::{ClientOptions, HttpClient, Response};
pub use error::ClientError;
/// rustls as this stack uses it (for [`handshake_signature_checks!`] and callers' TLS types).
pub use rustls;

/// The `http` types callers build requests with, so they need not depend on hyper themselves.
pub mod hyper_reexports {
    pub use hyper::header::*;
    pub use hyper::{Method, StatusCode};
}

/// Installs the process-wide rustls crypto provider (ring) once; harmless when one is set.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Fails only when a provider is already installed, which is what we want anyway.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// An error followed by its causes, `: `-separated: hyper's Display hides the cause; the chain
/// names it ("client error (Connect): tcp connect error: Connection refused").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        // Some errors repeat their cause in their own text; print it once.
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}
