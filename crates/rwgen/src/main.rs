//! `vigil-rwgen`: replays node_exporter-shaped series into any remote-write receiver as fast as
//! it accepts them (or paced), so Vigil and its peers can be fed identical data.
//!
//! The template is a real exposition (node_exporter's `/metrics`); it is replicated with
//! distinct `instance` labels. Each simulated step (one scrape interval) every series gets one
//! sample: counters grow, gauges random-walk with the template's decimal precision, 0/1 gauges
//! stay constant. Protobuf is written directly from pre-encoded label bytes so the generator
//! costs little CPU next to the receiver it measures.

mod template;
mod wire;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;

/// Generate remote-write load.
#[derive(Parser, Debug, Clone)]
struct Args {
    /// Receiver URL, e.g. http://127.0.0.1:9090/api/v1/write (loopback only).
    #[arg(long)]
    url: String,
    /// Exposition file to replicate (node_exporter output).
    #[arg(long)]
    template: std::path::PathBuf,
    /// Number of simulated hosts; series = hosts × template series.
    #[arg(long, default_value_t = 1000)]
    instances: usize,
    /// Simulated scrape interval in milliseconds.
    #[arg(long, default_value_t = 15_000)]
    interval_ms: i64,
    /// Simulated time span in hours (steps = hours × 3600 s / interval).
    #[arg(long, default_value_t = 2.0)]
    hours: f64,
    /// First sample time in Unix ms (default: now − span, so all samples are in the past).
    #[arg(long)]
    start_ms: Option<i64>,
    /// Series per request.
    #[arg(long, default_value_t = 2000)]
    batch: usize,
    /// Parallel connections; each owns a disjoint subset of series so per-series order holds.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Seed for values.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print the number of series per instance in the template and exit.
    #[arg(long)]
    count_only: bool,
}

struct Stats {
    samples_acked: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
    bytes_sent: AtomicU64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let target = wire::Target::parse(&args.url)?;
    let text =
        std::fs::read_to_string(&args.template).with_context(|| format!("cannot read {}", args.template.display()))?;
    let families = template::parse(&text);
    anyhow::ensure!(!families.is_empty(), "template {} has no samples", args.template.display());
    if args.count_only {
        println!("{}", families.len());
        return Ok(());
    }
    let steps = ((args.hours * 3_600_000.0) / args.interval_ms as f64).round().max(1.0) as i64;
    let start = args.start_ms.unwrap_or_else(|| {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        now - steps * args.interval_ms
    });
    let total_series = families.len() * args.instances;
    eprintln!(
        "rwgen: {} template series × {} instances = {} series, {} steps of {} ms, {} samples",
        families.len(),
        args.instances,
        total_series,
        steps,
        args.interval_ms,
        total_series as i64 * steps
    );
    let stats = Arc::new(Stats {
        samples_acked: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        retries: AtomicU64::new(0),
        bytes_sent: AtomicU64::new(0),
    });
    let families = Arc::new(families);
    let barrier = Arc::new(Barrier::new(args.concurrency));
    let started = Instant::now();
    let cpu_start = self_cpu_seconds();
    let mut handles = Vec::new();
    for worker in 0..args.concurrency {
        let (args, families, stats, barrier, target) =
            (args.clone(), families.clone(), stats.clone(), barrier.clone(), target.clone());
        handles.push(std::thread::spawn(move || -> Result<()> {
            let mut series = template::instantiate(&families, args.instances, worker, args.concurrency, args.seed);
            let mut conn = wire::Conn::new(target);
            let mut body = Vec::with_capacity(1 << 20);
            let mut compressed = Vec::new();
            for step in 0..steps {
                let t = start + step * args.interval_ms;
                for chunk in series.chunks_mut(args.batch) {
                    body.clear();
                    for s in chunk.iter_mut() {
                        let v = s.next_value();
                        wire::encode_series(&mut body, &s.label_bytes, t, v);
                    }
                    compressed.resize(snap::raw::max_compress_len(body.len()), 0);
                    let n = snap::raw::Encoder::new().compress(&body, &mut compressed)?;
                    let mut attempt = 0;
                    loop {
                        match conn.post(&compressed[..n]) {
                            Ok(status) if (200..300).contains(&status) => break,
                            Ok(status) if status < 500 && status != 429 => {
                                anyhow::bail!("receiver rejected a request with status {status} (not retried)")
                            }
                            other => {
                                attempt += 1;
                                stats.retries.fetch_add(1, Ordering::Relaxed);
                                anyhow::ensure!(attempt < 50, "giving up after 50 retries: {other:?}");
                                std::thread::sleep(Duration::from_millis(100 * attempt.min(10)));
                            }
                        }
                    }
                    stats.samples_acked.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    stats.requests.fetch_add(1, Ordering::Relaxed);
                    stats.bytes_sent.fetch_add(n as u64, Ordering::Relaxed);
                }
                // Keep all workers on the same step: receivers reject samples far behind
                // their newest (Prometheus: older than head max − 1 h).
                barrier.wait();
            }
            Ok(())
        }));
    }
    let mut failed = None;
    for h in handles {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failed = Some(e),
            Err(_) => failed = Some(anyhow::anyhow!("worker panicked")),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let acked = stats.samples_acked.load(Ordering::Relaxed);
    println!(
        "{{\"samples_acked\":{acked},\"seconds\":{secs:.3},\"samples_per_second\":{:.0},\"requests\":{},\"retries\":{},\"bytes_sent\":{},\"series\":{total_series},\"steps\":{steps},\"generator_cpu_seconds\":{:.3}}}",
        acked as f64 / secs,
        stats.requests.load(Ordering::Relaxed),
        stats.retries.load(Ordering::Relaxed),
        stats.bytes_sent.load(Ordering::Relaxed),
        self_cpu_seconds() - cpu_start,
    );
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn self_cpu_seconds() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    let Some(rest) = s.rfind(')').map(|i| &s[i + 2..]) else { return 0.0 };
    let f: Vec<f64> = rest.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    // utime, stime are fields 14, 15 of /proc/pid/stat: indexes 11, 12 after the name.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}
