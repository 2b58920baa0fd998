//! The serde shape of alertmanager.yml, field for field as Alertmanager 0.25 reads it, and the
//! step that applies `global` defaults to each receiver's integrations.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::problem::ConfigProblem;
use super::receivers::{
    EmailConfig, PagerdutyConfig, Receiver, SlackConfig, WebhookConfig, canonical_header, default_email_subject,
    default_pagerduty_details,
};
use super::types::{HostPort, HttpConfig, Secret, Url, UrlCheck, check_url};
use crate::duration::Duration;
use crate::timeinterval::TimeInterval;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub global: Option<Spanned<GlobalConfig>>,
    pub route: Option<Spanned<RouteConfig>>,
    #[serde(default)]
    pub inhibit_rules: Vec<Spanned<InhibitRuleConfig>>,
    #[serde(default)]
    pub receivers: Vec<Spanned<RawReceiver>>,
    #[serde(default)]
    pub templates: Vec<String>,
    #[serde(default)]
    pub mute_time_intervals: Vec<Spanned<NamedIntervals>>,
    #[serde(default)]
    pub time_intervals: Vec<Spanned<NamedIntervals>>,
    /// Vigil's own section (escalations, recurring silences); see [`super::vigil`].
    pub vigil: Option<Spanned<super::vigil::RawVigil>>,
}

/// Just `global:`, the rest skipped: read first so its errors keep document order.
#[derive(Deserialize)]
pub(crate) struct GlobalOnly {
    pub global: Option<Spanned<GlobalConfig>>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// `time_intervals:` / `mute_time_intervals:` entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NamedIntervals {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub time_intervals: Vec<TimeInterval>,
}

/// `global:` with Alertmanager's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalConfig {
    /// How long an alert without `endsAt` stays firing after its last update (default 5m).
    #[serde(default = "default_resolve_timeout")]
    pub resolve_timeout: Duration,
    #[serde(default)]
    pub http_config: HttpConfig,
    #[serde(default)]
    pub smtp_from: String,
    #[serde(default = "default_hello")]
    pub smtp_hello: String,
    #[serde(default)]
    pub smtp_smarthost: HostPort,
    #[serde(default)]
    pub smtp_auth_username: String,
    pub smtp_auth_password: Option<Secret>,
    pub smtp_auth_password_file: Option<String>,
    pub smtp_auth_secret: Option<Secret>,
    #[serde(default)]
    pub smtp_auth_identity: String,
    #[serde(default = "yes")]
    pub smtp_require_tls: bool,
    pub slack_api_url: Option<Url>,
    pub slack_api_url_file: Option<String>,
    #[serde(default = "default_pagerduty_url")]
    pub pagerduty_url: Url,
    /// Settings of integrations Vigil does not implement: accepted so files load.
    #[serde(default)]
    pub opsgenie_api_url: Option<String>,
    #[serde(default)]
    pub opsgenie_api_key: Option<Secret>,
    #[serde(default)]
    pub opsgenie_api_key_file: Option<String>,
    #[serde(default)]
    pub wechat_api_url: Option<String>,
    #[serde(default)]
    pub wechat_api_secret: Option<Secret>,
    #[serde(default)]
    pub wechat_api_corp_id: Option<String>,
    #[serde(default)]
    pub victorops_api_url: Option<String>,
    #[serde(default)]
    pub victorops_api_key: Option<Secret>,
    #[serde(default)]
    pub victorops_api_key_file: Option<String>,
    #[serde(default)]
    pub telegram_api_url: Option<String>,
    #[serde(default)]
    pub webex_api_url: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_resolve_timeout() -> Duration {
    Duration(300_000)
}

fn default_hello() -> String {
    "localhost".into()
}

fn default_pagerduty_url() -> Url {
    Url::new("https://events.pagerduty.com/v2/enqueue")
}

impl Default for GlobalConfig {
    fn default() -> Self {
        GlobalConfig {
            resolve_timeout: default_resolve_timeout(),
            http_config: HttpConfig::default(),
            smtp_from: String::new(),
            smtp_hello: default_hello(),
            smtp_smarthost: HostPort::default(),
            smtp_auth_username: String::new(),
            smtp_auth_password: None,
            smtp_auth_password_file: None,
            smtp_auth_secret: None,
            smtp_auth_identity: String::new(),
            smtp_require_tls: true,
            slack_api_url: None,
            slack_api_url_file: None,
            pagerduty_url: default_pagerduty_url(),
            opsgenie_api_url: None,
            opsgenie_api_key: None,
            opsgenie_api_key_file: None,
            wechat_api_url: None,
            wechat_api_secret: None,
            wechat_api_corp_id: None,
            victorops_api_url: None,
            victorops_api_key: None,
            victorops_api_key_file: None,
            telegram_api_url: None,
            webex_api_url: None,
        }
    }
}

