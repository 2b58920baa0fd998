//! alertmanager.yml: read with Alertmanager 0.25's fields, defaults and validation, and turned
//! into what the rest of the crate runs — the route tree, compiled inhibit rules, receivers with
//! global defaults applied, and named time intervals. Unknown fields are errors with their line
//! (like Alertmanager's strict YAML); receiver kinds Vigil does not implement load and are named
//! in [`Config::warnings`]. Vigil's additions live under one top-level `vigil:` key
//! ([`vigil`]), which is validated here and left out of the text Alertmanager's tools are shown
//! ([`Config::original_yaml`]).

mod mask;
pub mod problem;
mod raw;
pub mod receivers;
pub mod strip;
pub mod types;
pub mod vigil;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_saphyr::Spanned;

use crate::inhibit::InhibitRule;
use crate::labels::is_valid_label_name;
use crate::matchers::{MatchOp, Matcher, Matchers, parse_matchers};
use crate::route::{Route, RouteOpts};
use crate::timeinterval::TimeInterval;

pub use problem::{AddressProblem, ConfigProblem, UrlProblem};
pub use raw::{GlobalConfig, InhibitRuleConfig, RouteConfig};
pub use receivers::Receiver;
use types::{UrlCheck, check_url};
pub use vigil::{EscalationLevel, EscalationPolicy, RecurringSilence, VigilConfig};

/// A configuration problem with the file and line it was found at (line 0: not tied to a line).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    pub origin: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.origin, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.origin, self.message)
        }
    }
}

/// A loaded, validated alertmanager.yml.
#[derive(Debug, Clone)]
pub struct Config {
    pub global: GlobalConfig,
    /// The route tree with every route's effective options.
    pub route: Route,
    pub inhibit_rules: Vec<InhibitRule>,
    pub receivers: Vec<Receiver>,
    /// Template file globs, relative ones resolved against the config file's directory.
    pub templates: Vec<String>,
    /// `time_intervals` and `mute_time_intervals` by name.
    pub time_intervals: BTreeMap<String, Vec<TimeInterval>>,
    /// Things that load but will not work as written (unsupported receiver kinds, placeholder
    /// URLs); the caller logs them.
    pub warnings: Vec<String>,
    /// The `vigil:` section: escalation policies and recurring silences.
    pub vigil: VigilConfig,
    /// The file without its `vigil:` section.
    original: String,
    /// The file as loaded.
    source: String,
    /// The `vigil:` section's own text.
    vigil_section: Option<String>,
}

impl Config {
    /// The file's text as loaded minus the `vigil:` section, for `/api/v2/status`
    /// (`config.original`): `amtool config routes` re-parses that text with Alertmanager's own
    /// loader, which would reject Vigil's key.
    pub fn original_yaml(&self) -> &str {
        &self.original
    }

    /// The file exactly as loaded, `vigil:` section included.
    pub fn source_yaml(&self) -> &str {
        &self.source
    }

    /// The text of the `vigil:` section as written (`None` when the file has none).
    pub fn vigil_yaml(&self) -> Option<&str> {
        self.vigil_section.as_deref()
    }

    /// [`Config::original_yaml`] re-encoded with every secret replaced by `<secret>`: what
    /// `/api/v2/status` should show (Alertmanager masks secrets there too). Comments and key
    /// order are not kept; the `vigil:` section is left out like in `original_yaml`.
    pub fn masked_yaml(&self) -> String {
        mask::masked_yaml(&self.original).unwrap_or_default()
    }

    /// A receiver by name.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }
}

/// Reads and validates alertmanager.yml, resolving relative paths against its directory.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        origin: origin.clone(),
        line: 0,
        message: format!("cannot read config file: {e}"),
    })?;
    let mut cfg = load_str(&text, &origin)?;
    let base = path.parent().unwrap_or(Path::new("."));
    for t in &mut cfg.templates {
        if !t.is_empty() && !Path::new(t.as_str()).is_absolute() {
            *t = base.join(&*t).display().to_string();
        }
    }
    cfg.global.http_config.resolve_paths(base);
    for r in &mut cfg.receivers {
        let https = r
            .webhook_configs
            .iter_mut()
            .filter_map(|c| c.http_config.as_mut())
            .chain(r.slack_configs.iter_mut().filter_map(|c| c.http_config.as_mut()))
            .chain(r.pagerduty_configs.iter_mut().filter_map(|c| c.http_config.as_mut()));
        for h in https {
            h.resolve_paths(base);
        }
    }
    Ok(cfg)
}

