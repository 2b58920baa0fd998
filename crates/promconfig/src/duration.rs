//! Durations as Prometheus's configuration files write them (`15s`, `1h30m`, `1d`) and as Go's
//! `time.ParseDuration` reads them (`1.5s`, `500us`), with Prometheus's formatting.
//! Strict like Prometheus's `model.ParseDuration`: integer amounts, units from largest to
//! smallest, each at most once.

use std::fmt;

/// Why a duration did not parse; the text follows Prometheus's `not a valid duration string`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration string")]
    Empty,
    #[error("not a valid duration string: {input:?} ({reason})")]
    Invalid { input: String, reason: &'static str },
    #[error("duration {0:?} is too large")]
    TooLarge(String),
}

const UNITS: [(&str, i64); 7] = [
    ("y", 365 * 86_400_000),
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

/// Parses a Prometheus duration into milliseconds: one or more `<integer><unit>` with units
/// y, w, d, h, m, s, ms in decreasing order, e.g. `1d12h`. `0` alone is allowed.
pub fn parse_duration_ms(s: &str) -> Result<i64, DurationError> {
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    let invalid = |reason| DurationError::Invalid { input: s.to_string(), reason };
    let mut rest = s;
    let mut total: i64 = 0;
    let mut next_unit = 0usize;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(invalid("expected a whole number followed by a unit, e.g. 15s, 1h30m, 500ms"));
        }
        let n: i64 = rest[..digits].parse().map_err(|_| DurationError::TooLarge(s.to_string()))?;
        rest = &rest[digits..];
        // The longest unit that matches: "ms" before "m".
        let found =
            UNITS.iter().enumerate().filter(|(_, (u, _))| rest.starts_with(u)).max_by_key(|(_, (u, _))| u.len());
        let Some((idx, (unit, mult))) = found else {
            return Err(invalid("unknown or missing unit; use y, w, d, h, m, s or ms"));
        };
        if idx < next_unit {
            return Err(invalid("units must go from largest to smallest, each once"));
        }
        next_unit = idx + 1;
        total = n
            .checked_mul(*mult)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| DurationError::TooLarge(s.to_string()))?;
        rest = &rest[unit.len()..];
    }
    Ok(total)
}

/// Formats milliseconds the way Prometheus prints durations (`1m30s`, `15s`, `500ms`, `0s`);
/// negative values get a leading `-`.
pub fn format_duration_ms(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if ms < 0 {
        out.push('-');
    }
    let mut rest = ms.unsigned_abs();
    for (unit, size) in UNITS {
        let size = size as u64;
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// A Prometheus duration read from YAML, in milliseconds; its deserializer rejects bad syntax
/// with the YAML position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub i64);

impl Duration {
    pub fn ms(self) -> i64 {
        self.0
    }

    /// As a `std::time::Duration` (negative values become zero).
    pub fn to_std(self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::try_from(self.0).unwrap_or(0))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration_ms(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration_ms(&s).map(Duration).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration_ms(self.0))
    }
}

/// Parses a Go `time.ParseDuration` string (blackbox.yml's timeouts): unsigned decimal
/// numbers with units ns, us, µs, ms, s, m, h, e.g. `1.5s`, `1m30s`; `0` alone is allowed.
pub fn parse_go_duration(s: &str) -> Result<std::time::Duration, DurationError> {
    let invalid = |reason| DurationError::Invalid { input: s.to_string(), reason };
    let t = s.trim();
    if t == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    if t.is_empty() {
        return Err(DurationError::Empty);
    }
    if t.starts_with('-') {
        return Err(invalid("negative durations are not allowed here"));
    }
    let mut rest = t.strip_prefix('+').unwrap_or(t);
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(invalid("expected a number followed by a unit, e.g. 1.5s, 500ms"));
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| invalid("malformed number"))?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid("unknown or missing unit; use ns, us, ms, s, m or h")),
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    std::time::Duration::try_from_secs_f64(total).map_err(|_| DurationError::TooLarge(s.to_string()))
}

/// Formats a duration like Go's `time.Duration.String()` (`1h2m3.5s`, `500ms`, `0s`), the form
/// Alertmanager and blackbox print.
pub fn format_go_duration(d: std::time::Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", trim_fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", trim_fraction(nanos, 1_000_000));
    }
    let secs_total = d.as_secs();
    let (h, m) = (secs_total / 3600, (secs_total / 60) % 60);
    let s_nanos = nanos - u128::from(h * 3600 + m * 60) * 1_000_000_000;
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{}s", trim_fraction(s_nanos, 1_000_000_000)));
    out
}

/// `value / unit` as a decimal without trailing zeros (`1.5`, `2`).
fn trim_fraction(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let frac = value % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn prometheus_durations_parse_like_prometheus() {
        for (s, ms) in [
            ("0", 0),
            ("0s", 0),
            ("30s", 30_000),
            ("5m", 300_000),
            ("4h", 14_400_000),
            ("1d12h", 129_600_000),
            ("1h30m", 5_400_000),
            ("500ms", 500),
            ("1m500ms", 60_500),
            ("2w", 1_209_600_000),
            ("1y", 31_536_000_000),
        ] {
            assert_eq!(parse_duration_ms(s), Ok(ms), "{s}");
        }
        // Rejected by Prometheus 2.42's model.ParseDuration too.
        for bad in ["", "5", "m", "1.5h", "30m1h", "1h1h", "5x", "-5m", " 5m", "1s1ms1s"] {
            assert!(parse_duration_ms(bad).is_err(), "{bad:?} should fail");
        }
        let e = parse_duration_ms("15x").unwrap_err().to_string();
        assert!(e.starts_with("not a valid duration string: \"15x\""), "{e}");
    }

    #[test]
    fn prometheus_durations_format_like_prometheus() {
        assert_eq!(format_duration_ms(5_400_000), "1h30m");
        assert_eq!(format_duration_ms(90_000), "1m30s");
        assert_eq!(format_duration_ms(0), "0s");
        assert_eq!(format_duration_ms(86_400_000), "1d");
        assert_eq!(format_duration_ms(-60_000), "-1m");
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("1.5s"), Ok(std::time::Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("1m30s"), Ok(std::time::Duration::from_secs(90)));
        assert_eq!(parse_go_duration("500us"), Ok(std::time::Duration::from_micros(500)));
        assert!(parse_go_duration("5").is_err());
        assert!(parse_go_duration("-1s").is_err());
        assert_eq!(format_go_duration(std::time::Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_go_duration(std::time::Duration::from_secs(3723)), "1h2m3s");
        assert_eq!(format_go_duration(std::time::Duration::from_millis(250)), "250ms");
        assert_eq!(format_go_duration(std::time::Duration::ZERO), "0s");
    }

    proptest! {
        #[test]
        fn prometheus_format_then_parse_is_identity(ms in 0i64..(1i64 << 50)) {
            prop_assert_eq!(parse_duration_ms(&format_duration_ms(ms)), Ok(ms));
        }

        #[test]
        fn go_format_then_parse_is_identity(ms in 0u64..(1u64 << 40)) {
            let d = std::time::Duration::from_millis(ms);
            // Go's form goes through a float: compare at millisecond resolution, rounded.
            let back = parse_go_duration(&format_go_duration(d)).map(|d| (d.as_nanos() + 500_000) / 1_000_000);
            prop_assert_eq!(back, Ok(u128::from(ms)));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = parse_duration_ms(&s);
            let _ = parse_go_duration(&s);
        }
    }
}