/// One `route:` node as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    pub receiver: Option<String>,
    pub group_by: Option<Vec<String>>,
    #[serde(rename = "match", default)]
    pub match_: BTreeMap<String, String>,
    #[serde(default)]
    pub match_re: BTreeMap<String, String>,
    #[serde(default)]
    pub matchers: Vec<String>,
    #[serde(default)]
    pub mute_time_intervals: Vec<String>,
    #[serde(default)]
    pub active_time_intervals: Vec<String>,
    #[serde(rename = "continue", default)]
    pub continue_: bool,
    #[serde(default)]
    pub routes: Vec<Spanned<RouteConfig>>,
    pub group_wait: Option<Duration>,
    pub group_interval: Option<Duration>,
    pub repeat_interval: Option<Duration>,
}

/// One `inhibit_rules:` entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InhibitRuleConfig {
    #[serde(default)]
    pub source_match: BTreeMap<String, String>,
    #[serde(default)]
    pub source_match_re: BTreeMap<String, String>,
    #[serde(default)]
    pub source_matchers: Vec<String>,
    #[serde(default)]
    pub target_match: BTreeMap<String, String>,
    #[serde(default)]
    pub target_match_re: BTreeMap<String, String>,
    #[serde(default)]
    pub target_matchers: Vec<String>,
    #[serde(default)]
    pub equal: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReceiver {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    webhook_configs: Vec<WebhookConfig>,
    #[serde(default)]
    slack_configs: Vec<SlackConfig>,
    #[serde(default)]
    pagerduty_configs: Vec<PagerdutyConfig>,
    #[serde(default)]
    email_configs: Vec<EmailConfig>,
    discord_configs: Option<IgnoredAny>,
    opsgenie_configs: Option<IgnoredAny>,
    wechat_configs: Option<IgnoredAny>,
    pushover_configs: Option<IgnoredAny>,
    victorops_configs: Option<IgnoredAny>,
    sns_configs: Option<IgnoredAny>,
    telegram_configs: Option<IgnoredAny>,
    webex_configs: Option<IgnoredAny>,
    msteams_configs: Option<IgnoredAny>,
}

fn problem(p: ConfigProblem) -> (u64, String) {
    (0, p.to_string())
}

fn check_url_field(field: &str, url: &Url, warnings: &mut Vec<String>, receiver: &str) -> Result<(), (u64, String)> {
    match check_url(field, url.as_str()) {
        Ok(UrlCheck::Valid) => Ok(()),
        Ok(UrlCheck::Placeholder) => {
            warnings.push(format!(
                "receiver {receiver:?}: {field} {:?} is not a URL; notifications through it will fail",
                url.as_str()
            ));
            Ok(())
        }
        Err(m) => Err((url.line(), m.to_string())),
    }
}

fn http_or_global(h: &mut Option<HttpConfig>, global: &GlobalConfig, what: &str) -> Result<(), ConfigProblem> {
    match h {
        Some(h) => {
            h.validate().map_err(|source| ConfigProblem::HttpConfig { what: what.to_string(), source })?;
        }
        None => *h = Some(global.http_config.clone()),
    }
    Ok(())
}

