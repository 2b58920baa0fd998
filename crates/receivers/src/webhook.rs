//! The webhook integration: Alertmanager's webhook JSON (version 4), byte for byte — the
//! template data's fields in its order, then `version`, `groupKey`, `truncatedAlerts`; times
//! in RFC 3339 with trimmed nanoseconds; Go's HTML-safe escaping; a trailing newline.

use alerting::config::receivers::WebhookConfig;
use alerting::labels::LabelSet;
use serde::Serialize;

use crate::data::NotificationData;
use crate::encoding::go_json;
use crate::error::{AttemptError, SetupError};
use crate::gotime::rfc3339_millis;
use crate::http::{self, HttpClient};

/// `template.Alert` as JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertJson<'a> {
    status: &'static str,
    labels: &'a LabelSet,
    annotations: &'a LabelSet,
    starts_at: String,
    ends_at: String,
    #[serde(rename = "generatorURL")]
    generator_url: &'a str,
    fingerprint: &'a str,
}

/// The webhook message: `template.Data` followed by the protocol fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Message<'a> {
    receiver: String,
    status: &'static str,
    alerts: Vec<AlertJson<'a>>,
    group_labels: &'a LabelSet,
    common_labels: LabelSet,
    common_annotations: LabelSet,
    #[serde(rename = "externalURL")]
    external_url: &'a str,
    version: &'static str,
    group_key: &'a str,
    truncated_alerts: u64,
}

/// The JSON body Alertmanager posts for `data` (of which at most `max_alerts` alerts, 0: all).
pub fn payload(data: &NotificationData, max_alerts: u64) -> Result<String, AttemptError> {
    let (data, truncated) = data.truncated(usize::try_from(max_alerts).unwrap_or(usize::MAX));
    let alerts = data
        .alerts
        .iter()
        .map(|a| AlertJson {
            status: a.status.as_str(),
            labels: &a.labels,
            annotations: &a.annotations,
            starts_at: rfc3339_millis(Some(a.starts_at_ms)),
            ends_at: rfc3339_millis(a.ends_at_ms),
            generator_url: &a.generator_url,
            fingerprint: &a.fingerprint,
        })
        .collect();
    let msg = Message {
        receiver: data.quoted_receiver(),
        status: data.status().as_str(),
        alerts,
        group_labels: &data.group_labels,
        common_labels: data.common_labels(),
        common_annotations: data.common_annotations(),
        external_url: &data.external_url,
        version: "4",
        group_key: &data.group_key,
        truncated_alerts: truncated as u64,
    };
    go_json(&msg).map_err(|e| AttemptError::Config(format!("cannot encode webhook message: {e}")))
}

/// One `webhook_configs` entry.
pub struct Webhook {
    config: WebhookConfig,
    http: HttpClient,
}

impl Webhook {
    pub fn new(config: &WebhookConfig) -> Result<Webhook, SetupError> {
        if config.url.is_none() && config.url_file.is_none() {
            return Err(SetupError::NoWebhookUrl);
        }
        Ok(Webhook { config: config.clone(), http: HttpClient::new(config.http_config.as_ref())? })
    }

    /// The body to send.
    pub fn prepare(&self, data: &NotificationData) -> Result<String, AttemptError> {
        payload(data, self.config.max_alerts)
    }

    /// Posts a prepared body: 2xx succeeds, 5xx is retried.
    pub async fn send(&self, body: String) -> Result<(), AttemptError> {
        let url = match (&self.config.url, &self.config.url_file) {
            (Some(u), _) => u.as_str().to_string(),
            (None, Some(file)) => http::read_secret_file(file)?,
            (None, None) => return Err(AttemptError::Config("no webhook URL".into())),
        };
        let resp = self.http.post_json(&url, body).await?;
        http::check(&resp, &[], http::body_details)
    }
}
