//! Binary operators: arithmetic, comparisons (filtering or `bool`), set operators, vector
//! matching (`on`, `ignoring`, `group_left`, `group_right`) and the `fill` modifiers.

use std::collections::{HashMap, HashSet};

use promql_parser::parser::token::{
    T_ADD, T_ATAN2, T_DIV, T_EQLC, T_GTE, T_GTR, T_LAND, T_LOR, T_LSS, T_LTE, T_LUNLESS, T_MOD, T_MUL, T_NEQ, T_POW,
    T_SUB, TokenId,
};
use promql_parser::parser::{BinModifier, BinaryExpr, LabelModifier, VectorMatchCardinality};
use tsdb::Labels;

use crate::engine::{Ev, Evaluator, StepArg, StepSample};
use crate::error::QueryError;
use crate::labels::{set, signature};

pub(crate) fn eval(ev: &mut Evaluator<'_>, b: &BinaryExpr) -> Result<Ev, QueryError> {
    let op = b.op.id();
    let return_bool = b.return_bool();
    let lhs = ev.eval(&b.lhs)?;
    let rhs = ev.eval(&b.rhs)?;
    match (&lhs, &rhs) {
        (Ev::Scalar(l), Ev::Scalar(r)) => {
            let mut out = Vec::with_capacity(l.len());
            for (a, c) in l.iter().zip(r) {
                let (v, keep) = apply(op, *a, *c);
                out.push(if is_comparison(op) { if keep { 1.0 } else { 0.0 } } else { v });
            }
            Ok(Ev::Scalar(out))
        }
        (Ev::Vector(_), Ev::Scalar(_)) | (Ev::Scalar(_), Ev::Vector(_)) => {
            let scalar_left = matches!(lhs, Ev::Scalar(_));
            let series = ev.range_eval(&[&lhs, &rhs], |_, _, args| {
                let (vec, s) = match (&args[0], &args[1]) {
                    (StepArg::Vector(v), StepArg::Scalar(s)) | (StepArg::Scalar(s), StepArg::Vector(v)) => (v, *s),
                    _ => return Ok(vec![]),
                };
                Ok(vector_scalar(op, vec, s, scalar_left, return_bool))
            })?;
            Ok(Ev::Vector(series))
        }
        (Ev::Vector(_), Ev::Vector(_)) => {
            let modifier = b.modifier.clone().unwrap_or_default();
            let series = ev.range_eval(&[&lhs, &rhs], |_, _, args| {
                let (StepArg::Vector(l), StepArg::Vector(r)) = (&args[0], &args[1]) else { return Ok(vec![]) };
                match op {
                    T_LAND => Ok(and(l, r, &modifier)),
                    T_LOR => Ok(or(l, r, &modifier)),
                    T_LUNLESS => Ok(unless(l, r, &modifier)),
                    _ => vector_vector(op, l, r, &modifier, return_bool),
                }
            })?;
            Ok(Ev::Vector(series))
        }
        _ => Err(QueryError::Execution(format!("binary operator {} needs scalars or instant vectors", b.op))),
    }
}

fn is_comparison(op: TokenId) -> bool {
    matches!(op, T_EQLC | T_NEQ | T_GTR | T_LSS | T_GTE | T_LTE)
}

/// Applies an operator to two numbers: the value and whether a comparison held (always
/// true for arithmetic). A comparison's value is its left operand, as in Prometheus.
fn apply(op: TokenId, l: f64, r: f64) -> (f64, bool) {
    match op {
        T_ADD => (l + r, true),
        T_SUB => (l - r, true),
        T_MUL => (l * r, true),
        T_DIV => (l / r, true),
        T_POW => (l.powf(r), true),
        T_MOD => (l % r, true),
        T_ATAN2 => (l.atan2(r), true),
        T_EQLC => (l, l == r),
        T_NEQ => (l, l != r),
        T_GTR => (l, l > r),
        T_LSS => (l, l < r),
        T_GTE => (l, l >= r),
        T_LTE => (l, l <= r),
        _ => (f64::NAN, false),
    }
}

