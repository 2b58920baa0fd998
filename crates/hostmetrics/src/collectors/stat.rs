//! `stat`: boot time, context switches, forks, interrupts and process states from `/proc/stat`.

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_u64};
use crate::{CollectError, Collector};

pub(crate) struct Stat;

/// `/proc/stat` keys read here: (key, metric, HELP, TYPE).
const FIELDS: [(&str, &str, &str, Kind); 6] = [
    ("btime", "node_boot_time_seconds", "Node boot time, in unixtime.", Kind::Gauge),
    ("ctxt", "node_context_switches_total", "Total number of context switches.", Kind::Counter),
    ("processes", "node_forks_total", "Total number of forks.", Kind::Counter),
    ("intr", "node_intr_total", "Total number of interrupts serviced.", Kind::Counter),
    ("procs_running", "node_procs_running", "Number of processes in runnable state.", Kind::Gauge),
    ("procs_blocked", "node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", Kind::Gauge),
];

impl Collector for Stat {
    fn name(&self) -> &'static str {
        "stat"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/stat")?;
        let mut values = [0.0; FIELDS.len()];
        for line in text.lines() {
            let mut fields = line.split_whitespace();
            let Some(key) = fields.next() else { continue };
            let Some(index) = FIELDS.iter().position(|f| f.0 == key) else { continue };
            // `intr` is followed by per-interrupt counts; the first number is the total.
            let value = fields.next().ok_or_else(|| CollectError::parse(&path, format!("{key} has no value")))?;
            values[index] = parse_u64(&path, key, value)? as f64;
        }
        for ((_, name, help, kind), value) in FIELDS.iter().zip(values) {
            out.push(Family::single(*name, *help, *kind, value));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    #[test]
    fn reads_counters() {
        let text = "cpu 1 2 3 4\nintr 747276 0 9 0\nctxt 1031426\nbtime 1796131918\nprocesses 14447\n\
            procs_running 3\nprocs_blocked 1\nsoftirq 5 1 1\n";
        let out = run(&Stat, &[("proc/stat", text)]).unwrap();
        assert!(out.contains("node_boot_time_seconds 1.796131918e+09\n"), "{out}");
        assert!(out.contains("node_context_switches_total 1.031426e+06\n"));
        assert!(out.contains("node_forks_total 14447\n"));
        assert!(out.contains("node_intr_total 747276\n"));
        assert!(out.contains("node_procs_running 3\n"));
        assert!(out.contains("# TYPE node_procs_blocked gauge\nnode_procs_blocked 1\n"));
    }

    #[test]
    fn malformed_files_fail() {
        assert!(run(&Stat, &[("proc/stat", "ctxt lots\n")]).is_err());
        assert!(run(&Stat, &[("proc/stat", "btime\n")]).is_err());
        assert!(run(&Stat, &[]).is_err());
    }
}
