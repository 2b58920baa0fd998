//! Vigil's metrics about itself.
//!
//! An observability server should be the easiest thing in the room to debug, so every crate
//! registers its counters here and the server renders them on `/metrics`. This is deliberately
//! tiny: atomics for the hot path, a registry that renders the Prometheus text format, and no
//! dependency on the storage engine (Vigil does not store its own metrics by going through the
//! network; the scrape issue will ingest this registry like any other target).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A monotonically increasing count.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down, stored as f64 bits.
#[derive(Debug, Default)]
pub struct Gauge(AtomicU64);

impl Gauge {
    pub fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// A cumulative histogram with fixed upper bounds (seconds, bytes, …).
#[derive(Debug)]
pub struct Histogram {
    bounds: Vec<f64>,
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_bits: Mutex<f64>,
}

impl Histogram {
    pub fn new(bounds: &[f64]) -> Self {
        Histogram {
            bounds: bounds.to_vec(),
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_bits: Mutex::new(0.0),
        }
    }

    pub fn observe(&self, v: f64) {
        for (b, c) in self.bounds.iter().zip(&self.buckets) {
            if v <= *b {
                c.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut s) = self.sum_bits.lock() {
            *s += v;
        }
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// Default latency buckets in seconds, as Prometheus client libraries use.
pub const DEFAULT_SECONDS_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

enum Source {
    Counter(Arc<Counter>),
    Gauge(Arc<Gauge>),
    GaugeFn(Box<dyn Fn() -> f64 + Send + Sync>),
    CounterFn(Box<dyn Fn() -> f64 + Send + Sync>),
    Histogram(Arc<Histogram>),
}

struct Entry {
    name: String,
    help: String,
    labels: Vec<(String, String)>,
    source: Source,
}

/// The set of metrics one process exposes. Cloning shares the same registry.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Arc<Mutex<Vec<Entry>>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&self, name: &str, help: &str, labels: &[(&str, &str)], source: Source) {
        let entry = Entry {
            name: name.to_string(),
            help: help.to_string(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            source,
        };
        if let Ok(mut e) = self.entries.lock() {
            e.push(entry);
        }
    }

    /// Registers and returns a counter. Registering the same name with other labels adds a
    /// series to the same family.
    pub fn counter(&self, name: &str, help: &str, labels: &[(&str, &str)]) -> Arc<Counter> {
        let c = Arc::new(Counter::default());
        self.push(name, help, labels, Source::Counter(c.clone()));
        c
    }

    pub fn gauge(&self, name: &str, help: &str, labels: &[(&str, &str)]) -> Arc<Gauge> {
        let g = Arc::new(Gauge::default());
        self.push(name, help, labels, Source::Gauge(g.clone()));
        g
    }

    /// A gauge read at render time, for values another component already tracks.
    pub fn gauge_fn(
        &self,
        name: &str,
        help: &str,
        labels: &[(&str, &str)],
        f: impl Fn() -> f64 + Send + Sync + 'static,
    ) {
        self.push(name, help, labels, Source::GaugeFn(Box::new(f)));
    }

    /// A counter read at render time.
    pub fn counter_fn(
        &self,
        name: &str,
        help: &str,
        labels: &[(&str, &str)],
        f: impl Fn() -> f64 + Send + Sync + 'static,
    ) {
        self.push(name, help, labels, Source::CounterFn(Box::new(f)));
    }

    pub fn histogram(&self, name: &str, help: &str, labels: &[(&str, &str)], bounds: &[f64]) -> Arc<Histogram> {
        let h = Arc::new(Histogram::new(bounds));
        self.push(name, help, labels, Source::Histogram(h.clone()));
        h
    }

    /// Renders every registered metric in the Prometheus text exposition format 0.0.4.
    pub fn render(&self) -> String {
        let Ok(entries) = self.entries.lock() else {
            return String::new();
        };
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|a, b| entries[*a].name.cmp(&entries[*b].name));
        let mut out = String::with_capacity(entries.len() * 96);
        let mut last_family = "";
        for i in order {
            let e = &entries[i];
            if e.name != last_family {
                let kind = match e.source {
                    Source::Counter(_) | Source::CounterFn(_) => "counter",
                    Source::Gauge(_) | Source::GaugeFn(_) => "gauge",
                    Source::Histogram(_) => "histogram",
                };
                let _ = writeln!(out, "# HELP {} {}", e.name, escape_help(&e.help));
                let _ = writeln!(out, "# TYPE {} {}", e.name, kind);
                last_family = &e.name;
            }
            match &e.source {
                Source::Counter(c) => write_sample(&mut out, &e.name, &e.labels, None, c.get() as f64),
                Source::Gauge(g) => write_sample(&mut out, &e.name, &e.labels, None, g.get()),
                Source::GaugeFn(f) | Source::CounterFn(f) => write_sample(&mut out, &e.name, &e.labels, None, f()),
                Source::Histogram(h) => write_histogram(&mut out, &e.name, &e.labels, h),
            }
        }
        out
    }
}

fn write_histogram(out: &mut String, name: &str, labels: &[(String, String)], h: &Histogram) {
    let bucket = format!("{name}_bucket");
    for (b, c) in h.bounds.iter().zip(&h.buckets) {
        write_sample(out, &bucket, labels, Some(&format_float(*b)), c.load(Ordering::Relaxed) as f64);
    }
    write_sample(out, &bucket, labels, Some("+Inf"), h.count() as f64);
    let sum = h.sum_bits.lock().map(|s| *s).unwrap_or(0.0);
    write_sample(out, &format!("{name}_sum"), labels, None, sum);
    write_sample(out, &format!("{name}_count"), labels, None, h.count() as f64);
}

fn write_sample(out: &mut String, name: &str, labels: &[(String, String)], le: Option<&str>, v: f64) {
    out.push_str(name);
    if !labels.is_empty() || le.is_some() {
        out.push('{');
        let mut first = true;
        for (k, val) in labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(le.map(|l| ("le", l))) {
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(out, "{k}=\"{}\"", escape_value(val));
        }
        out.push('}');
    }
    out.push(' ');
    out.push_str(&format_float(v));
    out.push('\n');
}

/// Formats a float the way Prometheus' text format expects (`+Inf`, `-Inf`, `NaN`).
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_value(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_families_once_with_labels() {
        let r = Registry::new();
        let a = r.counter("x_total", "Things.", &[("kind", "a")]);
        let b = r.counter("x_total", "Things.", &[("kind", "b\"q")]);
        a.add(3);
        b.inc();
        r.gauge_fn("y", "A gauge.", &[], || 1.5);
        let text = r.render();
        assert_eq!(text.matches("# TYPE x_total counter").count(), 1);
        assert!(text.contains("x_total{kind=\"a\"} 3\n"), "{text}");
        assert!(text.contains("x_total{kind=\"b\\\"q\"} 1\n"), "{text}");
        assert!(text.contains("y 1.5\n"), "{text}");
    }

    #[test]
    fn histogram_is_cumulative() {
        let r = Registry::new();
        let h = r.histogram("lat_seconds", "Latency.", &[], &[0.1, 1.0]);
        h.observe(0.05);
        h.observe(0.5);
        h.observe(5.0);
        let text = r.render();
        assert!(text.contains("lat_seconds_bucket{le=\"0.1\"} 1\n"), "{text}");
        assert!(text.contains("lat_seconds_bucket{le=\"1\"} 2\n"), "{text}");
        assert!(text.contains("lat_seconds_bucket{le=\"+Inf\"} 3\n"), "{text}");
        assert!(text.contains("lat_seconds_count 3\n"), "{text}");
    }
}
