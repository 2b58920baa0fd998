//! The head: the in-memory, writable part of the database.
//!
//! Every series here holds its recent samples in compressed XOR chunks (closed chunks are
//! immutable and shared with readers by reference count; the open chunk is copied on read). An
//! index maps label sets to series and label pairs to postings. Appends are serialised by one
//! lock so that the WAL order equals the apply order; reads take only short per-series locks
//! and run concurrently with appends.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::chunk::{XorAppender, XorIter};
use crate::error::AppendError;
use crate::head_chunks::{ChainWrite, ChunkDisk, ChunkLoc};
use crate::labels::{Label, LabelError, Labels};
use crate::matcher::Matcher;
use crate::metadata::MetricMetadata;
use crate::postings::{self, MemPostings};
use crate::record::{self, RefSample};

/// Samples per head chunk before it is closed (Prometheus uses the same number).
const SAMPLES_PER_CHUNK: u16 = 120;
/// Bytes after which the open chunk is closed early: the open chunk is the only sample data a
/// series keeps in memory, so this bounds the head's RAM per series.
const OPEN_CHUNK_BYTES: usize = 112;

/// A closed chunk still in memory: until the end of the append that closed it, or always
/// when the head has no chunk files (read-only tools).
#[derive(Clone)]
pub(crate) struct ClosedChunk {
    pub min_t: i64,
    pub max_t: i64,
    data: Arc<[u8]>,
}

/// One series in the head: its identity outside the lock, so that looking a series up by
/// labels never contends with appends to it.
pub struct HeadSeries {
    pub id: u32,
    pub labels: Labels,
    data: Mutex<MemSeries>,
}

/// The samples of one series in memory.
pub struct MemSeries {
    /// Closed chunks not (yet) in the chunk files, oldest first.
    chunks: Vec<ClosedChunk>,
    /// Newest closed chunk in the chunk files; each record points to the one before, so the
    /// series needs no per-chunk memory for them.
    disk_head: Option<ChunkLoc>,
    disk_min_t: i64,
    disk_max_t: i64,
    open: XorAppender,
    open_min_t: i64,
    max_t: i64,
    /// Out-of-order samples accepted within the window, sorted by time.
    ooo: Vec<(i64, f64)>,
    /// A chunk was closed and still waits in memory to be written to the chunk files.
    unspilled: bool,
}

/// Outcome of appending one sample.
#[derive(Debug, PartialEq, Eq)]
enum Appended {
    New,
    /// Same timestamp and same value bits as stored: idempotent retry, nothing to do.
    Duplicate,
}

impl MemSeries {
    fn new() -> Self {
        MemSeries {
            chunks: Vec::new(),
            disk_head: None,
            disk_min_t: i64::MAX,
            disk_max_t: i64::MIN,
            open: XorAppender::new(),
            open_min_t: i64::MAX,
            max_t: i64::MIN,
            ooo: Vec::new(),
            unspilled: false,
        }
    }

    fn append(
        &mut self,
        t: i64,
        v: f64,
        ooo_window: i64,
        min_valid: i64,
        disk: Option<&ChunkDisk>,
    ) -> Result<Appended, AppendError> {
        if t < min_valid {
            return Err(AppendError::OutOfBounds { t, min_valid });
        }
        if t > self.max_t {
            if self.open.num_samples() >= SAMPLES_PER_CHUNK || self.open.len_bytes() >= OPEN_CHUNK_BYTES {
                self.close_open_chunk();
            }
            if self.open.num_samples() == 0 {
                self.open_min_t = t;
            }
            self.open.append(t, v);
            self.max_t = t;
            return Ok(Appended::New);
        }
        if let Some(stored) = self.find(t, disk) {
            return if stored.to_bits() == v.to_bits() {
                Ok(Appended::Duplicate)
            } else {
                Err(AppendError::Duplicate { t, stored, received: v })
            };
        }
        if ooo_window > 0 && self.max_t - t <= ooo_window {
            let pos = self.ooo.partition_point(|(ot, _)| *ot < t);
            self.ooo.insert(pos, (t, v));
            return Ok(Appended::New);
        }
        Err(AppendError::OutOfOrder { t, max_t: self.max_t, window_ms: ooo_window })
    }

