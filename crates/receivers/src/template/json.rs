//! `toJson`: template values as Go's `json.Marshal` writes the Go values they stand for —
//! the data's structs under their JSON tags (`startsAt`, `generatorURL`), times in RFC 3339,
//! durations as nanoseconds, `<>&` escaped.

use std::fmt::Write as _;

use templates::Value;

use super::funcs::{ALERT_TYPE, DATA_TYPE, ZONED_TIME_TYPE};
use crate::gotime::{self, ZonedTime};

/// Why `toJson` failed: Go's `json.Marshal` errors, for values JSON cannot hold. A type
/// of its own so the template functions can wrap it; the texts are Go's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    /// Nesting beyond [`MAX_DEPTH`].
    #[error("json: value nested too deeply")]
    TooDeep,
    /// A value of a type JSON cannot encode (Go type name).
    #[error("json: unsupported type: {0}")]
    UnsupportedType(String),
    /// NaN or an infinity (as Go prints it).
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
}

/// The JSON text of `v`, or Go's error for values JSON cannot hold.
pub fn to_json(v: &Value) -> Result<String, JsonError> {
    let mut out = String::new();
    write_value(&mut out, v, 0)?;
    Ok(out)
}

/// Go's limit on nesting is far higher; this one only keeps hostile data from overflowing
/// the stack.
const MAX_DEPTH: usize = 200;

fn write_value(out: &mut String, v: &Value, depth: usize) -> Result<(), JsonError> {
    if depth > MAX_DEPTH {
        return Err(JsonError::TooDeep);
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Duration(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => write_float(out, *f)?,
        Value::Str(s) | Value::Html(s) => write_string(out, s),
        Value::Time(t) => write_string(out, &gotime::rfc3339_nano(*t)),
        Value::Labels(m) => write_object(out, m.iter().map(|(k, v)| (k.as_str(), Value::str(v))), depth)?,
        Value::Map(m) => write_object(out, m.iter().map(|(k, v)| (k.as_str(), v.clone())), depth)?,
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, depth + 1)?;
            }
            out.push(']');
        }
        Value::Struct(s) if &*s.type_name == ZONED_TIME_TYPE => {
            let int = |name: &str| match s.field(name) {
                Some(Value::Int(i)) => *i,
                _ => 0,
            };
            let t = ZonedTime { unix_nanos: int("UnixNano"), offset_secs: int("Offset"), zone: String::new() };
            write_string(out, &gotime::format(&t, "2006-01-02T15:04:05.999999999Z07:00"));
        }
        Value::Struct(s) => {
            let tagged = matches!(&*s.type_name, DATA_TYPE | ALERT_TYPE);
            let fields = s.fields.iter().map(|(name, value)| {
                let key = if tagged { json_tag(name) } else { name.to_string() };
                (key, value.clone())
            });
            let fields: Vec<(String, Value)> = fields.collect();
            write_object(out, fields.iter().map(|(k, v)| (k.as_str(), v.clone())), depth)?;
        }
        other => return Err(JsonError::UnsupportedType(other.type_name())),
    }
    Ok(())
}

/// The JSON tag of a field of Alertmanager's `Data` and `Alert` (`GeneratorURL` →
/// `generatorURL`): the Go name with its first letter lower-cased.
fn json_tag(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn write_object<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a str, Value)>,
    depth: usize,
) -> Result<(), JsonError> {
    out.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, k);
        out.push(':');
        write_value(out, &v, depth + 1)?;
    }
    out.push('}');
    Ok(())
}

/// Go's float encoding: `%f`-style between 1e-6 and 1e21, exponent form (`1e+21`) outside.
fn write_float(out: &mut String, f: f64) -> Result<(), JsonError> {
    if !f.is_finite() {
        return Err(JsonError::UnsupportedValue(templates::format_go_float(f)));
    }
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        let _ = write!(out, "{f}");
    } else {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => {
                let _ = write!(out, "{mantissa}e+{exp}");
            }
            _ => out.push_str(&s),
        }
    }
    Ok(())
}

/// A JSON string as Go writes it: `\n`, `\r`, `\t` by name, other control characters and
/// `<`, `>`, `&`, U+2028, U+2029 as `\u00XX`.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn values_encode_like_go() {
        let list = Value::List(Arc::from(vec![Value::Int(1), Value::Float(2.5), Value::Float(1e21), Value::Nil]));
        assert_eq!(to_json(&list).unwrap(), "[1,2.5,1e+21,null]");
        assert_eq!(to_json(&Value::Float(3.0)).unwrap(), "3");
        assert_eq!(to_json(&Value::str("a<b\n\u{1}")).unwrap(), r#""a\u003cb\n\u0001""#);
        assert_eq!(to_json(&Value::Time(1_000_000_000)).unwrap(), r#""1970-01-01T00:00:01Z""#);
        assert!(to_json(&Value::Float(f64::NAN)).unwrap_err().to_string().contains("unsupported value: NaN"));
    }
}
