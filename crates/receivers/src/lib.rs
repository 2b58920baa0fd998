//! Alertmanager 0.25's notification integrations and templates: the webhook, Slack, PagerDuty
//! (Events API v2 and v1) and e-mail (SMTP) integrations with the payloads those services
//! expect byte for byte, delivery with Alertmanager's retries and metrics, and its
//! notification templates — defaults, `templates:` files, functions and data.
//!
//! Layout: [`data`] (what a notification is about), [`template`] (templates and their data),
//! [`webhook`], [`slack`], [`pagerduty`], [`email`] (the integrations), [`http`] (their HTTP
//! client), [`retry`] (attempts and backoff), [`metrics`], [`integrations`] (a receiver's
//! integrations: the façade the dispatcher uses), [`notifier`] (the `alerting::Notify`
//! bridge), [`preview`] (rendering without sending).
//!
//! ```
//! use receivers::{AlertData, NotificationData, Status, Templates};
//! use receivers::template::value::template_data;
//!
//! let labels = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
//! let data = NotificationData {
//!     receiver: "team-api".into(),
//!     group_key: "{}:{alertname=\"HighLatency\"}".into(),
//!     group_labels: labels(&[("alertname", "HighLatency")]),
//!     alerts: vec![AlertData {
//!         status: Status::Firing,
//!         labels: labels(&[("alertname", "HighLatency"), ("service", "api"), ("severity", "critical")]),
//!         annotations: labels(&[]),
//!         starts_at_ms: 0,
//!         ends_at_ms: None,
//!         generator_url: String::new(),
//!         fingerprint: "0123456789abcdef".into(),
//!     }],
//!     external_url: "http://vigil:9093".into(),
//! };
//! let subject = Templates::builtin()
//!     .execute_text("subject", r#"{{ template "__subject" . }}"#, &template_data(&data), 0)
//!     .unwrap();
//! assert_eq!(subject, "[FIRING:1] HighLatency (api critical)");
//! ```

pub mod data;
pub mod email;
pub mod encoding;
pub mod error;
pub mod gotime;
pub mod http;
pub mod integration;
pub mod integrations;
pub mod metrics;
pub mod notifier;
pub mod pagerduty;
pub mod preview;
pub mod retry;
pub mod sample;
pub mod slack;
pub mod template;
pub mod truncate;
pub mod webhook;

pub use data::{AlertData, NotificationData, Status};
pub use error::{AttemptError, BuildError, NotifyError, SetupError};
pub use integration::IntegrationId;
pub use integrations::Integrations;
pub use metrics::NotifyMetrics;
pub use notifier::Notifier;
pub use preview::{IntegrationPreview, Preview, PreviewError, PreviewField, render_preview};
pub use retry::DeliveryOptions;
pub use template::{LoadError, Templates};
