//! The receiver integrations Vigil implements — webhook, Slack, PagerDuty (Events API v2 and
//! v1 service keys) and e-mail — with Alertmanager 0.25's fields and defaults. After
//! [`crate::config::load_str`] every optional field Alertmanager fills from `global` is filled
//! (`http_config`, Slack `api_url`, PagerDuty `url`, the e-mail SMTP settings and headers), so the
//! `receivers` crate can use these values as they are. Text fields hold Go templates, rendered
//! per notification; their defaults name Alertmanager's default templates.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::types::{HostPort, HttpConfig, Secret, TlsConfig, Url};

fn yes() -> bool {
    true
}

fn tmpl(name: &str) -> String {
    format!("{{{{ template \"{name}\" . }}}}")
}

/// `webhook_configs` entry: POSTs Alertmanager's webhook JSON to `url`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    #[serde(default = "yes")]
    pub send_resolved: bool,
    /// Always set after loading (the global `http_config` when the receiver has none).
    pub http_config: Option<HttpConfig>,
    pub url: Option<Url>,
    /// A file holding the URL (read at send time); exclusive with `url`.
    pub url_file: Option<String>,
    /// At most this many alerts per message (0: all); the rest are counted in `truncatedAlerts`.
    #[serde(default)]
    pub max_alerts: u64,
}

/// `slack_configs` entry: Slack's incoming-webhook (or chat.postMessage) attachment message.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    #[serde(default)]
    pub send_resolved: bool,
    /// Always set after loading.
    pub http_config: Option<HttpConfig>,
    /// Set after loading unless `api_url_file` is (from `global.slack_api_url(_file)` when absent).
    pub api_url: Option<Url>,
    pub api_url_file: Option<String>,
    #[serde(default)]
    pub channel: String,
    #[serde(default = "slack_username")]
    pub username: String,
    #[serde(default = "slack_color")]
    pub color: String,
    #[serde(default = "slack_title")]
    pub title: String,
    #[serde(default = "slack_title_link")]
    pub title_link: String,
    #[serde(default = "slack_pretext")]
    pub pretext: String,
    #[serde(default = "slack_text")]
    pub text: String,
    #[serde(default)]
    pub fields: Vec<SlackField>,
    #[serde(default)]
    pub short_fields: bool,
    #[serde(default = "slack_footer")]
    pub footer: String,
    #[serde(default = "slack_fallback")]
    pub fallback: String,
    #[serde(default = "slack_callback_id")]
    pub callback_id: String,
    #[serde(default = "slack_icon_emoji")]
    pub icon_emoji: String,
    #[serde(default = "slack_icon_url")]
    pub icon_url: String,
    #[serde(default)]
    pub image_url: String,
    #[serde(default)]
    pub thumb_url: String,
    #[serde(default)]
    pub link_names: bool,
    #[serde(default)]
    pub mrkdwn_in: Vec<String>,
    #[serde(default)]
    pub actions: Vec<SlackAction>,
}

fn slack_username() -> String {
    tmpl("slack.default.username")
}
fn slack_color() -> String {
    r#"{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}"#.into()
}
fn slack_title() -> String {
    tmpl("slack.default.title")
}
fn slack_title_link() -> String {
    tmpl("slack.default.titlelink")
}
fn slack_pretext() -> String {
    tmpl("slack.default.pretext")
}
fn slack_text() -> String {
    tmpl("slack.default.text")
}
fn slack_footer() -> String {
    tmpl("slack.default.footer")
}
fn slack_fallback() -> String {
    tmpl("slack.default.fallback")
}
fn slack_callback_id() -> String {
    tmpl("slack.default.callbackid")
}
fn slack_icon_emoji() -> String {
    tmpl("slack.default.iconemoji")
}
fn slack_icon_url() -> String {
    tmpl("slack.default.iconurl")
}

/// A Slack attachment field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackField {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub value: String,
    /// `None`: use the config's `short_fields`.
    pub short: Option<bool>,
}

/// A Slack attachment action (a button linking to `url`, or an interactive `name`/`value`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackAction {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub style: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
    pub confirm: Option<SlackConfirmationField>,
}

/// The confirmation dialog of a Slack action.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfirmationField {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub ok_text: String,
    #[serde(default)]
    pub dismiss_text: String,
}

/// `pagerduty_configs` entry: Events API v2 with `routing_key`, v1 with `service_key`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerdutyConfig {
    #[serde(default = "yes")]
    pub send_resolved: bool,
    /// Always set after loading.
    pub http_config: Option<HttpConfig>,
    pub service_key: Option<Secret>,
    pub service_key_file: Option<String>,
    pub routing_key: Option<Secret>,
    pub routing_key_file: Option<String>,
    /// Always set after loading (`global.pagerduty_url` when absent).
    pub url: Option<Url>,
    #[serde(default = "pd_client")]
    pub client: String,
    #[serde(default = "pd_client_url")]
    pub client_url: String,
    #[serde(default = "pd_description")]
    pub description: String,
    /// Includes Alertmanager's default `firing`, `resolved`, `num_firing`, `num_resolved`
    /// entries unless the config sets those keys.
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    #[serde(default)]
    pub images: Vec<PagerdutyImage>,
    #[serde(default)]
    pub links: Vec<PagerdutyLink>,
    /// Defaults to `client` after loading.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub component: String,
    #[serde(default)]
    pub group: String,
}

fn pd_client() -> String {
    tmpl("pagerduty.default.client")
}
fn pd_client_url() -> String {
    tmpl("pagerduty.default.clientURL")
}
fn pd_description() -> String {
    tmpl("pagerduty.default.description")
}

