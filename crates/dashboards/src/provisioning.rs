//! Grafana's file provisioning: provider files (`*.yaml`/`*.yml`, as in Grafana's
//! `provisioning/dashboards` directory) name directories whose `*.json` dashboards are loaded
//! read-only. A bad provider file is an error for the caller (start-up fails, a reload is
//! refused); a bad dashboard file is logged with its path and skipped.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::model::Provisioning;
use crate::store::{FolderTarget, ProvisionedDashboard};

/// A provider file, or the directory holding them, cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("dashboard provisioning: {file}: {reason}")]
pub struct ProvisioningError {
    pub file: PathBuf,
    pub reason: String,
}

fn error(file: &Path, reason: impl Into<String>) -> ProvisioningError {
    ProvisioningError { file: file.to_path_buf(), reason: reason.into() }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProviderFile {
    #[serde(default)]
    api_version: Option<i64>,
    #[serde(default)]
    providers: Vec<ProviderConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProviderConfig {
    name: String,
    #[serde(default = "default_org")]
    org_id: i64,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    folder_uid: String,
    #[serde(default = "default_type", rename = "type")]
    kind: String,
    #[serde(default)]
    allow_ui_updates: bool,
    /// Accepted for compatibility; Vigil re-reads the files on reload instead of polling.
    #[serde(default)]
    #[allow(dead_code)]
    update_interval_seconds: Option<i64>,
    /// Accepted for compatibility; provisioned dashboards can never be deleted via the API.
    #[serde(default)]
    #[allow(dead_code)]
    disable_deletion: bool,
    options: ProviderOptions,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProviderOptions {
    path: String,
    #[serde(default)]
    folders_from_files_structure: bool,
}

fn default_org() -> i64 {
    1
}

fn default_type() -> String {
    "file".into()
}

/// One checked provider: where its dashboards are and how to place them.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub name: String,
    pub folder: String,
    pub folder_uid: String,
    pub allow_ui_updates: bool,
    pub path: PathBuf,
    pub folders_from_files_structure: bool,
}

/// Reads every provider file in `dir` (sorted by name). Any unreadable or invalid provider
/// file fails the whole read, naming the file and what is wrong.
pub fn read_providers(dir: &Path) -> Result<Vec<Provider>, ProvisioningError> {
    let entries = std::fs::read_dir(dir).map_err(|e| error(dir, format!("cannot read the directory: {e}")))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut providers: Vec<Provider> = Vec::new();
    for file in files {
        for p in parse_provider_file(&file)? {
            if providers.iter().any(|q| q.name == p.name) {
                return Err(error(&file, format!("provider name {:?} is used twice", p.name)));
            }
            providers.push(p);
        }
    }
    Ok(providers)
}

/// Parses one provider file; a relative `options.path` is taken relative to the file.
pub fn parse_provider_file(file: &Path) -> Result<Vec<Provider>, ProvisioningError> {
    let text = std::fs::read_to_string(file).map_err(|e| error(file, format!("cannot read: {e}")))?;
    parse_providers(&text, file)
}

fn parse_providers(text: &str, file: &Path) -> Result<Vec<Provider>, ProvisioningError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parsed: ProviderFile = serde_saphyr::from_str(text).map_err(|e| error(file, format!("invalid YAML: {e}")))?;
    if let Some(v) = parsed.api_version.filter(|v| *v != 1) {
        return Err(error(file, format!("apiVersion {v} is not supported (expected 1)")));
    }
    let base = file.parent().unwrap_or(Path::new("."));
    parsed
        .providers
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            // As in Grafana, `$VAR` and `${VAR}` in these values come from the environment.
            for value in [&mut p.name, &mut p.folder, &mut p.folder_uid, &mut p.options.path] {
                *value = expand_env(value, |name| std::env::var(name).ok());
            }
            let at = |reason: String| error(file, format!("providers[{i}] ({:?}): {reason}", p.name));
            if p.name.trim().is_empty() {
                return Err(error(file, format!("providers[{i}]: name is empty")));
            }
            if p.kind != "file" {
                return Err(at(format!("type {:?} is not supported (only \"file\")", p.kind)));
            }
            if p.org_id != 1 {
                return Err(at(format!("orgId {} is not supported (Vigil has one organisation, 1)", p.org_id)));
            }
            if p.options.path.is_empty() {
                return Err(at("options.path is empty".into()));
            }
            if !p.folder_uid.is_empty() {
                crate::uid::validate(&p.folder_uid).map_err(|e| at(format!("folderUid: {e}")))?;
            }
            let path = base.join(&p.options.path);
            if !path.is_dir() {
                return Err(at(format!("options.path {} is not a directory", path.display())));
            }
            Ok(Provider {
                name: p.name,
                folder: p.folder,
                folder_uid: p.folder_uid,
                allow_ui_updates: p.allow_ui_updates,
                path,
                folders_from_files_structure: p.options.folders_from_files_structure,
            })
        })
        .collect()
}

