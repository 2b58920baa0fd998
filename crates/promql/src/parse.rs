//! Parsing with errors people can act on.
//!
//! The `promql-parser` crate reports syntax errors without a position and type errors in the
//! grammar's terms. This module adds the line and column of the first token the parser
//! could not take, and rewrites the common type mistakes into a suggestion of the fix
//! (`sum(x[24h])` → "write sum(increase(x[24h]))").

use std::sync::LazyLock;

use promql_parser::parser::{self, Expr};
use regex::Regex;

use crate::engine::selector_matchers;
use crate::error::QueryError;

/// Aggregations and functions that Prometheus only enables with
/// `--enable-feature=promql-experimental-functions`.
const EXPERIMENTAL_AGGREGATIONS: &[&str] = &["limitk", "limit_ratio"];

/// Parses and type-checks a query. With `experimental` off, experimental functions and
/// aggregations are rejected with the flag that enables them.
pub fn parse(query: &str, experimental: bool) -> Result<Expr, QueryError> {
    let expr = parser::parse(query).map_err(|msg| QueryError::Parse(explain(query, &msg)))?;
    if !experimental && let Some(name) = first_experimental(&expr) {
        return Err(QueryError::Parse(format!(
            "{name}() is experimental and disabled; start Vigil with --enable-feature=promql-experimental-functions to use it"
        )));
    }
    Ok(expr)
}

/// Parses a series selector (`up{job="a"}`, `{"utf8.name"}`) into storage matchers, as the
/// `match[]` parameters of the metadata APIs need. Anything but a plain selector is a
/// [`QueryError::Parse`] (bad data); `or` inside the braces is [`QueryError::Unsupported`].
pub fn parse_selector(s: &str) -> Result<Vec<tsdb::Matcher>, QueryError> {
    match parser::parse(s) {
        Ok(Expr::VectorSelector(vs)) => selector_matchers(&vs),
        Ok(other) => Err(QueryError::Parse(format!("expected a series selector such as up{{job=\"a\"}}, got {other}"))),
        Err(msg) => Err(QueryError::Parse(explain(s, &msg))),
    }
}

/// One selector's metric name (if any) and its matchers as `(label, op, value)`.
pub type SelectorHint = (Option<String>, Vec<(String, String, String)>);

/// What a query's selectors ask for: per selector, the metric name (if given) and the label
/// matchers as `(name, op, value)` with op one of `=`, `!=`, `=~`, `!~`. Test-data generators
/// use it to create series that the query will find.
pub fn selector_hints(query: &str) -> Result<Vec<SelectorHint>, QueryError> {
    let expr = parser::parse(query).map_err(|m| QueryError::Parse(explain(query, &m)))?;
    let mut out = Vec::new();
    walk_selectors(&expr, &mut |vs| {
        let name = vs
            .name
            .clone()
            .or_else(|| vs.matchers.matchers.iter().find(|m| m.name == tsdb::METRIC_NAME).map(|m| m.value.clone()));
        let matchers = vs
            .matchers
            .matchers
            .iter()
            .filter(|m| m.name != tsdb::METRIC_NAME)
            .map(|m| (m.name.clone(), m.op.to_string(), m.value.clone()))
            .collect();
        out.push((name, matchers));
    });
    Ok(out)
}

/// Calls `f` for every vector selector of the expression (matrix selectors included).
pub(crate) fn walk_selectors(e: &Expr, f: &mut dyn FnMut(&promql_parser::parser::VectorSelector)) {
    match e {
        Expr::VectorSelector(vs) => f(vs),
        Expr::MatrixSelector(ms) => f(&ms.vs),
        Expr::Aggregate(a) => {
            walk_selectors(&a.expr, f);
            if let Some(p) = &a.param {
                walk_selectors(p, f);
            }
        }
        Expr::Unary(u) => walk_selectors(&u.expr, f),
        Expr::Binary(b) => {
            walk_selectors(&b.lhs, f);
            walk_selectors(&b.rhs, f);
        }
        Expr::Paren(p) => walk_selectors(&p.expr, f),
        Expr::Subquery(s) => walk_selectors(&s.expr, f),
        Expr::Call(c) => c.args.args.iter().for_each(|a| walk_selectors(a, f)),
        _ => {}
    }
}

/// The query in canonical, prettified form (for `/api/v1/format_query`).
pub fn format_query(query: &str) -> Result<String, QueryError> {
    use promql_parser::parser::Prettier;
    let expr = parser::parse(query).map_err(|m| QueryError::Parse(explain(query, &m)))?;
    Ok(expr.pretty(0, 100))
}

