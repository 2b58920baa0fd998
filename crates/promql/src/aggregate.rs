//! Aggregation operators (`sum by (…)`, `topk`, `quantile`, `count_values`, …).

use std::collections::HashMap;

use promql_parser::parser::token::{
    T_AVG, T_BOTTOMK, T_COUNT, T_COUNT_VALUES, T_GROUP, T_LIMIT_RATIO, T_LIMITK, T_MAX, T_MIN, T_QUANTILE, T_STDDEV,
    T_STDVAR, T_SUM, T_TOPK, TokenId,
};
use promql_parser::parser::{AggregateExpr, LabelModifier};

use crate::engine::{Ev, Evaluator, StepArg, StepSample};
use crate::error::QueryError;
use crate::functions::{format_go_float, kahan_inc, quantile};
use crate::labels::{project, set, signature};

pub(crate) fn eval(ev: &mut Evaluator<'_>, a: &AggregateExpr) -> Result<Ev, QueryError> {
    let op = a.op.id();
    let inner = ev.eval(&a.expr)?;
    let param = match &a.param {
        Some(p) => Some(ev.eval(p)?),
        None => None,
    };
    let (by, names) = match &a.modifier {
        Some(LabelModifier::Include(l)) => (true, l.labels.clone()),
        Some(LabelModifier::Exclude(l)) => (false, l.labels.clone()),
        None => (true, vec![]),
    };
    if op == T_COUNT_VALUES
        && let Some(Ev::String(label)) = &param
        && label.is_empty()
    {
        return Err(QueryError::Execution(format!("invalid label name {label:?}")));
    }
    let args: Vec<&Ev> = match &param {
        Some(p) => vec![&inner, p],
        None => vec![&inner],
    };
    let op_name = a.op.to_string();
    let series = ev.range_eval(&args, |ev, _, step| {
        let StepArg::Vector(vec) = &step[0] else { return Ok(vec![]) };
        let param = step.get(1);
        aggregate_step(ev, op, &op_name, vec, param, by, &names)
    })?;
    Ok(Ev::Vector(series))
}

struct Group {
    labels: tsdb::Labels,
    members: Vec<usize>,
}