    fn close_open_chunk(&mut self) {
        let full = std::mem::replace(&mut self.open, XorAppender::new());
        if full.num_samples() > 0 {
            let max_t = full.last().map_or(self.max_t, |(t, _)| t);
            self.chunks.push(ClosedChunk { min_t: self.open_min_t, max_t, data: full.bytes().into() });
            self.unspilled = true;
        }
        self.open_min_t = i64::MAX;
    }

    /// The stored value at exactly `t`, if any (used to tell retries from conflicts).
    fn find(&self, t: i64, disk: Option<&ChunkDisk>) -> Option<f64> {
        if let Ok(i) = self.ooo.binary_search_by(|(ot, _)| ot.cmp(&t)) {
            return Some(self.ooo[i].1);
        }
        let mut candidates: Vec<Vec<u8>> = Vec::new();
        if let Some(d) = disk {
            d.walk(self.disk_head, t, t, |rec| candidates.push(rec.data));
        }
        candidates.extend(self.chunks.iter().filter(|c| c.min_t <= t && t <= c.max_t).map(|c| c.data.to_vec()));
        if self.open.num_samples() > 0 && t >= self.open_min_t {
            candidates.push(self.open.bytes().to_vec());
        }
        for data in candidates {
            let mut it = XorIter::new(&data);
            if let Some((st, sv)) = it.seek(t)
                && st == t
            {
                return Some(sv);
            }
        }
        None
    }

    /// Copies what a reader needs: closed chunks by reference, the open chunk and out-of-order
    /// samples by value. Cheap enough to do under the series lock.
    fn snapshot(&self, labels: &Labels, mint: i64, maxt: i64) -> SeriesSnapshot {
        let disk_head = (self.disk_head.is_some() && self.disk_max_t >= mint).then_some(self.disk_head).flatten();
        let mut chunks: Vec<Arc<[u8]>> =
            self.chunks.iter().filter(|c| c.max_t >= mint && c.min_t <= maxt).map(|c| c.data.clone()).collect();
        if self.open.num_samples() > 0 && self.open_min_t <= maxt && self.max_t >= mint {
            chunks.push(self.open.bytes().into());
        }
        let ooo = self.ooo.iter().copied().filter(|(t, _)| *t >= mint && *t <= maxt).collect();
        SeriesSnapshot { labels: labels.clone(), mint, disk_head, chunks, ooo }
    }

    /// Drops data older than `cut`; returns true when nothing is left.
    fn truncate(&mut self, cut: i64) -> bool {
        self.chunks.retain(|c| c.max_t >= cut);
        if self.disk_max_t < cut {
            self.disk_head = None;
            self.disk_min_t = i64::MAX;
            self.disk_max_t = i64::MIN;
        }
        if self.open.num_samples() > 0 && self.max_t < cut {
            self.open = XorAppender::new();
            self.open_min_t = i64::MAX;
        }
        self.ooo.retain(|(t, _)| *t >= cut);
        self.chunks.is_empty() && self.disk_head.is_none() && self.open.num_samples() == 0 && self.ooo.is_empty()
    }

    fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.data.len() + 40).sum::<usize>()
            + self.open.bytes().len()
            + self.ooo.capacity() * 16
    }
}

/// A series' data as copied out for a reader: in-memory chunks by reference, and the head of
/// its chain in the chunk files (a file deleted meanwhile simply ends the walk; its data is in
/// a block by then).
pub struct SeriesSnapshot {
    pub labels: Labels,
    /// Oldest time this snapshot may return.
    mint: i64,
    disk_head: Option<ChunkLoc>,
    chunks: Vec<Arc<[u8]>>,
    ooo: Vec<(i64, f64)>,
}

