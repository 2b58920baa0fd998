//! Running many scripts and comparing their failures with a known-failures list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ScriptError, run_script};

/// One case that failed: `file.test:LINE`, the query and why.
#[derive(Debug, Clone)]
pub struct Failure {
    pub id: String,
    pub query: String,
    pub reason: String,
    pub needs_histograms: bool,
    /// Listed in the known-failures file.
    pub known: bool,
}

/// Per file: passed and failed counts, or why the script could not be read.
pub type FileResult = Result<(usize, usize), ScriptError>;

/// The outcome of a suite run.
#[derive(Debug, Default)]
pub struct Summary {
    pub passed: usize,
    pub failures: Vec<Failure>,
    /// Cases listed as known failures that pass now.
    pub new_passes: Vec<String>,
    /// Per file: name, passed, failed (or the reason the script could not be read).
    pub files: Vec<(String, FileResult)>,
}

impl Summary {
    pub fn failed(&self) -> usize {
        self.failures.len()
    }

    pub fn unexpected(&self) -> impl Iterator<Item = &Failure> {
        self.failures.iter().filter(|f| !f.known)
    }

    /// No unlisted failure and no listed case that passes.
    pub fn matches_known(&self) -> bool {
        self.unexpected().next().is_none() && self.new_passes.is_empty()
    }
}

/// Parses a known-failures list: `file.test:LINE reason` per line, `#` comments.
pub fn parse_known(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((k, r)) => (k.to_string(), r.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// The `*.test` files among `paths` (directories are listed, sorted).
pub fn script_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "test"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn file_key(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Runs every script and classifies failures against `known`.
pub fn run_suite(files: &[PathBuf], known: &BTreeMap<String, String>) -> std::io::Result<Summary> {
    let mut summary = Summary::default();
    for file in files {
        let text = std::fs::read_to_string(file)?;
        let key = file_key(file);
        match run_script(&text) {
            Ok(outcomes) => {
                let (mut p, mut f) = (0, 0);
                for o in outcomes {
                    let id = format!("{key}:{}", o.line);
                    match o.result {
                        Ok(()) => {
                            p += 1;
                            if known.contains_key(&id) {
                                summary.new_passes.push(id);
                            }
                        }
                        Err(reason) => {
                            f += 1;
                            let known = known.contains_key(&id);
                            summary.failures.push(Failure {
                                id,
                                query: o.query,
                                reason: reason.to_string(),
                                needs_histograms: o.needs_histograms,
                                known,
                            });
                        }
                    }
                }
                summary.passed += p;
                summary.files.push((key, Ok((p, f))));
            }
            Err(e) => {
                // A script we cannot read counts as one failure of the whole file.
                let id = format!("{key}:0");
                let known = known.contains_key(&id);
                summary.failures.push(Failure {
                    id,
                    query: String::new(),
                    reason: format!("script not understood: {e}"),
                    needs_histograms: false,
                    known,
                });
                summary.files.push((key, Err(e)));
            }
        }
    }
    Ok(summary)
}
