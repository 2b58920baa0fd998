//! The e-mail message Alertmanager writes: configured headers (values Q-encoded when not
//! plain ASCII), `Message-Id`, `Date`, then a `multipart/alternative` body with a
//! quoted-printable text part and HTML part (HTML last, as RFC 2046 prefers), and the
//! address lists the SMTP envelope is taken from.

/// Go's `mime.QEncoding.Encode("utf-8", s)`: `s` itself when it is printable ASCII, else
/// encoded words of at most 75 characters.
pub fn q_encode(s: &str) -> String {
    if !s.bytes().any(|b| !(b' '..=b'~').contains(&b) && b != b'\t') {
        return s.to_string();
    }
    const PREFIX: &str = "=?utf-8?q?";
    const SUFFIX: &str = "?=";
    const MAX_WORD: usize = 75;
    let mut out = String::from(PREFIX);
    let mut word_len = PREFIX.len();
    for c in s.chars() {
        let mut encoded = String::new();
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            match b {
                b' ' => encoded.push('_'),
                b'!'..=b'~' if b != b'=' && b != b'?' && b != b'_' => encoded.push(char::from(b)),
                b => encoded.push_str(&format!("={b:02X}")),
            }
        }
        // A character is never split across encoded words.
        if word_len + encoded.len() + SUFFIX.len() > MAX_WORD {
            out.push_str(SUFFIX);
            out.push(' ');
            out.push_str(PREFIX);
            word_len = PREFIX.len();
        }
        out.push_str(&encoded);
        word_len += encoded.len();
    }
    out.push_str(SUFFIX);
    out
}

/// Go's `mime/quotedprintable.Writer` in text mode: lines of at most 76 characters with soft
/// breaks, any line ending written as CRLF, `=` and non-ASCII bytes as `=XX`, whitespace
/// before a line break encoded.
pub fn quoted_printable(text: &str) -> String {
    let mut w =
        QpWriter { out: String::with_capacity(text.len() + text.len() / 8), line: String::new(), after_cr: false };
    for &b in text.as_bytes() {
        w.byte(b);
    }
    w.encode_trailing_space();
    w.flush();
    w.out
}

struct QpWriter {
    out: String,
    /// The current output line (ASCII only).
    line: String,
    after_cr: bool,
}

impl QpWriter {
    const MAX_LINE: usize = 76;

    fn byte(&mut self, b: u8) {
        if b == b'\n' || b == b'\r' {
            if self.after_cr && b == b'\n' {
                self.after_cr = false;
                return;
            }
            self.after_cr = b == b'\r';
            self.encode_trailing_space();
            self.line.push_str("\r\n");
            self.flush();
            return;
        }
        self.after_cr = false;
        if (b'!'..=b'~').contains(&b) && b != b'=' || b == b' ' || b == b'\t' {
            if self.line.len() == Self::MAX_LINE - 1 {
                self.soft_break();
            }
            self.line.push(char::from(b));
        } else {
            self.encode(b);
        }
    }

    fn encode(&mut self, b: u8) {
        if Self::MAX_LINE - 1 - self.line.len() < 3 {
            self.soft_break();
        }
        self.line.push_str(&format!("={b:02X}"));
    }

    /// A space or tab ending a line would be lost in transit: it is encoded.
    fn encode_trailing_space(&mut self) {
        if let Some(last @ (' ' | '\t')) = self.line.chars().last() {
            self.line.pop();
            self.encode(last as u8);
        }
    }

    fn soft_break(&mut self) {
        self.line.push_str("=\r\n");
        self.flush();
    }

    fn flush(&mut self) {
        self.out.push_str(&self.line);
        self.line.clear();
    }
}

/// One part of a multipart body.
pub struct Part<'a> {
    pub content_type: &'a str,
    pub body: &'a str,
}

/// Go's `multipart.Writer` output for quoted-printable parts: `--boundary` lines, each part's
/// headers in sorted order, and the closing delimiter.
pub fn multipart(boundary: &str, parts: &[Part<'_>]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(&format!(
            "--{boundary}\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: {}\r\n\r\n",
            part.content_type
        ));
        out.push_str(&quoted_printable(part.body));
    }
    if parts.is_empty() {
        out.push_str(&format!("--{boundary}--\r\n"));
    } else {
        out.push_str(&format!("\r\n--{boundary}--\r\n"));
    }
    out
}

