//! Rule files in Prometheus's format: parsing and the validation `promtool check rules` does.
//!
//! Every error names the file, the line and what is wrong, so a user can fix a rule file
//! without guessing; fields nobody knows are errors too (a typo such as `anotations` would
//! otherwise silently drop every annotation). Validation builds the parsed expression and
//! checks every template once, so a loaded rule can always be evaluated.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use promql_parser::parser::Expr;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// A rule file that cannot be loaded: where and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleFileError {
    pub file: String,
    /// 1-based line; 0 when the position is unknown.
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    groups: Vec<RawGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: Spanned<String>,
    #[serde(default)]
    interval: Option<Spanned<String>>,
    #[serde(default)]
    query_offset: Option<Spanned<String>>,
    #[serde(default)]
    limit: Option<u64>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    record: Option<Spanned<String>>,
    #[serde(default)]
    alert: Option<Spanned<String>>,
    #[serde(default)]
    expr: Option<Spanned<String>>,
    #[serde(default, rename = "for")]
    for_: Option<Spanned<String>>,
    #[serde(default)]
    keep_firing_for: Option<Spanned<String>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

/// What a rule computes.
#[derive(Debug, Clone)]
pub enum RuleKind {
    /// Writes the expression's result as series named `record`.
    Recording { record: String },
    /// Turns every result sample into an alert once it has held for `for_ms`.
    Alerting {
        alert: String,
        for_ms: i64,
        keep_firing_for_ms: i64,
        annotations: BTreeMap<String, String>,
        /// Every label and annotation template, parsed once at load (keyed by its text).
        templates: Arc<BTreeMap<String, templates::PreparedAlertTemplate>>,
    },
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub kind: RuleKind,
    /// The expression as written (what the API shows and the generator URL links to).
    pub expr_text: String,
    pub expr: Expr,
    /// Labels added to (and overriding) every result; alert label values are templates.
    pub labels: BTreeMap<String, String>,
    /// Line of the rule in its file, for messages.
    pub line: u64,
}

impl RuleSpec {
    /// The record or alert name.
    pub fn name(&self) -> &str {
        match &self.kind {
            RuleKind::Recording { record } => record,
            RuleKind::Alerting { alert, .. } => alert,
        }
    }

    pub fn is_alerting(&self) -> bool {
        matches!(self.kind, RuleKind::Alerting { .. })
    }
}

/// One validated group.
#[derive(Debug, Clone)]
pub struct GroupSpec {
    pub file: String,
    pub name: String,
    /// Evaluation interval; `None` uses the global `evaluation_interval`.
    pub interval_ms: Option<i64>,
    /// How far in the past each evaluation queries (for late-arriving data); `None` uses
    /// the global `rule_query_offset`.
    pub query_offset_ms: Option<i64>,
    /// Most series a recording rule / alerts an alerting rule may produce; 0 is unlimited.
    pub limit: u64,
    /// Labels added to every rule of the group (rule labels win).
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<RuleSpec>,
}

/// Something Prometheus accepts but that is probably a mistake (`promtool check rules`
/// prints these without failing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleWarning {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RuleWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A parsed rule file with its warnings.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub groups: Vec<GroupSpec>,
    pub warnings: Vec<RuleWarning>,
}

/// Reads and validates one rule file.
pub fn load_file(path: &Path) -> Result<LoadedFile, RuleFileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RuleFileError {
        file: name.clone(),
        line: 0,
        message: format!("cannot read rule file: {e}"),
    })?;
    parse_rule_file(&name, &text)
}

