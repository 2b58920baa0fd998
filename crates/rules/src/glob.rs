//! `rule_files` patterns, expanded like Prometheus's `filepath.Glob` ([`promconfig::glob`]):
//! `*`, `?` and `[…]` in any path element, results sorted, nothing for a pattern that
//! matches nothing.

use std::path::{Path, PathBuf};

use crate::error::GlobError;

/// Files matching `pattern`, sorted.
pub fn expand(pattern: &Path) -> Result<Vec<PathBuf>, GlobError> {
    let text = pattern.to_str().ok_or(GlobError::NotUtf8)?;
    Ok(promconfig::glob::glob(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_in_order_and_skips_missing() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.yml", "a.yml", "c.txt"] {
            std::fs::write(dir.path().join(n), "").unwrap();
        }
        let got = expand(&dir.path().join("*.yml")).unwrap();
        assert_eq!(got, vec![dir.path().join("a.yml"), dir.path().join("b.yml")]);
        assert!(expand(&dir.path().join("nope/*.yml")).unwrap().is_empty());
        // Wildcards in directories work, as with Prometheus's filepath.Glob.
        std::fs::create_dir_all(dir.path().join("xy")).unwrap();
        std::fs::write(dir.path().join("xy/a.yml"), "").unwrap();
        assert_eq!(expand(&dir.path().join("x*/a.yml")).unwrap(), vec![dir.path().join("xy/a.yml")]);
        assert!(expand(&dir.path().join("[.yml")).is_err());
    }
}
