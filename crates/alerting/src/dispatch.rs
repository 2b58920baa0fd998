//! Aggregation groups and their timers (Alertmanager's `Dispatcher` and `aggrGroup`): every
//! alert joins one group per matching route, keyed by the route and the values of its
//! `group_by` labels. A new group waits `group_wait` before its first flush (no wait when its
//! alert started longer ago than that), then flushes every `group_interval`. Resolved alerts stay
//! until a flush that reported them succeeds. Time is passed in explicitly, so the timer logic
//! runs the same under a test's hand-moved clock as under the wall clock.
//!
//! Besides its own timer a group can be woken for escalation (see [`crate::escalation`]): the
//! caller passes a function naming when each group next has a level due, and such a wake-up
//! produces a [`FlushKind::Escalation`] batch that leaves the group's timers and alerts alone.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::labels::{Fingerprint, LabelSet, fingerprint, label_set_string};
use crate::route::{Route, RouteOpts};

/// A group's identity: the route's id and the fingerprint of the group labels.
pub type GroupId = (usize, Fingerprint);

/// A group's identity that survives restarts and reloads (a [`GroupId`] holds the route's
/// position, which a reload may change): Alertmanager's group key and the route's receiver —
/// what the notification log keys its entries by, so what acknowledgements and escalations are
/// kept under too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupKey {
    pub group_key: String,
    pub receiver: String,
}

/// Alertmanager's group key of a route's group: `<route key>:<group labels>`.
pub fn group_key(route: &Route, group_labels: &LabelSet) -> String {
    format!("{}:{}", route.key, label_set_string(group_labels))
}

/// Why a batch was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushKind {
    /// The group's own timer (group_wait, then group_interval).
    Regular,
    /// An escalation level fell due between two regular flushes: only escalation levels are
    /// planned, and the group's timers and resolved alerts are left as they are.
    Escalation,
}

/// One aggregation group.
#[derive(Debug, Clone)]
pub struct AggrGroup {
    pub id: GroupId,
    /// Alertmanager's group key: `<route key>:<group labels>`, e.g.
    /// `{}/{severity="critical"}:{alertname="Down"}`.
    pub key: String,
    pub labels: LabelSet,
    pub route_key: String,
    pub opts: RouteOpts,
    pub alerts: HashMap<Fingerprint, Alert>,
    next_flush: i64,
    has_flushed: bool,
    in_flight: bool,
}

impl AggrGroup {
    /// When the group's timer fires next (Unix ms).
    pub fn next_flush(&self) -> i64 {
        self.next_flush
    }

    /// The group's [`GroupKey`].
    pub fn group_key(&self) -> GroupKey {
        GroupKey { group_key: self.key.clone(), receiver: self.opts.receiver.clone() }
    }

    fn batch(&self, now: i64, kind: FlushKind) -> FlushBatch {
        let mut alerts: Vec<Alert> = self.alerts.values().cloned().collect();
        alerts.sort_by(|a, b| crate::alert::alert_order(&a.labels, &b.labels));
        FlushBatch {
            id: self.id,
            group_key: self.key.clone(),
            group_labels: self.labels.clone(),
            opts: self.opts.clone(),
            alerts,
            now,
            kind,
        }
    }
}

/// What one timer firing hands to the notification pipeline.
#[derive(Debug, Clone)]
pub struct FlushBatch {
    pub id: GroupId,
    pub group_key: String,
    pub group_labels: LabelSet,
    pub opts: RouteOpts,
    /// The group's alerts as they were at the flush.
    pub alerts: Vec<Alert>,
    pub now: i64,
    pub kind: FlushKind,
}

impl FlushBatch {
    /// The flushed group's [`GroupKey`].
    pub fn key(&self) -> GroupKey {
        GroupKey { group_key: self.group_key.clone(), receiver: self.opts.receiver.clone() }
    }
}

/// All aggregation groups of one route tree.
#[derive(Debug)]
pub struct Dispatcher {
    route: Route,
    groups: HashMap<GroupId, AggrGroup>,
}

impl Dispatcher {
    pub fn new(route: Route) -> Dispatcher {
        Dispatcher { route, groups: HashMap::new() }
    }

    pub fn route(&self) -> &Route {
        &self.route
    }

