//! The escapers behind Go's `html`, `js` and `urlquery` builtins and `url.QueryEscape`
//! (Prometheus's `urlQueryEscape`, `graphLink`, `tableLink`).

use crate::gofmt::quote::is_print;

/// `template.HTMLEscapeString`: `<>&'"` become entities, NUL becomes U+FFFD.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `template.JSEscapeString`: backslash-escapes quotes and backslashes, `\uXXXX` for
/// `<>&=` and for control or unprintable characters.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) < 0x80 || is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

pub use promconfig::url::query_escape;

/// Decodes `%XX` escapes (as `url.URL.Path` holds a decoded path); malformed escapes are
/// kept as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapers_match_go() {
        assert_eq!(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(js_escape("a'b\"<=>&\\\n"), "a\\'b\\\"\\u003C\\u003D\\u003E\\u0026\\\\\\u000A");
        assert_eq!(query_escape("rate(x{a=\"b c\"}[5m])/é"), "rate%28x%7Ba%3D%22b+c%22%7D%5B5m%5D%29%2F%C3%A9");
        assert_eq!(percent_decode("/a%20b%zz"), "/a b%zz");
    }
}
