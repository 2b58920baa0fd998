//! Notification data from hand-written alerts, for previews: the template preview endpoint and
//! `vigil alertmanager template render` show what a receiver would send for these alerts,
//! grouped the way the config's route for them would group them.

use std::collections::BTreeMap;

use alerting::Config;
use alerting::labels::{LabelSet, fingerprint_hex};
use serde::Deserialize;

use crate::data::{AlertData, NotificationData, Status};
use crate::preview::{Preview, PreviewError, render_preview};
use crate::template::Templates;

/// One alert of a preview request (`status` defaults to firing).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SampleAlert {
    pub labels: LabelSet,
    #[serde(default)]
    pub annotations: LabelSet,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: String,
}

/// A preview request: which receiver, for which alerts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Default: the receiver of the route the first alert takes.
    #[serde(default)]
    pub receiver: Option<String>,
    pub alerts: Vec<SampleAlert>,
}

/// Why a preview could not be made (besides template errors, which come with the preview).
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("no alerts given")]
    NoAlerts,
    #[error("alert {0}: status {1:?} is not firing or resolved")]
    BadStatus(usize, String),
    #[error("receiver {0:?} is not in the config (receivers: {1})")]
    UnknownReceiver(String, String),
    #[error("cannot load the config's templates: {0}")]
    Templates(String),
    #[error("{0}")]
    Render(PreviewError),
}

/// Renders what `req.receiver` would send for `req.alerts` under `config`, at `now_ms`.
pub fn preview(config: &Config, req: &PreviewRequest, external_url: &str, now_ms: i64) -> Result<Preview, SampleError> {
    let first = req.alerts.first().ok_or(SampleError::NoAlerts)?;
    let route = config.route.matching(&first.labels).into_iter().next().map(|r| r.opts.clone());
    let receiver_name = match (&req.receiver, &route) {
        (Some(r), _) => r.clone(),
        (None, Some(opts)) => opts.receiver.clone(),
        (None, None) => config.route.opts.receiver.clone(),
    };
    let receiver = config.receiver(&receiver_name).ok_or_else(|| {
        SampleError::UnknownReceiver(
            receiver_name.clone(),
            config.receivers.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "),
        )
    })?;
    let mut alerts = Vec::with_capacity(req.alerts.len());
    for (i, a) in req.alerts.iter().enumerate() {
        let status = match a.status.as_deref() {
            None | Some("firing") => Status::Firing,
            Some("resolved") => Status::Resolved,
            Some(other) => return Err(SampleError::BadStatus(i, other.to_string())),
        };
        alerts.push(AlertData {
            status,
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            starts_at_ms: now_ms - 5 * 60_000,
            ends_at_ms: (status == Status::Resolved).then_some(now_ms),
            generator_url: a.generator_url.clone(),
            fingerprint: fingerprint_hex(alerting::labels::fingerprint(&a.labels)),
        });
    }
    // Group labels: the route's group_by labels the alerts share.
    let mut group_labels: LabelSet = BTreeMap::new();
    if let Some(opts) = &route {
        for (k, v) in &first.labels {
            let grouped = opts.group_by_all || opts.group_by.contains(k);
            if grouped && req.alerts.iter().all(|a| a.labels.get(k) == Some(v)) {
                group_labels.insert(k.clone(), v.clone());
            }
        }
    }
    let group_key =
        format!("{{}}:{{{}}}", group_labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect::<Vec<_>>().join(", "));
    let data = NotificationData {
        receiver: receiver_name,
        group_key,
        group_labels,
        alerts,
        external_url: external_url.trim_end_matches('/').to_string(),
    };
    let templates = Templates::load(&config.templates, None).map_err(|e| SampleError::Templates(e.to_string()))?;
    render_preview(receiver, &templates, &data).map_err(SampleError::Render)
}
