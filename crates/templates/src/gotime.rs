//! Go's `time.Time.String`, `time.Duration.String` and Prometheus's duration syntax, as
//! `humanizeTimestamp`, `toTime`, `toDuration` and `parseDuration` expose them.

use promconfig::time::civil_from_days;

use crate::gofmt::float::{go_f64_to_i64, in_i64_range};

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// `floatToTime` failed: the value has no Unix-nanosecond representation.
#[derive(Debug, Clone, PartialEq)]
pub enum FloatTimeError {
    /// NaN or ±Inf (`humanizeTimestamp` then prints the number itself).
    NanOrInf,
    /// Outside the int64 nanosecond range.
    Overflow,
}

/// Prometheus's `floatToTime`: seconds → nanoseconds, truncated to milliseconds the way
/// `model.TimeFromUnixNano(...).Time()` does.
pub fn float_to_time(seconds: f64) -> Result<i64, FloatTimeError> {
    if seconds.is_nan() || seconds.is_infinite() {
        return Err(FloatTimeError::NanOrInf);
    }
    let nanos = seconds * 1e9;
    // 2^63 itself is out of range for i64 (Go's check lets it through, then wraps).
    if !in_i64_range(nanos) {
        return Err(FloatTimeError::Overflow);
    }
    let millis = (nanos as i64) / 1_000_000;
    Ok(millis * 1_000_000)
}

