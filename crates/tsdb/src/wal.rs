//! The write-ahead log: every accepted write is framed, checksummed and appended here before the
//! writer is told it succeeded.
//!
//! Layout (see `docs/format/wal.md`): a directory of numbered segment files (`00000001`, …) and
//! at most one `checkpoint.NNNNNNNN/` directory holding the records of truncated segments that
//! are still needed. Each segment starts with an 8-byte header (`VWAL`, version, 3 reserved
//! bytes) followed by frames: `u32 length (LE) | u32 CRC32 (LE) of type+payload | type | payload`.
//!
//! Durability: with [`FsyncPolicy::Always`] a write returns only after `fdatasync`; with
//! [`FsyncPolicy::Interval`] each write reaches the OS before it returns (so a process crash
//! loses nothing) and a background task syncs every interval (so a machine crash loses at most
//! that interval).

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::record::Record;

const MAGIC: &[u8; 4] = b"VWAL";
const VERSION: u8 = 1;
const HEADER_LEN: u64 = 8;
const FRAME_HEADER_LEN: u64 = 8;
/// No single record may exceed this; a larger length field means corruption.
pub const MAX_RECORD_BYTES: u32 = 256 << 20;
const CHECKPOINT_PREFIX: &str = "checkpoint.";

/// When the WAL calls `fdatasync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// Before acknowledging every write: no acknowledged write is ever lost.
    Always,
    /// Every interval in the background: a machine crash loses at most this much.
    Interval(Duration),
}

/// WAL tuning.
#[derive(Debug, Clone)]
pub struct WalOptions {
    pub segment_size: u64,
    pub fsync: FsyncPolicy,
}

impl Default for WalOptions {
    fn default() -> Self {
        WalOptions { segment_size: 128 << 20, fsync: FsyncPolicy::Interval(Duration::from_secs(1)) }
    }
}

struct Writer {
    file: File,
    index: u32,
    size: u64,
    unsynced: bool,
    buf: Vec<u8>,
}

/// An open WAL, ready for appends. Open it only after [`replay`] has repaired the directory.
pub struct Wal {
    dir: PathBuf,
    opts: WalOptions,
    writer: Mutex<Writer>,
}

fn segment_name(i: u32) -> String {
    format!("{i:08}")
}

