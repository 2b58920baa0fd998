//! The e-mail integration against an in-test SMTP sink: the envelope, headers and both bodies,
//! AUTH PLAIN and LOGIN, STARTTLS (with a test CA in `fixtures/`: `ca.pem` signed `smtp.pem`
//! for localhost and 127.0.0.1, valid until 2126, made with `openssl req`/`openssl x509`), and
//! the failures Alertmanager reports.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{build, firing_group, receiver, resolved_group};
use receivers::encoding::{base64_decode, base64_encode};
use receivers::{AttemptError, NotifyError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// What the sink saw in one SMTP session.
#[derive(Debug, Default, Clone)]
struct Transcript {
    ehlo: Vec<String>,
    tls: bool,
    auth: Option<(String, String, String)>,
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// How the sink behaves.
#[derive(Clone)]
struct Sink {
    /// Offer STARTTLS with this server config.
    tls: Option<Arc<rustls::ServerConfig>>,
    /// Mechanisms offered in `AUTH` (empty: no AUTH extension).
    auth: &'static str,
    reject_rcpt: bool,
    sessions: Arc<Mutex<Vec<Transcript>>>,
}

impl Sink {
    fn new(auth: &'static str) -> Sink {
        Sink { tls: None, auth, reject_rcpt: false, sessions: Arc::new(Mutex::new(Vec::new())) }
    }

    fn with_starttls(mut self) -> Sink {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(format!("{FIXTURES}/smtp.pem")).unwrap().map(Result::unwrap).collect();
        let key = PrivateKeyDer::from_pem_file(format!("{FIXTURES}/smtp.key")).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        self.tls = Some(Arc::new(config));
        self
    }

    /// Listens on 127.0.0.1; returns the port.
    async fn start(&self) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = self.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let sink = sink.clone();
                tokio::spawn(async move {
                    let mut t = Transcript::default();
                    let mut tcp = tcp;
                    tcp.write_all(b"220 sink ESMTP ready\r\n").await.unwrap();
                    if serve(&mut tcp, &sink, &mut t).await
                        && let Some(config) = &sink.tls
                    {
                        // A client that rejects the certificate ends the session here.
                        if let Ok(mut tls) = TlsAcceptor::from(config.clone()).accept(tcp).await {
                            t.tls = true;
                            serve(&mut tls, &sink, &mut t).await;
                        }
                    }
                    sink.sessions.lock().unwrap().push(t);
                });
            }
        });
        port
    }

    fn sessions(&self) -> Vec<Transcript> {
        self.sessions.lock().unwrap().clone()
    }
}

async fn read_line<S: AsyncRead + Unpin>(s: &mut S) -> Option<String> {
    let mut line = Vec::new();
    loop {
        let b = s.read_u8().await.ok()?;
        line.push(b);
        if b == b'\n' {
            return Some(String::from_utf8_lossy(&line).trim_end().to_string());
        }
    }
}

/// Runs commands until QUIT (false) or STARTTLS (true: upgrade, then call again).
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, sink: &Sink, t: &mut Transcript) -> bool {
    while let Some(line) = read_line(s).await {
        let upper = line.to_ascii_uppercase();
        let reply: String = if let Some(name) = upper.strip_prefix("EHLO ") {
            t.ehlo.push(name.to_lowercase());
            let mut r = String::from("250-sink greets you\r\n250-8BITMIME\r\n");
            if sink.tls.is_some() && !t.tls {
                r.push_str("250-STARTTLS\r\n");
            }
            if !sink.auth.is_empty() {
                r.push_str(&format!("250-AUTH {}\r\n", sink.auth));
            }
            r + "250 SIZE 10240000\r\n"
        } else if upper == "STARTTLS" {
            s.write_all(b"220 go ahead\r\n").await.unwrap();
            return true;
        } else if let Some(token) = line.strip_prefix("AUTH PLAIN ") {
            let raw = String::from_utf8(base64_decode(token).unwrap()).unwrap();
            let parts: Vec<&str> = raw.split('\0').collect();
            t.auth = Some(("PLAIN".into(), parts[1].into(), parts[2].into()));
            "235 2.7.0 authenticated\r\n".into()
        } else if upper == "AUTH LOGIN" {
            s.write_all(format!("334 {}\r\n", base64_encode(b"Username:")).as_bytes()).await.unwrap();
            let user = String::from_utf8(base64_decode(&read_line(s).await.unwrap()).unwrap()).unwrap();
            s.write_all(format!("334 {}\r\n", base64_encode(b"Password:")).as_bytes()).await.unwrap();
            let pass = String::from_utf8(base64_decode(&read_line(s).await.unwrap()).unwrap()).unwrap();
            t.auth = Some(("LOGIN".into(), user, pass));
            "235 2.7.0 authenticated\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            t.mail_from = line.clone();
            "250 2.1.0 ok\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            t.rcpt_to.push(line.clone());
            if sink.reject_rcpt { "550 5.1.1 no such user\r\n".into() } else { "250 2.1.5 ok\r\n".into() }
        } else if upper == "DATA" {
            s.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await.unwrap();
            let mut data = String::new();
            while let Some(l) = read_line(s).await {
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push_str("\r\n");
            }
            t.data = data;
            "250 2.0.0 queued\r\n".into()
        } else if upper == "QUIT" {
            let _ = s.write_all(b"221 2.0.0 bye\r\n").await;
            return false;
        } else {
            "502 5.5.2 unknown command\r\n".into()
        };
        if s.write_all(reply.as_bytes()).await.is_err() {
            return false;
        }
    }
    false
}

