//! PromQL functions.
//!
//! Three shapes: functions of an instant vector evaluated sample by sample (`abs`, `clamp`,
//! date functions), functions of a range vector evaluated window by window (`rate`,
//! `*_over_time`), and the special ones that need the expression itself (`absent`,
//! `timestamp`, `label_replace`, `histogram_quantile`, `sort`).

use promconfig::time::{civil_from_days, days_in_month};
use std::collections::HashMap;

use promql_parser::parser::{Call, Expr, VectorSelector};
use regex::Regex;
use tsdb::{Labels, METRIC_NAME, MatchOp, Matcher, Sample};

use crate::engine::{Ev, Evaluator, StepArg, StepSample, StepSeries, Windowed, selector_matchers};
use crate::error::QueryError;
use crate::labels::{from_sorted, set, signature};

pub(crate) fn eval_call(ev: &mut Evaluator<'_>, call: &Call) -> Result<Ev, QueryError> {
    let name = call.func.name;
    let args: Vec<&Expr> = call.args.args.iter().map(|a| a.as_ref()).collect();
    match name {
        "time" => Ok(Ev::Scalar((0..ev.nsteps()).map(|i| ev.step_ts(i) as f64 / 1000.0).collect())),
        "pi" => Ok(Ev::Scalar(vec![std::f64::consts::PI; ev.nsteps()])),
        // Query-shape functions: the step, the query's length, its start and end, in seconds.
        "step" => Ok(Ev::Scalar(vec![ev.interval as f64 / 1000.0; ev.nsteps()])),
        "range" => Ok(Ev::Scalar(vec![(ev.query_end - ev.query_start) as f64 / 1000.0; ev.nsteps()])),
        "start" => Ok(Ev::Scalar(vec![ev.query_start as f64 / 1000.0; ev.nsteps()])),
        "end" => Ok(Ev::Scalar(vec![ev.query_end as f64 / 1000.0; ev.nsteps()])),
        "min_of" | "max_of" => {
            let a = scalar_arg(ev, arg(&args, 0)?, name)?;
            let b = scalar_arg(ev, arg(&args, 1)?, name)?;
            let f = if name == "min_of" { go_min } else { go_max };
            Ok(Ev::Scalar(a.iter().zip(&b).map(|(x, y)| f(*x, *y)).collect()))
        }
        "vector" => {
            let Ev::Scalar(values) = ev.eval(arg(&args, 0)?)? else {
                return Err(type_error(name, "a scalar"));
            };
            let points = values.iter().enumerate().map(|(i, v)| Sample { t: ev.step_ts(i), v: *v }).collect();
            Ok(Ev::Vector(vec![StepSeries { labels: Labels::default(), drop_name: false, points }]))
        }
        "scalar" => {
            let inner = ev.eval(arg(&args, 0)?)?;
            let n = ev.nsteps();
            let series = ev.range_eval(&[&inner], |_, _, a| match &a[0] {
                StepArg::Vector(v) if v.len() == 1 => {
                    Ok(vec![StepSample { labels: Labels::default(), v: v[0].v, drop_name: false }])
                }
                _ => Ok(vec![]),
            })?;
            let mut out = vec![f64::NAN; n];
            if let Some(s) = series.first() {
                for p in &s.points {
                    let i = ((p.t - ev.start) / ev.interval.max(1)) as usize;
                    if let Some(slot) = out.get_mut(i) {
                        *slot = p.v;
                    }
                }
            }
            Ok(Ev::Scalar(out))
        }
        "timestamp" => {
            let a = unwrap_parens(arg(&args, 0)?);
            let mut series = match a {
                Expr::VectorSelector(vs) => ev.select_vector(vs, true)?,
                other => match ev.eval(other)? {
                    Ev::Vector(mut series) => {
                        for s in &mut series {
                            for p in &mut s.points {
                                p.v = p.t as f64 / 1000.0;
                            }
                        }
                        series
                    }
                    _ => return Err(type_error(name, "an instant vector")),
                },
            };
            for s in &mut series {
                s.drop_name = true;
            }
            Ok(Ev::Vector(series))
        }
        "absent" => absent(ev, arg(&args, 0)?),
        "absent_over_time" => absent_over_time(ev, arg(&args, 0)?),
        "label_replace" => label_replace(ev, &args),
        "label_join" => label_join(ev, &args),
        "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" => sort(ev, name, &args),
        "histogram_quantile" => histogram_quantile(ev, &args),
        "histogram_fraction" => histogram_fraction(ev, &args),
        "histogram_quantiles" => histogram_quantiles(ev, &args),
        "histogram_avg" | "histogram_count" | "histogram_sum" | "histogram_stddev" | "histogram_stdvar" => {
            // Native-histogram functions ignore float samples: over classic series they
            // return nothing, never a wrong number.
            let idx = 0;
            let inner = ev.eval(arg(&args, idx)?)?;
            if let Ev::Vector(series) = &inner
                && !series.is_empty()
            {
                return Err(QueryError::Unsupported(format!("{name}() (native histograms)")));
            }
            Ok(Ev::Vector(vec![]))
        }
        "info" => info(ev, &args),
        "clamp" | "clamp_min" | "clamp_max" | "round" => clamp_round(ev, name, &args),
        "day_of_month" | "day_of_week" | "day_of_year" | "days_in_month" | "hour" | "minute" | "month" | "year" => {
            date_function(ev, name, &args)
        }
        _ if is_range_function(name) => range_function(ev, name, &args),
        _ => match math_function(name) {
            Some(f) => {
                let inner = ev.eval(arg(&args, 0)?)?;
                let Ev::Vector(mut series) = inner else { return Err(type_error(name, "an instant vector")) };
                for s in &mut series {
                    s.drop_name = true;
                    for p in &mut s.points {
                        p.v = f(p.v);
                    }
                }
                Ok(Ev::Vector(series))
            }
            None => Err(QueryError::Unsupported(format!("function {name}()"))),
        },
    }
}

