//! The parts of the `cpu` collector read from `/sys/devices/system/cpu`: thermal throttle counters
//! and isolated CPUs. Both are absent on most virtual machines, and then produce no series.

use std::collections::BTreeMap;

use crate::CollectError;
use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_u64, read_path};

/// `node_cpu_package_throttles_total{package}` and `node_cpu_core_throttles_total{package,core}`, read once
/// per package and per core (hyper-threads share their core's counter).
pub(crate) fn throttles(root: &Root, out: &mut Vec<Family>) {
    let dir = root.path("sys/devices/system/cpu");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut packages: BTreeMap<u64, Option<u64>> = BTreeMap::new();
    let mut cores: BTreeMap<(u64, u64), Option<u64>> = BTreeMap::new();
    // Sorted by name like node_exporter's glob, so the first hyper-thread of a core is the one read.
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.strip_prefix("cpu").is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())))
        .collect();
    names.sort();
    for name in names {
        let cpu = dir.join(name);
        let read = |rel: &str| read_path(&cpu.join(rel)).ok().and_then(|t| t.trim().parse::<u64>().ok());
        let (Some(package), Some(core)) = (read("topology/physical_package_id"), read("topology/core_id")) else {
            continue;
        };
        cores.entry((package, core)).or_insert_with(|| read("thermal_throttle/core_throttle_count"));
        packages.entry(package).or_insert_with(|| read("thermal_throttle/package_throttle_count"));
    }
    let mut package_family = Family::new(
        "node_cpu_package_throttles_total",
        "Number of times this CPU package has been throttled.",
        Kind::Counter,
    );
    for (package, count) in packages {
        if let Some(count) = count {
            package_family.push(vec![("package", package.to_string())], count as f64);
        }
    }
    let mut core_family = Family::new(
        "node_cpu_core_throttles_total",
        "Number of times this CPU core has been throttled.",
        Kind::Counter,
    );
    for ((package, core), count) in cores {
        if let Some(count) = count {
            core_family.push(vec![("package", package.to_string()), ("core", core.to_string())], count as f64);
        }
    }
    out.push(package_family);
    out.push(core_family);
}

/// `node_cpu_isolated{cpu}` for each CPU in the `isolated` list (e.g. `2-3,5`); nothing when the file is absent.
pub(crate) fn isolated(root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
    let Ok((path, text)) = root.read("sys/devices/system/cpu/isolated") else { return Ok(()) };
    let mut family = Family::new(
        "node_cpu_isolated",
        "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
        Kind::Gauge,
    );
    for range in text.trim().split(',').filter(|r| !r.is_empty()) {
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (parse_u64(&path, "cpu", a)?, parse_u64(&path, "cpu", b)?),
            None => {
                let cpu = parse_u64(&path, "cpu", range)?;
                (cpu, cpu)
            }
        };
        if last < first || last - first > 65_536 {
            return Err(CollectError::parse(&path, format!("implausible cpu range {range:?}")));
        }
        for cpu in first..=last {
            family.push(vec![("cpu", cpu.to_string())], 1.0);
        }
    }
    out.push(family);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::write_tree;

    fn render(f: impl FnOnce(&Root, &mut Vec<Family>)) -> String {
        let mut families = Vec::new();
        let dir = tempfile::tempdir().unwrap();
        f(&Root::new(dir.path().to_path_buf()), &mut families);
        let mut out = String::new();
        crate::exposition::render(&mut families, &mut out);
        out
    }

    #[test]
    fn throttle_counters_per_package_and_core() {
        let dir = tempfile::tempdir().unwrap();
        let cpu = "sys/devices/system/cpu";
        let mut files = Vec::new();
        // cpu0 and cpu2 are hyper-threads of core 0; cpu1 is core 1; cpu3 lacks topology.
        for (n, core) in [(0, "0"), (1, "1"), (2, "0")] {
            files.push((format!("{cpu}/cpu{n}/topology/physical_package_id"), "0\n".to_string()));
            files.push((format!("{cpu}/cpu{n}/topology/core_id"), format!("{core}\n")));
            files.push((format!("{cpu}/cpu{n}/thermal_throttle/core_throttle_count"), format!("{}\n", 10 + n)));
            files.push((format!("{cpu}/cpu{n}/thermal_throttle/package_throttle_count"), "7\n".to_string()));
        }
        files.push((format!("{cpu}/cpu3/thermal_throttle/core_throttle_count"), "99\n".to_string()));
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        write_tree(dir.path(), &files);
        let mut families = Vec::new();
        throttles(&Root::new(dir.path().to_path_buf()), &mut families);
        let mut out = String::new();
        crate::exposition::render(&mut families, &mut out);
        assert!(out.contains("node_cpu_core_throttles_total{core=\"0\",package=\"0\"} 10\n"), "{out}");
        assert!(out.contains("node_cpu_core_throttles_total{core=\"1\",package=\"0\"} 11\n"));
        assert!(out.contains("node_cpu_package_throttles_total{package=\"0\"} 7\n"));
        assert!(!out.contains("99"));
        assert_eq!(render(throttles), "");
    }

    #[test]
    fn isolated_ranges() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(dir.path(), &[("sys/devices/system/cpu/isolated", "1-2,5\n")]);
        let mut families = Vec::new();
        isolated(&Root::new(dir.path().to_path_buf()), &mut families).unwrap();
        let mut out = String::new();
        crate::exposition::render(&mut families, &mut out);
        for cpu in ["1", "2", "5"] {
            assert!(out.contains(&format!("node_cpu_isolated{{cpu=\"{cpu}\"}} 1\n")), "{out}");
        }
        assert_eq!(out.matches("node_cpu_isolated{").count(), 3);
        for bad in ["x\n", "3-1\n", "0-99999999\n"] {
            write_tree(dir.path(), &[("sys/devices/system/cpu/isolated", bad)]);
            assert!(isolated(&Root::new(dir.path().to_path_buf()), &mut Vec::new()).is_err(), "{bad:?}");
        }
        write_tree(dir.path(), &[("sys/devices/system/cpu/isolated", "\n")]);
        assert!(isolated(&Root::new(dir.path().to_path_buf()), &mut Vec::new()).is_ok());
    }
}
