//! Host metrics for Linux read directly from `/proc` and `/sys`, exposed with node_exporter 1.5.0's
//! metric names, labels, HELP/TYPE lines and units, so a fresh Vigil shows its own host the way a
//! node_exporter would and existing dashboards and alerts work unchanged.

mod collectors;
mod error;
mod exposition;
mod source;

use std::path::PathBuf;
use std::time::Instant;

pub use error::CollectError;
use exposition::{Family, Kind};
use source::Root;

/// One node_exporter collector: a name (the `collector` label) and a way to read its families.
pub(crate) trait Collector: Send + Sync {
    /// node_exporter's collector name, e.g. `meminfo`.
    fn name(&self) -> &'static str;
    /// Appends this collector's families to `out`; on error the caller discards what was appended.
    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError>;
}

/// Collects node_exporter-compatible host metrics.
pub struct HostCollector {
    root: Root,
    collectors: Vec<Box<dyn Collector>>,
}

impl HostCollector {
    /// `root` is the filesystem root for /proc and /sys (normally "/"), so tests can point at fixture trees.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        HostCollector { root: Root::new(root.into()), collectors: collectors::all() }
    }

    /// Names of the collectors this crate runs, as used in the `collector` label.
    pub fn collector_names(&self) -> Vec<&'static str> {
        self.collectors.iter().map(|c| c.name()).collect()
    }

    /// Appends the Prometheus text exposition format 0.0.4 (HELP and TYPE lines, then samples) of all
    /// collectors to `out`. A collector that fails (file missing, parse error) is skipped and reported in
    /// `node_scrape_collector_success{collector="..."}` like node_exporter; never panics on odd file contents.
    pub fn gather(&self, out: &mut String) {
        let mut families = Vec::new();
        let mut duration = Family::new(
            "node_scrape_collector_duration_seconds",
            "node_exporter: Duration of a collector scrape.",
            Kind::Gauge,
        );
        let mut success =
            Family::new("node_scrape_collector_success", "node_exporter: Whether a collector succeeded.", Kind::Gauge);
        for collector in &self.collectors {
            let start = Instant::now();
            let before = families.len();
            let ok = match collector.collect(&self.root, &mut families) {
                Ok(()) => true,
                Err(err) => {
                    families.truncate(before);
                    tracing::warn!(collector = collector.name(), error = %err, "host metrics collector failed");
                    false
                }
            };
            let label = vec![("collector", collector.name().to_string())];
            duration.push(label.clone(), start.elapsed().as_secs_f64());
            success.push(label, if ok { 1.0 } else { 0.0 });
        }
        families.push(duration);
        families.push(success);
        exposition::render(&mut families, out);
    }
}

#[cfg(test)]
pub(crate) mod testutil;
