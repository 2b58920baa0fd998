//! What one notification is about: the receiver, the aggregation group and its alerts, as the
//! dispatcher hands them over. Everything Alertmanager derives from the alerts (the group's
//! status, the common labels and annotations) is derived here, from the alerts actually sent,
//! because integrations send subsets: firing alerts only without `send_resolved`, the first
//! `max_alerts` for a webhook — and Alertmanager computes the template data from the subset.

use alerting::labels::LabelSet;

/// An alert's or a group's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Firing,
    Resolved,
}

impl Status {
    /// `firing` or `resolved`, as templates and payloads spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Resolved => "resolved",
        }
    }
}

/// One alert of a notification (Alertmanager's `template.Alert`).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertData {
    pub status: Status,
    pub labels: LabelSet,
    pub annotations: LabelSet,
    /// Unix milliseconds.
    pub starts_at_ms: i64,
    /// Unix milliseconds; `None` is Go's zero time, which is what Alertmanager sends for alerts
    /// that are still firing (it clears their end when it flushes a group).
    pub ends_at_ms: Option<i64>,
    pub generator_url: String,
    /// The label set's fingerprint as 16 hex digits (`alerting::labels::fingerprint_hex`).
    pub fingerprint: String,
}

/// One notification of one aggregation group to one receiver.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationData {
    /// The receiver's name as configured.
    pub receiver: String,
    /// The aggregation group's key (PagerDuty's dedup key is its SHA-256).
    pub group_key: String,
    pub group_labels: LabelSet,
    pub alerts: Vec<AlertData>,
    /// Where Alertmanager's UI is reachable (`--web.external-url`), without a trailing slash.
    pub external_url: String,
}

impl NotificationData {
    /// `firing` when any alert fires (and for no alerts at all `resolved`), as Alertmanager's
    /// `types.Alerts.Status`.
    pub fn status(&self) -> Status {
        if self.has_firing() { Status::Firing } else { Status::Resolved }
    }

    pub fn has_firing(&self) -> bool {
        self.alerts.iter().any(|a| a.status == Status::Firing)
    }

    pub fn firing_count(&self) -> usize {
        self.alerts.iter().filter(|a| a.status == Status::Firing).count()
    }

    /// The labels every alert has with the same value.
    pub fn common_labels(&self) -> LabelSet {
        common(self.alerts.iter().map(|a| &a.labels))
    }

    /// The annotations every alert has with the same value.
    pub fn common_annotations(&self) -> LabelSet {
        common(self.alerts.iter().map(|a| &a.annotations))
    }

    /// The notification without its resolved alerts (for integrations without
    /// `send_resolved`).
    pub fn firing_only(&self) -> NotificationData {
        let mut out = self.clone();
        out.alerts.retain(|a| a.status == Status::Firing);
        out
    }

    /// The notification with at most `max` alerts (0: no limit) and how many were left out.
    pub fn truncated(&self, max: usize) -> (NotificationData, usize) {
        if max == 0 || self.alerts.len() <= max {
            return (self.clone(), 0);
        }
        let mut out = self.clone();
        let dropped = out.alerts.len() - max;
        out.alerts.truncate(max);
        (out, dropped)
    }

    /// The receiver name as Alertmanager 0.25 puts it into template data and webhook
    /// payloads: escaped with Go's `regexp.QuoteMeta` (a quirk kept for byte-identical
    /// payloads; `team.pager` becomes `team\.pager`).
    pub fn quoted_receiver(&self) -> String {
        quote_meta(&self.receiver)
    }
}

fn common<'a>(mut sets: impl Iterator<Item = &'a LabelSet>) -> LabelSet {
    let Some(first) = sets.next() else {
        return LabelSet::new();
    };
    let mut out = first.clone();
    for set in sets {
        if out.is_empty() {
            break;
        }
        out.retain(|k, v| set.get(k) == Some(v));
    }
    out
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(status: Status, labels: &[(&str, &str)]) -> AlertData {
        AlertData {
            status,
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            annotations: LabelSet::new(),
            starts_at_ms: 0,
            ends_at_ms: None,
            generator_url: String::new(),
            fingerprint: String::new(),
        }
    }

    fn data(alerts: Vec<AlertData>) -> NotificationData {
        NotificationData {
            receiver: "team.pager".into(),
            group_key: "{}:{}".into(),
            group_labels: LabelSet::new(),
            alerts,
            external_url: String::new(),
        }
    }

    #[test]
    fn status_and_common_labels_follow_the_alerts_sent() {
        let d = data(vec![
            alert(Status::Firing, &[("alertname", "A"), ("job", "api"), ("pod", "1")]),
            alert(Status::Resolved, &[("alertname", "A"), ("job", "api"), ("pod", "2")]),
        ]);
        assert_eq!(d.status(), Status::Firing);
        assert_eq!(d.common_labels().keys().collect::<Vec<_>>(), ["alertname", "job"]);
        let f = d.firing_only();
        assert_eq!(f.alerts.len(), 1);
        assert_eq!(f.common_labels().len(), 3);
        assert_eq!(data(vec![]).status(), Status::Resolved);
        let (t, dropped) = d.truncated(1);
        assert_eq!((t.alerts.len(), dropped), (1, 1));
        assert_eq!(d.truncated(0).1, 0);
    }

    #[test]
    fn receiver_is_quoted_like_alertmanager() {
        assert_eq!(data(vec![]).quoted_receiver(), r"team\.pager");
        assert_eq!(quote_meta("a+b(c)[d]"), r"a\+b\(c\)\[d\]");
    }
}
