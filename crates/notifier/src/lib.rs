//! Alert delivery to Alertmanagers, as Prometheus 2.42's notifier does it.
//!
//! [`config`] reads prometheus.yml's `alerting:` section; [`targets`] turns discovered
//! Alertmanagers (static and file SD, from promconfig) into push URLs after
//! `relabel_configs`; [`Notifier`] applies external labels and `alert_relabel_configs` to every
//! [`Alert`], keeps a bounded [`queue`], and a background task POSTs batches of at most 64
//! alerts as JSON to `/api/v2/alerts` of every Alertmanager at once ([`sender`]). In-process
//! receivers ([`AlertSink`]) get the same alerts. When to send (resend delay, resolved
//! retention, `endsAt`) is the rules crate's business (`rules::group`).

pub mod alert;
pub mod config;
mod metrics;
pub mod notifier;
pub mod queue;
pub mod sender;
pub mod status;
pub mod targets;
pub mod time;

pub use alert::{Alert, relabel_alerts};
pub use config::{AlertingConfig, AlertmanagerConfig, AlertmanagerSet, ApiVersion, ConfigError, NotifierConfig};
pub use notifier::{AlertSink, MAX_BATCH_SIZE, Notifier, NotifierError, Options};
pub use status::{AlertmanagerUrl, AlertmanagersStatus};
