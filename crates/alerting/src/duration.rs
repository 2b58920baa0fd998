//! Prometheus durations (`30s`, `5m`, `4h`, `1d12h`) as alertmanager.yml writes every timer.
//! Strict like Prometheus's `model.ParseDuration`: integer amounts, units from largest to
//! smallest, each at most once.

use std::fmt;

use serde::{Deserialize, Deserializer};

const UNITS: [(&str, i64); 7] = [
    ("y", 365 * 86_400_000),
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

/// Parses a duration into milliseconds.
pub fn parse_duration_ms(s: &str) -> Result<i64, String> {
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err("empty duration string".into());
    }
    let mut rest = s;
    let mut total: i64 = 0;
    let mut next_unit = 0usize;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("not a valid duration string: {s:?} (examples: 30s, 5m, 4h, 1d12h)"));
        }
        let n: i64 = rest[..digits].parse().map_err(|_| format!("duration {s:?} is too large"))?;
        rest = &rest[digits..];
        // "ms" must be tried before "m".
        let found =
            UNITS.iter().enumerate().filter(|(_, (u, _))| rest.starts_with(u)).max_by_key(|(_, (u, _))| u.len());
        let Some((idx, (unit, mult))) = found else {
            return Err(format!(
                "not a valid duration string: {s:?}: unknown or missing unit (use y, w, d, h, m, s, ms)"
            ));
        };
        if idx < next_unit {
            return Err(format!(
                "not a valid duration string: {s:?}: units must go from largest to smallest, each once"
            ));
        }
        next_unit = idx + 1;
        total = n
            .checked_mul(*mult)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration {s:?} is too large"))?;
        rest = &rest[unit.len()..];
    }
    Ok(total)
}

/// Formats milliseconds like Prometheus (`1h30m`, `0s`).
pub fn format_duration_ms(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, size) in UNITS {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// A duration field of alertmanager.yml, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub i64);

impl Duration {
    pub fn ms(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration_ms(self.0))
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration_ms(&s).map(Duration).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
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
        for bad in ["", "5", "m", "1.5h", "30m1h", "1h1h", "5x", "-5m", " 5m"] {
            assert!(parse_duration_ms(bad).is_err(), "{bad:?} should fail");
        }
        assert_eq!(format_duration_ms(5_400_000), "1h30m");
        assert_eq!(format_duration_ms(0), "0s");
        assert_eq!(format_duration_ms(300_000), "5m");
    }
}
