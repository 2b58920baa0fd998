//! Go's predefined template functions (`text/template/funcs.go`), with Go's error texts.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::convert::{arg, str_arg};
use super::{Func, FuncError, FuncMap, Param, Special};
use crate::escape::{html_escape, js_escape, query_escape};
use crate::gofmt::{sprint, sprintf, sprintln};
use crate::value::Value;

/// Go's builtin function map.
pub fn builtins() -> FuncMap {
    let mut m = FuncMap::new();
    let mut add = |name: &str, f: Func| {
        m.insert(name.to_string(), f);
    };
    let unused = |_: &super::CallContext<'_>, _: &[Value]| Ok(Value::Nil);
    add("and", Func { special: Special::And, ..Func::variadic(&[Param::Reflect], Param::Reflect, unused) });
    add("or", Func { special: Special::Or, ..Func::variadic(&[Param::Reflect], Param::Reflect, unused) });
    add("call", Func { special: Special::Call, ..Func::variadic(&[Param::Reflect], Param::Reflect, unused) });
    add("not", Func::new(&[Param::Reflect], |_, a| Ok(Value::Bool(!arg(a, 0).is_true()))));
    add("len", Func::new(&[Param::Reflect], |_, a| length(arg(a, 0))));
    add("index", Func::variadic(&[Param::Reflect], Param::Reflect, |_, a| index(arg(a, 0), rest(a))));
    add("slice", Func::variadic(&[Param::Reflect], Param::Reflect, |_, a| slice(arg(a, 0), rest(a))));
    add("eq", Func::variadic(&[Param::Reflect], Param::Reflect, |_, a| eq(arg(a, 0), rest(a)).map(Value::Bool)));
    add("ne", Func::new(&[Param::Reflect, Param::Reflect], |_, a| eq(arg(a, 0), rest(a)).map(|b| Value::Bool(!b))));
    add("lt", Func::new(&[Param::Reflect, Param::Reflect], |_, a| lt(arg(a, 0), arg(a, 1)).map(Value::Bool)));
    add("le", Func::new(&[Param::Reflect, Param::Reflect], |_, a| le(arg(a, 0), arg(a, 1)).map(Value::Bool)));
    add("gt", Func::new(&[Param::Reflect, Param::Reflect], |_, a| le(arg(a, 0), arg(a, 1)).map(|b| Value::Bool(!b))));
    add("ge", Func::new(&[Param::Reflect, Param::Reflect], |_, a| lt(arg(a, 0), arg(a, 1)).map(|b| Value::Bool(!b))));
    add("print", Func::variadic(&[], Param::Any, |_, a| Ok(Value::from(sprint(a)))));
    add("println", Func::variadic(&[], Param::Any, |_, a| Ok(Value::from(sprintln(a)))));
    add("printf", Func::variadic(&[Param::Str], Param::Any, |_, a| Ok(Value::from(sprintf(str_arg(a, 0), rest(a))))));
    add("html", Func::variadic(&[], Param::Any, |_, a| Ok(Value::from(html_escape(&eval_args(a))))));
    add("js", Func::variadic(&[], Param::Any, |_, a| Ok(Value::from(js_escape(&eval_args(a))))));
    add("urlquery", Func::variadic(&[], Param::Any, |_, a| Ok(Value::from(query_escape(&eval_args(a))))));
    m
}

/// The arguments after the first.
fn rest(args: &[Value]) -> &[Value] {
    args.get(1..).unwrap_or(&[])
}

/// Go's `evalArgs` for the escapers: a lone string as is, otherwise `Sprint` with nil
/// shown as `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::Str(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> =
        args.iter().map(|a| if matches!(a, Value::Nil) { Value::str("<no value>") } else { a.clone() }).collect();
    sprint(&printable)
}

