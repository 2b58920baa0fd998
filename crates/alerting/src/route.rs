//! The route tree: which routes (and so which receivers, groupings and timers) an alert takes.
//! Matching follows Alertmanager's `Route.Match`: a route that matches descends into its
//! children in order; the first matching child stops the search unless it has `continue: true`;
//! a route none of whose children match takes the alert itself.

use std::collections::BTreeSet;

use crate::labels::LabelSet;
use crate::matchers::Matchers;

/// A route's effective options: its own settings, else its parent's, else the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteOpts {
    pub receiver: String,
    /// Labels to group by (ignored when `group_by_all`).
    pub group_by: BTreeSet<String>,
    /// `group_by: ['...']`: every label.
    pub group_by_all: bool,
    pub group_wait_ms: i64,
    pub group_interval_ms: i64,
    pub repeat_interval_ms: i64,
    /// Names of time intervals during which notifications are muted (not inherited).
    pub mute_time_intervals: Vec<String>,
    /// Names of time intervals outside which notifications are muted (not inherited).
    pub active_time_intervals: Vec<String>,
}

impl Default for RouteOpts {
    /// Alertmanager's defaults: group_wait 30s, group_interval 5m, repeat_interval 4h.
    fn default() -> Self {
        RouteOpts {
            receiver: String::new(),
            group_by: BTreeSet::new(),
            group_by_all: false,
            group_wait_ms: 30_000,
            group_interval_ms: 300_000,
            repeat_interval_ms: 4 * 3_600_000,
            mute_time_intervals: Vec::new(),
            active_time_intervals: Vec::new(),
        }
    }
}

/// One node of the route tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Position in a pre-order walk (root = 0): unique within one config.
    pub id: usize,
    /// Alertmanager's route key (`{}/{severity="critical"}`): the parent's key, `/`, and this
    /// route's sorted matchers. Group keys start with it.
    pub key: String,
    pub matchers: Matchers,
    pub continue_: bool,
    pub opts: RouteOpts,
    pub routes: Vec<Route>,
    /// Line of alertmanager.yml where the route starts (0 when built in code).
    pub line: u64,
}

impl Route {
    /// The routes an alert with these labels is dispatched to (empty if the route itself does
    /// not match — never the case for the root, which has no matchers).
    pub fn matching(&self, labels: &LabelSet) -> Vec<&Route> {
        let mut out = Vec::new();
        self.collect(labels, &mut out);
        out
    }

    fn collect<'a>(&'a self, labels: &LabelSet, out: &mut Vec<&'a Route>) -> bool {
        if !self.matchers.matches(labels) {
            return false;
        }
        let before = out.len();
        for child in &self.routes {
            if child.collect(labels, out) && !child.continue_ {
                break;
            }
        }
        if out.len() == before {
            out.push(self);
        }
        true
    }

    /// Receiver names the alert reaches, in route order (what `amtool config routes test`
    /// prints, and `vigil alertmanager routes test`).
    pub fn receivers_for(&self, labels: &LabelSet) -> Vec<String> {
        self.matching(labels).into_iter().map(|r| r.opts.receiver.clone()).collect()
    }

    /// Every route, parents before children.
    pub fn walk(&self) -> Vec<&Route> {
        let mut out = vec![self];
        for c in &self.routes {
            out.extend(c.walk());
        }
        out
    }

    /// The route with a given [`Route::id`].
    pub fn by_id(&self, id: usize) -> Option<&Route> {
        if self.id == id {
            return Some(self);
        }
        // Children's ids are ascending; the subtree holding `id` is the last child starting at or before it.
        let child = self.routes.iter().rev().find(|c| c.id <= id)?;
        child.by_id(id)
    }

    /// The labels of an alert that form its group on this route.
    pub fn group_labels(&self, labels: &LabelSet) -> LabelSet {
        if self.opts.group_by_all {
            return labels.clone();
        }
        labels.iter().filter(|(k, _)| self.opts.group_by.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// Labels given to `routes test` that are not plain `name=value` pairs.
#[derive(Debug, thiserror::Error)]
pub enum TestLabelsError {
    #[error(transparent)]
    Syntax(#[from] crate::matchers::MatcherError),
    /// A matcher other than `=` (the matcher as written).
    #[error("{0}: only name=value labels can be tested")]
    NotEqual(String),
}

/// Parses `amtool config routes test`-style arguments (`severity=critical service=api`, or one
/// `{a="b", c="d"}` string) into a label set.
pub fn parse_test_labels(args: &[String]) -> Result<LabelSet, TestLabelsError> {
    let mut out = LabelSet::new();
    for a in args {
        for m in crate::matchers::parse_matchers(a)? {
            if m.op != crate::matchers::MatchOp::Equal {
                return Err(TestLabelsError::NotEqual(m.to_string()));
            }
            out.insert(m.name, m.value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
