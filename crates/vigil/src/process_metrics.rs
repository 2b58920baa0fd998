//! `process_*` metrics about Vigil itself, read from /proc at scrape time (Linux).

use telemetry::Registry;

const PAGE_SIZE: f64 = 4096.0;
const CLOCK_TICKS: f64 = 100.0;

fn stat_fields() -> Option<Vec<String>> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may contain spaces; fields resume after its closing parenthesis.
    let rest = &s[s.rfind(')')? + 2..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

fn field(i: usize) -> f64 {
    stat_fields().and_then(|f| f.get(i).and_then(|v| v.parse().ok())).unwrap_or(0.0)
}

pub fn register(r: &Registry) {
    r.gauge_fn("vigil_build_info", "Vigil's version.", &[("version", env!("CARGO_PKG_VERSION"))], || 1.0);
    r.counter_fn("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", &[], || {
        // utime and stime are fields 14 and 15 of /proc/pid/stat (11 and 12 after the name).
        (field(11) + field(12)) / CLOCK_TICKS
    });
    r.gauge_fn("process_resident_memory_bytes", "Resident memory size in bytes.", &[], || {
        std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
            .map_or(0.0, |pages| pages * PAGE_SIZE)
    });
    r.gauge_fn("process_virtual_memory_bytes", "Virtual memory size in bytes.", &[], || field(20));
    r.gauge_fn("process_open_fds", "Number of open file descriptors.", &[], || {
        std::fs::read_dir("/proc/self/fd").map_or(0.0, |d| d.count() as f64)
    });
    let start = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    r.gauge_fn(
        "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.",
        &[],
        move || start,
    );
}
