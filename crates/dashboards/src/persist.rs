//! Files in `<data dir>/dashboards/`: one `<uid>.json` per saved dashboard, `folders.state`
//! and `next-id.state` (see docs/format/dashboards.md). Every write is atomic (temporary
//! file, fsync, rename, fsync of the directory), so a crash leaves the old file or the new
//! one, never half of one.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Version of the file format written; files with another one are skipped with an error.
pub const FORMAT: u32 = 1;

/// Name of the file holding the folders.
pub const FOLDERS_FILE: &str = "folders.state";
/// Name of the file holding the ids of provisioned dashboards.
pub const PROVISIONED_IDS_FILE: &str = "provisioned-ids.state";
/// Name of the file holding the next numeric id.
pub const NEXT_ID_FILE: &str = "next-id.state";
const TEMP_SUFFIX: &str = ".tmp";

/// A file in the dashboards directory could not be read, written or parsed.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a Vigil dashboard file: {reason}")]
    Damaged { path: PathBuf, reason: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io { path: path.to_path_buf(), source }
}

/// One saved dashboard as written to `<uid>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardFile {
    pub format: u32,
    pub id: i64,
    pub uid: String,
    pub version: i64,
    #[serde(rename = "folderUid", default)]
    pub folder_uid: String,
    /// Milliseconds since the Unix epoch.
    pub created: i64,
    /// Milliseconds since the Unix epoch.
    pub updated: i64,
    #[serde(default)]
    pub message: String,
    /// The dashboard JSON as posted, with `id`, `uid` and `version` set.
    pub dashboard: Map<String, Value>,
}

/// One folder as written to `folders.state`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FolderRecord {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub version: i64,
    pub created: i64,
    pub updated: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct FoldersFile {
    format: u32,
    folders: Vec<FolderRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ProvisionedIdsFile {
    format: u32,
    ids: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct NextIdFile {
    format: u32,
    #[serde(rename = "nextId")]
    next_id: i64,
}

/// Writes `bytes` to `path` atomically and durably.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PersistError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(TEMP_SUFFIX);
    let tmp = dir.join(tmp_name);
    {
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io(path))?;
    sync_dir(dir)
}

/// Removes `path` and makes the removal durable; a missing file is not an error.
pub fn remove_durably(path: &Path) -> Result<(), PersistError> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(path)(e)),
    }
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

fn sync_dir(dir: &Path) -> Result<(), PersistError> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// The path of a dashboard's file.
pub fn dashboard_path(dir: &Path, uid: &str) -> PathBuf {
    dir.join(format!("{uid}.json"))
}

/// Writes one dashboard's file.
pub fn write_dashboard(dir: &Path, file: &DashboardFile) -> Result<(), PersistError> {
    let path = dashboard_path(dir, &file.uid);
    let bytes = serde_json::to_vec_pretty(file)
        .map_err(|e| PersistError::Damaged { path: path.clone(), reason: e.to_string() })?;
    write_atomic(&path, &bytes)
}

/// Reads one dashboard file, checking that it is whole and names itself correctly.
pub fn read_dashboard(path: &Path) -> Result<DashboardFile, PersistError> {
    let bytes = fs::read(path).map_err(io(path))?;
    let damaged = |reason: String| PersistError::Damaged { path: path.to_path_buf(), reason };
    let file: DashboardFile = serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
    if file.format != FORMAT {
        return Err(damaged(format!("format {} (expected {FORMAT})", file.format)));
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if stem != file.uid {
        return Err(damaged(format!("holds uid {:?}, but the file name says {stem:?}", file.uid)));
    }
    if crate::uid::validate(&file.uid).is_err() || file.uid.is_empty() {
        return Err(damaged(format!("invalid uid {:?}", file.uid)));
    }
    Ok(file)
}

/// Every dashboard file in `dir`, in file-name order. Damaged files come back as errors,
/// so the caller can log each one and go on with the rest.
pub fn read_all_dashboards(dir: &Path) -> Result<Vec<Result<DashboardFile, PersistError>>, PersistError> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths.iter().map(|p| read_dashboard(p)).collect())
}

