//! Time zones for `time_intervals[].location`: `UTC`, `Local` (the `TZ` variable, else
//! /etc/localtime) and IANA names read from the system's zoneinfo files (TZif, RFC 8536), with
//! the file's POSIX TZ footer for instants after its last transition. Go's `time.LoadLocation`
//! reads the same files, so offsets agree with Alertmanager on the same machine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::civil::{days_from_civil, days_in_month, weekday};

/// A loaded time zone; cheap to clone.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    name: String,
    zone: Arc<Zone>,
}

#[derive(Debug, PartialEq, Default)]
struct Zone {
    /// Transition instants (Unix seconds), ascending.
    transitions: Vec<i64>,
    /// For each transition, the offset in effect from it on.
    offsets: Vec<i64>,
    /// Offset before the first transition (or always, without transitions).
    initial: i64,
    footer: Option<PosixTz>,
}

impl Location {
    /// UTC.
    pub fn utc() -> Location {
        Location { name: "UTC".into(), zone: Arc::new(Zone::default()) }
    }

    /// Loads `UTC`, `Local` or an IANA name like `Europe/Berlin`.
    pub fn load(name: &str) -> Result<Location, TzError> {
        if name.is_empty() || name == "UTC" {
            return Ok(Location::utc());
        }
        if name == "Local" {
            return Ok(Location { name: "Local".into(), zone: Arc::new(local_zone()) });
        }
        if name.starts_with('/') || name.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(TzError::Unknown { name: name.to_string(), io: None });
        }
        let path = zoneinfo_dir().join(name);
        let data = std::fs::read(&path)
            .map_err(|e| TzError::Unknown { name: name.to_string(), io: Some((path.clone(), e)) })?;
        let zone = parse_tzif(&data).map_err(|source| TzError::Corrupt { name: name.to_string(), path, source })?;
        Ok(Location { name: name.to_string(), zone: Arc::new(zone) })
    }

    /// The name it was loaded by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The UTC offset in seconds (east positive) at a Unix time.
    pub fn offset_at(&self, unix_secs: i64) -> i64 {
        let z = &self.zone;
        let idx = z.transitions.partition_point(|&t| t <= unix_secs);
        if idx == 0 {
            return match (&z.footer, z.transitions.is_empty()) {
                (Some(f), true) => f.offset_at(unix_secs),
                _ => z.initial,
            };
        }
        if idx == z.transitions.len()
            && let Some(f) = &z.footer
        {
            return f.offset_at(unix_secs);
        }
        z.offsets[idx - 1]
    }
}

fn zoneinfo_dir() -> PathBuf {
    match std::env::var("ZONEINFO") {
        Ok(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from("/usr/share/zoneinfo"),
    }
}

fn local_zone() -> Zone {
    let from_file = |p: &Path| std::fs::read(p).ok().and_then(|d| parse_tzif(&d).ok());
    match std::env::var("TZ") {
        Ok(tz) if !tz.is_empty() => {
            let name = tz.strip_prefix(':').unwrap_or(&tz);
            if name == "UTC" {
                return Zone::default();
            }
            let path = if name.starts_with('/') { PathBuf::from(name) } else { zoneinfo_dir().join(name) };
            from_file(&path).unwrap_or_default()
        }
        _ => from_file(Path::new("/etc/localtime")).unwrap_or_default(),
    }
}

/// A time zone that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TzError {
    /// No such zone (or a name that tries to leave the zoneinfo directory).
    #[error("unknown time zone {name:?}{}", io.as_ref().map(|(p, e)| format!(" ({}: {e})", p.display())).unwrap_or_default())]
    Unknown { name: String, io: Option<(PathBuf, std::io::Error)> },
    #[error("cannot read time zone {name:?} from {}: {source}", path.display())]
    Corrupt { name: String, path: PathBuf, source: TzifError },
}

/// Why a zoneinfo file is not valid TZif.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TzifError {
    #[error("not a TZif file")]
    NotTzif,
    #[error("truncated file")]
    Truncated,
    #[error("negative count")]
    NegativeCount,
    #[error("no local time types")]
    NoTypes,
    #[error("bad type index")]
    BadTypeIndex,
}

fn be_i32(b: &[u8], at: usize) -> Result<i64, TzifError> {
    let s = b.get(at..at + 4).ok_or(TzifError::Truncated)?;
    Ok(i64::from(i32::from_be_bytes([s[0], s[1], s[2], s[3]])))
}

fn be_i64(b: &[u8], at: usize) -> Result<i64, TzifError> {
    let s = b.get(at..at + 8).ok_or(TzifError::Truncated)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Ok(i64::from_be_bytes(a))
}

