//! Prometheus's template functions (`template/template.go`, v2.42, plus `toDuration`,
//! `now` and `urlQueryEscape` from later versions).

use std::sync::Arc;

use regex::Regex;

use super::builtins::args_map;
use super::convert::{arg, str_arg, to_float};
use super::{CallContext, Func, FuncError, FuncMap, Param};
use crate::escape::query_escape;
use crate::gofmt::float::{format_go_float, go_f64_to_i64};
use crate::gofmt::sprintf;
use crate::gotime::{FloatTimeError, float_to_time, format_time, parse_prom_duration, seconds_to_duration};
use crate::netutil::{strip_domain, strip_port, url_path};
use crate::value::{Sample, Value};

/// The functions Prometheus adds to Go's builtins for alert templates.
pub fn prometheus_functions() -> FuncMap {
    use Param::{Any, QueryResult, Sample as SampleP, Str};
    let mut m = FuncMap::new();
    let mut add = |name: &str, f: Func| {
        m.insert(name.to_string(), f);
    };
    add("query", Func::new(&[Str], |ctx, a| query(ctx, str_arg(a, 0))));
    add("first", Func::new(&[QueryResult], |_, a| first(arg(a, 0))));
    add("label", Func::new(&[Str, SampleP], |_, a| Ok(Value::str(sample_label(arg(a, 1), str_arg(a, 0))?))));
    add("value", Func::new(&[SampleP], |_, a| Ok(Value::Float(sample(arg(a, 0))?.value))));
    add("strvalue", Func::new(&[SampleP], |_, a| Ok(Value::str(sample_label(arg(a, 0), "__value__")?))));
    add("args", Func::variadic(&[], Any, |_, a| Ok(args_map(a))));
    add(
        "reReplaceAll",
        Func::new(&[Str, Str, Str], |_, a| re_replace_all(str_arg(a, 0), str_arg(a, 1), str_arg(a, 2))),
    );
    add("safeHtml", Func::new(&[Str], |_, a| Ok(Value::Html(Arc::from(str_arg(a, 0))))));
    add("match", Func::new(&[Str, Str], |_, a| re_match(str_arg(a, 0), str_arg(a, 1))));
    add("title", Func::new(&[Str], |_, a| Ok(Value::from(title(str_arg(a, 0))))));
    add("toUpper", Func::new(&[Str], |_, a| Ok(Value::from(map_simple(str_arg(a, 0), char::to_uppercase)))));
    add("toLower", Func::new(&[Str], |_, a| Ok(Value::from(map_simple(str_arg(a, 0), char::to_lowercase)))));
    add("graphLink", Func::new(&[Str], |_, a| Ok(Value::from(graph_link(str_arg(a, 0), 0)))));
    add("tableLink", Func::new(&[Str], |_, a| Ok(Value::from(graph_link(str_arg(a, 0), 1)))));
    add("sortByLabel", Func::new(&[Str, QueryResult], |_, a| sort_by_label(str_arg(a, 0), arg(a, 1))));
    add("stripPort", Func::new(&[Str], |_, a| Ok(Value::from(strip_port(str_arg(a, 0))))));
    add("stripDomain", Func::new(&[Str], |_, a| Ok(Value::from(strip_domain(str_arg(a, 0))))));
    add("humanize", Func::new(&[Any], |_, a| Ok(Value::from(humanize(to_float(arg(a, 0))?)))));
    add("humanize1024", Func::new(&[Any], |_, a| Ok(Value::from(humanize1024(to_float(arg(a, 0))?)))));
    add("humanizeDuration", Func::new(&[Any], |_, a| Ok(Value::from(humanize_duration(to_float(arg(a, 0))?)))));
    add(
        "humanizePercentage",
        Func::new(&[Any], |_, a| Ok(Value::from(sprintf("%.4g%%", &[Value::Float(to_float(arg(a, 0))? * 100.0)])))),
    );
    add("humanizeTimestamp", Func::new(&[Any], |_, a| humanize_timestamp(to_float(arg(a, 0))?)));
    add("toTime", Func::new(&[Any], |_, a| to_time(to_float(arg(a, 0))?).map(Value::Time)));
    add("toDuration", Func::new(&[Any], |_, a| Ok(Value::Duration(seconds_to_duration(to_float(arg(a, 0))?)))));
    add("now", Func::new(&[], |ctx, _| Ok(Value::Float(ctx.eval_time_ms as f64 / 1000.0))));
    add("pathPrefix", Func::new(&[], |ctx, _| Ok(Value::from(url_path(ctx.external_url)))));
    add("externalURL", Func::new(&[], |ctx, _| Ok(Value::str(ctx.external_url))));
    add("parseDuration", Func::new(&[Str], |_, a| parse_duration(str_arg(a, 0))));
    add("urlQueryEscape", Func::new(&[Str], |_, a| Ok(Value::from(query_escape(str_arg(a, 0))))));
    m
}

