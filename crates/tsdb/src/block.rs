//! Immutable on-disk blocks: all samples of a time range `[min_time, max_time)`.
//!
//! A block is a directory (see `docs/format/block.md`):
//! - `meta.json`: format name and version, time range, stats, compaction level and sources;
//! - `chunks`: `VCHK` header, then zstd frames; each frame holds the compact-encoded chunks of
//!   consecutive series (sorted by labels), so one frame is decompressed per group of series;
//! - `index`: `VIDX` header, then a zstd-compressed body with the symbol table, the frame table
//!   (offset, length, CRC32) and every series' labels (as symbol ids) and chunk references.
//!
//! Everything read from disk is checked (lengths, CRCs, symbol ids) and returns
//! [`Error::Corrupt`] rather than panicking; the database quarantines such blocks.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::chunk;
use crate::error::{Error, Result};
use crate::labels::{Label, Labels};
use crate::matcher::Matcher;
use crate::postings::{self, MemPostings};
use crate::record::{Reader, put_str, put_uvarint, put_varint};

pub const FORMAT_NAME: &str = "vigil-block";
pub const FORMAT_VERSION: u32 = 1;
const CHUNKS_MAGIC: &[u8; 4] = b"VCHK";
const INDEX_MAGIC: &[u8; 4] = b"VIDX";
const FILE_HEADER_LEN: u64 = 8;
/// Uncompressed bytes per zstd frame: big enough to compress well, small enough that reading
/// one series decompresses little.
const FRAME_TARGET_BYTES: usize = 256 << 10;
/// Longest run of samples in one chunk, so that a long block never forces decoding a huge
/// chunk to read a short range.
const MAX_SAMPLES_PER_CHUNK: usize = 4096;
const ZSTD_LEVEL: i32 = 3;
/// Decompression bounds: damaged or forged files must not be able to exhaust memory.
const MAX_FRAME_BYTES: u64 = 64 << 20;
const MAX_INDEX_BYTES: u64 = 4 << 30;

fn decompress_limited(data: &[u8], limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(data)?.take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(std::io::Error::other(format!("decompresses to more than {limit} bytes")));
    }
    Ok(out)
}

