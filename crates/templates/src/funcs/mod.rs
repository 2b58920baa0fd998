//! Template functions: Go's builtins and Prometheus's alert-template functions.
//!
//! Each function declares Go-like parameter types so the executor can check arity and
//! argument types exactly where Go does (`wrong number of args for humanize: want 1 got
//! 2`, `expected string; found 1`), before the function body runs.

mod builtins;
mod convert;
mod error;
mod prometheus;

use std::collections::HashMap;
use std::sync::Arc;

use crate::QueryRunner;
use crate::value::Value;

pub use builtins::builtins;
pub use error::FuncError;
pub use prometheus::prometheus_functions;

/// The Go parameter type of a template function argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything; number literals become int or float64.
    Any,
    /// `reflect.Value` (Go's builtins): anything, nil included.
    Reflect,
    /// `string`.
    Str,
    /// `float64`.
    Float,
    /// `int`.
    Int,
    /// `bool`.
    Bool,
    /// Prometheus's `queryResult`; nil is an empty result.
    QueryResult,
    /// Prometheus's `*sample`; nil is a nil pointer.
    Sample,
}

impl Param {
    /// Go's name of the type, for error messages.
    pub fn type_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Reflect => "reflect.Value",
            Param::Str => "string",
            Param::Float => "float64",
            Param::Int => "int",
            Param::Bool => "bool",
            Param::QueryResult => "template.queryResult",
            Param::Sample => "*template.sample",
        }
    }
}

/// What a function may look at besides its arguments: the per-expansion environment.
#[derive(Clone, Copy, Default)]
pub struct CallContext<'a> {
    /// Runs PromQL for `query`; `None` makes `query` fail.
    pub query: Option<&'a dyn QueryRunner>,
    /// Evaluation time in milliseconds (the time `query` runs at, and `now`).
    pub eval_time_ms: i64,
    /// Prometheus's external URL (`externalURL`, `pathPrefix`).
    pub external_url: &'a str,
}

/// The body of a function: gets validated arguments, returns a value or an error
/// (reported as `error calling NAME: TEXT`).
pub type FuncImpl = Arc<dyn Fn(&CallContext<'_>, &[Value]) -> Result<Value, FuncError> + Send + Sync>;

/// Functions the executor evaluates itself because they need unevaluated arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// An ordinary function.
    None,
    /// `and`: short-circuit.
    And,
    /// `or`: short-circuit.
    Or,
    /// `call`: error messages name the callee expression.
    Call,
}

/// A template function with its Go signature.
#[derive(Clone)]
pub struct Func {
    /// Fixed parameters.
    pub params: Vec<Param>,
    /// Type of the trailing `...` parameter, if variadic.
    pub variadic: Option<Param>,
    /// Executor-handled builtins.
    pub special: Special,
    /// The body.
    pub imp: FuncImpl,
}

impl Func {
    /// A function with fixed parameters.
    pub fn new(
        params: &[Param],
        imp: impl Fn(&CallContext<'_>, &[Value]) -> Result<Value, FuncError> + Send + Sync + 'static,
    ) -> Func {
        Func { params: params.to_vec(), variadic: None, special: Special::None, imp: Arc::new(imp) }
    }

    /// A function whose last parameter is `...variadic`.
    pub fn variadic(
        params: &[Param],
        variadic: Param,
        imp: impl Fn(&CallContext<'_>, &[Value]) -> Result<Value, FuncError> + Send + Sync + 'static,
    ) -> Func {
        Func { params: params.to_vec(), variadic: Some(variadic), special: Special::None, imp: Arc::new(imp) }
    }
}

/// Functions by name, fixed when a template is parsed (as in Go).
pub type FuncMap = HashMap<String, Func>;

/// Go's builtins plus every Prometheus alert-template function.
pub fn alert_functions() -> FuncMap {
    let mut map = builtins();
    map.extend(prometheus_functions());
    map
}
