//! Template values: the Go types that Prometheus's templates see, as one enum.
//!
//! Go's behaviour depends on static types (a missing key of a `map[string]string` is
//! `""`, of a `map[string]interface{}` is nil; a struct has no unknown fields), so the
//! variants mirror those types rather than a generic JSON-like model.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::LabelPairs;

/// One sample of a `query` result: Go's `*template.sample` (`.Labels`, `.Value`).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series labels, including `__name__` when the query kept it.
    pub labels: Arc<LabelPairs>,
    /// The sample value.
    pub value: f64,
}

/// A Go struct value: ordered named fields, and a type name for error messages.
#[derive(Debug, Clone)]
pub struct Struct {
    /// Go's name of the type, e.g. `struct { Labels map[string]string; ... }`.
    pub type_name: Arc<str>,
    /// Field names and values in declaration order.
    pub fields: Vec<(Arc<str>, Value)>,
}

impl Struct {
    /// The field called `name`, if the struct has one.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }
}

/// The body of a [`Callable`]: arguments in, value or error out.
pub type CallableFn = dyn Fn(&[Value]) -> Result<Value, crate::FuncError> + Send + Sync;

/// A function value for the `call` builtin.
#[derive(Clone)]
pub struct Callable(pub Arc<CallableFn>);

impl fmt::Debug for Callable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Callable")
    }
}

/// A value inside a template, named after the Go type it stands for.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// An untyped nil interface (a missing value): printed `<no value>` by an action.
    #[default]
    Nil,
    /// `bool`.
    Bool(bool),
    /// `int`.
    Int(i64),
    /// `float64`.
    Float(f64),
    /// `string`.
    Str(Arc<str>),
    /// `html/template.HTML`, from `safeHtml`: a string that is not a `string`.
    Html(Arc<str>),
    /// `map[string]string`: label sets; a missing key is `""` under `missingkey=zero`.
    Labels(Arc<LabelPairs>),
    /// `map[string]interface{}` (from `args`); a missing key is nil.
    Map(Arc<BTreeMap<String, Value>>),
    /// `[]interface{}`.
    List(Arc<[Value]>),
    /// Prometheus's `queryResult` (`[]*sample`), from `query`.
    QueryResult(Arc<[Arc<Sample>]>),
    /// Prometheus's `*sample`.
    Sample(Arc<Sample>),
    /// `*time.Time` (from `toTime`), as Unix nanoseconds in UTC; `i64::MIN` is Go's zero
    /// time (`0001-01-01 00:00:00 +0000 UTC`, e.g. a firing alert's `EndsAt`).
    Time(i64),
    /// `*time.Duration` (from `toDuration`), in nanoseconds.
    Duration(i64),
    /// A struct, such as the alert template data.
    Struct(Arc<Struct>),
    /// A `func` value, usable with `call`.
    Func(Callable),
}

impl Value {
    /// A `string` value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// Go's name of the value's type, as used in `%T` and in error messages.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float64".into(),
            Value::Str(_) => "string".into(),
            Value::Html(_) => "template.HTML".into(),
            Value::Labels(_) => "map[string]string".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::QueryResult(_) => "template.queryResult".into(),
            Value::Sample(_) => "*template.sample".into(),
            Value::Time(_) => "*time.Time".into(),
            Value::Duration(_) => "*time.Duration".into(),
            Value::Struct(s) => s.type_name.to_string(),
            Value::Func(_) => "func(...interface {}) (interface {}, error)".into(),
        }
    }

    /// Go's `template.IsTrue`: false for zero values, nil and empty collections.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) | Value::Html(s) => !s.is_empty(),
            Value::Labels(m) => !m.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::QueryResult(l) => !l.is_empty(),
            Value::Sample(_) | Value::Time(_) | Value::Duration(_) | Value::Struct(_) | Value::Func(_) => true,
        }
    }

    /// Whether Go's reflect kind of this value is `string` (`print` puts no space
    /// between adjacent string operands).
    pub fn is_string_kind(&self) -> bool {
        matches!(self, Value::Str(_) | Value::Html(_))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(Arc::from(s))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