/// Parses and validates rule-file text; `file` names it in errors.
pub fn parse_rule_file(file: &str, text: &str) -> Result<LoadedFile, RuleFileError> {
    let at = |line: u64, message: String| RuleFileError { file: file.to_string(), line, message };
    if text.trim().is_empty() {
        return Ok(LoadedFile { groups: Vec::new(), warnings: Vec::new() });
    }
    let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let line = yaml_error_line(&msg);
        at(line, format!("not a valid rule file: {msg}"))
    })?;
    let mut warnings = Vec::new();
    let mut names = HashSet::new();
    let mut groups = Vec::with_capacity(raw.groups.len());
    for g in raw.groups {
        let gline = g.name.referenced.line();
        let gname = g.name.value.clone();
        if gname.is_empty() {
            return Err(at(gline, "group name must not be empty".into()));
        }
        if !names.insert(gname.clone()) {
            return Err(at(gline, format!("group name {gname:?} is repeated in the same file")));
        }
        let interval_ms = match &g.interval {
            Some(s) => {
                let ms = duration(&s.value)
                    .map_err(|m| at(s.referenced.line(), format!("group {gname:?}: interval: {m}")))?;
                if ms == 0 {
                    return Err(at(s.referenced.line(), format!("group {gname:?}: interval must be greater than 0")));
                }
                Some(ms)
            }
            None => None,
        };
        let query_offset_ms = match &g.query_offset {
            Some(s) => Some(
                duration(&s.value)
                    .map_err(|m| at(s.referenced.line(), format!("group {gname:?}: query_offset: {m}")))?,
            ),
            None => None,
        };
        let glabels = g.labels.unwrap_or_default();
        for (k, v) in &glabels {
            check_label(k, v).map_err(|m| at(gline, format!("group {gname:?}: {m}")))?;
        }
        let mut rules = Vec::with_capacity(g.rules.len());
        let mut seen = HashSet::new();
        for (i, r) in g.rules.into_iter().enumerate() {
            let rule = validate_rule(r, i + 1, &gname, gline).map_err(|(line, m)| at(line, m))?;
            let key = (rule.name().to_string(), rule.labels.clone());
            if !seen.insert(key) {
                warnings.push(RuleWarning {
                    file: file.to_string(),
                    line: rule.line,
                    message: format!(
                        "group {gname:?}: rule {:?} is repeated with the same labels; both are evaluated",
                        rule.name()
                    ),
                });
            }
            warnings.extend(crate::lint::lint(&rule).into_iter().map(|message| RuleWarning {
                file: file.to_string(),
                line: rule.line,
                message: format!("group {gname:?}, rule {:?}: {message}", rule.name()),
            }));
            rules.push(rule);
        }
        groups.push(GroupSpec {
            file: file.to_string(),
            name: gname,
            interval_ms,
            query_offset_ms,
            limit: g.limit.unwrap_or(0),
            labels: glabels,
            rules,
        });
    }
    Ok(LoadedFile { groups, warnings })
}