/// The contents of `meta.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BlockMeta {
    pub format: String,
    pub version: u32,
    pub name: String,
    /// Inclusive lower bound, milliseconds.
    pub min_time: i64,
    /// Exclusive upper bound, milliseconds.
    pub max_time: i64,
    pub stats: BlockStats,
    pub compaction: Compaction,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BlockStats {
    pub series: u64,
    pub samples: u64,
    pub chunks: u64,
    pub frames: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Compaction {
    pub level: u32,
    /// Names of the level-1 blocks whose data this block holds (itself when level 1).
    pub sources: Vec<String>,
    /// Names of the blocks merged to make this one; they are deleted once this one is durable,
    /// and deleted at start-up if a crash left them behind.
    #[serde(default)]
    pub parents: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct FrameMeta {
    offset: u64,
    len: u32,
    crc: u32,
}

/// Where one chunk of one series lives.
#[derive(Debug, Clone, Copy)]
pub struct ChunkMeta {
    pub min_t: i64,
    pub max_t: i64,
    frame: u32,
    offset: u32,
    len: u32,
    encoding: u8,
}

/// A unique, time-sortable block name: `b<min time>-<creation nanos>`.
pub fn new_block_name(min_time: i64) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("b{min_time:020}-{nanos:x}")
}

/// Writes one block. Series must be added in label order.
pub struct BlockWriter {
    final_dir: PathBuf,
    tmp_dir: PathBuf,
    chunks: BufWriter<File>,
    chunks_len: u64,
    frame_buf: Vec<u8>,
    frames: Vec<FrameMeta>,
    symbols: HashMap<Arc<str>, u32>,
    series: Vec<(Labels, Vec<ChunkMeta>)>,
    meta: BlockMeta,
    last_labels: Option<Labels>,
}

impl BlockWriter {
    /// Starts a block named `name` under `parent` (written to `.tmp-<name>` and renamed on
    /// [`BlockWriter::finish`], so a crash never leaves a half-written block in place).
    pub fn new(parent: &Path, name: &str, min_time: i64, max_time: i64, compaction: Compaction) -> Result<Self> {
        let tmp_dir = parent.join(format!(".tmp-{name}"));
        let _ = fs::remove_dir_all(&tmp_dir);
        fs::create_dir_all(&tmp_dir).map_err(Error::io("create block directory", &tmp_dir))?;
        let path = tmp_dir.join("chunks");
        let file = File::create(&path).map_err(Error::io("create", &path))?;
        let mut chunks = BufWriter::with_capacity(1 << 20, file);
        chunks.write_all(&file_header(CHUNKS_MAGIC)).map_err(Error::io("write", &path))?;
        Ok(BlockWriter {
            final_dir: parent.join(name),
            tmp_dir,
            chunks,
            chunks_len: FILE_HEADER_LEN,
            frame_buf: Vec::with_capacity(FRAME_TARGET_BYTES * 2),
            frames: Vec::new(),
            symbols: HashMap::new(),
            series: Vec::new(),
            meta: BlockMeta {
                format: FORMAT_NAME.into(),
                version: FORMAT_VERSION,
                name: name.into(),
                min_time,
                max_time,
                stats: BlockStats::default(),
                compaction,
            },
            last_labels: None,
        })
    }

    /// Adds a series with its samples (sorted by time, all within the block's range). Series
    /// without samples are skipped.
    pub fn add_series(&mut self, labels: &Labels, samples: &[(i64, f64)]) -> Result<()> {
        if samples.is_empty() {
            return Ok(());
        }
        if self.last_labels.as_ref().is_some_and(|l| l >= labels) {
            return Err(Error::Corrupt {
                what: "block being written",
                path: self.tmp_dir.clone(),
                detail: format!("BUG: series added out of order: {labels}"),
            });
        }
        self.last_labels = Some(labels.clone());
        let mut metas = Vec::new();
        for part in samples.chunks(MAX_SAMPLES_PER_CHUNK) {
            let encoded = chunk::encode_compact(part);
            let (Some(first), Some(last)) = (part.first(), part.last()) else { continue };
            metas.push(ChunkMeta {
                min_t: first.0,
                max_t: last.0,
                frame: self.frames.len() as u32,
                offset: self.frame_buf.len() as u32,
                len: encoded.len() as u32,
                encoding: chunk::ENCODING_COMPACT,
            });
            self.frame_buf.extend_from_slice(&encoded);
            self.meta.stats.chunks += 1;
        }
        self.meta.stats.samples += samples.len() as u64;
        self.meta.stats.series += 1;
        for l in labels.iter() {
            let n = self.symbols.len() as u32;
            self.symbols.entry(l.name.clone()).or_insert(n);
            let n = self.symbols.len() as u32;
            self.symbols.entry(l.value.clone()).or_insert(n);
        }
        self.series.push((labels.clone(), metas));
        if self.frame_buf.len() >= FRAME_TARGET_BYTES {
            self.flush_frame()?;
        }
        Ok(())
    }

    fn flush_frame(&mut self) -> Result<()> {
        if self.frame_buf.is_empty() {
            return Ok(());
        }
        let path = self.tmp_dir.join("chunks");
        let compressed = zstd::bulk::compress(&self.frame_buf, ZSTD_LEVEL).map_err(Error::io("compress", &path))?;
        self.chunks.write_all(&compressed).map_err(Error::io("write", &path))?;
        self.frames.push(FrameMeta {
            offset: self.chunks_len,
            len: compressed.len() as u32,
            crc: crc32fast::hash(&compressed),
        });
        self.chunks_len += compressed.len() as u64;
        self.frame_buf.clear();
        Ok(())
    }

    pub fn num_series(&self) -> u64 {
        self.meta.stats.series
    }

    /// Writes the index and meta, syncs, and moves the block into place. Returns `None` when
    /// no series had samples (no block is created).
    pub fn finish(mut self) -> Result<Option<BlockMeta>> {
        if self.series.is_empty() {
            drop(self.chunks);
            let _ = fs::remove_dir_all(&self.tmp_dir);
            return Ok(None);
        }
        self.flush_frame()?;
        let chunks_path = self.tmp_dir.join("chunks");
        let file = self.chunks.into_inner().map_err(|e| Error::io("flush", &chunks_path)(e.into_error()))?;
        file.sync_all().map_err(Error::io("fsync", &chunks_path))?;
        self.meta.stats.frames = self.frames.len() as u64;

        let index_path = self.tmp_dir.join("index");
        let body = encode_index(&self.symbols, &self.frames, &self.series);
        let compressed = zstd::bulk::compress(&body, ZSTD_LEVEL).map_err(Error::io("compress", &index_path))?;
        let mut index = file_header(INDEX_MAGIC).to_vec();
        index.extend_from_slice(&(compressed.len() as u64).to_le_bytes());
        index.extend_from_slice(&crc32fast::hash(&compressed).to_le_bytes());
        index.extend_from_slice(&compressed);
        write_synced(&index_path, &index)?;

        self.meta.stats.bytes = self.chunks_len + index.len() as u64;
        let meta_path = self.tmp_dir.join("meta.json");
        let json = serde_json::to_vec_pretty(&self.meta).map_err(|e| Error::Corrupt {
            what: "block meta",
            path: meta_path.clone(),
            detail: e.to_string(),
        })?;
        write_synced(&meta_path, &json)?;
        crate::wal::sync_dir(&self.tmp_dir)?;
        fs::rename(&self.tmp_dir, &self.final_dir).map_err(Error::io("rename block into place", &self.final_dir))?;
        if let Some(parent) = self.final_dir.parent() {
            crate::wal::sync_dir(parent)?;
        }
        Ok(Some(self.meta))
    }
}

fn write_synced(path: &Path, data: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(Error::io("create", path))?;
    f.write_all(data).map_err(Error::io("write", path))?;
    f.sync_all().map_err(Error::io("fsync", path))
}

fn file_header(magic: &[u8; 4]) -> [u8; FILE_HEADER_LEN as usize] {
    let mut h = [0u8; FILE_HEADER_LEN as usize];
    h[..4].copy_from_slice(magic);
    h[4] = FORMAT_VERSION as u8;
    h
}

fn encode_index(
    symbols: &HashMap<Arc<str>, u32>,
    frames: &[FrameMeta],
    series: &[(Labels, Vec<ChunkMeta>)],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut by_id: Vec<&str> = vec![""; symbols.len()];
    for (s, id) in symbols {
        by_id[*id as usize] = s;
    }
    put_uvarint(&mut out, by_id.len() as u64);
    for s in by_id {
        put_str(&mut out, s);
    }
    put_uvarint(&mut out, frames.len() as u64);
    for f in frames {
        put_uvarint(&mut out, f.offset);
        put_uvarint(&mut out, u64::from(f.len));
        out.extend_from_slice(&f.crc.to_le_bytes());
    }
    put_uvarint(&mut out, series.len() as u64);
    for (labels, chunks) in series {
        put_uvarint(&mut out, labels.len() as u64);
        for l in labels.iter() {
            put_uvarint(&mut out, u64::from(symbols.get(&l.name).copied().unwrap_or(0)));
            put_uvarint(&mut out, u64::from(symbols.get(&l.value).copied().unwrap_or(0)));
        }
        put_uvarint(&mut out, chunks.len() as u64);
        for c in chunks {
            put_varint(&mut out, c.min_t);
            put_uvarint(&mut out, c.max_t.wrapping_sub(c.min_t) as u64);
            put_uvarint(&mut out, u64::from(c.frame));
            put_uvarint(&mut out, u64::from(c.offset));
            put_uvarint(&mut out, u64::from(c.len));
            out.push(c.encoding);
        }
    }
    out
}

/// A series' labels with its samples, as read from a block.
pub type SeriesSamples = (Labels, Vec<(i64, f64)>);

/// The most recently decompressed frame of a block.
#[derive(Default)]
pub struct FrameCache {
    frame: Option<u32>,
    data: Vec<u8>,
}

/// An open, read-only block with its index in memory.
pub struct Block {
    pub dir: PathBuf,
    pub meta: BlockMeta,
    series: Vec<(Labels, Vec<ChunkMeta>)>,
    postings: MemPostings,
    frames: Vec<FrameMeta>,
    chunks: File,
}

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Block").field("dir", &self.dir).field("meta", &self.meta).finish()
    }
}

