//! The Slack integration: one attachment message to an incoming webhook (or
//! `chat.postMessage`), with Alertmanager 0.25's fields, omissions and defaults — `mrkdwn_in`
//! defaults to fallback/pretext/text, the title is cut at 1024 characters, fields get the
//! config's `short_fields` unless they say otherwise.

use alerting::config::receivers::SlackConfig;
use serde::Serialize;

use crate::error::{AttemptError, SetupError};
use crate::http::{self, HttpClient};
use crate::template::render::Renderer;
use crate::truncate::truncate_runes;

/// Slack's limit on attachment titles.
const MAX_TITLE_RUNES: usize = 1024;

#[derive(Serialize)]
struct Request {
    #[serde(skip_serializing_if = "String::is_empty")]
    channel: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    username: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    icon_emoji: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    icon_url: String,
    #[serde(skip_serializing_if = "is_false")]
    link_names: bool,
    attachments: Vec<Attachment>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize)]
struct Attachment {
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    title_link: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pretext: String,
    text: String,
    fallback: String,
    callback_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<Field>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    actions: Vec<Action>,
    #[serde(skip_serializing_if = "String::is_empty")]
    image_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    thumb_url: String,
    footer: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    color: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mrkdwn_in: Vec<String>,
}

#[derive(Serialize)]
struct Field {
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    value: String,
    short: bool,
}

#[derive(Serialize)]
struct Action {
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    style: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm: Option<Confirm>,
}

#[derive(Serialize)]
struct Confirm {
    #[serde(skip_serializing_if = "String::is_empty")]
    text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    ok_text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    dismiss_text: String,
}

/// One `slack_configs` entry.
pub struct Slack {
    config: SlackConfig,
    http: HttpClient,
}

impl Slack {
    pub fn new(config: &SlackConfig) -> Result<Slack, SetupError> {
        if config.api_url.is_none() && config.api_url_file.is_none() {
            return Err(SetupError::NoSlackUrl);
        }
        Ok(Slack { config: config.clone(), http: HttpClient::new(config.http_config.as_ref())? })
    }

    /// Renders the message's fields; template failures are recorded in `r`.
    pub fn prepare(&self, r: &mut Renderer<'_>) -> Result<String, AttemptError> {
        let c = &self.config;
        let mrkdwn_in = if c.mrkdwn_in.is_empty() {
            vec!["fallback".into(), "pretext".into(), "text".into()]
        } else {
            c.mrkdwn_in.clone()
        };
        let title = truncate_runes(&r.text("title", &c.title), MAX_TITLE_RUNES);
        let attachment = Attachment {
            title,
            title_link: r.text("title_link", &c.title_link),
            pretext: r.text("pretext", &c.pretext),
            text: r.text("text", &c.text),
            fallback: r.text("fallback", &c.fallback),
            callback_id: r.text("callback_id", &c.callback_id),
            image_url: r.text("image_url", &c.image_url),
            thumb_url: r.text("thumb_url", &c.thumb_url),
            footer: r.text("footer", &c.footer),
            color: r.text("color", &c.color),
            mrkdwn_in,
            fields: self.fields(r),
            actions: self.actions(r),
        };
        let request = Request {
            channel: r.text("channel", &c.channel),
            username: r.text("username", &c.username),
            icon_emoji: r.text("icon_emoji", &c.icon_emoji),
            icon_url: r.text("icon_url", &c.icon_url),
            link_names: c.link_names,
            attachments: vec![attachment],
        };
        crate::encoding::go_json(&request)
            .map_err(|e| AttemptError::Config(format!("cannot encode Slack message: {e}")))
    }

    fn fields(&self, r: &mut Renderer<'_>) -> Vec<Field> {
        let c = &self.config;
        c.fields
            .iter()
            .enumerate()
            .map(|(i, f)| Field {
                title: r.text(&format!("fields[{i}].title"), &f.title),
                value: r.text(&format!("fields[{i}].value"), &f.value),
                short: f.short.unwrap_or(c.short_fields),
            })
            .collect()
    }

    fn actions(&self, r: &mut Renderer<'_>) -> Vec<Action> {
        self.config
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut t = |field: &str, text: &str| r.text(&format!("actions[{i}].{field}"), text);
                Action {
                    kind: t("type", &a.kind),
                    text: t("text", &a.text),
                    url: t("url", &a.url),
                    style: t("style", &a.style),
                    name: t("name", &a.name),
                    value: t("value", &a.value),
                    confirm: a.confirm.as_ref().map(|cf| Confirm {
                        title: t("confirm.title", &cf.title),
                        text: t("confirm.text", &cf.text),
                        ok_text: t("confirm.ok_text", &cf.ok_text),
                        dismiss_text: t("confirm.dismiss_text", &cf.dismiss_text),
                    }),
                }
            })
            .collect()
    }

    /// Posts a prepared message: 2xx succeeds, 5xx is retried (Slack's documented contract).
    pub async fn send(&self, body: String) -> Result<(), AttemptError> {
        let url = match (&self.config.api_url, &self.config.api_url_file) {
            (Some(u), _) => u.as_str().to_string(),
            (None, Some(file)) => http::read_secret_file(file)?,
            (None, None) => return Err(AttemptError::Config("no Slack API URL".into())),
        };
        let resp = self.http.post_json(&url, body).await?;
        http::check(&resp, &[], http::body_details)
    }
}