/// Parses and validates alertmanager.yml text; `origin` names it in errors.
pub fn load_str(text: &str, origin: &str) -> Result<Config, ConfigError> {
    let err = |line: u64, message: String| ConfigError { origin: origin.to_string(), line, message };
    if text.trim().is_empty() {
        return Err(err(0, "no route provided in config".into()));
    }
    // `global` is checked first, on its own, so that its errors are reported in document order
    // with errors the full parse finds later in the file (as Alertmanager's parser would).
    let global_error = serde_saphyr::from_str::<raw::GlobalOnly>(text).ok().and_then(|g| {
        let g = g.global?;
        let line = g.referenced.line();
        check_global(&g.value, &mut Vec::new()).err().map(|(l, m)| (if l > 0 { l } else { line }, m))
    });
    let raw: raw::RawConfig = match serde_saphyr::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.location().map_or(0, |l| l.line());
            return Err(match global_error {
                Some((gl, m)) if gl <= line || line == 0 => err(gl, m),
                _ => err(line, yaml_message(&e)),
            });
        }
    };
    if let Some((line, m)) = global_error {
        return Err(err(line, m));
    }
    let mut warnings = Vec::new();
    let global = raw.global.map(|g| g.value).unwrap_or_default();
    check_global(&global, &mut warnings).map_err(|(l, m)| err(l, m))?;

    let mut receivers = Vec::with_capacity(raw.receivers.len());
    let mut names = BTreeSet::new();
    for r in raw.receivers {
        let line = r.referenced.line();
        let name = r.value.name.clone();
        if name.is_empty() {
            return Err(err(line, "missing name in receiver".into()));
        }
        if !names.insert(name.clone()) {
            return Err(err(line, format!("notification config name {name:?} is not unique")));
        }
        let rcv = raw::build_receiver(r.value, &global, &mut warnings)
            .map_err(|(l, m)| err(if l > 0 { l } else { line }, format!("receiver {name:?}: {m}")))?;
        receivers.push(rcv);
    }

    let mut time_intervals: BTreeMap<String, Vec<TimeInterval>> = BTreeMap::new();
    for (section, list) in [("mute time interval", raw.mute_time_intervals), ("time interval", raw.time_intervals)] {
        for ti in list {
            let line = ti.referenced.line();
            if ti.value.name.is_empty() {
                return Err(err(line, format!("missing name in {section}")));
            }
            if time_intervals.contains_key(&ti.value.name) {
                return Err(err(line, format!("{section} {:?} is not unique", ti.value.name)));
            }
            time_intervals.insert(ti.value.name, ti.value.time_intervals);
        }
    }

    let Some(root) = raw.route else {
        return Err(err(0, "no route provided in config".into()));
    };
    let root_line = root.referenced.line();
    check_root(&root.value).map_err(|m| err(root_line, m.to_string()))?;
    let ctx = RouteCtx { receivers: &names, intervals: &time_intervals };
    let mut next_id = 0;
    let route = build_route(&root, None, &ctx, &mut next_id).map_err(|(l, m)| err(l, m))?;

    let mut inhibit_rules = Vec::with_capacity(raw.inhibit_rules.len());
    for r in raw.inhibit_rules {
        let line = r.referenced.line();
        inhibit_rules.push(build_inhibit_rule(&r.value).map_err(|m| err(line, format!("inhibit rule: {m}")))?);
    }

    let vigil = match raw.vigil {
        Some(v) => {
            let line = v.referenced.line();
            vigil::build(v.value, &names, &time_intervals)
                .map_err(|(l, m)| err(if l > 0 { l } else { line }, format!("vigil: {m}")))?
        }
        None => VigilConfig::default(),
    };
    let (original, vigil_section) = strip::split(text);

    Ok(Config {
        global,
        route,
        inhibit_rules,
        receivers,
        templates: raw.templates,
        time_intervals,
        warnings,
        vigil,
        original,
        source: text.to_string(),
        vigil_section,
    })
}

