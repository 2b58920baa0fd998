//! Why a rule's evaluation failed, why its output could not be stored, and why a
//! `rule_files` pattern could not be expanded.
//!
//! The text of an [`EvalError`] becomes the rule's `lastError` in `/api/v1/rules`, so the
//! messages keep Prometheus's wording where Prometheus has one.

/// One rule's evaluation failed; the rule's health becomes `err` until the next success.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The rule's expression failed in the engine (timeout, too many samples, ...).
    #[error(transparent)]
    Query(#[from] promql::QueryError),
    /// The expression produced a range vector or a string (named by kind).
    #[error("rule result is a {0}, but a rule needs an instant vector or a scalar")]
    NotAVector(&'static str),
    /// A recording rule's output has more series than the group's `limit`.
    #[error("exceeded limit of {limit} with {count} series")]
    SeriesLimit { limit: u64, count: usize },
    /// Two output series ended up with the same labels after the rule's labels were applied.
    #[error("vector contains metrics with the same labelset after applying rule labels")]
    DuplicateSeries,
    /// Two alerts ended up with the same labels after the alert's labels were applied.
    #[error("vector contains metrics with the same labelset after applying alert labels")]
    DuplicateAlerts,
    /// More pending and firing alerts than the group's `limit`; every alert is dropped.
    #[error("exceeded limit of {limit} with {count} alerts")]
    AlertLimit { limit: u64, count: u64 },
    /// The output labels are not a valid label set.
    #[error("invalid output labels: {0}")]
    Labels(#[from] tsdb::LabelError),
    /// The output could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rule output that [`crate::RuleStorage::append`] could not store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage refused the whole batch (read-only, I/O error).
    #[error("cannot store rule output: {0}")]
    Storage(#[from] tsdb::Error),
    /// Some samples were rejected (out of order, series limit); the first one is named.
    #[error("{rejected} of {total} samples rejected, first {series}: {reason}")]
    Rejected { rejected: usize, total: usize, series: String, reason: tsdb::AppendError },
}

/// A `rule_files` pattern that cannot be expanded (it is not an error to match nothing).
#[derive(Debug, thiserror::Error)]
pub enum GlobError {
    #[error("the pattern is not valid UTF-8")]
    NotUtf8,
    #[error(transparent)]
    BadPattern(#[from] promconfig::glob::BadPattern),
}

/// A `rule_files` entry of the configuration that cannot be expanded.
#[derive(Debug, thiserror::Error)]
#[error("rule_files: {pattern:?}: {source}")]
pub struct RuleFilesError {
    pub pattern: String,
    #[source]
    pub source: GlobError,
}
