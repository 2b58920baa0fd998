//! The alert state machine of one alerting rule, with time passed in so tests control it.
//!
//! Semantics follow Prometheus 2.42's `AlertingRule.Eval`: every result sample is an alert
//! keyed by its labels; a new alert is pending at the evaluation time and fires once it has
//! been active for `for`; an alert missing from the result resolves (or keeps firing for
//! `keep_firing_for`), and resolved alerts stay for 15 minutes so receivers hear about it.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::error::EvalError;

/// How long a resolved alert is kept (and re-sent as resolved), as in Prometheus.
pub const RESOLVED_RETENTION_MS: i64 = 15 * 60 * 1000;

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Inactive,
    Pending,
    Firing,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
        }
    }
}

/// One alert of a rule. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The result sample's labels without `__name__`, plus the rule's labels and `alertname`.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub value: f64,
    pub state: AlertState,
    pub active_at: i64,
    #[serde(default)]
    pub fired_at: Option<i64>,
    #[serde(default)]
    pub resolved_at: Option<i64>,
    #[serde(default)]
    pub last_sent_at: Option<i64>,
    #[serde(default)]
    pub valid_until: i64,
    #[serde(default)]
    pub keep_firing_since: Option<i64>,
}

impl Alert {
    /// Whether the notifier should send it at `ts` (Prometheus's `needsSending`): never while
    /// pending, at once when it resolved since the last send, else every `resend_delay`.
    pub fn needs_sending(&self, ts: i64, resend_delay_ms: i64) -> bool {
        if self.state == AlertState::Pending {
            return false;
        }
        match (self.resolved_at, self.last_sent_at) {
            (Some(r), Some(s)) if r > s => return true,
            (Some(_), None) => return true,
            _ => {}
        }
        match self.last_sent_at {
            None => true,
            Some(s) => s + resend_delay_ms < ts,
        }
    }
}

/// One result sample turned into a prospective alert (labels and annotations expanded).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub value: f64,
}

/// What changed in an evaluation, for persistence: anything but values and send times.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub structural: bool,
}

/// The active alerts of one rule.
#[derive(Debug, Clone, Default)]
pub struct AlertSet {
    alerts: HashMap<u64, Alert>,
}

/// The key of an alert: a hash of its label set.
pub fn fingerprint(labels: &BTreeMap<String, String>) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (k, v) in labels {
        h.update(k.as_bytes());
        h.update(&[0xff]);
        h.update(v.as_bytes());
        h.update(&[0xfe]);
    }
    h.digest()
}

impl AlertSet {
    pub fn from_alerts(alerts: impl IntoIterator<Item = Alert>) -> Self {
        AlertSet { alerts: alerts.into_iter().map(|a| (fingerprint(&a.labels), a)).collect() }
    }

    /// Every alert, resolved ones included, in label order (stable output for APIs and tests).
    pub fn all(&self) -> Vec<&Alert> {
        let mut v: Vec<&Alert> = self.alerts.values().collect();
        v.sort_by(|a, b| a.labels.cmp(&b.labels));
        v
    }

    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Alert> {
        self.alerts.values_mut()
    }

    /// Pending and firing alerts.
    pub fn active(&self) -> Vec<&Alert> {
        self.all().into_iter().filter(|a| a.state != AlertState::Inactive).collect()
    }

    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    pub fn clear(&mut self) {
        self.alerts.clear();
    }

    /// Applies one evaluation's result at `ts`. `limit` > 0 bounds the pending+firing alerts;
    /// over it, every alert is dropped and an error returned, as Prometheus does.
    pub fn update(
        &mut self,
        candidates: Vec<Candidate>,
        ts: i64,
        for_ms: i64,
        keep_firing_for_ms: i64,
        limit: u64,
    ) -> Result<Changes, EvalError> {
        let mut changes = Changes::default();
        let mut seen = std::collections::HashSet::with_capacity(candidates.len());
        for c in candidates {
            let fp = fingerprint(&c.labels);
            if !seen.insert(fp) {
                return Err(EvalError::DuplicateAlerts);
            }
            match self.alerts.get_mut(&fp) {
                Some(a) if a.state != AlertState::Inactive => {
                    a.value = c.value;
                    if a.annotations != c.annotations {
                        a.annotations = c.annotations;
                    }
                    // Back from keep_firing_for: the condition holds again.
                    a.keep_firing_since = None;
                }
                _ => {
                    changes.structural = true;
                    self.alerts.insert(
                        fp,
                        Alert {
                            labels: c.labels,
                            annotations: c.annotations,
                            value: c.value,
                            state: AlertState::Pending,
                            active_at: ts,
                            fired_at: None,
                            resolved_at: None,
                            last_sent_at: None,
                            valid_until: 0,
                            keep_firing_since: None,
                        },
                    );
                }
            }
        }
        let mut active = 0u64;
        let mut remove = Vec::new();
        for (fp, a) in self.alerts.iter_mut() {
            if !seen.contains(fp) {
                let mut keep_firing = false;
                if a.state == AlertState::Firing && keep_firing_for_ms > 0 {
                    let since = *a.keep_firing_since.get_or_insert(ts);
                    keep_firing = ts - since < keep_firing_for_ms;
                }
                let expired_resolved = a.resolved_at.is_some_and(|r| ts - r > RESOLVED_RETENTION_MS);
                if a.state == AlertState::Pending || expired_resolved {
                    remove.push(*fp);
                    changes.structural = true;
                }
                if a.state != AlertState::Inactive && !keep_firing {
                    a.state = AlertState::Inactive;
                    a.resolved_at = Some(ts);
                    a.keep_firing_since = None;
                    changes.structural = true;
                }
                if !keep_firing {
                    continue;
                }
            }
            active += 1;
            if a.state == AlertState::Pending && ts - a.active_at >= for_ms {
                a.state = AlertState::Firing;
                a.fired_at = Some(ts);
                changes.structural = true;
            }
        }
        for fp in remove {
            self.alerts.remove(&fp);
        }
        if limit > 0 && active > limit {
            self.alerts.clear();
            return Err(EvalError::AlertLimit { limit, count: active });
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests;
