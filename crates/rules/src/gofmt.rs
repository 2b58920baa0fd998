//! Go's float formatting where Prometheus's outputs depend on it.

/// Go's `strconv.FormatFloat(v, 'e' or 'E', -1, 64)`: `1e+00`, `2.5e-01`; the API's alert
/// `value` and promtool's sample listings use it.
pub fn float_exp(v: f64, upper: bool) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let s = format!("{v:e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = match e.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', e),
    };
    format!("{m}{}{sign}{digits:0>2}", if upper { 'E' } else { 'e' })
}

#[cfg(test)]
mod tests {
    use super::float_exp;

    #[test]
    fn like_go() {
        assert_eq!(float_exp(1.0, true), "1E+00");
        assert_eq!(float_exp(0.25, true), "2.5E-01");
        assert_eq!(float_exp(12345.0, false), "1.2345e+04");
        assert_eq!(float_exp(1e100, false), "1e+100");
        assert_eq!(float_exp(-0.001, false), "-1e-03");
        assert_eq!(float_exp(0.0, false), "0e+00");
    }
}
