//! Time as Prometheus's ecosystem writes it: civil-calendar arithmetic (proleptic Gregorian,
//! Howard Hinnant's algorithms) for time intervals and templates, and RFC 3339 timestamps as
//! Alertmanager's API and Prometheus's HTTP API write them (`2026-12-02T10:00:00.123Z`).
//! Instants are Unix milliseconds everywhere in Vigil; a date crate would add more than these
//! few lines of arithmetic.

/// An RFC 3339 timestamp that did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid RFC 3339 time {input:?}: {reason}")]
pub struct TimeError {
    pub input: String,
    pub reason: &'static str,
}

/// Days since 1970-01-01 for a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Weekday of a day count, 0 = Sunday (Go's `time.Weekday`).
pub fn weekday(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32
}

/// A broken-down local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub weekday: u32,
    pub minute_of_day: u32,
}

/// Breaks down Unix seconds shifted by a UTC offset (seconds east).
pub fn civil_time(unix_secs: i64, offset_secs: i64) -> CivilTime {
    let local = unix_secs + offset_secs;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    CivilTime { year, month, day, weekday: weekday(days), minute_of_day: (secs / 60) as u32 }
}

/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 86_400_000;

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
pub fn parse_rfc3339(s: &str) -> Result<i64, TimeError> {
    let bad = |why: &'static str| TimeError { input: s.to_string(), reason: why };
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(bad("too short (expected e.g. 2026-12-02T10:00:00.123Z)"));
    }
    let num = |from: usize, len: usize| -> Result<i64, TimeError> {
        let part = b.get(from..from + len).ok_or_else(|| bad("truncated"))?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(bad("expected digits"));
        }
        Ok(part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| -> Result<(), TimeError> {
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
    if !(1..=12).contains(&month) || day < 1 || day > i64::from(days_in_month(year, month as u32)) {
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
    let days = days_from_civil(year, month as u32, day as u32);
    Ok(days * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset_ms)
}

/// `#[serde(with = "promconfig::time::rfc3339")]` for an `i64` of Unix milliseconds.
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
    fn round_trips_and_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-800_000, -1, 0, 59, 10_000, 19_000, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        // 2024-02-29 was a Thursday.
        let z = days_from_civil(2024, 2, 29);
        assert_eq!(weekday(z), 4);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        let t = civil_time(1_700_000_000, 0); // 2023-11-14T22:13:20Z, a Tuesday
        assert_eq!((t.year, t.month, t.day, t.weekday, t.minute_of_day), (2023, 11, 14, 2, 22 * 60 + 13));
        let t = civil_time(1_700_000_000, 3600);
        assert_eq!((t.day, t.weekday, t.minute_of_day), (14, 2, 23 * 60 + 13));
    }

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
