//! Target discovery: `static_configs` and `file_sd_configs` (JSON or YAML files of target
//! groups, glob in the file name, re-read when they change). Produces [`Discovered`] label sets
//! with `__address__` and, for files, `__meta_filepath`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use crate::duration::Duration;
use crate::relabel::{LabelSet, is_valid_label_name};

/// `static_configs:` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticConfig {
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// `file_sd_configs:` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSdConfig {
    pub files: Vec<String>,
    #[serde(default = "default_refresh")]
    pub refresh_interval: Duration,
}

fn default_refresh() -> Duration {
    Duration(300_000)
}

/// One discovered address with the labels of its group, before relabelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    pub labels: LabelSet,
    /// Where the group came from (`static`, a file path), for the status page.
    pub source: String,
}

/// The groups of `static_configs`.
pub fn static_targets(configs: &[StaticConfig]) -> Vec<Discovered> {
    let mut out = Vec::new();
    for (i, sc) in configs.iter().enumerate() {
        for t in &sc.targets {
            let mut labels = sc.labels.clone();
            labels.insert("__address__".into(), t.clone());
            out.push(Discovered { labels, source: format!("static/{i}") });
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGroup {
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// A file SD source: its patterns, and what each matched file held when last read.
#[derive(Debug, Default)]
pub struct FileSd {
    patterns: Vec<String>,
    seen: BTreeMap<PathBuf, (Option<SystemTime>, u64, Vec<Discovered>)>,
    /// The last problem per file, for logs and the status page.
    pub errors: BTreeMap<PathBuf, String>,
}

impl FileSd {
    pub fn new(configs: &[FileSdConfig]) -> Self {
        FileSd { patterns: configs.iter().flat_map(|c| c.files.iter().cloned()).collect(), ..Default::default() }
    }

    /// Re-reads files whose modification time or size changed; returns whether the set of
    /// discovered targets may have changed. A file that fails to parse keeps its previous
    /// targets (Prometheus does the same) and records the error.
    pub fn refresh(&mut self) -> bool {
        let mut files = Vec::new();
        for p in &self.patterns {
            files.extend(expand(p));
        }
        let mut changed = false;
        let before = self.seen.len();
        self.seen.retain(|path, _| files.contains(path));
        changed |= self.seen.len() != before;
        for path in files {
            let meta = std::fs::metadata(&path).ok();
            let stamp = (meta.as_ref().and_then(|m| m.modified().ok()), meta.as_ref().map_or(0, |m| m.len()));
            if self.seen.get(&path).is_some_and(|(m, l, _)| (*m, *l) == stamp) {
                continue;
            }
            match read_file(&path) {
                Ok(groups) => {
                    self.errors.remove(&path);
                    self.seen.insert(path, (stamp.0, stamp.1, groups));
                    changed = true;
                }
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "file_sd: cannot read target file");
                    self.errors.insert(path, e.to_string());
                }
            }
        }
        changed
    }

    pub fn targets(&self) -> Vec<Discovered> {
        self.seen.values().flat_map(|(_, _, g)| g.iter().cloned()).collect()
    }
}

/// Reads one target file. JSON when the name ends in .json, YAML otherwise.
pub fn read_file(path: &Path) -> Result<Vec<Discovered>, FileSdError> {
    let shown = || path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| FileSdError::Read { path: shown(), source })?;
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let groups: Vec<FileGroup> = if is_json {
        serde_json::from_str(&text).map_err(|e| FileSdError::Syntax { path: shown(), message: e.to_string() })?
    } else if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str(&text).map_err(|e| FileSdError::Syntax { path: shown(), message: e.to_string() })?
    };
    let mut out = Vec::new();
    for (i, g) in groups.into_iter().enumerate() {
        for name in g.labels.keys() {
            if !is_valid_label_name(name) {
                return Err(FileSdError::LabelName { path: shown(), group: i, name: name.clone() });
            }
        }
        for t in g.targets {
            let mut labels = g.labels.clone();
            labels.insert("__address__".into(), t);
            labels.insert("__meta_filepath".into(), path.display().to_string());
            out.push(Discovered { labels, source: format!("{}:{i}", path.display()) });
        }
    }
    Ok(out)
}

/// Checks a file_sd pattern the way Prometheus does: a known extension, `*` only in the file name.
pub fn validate_pattern(p: &str) -> Result<(), PatternError> {
    let lower = p.to_ascii_lowercase();
    if !(lower.ends_with(".json") || lower.ends_with(".yml") || lower.ends_with(".yaml")) {
        return Err(PatternError::Extension(p.to_string()));
    }
    let (dir, _) = p.rsplit_once('/').unwrap_or(("", p));
    if dir.contains('*') || dir.contains('?') || dir.contains('[') {
        return Err(PatternError::WildcardInDirectory(p.to_string()));
    }
    crate::glob::matches(p.rsplit('/').next().unwrap_or(p), "")
        .map(|_| ())
        .map_err(|source| PatternError::Syntax { pattern: p.to_string(), source })
}

/// A target file that could not be used; its last good targets are kept.
#[derive(Debug, thiserror::Error)]
pub enum FileSdError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}: group {group}: {name:?} is not a valid label name")]
    LabelName { path: String, group: usize, name: String },
}

/// A `file_sd_configs` pattern Prometheus would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("file_sd_configs: path name {0:?} is not valid for file discovery (use .json, .yml or .yaml)")]
    Extension(String),
    #[error("file_sd_configs: path {0:?} may have wildcards only in its file name")]
    WildcardInDirectory(String),
    #[error("file_sd_configs: path {pattern:?}: {source}")]
    Syntax { pattern: String, source: crate::glob::BadPattern },
}

/// Expands the pattern like Prometheus's `filepath.Glob` (wildcards only in the file name,
/// checked by [`validate_pattern`]).
fn expand(pattern: &str) -> Vec<PathBuf> {
    promconfig::glob::glob(pattern).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sd_reads_json_and_yaml_and_notices_changes() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("a.json");
        std::fs::write(&json, r#"[{"targets":["h1:1","h2:1"],"labels":{"env":"prod"}}]"#).unwrap();
        std::fs::write(dir.path().join("b.yml"), "- targets: ['h3:1']\n").unwrap();
        std::fs::write(dir.path().join("ignored.txt"), "x").unwrap();
        let cfg = FileSdConfig {
            files: vec![format!("{}/*.json", dir.path().display()), format!("{}/b.yml", dir.path().display())],
            refresh_interval: Duration(1000),
        };
        let mut sd = FileSd::new(&[cfg]);
        assert!(sd.refresh());
        let t = sd.targets();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].labels["env"], "prod");
        assert_eq!(t[0].labels["__meta_filepath"], json.display().to_string());
        assert!(!sd.refresh(), "nothing changed");
        std::fs::write(&json, r#"[{"targets":["h1:1"]}, {"targets":[]}]"#).unwrap();
        assert!(sd.refresh());
        assert_eq!(sd.targets().len(), 2);
        std::fs::write(&json, "[{").unwrap();
        sd.refresh();
        assert_eq!(sd.targets().len(), 2, "a broken file keeps its last good targets");
        assert!(sd.errors.values().next().unwrap().contains("a.json"));
    }

    #[test]
    fn patterns_are_validated() {
        assert!(validate_pattern("/etc/targets/*.json").is_ok());
        assert!(validate_pattern("/etc/*/x.json").is_err());
        assert!(validate_pattern("/etc/x.txt").is_err());
        assert!(validate_pattern("/etc/[.json").unwrap_err().to_string().contains("syntax error in pattern"));
    }
}
