//! Runs promqltest scripts (Prometheus's PromQL conformance format) against the engine.
//!
//! Each `eval` is one case. Like upstream, an instant query that returns a vector or scalar
//! is also run as a range query around its time and must give the same answer there.

mod failure;
pub mod script;
mod suite;

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use tsdb::{Labels, Sample};

pub use failure::CaseFailure;
pub use script::{Command, Eval, EvalKind, ExpectKind, MessageMatch, ScriptError, SeqValue, parse_script};
pub use suite::{Failure, Summary, parse_known, run_suite, script_files};

use crate::{Engine, EngineOptions, MemStorage, QueryError, QueryResult, Value};

/// Upstream's tolerance: relative difference below 1e-6 counts as equal.
const EPSILON: f64 = 1e-6;

/// The result of one `eval`.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    pub line: usize,
    pub query: String,
    /// `Err` holds why the case failed.
    pub result: Result<(), CaseFailure>,
    /// The case's data or expectations use native histograms.
    pub needs_histograms: bool,
}

/// The engine settings upstream's test engine uses.
pub fn test_engine() -> Engine {
    Engine::new(EngineOptions { enable_experimental_functions: true, ..EngineOptions::default() })
}

/// Runs a whole script; a script that cannot be parsed is an error.
pub fn run_script(input: &str) -> Result<Vec<CaseOutcome>, ScriptError> {
    let commands = parse_script(input)?;
    let engine = test_engine();
    let storage = MemStorage::new();
    // Series that hold native-histogram samples (which Vigil does not evaluate yet).
    let mut histogram_series: Vec<Labels> = Vec::new();
    let mut out = Vec::new();
    for cmd in commands {
        match cmd {
            Command::Clear => {
                storage.clear();
                histogram_series.clear();
            }
            Command::Load { interval, series, histograms, .. } => {
                for s in series {
                    if histograms && let Some(base) = s.labels.metric_name().strip_suffix("_bucket") {
                        // `load_with_nhcb` also loads each classic histogram as a native one
                        // named without `_bucket` and without `le`.
                        let nhcb =
                            crate::labels::set(&crate::labels::set(&s.labels, "le", ""), tsdb::METRIC_NAME, base);
                        histogram_series.push(nhcb);
                    }
                    if s.values.contains(&SeqValue::Histogram) {
                        histogram_series.push(s.labels.clone());
                    }
                    let samples: Vec<Sample> = s
                        .values
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| match v {
                            SeqValue::Float(f) => Some(Sample { t: i as i64 * interval, v: *f }),
                            _ => None,
                        })
                        .collect();
                    storage.add(s.labels, samples);
                }
            }
            Command::Eval(e) => {
                let result = run_eval(&engine, &storage, &e);
                out.push(CaseOutcome {
                    line: e.line,
                    query: e.query.clone(),
                    result,
                    needs_histograms: e.needs_histograms || touches(&e.query, &histogram_series),
                });
            }
        }
    }
    Ok(out)
}

fn run_eval(engine: &Engine, storage: &MemStorage, e: &Eval) -> Result<(), CaseFailure> {
    let res = match e.kind {
        EvalKind::Instant { at } => engine.instant(storage, &e.query, at),
        EvalKind::Range { start, end, step } => engine.range(storage, &e.query, start, end, step),
    };
    if let Some(fail) = e.expectations.iter().find(|x| x.kind == ExpectKind::Fail) {
        return match res {
            Ok(r) => Err(CaseFailure::ExpectedError { got: describe(&r.value) }),
            Err(err) => {
                match_message(&fail.message, &err.to_string()).map_err(|m| CaseFailure::WrongError(Box::new(m)))
            }
        };
    }
    let res = res.map_err(CaseFailure::Query)?;
    check_annotations(e, &res)?;
    compare(e, &res.value, e.range_vector)?;
    // Upstream also checks the instant result in range mode, at the middle of three steps.
    if let EvalKind::Instant { at } = e.kind
        && !e.expects(ExpectKind::Ordered)
        && !uses_query_shape(&e.query)
        && matches!(res.value, Value::Vector(_) | Value::Scalar { .. })
    {
        let range =
            engine.range(storage, &e.query, at - 60_000, at + 60_000, 60_000).map_err(CaseFailure::RangeModeQuery)?;
        let Value::Matrix(series) = range.value else { return Err(CaseFailure::RangeModeNotMatrix) };
        let mut vector = Vec::new();
        for s in series {
            if let Some(p) = s.points.iter().find(|p| p.t == at) {
                vector.push(crate::InstantSample { labels: s.labels, t: at, v: p.v });
            }
        }
        let value = match res.value {
            Value::Scalar { .. } => Value::Scalar { t: at, v: vector.first().map_or(f64::NAN, |s| s.v) },
            _ => Value::Vector(vector),
        };
        compare(e, &value, None).map_err(|m| CaseFailure::InRangeMode(Box::new(m)))?;
    }
    Ok(())
}

