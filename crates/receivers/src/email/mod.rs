//! The e-mail integration: renders the message as Alertmanager does ([`message`]) and delivers
//! it over SMTP ([`smtp`], with TLS from [`tls`]).

pub mod message;
pub mod smtp;
pub mod tls;

use alerting::config::receivers::{EmailConfig, default_email_subject};

use crate::error::{AttemptError, SetupError};
use crate::gotime::rfc1123z;
use crate::template::render::Renderer;
use message::{Part, dot_stuff, multipart, parse_address_list, q_encode};
use smtp::{Auth, Envelope, SmtpSettings};

/// A rendered message with its envelope.
pub struct Mail {
    pub envelope: Envelope,
    /// The message (headers and body) with CRLF line ends, before dot-stuffing.
    pub message: String,
}

/// One `email_configs` entry.
pub struct Email {
    config: EmailConfig,
    smtp: SmtpSettings,
    hostname: String,
}

impl Email {
    pub fn new(config: &EmailConfig) -> Result<Email, SetupError> {
        let host = &config.smarthost;
        if host.is_empty() {
            return Err(SetupError::NoSmarthost);
        }
        let mut config = config.clone();
        let defaults = [("Subject", default_email_subject()), ("To", config.to.clone()), ("From", config.from.clone())];
        for (name, value) in defaults {
            config.headers.entry(name.to_string()).or_insert(value);
        }
        let auth = (!config.auth_username.is_empty()).then(|| Auth {
            username: config.auth_username.clone(),
            password: config.auth_password.clone(),
            password_file: config.auth_password_file.clone(),
            secret: config.auth_secret.clone(),
            identity: config.auth_identity.clone(),
        });
        let smtp = SmtpSettings {
            host: host.host.clone(),
            port: host.port.clone(),
            hello: config.hello.clone(),
            require_tls: config.require_tls.unwrap_or(true),
            tls: tls::smtp_tls(&config.tls_config, &host.host)?,
            auth,
        };
        Ok(Email { config, smtp, hostname: hostname() })
    }

    /// Renders the message; template failures are recorded in `r`.
    pub fn prepare(&self, r: &mut Renderer<'_>, now_nanos: i64) -> Result<Mail, AttemptError> {
        let c = &self.config;
        let from = r.text("from", &c.from);
        let to = r.text("to", &c.to);
        let mut head = String::new();
        for (name, text) in &c.headers {
            let value = r.text(&format!("headers.{name}"), text);
            head.push_str(&format!("{name}: {}\r\n", q_encode(&value)));
        }
        let text = if c.text.is_empty() { String::new() } else { r.text("text", &c.text) };
        let html = if c.html.is_empty() { String::new() } else { r.html("html", &c.html) };
        if r.first_error().is_some() {
            // The caller reports the template error; nothing below can be trusted.
            return Err(AttemptError::Config("template error".into()));
        }
        let senders =
            parse_address_list(&from).map_err(|e| AttemptError::Config(format!("parse 'from' addresses: {e}")))?;
        let [sender] = senders.as_slice() else {
            return Err(AttemptError::Config(format!("must be exactly one 'from' address (got: {})", senders.len())));
        };
        let to = parse_address_list(&to).map_err(|e| AttemptError::Config(format!("parse 'to' addresses: {e}")))?;
        if !c.headers.contains_key("Message-Id") {
            head.push_str(&format!("Message-Id: <{now_nanos}.{}@{}>\r\n", random_u64(), self.hostname));
        }
        let boundary = boundary();
        head.push_str(&format!("Date: {}\r\n", rfc1123z(now_nanos)));
        head.push_str(&format!("Content-Type: multipart/alternative;  boundary={boundary}\r\n"));
        head.push_str("MIME-Version: 1.0\r\n\r\n");
        let mut parts = Vec::new();
        if !c.text.is_empty() {
            parts.push(Part { content_type: "text/plain; charset=UTF-8", body: &text });
        }
        if !c.html.is_empty() {
            parts.push(Part { content_type: "text/html; charset=UTF-8", body: &html });
        }
        head.push_str(&multipart(&boundary, &parts));
        Ok(Mail { envelope: Envelope { from: sender.clone(), to }, message: head })
    }

    /// Delivers a rendered message.
    pub async fn send(&self, mail: &Mail) -> Result<(), AttemptError> {
        smtp::send(&self.smtp, &mail.envelope, &dot_stuff(&mail.message)).await
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    use ring::rand::SecureRandom;
    let mut buf = [0u8; N];
    // A failing system RNG leaves zeros: boundaries and IDs then repeat, which is harmless.
    let _ = ring::rand::SystemRandom::new().fill(&mut buf);
    buf
}

fn random_u64() -> u64 {
    u64::from_le_bytes(random_bytes::<8>())
}

/// A multipart boundary like Go's: 30 random bytes in hex.
fn boundary() -> String {
    crate::encoding::hex(&random_bytes::<30>())
}

/// The machine's name for `Message-Id`, as Go's `os.Hostname`.
fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "localhost.localdomain".into())
}
