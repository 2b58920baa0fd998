//! Why a collector could not produce its metrics.

use std::path::PathBuf;

/// A collector's failure; it makes `node_scrape_collector_success` 0 for that collector.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The source file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that was read.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file was read but its contents are not what the kernel writes.
    #[error("cannot parse {path}: {what}")]
    Parse {
        /// The file that was parsed.
        path: PathBuf,
        /// What was wrong, naming the offending text.
        what: String,
    },
}

impl CollectError {
    /// Builds a parse error for `path`.
    pub(crate) fn parse(path: &std::path::Path, what: impl Into<String>) -> Self {
        CollectError::Parse { path: path.to_path_buf(), what: what.into() }
    }
}
