//! Argument helpers shared by the function bodies.

use super::FuncError;
use crate::gofmt::float::{ParseFloatError, parse_go_float};
use crate::value::Value;

/// Prometheus's `convertToFloat`: float64, int and numeric strings are accepted.
pub fn to_float(v: &Value) -> Result<f64, FuncError> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Str(s) => parse_go_float(s).map_err(|e| FuncError::ParseFloat {
            input: s.to_string(),
            reason: match e {
                ParseFloatError::Syntax => "invalid syntax",
                ParseFloatError::Range => "value out of range",
            },
        }),
        other => Err(FuncError::ToFloat(other.type_name())),
    }
}

/// The string of an argument the executor already checked to be a `string`.
pub fn str_arg(args: &[Value], i: usize) -> &str {
    match args.get(i) {
        Some(Value::Str(s)) => s,
        _ => "",
    }
}

/// The value at `i`, or nil.
pub fn arg(args: &[Value], i: usize) -> &Value {
    static NIL: Value = Value::Nil;
    args.get(i).unwrap_or(&NIL)
}