/// A message split into headers and its parts' decoded bodies.
struct Parsed {
    headers: Vec<(String, String)>,
    parts: Vec<(String, String)>,
}

impl Parsed {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

fn qp_decode(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() + 1 {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn parse(data: &str) -> Parsed {
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let headers: Vec<(String, String)> = head
        .split("\r\n")
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let ct = headers.iter().find(|(k, _)| k == "Content-Type").unwrap().1.clone();
    let boundary = ct.split("boundary=").nth(1).unwrap().to_string();
    assert!(body.ends_with(&format!("\r\n--{boundary}--\r\n")), "{body:?}");
    let parts = body
        .split(&format!("--{boundary}"))
        .filter(|p| p.starts_with("\r\nContent"))
        .map(|p| {
            let (h, b) = p.trim_start_matches("\r\n").split_once("\r\n\r\n").unwrap();
            assert!(h.contains("Content-Transfer-Encoding: quoted-printable"), "{h}");
            let ct = h.lines().find_map(|l| l.strip_prefix("Content-Type: ")).unwrap().to_string();
            (ct, qp_decode(b.strip_suffix("\r\n").unwrap_or(b)))
        })
        .collect();
    Parsed { headers, parts }
}

fn email(port: u16, extra: &str) -> alerting::config::Receiver {
    receiver(&format!(
        "    email_configs:\n      - to: 'ops@example.com, Dev Team <dev@example.com>'\n        from: 'Vigil <alerts@vigil.example>'\n        smarthost: 127.0.0.1:{port}\n        hello: vigil.test\n{extra}"
    ))
}

#[tokio::test]
async fn sends_envelope_headers_and_both_bodies() {
    let sink = Sink::new("");
    let port = sink.start().await;
    let extra = "        require_tls: false\n        send_resolved: true\n        text: '{{ template \"__subject\" . }} for {{ .CommonLabels.service }}'\n        headers:\n          X-Team: '{{ .CommonLabels.service }}'\n          Subject: 'Größe {{ .Status }}'\n";
    let (integrations, _) = build(&email(port, extra));
    let results = integrations.notify(&firing_group()).await;
    assert!(results[0].1.is_ok(), "{:?}", results[0].1);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let s = &sink.sessions()[0];
    assert_eq!(s.ehlo, ["vigil.test"]);
    assert!(!s.tls && s.auth.is_none());
    assert_eq!(s.mail_from, "MAIL FROM:<alerts@vigil.example> BODY=8BITMIME");
    assert_eq!(s.rcpt_to, ["RCPT TO:<ops@example.com>", "RCPT TO:<dev@example.com>"]);
    let m = parse(&s.data);
    let names: Vec<&str> = m.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["From", "Subject", "To", "X-Team", "Message-Id", "Date", "Content-Type", "MIME-Version"]);
    assert_eq!(m.header("From"), "Vigil <alerts@vigil.example>");
    assert_eq!(m.header("To"), "ops@example.com, Dev Team <dev@example.com>");
    assert_eq!(m.header("Subject"), "=?utf-8?q?Gr=C3=B6=C3=9Fe_firing?=");
    assert_eq!(m.header("X-Team"), "api");
    assert_eq!(m.header("MIME-Version"), "1.0");
    assert!(m.header("Content-Type").starts_with("multipart/alternative;  boundary="));
    let id = m.header("Message-Id");
    assert!(id.starts_with('<') && id.ends_with('>') && id.contains('@'), "{id}");
    let date = m.header("Date");
    assert!(date.ends_with(" +0000") && date.len() == "Sun, 01 Jan 2023 12:00:00 +0000".len(), "{date}");
    assert_eq!(m.parts.len(), 2);
    assert_eq!(m.parts[0].0, "text/plain; charset=UTF-8");
    assert_eq!(m.parts[0].1, "[FIRING:2] HighLatency (api critical) for api");
    assert_eq!(m.parts[1].0, "text/html; charset=UTF-8");
    let html = &m.parts[1].1;
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>[FIRING:2] HighLatency (api critical)</title>"), "{html}");
    assert!(html.contains("[2] Firing"), "{html}");
}

#[tokio::test]
async fn default_subject_and_html_only() {
    let sink = Sink::new("");
    let port = sink.start().await;
    let (integrations, _) = build(&email(port, "        require_tls: false\n        send_resolved: true\n"));
    assert!(integrations.notify(&resolved_group()).await[0].1.is_ok());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let m = parse(&sink.sessions()[0].data);
    assert_eq!(m.header("Subject"), "[RESOLVED] HighLatency (api critical)");
    assert_eq!(m.parts.len(), 1, "no text part unless configured, as in Alertmanager");
    assert!(m.parts[0].1.contains("[2] Resolved"));
}

#[tokio::test]
async fn auth_plain_and_login() {
    let sink = Sink::new("PLAIN LOGIN");
    let port = sink.start().await;
    let auth = "        require_tls: false\n        auth_username: alice\n        auth_password: pw\n        auth_identity: ''\n";
    let (integrations, _) = build(&email(port, auth));
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    let sink2 = Sink::new("LOGIN");
    let port2 = sink2.start().await;
    let (integrations, _) = build(&email(port2, auth));
    assert!(integrations.notify(&firing_group()).await[0].1.is_ok());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(sink.sessions()[0].auth, Some(("PLAIN".into(), "alice".into(), "pw".into())));
    assert_eq!(sink2.sessions()[0].auth, Some(("LOGIN".into(), "alice".into(), "pw".into())));
}

#[tokio::test]
async fn starttls_then_auth() {
    let sink = Sink::new("PLAIN").with_starttls();
    let port = sink.start().await;
    let tls = format!(
        "        auth_username: alice\n        auth_password: pw\n        tls_config:\n          ca_file: {FIXTURES}/ca.pem\n"
    );
    let (integrations, _) = build(&email(port, &tls));
    let results = integrations.notify(&firing_group()).await;
    assert!(results[0].1.is_ok(), "{:?}", results[0].1);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let s = &sink.sessions()[0];
    assert!(s.tls);
    assert_eq!(s.ehlo.len(), 2, "EHLO again after STARTTLS");
    assert_eq!(s.auth, Some(("PLAIN".into(), "alice".into(), "pw".into())));
    assert!(parse(&s.data).header("Subject").starts_with("[FIRING:2]"));

    // An unknown CA fails the handshake (and is retried: it may be a transient problem).
    let (integrations, _) = build(&email(port, "        auth_username: ''\n"));
    let err = integrations.notify_within(&firing_group(), Duration::from_millis(300)).await.remove(0).1.unwrap_err();
    assert!(err.to_string().contains("send STARTTLS command"), "{err}");
}

#[tokio::test]
async fn require_tls_without_starttls_fails_for_good() {
    let sink = Sink::new("");
    let port = sink.start().await;
    let (integrations, _) = build(&email(port, ""));
    let err = integrations.notify(&firing_group()).await.remove(0).1.unwrap_err();
    assert!(matches!(err, NotifyError::Unrecoverable { attempts: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("does not advertise the STARTTLS extension"), "{err}");
}

#[tokio::test]
async fn rejected_recipients_are_reported() {
    let mut sink = Sink::new("");
    sink.reject_rcpt = true;
    let port = sink.start().await;
    let (integrations, _) = build(&email(port, "        require_tls: false\n"));
    let err = integrations.notify(&firing_group()).await.remove(0).1.unwrap_err();
    assert!(matches!(err.cause(), AttemptError::Smtp { retry: false, .. }), "{err:?}");
    assert!(err.to_string().contains("send RCPT command: 550 5.1.1 no such user"), "{err}");
}

#[tokio::test]
async fn bad_addresses_fail_before_connecting() {
    let sink = Sink::new("");
    let port = sink.start().await;
    let r = receiver(&format!(
        "    email_configs:\n      - to: 'nobody'\n        from: 'a@b.c'\n        smarthost: 127.0.0.1:{port}\n        require_tls: false\n"
    ));
    let (integrations, _) = build(&r);
    let err = integrations.notify(&firing_group()).await.remove(0).1.unwrap_err();
    assert!(err.to_string().contains("parse 'to' addresses: mail: missing @"), "{err}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(sink.sessions().is_empty());
}