impl SeriesSnapshot {
    /// Decodes the samples in `[mint, maxt]`, sorted by time and free of duplicates.
    pub fn samples(&self, mint: i64, maxt: i64, disk: Option<&ChunkDisk>) -> Vec<(i64, f64)> {
        let mint = mint.max(self.mint);
        let mut out = Vec::new();
        if let (Some(d), Some(_)) = (disk, self.disk_head) {
            let mut recs = Vec::new();
            d.walk(self.disk_head, mint, maxt, |rec| recs.push(rec.data));
            for data in recs.iter().rev() {
                out.extend(XorIter::new(data).filter(|(t, _)| *t >= mint && *t <= maxt));
            }
        }
        for c in &self.chunks {
            out.extend(XorIter::new(c).filter(|(t, _)| *t >= mint && *t <= maxt));
        }
        if !self.ooo.is_empty() {
            out.extend(self.ooo.iter().copied());
            out.sort_by_key(|(t, _)| *t);
            out.dedup_by_key(|(t, _)| *t);
        }
        out
    }
}

/// One series of an append batch: labels sorted by name (any `AsRef<str>`, so adapters need
/// not build [`Labels`] for series the head already knows) and its samples.
pub struct SeriesInput<'a, S: AsRef<str>> {
    pub labels: &'a [(S, S)],
    pub samples: &'a [(i64, f64)],
    /// A series id the caller cached from an earlier [`AppendOutcome::ids`]. When the series
    /// still exists, labels are not looked at (and may be empty); when it is gone and labels
    /// are empty, the input is reported in [`AppendOutcome::stale`] for a retry with labels.
    pub hint: Option<u32>,
}

impl<'a, S: AsRef<str>> SeriesInput<'a, S> {
    pub fn new(labels: &'a [(S, S)], samples: &'a [(i64, f64)]) -> Self {
        SeriesInput { labels, samples, hint: None }
    }
}

/// What an append did. Rejected samples are counted by reason and the first error of each
/// request is kept so the writer can be told what was wrong.
#[derive(Debug, Default)]
pub struct AppendOutcome {
    pub samples_written: usize,
    pub duplicates_ignored: usize,
    pub series_created: usize,
    pub rejected: usize,
    pub first_error: Option<(String, AppendError)>,
    /// The series id of each input (None where it was rejected or stale), for callers that
    /// cache ids to skip label handling next time.
    pub ids: Vec<Option<u32>>,
    /// Inputs whose hint named a series that no longer exists and that had no labels: nothing
    /// was appended for them; retry them with labels.
    pub stale: Vec<usize>,
    /// WAL payloads to log, in order: (record type, bytes).
    pub(crate) wal: Vec<(u8, Vec<u8>)>,
}

impl AppendOutcome {
    /// Folds in the outcome of retrying some inputs (`indexes[j]` is the original index of
    /// the retry's input `j`).
    pub fn absorb(&mut self, retry: AppendOutcome, indexes: &[usize]) {
        self.samples_written += retry.samples_written;
        self.duplicates_ignored += retry.duplicates_ignored;
        self.series_created += retry.series_created;
        self.rejected += retry.rejected;
        if self.first_error.is_none() {
            self.first_error = retry.first_error;
        }
        for (j, i) in indexes.iter().enumerate() {
            if let (Some(slot), Some(id)) = (self.ids.get_mut(*i), retry.ids.get(j)) {
                *slot = *id;
            }
        }
        self.stale.retain(|i| !indexes.contains(i));
    }

    fn reject(&mut self, labels: impl FnOnce() -> String, err: AppendError) {
        self.rejected += 1;
        if self.first_error.is_none() {
            self.first_error = Some((labels(), err));
        }
    }
}

struct Index {
    by_fingerprint: HashMap<u64, u32>,
    /// Series whose fingerprint collides with an earlier one (rare).
    collisions: HashMap<u64, Vec<u32>>,
    series: Vec<Option<Arc<HeadSeries>>>,
    postings: MemPostings,
    interned: HashSet<Arc<str>>,
    live: usize,
}

impl Index {
    fn get(&self, id: u32) -> Option<&Arc<HeadSeries>> {
        self.series.get(id as usize).and_then(|s| s.as_ref())
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(s) {
            return a.clone();
        }
        let a: Arc<str> = s.into();
        self.interned.insert(a.clone());
        a
    }
}

/// Counters the head keeps for `/metrics`.
#[derive(Default)]
pub struct HeadCounters {
    pub samples_appended: telemetry::Counter,
    pub series_created: telemetry::Counter,
    pub series_removed: telemetry::Counter,
    pub out_of_order: telemetry::Counter,
    pub out_of_bounds: telemetry::Counter,
    pub duplicates: telemetry::Counter,
    pub invalid_series: telemetry::Counter,
    pub series_limit: telemetry::Counter,
}

