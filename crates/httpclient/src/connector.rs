//! The connector behind the pooled client: turns a URI into a connection with
//! [`crate::connect`] (TCP, proxy tunnel, TLS), so pooled requests and the prober's timed
//! connections share one implementation.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;

use crate::connect::{self, Stream};
use crate::error::ClientError;
use crate::proxy::{self, ProxySelector};
use crate::tls::TlsClient;

/// Opens connections for the pooled client.
#[derive(Clone)]
pub struct Connector {
    tls: TlsClient,
    proxy: Option<Arc<ProxySelector>>,
}

impl Connector {
    pub fn new(tls: TlsClient, proxy: Option<ProxySelector>) -> Connector {
        Connector { tls, proxy: proxy.map(Arc::new) }
    }

    /// Opens a connection to the URI's host: through the proxy when one applies, then TLS for
    /// `https`.
    pub async fn open(&self, uri: &Uri) -> Result<Stream, ClientError> {
        let https = uri.scheme_str() == Some("https");
        let host = uri.host().ok_or_else(|| ClientError::Url { url: uri.to_string(), reason: "no host".into() })?;
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let proxy = self.proxy.as_ref().and_then(|p| p.for_target(host, https));
        let tcp = match proxy {
            Some(p) => proxy::tunnel(p, host, port).await?,
            None => connect::tcp_host(host, port)
                .await
                .map_err(|e| ClientError::Transport(format!("dial tcp {host}:{port}: {e}")))?,
        };
        if !https {
            return Ok(Stream::Plain(tcp));
        }
        let name_text = self.tls.server_name.as_deref().unwrap_or(host);
        let name = crate::tls::server_name(name_text).ok_or_else(|| ClientError::Url {
            url: uri.to_string(),
            reason: format!("invalid TLS name {name_text:?}"),
        })?;
        let (stream, _, _) = connect::tls_handshake(tcp, self.tls.config.clone(), name).await;
        stream.map_err(|e| ClientError::Transport(format!("tls: {e}")))
    }
}

/// A connection handed to hyper.
pub struct Conn(TokioIo<Stream>);

impl Connection for Conn {
    fn connected(&self) -> Connected {
        let c = Connected::new();
        if self.0.inner().is_h2() { c.negotiated_h2() } else { c }
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl tower_service::Service<Uri> for Connector {
    type Response = Conn;
    type Error = ClientError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, ClientError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.open(&uri).await.map(|s| Conn(TokioIo::new(s))) })
    }
}