fn vector_scalar(op: TokenId, vec: &[StepSample], s: f64, scalar_left: bool, return_bool: bool) -> Vec<StepSample> {
    let comparison = is_comparison(op);
    let mut out = Vec::with_capacity(vec.len());
    for x in vec {
        let (l, r) = if scalar_left { (s, x.v) } else { (x.v, s) };
        let (mut v, mut keep) = apply(op, l, r);
        if comparison && scalar_left {
            // The vector's own value is kept even when it is the right operand.
            v = x.v;
        }
        if return_bool {
            v = if keep { 1.0 } else { 0.0 };
            keep = true;
        }
        if keep {
            out.push(StepSample { labels: x.labels.clone(), v, drop_name: x.drop_name || !comparison || return_bool });
        }
    }
    out
}

/// How a modifier matches: `(on, names)`.
fn matching(m: &BinModifier) -> (bool, Vec<String>) {
    match &m.matching {
        Some(LabelModifier::Include(l)) => (true, l.labels.clone()),
        Some(LabelModifier::Exclude(l)) => (false, l.labels.clone()),
        None => (false, vec![]),
    }
}

fn and(l: &[StepSample], r: &[StepSample], m: &BinModifier) -> Vec<StepSample> {
    let (on, names) = matching(m);
    let right: HashSet<Vec<u8>> = r.iter().map(|x| signature(&x.labels, &names, on)).collect();
    l.iter().filter(|x| right.contains(&signature(&x.labels, &names, on))).cloned().collect()
}

fn or(l: &[StepSample], r: &[StepSample], m: &BinModifier) -> Vec<StepSample> {
    let (on, names) = matching(m);
    let left: HashSet<Vec<u8>> = l.iter().map(|x| signature(&x.labels, &names, on)).collect();
    let mut out = l.to_vec();
    out.extend(r.iter().filter(|x| !left.contains(&signature(&x.labels, &names, on))).cloned());
    out
}

fn unless(l: &[StepSample], r: &[StepSample], m: &BinModifier) -> Vec<StepSample> {
    let (on, names) = matching(m);
    let right: HashSet<Vec<u8>> = r.iter().map(|x| signature(&x.labels, &names, on)).collect();
    l.iter().filter(|x| !right.contains(&signature(&x.labels, &names, on))).cloned().collect()
}

