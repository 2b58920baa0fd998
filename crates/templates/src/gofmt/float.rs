//! Go's `strconv.FormatFloat` and `strconv.ParseFloat` for float64.
//!
//! Prometheus prints `{{ $value }}` and every `%g`/`%e`/`%f` through these, so the
//! exact digit layout (`1e+06`, `0.0001`, `1e-05`, `+Inf`) is part of its output format.
//! Rust's formatter supplies correctly rounded digits (shortest or fixed); this module
//! lays them out the way Go does.

/// Decimal digits of a finite, non-negative float: value = 0.d₁d₂… × 10^dp.
/// `digits` has no trailing zeros; it is empty for zero.
struct Digits {
    digits: Vec<u8>,
    dp: i32,
}

impl Digits {
    /// Parses Rust's `{:e}` output (`1.2345e-5`) into digits and decimal point.
    fn from_sci(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Digits { digits, dp: 0 };
        }
        Digits { digits, dp: exp + 1 }
    }

    /// Shortest digits that round-trip (Go's precision -1).
    fn shortest(abs: f64) -> Digits {
        Digits::from_sci(&format!("{abs:e}"))
    }

    /// `n` significant digits, correctly rounded (n ≥ 1).
    fn significant(abs: f64, n: usize) -> Digits {
        Digits::from_sci(&format!("{:.*e}", n.saturating_sub(1), abs))
    }

    fn nd(&self) -> i32 {
        i32::try_from(self.digits.len()).unwrap_or(i32::MAX)
    }
}

/// Go's `%e` layout: d.ddddde±XX with `prec` fraction digits (zero padded).
fn fmt_e(out: &mut String, d: &Digits, prec: i32, upper: bool) {
    out.push(d.digits.first().map_or('0', |&c| c as char));
    if prec > 0 {
        out.push('.');
        let mut i = 1;
        let m = (d.nd()).min(prec + 1);
        while i < m {
            out.push(d.digits[i as usize] as char);
            i += 1;
        }
        while i <= prec {
            out.push('0');
            i += 1;
        }
    }
    out.push(if upper { 'E' } else { 'e' });
    let exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

/// Go's `%f` layout from digits with `prec` fraction digits.
fn fmt_f(out: &mut String, d: &Digits, prec: i32) {
    if d.dp > 0 {
        let m = d.nd().min(d.dp);
        for &c in &d.digits[..m as usize] {
            out.push(c as char);
        }
        for _ in m..d.dp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = d.dp + i - 1;
            let c = if (0..d.nd()).contains(&j) { d.digits[j as usize] as char } else { '0' };
            out.push(c);
        }
    }
}

/// `strconv.FormatFloat(v, verb, prec, 64)` for verbs `e E f F g G`; `prec < 0` means
/// shortest. Other verbs format as `g`.
pub fn format_float(v: f64, verb: char, prec: i32) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() };
    }
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    let abs = v.abs();
    match verb {
        'e' | 'E' => {
            let d = if prec < 0 { Digits::shortest(abs) } else { Digits::significant(abs, prec as usize + 1) };
            let p = if prec < 0 { (d.nd() - 1).max(0) } else { prec };
            fmt_e(&mut out, &d, p, verb == 'E');
        }
        'f' | 'F' => {
            if prec < 0 {
                let d = Digits::shortest(abs);
                fmt_f(&mut out, &d, (d.nd() - d.dp).max(0));
            } else {
                out.push_str(&format!("{:.*}", prec as usize, abs));
            }
        }
        _ => format_g(&mut out, abs, prec, verb == 'G'),
    }
    out
}

/// Go's `%g`: exponent form when the exponent is < -4 or ≥ the precision (6 when shortest).
fn format_g(out: &mut String, abs: f64, prec: i32, upper: bool) {
    let shortest = prec < 0;
    let prec = if prec == 0 { 1 } else { prec };
    let d = if shortest { Digits::shortest(abs) } else { Digits::significant(abs, prec as usize) };
    let mut prec = if shortest { d.nd() } else { prec };
    let mut eprec = prec;
    if eprec > d.nd() && d.nd() >= d.dp {
        eprec = d.nd();
    }
    if shortest {
        eprec = 6;
    }
    let exp = d.dp - 1;
    if exp < -4 || exp >= eprec {
        if prec > d.nd() {
            prec = d.nd();
        }
        fmt_e(out, &d, prec - 1, upper);
        return;
    }
    if prec > d.dp {
        prec = d.nd();
    }
    fmt_f(out, &d, (prec - d.dp).max(0));
}

/// 2^63, the first float64 above the int64 range.
const TWO_POW_63: f64 = i64::MAX as f64;

/// Whether `f` converts to int64 without overflow (NaN does not).
pub fn in_i64_range(f: f64) -> bool {
    (-TWO_POW_63..TWO_POW_63).contains(&f)
}

/// Go's `int64(f)` on amd64: truncation toward zero; NaN and out-of-range values
/// become math.MinInt64.
pub fn go_f64_to_i64(f: f64) -> i64 {
    if in_i64_range(f) { f as i64 } else { i64::MIN }
}

