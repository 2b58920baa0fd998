//! An alert as the Alertmanager holds it, the alert as posted to the API, and Alertmanager's
//! rules for both: validation of posted alerts, defaulting of missing times, merging of a
//! re-posted alert into the stored one, and the order alerts are listed and notified in.

use serde::{Deserialize, Serialize};

use crate::labels::{Fingerprint, LabelSet, fingerprint, is_valid_label_name, label_set_before};

/// A stored alert. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub labels: LabelSet,
    #[serde(default)]
    pub annotations: LabelSet,
    pub starts_at: i64,
    /// Always set: when the sender gave none, `updated_at + resolve_timeout` with `timeout`.
    pub ends_at: i64,
    #[serde(default)]
    pub generator_url: String,
    /// When the alert was last posted.
    pub updated_at: i64,
    /// `ends_at` was derived from resolve_timeout rather than sent.
    #[serde(default)]
    pub timeout: bool,
}

impl Alert {
    pub fn fingerprint(&self) -> Fingerprint {
        fingerprint(&self.labels)
    }

    /// Resolved at `now`: its end time has passed (Alertmanager's `ResolvedAt`).
    pub fn resolved_at(&self, now: i64) -> bool {
        self.ends_at <= now
    }

    /// Alertmanager's `Alert.Merge`: `newer` (the later update) wins, but the earliest start
    /// is kept, and an end time that was sent explicitly is not shortened by a timeout one.
    pub fn merge(&self, newer: &Alert) -> Alert {
        if newer.updated_at < self.updated_at {
            return newer.merge(self);
        }
        let (older, newer) = (self, newer);
        let mut res = newer.clone();
        if older.starts_at < newer.starts_at {
            res.starts_at = older.starts_at;
        }
        if newer.resolved_at(newer.updated_at) {
            if older.resolved_at(newer.updated_at) && older.ends_at > newer.ends_at {
                res.ends_at = older.ends_at;
            }
        } else if older.ends_at > newer.ends_at && !older.timeout {
            res.ends_at = older.ends_at;
        }
        res
    }
}

/// An alert as posted to `POST /api/v2/alerts` (times already parsed; `None` for absent or
/// Go's zero time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostableAlert {
    pub labels: LabelSet,
    #[serde(default)]
    pub annotations: LabelSet,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    #[serde(default)]
    pub generator_url: String,
}

/// A posted alert that Alertmanager's validation refuses. `alert` is the alert's name as a
/// message suffix (` (alertname "X")`, or empty when it has none).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAlert {
    #[error("start time must be before end time{alert}")]
    EndBeforeStart { alert: String },
    #[error("invalid label set: invalid name {label:?}{alert}")]
    LabelName { label: String, alert: String },
    #[error("at least one label pair required")]
    NoLabels,
    #[error("invalid annotations: invalid name {annotation:?}{alert}")]
    AnnotationName { annotation: String, alert: String },
}

/// The alerts of one `POST /api/v2/alerts` that were refused (the valid ones were stored);
/// one message per alert, joined as Alertmanager's 400 answer joins them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct RejectedAlerts(pub Vec<InvalidAlert>);

impl PostableAlert {
    /// Applies the API's defaults and validation (Alertmanager's `postAlertsHandler` and
    /// `Alert.Validate`): empty label values are dropped, a missing start becomes now (or the end
    /// time), a missing end becomes `now + resolve_timeout`. The error says what is wrong.
    pub fn into_alert(self, now: i64, resolve_timeout_ms: i64) -> Result<Alert, InvalidAlert> {
        let labels: LabelSet = self.labels.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let starts_at = match (self.starts_at, self.ends_at) {
            (Some(s), _) => s,
            (None, Some(e)) => e,
            (None, None) => now,
        };
        let (ends_at, timeout) = match self.ends_at {
            Some(e) => (e, false),
            None => (now.saturating_add(resolve_timeout_ms), true),
        };
        let alert = labels.get("alertname").map_or(String::new(), |n| format!(" (alertname {n:?})"));
        if self.ends_at.is_some() && ends_at < starts_at {
            return Err(InvalidAlert::EndBeforeStart { alert });
        }
        if let Some(k) = labels.keys().find(|k| !is_valid_label_name(k)) {
            return Err(InvalidAlert::LabelName { label: k.clone(), alert });
        }
        if labels.is_empty() {
            return Err(InvalidAlert::NoLabels);
        }
        if let Some(k) = self.annotations.keys().find(|k| !is_valid_label_name(k)) {
            return Err(InvalidAlert::AnnotationName { annotation: k.clone(), alert });
        }
        Ok(Alert {
            labels,
            annotations: self.annotations,
            starts_at,
            ends_at,
            generator_url: self.generator_url,
            updated_at: now,
            timeout,
        })
    }
}