fn arg<'e>(args: &[&'e Expr], i: usize) -> Result<&'e Expr, QueryError> {
    args.get(i).copied().ok_or_else(|| QueryError::Execution(format!("missing argument {}", i + 1)))
}

fn unwrap_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unwrap_parens(&p.expr),
        other => other,
    }
}

fn type_error(func: &str, want: &str) -> QueryError {
    QueryError::Execution(format!("{func}() expects {want}"))
}

fn scalar_arg(ev: &mut Evaluator<'_>, e: &Expr, func: &str) -> Result<Vec<f64>, QueryError> {
    match ev.eval(e)? {
        Ev::Scalar(v) => Ok(v),
        _ => Err(type_error(func, "a scalar argument")),
    }
}

fn string_arg(e: &Expr, func: &str) -> Result<String, QueryError> {
    match unwrap_parens(e) {
        Expr::StringLiteral(s) => Ok(s.val.clone()),
        _ => Err(type_error(func, "a string argument")),
    }
}

fn math_function(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "abs" => f64::abs,
        "ceil" => f64::ceil,
        "floor" => f64::floor,
        "exp" => f64::exp,
        "sqrt" => f64::sqrt,
        "ln" => f64::ln,
        "log2" => f64::log2,
        "log10" => f64::log10,
        "sin" => f64::sin,
        "cos" => f64::cos,
        "tan" => f64::tan,
        "asin" => f64::asin,
        "acos" => f64::acos,
        "atan" => f64::atan,
        "sinh" => f64::sinh,
        "cosh" => f64::cosh,
        "tanh" => f64::tanh,
        "asinh" => f64::asinh,
        "acosh" => f64::acosh,
        "atanh" => f64::atanh,
        "deg" => |v: f64| v * 180.0 / std::f64::consts::PI,
        "rad" => |v: f64| v * std::f64::consts::PI / 180.0,
        "sgn" => |v: f64| {
            if v < 0.0 {
                -1.0
            } else if v > 0.0 {
                1.0
            } else {
                v
            }
        },
        _ => return None,
    })
}

/// Go's `math.Max`/`math.Min`: NaN wins (Rust's `f64::max` ignores it).
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) }
}

fn clamp_round(ev: &mut Evaluator<'_>, name: &str, args: &[&Expr]) -> Result<Ev, QueryError> {
    let inner = ev.eval(arg(args, 0)?)?;
    let mut scalars = Vec::new();
    for e in &args[1..] {
        scalars.push(Ev::Scalar(scalar_arg(ev, e, name)?));
    }
    let mut all: Vec<&Ev> = vec![&inner];
    all.extend(scalars.iter());
    let series = ev.range_eval(&all, |_, _, a| {
        let StepArg::Vector(v) = &a[0] else { return Ok(vec![]) };
        let s = |i: usize| match a.get(i) {
            Some(StepArg::Scalar(x)) => Some(*x),
            _ => None,
        };
        let f: Box<dyn Fn(f64) -> f64> = match name {
            "clamp" => {
                let (lo, hi) = (s(1).unwrap_or(f64::NAN), s(2).unwrap_or(f64::NAN));
                if hi < lo {
                    return Ok(vec![]);
                }
                Box::new(move |x| go_max(lo, go_min(hi, x)))
            }
            "clamp_min" => {
                let lo = s(1).unwrap_or(f64::NAN);
                Box::new(move |x| go_max(lo, x))
            }
            "clamp_max" => {
                let hi = s(1).unwrap_or(f64::NAN);
                Box::new(move |x| go_min(hi, x))
            }
            _ => {
                let inv = 1.0 / s(1).unwrap_or(1.0);
                Box::new(move |x| (x * inv + 0.5).floor() / inv)
            }
        };
        Ok(v.iter().map(|x| StepSample { labels: x.labels.clone(), v: f(x.v), drop_name: true }).collect())
    })?;
    Ok(Ev::Vector(series))
}

fn date_function(ev: &mut Evaluator<'_>, name: &str, args: &[&Expr]) -> Result<Ev, QueryError> {
    let inner = match args.first() {
        Some(e) => ev.eval(e)?,
        None => {
            let points =
                (0..ev.nsteps()).map(|i| Sample { t: ev.step_ts(i), v: ev.step_ts(i) as f64 / 1000.0 }).collect();
            Ev::Vector(vec![StepSeries { labels: Labels::default(), drop_name: false, points }])
        }
    };
    let Ev::Vector(mut series) = inner else { return Err(type_error(name, "an instant vector")) };
    for s in &mut series {
        s.drop_name = true;
        for p in &mut s.points {
            p.v = date_part(name, p.v);
        }
    }
    Ok(Ev::Vector(series))
}

