//! A small SMTP client with the steps and choices of Alertmanager's (Go's `net/smtp`): TLS
//! from the start on port 465; otherwise plain, then `STARTTLS` when `require_tls` (failing if
//! the server does not offer it); `AUTH` only when the server offers it and a username is set,
//! with the first of the server's mechanisms Vigil can do (CRAM-MD5, PLAIN, LOGIN); PLAIN only
//! over TLS or to localhost; `BODY=8BITMIME`/`SMTPUTF8` when offered.
//!
//! Written here rather than taken from `lettre` 0.11 (about 20 s of extra CPU per clean build
//! on top of what Vigil already compiles, 50 s on its own): `lettre` has no CRAM-MD5, which
//! Alertmanager configs use through `auth_secret`, and its transport picks mechanisms and TLS
//! its own way rather than the way Alertmanager users rely on. This is ~400 lines with no new
//! dependency.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use alerting::config::types::Secret;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::tls::SmtpTls;
use crate::encoding::{base64_decode, base64_encode, hex};
use crate::error::AttemptError;

/// Credentials for `AUTH`.
#[derive(Clone)]
pub struct Auth {
    pub username: String,
    pub password: Option<Secret>,
    pub password_file: Option<String>,
    /// CRAM-MD5's shared secret.
    pub secret: Option<Secret>,
    pub identity: String,
}

/// Where and how to deliver.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: String,
    /// The EHLO name.
    pub hello: String,
    pub require_tls: bool,
    pub tls: SmtpTls,
    /// `None`: no `AUTH` (no username configured).
    pub auth: Option<Auth>,
}

/// The envelope: the bare sender and recipient addresses.
pub struct Envelope {
    pub from: String,
    pub to: Vec<String>,
}

/// The connection, before or after TLS.
enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A server reply: its code and text (lines joined by `\n`).
struct Reply {
    code: u16,
    text: String,
}

/// Longest reply line accepted (RFC 5321 allows 512 bytes; servers send longer texts).
const MAX_LINE: usize = 4096;

struct Session {
    conn: Option<Conn>,
    buf: Vec<u8>,
    /// Extensions from the last EHLO, keyed upper-case.
    ext: HashMap<String, String>,
    tls: bool,
}

fn io_error(step: &str, e: impl std::fmt::Display) -> AttemptError {
    AttemptError::Transport(format!("{step}: {e}"))
}

/// A refused step: 4xx is transient and retried, 5xx is permanent (Alertmanager retries
/// those too, which only delays the same error).
fn refused(step: &str, reply: &Reply) -> AttemptError {
    AttemptError::Smtp { message: format!("{step}: {} {}", reply.code, reply.text), retry: reply.code < 500 }
}

impl Session {
    fn conn(&mut self) -> Result<&mut Conn, AttemptError> {
        self.conn.as_mut().ok_or_else(|| AttemptError::Transport("connection lost".into()))
    }

    async fn write(&mut self, step: &str, data: &[u8]) -> Result<(), AttemptError> {
        let conn = self.conn()?;
        conn.write_all(data).await.map_err(|e| io_error(step, e))?;
        conn.flush().await.map_err(|e| io_error(step, e))
    }