/// The query's syntax tree as JSON, in the shape of Prometheus's `/api/v1/parse_query`.
pub fn syntax_tree_json(query: &str) -> Result<String, QueryError> {
    let expr = parser::parse(query).map_err(|m| QueryError::Parse(explain(query, &m)))?;
    serde_json_string(&expr)
}

fn serde_json_string(expr: &Expr) -> Result<String, QueryError> {
    serde_json::to_string(expr).map_err(|e| QueryError::Execution(format!("cannot encode the syntax tree: {e}")))
}

/// A Prometheus duration (`1m30s`, `2h`, `100ms`, `1y`) in milliseconds, as
/// [`promconfig`] parses it for every Vigil crate.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    promconfig::parse_duration_ms(s.trim()).ok()
}

fn first_experimental(e: &Expr) -> Option<String> {
    match e {
        Expr::Aggregate(a) => {
            let op = a.op.to_string();
            if EXPERIMENTAL_AGGREGATIONS.contains(&op.as_str()) {
                return Some(op);
            }
            first_experimental(&a.expr).or_else(|| a.param.as_deref().and_then(first_experimental))
        }
        Expr::Unary(u) => first_experimental(&u.expr),
        Expr::Binary(b) => first_experimental(&b.lhs).or_else(|| first_experimental(&b.rhs)),
        Expr::Paren(p) => first_experimental(&p.expr),
        Expr::Subquery(s) => first_experimental(&s.expr),
        Expr::Call(c) => {
            if c.func.experimental {
                return Some(c.func.name.to_string());
            }
            c.args.args.iter().find_map(|a| first_experimental(a))
        }
        _ => None,
    }
}

/// Turns the parser's message into one with a position and, where we recognise the
/// mistake, the fix.
fn explain(query: &str, msg: &str) -> String {
    if let Some(hint) = aggregation_over_range(query, msg) {
        return hint;
    }
    if let Some(hint) = function_arg_type(query, msg) {
        return hint;
    }
    let pos = stuck_at(query);
    let (line, col) = line_col(query, pos);
    let near: String = query[pos..].chars().take(12).collect();
    if msg == "invalid promql query" {
        if near.trim().is_empty() {
            format!("{line}:{col}: unexpected end of query: an expression is missing after {:?}", query.trim_end())
        } else {
            format!("{line}:{col}: unexpected {near:?}: the query is valid up to here but cannot continue with this")
        }
    } else {
        format!("{line}:{col}: {msg}")
    }
}

