//! Literal values of the template language: Go's number constants (with their
//! int/float "ideal constant" views) and `strconv.Unquote` for strings and runes.

use crate::gofmt::float::{in_i64_range, parse_go_float};
use crate::gofmt::quote::go_quote;

/// A literal that is not valid Go; worded as Go's template parser and `strconv` word it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LiteralError {
    #[error("complex numbers are not supported: {}", go_quote(.0, false))]
    Complex(String),
    #[error("integer overflow: {}", go_quote(.0, false))]
    IntegerOverflow(String),
    #[error("illegal number syntax: {}", go_quote(.0, false))]
    IllegalNumber(String),
    #[error("malformed character constant: {0}")]
    MalformedChar(String),
    /// A number used where an `int` is needed does not fit one.
    #[error("{0} overflows int")]
    OverflowsInt(String),
    /// `strconv.Unquote`'s only error.
    #[error("invalid syntax")]
    InvalidSyntax,
}

/// A number constant and the Go types it fits, as Go's `parse.NumberNode`.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// The source text, e.g. `0x1F` or `'a'`.
    pub text: String,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
}

impl Number {
    /// The value as an untyped constant passed to an `interface{}` parameter:
    /// float64 when written as a float, otherwise int (Go's `idealConstant`).
    pub fn ideal(&self) -> Result<crate::value::Value, LiteralError> {
        use crate::value::Value;
        let t = &self.text;
        let hex_int =
            t.len() > 2 && t.starts_with('0') && matches!(t.as_bytes()[1], b'x' | b'X') && !t.contains(['p', 'P']);
        let rune_int = t.starts_with('\'');
        if let Some(f) = self.float
            && !hex_int
            && !rune_int
            && t.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(f));
        }
        if let Some(i) = self.int {
            return Ok(Value::Int(i));
        }
        Err(LiteralError::OverflowsInt(t.clone()))
    }
}

/// Removes `_` digit separators, which Go allows between digits and after a base prefix.
fn strip_underscores(digits: &str) -> Option<String> {
    if digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    Some(digits.replace('_', ""))
}