fn query(ctx: &CallContext<'_>, expr: &str) -> Result<Value, FuncError> {
    let runner = ctx.query.ok_or(FuncError::NoQueryEngine)?;
    let samples = runner.query(expr, ctx.eval_time_ms).map_err(FuncError::Query)?;
    let result: Vec<Arc<Sample>> =
        samples.into_iter().map(|s| Arc::new(Sample { labels: Arc::new(s.labels), value: s.value })).collect();
    Ok(Value::QueryResult(Arc::from(result)))
}

fn first(v: &Value) -> Result<Value, FuncError> {
    match v {
        Value::QueryResult(r) if !r.is_empty() => Ok(Value::Sample(r[0].clone())),
        _ => Err(FuncError::EmptyResult),
    }
}

/// The sample behind a `*sample` argument; nil dereferences panic in Go.
fn sample(v: &Value) -> Result<&Sample, FuncError> {
    match v {
        Value::Sample(s) => Ok(s),
        _ => Err(FuncError::NilDereference),
    }
}

fn sample_label<'a>(v: &'a Value, name: &str) -> Result<&'a str, FuncError> {
    Ok(sample(v)?.labels.get(name).map_or("", String::as_str))
}

/// Go's `regexp` reason (`missing closing )`) from a Rust `regex` error; reasons without
/// a Go equivalent keep Rust's wording.
fn regex_reason(err: &regex::Error) -> String {
    let text = err.to_string();
    let reason = text.lines().last().unwrap_or("").trim().trim_start_matches("error: ");
    let go_reason = match reason {
        "unclosed group" => "missing closing )",
        "unopened group" => "unexpected )",
        "unclosed character class" => "missing closing ]",
        "repetition operator missing expression" => "missing argument to repetition operator",
        "incomplete escape sequence, reached end of pattern prematurely" => "trailing backslash at end of expression",
        other => other,
    };
    go_reason.to_string()
}

fn re_replace_all(pattern: &str, repl: &str, text: &str) -> Result<Value, FuncError> {
    let re = Regex::new(pattern)
        .map_err(|e| FuncError::MustCompile { pattern: pattern.to_string(), reason: regex_reason(&e) })?;
    Ok(Value::from(re.replace_all(text, repl).into_owned()))
}

fn re_match(pattern: &str, text: &str) -> Result<Value, FuncError> {
    let re =
        Regex::new(pattern).map_err(|e| FuncError::Regex { pattern: pattern.to_string(), reason: regex_reason(&e) })?;
    Ok(Value::Bool(re.is_match(text)))
}

/// Go's per-rune simple case mapping: a character whose mapping is not one character
/// (`ß` → `SS`) stays as it is.
fn map_simple<I: Iterator<Item = char>>(s: &str, f: impl Fn(char) -> I) -> String {
    s.chars()
        .map(|c| {
            let mut mapped = f(c);
            match (mapped.next(), mapped.next()) {
                (Some(m), None) => m,
                _ => c,
            }
        })
        .collect()
}

/// Go's `strings.Title`: upper-cases the first letter of each word, where words are
/// separated by anything but ASCII letters, digits, `_` and non-ASCII letters/digits.
fn title(s: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphabetic() || c.is_numeric() {
            return false;
        }
        c.is_whitespace()
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) {
                map_simple(c.encode_utf8(&mut [0; 4]), char::to_uppercase)
            } else {
                c.to_string()
            };
            prev = c;
            out
        })
        .collect()
}