/// Alertmanager's default PagerDuty `details`.
pub fn default_pagerduty_details() -> BTreeMap<String, String> {
    [
        ("firing", r#"{{ template "pagerduty.default.instances" .Alerts.Firing }}"#),
        ("resolved", r#"{{ template "pagerduty.default.instances" .Alerts.Resolved }}"#),
        ("num_firing", "{{ .Alerts.Firing | len }}"),
        ("num_resolved", "{{ .Alerts.Resolved | len }}"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A PagerDuty event link.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerdutyLink {
    #[serde(default)]
    pub href: String,
    #[serde(default)]
    pub text: String,
}

/// A PagerDuty event image.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerdutyImage {
    #[serde(default)]
    pub src: String,
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub href: String,
}

/// `email_configs` entry: one message over SMTP (STARTTLS when `require_tls`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    #[serde(default)]
    pub send_resolved: bool,
    #[serde(default)]
    pub to: String,
    /// `global.smtp_from` when absent.
    #[serde(default)]
    pub from: String,
    /// `global.smtp_hello` when absent.
    #[serde(default)]
    pub hello: String,
    /// `global.smtp_smarthost` when absent.
    #[serde(default)]
    pub smarthost: HostPort,
    #[serde(default)]
    pub auth_username: String,
    pub auth_password: Option<Secret>,
    pub auth_password_file: Option<String>,
    pub auth_secret: Option<Secret>,
    #[serde(default)]
    pub auth_identity: String,
    /// Canonical MIME header names; `Subject`, `To` and `From` are always present after loading.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default = "email_html")]
    pub html: String,
    #[serde(default)]
    pub text: String,
    /// Always set after loading (`global.smtp_require_tls` when absent).
    pub require_tls: Option<bool>,
    #[serde(default)]
    pub tls_config: TlsConfig,
}

fn email_html() -> String {
    tmpl("email.default.html")
}

/// Alertmanager's default e-mail subject.
pub fn default_email_subject() -> String {
    tmpl("email.default.subject")
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: `content-type` → `Content-Type`.
pub fn canonical_header(name: &str) -> String {
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return name.to_string();
    }
    let mut upper = true;
    name.chars()
        .map(|c| {
            let out = if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
            upper = c == '-';
            out
        })
        .collect()
}

/// Which integration of a receiver a notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationKind {
    Webhook,
    Slack,
    Pagerduty,
    Email,
}

impl IntegrationKind {
    /// Alertmanager's integration name (`webhook`, `slack`, `pagerduty`, `email`), as used in the
    /// `integration` label of `alertmanager_notifications_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationKind::Webhook => "webhook",
            IntegrationKind::Slack => "slack",
            IntegrationKind::Pagerduty => "pagerduty",
            IntegrationKind::Email => "email",
        }
    }
}

/// One integration's configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum IntegrationConfig {
    Webhook(WebhookConfig),
    Slack(SlackConfig),
    Pagerduty(PagerdutyConfig),
    Email(EmailConfig),
}

impl IntegrationConfig {
    pub fn kind(&self) -> IntegrationKind {
        match self {
            IntegrationConfig::Webhook(_) => IntegrationKind::Webhook,
            IntegrationConfig::Slack(_) => IntegrationKind::Slack,
            IntegrationConfig::Pagerduty(_) => IntegrationKind::Pagerduty,
            IntegrationConfig::Email(_) => IntegrationKind::Email,
        }
    }

    /// Whether resolved alerts are sent (each kind has its own default).
    pub fn send_resolved(&self) -> bool {
        match self {
            IntegrationConfig::Webhook(c) => c.send_resolved,
            IntegrationConfig::Slack(c) => c.send_resolved,
            IntegrationConfig::Pagerduty(c) => c.send_resolved,
            IntegrationConfig::Email(c) => c.send_resolved,
        }
    }
}

/// A receiver with its integrations, global defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Receiver {
    pub name: String,
    pub webhook_configs: Vec<WebhookConfig>,
    pub slack_configs: Vec<SlackConfig>,
    pub pagerduty_configs: Vec<PagerdutyConfig>,
    pub email_configs: Vec<EmailConfig>,
    /// Integration kinds the file configures that Vigil does not implement (`opsgenie_configs`…);
    /// they load, are named in a warning, and send nothing.
    pub unsupported: Vec<&'static str>,
}

impl Receiver {
    /// Every implemented integration with its index within its kind, in Alertmanager's order
    /// (the index is part of the notification log's key, as in Alertmanager).
    pub fn integrations(&self) -> Vec<(usize, IntegrationConfig)> {
        let mut out = Vec::new();
        out.extend(self.email_configs.iter().cloned().map(IntegrationConfig::Email).enumerate());
        out.extend(self.pagerduty_configs.iter().cloned().map(IntegrationConfig::Pagerduty).enumerate());
        out.extend(self.slack_configs.iter().cloned().map(IntegrationConfig::Slack).enumerate());
        out.extend(self.webhook_configs.iter().cloned().map(IntegrationConfig::Webhook).enumerate());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_headers() {
        assert_eq!(canonical_header("subject"), "Subject");
        assert_eq!(canonical_header("content-TYPE"), "Content-Type");
        assert_eq!(canonical_header("x-priority"), "X-Priority");
        assert_eq!(canonical_header("weird header"), "weird header");
    }

    #[test]
    fn default_templates_name_alertmanagers() {
        assert_eq!(slack_title(), r#"{{ template "slack.default.title" . }}"#);
        assert_eq!(default_email_subject(), r#"{{ template "email.default.subject" . }}"#);
        assert_eq!(default_pagerduty_details().len(), 4);
    }
}