fn date_part(name: &str, v: f64) -> f64 {
    if !v.is_finite() {
        return f64::NAN;
    }
    let secs = v as i64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    match name {
        "day_of_month" => d as f64,
        "day_of_week" => (days + 4).rem_euclid(7) as f64,
        "day_of_year" => {
            let before: u32 = (1..m).map(|mm| days_in_month(y, mm)).sum();
            (before + d) as f64
        }
        "days_in_month" => days_in_month(y, m) as f64,
        "hour" => (sod / 3600) as f64,
        "minute" => (sod % 3600 / 60) as f64,
        "month" => m as f64,
        _ => y as f64,
    }
}

fn absent(ev: &mut Evaluator<'_>, a: &Expr) -> Result<Ev, QueryError> {
    let inner = ev.eval(a)?;
    let labels = absent_labels(a);
    let n = ev.nsteps();
    let Ev::Vector(series) = inner else { return Err(type_error("absent", "an instant vector")) };
    let mut present = vec![false; n];
    for s in &series {
        for p in &s.points {
            if let Some(slot) = present.get_mut(((p.t - ev.start) / ev.interval.max(1)) as usize) {
                *slot = true;
            }
        }
    }
    let points: Vec<Sample> = (0..n).filter(|&i| !present[i]).map(|i| Sample { t: ev.step_ts(i), v: 1.0 }).collect();
    Ok(Ev::Vector(if points.is_empty() { vec![] } else { vec![StepSeries { labels, drop_name: false, points }] }))
}

/// The labels `absent()` reports: the selector's equality matchers, unless a name occurs
/// twice.
fn absent_labels(e: &Expr) -> Labels {
    let vs: &VectorSelector = match unwrap_parens(e) {
        Expr::VectorSelector(vs) => vs,
        Expr::MatrixSelector(ms) => &ms.vs,
        _ => return Labels::default(),
    };
    let Ok(matchers) = selector_matchers(vs) else { return Labels::default() };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for m in &matchers {
        *seen.entry(m.name.as_str()).or_default() += 1;
    }
    let mut out = Labels::default();
    for m in &matchers {
        if m.op == MatchOp::Equal && m.name != METRIC_NAME && seen.get(m.name.as_str()) == Some(&1) {
            out = set(&out, &m.name, &m.value);
        }
    }
    out
}

fn absent_over_time(ev: &mut Evaluator<'_>, a: &Expr) -> Result<Ev, QueryError> {
    let w = ev.eval_windowed(a)?;
    let labels = absent_labels(a);
    let n = ev.nsteps();
    let mut points = Vec::new();
    for i in 0..n {
        if !w.series.iter().any(|s| !w.window(s, i).is_empty()) {
            points.push(Sample { t: ev.step_ts(i), v: 1.0 });
        }
    }
    Ok(Ev::Vector(if points.is_empty() { vec![] } else { vec![StepSeries { labels, drop_name: false, points }] }))
}

/// The labels `info()` joins on.
const IDENTIFYING_LABELS: [&str; 2] = ["instance", "job"];

/// `info(v, {selector})`: adds the data labels of matching info metrics (default
/// `target_info`) to each series of `v`, joining on `instance` and `job` at every step.
fn info(ev: &mut Evaluator<'_>, args: &[&Expr]) -> Result<Ev, QueryError> {
    let base = ev.eval(arg(args, 0)?)?;
    let selector = match args.get(1).map(|e| unwrap_parens(e)) {
        Some(Expr::VectorSelector(vs)) => selector_matchers(vs)?,
        Some(_) => return Err(type_error("info", "a series selector as its second argument")),
        None => Vec::new(),
    };
    let (mut names, data): (Vec<Matcher>, Vec<Matcher>) = selector.into_iter().partition(|m| m.name == METRIC_NAME);
    if names.is_empty() {
        names.push(Matcher::equal(METRIC_NAME, "target_info"));
    } else if names.iter().all(|m| matches!(m.op, MatchOp::NotEqual | MatchOp::RegexNoMatch)) {
        // Only exclusions: the candidates are the info metrics (`*_info`) they leave.
        names.push(
            Matcher::new(MatchOp::RegexMatch, METRIC_NAME, ".+_info").map_err(|e| QueryError::Parse(e.to_string()))?,
        );
    }
    let all: Vec<Matcher> = names.iter().chain(&data).cloned().collect();
    let refs: Vec<i64> = (0..ev.nsteps()).map(|i| ev.step_ts(i)).collect();
    // Values are the info samples' timestamps: among series of one info metric, the newest wins.
    let infos = Ev::Vector(ev.select_vector_at(&all, &refs, true)?);
    let empty_ok = data.iter().all(Matcher::matches_empty);
    let series = ev.range_eval(&[&base, &infos], |_, _, a| {
        let (StepArg::Vector(base), StepArg::Vector(infos)) = (&a[0], &a[1]) else { return Ok(vec![]) };
        let mut out = Vec::with_capacity(base.len());
        for s in base {
            if names.iter().all(|m| m.matches_labels(&s.labels)) {
                out.push(s.clone());
                continue;
            }
            let ident = |l: &Labels| IDENTIFYING_LABELS.map(|n| l.get(n).unwrap_or("").to_string());
            let key = ident(&s.labels);
            let mut newest: HashMap<&str, &StepSample> = HashMap::new();
            for i in infos.iter().filter(|i| ident(&i.labels) == key) {
                let e = newest.entry(i.labels.metric_name()).or_insert(i);
                if i.v > e.v {
                    *e = i;
                }
            }
            if newest.is_empty() {
                if empty_ok {
                    out.push(s.clone());
                }
                continue;
            }
            let mut labels = s.labels.clone();
            let mut added: HashMap<String, String> = HashMap::new();
            for i in newest.values() {
                for l in i.labels.iter() {
                    let name = &*l.name;
                    if name == METRIC_NAME || IDENTIFYING_LABELS.contains(&name) || s.labels.get(name).is_some() {
                        continue;
                    }
                    if !data.is_empty() && !data.iter().any(|m| m.name == name) {
                        continue;
                    }
                    match added.get(name) {
                        Some(v) if **v != *l.value => {
                            return Err(QueryError::Execution(format!(
                                "conflicting label: {name} has values {v:?} and {:?} in different info metrics",
                                &*l.value
                            )));
                        }
                        Some(_) => {}
                        None => {
                            added.insert(name.to_string(), l.value.to_string());
                            labels = set(&labels, name, &l.value);
                        }
                    }
                }
            }
            out.push(StepSample { labels, v: s.v, drop_name: s.drop_name });
        }
        Ok(out)
    })?;
    Ok(Ev::Vector(series))
}

