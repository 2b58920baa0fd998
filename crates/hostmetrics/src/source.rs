//! Reading kernel files below a configurable root, so tests can use fixture trees.

use std::path::{Path, PathBuf};

use crate::error::CollectError;

/// The filesystem root that `/proc` and `/sys` are read under.
#[derive(Debug, Clone)]
pub(crate) struct Root(PathBuf);

impl Root {
    pub(crate) fn new(path: PathBuf) -> Self {
        Root(path)
    }

    /// `rel` (written without a leading slash, e.g. `proc/stat`) below the root.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel.trim_start_matches('/'))
    }

    /// Reads `rel` as text; invalid UTF-8 is replaced rather than rejected, as kernel files are ASCII.
    pub(crate) fn read(&self, rel: &str) -> Result<(PathBuf, String), CollectError> {
        let path = self.path(rel);
        read_path(&path).map(|text| (path, text))
    }
}

/// Reads a whole file as (lossy) UTF-8.
pub(crate) fn read_path(path: &Path) -> Result<String, CollectError> {
    let bytes = std::fs::read(path).map_err(|source| CollectError::Io { path: path.to_path_buf(), source })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Parses an unsigned decimal integer field, naming it in the error.
pub(crate) fn parse_u64(path: &Path, field: &str, text: &str) -> Result<u64, CollectError> {
    text.parse::<u64>().map_err(|_| CollectError::parse(path, format!("{field}: {text:?} is not an unsigned integer")))
}

/// Parses a decimal number the way Go's `strconv.ParseFloat` accepts kernel output.
pub(crate) fn parse_f64(path: &Path, field: &str, text: &str) -> Result<f64, CollectError> {
    text.parse::<f64>().map_err(|_| CollectError::parse(path, format!("{field}: {text:?} is not a number")))
}
