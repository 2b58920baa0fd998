//! Go-style durations (`1m30s`, `500ms`) and base-2 byte sizes (`1MB`), as blackbox's config uses.

use std::time::Duration;

/// Parses a Go `time.ParseDuration` string: signed decimal numbers with units ns, us, µs, ms, s, m, h.
pub fn parse_go_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration {s:?}");
    let t = s.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    if t.is_empty() || t.starts_with('-') {
        return Err(bad());
    }
    let mut rest = t.strip_prefix('+').unwrap_or(t);
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(format!("invalid duration {s:?}: missing or unknown unit")),
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

/// Parses a byte size such as `1024`, `512KB` or `1MiB` (all multiples are powers of 1024, as in
/// blackbox's `units.Base2Bytes`).
pub fn parse_byte_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let num_len = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let value: u64 = t[..num_len].parse().map_err(|_| format!("invalid byte size {s:?}"))?;
    let shift = match &t[num_len..] {
        "" | "B" => 0,
        "KB" | "KiB" | "K" => 10,
        "MB" | "MiB" | "M" => 20,
        "GB" | "GiB" | "G" => 30,
        "TB" | "TiB" | "T" => 40,
        "PB" | "PiB" | "P" => 50,
        _ => return Err(format!("invalid byte size {s:?}: unknown unit")),
    };
    value.checked_mul(1u64 << shift).ok_or_else(|| format!("byte size {s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_go_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_go_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_go_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_go_duration("0").unwrap(), Duration::ZERO);
        assert!(parse_go_duration("5").is_err());
        assert!(parse_go_duration("5x").is_err());
        assert!(parse_go_duration("").is_err());
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_byte_size("100").unwrap(), 100);
        assert_eq!(parse_byte_size("1KB").unwrap(), 1024);
        assert_eq!(parse_byte_size("2MiB").unwrap(), 2 << 20);
        assert!(parse_byte_size("1XB").is_err());
    }
}