fn label_replace(ev: &mut Evaluator<'_>, args: &[&Expr]) -> Result<Ev, QueryError> {
    let dst = string_arg(arg(args, 1)?, "label_replace")?;
    let repl = string_arg(arg(args, 2)?, "label_replace")?;
    let src = string_arg(arg(args, 3)?, "label_replace")?;
    let pattern = string_arg(arg(args, 4)?, "label_replace")?;
    let re = Regex::new(&format!("^(?s:{pattern})$"))
        .map_err(|e| QueryError::Execution(format!("invalid regular expression in label_replace(): {pattern}: {e}")))?;
    if dst.is_empty() || dst.contains('\u{FFFD}') {
        return Err(QueryError::Execution(format!("invalid destination label name in label_replace(): {dst}")));
    }
    let Ev::Vector(mut series) = ev.eval(arg(args, 0)?)? else {
        return Err(type_error("label_replace", "an instant vector"));
    };
    let repl = go_template_to_rust(&repl);
    for s in &mut series {
        let value = s.labels.get(&src).unwrap_or("").to_string();
        if let Some(caps) = re.captures(&value) {
            let mut out = String::new();
            caps.expand(&repl, &mut out);
            s.labels = set(&s.labels, &dst, &out);
            if dst == METRIC_NAME {
                s.drop_name = false;
            }
        }
    }
    Ok(Ev::Vector(crate::engine::merge_same_labels(series)?))
}

/// Go's `Regexp.Expand` and Rust's `Captures::expand` share `$1`, `${1}` and `$name`;
/// they agree on everything label_replace uses, so the template passes through.
fn go_template_to_rust(s: &str) -> String {
    s.to_string()
}

fn label_join(ev: &mut Evaluator<'_>, args: &[&Expr]) -> Result<Ev, QueryError> {
    let dst = string_arg(arg(args, 1)?, "label_join")?;
    let sep = string_arg(arg(args, 2)?, "label_join")?;
    let mut srcs = Vec::new();
    for e in &args[3..] {
        srcs.push(string_arg(e, "label_join")?);
    }
    if dst.is_empty() {
        return Err(QueryError::Execution(format!("invalid destination label name in label_join(): {dst}")));
    }
    let Ev::Vector(mut series) = ev.eval(arg(args, 0)?)? else {
        return Err(type_error("label_join", "an instant vector"));
    };
    for s in &mut series {
        let joined: Vec<&str> = srcs.iter().map(|n| s.labels.get(n).unwrap_or("")).collect();
        let joined = joined.join(&sep);
        s.labels = set(&s.labels, &dst, &joined);
        if dst == METRIC_NAME {
            s.drop_name = false;
        }
    }
    Ok(Ev::Vector(crate::engine::merge_same_labels(series)?))
}

fn sort(ev: &mut Evaluator<'_>, name: &str, args: &[&Expr]) -> Result<Ev, QueryError> {
    let Ev::Vector(mut series) = ev.eval(arg(args, 0)?)? else { return Err(type_error(name, "an instant vector")) };
    if ev.is_range_query() {
        ev.notes.warn("sort is ineffective for range queries since results are always ordered by labels".into());
    }
    // Order only matters for instant queries, whose series have one point each.
    let value = |s: &StepSeries| s.points.first().map_or(f64::NAN, |p| p.v);
    match name {
        "sort" | "sort_desc" => {
            let desc = name == "sort_desc";
            series.sort_by(|a, b| {
                use std::cmp::Ordering::*;
                let (x, y) = (value(a), value(b));
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => Equal,
                    (true, false) => Greater,
                    (false, true) => Less,
                    _ if desc => y.partial_cmp(&x).unwrap_or(Equal),
                    _ => x.partial_cmp(&y).unwrap_or(Equal),
                }
            });
        }
        _ => {
            let mut keys = Vec::new();
            for e in &args[1..] {
                keys.push(string_arg(e, name)?);
            }
            let desc = name == "sort_by_label_desc";
            series.sort_by(|a, b| {
                for k in &keys {
                    let o = natural_cmp(a.labels.get(k).unwrap_or(""), b.labels.get(k).unwrap_or(""));
                    if o != std::cmp::Ordering::Equal {
                        return if desc { o.reverse() } else { o };
                    }
                }
                let o = a.labels.cmp(&b.labels);
                if desc { o.reverse() } else { o }
            });
        }
    }
    Ok(Ev::Vector(series))
}

