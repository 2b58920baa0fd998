//! Template previews: every templated field of every integration of a receiver rendered
//! against given alerts, with the exact request body or e-mail each would send, without
//! sending anything — for the template-preview endpoint and `vigil alertmanager template
//! render` (Alertmanager has no way to see a template's output short of triggering it).

use alerting::config::receivers::Receiver;
use serde::Serialize;

use crate::data::NotificationData;
use crate::integration::{Integration, IntegrationId, now_nanos};
use crate::retry::DeliveryOptions;
use crate::template::Templates;

/// What a receiver would send for a notification.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub receiver: String,
    pub integrations: Vec<IntegrationPreview>,
    /// Integration kinds configured but not implemented by Vigil.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<&'static str>,
}

/// What one integration would send.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrationPreview {
    /// `slack[0]`.
    pub integration: String,
    pub send_resolved: bool,
    /// True when nothing would be sent: only resolved alerts and `send_resolved` off.
    pub skipped: bool,
    pub fields: Vec<PreviewField>,
    /// The JSON body (webhook, Slack, PagerDuty, keys masked) or the e-mail message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Why no body could be built, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One rendered field.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewField {
    /// `title`, `fields[0].value`, `headers.Subject`, `details.firing`…
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Some fields or integrations failed; the preview shows everything that did render.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", errors.join("\n"))]
pub struct PreviewError {
    /// One line per failure, naming the integration, the field, the template and position.
    pub errors: Vec<String>,
    pub preview: Preview,
}

/// Renders every templated field of every integration of `receiver` for `data`.
pub fn render_preview(
    receiver: &Receiver,
    templates: &Templates,
    data: &NotificationData,
) -> Result<Preview, PreviewError> {
    let options = DeliveryOptions::default();
    let now = now_nanos();
    let mut errors = Vec::new();
    let mut integrations = Vec::new();
    for (index, config) in receiver.integrations() {
        let id = IntegrationId { kind: config.kind(), index };
        let integration = match Integration::new(id, &config, &options) {
            Ok(i) => i,
            Err(e) => {
                errors.push(e.to_string());
                integrations.push(IntegrationPreview {
                    integration: id.to_string(),
                    send_resolved: config.send_resolved(),
                    skipped: false,
                    fields: Vec::new(),
                    body: None,
                    error: Some(e.error.to_string()),
                });
                continue;
            }
        };
        integrations.push(preview_one(&integration, templates, data, now, &mut errors));
    }
    let preview = Preview { receiver: receiver.name.clone(), integrations, unsupported: receiver.unsupported.clone() };
    if errors.is_empty() { Ok(preview) } else { Err(PreviewError { errors, preview }) }
}

fn preview_one(
    integration: &Integration,
    templates: &Templates,
    data: &NotificationData,
    now: i64,
    errors: &mut Vec<String>,
) -> IntegrationPreview {
    let id = integration.id.to_string();
    let mut out = IntegrationPreview {
        integration: id.clone(),
        send_resolved: integration.send_resolved,
        skipped: false,
        fields: Vec::new(),
        body: None,
        error: None,
    };
    let Some(selected) = integration.select(data) else {
        out.skipped = true;
        return out;
    };
    let (fields, prepared) = integration.prepare(templates, &selected, now, true);
    let mut failed = false;
    for f in fields {
        let (value, error) = match f.result {
            Ok(v) => (Some(v), None),
            Err(e) => {
                failed = true;
                errors.push(format!("{id} {}: {e}", f.field));
                (None, Some(e.to_string()))
            }
        };
        out.fields.push(PreviewField { field: f.field, value, error });
    }
    match prepared {
        Ok(p) if !failed => out.body = Some(p.text().to_string()),
        Ok(_) => {}
        Err(e) if !failed => {
            errors.push(format!("{id}: {e}"));
            out.error = Some(e.to_string());
        }
        Err(_) => out.error = Some("not built: a field failed to render".into()),
    }
    out
}
