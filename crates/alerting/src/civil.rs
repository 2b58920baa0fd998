//! Civil-calendar arithmetic for time intervals: [`promconfig::time`]'s, re-exported.

pub use promconfig::time::{CivilTime, civil_from_days, civil_time, days_from_civil, days_in_month, is_leap, weekday};