/// Why an address list does not parse. Typed so the sender can say which header was bad
/// while the texts stay Go's `net/mail` errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No address at all.
    #[error("mail: no address")]
    NoAddress,
    /// An empty entry after a comma.
    #[error("mail: expected single address")]
    ExpectedSingleAddress,
    /// `Name <addr` without the closing bracket (the entry).
    #[error("mail: unclosed angle-addr in {0:?}")]
    UnclosedAngleAddr(String),
    /// No `@` (the address).
    #[error("mail: missing @ in addr-spec {0:?}")]
    MissingAt(String),
    /// Empty local part or domain, or spaces/control characters (the address).
    #[error("mail: invalid address {0:?}")]
    Invalid(String),
}

/// The addresses of an RFC 5322 address list (`Ops <ops@example.com>, dev@example.com`), like
/// Go's `mail.ParseAddressList` for the forms alert configs use: display names (quoted or
/// not), angle-bracketed and bare addresses.
pub fn parse_address_list(list: &str) -> Result<Vec<String>, AddressError> {
    let mut out = Vec::new();
    for entry in split_outside_quotes(list) {
        let entry = entry.trim();
        if entry.is_empty() {
            return Err(if out.is_empty() { AddressError::NoAddress } else { AddressError::ExpectedSingleAddress });
        }
        out.push(parse_address(entry)?);
    }
    if out.is_empty() {
        return Err(AddressError::NoAddress);
    }
    Ok(out)
}

fn split_outside_quotes(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut angle, mut escaped) = (0, false, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn parse_address(entry: &str) -> Result<String, AddressError> {
    let addr = match (entry.rfind('<'), entry.ends_with('>')) {
        (Some(open), true) => &entry[open + 1..entry.len() - 1],
        (None, false) => entry,
        _ => return Err(AddressError::UnclosedAngleAddr(entry.to_string())),
    };
    let addr = addr.trim();
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Err(AddressError::MissingAt(addr.to_string()));
    };
    if local.is_empty() || domain.is_empty() || addr.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AddressError::Invalid(addr.to_string()));
    }
    Ok(addr.to_string())
}

/// Writes the message for the SMTP `DATA` command: dots at the start of a line doubled, bare
/// line feeds made CRLF, and the terminating `.` line (Go's `textproto.DotWriter`).
pub fn dot_stuff(message: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in message.as_bytes() {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        at_line_start = b == b'\n';
        prev = b;
    }
    if !at_line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_encoding_like_go() {
        assert_eq!(q_encode("[FIRING:1] Disk full"), "[FIRING:1] Disk full");
        assert_eq!(q_encode("Grüße"), "=?utf-8?q?Gr=C3=BC=C3=9Fe?=");
        assert_eq!(q_encode("a b_c=?"), "a b_c=?");
        assert_eq!(q_encode("é a_b"), "=?utf-8?q?=C3=A9_a=5Fb?=");
        let long = q_encode(&"é".repeat(30));
        assert!(long.split(' ').all(|w| w.len() <= 75 && w.starts_with("=?utf-8?q?")), "{long}");
    }

    #[test]
    fn quoted_printable_like_go() {
        assert_eq!(quoted_printable("a=b\nc \nd\t"), "a=3Db\r\nc=20\r\nd=09");
        assert_eq!(quoted_printable("é"), "=C3=A9");
        let long = "x".repeat(100);
        assert_eq!(quoted_printable(&long), format!("{}=\r\n{}", "x".repeat(75), "x".repeat(25)));
        assert_eq!(quoted_printable("a\r\nb\rc"), "a\r\nb\r\nc");
        let spaced = format!("{} \n", "x".repeat(74));
        assert_eq!(quoted_printable(&spaced), format!("{}=\r\n=20\r\n", "x".repeat(74)));
    }

    #[test]
    fn addresses() {
        assert_eq!(
            parse_address_list("Ops Team <ops@example.com>, dev@example.com,\"Doe, J\" <j@x.org>").unwrap(),
            ["ops@example.com", "dev@example.com", "j@x.org"]
        );
        assert!(parse_address_list("").is_err());
        assert!(parse_address_list("nobody").unwrap_err().to_string().contains("missing @"));
        assert!(parse_address_list("a@b.c,").is_err());
    }

    #[test]
    fn dot_stuffing() {
        assert_eq!(dot_stuff(".a\nb\r\n.."), b"..a\r\nb\r\n...\r\n.\r\n");
        assert_eq!(dot_stuff("x\r\n"), b"x\r\n.\r\n");
    }
}
