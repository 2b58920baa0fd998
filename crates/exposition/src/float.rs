//! Number syntax exactly as Prometheus 2.42 accepts it: Go's `strconv.ParseFloat` without the
//! Go 1.13 additions (hex floats, `_` separators), and `strconv.ParseInt` for text timestamps.

/// The NaN bit pattern Prometheus stores for any NaN written in an exposition (Go's `math.NaN()`),
/// distinct from the staleness marker.
pub const NORMAL_NAN: u64 = 0x7ff8_0000_0000_0001;

/// Parses a float as Prometheus does; `None` if Prometheus would reject it. Out-of-range
/// values (`1e999`) are rejected like Go's range error; NaN is canonicalised to [`NORMAL_NAN`].
pub fn parse(s: &[u8]) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    if let Some(v) = special(s) {
        return Some(v);
    }
    if !is_decimal(s) {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let v: f64 = text.parse().ok()?;
    if v.is_infinite() { None } else { Some(v) }
}

/// Go's `special`: `inf`/`infinity` with an optional sign and `nan` without one, any case.
fn special(s: &[u8]) -> Option<f64> {
    let (neg, rest) = match s[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        b'n' | b'N' => return s.eq_ignore_ascii_case(b"nan").then_some(f64::from_bits(NORMAL_NAN)),
        _ => (false, s),
    };
    if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        return Some(if neg { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    None
}

/// `[+-]? (digits (. digits?)? | . digits) ([eE] [+-]? digits)?`
fn is_decimal(s: &[u8]) -> bool {
    let mut i = usize::from(matches!(s[0], b'+' | b'-'));
    let int_start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i > int_start;
    if i < s.len() && s[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        digits |= i > frac_start;
    }
    if !digits {
        return false;
    }
    if i < s.len() && matches!(s[i], b'e' | b'E') {
        i += 1;
        if i < s.len() && matches!(s[i], b'+' | b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == s.len()
}

/// Why a float was rejected, worded like the cause Prometheus reports.
pub fn reason(s: &[u8]) -> &'static str {
    if s.iter().any(|&b| matches!(b, b'p' | b'P' | b'_')) {
        "unsupported character in float"
    } else if is_decimal(s) {
        "float out of range"
    } else {
        "invalid float syntax"
    }
}

/// Parses a non-empty run of ASCII digits as an `i64` (the text format's timestamps have no
/// sign); `None` on overflow.
pub fn parse_digits(s: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &b in s {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_go_accepts() {
        for (s, v) in [
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            ("1e3", 1000.0),
            ("1E+3", 1000.0),
            ("2.5e-1", 0.25),
            (".5", 0.5),
            ("5.", 5.0),
            ("007", 7.0),
            ("1e-400", 0.0),
            ("Inf", f64::INFINITY),
            ("+Inf", f64::INFINITY),
            ("-inf", f64::NEG_INFINITY),
            ("infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            assert_eq!(parse(s.as_bytes()), Some(v), "{s}");
        }
        for s in ["NaN", "nan", "NAN"] {
            assert_eq!(parse(s.as_bytes()).map(f64::to_bits), Some(NORMAL_NAN), "{s}");
        }
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        for s in [
            "", "+", "-", ".", "e3", "1e", "1e+", "1_000", "0x10", "0x1p3", "1P3", "+NaN", "-nan", "infin", "in",
            "1.2.3", "true", "1e999", "-1e999", "1 ", " 1", "1\r", "١",
        ] {
            assert_eq!(parse(s.as_bytes()), None, "{s:?}");
        }
        assert_eq!(reason(b"1_0"), "unsupported character in float");
        assert_eq!(reason(b"1e999"), "float out of range");
        assert_eq!(reason(b"x"), "invalid float syntax");
    }

    #[test]
    fn digits() {
        assert_eq!(parse_digits(b"0"), Some(0));
        assert_eq!(parse_digits(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_digits(b"9223372036854775808"), None);
    }
}