    /// Adds (or updates) an alert in the group of every route it matches.
    pub fn insert(&mut self, alert: &Alert, now: i64) {
        let fp = alert.fingerprint();
        let routes: Vec<&Route> = self.route.matching(&alert.labels);
        for r in routes {
            let labels = r.group_labels(&alert.labels);
            let id = (r.id, fingerprint(&labels));
            let g = self.groups.entry(id).or_insert_with(|| AggrGroup {
                id,
                key: group_key(r, &labels),
                labels,
                route_key: r.key.clone(),
                opts: r.opts.clone(),
                alerts: HashMap::new(),
                next_flush: now.saturating_add(r.opts.group_wait_ms),
                has_flushed: false,
                in_flight: false,
            });
            g.alerts.insert(fp, alert.clone());
            // An alert that started longer than group_wait ago need not wait (after a restart or
            // a reload, say): Alertmanager flushes such a group at once.
            if !g.has_flushed && alert.starts_at.saturating_add(g.opts.group_wait_ms) < now {
                g.next_flush = g.next_flush.min(now);
            }
        }
    }

    /// The earliest pending timer, if any group has alerts.
    pub fn next_flush(&self) -> Option<i64> {
        self.next_flush_with(|_| None)
    }

    /// The earliest pending timer or wake-up (`wake`: when a group next has an escalation level
    /// due), if any group has alerts.
    pub fn next_flush_with(&self, wake: impl Fn(&AggrGroup) -> Option<i64>) -> Option<i64> {
        self.groups
            .values()
            .filter(|g| !g.in_flight && !g.alerts.is_empty())
            .map(|g| wake(g).map_or(g.next_flush, |w| w.min(g.next_flush)))
            .min()
    }

    /// Fires every timer due at `now`: the groups are marked in flight and re-armed for
    /// `group_interval` later, and their contents returned for the pipeline.
    pub fn take_due(&mut self, now: i64) -> Vec<FlushBatch> {
        self.take_due_with(now, |_| None)
    }

    /// [`Dispatcher::take_due`], plus an [`FlushKind::Escalation`] batch for every group whose
    /// timer is not due but whose `wake` time is.
    pub fn take_due_with(&mut self, now: i64, wake: impl Fn(&AggrGroup) -> Option<i64>) -> Vec<FlushBatch> {
        let mut out = Vec::new();
        for g in self.groups.values_mut() {
            if g.in_flight {
                continue;
            }
            if g.next_flush > now {
                if !g.alerts.is_empty() && wake(g).is_some_and(|w| w <= now) {
                    g.in_flight = true;
                    out.push(g.batch(now, FlushKind::Escalation));
                }
                continue;
            }
            g.next_flush = now.saturating_add(g.opts.group_interval_ms);
            if g.alerts.is_empty() {
                continue;
            }
            g.has_flushed = true;
            g.in_flight = true;
            out.push(g.batch(now, FlushKind::Regular));
        }
        out.sort_by_key(|b| b.group_key.clone());
        out
    }

    /// Ends a flush. On success, alerts that were resolved at a regular flush and have not
    /// been updated since are dropped from the group (their resolution has been dealt with).
    pub fn finish(&mut self, batch: &FlushBatch, success: bool) {
        let Some(g) = self.groups.get_mut(&batch.id) else { return };
        g.in_flight = false;
        if !success || batch.kind == FlushKind::Escalation {
            return;
        }
        for a in batch.alerts.iter().filter(|a| a.resolved_at(batch.now)) {
            let fp = a.fingerprint();
            if g.alerts.get(&fp).is_some_and(|cur| cur.updated_at == a.updated_at) {
                g.alerts.remove(&fp);
            }
        }
    }

    /// Removes groups left without alerts (Alertmanager does this every 30 s).
    pub fn remove_empty(&mut self) -> usize {
        let before = self.groups.len();
        self.groups.retain(|_, g| g.in_flight || !g.alerts.is_empty());
        before - self.groups.len()
    }

    pub fn groups(&self) -> impl Iterator<Item = &AggrGroup> {
        self.groups.values()
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Fingerprints of every alert some group still holds (its resolution may not have been
    /// notified yet, so the store must keep it).
    pub fn held(&self) -> std::collections::HashSet<Fingerprint> {
        self.groups.values().flat_map(|g| g.alerts.keys().copied()).collect()
    }
}

#[cfg(test)]
mod tests;