impl Block {
    /// Opens a block and checks every checksum; any damage is an [`Error::Corrupt`].
    pub fn open(dir: &Path) -> Result<Block> {
        let corrupt = |what: &'static str, detail: String| Error::Corrupt { what, path: dir.to_path_buf(), detail };
        let meta_path = dir.join("meta.json");
        let meta_bytes = fs::read(&meta_path).map_err(Error::io("read", &meta_path))?;
        let meta: BlockMeta =
            serde_json::from_slice(&meta_bytes).map_err(|e| corrupt("block meta.json", e.to_string()))?;
        if meta.format != FORMAT_NAME || meta.version != FORMAT_VERSION {
            return Err(corrupt(
                "block meta.json",
                format!("unsupported format {} version {}", meta.format, meta.version),
            ));
        }
        let index_path = dir.join("index");
        let index = fs::read(&index_path).map_err(Error::io("read", &index_path))?;
        let body = decode_index_file(&index).map_err(|d| corrupt("block index", d.to_string()))?;
        let (symbols, frames, series) = decode_index(&body).map_err(|d| corrupt("block index", d.to_string()))?;
        let chunks_path = dir.join("chunks");
        let chunks = File::open(&chunks_path).map_err(Error::io("open", &chunks_path))?;
        let clen = chunks.metadata().map_err(Error::io("stat", &chunks_path))?.len();
        let mut header = [0u8; FILE_HEADER_LEN as usize];
        chunks
            .read_exact_at(&mut header, 0)
            .map_err(|e| corrupt("block chunks", format!("cannot read header: {e}")))?;
        if &header[..4] != CHUNKS_MAGIC || u32::from(header[4]) != FORMAT_VERSION {
            return Err(corrupt("block chunks", "bad magic or version".into()));
        }
        let mut buf = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            if f.offset + u64::from(f.len) > clen {
                return Err(corrupt("block chunks", format!("frame {i} extends past the end of the file")));
            }
            buf.resize(f.len as usize, 0);
            chunks.read_exact_at(&mut buf, f.offset).map_err(Error::io("read", &chunks_path))?;
            if crc32fast::hash(&buf) != f.crc {
                return Err(corrupt("block chunks", format!("checksum mismatch in frame {i}")));
            }
        }
        let mut postings = MemPostings::default();
        let mut prev: Option<&Labels> = None;
        for (i, (labels, chunks)) in series.iter().enumerate() {
            if prev.is_some_and(|p| p >= labels) {
                return Err(corrupt("block index", format!("series {i} out of order")));
            }
            prev = Some(labels);
            if chunks.iter().any(|c| c.frame as usize >= frames.len()) {
                return Err(corrupt("block index", format!("series {i} refers to a missing frame")));
            }
            postings.add(i as u32, labels);
        }
        drop(symbols);
        Ok(Block { dir: dir.to_path_buf(), meta, series, postings, frames, chunks })
    }

    pub fn select_ids(&self, matchers: &[Matcher]) -> Vec<u32> {
        postings::select(&self.postings, matchers)
    }

    pub fn labels(&self, id: u32) -> Option<&Labels> {
        self.series.get(id as usize).map(|(l, _)| l)
    }

    pub fn postings(&self) -> &MemPostings {
        &self.postings
    }

    pub fn num_series(&self) -> usize {
        self.series.len()
    }

    /// Reads the samples in `[mint, maxt]` of the given series (sorted ids), decompressing each
    /// frame once.
    pub fn read(&self, ids: &[u32], mint: i64, maxt: i64) -> Result<Vec<SeriesSamples>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut cache = FrameCache::default();
        for &id in ids {
            let Some((labels, _)) = self.series.get(id as usize) else { continue };
            let samples = self.series_samples(id, mint, maxt, &mut cache)?;
            if !samples.is_empty() {
                out.push((labels.clone(), samples));
            }
        }
        Ok(out)
    }

    /// One series' samples in `[mint, maxt]`, reusing the last decompressed frame: reading
    /// series in id order decompresses every frame once.
    pub fn series_samples(&self, id: u32, mint: i64, maxt: i64, cache: &mut FrameCache) -> Result<Vec<(i64, f64)>> {
        let Some((_, chunks)) = self.series.get(id as usize) else { return Ok(Vec::new()) };
        let mut samples = Vec::new();
        for c in chunks.iter().filter(|c| c.max_t >= mint && c.min_t <= maxt) {
            if cache.frame != Some(c.frame) {
                cache.data = self.frame(c.frame)?;
                cache.frame = Some(c.frame);
            }
            let start = c.offset as usize;
            let data = start
                .checked_add(c.len as usize)
                .and_then(|end| cache.data.get(start..end))
                .ok_or_else(|| self.corrupt(format!("chunk of series {id} lies outside its frame")))?;
            let decoded = chunk::decode_any(c.encoding, data).map_err(|e| self.corrupt(format!("series {id}: {e}")))?;
            samples.extend(decoded.into_iter().filter(|(t, _)| *t >= mint && *t <= maxt));
        }
        Ok(samples)
    }

    fn corrupt(&self, detail: String) -> Error {
        Error::Corrupt { what: "block chunks", path: self.dir.clone(), detail }
    }

    fn frame(&self, i: u32) -> Result<Vec<u8>> {
        let f = self.frames.get(i as usize).ok_or_else(|| self.corrupt(format!("missing frame {i}")))?;
        let mut buf = vec![0u8; f.len as usize];
        self.chunks.read_exact_at(&mut buf, f.offset).map_err(Error::io("read", self.dir.join("chunks")))?;
        if crc32fast::hash(&buf) != f.crc {
            return Err(self.corrupt(format!("checksum mismatch in frame {i}")));
        }
        decompress_limited(&buf, MAX_FRAME_BYTES)
            .map_err(|e| self.corrupt(format!("frame {i} does not decompress: {e}")))
    }

    /// Whether the block holds any data in `[mint, maxt]`.
    pub fn overlaps(&self, mint: i64, maxt: i64) -> bool {
        self.meta.min_time <= maxt && self.meta.max_time > mint
    }
}