/// Replaces `$NAME` and `${NAME}` by `lookup(NAME)` (empty when unset); `$$` is a `$`.
fn expand_env(value: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(braced) = after.strip_prefix('{')
            && let Some(end) = braced.find('}')
        {
            out.push_str(&lookup(&braced[..end]).unwrap_or_default());
            rest = &braced[end + 1..];
        } else {
            let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            if len == 0 {
                out.push('$');
            } else {
                out.push_str(&lookup(&after[..len]).unwrap_or_default());
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

/// Every dashboard of every provider. Unreadable or invalid JSON files are logged and skipped.
pub fn load_dashboards(providers: &[Provider]) -> Vec<ProvisionedDashboard> {
    let mut out = Vec::new();
    for p in providers {
        let mut files = Vec::new();
        collect_json_files(&p.path, &mut files);
        files.sort();
        for file in files {
            match read_dashboard_file(&file) {
                Ok(json) => out.push(place(p, &file, json)),
                Err(reason) => {
                    tracing::error!(file = %file.display(), provider = %p.name, error = %reason, "skipping provisioned dashboard file")
                }
            }
        }
    }
    out
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(dir = %dir.display(), error = %e, "cannot read provisioning directory");
            return;
        }
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            collect_json_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

/// A provisioning file holds a bare dashboard or a save body `{"dashboard": {...}}`.
pub fn read_dashboard_file(file: &Path) -> Result<Map<String, Value>, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read: {e}"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut obj) = value else {
        return Err("not a JSON object".into());
    };
    let json = match obj.remove("dashboard") {
        Some(Value::Object(d)) => d,
        Some(_) => return Err("\"dashboard\" is not an object".into()),
        None => obj,
    };
    match json.get("title").and_then(Value::as_str).map(str::trim) {
        Some(t) if !t.is_empty() => Ok(json),
        _ => Err("the dashboard has no title".into()),
    }
}

fn place(p: &Provider, file: &Path, json: Map<String, Value>) -> ProvisionedDashboard {
    let relative = file.strip_prefix(&p.path).unwrap_or(file);
    let subdir = relative.parent().and_then(|d| d.to_str()).filter(|d| !d.is_empty());
    let folder = match subdir.filter(|_| p.folders_from_files_structure) {
        Some(dir) => FolderTarget::Named { uid: None, title: dir.to_string() },
        None if !p.folder.is_empty() || !p.folder_uid.is_empty() => FolderTarget::Named {
            uid: Some(p.folder_uid.clone()).filter(|u| !u.is_empty()),
            title: if p.folder.is_empty() { p.folder_uid.clone() } else { p.folder.clone() },
        },
        None => FolderTarget::General,
    };
    ProvisionedDashboard {
        json,
        folder,
        provisioning: Provisioning {
            provider: p.name.clone(),
            allow_ui_updates: p.allow_ui_updates,
            external_id: relative.display().to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn parses_grafana_provider_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dash")).unwrap();
        write(
            dir.path(),
            "p.yaml",
            "apiVersion: 1\nproviders:\n  - name: team\n    orgId: 1\n    folder: Team\n    folderUid: team-f\n    type: file\n    disableDeletion: true\n    updateIntervalSeconds: 10\n    allowUiUpdates: true\n    options:\n      path: dash\n      foldersFromFilesStructure: true\n",
        );
        let ps = read_providers(dir.path()).unwrap();
        assert_eq!(
            ps,
            vec![Provider {
                name: "team".into(),
                folder: "Team".into(),
                folder_uid: "team-f".into(),
                allow_ui_updates: true,
                path: dir.path().join("dash"),
                folders_from_files_structure: true,
            }]
        );
    }

    #[test]
    fn environment_variables_expand_like_grafana() {
        let env = |name: &str| match name {
            "DIR" => Some("/srv/dash".to_string()),
            "TEAM" => Some("ops".to_string()),
            _ => None,
        };
        assert_eq!(expand_env("$DIR/a", env), "/srv/dash/a");
        assert_eq!(expand_env("${TEAM}-folder", env), "ops-folder");
        assert_eq!(expand_env("x$UNSET.y", env), "x.y");
        assert_eq!(expand_env("cost $$5 and $", env), "cost $5 and $");
        assert_eq!(expand_env("no vars", env), "no vars");
        assert_eq!(expand_env("${unterminated", env), "${unterminated");
    }

    #[test]
    fn bad_provider_files_name_the_file_and_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), "bad.yml", "providers: [ {name: x");
        let e = read_providers(dir.path()).unwrap_err().to_string();
        assert!(e.contains(&f.display().to_string()) && e.contains("invalid YAML"), "{e}");

        std::fs::remove_file(&f).unwrap();
        write(
            dir.path(),
            "missing.yaml",
            "apiVersion: 1\nproviders:\n  - name: x\n    options:\n      path: /nonexistent/dir\n",
        );
        let e = read_providers(dir.path()).unwrap_err().to_string();
        assert!(e.contains("missing.yaml") && e.contains("/nonexistent/dir") && e.contains("not a directory"), "{e}");

        write(
            dir.path(),
            "missing.yaml",
            "apiVersion: 1\nproviders:\n  - name: x\n    type: sql\n    options:\n      path: .\n",
        );
        let e = read_providers(dir.path()).unwrap_err().to_string();
        assert!(e.contains("type \"sql\""), "{e}");

        write(dir.path(), "missing.yaml", "apiVersion: 1\nproviders:\n  - name: x\n");
        let e = read_providers(dir.path()).unwrap_err().to_string();
        assert!(e.contains("missing.yaml") && e.contains("options"), "{e}");

        write(dir.path(), "missing.yaml", "apiVersion: 2\nproviders: []\n");
        let e = read_providers(dir.path()).unwrap_err().to_string();
        assert!(e.contains("apiVersion 2"), "{e}");
    }

    #[test]
    fn loads_bare_and_wrapped_dashboards_recursively_and_skips_bad_json() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("d");
        write(&root, "a.json", r#"{"title": "Bare", "panels": []}"#);
        write(&root, "sub/b.json", r#"{"dashboard": {"title": "Wrapped", "uid": "w1"}}"#);
        write(&root, "broken.json", "{not json");
        write(&root, "untitled.json", r#"{"panels": []}"#);
        write(&root, "notes.txt", "ignored");
        let provider = |from_structure| Provider {
            name: "p".into(),
            folder: "Top".into(),
            folder_uid: String::new(),
            allow_ui_updates: false,
            path: root.clone(),
            folders_from_files_structure: from_structure,
        };
        let loaded = load_dashboards(&[provider(false)]);
        let titles: Vec<_> = loaded.iter().map(|d| d.json["title"].as_str().unwrap().to_string()).collect();
        assert_eq!(titles, vec!["Bare", "Wrapped"]);
        assert_eq!(loaded[1].provisioning.external_id, format!("sub{}b.json", std::path::MAIN_SEPARATOR));
        assert!(loaded.iter().all(|d| d.folder == FolderTarget::Named { uid: None, title: "Top".into() }));

        let loaded = load_dashboards(&[provider(true)]);
        assert_eq!(loaded[1].folder, FolderTarget::Named { uid: None, title: "sub".into() });
        assert_eq!(loaded[0].folder, FolderTarget::Named { uid: None, title: "Top".into() });
    }

    #[test]
    fn dashboard_file_errors_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let bad = write(dir.path(), "x.json", "[1]");
        assert_eq!(read_dashboard_file(&bad).unwrap_err(), "not a JSON object");
        let bad = write(dir.path(), "y.json", r#"{"dashboard": 3}"#);
        assert!(read_dashboard_file(&bad).unwrap_err().contains("not an object"));
        let bad = write(dir.path(), "z.json", "{");
        assert!(read_dashboard_file(&bad).unwrap_err().starts_with("invalid JSON"));
    }
}