impl HeadCounters {
    fn count(&self, e: &AppendError) {
        match e {
            AppendError::OutOfOrder { .. } => self.out_of_order.inc(),
            AppendError::OutOfBounds { .. } => self.out_of_bounds.inc(),
            AppendError::Duplicate { .. } => self.duplicates.inc(),
            AppendError::InvalidSeries(_) => self.invalid_series.inc(),
            AppendError::SeriesLimit { .. } => self.series_limit.inc(),
        }
    }
}

/// The in-memory head.
pub struct Head {
    index: RwLock<Index>,
    append_lock: Mutex<()>,
    next_id: AtomicI64,
    min_valid: AtomicI64,
    /// Data before this was persisted and dropped; chunks straddling it still hold some, which
    /// reads must not return (it is in a block, or deleted by retention).
    truncated_before: AtomicI64,
    min_t: AtomicI64,
    max_t: AtomicI64,
    ooo_window: i64,
    max_series: usize,
    metadata: RwLock<HashMap<String, MetricMetadata>>,
    disk: Option<ChunkDisk>,
    pub counters: HeadCounters,
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    // Locks are never held across code that can panic on input; a poisoned lock still
    // guards consistent data, so recover it rather than cascade the panic.
    l.read().unwrap_or_else(|p| p.into_inner())
}
fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}
fn lock<T>(l: &Mutex<T>) -> MutexGuard<'_, T> {
    l.lock().unwrap_or_else(|p| p.into_inner())
}

/// Fingerprint of label pairs, equal to [`Labels::fingerprint`] of the same (non-empty) pairs.
fn fingerprint_pairs<S: AsRef<str>>(pairs: &[(S, S)]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (n, v) in pairs.iter().filter(|(_, v)| !v.as_ref().is_empty()) {
        h.update(n.as_ref().as_bytes());
        h.update(&[0xff]);
        h.update(v.as_ref().as_bytes());
        h.update(&[0xff]);
    }
    h.digest()
}

fn same_labels<S: AsRef<str>>(labels: &Labels, pairs: &[(S, S)]) -> bool {
    let mut it = pairs.iter().filter(|(_, v)| !v.as_ref().is_empty());
    for l in labels.iter() {
        match it.next() {
            Some((n, v)) if *l.name == *n.as_ref() && *l.value == *v.as_ref() => {}
            _ => return false,
        }
    }
    it.next().is_none()
}

fn pairs_to_string<S: AsRef<str>>(pairs: &[(S, S)]) -> String {
    let ls: Vec<Label> = pairs.iter().map(|(n, v)| Label::new(n.as_ref(), v.as_ref())).collect();
    match Labels::new(ls) {
        Ok(l) => l.to_string(),
        Err(_) => format!("{:?}", pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())).collect::<Vec<_>>()),
    }
}

impl Head {
    /// A head; with `disk`, closed chunks move to files instead of staying in memory.
    pub fn new(ooo_window: i64, max_series: usize, disk: Option<ChunkDisk>) -> Self {
        Head {
            index: RwLock::new(Index {
                by_fingerprint: HashMap::new(),
                collisions: HashMap::new(),
                series: Vec::new(),
                postings: MemPostings::default(),
                interned: HashSet::new(),
                live: 0,
            }),
            append_lock: Mutex::new(()),
            next_id: AtomicI64::new(0),
            min_valid: AtomicI64::new(i64::MIN),
            truncated_before: AtomicI64::new(i64::MIN),
            min_t: AtomicI64::new(i64::MAX),
            max_t: AtomicI64::new(i64::MIN),
            ooo_window,
            max_series,
            metadata: RwLock::new(HashMap::new()),
            disk,
            counters: HeadCounters::default(),
        }
    }