/// Compares strings with digit runs compared as numbers ("a2" < "a10").
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let nx = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let ny = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (dx, dy) = (&x[..nx], &y[..ny]);
                let tx = dx.iter().skip_while(|c| **c == b'0').count();
                let ty = dy.iter().skip_while(|c| **c == b'0').count();
                let o = tx.cmp(&ty).then_with(|| dx[nx - tx..].cmp(&dy[ny - ty..]));
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
                x = &x[nx..];
                y = &y[ny..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// Classic buckets of one step grouped into histograms: labels (without `le`, name kept for
/// delayed removal), `(upper bound, count)` pairs and the metric name.
type BucketGroups = Vec<(Labels, Vec<(f64, f64)>, String)>;

fn group_buckets(ev: &mut Evaluator<'_>, v: &[StepSample]) -> BucketGroups {
    let mut groups: BucketGroups = Vec::new();
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    for s in v {
        let Some(le) = s.labels.get("le").and_then(parse_go_float) else {
            ev.notes.warn(format!(
                "bucket label \"le\" is missing or has a malformed value of {:?} for metric name {:?}",
                s.labels.get("le").unwrap_or(""),
                s.labels.metric_name()
            ));
            continue;
        };
        // Grouped with the metric name still present (it is dropped at the end), so two
        // histograms that differ only by name collide there, as upstream.
        let key = signature(&s.labels, &["le".to_string()], false);
        let key = [s.labels.metric_name().as_bytes(), &[0xff], &key].concat();
        let g = *index.entry(key).or_insert_with(|| {
            let labels = from_sorted(s.labels.iter().filter(|l| &*l.name != "le").cloned().collect());
            groups.push((labels, Vec::new(), s.labels.metric_name().to_string()));
            groups.len() - 1
        });
        groups[g].1.push((le, s.v));
    }
    groups
}

fn histogram_fraction(ev: &mut Evaluator<'_>, args: &[&Expr]) -> Result<Ev, QueryError> {
    let lower = Ev::Scalar(scalar_arg(ev, arg(args, 0)?, "histogram_fraction")?);
    let upper = Ev::Scalar(scalar_arg(ev, arg(args, 1)?, "histogram_fraction")?);
    let inner = ev.eval(arg(args, 2)?)?;
    let series = ev.range_eval(&[&lower, &upper, &inner], |ev, _, a| {
        let (StepArg::Scalar(lo), StepArg::Scalar(hi), StepArg::Vector(v)) = (&a[0], &a[1], &a[2]) else {
            return Ok(vec![]);
        };
        let groups = group_buckets(ev, v);
        Ok(groups
            .into_iter()
            .map(|(labels, mut buckets, _)| StepSample {
                labels,
                v: bucket_fraction(*lo, *hi, &mut buckets),
                drop_name: true,
            })
            .collect())
    })?;
    Ok(Ev::Vector(series))
}

/// The fraction of observations between `lower` and `upper` in classic buckets,
/// interpolating linearly inside buckets.
fn bucket_fraction(lower: f64, upper: f64, buckets: &mut [(f64, f64)]) -> f64 {
    buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return f64::NAN;
    }
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(buckets.len());
    for &(le, c) in buckets.iter() {
        match merged.last_mut() {
            Some(last) if last.0 == le => last.1 += c,
            _ => merged.push((le, c)),
        }
    }
    let count = merged[merged.len() - 1].1;
    if count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    let (mut rank, mut lower_rank, mut upper_rank) = (0.0, 0.0, 0.0);
    let (mut lower_set, mut upper_set) = (false, false);
    for (i, &(ub, c)) in merged.iter().enumerate() {
        let lb = if i > 0 {
            merged[i - 1].0
        } else if ub > 0.0 {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        // A bucket of infinite width cannot be interpolated: a bound inside the first one
        // counts it whole below, one inside the last counts none of it.
        let interpolate = |v: f64| if lb.is_infinite() { c } else { rank + (c - rank) * (v - lb) / (ub - lb) };
        if !lower_set && lb >= lower {
            lower_rank = rank;
            lower_set = true;
        }
        if !upper_set && lb >= upper {
            upper_rank = rank;
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && lb < lower && ub > lower {
            lower_rank = interpolate(lower);
            lower_set = true;
        }
        if !upper_set && lb < upper && ub > upper {
            upper_rank = interpolate(upper);
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        rank = c;
    }
    if !lower_set || lower_rank > count {
        lower_rank = count;
    }
    if !upper_set || upper_rank > count {
        upper_rank = count;
    }
    (upper_rank - lower_rank) / count
}

fn histogram_quantile(ev: &mut Evaluator<'_>, args: &[&Expr]) -> Result<Ev, QueryError> {
    let phi = Ev::Scalar(scalar_arg(ev, arg(args, 0)?, "histogram_quantile")?);
    let inner = ev.eval(arg(args, 1)?)?;
    bucket_quantiles(ev, &inner, &[phi], None)
}

/// `histogram_quantiles(v, "label", φ1, φ2, …)` (experimental): several quantiles at once,
/// each series labelled with its φ.
fn histogram_quantiles(ev: &mut Evaluator<'_>, args: &[&Expr]) -> Result<Ev, QueryError> {
    let inner = ev.eval(arg(args, 0)?)?;
    let label = string_arg(arg(args, 1)?, "histogram_quantiles")?;
    let mut phis = Vec::new();
    for e in args.iter().skip(2) {
        phis.push(Ev::Scalar(scalar_arg(ev, e, "histogram_quantiles")?));
    }
    bucket_quantiles(ev, &inner, &phis, Some(&label))
}

fn bucket_quantiles(ev: &mut Evaluator<'_>, inner: &Ev, phis: &[Ev], label: Option<&str>) -> Result<Ev, QueryError> {
    let mut all: Vec<&Ev> = vec![inner];
    all.extend(phis);
    let series = ev.range_eval(&all, |ev, _, a| {
        let StepArg::Vector(v) = &a[0] else { return Ok(vec![]) };
        let qs: Vec<f64> = a[1..].iter().map(|x| if let StepArg::Scalar(q) = x { *q } else { f64::NAN }).collect();
        for q in &qs {
            if !(0.0..=1.0).contains(q) {
                ev.notes.warn(format!("quantile value should be between 0 and 1, got {}", format_go_float(*q)));
            }
        }
        let groups = group_buckets(ev, v);
        let mut out = Vec::with_capacity(groups.len() * qs.len());
        for (labels, buckets, metric) in groups {
            if let Some(l) = label
                && labels.get(l).is_some()
            {
                return Err(QueryError::Execution(format!(
                    "histogram_quantiles: label {l:?} already exists on {labels}; choose another label name"
                )));
            }
            for q in &qs {
                let (v, forced, _) = bucket_quantile(*q, &mut buckets.clone());
                if forced {
                    ev.notes.info(format!(
                        "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {metric:?}"
                    ));
                }
                // Upstream writes φ like `0.0`, `0.25`, `1.0`: shortest form with a decimal point.
                let labels = match label {
                    Some(l) => set(&labels, l, &format!("{q:?}")),
                    None => labels.clone(),
                };
                out.push(StepSample { labels, v, drop_name: true });
            }
        }
        Ok(out)
    })?;
    Ok(Ev::Vector(series))
}

/// Parses a number the way Go's `strconv.ParseFloat` does for label values (`+Inf`, `1e3`).
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "+inf" | "inf" | "+infinity" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ => {
            if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                return i64::from_str_radix(hex, 16).ok().map(|v| v as f64);
            }
            t.replace('_', "").parse::<f64>().ok()
        }
    }
}

