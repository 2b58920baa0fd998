//! Crash-safe snapshot files: the whole state is written to a temporary file, fsynced, renamed
//! over the old snapshot and the directory fsynced, so after `kill -9` or a power cut a reader
//! finds either the previous snapshot or the new one, never a torn file.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

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
pub fn save<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), String> {
    let bytes = serde_json::to_vec(value).map_err(|e| format!("cannot encode {name}: {e}"))?;
    write_atomic(dir, name, &bytes).map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))
}

/// Reads a snapshot: `Ok(None)` when there is none yet. A file that cannot be decoded is moved
/// aside to `name.corrupt` (kept for inspection) and reported, so start-up continues empty
/// rather than failing or overwriting the evidence.
pub fn load<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>, String> {
    let path = dir.join(name);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            let aside = dir.join(format!("{name}.corrupt"));
            let moved = fs::rename(&path, &aside).map_or_else(
                |r| format!(" (and moving it aside failed: {r})"),
                |_| format!("; moved to {}", aside.display()),
            );
            Err(format!("cannot decode {}: {e}{moved}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_missing_and_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load::<Vec<u32>>(dir.path(), "x.json"), Ok(None));
        save(dir.path(), "x.json", &vec![1u32, 2, 3]).unwrap();
        assert_eq!(load::<Vec<u32>>(dir.path(), "x.json"), Ok(Some(vec![1, 2, 3])));
        assert!(!dir.path().join("x.json.tmp").exists());
        fs::write(dir.path().join("x.json"), b"[1, 2").unwrap();
        let e = load::<Vec<u32>>(dir.path(), "x.json").unwrap_err();
        assert!(e.contains("cannot decode") && e.contains("moved to"), "{e}");
        assert!(dir.path().join("x.json.corrupt").exists());
        assert_eq!(load::<Vec<u32>>(dir.path(), "x.json"), Ok(None));
    }
}
