//! One rule group: evaluates its rules in order at one timestamp and writes their output.
//!
//! Rules run in file order and each rule's output is stored before the next runs, so a rule
//! may read what an earlier rule of the same group recorded at the same timestamp (as in
//! Prometheus). Series a rule wrote last time but not this time get a staleness marker, so
//! queries stop seeing them at once instead of after the 5-minute lookback.

use promconfig::url::query_escape;
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use promql::{Engine, Value};
use tsdb::{Label, Labels, STALE_NAN_BITS};

use crate::alerting::{Alert, AlertSet, AlertState, Candidate};
use crate::error::EvalError;
use crate::file::{GroupSpec, RuleKind, RuleSpec};
use crate::storage::RuleStorage;

/// Evaluation health, as `/api/v1/rules` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Unknown,
    Ok,
    Err,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Ok => "ok",
            Health::Err => "err",
        }
    }
}

/// Settings shared by every group.
#[derive(Debug, Clone)]
pub struct GroupOptions {
    pub external_labels: BTreeMap<String, String>,
    pub external_url: String,
    /// Minimum time between re-sends of a firing alert (`--rules.alert.resend-delay`).
    pub resend_delay_ms: i64,
}

impl Default for GroupOptions {
    fn default() -> Self {
        GroupOptions { external_labels: BTreeMap::new(), external_url: String::new(), resend_delay_ms: 60_000 }
    }
}

/// One alert as it goes to Alertmanagers: the v2 API's fields, times in Unix ms.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingAlert {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub generator_url: String,
}

/// A rule with what its evaluations left behind.
#[derive(Debug)]
pub struct Rule {
    pub spec: RuleSpec,
    pub health: Health,
    pub last_error: Option<String>,
    /// Wall-clock time of the last evaluation (Unix ms).
    pub last_evaluation: Option<i64>,
    pub evaluation_seconds: f64,
    /// Series written by the last successful evaluation (for staleness markers).
    previous_series: HashSet<Labels>,
    pub alerts: AlertSet,
}

impl Rule {
    pub fn new(spec: RuleSpec) -> Self {
        Rule {
            spec,
            health: Health::Unknown,
            last_error: None,
            last_evaluation: None,
            evaluation_seconds: 0.0,
            previous_series: HashSet::new(),
            alerts: AlertSet::default(),
        }
    }

    /// Alerting rules: the rule's state for the API — firing if any alert fires, else
    /// pending if any is pending, else inactive.
    pub fn state(&self) -> AlertState {
        let mut st = AlertState::Inactive;
        for a in self.alerts.active() {
            if a.state == AlertState::Firing {
                return AlertState::Firing;
            }
            st = AlertState::Pending;
        }
        st
    }

    /// Carries state over from the same rule before a reload.
    fn take_state(&mut self, old: Rule) {
        self.health = old.health;
        self.last_error = old.last_error;
        self.last_evaluation = old.last_evaluation;
        self.evaluation_seconds = old.evaluation_seconds;
        self.previous_series = old.previous_series;
        self.alerts = old.alerts;
    }
}

/// What one group evaluation did.
#[derive(Debug, Default)]
pub struct EvalOutcome {
    /// Alerts appeared, changed state or went away (persist the state).
    pub alerts_changed: bool,
    pub samples_written: usize,
    pub failed_rules: usize,
    /// Alerts due for delivery now.
    pub to_send: Vec<OutgoingAlert>,
}

/// A group with its rules' state.
#[derive(Debug)]
pub struct Group {
    pub file: String,
    pub name: String,
    pub interval_ms: i64,
    pub query_offset_ms: i64,
    pub limit: u64,
    pub rules: Vec<Rule>,
    pub last_evaluation: Option<i64>,
    pub evaluation_seconds: f64,
    /// The evaluation timestamp of the last run (ms), for restoring after downtime.
    pub last_eval_ts: Option<i64>,
}

