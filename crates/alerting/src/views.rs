//! What the API layer reads: alerts with their status and receivers, groups, silences and the
//! status page, holding every field Alertmanager's v2 JSON needs (times in Unix ms; the HTTP
//! layer formats them as RFC 3339 and shapes the JSON).

use regex::Regex;

pub use crate::ack::AckView;
pub use crate::escalation::EscalationView;
use crate::labels::LabelSet;
use crate::matchers::Matcher;
use crate::silence::{Silence, SilenceState};

/// An alert's state in the API: `active`, `suppressed` (silenced or inhibited) or
/// `unprocessed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    Unprocessed,
    Active,
    Suppressed,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Unprocessed => "unprocessed",
            AlertState::Active => "active",
            AlertState::Suppressed => "suppressed",
        }
    }
}

/// `GettableAlert`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertView {
    pub labels: LabelSet,
    pub annotations: LabelSet,
    pub starts_at: i64,
    pub ends_at: i64,
    pub updated_at: i64,
    pub generator_url: String,
    /// 16 hex digits.
    pub fingerprint: String,
    /// Receiver of every route the alert matches, in route order.
    pub receivers: Vec<String>,
    pub state: AlertState,
    /// Ids of the active silences muting it.
    pub silenced_by: Vec<String>,
    /// Fingerprints (hex) of the alerts inhibiting it.
    pub inhibited_by: Vec<String>,
    /// Vigil: the acknowledgements in force on the groups the alert is in (one per
    /// acknowledged group, in route order).
    pub acks: Vec<AckView>,
}

/// `AlertGroup`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub labels: LabelSet,
    pub receiver: String,
    pub alerts: Vec<AlertView>,
    /// Vigil: the group's acknowledgement, if one is in force.
    pub ack: Option<AckView>,
    /// Vigil: the group's escalation incident, if a policy covers it and it has begun.
    pub escalation: Option<EscalationView>,
}

/// `GettableSilence`.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceView {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub updated_at: i64,
    pub created_by: String,
    pub comment: String,
    pub state: SilenceState,
}

impl SilenceView {
    pub fn new(s: &Silence, now: i64) -> SilenceView {
        SilenceView {
            id: s.id.clone(),
            matchers: s.matchers.0.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            updated_at: s.updated_at,
            created_by: s.created_by.clone(),
            comment: s.comment.clone(),
            state: s.state(now),
        }
    }
}

/// Alertmanager's silence order: active by end, then pending by start, then expired by end
/// (latest first).
pub fn sort_silences(v: &mut [SilenceView]) {
    let rank = |s: SilenceState| match s {
        SilenceState::Active => 0,
        SilenceState::Pending => 1,
        SilenceState::Expired => 2,
    };
    v.sort_by(|a, b| {
        rank(a.state).cmp(&rank(b.state)).then_with(|| match a.state {
            SilenceState::Active => a.ends_at.cmp(&b.ends_at),
            SilenceState::Pending => a.starts_at.cmp(&b.starts_at),
            SilenceState::Expired => b.ends_at.cmp(&a.ends_at),
        })
    });
}

/// `/api/v2/status` material.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusView {
    /// The config with secrets masked (`config.original`, as Alertmanager shows it).
    pub config_original: String,
    /// When this Alertmanager started (Unix ms), for `uptime`.
    pub started_at: i64,
}

/// The filters of `GET /api/v2/alerts` and `/alerts/groups`.
#[derive(Debug, Clone)]
pub struct AlertFilter {
    /// Every matcher must match (the `filter` parameter).
    pub matchers: Vec<Matcher>,
    /// Anchored regex on receiver names (the `receiver` parameter).
    pub receiver: Option<Regex>,
    pub active: bool,
    pub silenced: bool,
    pub inhibited: bool,
    pub unprocessed: bool,
}

impl Default for AlertFilter {
    /// Everything, as the API's defaults (all flags true).
    fn default() -> Self {
        AlertFilter {
            matchers: Vec::new(),
            receiver: None,
            active: true,
            silenced: true,
            inhibited: true,
            unprocessed: true,
        }
    }
}

/// The `receiver` parameter of `GET /api/v2/alerts` is not a valid regular expression.
#[derive(Debug, thiserror::Error)]
#[error("failed to parse receiver param: {0}")]
pub struct ReceiverParamError(#[source] pub regex::Error);

impl AlertFilter {
    /// Compiles the `receiver` parameter anchored, like Alertmanager.
    pub fn with_receiver(mut self, re: &str) -> Result<AlertFilter, ReceiverParamError> {
        let r = Regex::new(&format!("^(?:{re})$")).map_err(ReceiverParamError)?;
        self.receiver = Some(r);
        Ok(self)
    }

    pub(crate) fn keeps_status(&self, v: &AlertView) -> bool {
        !((!self.unprocessed && v.state == AlertState::Unprocessed)
            || (!self.active && v.state == AlertState::Active)
            || (!self.silenced && !v.silenced_by.is_empty())
            || (!self.inhibited && !v.inhibited_by.is_empty()))
    }
}