/// The φ-quantile of classic buckets `(upper bound, cumulative count)`, with Prometheus's
/// repairs; returns the value, whether monotonicity had to be forced, and whether tiny
/// floating-point differences were ignored.
pub(crate) fn bucket_quantile(q: f64, buckets: &mut [(f64, f64)]) -> (f64, bool, bool) {
    if q.is_nan() {
        return (f64::NAN, false, false);
    }
    if q < 0.0 {
        return (f64::NEG_INFINITY, false, false);
    }
    if q > 1.0 {
        return (f64::INFINITY, false, false);
    }
    buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return (f64::NAN, false, false);
    }
    // Coalesce buckets with the same bound.
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(buckets.len());
    for &(le, c) in buckets.iter() {
        match merged.last_mut() {
            Some(last) if last.0 == le => last.1 += c,
            _ => merged.push((le, c)),
        }
    }
    let (mut forced, mut fixed) = (false, false);
    let mut prev = merged[0].1;
    for b in merged.iter_mut().skip(1) {
        let cur = b.1;
        if cur == prev {
            continue;
        }
        if almost_equal(prev, cur, 1e-12) {
            b.1 = prev;
            fixed = true;
            continue;
        }
        if cur < prev {
            b.1 = prev;
            forced = true;
            continue;
        }
        prev = cur;
    }
    if merged.len() < 2 {
        return (f64::NAN, forced, fixed);
    }
    let observations = merged[merged.len() - 1].1;
    if observations == 0.0 {
        return (f64::NAN, forced, fixed);
    }
    let mut rank = q * observations;
    let b = merged[..merged.len() - 1].partition_point(|x| x.1 < rank);
    if b == merged.len() - 1 {
        return (merged[merged.len() - 2].0, forced, fixed);
    }
    if b == 0 && merged[0].0 <= 0.0 {
        return (merged[0].0, forced, fixed);
    }
    let (mut start, end, mut count) = (0.0, merged[b].0, merged[b].1);
    if b > 0 {
        start = merged[b - 1].0;
        count -= merged[b - 1].1;
        rank -= merged[b - 1].1;
    }
    (start + (end - start) * (rank / count), forced, fixed)
}

/// Relative comparison as Prometheus's `almost.Equal`.
pub(crate) fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
    if a == b {
        return true;
    }
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || diff < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / (a.abs() + b.abs()) < epsilon
}

/// Formats a float as Go's `strconv.FormatFloat(v, 'f', -1, 64)` (count_values labels).
pub(crate) fn format_go_float(v: f64) -> String {
    telemetry::format_float(v)
}

/// Kahan–Neumaier summation step: returns the new sum and compensation.
pub(crate) fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// The φ-quantile of values, interpolating between neighbours (NaN sorts first).
pub(crate) fn quantile(q: f64, mut values: Vec<f64>) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