/// `step()`, `range()`, `start()` and `end()` depend on the query's shape, so the instant
/// result cannot reappear in range mode.
fn uses_query_shape(q: &str) -> bool {
    ["step()", "range()", "start()", "end()"].iter().any(|f| q.contains(f))
}

/// Whether any selector of the query matches one of `series`.
fn touches(query: &str, series: &[Labels]) -> bool {
    if series.is_empty() {
        return false;
    }
    let Ok(expr) = promql_parser::parser::parse(query) else { return false };
    let mut hit = false;
    crate::parse::walk_selectors(&expr, &mut |vs| {
        hit |= crate::engine::selector_matchers(vs)
            .is_ok_and(|ms| series.iter().any(|l| ms.iter().all(|m| m.matches_labels(l))));
    });
    hit
}

fn describe(v: &Value) -> String {
    match v {
        Value::Scalar { v, .. } => format!("scalar {v}"),
        Value::String { s, .. } => format!("string {s:?}"),
        Value::Vector(v) => format!("vector of {} samples", v.len()),
        Value::Matrix(m) => format!("matrix of {} series", m.len()),
    }
}

fn match_message(want: &MessageMatch, got: &str) -> Result<(), CaseFailure> {
    match want {
        MessageMatch::Any => Ok(()),
        MessageMatch::Exact(m) if m == got => Ok(()),
        MessageMatch::Exact(m) => Err(CaseFailure::MessageIs { got: got.to_string(), want: m.clone() }),
        MessageMatch::Regex(r) => {
            let re = Regex::new(r).map_err(CaseFailure::BadRegex)?;
            if re.is_match(got) {
                Ok(())
            } else {
                Err(CaseFailure::MessageDoesNotMatch { got: got.to_string(), regex: r.clone() })
            }
        }
    }
}

fn check_annotations(e: &Eval, res: &QueryResult) -> Result<(), CaseFailure> {
    for (kind, none, got) in
        [(ExpectKind::Warn, ExpectKind::NoWarn, &res.warnings), (ExpectKind::Info, ExpectKind::NoInfo, &res.infos)]
    {
        let name = if kind == ExpectKind::Warn { "warning" } else { "info" };
        if e.expects(none) && !got.is_empty() {
            return Err(CaseFailure::UnexpectedAnnotations { kind: name, got: got.clone() });
        }
        let wanted: Vec<&MessageMatch> = e.expectations.iter().filter(|x| x.kind == kind).map(|x| &x.message).collect();
        if wanted.is_empty() {
            continue;
        }
        for w in &wanted {
            if !got.iter().any(|g| match_message(w, g).is_ok()) {
                return Err(CaseFailure::MissingAnnotation { kind: name, want: (*w).clone(), got: got.clone() });
            }
        }
        for g in got {
            if !wanted.iter().any(|w| match_message(w, g).is_ok()) {
                return Err(CaseFailure::UnexpectedAnnotation { kind: name, got: g.clone() });
            }
        }
    }
    Ok(())
}

fn almost_equal(a: f64, b: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    crate::functions::almost_equal(a, b, EPSILON)
}

