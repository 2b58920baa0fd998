//! Why a query failed, classified the way the Prometheus HTTP API reports it.

use std::time::Duration;

/// A failed query. [`QueryError::error_type`] gives the API's `errorType`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum QueryError {
    /// The query text is not valid PromQL, or its types do not fit; the message names the
    /// position and what was expected.
    #[error("{0}")]
    Parse(String),
    /// A well-formed query that cannot be evaluated (duplicate label sets, bad arguments).
    #[error("{0}")]
    Execution(String),
    #[error("query timed out in {phase} after {elapsed:?} (limit {limit:?}, set with --query.timeout)")]
    Timeout { phase: &'static str, elapsed: Duration, limit: Duration },
    #[error(
        "query processing would load too many samples into memory in {phase} (limit {limit}, set with --query.max-samples)"
    )]
    TooManySamples { phase: &'static str, limit: usize },
    #[error("query was canceled")]
    Canceled,
    #[error("storage error: {0}")]
    Storage(#[source] crate::StorageError),
    /// A feature that parses but that Vigil does not evaluate yet; never a wrong answer.
    #[error("{0} is not supported yet")]
    Unsupported(String),
}

impl QueryError {
    /// The Prometheus API's `errorType` for this error.
    pub fn error_type(&self) -> &'static str {
        match self {
            QueryError::Parse(_) => "bad_data",
            QueryError::Execution(_) | QueryError::TooManySamples { .. } | QueryError::Unsupported(_) => "execution",
            QueryError::Timeout { .. } => "timeout",
            QueryError::Canceled => "canceled",
            QueryError::Storage(_) => "internal",
        }
    }
}
