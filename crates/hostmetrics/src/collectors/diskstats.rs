//! `diskstats`: block device I/O counters from `/proc/diskstats`, with udev's device properties.

use std::collections::HashMap;

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_u64};
use crate::{CollectError, Collector};

pub(crate) struct Diskstats;

/// The kernel counts read and written sectors in 512-byte units whatever the device's block size.
const SECTOR_BYTES: f64 = 512.0;
/// Times are in milliseconds.
const SECONDS_PER_TICK: f64 = 1.0 / 1000.0;

/// The statistics columns after major, minor and name: (metric, HELP, TYPE, factor).
const COLUMNS: [(&str, &str, Kind, f64); 17] = [
    ("reads_completed_total", "The total number of reads completed successfully.", Kind::Counter, 1.0),
    ("reads_merged_total", "The total number of reads merged.", Kind::Counter, 1.0),
    ("read_bytes_total", "The total number of bytes read successfully.", Kind::Counter, SECTOR_BYTES),
    ("read_time_seconds_total", "The total number of seconds spent by all reads.", Kind::Counter, SECONDS_PER_TICK),
    ("writes_completed_total", "The total number of writes completed successfully.", Kind::Counter, 1.0),
    ("writes_merged_total", "The number of writes merged.", Kind::Counter, 1.0),
    ("written_bytes_total", "The total number of bytes written successfully.", Kind::Counter, SECTOR_BYTES),
    (
        "write_time_seconds_total",
        "This is the total number of seconds spent by all writes.",
        Kind::Counter,
        SECONDS_PER_TICK,
    ),
    ("io_now", "The number of I/Os currently in progress.", Kind::Gauge, 1.0),
    ("io_time_seconds_total", "Total seconds spent doing I/Os.", Kind::Counter, SECONDS_PER_TICK),
    ("io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", Kind::Counter, SECONDS_PER_TICK),
    ("discards_completed_total", "The total number of discards completed successfully.", Kind::Counter, 1.0),
    ("discards_merged_total", "The total number of discards merged.", Kind::Counter, 1.0),
    // node_exporter 1.5.0 reports discarded sectors as sectors, not bytes.
    ("discarded_sectors_total", "The total number of sectors discarded successfully.", Kind::Counter, 1.0),
    (
        "discard_time_seconds_total",
        "This is the total number of seconds spent by all discards.",
        Kind::Counter,
        SECONDS_PER_TICK,
    ),
    ("flush_requests_total", "The total number of flush requests completed successfully", Kind::Counter, 1.0),
    (
        "flush_requests_time_seconds_total",
        "This is the total number of seconds spent by all flush requests.",
        Kind::Counter,
        SECONDS_PER_TICK,
    ),
];

/// ATA properties exposed as gauges: (udev property, metric suffix, HELP).
const ATA: [(&str, &str, &str); 3] = [
    ("ID_ATA_WRITE_CACHE", "ata_write_cache", "ATA disk has a write cache."),
    ("ID_ATA_WRITE_CACHE_ENABLED", "ata_write_cache_enabled", "ATA disk has its write cache enabled."),
    ("ID_ATA_ROTATION_RATE_RPM", "ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs)."),
];

impl Collector for Diskstats {
    fn name(&self) -> &'static str {
        "diskstats"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/diskstats")?;
        let mut columns: Vec<Family> = COLUMNS
            .iter()
            .map(|(name, help, kind, _)| Family::new(format!("node_disk_{name}"), *help, *kind))
            .collect();
        let mut info = Family::new("node_disk_info", "Info of /sys/block/<block_device>.", Kind::Gauge);
        let mut fs_info = Family::new("node_disk_filesystem_info", "Info about disk filesystem.", Kind::Gauge);
        let mut dm_info = Family::new("node_disk_device_mapper_info", "Info about disk device mapper.", Kind::Gauge);
        let mut ata: Vec<Family> =
            ATA.iter().map(|(_, name, help)| Family::new(format!("node_disk_{name}"), *help, Kind::Gauge)).collect();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 14 {
                return Err(CollectError::parse(
                    &path,
                    format!("{} fields in {line:?}, want at least 14", fields.len()),
                ));
            }
            let major = parse_u64(&path, "major", fields[0])?;
            let minor = parse_u64(&path, "minor", fields[1])?;
            let device = fields[2];
            if excluded(device) {
                continue;
            }
            let dev = || ("device", device.to_string());
            let udev = udev_properties(root, major, minor);
            let prop = |key: &str| udev.get(key).cloned().unwrap_or_default();
            info.push(
                vec![
                    dev(),
                    ("major", major.to_string()),
                    ("minor", minor.to_string()),
                    ("path", prop("ID_PATH")),
                    ("wwn", prop("ID_WWN")),
                    ("model", prop("ID_MODEL")),
                    ("serial", prop("ID_SERIAL_SHORT")),
                    ("revision", prop("ID_REVISION")),
                ],
                1.0,
            );
            for ((family, (_, _, _, factor)), field) in columns.iter_mut().zip(&COLUMNS).zip(&fields[3..]) {
                let value = parse_u64(&path, &family.name, field)? as f64 * factor;
                family.push(vec![dev()], value);
            }
            if let Some(fs_type) = udev.get("ID_FS_TYPE").filter(|t| !t.is_empty()) {
                fs_info.push(
                    vec![
                        dev(),
                        ("type", fs_type.clone()),
                        ("usage", prop("ID_FS_USAGE")),
                        ("uuid", prop("ID_FS_UUID")),
                        ("version", prop("ID_FS_VERSION")),
                    ],
                    1.0,
                );
            }
            if let Some(name) = udev.get("DM_NAME").filter(|n| !n.is_empty()) {
                dm_info.push(
                    vec![
                        dev(),
                        ("name", name.clone()),
                        ("uuid", prop("DM_UUID")),
                        ("vg_name", prop("DM_VG_NAME")),
                        ("lv_name", prop("DM_LV_NAME")),
                        ("lv_layer", prop("DM_LV_LAYER")),
                    ],
                    1.0,
                );
            }
            if udev.get("ID_ATA").is_some_and(|v| !v.is_empty()) {
                for (family, (key, _, _)) in ata.iter_mut().zip(&ATA) {
                    if let Some(value) = udev.get(*key).and_then(|v| v.parse::<f64>().ok()) {
                        family.push(vec![dev()], value);
                    }
                }
            }
        }
        out.extend(columns);
        out.extend([info, fs_info, dm_info]);
        out.extend(ata);
        Ok(())
    }
}

