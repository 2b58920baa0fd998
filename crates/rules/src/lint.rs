//! Warnings for rules that load but cannot do what their author meant.
//!
//! Prometheus accepts these silently; the alert then never fires. The checks are narrow so
//! that a warning is almost always a real mistake.

use promql_parser::parser::{Expr, VectorSelector};

use crate::file::RuleSpec;

/// Problems in one rule's expression, as sentences that suggest the fix.
pub fn lint(rule: &RuleSpec) -> Vec<String> {
    let mut out = Vec::new();
    walk(&rule.expr, &mut |e| {
        if let Expr::Call(call) = e
            && call.func.name == "histogram_quantile"
            && let Some(arg) = call.args.args.get(1)
            && let Some(name) = bare_selector_name(arg)
            && !name.ends_with("_bucket")
        {
            out.push(format!(
                "histogram_quantile() reads {name}, which is not a histogram's _bucket series (it has no 'le' label), \
                 so the result is always empty and the rule never produces anything; \
                 did you mean histogram_quantile(φ, sum by (le) (rate({name}_bucket[5m])))?"
            ));
        }
        if let Expr::Binary(b) = e
            && b.op.to_string() == "/"
            && b.modifier.as_ref().is_none_or(|m| m.matching.is_none())
            && let (Some((lname, lsel)), Some((rname, rsel))) = (counted_selector(&b.lhs), counted_selector(&b.rhs))
            && lname == rname
        {
            for m in &lsel.matchers.matchers {
                if m.name == tsdb::METRIC_NAME || rsel.matchers.matchers.iter().any(|r| r.name == m.name) {
                    continue;
                }
                out.push(format!(
                    "the ratio {lname}{{{label}…}} / {lname} matches series one to one on all their labels, \
                     including {label:?}, so each selected series is divided by itself and the ratio is 1 \
                     wherever the left side has data; aggregate both sides, e.g. \
                     sum without ({label}) (…{{{label}…}}) / sum without ({label}) (…)",
                    label = m.name
                ));
                break;
            }
        }
    });
    out
}

/// The selector under `rate(x[5m])`-like calls or a plain selector, with its metric name.
fn counted_selector(e: &Expr) -> Option<(String, &VectorSelector)> {
    match e {
        Expr::Paren(p) => counted_selector(&p.expr),
        Expr::VectorSelector(vs) => selector_name(vs).map(|n| (n, vs)),
        Expr::Call(c) if matches!(c.func.name, "rate" | "irate" | "increase" | "delta" | "idelta") => {
            match c.args.args.first().map(|a| &**a) {
                Some(Expr::MatrixSelector(ms)) => selector_name(&ms.vs).map(|n| (n, &ms.vs)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The metric name when `e` is a plain selector (possibly in parentheses), not a rate or sum.
fn bare_selector_name(e: &Expr) -> Option<String> {
    match e {
        Expr::VectorSelector(vs) => selector_name(vs),
        Expr::Paren(p) => bare_selector_name(&p.expr),
        _ => None,
    }
}

fn selector_name(vs: &VectorSelector) -> Option<String> {
    vs.name
        .clone()
        .or_else(|| vs.matchers.matchers.iter().find(|m| m.name == tsdb::METRIC_NAME).map(|m| m.value.clone()))
}

/// Calls `f` on every node of the tree.
pub(crate) fn walk(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Aggregate(a) => {
            walk(&a.expr, f);
            if let Some(p) = &a.param {
                walk(p, f);
            }
        }
        Expr::Unary(u) => walk(&u.expr, f),
        Expr::Binary(b) => {
            walk(&b.lhs, f);
            walk(&b.rhs, f);
        }
        Expr::Paren(p) => walk(&p.expr, f),
        Expr::Subquery(s) => walk(&s.expr, f),
        Expr::Call(c) => {
            for a in &c.args.args {
                walk(a, f);
            }
        }
        _ => {}
    }
}
