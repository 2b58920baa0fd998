//! Query results as the HTTP API and the conformance runner see them.

use tsdb::{Labels, Sample};

/// One sample of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct InstantSample {
    pub labels: Labels,
    /// Milliseconds since the epoch (the evaluation time for most expressions).
    pub t: i64,
    pub v: f64,
}

/// One series of a range vector (or of a range query's result).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: Labels,
    pub points: Vec<Sample>,
}

/// The four PromQL value types, with what a query returned.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar { t: i64, v: f64 },
    String { t: i64, s: String },
    Vector(Vec<InstantSample>),
    Matrix(Vec<RangeSeries>),
}

/// The type name a result carries in the Prometheus API (`resultType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Scalar,
    String,
    Vector,
    Matrix,
}

impl ValueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Scalar => "scalar",
            ValueKind::String => "string",
            ValueKind::Vector => "vector",
            ValueKind::Matrix => "matrix",
        }
    }
}

impl Value {
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Scalar { .. } => ValueKind::Scalar,
            Value::String { .. } => ValueKind::String,
            Value::Vector(_) => ValueKind::Vector,
            Value::Matrix(_) => ValueKind::Matrix,
        }
    }
}