/// Prometheus's `strutil.GraphLinkForExpression` (tab 0) and `TableLinkForExpression`
/// (tab 1): relative links, not prefixed with the external URL.
fn graph_link(expr: &str, tab: u8) -> String {
    format!("/graph?g0.expr={}&g0.tab={tab}", query_escape(expr))
}

fn sort_by_label(label: &str, v: &Value) -> Result<Value, FuncError> {
    let Value::QueryResult(r) = v else {
        return Ok(Value::QueryResult(Arc::from(Vec::new())));
    };
    let mut sorted: Vec<Arc<Sample>> = r.to_vec();
    sorted.sort_by(|a, b| {
        let la = a.labels.get(label).map_or("", String::as_str);
        let lb = b.labels.get(label).map_or("", String::as_str);
        la.cmp(lb)
    });
    Ok(Value::QueryResult(Arc::from(sorted)))
}

fn g4(v: f64) -> String {
    sprintf("%.4g", &[Value::Float(v)])
}

/// Prometheus's `humanize`: SI prefixes (k … Y, m … y), 4 significant digits.
fn humanize(mut v: f64) -> String {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return g4(v);
    }
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", g4(v))
}

/// Prometheus's `humanize1024`: binary prefixes (ki … Yi).
fn humanize1024(mut v: f64) -> String {
    if v.abs() <= 1.0 || v.is_nan() || v.is_infinite() {
        return g4(v);
    }
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", g4(v))
}

/// Prometheus's `humanizeDuration`: `1d 2h 3m 4s` from seconds, SI prefixes below 1s.
fn humanize_duration(mut v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return g4(v);
    }
    if v == 0.0 {
        return format!("{}s", g4(v));
    }
    if v.abs() >= 1.0 {
        let mut sign = "";
        if v < 0.0 {
            sign = "-";
            v = -v;
        }
        let duration = go_f64_to_i64(v);
        let seconds = duration % 60;
        let minutes = (duration / 60) % 60;
        let hours = (duration / 60 / 60) % 24;
        let days = duration / 60 / 60 / 24;
        if days != 0 {
            return format!("{sign}{days}d {hours}h {minutes}m {seconds}s");
        }
        if hours != 0 {
            return format!("{sign}{hours}h {minutes}m {seconds}s");
        }
        if minutes != 0 {
            return format!("{sign}{minutes}m {seconds}s");
        }
        return format!("{sign}{}s", g4(v));
    }
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", g4(v))
}

fn to_time(v: f64) -> Result<i64, FuncError> {
    float_to_time(v).map_err(|e| match e {
        FloatTimeError::NanOrInf => FuncError::NanOrInf,
        FloatTimeError::Overflow => FuncError::TimeOverflow(format_go_float(v)),
    })
}

/// Prometheus's `humanizeTimestamp`: Unix seconds as `2006-01-02 15:04:05.999 +0000 UTC`.
fn humanize_timestamp(v: f64) -> Result<Value, FuncError> {
    if v.is_nan() || v.is_infinite() {
        return Ok(Value::from(g4(v)));
    }
    Ok(Value::from(format_time(to_time(v)?)))
}

fn parse_duration(s: &str) -> Result<Value, FuncError> {
    let ms = parse_prom_duration(s)?;
    Ok(Value::Float(ms.saturating_mul(1_000_000) as f64 / 1e9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_like_strings_title() {
        assert_eq!(title("hello world-foo_bar baz.qux"), "Hello World-Foo_bar Baz.Qux");
        assert_eq!(title("émile 3rd"), "Émile 3rd");
    }

    #[test]
    fn humanizers() {
        assert_eq!(humanize(1234567.0), "1.235M");
        assert_eq!(humanize(0.001234), "1.234m");
        assert_eq!(humanize1024(1048576.0), "1Mi");
        assert_eq!(humanize_duration(90061.0), "1d 1h 1m 1s");
        assert_eq!(humanize_duration(-0.25), "-250ms");
    }
}