/// Validates a receiver's integrations and fills what Alertmanager takes from `global`. Errors
/// carry the line of the offending value when known (0: the receiver's line).
pub(crate) fn build_receiver(
    r: RawReceiver,
    g: &GlobalConfig,
    warnings: &mut Vec<String>,
) -> Result<Receiver, (u64, String)> {
    let name = r.name.clone();
    let mut webhooks = r.webhook_configs;
    for (i, w) in webhooks.iter_mut().enumerate() {
        let what = format!("webhook_configs[{i}]");
        match (&w.url, &w.url_file) {
            (None, None) => return Err((0, format!("{what}: missing URL in webhook config (set url or url_file)"))),
            (Some(_), Some(_)) => return Err((0, format!("{what}: at most one of url & url_file must be configured"))),
            (Some(u), None) => check_url_field(&format!("{what}.url"), u, warnings, &name)?,
            (None, Some(_)) => {}
        }
        http_or_global(&mut w.http_config, g, &what).map_err(problem)?;
    }
    let mut slacks = r.slack_configs;
    for (i, s) in slacks.iter_mut().enumerate() {
        let what = format!("slack_configs[{i}]");
        if s.api_url.is_some() && s.api_url_file.is_some() {
            return Err((0, format!("{what}: at most one of api_url & api_url_file must be configured")));
        }
        if s.api_url.is_none() && s.api_url_file.is_none() {
            if g.slack_api_url.is_none() && g.slack_api_url_file.is_none() {
                return Err((0, format!("{what}: no global Slack API URL set either inline or in a file")));
            }
            s.api_url = g.slack_api_url.clone();
            s.api_url_file = g.slack_api_url_file.clone();
        } else if let Some(u) = &s.api_url {
            check_url_field(&format!("{what}.api_url"), u, warnings, &name)?;
        }
        for a in &s.actions {
            if a.kind.is_empty() {
                return Err((0, format!("{what}: missing type in Slack action configuration")));
            }
            if a.text.is_empty() {
                return Err((0, format!("{what}: missing text in Slack action configuration")));
            }
            if a.url.is_empty() && a.name.is_empty() {
                return Err((0, format!("{what}: missing name or url in Slack action configuration")));
            }
            if a.confirm.as_ref().is_some_and(|c| c.text.is_empty()) {
                return Err((0, format!("{what}: missing text in Slack confirmation configuration")));
            }
        }
        for f in &s.fields {
            if f.title.is_empty() {
                return Err((0, format!("{what}: missing title in Slack field configuration")));
            }
            if f.value.is_empty() {
                return Err((0, format!("{what}: missing value in Slack field configuration")));
            }
        }
        http_or_global(&mut s.http_config, g, &what).map_err(problem)?;
    }
    let mut pds = r.pagerduty_configs;
    for (i, p) in pds.iter_mut().enumerate() {
        let what = format!("pagerduty_configs[{i}]");
        let empty = |s: &Option<Secret>| s.as_ref().is_none_or(Secret::is_empty);
        if empty(&p.routing_key)
            && empty(&p.service_key)
            && p.routing_key_file.is_none()
            && p.service_key_file.is_none()
        {
            return Err((0, format!("{what}: missing service or routing key in PagerDuty config")));
        }
        if !empty(&p.routing_key) && p.routing_key_file.is_some() {
            return Err((0, format!("{what}: at most one of routing_key & routing_key_file must be configured")));
        }
        if !empty(&p.service_key) && p.service_key_file.is_some() {
            return Err((0, format!("{what}: at most one of service_key & service_key_file must be configured")));
        }
        match &p.url {
            Some(u) => check_url_field(&format!("{what}.url"), u, warnings, &name)?,
            None => p.url = Some(g.pagerduty_url.clone()),
        }
        for (k, v) in default_pagerduty_details() {
            p.details.entry(k).or_insert(v);
        }
        if p.source.is_empty() {
            p.source = p.client.clone();
        }
        http_or_global(&mut p.http_config, g, &what).map_err(problem)?;
    }
    let mut emails = r.email_configs;
    for (i, e) in emails.iter_mut().enumerate() {
        apply_email_defaults(e, g).map_err(|m| (0, format!("email_configs[{i}]: {m}")))?;
    }
    let unsupported: Vec<&'static str> = [
        ("discord_configs", r.discord_configs.is_some()),
        ("opsgenie_configs", r.opsgenie_configs.is_some()),
        ("wechat_configs", r.wechat_configs.is_some()),
        ("pushover_configs", r.pushover_configs.is_some()),
        ("victorops_configs", r.victorops_configs.is_some()),
        ("sns_configs", r.sns_configs.is_some()),
        ("telegram_configs", r.telegram_configs.is_some()),
        ("webex_configs", r.webex_configs.is_some()),
        ("msteams_configs", r.msteams_configs.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, present)| present.then_some(k))
    .collect();
    if !unsupported.is_empty() {
        warnings.push(format!(
            "receiver {name:?}: {} not supported by Vigil; those integrations send nothing",
            unsupported.join(", ")
        ));
    }
    Ok(Receiver {
        name,
        webhook_configs: webhooks,
        slack_configs: slacks,
        pagerduty_configs: pds,
        email_configs: emails,
        unsupported,
    })
}

fn apply_email_defaults(e: &mut EmailConfig, g: &GlobalConfig) -> Result<(), ConfigProblem> {
    if e.to.is_empty() {
        return Err(ConfigProblem::EmailMissingTo);
    }
    let mut headers = BTreeMap::new();
    for (k, v) in std::mem::take(&mut e.headers) {
        let key = canonical_header(&k);
        if headers.insert(key.clone(), v).is_some() {
            return Err(ConfigProblem::EmailDuplicateHeader(key));
        }
    }
    if e.smarthost.is_empty() {
        if g.smtp_smarthost.is_empty() {
            return Err(ConfigProblem::EmailNoSmarthost);
        }
        e.smarthost = g.smtp_smarthost.clone();
    }
    if e.from.is_empty() {
        if g.smtp_from.is_empty() {
            return Err(ConfigProblem::EmailNoFrom);
        }
        e.from = g.smtp_from.clone();
    }
    if e.hello.is_empty() {
        e.hello = g.smtp_hello.clone();
    }
    if e.auth_username.is_empty() {
        e.auth_username = g.smtp_auth_username.clone();
    }
    if e.auth_password.as_ref().is_none_or(Secret::is_empty) && e.auth_password_file.is_none() {
        e.auth_password = g.smtp_auth_password.clone();
        e.auth_password_file = g.smtp_auth_password_file.clone();
    }
    if e.auth_password.as_ref().is_some_and(|p| !p.is_empty()) && e.auth_password_file.is_some() {
        return Err(ConfigProblem::EmailPasswordTwice);
    }
    if e.auth_secret.is_none() {
        e.auth_secret = g.smtp_auth_secret.clone();
    }
    if e.auth_identity.is_empty() {
        e.auth_identity = g.smtp_auth_identity.clone();
    }
    if e.require_tls.is_none() {
        e.require_tls = Some(g.smtp_require_tls);
    }
    headers.entry("Subject".into()).or_insert_with(default_email_subject);
    headers.entry("To".into()).or_insert_with(|| e.to.clone());
    headers.entry("From".into()).or_insert_with(|| e.from.clone());
    e.headers = headers;
    Ok(())
}
