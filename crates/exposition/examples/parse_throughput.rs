//! Microbenchmark: parses a node_exporter-shaped body of about 1,000 series in both formats for
//! about two seconds each and prints MB/s and samples/s.
//!
//! Run with `cargo run --release -p exposition --example parse_throughput`.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use exposition::{Entry, Format, Parser, parse_series};

/// Builds the body; OpenMetrics gets float-second timestamps on some samples, an exemplar on
/// bucket lines and the final `# EOF`.
fn body(om: bool) -> String {
    let mut b = String::new();
    let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
    let _ = writeln!(b, "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.");
    let _ = writeln!(b, "# TYPE node_cpu_seconds_total counter");
    for cpu in 0..32 {
        for (i, m) in modes.iter().enumerate() {
            let _ =
                writeln!(b, "node_cpu_seconds_total{{cpu=\"{cpu}\",mode=\"{m}\"}} {}.{}", 12345 * (i + 1) + cpu, cpu);
        }
    }
    for dev in ["sda", "sdb", "nvme0n1", "nvme1n1", "dm-0", "dm-1", "loop0", "loop1"] {
        for metric in ["node_disk_read_bytes_total", "node_disk_written_bytes_total", "node_disk_io_time_seconds_total"]
        {
            let _ = writeln!(b, "# HELP {metric} The total number of bytes read successfully.");
            let _ = writeln!(b, "# TYPE {metric} counter");
            let _ = writeln!(b, "{metric}{{device=\"{dev}\"}} 1.23456789e+10");
        }
    }
    for fs in 0..40 {
        for metric in ["node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_filesystem_files_free"] {
            let _ = writeln!(
                b,
                "{metric}{{device=\"/dev/mapper/vg0-lv{fs}\",fstype=\"ext4\",mountpoint=\"/srv/data/{fs}\"}} {}",
                4.2e11 + f64::from(fs)
            );
        }
    }
    let _ = writeln!(b, "# HELP http_request_duration_seconds A histogram of request latencies.");
    let _ = writeln!(b, "# TYPE http_request_duration_seconds histogram");
    for handler in 0..20 {
        for le in ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"] {
            let ex = if om { " # {trace_id=\"4bf92f3577b34da6\"} 0.042 1700000000.123" } else { "" };
            let _ =
                writeln!(b, "http_request_duration_seconds_bucket{{handler=\"/api/v{handler}\",le=\"{le}\"}} 4711{ex}");
        }
        let _ = writeln!(b, "http_request_duration_seconds_sum{{handler=\"/api/v{handler}\"}} 123.456");
        let _ = writeln!(b, "http_request_duration_seconds_count{{handler=\"/api/v{handler}\"}} 4711");
    }
    for i in 0..340 {
        let ts = if om { " 1700000000.5" } else { " 1700000000500" };
        let _ = writeln!(b, "node_network_receive_bytes_total{{device=\"veth{i:04x}\"}} {}{ts}", i * 1000);
    }
    let _ = writeln!(b, "# HELP node_uname_info Labeled system information as provided by the uname system call.");
    let _ = writeln!(
        b,
        "node_uname_info{{domainname=\"(none)\",machine=\"x86_64\",nodename=\"host\",release=\"6.1.0\",sysname=\"Linux\",version=\"#1 SMP \\\"Debian\\\"\"}} 1"
    );
    if om {
        b.push_str("# EOF\n");
    }
    b
}

/// Parses `b` repeatedly for about two seconds; returns (passes, samples per pass, elapsed).
fn run(b: &[u8], format: Format, with_labels: bool) -> (u64, u64, Duration) {
    let start = Instant::now();
    let mut passes = 0;
    let mut samples = 0;
    let mut labels = Vec::new();
    while start.elapsed() < Duration::from_secs(2) {
        samples = 0;
        let mut p = Parser::new(b, format);
        while let Some(e) = p.next_entry().expect("benchmark body parses") {
            if let Entry::Sample(s) = e {
                samples += 1;
                black_box(s.value);
                if with_labels {
                    black_box(parse_series(s.series, &mut labels).expect("series"));
                }
            }
        }
        passes += 1;
    }
    (passes, samples, start.elapsed())
}

fn main() {
    for (name, format) in [("text", Format::Text), ("openmetrics", Format::OpenMetrics)] {
        let b = body(format == Format::OpenMetrics);
        for with_labels in [false, true] {
            let (passes, samples, t) = run(b.as_bytes(), format, with_labels);
            let secs = t.as_secs_f64();
            println!(
                "{name:<12} {:<22} {} samples, {} bytes/body: {:8.1} MB/s {:12.0} samples/s",
                if with_labels { "parse + parse_series" } else { "parse (cache hits)" },
                samples,
                b.len(),
                (passes as f64 * b.len() as f64) / secs / 1e6,
                (passes * samples) as f64 / secs,
            );
        }
    }
}
