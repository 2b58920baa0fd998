//! Prometheus durations (`15s`, `1h30m`, `1d`): the syntax of every interval and timeout in
//! prometheus.yml. Kept strict like Prometheus: units from largest to smallest, each once,
//! integers only.

use std::fmt;

/// Parses a Prometheus duration into milliseconds: one or more `<number><unit>` with units
/// y, w, d, h, m, s, ms in decreasing order, e.g. `1d12h`. `0` alone is allowed.
pub fn parse_duration_ms(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err("empty duration".into());
    }
    const UNITS: [(&str, i64); 7] = [
        ("y", 365 * 24 * 3600 * 1000),
        ("w", 7 * 24 * 3600 * 1000),
        ("d", 24 * 3600 * 1000),
        ("h", 3600 * 1000),
        ("ms", 1),
        ("m", 60 * 1000),
        ("s", 1000),
    ];
    let order = |u: &str| ["y", "w", "d", "h", "m", "s", "ms"].iter().position(|x| *x == u);
    let mut rest = s;
    let mut total: i64 = 0;
    let mut last_rank: Option<usize> = None;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("invalid duration {s:?}: expected a number at {rest:?} (examples: 15s, 1h30m, 500ms)"));
        }
        let n: i64 = rest[..digits].parse().map_err(|_| format!("invalid duration {s:?}: number too large"))?;
        rest = &rest[digits..];
        let Some((unit, mult)) = UNITS.iter().find(|(u, _)| rest.starts_with(u)) else {
            return Err(format!(
                "invalid duration {s:?}: unknown or missing unit at {rest:?} (use y, w, d, h, m, s or ms)"
            ));
        };
        let rank = order(unit).unwrap_or(0);
        if last_rank.is_some_and(|l| rank <= l) {
            return Err(format!("invalid duration {s:?}: units must go from largest to smallest, each once"));
        }
        last_rank = Some(rank);
        total = n
            .checked_mul(*mult)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("invalid duration {s:?}: too large"))?;
        rest = &rest[unit.len()..];
    }
    Ok(total)
}

/// Formats milliseconds the way Prometheus prints durations (`1m30s`, `15s`, `500ms`, `0s`).
pub fn format_duration_ms(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, size) in [
        ("y", 365 * 86_400_000),
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// A duration read from YAML; its deserializer rejects bad syntax with the YAML position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
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

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration_ms(&s).map(Duration).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_duration_ms("15s"), Ok(15_000));
        assert_eq!(parse_duration_ms("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration_ms("500ms"), Ok(500));
        assert!(parse_duration_ms("1.5s").is_err());
        assert!(parse_duration_ms("30m1h").is_err());
        assert!(parse_duration_ms("").is_err());
        assert_eq!(format_duration_ms(90_000), "1m30s");
        assert_eq!(format_duration_ms(15_000), "15s");
        assert_eq!(format_duration_ms(0), "0s");
    }
}
