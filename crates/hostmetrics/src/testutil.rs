//! Helpers for collector tests: fixture trees and running one collector.

use std::path::Path;

use crate::exposition::{self, Family};
use crate::source::Root;
use crate::{CollectError, Collector};

/// Writes `files` (relative path, contents) below `dir`.
pub(crate) fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Runs `collector` against a fixture tree made of `files` and renders the result.
pub(crate) fn run(collector: &dyn Collector, files: &[(&str, &str)]) -> Result<String, CollectError> {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), files);
    run_in(collector, dir.path())
}

/// Runs `collector` against an existing tree and renders the result.
pub(crate) fn run_in(collector: &dyn Collector, dir: &Path) -> Result<String, CollectError> {
    let mut families: Vec<Family> = Vec::new();
    collector.collect(&Root::new(dir.to_path_buf()), &mut families)?;
    let mut out = String::new();
    exposition::render(&mut families, &mut out);
    Ok(out)
}
