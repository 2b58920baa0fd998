//! Why one promqltest `eval` case failed.

use tsdb::Labels;

use super::{MessageMatch, SeqValue};
use crate::QueryError;

/// Why an `eval` case failed. Typed so a caller can tell a wrong answer from an engine error
/// (kept as the source) or a broken test; the `Display` texts are the reports `vigil promqltest`
/// prints and the known-failures list was written against, so they must not change.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CaseFailure {
    /// `eval_fail` but the query succeeded; `got` describes the result.
    #[error("expected an error, got {got}")]
    ExpectedError { got: String },
    /// `eval_fail` and the query failed, but with another message.
    #[error("error {0}")]
    WrongError(Box<CaseFailure>),
    #[error("unexpected error: {0}")]
    Query(QueryError),
    #[error("error in range mode: {0}")]
    RangeModeQuery(QueryError),
    #[error("range mode did not return a matrix")]
    RangeModeNotMatrix,
    /// The instant query's answer differs when run as a range query.
    #[error("in range mode: {0}")]
    InRangeMode(Box<CaseFailure>),
    #[error("{got:?} is not {want:?}")]
    MessageIs { got: String, want: String },
    #[error("bad regex in test: {0}")]
    BadRegex(regex::Error),
    #[error("{got:?} does not match /{regex}/")]
    MessageDoesNotMatch { got: String, regex: String },
    /// `kind` is `warning` or `info`.
    #[error("expected no {kind}, got {got:?}")]
    UnexpectedAnnotations { kind: &'static str, got: Vec<String> },
    #[error("expected a {kind} matching {want:?}, got {got:?}")]
    MissingAnnotation { kind: &'static str, want: MessageMatch, got: Vec<String> },
    #[error("unexpected {kind} {got:?}")]
    UnexpectedAnnotation { kind: &'static str, got: String },
    #[error("expected string {want:?}, got {got:?}")]
    StringMismatch { want: String, got: String },
    #[error("expected a vector or scalar, got string {0:?}")]
    UnexpectedString(String),
    #[error("expected scalar {want} but got {got}")]
    ScalarMismatch { want: f64, got: f64 },
    #[error("expected vector or matrix result, but got scalar {0}")]
    UnexpectedScalar(f64),
    #[error("expected a scalar, got a vector of {0} samples")]
    VectorForScalar(usize),
    #[error("unexpected metric {labels} in result, has value {value}")]
    UnexpectedSample { labels: Labels, value: f64 },
    /// Positions count from 1.
    #[error("expected metric {labels} at position {want} but was at {got}")]
    WrongPosition { labels: Labels, want: usize, got: usize },
    #[error("expected {want} for {labels} but got {got}")]
    ValueMismatch { want: f64, labels: Labels, got: f64 },
    /// The expectation is not a float (a histogram, or nothing).
    #[error("expected {want:?} for {labels} but got {got}")]
    NotAFloat { want: Option<SeqValue>, labels: Labels, got: f64 },
    #[error("expected metric {0} not found")]
    MissingMetric(Labels),
    #[error("expected ordered result, but query returned a matrix")]
    OrderedMatrix,
    #[error("expected scalar result, but got matrix")]
    MatrixForScalar,
    #[error("got a range vector of {0} series without 'expect range vector'")]
    UnexpectedRangeVector(usize),
    /// `points` is the series' points formatted as `[v@t ...]`.
    #[error("unexpected metric {labels} in result, has {points}")]
    UnexpectedSeries { labels: Labels, points: String },
    #[error("expected {count} points for {labels}, but query time range cannot return this many points")]
    TooManyPoints { count: usize, labels: Labels },
    #[error("expected native histogram points")]
    HistogramPoints,
    #[error("expected {want} points for {labels}, but got {got}")]
    PointCount { want: usize, labels: Labels, got: String },
    #[error("expected point {i} of {labels} at t={want}, got t={got}")]
    PointTime { i: usize, labels: Labels, want: i64, got: i64 },
    #[error("expected point {i} (t={t}) of {labels} to be {want}, got {got}")]
    PointValue { i: usize, t: i64, labels: Labels, want: f64, got: f64 },
    #[error("test expects {0} twice")]
    DuplicateExpectation(Labels),
}
