//! `cpu`: per-CPU time by mode from `/proc/stat`, in seconds (ticks / USER_HZ), plus the sysfs parts
//! in `cpu_sysfs`.

use std::sync::Mutex;

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_u64};
use crate::{CollectError, Collector};

/// The kernel reports CPU times in USER_HZ ticks, fixed at 100 on Linux for user space.
const USER_HZ: f64 = 100.0;
/// An idle counter falling back by this much means the CPU was hot-plugged; start it afresh.
const JUMP_BACK_SECONDS: f64 = 3.0;
/// Modes of `node_cpu_seconds_total`, in the order of the `/proc/stat` columns.
const MODES: [&str; 8] = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];

/// Keeps the last values seen, so counters never go backwards (the kernel's can, slightly).
#[derive(Default)]
pub(crate) struct Cpu {
    last: Mutex<Vec<[f64; 10]>>,
}

impl Collector for Cpu {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/stat")?;
        let mut cpus = Vec::new();
        for line in text.lines() {
            let mut fields = line.split_whitespace();
            let Some(id) = fields.next().and_then(|name| name.strip_prefix("cpu")) else { continue };
            if id.is_empty() {
                continue; // the aggregate "cpu" line
            }
            let id = parse_u64(&path, "cpu number", id)?;
            let mut times = [0.0; 10];
            let mut count = 0;
            for (slot, field) in times.iter_mut().zip(fields) {
                *slot = parse_u64(&path, "cpu time", field)? as f64 / USER_HZ;
                count += 1;
            }
            if count < 4 {
                return Err(CollectError::parse(&path, format!("cpu{id}: only {count} time columns")));
            }
            cpus.push((id, times));
        }
        let cpus = self.monotonic(cpus);
        let mut seconds = Family::new("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", Kind::Counter);
        let mut guest = Family::new(
            "node_cpu_guest_seconds_total",
            "Seconds the CPUs spent in guests (VMs) for each mode.",
            Kind::Counter,
        );
        for (id, times) in cpus {
            for (mode, value) in MODES.iter().zip(times) {
                seconds.push(vec![("cpu", id.to_string()), ("mode", mode.to_string())], value);
            }
            guest.push(vec![("cpu", id.to_string()), ("mode", "user".into())], times[8]);
            guest.push(vec![("cpu", id.to_string()), ("mode", "nice".into())], times[9]);
        }
        out.push(seconds);
        out.push(guest);
        super::cpu_sysfs::isolated(root, out)?;
        super::cpu_sysfs::throttles(root, out);
        Ok(())
    }
}

impl Cpu {
    /// Replaces values lower than last time's with last time's, as node_exporter does; resets a CPU
    /// whose idle time jumped back (hot-plug) and everything when the number of CPUs changed.
    fn monotonic(&self, cpus: Vec<(u64, [f64; 10])>) -> Vec<(u64, [f64; 10])> {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.len() != cpus.len() {
            *last = vec![[0.0; 10]; cpus.len()];
        }
        cpus.into_iter()
            .zip(last.iter_mut())
            .map(|((id, times), prev)| {
                if prev[3] - times[3] >= JUMP_BACK_SECONDS {
                    *prev = [0.0; 10];
                }
                for (p, t) in prev.iter_mut().zip(times) {
                    if t >= *p {
                        *p = t;
                    }
                }
                (id, *prev)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    const STAT: &str = "cpu  10 0 5 100 0 0 0 0 0 0\n\
        cpu0 1234 5 678 90000 12 0 34 56 7 8\n\
        cpu1 100 0 50 80000 1 2 3 4\n\
        intr 5 1 2\nctxt 99\n";

    #[test]
    fn seconds_per_mode_divided_by_user_hz() {
        let out = run(&Cpu::default(), &[("proc/stat", STAT)]).unwrap();
        assert!(out.contains("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 12.34\n"), "{out}");
        assert!(out.contains("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 900\n"));
        assert!(out.contains("node_cpu_seconds_total{cpu=\"1\",mode=\"steal\"} 0.04\n"));
        assert!(out.contains("node_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"} 0.08\n"));
        // Older kernels without guest columns report zero guest time.
        assert!(out.contains("node_cpu_guest_seconds_total{cpu=\"1\",mode=\"user\"} 0\n"));
        assert_eq!(out.matches("node_cpu_seconds_total{").count(), 16);
        assert!(out.contains("# TYPE node_cpu_seconds_total counter\n"));
    }

    #[test]
    fn counters_never_go_backwards() {
        let dir = tempfile::tempdir().unwrap();
        let cpu = Cpu::default();
        crate::testutil::write_tree(dir.path(), &[("proc/stat", "cpu0 500 0 0 1000 0 0 0 0\n")]);
        crate::testutil::run_in(&cpu, dir.path()).unwrap();
        crate::testutil::write_tree(dir.path(), &[("proc/stat", "cpu0 499 0 0 1001 0 0 0 0\n")]);
        let out = crate::testutil::run_in(&cpu, dir.path()).unwrap();
        assert!(out.contains("{cpu=\"0\",mode=\"user\"} 5\n"), "{out}");
        assert!(out.contains("{cpu=\"0\",mode=\"idle\"} 10.01\n"), "{out}");
    }

    #[test]
    fn malformed_files_fail() {
        for bad in ["cpu0 1 2 x 4\n", "cpu0 1 2\n", "cpuX 1 2 3 4\n", "cpu0 -1 2 3 4\n"] {
            assert!(run(&Cpu::default(), &[("proc/stat", bad)]).is_err(), "{bad:?} accepted");
        }
        assert!(matches!(run(&Cpu::default(), &[]), Err(CollectError::Io { .. })));
    }
}
