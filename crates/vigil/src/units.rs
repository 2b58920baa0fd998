//! Prometheus-style durations (`15d`, `1h30m`, `500ms`) and byte sizes (`512MB`, `10GiB`).

/// Durations on the command line use prometheus.yml's syntax and checks.
pub use scrape::duration::parse_duration_ms;

/// Parses a byte size: a number with an optional unit B, KB, MB, GB, TB, PB, EB (powers of
/// 1024, as Prometheus' `--storage.tsdb.retention.size`) or KiB, MiB, … `0` means no limit.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    if digits == 0 {
        return Err(format!("invalid size {s:?}: expected a number such as 512MB or 10GB"));
    }
    let n: f64 = t[..digits].parse().map_err(|_| format!("invalid size {s:?}"))?;
    let unit = t[digits..].trim().to_ascii_uppercase();
    let pow = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        "P" => 5,
        "E" => 6,
        _ => return Err(format!("invalid size {s:?}: unknown unit {unit:?} (use B, KB, MB, GB, TB)")),
    };
    Ok((n * 1024f64.powi(pow)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("15d"), Ok(15 * 86_400_000));
        assert_eq!(parse_duration_ms("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration_ms("500ms"), Ok(500));
        assert_eq!(parse_duration_ms("1m1s"), Ok(61_000));
        assert_eq!(parse_duration_ms("0"), Ok(0));
        assert!(parse_duration_ms("5").unwrap_err().to_string().contains("unit"));
        assert!(parse_duration_ms("1s1h").unwrap_err().to_string().contains("largest"));
        assert!(parse_duration_ms("x").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("512MB"), Ok(512 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(parse_bytes("100"), Ok(100));
        assert!(parse_bytes("10XB").is_err());
    }
}
