//! The `vigil:` section of alertmanager.yml: what Vigil adds to Alertmanager's config, read
//! and validated here and kept out of everything Alertmanager's own tools see (see
//! [`super::strip`]). Alertmanager's loader rejects unknown top-level keys, so the section lives
//! under one key that [`crate::config::Config::original_yaml`] leaves out.
//!
//! ```yaml
//! vigil:
//!   escalations:
//!     - name: critical-ladder
//!       matchers: ['severity="critical"']   # matched on the group's common labels
//!       receivers: [on-call]                # optional: only groups routed to these receivers
//!       levels:                             # level 0 is the route's own receiver
//!         - after: 15m
//!           receiver: team-lead
//!         - after: 30m
//!           receiver: manager
//!   recurring_silences:
//!     - name: weekly-maintenance
//!       matchers: ['env="staging"']
//!       time_intervals:                     # names from time_intervals:, or inline intervals
//!         - weekly-window
//!         - weekdays: [sunday]
//!           times: [{start_time: '02:00', end_time: '04:00'}]
//!       comment: Saturday maintenance
//! ```
//!
//! Escalation levels are numbered from 1 in messages (level 0 being the route's receiver, the
//! on-call); `after` counts from the group's first firing notification and must grow strictly
//! from level to level. What the policies and windows do at run time is documented in
//! [`crate::escalation`] and [`crate::recurring`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use crate::duration::{format_duration_ms, parse_duration_ms};
use crate::matchers::{Matcher, Matchers, parse_matchers};
use crate::timeinterval::TimeInterval;

use super::problem::ConfigProblem;

/// The validated `vigil:` section (empty when the file has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VigilConfig {
    pub escalations: Vec<EscalationPolicy>,
    pub recurring_silences: Vec<RecurringSilence>,
}

/// One escalation policy: which groups it covers and whom to notify when.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationPolicy {
    pub name: String,
    /// Must all match the group's common labels (an empty list matches every group).
    pub matchers: Matchers,
    /// When not empty, only groups whose route receiver is one of these.
    pub receivers: Vec<String>,
    /// In order of strictly increasing `after_ms`.
    pub levels: Vec<EscalationLevel>,
}

impl EscalationPolicy {
    /// Whether the policy covers a group routed to `receiver` with these common labels.
    pub fn covers(&self, receiver: &str, common_labels: &crate::labels::LabelSet) -> bool {
        (self.receivers.is_empty() || self.receivers.iter().any(|r| r == receiver))
            && self.matchers.matches(common_labels)
    }
}

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationLevel {
    /// Delay after the group's first firing notification.
    pub after_ms: i64,
    pub receiver: String,
}

/// A silence that comes back with every window of its time intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct RecurringSilence {
    pub name: String,
    /// Sorted like a silence's, so a materialized silence compares equal to its definition.
    pub matchers: Matchers,
    /// The named intervals resolved, followed by the inline ones.
    pub intervals: Vec<TimeInterval>,
    /// The names it referred to (for display).
    pub interval_names: Vec<String>,
    /// The materialized silences' comment.
    pub comment: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVigil {
    #[serde(default)]
    escalations: Vec<Spanned<RawPolicy>>,
    #[serde(default)]
    recurring_silences: Vec<Spanned<RawRecurring>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    name: String,
    #[serde(default)]
    matchers: Vec<String>,
    #[serde(default)]
    receivers: Vec<String>,
    #[serde(default)]
    levels: Vec<Spanned<RawLevel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    /// Kept as text so a bad duration is reported with the policy and level it belongs to.
    after: Option<String>,
    receiver: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecurring {
    #[serde(default)]
    name: String,
    #[serde(default)]
    matchers: Vec<String>,
    #[serde(default)]
    time_intervals: Vec<IntervalRef>,
    #[serde(default)]
    comment: String,
}

/// An entry of a recurring silence's `time_intervals`: a name or an interval written inline.
enum IntervalRef {
    Name(String),
    Inline(TimeInterval),
}

impl<'de> Deserialize<'de> for IntervalRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IntervalRef;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the name of a time interval or an inline time interval")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntervalRef, E> {
                Ok(IntervalRef::Name(v.to_string()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<IntervalRef, A::Error> {
                TimeInterval::deserialize(de::value::MapAccessDeserializer::new(map)).map(IntervalRef::Inline)
            }
        }
        d.deserialize_any(V)
    }
}

/// A validation error: the line (0: the section's) and the message.
type Problem = (u64, String);

