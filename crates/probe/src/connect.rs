//! Opening the probe's connection through Vigil's one HTTP stack ([`httpclient::connect`]):
//! TCP (directly or through a proxy tunnel), then optionally TLS, timing each step.

use std::sync::Arc;
use std::time::Instant;

pub use httpclient::connect::{Stream, tcp};
use tokio::net::TcpStream;

use crate::tls::TlsSeen;

/// Runs a TLS handshake over `tcp`; returns the stream, what the handshake showed, and when it
/// started and ended.
pub async fn tls_handshake(
    tcp: TcpStream,
    config: Arc<rustls::ClientConfig>,
    name: rustls::pki_types::ServerName<'static>,
    verified: bool,
) -> (std::io::Result<(Stream, TlsSeen)>, Instant, Instant) {
    let (result, start, done) = httpclient::connect::tls_handshake(tcp, config, name).await;
    let result = result.and_then(|stream| {
        let seen = stream
            .tls_session()
            .map(|conn| TlsSeen::from_conn(conn, verified))
            .ok_or_else(|| std::io::Error::other("BUG: TLS handshake returned a plain stream"))?;
        Ok((stream, seen))
    });
    (result, start, done)
}
