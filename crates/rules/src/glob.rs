//! `rule_files` patterns: `*`, `?` and `[…]`-free globs in the last path component, which is
//! what rule file lists use in practice (`rules/*.yml`).

use std::path::{Path, PathBuf};

use crate::error::GlobError;

/// Files matching `pattern`, sorted. Wildcards are allowed in the file name only; a
/// wildcard in a directory component is an error naming the pattern.
pub fn expand(pattern: &Path) -> Result<Vec<PathBuf>, GlobError> {
    let Some(file) = pattern.file_name().and_then(|f| f.to_str()) else {
        return Err(GlobError::NoFileName);
    };
    let dir = pattern.parent().unwrap_or(Path::new("."));
    if dir.to_string_lossy().contains(['*', '?']) {
        return Err(GlobError::WildcardInDirectory);
    }
    if !file.contains(['*', '?']) {
        return Ok(if pattern.exists() { vec![pattern.to_path_buf()] } else { Vec::new() });
    }
    let entries = match std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(GlobError::List { dir: dir.to_path_buf(), source }),
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(false))
        .filter(|e| e.file_name().to_str().is_some_and(|n| wildcard_match(file.as_bytes(), n.as_bytes())))
        .map(|e| dir.join(e.file_name()))
        .collect();
    out.sort();
    Ok(out)
}

/// Shell-style match of `*` (any run) and `?` (one byte); a leading dot is not special.
pub fn wildcard_match(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while i < s.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == s[i]) {
            p += 1;
            i += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star = Some(p);
            mark = i;
            p += 1;
        } else if let Some(sp) = star {
            p = sp + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    while p < pat.len() && pat[p] == b'*' {
        p += 1;
    }
    p == pat.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match(b"*.yml", b"alerts.yml"));
        assert!(!wildcard_match(b"*.yml", b"alerts.yaml"));
        assert!(wildcard_match(b"a?c*", b"abcdef"));
        assert!(wildcard_match(b"*", b""));
        assert!(!wildcard_match(b"a", b""));
    }

    #[test]
    fn expands_in_order_and_skips_missing() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.yml", "a.yml", "c.txt"] {
            std::fs::write(dir.path().join(n), "").unwrap();
        }
        let got = expand(&dir.path().join("*.yml")).unwrap();
        assert_eq!(got, vec![dir.path().join("a.yml"), dir.path().join("b.yml")]);
        assert!(expand(&dir.path().join("nope/*.yml")).unwrap().is_empty());
        assert!(expand(&dir.path().join("x*/a.yml")).is_err());
    }
}
