use super::*;
use crate::civil::days_from_civil;

fn at(y: i64, m: u32, d: u32, hh: i64, mm: i64) -> i64 {
    (days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60) * 1000
}

fn interval(yaml: &str) -> TimeInterval {
    serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"))
}

fn error(yaml: &str) -> String {
    match serde_saphyr::from_str::<TimeInterval>(yaml) {
        Ok(v) => panic!("{yaml} loaded: {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn business_hours() {
    let ti = interval("times:\n  - start_time: '09:00'\n    end_time: '17:00'\nweekdays: ['monday:friday']\n");
    // 2024-05-06 is a Monday.
    assert!(ti.contains(at(2024, 5, 6, 9, 0)));
    assert!(ti.contains(at(2024, 5, 6, 16, 59)));
    assert!(!ti.contains(at(2024, 5, 6, 17, 0)), "end is exclusive");
    assert!(!ti.contains(at(2024, 5, 6, 8, 59)));
    assert!(ti.contains(at(2024, 5, 10, 12, 0)), "friday");
    assert!(!ti.contains(at(2024, 5, 11, 12, 0)), "saturday");
    assert!(!ti.contains(at(2024, 5, 12, 12, 0)), "sunday");
}

#[test]
fn weekends_and_whole_days() {
    let ti = interval("weekdays: ['saturday', 'sunday']\n");
    assert!(ti.contains(at(2024, 5, 11, 0, 0)));
    assert!(ti.contains(at(2024, 5, 12, 23, 59)));
    assert!(!ti.contains(at(2024, 5, 13, 0, 0)));
    let all_day = interval("times:\n  - start_time: '00:00'\n    end_time: '24:00'\n");
    assert!(all_day.contains(at(2024, 1, 1, 23, 59)));
}

#[test]
fn days_of_month_including_negative() {
    let last_three = interval("days_of_month: ['-3:-1']\n");
    assert!(last_three.contains(at(2024, 2, 27, 12, 0)), "leap February: 27..29");
    assert!(last_three.contains(at(2024, 2, 29, 12, 0)));
    assert!(!last_three.contains(at(2024, 2, 26, 12, 0)));
    assert!(last_three.contains(at(2023, 2, 26, 12, 0)), "non-leap February: 26..28");
    assert!(last_three.contains(at(2024, 1, 31, 0, 0)));
    assert!(!last_three.contains(at(2024, 1, 28, 0, 0)));
    let first_week = interval("days_of_month: ['1:7', 15]\n");
    assert!(first_week.contains(at(2024, 3, 1, 0, 0)));
    assert!(first_week.contains(at(2024, 3, 15, 0, 0)));
    assert!(!first_week.contains(at(2024, 3, 8, 0, 0)));
    let thirty_first = interval("days_of_month: ['31']\n");
    assert!(!thirty_first.contains(at(2024, 4, 30, 0, 0)));
    assert!(thirty_first.contains(at(2024, 5, 31, 0, 0)));
    let to_end = interval("days_of_month: ['25:-1']\n");
    assert!(to_end.contains(at(2024, 4, 30, 0, 0)));
}

#[test]
fn months_and_years() {
    let ti = interval("months: ['december', 'january:february', '7']\nyears: ['2024:2025']\n");
    assert!(ti.contains(at(2024, 12, 24, 0, 0)));
    assert!(ti.contains(at(2025, 2, 1, 0, 0)));
    assert!(ti.contains(at(2025, 7, 1, 0, 0)));
    assert!(!ti.contains(at(2025, 3, 1, 0, 0)));
    assert!(!ti.contains(at(2026, 1, 1, 0, 0)));
    let caps = interval("months: ['January:March']\nweekdays: ['Monday']\n");
    assert!(caps.contains(at(2024, 1, 1, 0, 0)));
}

#[test]
fn empty_interval_matches_everything_and_empty_list_nothing() {
    assert!(interval("{}").contains(at(2024, 1, 1, 0, 0)));
    assert!(!interval("weekdays: []\n").contains(at(2024, 1, 1, 0, 0)));
}

#[test]
fn locations() {
    let utc = interval("times:\n  - start_time: '09:00'\n    end_time: '10:00'\nlocation: UTC\n");
    assert!(utc.contains(at(2024, 5, 6, 9, 30)));
    assert!(interval("location: Local\n").contains(0));
    assert!(error("location: Mars/Olympus\n").contains("unknown time zone"));
    if std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
        let berlin = interval("times:\n  - start_time: '09:00'\n    end_time: '10:00'\nlocation: Europe/Berlin\n");
        // 09:30 in Berlin in summer is 07:30 UTC.
        assert!(berlin.contains(at(2024, 7, 1, 7, 30)));
        assert!(!berlin.contains(at(2024, 7, 1, 9, 30)));
        // And in winter 08:30 UTC; the day can differ from UTC's too.
        assert!(berlin.contains(at(2024, 1, 15, 8, 30)));
        let sunday_berlin = interval("weekdays: ['sunday']\nlocation: Europe/Berlin\n");
        // Saturday 23:30 UTC is already Sunday in Berlin.
        assert!(sunday_berlin.contains(at(2024, 5, 11, 23, 30)));
    }
}

#[test]
fn validation_messages() {
    assert!(error("weekdays: ['friday:monday']\n").contains("start day cannot be after end day"));
    assert!(error("weekdays: ['funday']\n").contains("funday is not a valid weekday"));
    assert!(error("days_of_month: ['0']\n").contains("not a valid day of the month"));
    assert!(error("days_of_month: ['32']\n").contains("not a valid day of the month"));
    assert!(error("days_of_month: ['-3:5']\n").contains("end day must be negative"));
    assert!(error("days_of_month: ['10:5']\n").contains("always before start day"));
    assert!(error("months: ['march:january']\n").contains("end month 1 is before start month 3"));
    assert!(error("months: ['smarch']\n").contains("not a valid month"));
    assert!(error("months: ['13']\n").contains("not a valid month"));
    assert!(error("years: ['2025:2024']\n").contains("end year 2024 is before start year 2025"));
    assert!(error("times:\n  - start_time: '10:00'\n    end_time: '09:00'\n").contains("cannot be equal or greater"));
    assert!(error("times:\n  - start_time: '10:00'\n").contains("both start and end times"));
    assert!(error("times:\n  - start_time: '9:00'\n    end_time: '10:00'\n").contains("invalid format"));
    assert!(error("times:\n  - start_time: '24:01'\n    end_time: '24:02'\n").contains("invalid format"));
    assert!(error("weekdays: ['monday:tuesday:friday']\n").contains("invalid format"));
    assert!(error("weekday: ['monday']\n").contains("unknown field"));
}