    fn lookup<S: AsRef<str>>(idx: &Index, fp: u64, pairs: &[(S, S)]) -> Option<u32> {
        let id = *idx.by_fingerprint.get(&fp)?;
        let s = idx.get(id)?;
        if same_labels(&s.labels, pairs) {
            return Some(id);
        }
        idx.collisions.get(&fp)?.iter().copied().find(|id| idx.get(*id).is_some_and(|s| same_labels(&s.labels, pairs)))
    }

    /// Creates a series under the write lock (or finds one created meanwhile).
    fn create<S: AsRef<str>>(
        &self,
        idx: &mut Index,
        fp: u64,
        pairs: &[(S, S)],
        forced_id: Option<u32>,
    ) -> Result<(u32, bool), AppendError> {
        if let Some(id) = Self::lookup(idx, fp, pairs) {
            return Ok((id, false));
        }
        if forced_id.is_none() && idx.live >= self.max_series {
            return Err(AppendError::SeriesLimit { limit: self.max_series });
        }
        let mut ls = Vec::with_capacity(pairs.len());
        for (n, v) in pairs.iter().filter(|(_, v)| !v.as_ref().is_empty()) {
            ls.push(Label { name: idx.intern(n.as_ref()), value: idx.intern(v.as_ref()) });
        }
        let labels = Labels::from_sorted(ls)?;
        labels.validate_series()?;
        let id = match forced_id {
            Some(id) => {
                self.next_id.fetch_max(i64::from(id) + 1, Ordering::Relaxed);
                id
            }
            None => self.next_id.fetch_add(1, Ordering::Relaxed) as u32,
        };
        if idx.series.len() <= id as usize {
            idx.series.resize(id as usize + 1, None);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = idx.by_fingerprint.entry(fp) {
            e.insert(id);
        } else {
            idx.collisions.entry(fp).or_default().push(id);
        }
        if idx.postings.all().last().is_some_and(|last| *last > id) {
            // Only possible when replaying a WAL whose series records are out of id order; the
            // postings lists must stay sorted, so rebuild them.
            idx.series[id as usize] = Some(Arc::new(HeadSeries { id, labels, data: Mutex::new(MemSeries::new()) }));
            Self::rebuild_postings(idx);
        } else {
            idx.postings.add(id, &labels);
            idx.series[id as usize] = Some(Arc::new(HeadSeries { id, labels, data: Mutex::new(MemSeries::new()) }));
        }
        idx.live += 1;
        self.counters.series_created.inc();
        Ok((id, true))
    }

    fn rebuild_postings(idx: &mut Index) {
        let mut p = MemPostings::default();
        for s in idx.series.iter().flatten() {
            p.add(s.id, &s.labels);
        }
        idx.postings = p;
    }

    /// Appends a batch. Samples are applied in memory first and the WAL payloads for the
    /// accepted ones are returned in the outcome; the caller logs them (still holding the
    /// returned guard) before acknowledging, so that the WAL order is the apply order.
    pub fn append<S: AsRef<str>>(&self, batch: &[SeriesInput<'_, S>]) -> (AppendOutcome, MutexGuard<'_, ()>) {
        let guard = lock(&self.append_lock);
        let mut out = AppendOutcome::default();
        let mut fps: Vec<u64> = vec![0; batch.len()];
        let mut ids: Vec<Option<u32>> = {
            let idx = read(&self.index);
            batch
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if let Some(h) = s.hint.filter(|h| idx.get(*h).is_some()) {
                        return Some(h);
                    }
                    if s.labels.is_empty() {
                        return None;
                    }
                    fps[i] = fingerprint_pairs(s.labels);
                    Self::lookup(&idx, fps[i], s.labels)
                })
                .collect()
        };
        for (i, s) in batch.iter().enumerate() {
            if ids[i].is_none() && s.labels.is_empty() {
                out.stale.push(i);
            }
        }
        let mut new_series: Vec<(u64, Labels)> = Vec::new();
        if ids.iter().enumerate().any(|(i, id)| id.is_none() && !batch[i].labels.is_empty()) {
            let mut idx = write(&self.index);
            for (i, s) in batch.iter().enumerate() {
                if ids[i].is_some() || s.labels.is_empty() {
                    continue;
                }
                match self.create(&mut idx, fps[i], s.labels, None) {
                    Ok((id, created)) => {
                        ids[i] = Some(id);
                        if created {
                            out.series_created += 1;
                            if let Some(series) = idx.get(id) {
                                new_series.push((u64::from(id), series.labels.clone()));
                            }
                        }
                    }
                    Err(e) => {
                        self.counters.count(&e);
                        out.rejected += s.samples.len().saturating_sub(1);
                        out.reject(|| pairs_to_string(s.labels), e);
                    }
                }
            }
        }
        let min_valid = self.min_valid.load(Ordering::Relaxed);
        let mut logged: Vec<RefSample> = Vec::new();
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        let mut to_spill: Vec<Arc<HeadSeries>> = Vec::new();
        let disk = self.disk.as_ref();
        {
            let idx = read(&self.index);
            for (s, id) in batch.iter().zip(&ids) {
                let Some(id) = id else { continue };
                let Some(head_series) = idx.get(*id) else { continue };
                let mut series = lock(&head_series.data);
                for &(t, v) in s.samples {
                    match series.append(t, v, self.ooo_window, min_valid, disk) {
                        Ok(Appended::New) => {
                            logged.push(RefSample { series: u64::from(*id), t, v });
                            lo = lo.min(t);
                            hi = hi.max(t);
                        }
                        Ok(Appended::Duplicate) => out.duplicates_ignored += 1,
                        Err(e) => {
                            self.counters.count(&e);
                            out.reject(|| head_series.labels.to_string(), e);
                        }
                    }
                }
                if std::mem::take(&mut series.unspilled) {
                    to_spill.push(head_series.clone());
                }
            }
        }
        self.spill(&to_spill);
        if !logged.is_empty() {
            self.min_t.fetch_min(lo, Ordering::Relaxed);
            self.max_t.fetch_max(hi, Ordering::Relaxed);
        }
        out.samples_written = logged.len();
        out.ids = ids;
        self.counters.samples_appended.add(logged.len() as u64);
        if !new_series.is_empty() {
            let mut buf = Vec::new();
            record::encode_series(new_series.iter().map(|(r, l)| (*r, l)), &mut buf);
            out.wal.push((record::TYPE_SERIES, buf));
        }
        if !logged.is_empty() {
            let mut buf = Vec::with_capacity(logged.len() * 12);
            record::encode_samples(&logged, &mut buf);
            out.wal.push((record::TYPE_SAMPLES, buf));
        }
        (out, guard)
    }

