//! Rule unit tests in promtool's format (`promtool test rules`), with promtool's verdicts.
//!
//! A test file names rule files and test groups; each group loads input series into an
//! in-memory store, evaluates every rule group at every `evaluation_interval` from time 0,
//! and compares the firing alerts at each `eval_time` and the result of each
//! `promql_expr_test` with what the file expects. Failure messages follow promtool's shape
//! so users can read either tool's output.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use promql::promqltest::script::{SeqValue, parse_duration, parse_labels, parse_series};
use promql::{Engine, EngineOptions, MemStorage, Value};
use serde::Deserialize;
use tsdb::Sample;

use crate::alerting::AlertState;
use crate::file::{GroupSpec, load_file};
use crate::group::{Group, GroupOptions};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    rule_files: Vec<String>,
    #[serde(default)]
    evaluation_interval: Option<String>,
    #[serde(default)]
    group_eval_order: Vec<String>,
    #[serde(default)]
    tests: Vec<TestGroup>,
    /// Accepted for compatibility with newer promtool files; Vigil has no fuzzy compare.
    #[serde(default)]
    fuzzy_compare: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestGroup {
    #[serde(default)]
    interval: Option<String>,
    #[serde(default)]
    input_series: Vec<InputSeries>,
    #[serde(default)]
    alert_rule_test: Vec<AlertTest>,
    #[serde(default)]
    promql_expr_test: Vec<ExprTest>,
    #[serde(default)]
    external_labels: BTreeMap<String, String>,
    #[serde(default)]
    external_url: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputSeries {
    series: String,
    values: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertTest {
    eval_time: String,
    alertname: String,
    #[serde(default)]
    exp_alerts: Vec<ExpAlert>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpAlert {
    #[serde(default)]
    exp_labels: BTreeMap<String, String>,
    #[serde(default)]
    exp_annotations: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExprTest {
    expr: String,
    eval_time: String,
    #[serde(default)]
    exp_samples: Vec<ExpSample>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpSample {
    #[serde(default)]
    labels: String,
    #[serde(default)]
    value: f64,
}

/// The verdict for one test file: `Ok` or the failure messages, promtool-style.
#[derive(Debug)]
pub struct FileOutcome {
    pub file: PathBuf,
    pub errors: Vec<String>,
}

impl FileOutcome {
    pub fn passed(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Runs one promtool test file.
pub fn run_test_file(path: &Path) -> FileOutcome {
    let errors = match run(path) {
        Ok(errs) => errs,
        Err(e) => vec![format!("    {e}")],
    };
    FileOutcome { file: path.to_path_buf(), errors }
}

/// Runs every file and writes promtool's report (`Unit Testing:  f` / `SUCCESS` / `FAILED:`)
/// to `out`; returns whether all passed.
pub fn run_test_files(paths: &[PathBuf], out: &mut impl std::io::Write) -> std::io::Result<bool> {
    let mut all = true;
    for p in paths {
        writeln!(out, "Unit Testing:  {}", p.display())?;
        let outcome = run_test_file(p);
        if outcome.passed() {
            writeln!(out, "  SUCCESS")?;
        } else {
            all = false;
            writeln!(out, "  FAILED:")?;
            for e in &outcome.errors {
                writeln!(out, "{e}")?;
                writeln!(out)?;
            }
        }
        writeln!(out)?;
    }
    Ok(all)
}

/// A test file that cannot run at all; reported as its only failure, indented like promtool.
#[derive(Debug, thiserror::Error)]
pub enum TestFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: not a valid test file: {detail}", path.display())]
    Syntax { path: PathBuf, detail: String },
    #[error("{field}: {value:?} is not a duration (write e.g. 30s, 5m, 1h)")]
    Duration { field: &'static str, value: String },
    #[error("evaluation_interval must be greater than 0")]
    ZeroInterval,
    #[error(transparent)]
    RuleFiles(#[from] crate::RuleFilesError),
    #[error("group_eval_order: group {0:?} is listed twice")]
    OrderRepeated(String),
    #[error("group_eval_order: group {0:?} is not in any rule file")]
    OrderUnknown(String),
    #[error("group_eval_order: groups {0:?} are not listed; list every group or none")]
    OrderIncomplete(Vec<String>),
    #[error("input_series {series:?}: {source}")]
    InputSeries { series: String, source: promql::promqltest::script::SeriesError },
}

fn duration(field: &'static str, s: &str) -> Result<i64, TestFileError> {
    parse_duration(s).ok_or_else(|| TestFileError::Duration { field, value: s.to_string() })
}

fn run(path: &Path) -> Result<Vec<String>, TestFileError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| TestFileError::Read { path: path.to_path_buf(), source })?;
    let file: TestFile = serde_saphyr::from_str(&text)
        .map_err(|e| TestFileError::Syntax { path: path.to_path_buf(), detail: e.to_string() })?;
    let _ = file.fuzzy_compare;
    let base = path.parent().unwrap_or(Path::new("."));
    let eval_interval = match &file.evaluation_interval {
        Some(s) => duration("evaluation_interval", s)?,
        None => 60_000,
    };
    if eval_interval <= 0 {
        return Err(TestFileError::ZeroInterval);
    }
    let rule_paths = crate::file::expand_rule_globs(&file.rule_files, base)?;
    let mut specs: Vec<GroupSpec> = Vec::new();
    let mut load_errors = Vec::new();
    for p in &rule_paths {
        match load_file(p) {
            Ok(l) => specs.extend(l.groups),
            Err(e) => load_errors.push(format!("    {e}")),
        }
    }
    if !load_errors.is_empty() {
        return Ok(load_errors);
    }
    let order = group_order(&specs, &file.group_eval_order)?;
    let mut errors = Vec::new();
    for tg in &file.tests {
        errors.extend(run_group(tg, &specs, &order, eval_interval)?);
    }
    Ok(errors)
}

/// Indices of `specs` in evaluation order: `group_eval_order` first (every name must exist),
/// then the rest in file order.
fn group_order(specs: &[GroupSpec], order: &[String]) -> Result<Vec<usize>, TestFileError> {
    let mut out = Vec::with_capacity(specs.len());
    for name in order {
        match specs.iter().position(|g| &g.name == name) {
            Some(i) if !out.contains(&i) => out.push(i),
            Some(_) => return Err(TestFileError::OrderRepeated(name.clone())),
            None => return Err(TestFileError::OrderUnknown(name.clone())),
        }
    }
    if !order.is_empty() && out.len() != specs.len() {
        let missing: Vec<String> =
            specs.iter().enumerate().filter(|(i, _)| !out.contains(i)).map(|(_, g)| g.name.clone()).collect();
        return Err(TestFileError::OrderIncomplete(missing));
    }
    if out.is_empty() {
        out = (0..specs.len()).collect();
    }
    Ok(out)
}

fn run_group(
    tg: &TestGroup,
    specs: &[GroupSpec],
    order: &[usize],
    eval_interval: i64,
) -> Result<Vec<String>, TestFileError> {
    let load_interval = match &tg.interval {
        Some(s) => duration("interval", s)?,
        None => eval_interval,
    };
    let storage = MemStorage::new();
    for s in &tg.input_series {
        let desc = parse_series(&format!("{} {}", s.series, s.values))
            .map_err(|source| TestFileError::InputSeries { series: s.series.clone(), source })?;
        let samples: Vec<Sample> = desc
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                SeqValue::Float(f) => Some(Sample::new(i as i64 * load_interval, *f)),
                _ => None,
            })
            .collect();
        storage.add(desc.labels, samples);
    }
    let engine = Engine::new(EngineOptions { default_subquery_step_ms: eval_interval, ..Default::default() });
    let options = GroupOptions {
        external_labels: tg.external_labels.clone(),
        external_url: tg.external_url.clone(),
        ..Default::default()
    };
    let mut groups: Vec<Group> = order.iter().map(|&i| Group::new(specs[i].clone(), eval_interval, 0)).collect();

    let mut alert_tests: Vec<(i64, &AlertTest)> = Vec::new();
    for t in &tg.alert_rule_test {
        alert_tests.push((duration("eval_time", &t.eval_time)?, t));
    }
    alert_tests.sort_by_key(|(t, _)| *t);
    let mut max_t = alert_tests.last().map_or(0, |(t, _)| *t);
    for t in &tg.promql_expr_test {
        max_t = max_t.max(duration("eval_time", &t.eval_time)?);
    }
    let prefix = if tg.name.is_empty() { String::new() } else { format!("    name: {},\n", tg.name) };

    let mut errors = Vec::new();
    let mut next_test = 0;
    let mut ts = 0;
    while ts <= max_t {
        let mut eval_errors = Vec::new();
        for g in groups.iter_mut() {
            g.eval(ts, &engine, &storage, &options);
            for r in &g.rules {
                if let Some(e) = &r.last_error {
                    eval_errors.push(format!("    rule: {}, time: {}, err: {e}", r.spec.name(), go_time_duration(ts)));
                }
            }
        }
        if !eval_errors.is_empty() {
            errors.extend(eval_errors);
            return Ok(errors);
        }
        while next_test < alert_tests.len()
            && alert_tests[next_test].0 >= ts
            && alert_tests[next_test].0 < ts + eval_interval
        {
            let (t, test) = alert_tests[next_test];
            let got = firing_alerts(&groups, &test.alertname);
            let mut exp: Vec<(BTreeMap<String, String>, BTreeMap<String, String>)> = test
                .exp_alerts
                .iter()
                .map(|a| {
                    let mut l = a.exp_labels.clone();
                    l.insert("alertname".into(), test.alertname.clone());
                    (l, a.exp_annotations.clone())
                })
                .collect();
            exp.sort();
            if exp != got {
                errors.push(format!(
                    "{prefix}    alertname: {}, time: {}, \n        exp:{}, \n        got:{}",
                    test.alertname,
                    go_duration(t),
                    indent(&alerts_string(&exp), "            "),
                    indent(&alerts_string(&got), "            "),
                ));
            }
            next_test += 1;
        }
        ts += eval_interval;
    }

    for t in &tg.promql_expr_test {
        let at = duration("eval_time", &t.eval_time)?;
        let got = match engine.instant(&storage, &t.expr, at) {
            Ok(r) => match r.value {
                Value::Vector(v) => v.into_iter().map(|s| (s.labels.clone(), s.v)).collect::<Vec<_>>(),
                Value::Scalar { v, .. } => vec![(tsdb::Labels::default(), v)],
                other => {
                    errors.push(format!(
                        "    expr: {:?}, time: {}, err: rule result is not a vector or scalar: {}",
                        t.expr,
                        go_duration(at),
                        other.kind().as_str()
                    ));
                    continue;
                }
            },
            Err(e) => {
                errors.push(format!("    expr: {:?}, time: {}, err: {e}", t.expr, go_duration(at)));
                continue;
            }
        };
        let mut exp = Vec::with_capacity(t.exp_samples.len());
        let mut bad = None;
        for s in &t.exp_samples {
            match parse_labels(&s.labels) {
                Ok(l) => exp.push((l, s.value)),
                Err(e) => {
                    bad = Some(format!(
                        "    expr: {:?}, time: {}, err: labels {:?}: {e}",
                        t.expr,
                        go_duration(at),
                        s.labels
                    ));
                    break;
                }
            }
        }
        if let Some(b) = bad {
            errors.push(b);
            continue;
        }
        let mut got = got;
        exp.sort_by(|a, b| a.0.cmp(&b.0));
        got.sort_by(|a, b| a.0.cmp(&b.0));
        let same = exp.len() == got.len()
            && exp.iter().zip(&got).all(|(e, g)| e.0 == g.0 && (e.1 == g.1 || (e.1.is_nan() && g.1.is_nan())));
        if !same {
            errors.push(format!(
                "    expr: {:?}, time: {},\n        exp: {}\n        got: {}",
                t.expr,
                go_duration(at),
                samples_string(&exp),
                samples_string(&got)
            ));
        }
    }
    Ok(errors)
}

type LabelsAndAnnotations = (BTreeMap<String, String>, BTreeMap<String, String>);

fn firing_alerts(groups: &[Group], name: &str) -> Vec<LabelsAndAnnotations> {
    let mut out: Vec<LabelsAndAnnotations> = groups
        .iter()
        .flat_map(|g| g.rules.iter())
        .filter(|r| r.spec.is_alerting() && r.spec.name() == name)
        .flat_map(|r| r.alerts.all())
        .filter(|a| a.state == AlertState::Firing)
        .map(|a| (a.labels.clone(), a.annotations.clone()))
        .collect();
    out.sort();
    out
}

/// `{a="1", b="2"}` like Prometheus's `labels.Labels.String()`.
fn map_string(m: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", go_quote(v))).collect();
    format!("{{{}}}", parts.join(", "))
}

fn alerts_string(list: &[LabelsAndAnnotations]) -> String {
    if list.is_empty() {
        return "[]".into();
    }
    let mut s = String::from("[");
    for (i, (l, a)) in list.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let body = format!("\nLabels:{}\nAnnotations:{}", map_string(l), map_string(a));
        let _ = write!(s, "\n{i}:{}", indent(&body, "  "));
    }
    s.push_str("\n]");
    s
}

fn samples_string(list: &[(tsdb::Labels, f64)]) -> String {
    if list.is_empty() {
        return "nil".into();
    }
    list.iter()
        .map(|(l, v)| {
            let m: BTreeMap<String, String> = l.iter().map(|p| (p.name.to_string(), p.value.to_string())).collect();
            format!("{} {}", map_string(&m), crate::gofmt::float_exp(*v, true))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Go-quoted string (enough for label values: escapes quotes, backslashes, newlines).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Indents every line after the first newline, as promtool's `indentLines`.
fn indent(s: &str, prefix: &str) -> String {
    s.replace('\n', &format!("\n{prefix}"))
}

/// A Prometheus duration as `model.Duration.String()` prints it: `10m`, `1h30m`, `0s`.
pub fn go_duration(ms: i64) -> String {
    promconfig::format_duration_ms(ms)
}

/// Go's `time.Duration.String()` for whole milliseconds: `5m0s`, `1h30m0s`, `0s`, `1.5s`.
pub fn go_time_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let neg = ms < 0;
    let ms = ms.unsigned_abs();
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let secs = if frac == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0')) };
    let body = if h > 0 {
        format!("{h}h{m}m{secs}")
    } else if m > 0 {
        format!("{m}m{secs}")
    } else if s == 0 && frac > 0 {
        format!("{}ms", frac)
    } else {
        secs
    };
    if neg { format!("-{body}") } else { body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(90 * 60_000), "1h30m");
        assert_eq!(go_duration(10 * 60_000), "10m");
        assert_eq!(go_time_duration(5 * 60_000), "5m0s");
        assert_eq!(go_time_duration(90 * 60_000), "1h30m0s");
    }
}