/// Why a block's `index` file cannot be decoded; becomes [`Error::Corrupt`] when a block
/// opens, and is what the fuzz target checks for instead of a panic.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("bad magic or short file")]
    BadMagic,
    #[error("unsupported index version {0}")]
    Version(u8),
    #[error("index length does not match its header")]
    Length,
    #[error("index checksum mismatch")]
    Checksum,
    #[error("index does not decompress: {0}")]
    Decompress(#[source] std::io::Error),
    #[error(transparent)]
    Record(#[from] crate::record::RecordError),
    /// A length, frame id or offset (named by the field) does not fit in 32 bits.
    #[error("{0} too large")]
    TooLarge(&'static str),
    #[error("symbol id {0} out of range")]
    Symbol(u64),
    #[error(transparent)]
    Labels(#[from] crate::labels::LabelError),
    #[error("{0} trailing bytes in index")]
    Trailing(usize),
}

fn decode_index_file(data: &[u8]) -> std::result::Result<Vec<u8>, IndexError> {
    if data.len() < FILE_HEADER_LEN as usize + 12 || &data[..4] != INDEX_MAGIC {
        return Err(IndexError::BadMagic);
    }
    if u32::from(data[4]) != FORMAT_VERSION {
        return Err(IndexError::Version(data[4]));
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&data[8..16]);
    let len = u64::from_le_bytes(len) as usize;
    let mut crc = [0u8; 4];
    crc.copy_from_slice(&data[16..20]);
    let body = data.get(20..).filter(|b| b.len() == len).ok_or(IndexError::Length)?;
    if crc32fast::hash(body) != u32::from_le_bytes(crc) {
        return Err(IndexError::Checksum);
    }
    decompress_limited(body, MAX_INDEX_BYTES).map_err(IndexError::Decompress)
}

type DecodedIndex = (Vec<Arc<str>>, Vec<FrameMeta>, Vec<(Labels, Vec<ChunkMeta>)>);

/// A varint that must fit in 32 bits; `what` names it in the error.
fn u32_field(r: &mut Reader<'_>, what: &'static str) -> std::result::Result<u32, IndexError> {
    u32::try_from(r.uvarint()?).map_err(|_| IndexError::TooLarge(what))
}

fn decode_index(body: &[u8]) -> std::result::Result<DecodedIndex, IndexError> {
    let mut r = Reader::new(body);
    let nsym = r.count()?;
    let mut symbols: Vec<Arc<str>> = Vec::with_capacity(nsym);
    for _ in 0..nsym {
        symbols.push(r.str()?.into());
    }
    let nframes = r.count()?;
    let mut frames = Vec::with_capacity(nframes);
    for _ in 0..nframes {
        let offset = r.uvarint()?;
        let len = u32_field(&mut r, "frame length")?;
        let b = r.bytes(4)?;
        let crc = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        frames.push(FrameMeta { offset, len, crc });
    }
    let nseries = r.count()?;
    let mut series = Vec::with_capacity(nseries);
    let sym = |id: u64| symbols.get(id as usize).cloned().ok_or(IndexError::Symbol(id));
    for _ in 0..nseries {
        let nl = r.count()?;
        let mut labels = Vec::with_capacity(nl);
        for _ in 0..nl {
            let name = sym(r.uvarint()?)?;
            let value = sym(r.uvarint()?)?;
            labels.push(Label { name, value });
        }
        let labels = Labels::from_sorted(labels)?;
        let nc = r.count()?;
        let mut chunks = Vec::with_capacity(nc);
        for _ in 0..nc {
            let min_t = r.varint()?;
            let max_t = min_t.wrapping_add(r.uvarint()? as i64);
            let frame = u32_field(&mut r, "frame id")?;
            let offset = u32_field(&mut r, "chunk offset")?;
            let len = u32_field(&mut r, "chunk length")?;
            let encoding = r.byte()?;
            chunks.push(ChunkMeta { min_t, max_t, frame, offset, len, encoding });
        }
        series.push((labels, chunks));
    }
    if r.remaining() != 0 {
        return Err(IndexError::Trailing(r.remaining()));
    }
    Ok((symbols, frames, series))
}

/// Decodes an `index` file held in memory and returns its series count: the whole check that
/// [`Block::open`] applies to the index, exposed for the fuzz target.
pub fn decode_index_bytes(data: &[u8]) -> std::result::Result<usize, IndexError> {
    let body = decode_index_file(data)?;
    let (_, _, series) = decode_index(&body)?;
    Ok(series.len())
}

/// Reads only a block's `meta.json` (for planning compaction and retention).
pub fn read_meta(dir: &Path) -> Result<BlockMeta> {
    let path = dir.join("meta.json");
    let bytes = fs::read(&path).map_err(Error::io("read", &path))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt { what: "block meta.json", path, detail: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(i: usize) -> Labels {
        Labels::from_pairs(&[("__name__", "m"), ("i", &format!("{i:05}"))]).unwrap()
    }

    fn write_block(dir: &Path, n: usize) -> BlockMeta {
        let mut w = BlockWriter::new(dir, "b1", 0, 10_000_000, Compaction { level: 1, ..Default::default() }).unwrap();
        for i in 0..n {
            let samples: Vec<(i64, f64)> = (0..500).map(|k| (k * 15_000, (i * 1000 + k as usize) as f64)).collect();
            w.add_series(&labels(i), &samples).unwrap();
        }
        w.finish().unwrap().unwrap()
    }

    #[test]
    fn writes_and_reads_back() {
        let tmp = tempfile::tempdir().unwrap();
        let meta = write_block(tmp.path(), 300);
        assert_eq!(meta.stats.series, 300);
        assert_eq!(meta.stats.samples, 150_000);
        let b = Block::open(&tmp.path().join("b1")).unwrap();
        let ids = b.select_ids(&[Matcher::equal("i", "00123")]);
        let got = b.read(&ids, 30_000, 60_000).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, labels(123));
        assert_eq!(got[0].1, vec![(30_000, 123_002.0), (45_000, 123_003.0), (60_000, 123_004.0)]);
    }

    #[test]
    fn every_flipped_byte_is_detected_or_harmless() {
        let tmp = tempfile::tempdir().unwrap();
        write_block(tmp.path(), 20);
        let dir = tmp.path().join("b1");
        for file in ["index", "chunks"] {
            let orig = fs::read(dir.join(file)).unwrap();
            for pos in (0..orig.len()).step_by(7) {
                let mut bad = orig.clone();
                bad[pos] ^= 0x5a;
                fs::write(dir.join(file), &bad).unwrap();
                // Must not panic; a change that is detected must be reported as corruption.
                if let Ok(b) = Block::open(&dir) {
                    let _ = b.read(&b.select_ids(&[]), i64::MIN, i64::MAX);
                }
            }
            fs::write(dir.join(file), &orig).unwrap();
        }
        assert!(Block::open(&dir).is_ok());
    }

    #[test]
    fn truncated_files_are_corrupt() {
        let tmp = tempfile::tempdir().unwrap();
        write_block(tmp.path(), 5);
        let dir = tmp.path().join("b1");
        let orig = fs::read(dir.join("index")).unwrap();
        fs::write(dir.join("index"), &orig[..orig.len() / 2]).unwrap();
        assert!(matches!(Block::open(&dir), Err(Error::Corrupt { .. })));
    }
}