/// Removes temporary files a crash left behind.
pub fn remove_leftover_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for path in entries.flatten().map(|e| e.path()) {
        if path.to_str().is_some_and(|p| p.ends_with(TEMP_SUFFIX))
            && let Err(e) = fs::remove_file(&path)
        {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove leftover temporary file");
        }
    }
}

/// Reads `folders.state`; a missing file is an empty list.
pub fn read_folders(dir: &Path) -> Result<Vec<FolderRecord>, PersistError> {
    let path = dir.join(FOLDERS_FILE);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&path)(e)),
    };
    let file: FoldersFile = serde_json::from_slice(&bytes)
        .map_err(|e| PersistError::Damaged { path: path.clone(), reason: e.to_string() })?;
    Ok(file.folders)
}

/// Renames a damaged file to `<name>.corrupt`, so the next write does not destroy what an
/// operator may still want to recover.
pub fn move_aside(path: &Path) {
    let mut aside = path.as_os_str().to_os_string();
    aside.push(".corrupt");
    if let Err(e) = fs::rename(path, &aside) {
        tracing::warn!(path = %path.display(), error = %e, "cannot move the damaged file aside");
    }
}

/// Writes `folders.state`.
pub fn write_folders(dir: &Path, folders: &[FolderRecord]) -> Result<(), PersistError> {
    let path = dir.join(FOLDERS_FILE);
    let file = FoldersFile { format: FORMAT, folders: folders.to_vec() };
    let bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| PersistError::Damaged { path: path.clone(), reason: e.to_string() })?;
    write_atomic(&path, &bytes)
}

/// Reads `provisioned-ids.state`; a missing file is an empty map.
pub fn read_provisioned_ids(dir: &Path) -> Result<BTreeMap<String, i64>, PersistError> {
    let path = dir.join(PROVISIONED_IDS_FILE);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(io(&path)(e)),
    };
    let file: ProvisionedIdsFile = serde_json::from_slice(&bytes)
        .map_err(|e| PersistError::Damaged { path: path.clone(), reason: e.to_string() })?;
    Ok(file.ids)
}

/// Writes `provisioned-ids.state`.
pub fn write_provisioned_ids(dir: &Path, ids: &BTreeMap<String, i64>) -> Result<(), PersistError> {
    let path = dir.join(PROVISIONED_IDS_FILE);
    let bytes = serde_json::to_vec(&ProvisionedIdsFile { format: FORMAT, ids: ids.clone() })
        .map_err(|e| PersistError::Damaged { path: path.clone(), reason: e.to_string() })?;
    write_atomic(&path, &bytes)
}

/// Reads `next-id.state`; `None` when missing.
pub fn read_next_id(dir: &Path) -> Result<Option<i64>, PersistError> {
    let path = dir.join(NEXT_ID_FILE);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&path)(e)),
    };
    let file: NextIdFile = serde_json::from_slice(&bytes)
        .map_err(|e| PersistError::Damaged { path: path.clone(), reason: e.to_string() })?;
    Ok(Some(file.next_id))
}

/// Writes `next-id.state`.
pub fn write_next_id(dir: &Path, next_id: i64) -> Result<(), PersistError> {
    let path = dir.join(NEXT_ID_FILE);
    let bytes = serde_json::to_vec(&NextIdFile { format: FORMAT, next_id })
        .map_err(|e| PersistError::Damaged { path: path.clone(), reason: e.to_string() })?;
    write_atomic(&path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        write_atomic(&p, b"first version, rather long").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("x.json")]);
    }

    #[test]
    fn leftover_temp_files_are_removed_and_never_read_as_dashboards() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("abc.json.tmp"), b"{half").unwrap();
        assert!(read_all_dashboards(dir.path()).unwrap().is_empty());
        remove_leftover_temp_files(dir.path());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_file_whose_name_disagrees_with_its_uid_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let file = DashboardFile {
            format: FORMAT,
            id: 1,
            uid: "abc".into(),
            version: 1,
            folder_uid: String::new(),
            created: 0,
            updated: 0,
            message: String::new(),
            dashboard: Map::new(),
        };
        write_dashboard(dir.path(), &file).unwrap();
        fs::rename(dir.path().join("abc.json"), dir.path().join("other.json")).unwrap();
        let err = read_dashboard(&dir.path().join("other.json")).unwrap_err().to_string();
        assert!(err.contains("other.json") && err.contains("abc"), "{err}");
    }
}
