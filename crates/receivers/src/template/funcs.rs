//! Alertmanager's template functions and the methods of its template data.
//!
//! Alertmanager templates see Go's builtins plus `DefaultFuncs` (toUpper, toLower, title,
//! trimSpace, join, match, safeHtml, safeUrl, urlUnescape, reReplaceAll, stringSlice, date,
//! tz, since, humanizeDuration, toJson, now) — not Prometheus's query functions, so those are
//! left out and a template that works here works in Alertmanager too.
//!
//! Go templates call methods of the data (`.Alerts.Firing`, `.Labels.SortedPairs`,
//! `.CommonLabels.Remove .GroupLabels.Names`, `.StartsAt.Format "…"`). The templates engine
//! calls function-map entries named `"<Go type>.<Method>"` as methods of values of that type,
//! so the methods are registered here under the type names the data values carry.

use std::sync::Arc;

use templates::{CallContext, Func, FuncError, FuncMap, Param, Struct, Value, alert_functions};

use super::json::{JsonError, to_json};
use crate::gotime::{self, ZERO_TIME, ZonedTime};

/// Go type names of the values in Alertmanager's template data (see `value.rs`).
pub const LABELS_TYPE: &str = "map[string]string";
pub const LIST_TYPE: &str = "[]interface {}";
pub const TIME_TYPE: &str = "*time.Time";
/// A time shown in a zone (from `tz`).
pub const ZONED_TIME_TYPE: &str = "time.Time";
pub const PAIR_TYPE: &str = "template.Pair";
pub const ALERT_TYPE: &str = "template.Alert";
pub const DATA_TYPE: &str = "template.Data";

