//! Crash-safe snapshot files: the whole state is written to a temporary file, fsynced, renamed
//! over the old snapshot and the directory fsynced, so after `kill -9` or a power cut a reader
//! finds either the previous snapshot or the new one, never a torn file.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A state file that could not be written or read; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot encode {what}: {source}")]
    Encode { what: String, source: serde_json::Error },
    #[error("cannot open {}: {source}", path.display())]
    Open { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    /// A journal could not be emptied after the snapshot that covers it was written.
    #[error("cannot empty {}: {source}", path.display())]
    Truncate { path: PathBuf, source: std::io::Error },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// The file is damaged; `aside` says where it was moved (or why it could not be).
    #[error("cannot decode {}: {source}{aside}", path.display())]
    Decode { path: PathBuf, source: serde_json::Error, aside: Aside },
}

/// Where a damaged file went, as the tail of [`PersistError::Decode`]'s message.
#[derive(Debug)]
pub enum Aside {
    Moved(PathBuf),
    Failed(std::io::Error),
}

impl std::fmt::Display for Aside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Aside::Moved(p) => write!(f, "; moved to {}", p.display()),
            Aside::Failed(e) => write!(f, " (and moving it aside failed: {e})"),
        }
    }
}

/// Atomically replaces `dir/name` with `bytes`.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{name}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, dir.join(name))?;
    File::open(dir)?.sync_all()
}

/// Serializes and writes a snapshot; the error names the file.
pub fn save<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), PersistError> {
    let bytes = serde_json::to_vec(value).map_err(|source| PersistError::Encode { what: name.to_string(), source })?;
    write_atomic(dir, name, &bytes).map_err(|source| PersistError::Write { path: dir.join(name), source })
}

/// Reads a snapshot: `Ok(None)` when there is none yet. A file that cannot be decoded is moved
/// aside to `name.corrupt` (kept for inspection) and reported, so start-up continues empty
/// rather than failing or overwriting the evidence.
pub fn load<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>, PersistError> {
    let path = dir.join(name);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(PersistError::Read { path, source }),
    };
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(Some(v)),
        Err(source) => {
            let target = dir.join(format!("{name}.corrupt"));
            let aside = match fs::rename(&path, &target) {
                Ok(()) => Aside::Moved(target),
                Err(e) => Aside::Failed(e),
            };
            Err(PersistError::Decode { path, source, aside })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_missing_and_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load::<Vec<u32>>(dir.path(), "x.json"), Ok(None)));
        save(dir.path(), "x.json", &vec![1u32, 2, 3]).unwrap();
        assert_eq!(load::<Vec<u32>>(dir.path(), "x.json").unwrap(), Some(vec![1, 2, 3]));
        assert!(!dir.path().join("x.json.tmp").exists());
        fs::write(dir.path().join("x.json"), b"[1, 2").unwrap();
        let e = load::<Vec<u32>>(dir.path(), "x.json").unwrap_err();
        assert!(matches!(&e, PersistError::Decode { aside: Aside::Moved(_), .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.contains("cannot decode") && text.contains("moved to"), "{text}");
        assert!(dir.path().join("x.json.corrupt").exists());
        assert!(matches!(load::<Vec<u32>>(dir.path(), "x.json"), Ok(None)));
    }
}
