//! Time intervals (`time_intervals:` / `mute_time_intervals:`): times of day, weekdays, days of
//! the month (negative counts from the month's end), months and years, in a location. Parsing
//! and [`TimeInterval::contains`] follow Alertmanager 0.25's `timeinterval` package, including
//! its validation messages and the rule that an absent field matches everything.

use serde::{Deserialize, Deserializer};

use crate::civil::{civil_time, days_in_month};
use crate::tz::Location;

/// An inclusive range of integers (weekday 0 = Sunday, months 1–12, days ±1–31, years).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InclusiveRange {
    pub begin: i64,
    pub end: i64,
}

/// Minutes of the day, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start_minute: u32,
    pub end_minute: u32,
}

/// One interval; each present field must contain the instant.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeInterval {
    pub times: Option<Vec<TimeRange>>,
    pub weekdays: Option<Vec<InclusiveRange>>,
    pub days_of_month: Option<Vec<InclusiveRange>>,
    pub months: Option<Vec<InclusiveRange>>,
    pub years: Option<Vec<InclusiveRange>>,
    pub location: Option<Location>,
}

impl TimeInterval {
    /// Whether the instant (Unix milliseconds) falls inside the interval.
    pub fn contains(&self, t_ms: i64) -> bool {
        let secs = t_ms.div_euclid(1000);
        let offset = self.location.as_ref().map_or(0, |l| l.offset_at(secs));
        let t = civil_time(secs, offset);
        if let Some(times) = &self.times
            && !times.iter().any(|r| t.minute_of_day >= r.start_minute && t.minute_of_day < r.end_minute)
        {
            return false;
        }
        if let Some(days) = &self.days_of_month {
            let dim = i64::from(days_in_month(t.year, t.month));
            let day = i64::from(t.day);
            let hit = days.iter().any(|r| {
                let begin = if r.begin < 0 { dim + r.begin + 1 } else { r.begin };
                let end = if r.end < 0 { dim + r.end + 1 } else { r.end };
                if begin > dim {
                    return false;
                }
                let (begin, end) = (begin.clamp(-dim, dim), end.clamp(-dim, dim));
                day >= begin && day <= end
            });
            if !hit {
                return false;
            }
        }
        let within = |ranges: &Option<Vec<InclusiveRange>>, v: i64| {
            ranges.as_ref().is_none_or(|rs| rs.iter().any(|r| v >= r.begin && v <= r.end))
        };
        within(&self.months, i64::from(t.month))
            && within(&self.weekdays, i64::from(t.weekday))
            && within(&self.years, t.year)
    }
}

/// Whether any of the intervals contains the instant.
pub fn any_contains(intervals: &[TimeInterval], t_ms: i64) -> bool {
    intervals.iter().any(|i| i.contains(t_ms))
}

const WEEKDAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A YAML scalar that may be written as a number or a string (`1`, `"1:5"`, `monday`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Str(String),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Scalar::Int(i) => i.to_string(),
            Scalar::Str(s) => s,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeRange {
    start_time: Option<String>,
    end_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterval {
    times: Option<Vec<RawTimeRange>>,
    weekdays: Option<Vec<Scalar>>,
    days_of_month: Option<Vec<Scalar>>,
    months: Option<Vec<Scalar>>,
    years: Option<Vec<Scalar>>,
    location: Option<String>,
}

/// A `time_intervals` entry that is not valid, worded as Alertmanager words it.
#[derive(Debug, thiserror::Error)]
pub enum TimeIntervalError {
    #[error("couldn't parse range {0}, invalid format")]
    RangeFormat(String),
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("{0} is not a valid weekday")]
    Weekday(String),
    #[error("{0}: start day cannot be after end day")]
    WeekdayOrder(String),
    #[error("{0} is not a valid day of the month: out of range")]
    DayOfMonth(i64),
    #[error("{0}: end day must be negative if start day is negative")]
    DayOfMonthSign(String),
    #[error("end day {end} is always before start day {begin}")]
    DayOrder { begin: i64, end: i64 },
    #[error("{0} is not a valid month")]
    Month(String),
    #[error("end month {end} is before start month {begin}")]
    MonthOrder { begin: i64, end: i64 },
    #[error("end year {end} is before start year {begin}")]
    YearOrder { begin: i64, end: i64 },
    #[error("couldn't parse timestamp {0}, invalid format (expected HH:MM)")]
    Clock(String),
    #[error("both start and end times must be provided")]
    MissingTime,
    #[error("start time {start} cannot be equal or greater than end time {end}")]
    TimeOrder { start: String, end: String },
    #[error(transparent)]
    Location(#[from] crate::tz::TzError),
}

type Result<T, E = TimeIntervalError> = std::result::Result<T, E>;

fn split_range(s: &str, member: impl Fn(&str) -> Result<i64>) -> Result<InclusiveRange> {
    let lower = s.to_lowercase();
    match lower.split_once(':') {
        Some((a, b)) => {
            if b.contains(':') {
                return Err(TimeIntervalError::RangeFormat(s.to_string()));
            }
            Ok(InclusiveRange { begin: member(a)?, end: member(b)? })
        }
        None => {
            let v = member(&lower)?;
            Ok(InclusiveRange { begin: v, end: v })
        }
    }
}

fn int(s: &str) -> Result<i64> {
    s.parse().map_err(|_| TimeIntervalError::NotANumber(s.to_string()))
}

/// Parses a weekday range such as `monday:friday` or `saturday`.
pub fn parse_weekdays(s: &str) -> Result<InclusiveRange> {
    let day = |d: &str| {
        WEEKDAYS.iter().position(|w| *w == d).map(|p| p as i64).ok_or_else(|| TimeIntervalError::Weekday(d.to_string()))
    };
    let r = split_range(s, day)?;
    if r.begin > r.end {
        return Err(TimeIntervalError::WeekdayOrder(s.to_string()));
    }
    Ok(r)
}

/// Parses a day-of-month range such as `1:5`, `-3:-1` or `15`.
pub fn parse_days_of_month(s: &str) -> Result<InclusiveRange> {
    let r = split_range(s, int)?;
    for v in [r.begin, r.end] {
        if v == 0 || !(-31..=31).contains(&v) {
            return Err(TimeIntervalError::DayOfMonth(v));
        }
    }
    if r.begin < 0 && r.end > 0 {
        return Err(TimeIntervalError::DayOfMonthSign(s.to_string()));
    }
    let check = |v: i64| if v < 0 { 28 + v } else { v };
    if check(r.begin) > check(r.end) {
        return Err(TimeIntervalError::DayOrder { begin: r.begin, end: r.end });
    }
    Ok(r)
}

/// Parses a month range such as `january:march`, `12` or `6:8`.
pub fn parse_months(s: &str) -> Result<InclusiveRange> {
    let month = |m: &str| match MONTHS.iter().position(|n| *n == m) {
        Some(p) => Ok(p as i64 + 1),
        None => m
            .parse::<i64>()
            .ok()
            .filter(|v| (1..=12).contains(v))
            .ok_or_else(|| TimeIntervalError::Month(m.to_string())),
    };
    let r = split_range(s, month)?;
    if r.begin > r.end {
        return Err(TimeIntervalError::MonthOrder { begin: r.begin, end: r.end });
    }
    Ok(r)
}

/// Parses a year range such as `2024:2026`.
pub fn parse_years(s: &str) -> Result<InclusiveRange> {
    let r = split_range(s, int)?;
    if r.begin > r.end {
        return Err(TimeIntervalError::YearOrder { begin: r.begin, end: r.end });
    }
    Ok(r)
}

/// Parses `HH:MM` (00:00–23:59, or 24:00) into minutes.
pub fn parse_clock(s: &str) -> Result<u32> {
    let bad = || TimeIntervalError::Clock(s.to_string());
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if (h == 24 && m == 0) || (h < 24 && m < 60) { Ok(h * 60 + m) } else { Err(bad()) }
}

fn parse_list(
    items: Option<Vec<Scalar>>,
    parse: fn(&str) -> Result<InclusiveRange>,
) -> Result<Option<Vec<InclusiveRange>>> {
    items.map(|v| v.into_iter().map(|s| parse(&s.text())).collect()).transpose()
}

impl TryFrom<RawInterval> for TimeInterval {
    type Error = TimeIntervalError;

    fn try_from(raw: RawInterval) -> Result<Self> {
        let times = match raw.times {
            None => None,
            Some(list) => {
                let mut out = Vec::with_capacity(list.len());
                for r in list {
                    let (Some(a), Some(b)) = (r.start_time, r.end_time) else {
                        return Err(TimeIntervalError::MissingTime);
                    };
                    let (start, end) = (parse_clock(&a)?, parse_clock(&b)?);
                    if start >= end {
                        return Err(TimeIntervalError::TimeOrder { start: a, end: b });
                    }
                    out.push(TimeRange { start_minute: start, end_minute: end });
                }
                Some(out)
            }
        };
        Ok(TimeInterval {
            times,
            weekdays: parse_list(raw.weekdays, parse_weekdays)?,
            days_of_month: parse_list(raw.days_of_month, parse_days_of_month)?,
            months: parse_list(raw.months, parse_months)?,
            years: parse_list(raw.years, parse_years)?,
            location: raw.location.map(|l| Location::load(&l)).transpose()?,
        })
    }
}

impl<'de> Deserialize<'de> for TimeInterval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawInterval::deserialize(d)?;
        TimeInterval::try_from(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