fn vector_vector(
    op: TokenId,
    lhs: &[StepSample],
    rhs: &[StepSample],
    m: &BinModifier,
    return_bool: bool,
) -> Result<Vec<StepSample>, QueryError> {
    let (on, names) = matching(m);
    let (card_many_one, include): (Option<bool>, Vec<String>) = match &m.card {
        VectorMatchCardinality::ManyToOne(l) => (Some(true), l.labels.clone()),
        VectorMatchCardinality::OneToMany(l) => (Some(false), l.labels.clone()),
        _ => (None, vec![]),
    };
    let swapped = card_many_one == Some(false);
    // After swapping, `many` is the side whose labels the result keeps.
    let (many, one) = if swapped { (rhs, lhs) } else { (lhs, rhs) };
    let mut one_sigs: HashMap<Vec<u8>, usize> = HashMap::with_capacity(one.len());
    for (i, x) in one.iter().enumerate() {
        let sig = signature(&x.labels, &names, on);
        if let Some(&prev) = one_sigs.get(&sig) {
            let side = if swapped { "left" } else { "right" };
            return Err(QueryError::Execution(format!(
                "found duplicate series for the match group {} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                group_display(&x.labels, &names, on),
                one[prev].labels,
                x.labels
            )));
        }
        one_sigs.insert(sig, i);
    }
    let comparison = is_comparison(op);
    let drop = !comparison || return_bool;
    let mut out = Vec::new();
    let mut matched_one: HashSet<usize> = HashSet::new();
    let mut seen_many: HashMap<Vec<u8>, ()> = HashMap::new();
    let mut seen_result: HashSet<Labels> = HashSet::new();
    for x in many {
        let sig = signature(&x.labels, &names, on);
        let Some(&j) = one_sigs.get(&sig) else {
            // Unmatched on the many side: only a fill value for the other side rescues it.
            // Upstream applies `fill_right` here even when group_right swapped the sides.
            let fill = m.fill_values.rhs;
            if let Some(f) = fill {
                let (l, r) = if swapped { (f, x.v) } else { (x.v, f) };
                if let Some(s) = combine(
                    op,
                    l,
                    r,
                    return_bool,
                    result_labels(&x.labels, None, &names, on, card_many_one, &include),
                    drop || x.drop_name,
                ) {
                    out.push(s);
                }
            }
            continue;
        };
        let y = &one[j];
        matched_one.insert(j);
        if card_many_one.is_none() && seen_many.insert(sig, ()).is_some() {
            return Err(QueryError::Execution(
                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into(),
            ));
        }
        let (l, r) = if swapped { (y.v, x.v) } else { (x.v, y.v) };
        let labels = result_labels(&x.labels, Some(&y.labels), &names, on, card_many_one, &include);
        let Some(s) = combine(op, l, r, return_bool, labels, drop || x.drop_name) else { continue };
        if card_many_one.is_some() && !seen_result.insert(s.labels.clone()) {
            return Err(QueryError::Execution(
                "multiple matches for labels: grouping labels must ensure unique matches".into(),
            ));
        }
        out.push(s);
    }
    // Unmatched on the one side, when that side's partner may be filled in. Its metric
    // name never carries over to the result.
    let fill = m.fill_values.lhs;
    if let Some(f) = fill {
        for (j, y) in one.iter().enumerate() {
            if matched_one.contains(&j) {
                continue;
            }
            let (l, r) = if swapped { (y.v, f) } else { (f, y.v) };
            let labels = result_labels(&y.labels, None, &names, on, None, &include);
            if let Some(s) = combine(op, l, r, return_bool, labels, true) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

fn combine(op: TokenId, l: f64, r: f64, return_bool: bool, labels: Labels, drop_name: bool) -> Option<StepSample> {
    let (mut v, keep) = apply(op, l, r);
    if return_bool {
        v = if keep { 1.0 } else { 0.0 };
    } else if !keep {
        return None;
    }
    Some(StepSample { labels, v, drop_name })
}

/// The result's labels: the many side's, reduced to the matching labels for one-to-one
/// `on`, without the ignored labels for one-to-one `ignoring`, plus the `group_x` labels
/// copied from the one side.
fn result_labels(
    many: &Labels,
    one: Option<&Labels>,
    names: &[String],
    on: bool,
    card_many_one: Option<bool>,
    include: &[String],
) -> Labels {
    match card_many_one {
        None => {
            if on {
                crate::labels::from_sorted(
                    many.iter().filter(|l| names.iter().any(|n| *n == *l.name)).cloned().collect(),
                )
            } else if names.is_empty() {
                many.clone()
            } else {
                crate::labels::from_sorted(
                    many.iter().filter(|l| !names.iter().any(|n| *n == *l.name)).cloned().collect(),
                )
            }
        }
        Some(_) => {
            let mut out = many.clone();
            if let Some(one) = one {
                for name in include {
                    out = set(&out, name, one.get(name).unwrap_or(""));
                }
            }
            out
        }
    }
}

fn group_display(l: &Labels, names: &[String], on: bool) -> String {
    let kept: Vec<String> = l
        .iter()
        .filter(|x| {
            let listed = names.iter().any(|n| *n == *x.name);
            if on { listed } else { !listed && &*x.name != tsdb::METRIC_NAME }
        })
        .map(|x| format!("{}=\"{}\"", x.name, x.value))
        .collect();
    format!("{{{}}}", kept.join(", "))
}
