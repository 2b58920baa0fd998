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
/// Each record: previous chunk of the series (file u32, offset u32, len u32; file 0 = none),
/// min_t i64, max_t i64, all little-endian, then the chunk bytes.
pub const RECORD_HEADER: usize = 28;

/// Where a closed chunk lives: the record's offset and the chunk's length (without header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLoc {
    pub file: u32,
    pub offset: u32,
    pub len: u32,
}

/// One chunk read back: its time range, bytes, and the series' previous chunk.
pub struct ChunkRecord {
    pub prev: Option<ChunkLoc>,
    pub min_t: i64,
    pub max_t: i64,
    pub data: Vec<u8>,
}

/// One series' newly closed chunks to append to its chain, oldest first.
pub struct ChainWrite<'a> {
    pub prev: Option<ChunkLoc>,
    pub chunks: Vec<(&'a [u8], i64, i64)>,
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
    let f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(Error::io("create head chunk file", &path))?;
    Ok(Arc::new(f))
}

fn put_loc(buf: &mut Vec<u8>, loc: Option<ChunkLoc>) {
    let l = loc.unwrap_or(ChunkLoc { file: 0, offset: 0, len: 0 });
    buf.extend_from_slice(&l.file.to_le_bytes());
    buf.extend_from_slice(&l.offset.to_le_bytes());
    buf.extend_from_slice(&l.len.to_le_bytes());
}

impl ChunkDisk {
    /// Starts empty: whatever a previous run left is deleted (WAL replay rebuilds it).
    pub fn open(dir: &Path) -> Result<ChunkDisk> {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).map_err(Error::io("create head chunk directory", dir))?;
        let file = open_file(dir, 1)?;
        let mut files = BTreeMap::new();
        files.insert(1, FileInfo { file: file.clone(), max_t: i64::MIN });
        Ok(ChunkDisk {
            dir: dir.to_path_buf(),
            files: RwLock::new(files),
            writer: Mutex::new(Writer { index: 1, file, size: 0 }),
        })
    }

    /// Appends every series' chunks with one write; returns, per series, the new chain head.
    pub fn write(&self, writes: &[ChainWrite<'_>]) -> Result<Vec<Option<ChunkLoc>>> {
        let total: u64 = writes.iter().flat_map(|w| &w.chunks).map(|(b, _, _)| (b.len() + RECORD_HEADER) as u64).sum();
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if w.size > 0 && w.size + total > FILE_SIZE {
            let index = w.index + 1;
            let file = open_file(&self.dir, index)?;
            self.files
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(index, FileInfo { file: file.clone(), max_t: i64::MIN });
            *w = Writer { index, file, size: 0 };
        }
        let mut buf = Vec::with_capacity(total as usize);
        let mut heads = Vec::with_capacity(writes.len());
        let mut file_max_t = i64::MIN;
        for cw in writes {
            let mut prev = cw.prev;
            for (bytes, min_t, max_t) in &cw.chunks {
                let loc =
                    ChunkLoc { file: w.index, offset: (w.size + buf.len() as u64) as u32, len: bytes.len() as u32 };
                put_loc(&mut buf, prev);
                buf.extend_from_slice(&min_t.to_le_bytes());
                buf.extend_from_slice(&max_t.to_le_bytes());
                buf.extend_from_slice(bytes);
                file_max_t = file_max_t.max(*max_t);
                prev = Some(loc);
            }
            heads.push(prev);
        }
        let path = self.dir.join(format!("{:06}", w.index));
        w.file.write_all_at(&buf, w.size).map_err(Error::io("write head chunk file", &path))?;
        w.size += buf.len() as u64;
        if let Some(info) = self.files.write().unwrap_or_else(|p| p.into_inner()).get_mut(&w.index) {
            info.max_t = info.max_t.max(file_max_t);
        }
        Ok(heads)
    }

    /// Reads one record; `None` if its file is gone (truncated) or unreadable.
    pub fn read(&self, loc: ChunkLoc) -> Option<ChunkRecord> {
        let file = self.files.read().unwrap_or_else(|p| p.into_inner()).get(&loc.file).map(|f| f.file.clone())?;
        let mut buf = vec![0u8; RECORD_HEADER + loc.len as usize];
        file.read_exact_at(&mut buf, u64::from(loc.offset)).ok()?;
        let u32_at = |i: usize| u32::from_le_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]);
        let i64_at = |i: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&buf[i..i + 8]);
            i64::from_le_bytes(a)
        };
        let prev = ChunkLoc { file: u32_at(0), offset: u32_at(4), len: u32_at(8) };
        let (min_t, max_t) = (i64_at(12), i64_at(20));
        buf.drain(..RECORD_HEADER);
        Some(ChunkRecord { prev: (prev.file != 0).then_some(prev), min_t, max_t, data: buf })
    }

    /// Walks a series' chain from `head` backwards, newest first, while chunks end at or after
    /// `mint`, calling `f` for each chunk overlapping `[mint, maxt]`.
    pub fn walk(&self, head: Option<ChunkLoc>, mint: i64, maxt: i64, mut f: impl FnMut(ChunkRecord)) {
        let mut next = head;
        while let Some(loc) = next {
            let Some(rec) = self.read(loc) else { return };
            if rec.max_t < mint {
                return;
            }
            next = rec.prev;
            if rec.min_t <= maxt {
                f(rec);
            }
        }
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