/// node_exporter's default `--collector.diskstats.device-exclude`,
/// `^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`: RAM disks, loop devices, floppies and partitions.
pub(crate) fn excluded(device: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if ["ram", "loop", "fd"].iter().any(|p| device.strip_prefix(p).is_some_and(digits)) {
        return true;
    }
    for prefix in ["hd", "sd", "vd", "xvd"] {
        if let Some(rest) = device.strip_prefix(prefix) {
            let mut chars = rest.chars();
            if chars.next().is_some_and(|c| c.is_ascii_lowercase()) && digits(chars.as_str()) {
                return true;
            }
        }
    }
    device
        .strip_prefix("nvme")
        .and_then(lead)
        .and_then(|r| r.strip_prefix('n'))
        .and_then(lead)
        .and_then(|r| r.strip_prefix('p'))
        .is_some_and(digits)
}

/// Splits leading digits (at least one) off `s`.
fn lead(s: &str) -> Option<&str> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (n > 0).then(|| &s[n..])
}

/// The `E:KEY=value` properties udev recorded for block device `major:minor`; empty when there are none.
fn udev_properties(root: &Root, major: u64, minor: u64) -> HashMap<String, String> {
    let Ok((_, text)) = root.read(&format!("run/udev/data/b{major}:{minor}")) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| line.strip_prefix("E:"))
        .filter_map(|prop| prop.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    const STATS: &str = "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n \
         254       0 vda 59254 10137 5082370 53867 10807 30241 5502536 18894 0 11252 73612 6251 45 682824 697 1068 58\n \
         254       1 vda1 1 2 3 4 5 6 7 8 0 9 10\n \
           8       0 sda 1 2 3 4 5 6 7 8 1 9 10\n";

    #[test]
    fn units_devices_and_udev() {
        let udev = "S:disk/by-id/x\nE:ID_MODEL=Fast \"SSD\"\nE:ID_SERIAL_SHORT=S123\nE:ID_ATA=1\n\
            E:ID_ATA_ROTATION_RATE_RPM=0\nE:ID_FS_TYPE=ext4\nE:ID_FS_UUID=abc\n";
        let out = run(&Diskstats, &[("proc/diskstats", STATS), ("run/udev/data/b8:0", udev)]).unwrap();
        assert!(out.contains("node_disk_read_bytes_total{device=\"vda\"} 2.60217344e+09\n"), "{out}");
        assert!(out.contains("node_disk_write_time_seconds_total{device=\"vda\"} 18.894000000000002\n"));
        assert!(out.contains("node_disk_discarded_sectors_total{device=\"vda\"} 682824\n"));
        assert!(out.contains("node_disk_flush_requests_time_seconds_total{device=\"vda\"} 0.058\n"));
        assert!(out.contains("# TYPE node_disk_io_now gauge\n"));
        // A 14-field line (old kernel) has no discard or flush columns.
        assert!(out.contains("node_disk_io_time_weighted_seconds_total{device=\"sda\"} 0.01\n"));
        assert!(!out.contains("node_disk_discards_completed_total{device=\"sda\"}"));
        assert!(!out.contains("loop0") && !out.contains("vda1"));
        assert!(out.contains(
            "node_disk_info{device=\"sda\",major=\"8\",minor=\"0\",model=\"Fast \\\"SSD\\\"\",path=\"\",\
             revision=\"\",serial=\"S123\",wwn=\"\"} 1\n"
        ));
        assert!(out.contains("node_disk_ata_rotation_rate_rpm{device=\"sda\"} 0\n"));
        assert!(out.contains(
            "node_disk_filesystem_info{device=\"sda\",type=\"ext4\",usage=\"\",uuid=\"abc\",version=\"\"} 1\n"
        ));
    }

    #[test]
    fn default_exclusions() {
        for name in ["ram0", "loop12", "fd0", "sda1", "hdb2", "vda15", "xvda1", "nvme0n1p1", "nvme10n2p33"] {
            assert!(excluded(name), "{name}");
        }
        for name in ["sda", "vda", "nvme0n1", "dm-0", "md0", "zram0", "loop", "sdA1", "nvme0n1p", "mmcblk0p1"] {
            assert!(!excluded(name), "{name}");
        }
    }

    #[test]
    fn malformed_files_fail() {
        for bad in ["8 0 sda 1 2 3\n", "8 0 sda 1 2 3 4 5 6 7 8 x 9 10\n", "x 0 sda 1 2 3 4 5 6 7 8 0 9 10\n"] {
            assert!(run(&Diskstats, &[("proc/diskstats", bad)]).is_err(), "{bad:?} accepted");
        }
        assert!(run(&Diskstats, &[]).is_err());
    }
}