/// Validates the section against the receivers and named time intervals of the same file.
pub(crate) fn build(
    raw: RawVigil,
    receivers: &BTreeSet<String>,
    intervals: &BTreeMap<String, Vec<TimeInterval>>,
) -> Result<VigilConfig, Problem> {
    let mut out = VigilConfig::default();
    let mut names = BTreeSet::new();
    for p in raw.escalations {
        let line = p.referenced.line();
        let policy = build_policy(p.value, receivers).map_err(|(l, m)| (if l > 0 { l } else { line }, m))?;
        if !names.insert(policy.name.clone()) {
            return Err((line, format!("escalation policy {:?} is not unique", policy.name)));
        }
        out.escalations.push(policy);
    }
    let mut names = BTreeSet::new();
    for r in raw.recurring_silences {
        let line = r.referenced.line();
        let silence = build_recurring(r.value, intervals).map_err(|m| (line, m.to_string()))?;
        if !names.insert(silence.name.clone()) {
            return Err((line, format!("recurring silence {:?} is not unique", silence.name)));
        }
        out.recurring_silences.push(silence);
    }
    Ok(out)
}

fn parse_matcher_list(lines: &[String]) -> Result<Vec<Matcher>, ConfigProblem> {
    let mut out = Vec::new();
    for l in lines {
        out.extend(parse_matchers(l).map_err(|source| ConfigProblem::Matchers { prefix: "", source })?);
    }
    Ok(out)
}

fn build_policy(p: RawPolicy, receivers: &BTreeSet<String>) -> Result<EscalationPolicy, Problem> {
    if p.name.is_empty() {
        return Err((0, "missing name in escalation policy".into()));
    }
    let what = format!("escalation policy {:?}", p.name);
    let mut matchers = Matchers(parse_matcher_list(&p.matchers).map_err(|m| (0, format!("{what}: {m}")))?);
    matchers.sort();
    for r in &p.receivers {
        if !receivers.contains(r) {
            return Err((0, format!("{what}: undefined receiver {r:?} in receivers")));
        }
    }
    if p.levels.is_empty() {
        return Err((0, format!("{what}: at least one level is required")));
    }
    let mut levels: Vec<EscalationLevel> = Vec::with_capacity(p.levels.len());
    for (i, l) in p.levels.into_iter().enumerate() {
        let line = l.referenced.line();
        let at = |m: String| (line, format!("{what} level {}: {m}", i + 1));
        let receiver = l.value.receiver.unwrap_or_default();
        if receiver.is_empty() {
            return Err(at("missing receiver".into()));
        }
        if !receivers.contains(&receiver) {
            return Err(at(format!("undefined receiver {receiver:?}")));
        }
        let Some(after) = l.value.after else {
            return Err(at("missing after (the delay after the first notification, e.g. 15m)".into()));
        };
        let after_ms = parse_duration_ms(&after).map_err(|e| at(format!("after: {e}")))?;
        if let Some(prev) = levels.last()
            && after_ms <= prev.after_ms
        {
            return Err(at(format!(
                "after {} must be later than level {}'s after {}",
                format_duration_ms(after_ms),
                i,
                format_duration_ms(prev.after_ms)
            )));
        }
        levels.push(EscalationLevel { after_ms, receiver });
    }
    Ok(EscalationPolicy { name: p.name, matchers, receivers: p.receivers, levels })
}

fn build_recurring(
    r: RawRecurring,
    named: &BTreeMap<String, Vec<TimeInterval>>,
) -> Result<RecurringSilence, ConfigProblem> {
    if r.name.is_empty() {
        return Err(ConfigProblem::RecurringMissingName);
    }
    let problem = |reason| ConfigProblem::Recurring { name: r.name.clone(), reason: Box::new(reason) };
    let mut matchers = Matchers(parse_matcher_list(&r.matchers).map_err(problem)?);
    if matchers.is_empty() {
        return Err(problem(ConfigProblem::NoMatchers));
    }
    if matchers.iter().all(Matcher::matches_empty) {
        return Err(problem(ConfigProblem::OnlyEmptyMatchers));
    }
    matchers.sort();
    if r.time_intervals.is_empty() {
        return Err(problem(ConfigProblem::NoTimeIntervals));
    }
    let mut intervals = Vec::new();
    let mut inline = Vec::new();
    let mut interval_names = Vec::new();
    for t in r.time_intervals {
        match t {
            IntervalRef::Name(n) => {
                let Some(found) = named.get(&n) else {
                    return Err(problem(ConfigProblem::UndefinedTimeInterval(n)));
                };
                intervals.extend(found.iter().cloned());
                interval_names.push(n);
            }
            IntervalRef::Inline(ti) => inline.push(ti),
        }
    }
    intervals.extend(inline);
    let comment = if r.comment.is_empty() { format!("Recurring silence {:?} (Vigil)", r.name) } else { r.comment };
    Ok(RecurringSilence { name: r.name, matchers, intervals, interval_names, comment })
}
