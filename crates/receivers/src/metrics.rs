//! Alertmanager's per-integration notification metrics, under its names so dashboards and
//! alerts written for Alertmanager work: notifications (one per notification, however many
//! attempts) and their failures, requests (one per attempt) and their failures, and the
//! latency of each attempt. Series exist from the start for every integration Alertmanager
//! knows, at zero, as Alertmanager initialises them.

use std::collections::HashMap;
use std::sync::Arc;

use telemetry::{Counter, Histogram, Registry};

/// Alertmanager 0.25's integration names (the `integration` label).
pub const INTEGRATIONS: &[&str] =
    &["email", "pagerduty", "wechat", "pushover", "slack", "opsgenie", "webhook", "victorops", "sns", "telegram"];

/// Alertmanager's latency buckets, in seconds.
pub const LATENCY_BUCKETS: &[f64] = &[1.0, 5.0, 10.0, 15.0, 20.0];

/// The series of one integration kind.
#[derive(Clone)]
pub struct IntegrationMetrics {
    pub notifications: Arc<Counter>,
    pub notifications_failed: Arc<Counter>,
    pub requests: Arc<Counter>,
    pub requests_failed: Arc<Counter>,
    pub latency: Arc<Histogram>,
}

/// The notification metrics of a process. Create one per registry and share it across
/// reloads: the registry cannot unregister series, so creating it again would duplicate them.
pub struct NotifyMetrics {
    by_integration: HashMap<&'static str, IntegrationMetrics>,
}

impl NotifyMetrics {
    /// Registers every series on `registry`.
    pub fn new(registry: &Registry) -> Arc<NotifyMetrics> {
        let by_integration = INTEGRATIONS
            .iter()
            .map(|&name| {
                let l: &[(&str, &str)] = &[("integration", name)];
                let m = IntegrationMetrics {
                    notifications: registry.counter(
                        "alertmanager_notifications_total",
                        "The total number of attempted notifications.",
                        l,
                    ),
                    notifications_failed: registry.counter(
                        "alertmanager_notifications_failed_total",
                        "The total number of failed notifications.",
                        l,
                    ),
                    requests: registry.counter(
                        "alertmanager_notification_requests_total",
                        "The total number of attempted notification requests.",
                        l,
                    ),
                    requests_failed: registry.counter(
                        "alertmanager_notification_requests_failed_total",
                        "The total number of failed notification requests.",
                        l,
                    ),
                    latency: registry.histogram(
                        "alertmanager_notification_latency_seconds",
                        "The latency of notifications in seconds.",
                        l,
                        LATENCY_BUCKETS,
                    ),
                };
                (name, m)
            })
            .collect();
        Arc::new(NotifyMetrics { by_integration })
    }

    /// The series of an integration (`webhook`, `slack`, …); `None` for names Alertmanager
    /// does not have.
    pub fn integration(&self, name: &str) -> Option<&IntegrationMetrics> {
        self.by_integration.get(name)
    }
}