/// The YAML library's message without its source snippet and position prefix (the position is
/// reported separately as `file:line`).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.without_snippet().to_string();
    let mut msg = full.lines().next().unwrap_or("").trim().to_string();
    if let Some(rest) = msg.strip_prefix("error: ") {
        msg = rest.to_string();
    }
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some((_, after)) = rest.split_once(": ")
    {
        msg = after.to_string();
    }
    if let Some(at) = msg.rfind(" at line ")
        && msg[at + 9..].chars().all(|c| c.is_ascii_digit() || c == ',' || c == ' ' || c.is_ascii_lowercase())
    {
        msg.truncate(at);
    }
    if (msg.contains("unknown field `subject`") || msg.contains("unknown field `body`"))
        && msg.contains("auth_username")
    {
        msg.push_str(" (e-mail subjects are set with headers: {Subject: ...}, bodies with html: or text:)");
    }
    msg
}

fn check_global(g: &GlobalConfig, warnings: &mut Vec<String>) -> Result<(), (u64, String)> {
    if g.slack_api_url.is_some() && g.slack_api_url_file.is_some() {
        return Err((0, "at most one of slack_api_url & slack_api_url_file must be configured".into()));
    }
    if g.smtp_auth_password.is_some() && g.smtp_auth_password_file.is_some() {
        return Err((0, "at most one of smtp_auth_password & smtp_auth_password_file must be configured".into()));
    }
    for (field, url) in
        [("global.slack_api_url", g.slack_api_url.as_ref()), ("global.pagerduty_url", Some(&g.pagerduty_url))]
    {
        if let Some(u) = url {
            match check_url(field, u.as_str()) {
                Ok(UrlCheck::Valid) => {}
                Ok(UrlCheck::Placeholder) => {
                    warnings.push(format!("{field} {:?} is not a URL; notifications through it will fail", u.as_str()))
                }
                Err(m) => return Err((u.line(), m.to_string())),
            }
        }
    }
    g.http_config.validate().map_err(|m| (0, format!("global.http_config: {m}")))?;
    Ok(())
}

fn check_root(r: &RouteConfig) -> Result<(), ConfigProblem> {
    if r.receiver.as_deref().unwrap_or("").is_empty() {
        return Err(ConfigProblem::RootWithoutReceiver);
    }
    if !r.match_.is_empty() || !r.match_re.is_empty() || !r.matchers.is_empty() {
        return Err(ConfigProblem::RootWithMatchers);
    }
    if !r.mute_time_intervals.is_empty() {
        return Err(ConfigProblem::RootWithMuteTimeIntervals);
    }
    if !r.active_time_intervals.is_empty() {
        return Err(ConfigProblem::RootWithActiveTimeIntervals);
    }
    if r.continue_ {
        return Err(ConfigProblem::RootWithContinue);
    }
    Ok(())
}

struct RouteCtx<'a> {
    receivers: &'a BTreeSet<String>,
    intervals: &'a BTreeMap<String, Vec<TimeInterval>>,
}