    async fn read_line(&mut self, step: &str) -> Result<String, AttemptError> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=end).collect();
                return Ok(String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_string());
            }
            if self.buf.len() > MAX_LINE {
                return Err(io_error(step, "reply line too long"));
            }
            let mut chunk = [0u8; 1024];
            let n = self.conn()?.read(&mut chunk).await.map_err(|e| io_error(step, e))?;
            if n == 0 {
                return Err(io_error(step, "connection closed by server"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads a (multi-line) reply.
    async fn reply(&mut self, step: &str) -> Result<Reply, AttemptError> {
        let mut text = Vec::new();
        loop {
            let line = self.read_line(step).await?;
            let code = line.get(..3).and_then(|c| c.parse::<u16>().ok()).filter(|c| (100..600).contains(c));
            let Some(code) = code else {
                return Err(io_error(step, format!("malformed reply {line:?}")));
            };
            text.push(line.get(4..).unwrap_or("").to_string());
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(Reply { code, text: text.join("\n") });
            }
        }
    }

    /// Sends a command and reads its reply; `expect` is the code, or its first digits.
    async fn cmd(&mut self, step: &str, line: &str, expect: u16) -> Result<Reply, AttemptError> {
        self.write(step, format!("{line}\r\n").as_bytes()).await?;
        let reply = self.reply(step).await?;
        let ok = if expect < 10 {
            reply.code / 100 == expect
        } else if expect < 100 {
            reply.code / 10 == expect
        } else {
            reply.code == expect
        };
        if ok { Ok(reply) } else { Err(refused(step, &reply)) }
    }

    /// EHLO, falling back to HELO; records the extensions.
    async fn hello(&mut self, name: &str) -> Result<(), AttemptError> {
        match self.cmd("send EHLO command", &format!("EHLO {name}"), 250).await {
            Ok(reply) => {
                self.ext = reply
                    .text
                    .lines()
                    .skip(1)
                    .map(|l| match l.split_once(' ') {
                        Some((k, v)) => (k.to_ascii_uppercase(), v.to_string()),
                        None => (l.to_ascii_uppercase(), String::new()),
                    })
                    .collect();
                Ok(())
            }
            Err(AttemptError::Smtp { .. }) => {
                self.ext.clear();
                self.cmd("send HELO command", &format!("HELO {name}"), 250).await.map(|_| ())
            }
            Err(e) => Err(e),
        }
    }

    async fn starttls(&mut self, tls: &SmtpTls) -> Result<(), AttemptError> {
        self.cmd("send STARTTLS command", "STARTTLS", 220).await?;
        let Some(Conn::Plain(tcp)) = self.conn.take() else {
            return Err(AttemptError::Transport("send STARTTLS command: connection is already TLS".into()));
        };
        let stream = TlsConnector::from(tls.config.clone())
            .connect(tls.server_name.clone(), tcp)
            .await
            .map_err(|e| io_error("send STARTTLS command", e))?;
        self.conn = Some(Conn::Tls(Box::new(stream)));
        self.buf.clear();
        self.tls = true;
        Ok(())
    }
}

/// Delivers one message; `data` is the message as written by
/// [`dot_stuff`](super::message::dot_stuff).
pub async fn send(s: &SmtpSettings, envelope: &Envelope, data: &[u8]) -> Result<(), AttemptError> {
    let addr = if s.host.contains(':') { format!("[{}]:{}", s.host, s.port) } else { format!("{}:{}", s.host, s.port) };
    let tcp = TcpStream::connect(&addr).await.map_err(|e| io_error("establish connection to server", e))?;
    let implicit_tls = s.port == "465";
    let conn = if implicit_tls {
        let stream = TlsConnector::from(s.tls.config.clone())
            .connect(s.tls.server_name.clone(), tcp)
            .await
            .map_err(|e| io_error("establish TLS connection to server", e))?;
        Conn::Tls(Box::new(stream))
    } else {
        Conn::Plain(tcp)
    };
    let mut session = Session { conn: Some(conn), buf: Vec::new(), ext: HashMap::new(), tls: implicit_tls };
    let greeting = session.reply("read greeting").await?;
    if greeting.code != 220 {
        return Err(refused("read greeting", &greeting));
    }
    let result = transaction(&mut session, s, envelope, data).await;
    // Closing politely is best effort; the message is delivered (or not) already.
    let _ = session.cmd("send QUIT command", "QUIT", 221).await;
    result
}

async fn transaction(
    session: &mut Session,
    s: &SmtpSettings,
    envelope: &Envelope,
    data: &[u8],
) -> Result<(), AttemptError> {
    let hello = if s.hello.is_empty() { "localhost" } else { s.hello.as_str() };
    session.hello(hello).await?;
    if s.require_tls && !session.tls {
        if !session.ext.contains_key("STARTTLS") {
            return Err(AttemptError::Smtp {
                message: format!(
                    "'require_tls' is true (default) but \"{}:{}\" does not advertise the STARTTLS extension",
                    s.host, s.port
                ),
                retry: false,
            });
        }
        session.starttls(&s.tls).await?;
        session.hello(hello).await?;
    }
    if let (Some(auth), Some(mechs)) = (&s.auth, session.ext.get("AUTH").cloned()) {
        authenticate(session, auth, &mechs, &s.host).await?;
    }
    let mut mail = format!("MAIL FROM:<{}>", envelope.from);
    if session.ext.contains_key("8BITMIME") {
        mail.push_str(" BODY=8BITMIME");
    }
    if session.ext.contains_key("SMTPUTF8") {
        mail.push_str(" SMTPUTF8");
    }
    session.cmd("send MAIL command", &mail, 250).await?;
    for to in &envelope.to {
        session.cmd("send RCPT command", &format!("RCPT TO:<{to}>"), 25).await?;
    }
    session.cmd("send DATA command", "DATA", 354).await?;
    session.write("write message", data).await?;
    let reply = session.reply("write message").await?;
    if reply.code != 250 {
        return Err(refused("write message", &reply));
    }
    Ok(())
}

fn password(auth: &Auth) -> Result<String, AttemptError> {
    match (&auth.password_file, &auth.password) {
        (Some(path), _) if !path.is_empty() => {
            std::fs::read_to_string(path).map_err(|e| AttemptError::Config(format!("could not read {path}: {e}")))
        }
        (_, Some(p)) => Ok(p.expose().to_string()),
        _ => Ok(String::new()),
    }
}

/// Picks the first of the server's mechanisms that can be done with the configured
/// credentials, as Alertmanager does, and runs it.
async fn authenticate(session: &mut Session, auth: &Auth, mechs: &str, host: &str) -> Result<(), AttemptError> {
    let mut problems = Vec::new();
    for mech in mechs.split(' ') {
        match mech {
            "CRAM-MD5" => {
                let secret = auth.secret.as_ref().map(Secret::expose).unwrap_or("");
                if secret.is_empty() {
                    problems.push("missing secret for CRAM-MD5 auth mechanism".to_string());
                    continue;
                }
                return cram_md5(session, &auth.username, secret).await;
            }
            "PLAIN" | "LOGIN" => {
                let pass = password(auth)?;
                if pass.is_empty() {
                    problems.push(format!("missing password for {mech} auth mechanism"));
                    continue;
                }
                if mech == "LOGIN" {
                    return login(session, &auth.username, &pass).await;
                }
                if !session.tls && !matches!(host, "localhost" | "127.0.0.1" | "::1") {
                    return Err(AttemptError::Smtp {
                        message: "PLAIN auth: unencrypted connection (set require_tls or use a local smarthost)".into(),
                        retry: false,
                    });
                }
                let token = base64_encode(format!("{}\0{}\0{pass}", auth.identity, auth.username).as_bytes());
                return session.cmd("PLAIN auth", &format!("AUTH PLAIN {token}"), 235).await.map(|_| ());
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        problems.push(format!("unknown auth mechanism: {mechs}"));
    }
    Err(AttemptError::Smtp { message: format!("find auth mechanism: {}", problems.join("; ")), retry: false })
}

/// The decoded text of a 334 challenge.
fn challenge(reply: &Reply) -> String {
    base64_decode(reply.text.trim()).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

async fn login(session: &mut Session, username: &str, password: &str) -> Result<(), AttemptError> {
    let mut reply = session.cmd("LOGIN auth", "AUTH LOGIN", 334).await?;
    for _ in 0..2 {
        let answer = match challenge(&reply).to_ascii_lowercase().as_str() {
            "username:" => username,
            "password:" => password,
            other => {
                let _ = session.cmd("LOGIN auth", "*", 501).await;
                return Err(AttemptError::Smtp {
                    message: format!("LOGIN auth: unexpected server challenge {other:?}"),
                    retry: false,
                });
            }
        };
        session.write("LOGIN auth", format!("{}\r\n", base64_encode(answer.as_bytes())).as_bytes()).await?;
        reply = session.reply("LOGIN auth").await?;
        match reply.code {
            235 => return Ok(()),
            334 => {}
            _ => return Err(refused("LOGIN auth", &reply)),
        }
    }
    Err(refused("LOGIN auth", &reply))
}

async fn cram_md5(session: &mut Session, username: &str, secret: &str) -> Result<(), AttemptError> {
    let reply = session.cmd("CRAM-MD5 auth", "AUTH CRAM-MD5", 334).await?;
    let digest = hmac_md5(secret.as_bytes(), challenge(&reply).as_bytes());
    let answer = base64_encode(format!("{username} {}", hex(&digest)).as_bytes());
    session.cmd("CRAM-MD5 auth", &answer, 235).await.map(|_| ())
}

/// HMAC-MD5 (RFC 2104), for CRAM-MD5.
fn hmac_md5(key: &[u8], message: &[u8]) -> [u8; 16] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..16].copy_from_slice(&md5::compute(key).0);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = md5::Context::new();
    inner.consume(block.map(|b| b ^ 0x36));
    inner.consume(message);
    let mut outer = md5::Context::new();
    outer.consume(block.map(|b| b ^ 0x5c));
    outer.consume(inner.compute().0);
    outer.compute().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_md5_matches_rfc_2104() {
        // RFC 2104's second test vector.
        assert_eq!(hex(&hmac_md5(b"Jefe", b"what do ya want for nothing?")), "750c783e6ab0b503eaa86e310a5db738");
    }
}