/// Alertmanager's alert order: by `job`, then `instance` (alerts with the label first), then
/// the whole label set.
pub fn alert_order(a: &LabelSet, b: &LabelSet) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    for key in ["job", "instance"] {
        match (a.get(key), b.get(key)) {
            (None, None) => continue,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => {}
        }
    }
    if label_set_before(a, b) {
        Ordering::Less
    } else if label_set_before(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(pairs: &[(&str, &str)]) -> LabelSet {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn post(labels: &[(&str, &str)], starts: Option<i64>, ends: Option<i64>) -> PostableAlert {
        PostableAlert { labels: ls(labels), starts_at: starts, ends_at: ends, ..Default::default() }
    }

    #[test]
    fn defaults_and_validation() {
        let a = post(&[("alertname", "A")], None, None).into_alert(1000, 300_000).unwrap();
        assert_eq!((a.starts_at, a.ends_at, a.timeout, a.updated_at), (1000, 301_000, true, 1000));
        let a = post(&[("alertname", "A")], None, Some(500)).into_alert(1000, 300_000).unwrap();
        assert_eq!((a.starts_at, a.ends_at, a.timeout), (500, 500, false));
        assert!(a.resolved_at(1000));
        let a = post(&[("alertname", "A"), ("empty", "")], Some(10), None).into_alert(1000, 1).unwrap();
        assert!(!a.labels.contains_key("empty"));
        let e = post(&[("alertname", "A")], Some(10), Some(5)).into_alert(1000, 1).unwrap_err();
        assert_eq!(e.to_string(), "start time must be before end time (alertname \"A\")");
        assert_eq!(post(&[], None, None).into_alert(0, 1).unwrap_err(), InvalidAlert::NoLabels);
        assert_eq!(post(&[("x", "")], None, None).into_alert(0, 1).unwrap_err(), InvalidAlert::NoLabels);
        let e = post(&[("bad-name", "x")], None, None).into_alert(0, 1).unwrap_err();
        assert!(matches!(&e, InvalidAlert::LabelName { label, .. } if label == "bad-name"), "{e:?}");
        assert!(e.to_string().contains("invalid name \"bad-name\""), "{e}");
        let mut p = post(&[("a", "b")], None, None);
        p.annotations.insert("bad key".into(), "x".into());
        let e = p.into_alert(0, 1).unwrap_err();
        assert!(matches!(e, InvalidAlert::AnnotationName { .. }) && e.to_string().contains("invalid annotations"));
    }

    fn alert(starts: i64, ends: i64, updated: i64, timeout: bool) -> Alert {
        Alert {
            labels: ls(&[("a", "b")]),
            annotations: LabelSet::new(),
            starts_at: starts,
            ends_at: ends,
            generator_url: String::new(),
            updated_at: updated,
            timeout,
        }
    }

    #[test]
    fn merge_keeps_earliest_start_and_explicit_end() {
        let old = alert(100, 1000, 100, false);
        let new = alert(200, 900, 200, true);
        let m = old.merge(&new);
        assert_eq!(m.starts_at, 100);
        assert_eq!(m.ends_at, 1000, "explicit end of the older alert outlives a timeout");
        assert_eq!(new.merge(&old), m, "argument order does not matter");
        let old = alert(100, 1000, 100, true);
        assert_eq!(old.merge(&new).ends_at, 900, "a timeout end does not win");
        // Resolved newer alert: its end time stands unless the older one resolved later.
        let resolved = alert(100, 150, 200, false);
        assert_eq!(alert(50, 1000, 100, false).merge(&resolved).ends_at, 150);
        assert_eq!(alert(50, 180, 100, false).merge(&resolved).ends_at, 180);
    }

    #[test]
    fn ordering_prefers_job_then_instance() {
        let mut v = [
            ls(&[("z", "1")]),
            ls(&[("job", "b")]),
            ls(&[("job", "a"), ("instance", "2")]),
            ls(&[("job", "a"), ("instance", "1")]),
        ];
        v.sort_by(alert_order);
        assert_eq!(v[0], ls(&[("job", "a"), ("instance", "1")]));
        assert_eq!(v[2], ls(&[("job", "b")]));
        assert_eq!(v[3], ls(&[("z", "1")]));
    }
}
