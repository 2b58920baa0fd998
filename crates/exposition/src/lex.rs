//! Byte-level building blocks shared by both formats: character classes, name and quoted-value
//! scanning, escape resolution and error construction.

use std::borrow::Cow;

use crate::error::{self, ParseError};

/// `[a-zA-Z_:]`, the first character of a metric name.
pub fn is_metric_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':'
}

/// `[a-zA-Z0-9_:]`.
pub fn is_metric_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

/// `[a-zA-Z_]`, the first character of a label name.
pub fn is_label_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// `[a-zA-Z0-9_]`.
pub fn is_label_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// End of the run of bytes from `i` satisfying `pred`.
#[inline]
pub fn scan(b: &[u8], mut i: usize, pred: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && pred(b[i]) {
        i += 1;
    }
    i
}

/// Skips the text format's blanks (spaces and tabs).
#[inline]
pub fn skip_blanks(b: &[u8], i: usize) -> usize {
    scan(b, i, |c| c == b' ' || c == b'\t')
}

/// Index of the next `\n` at or after `i`, or `b.len()`.
#[inline]
pub fn line_end(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p)
}

/// With `b[i] == '"'`, the index after the closing quote of `"(\\.|[^\\"])*"`; `.` excludes a
/// newline, and so does the body unless `raw_newline` (the text format allows raw newlines).
pub fn scan_quoted(b: &[u8], i: usize, raw_newline: bool) -> Option<usize> {
    let mut k = i + 1;
    while k < b.len() {
        match b[k] {
            b'"' => return Some(k + 1),
            b'\\' => {
                if k + 1 >= b.len() || b[k + 1] == b'\n' {
                    return None;
                }
                k += 2;
            }
            b'\n' if !raw_newline => return None,
            _ => k += 1,
        }
    }
    None
}

/// Resolves `\\` and `\n`, and `\"` when `quote`; any other backslash stays as written, like
/// Go's `strings.Replacer` in Prometheus. Borrows when there is nothing to resolve.
pub fn unescape(s: &str, quote: bool) -> Cow<'_, str> {
    if !s.as_bytes().contains(&b'\\') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' {
            let replacement = match b[i + 1] {
                b'\\' => Some("\\"),
                b'n' => Some("\n"),
                b'"' if quote => Some("\""),
                _ => None,
            };
            if let Some(r) = replacement {
                // Both bytes are ASCII, so these slice bounds are character boundaries.
                out.push_str(&s[copied..i]);
                out.push_str(r);
                i += 2;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// Builds "`what`, got `<rest of line from i>`" at the line of `i`.
pub fn fail(b: &[u8], i: usize, what: &str) -> ParseError {
    let i = i.min(b.len());
    let rest = &b[i..line_end(b, i)];
    let got = if i >= b.len() {
        "end of input".to_string()
    } else if rest.is_empty() {
        "end of line".to_string()
    } else {
        error::quote(rest)
    };
    error::at(b, i, format!("{what}, got {got}"))
}

/// Label names seen in the current label set, to reject duplicates without allocating per
/// sample (the vector is reused).
#[derive(Default)]
pub struct SeenNames {
    spans: Vec<(usize, usize)>,
}

impl SeenNames {
    pub fn clear(&mut self) {
        self.spans.clear();
    }

    /// Records `b[s..e]`; an error if it is `__name__` or was already seen.
    pub fn insert(&mut self, b: &[u8], s: usize, e: usize) -> Result<(), ParseError> {
        let name = &b[s..e];
        if name == b"__name__" || self.spans.iter().any(|&(a, z)| &b[a..z] == name) {
            return Err(error::at(b, s, format!("duplicate label name {}", error::quote(name))));
        }
        self.spans.push((s, e));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_like_replacer() {
        assert_eq!(unescape(r"plain", true), "plain");
        assert!(matches!(unescape("plain", true), Cow::Borrowed(_)));
        assert_eq!(unescape(r#"a\\b\nc\"d"#, true), "a\\b\nc\"d");
        assert_eq!(unescape(r#"a\"d"#, false), r#"a\"d"#);
        assert_eq!(unescape(r"\\n", true), "\\n");
        assert_eq!(unescape(r"\t\x\", true), r"\t\x\");
        assert_eq!(unescape("é\\nü", true), "é\nü");
    }

    #[test]
    fn quoted() {
        assert_eq!(scan_quoted(br#""ab" "#, 0, false), Some(4));
        assert_eq!(scan_quoted(br#""a\"b""#, 0, false), Some(6));
        assert_eq!(scan_quoted(br#""a\"#, 0, false), None);
        assert_eq!(scan_quoted(b"\"a\nb\"", 0, false), None);
        assert_eq!(scan_quoted(b"\"a\nb\"", 0, true), Some(5));
        assert_eq!(scan_quoted(b"\"a\\\nb\"", 0, true), None);
    }
}
