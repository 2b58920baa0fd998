//! Test fixtures: small HTTP, TLS and TCP servers on 127.0.0.1, the real blackbox_exporter
//! (killed on drop), and a parser of the text exposition.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const BLACKBOX: &str = "/usr/bin/prometheus-blackbox-exporter";

/// Panics under CI (the peer must be installed there), otherwise reports the skip.
pub fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("required for this test under CI: {why}");
    }
    eprintln!("skipped: {why}");
}

/// A free 127.0.0.1 port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Answers one HTTP/1.1 request per connection according to its path.
async fn serve_http<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (status, extra, body): (&str, &str, &str) = match path.as_str() {
        "/ok" => ("200 OK", "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n", "hello ok 42\n"),
        "/notfound" => ("404 Not Found", "", "nothing here\n"),
        "/redirect" => ("302 Found", "Location: /ok\r\n", ""),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            ("200 OK", "", "late\n")
        }
        _ => ("200 OK", "", "root\n"),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(response.as_bytes()).await;
    let _ = s.shutdown().await;
}

/// A plain HTTP server; returns its address.
pub async fn http_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(serve_http(s));
        }
    });
    addr
}

/// What a TLS test server speaks after the handshake.
#[derive(Clone, Copy, PartialEq)]
pub enum TlsMode {
    /// HTTP/1.1 (no ALPN).
    Http1,
    /// HTTP/2 negotiated with ALPN.
    H2,
    /// A `+OK` banner line, then close.
    Banner,
}

/// A TLS server presenting `cert`/`key` (PEM files).
pub async fn tls_server(cert: &Path, key: &Path, mode: TlsMode) -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert).unwrap().collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    if mode == TlsMode::H2 {
        config.alpn_protocols = vec![b"h2".to_vec()];
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(s).await else { return };
                match mode {
                    TlsMode::Http1 => serve_http(tls).await,
                    TlsMode::H2 => serve_h2(tls).await,
                    TlsMode::Banner => {
                        let _ = tls.write_all(b"+OK ready\r\n").await;
                        let _ = tls.shutdown().await;
                    }
                }
            });
        }
    });
    addr
}

async fn serve_h2<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(s: S) {
    use http_body_util::Full;
    let service = hyper::service::service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
        let (status, body) = if req.uri().path() == "/ok" { (200, "hello ok 42\n") } else { (404, "nothing here\n") };
        hyper::Response::builder()
            .status(status)
            .header("Content-Length", body.len())
            .body(Full::new(bytes::Bytes::from_static(body.as_bytes())))
    });
    let io = hyper_util::rt::TokioIo::new(s);
    let _ = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

/// A line-based TCP server: greets with `READY`, answers `PING` with `PONG`.
pub async fn tcp_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = s.write_all(b"READY banner\r\n").await;
                let mut buf = [0u8; 256];
                let mut seen = Vec::new();
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if seen.ends_with(b"PING\n") {
                        let _ = s.write_all(b"PONG\n").await;
                        break;
                    }
                }
                let _ = s.shutdown().await;
            });
        }
    });
    addr
}

/// A port with nothing listening.
pub fn closed_port() -> u16 {
    free_port()
}

/// Certificates made with the openssl CLI: a CA and a leaf for 127.0.0.1 / localhost.
pub struct Certs {
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Generates the certificates, or `None` when openssl is missing or fails.
pub fn make_certs() -> Option<Certs> {
    let dir = tempfile::tempdir().ok()?;
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n").ok()?;
    let steps: [&[&str]; 3] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=Vigil Test CA/O=Vigil",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost/O=Vigil Test",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "7",
            "-extfile",
            "ext.cnf",
            "-out",
            "leaf.pem",
        ],
    ];
    for args in steps {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
    }
    Some(Certs { ca: p("ca.pem"), cert: p("leaf.pem"), key: p("leaf.key"), dir })
}

/// The real blackbox_exporter on a free port, killed when dropped.
pub struct Blackbox {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Blackbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Blackbox {
    /// Starts it with `config_file` and waits until it answers.
    pub async fn start(config_file: &Path) -> Blackbox {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = Command::new(BLACKBOX)
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let bb = Blackbox { child, addr };
        for _ in 0..100 {
            if let Ok((200, _)) = http_get(addr, "/-/healthy", None).await {
                return bb;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("blackbox_exporter did not become healthy on {addr}");
    }

    /// Runs a probe through it; returns the exposition text.
    pub async fn probe(&self, module: &str, target: &str, scrape_timeout: Option<f64>) -> String {
        let path = format!("/probe?module={module}&target={}", encode(target));
        let (status, body) = http_get(self.addr, &path, scrape_timeout).await.unwrap();
        assert_eq!(status, 200, "blackbox answered {status}: {body}");
        body
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A minimal HTTP/1.0 GET returning status and body.
pub async fn http_get(addr: SocketAddr, path: &str, scrape_timeout: Option<f64>) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr).await?;
    let extra = scrape_timeout.map(|t| format!("X-Prometheus-Scrape-Timeout-Seconds: {t}\r\n")).unwrap_or_default();
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n{extra}\r\n").as_bytes()).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// Series → value of an exposition; labels are normalised (sorted) in the key.
pub fn parse_exposition(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let key = match series.split_once('{') {
            None => series.to_string(),
            Some((name, labels)) => {
                let labels = labels.trim_end_matches('}');
                let mut pairs = split_labels(labels);
                pairs.sort();
                format!("{name}{{{}}}", pairs.join(","))
            }
        };
        let v = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap(),
        };
        out.insert(key, v);
    }
    out
}

fn split_labels(s: &str) -> Vec<String> {
    let mut pairs = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_quotes = !in_quotes;
        } else if c == ',' && !in_quotes {
            pairs.push(std::mem::take(&mut cur));
            continue;
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        pairs.push(cur);
    }
    pairs
}