impl Group {
    /// Builds a group from its spec; group labels are merged into every rule (rule wins).
    pub fn new(spec: GroupSpec, default_interval_ms: i64, default_query_offset_ms: i64) -> Self {
        let rules = spec
            .rules
            .into_iter()
            .map(|mut r| {
                for (k, v) in &spec.labels {
                    r.labels.entry(k.clone()).or_insert_with(|| v.clone());
                }
                Rule::new(r)
            })
            .collect();
        Group {
            file: spec.file,
            name: spec.name,
            interval_ms: spec.interval_ms.unwrap_or(default_interval_ms),
            query_offset_ms: spec.query_offset_ms.unwrap_or(default_query_offset_ms),
            limit: spec.limit,
            rules,
            last_evaluation: None,
            evaluation_seconds: 0.0,
            last_eval_ts: None,
        }
    }

    /// The group's identity across reloads and restarts.
    pub fn key(&self) -> String {
        group_key(&self.file, &self.name)
    }

    /// Takes the state of rules that still exist from the group's previous version. Rules
    /// are matched by name and labels, in order among equals, as Prometheus does.
    pub fn copy_state_from(&mut self, old: &mut Group) {
        self.last_evaluation = old.last_evaluation;
        self.evaluation_seconds = old.evaluation_seconds;
        self.last_eval_ts = old.last_eval_ts;
        let mut pool: Vec<Option<Rule>> = std::mem::take(&mut old.rules).into_iter().map(Some).collect();
        for rule in &mut self.rules {
            let found = pool.iter_mut().find(|slot| {
                slot.as_ref().is_some_and(|o| {
                    o.spec.name() == rule.spec.name()
                        && o.spec.labels == rule.spec.labels
                        && o.spec.is_alerting() == rule.spec.is_alerting()
                })
            });
            if let Some(old) = found.and_then(Option::take) {
                rule.take_state(old);
            }
        }
    }

    /// Series this group wrote last time; the caller marks them stale when the group goes away.
    pub fn written_series(&self) -> Vec<Labels> {
        self.rules.iter().flat_map(|r| r.previous_series.iter().cloned()).collect()
    }