/// Byte offset of the first token after the longest prefix that parses once its open
/// brackets are closed; the parser gave up at or after it.
fn stuck_at(query: &str) -> usize {
    if query.len() > 1024 {
        return 0;
    }
    let mut best = 0;
    let mut stack: Vec<char> = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in query.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' | '`' => quote = Some(c),
                '(' => stack.push(')'),
                '{' => stack.push('}'),
                '[' => stack.push(']'),
                ')' | '}' | ']' => {
                    stack.pop();
                }
                _ => {}
            },
        }
        let end = i + c.len_utf8();
        let at_boundary = query[end..].chars().next().is_none_or(|n| !is_word(n) || !is_word(c));
        if !at_boundary || quote.is_some() {
            continue;
        }
        let closers: String = stack.iter().rev().collect();
        if parser::parse(&format!("{}{closers}", &query[..end])).is_ok() {
            best = end;
        }
    }
    best + query[best..].len() - query[best..].trim_start().len()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == ':'
}

fn line_col(s: &str, pos: usize) -> (usize, usize) {
    let before = &s[..pos.min(s.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

static AGG_OVER_RANGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\b(sum|avg|min|max|count|group|stddev|stdvar|topk|bottomk|quantile|count_values|limitk|limit_ratio)\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(\s*((?:[^,()]+,\s*)?)([^()\[\],]+?)\[([^\]:]+)\]\s*\)",
    )
    .ok()
});

/// `sum(x[24h])` and friends: an aggregation cannot take a range vector.
fn aggregation_over_range(query: &str, msg: &str) -> Option<String> {
    if !msg.contains("in aggregation expression, got matrix") {
        return None;
    }
    let caps = AGG_OVER_RANGE.as_ref()?.captures(query)?;
    let (agg, param, sel, range) = (&caps[1], &caps[2], caps[3].trim(), caps[4].trim());
    let pos = caps.get(0).map_or(0, |m| m.start());
    let (line, col) = line_col(query, pos);
    let counter =
        ["_total", "_count", "_sum", "_bucket"].iter().any(|s| sel.split('{').next().unwrap_or("").ends_with(s));
    let (func, what) = match agg {
        "sum" if counter => ("increase".to_string(), format!("to sum the increase over {range}")),
        "sum" => ("sum_over_time".to_string(), format!("to sum each series' values over {range}")),
        "avg" | "min" | "max" | "count" | "stddev" | "stdvar" => {
            if counter {
                ("rate".to_string(), format!("to {agg} the per-second rate over {range}"))
            } else {
                (format!("{agg}_over_time"), format!("to {agg} each series over {range} first"))
            }
        }
        _ => ("last_over_time".to_string(), format!("to use each series' latest value within {range}")),
    };
    Some(format!(
        "{line}:{col}: {agg}() expects an instant vector, got a range vector; {what} write {agg}({param}{func}({sel}[{range}]))"
    ))
}

static FN_ARG_TYPE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"expected type (\w+) in call to function '(\w+)', got (\w+)").ok());

/// `rate(x)`, `abs(x[5m])`: a function given the wrong kind of vector.
fn function_arg_type(query: &str, msg: &str) -> Option<String> {
    let caps = FN_ARG_TYPE.as_ref()?.captures(msg)?;
    let (want, func, got) = (&caps[1], &caps[2], &caps[3]);
    let pos = query.find(&format!("{func}(")).or_else(|| query.find(func)).unwrap_or(0);
    let (line, col) = line_col(query, pos);
    let kind = |t: &str| match t {
        "matrix" => "a range vector",
        "vector" => "an instant vector",
        "scalar" => "a scalar",
        _ => "a string",
    };
    let fix = match (want, got) {
        ("matrix", "vector") => format!("; add a range to the selector, e.g. {func}(my_metric[5m])"),
        ("vector", "matrix") => {
            format!(
                "; remove the range, or reduce it first with a *_over_time function, e.g. {func}(max_over_time(my_metric[5m]))"
            )
        }
        ("scalar", "vector") => {
            format!("; turn a one-element vector into a scalar with scalar(...), e.g. {func}(..., scalar(my_metric))")
        }
        _ => String::new(),
    };
    Some(format!("{line}:{col}: {func}() expects {} as this argument, got {}{fix}", kind(want), kind(got)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(q: &str) -> String {
        match parse(q, false) {
            Err(e) => e.to_string(),
            Ok(e) => panic!("{q} parsed as {e}"),
        }
    }

    #[test]
    fn aggregation_over_range_suggests_increase_for_counters() {
        let e = err("sum(ml_predictions_correct_total[24h])");
        assert_eq!(
            e,
            "1:1: sum() expects an instant vector, got a range vector; to sum the increase over 24h write sum(increase(ml_predictions_correct_total[24h]))"
        );
    }

    #[test]
    fn aggregation_over_range_of_gauge_suggests_over_time() {
        let e = err("avg by (job) (temperature_celsius[1h])");
        assert!(e.contains("write avg(avg_over_time(temperature_celsius[1h]))"), "{e}");
    }

    #[test]
    fn missing_range_is_explained() {
        let e = err("rate(http_requests_total)");
        assert!(e.starts_with("1:1: rate() expects a range vector as this argument, got an instant vector"), "{e}");
        assert!(e.contains("rate(my_metric[5m])"), "{e}");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = err("x +");
        assert!(e.starts_with("1:3:") || e.starts_with("1:4:"), "{e}");
        let e = err("histogram_quantile(0.9, x) unknownop y");
        assert!(e.starts_with("1:28: unexpected \"unknownop y\""), "{e}");
        let e = err("sum(\n  rate(x[5m])\n  foo)");
        assert!(e.starts_with("3:3:") || e.starts_with("2:"), "{e}");
    }

    #[test]
    fn experimental_functions_need_the_flag() {
        assert!(err("limitk(1, x)").contains("--enable-feature=promql-experimental-functions"));
        assert!(parse("limitk(1, x)", true).is_ok());
    }

    #[test]
    fn selectors_for_match_params() {
        let m = parse_selector(r#"up{job="a"}"#).expect("valid");
        assert_eq!(m.len(), 2);
        assert!(parse_selector("sum(up)").is_err());
        let m = parse_selector(r#"{"http.server.duration", service="a"}"#).expect("utf8");
        assert!(m.iter().any(|m| m.value == "http.server.duration"));
    }
}