/// Lists `(index, path)` of the segment files in `dir`, sorted.
pub fn list_segments(dir: &Path) -> Result<Vec<(u32, PathBuf)>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io("list", dir)(e)),
    };
    for entry in rd {
        let entry = entry.map_err(Error::io("list", dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.len() == 8
            && name.bytes().all(|b| b.is_ascii_digit())
            && let Ok(i) = name.parse::<u32>()
        {
            out.push((i, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// The newest complete checkpoint: `(index, dir)`.
fn latest_checkpoint(dir: &Path) -> Result<Option<(u32, PathBuf)>> {
    let mut best = None;
    let Ok(rd) = fs::read_dir(dir) else { return Ok(None) };
    for entry in rd {
        let entry = entry.map_err(Error::io("list", dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(idx) = name.strip_prefix(CHECKPOINT_PREFIX)
            && let Ok(i) = idx.parse::<u32>()
            && best.as_ref().is_none_or(|(b, _)| i > *b)
        {
            best = Some((i, entry.path()));
        }
    }
    Ok(best)
}

fn create_segment(dir: &Path, index: u32) -> Result<File> {
    let path = dir.join(segment_name(index));
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)
        .map_err(Error::io("create WAL segment", &path))?;
    let mut header = [0u8; HEADER_LEN as usize];
    header[..4].copy_from_slice(MAGIC);
    header[4] = VERSION;
    f.write_all(&header).map_err(Error::io("write WAL segment header", &path))?;
    Ok(f)
}

/// Encodes one frame (header + type + payload) onto `out`.
pub fn encode_frame(type_byte: u8, payload: &[u8], out: &mut Vec<u8>) {
    let mut h = crc32fast::Hasher::new();
    h.update(&[type_byte]);
    h.update(payload);
    out.extend_from_slice(&((payload.len() + 1) as u32).to_le_bytes());
    out.extend_from_slice(&h.finalize().to_le_bytes());
    out.push(type_byte);
    out.extend_from_slice(payload);
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(Error::io("sync directory", dir))
}

impl Wal {
    /// Opens the WAL for writing, starting a fresh segment after the newest existing one.
    pub fn open(dir: &Path, opts: WalOptions) -> Result<Wal> {
        fs::create_dir_all(dir).map_err(Error::io("create WAL directory", dir))?;
        let last = list_segments(dir)?.last().map(|(i, _)| *i);
        let ckpt = latest_checkpoint(dir)?.map(|(i, _)| i);
        let index = last.max(ckpt).map_or(1, |i| i + 1);
        let file = create_segment(dir, index)?;
        sync_dir(dir)?;
        Ok(Wal {
            dir: dir.to_path_buf(),
            opts,
            writer: Mutex::new(Writer { file, index, size: HEADER_LEN, unsynced: false, buf: Vec::new() }),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn fsync_policy(&self) -> FsyncPolicy {
        self.opts.fsync
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Writer> {
        // A poisoned lock only means another writer panicked mid-append; the file itself is
        // consistent up to the last complete frame (replay checks CRCs), so keep going.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends already-encoded records `(type, payload)` as one write, then syncs if the policy
    /// says so. Returns once the data is as durable as the policy promises.
    pub fn log(&self, records: &[(u8, &[u8])]) -> Result<()> {
        let mut w = self.lock();
        let mut buf = std::mem::take(&mut w.buf);
        buf.clear();
        for (t, payload) in records {
            encode_frame(*t, payload, &mut buf);
        }
        if w.size > HEADER_LEN && w.size + buf.len() as u64 > self.opts.segment_size {
            self.rotate_locked(&mut w)?;
        }
        let path = self.dir.join(segment_name(w.index));
        let res = w.file.write_all(&buf).map_err(Error::io("append to WAL segment", &path));
        w.size += buf.len() as u64;
        w.buf = buf;
        res?;
        match self.opts.fsync {
            FsyncPolicy::Always => w.file.sync_data().map_err(Error::io("fsync WAL segment", &path))?,
            FsyncPolicy::Interval(_) => w.unsynced = true,
        }
        Ok(())
    }

    /// Encodes and logs whole records (convenience for tests and tools).
    pub fn log_records(&self, records: &[Record]) -> Result<()> {
        let encoded: Vec<(u8, Vec<u8>)> = records
            .iter()
            .map(|r| {
                let mut b = Vec::new();
                r.encode(&mut b);
                (r.type_byte(), b)
            })
            .collect();
        let refs: Vec<(u8, &[u8])> = encoded.iter().map(|(t, b)| (*t, b.as_slice())).collect();
        self.log(&refs)
    }

    /// Flushes written data to disk if anything is pending (the interval policy's tick).
    pub fn sync(&self) -> Result<()> {
        let mut w = self.lock();
        if w.unsynced {
            let path = self.dir.join(segment_name(w.index));
            w.file.sync_data().map_err(Error::io("fsync WAL segment", &path))?;
            w.unsynced = false;
        }
        Ok(())
    }

    fn rotate_locked(&self, w: &mut Writer) -> Result<u32> {
        let old = w.index;
        let path = self.dir.join(segment_name(old));
        w.file.sync_data().map_err(Error::io("fsync WAL segment", &path))?;
        w.file = create_segment(&self.dir, old + 1)?;
        sync_dir(&self.dir)?;
        w.index = old + 1;
        w.size = HEADER_LEN;
        w.unsynced = false;
        Ok(old)
    }

    /// Closes the current segment and starts a new one; returns the closed segment's index.
    pub fn rotate(&self) -> Result<u32> {
        let mut w = self.lock();
        self.rotate_locked(&mut w)
    }

    /// Replaces segments up to and including `upto` (and any older checkpoint) by a checkpoint
    /// holding only the records `keep` returns. `upto` must be a closed segment (see
    /// [`Wal::rotate`]). Streams record by record, so memory stays flat.
    pub fn checkpoint(&self, upto: u32, mut keep: impl FnMut(Record) -> Option<Record>) -> Result<CheckpointStats> {
        let tmp = self.dir.join(format!("{CHECKPOINT_PREFIX}{upto:08}.tmp"));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).map_err(Error::io("create checkpoint", &tmp))?;
        let mut out = create_segment(&tmp, 0)?;
        let mut stats = CheckpointStats::default();
        let mut buf = Vec::new();
        let mut payload = Vec::new();
        let sources = sources_upto(&self.dir, Some(upto))?;
        for path in &sources {
            read_segment(path, |rec| {
                stats.records_in += 1;
                if let Some(kept) = keep(rec) {
                    stats.records_out += 1;
                    payload.clear();
                    kept.encode(&mut payload);
                    encode_frame(kept.type_byte(), &payload, &mut buf);
                    if buf.len() > 1 << 20 {
                        out.write_all(&buf).map_err(Error::io("write checkpoint", &tmp))?;
                        buf.clear();
                    }
                }
                Ok(())
            })
            .map_err(|e| match e {
                SegmentError::Stop(e) => e,
                SegmentError::Corrupt { offset, detail } => Error::Corrupt {
                    what: "WAL segment",
                    path: path.clone(),
                    detail: format!("{detail} at byte {offset} (while checkpointing)"),
                },
            })?;
        }
        out.write_all(&buf).map_err(Error::io("write checkpoint", &tmp))?;
        out.sync_all().map_err(Error::io("fsync checkpoint", &tmp))?;
        let dst = self.dir.join(format!("{CHECKPOINT_PREFIX}{upto:08}"));
        fs::rename(&tmp, &dst).map_err(Error::io("rename checkpoint", &dst))?;
        sync_dir(&self.dir)?;
        // Only now that the checkpoint is durable may its sources go.
        for (i, path) in list_segments(&self.dir)? {
            if i <= upto {
                fs::remove_file(&path).map_err(Error::io("remove WAL segment", &path))?;
                stats.segments_removed += 1;
            }
        }
        if let Ok(rd) = fs::read_dir(&self.dir) {
            for entry in rd.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if let Some(i) = name.strip_prefix(CHECKPOINT_PREFIX).and_then(|s| s.parse::<u32>().ok())
                    && i < upto
                {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        Ok(stats)
    }

    /// Total bytes of segments and checkpoints, for size-based retention and `/metrics`.
    pub fn disk_size(&self) -> u64 {
        dir_size(&self.dir)
    }
}

/// What a checkpoint did.
#[derive(Debug, Default, Clone)]
pub struct CheckpointStats {
    pub records_in: u64,
    pub records_out: u64,
    pub segments_removed: u64,
}

pub(crate) fn dir_size(dir: &Path) -> u64 {
    let Ok(rd) = fs::read_dir(dir) else { return 0 };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The files replay reads, in order: the newest checkpoint's segments, then newer segments.
fn sources_upto(dir: &Path, upto: Option<u32>) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let ckpt = latest_checkpoint(dir)?;
    let after = ckpt.as_ref().map(|(i, _)| *i);
    if let Some((_, cdir)) = ckpt {
        out.extend(list_segments(&cdir)?.into_iter().map(|(_, p)| p));
    }
    for (i, p) in list_segments(dir)? {
        if after.is_some_and(|a| i <= a) || upto.is_some_and(|u| i > u) {
            continue;
        }
        out.push(p);
    }
    Ok(out)
}

enum SegmentError {
    Stop(Error),
    Corrupt { offset: u64, detail: String },
}

/// Reads one segment frame by frame. Stops at the first damaged frame and reports its offset.
fn read_segment(path: &Path, on_record: impl FnMut(Record) -> Result<()>) -> Result<u64, SegmentError> {
    let file = File::open(path).map_err(|e| SegmentError::Stop(Error::io("open WAL segment", path)(e)))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    read_frames(BufReader::with_capacity(1 << 20, file), len, on_record)
}

/// Decodes a whole segment held in memory: the records up to the first damaged frame, and the
/// damage (offset, reason) if any. Used by the fuzz target and tools.
pub fn decode_segment_bytes(data: &[u8]) -> (Vec<Record>, Option<(u64, String)>) {
    let mut out = Vec::new();
    let res = read_frames(data, data.len() as u64, |r| {
        out.push(r);
        Ok(())
    });
    match res {
        Ok(_) => (out, None),
        Err(SegmentError::Corrupt { offset, detail }) => (out, Some((offset, detail))),
        Err(SegmentError::Stop(e)) => (out, Some((0, e.to_string()))),
    }
}

fn read_frames(
    mut r: impl Read,
    len: u64,
    mut on_record: impl FnMut(Record) -> Result<()>,
) -> Result<u64, SegmentError> {
    let corrupt = |offset, detail: String| SegmentError::Corrupt { offset, detail };
    let mut header = [0u8; HEADER_LEN as usize];
    if len < HEADER_LEN || r.read_exact(&mut header).is_err() {
        return Err(corrupt(0, "segment shorter than its header".into()));
    }
    if &header[..4] != MAGIC {
        return Err(corrupt(0, "bad magic (not a Vigil WAL segment)".into()));
    }
    if header[4] != VERSION {
        return Err(corrupt(4, format!("unsupported WAL version {}", header[4])));
    }
    let mut offset = HEADER_LEN;
    let mut payload = Vec::new();
    while offset < len {
        let mut fh = [0u8; FRAME_HEADER_LEN as usize];
        if len - offset < FRAME_HEADER_LEN || r.read_exact(&mut fh).is_err() {
            return Err(corrupt(offset, "torn frame header".into()));
        }
        let flen = u32::from_le_bytes([fh[0], fh[1], fh[2], fh[3]]);
        let crc = u32::from_le_bytes([fh[4], fh[5], fh[6], fh[7]]);
        if flen == 0 || flen > MAX_RECORD_BYTES {
            return Err(corrupt(offset, format!("invalid frame length {flen}")));
        }
        if u64::from(flen) > len - offset - FRAME_HEADER_LEN {
            return Err(corrupt(offset, "torn frame (file ends inside it)".into()));
        }
        payload.resize(flen as usize, 0);
        if r.read_exact(&mut payload).is_err() {
            return Err(corrupt(offset, "torn frame".into()));
        }
        if crc32fast::hash(&payload) != crc {
            return Err(corrupt(offset, "checksum mismatch".into()));
        }
        let rec = Record::decode(payload[0], &payload[1..])
            .map_err(|e| corrupt(offset, format!("undecodable record: {e}")))?;
        on_record(rec).map_err(SegmentError::Stop)?;
        offset += FRAME_HEADER_LEN + u64::from(flen);
    }
    Ok(offset)
}

/// Encodes records as a complete segment file (header + frames), for tests and fuzz corpora.
pub fn encode_segment_bytes(records: &[Record]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[VERSION, 0, 0, 0]);
    let mut payload = Vec::new();
    for r in records {
        payload.clear();
        r.encode(&mut payload);
        encode_frame(r.type_byte(), &payload, &mut out);
    }
    out
}

/// Replay progress, reported after each file.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub files_done: usize,
    pub files_total: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

impl Progress {
    pub fn percent(&self) -> f64 {
        if self.bytes_total == 0 { 100.0 } else { self.bytes_done as f64 * 100.0 / self.bytes_total as f64 }
    }
}

/// What replay found.
#[derive(Debug, Default, Clone)]
pub struct ReplayStats {
    pub files: usize,
    pub records: u64,
    pub bytes: u64,
    /// Where the log was cut because of a torn or corrupt frame: file, byte offset, why.
    pub damage: Option<(PathBuf, u64, String)>,
    /// Later segments deleted because they followed a damaged one.
    pub segments_dropped: usize,
}

/// Reads the whole WAL in order, calling `on_record` for each record. With `repair`, a damaged
/// frame truncates its segment at the last good frame and removes every later segment (their
/// records could depend on the lost ones); without it (read-only tools) reading simply stops
/// there. Never panics on disk content.
pub fn replay(
    dir: &Path,
    repair: bool,
    mut on_record: impl FnMut(Record) -> Result<()>,
    mut on_progress: impl FnMut(Progress),
) -> Result<ReplayStats> {
    let mut stats = ReplayStats::default();
    if repair && let Ok(rd) = fs::read_dir(dir) {
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(CHECKPOINT_PREFIX) && name.ends_with(".tmp") {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let sources = sources_upto(dir, None)?;
    let sizes: Vec<u64> = sources.iter().map(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0)).collect();
    let mut progress =
        Progress { files_done: 0, files_total: sources.len(), bytes_done: 0, bytes_total: sizes.iter().sum() };
    for (i, path) in sources.iter().enumerate() {
        let res = read_segment(path, |rec| {
            stats.records += 1;
            on_record(rec)
        });
        stats.files += 1;
        match res {
            Ok(n) => stats.bytes += n,
            Err(SegmentError::Stop(e)) => return Err(e),
            Err(SegmentError::Corrupt { offset, detail }) => {
                stats.bytes += offset;
                tracing::warn!(segment = %path.display(), offset, %detail, repair, "WAL damaged: replay stops at the last good record");
                if repair {
                    truncate_at(path, offset)?;
                    for later in &sources[i + 1..] {
                        fs::remove_file(later).map_err(Error::io("remove WAL segment", later))?;
                        stats.segments_dropped += 1;
                    }
                    if stats.segments_dropped > 0 {
                        tracing::warn!(dropped = stats.segments_dropped, "removed WAL segments after the damaged one");
                    }
                }
                stats.damage = Some((path.clone(), offset, detail));
                progress.files_done = sources.len();
                progress.bytes_done = progress.bytes_total;
                on_progress(progress);
                return Ok(stats);
            }
        }
        progress.files_done = i + 1;
        progress.bytes_done += sizes[i];
        on_progress(progress);
    }
    Ok(stats)
}

fn truncate_at(path: &Path, offset: u64) -> Result<()> {
    let f = OpenOptions::new().write(true).open(path).map_err(Error::io("open WAL segment", path))?;
    if offset < HEADER_LEN {
        // Not even the header survived: drop the file, a new segment will be started.
        drop(f);
        return fs::remove_file(path).map_err(Error::io("remove WAL segment", path));
    }
    f.set_len(offset).map_err(Error::io("truncate WAL segment", path))?;
    let mut f = f;
    f.seek(SeekFrom::End(0)).map_err(Error::io("seek WAL segment", path))?;
    f.sync_all().map_err(Error::io("fsync WAL segment", path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Labels;
    use crate::record::RefSample;
    use proptest::prelude::*;

    fn samples_record(n: u64, t0: i64) -> Record {
        Record::Samples((0..n).map(|i| RefSample { series: i, t: t0 + i as i64, v: i as f64 * 0.5 }).collect())
    }

    fn replay_all(dir: &Path, repair: bool) -> (Vec<Record>, ReplayStats) {
        let mut recs = Vec::new();
        let stats = replay(
            dir,
            repair,
            |r| {
                recs.push(r);
                Ok(())
            },
            |_| {},
        )
        .unwrap();
        (recs, stats)
    }

    #[test]
    fn writes_and_replays_across_rotation() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = WalOptions { segment_size: 256, fsync: FsyncPolicy::Always };
        let wal = Wal::open(tmp.path(), opts).unwrap();
        let labels = Labels::from_pairs(&[("__name__", "a")]).unwrap();
        let mut expect = vec![Record::Series(vec![(1, labels)])];
        for i in 0..20 {
            expect.push(samples_record(5, i * 10));
        }
        wal.log_records(&expect).unwrap();
        for i in 0..20 {
            let r = samples_record(3, 1000 + i);
            wal.log_records(std::slice::from_ref(&r)).unwrap();
            expect.push(r);
        }
        assert!(list_segments(tmp.path()).unwrap().len() > 2);
        let (got, stats) = replay_all(tmp.path(), true);
        assert!(stats.damage.is_none());
        assert_eq!(got, expect);
    }

    #[test]
    fn checkpoint_keeps_filtered_records() {
        let tmp = tempfile::tempdir().unwrap();
        let wal = Wal::open(tmp.path(), WalOptions::default()).unwrap();
        wal.log_records(&[samples_record(4, 0), samples_record(4, 100)]).unwrap();
        let upto = wal.rotate().unwrap();
        wal.log_records(&[samples_record(2, 500)]).unwrap();
        let stats = wal
            .checkpoint(upto, |r| match r {
                Record::Samples(s) => {
                    let kept: Vec<_> = s.into_iter().filter(|s| s.t >= 100).collect();
                    (!kept.is_empty()).then_some(Record::Samples(kept))
                }
                other => Some(other),
            })
            .unwrap();
        assert_eq!(stats.records_out, 1);
        let (got, _) = replay_all(tmp.path(), true);
        assert_eq!(got, vec![samples_record(4, 100), samples_record(2, 500)]);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
        /// Writes random records, tears the last one at every byte offset, and checks that
        /// replay returns exactly the intact prefix, repairs the file, and that appends after
        /// the repair replay too.
        #[test]
        fn torn_tail_is_truncated_at_every_offset(sizes in proptest::collection::vec(1u64..6, 1..6)) {
            let tmp = tempfile::tempdir().unwrap();
            let wal = Wal::open(tmp.path(), WalOptions { segment_size: 1 << 20, fsync: FsyncPolicy::Always }).unwrap();
            let recs: Vec<Record> = sizes.iter().enumerate().map(|(i, n)| samples_record(*n, i as i64 * 100)).collect();
            let mut ends = Vec::new();
            for r in &recs {
                wal.log_records(std::slice::from_ref(r)).unwrap();
                ends.push(fs::metadata(tmp.path().join(segment_name(1))).unwrap().len());
            }
            drop(wal);
            let full = fs::read(tmp.path().join(segment_name(1))).unwrap();
            let last_start = if ends.len() > 1 { ends[ends.len() - 2] } else { HEADER_LEN };
            for cut in last_start..full.len() as u64 {
                let dir = tempfile::tempdir().unwrap();
                fs::write(dir.path().join(segment_name(1)), &full[..cut as usize]).unwrap();
                let (got, stats) = replay_all(dir.path(), true);
                prop_assert_eq!(&got[..], &recs[..recs.len() - 1]);
                prop_assert_eq!(stats.damage.is_some(), cut != last_start);
                prop_assert_eq!(fs::metadata(dir.path().join(segment_name(1))).unwrap().len(), last_start);
                // The repaired WAL accepts and replays new writes.
                let wal = Wal::open(dir.path(), WalOptions::default()).unwrap();
                wal.log_records(&[samples_record(1, 9999)]).unwrap();
                drop(wal);
                let (got, stats) = replay_all(dir.path(), true);
                prop_assert!(stats.damage.is_none());
                prop_assert_eq!(got.len(), recs.len());
            }
        }

        /// A flipped byte anywhere in a segment never panics replay and never yields a record
        /// that was not written.
        #[test]
        fn corruption_never_panics(pos in 0usize..2000, byte in any::<u8>()) {
            let tmp = tempfile::tempdir().unwrap();
            let wal = Wal::open(tmp.path(), WalOptions::default()).unwrap();
            let recs: Vec<Record> = (0..10).map(|i| samples_record(3, i * 10)).collect();
            wal.log_records(&recs).unwrap();
            drop(wal);
            let path = tmp.path().join(segment_name(1));
            let mut data = fs::read(&path).unwrap();
            let pos = pos % data.len();
            data[pos] ^= byte | 1;
            fs::write(&path, &data).unwrap();
            let (got, _) = replay_all(tmp.path(), false);
            prop_assert!(got.len() <= recs.len());
            prop_assert_eq!(&got[..], &recs[..got.len()]);
        }
    }
}
