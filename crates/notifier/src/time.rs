//! RFC 3339 timestamps as Alertmanager's v2 API writes them. Alerts keep Unix milliseconds (what
//! the rest of Vigil uses); on the wire they are `2026-12-02T10:00:00.123Z`, the millisecond form
//! Prometheus's notifier produces through go-openapi's `strfmt.DateTime`. Written here rather
//! than pulled from a date crate because it is a few lines of civil-calendar arithmetic.

const MS_PER_DAY: i64 = 86_400_000;

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix ms: what Prometheus sends for a time it
/// never set, and what Alertmanager reads as "not set".
pub const ZERO_TIME_MS: i64 = -62_135_596_800_000;

/// Formats Unix milliseconds as RFC 3339 in UTC with exactly three fractional digits.
pub fn format_rfc3339_ms(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (hh, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (mm, rest) = (rest / 60_000, rest % 60_000);
    let (ss, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{milli:03}Z")
}

/// Parses an RFC 3339 timestamp (`T` or `t`, `Z` or a `±hh:mm` offset, any number of fractional
/// digits, truncated to milliseconds) into Unix milliseconds.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let bad = |why: &str| format!("invalid RFC 3339 time {s:?}: {why}");
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(bad("too short (expected e.g. 2026-12-02T10:00:00.123Z)"));
    }
    let num = |from: usize, len: usize| -> Result<i64, String> {
        let part = b.get(from..from + len).ok_or_else(|| bad("truncated"))?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(bad("expected digits"));
        }
        Ok(part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| -> Result<(), String> {
        if b.get(at).is_some_and(|c| allowed.contains(c)) { Ok(()) } else { Err(bad("misplaced separator")) }
    };
    let year = num(0, 4)?;
    sep(4, b"-")?;
    let month = num(5, 2)?;
    sep(7, b"-")?;
    let day = num(8, 2)?;
    sep(10, b"Tt")?;
    let hour = num(11, 2)?;
    sep(13, b":")?;
    let minute = num(14, 2)?;
    sep(16, b":")?;
    let second = num(17, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(bad("date out of range"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad("time of day out of range"));
    }
    let mut at = 19;
    let mut millis = 0i64;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let digits = b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(bad("expected digits after '.'"));
        }
        for (i, d) in b[at..at + digits].iter().enumerate().take(3) {
            millis += i64::from(d - b'0') * [100, 10, 1][i];
        }
        at += digits;
    }
    let offset_ms = match b.get(at) {
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if at + 6 == b.len() => {
            let oh = num(at + 1, 2)?;
            sep(at + 3, b":")?;
            let om = num(at + 4, 2)?;
            if oh > 23 || om > 59 {
                return Err(bad("offset out of range"));
            }
            let off = (oh * 60 + om) * 60_000;
            if *sign == b'-' { -off } else { off }
        }
        _ => return Err(bad("expected Z or a ±hh:mm offset at the end")),
    };
    let days = days_from_civil(year, month, day);
    Ok(days * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset_ms)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `#[serde(with = "crate::time::rfc3339")]` for an `i64` of Unix milliseconds.
pub mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339_ms(*ms))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go_strfmt() {
        assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        // 2026-12-02T10:00:00.123Z
        assert_eq!(format_rfc3339_ms(1_796_205_600_123), "2026-12-02T10:00:00.123Z");
        assert_eq!(format_rfc3339_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_rfc3339_ms(ZERO_TIME_MS), "0001-01-01T00:00:00.000Z");
    }

    #[test]
    fn parses_offsets_fractions_and_round_trips() {
        assert_eq!(parse_rfc3339("2026-12-02T10:00:00.123Z"), Ok(1_796_205_600_123));
        assert_eq!(parse_rfc3339("2026-12-02T11:30:00.123456789+01:30"), Ok(1_796_205_600_123));
        assert_eq!(parse_rfc3339("2026-12-02t10:00:00z"), Ok(1_796_205_600_000));
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), Ok(ZERO_TIME_MS));
        for bad in ["2026-02-30T00:00:00Z", "2026-12-02 10:00:00Z", "2026-12-02T10:00:00", "2026-12-02T10:00:00.Z", "x"]
        {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
        for ms in [0, 1, 999, 1_796_205_600_123, -86_400_001, ZERO_TIME_MS, 253_402_300_799_999] {
            assert_eq!(parse_rfc3339(&format_rfc3339_ms(ms)), Ok(ms), "{ms}");
        }
    }
}