/// Go's `%v` for a float64: `strconv.FormatFloat(v, 'g', -1, 64)`.
///
/// Prometheus renders `{{ $value }}` this way, so alert texts show `1e+06`, not `1000000`.
pub fn format_go_float(v: f64) -> String {
    format_float(v, 'g', -1)
}

/// Why `strconv.ParseFloat` rejected its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseFloatError {
    /// Not a number literal (`strconv.ErrSyntax`).
    Syntax,
    /// A finite literal too large for float64 (`strconv.ErrRange`).
    Range,
}

/// `strconv.ParseFloat(s, 64)`: decimal and hexadecimal literals, `_` separators,
/// `Inf`/`Infinity`/`NaN` in any case, an optional sign.
pub fn parse_go_float(s: &str) -> Result<f64, ParseFloatError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let sign = if neg { -1.0 } else { 1.0 };
    match lower.as_str() {
        "inf" | "infinity" => return Ok(sign * f64::INFINITY),
        "nan" => return Ok(f64::NAN),
        _ => {}
    }
    let value = match lower.strip_prefix("0x") {
        Some(hex) => parse_hex_float(hex)?,
        None => parse_decimal(&lower)?,
    };
    if value.is_infinite() {
        return Err(ParseFloatError::Range);
    }
    Ok(sign * value)
}

/// Removes `_` separators, which Go only accepts between digits.
fn strip_underscores(s: &str) -> Result<String, ParseFloatError> {
    if !s.contains('_') {
        return Ok(s.to_string());
    }
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let prev_ok = i > 0 && bytes[i - 1].is_ascii_hexdigit();
            let next_ok = bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit);
            if !prev_ok || !next_ok {
                return Err(ParseFloatError::Syntax);
            }
        }
    }
    Ok(s.replace('_', ""))
}

fn parse_decimal(s: &str) -> Result<f64, ParseFloatError> {
    let s = strip_underscores(s)?;
    // Rust accepts exactly the decimal syntax Go does, apart from the words handled above.
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-')) {
        return Err(ParseFloatError::Syntax);
    }
    s.parse::<f64>().map_err(|_| ParseFloatError::Syntax)
}

/// Hexadecimal float body after `0x`: hex mantissa with optional point, optional `p` exponent.
fn parse_hex_float(s: &str) -> Result<f64, ParseFloatError> {
    let s = strip_underscores(s)?;
    let (mantissa, exp) = match s.split_once('p') {
        Some((m, e)) => (m, Some(e)),
        None => (s.as_str(), None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(ParseFloatError::Syntax);
    }
    if frac_part.is_empty() && exp.is_none() && !mantissa.contains('.') {
        // An integer in hex: ParseFloat accepts it.
    } else if exp.is_none() {
        // Go requires a 'p' exponent for hex mantissas with a fraction.
        return Err(ParseFloatError::Syntax);
    }
    let mut value = 0.0f64;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16).ok_or(ParseFloatError::Syntax)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16).ok_or(ParseFloatError::Syntax)?) * scale;
        scale /= 16.0;
    }
    let exp: i32 = match exp {
        Some(e) if !e.is_empty() => e.parse().map_err(|_| ParseFloatError::Syntax)?,
        Some(_) => return Err(ParseFloatError::Syntax),
        None => 0,
    };
    Ok(value * 2f64.powi(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_with_precision_matches_go() {
        assert_eq!(format_float(1234.5678, 'g', 4), "1235");
        assert_eq!(format_float(0.5, 'g', 4), "0.5");
        assert_eq!(format_float(100.0, 'g', 4), "100");
        assert_eq!(format_float(100000.0, 'g', 4), "1e+05");
        assert_eq!(format_float(12345678.0, 'g', 4), "1.235e+07");
        assert_eq!(format_float(0.0, 'g', 4), "0");
        assert_eq!(format_float(-0.0001234, 'g', 4), "-0.0001234");
    }

    #[test]
    fn e_and_f_match_go() {
        assert_eq!(format_float(1e6, 'e', 6), "1.000000e+06");
        assert_eq!(format_float(12345.678, 'e', 2), "1.23e+04");
        assert_eq!(format_float(0.0, 'e', -1), "0e+00");
        assert_eq!(format_float(1e100, 'e', -1), "1e+100");
        assert_eq!(format_float(0.125, 'f', 2), "0.12");
        assert_eq!(format_float(-0.001, 'f', 2), "-0.00");
    }

    #[test]
    fn parse_float_matches_strconv() {
        assert_eq!(parse_go_float("1e3"), Ok(1000.0));
        assert_eq!(parse_go_float("-Inf"), Ok(f64::NEG_INFINITY));
        assert!(parse_go_float("NaN").is_ok_and(f64::is_nan));
        assert_eq!(parse_go_float("0x1p-2"), Ok(0.25));
        assert_eq!(parse_go_float("0x10"), Ok(16.0));
        assert_eq!(parse_go_float("1_000.5"), Ok(1000.5));
        assert_eq!(parse_go_float("1e400"), Err(ParseFloatError::Range));
        assert_eq!(parse_go_float("abc"), Err(ParseFloatError::Syntax));
        assert_eq!(parse_go_float(""), Err(ParseFloatError::Syntax));
        assert_eq!(parse_go_float("1__0"), Err(ParseFloatError::Syntax));
    }
}