/// Builds one route and its children, inheriting options like Alertmanager's `NewRoute`.
fn build_route(
    cr: &Spanned<RouteConfig>,
    parent: Option<(&RouteOpts, &str)>,
    ctx: &RouteCtx<'_>,
    next_id: &mut usize,
) -> Result<Route, (u64, String)> {
    let line = cr.referenced.line();
    let c = &cr.value;
    let fail = |m: String| (line, m);
    let mut opts = parent.map_or_else(RouteOpts::default, |(p, _)| p.clone());
    if let Some(r) = c.receiver.as_deref().filter(|r| !r.is_empty()) {
        if !ctx.receivers.contains(r) {
            return Err(fail(format!("undefined receiver {r:?} used in route")));
        }
        opts.receiver = r.to_string();
    }
    if let Some(list) = &c.group_by {
        let mut labels = BTreeSet::new();
        let mut all = false;
        for l in list {
            if l == "..." {
                all = true;
            } else if !is_valid_label_name(l) {
                return Err(fail(format!("invalid label name {l:?} in group_by list")));
            } else if !labels.insert(l.clone()) {
                return Err(fail(format!("duplicated label {l:?} in group_by")));
            }
        }
        if all && !labels.is_empty() {
            return Err(fail("cannot have wildcard group_by (`...`) and other labels at the same time".into()));
        }
        if !labels.is_empty() {
            opts.group_by = labels;
            opts.group_by_all = false;
        } else if all {
            opts.group_by_all = true;
        }
    }
    if let Some(d) = c.group_wait {
        opts.group_wait_ms = d.ms();
    }
    if let Some(d) = c.group_interval {
        if d.ms() == 0 {
            return Err(fail("group_interval cannot be zero".into()));
        }
        opts.group_interval_ms = d.ms();
    }
    if let Some(d) = c.repeat_interval {
        if d.ms() == 0 {
            return Err(fail("repeat_interval cannot be zero".into()));
        }
        opts.repeat_interval_ms = d.ms();
    }
    for name in c.mute_time_intervals.iter().chain(&c.active_time_intervals) {
        if !ctx.intervals.contains_key(name) {
            return Err(fail(format!("undefined time interval {name:?} used in route")));
        }
    }
    // Not inherited in Alertmanager 0.25: each route names its own.
    opts.mute_time_intervals = c.mute_time_intervals.clone();
    opts.active_time_intervals = c.active_time_intervals.clone();
    let matchers = route_matchers(c).map_err(|m| fail(m.to_string()))?;
    let key = match parent {
        Some((_, pkey)) => format!("{pkey}/{matchers}"),
        None => matchers.to_string(),
    };
    let id = *next_id;
    *next_id += 1;
    let mut routes = Vec::with_capacity(c.routes.len());
    for child in &c.routes {
        routes.push(build_route(child, Some((&opts, &key)), ctx, next_id)?);
    }
    Ok(Route { id, key, matchers, continue_: c.continue_, opts, routes, line })
}

fn legacy_matchers(
    eq: &BTreeMap<String, String>,
    re: &BTreeMap<String, String>,
) -> Result<Vec<Matcher>, ConfigProblem> {
    let mut out = Vec::new();
    for (k, v) in eq {
        if !is_valid_label_name(k) {
            return Err(ConfigProblem::InvalidLabelName(k.clone()));
        }
        out.push(Matcher::equal(k, v));
    }
    for (k, v) in re {
        if !is_valid_label_name(k) {
            return Err(ConfigProblem::InvalidLabelName(k.clone()));
        }
        out.push(Matcher::new(MatchOp::Regex, k, v).map_err(ConfigProblem::Matcher)?);
    }
    Ok(out)
}

/// Parses a `matchers:` list; `prefix` is put before `matchers` in errors (`source_`, `target_`).
fn parse_matcher_lines(lines: &[String], prefix: &'static str) -> Result<Vec<Matcher>, ConfigProblem> {
    let mut out = Vec::new();
    for l in lines {
        out.extend(parse_matchers(l).map_err(|source| ConfigProblem::Matchers { prefix, source })?);
    }
    Ok(out)
}

fn route_matchers(c: &RouteConfig) -> Result<Matchers, ConfigProblem> {
    let mut all = legacy_matchers(&c.match_, &c.match_re)?;
    all.extend(parse_matcher_lines(&c.matchers, "")?);
    let mut m = Matchers(all);
    m.sort();
    Ok(m)
}

fn build_inhibit_rule(c: &InhibitRuleConfig) -> Result<InhibitRule, ConfigProblem> {
    let mut source = legacy_matchers(&c.source_match, &c.source_match_re)?;
    source.extend(parse_matcher_lines(&c.source_matchers, "source_")?);
    let mut target = legacy_matchers(&c.target_match, &c.target_match_re)?;
    target.extend(parse_matcher_lines(&c.target_matchers, "target_")?);
    for l in &c.equal {
        if !is_valid_label_name(l) {
            return Err(ConfigProblem::InvalidEqualLabel(l.clone()));
        }
    }
    Ok(InhibitRule::new(Matchers(source), Matchers(target), c.equal.clone()))
}

#[cfg(test)]
mod tests;
