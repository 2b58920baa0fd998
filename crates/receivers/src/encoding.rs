//! Small encodings the integrations need: base64 (SMTP AUTH; the workspace's `base64` crate),
//! lower-case hex (dedup keys, CRAM-MD5), SHA-256 of group keys, and Go's JSON
//! escaping of `<`, `>`, `&` so payloads are byte-identical to Alertmanager's.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard base64 with padding.
pub fn base64_encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Standard base64, padding optional; `None` when `s` is not base64. Lenient like the SMTP
/// servers it reads from: padding and stray trailing bits are accepted.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    LENIENT.decode(s).ok()
}

/// Lower-case hex, as Go's `%x`.
pub fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `s` in hex: Alertmanager's `notify.Key.Hash`, the dedup key PagerDuty gets.
pub fn sha256_hex(s: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, s.as_bytes()).as_ref())
}

/// Go's `json.Marshal` escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings; serde_json
/// does not. Those characters only occur inside strings of a JSON text, so replacing them
/// everywhere is exact.
pub fn go_json_escape(json: String) -> String {
    if !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A value as Go's `json.NewEncoder(w).Encode` writes it: compact, HTML-escaped, with a
/// trailing newline.
pub fn go_json<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut s = go_json_escape(serde_json::to_string(value)?);
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for (raw, enc) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("\0user\0pass", "AHVzZXIAcGFzcw==")]
        {
            assert_eq!(base64_encode(raw.as_bytes()), enc);
            assert_eq!(base64_decode(enc).unwrap(), raw.as_bytes());
        }
        assert_eq!(base64_decode("VXNlcm5hbWU6").unwrap(), b"Username:");
        assert!(base64_decode("no!").is_none());
    }

    #[test]
    fn sha256_matches_known_digest() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn json_is_escaped_like_go() {
        assert_eq!(go_json(&"<a&b>").unwrap(), "\"\\u003ca\\u0026b\\u003e\"\n");
    }
}
