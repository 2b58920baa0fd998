//! Go's time formatting, as notifications show times: RFC 3339 with trimmed nanoseconds in
//! JSON payloads, RFC 1123 in e-mail `Date` headers, and Go reference-time layouts
//! (`2006-01-02 15:04:05 MST`) for the `date` template function and `.StartsAt.Format`.

use alerting::civil::{civil_from_days, weekday};

/// Go's zero time (`0001-01-01T00:00:00Z`) in the templates crate's encoding of times.
pub const ZERO_TIME: i64 = i64::MIN;

const NANOS: i64 = 1_000_000_000;
/// Seconds from 0001-01-01 to 1970-01-01.
const ZERO_TIME_UNIX_SECS: i64 = -62_135_596_800;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// An instant with the zone it is shown in.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonedTime {
    /// Unix nanoseconds; [`ZERO_TIME`] is Go's zero time.
    pub unix_nanos: i64,
    /// Seconds east of UTC.
    pub offset_secs: i64,
    /// What `MST` prints: the zone's abbreviation, or a numeric offset when unknown.
    pub zone: String,
}

impl ZonedTime {
    /// The instant in UTC.
    pub fn utc(unix_nanos: i64) -> ZonedTime {
        ZonedTime { unix_nanos, offset_secs: 0, zone: "UTC".into() }
    }

    /// Whole seconds and nanoseconds, with Go's zero time mapped to year 1.
    fn split(&self) -> (i64, i64) {
        if self.unix_nanos == ZERO_TIME {
            return (ZERO_TIME_UNIX_SECS, 0);
        }
        (self.unix_nanos.div_euclid(NANOS), self.unix_nanos.rem_euclid(NANOS))
    }
}

/// What a zone without a known abbreviation prints for `MST` (`+0100`), as Go does.
pub fn numeric_zone(offset_secs: i64) -> String {
    if offset_secs == 0 {
        return "UTC".into();
    }
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let m = offset_secs.abs() / 60;
    format!("{sign}{:02}{:02}", m / 60, m % 60)
}

/// `time.RFC3339Nano` in UTC, as Go's `time.Time.MarshalJSON` writes it.
pub fn rfc3339_nano(unix_nanos: i64) -> String {
    format(&ZonedTime::utc(unix_nanos), "2006-01-02T15:04:05.999999999Z07:00")
}

/// The same from Unix milliseconds (`None`: Go's zero time).
pub fn rfc3339_millis(ms: Option<i64>) -> String {
    rfc3339_nano(millis_to_nanos(ms))
}

/// Unix milliseconds as the templates crate's time encoding.
pub fn millis_to_nanos(ms: Option<i64>) -> i64 {
    match ms {
        Some(ms) => ms.saturating_mul(1_000_000),
        None => ZERO_TIME,
    }
}

/// `time.RFC1123Z` in UTC (`Mon, 02 Jan 2006 15:04:05 +0000`), for e-mail `Date` headers.
pub fn rfc1123z(unix_nanos: i64) -> String {
    format(&ZonedTime { unix_nanos, offset_secs: 0, zone: String::new() }, "Mon, 02 Jan 2006 15:04:05 -0700")
}

/// Broken-down local time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    yday: u32,
    weekday: u32,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
}

fn civil(t: &ZonedTime) -> Civil {
    let (secs, nanos) = t.split();
    let local = secs + t.offset_secs;
    let days = local.div_euclid(86_400);
    let sod = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let jan1 = alerting::civil::days_from_civil(year, 1, 1);
    Civil {
        year,
        month,
        day,
        yday: (days - jan1 + 1) as u32,
        weekday: weekday(days),
        hour: sod / 3600,
        minute: sod / 60 % 60,
        second: sod % 60,
        nanos,
    }
}

