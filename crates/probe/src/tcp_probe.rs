//! The `tcp` prober: connect (optionally with TLS), then an optional expect/send dialogue.

use std::net::{IpAddr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout_at;

use crate::config::TcpProbe;
use crate::connect::{self, Stream};
use crate::metrics::ProbeMetrics;
use crate::resolve::choose_protocol;
use crate::tls;

/// Runs the tcp prober against `target` (`host:port`) until `deadline`.
pub async fn probe(target: &str, cfg: &TcpProbe, deadline: tokio::time::Instant, m: &mut ProbeMetrics) -> bool {
    m.register("probe_failed_due_to_regex", "Indicates if probe failed due to regex");
    let Some((host, port)) = split_host_port(target) else {
        tracing::debug!(target, "target is not host:port");
        return false;
    };
    let resolved = timeout_at(deadline, choose_protocol(&cfg.preferred_ip_protocol, cfg.ip_protocol_fallback, host, m));
    let Ok((Ok(ip), _)) = resolved.await else { return false };
    match timeout_at(deadline, dialogue(host, SocketAddr::new(ip, port), cfg, m)).await {
        Ok(ok) => ok,
        Err(_) => {
            tracing::debug!(target, "tcp probe timed out");
            false
        }
    }
}

/// Splits `host:port` like Go's `net.SplitHostPort` (IPv6 hosts in brackets).
fn split_host_port(target: &str) -> Option<(&str, u16)> {
    let (host, port) = if let Some(rest) = target.strip_prefix('[') {
        let (h, p) = rest.split_once("]:")?;
        (h, p)
    } else {
        let (h, p) = target.rsplit_once(':')?;
        if h.contains(':') {
            return None;
        }
        (h, p)
    };
    Some((host, port.parse().ok()?))
}

async fn dialogue(host: &str, addr: SocketAddr, cfg: &TcpProbe, m: &mut ProbeMetrics) -> bool {
    let source = if cfg.source_ip_address.is_empty() {
        None
    } else {
        match cfg.source_ip_address.parse::<IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => return false,
        }
    };
    let tcp = match connect::tcp(addr, source).await {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(%addr, error = %e, "tcp connect failed");
            return false;
        }
    };
    let mut stream = Stream::Plain(tcp);
    if cfg.tls {
        let Some(s) = upgrade(stream, host, cfg, m).await else { return false };
        stream = s;
    }
    let mut lines = LineReader::default();
    for step in &cfg.query_response {
        let mut send = step.send.clone();
        if let Some(expect) = &step.expect {
            let found = loop {
                match lines.next_line(&mut stream).await {
                    Err(e) => {
                        tracing::debug!(error = %e, "reading from connection failed");
                        return false;
                    }
                    Ok(None) => break None,
                    Ok(Some(line)) => {
                        if let Some(caps) = expect.0.captures(&line) {
                            let mut expanded = Vec::new();
                            caps.expand(send.as_bytes(), &mut expanded);
                            break Some(String::from_utf8_lossy(&expanded).into_owned());
                        }
                    }
                }
            };
            match found {
                None => {
                    m.set("probe_failed_due_to_regex", "", 1.0);
                    return false;
                }
                Some(expanded) => {
                    m.set("probe_failed_due_to_regex", "", 0.0);
                    send = expanded;
                }
            }
        }
        if !send.is_empty() && stream.write_all(format!("{send}\n").as_bytes()).await.is_err() {
            return false;
        }
        if step.starttls {
            let Some(s) = upgrade(stream, host, cfg, m).await else { return false };
            stream = s;
            lines = LineReader::default();
        }
    }
    true
}

/// Runs a TLS handshake on a plain stream and records the TLS series.
async fn upgrade(stream: Stream, host: &str, cfg: &TcpProbe, m: &mut ProbeMetrics) -> Option<Stream> {
    let Stream::Plain(tcp) = stream else { return None };
    let client = tls::client_config(&cfg.tls_config, &[])
        .map_err(|e| tracing::warn!(error = %e, "cannot build TLS client"))
        .ok()?;
    let name = tls::server_name(cfg.tls_config.server_name.as_deref().unwrap_or(host))?;
    let (result, _, _) = connect::tls_handshake(tcp, client.config, name, client.verifies).await;
    let (stream, seen) = result.map_err(|e| tracing::debug!(error = %e, "TLS handshake failed")).ok()?;
    seen.record(m);
    Some(stream)
}

/// Splits a byte stream into lines the way Go's `bufio.Scanner` does (`\n` or `\r\n`, final
/// unterminated line included).
#[derive(Default)]
struct LineReader {
    buf: Vec<u8>,
    eof: bool,
}

impl LineReader {
    async fn next_line(&mut self, stream: &mut Stream) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(std::mem::take(&mut self.buf)));
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                self.eof = true;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_splitting() {
        assert_eq!(split_host_port("example.com:22"), Some(("example.com", 22)));
        assert_eq!(split_host_port("[::1]:80"), Some(("::1", 80)));
        assert_eq!(split_host_port("::1:80"), None);
        assert_eq!(split_host_port("example.com"), None);
    }
}
