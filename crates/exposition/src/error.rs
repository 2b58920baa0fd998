//! The one error type of the crate: what is wrong, on which line.

/// A parse error. Display like `line 12: <what is wrong, quoting the offending text>`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number where the offending entry starts (0 for [`crate::parse_series`]).
    pub line: usize,
    pub message: String,
}

/// Longest excerpt of input quoted in an error message.
const MAX_QUOTE: usize = 80;

/// Quotes bytes for an error message: lossy UTF-8, escaped, shortened to [`MAX_QUOTE`] bytes.
pub(crate) fn quote(b: &[u8]) -> String {
    let cut = b.len().min(MAX_QUOTE);
    let s = String::from_utf8_lossy(&b[..cut]);
    if cut < b.len() { format!("{s:?}...") } else { format!("{s:?}") }
}

/// Builds an error at the line containing byte offset `at` of `body`.
pub(crate) fn at(body: &[u8], at: usize, message: String) -> ParseError {
    let at = at.min(body.len());
    let line = 1 + body[..at].iter().filter(|&&b| b == b'\n').count();
    ParseError { line, message }
}
