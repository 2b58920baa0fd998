//! The integrations of one receiver, delivering notifications with retries and metrics —
//! what the dispatcher calls for each flush of an aggregation group.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use alerting::config::receivers::Receiver;

use crate::data::NotificationData;
use crate::error::{BuildError, NotifyError};
use crate::integration::{Integration, IntegrationId};
use crate::metrics::NotifyMetrics;
use crate::retry::{self, DeliveryOptions};
use crate::template::Templates;

/// A receiver's integrations, ready to send.
pub struct Integrations {
    receiver: String,
    list: Vec<Integration>,
    templates: Arc<Templates>,
    metrics: Arc<NotifyMetrics>,
    options: DeliveryOptions,
    /// Integration kinds the receiver configures that Vigil does not implement.
    unsupported: Vec<&'static str>,
}

impl Integrations {
    /// Builds every integration of `receiver` (HTTP clients, TLS settings); fails on settings
    /// that can never work, naming the integration.
    pub fn new(
        receiver: &Receiver,
        templates: Arc<Templates>,
        metrics: Arc<NotifyMetrics>,
        options: DeliveryOptions,
    ) -> Result<Integrations, BuildError> {
        let list = receiver
            .integrations()
            .into_iter()
            .map(|(index, config)| Integration::new(IntegrationId { kind: config.kind(), index }, &config, &options))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Integrations {
            receiver: receiver.name.clone(),
            list,
            templates,
            metrics,
            options,
            unsupported: receiver.unsupported.clone(),
        })
    }

    /// The receiver's name.
    pub fn receiver(&self) -> &str {
        &self.receiver
    }

    /// The integrations, in Alertmanager's order (email, pagerduty, slack, webhook).
    pub fn ids(&self) -> Vec<IntegrationId> {
        self.list.iter().map(|i| i.id).collect()
    }

    /// Integration kinds of the receiver that are configured but not implemented (they send
    /// nothing).
    pub fn unsupported(&self) -> &[&'static str] {
        &self.unsupported
    }

    /// The delivery timing in use.
    pub fn options(&self) -> &DeliveryOptions {
        &self.options
    }

    /// Sends `data` through every integration at once, each within the options'
    /// `total_timeout`.
    pub async fn notify(&self, data: &NotificationData) -> Vec<(IntegrationId, Result<(), NotifyError>)> {
        self.notify_within(data, self.options.total_timeout).await
    }

    /// Sends `data` through every integration at once, each within `timeout` (Alertmanager:
    /// the group's `group_interval`, at least 10 s).
    pub async fn notify_within(
        &self,
        data: &NotificationData,
        timeout: Duration,
    ) -> Vec<(IntegrationId, Result<(), NotifyError>)> {
        let deadline = Instant::now() + timeout;
        let sends = self.list.iter().map(|i| async move { (i.id, self.deliver(i, data, deadline).await) });
        join_all(sends.collect()).await
    }

    /// Sends `data` through one integration, within `timeout`. (The notification log is kept
    /// per integration, so after a partial failure only the failed ones need sending again.)
    pub async fn notify_integration(
        &self,
        id: IntegrationId,
        data: &NotificationData,
        timeout: Duration,
    ) -> Option<Result<(), NotifyError>> {
        let integration = self.list.iter().find(|i| i.id == id)?;
        Some(self.deliver(integration, data, Instant::now() + timeout).await)
    }

    async fn deliver(
        &self,
        integration: &Integration,
        data: &NotificationData,
        deadline: Instant,
    ) -> Result<(), NotifyError> {
        let metrics = self.metrics.integration(integration.id.kind.as_str());
        if let Some(m) = metrics {
            m.notifications.inc();
        }
        let Some(data) = integration.select(data) else {
            return Ok(());
        };
        let templates = &*self.templates;
        let result = retry::deliver(&self.options, deadline, metrics, || integration.attempt(templates, &data)).await;
        match &result {
            Ok(attempts) if *attempts > 1 => {
                tracing::info!(receiver = %self.receiver, integration = %integration.id, attempts, "notify success");
            }
            Ok(_) => {}
            Err(e) => {
                if let Some(m) = metrics {
                    m.notifications_failed.inc();
                }
                tracing::warn!(receiver = %self.receiver, integration = %integration.id, error = %e, "notify failed");
            }
        }
        result.map(|_| ())
    }
}

/// Runs futures concurrently and collects their outputs in order (the integrations of a
/// receiver are notified in parallel, as Alertmanager's fan-out stage does).
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Option<Pin<Box<F>>>> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, out) in pending.iter_mut().zip(done.iter_mut()) {
            if let Some(f) = slot
                && let Poll::Ready(v) = f.as_mut().poll(cx)
            {
                *out = Some(v);
                *slot = None;
            }
        }
        if pending.iter().all(Option::is_none) { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    done.into_iter().flatten().collect()
}
