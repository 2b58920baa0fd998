//! Why a Prometheus API request failed, and how that is answered.
//!
//! The HTTP status and Prometheus's `errorType` both follow from the variant of [`ApiError`]
//! (through [`ErrorType`]), never from the text of a message, so rewording an error can never
//! change what a client such as Grafana or `promtool` sees as its kind.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use promql::QueryError;

use super::{encode, json};

/// Prometheus's `errorType` values, each with the status Prometheus answers it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    BadData,
    Timeout,
    Canceled,
    Execution,
    Unavailable,
    Internal,
    NotFound,
}

impl ErrorType {
    /// Every type, in the order `vigil_queries_total` registers them.
    pub const ALL: [ErrorType; 7] = [
        ErrorType::BadData,
        ErrorType::Execution,
        ErrorType::Timeout,
        ErrorType::Canceled,
        ErrorType::Internal,
        ErrorType::Unavailable,
        ErrorType::NotFound,
    ];

    /// The `errorType` string of the JSON envelope.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::BadData => "bad_data",
            ErrorType::Timeout => "timeout",
            ErrorType::Canceled => "canceled",
            ErrorType::Execution => "execution",
            ErrorType::Unavailable => "unavailable",
            ErrorType::Internal => "internal",
            ErrorType::NotFound => "not_found",
        }
    }

    /// The HTTP status Prometheus pairs with this type (499 is nginx's "client closed request",
    /// which Prometheus uses for canceled queries).
    pub fn status(self) -> StatusCode {
        match self {
            ErrorType::BadData => StatusCode::BAD_REQUEST,
            ErrorType::Execution => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorType::Timeout | ErrorType::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorType::Canceled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
            ErrorType::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorType::NotFound => StatusCode::NOT_FOUND,
        }
    }
}

/// A failed Prometheus API request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A parameter is missing or malformed; the message names it as Prometheus does.
    #[error("{0}")]
    BadData(String),
    /// The engine refused or failed the query.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A storage read or write failed.
    #[error("storage error: {0}")]
    Storage(#[from] tsdb::Error),
    /// The storage is still replaying its WAL.
    #[error(transparent)]
    NotRunning(#[from] crate::NotRunning),
    /// What the request needs has been switched off (the admin API).
    #[error("{0}")]
    Unavailable(&'static str),
    /// `POST /api/v1/admin/tsdb/snapshot` failed.
    #[error(transparent)]
    Snapshot(#[from] crate::admin::SnapshotError),
    /// The blocking task doing `0` ended without an answer (it panicked); a bug, not the
    /// client's fault, but reported as Prometheus reports an evaluation that went wrong.
    #[error("{0} aborted")]
    Aborted(&'static str),
}

impl ApiError {
    /// The `errorType`, from the variant alone.
    pub fn error_type(&self) -> ErrorType {
        match self {
            ApiError::BadData(_) => ErrorType::BadData,
            ApiError::Query(e) => ErrorType::from(e),
            ApiError::Storage(_) | ApiError::Snapshot(_) => ErrorType::Internal,
            ApiError::NotRunning(_) | ApiError::Unavailable(_) => ErrorType::Unavailable,
            ApiError::Aborted(_) => ErrorType::Execution,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.error_type().status()
    }
}

/// How Prometheus classifies each way a query can fail.
impl From<&QueryError> for ErrorType {
    fn from(e: &QueryError) -> ErrorType {
        match e {
            QueryError::Parse(_) => ErrorType::BadData,
            QueryError::Execution(_) | QueryError::TooManySamples { .. } | QueryError::Unsupported(_) => {
                ErrorType::Execution
            }
            QueryError::Timeout { .. } => ErrorType::Timeout,
            QueryError::Canceled => ErrorType::Canceled,
            QueryError::Storage(_) => ErrorType::Internal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json(self.status(), encode::error(self.error_type().as_str(), &self.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn status_and_type_follow_the_variant() {
        let cases: Vec<(ApiError, &str, u16)> = vec![
            (ApiError::BadData("x".into()), "bad_data", 400),
            (QueryError::Parse("1:1: parse error".into()).into(), "bad_data", 400),
            (
                QueryError::Execution("vector cannot contain metrics with the same labelset".into()).into(),
                "execution",
                422,
            ),
            (QueryError::TooManySamples { phase: "eval", limit: 1 }.into(), "execution", 422),
            (QueryError::Unsupported("native histograms".into()).into(), "execution", 422),
            (
                QueryError::Timeout { phase: "eval", elapsed: Duration::from_secs(2), limit: Duration::from_secs(1) }
                    .into(),
                "timeout",
                503,
            ),
            (QueryError::Canceled.into(), "canceled", 499),
            (QueryError::Storage(tsdb::Error::ReadOnly.into()).into(), "internal", 500),
            (tsdb::Error::ReadOnly.into(), "internal", 500),
            (crate::NotRunning.into(), "unavailable", 503),
            (ApiError::Unavailable("admin APIs disabled"), "unavailable", 503),
            (ApiError::Aborted("series lookup"), "execution", 422),
        ];
        for (e, ty, status) in cases {
            assert_eq!(e.error_type().as_str(), ty, "{e}");
            assert_eq!(e.status().as_u16(), status, "{e}");
        }
    }

    #[test]
    fn messages_do_not_decide_the_type() {
        // A parse error whose text mentions a timeout is still bad data.
        let e = ApiError::from(QueryError::Parse("timeout: unexpected identifier".into()));
        assert_eq!(e.error_type(), ErrorType::BadData);
    }

    #[test]
    fn every_type_has_a_distinct_name() {
        let names: std::collections::BTreeSet<_> = ErrorType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names.len(), ErrorType::ALL.len());
    }
}
