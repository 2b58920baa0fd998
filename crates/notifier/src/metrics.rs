//! The notifier's own metrics, named like Prometheus's `prometheus_notifications_*` with Vigil's
//! prefix. Per-Alertmanager series are registered the first time an Alertmanager is discovered
//! (Prometheus initialises them to 0 at discovery too); the telemetry registry cannot remove
//! series, so an Alertmanager that goes away keeps its last values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use telemetry::{Counter, DEFAULT_SECONDS_BUCKETS, Histogram, Registry};

/// Counters of one Alertmanager URL.
#[derive(Clone)]
pub(crate) struct PerAlertmanager {
    pub sent: Arc<Counter>,
    pub errors: Arc<Counter>,
    pub latency: Arc<Histogram>,
}

pub(crate) struct Metrics {
    registry: Registry,
    pub dropped: Arc<Counter>,
    per_am: Mutex<HashMap<String, PerAlertmanager>>,
}

impl Metrics {
    pub fn new(registry: &Registry, capacity: usize) -> Self {
        let dropped = registry.counter(
            "vigil_notifications_dropped_total",
            "Total number of alerts dropped due to errors when sending to Alertmanager or a full queue.",
            &[],
        );
        registry
            .gauge("vigil_notifications_queue_capacity", "The capacity of the alert notifications queue.", &[])
            .set(capacity as f64);
        Metrics { registry: registry.clone(), dropped, per_am: Mutex::new(HashMap::new()) }
    }

    /// The series of one Alertmanager, registering them on first use.
    pub fn for_alertmanager(&self, url: &str) -> PerAlertmanager {
        let mut map = self.per_am.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(url.to_string())
            .or_insert_with(|| {
                let l: &[(&str, &str)] = &[("alertmanager", url)];
                PerAlertmanager {
                    sent: self.registry.counter("vigil_notifications_sent_total", "Total number of alerts sent.", l),
                    errors: self.registry.counter(
                        "vigil_notifications_errors_total",
                        "Total number of sent alerts affected by errors.",
                        l,
                    ),
                    latency: self.registry.histogram(
                        "vigil_notifications_latency_seconds",
                        "Latency for sending alert notifications.",
                        l,
                        DEFAULT_SECONDS_BUCKETS,
                    ),
                }
            })
            .clone()
    }
}
