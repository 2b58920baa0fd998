//! The bridge to the dispatcher: every receiver of a config with its integrations, delivering
//! the `alerting` crate's per-integration [`Notification`]s.

use std::collections::HashMap;
use std::sync::Arc;

use alerting::config::receivers::Receiver;
use alerting::notify::{Notification, NotificationAlert, Notify, NotifyFuture};

use crate::data::{AlertData, NotificationData, Status};
use crate::error::{BuildError, NotifyError};
use crate::integration::IntegrationId;
use crate::integrations::Integrations;
use crate::metrics::NotifyMetrics;
use crate::retry::DeliveryOptions;
use crate::template::Templates;

impl From<&NotificationAlert> for AlertData {
    fn from(a: &NotificationAlert) -> AlertData {
        AlertData {
            status: if a.status == "resolved" { Status::Resolved } else { Status::Firing },
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            starts_at_ms: a.starts_at,
            ends_at_ms: a.ends_at,
            generator_url: a.generator_url.clone(),
            fingerprint: a.fingerprint.clone(),
        }
    }
}

impl From<&Notification> for NotificationData {
    fn from(n: &Notification) -> NotificationData {
        NotificationData {
            receiver: n.receiver.clone(),
            group_key: n.group_key.clone(),
            group_labels: n.group_labels.clone(),
            alerts: n.alerts.iter().map(AlertData::from).collect(),
            external_url: n.external_url.clone(),
        }
    }
}

/// Every receiver's integrations; build a new one on reload (sharing the metrics).
pub struct Notifier {
    receivers: HashMap<String, Integrations>,
}

impl Notifier {
    pub fn new(
        receivers: &[Receiver],
        templates: Arc<Templates>,
        metrics: Arc<NotifyMetrics>,
        options: DeliveryOptions,
    ) -> Result<Notifier, BuildError> {
        let receivers = receivers
            .iter()
            .map(|r| Ok((r.name.clone(), Integrations::new(r, templates.clone(), metrics.clone(), options.clone())?)))
            .collect::<Result<HashMap<_, _>, BuildError>>()?;
        Ok(Notifier { receivers })
    }

    /// The integrations of a receiver.
    pub fn receiver(&self, name: &str) -> Option<&Integrations> {
        self.receivers.get(name)
    }
}

/// Why [`Notifier`] could not deliver a notification: the dispatcher asked for a receiver
/// or integration the current config does not have, or the integration failed. Typed so
/// callers can tell a stale dispatch from a delivery failure; the texts name the receiver.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// No receiver of that name.
    #[error("unknown receiver {0:?}")]
    UnknownReceiver(String),
    /// The receiver has no such integration.
    #[error("{receiver}: no integration {id}")]
    NoIntegration {
        /// Receiver name.
        receiver: String,
        /// The integration asked for.
        id: IntegrationId,
    },
    /// The integration failed to deliver.
    #[error("{receiver}/{id}: {error}")]
    Integration {
        /// Receiver name.
        receiver: String,
        /// The failing integration.
        id: IntegrationId,
        /// What went wrong.
        error: NotifyError,
    },
}

impl Notify for Notifier {
    fn notify<'a>(&'a self, n: &'a Notification) -> NotifyFuture<'a> {
        Box::pin(async move {
            let integrations =
                self.receivers.get(&n.receiver).ok_or_else(|| DispatchError::UnknownReceiver(n.receiver.clone()))?;
            let id = IntegrationId { kind: n.integration, index: n.integration_index };
            let data = NotificationData::from(n);
            let timeout = integrations.options().total_timeout;
            match integrations.notify_integration(id, &data, timeout).await {
                Some(result) => result
                    .map_err(|error| DispatchError::Integration { receiver: n.receiver.clone(), id, error }.into()),
                None => Err(DispatchError::NoIntegration { receiver: n.receiver.clone(), id }.into()),
            }
        })
    }
}