/// Go's `strconv.ParseUint(s, 0, 64)` without the sign.
fn parse_unsigned(s: &str) -> Option<u64> {
    let (radix, digits, prefixed) = match s.as_bytes() {
        [b'0', b'x' | b'X', ..] => (16, &s[2..], true),
        [b'0', b'o' | b'O', ..] => (8, &s[2..], true),
        [b'0', b'b' | b'B', ..] => (2, &s[2..], true),
        [b'0', _, ..] => (8, &s[1..], false),
        _ => (10, s, false),
    };
    let digits = if prefixed { digits.strip_prefix('_').unwrap_or(digits) } else { digits };
    let digits = strip_underscores(digits)?;
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

/// Go's `parse.Tree.newNumber` for a number token.
pub fn parse_number(text: &str) -> Result<Number, LiteralError> {
    let mut n = Number { text: text.to_string(), int: None, uint: None, float: None };
    if text.ends_with('i') {
        return Err(LiteralError::Complex(text.to_string()));
    }
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if let Some(u) = parse_unsigned(body) {
        if !neg {
            n.uint = Some(u);
            n.int = i64::try_from(u).ok();
        } else if u <= i64::MAX as u64 + 1 {
            n.int = Some((u as i64).wrapping_neg());
            if u == 0 {
                n.uint = Some(0);
            }
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Ok(f) = parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(LiteralError::IntegerOverflow(text.to_string()));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && in_i64_range(f) {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f) {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(LiteralError::IllegalNumber(text.to_string()));
    }
    Ok(n)
}

/// Go's `parse.Tree.newNumber` for a character constant such as `'a'` or `'\n'`.
pub fn parse_char(text: &str) -> Result<Number, LiteralError> {
    let inner = text.strip_prefix('\'').unwrap_or(text);
    let mut chars = inner.chars();
    let c = unquote_char(&mut chars, '\'').ok_or(LiteralError::InvalidSyntax)?;
    if chars.as_str() != "'" {
        return Err(LiteralError::MalformedChar(text.to_string()));
    }
    let v = u32::from(c);
    Ok(Number { text: text.to_string(), int: Some(i64::from(v)), uint: Some(u64::from(v)), float: Some(f64::from(v)) })
}

fn hex_value(chars: &mut std::str::Chars<'_>, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..n {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// Go's `strconv.UnquoteChar`: one (possibly escaped) character of a literal quoted with
/// `quote`. Byte escapes (`\xff`, `\377`) become the code point of that value.
fn unquote_char(chars: &mut std::str::Chars<'_>, quote: char) -> Option<char> {
    let c = chars.next()?;
    if c == quote && quote == '\'' {
        return None;
    }
    if c != '\\' {
        return Some(c);
    }
    let c = chars.next()?;
    Some(match c {
        'a' => '\x07',
        'b' => '\x08',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        '\\' => '\\',
        '\'' | '"' if c == quote => c,
        'x' => char::from_u32(hex_value(chars, 2)?)?,
        'u' => char::from_u32(hex_value(chars, 4)?)?,
        'U' => char::from_u32(hex_value(chars, 8)?)?,
        '0'..='7' => {
            let mut v = c.to_digit(8)?;
            for _ in 0..2 {
                v = v * 8 + chars.next()?.to_digit(8)?;
            }
            if v > 255 {
                return None;
            }
            char::from_u32(v)?
        }
        _ => return None,
    })
}

/// Go's `strconv.Unquote` for `"…"` and `` `…` `` string literals.
pub fn unquote(text: &str) -> Result<String, LiteralError> {
    if let Some(raw) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        return Ok(raw.replace('\r', ""));
    }
    let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or(LiteralError::InvalidSyntax)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while !chars.as_str().is_empty() {
        if chars.as_str().starts_with('"') {
            return Err(LiteralError::InvalidSyntax);
        }
        out.push(unquote_char(&mut chars, '"').ok_or(LiteralError::InvalidSyntax)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn numbers_have_go_views() {
        let n = parse_number("42").unwrap();
        assert_eq!((n.int, n.float), (Some(42), Some(42.0)));
        assert!(matches!(n.ideal(), Ok(Value::Int(42))));
        assert!(matches!(parse_number("1.5").unwrap().ideal(), Ok(Value::Float(f)) if f == 1.5));
        assert!(matches!(parse_number("1e3").unwrap().ideal(), Ok(Value::Float(f)) if f == 1000.0));
        assert!(matches!(parse_number("0x1F").unwrap().ideal(), Ok(Value::Int(31))));
        assert!(matches!(parse_number("-0b101").unwrap().ideal(), Ok(Value::Int(-5))));
        assert!(matches!(parse_number("017").unwrap().ideal(), Ok(Value::Int(15))));
        assert!(matches!(parse_number("1_000").unwrap().ideal(), Ok(Value::Int(1000))));
        assert_eq!(
            parse_number("18446744073709551615").unwrap().ideal().unwrap_err().to_string(),
            "18446744073709551615 overflows int"
        );
        assert_eq!(
            parse_number("99999999999999999999").unwrap_err().to_string(),
            "integer overflow: \"99999999999999999999\""
        );
        assert_eq!(parse_number("1..2").unwrap_err().to_string(), "illegal number syntax: \"1..2\"");
        assert!(matches!(parse_char("'a'").unwrap().ideal(), Ok(Value::Int(97))));
        assert!(matches!(parse_char("'\\n'").unwrap().ideal(), Ok(Value::Int(10))));
    }

    #[test]
    fn unquotes_like_go() {
        assert_eq!(unquote("\"a\\tb\\u00e9\\x41\\101\\\"\"").unwrap(), "a\tbéAA\"");
        assert_eq!(unquote("`a\\n`").unwrap(), "a\\n");
        assert!(unquote("\"\\q\"").is_err());
        assert!(unquote("\"\\'\"").is_err());
    }
}
