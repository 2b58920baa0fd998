//! Prometheus-style durations (`15d`, `1h30m`, `500ms`) and byte sizes (`512MB`, `10GiB`).

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
            return Err(format!("invalid duration {s:?}: expected a number at {rest:?} (examples: 15d, 1h30m, 500ms)"));
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
        assert!(parse_duration_ms("5").unwrap_err().contains("unit"));
        assert!(parse_duration_ms("1s1h").unwrap_err().contains("largest"));
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