    /// Moves chunks closed in memory to the chunk files with one write. On failure they stay
    /// in memory (correct, only larger) and the error is logged. Callers hold the append lock,
    /// so nothing else changes these series' closed chunks meanwhile.
    fn spill(&self, series: &[Arc<HeadSeries>]) {
        let Some(disk) = &self.disk else { return };
        if series.is_empty() {
            return;
        }
        let pending: Vec<(Option<ChunkLoc>, Vec<ClosedChunk>)> = series
            .iter()
            .map(|s| {
                let d = lock(&s.data);
                (d.disk_head, d.chunks.clone())
            })
            .collect();
        let writes: Vec<ChainWrite<'_>> = pending
            .iter()
            .map(|(prev, chunks)| ChainWrite {
                prev: *prev,
                chunks: chunks.iter().map(|c| (&c.data[..], c.min_t, c.max_t)).collect(),
            })
            .collect();
        match disk.write(&writes) {
            Ok(heads) => {
                for ((s, (_, chunks)), head) in series.iter().zip(&pending).zip(heads) {
                    let mut d = lock(&s.data);
                    let n = chunks.len().min(d.chunks.len());
                    d.chunks.drain(..n);
                    if let (Some(first), Some(last)) = (chunks.first(), chunks.last()) {
                        d.disk_min_t = d.disk_min_t.min(first.min_t);
                        d.disk_max_t = d.disk_max_t.max(last.max_t);
                    }
                    d.disk_head = head;
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot write head chunks to disk; keeping them in memory"),
        }
    }

    /// Re-creates a series from the WAL with its logged id.
    pub(crate) fn replay_series(&self, id: u64, labels: &Labels) -> Result<(), LabelError> {
        let pairs: Vec<(&str, &str)> = labels.iter().map(|l| (&*l.name, &*l.value)).collect();
        let mut idx = write(&self.index);
        let Ok(id32) = u32::try_from(id) else {
            return Err(LabelError::EmptyName);
        };
        match self.create(&mut idx, fingerprint_pairs(&pairs), &pairs, Some(id32)) {
            Ok(_) => Ok(()),
            Err(AppendError::InvalidSeries(e)) => Err(e),
            Err(_) => Ok(()),
        }
    }

    /// Applies logged samples during replay. Samples that no longer apply (already persisted,
    /// unknown series) are skipped and counted; replay accepts any order the log holds.
    pub(crate) fn replay_samples(&self, samples: &[RefSample]) -> usize {
        let idx = read(&self.index);
        let min_valid = self.min_valid.load(Ordering::Relaxed);
        let mut skipped = 0;
        let mut to_spill = Vec::new();
        // Shared atomics are updated once per batch: replay workers would otherwise bounce
        // their cache line on every sample.
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        for s in samples {
            let Some(series) = u32::try_from(s.series).ok().and_then(|id| idx.get(id)) else {
                skipped += 1;
                continue;
            };
            let mut data = lock(&series.data);
            match data.append(s.t, s.v, i64::MAX, min_valid, self.disk.as_ref()) {
                Ok(_) => {
                    lo = lo.min(s.t);
                    hi = hi.max(s.t);
                }
                Err(_) => skipped += 1,
            }
            if std::mem::take(&mut data.unspilled) {
                to_spill.push(series.clone());
            }
        }
        drop(idx);
        if lo <= hi {
            self.min_t.fetch_min(lo, Ordering::Relaxed);
            self.max_t.fetch_max(hi, Ordering::Relaxed);
        }
        self.spill(&to_spill);
        skipped
    }

    pub fn set_metadata(
        &self,
        entries: impl IntoIterator<Item = (String, MetricMetadata)>,
    ) -> Vec<(String, MetricMetadata)> {
        let mut changed = Vec::new();
        let mut m = write(&self.metadata);
        for (name, md) in entries {
            if m.get(&name) != Some(&md) {
                m.insert(name.clone(), md.clone());
                changed.push((name, md));
            }
        }
        changed
    }

    pub fn metadata(&self) -> HashMap<String, MetricMetadata> {
        read(&self.metadata).clone()
    }

    /// Ids of series matching all matchers.
    pub fn select_ids(&self, matchers: &[Matcher]) -> Vec<u32> {
        postings::select(&read(&self.index).postings, matchers)
    }

    /// Copies the data of the given series in `[mint, maxt]` for reading outside the locks.
    /// Only data not yet truncated away is returned; samples are filtered to the range when
    /// decoded ([`SeriesSnapshot::samples`] with the snapshot's own range).
    pub fn snapshot(&self, ids: &[u32], mint: i64, maxt: i64) -> Vec<SeriesSnapshot> {
        let mint = mint.max(self.truncated_before.load(Ordering::Relaxed));
        let series: Vec<Arc<HeadSeries>> = {
            let idx = read(&self.index);
            ids.iter().filter_map(|id| idx.get(*id).cloned()).collect()
        };
        series.iter().map(|s| lock(&s.data).snapshot(&s.labels, mint, maxt)).collect()
    }

    /// Every live series, sorted by labels (for persisting blocks).
    pub fn all_sorted(&self) -> Vec<(Labels, u32)> {
        let idx = read(&self.index);
        let mut v: Vec<(Labels, u32)> = idx.series.iter().flatten().map(|s| (s.labels.clone(), s.id)).collect();
        v.sort();
        v
    }

    /// Label names and values in the head matching the matchers (all when empty).
    pub fn label_names(&self, matchers: &[Matcher]) -> Vec<String> {
        let idx = read(&self.index);
        if matchers.is_empty() {
            return idx.postings.names().map(str::to_string).collect();
        }
        let ids = postings::select(&idx.postings, matchers);
        let mut names = HashSet::new();
        for id in ids {
            if let Some(s) = idx.get(id) {
                for l in s.labels.iter() {
                    if !names.contains(&*l.name) {
                        names.insert(l.name.to_string());
                    }
                }
            }
        }
        names.into_iter().collect()
    }

    pub fn label_values(&self, name: &str, matchers: &[Matcher]) -> Vec<String> {
        let idx = read(&self.index);
        if matchers.is_empty() {
            return idx.postings.values(name).map(|(v, _)| v.to_string()).collect();
        }
        let ids = postings::select(&idx.postings, matchers);
        let mut values = HashSet::new();
        for id in ids {
            if let Some(s) = idx.get(id)
                && let Some(v) = s.labels.get(name)
            {
                values.insert(v.to_string());
            }
        }
        values.into_iter().collect()
    }

    /// Drops all data older than `cut` (it has been persisted in a block) and forgets series
    /// left empty. Returns the ids removed. Holds the append lock so no write interleaves.
    pub fn truncate(&self, cut: i64) -> Vec<u32> {
        let _g = lock(&self.append_lock);
        self.min_valid.fetch_max(cut, Ordering::Relaxed);
        self.truncated_before.fetch_max(cut, Ordering::Relaxed);
        let mut idx = write(&self.index);
        let mut dead = Vec::new();
        let mut new_min = i64::MAX;
        for slot in idx.series.iter_mut() {
            let Some(s) = slot else { continue };
            let mut series = lock(&s.data);
            if series.truncate(cut) {
                dead.push(s.id);
                drop(series);
                *slot = None;
            } else {
                let first = series.chunks.first().map(|c| c.min_t).unwrap_or(series.open_min_t).min(series.disk_min_t);
                let first = series.ooo.first().map_or(first, |(t, _)| first.min(*t));
                new_min = new_min.min(first.max(cut));
            }
        }
        if !dead.is_empty() {
            idx.postings.remove(&dead);
            idx.by_fingerprint.retain(|_, id| dead.binary_search(id).is_err());
            idx.collisions.retain(|_, ids| {
                ids.retain(|id| dead.binary_search(id).is_err());
                !ids.is_empty()
            });
            idx.live -= dead.len();
            self.counters.series_removed.add(dead.len() as u64);
        }
        if let Some(d) = &self.disk {
            d.truncate(cut);
        }
        // Interned strings no other series uses can go too.
        idx.interned.retain(|s| Arc::strong_count(s) > 1);
        self.min_t.store(new_min, Ordering::Relaxed);
        dead
    }

    pub fn is_live(&self, id: u64) -> bool {
        u32::try_from(id).ok().is_some_and(|id| read(&self.index).get(id).is_some())
    }

    pub fn num_series(&self) -> usize {
        read(&self.index).live
    }

    /// Oldest and newest sample time in the head (`None` when empty).
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let (lo, hi) = (self.min_t.load(Ordering::Relaxed), self.max_t.load(Ordering::Relaxed));
        (lo <= hi).then_some((lo, hi))
    }

    pub fn min_valid(&self) -> i64 {
        self.min_valid.load(Ordering::Relaxed)
    }

    pub(crate) fn set_min_valid(&self, t: i64) {
        self.min_valid.fetch_max(t, Ordering::Relaxed);
    }

    /// Raises the oldest writable time once in-flight appends have finished, so that no append
    /// that started before can still write below `t`.
    pub(crate) fn set_min_valid_locked(&self, t: i64) {
        let _g = lock(&self.append_lock);
        self.min_valid.fetch_max(t, Ordering::Relaxed);
    }

    /// Approximate bytes held by chunk data (for `/metrics`).
    pub fn chunk_bytes(&self) -> usize {
        let idx = read(&self.index);
        idx.series.iter().flatten().map(|s| lock(&s.data).heap_bytes()).sum()
    }

    /// The head's chunk files, for reading snapshots.
    pub fn disk(&self) -> Option<&ChunkDisk> {
        self.disk.as_ref()
    }

    pub fn postings_stats(&self) -> Vec<(String, usize)> {
        let idx = read(&self.index);
        idx.postings.names().map(|n| (n.to_string(), idx.postings.num_values(n))).collect()
    }

    /// Counts of series per label pair and per metric name (for `vigil tsdb analyze`).
    pub fn with_postings<R>(&self, f: impl FnOnce(&MemPostings) -> R) -> R {
        f(&read(&self.index).postings)
    }
}