    /// Evaluates every rule at `ts` (ms) and stores the output.
    pub fn eval(&mut self, ts: i64, engine: &Engine, storage: &dyn RuleStorage, opts: &GroupOptions) -> EvalOutcome {
        let started = Instant::now();
        let wall = now_ms();
        let mut outcome = EvalOutcome::default();
        let query_ts = ts - self.query_offset_ms;
        let interval = self.interval_ms;
        let limit = self.limit;
        for rule in &mut self.rules {
            let rule_started = Instant::now();
            let result = eval_rule(rule, ts, query_ts, limit, engine, storage, opts);
            rule.evaluation_seconds = rule_started.elapsed().as_secs_f64();
            rule.last_evaluation = Some(wall);
            match result {
                Ok((series, changed)) => {
                    outcome.alerts_changed |= changed;
                    match write_output(rule, series, query_ts, storage) {
                        Ok(n) => {
                            outcome.samples_written += n;
                            rule.health = Health::Ok;
                            rule.last_error = None;
                        }
                        Err(e) => {
                            outcome.failed_rules += 1;
                            rule.health = Health::Err;
                            rule.last_error = Some(e.to_string());
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(group = %self.name, rule = %rule.spec.name(), error = %e, "rule evaluation failed");
                    outcome.failed_rules += 1;
                    rule.health = Health::Err;
                    rule.last_error = Some(e.to_string());
                }
            }
            if rule.spec.is_alerting() {
                collect_sends(rule, ts, interval, opts, &mut outcome.to_send);
            }
        }
        self.evaluation_seconds = started.elapsed().as_secs_f64();
        self.last_evaluation = Some(wall);
        self.last_eval_ts = Some(ts);
        outcome
    }
}

/// `file;name`, Prometheus's group key.
pub fn group_key(file: &str, name: &str) -> String {
    format!("{file};{name}")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Runs one rule: the series to write (value per label set) and whether alerts changed.
fn eval_rule(
    rule: &mut Rule,
    ts: i64,
    query_ts: i64,
    limit: u64,
    engine: &Engine,
    storage: &dyn RuleStorage,
    opts: &GroupOptions,
) -> Result<(Vec<(Labels, f64)>, bool), EvalError> {
    let result = engine.instant_expr(storage.as_storage(), &rule.spec.expr, query_ts)?;
    let samples: Vec<(Labels, f64)> = match result.value {
        Value::Vector(v) => v.into_iter().map(|s| (s.labels, s.v)).collect(),
        Value::Scalar { v, .. } => vec![(Labels::default(), v)],
        other => {
            return Err(EvalError::NotAVector(other.kind().as_str()));
        }
    };
    match &rule.spec.kind {
        RuleKind::Recording { record } => {
            let out = record_series(record, &rule.spec.labels, samples)?;
            if limit > 0 && out.len() as u64 > limit {
                return Err(EvalError::SeriesLimit { limit, count: out.len() });
            }
            Ok((out, false))
        }
        RuleKind::Alerting { alert, for_ms, keep_firing_for_ms, annotations, templates } => {
            let runner = crate::storage::TemplateQuery { engine, storage };
            let rule_templates = RuleTemplates { alert, labels: &rule.spec.labels, annotations, prepared: templates };
            let mut candidates = Vec::with_capacity(samples.len());
            for (labels, value) in samples {
                candidates.push(candidate(&rule_templates, &labels, value, ts, opts, &runner));
            }
            let changes = rule.alerts.update(candidates, ts, *for_ms, *keep_firing_for_ms, limit)?;
            Ok((alert_series(&rule.alerts), changes.structural))
        }
    }
}

/// A recording rule's output: each sample renamed to `record`, with the rule labels set.
fn record_series(
    record: &str,
    rule_labels: &BTreeMap<String, String>,
    samples: Vec<(Labels, f64)>,
) -> Result<Vec<(Labels, f64)>, EvalError> {
    let mut seen = HashSet::with_capacity(samples.len());
    let mut out = Vec::with_capacity(samples.len());
    for (labels, v) in samples {
        let mut map: BTreeMap<String, String> =
            labels.iter().map(|l| (l.name.to_string(), l.value.to_string())).collect();
        map.insert(tsdb::METRIC_NAME.to_string(), record.to_string());
        for (k, val) in rule_labels {
            if val.is_empty() {
                map.remove(k);
            } else {
                map.insert(k.clone(), val.clone());
            }
        }
        let labels = to_labels(&map).map_err(EvalError::Labels)?;
        if !seen.insert(labels.clone()) {
            return Err(EvalError::DuplicateSeries);
        }
        out.push((labels, v));
    }
    Ok(out)
}

/// What an alerting rule turns each result sample into.
struct RuleTemplates<'a> {
    alert: &'a str,
    labels: &'a BTreeMap<String, String>,
    annotations: &'a BTreeMap<String, String>,
    prepared: &'a BTreeMap<String, templates::PreparedAlertTemplate>,
}

fn candidate(
    rule: &RuleTemplates<'_>,
    sample_labels: &Labels,
    value: f64,
    ts: i64,
    opts: &GroupOptions,
    runner: &dyn templates::QueryRunner,
) -> Candidate {
    let template_labels: templates::LabelPairs =
        sample_labels.iter().map(|l| (l.name.to_string(), l.value.to_string())).collect();
    let data = templates::AlertTemplateData {
        labels: &template_labels,
        external_labels: &opts.external_labels,
        external_url: &opts.external_url,
        value,
    };
    let alert = rule.alert;
    let expand = |text: &str| -> String {
        let Some(t) = rule.prepared.get(text) else { return text.to_string() };
        match t.expand(&data, ts, Some(runner)) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(alert, error = %e, "cannot expand alert template");
                format!("<error expanding template: {e}>")
            }
        }
    };
    let mut labels: BTreeMap<String, String> = template_labels.clone();
    labels.remove(tsdb::METRIC_NAME);
    for (k, v) in rule.labels {
        let expanded = expand(v);
        if expanded.is_empty() {
            labels.remove(k);
        } else {
            labels.insert(k.clone(), expanded);
        }
    }
    labels.insert("alertname".to_string(), alert.to_string());
    let annotations = rule.annotations.iter().map(|(k, v)| (k.clone(), expand(v))).collect();
    Candidate { labels, annotations, value }
}

