//! The PagerDuty integration. Events API v2 (`routing_key`): `trigger` while any alert fires,
//! `resolve` once all resolved, both with `dedup_key` = SHA-256 of the group key so PagerDuty
//! ties them to one incident; the summary is cut at 1024 characters; an event over 512 kB
//! loses its custom details. The legacy v1 API (`service_key`) is supported the same way, as
//! Alertmanager 0.25 still does. 429 (v2) and 403 (v1) are PagerDuty's rate limits: retried.

use std::collections::BTreeMap;

use alerting::config::receivers::{PagerdutyConfig, default_pagerduty_details};
use serde::Serialize;

use crate::data::{NotificationData, Status};
use crate::encoding::{go_json, sha256_hex};
use crate::error::{AttemptError, SetupError};
use crate::http::{self, HttpClient, Response};
use crate::template::render::Renderer;
use crate::truncate::truncate_runes;

const MAX_EVENT_BYTES: usize = 512_000;
const MAX_SUMMARY_RUNES: usize = 1024;
const MAX_V1_DESCRIPTION_RUNES: usize = 1024;
/// What replaces custom details that make an event too large.
const DETAILS_REMOVED: &str =
    "Custom details have been removed because the original event exceeds the maximum size of 512kB";

#[derive(Serialize, Default)]
struct Message {
    #[serde(skip_serializing_if = "String::is_empty")]
    routing_key: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    service_key: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    dedup_key: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    incident_key: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    event_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    event_action: String,
    payload: Option<Payload>,
    #[serde(skip_serializing_if = "String::is_empty")]
    client: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    client_url: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    images: Vec<Image>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
}

#[derive(Serialize)]
struct Payload {
    summary: String,
    source: String,
    severity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    class: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    component: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    group: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    custom_details: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Image {
    src: String,
    alt: String,
    href: String,
}

#[derive(Serialize)]
struct Link {
    href: String,
    text: String,
}

/// Which events API a config uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    V1,
    V2,
}

/// One `pagerduty_configs` entry.
pub struct Pagerduty {
    config: PagerdutyConfig,
    api: Api,
    url: String,
    http: HttpClient,
}

impl Pagerduty {
    /// `v1_url` is where `service_key` events go.
    pub fn new(config: &PagerdutyConfig, v1_url: &str) -> Result<Pagerduty, SetupError> {
        let v1 = config.service_key.is_some() || config.service_key_file.is_some();
        let v2 = config.routing_key.is_some() || config.routing_key_file.is_some();
        let (api, url) = match (v1, v2) {
            (true, _) => (Api::V1, v1_url.to_string()),
            (false, true) => {
                let url = config.url.as_ref().map(|u| u.as_str().to_string()).ok_or(SetupError::NoPagerdutyUrl)?;
                (Api::V2, url)
            }
            (false, false) => return Err(SetupError::NoPagerdutyKey),
        };
        let mut config = config.clone();
        for (k, v) in default_pagerduty_details() {
            config.details.entry(k).or_insert(v);
        }
        if config.source.is_empty() {
            config.source = config.client.clone();
        }
        let http = HttpClient::new(config.http_config.as_ref())?;
        Ok(Pagerduty { config, api, url, http })
    }