/// Parses a TZif file, preferring the 64-bit (version 2+) data block.
fn parse_tzif(b: &[u8]) -> Result<Zone, TzifError> {
    if b.get(..4) != Some(b"TZif") {
        return Err(TzifError::NotTzif);
    }
    let version = b.get(4).copied().unwrap_or(0);
    let counts = |at: usize| -> Result<[usize; 6], TzifError> {
        let mut c = [0usize; 6];
        for (i, v) in c.iter_mut().enumerate() {
            *v = usize::try_from(be_i32(b, at + 20 + i * 4)?).map_err(|_| TzifError::NegativeCount)?;
        }
        Ok(c)
    };
    let c1 = counts(0)?;
    let v1_len = c1[3] * 5 + c1[4] * 6 + c1[5] + c1[2] * 8 + c1[1] + c1[0];
    let (start, c, time_size) = if version >= b'2' {
        let hdr2 = 44 + v1_len;
        (hdr2 + 44, counts(hdr2)?, 8)
    } else {
        (44, c1, 4)
    };
    let [_isut, _isstd, leap, timecnt, typecnt, charcnt] = c;
    if typecnt == 0 {
        return Err(TzifError::NoTypes);
    }
    let mut transitions = Vec::with_capacity(timecnt);
    for i in 0..timecnt {
        let at = start + i * time_size;
        transitions.push(if time_size == 8 { be_i64(b, at)? } else { be_i32(b, at)? });
    }
    let idx_at = start + timecnt * time_size;
    let types_at = idx_at + timecnt;
    let mut type_offsets = Vec::with_capacity(typecnt);
    for i in 0..typecnt {
        type_offsets.push(be_i32(b, types_at + i * 6)?);
    }
    let mut offsets = Vec::with_capacity(timecnt);
    for i in 0..timecnt {
        let ti = usize::from(*b.get(idx_at + i).ok_or(TzifError::Truncated)?);
        offsets.push(*type_offsets.get(ti).ok_or(TzifError::BadTypeIndex)?);
    }
    let end = types_at + typecnt * 6 + charcnt + leap * (time_size + 4) + c[1] + c[0];
    let footer = if version >= b'2' {
        b.get(end..)
            .and_then(|rest| std::str::from_utf8(rest).ok())
            .map(|s| s.trim_matches('\n'))
            .filter(|s| !s.is_empty())
            .and_then(PosixTz::parse)
    } else {
        None
    };
    Ok(Zone { transitions, offsets, initial: type_offsets[0], footer })
}