fn length(v: &Value) -> Result<Value, FuncError> {
    let n = match v {
        Value::Str(s) | Value::Html(s) => s.len(),
        Value::Labels(m) => m.len(),
        Value::Map(m) => m.len(),
        Value::List(l) => l.len(),
        Value::QueryResult(l) => l.len(),
        Value::Nil => return Err(FuncError::LenOfNil),
        other => return Err(FuncError::LenOfType(other.type_name())),
    };
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// Go's `indexArg`: an int within `0..=cap`.
fn index_arg(index: &Value, cap: usize) -> Result<usize, FuncError> {
    let x = match index {
        Value::Int(i) => *i,
        Value::Duration(d) => *d,
        Value::Nil => return Err(FuncError::IndexWithNil),
        other => return Err(FuncError::IndexWithType(other.type_name())),
    };
    match usize::try_from(x) {
        Ok(u) if u <= cap => Ok(u),
        _ => Err(FuncError::IndexOutOfRange(x)),
    }
}

/// Go's `prepareArg` for a `map[string]…` key.
fn map_key(index: &Value) -> Result<&str, FuncError> {
    match index {
        Value::Str(s) => Ok(s),
        Value::Nil => Err(FuncError::MapKeyNil),
        other => Err(FuncError::MapKeyType(other.type_name())),
    }
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value, FuncError> {
    let mut item = item.clone();
    for idx in indexes {
        item = match &item {
            Value::Nil => return Err(FuncError::IndexOfNil),
            Value::List(l) => {
                let i = index_arg(idx, l.len())?;
                l.get(i).cloned().ok_or_else(|| FuncError::out_of_range(i))?
            }
            Value::QueryResult(l) => {
                let i = index_arg(idx, l.len())?;
                Value::Sample(l.get(i).cloned().ok_or_else(|| FuncError::out_of_range(i))?)
            }
            Value::Str(s) | Value::Html(s) => {
                let i = index_arg(idx, s.len())?;
                Value::Int(i64::from(*s.as_bytes().get(i).ok_or_else(|| FuncError::out_of_range(i))?))
            }
            Value::Labels(m) => Value::str(m.get(map_key(idx)?).map_or("", String::as_str)),
            Value::Map(m) => m.get(map_key(idx)?).cloned().unwrap_or(Value::Nil),
            other => return Err(FuncError::CannotIndex(other.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value, FuncError> {
    if matches!(item, Value::Nil) {
        return Err(FuncError::SliceOfNil);
    }
    if indexes.len() > 3 {
        return Err(FuncError::TooManySliceIndexes(indexes.len()));
    }
    let len = match item {
        Value::Str(s) | Value::Html(s) => {
            if indexes.len() == 3 {
                return Err(FuncError::ThreeIndexString);
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::QueryResult(l) => l.len(),
        other => return Err(FuncError::CannotSlice(other.type_name())),
    };
    let mut idx = [0, len, len];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(FuncError::InvalidSliceIndex(idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(FuncError::InvalidSliceIndex(idx[1], idx[2]));
    }
    let (lo, hi) = (idx[0], idx[1]);
    Ok(match item {
        Value::Str(s) => Value::from(String::from_utf8_lossy(&s.as_bytes()[lo..hi]).into_owned()),
        Value::Html(s) => Value::Html(Arc::from(String::from_utf8_lossy(&s.as_bytes()[lo..hi]).as_ref())),
        Value::List(l) => Value::List(Arc::from(&l[lo..hi])),
        Value::QueryResult(l) => Value::QueryResult(Arc::from(&l[lo..hi])),
        _ => Value::Nil,
    })
}

/// Go's `basicKind` buckets for comparisons.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Basic<'a> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

fn basic(v: &Value) -> Option<Basic<'_>> {
    Some(match v {
        Value::Bool(b) => Basic::Bool(*b),
        Value::Int(i) | Value::Duration(i) => Basic::Int(*i),
        Value::Float(f) => Basic::Float(*f),
        Value::Str(s) | Value::Html(s) => Basic::Str(s),
        _ => return None,
    })
}

fn same_kind(a: Basic<'_>, b: Basic<'_>) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// Go's `eq`: true if `a` equals any of `others`.
fn eq(a: &Value, others: &[Value]) -> Result<bool, FuncError> {
    if others.is_empty() {
        return Err(FuncError::MissingComparisonArgument);
    }
    let k1 = basic(a);
    for b in others {
        let truth = match (k1, basic(b)) {
            (Some(x), Some(y)) if same_kind(x, y) => x == y,
            (Some(_), Some(_)) => return Err(FuncError::IncompatibleComparison),
            (Some(_), None) | (None, Some(_)) => {
                if !matches!(a, Value::Nil) && !matches!(b, Value::Nil) {
                    return Err(FuncError::IncompatibleComparison);
                }
                false
            }
            (None, None) => match (a, b) {
                (Value::Nil, Value::Nil) => true,
                (Value::Nil, Value::Sample(_) | Value::Time(_) | Value::Func(_))
                | (Value::Sample(_) | Value::Time(_) | Value::Func(_), Value::Nil) => false,
                (Value::Sample(x), Value::Sample(y)) => Arc::ptr_eq(x, y),
                (Value::Time(_), Value::Time(_)) => false,
                _ => {
                    return Err(FuncError::NonComparable {
                        left: sprint(std::slice::from_ref(a)),
                        left_type: a.type_name(),
                        right_type: b.type_name(),
                        right: sprint(std::slice::from_ref(b)),
                    });
                }
            },
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (Some(x), Some(y)) = (basic(a), basic(b)) else {
        return Err(FuncError::InvalidComparisonType);
    };
    match (x, y) {
        (Basic::Float(x), Basic::Float(y)) => Ok(x < y),
        (Basic::Int(x), Basic::Int(y)) => Ok(x < y),
        (Basic::Str(x), Basic::Str(y)) => Ok(x < y),
        (Basic::Bool(_), Basic::Bool(_)) => Err(FuncError::InvalidComparisonType),
        _ => Err(FuncError::IncompatibleComparison),
    }
}

fn le(a: &Value, b: &Value) -> Result<bool, FuncError> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// A `map[string]interface{}` from Prometheus's `args` (`arg0`, `arg1`, …).
pub fn args_map(args: &[Value]) -> Value {
    let map: BTreeMap<String, Value> = args.iter().enumerate().map(|(i, v)| (format!("arg{i}"), v.clone())).collect();
    Value::Map(Arc::new(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_follow_go() {
        let text = |r: Result<bool, FuncError>| r.map_err(|e| e.to_string());
        assert_eq!(text(eq(&Value::Int(1), &[Value::Int(2), Value::Int(1)])), Ok(true));
        assert_eq!(text(eq(&Value::Nil, &[Value::str("")])), Ok(false));
        assert_eq!(text(eq(&Value::Float(1.0), &[Value::Int(1)])), Err("incompatible types for comparison".into()));
        assert_eq!(text(lt(&Value::str("a"), &Value::str("b"))), Ok(true));
        assert_eq!(text(le(&Value::Float(f64::NAN), &Value::Float(1.0))), Ok(false));
        assert_eq!(text(lt(&Value::Bool(true), &Value::Bool(false))), Err("invalid type for comparison".into()));
    }

    #[test]
    fn index_and_slice() {
        let list = Value::List(Arc::from(vec![Value::Int(1), Value::Int(2)]));
        assert!(matches!(index(&list, &[Value::Int(1)]), Ok(Value::Int(2))));
        assert_eq!(index(&list, &[Value::Int(2)]).unwrap_err().to_string(), "index out of range: 2");
        assert!(matches!(index(&Value::str("abc"), &[Value::Int(0)]), Ok(Value::Int(97))));
        assert!(
            matches!(slice(&Value::str("abcdef"), &[Value::Int(1), Value::Int(3)]), Ok(Value::Str(s)) if &*s == "bc")
        );
        assert_eq!(
            slice(&Value::str("ab"), &[Value::Int(2), Value::Int(1)]).unwrap_err().to_string(),
            "invalid slice index: 2 > 1"
        );
    }
}