fn is_range_function(name: &str) -> bool {
    matches!(
        name,
        "rate"
            | "irate"
            | "increase"
            | "delta"
            | "idelta"
            | "deriv"
            | "predict_linear"
            | "changes"
            | "resets"
            | "avg_over_time"
            | "min_over_time"
            | "max_over_time"
            | "sum_over_time"
            | "count_over_time"
            | "last_over_time"
            | "first_over_time"
            | "present_over_time"
            | "stddev_over_time"
            | "stdvar_over_time"
            | "mad_over_time"
            | "quantile_over_time"
            | "ts_of_max_over_time"
            | "ts_of_min_over_time"
            | "ts_of_last_over_time"
            | "ts_of_first_over_time"
            | "double_exponential_smoothing"
    )
}

fn range_function(ev: &mut Evaluator<'_>, name: &str, args: &[&Expr]) -> Result<Ev, QueryError> {
    let matrix_idx = if name == "quantile_over_time" { 1 } else { 0 };
    let mut scalars: Vec<Vec<f64>> = Vec::new();
    for (i, e) in args.iter().enumerate() {
        if i != matrix_idx {
            scalars.push(scalar_arg(ev, e, name)?);
        }
    }
    let w = ev.eval_windowed(arg(args, matrix_idx)?)?;
    let keep_name = matches!(name, "last_over_time" | "first_over_time");
    let n = ev.nsteps();
    let mut out = Vec::with_capacity(w.series.len());
    let mut warned_quantile = false;
    for s in &w.series {
        let mut points = Vec::new();
        for i in 0..n {
            let window = w.window(s, i);
            if window.is_empty() {
                continue;
            }
            let extra: Vec<f64> = scalars.iter().map(|v| v.get(i).copied().unwrap_or(f64::NAN)).collect();
            if name == "quantile_over_time" && !warned_quantile {
                let q = extra.first().copied().unwrap_or(f64::NAN);
                if !(0.0..=1.0).contains(&q) {
                    ev.notes.warn(format!("quantile value should be between 0 and 1, got {}", format_go_float(q)));
                    warned_quantile = true;
                }
            }
            if name == "double_exponential_smoothing" {
                for (factor, what) in extra.iter().zip(["smoothing", "trend"]) {
                    if !(*factor > 0.0 && *factor < 1.0) {
                        return Err(QueryError::Execution(format!(
                            "invalid {what} factor. Expected: 0 < {} < 1, got: {:.6}",
                            if what == "smoothing" { "sf" } else { "tf" },
                            factor
                        )));
                    }
                }
            }
            if let Some(v) = window_value(name, window, &w, i, &extra) {
                points.push(Sample { t: ev.step_ts(i), v });
            }
        }
        if matches!(name, "rate" | "increase") && !points.is_empty() {
            let metric = s.labels.metric_name();
            if !metric.is_empty() && !["_total", "_sum", "_count", "_bucket"].iter().any(|x| metric.ends_with(x)) {
                ev.notes.info(format!(
                    "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {metric:?}"
                ));
            }
        }
        if !points.is_empty() {
            ev.count_samples(points.len())?;
            out.push(StepSeries { labels: s.labels.clone(), drop_name: s.drop_name || !keep_name, points });
        }
    }
    // The raw samples of the windows are dropped here; only the results stay held.
    ev.release_samples(w.series.iter().map(|s| s.points.len()).sum());
    Ok(Ev::Vector(out))
}