    /// Renders the event (trigger or resolve) for `data`; template failures are recorded in `r`.
    /// `mask` replaces the routing or service key with `(secret)` (previews).
    pub fn prepare(&self, r: &mut Renderer<'_>, data: &NotificationData, mask: bool) -> Result<String, AttemptError> {
        let c = &self.config;
        let resolve = data.status() == Status::Resolved;
        let key = sha256_hex(&data.group_key);
        let details: BTreeMap<String, String> =
            c.details.iter().map(|(k, v)| (k.clone(), r.text(&format!("details.{k}"), v))).collect();
        let mut msg = match self.api {
            Api::V1 => {
                let service_key = key_value(c.service_key.as_ref(), c.service_key_file.as_deref())?;
                let mut m = Message {
                    service_key: r.text("service_key", &service_key),
                    event_type: if resolve { "resolve" } else { "trigger" }.into(),
                    incident_key: key,
                    description: truncate_runes(&r.text("description", &c.description), MAX_V1_DESCRIPTION_RUNES),
                    details,
                    ..Message::default()
                };
                if !resolve {
                    m.client = r.text("client", &c.client);
                    m.client_url = r.text("client_url", &c.client_url);
                }
                m
            }
            Api::V2 => self.v2_message(r, key, resolve, details)?,
        };
        let key_missing = match self.api {
            Api::V1 => msg.service_key.is_empty(),
            Api::V2 => msg.routing_key.is_empty(),
        };
        if key_missing && r.first_error().is_none() {
            let which = if self.api == Api::V1 { "service key" } else { "routing key" };
            return Err(AttemptError::Config(format!("{which} cannot be empty")));
        }
        if mask {
            for key in [&mut msg.routing_key, &mut msg.service_key] {
                if !key.is_empty() {
                    *key = "(secret)".into();
                }
            }
        }
        let mut body = encode(&msg)?;
        if body.len() > MAX_EVENT_BYTES {
            let removed = BTreeMap::from([("error".to_string(), DETAILS_REMOVED.to_string())]);
            match (&mut msg.payload, self.api) {
                (Some(p), Api::V2) => p.custom_details = removed,
                _ => msg.details = removed,
            }
            tracing::warn!(bytes = body.len(), "PagerDuty event too large: custom details removed");
            body = encode(&msg)?;
        }
        Ok(body)
    }

    fn v2_message(
        &self,
        r: &mut Renderer<'_>,
        key: String,
        resolve: bool,
        details: BTreeMap<String, String>,
    ) -> Result<Message, AttemptError> {
        let c = &self.config;
        let routing_key = key_value(c.routing_key.as_ref(), c.routing_key_file.as_deref())?;
        let severity = if c.severity.is_empty() { "error" } else { c.severity.as_str() };
        let images = c
            .images
            .iter()
            .enumerate()
            .map(|(i, im)| Image {
                src: r.text(&format!("images[{i}].src"), &im.src),
                alt: r.text(&format!("images[{i}].alt"), &im.alt),
                href: r.text(&format!("images[{i}].href"), &im.href),
            })
            .filter(|im| !im.src.is_empty())
            .collect();
        let links = c
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| Link {
                href: r.text(&format!("links[{i}].href"), &l.href),
                text: r.text(&format!("links[{i}].text"), &l.text),
            })
            .filter(|l| !l.href.is_empty())
            .collect();
        Ok(Message {
            client: r.text("client", &c.client),
            client_url: r.text("client_url", &c.client_url),
            routing_key: r.text("routing_key", &routing_key),
            event_action: if resolve { "resolve" } else { "trigger" }.into(),
            dedup_key: key,
            images,
            links,
            payload: Some(Payload {
                summary: truncate_runes(&r.text("description", &c.description), MAX_SUMMARY_RUNES),
                source: r.text("source", &c.source),
                severity: r.text("severity", severity),
                custom_details: details,
                class: r.text("class", &c.class),
                component: r.text("component", &c.component),
                group: r.text("group", &c.group),
            }),
            ..Message::default()
        })
    }

    /// Posts a prepared event; PagerDuty answers 202 when it accepted it.
    pub async fn send(&self, body: String) -> Result<(), AttemptError> {
        let resp = self.http.post_json(&self.url, body).await?;
        let retry_codes: &[u16] = if self.api == Api::V1 { &[403] } else { &[429] };
        http::check(&resp, retry_codes, error_details)
    }
}

fn key_value(inline: Option<&alerting::config::types::Secret>, file: Option<&str>) -> Result<String, AttemptError> {
    match (inline, file) {
        (Some(k), _) => Ok(k.expose().to_string()),
        (None, Some(path)) => http::read_secret_file(path),
        (None, None) => Ok(String::new()),
    }
}

fn encode(msg: &Message) -> Result<String, AttemptError> {
    go_json(msg).map_err(|e| AttemptError::Config(format!("failed to encode PagerDuty message: {e}")))
}

/// PagerDuty explains a 400 in JSON (`{"message": …, "errors": […]}`); other answers have no
/// useful body.
fn error_details(resp: &Response) -> String {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(default)]
        message: String,
        #[serde(default)]
        errors: Vec<String>,
    }
    if resp.status != 400 {
        return String::new();
    }
    match serde_json::from_str::<Answer>(&resp.body) {
        Ok(a) => format!("{}: {}", a.message, a.errors.join(",")),
        Err(_) => String::new(),
    }
}
