//! Closed head chunks on disk (`<storage.path>/chunks_head/`), so the head's memory holds only
//! open chunks and chunk references.
//!
//! Closed chunks are immutable; keeping up to three hours of them in RAM is what makes a
//! Prometheus-style head cost kilobytes per series. Here they are appended to files and read
//! back with `pread` (the page cache, not the process, holds them). The WAL stays the only
//! source of truth: these files are deleted at start-up and rebuilt by WAL replay, so they need
//! no checksums or crash handling of their own.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::error::{Error, Result};

/// Rotate files at this size (offsets are u32).
const FILE_SIZE: u64 = 128 << 20;

/// Where a closed chunk lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLoc {
    pub file: u32,
    pub offset: u32,
    pub len: u32,
}

struct FileInfo {
    file: Arc<File>,
    max_t: i64,
}

struct Writer {
    index: u32,
    file: Arc<File>,
    size: u64,
}

/// The chunk files of one head.
pub struct ChunkDisk {
    dir: PathBuf,
    files: RwLock<BTreeMap<u32, FileInfo>>,
    writer: Mutex<Writer>,
}

fn open_file(dir: &Path, index: u32) -> Result<Arc<File>> {
    let path = dir.join(format!("{index:06}"));
    let f = OpenOptions::new().create(true).truncate(true).read(true).write(true).open(&path).map_err(Error::io("create head chunk file", &path))?;
    Ok(Arc::new(f))
}

impl ChunkDisk {
    /// Starts empty: whatever a previous run left is deleted (WAL replay rebuilds it).
    pub fn open(dir: &Path) -> Result<ChunkDisk> {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).map_err(Error::io("create head chunk directory", dir))?;
        let file = open_file(dir, 1)?;
        let mut files = BTreeMap::new();
        files.insert(1, FileInfo { file: file.clone(), max_t: i64::MIN });
        Ok(ChunkDisk { dir: dir.to_path_buf(), files: RwLock::new(files), writer: Mutex::new(Writer { index: 1, file, size: 0 }) })
    }

    /// Appends chunks `(bytes, max_t)` with one write; returns their locations in order.
    pub fn write(&self, chunks: &[(&[u8], i64)]) -> Result<Vec<ChunkLoc>> {
        let total: u64 = chunks.iter().map(|(b, _)| b.len() as u64).sum();
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if w.size > 0 && w.size + total > FILE_SIZE {
            let index = w.index + 1;
            let file = open_file(&self.dir, index)?;
            self.files.write().unwrap_or_else(|p| p.into_inner()).insert(index, FileInfo { file: file.clone(), max_t: i64::MIN });
            *w = Writer { index, file, size: 0 };
        }
        let mut buf = Vec::with_capacity(total as usize);
        let mut locs = Vec::with_capacity(chunks.len());
        let mut max_t = i64::MIN;
        for (bytes, t) in chunks {
            locs.push(ChunkLoc { file: w.index, offset: (w.size + buf.len() as u64) as u32, len: bytes.len() as u32 });
            buf.extend_from_slice(bytes);
            max_t = max_t.max(*t);
        }
        let path = self.dir.join(format!("{:06}", w.index));
        w.file.write_all_at(&buf, w.size).map_err(Error::io("write head chunk file", &path))?;
        w.size += buf.len() as u64;
        if let Some(info) = self.files.write().unwrap_or_else(|p| p.into_inner()).get_mut(&w.index) {
            info.max_t = info.max_t.max(max_t);
        }
        Ok(locs)
    }

    /// The open file holding `loc`, to read outside any lock.
    pub fn handle(&self, loc: ChunkLoc) -> Option<Arc<File>> {
        self.files.read().unwrap_or_else(|p| p.into_inner()).get(&loc.file).map(|f| f.file.clone())
    }

    /// Reads a chunk through a handle from [`ChunkDisk::handle`].
    pub fn read(file: &File, loc: ChunkLoc) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0u8; loc.len as usize];
        file.read_exact_at(&mut buf, u64::from(loc.offset))?;
        Ok(buf)
    }

    /// Deletes files whose chunks all end before `cut` (never the file being written).
    pub fn truncate(&self, cut: i64) {
        let current = self.writer.lock().unwrap_or_else(|p| p.into_inner()).index;
        let mut files = self.files.write().unwrap_or_else(|p| p.into_inner());
        let doomed: Vec<u32> = files.iter().filter(|(i, f)| **i != current && f.max_t < cut).map(|(i, _)| *i).collect();
        for i in doomed {
            files.remove(&i);
            let _ = fs::remove_file(self.dir.join(format!("{i:06}")));
        }
    }

    pub fn disk_size(&self) -> u64 {
        crate::wal::dir_size(&self.dir)
    }
}
