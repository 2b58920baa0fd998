//! Go's `filepath.Glob`, which Prometheus and Alertmanager use for every file pattern in
//! their configs (`rule_files`, `file_sd_configs`, `templates`): `*`, `?` and `[...]` classes
//! in any path element, results sorted per directory, no error for a pattern that matches
//! nothing.

/// A pattern Go's `filepath.Match` rejects (`ErrBadPattern`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

use std::path::{Path, PathBuf};

/// The files matching `pattern`, in Go's order.
pub fn glob(pattern: &str) -> Result<Vec<PathBuf>, BadPattern> {
    // Validate the whole pattern up front, as Go's `Match` reports `ErrBadPattern`.
    for part in pattern.split('/') {
        matches(part, "")?;
    }
    if !has_meta(pattern) {
        let p = PathBuf::from(pattern);
        return Ok(if std::fs::symlink_metadata(&p).is_ok() { vec![p] } else { Vec::new() });
    }
    let path = Path::new(pattern);
    let (dir, file) = match (path.parent(), path.file_name().and_then(|f| f.to_str())) {
        (Some(d), Some(f)) => (d, f),
        _ => return Ok(Vec::new()),
    };
    let dir_str = dir.to_str().unwrap_or("");
    let dirs = if dir_str.is_empty() {
        vec![PathBuf::from(".")]
    } else if has_meta(dir_str) {
        glob(dir_str)?
    } else {
        vec![dir.to_path_buf()]
    };
    let mut out = Vec::new();
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
        names.sort();
        for name in names {
            if matches(file, &name)? {
                out.push(if dir_str.is_empty() { PathBuf::from(&name) } else { d.join(&name) });
            }
        }
    }
    Ok(out)
}

fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

/// Go's `filepath.Match` for one path element.
pub fn matches(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, BadPattern> {
    let Some((&first, rest)) = p.split_first() else {
        return Ok(n.is_empty());
    };
    match first {
        '*' => {
            // Every split is tried; the first (`*` matching nothing) also checks the rest's
            // syntax. `*` never matches a separator.
            for i in 0..=n.len() {
                if i > 0 && n[i - 1] == '/' {
                    break;
                }
                if match_from(rest, &n[i..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '?' => match n.split_first() {
            Some((&c, n_rest)) if c != '/' => match_from(rest, n_rest),
            _ => check_syntax(rest).map(|()| false),
        },
        '[' => {
            let (class_len, matched) = match_class(rest, n.first().copied())?;
            match (matched, n.split_first()) {
                (true, Some((_, n_rest))) => match_from(&rest[class_len..], n_rest),
                _ => check_syntax(&rest[class_len..]).map(|()| false),
            }
        }
        '\\' => {
            let Some((&escaped, rest)) = rest.split_first() else {
                return Err(BadPattern);
            };
            match n.split_first() {
                Some((&c, n_rest)) if c == escaped => match_from(rest, n_rest),
                _ => check_syntax(rest).map(|()| false),
            }
        }
        c => match n.split_first() {
            Some((&d, n_rest)) if d == c => match_from(rest, n_rest),
            _ => check_syntax(rest).map(|()| false),
        },
    }
}

fn check_syntax(p: &[char]) -> Result<(), BadPattern> {
    match_from(p, &[]).map(|_| ())
}

/// Matches `c` against the class starting after `[`; returns the class length including `]`.
fn match_class(p: &[char], c: Option<char>) -> Result<(usize, bool), BadPattern> {
    let bad = || BadPattern;
    let mut i = 0;
    let negated = p.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&ch) = p.get(i) else { return Err(bad()) };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, next) = class_char(p, i).ok_or_else(bad)?;
        i = next;
        let mut hi = lo;
        if p.get(i) == Some(&'-') {
            let (h, next) = class_char(p, i + 1).ok_or_else(bad)?;
            hi = h;
            i = next;
        }
        if let Some(c) = c
            && lo <= c
            && c <= hi
        {
            matched = true;
        }
    }
    Ok((i, c.is_some() && matched != negated))
}

fn class_char(p: &[char], i: usize) -> Option<(char, usize)> {
    match p.get(i)? {
        '\\' => Some((*p.get(i + 1)?, i + 2)),
        '-' | ']' => None,
        c => Some((*c, i + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_like_go() {
        assert!(matches("*.tmpl", "slack.tmpl").unwrap());
        assert!(!matches("*.tmpl", "slack.tmpl.bak").unwrap());
        assert!(matches("a?c", "abc").unwrap());
        assert!(matches("[a-c]x", "bx").unwrap());
        assert!(!matches("[^a-c]x", "bx").unwrap());
        assert!(matches(r"\*", "*").unwrap());
        assert!(matches("[", "x").is_err());
        assert!(matches("*[", "x").is_err());
    }

    #[test]
    fn globs_files_sorted() {
        let dir = std::env::temp_dir().join(format!("promconfig-glob-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dir = Dir(dir);
        for f in ["b.tmpl", "a.tmpl", "c.txt"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let pattern = format!("{}/*.tmpl", dir.path().display());
        let found = glob(&pattern).unwrap();
        let names: Vec<_> = found.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["a.tmpl", "b.tmpl"]);
        assert!(glob(&format!("{}/none/*.tmpl", dir.path().display())).unwrap().is_empty());
        let exact = format!("{}/c.txt", dir.path().display());
        assert_eq!(glob(&exact).unwrap().len(), 1);
    }

    /// A directory removed when the test ends.
    struct Dir(std::path::PathBuf);

    impl Dir {
        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