/// `ALERTS` and `ALERTS_FOR_STATE` for every pending or firing alert.
fn alert_series(alerts: &AlertSet) -> Vec<(Labels, f64)> {
    let mut out = Vec::new();
    for a in alerts.active() {
        let mut map = a.labels.clone();
        map.insert(tsdb::METRIC_NAME.to_string(), "ALERTS".to_string());
        map.insert("alertstate".to_string(), a.state.as_str().to_string());
        if let Ok(l) = to_labels(&map) {
            out.push((l, 1.0));
        }
        let mut map = a.labels.clone();
        map.insert(tsdb::METRIC_NAME.to_string(), "ALERTS_FOR_STATE".to_string());
        if let Ok(l) = to_labels(&map) {
            out.push((l, (a.active_at / 1000) as f64));
        }
    }
    out
}

fn to_labels(map: &BTreeMap<String, String>) -> Result<Labels, tsdb::LabelError> {
    Labels::from_sorted(map.iter().map(|(k, v)| Label::new(k.as_str(), v.as_str())).collect())
}

/// Stores a rule's output at `ts` plus staleness markers for series that disappeared.
fn write_output(
    rule: &mut Rule,
    series: Vec<(Labels, f64)>,
    ts: i64,
    storage: &dyn RuleStorage,
) -> Result<usize, EvalError> {
    let current: HashSet<Labels> = series.iter().map(|(l, _)| l.clone()).collect();
    let mut batch = series;
    let stale = f64::from_bits(STALE_NAN_BITS);
    for gone in rule.previous_series.difference(&current) {
        batch.push((gone.clone(), stale));
    }
    let n = batch.len();
    if n > 0 {
        storage.append(&batch, ts)?;
    }
    rule.previous_series = current;
    Ok(n)
}

/// Alerts of `rule` due for delivery at `ts`, marking them sent (Prometheus's `sendAlerts`).
fn collect_sends(rule: &mut Rule, ts: i64, interval_ms: i64, opts: &GroupOptions, out: &mut Vec<OutgoingAlert>) {
    let generator_url = generator_url(&opts.external_url, &rule.spec.expr_text);
    let delta = opts.resend_delay_ms.max(interval_ms);
    for a in rule.alerts.all_mut() {
        if !a.needs_sending(ts, opts.resend_delay_ms) {
            continue;
        }
        a.last_sent_at = Some(ts);
        a.valid_until = ts + 4 * delta;
        out.push(outgoing(a, &generator_url));
    }
}

fn outgoing(a: &Alert, generator_url: &str) -> OutgoingAlert {
    OutgoingAlert {
        labels: a.labels.clone(),
        annotations: a.annotations.clone(),
        starts_at: a.fired_at.unwrap_or(a.active_at),
        ends_at: a.resolved_at.unwrap_or(a.valid_until),
        generator_url: generator_url.to_string(),
    }
}

/// Prometheus's link to the expression in its table view.
pub fn generator_url(external_url: &str, expr: &str) -> String {
    format!("{}/graph?g0.expr={}&g0.tab=1", external_url.trim_end_matches('/'), query_escape(expr))
}

#[cfg(test)]
mod tests;
