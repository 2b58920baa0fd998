//! The storage engine's errors.

use std::path::PathBuf;

/// Why a single sample was not stored. Each is counted and reported to the writer; none is
/// silent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppendError {
    #[error(
        "out of order sample: timestamp {t} is older than the newest sample {max_t} of the series \
         (accepted only within --storage.out-of-order-window, currently {window_ms} ms)"
    )]
    OutOfOrder { t: i64, max_t: i64, window_ms: i64 },
    #[error(
        "out of bounds sample: timestamp {t} is older than the oldest time still writable ({min_valid}); that range is already persisted in a block"
    )]
    OutOfBounds { t: i64, min_valid: i64 },
    #[error("duplicate sample for timestamp {t} with a different value: {stored} is stored, {received} was sent")]
    Duplicate { t: i64, stored: f64, received: f64 },
    #[error("invalid series: {0}")]
    InvalidSeries(#[from] crate::LabelError),
    #[error("series limit of {limit} active series reached; new series are rejected")]
    SeriesLimit { limit: usize },
}

impl AppendError {
    /// A short stable name for counters (`reason` label).
    pub fn reason(&self) -> &'static str {
        match self {
            AppendError::OutOfOrder { .. } => "out_of_order",
            AppendError::OutOfBounds { .. } => "out_of_bounds",
            AppendError::Duplicate { .. } => "duplicate",
            AppendError::InvalidSeries(_) => "invalid_series",
            AppendError::SeriesLimit { .. } => "series_limit",
        }
    }
}

/// Everything else that can go wrong in the storage engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("corrupt {what} in {path}: {detail}")]
    Corrupt { what: &'static str, path: PathBuf, detail: String },
    #[error("data directory {0} is in use by another Vigil process (lock file held)")]
    Locked(PathBuf),
    #[error("the database is open read-only")]
    ReadOnly,
    #[error(transparent)]
    Matcher(#[from] crate::MatcherError),
}

impl Error {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { op, path, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
