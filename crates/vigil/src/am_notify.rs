//! Glue between alert producers and the built-in alert manager, and between its dispatcher
//! and the receivers.

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
        if let Err(errors) = self.0.put_alerts(postable) {
            tracing::warn!(errors = ?errors, "the built-in alert manager refused alerts");
        }
    }
}

/// Until receivers are wired: logs what would be sent.
pub struct LogOnly;

impl Notify for LogOnly {
    fn notify<'a>(&'a self, n: &'a Notification) -> NotifyFuture<'a> {
        Box::pin(async move {
            tracing::info!(receiver = %n.receiver, group = %n.group_key, alerts = n.alerts.len(), status = n.status, "notification (no integration configured)");
            Ok(())
        })
    }
}
