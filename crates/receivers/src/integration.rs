//! One configured integration: built from its config, it renders what it would send for a
//! notification (the same path for sending and for previews) and sends it in one attempt.

use std::borrow::Cow;
use std::fmt;

use alerting::config::receivers::{IntegrationConfig, IntegrationKind};

use crate::data::NotificationData;
use crate::email::{Email, Mail};
use crate::error::{AttemptError, BuildError};
use crate::pagerduty::Pagerduty;
use crate::retry::DeliveryOptions;
use crate::slack::Slack;
use crate::template::Templates;
use crate::template::render::{RenderedField, Renderer};
use crate::webhook::Webhook;

/// Which integration of a receiver: its kind and its index among the receiver's integrations
/// of that kind (`slack[1]`), as Alertmanager names them in logs and the notification log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntegrationId {
    pub kind: IntegrationKind,
    pub index: usize,
}

impl fmt::Display for IntegrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.kind.as_str(), self.index)
    }
}

enum Kind {
    Webhook(Webhook),
    Slack(Slack),
    Pagerduty(Pagerduty),
    Email(Email),
}

/// What an integration would send.
pub(crate) enum Prepared {
    /// A JSON body for the integration's URL.
    Http(String),
    Mail(Mail),
}

impl Prepared {
    /// The body or message as text.
    pub fn text(&self) -> &str {
        match self {
            Prepared::Http(body) => body,
            Prepared::Mail(mail) => &mail.message,
        }
    }
}

pub(crate) struct Integration {
    pub id: IntegrationId,
    pub send_resolved: bool,
    kind: Kind,
}

impl Integration {
    pub fn new(
        id: IntegrationId,
        config: &IntegrationConfig,
        options: &DeliveryOptions,
    ) -> Result<Integration, BuildError> {
        let kind = match config {
            IntegrationConfig::Webhook(c) => Webhook::new(c).map(Kind::Webhook),
            IntegrationConfig::Slack(c) => Slack::new(c).map(Kind::Slack),
            IntegrationConfig::Pagerduty(c) => Pagerduty::new(c, &options.pagerduty_v1_url).map(Kind::Pagerduty),
            IntegrationConfig::Email(c) => Email::new(c).map(Kind::Email),
        }
        .map_err(|error| BuildError { integration: id.to_string(), error })?;
        Ok(Integration { id, send_resolved: config.send_resolved(), kind })
    }

    /// The alerts this integration sends of `data`: all, or without `send_resolved` only the
    /// firing ones — and nothing when none fires (Alertmanager then counts the notification
    /// as done without sending).
    pub fn select<'a>(&self, data: &'a NotificationData) -> Option<Cow<'a, NotificationData>> {
        if self.send_resolved {
            return Some(Cow::Borrowed(data));
        }
        if !data.has_firing() {
            return None;
        }
        Some(Cow::Owned(data.firing_only()))
    }

    /// Renders every templated field and the request; `mask_secrets` replaces keys in the
    /// request with `(secret)` (for previews).
    pub fn prepare(
        &self,
        templates: &Templates,
        data: &NotificationData,
        now_nanos: i64,
        mask_secrets: bool,
    ) -> (Vec<RenderedField>, Result<Prepared, AttemptError>) {
        let mut r = Renderer::new(templates, data, &self.id.to_string(), now_nanos.div_euclid(1_000_000));
        let prepared = match &self.kind {
            Kind::Webhook(w) => w.prepare(data).map(Prepared::Http),
            Kind::Slack(s) => s.prepare(&mut r).map(Prepared::Http),
            Kind::Pagerduty(p) => p.prepare(&mut r, data, mask_secrets).map(Prepared::Http),
            Kind::Email(e) => e.prepare(&mut r, now_nanos).map(Prepared::Mail),
        };
        (r.into_fields(), prepared)
    }

    /// One delivery attempt: render, then send. Template errors fail the attempt for good.
    pub async fn attempt(&self, templates: &Templates, data: &NotificationData) -> Result<(), AttemptError> {
        let (fields, prepared) = self.prepare(templates, data, now_nanos(), false);
        if let Some(RenderedField { field, result: Err(source) }) = fields.into_iter().find(|f| f.result.is_err()) {
            return Err(AttemptError::Template { field, source: Box::new(source) });
        }
        match (&self.kind, prepared?) {
            (Kind::Webhook(w), Prepared::Http(body)) => w.send(body).await,
            (Kind::Slack(s), Prepared::Http(body)) => s.send(body).await,
            (Kind::Pagerduty(p), Prepared::Http(body)) => p.send(body).await,
            (Kind::Email(e), Prepared::Mail(mail)) => e.send(&mail).await,
            _ => Err(AttemptError::Config(format!("BUG: {} prepared a request of another integration", self.id))),
        }
    }
}

/// The current time in Unix nanoseconds.
pub(crate) fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}