/// A POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3` (offsets stored east-positive).
#[derive(Debug, Clone, PartialEq)]
struct PosixTz {
    std_offset: i64,
    dst: Option<(i64, DateRule, i64, DateRule, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DateRule {
    /// `Jn`: day 1..=365, February 29 never counted.
    Julian1(u32),
    /// `n`: day 0..=365, counting February 29.
    Julian0(u32),
    /// `Mm.w.d`: weekday d of week w (5 = last) of month m.
    Month(u32, u32, u32),
}

impl PosixTz {
    fn parse(s: &str) -> Option<PosixTz> {
        let mut p = Cursor { s: s.as_bytes(), i: 0 };
        p.name()?;
        let std_offset = -p.offset()?;
        if p.done() {
            return Some(PosixTz { std_offset, dst: None });
        }
        p.name()?;
        let dst_offset = if p.peek() == Some(b',') || p.done() { std_offset + 3600 } else { -p.offset()? };
        if p.done() {
            // No rule: POSIX leaves it implementation-defined; use the US rules like Go does.
            let (a, b) = (DateRule::Month(3, 2, 0), DateRule::Month(11, 1, 0));
            return Some(PosixTz { std_offset, dst: Some((dst_offset, a, 7200, b, 7200)) });
        }
        p.eat(b',')?;
        let (start, start_t) = p.rule()?;
        p.eat(b',')?;
        let (end, end_t) = p.rule()?;
        Some(PosixTz { std_offset, dst: Some((dst_offset, start, start_t, end, end_t)) })
    }

    fn offset_at(&self, t: i64) -> i64 {
        let Some((dst_offset, start, start_t, end, end_t)) = self.dst else { return self.std_offset };
        let year = crate::civil::civil_time(t, self.std_offset).year;
        let day_start = |y: i64| days_from_civil(y, 1, 1) * 86_400;
        let start_utc = day_start(year) + start.day_of_year(year) * 86_400 + start_t - self.std_offset;
        let end_utc = day_start(year) + end.day_of_year(year) * 86_400 + end_t - dst_offset;
        let in_dst = if start_utc < end_utc { t >= start_utc && t < end_utc } else { !(t >= end_utc && t < start_utc) };
        if in_dst { dst_offset } else { self.std_offset }
    }
}

impl DateRule {
    /// Zero-based day of the year the rule names.
    fn day_of_year(self, y: i64) -> i64 {
        match self {
            DateRule::Julian1(n) => {
                let n = i64::from(n) - 1;
                if crate::civil::is_leap(y) && n >= 59 { n + 1 } else { n }
            }
            DateRule::Julian0(n) => i64::from(n),
            DateRule::Month(m, w, d) => {
                let first = days_from_civil(y, m, 1);
                let first_wd = i64::from(weekday(first));
                let mut day = (i64::from(d) - first_wd).rem_euclid(7) + (i64::from(w) - 1) * 7;
                while day >= i64::from(days_in_month(y, m)) {
                    day -= 7;
                }
                first + day - days_from_civil(y, 1, 1)
            }
        }
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }
    fn name(&mut self) -> Option<()> {
        if self.eat(b'<').is_some() {
            while self.peek()? != b'>' {
                self.i += 1;
            }
            self.i += 1;
            return Some(());
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        (self.i - start >= 3).then_some(())
    }
    fn num(&mut self) -> Option<i64> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok()
    }
    /// `[+-]hh[:mm[:ss]]` in seconds, with the POSIX sign (west positive).
    fn offset(&mut self) -> Option<i64> {
        let sign = match self.peek() {
            Some(b'-') => {
                self.i += 1;
                -1
            }
            Some(b'+') => {
                self.i += 1;
                1
            }
            _ => 1,
        };
        let mut secs = self.num()? * 3600;
        if self.eat(b':').is_some() {
            secs += self.num()? * 60;
            if self.eat(b':').is_some() {
                secs += self.num()?;
            }
        }
        Some(sign * secs)
    }
    fn rule(&mut self) -> Option<(DateRule, i64)> {
        let rule = if self.eat(b'J').is_some() {
            DateRule::Julian1(u32::try_from(self.num()?).ok()?)
        } else if self.eat(b'M').is_some() {
            let m = u32::try_from(self.num()?).ok()?;
            self.eat(b'.')?;
            let w = u32::try_from(self.num()?).ok()?;
            self.eat(b'.')?;
            let d = u32::try_from(self.num()?).ok()?;
            if !(1..=12).contains(&m) || !(1..=5).contains(&w) || d > 6 {
                return None;
            }
            DateRule::Month(m, w, d)
        } else {
            DateRule::Julian0(u32::try_from(self.num()?).ok()?)
        };
        let time = if self.eat(b'/').is_some() { self.offset()? } else { 7200 };
        Some((rule, time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i64, m: u32, d: u32, h: i64) -> i64 {
        days_from_civil(y, m, d) * 86_400 + h * 3600
    }

    #[test]
    fn posix_rules() {
        let cet = PosixTz::parse("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(cet.offset_at(ts(2050, 1, 15, 12)), 3600);
        assert_eq!(cet.offset_at(ts(2050, 7, 15, 12)), 7200);
        // 2050-03-27 is the last Sunday of March: the switch is at 01:00 UTC.
        assert_eq!(cet.offset_at(ts(2050, 3, 27, 0)), 3600);
        assert_eq!(cet.offset_at(ts(2050, 3, 27, 1)), 7200);
        let ny = PosixTz::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(ny.offset_at(ts(2050, 1, 1, 12)), -5 * 3600);
        assert_eq!(ny.offset_at(ts(2050, 7, 1, 12)), -4 * 3600);
        let syd = PosixTz::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(syd.offset_at(ts(2050, 1, 1, 0)), 11 * 3600);
        assert_eq!(syd.offset_at(ts(2050, 7, 1, 0)), 10 * 3600);
        let ind = PosixTz::parse("IST-5:30").unwrap();
        assert_eq!(ind.offset_at(0), 5 * 3600 + 1800);
        let odd = PosixTz::parse("<-03>3").unwrap();
        assert_eq!(odd.offset_at(0), -3 * 3600);
    }

    #[test]
    fn loads_zoneinfo_when_present() {
        assert_eq!(Location::load("UTC").unwrap().offset_at(0), 0);
        assert!(Location::load("Local").is_ok());
        assert!(Location::load("../etc/passwd").is_err());
        let e = Location::load("Not/AZone").unwrap_err();
        assert!(matches!(e, TzError::Unknown { .. }), "{e:?}");
        assert!(e.to_string().contains("unknown time zone"), "{e}");
        if !Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
            return;
        }
        let berlin = Location::load("Europe/Berlin").unwrap();
        assert_eq!(berlin.offset_at(ts(2024, 1, 15, 12)), 3600);
        assert_eq!(berlin.offset_at(ts(2024, 7, 15, 12)), 7200);
        assert_eq!(berlin.offset_at(ts(2060, 7, 15, 12)), 7200, "footer rule after the last transition");
        let ny = Location::load("America/New_York").unwrap();
        assert_eq!(ny.offset_at(ts(2024, 1, 15, 12)), -5 * 3600);
        assert_eq!(ny.offset_at(ts(2024, 7, 15, 12)), -4 * 3600);
    }
}