fn aggregate_step(
    ev: &mut Evaluator<'_>,
    op: TokenId,
    op_name: &str,
    vec: &[StepSample],
    param: Option<&StepArg<'_>>,
    by: bool,
    names: &[String],
) -> Result<Vec<StepSample>, QueryError> {
    // Groups in order of first appearance, as Prometheus returns them.
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    for (i, s) in vec.iter().enumerate() {
        let key = signature_for(&s.labels, names, by);
        let g = *index.entry(key).or_insert_with(|| {
            groups.push(Group { labels: project(&s.labels, names, by), members: Vec::new() });
            groups.len() - 1
        });
        groups[g].members.push(i);
    }
    let scalar = |p: Option<&StepArg<'_>>| match p {
        Some(StepArg::Scalar(v)) => *v,
        _ => f64::NAN,
    };
    let mut out = Vec::new();
    match op {
        T_TOPK | T_BOTTOMK | T_LIMITK => {
            let k = param_to_k(scalar(param))?;
            for g in &groups {
                if k <= 0 {
                    break;
                }
                let mut members: Vec<&StepSample> = g.members.iter().map(|&i| &vec[i]).collect();
                if op != T_LIMITK {
                    let top = op == T_TOPK;
                    members.sort_by(|a, b| {
                        use std::cmp::Ordering::*;
                        match (a.v.is_nan(), b.v.is_nan()) {
                            (true, true) => Equal,
                            (true, false) => Greater,
                            (false, true) => Less,
                            _ if top => b.v.partial_cmp(&a.v).unwrap_or(Equal),
                            _ => a.v.partial_cmp(&b.v).unwrap_or(Equal),
                        }
                    });
                }
                out.extend(members.into_iter().take(k as usize).cloned());
            }
        }
        T_LIMIT_RATIO => {
            let mut ratio = scalar(param);
            if ratio.is_nan() {
                return Err(QueryError::Execution("Ratio value is NaN".to_string()));
            }
            if !(-1.0..=1.0).contains(&ratio) {
                ev.notes.warn(format!(
                    "ratio value should be between -1 and 1, got {}, capping to {}",
                    format_go_float(ratio),
                    if ratio < 0.0 { -1 } else { 1 }
                ));
                ratio = ratio.clamp(-1.0, 1.0);
            }
            for g in &groups {
                for &i in &g.members {
                    let s = &vec[i];
                    let h = s.labels.fingerprint() as f64 / u64::MAX as f64;
                    let keep = if ratio >= 0.0 { h < ratio } else { h >= 1.0 + ratio };
                    if keep {
                        out.push(s.clone());
                    }
                }
            }
        }
        T_COUNT_VALUES => {
            let Some(StepArg::String(label)) = param else {
                return Err(QueryError::Execution("count_values needs a label name as its first argument".into()));
            };
            let mut counts: Vec<(tsdb::Labels, f64)> = Vec::new();
            let mut idx: HashMap<tsdb::Labels, usize> = HashMap::new();
            for g in &groups {
                for &i in &g.members {
                    let s = &vec[i];
                    let labels = set(&g.labels, label, &format_go_float(s.v));
                    match idx.get(&labels) {
                        Some(&j) => counts[j].1 += 1.0,
                        None => {
                            idx.insert(labels.clone(), counts.len());
                            counts.push((labels, 1.0));
                        }
                    }
                }
            }
            out.extend(counts.into_iter().map(|(labels, v)| StepSample { labels, v, drop_name: false }));
        }
        _ => {
            let phi = scalar(param);
            if op == T_QUANTILE && !(0.0..=1.0).contains(&phi) {
                ev.notes.warn(format!("quantile value should be between 0 and 1, got {}", format_go_float(phi)));
            }
            for g in &groups {
                let values: Vec<f64> = g.members.iter().map(|&i| vec[i].v).collect();
                let v = match op {
                    T_SUM => sum(&values),
                    T_AVG => avg(&values),
                    T_COUNT => values.len() as f64,
                    T_GROUP => 1.0,
                    T_MIN => values.iter().copied().fold(f64::NAN, |m, x| if m > x || m.is_nan() { x } else { m }),
                    T_MAX => values.iter().copied().fold(f64::NAN, |m, x| if m < x || m.is_nan() { x } else { m }),
                    T_STDDEV => stdvar(&values).sqrt(),
                    T_STDVAR => stdvar(&values),
                    T_QUANTILE => quantile(phi, values),
                    _ => return Err(QueryError::Unsupported(format!("aggregation {op_name}"))),
                };
                // A kept `__name__` (by (__name__)) is still dropped later if any input's was.
                let drop_name = g.members.iter().any(|&i| vec[i].drop_name);
                out.push(StepSample { labels: g.labels.clone(), v, drop_name });
            }
        }
    }
    Ok(out)
}

fn signature_for(l: &tsdb::Labels, names: &[String], by: bool) -> Vec<u8> {
    if by { signature(l, names, true) } else { signature(l, names, false) }
}

fn param_to_k(v: f64) -> Result<i64, QueryError> {
    if v.is_nan() {
        return Err(QueryError::Execution("Parameter value is NaN".to_string()));
    }
    if v >= i64::MAX as f64 {
        return Err(QueryError::Execution(format!("Scalar value {} overflows int64", format_go_float(v))));
    }
    if v <= i64::MIN as f64 {
        return Err(QueryError::Execution(format!("Scalar value {} overflows int64", format_go_float(v))));
    }
    Ok(v as i64)
}

/// Kahan-compensated sum, as Prometheus sums.
pub(crate) fn sum(values: &[f64]) -> f64 {
    let (mut s, mut c) = (0.0, 0.0);
    for &v in values {
        (s, c) = kahan_inc(v, s, c);
    }
    if s.is_infinite() { s } else { s + c }
}

/// Mean by compensated summation, switching to an incremental mean if the sum overflows.
pub(crate) fn avg(values: &[f64]) -> f64 {
    let Some((&first, rest)) = values.split_first() else { return f64::NAN };
    let (mut sum, mut c, mut mean) = (first, 0.0, 0.0);
    let mut incremental = false;
    let mut count = 1.0;
    for &v in rest {
        count += 1.0;
        if !incremental {
            let (ns, nc) = kahan_inc(v, sum, c);
            if !ns.is_infinite() {
                (sum, c) = (ns, nc);
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, c) = kahan_inc(v / count, q * mean, q * c);
    }
    if incremental { mean + c } else { sum / count + c / count }
}

/// Population variance by Welford's online algorithm.
pub(crate) fn stdvar(values: &[f64]) -> f64 {
    let (mut count, mut mean, mut aux) = (0.0, 0.0, 0.0);
    for &v in values {
        count += 1.0;
        let delta = v - mean;
        mean += delta / count;
        aux += delta * (v - mean);
    }
    if count == 0.0 { f64::NAN } else { aux / count }
}