/// One element of a Go layout.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    /// Numeric zone: with `Z` for UTC, with colons, with seconds, hours only.
    Offset {
        iso: bool,
        colons: bool,
        seconds: bool,
        hours_only: bool,
    },
    ZoneName,
    /// Fractional seconds: separator, digits, whether trailing zeros are trimmed.
    Frac {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

/// The layout elements Go recognises, longest first where prefixes overlap.
const TOKENS: &[(&str, Chunk)] = &[
    ("January", Chunk::LongMonth),
    ("Jan", Chunk::Month),
    ("Monday", Chunk::LongWeekDay),
    ("Mon", Chunk::WeekDay),
    ("MST", Chunk::ZoneName),
    ("01", Chunk::ZeroMonth),
    ("02", Chunk::ZeroDay),
    ("03", Chunk::ZeroHour12),
    ("04", Chunk::ZeroMinute),
    ("05", Chunk::ZeroSecond),
    ("06", Chunk::Year),
    ("002", Chunk::ZeroYearDay),
    ("15", Chunk::Hour),
    ("1", Chunk::NumMonth),
    ("2006", Chunk::LongYear),
    ("2", Chunk::Day),
    ("__2", Chunk::UnderYearDay),
    ("_2", Chunk::UnderDay),
    ("3", Chunk::Hour12),
    ("4", Chunk::Minute),
    ("5", Chunk::Second),
    ("PM", Chunk::PM),
    ("pm", Chunk::Pm),
    ("-07:00:00", Chunk::Offset { iso: false, colons: true, seconds: true, hours_only: false }),
    ("-070000", Chunk::Offset { iso: false, colons: false, seconds: true, hours_only: false }),
    ("-07:00", Chunk::Offset { iso: false, colons: true, seconds: false, hours_only: false }),
    ("-0700", Chunk::Offset { iso: false, colons: false, seconds: false, hours_only: false }),
    ("-07", Chunk::Offset { iso: false, colons: false, seconds: false, hours_only: true }),
    ("Z07:00:00", Chunk::Offset { iso: true, colons: true, seconds: true, hours_only: false }),
    ("Z070000", Chunk::Offset { iso: true, colons: false, seconds: true, hours_only: false }),
    ("Z07:00", Chunk::Offset { iso: true, colons: true, seconds: false, hours_only: false }),
    ("Z0700", Chunk::Offset { iso: true, colons: false, seconds: false, hours_only: false }),
    ("Z07", Chunk::Offset { iso: true, colons: false, seconds: false, hours_only: true }),
];

/// The next element at the start of `s`, with its length in bytes.
fn next_chunk(s: &str) -> Option<(Chunk, usize)> {
    let bytes = s.as_bytes();
    if s.starts_with("_2006") {
        // Go reads `_2006` as a literal `_` before the year, not as `_2` then `006`.
        return None;
    }
    if let (Some(&sep @ (b'.' | b',')), Some(&d @ (b'0' | b'9'))) = (bytes.first(), bytes.get(1)) {
        let run = bytes[1..].iter().take_while(|&&b| b == d).count();
        let next_is_digit = bytes.get(1 + run).is_some_and(u8::is_ascii_digit);
        if !next_is_digit {
            return Some((Chunk::Frac { sep: char::from(sep), digits: run, trim: d == b'9' }, 1 + run));
        }
    }
    for (token, chunk) in TOKENS {
        if s.starts_with(token) {
            // Go reads `Jan`/`Mon` only when not followed by a lower-case letter (`Janet`).
            let alpha_token = matches!(chunk, Chunk::Month | Chunk::WeekDay);
            if alpha_token && bytes.get(token.len()).is_some_and(u8::is_ascii_lowercase) {
                continue;
            }
            return Some((*chunk, token.len()));
        }
    }
    None
}

/// Go's `time.Time.Format`.
pub fn format(t: &ZonedTime, layout: &str) -> String {
    let c = civil(t);
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    while let Some(ch) = rest.chars().next() {
        match next_chunk(rest) {
            Some((chunk, len)) => {
                write_chunk(&mut out, chunk, &c, t);
                rest = &rest[len..];
            }
            None => {
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
    }
    out
}

fn write_chunk(out: &mut String, chunk: Chunk, c: &Civil, t: &ZonedTime) {
    let hour12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
    let month_name = MONTHS.get(c.month.saturating_sub(1) as usize).copied().unwrap_or("");
    let day_name = DAYS.get(c.weekday as usize).copied().unwrap_or("");
    match chunk {
        Chunk::LongMonth => out.push_str(month_name),
        Chunk::Month => out.push_str(month_name.get(..3).unwrap_or("")),
        Chunk::NumMonth => out.push_str(&c.month.to_string()),
        Chunk::ZeroMonth => out.push_str(&format!("{:02}", c.month)),
        Chunk::LongWeekDay => out.push_str(day_name),
        Chunk::WeekDay => out.push_str(day_name.get(..3).unwrap_or("")),
        Chunk::Day => out.push_str(&c.day.to_string()),
        Chunk::UnderDay => out.push_str(&format!("{:>2}", c.day)),
        Chunk::ZeroDay => out.push_str(&format!("{:02}", c.day)),
        Chunk::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
        Chunk::ZeroYearDay => out.push_str(&format!("{:03}", c.yday)),
        Chunk::Hour => out.push_str(&format!("{:02}", c.hour)),
        Chunk::Hour12 => out.push_str(&hour12.to_string()),
        Chunk::ZeroHour12 => out.push_str(&format!("{hour12:02}")),
        Chunk::Minute => out.push_str(&c.minute.to_string()),
        Chunk::ZeroMinute => out.push_str(&format!("{:02}", c.minute)),
        Chunk::Second => out.push_str(&c.second.to_string()),
        Chunk::ZeroSecond => out.push_str(&format!("{:02}", c.second)),
        Chunk::LongYear => out.push_str(&format!("{:04}", c.year)),
        Chunk::Year => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
        Chunk::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
        Chunk::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
        Chunk::ZoneName => out.push_str(if t.zone.is_empty() { "UTC" } else { &t.zone }),
        Chunk::Offset { iso, colons, seconds, hours_only } => {
            write_offset(out, t.offset_secs, iso, colons, seconds, hours_only);
        }
        Chunk::Frac { sep, digits, trim } => write_frac(out, c.nanos, sep, digits, trim),
    }
}

fn write_offset(out: &mut String, offset: i64, iso: bool, colons: bool, seconds: bool, hours_only: bool) {
    if iso && offset == 0 {
        out.push('Z');
        return;
    }
    out.push(if offset < 0 { '-' } else { '+' });
    let abs = offset.abs();
    out.push_str(&format!("{:02}", abs / 3600));
    if hours_only {
        return;
    }
    if colons {
        out.push(':');
    }
    out.push_str(&format!("{:02}", abs / 60 % 60));
    if seconds {
        if colons {
            out.push(':');
        }
        out.push_str(&format!("{:02}", abs % 60));
    }
}

fn write_frac(out: &mut String, nanos: i64, sep: char, digits: usize, trim: bool) {
    let all = format!("{nanos:09}");
    let mut frac = &all[..digits.min(9)];
    if trim {
        frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            return;
        }
    }
    out.push(sep);
    out.push_str(frac);
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_672_574_405_123_400_000; // 2023-01-01T12:00:05.1234Z, a Sunday

    #[test]
    fn rfc_formats() {
        assert_eq!(rfc3339_nano(T), "2023-01-01T12:00:05.1234Z");
        assert_eq!(rfc3339_nano(1_672_574_400_000_000_000), "2023-01-01T12:00:00Z");
        assert_eq!(rfc3339_nano(ZERO_TIME), "0001-01-01T00:00:00Z");
        assert_eq!(rfc3339_millis(Some(1)), "1970-01-01T00:00:00.001Z");
        assert_eq!(rfc1123z(T), "Sun, 01 Jan 2023 12:00:05 +0000");
    }

    #[test]
    fn go_layouts() {
        let berlin = ZonedTime { unix_nanos: T, offset_secs: 3600, zone: "CET".into() };
        assert_eq!(format(&berlin, "2006-01-02 15:04:05 MST"), "2023-01-01 13:00:05 CET");
        assert_eq!(format(&berlin, "Mon Jan _2 3:4:5 PM -07:00 Z0700"), "Sun Jan  1 1:0:5 PM +01:00 +0100");
        assert_eq!(format(&berlin, "Monday, January 2, 06 .000 ,999 002"), "Sunday, January 1, 23 .123 ,123 001");
        assert_eq!(format(&ZonedTime::utc(T), "15:04:05.999999999 Z07:00 -07"), "12:00:05.1234 Z +00");
        assert_eq!(format(&ZonedTime::utc(T), "Janet 1"), "Janet 1");
        assert_eq!(format(&ZonedTime::utc(T), "_2006"), "_2023");
        let minus = ZonedTime { unix_nanos: T, offset_secs: -(5 * 3600 + 30 * 60), zone: numeric_zone(-19800) };
        assert_eq!(format(&minus, "15:04 MST"), "06:30 -0530");
    }
}
