//! From a group's flush to notifications: Alertmanager's pipeline stages in order — drop
//! inhibited and silenced alerts, honour the route's mute and active time intervals, then per
//! integration ask the notification log whether anything needs sending, keep only firing alerts
//! for integrations without `send_resolved` — and the [`Notification`] handed to [`Notify`],
//! carrying what Alertmanager's template data and webhook payload need. Two Vigil additions
//! hook in after the filtering stages: an acknowledged group skips repeat notifications
//! ([`crate::ack`]), and escalation levels are planned alongside the route's receiver
//! ([`crate::escalation`]).

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::ack::Acks;
use crate::alert::Alert;
use crate::config::EscalationPolicy;
use crate::config::receivers::{IntegrationConfig, IntegrationKind};
use crate::dispatch::{FlushBatch, FlushKind};
use crate::escalation::{Escalations, Sent};
use crate::inhibit::Inhibitor;
use crate::labels::{Fingerprint, LabelSet, fingerprint_hex};
use crate::nflog::{LogKey, NotificationLog, needs_update};
use crate::silence::Silences;
use crate::timeinterval::{TimeInterval, any_contains};

/// One alert inside a notification (template data's `.Alerts` element and the webhook
/// payload's `alerts[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationAlert {
    /// `firing` or `resolved`.
    pub status: &'static str,
    pub labels: LabelSet,
    pub annotations: LabelSet,
    pub starts_at: i64,
    /// `None` while firing: Alertmanager sends Go's zero time (`0001-01-01T00:00:00Z`).
    pub ends_at: Option<i64>,
    pub generator_url: String,
    /// 16 hex digits.
    pub fingerprint: String,
}

/// One message for one integration of one receiver.
#[derive(Debug, Clone)]
pub struct Notification {
    /// The receiver's name as configured. (Alertmanager's template data holds it
    /// regex-quoted — `regexp.QuoteMeta` — in `.Receiver`; renderers should apply that.)
    pub receiver: String,
    pub integration: IntegrationKind,
    /// Index among the receiver's integrations of this kind.
    pub integration_index: usize,
    pub config: Arc<IntegrationConfig>,
    /// `firing` if any alert fires, else `resolved`.
    pub status: &'static str,
    /// Firing and (for send_resolved integrations) resolved alerts, in Alertmanager's order.
    pub alerts: Vec<NotificationAlert>,
    pub group_labels: LabelSet,
    pub common_labels: LabelSet,
    pub common_annotations: LabelSet,
    pub external_url: String,
    pub group_key: String,
    /// Alerts left out by the integration's `max_alerts` (set by the integration; 0 here).
    pub truncated_alerts: u64,
    /// The flush time (Unix ms).
    pub now: i64,
}

impl Notification {
    pub fn firing(&self) -> impl Iterator<Item = &NotificationAlert> {
        self.alerts.iter().filter(|a| a.status == "firing")
    }

    pub fn resolved(&self) -> impl Iterator<Item = &NotificationAlert> {
        self.alerts.iter().filter(|a| a.status == "resolved")
    }
}

/// Why a notification was not delivered. Boxed rather than one fixed enum because each
/// [`Notify`] implementation (the receivers crate, tests, the binary's bridge) fails in its
/// own ways; the dispatcher only logs it and retries at the next flush.
pub type NotifyFailure = Box<dyn std::error::Error + Send + Sync>;

/// A boxed future returned by [`Notify::notify`].
pub type NotifyFuture<'a> = Pin<Box<dyn Future<Output = Result<(), NotifyFailure>> + Send + 'a>>;

/// Delivers notifications. Implementations do their own retries and timeouts; an `Err` means
/// the message was not delivered and the group will try again at its next flush (the
/// notification log keeps integrations that succeeded from sending twice).
pub trait Notify: Send + Sync {
    fn notify<'a>(&'a self, n: &'a Notification) -> NotifyFuture<'a>;
}

/// The integrations of each receiver, shared by every flush of a config.
pub type ReceiverTable = BTreeMap<String, Vec<(usize, Arc<IntegrationConfig>)>>;

/// Builds the [`ReceiverTable`] of a config.
pub fn receiver_table(receivers: &[crate::config::Receiver]) -> ReceiverTable {
    receivers
        .iter()
        .map(|r| (r.name.clone(), r.integrations().into_iter().map(|(i, c)| (i, Arc::new(c))).collect()))
        .collect()
}

/// What a flush must do for one integration: send `notification` (none: nothing to send, but
/// record the state, as Alertmanager does for send_resolved=false when all resolved) and, once
/// that succeeded, keep `record`.
#[derive(Debug, Clone)]
pub struct Planned {
    pub notification: Option<Notification>,
    pub record: Record,
}

/// What a successful notification is recorded as.
#[derive(Debug, Clone)]
pub enum Record {
    /// The route receiver's integration: its notification-log entry.
    Log { key: LogKey, firing: BTreeSet<Fingerprint>, resolved: BTreeSet<Fingerprint>, expiry_ms: i64 },
    /// An escalation level's integration (see [`crate::escalation`]).
    Escalation(Sent),
}

/// What the pipeline reads at flush time.
pub struct FlushContext<'a> {
    pub silences: &'a Silences,
    pub inhibitor: &'a Inhibitor,
    pub time_intervals: &'a BTreeMap<String, Vec<TimeInterval>>,
    pub nflog: &'a NotificationLog,
    pub receivers: &'a ReceiverTable,
    pub external_url: &'a str,
    pub acks: &'a Acks,
    pub escalations: &'a Escalations,
    pub policies: &'a [EscalationPolicy],
}