fn compare(e: &Eval, value: &Value, range_vector: Option<(i64, i64, i64)>) -> Result<(), CaseFailure> {
    match value {
        Value::String { s, .. } => match &e.string {
            Some(want) if want == s => Ok(()),
            Some(want) => Err(CaseFailure::StringMismatch { want: want.clone(), got: s.clone() }),
            None => Err(CaseFailure::UnexpectedString(s.clone())),
        },
        Value::Scalar { v, .. } => match e.scalar {
            Some(want) if almost_equal(want, *v) => Ok(()),
            Some(want) => Err(CaseFailure::ScalarMismatch { want, got: *v }),
            None => Err(CaseFailure::UnexpectedScalar(*v)),
        },
        Value::Vector(samples) => {
            if e.scalar.is_some() {
                return Err(CaseFailure::VectorForScalar(samples.len()));
            }
            let expected = expected_map(e)?;
            let mut seen = HashMap::new();
            for (pos, s) in samples.iter().enumerate() {
                let Some((want_pos, values)) = expected.get(&s.labels) else {
                    return Err(CaseFailure::UnexpectedSample { labels: s.labels.clone(), value: s.v });
                };
                if e.expects(ExpectKind::Ordered) && *want_pos != pos {
                    return Err(CaseFailure::WrongPosition {
                        labels: s.labels.clone(),
                        want: want_pos + 1,
                        got: pos + 1,
                    });
                }
                match values.first() {
                    Some(SeqValue::Float(want)) if almost_equal(*want, s.v) => {}
                    Some(SeqValue::Float(want)) => {
                        return Err(CaseFailure::ValueMismatch { want: *want, labels: s.labels.clone(), got: s.v });
                    }
                    other => {
                        return Err(CaseFailure::NotAFloat {
                            want: other.copied(),
                            labels: s.labels.clone(),
                            got: s.v,
                        });
                    }
                }
                seen.insert(s.labels.clone(), ());
            }
            for l in expected.keys() {
                if !seen.contains_key(l) {
                    return Err(CaseFailure::MissingMetric(l.clone()));
                }
            }
            Ok(())
        }
        Value::Matrix(series) => {
            if e.expects(ExpectKind::Ordered) {
                return Err(CaseFailure::OrderedMatrix);
            }
            if e.scalar.is_some() {
                return Err(CaseFailure::MatrixForScalar);
            }
            let (start, end, step) = match (range_vector, &e.kind) {
                (Some(r), _) => r,
                (None, EvalKind::Range { start, end, step }) => (*start, *end, *step),
                (None, EvalKind::Instant { .. }) => {
                    return Err(CaseFailure::UnexpectedRangeVector(series.len()));
                }
            };
            let expected = expected_map(e)?;
            let mut seen = HashMap::new();
            for s in series {
                let Some((_, values)) = expected.get(&s.labels) else {
                    return Err(CaseFailure::UnexpectedSeries {
                        labels: s.labels.clone(),
                        points: format_points(&s.points),
                    });
                };
                seen.insert(s.labels.clone(), ());
                let mut want = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    let t = start + i as i64 * step;
                    if t > end {
                        return Err(CaseFailure::TooManyPoints { count: values.len(), labels: s.labels.clone() });
                    }
                    match v {
                        SeqValue::Float(f) => want.push((t, *f)),
                        SeqValue::Histogram => return Err(CaseFailure::HistogramPoints),
                        SeqValue::Omitted => {}
                    }
                }
                if want.len() != s.points.len() {
                    return Err(CaseFailure::PointCount {
                        want: want.len(),
                        labels: s.labels.clone(),
                        got: format_points(&s.points),
                    });
                }
                for (i, ((t, f), p)) in want.iter().zip(&s.points).enumerate() {
                    if *t != p.t {
                        return Err(CaseFailure::PointTime { i, labels: s.labels.clone(), want: *t, got: p.t });
                    }
                    if !almost_equal(*f, p.v) {
                        return Err(CaseFailure::PointValue { i, t: *t, labels: s.labels.clone(), want: *f, got: p.v });
                    }
                }
            }
            for l in expected.keys() {
                if !seen.contains_key(l) {
                    return Err(CaseFailure::MissingMetric(l.clone()));
                }
            }
            Ok(())
        }
    }
}

fn format_points(points: &[Sample]) -> String {
    let v: Vec<String> = points.iter().map(|p| format!("{}@{}", p.v, p.t)).collect();
    format!("[{}]", v.join(" "))
}

fn expected_map(e: &Eval) -> Result<BTreeMap<Labels, (usize, Vec<SeqValue>)>, CaseFailure> {
    let mut m = BTreeMap::new();
    for (i, s) in e.series.iter().enumerate() {
        if m.insert(s.labels.clone(), (i, s.values.clone())).is_some() {
            return Err(CaseFailure::DuplicateExpectation(s.labels.clone()));
        }
    }
    Ok(m)
}

/// Why an error was expected to not matter: exposes the error type for reports.
pub fn error_kind(e: &QueryError) -> &'static str {
    e.error_type()
}
