//! `time`: the system clock, the local time zone's offset and the kernel's clock sources.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::exposition::{Family, Kind};
use crate::source::{Root, read_path};
use crate::{CollectError, Collector};

pub(crate) struct Time;

impl Collector for Time {
    fn name(&self) -> &'static str {
        "time"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        out.push(Family::single("node_time_seconds", "System time in seconds since epoch (1970).", Kind::Gauge, now));
        if let Some((zone, offset)) = local_zone() {
            let mut family =
                Family::new("node_time_zone_offset_seconds", "System time zone offset in seconds.", Kind::Gauge);
            family.push(vec![("time_zone", zone)], offset);
            out.push(family);
        }
        clocksources(root, out)
    }
}

/// The local time zone's abbreviation and UTC offset now, as localtime(3) sees them (TZ, /etc/localtime).
fn local_zone() -> Option<(String, f64)> {
    // SAFETY: time(NULL) only returns the current time.
    let now = unsafe { libc::time(std::ptr::null_mut()) };
    // SAFETY: `tm` is plain old data, filled by localtime_r on success.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the duration of the call.
    if unsafe { libc::localtime_r(&now, &mut tm) }.is_null() || tm.tm_zone.is_null() {
        return None;
    }
    // SAFETY: glibc's tm_zone points to a NUL-terminated string that lives as long as the process's zone data.
    let zone = unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) }.to_string_lossy().into_owned();
    Some((zone, tm.tm_gmtoff as f64))
}

/// `node_time_clocksource_{available,current}_info` from `/sys/devices/system/clocksource/clocksource*`;
/// `device` is the position in the sorted directory list, as node_exporter numbers it.
fn clocksources(root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
    let dir = root.path("sys/devices/system/clocksource");
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.strip_prefix("clocksource").is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())))
            .collect(),
        Err(_) => return Ok(()), // no clock sources to report, as node_exporter's glob finds none
    };
    names.sort();
    let help = "read from '/sys/devices/system/clocksource'.";
    let mut available =
        Family::new("node_time_clocksource_available_info", format!("Available clocksources {help}"), Kind::Gauge);
    let mut current =
        Family::new("node_time_clocksource_current_info", format!("Current clocksource {help}"), Kind::Gauge);
    for (i, name) in names.iter().enumerate() {
        let base = dir.join(name);
        let avail = read_path(&base.join("available_clocksource"))?;
        let cur = read_path(&base.join("current_clocksource"))?;
        for source in avail.split_whitespace() {
            available.push(vec![("clocksource", source.to_string()), ("device", i.to_string())], 1.0);
        }
        current.push(vec![("clocksource", cur.trim().to_string()), ("device", i.to_string())], 1.0);
    }
    out.push(available);
    out.push(current);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    #[test]
    fn clock_and_sources() {
        let dir = "sys/devices/system/clocksource/clocksource0";
        let out = run(
            &Time,
            &[
                (&format!("{dir}/available_clocksource"), "kvm-clock tsc \n"),
                (&format!("{dir}/current_clocksource"), "tsc\n"),
                ("sys/devices/system/clocksource/uevent", ""),
            ],
        )
        .unwrap();
        assert!(out.contains("node_time_clocksource_available_info{clocksource=\"kvm-clock\",device=\"0\"} 1\n"));
        assert!(out.contains("node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"} 1\n"), "{out}");
        let line = out.lines().find(|l| l.starts_with("node_time_seconds ")).unwrap();
        let value: f64 = line["node_time_seconds ".len()..].parse().unwrap();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
        assert!((now - value).abs() < 60.0);
        assert!(out.contains("node_time_zone_offset_seconds{time_zone=\""));
    }

    #[test]
    fn unreadable_clocksource_fails() {
        let dir = "sys/devices/system/clocksource/clocksource0";
        assert!(run(&Time, &[(&format!("{dir}/available_clocksource"), "tsc\n")]).is_err());
        assert!(run(&Time, &[]).is_ok());
    }
}