/// Whether a route's time intervals mute notifications at `now`.
pub fn muted_by_time(
    mute: &[String],
    active: &[String],
    intervals: &BTreeMap<String, Vec<TimeInterval>>,
    now: i64,
) -> bool {
    let inside = |names: &[String]| names.iter().any(|n| intervals.get(n).is_some_and(|ti| any_contains(ti, now)));
    inside(mute) || (!active.is_empty() && !inside(active))
}

/// The pipeline's filtering stages: the batch's alerts that are neither inhibited nor silenced,
/// or none at all while the route's time intervals mute it.
pub fn notifiable<'b>(
    batch: &'b FlushBatch,
    silences: &Silences,
    inhibitor: &Inhibitor,
    time_intervals: &BTreeMap<String, Vec<TimeInterval>>,
) -> Vec<&'b Alert> {
    let now = batch.now;
    if muted_by_time(&batch.opts.mute_time_intervals, &batch.opts.active_time_intervals, time_intervals, now) {
        return Vec::new();
    }
    batch
        .alerts
        .iter()
        .filter(|a| {
            let fp = a.fingerprint();
            inhibitor.inhibited_by(fp, &a.labels).is_none() && silences.silenced_by(&a.labels, now).is_empty()
        })
        .collect()
}

/// Runs the pipeline for one flush and decides, per integration, what to send: the route's
/// receiver (on regular flushes) and any escalation level that is due.
pub fn plan(batch: &FlushBatch, ctx: &FlushContext<'_>) -> Vec<Planned> {
    let alerts = notifiable(batch, ctx.silences, ctx.inhibitor, ctx.time_intervals);
    if alerts.is_empty() {
        return Vec::new();
    }
    let key = batch.key();
    let acked = ctx.acks.active(&key, batch.now).is_some();
    let mut out = match batch.kind {
        FlushKind::Regular => plan_receiver(batch, &alerts, ctx, acked),
        FlushKind::Escalation => Vec::new(),
    };
    out.extend(crate::escalation::plan_levels(batch, &key, &alerts, ctx, acked));
    out
}

/// The route receiver's part of a flush. While the group is acknowledged the repeat interval
/// never elapses: only changes are notified.
fn plan_receiver(batch: &FlushBatch, alerts: &[&Alert], ctx: &FlushContext<'_>, acked: bool) -> Vec<Planned> {
    let now = batch.now;
    let repeat_ms = if acked { i64::MAX } else { batch.opts.repeat_interval_ms };
    let mut firing = BTreeSet::new();
    let mut resolved = BTreeSet::new();
    for a in alerts {
        if a.resolved_at(now) {
            resolved.insert(a.fingerprint())
        } else {
            firing.insert(a.fingerprint())
        };
    }
    let Some(integrations) = ctx.receivers.get(&batch.opts.receiver) else { return Vec::new() };
    let mut out = Vec::new();
    for (index, config) in integrations {
        let log_key = LogKey {
            group_key: batch.group_key.clone(),
            receiver: batch.opts.receiver.clone(),
            integration: config.kind(),
            index: *index,
        };
        let send_resolved = config.send_resolved();
        if !needs_update(ctx.nflog.get(&log_key), &firing, &resolved, send_resolved, repeat_ms, now) {
            continue;
        }
        let sent: Vec<&Alert> = alerts.iter().copied().filter(|a| send_resolved || !a.resolved_at(now)).collect();
        let notification = (!firing.is_empty() || send_resolved)
            .then(|| build(batch, &sent, &batch.opts.receiver, config, *index, ctx.external_url));
        out.push(Planned {
            notification,
            record: Record::Log {
                key: log_key,
                firing: firing.clone(),
                resolved: resolved.clone(),
                expiry_ms: batch.opts.repeat_interval_ms.saturating_mul(2),
            },
        });
    }
    out
}

/// The labels (or annotations) every map shares.
pub fn common(maps: impl Iterator<Item = LabelSet>) -> LabelSet {
    let mut acc: Option<LabelSet> = None;
    for m in maps {
        acc = Some(match acc {
            None => m,
            Some(mut c) => {
                c.retain(|k, v| m.get(k) == Some(v));
                c
            }
        });
    }
    acc.unwrap_or_default()
}

/// The notification of `alerts` for one integration of `receiver`.
pub(crate) fn build(
    batch: &FlushBatch,
    alerts: &[&Alert],
    receiver: &str,
    config: &Arc<IntegrationConfig>,
    index: usize,
    external_url: &str,
) -> Notification {
    let now = batch.now;
    let items: Vec<NotificationAlert> = alerts
        .iter()
        .map(|a| {
            let resolved = a.resolved_at(now);
            NotificationAlert {
                status: if resolved { "resolved" } else { "firing" },
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_at: a.starts_at,
                ends_at: resolved.then_some(a.ends_at),
                generator_url: a.generator_url.clone(),
                fingerprint: fingerprint_hex(a.fingerprint()),
            }
        })
        .collect();
    let status = if items.iter().any(|a| a.status == "firing") { "firing" } else { "resolved" };
    Notification {
        receiver: receiver.to_string(),
        integration: config.kind(),
        integration_index: index,
        config: Arc::clone(config),
        status,
        common_labels: common(alerts.iter().map(|a| a.labels.clone())),
        common_annotations: common(alerts.iter().map(|a| a.annotations.clone())),
        alerts: items,
        group_labels: batch.group_labels.clone(),
        external_url: external_url.to_string(),
        group_key: batch.group_key.clone(),
        truncated_alerts: 0,
        now,
    }
}
