//! Glue between alert producers and the built-in alert manager, and between its dispatcher
//! and the receivers.

use std::sync::{Arc, RwLock};

use alerting::{Notification, Notify, NotifyFuture, PostableAlert};

/// The in-process sink: alerts the notifier sends go straight into the built-in alert manager.
pub struct BuiltIn(pub alerting::Alertmanager);

impl notifier::AlertSink for BuiltIn {
    fn deliver(&self, alerts: &[notifier::Alert]) {
        let postable = alerts
            .iter()
            .map(|a| PostableAlert {
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_at: Some(a.starts_at),
                ends_at: Some(a.ends_at),
                generator_url: a.generator_url.clone(),
            })
            .collect();
        if let Err(rejected) = self.0.put_alerts(postable) {
            tracing::warn!(errors = %rejected, "the built-in alert manager refused alerts");
        }
    }
}

/// The receivers of the running alert manager config; a reload swaps in a new set.
pub struct Receivers {
    current: RwLock<Arc<receivers::Notifier>>,
    metrics: Arc<receivers::NotifyMetrics>,
}

impl Receivers {
    pub fn new(config: &alerting::Config, registry: &telemetry::Registry) -> anyhow::Result<Receivers> {
        let metrics = receivers::NotifyMetrics::new(registry);
        let current = RwLock::new(Arc::new(build(config, &metrics)?));
        Ok(Receivers { current, metrics })
    }

    /// Builds the receivers of `config` (templates loaded, URLs and secrets read); on error
    /// the running set stays.
    pub fn prepare(&self, config: &alerting::Config) -> anyhow::Result<Arc<receivers::Notifier>> {
        Ok(Arc::new(build(config, &self.metrics)?))
    }

    pub fn swap(&self, next: Arc<receivers::Notifier>) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = next;
    }
}

fn build(config: &alerting::Config, metrics: &Arc<receivers::NotifyMetrics>) -> anyhow::Result<receivers::Notifier> {
    let templates = receivers::Templates::load(&config.templates, None)
        .map_err(|e| anyhow::anyhow!("alertmanager templates: {e}"))?;
    receivers::Notifier::new(&config.receivers, Arc::new(templates), metrics.clone(), Default::default())
        .map_err(|e| anyhow::anyhow!("alertmanager receivers: {e}"))
}

impl Notify for Receivers {
    fn notify<'a>(&'a self, n: &'a Notification) -> NotifyFuture<'a> {
        Box::pin(async move {
            let current = self.current.read().unwrap_or_else(|p| p.into_inner()).clone();
            current.notify(n).await
        })
    }
}
