//! The `Authorization` header from `basic_auth`, `bearer_token(_file)` or `authorization`.

use crate::config::HttpProbe;

/// The header value the module asks for, if any. Secrets in files are read at probe time, so a
/// rotated token is picked up without a reload; an unreadable file sends no header.
pub fn authorization(cfg: &HttpProbe) -> Option<String> {
    if let Some(basic) = &cfg.basic_auth {
        let password = match &basic.password_file {
            Some(path) => read_secret(path)?,
            None => basic.password.clone(),
        };
        return Some(format!("Basic {}", base64(format!("{}:{password}", basic.username).as_bytes())));
    }
    if let Some(auth) = &cfg.authorization {
        let kind = if auth.kind.is_empty() { "Bearer" } else { auth.kind.as_str() };
        let credentials = match &auth.credentials_file {
            Some(path) => read_secret(path)?,
            None => auth.credentials.clone(),
        };
        return Some(format!("{kind} {credentials}"));
    }
    if let Some(path) = &cfg.bearer_token_file {
        return Some(format!("Bearer {}", read_secret(path)?));
    }
    cfg.bearer_token.as_ref().map(|t| format!("Bearer {t}"))
}

fn read_secret(path: &str) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(s) => Some(s.trim().to_string()),
        Err(e) => {
            tracing::warn!(path, error = %e, "cannot read credentials file");
            None
        }
    }
}

/// Standard base64 with padding.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known_vectors() {
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn header_precedence() {
        let mut cfg = HttpProbe { bearer_token: Some("t".into()), ..Default::default() };
        assert_eq!(authorization(&cfg).as_deref(), Some("Bearer t"));
        cfg.basic_auth =
            Some(crate::config::BasicAuth { username: "u".into(), password: "p".into(), password_file: None });
        assert_eq!(authorization(&cfg).as_deref(), Some("Basic dTpw"));
    }
}
