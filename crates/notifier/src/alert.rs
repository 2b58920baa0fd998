//! The alert as Alertmanager's v2 API receives it, and the label processing every alert goes
//! through before delivery (external labels, then `alert_relabel_configs`).

use std::collections::BTreeMap;

use promconfig::relabel::{RelabelConfig, process};
use serde::{Deserialize, Serialize};

use crate::time::{ZERO_TIME_MS, rfc3339};

/// One alert as Alertmanager's v2 API receives it: `POST /api/v2/alerts` takes a JSON array of
/// these. Times are Unix milliseconds here and RFC 3339 with milliseconds on the wire.
///
/// Fields are declared in the order Prometheus's notifier writes them (go-openapi's
/// `PostableAlert`: annotations, endsAt, startsAt, generatorURL, labels) so Vigil's request
/// bodies are byte-for-byte what Prometheus would send. As there, empty annotations and an
/// empty generator URL are left out. Reading tolerates the extra fields of Alertmanager's
/// `GET /api/v2/alerts` answers (fingerprint, status, receivers, updatedAt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Information that does not identify the alert (summary, description, runbook).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// When the alert stops being active. Prometheus always sets it: for a firing alert a
    /// validity horizon (4 × max(resend delay, evaluation interval)) so Alertmanager resolves it if
    /// Prometheus stops sending, for a resolved alert the time it resolved.
    #[serde(rename = "endsAt", with = "rfc3339", default = "zero_time")]
    pub ends_at: i64,
    /// When the alert started firing.
    #[serde(rename = "startsAt", with = "rfc3339", default = "zero_time")]
    pub starts_at: i64,
    /// Link back to the expression that produced the alert.
    #[serde(rename = "generatorURL", default, skip_serializing_if = "String::is_empty")]
    pub generator_url: String,
    /// The alert's identity; must include `alertname`.
    pub labels: BTreeMap<String, String>,
}

fn zero_time() -> i64 {
    ZERO_TIME_MS
}

impl Alert {
    /// The `alertname` label, or "" when there is none.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }

    /// Whether the alert had ended by `now_ms` (Prometheus's `ResolvedAt`: an unset end never
    /// resolves).
    pub fn is_resolved_at(&self, now_ms: i64) -> bool {
        self.ends_at != ZERO_TIME_MS && self.ends_at <= now_ms
    }
}

/// Adds external labels an alert does not already have (a label with an empty value counts as
/// absent, as in Prometheus), then applies `relabel_configs`; alerts that relabelling drops are
/// left out. This is Prometheus's `relabelAlerts`, run on every `send`.
pub fn relabel_alerts(
    alerts: Vec<Alert>,
    external_labels: &BTreeMap<String, String>,
    relabel_configs: &[RelabelConfig],
) -> Vec<Alert> {
    alerts
        .into_iter()
        .filter_map(|mut alert| {
            let mut labels = std::mem::take(&mut alert.labels);
            for (name, value) in external_labels {
                if labels.get(name).is_none_or(|v| v.is_empty()) {
                    if value.is_empty() {
                        labels.remove(name);
                    } else {
                        labels.insert(name.clone(), value.clone());
                    }
                }
            }
            alert.labels = process(labels, relabel_configs)?;
            Some(alert)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn serializes_in_prometheus_order_and_reads_gettable_alerts() {
        let a = Alert {
            annotations: labels(&[("summary", "down")]),
            ends_at: 1_796_205_660_000,
            starts_at: 1_796_205_600_123,
            generator_url: "http://p/graph".into(),
            labels: labels(&[("alertname", "Up"), ("a", "1")]),
        };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"annotations":{"summary":"down"},"endsAt":"2026-12-02T10:01:00.000Z","startsAt":"2026-12-02T10:00:00.123Z","generatorURL":"http://p/graph","labels":{"a":"1","alertname":"Up"}}"#
        );
        assert_eq!(serde_json::from_str::<Alert>(&json).unwrap(), a);
        let bare = Alert { annotations: BTreeMap::new(), generator_url: String::new(), ..a.clone() };
        let json = serde_json::to_string(&bare).unwrap();
        assert!(!json.contains("annotations") && !json.contains("generatorURL"), "{json}");
        let gettable = r#"{"annotations":{},"endsAt":"2026-12-02T10:01:00.000Z","fingerprint":"abc","receivers":[{"name":"x"}],"startsAt":"2026-12-02T10:00:00.123Z","status":{"state":"active"},"updatedAt":"2026-12-02T10:00:00.200Z","labels":{"alertname":"Up"}}"#;
        let back: Alert = serde_json::from_str(gettable).unwrap();
        assert_eq!((back.name(), back.starts_at), ("Up", 1_796_205_600_123));
        assert!(back.is_resolved_at(1_796_205_660_000) && !back.is_resolved_at(1_796_205_659_999));
        let no_times: Alert = serde_json::from_str(r#"{"labels":{"alertname":"x"}}"#).unwrap();
        assert_eq!(no_times.ends_at, ZERO_TIME_MS);
        assert!(!no_times.is_resolved_at(i64::MAX));
    }

    #[test]
    fn external_labels_fill_only_missing_or_empty_labels() {
        let a = Alert {
            annotations: BTreeMap::new(),
            ends_at: 0,
            starts_at: 0,
            generator_url: String::new(),
            labels: labels(&[("alertname", "A"), ("env", "own"), ("team", "")]),
        };
        let ext = labels(&[("env", "prod"), ("team", "core"), ("region", "eu"), ("blank", "")]);
        let out = relabel_alerts(vec![a], &ext, &[]);
        assert_eq!(out[0].labels, labels(&[("alertname", "A"), ("env", "own"), ("team", "core"), ("region", "eu")]));
    }
}