/// Why one of Alertmanager's template functions or data methods failed. Typed so the
/// cause (a wrong argument, an unknown zone, a bad escape) stays inspectable while the
/// template engine carries it as a [`FuncError`]; the texts are the ones users see.
#[derive(Debug, thiserror::Error)]
pub enum AlertmanagerFuncError {
    /// Not a list (Go type name), where a `[]string` is wanted.
    #[error("wrong type for value; expected []string; got {0}")]
    NotStringList(String),
    /// A list element that is not a string (Go type name).
    #[error("wrong type for value; expected []string; got []{0}")]
    NotStringElement(String),
    /// Not a label set (Go type name).
    #[error("expected map[string]string; got {0}")]
    NotLabels(String),
    /// `.Names`/`.Values` of something that is not a list.
    #[error("can't evaluate field {field}s in type {type_name}")]
    NoPairField {
        /// `Name` or `Value`.
        field: String,
        /// Go type name of the receiver.
        type_name: String,
    },
    /// `.Names`/`.Values` of a list holding something other than label pairs.
    #[error("{field}s needs a list of label pairs, not of {type_name}")]
    NotPairs {
        /// `Name` or `Value`.
        field: String,
        /// Go type name of the element.
        type_name: String,
    },
    /// `.Firing`/`.Resolved` of something that is not a list (Go type name).
    #[error("expected a list of alerts; got {0}")]
    NotAlerts(String),
    /// `.Firing`/`.Resolved` of a list holding a non-alert (Go type name).
    #[error("expected a list of alerts; got an element of type {0}")]
    NotAlert(String),
    /// Not a time (Go type name).
    #[error("wrong type for value; expected time.Time; got {0}")]
    NotTime(String),
    /// `tz` with a zone that cannot be loaded.
    #[error(transparent)]
    Zone(#[from] alerting::tz::TzError),
    /// `urlUnescape` of a malformed `%XX` escape (the escape as found).
    #[error("invalid URL escape {0:?}")]
    UrlEscape(String),
    /// `toJson` of a value JSON cannot hold.
    #[error(transparent)]
    Json(#[from] JsonError),
}

impl From<AlertmanagerFuncError> for FuncError {
    fn from(e: AlertmanagerFuncError) -> FuncError {
        FuncError::External(Box::new(e))
    }
}

/// Go's predefined functions.
const GO_BUILTINS: &[&str] = &[
    "and", "or", "call", "not", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge", "print", "println",
    "printf", "html", "js", "urlquery",
];

/// Functions Alertmanager shares with Prometheus, taken from the templates crate as they are.
const SHARED_WITH_PROMETHEUS: &[&str] = &["toUpper", "toLower", "match", "reReplaceAll", "safeHtml"];

/// Every function and method Alertmanager's notification templates can use.
pub fn alertmanager_functions() -> FuncMap {
    let mut m = alert_functions();
    let prometheus_humanize_duration = m.get("humanizeDuration").cloned();
    m.retain(|name, _| GO_BUILTINS.contains(&name.as_str()) || SHARED_WITH_PROMETHEUS.contains(&name.as_str()));
    let mut add = |name: &str, f: Func| {
        m.insert(name.to_string(), f);
    };
    use Param::{Any, Str};
    add("title", Func::new(&[Str], |_, a| Ok(Value::from(title(str_arg(a, 0))))));
    add("trimSpace", Func::new(&[Str], |_, a| Ok(Value::str(str_arg(a, 0).trim()))));
    add("join", Func::new(&[Str, Any], |_, a| Ok(Value::from(strings(arg(a, 1))?.join(str_arg(a, 0))))));
    add("safeUrl", Func::new(&[Str], |_, a| Ok(Value::str(str_arg(a, 0)))));
    add("urlUnescape", Func::new(&[Str], |_, a| Ok(Value::from(query_unescape(str_arg(a, 0))?))));
    add("stringSlice", Func::variadic(&[], Str, |_, a| Ok(Value::List(Arc::from(a.to_vec())))));
    add("date", Func::new(&[Str, Any], |_, a| Ok(Value::from(gotime::format(&zoned(arg(a, 1))?, str_arg(a, 0))))));
    add("tz", Func::new(&[Str, Any], |_, a| Ok(in_zone(str_arg(a, 0), arg(a, 1))?)));
    add("since", Func::new(&[Any], |ctx, a| Ok(since(ctx, arg(a, 0))?)));
    add("now", Func::new(&[], |ctx, _| Ok(Value::Time(now_nanos(ctx)))));
    add("toJson", Func::new(&[Any], |_, a| Ok(Value::from(to_json(arg(a, 0)).map_err(AlertmanagerFuncError::from)?))));
    if let Some(inner) = prometheus_humanize_duration {
        add("humanizeDuration", humanize_duration(inner));
    }
    add_methods(&mut add);
    m
}

fn add_methods(add: &mut impl FnMut(&str, Func)) {
    use Param::{Any, Str};
    let method = |ty: &str, name: &str| format!("{ty}.{name}");
    add(&method(LABELS_TYPE, "SortedPairs"), Func::new(&[Any], |_, a| Ok(sorted_pairs(labels(arg(a, 0))?))));
    add(&method(LABELS_TYPE, "Names"), Func::new(&[Any], |_, a| Ok(label_column(labels(arg(a, 0))?, true))));
    add(&method(LABELS_TYPE, "Values"), Func::new(&[Any], |_, a| Ok(label_column(labels(arg(a, 0))?, false))));
    add(&method(LABELS_TYPE, "Remove"), Func::new(&[Any, Any], |_, a| Ok(remove(labels(arg(a, 0))?, arg(a, 1))?)));
    add(&method(LIST_TYPE, "Firing"), Func::new(&[Any], |_, a| Ok(alerts_with_status(arg(a, 0), "firing")?)));
    add(&method(LIST_TYPE, "Resolved"), Func::new(&[Any], |_, a| Ok(alerts_with_status(arg(a, 0), "resolved")?)));
    add(&method(LIST_TYPE, "Names"), Func::new(&[Any], |_, a| Ok(pair_column(arg(a, 0), "Name")?)));
    add(&method(LIST_TYPE, "Values"), Func::new(&[Any], |_, a| Ok(pair_column(arg(a, 0), "Value")?)));
    for ty in [TIME_TYPE, ZONED_TIME_TYPE] {
        add(
            &method(ty, "Format"),
            Func::new(&[Any, Str], |_, a| Ok(Value::from(gotime::format(&zoned(arg(a, 0))?, str_arg(a, 1))))),
        );
        add(
            &method(ty, "Sub"),
            Func::new(&[Any, Any], |_, a| Ok(Value::Duration(instant(arg(a, 0))?.saturating_sub(instant(arg(a, 1))?)))),
        );
        add(&method(ty, "IsZero"), Func::new(&[Any], |_, a| Ok(Value::Bool(instant(arg(a, 0))? == ZERO_TIME))));
    }
    add(&method(ZONED_TIME_TYPE, "UTC"), Func::new(&[Any], |_, a| Ok(Value::Time(instant(arg(a, 0))?))));
}

fn arg(args: &[Value], i: usize) -> &Value {
    static NIL: Value = Value::Nil;
    args.get(i).unwrap_or(&NIL)
}

/// A `string` argument (the engine checked its type).
fn str_arg(args: &[Value], i: usize) -> &str {
    match args.get(i) {
        Some(Value::Str(s) | Value::Html(s)) => s,
        _ => "",
    }
}

/// A `[]string` argument: a list of strings (`stringSlice`, `.Names`, `.Values`).
fn strings(v: &Value) -> Result<Vec<&str>, AlertmanagerFuncError> {
    let Value::List(items) = v else {
        return Err(AlertmanagerFuncError::NotStringList(v.type_name()));
    };
    items
        .iter()
        .map(|item| match item {
            Value::Str(s) | Value::Html(s) => Ok(&**s),
            other => Err(AlertmanagerFuncError::NotStringElement(other.type_name())),
        })
        .collect()
}

fn labels(v: &Value) -> Result<&templates::LabelPairs, AlertmanagerFuncError> {
    match v {
        Value::Labels(m) => Ok(m),
        other => Err(AlertmanagerFuncError::NotLabels(other.type_name())),
    }
}

/// Alertmanager's `KV.SortedPairs`: by name, but `alertname` first.
fn sorted_pairs(kv: &templates::LabelPairs) -> Value {
    let pair = |k: &str, v: &str| {
        Value::Struct(Arc::new(Struct {
            type_name: Arc::from(PAIR_TYPE),
            fields: vec![(Arc::from("Name"), Value::str(k)), (Arc::from("Value"), Value::str(v))],
        }))
    };
    let first = kv.get_key_value("alertname").map(|(k, v)| pair(k, v));
    let rest = kv.iter().filter(|(k, _)| *k != "alertname").map(|(k, v)| pair(k, v));
    Value::List(first.into_iter().chain(rest).collect())
}

fn label_column(kv: &templates::LabelPairs, names: bool) -> Value {
    let Value::List(pairs) = sorted_pairs(kv) else {
        return Value::List(Arc::from(Vec::new()));
    };
    pair_column(&Value::List(pairs), if names { "Name" } else { "Value" }).unwrap_or(Value::Nil)
}

fn pair_column(v: &Value, field: &str) -> Result<Value, AlertmanagerFuncError> {
    let Value::List(items) = v else {
        return Err(AlertmanagerFuncError::NoPairField { field: field.to_string(), type_name: v.type_name() });
    };
    let column = items
        .iter()
        .map(|item| match item {
            Value::Struct(s) if &*s.type_name == PAIR_TYPE => Ok(s.field(field).cloned().unwrap_or(Value::Nil)),
            other => Err(AlertmanagerFuncError::NotPairs { field: field.to_string(), type_name: other.type_name() }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::List(Arc::from(column)))
}

/// Alertmanager's `KV.Remove`: a copy without the given names.
fn remove(kv: &templates::LabelPairs, names: &Value) -> Result<Value, AlertmanagerFuncError> {
    let names = strings(names)?;
    let kept = kv.iter().filter(|(k, _)| !names.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone()));
    Ok(Value::Labels(Arc::new(kept.collect())))
}

/// Alertmanager's `Alerts.Firing` and `Alerts.Resolved`.
fn alerts_with_status(v: &Value, status: &str) -> Result<Value, AlertmanagerFuncError> {
    let Value::List(items) = v else {
        return Err(AlertmanagerFuncError::NotAlerts(v.type_name()));
    };
    let mut out = Vec::new();
    for item in items.iter() {
        match item {
            Value::Struct(s) if &*s.type_name == ALERT_TYPE => {
                if matches!(s.field("Status"), Some(Value::Str(st)) if &**st == status) {
                    out.push(item.clone());
                }
            }
            other => return Err(AlertmanagerFuncError::NotAlert(other.type_name())),
        }
    }
    Ok(Value::List(Arc::from(out)))
}

/// Unix nanoseconds of a time value (UTC or zoned).
fn instant(v: &Value) -> Result<i64, AlertmanagerFuncError> {
    zoned(v).map(|z| z.unix_nanos)
}

/// A time value with its zone: `*time.Time` values are UTC; zoned ones come from `tz`.
fn zoned(v: &Value) -> Result<ZonedTime, AlertmanagerFuncError> {
    match v {
        Value::Time(t) => Ok(ZonedTime::utc(*t)),
        Value::Struct(s) if &*s.type_name == ZONED_TIME_TYPE => {
            let int = |name: &str| match s.field(name) {
                Some(Value::Int(i)) => *i,
                _ => 0,
            };
            let zone = match s.field("Zone") {
                Some(Value::Str(z)) => z.to_string(),
                _ => String::new(),
            };
            Ok(ZonedTime { unix_nanos: int("UnixNano"), offset_secs: int("Offset"), zone })
        }
        other => Err(AlertmanagerFuncError::NotTime(other.type_name())),
    }
}

/// `tz NAME t`: the instant shown in an IANA zone (`Local`, `UTC`, `Europe/Berlin`).
fn in_zone(name: &str, t: &Value) -> Result<Value, AlertmanagerFuncError> {
    let unix_nanos = instant(t)?;
    let loc = alerting::tz::Location::load(name)?;
    let secs = if unix_nanos == ZERO_TIME { -62_135_596_800 } else { unix_nanos.div_euclid(1_000_000_000) };
    let offset = loc.offset_at(secs);
    let zone = if offset == 0 && (name.is_empty() || name == "UTC") {
        "UTC".to_string()
    } else {
        gotime::numeric_zone(offset)
    };
    Ok(Value::Struct(Arc::new(Struct {
        type_name: Arc::from(ZONED_TIME_TYPE),
        fields: vec![
            (Arc::from("UnixNano"), Value::Int(unix_nanos)),
            (Arc::from("Offset"), Value::Int(offset)),
            (Arc::from("Zone"), Value::from(zone)),
        ],
    })))
}

/// The render time: the context's evaluation time (set per notification, fixed in tests).
fn now_nanos(ctx: &CallContext<'_>) -> i64 {
    ctx.eval_time_ms.saturating_mul(1_000_000)
}

fn since(ctx: &CallContext<'_>, t: &Value) -> Result<Value, AlertmanagerFuncError> {
    Ok(Value::Duration(now_nanos(ctx).saturating_sub(instant(t)?)))
}

/// Prometheus's `humanizeDuration` (seconds as numbers or numeric strings), also taking the
/// durations `since` and `.Sub` return, as Alertmanager's version does.
fn humanize_duration(inner: Func) -> Func {
    Func::new(&[Param::Any], move |ctx, a| match arg(a, 0) {
        Value::Duration(n) => (inner.imp)(ctx, &[Value::Float(*n as f64 / 1e9)]),
        _ => (inner.imp)(ctx, a),
    })
}

/// `cases.Title(language.AmericanEnglish)`: each word's first letter upper-case, the rest
/// lower-case (unlike Go's `strings.Title`, which leaves the rest alone).
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if in_word {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            in_word = true;
        } else {
            // An apostrophe inside a word does not start a new one ("it's" → "It's").
            in_word = in_word && (c == '\'' || c == '’');
            out.push(c);
        }
    }
    out
}

/// Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; malformed escapes are errors.
fn query_unescape(s: &str) -> Result<String, AlertmanagerFuncError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
                let Some(hex) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                    let bad: String = s[i..].chars().take(3).collect();
                    return Err(AlertmanagerFuncError::UrlEscape(bad));
                };
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_cases_words_like_x_text() {
        assert_eq!(title("hELLO wORLD-foo it's 3rd"), "Hello World-Foo It's 3rd");
    }

    #[test]
    fn query_unescape_like_go() {
        assert_eq!(query_unescape("a+b%20c%2Fd").unwrap(), "a b c/d");
        assert_eq!(query_unescape("%zz").unwrap_err().to_string(), "invalid URL escape \"%zz\"");
        assert_eq!(query_unescape("x%4").unwrap_err().to_string(), "invalid URL escape \"%4\"");
    }

    #[test]
    fn only_alertmanager_functions_are_defined() {
        let m = alertmanager_functions();
        for name in ["toUpper", "title", "join", "stringSlice", "date", "tz", "since", "toJson", "printf", "len"] {
            assert!(m.contains_key(name), "{name}");
        }
        for name in ["query", "humanize", "graphLink"] {
            assert!(!m.contains_key(name), "{name}");
        }
    }
}