/// Validates one rule; errors carry their line and say which group and rule they are in,
/// as `promtool check rules` does (`group "g", rule 2, "Name": …`).
fn validate_rule(r: RawRule, index: usize, group: &str, group_line: u64) -> Result<RuleSpec, (u64, String)> {
    let line =
        r.alert.as_ref().or(r.record.as_ref()).or(r.expr.as_ref()).map(|s| s.referenced.line()).unwrap_or(group_line);
    let shown_name = r.alert.as_ref().or(r.record.as_ref()).map(|s| s.value.clone()).unwrap_or_default();
    let fail = |m: String| (line, format!("group {group:?}, rule {index}, {shown_name:?}: {m}"));
    let kind_name = match (&r.record, &r.alert) {
        (Some(_), Some(_)) => return Err(fail("only one of 'record' and 'alert' may be set".into())),
        (None, None) => return Err(fail("one of 'record' or 'alert' must be set".into())),
        (Some(rec), None) => {
            if rec.value.is_empty() {
                return Err(fail("field 'record' must not be empty".into()));
            }
            ("record", rec.value.clone())
        }
        (None, Some(a)) => {
            if a.value.is_empty() {
                return Err(fail("field 'alert' must not be empty".into()));
            }
            ("alert", a.value.clone())
        }
    };
    let expr_text = match &r.expr {
        Some(e) if !e.value.trim().is_empty() => e.value.clone(),
        _ => return Err(fail("field 'expr' must be set in rule".into())),
    };
    let expr = promql::parse::parse(&expr_text, true).map_err(|e| {
        (r.expr.as_ref().map_or(line, |s| s.referenced.line()), fail(format!("could not parse expression: {e}")).1)
    })?;
    let labels = r.labels.unwrap_or_default();
    for (k, v) in &labels {
        check_label(k, v).map_err(|e| fail(e.to_string()))?;
    }
    let kind = if kind_name.0 == "record" {
        if !tsdb::labels::is_classic_metric_name(&kind_name.1) {
            return Err(fail(format!("invalid recording rule name: {:?} is not a valid metric name", kind_name.1)));
        }
        if r.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
            return Err(fail("invalid field 'annotations' in recording rule".into()));
        }
        if r.for_.is_some() {
            return Err(fail("invalid field 'for' in recording rule".into()));
        }
        if r.keep_firing_for.is_some() {
            return Err(fail("invalid field 'keep_firing_for' in recording rule".into()));
        }
        for (k, v) in &labels {
            if v.contains("{{") {
                return Err(fail(format!(
                    "label {k:?} of a recording rule is a template; templates only work in alerting rules"
                )));
            }
        }
        RuleKind::Recording { record: kind_name.1 }
    } else {
        let for_ms = match &r.for_ {
            Some(s) => duration(&s.value).map_err(|m| fail(format!("for: {m}")))?,
            None => 0,
        };
        let keep_firing_for_ms = match &r.keep_firing_for {
            Some(s) => duration(&s.value).map_err(|m| fail(format!("keep_firing_for: {m}")))?,
            None => 0,
        };
        let annotations = r.annotations.unwrap_or_default();
        for k in annotations.keys() {
            if !tsdb::labels::is_classic_label_name(k) {
                return Err(fail(format!("invalid annotation name: {k:?}")));
            }
        }
        let template_name = format!("__alert_{}", kind_name.1);
        let mut prepared = BTreeMap::new();
        for (what, map) in [("label", &labels), ("annotation", &annotations)] {
            for (k, v) in map {
                if !v.contains("{{") || prepared.contains_key(v) {
                    continue;
                }
                let t = templates::PreparedAlertTemplate::parse(&template_name, v)
                    .map_err(|e| fail(format!("{what} {k:?}: invalid template: {e}")))?;
                prepared.insert(v.clone(), t);
            }
        }
        RuleKind::Alerting {
            alert: kind_name.1,
            for_ms,
            keep_firing_for_ms,
            annotations,
            templates: Arc::new(prepared),
        }
    };
    Ok(RuleSpec { kind, expr_text, expr, labels, line })
}

/// A rule or group label whose name cannot be used; becomes part of a [`RuleFileError`].
#[derive(Debug, thiserror::Error)]
enum BadLabel {
    #[error("invalid label name: {0:?}")]
    Invalid(String),
    #[error("invalid label name: {0:?} (names starting with __ are reserved)")]
    Reserved(String),
}

/// A duration field that does not parse; becomes part of a [`RuleFileError`].
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a duration (write e.g. 30s, 5m, 1h30m)")]
struct BadDuration(String);

fn check_label(name: &str, value: &str) -> Result<(), BadLabel> {
    if !tsdb::labels::is_classic_label_name(name) || name == tsdb::METRIC_NAME {
        return Err(BadLabel::Invalid(name.to_string()));
    }
    if name.starts_with("__") {
        return Err(BadLabel::Reserved(name.to_string()));
    }
    let _ = value;
    Ok(())
}

fn duration(s: &str) -> Result<i64, BadDuration> {
    promql::parse::parse_duration_ms(s).ok_or_else(|| BadDuration(s.to_string()))
}

/// Pulls "line N" out of a YAML error message so the error can lead with it.
fn yaml_error_line(msg: &str) -> u64 {
    let lower = msg.to_ascii_lowercase();
    let Some(pos) = lower.find("line ") else { return 0 };
    lower[pos + 5..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().unwrap_or(0)
}

/// Expands `rule_files` globs relative to the config file's directory, in a stable order.
/// A pattern that matches nothing is not an error (Prometheus accepts it).
pub fn expand_rule_globs(patterns: &[String], base_dir: &Path) -> Result<Vec<PathBuf>, crate::RuleFilesError> {
    let mut out = Vec::new();
    for p in patterns {
        let full = if Path::new(p).is_absolute() { PathBuf::from(p) } else { base_dir.join(p) };
        let matched =
            crate::glob::expand(&full).map_err(|source| crate::RuleFilesError { pattern: p.clone(), source })?;
        for m in matched {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
