//! URL escaping as Go's `net/url` does it, for the URLs Prometheus builds from configuration
//! (scrape URLs with `params`, generator URLs of alerts, template functions): byte-exact, so
//! links and requests match what Prometheus would produce.

/// Go's `url.QueryEscape`: keeps `A-Za-z0-9-_.~`, turns space into `+`, percent-encodes the
/// rest byte by byte with upper-case hex.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        assert_eq!(query_escape("rate(x[5m]) > 0.5"), "rate%28x%5B5m%5D%29+%3E+0.5");
        assert_eq!(query_escape("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(query_escape("é/?&="), "%C3%A9%2F%3F%26%3D");
        assert_eq!(query_escape(""), "");
    }
}