/// Go's `time.Time.String()` of a UTC instant: `2006-01-02 15:04:05.999999999 +0000 UTC`.
/// `i64::MIN` stands for Go's zero time, which Unix nanoseconds cannot reach.
pub fn format_time(unix_nanos: i64) -> String {
    if unix_nanos == i64::MIN {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    }
    let secs = unix_nanos.div_euclid(NANOS_PER_SECOND);
    let frac = unix_nanos.rem_euclid(NANOS_PER_SECOND);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut out = if year < 0 { format!("-{:04}", -year) } else { format!("{year:04}") };
    out.push_str(&format!("-{month:02}-{day:02} {:02}:{:02}:{:02}", sod / 3600, sod / 60 % 60, sod % 60));
    if frac != 0 {
        let digits = format!("{frac:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push_str(" +0000 UTC");
    out
}

/// Writes `v / 10^prec` as a fraction with trailing zeros dropped (Go's `fmtFrac`),
/// returning the integer part.
fn push_frac(out: &mut Vec<u8>, v: u64, prec: u32) -> u64 {
    let mut v = v;
    let mut printed = false;
    let mut digits = Vec::new();
    for _ in 0..prec {
        let digit = v % 10;
        printed = printed || digit != 0;
        if printed {
            digits.push(b'0' + digit as u8);
        }
        v /= 10;
    }
    if printed {
        digits.push(b'.');
    }
    // `out` is built back to front.
    out.extend(digits);
    v
}

fn push_int_rev(out: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    while v > 0 {
        out.push(b'0' + (v % 10) as u8);
        v /= 10;
    }
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`, `-2m0s`.
pub fn format_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let neg = nanos < 0;
    let mut u = nanos.unsigned_abs();
    // Built in reverse, like Go's buffer filled from the end.
    let mut rev: Vec<u8> = Vec::with_capacity(32);
    if u < NANOS_PER_SECOND as u64 {
        rev.push(b's');
        let prec = if u < 1_000 {
            rev.push(b'n');
            0
        } else if u < 1_000_000 {
            // "µ" (U+00B5) is 0xC2 0xB5, pushed in reverse.
            rev.push(0xB5);
            rev.push(0xC2);
            3
        } else {
            rev.push(b'm');
            6
        };
        u = push_frac(&mut rev, u, prec);
        push_int_rev(&mut rev, u);
    } else {
        rev.push(b's');
        u = push_frac(&mut rev, u, 9);
        push_int_rev(&mut rev, u % 60);
        u /= 60;
        if u > 0 {
            rev.push(b'm');
            push_int_rev(&mut rev, u % 60);
            u /= 60;
            if u > 0 {
                rev.push(b'h');
                push_int_rev(&mut rev, u);
            }
        }
    }
    if neg {
        rev.push(b'-');
    }
    rev.reverse();
    String::from_utf8_lossy(&rev).into_owned()
}

/// Go's `time.Duration(seconds * float64(time.Second))`: out-of-range and NaN convert to
/// math.MinInt64 as on amd64.
pub fn seconds_to_duration(seconds: f64) -> i64 {
    go_f64_to_i64(seconds * 1e9)
}

/// Why `parseDuration` rejected its argument. Its own type (not a bare string) so the
/// template functions can wrap it; the texts are Go's `model.ParseDuration` errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromDurationError {
    /// The empty string.
    #[error("empty duration string")]
    Empty,
    /// Not `[Ny][Nw][Nd][Nh][Nm][Ns][Nms]` (the text as given).
    #[error("not a valid duration string: {}", crate::gofmt::quote::go_quote(.0, false))]
    Invalid(String),
    /// More than int64 nanoseconds.
    #[error("duration out of range")]
    OutOfRange,
}

/// Prometheus's `model.ParseDuration` (v2.42): `[Ny][Nw][Nd][Nh][Nm][Ns][Nms]` in that
/// order, or `0`. Returns milliseconds.
pub fn parse_prom_duration(s: &str) -> Result<i64, PromDurationError> {
    use promconfig::duration::DurationError;
    // The syntax is promconfig's; the error texts are Go's, which templates print verbatim.
    let ms = promconfig::parse_duration_ms(s).map_err(|e| match e {
        DurationError::Empty => PromDurationError::Empty,
        DurationError::Invalid { .. } => PromDurationError::Invalid(s.to_string()),
        DurationError::TooLarge(_) => PromDurationError::OutOfRange,
    })?;
    // Go keeps durations in nanoseconds.
    if ms > i64::MAX / 1_000_000 {
        return Err(PromDurationError::OutOfRange);
    }
    Ok(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_like_go() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(format_time(1_435_065_584_128_000_000), "2015-06-23 13:19:44.128 +0000 UTC");
        assert_eq!(format_time(-1_500_000_000), "1969-12-31 23:59:58.5 +0000 UTC");
        assert_eq!(format_time(951_782_400 * NANOS_PER_SECOND), "2000-02-29 00:00:00 +0000 UTC");
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(format_duration(3_600 * NANOS_PER_SECOND), "1h0m0s");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(1_500_000), "1.5ms");
        assert_eq!(format_duration(1_000), "1µs");
        assert_eq!(format_duration(5), "5ns");
        assert_eq!(format_duration(-90 * NANOS_PER_SECOND), "-1m30s");
        assert_eq!(format_duration(i64::MIN), "-2562047h47m16.854775808s");
    }

    #[test]
    fn prometheus_durations_parse() {
        assert_eq!(parse_prom_duration("1h30m"), Ok(5_400_000));
        assert_eq!(
            parse_prom_duration("1y2w3d4h5m6s7ms"),
            Ok(((((365 + 14 + 3) * 24 + 4) * 60 + 5) * 60 + 6) * 1000 + 7)
        );
        assert_eq!(parse_prom_duration("0"), Ok(0));
        assert_eq!(parse_prom_duration("250ms"), Ok(250));
        assert!(parse_prom_duration("1m1h").is_err());
        assert!(parse_prom_duration("1.5h").is_err());
        assert!(parse_prom_duration("-1h").is_err());
        assert_eq!(parse_prom_duration("").unwrap_err().to_string(), "empty duration string");
        assert_eq!(parse_prom_duration("5x").unwrap_err().to_string(), "not a valid duration string: \"5x\"");
        assert_eq!(parse_prom_duration("99999999999y").unwrap_err().to_string(), "duration out of range");
    }
}