/// One function over one window's samples; `None` when the function yields no sample.
fn window_value(name: &str, s: &[Sample], w: &Windowed, i: usize, extra: &[f64]) -> Option<f64> {
    let last = s.last()?;
    let first = s.first()?;
    match name {
        "rate" => extrapolated_rate(s, w, i, true, true),
        "increase" => extrapolated_rate(s, w, i, true, false),
        "delta" => extrapolated_rate(s, w, i, false, false),
        "irate" | "idelta" => {
            if s.len() < 2 {
                return None;
            }
            let prev = s[s.len() - 2];
            let mut v = last.v - prev.v;
            if name == "irate" {
                if last.v < prev.v {
                    v = last.v;
                }
                let dt = (last.t - prev.t) as f64 / 1000.0;
                if dt == 0.0 {
                    return None;
                }
                v /= dt;
            }
            Some(v)
        }
        "deriv" => {
            if s.len() < 2 {
                return None;
            }
            Some(linear_regression(s, first.t).0)
        }
        "predict_linear" => {
            if s.len() < 2 {
                return None;
            }
            let (slope, intercept) = linear_regression(s, w.eval_ts[i]);
            Some(slope * extra.first().copied().unwrap_or(f64::NAN) + intercept)
        }
        "changes" | "resets" => {
            let mut n = 0.0;
            for p in s.windows(2) {
                let (a, b) = (p[0].v, p[1].v);
                let hit = if name == "changes" { a != b && !(a.is_nan() && b.is_nan()) } else { b < a };
                if hit {
                    n += 1.0;
                }
            }
            Some(n)
        }
        "avg_over_time" => {
            let values: Vec<f64> = s.iter().map(|p| p.v).collect();
            Some(crate::aggregate::avg(&values))
        }
        "sum_over_time" => {
            let values: Vec<f64> = s.iter().map(|p| p.v).collect();
            Some(crate::aggregate::sum(&values))
        }
        "min_over_time" => Some(s.iter().fold(f64::NAN, |m, p| if p.v < m || m.is_nan() { p.v } else { m })),
        "max_over_time" => Some(s.iter().fold(f64::NAN, |m, p| if p.v > m || m.is_nan() { p.v } else { m })),
        "ts_of_min_over_time" | "ts_of_max_over_time" => {
            let max = name == "ts_of_max_over_time";
            let mut best: Option<Sample> = None;
            for p in s {
                let better = match best {
                    None => true,
                    Some(b) if b.v.is_nan() => !p.v.is_nan(),
                    Some(b) => {
                        if max {
                            p.v >= b.v
                        } else {
                            p.v <= b.v
                        }
                    }
                };
                if better {
                    best = Some(*p);
                }
            }
            best.map(|b| b.t as f64 / 1000.0)
        }
        "count_over_time" => Some(s.len() as f64),
        "last_over_time" => Some(last.v),
        "first_over_time" => Some(first.v),
        "ts_of_last_over_time" => Some(last.t as f64 / 1000.0),
        "ts_of_first_over_time" => Some(first.t as f64 / 1000.0),
        "present_over_time" => Some(1.0),
        "stddev_over_time" | "stdvar_over_time" => {
            let (mut count, mut mean, mut c_mean, mut aux, mut c_aux) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for p in s {
                count += 1.0;
                let delta = p.v - (mean + c_mean);
                (mean, c_mean) = kahan_inc(delta / count, mean, c_mean);
                (aux, c_aux) = kahan_inc(delta * (p.v - (mean + c_mean)), aux, c_aux);
            }
            let var = (aux + c_aux) / count;
            Some(if name == "stddev_over_time" { var.sqrt() } else { var })
        }
        "mad_over_time" => {
            let values: Vec<f64> = s.iter().map(|p| p.v).collect();
            if values.iter().any(|v| v.is_nan()) {
                return Some(f64::NAN);
            }
            let median = quantile(0.5, values.clone());
            Some(quantile(0.5, values.iter().map(|v| (v - median).abs()).collect()))
        }
        "quantile_over_time" => {
            Some(quantile(extra.first().copied().unwrap_or(f64::NAN), s.iter().map(|p| p.v).collect()))
        }
        "double_exponential_smoothing" => {
            if s.len() < 2 {
                return None;
            }
            let (sf, tf) = (extra.first().copied()?, extra.get(1).copied()?);
            let (mut s0, mut s1, mut b) = (0.0, s[0].v, s[1].v - s[0].v);
            for (k, p) in s.iter().enumerate().skip(1) {
                let x = sf * p.v;
                if k > 1 {
                    b = tf * (s1 - s0) + (1.0 - tf) * b;
                }
                let y = (1.0 - sf) * (s1 + b);
                (s0, s1) = (s1, x + y);
            }
            Some(s1)
        }
        _ => None,
    }
}

/// Prometheus's extrapolated rate: the increase between the first and last samples of the
/// window (with counter resets corrected), extrapolated towards the window edges when the
/// samples come close to them.
fn extrapolated_rate(s: &[Sample], w: &Windowed, i: usize, counter: bool, rate: bool) -> Option<f64> {
    if s.len() < 2 {
        return None;
    }
    let range_end = w.refs[i];
    let range_start = range_end - w.range_ms;
    let (first, last) = (s[0], s[s.len() - 1]);
    let mut result = last.v - first.v;
    if counter {
        let mut prev = first.v;
        for p in &s[1..] {
            if p.v < prev {
                result += prev;
            }
            prev = p.v;
        }
    }
    let mut to_start = (first.t - range_start) as f64 / 1000.0;
    let mut to_end = (range_end - last.t) as f64 / 1000.0;
    let sampled = (last.t - first.t) as f64 / 1000.0;
    let avg_gap = sampled / (s.len() - 1) as f64;
    let threshold = avg_gap * 1.1;
    if to_start >= threshold {
        to_start = avg_gap / 2.0;
    }
    if counter && result > 0.0 && first.v >= 0.0 {
        let to_zero = sampled * (first.v / result);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    if to_end >= threshold {
        to_end = avg_gap / 2.0;
    }
    let mut factor = (sampled + to_start + to_end) / sampled;
    if rate {
        factor /= w.range_ms as f64 / 1000.0;
    }
    Some(result * factor)
}

/// Least-squares fit of the samples against time (seconds relative to `intercept_ms`):
/// returns `(slope, intercept)`.
fn linear_regression(s: &[Sample], intercept_ms: i64) -> (f64, f64) {
    let init = s[0].v;
    let const_y = s.iter().all(|p| p.v == init);
    if const_y {
        if init.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init);
    }
    let (mut n, mut sx, mut cx, mut sy, mut cy, mut sxy, mut cxy, mut sx2, mut cx2) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for p in s {
        n += 1.0;
        let x = (p.t - intercept_ms) as f64 / 1000.0;
        (sx, cx) = kahan_inc(x, sx, cx);
        (sy, cy) = kahan_inc(p.v, sy, cy);
        (sxy, cxy) = kahan_inc(x * p.v, sxy, cxy);
        (sx2, cx2) = kahan_inc(x * x, sx2, cx2);
    }
    let (sx, sy, sxy, sx2) = (sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
    let cov = sxy - sx * sy / n;
    let var = sx2 - sx * sx / n;
    let slope = cov / var;
    (slope, sy / n - slope * sx / n)
}
