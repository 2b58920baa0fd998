//! The database: ties the WAL, the head and the blocks together and runs maintenance (cutting
//! the head into blocks, compaction, retention).
//!
//! Directory layout under the storage path: `wal/` (see [`crate::wal`]), `blocks/<name>/` (see
//! [`crate::block`]), `quarantine/` (blocks found corrupt at start-up), and `lock`.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::block::{Block, BlockMeta, BlockWriter, Compaction, new_block_name};
use crate::compact;
use crate::error::{Error, Result};
use crate::head::{AppendOutcome, Head, SeriesInput};
use crate::labels::Labels;
use crate::matcher::Matcher;
use crate::metadata::MetricMetadata;
use crate::query::{Series, merge_runs};
use crate::record::{self, Record};
use crate::wal::{self, Progress, Wal, WalOptions};

/// Two hours: the time range of a level-1 block, as in Prometheus.
pub const DEFAULT_BLOCK_RANGE_MS: i64 = 2 * 3600 * 1000;

/// Storage options; the binary maps its flags onto these.
#[derive(Debug, Clone)]
pub struct Options {
    /// Delete blocks whose data is older than this (0 = keep forever).
    pub retention_ms: i64,
    /// Delete the oldest blocks while blocks + WAL exceed this many bytes (0 = no limit).
    pub retention_bytes: u64,
    pub wal: WalOptions,
    /// Accept samples up to this much older than a series' newest sample (0 = reject).
    pub out_of_order_window_ms: i64,
    pub block_range_ms: i64,
    /// Most active series the head holds; new series beyond it are rejected.
    pub max_series: usize,
    /// Open without locking, repairing or writing anything (for `vigil tsdb` tools).
    pub read_only: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            retention_ms: 15 * 24 * 3600 * 1000,
            retention_bytes: 0,
            wal: WalOptions::default(),
            out_of_order_window_ms: 0,
            block_range_ms: DEFAULT_BLOCK_RANGE_MS,
            max_series: 10_000_000,
            read_only: false,
        }
    }
}

/// Counters of maintenance work, for `/metrics`.
#[derive(Default)]
pub struct DbCounters {
    pub blocks_written: telemetry::Counter,
    pub compactions: telemetry::Counter,
    pub compaction_failures: telemetry::Counter,
    pub blocks_deleted_retention: telemetry::Counter,
    pub blocks_quarantined: telemetry::Counter,
    pub wal_checkpoints: telemetry::Counter,
    pub wal_records_replayed: telemetry::Counter,
    pub wal_write_failures: telemetry::Counter,
}

/// A point-in-time summary, for `/metrics` and `vigil tsdb analyze`.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub head_series: usize,
    pub head_min_t: Option<i64>,
    pub head_max_t: Option<i64>,
    pub blocks: usize,
    pub block_bytes: u64,
    pub block_samples: u64,
    pub wal_bytes: u64,
}

/// What one maintenance pass did.
#[derive(Debug, Default, Clone)]
pub struct MaintenanceReport {
    pub blocks_written: usize,
    pub compactions: usize,
    pub blocks_deleted: usize,
}

type HeadCounterFn = fn(&crate::head::HeadCounters) -> &telemetry::Counter;
type DbCounterFn = fn(&DbCounters) -> &telemetry::Counter;

/// An open database.
pub struct Db {
    dir: PathBuf,
    opts: Options,
    head: Head,
    wal: Option<Wal>,
    blocks: RwLock<Vec<Arc<Block>>>,
    /// Deleted ranges not yet rewritten out of the blocks (see `tombstones`).
    tombstones: RwLock<crate::tombstones::Tombstones>,
    maintenance: Mutex<()>,
    _lock: Option<File>,
    pub counters: DbCounters,
    replay_seconds: AtomicU64,
}

fn rlock<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}
fn wlock<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

impl Db {
    /// Opens (creating if needed) the database at `dir`: loads blocks (quarantining corrupt
    /// ones), replays the WAL into the head reporting progress, and opens the WAL for writing.
    pub fn open(dir: &Path, opts: Options, mut progress: impl FnMut(Progress)) -> Result<Db> {
        let lock = if opts.read_only {
            None
        } else {
            fs::create_dir_all(dir).map_err(Error::io("create storage directory", dir))?;
            let path = dir.join("lock");
            let f = File::create(&path).map_err(Error::io("create lock file", &path))?;
            if f.try_lock().is_err() {
                return Err(Error::Locked(dir.to_path_buf()));
            }
            Some(f)
        };
        let blocks_dir = dir.join("blocks");
        if !opts.read_only {
            fs::create_dir_all(&blocks_dir).map_err(Error::io("create blocks directory", &blocks_dir))?;
        }
        let counters = DbCounters::default();
        let blocks = load_blocks(dir, opts.read_only, &counters)?;
        let tombstones = crate::tombstones::Tombstones::load(dir)?;
        let disk =
            if opts.read_only { None } else { Some(crate::head_chunks::ChunkDisk::open(&dir.join("chunks_head"))?) };
        let head = Head::new(opts.out_of_order_window_ms, opts.max_series, disk);
        if let Some(max) = blocks.iter().map(|b| b.meta.max_time).max() {
            head.set_min_valid(max);
        }
        let started = Instant::now();
        let wal_dir = dir.join("wal");
        let (stats, skipped) = replay_wal(&wal_dir, !opts.read_only, &head, &counters, &mut progress)?;
        if skipped > 0 {
            tracing::info!(skipped, "WAL samples not replayed (already in blocks or for unknown series)");
        }
        let elapsed = started.elapsed();
        tracing::info!(
            files = stats.files,
            records = stats.records,
            series = head.num_series(),
            seconds = elapsed.as_secs_f64(),
            "WAL replay finished"
        );
        let wal = if opts.read_only { None } else { Some(Wal::open(&wal_dir, opts.wal.clone())?) };
        Ok(Db {
            dir: dir.to_path_buf(),
            opts,
            head,
            wal,
            blocks: RwLock::new(blocks),
            tombstones: RwLock::new(tombstones),
            maintenance: Mutex::new(()),
            _lock: lock,
            counters,
            replay_seconds: AtomicU64::new(elapsed.as_secs_f64().to_bits()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    pub fn replay_seconds(&self) -> f64 {
        f64::from_bits(self.replay_seconds.load(Ordering::Relaxed))
    }

    /// Appends a batch and makes it durable (per the fsync policy) before returning. Samples
    /// that cannot be stored are counted in the outcome with the first error; the rest are
    /// stored. An `Err` means nothing in the batch may be assumed durable.
    pub fn append<S: AsRef<str>>(&self, batch: &[SeriesInput<'_, S>]) -> Result<AppendOutcome> {
        let wal = self.wal.as_ref().ok_or(Error::ReadOnly)?;
        let (mut outcome, guard) = self.head.append(batch);
        if !outcome.wal.is_empty() {
            let records: Vec<(u8, &[u8])> = outcome.wal.iter().map(|(t, b)| (*t, b.as_slice())).collect();
            if let Err(e) = wal.log(&records) {
                self.counters.wal_write_failures.inc();
                return Err(e);
            }
        }
        drop(guard);
        outcome.wal.clear();
        Ok(outcome)
    }

    /// Records metric metadata (logged only when it changed).
    pub fn set_metadata(&self, entries: Vec<(String, MetricMetadata)>) -> Result<()> {
        let wal = self.wal.as_ref().ok_or(Error::ReadOnly)?;
        let changed = self.head.set_metadata(entries);
        if !changed.is_empty() {
            wal.log_records(&[Record::Metadata(changed)])?;
        }
        Ok(())
    }

    pub fn metadata(&self) -> std::collections::HashMap<String, MetricMetadata> {
        self.head.metadata()
    }

    /// Syncs the WAL (the interval policy's background tick calls this).
    pub fn sync_wal(&self) -> Result<()> {
        self.wal.as_ref().map_or(Ok(()), |w| w.sync())
    }

    fn blocks_in(&self, mint: i64, maxt: i64) -> Vec<Arc<Block>> {
        rlock(&self.blocks).iter().filter(|b| b.overlaps(mint, maxt)).cloned().collect()
    }

    /// All series matching every matcher with their samples in `[mint, maxt]`, sorted by
    /// labels. Safe to call concurrently with appends and maintenance.
    pub fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>> {
        let mut merged: BTreeMap<Labels, Vec<Vec<(i64, f64)>>> = BTreeMap::new();
        // Head first: on a timestamp present twice, the newest source wins.
        let ids = self.head.select_ids(matchers);
        for snap in self.head.snapshot(&ids, mint, maxt) {
            let samples = snap.samples(mint, maxt, self.head.disk());
            if !samples.is_empty() {
                merged.entry(snap.labels.clone()).or_default().push(samples);
            }
        }
        let mut blocks = self.blocks_in(mint, maxt);
        blocks.sort_by_key(|b| std::cmp::Reverse(b.meta.max_time));
        for b in blocks {
            let ids = b.select_ids(matchers);
            match b.read(&ids, mint, maxt) {
                Ok(found) => {
                    for (labels, samples) in found {
                        merged.entry(labels).or_default().push(samples);
                    }
                }
                Err(e) => tracing::error!(block = %b.dir.display(), error = %e, "skipping unreadable block in query"),
            }
        }
        let tombstones = rlock(&self.tombstones);
        Ok(merged
            .into_iter()
            .filter_map(|(labels, runs)| {
                let mut samples = merge_runs(runs);
                if !tombstones.is_empty() {
                    let deleted = tombstones.ranges_for(&labels);
                    if !deleted.is_empty() {
                        samples.retain(|s| !deleted.iter().any(|(lo, hi)| s.t >= *lo && s.t <= *hi));
                        if samples.is_empty() {
                            return None;
                        }
                    }
                }
                Some(Series { labels, samples })
            })
            .collect())
    }

    /// Deletes the samples of series matching `matchers` in `[mint, maxt]`: records a
    /// tombstone durably (reads hide the data from now on) for `clean_tombstones` to apply.
    pub fn delete_series(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<()> {
        if self.wal.is_none() {
            return Err(Error::ReadOnly);
        }
        let mut current = wlock(&self.tombstones);
        let mut next = current.clone();
        next.add(matchers, mint, maxt);
        next.persist(&self.dir)?;
        *current = next;
        Ok(())
    }

    /// Number of deletions not yet applied to the blocks.
    pub fn pending_tombstones(&self) -> usize {
        rlock(&self.tombstones).len()
    }

    /// Applies every tombstone: persists the head into blocks, rewrites each block holding
    /// deleted data without it, and forgets the applied tombstones. Returns the number of
    /// blocks rewritten.
    pub fn clean_tombstones(&self) -> Result<usize> {
        let applied = rlock(&self.tombstones).clone();
        if applied.is_empty() {
            return Ok(0);
        }
        self.flush_head()?;
        let _m = self.maintenance_guard()?;
        let blocks_dir = self.dir.join("blocks");
        let mut rewritten = 0;
        for b in self.block_handles() {
            let touched = applied
                .matchers_overlapping(b.meta.min_time, b.meta.max_time)
                .iter()
                .any(|m| !b.select_ids(m).is_empty());
            if !touched {
                continue;
            }
            let name = new_block_name(b.meta.min_time);
            let mut w =
                BlockWriter::new(&blocks_dir, &name, b.meta.min_time, b.meta.max_time, b.meta.compaction.clone())?;
            let mut cache = crate::block::FrameCache::default();
            for id in 0..b.num_series() as u32 {
                let Some(labels) = b.labels(id) else { continue };
                let mut samples = b.series_samples(id, i64::MIN, i64::MAX, &mut cache)?;
                crate::tombstones::retain_outside(&mut samples, &applied.ranges_for(labels));
                if !samples.is_empty() {
                    w.add_series(labels, &samples)?;
                }
            }
            let replacement = match w.finish()? {
                Some(meta) => Some(Arc::new(Block::open(&blocks_dir.join(&meta.name))?)),
                None => None,
            };
            {
                let mut blocks = wlock(&self.blocks);
                blocks.retain(|x| x.meta.name != b.meta.name);
                if let Some(r) = &replacement {
                    blocks.push(r.clone());
                }
            }
            if let Err(e) = fs::remove_dir_all(&b.dir) {
                tracing::warn!(block = %b.dir.display(), error = %e, "cannot remove block replaced by tombstone clean-up");
            }
            tracing::info!(block = %b.meta.name, "block rewritten without deleted series data");
            rewritten += 1;
        }
        let mut current = wlock(&self.tombstones);
        let mut next = current.clone();
        next.remove_applied(&applied);
        next.persist(&self.dir)?;
        *current = next;
        Ok(rewritten)
    }

    /// Label names of series matching the matchers with data in `[mint, maxt]`, sorted.
    pub fn label_names(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<String>> {
        let mut names = std::collections::BTreeSet::new();
        if self.head_overlaps(mint, maxt) {
            names.extend(self.head.label_names(matchers));
        }
        for b in self.blocks_in(mint, maxt) {
            if matchers.is_empty() {
                names.extend(b.postings().names().map(str::to_string));
            } else {
                for id in b.select_ids(matchers) {
                    if let Some(l) = b.labels(id) {
                        names.extend(l.iter().map(|l| l.name.to_string()));
                    }
                }
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Values of label `name` among series matching the matchers in `[mint, maxt]`, sorted.
    pub fn label_values(&self, name: &str, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<String>> {
        let mut values = std::collections::BTreeSet::new();
        if self.head_overlaps(mint, maxt) {
            values.extend(self.head.label_values(name, matchers));
        }
        for b in self.blocks_in(mint, maxt) {
            if matchers.is_empty() {
                values.extend(b.postings().values(name).map(|(v, _)| v.to_string()));
            } else {
                for id in b.select_ids(matchers) {
                    if let Some(v) = b.labels(id).and_then(|l| l.get(name)) {
                        values.insert(v.to_string());
                    }
                }
            }
        }
        Ok(values.into_iter().collect())
    }

    fn head_overlaps(&self, mint: i64, maxt: i64) -> bool {
        self.head.time_range().is_some_and(|(lo, hi)| lo <= maxt && hi >= mint)
    }

    /// Metadata of every loaded block, oldest first.
    pub fn blocks(&self) -> Vec<BlockMeta> {
        let mut v: Vec<BlockMeta> = rlock(&self.blocks).iter().map(|b| b.meta.clone()).collect();
        v.sort_by_key(|m| (m.min_time, m.max_time));
        v
    }

    /// Opened blocks (for tools that walk every series).
    pub fn block_handles(&self) -> Vec<Arc<Block>> {
        rlock(&self.blocks).clone()
    }

    pub fn stats(&self) -> Stats {
        let blocks = rlock(&self.blocks);
        let range = self.head.time_range();
        Stats {
            head_series: self.head.num_series(),
            head_min_t: range.map(|r| r.0),
            head_max_t: range.map(|r| r.1),
            blocks: blocks.len(),
            block_bytes: blocks.iter().map(|b| b.meta.stats.bytes).sum(),
            block_samples: blocks.iter().map(|b| b.meta.stats.samples).sum(),
            wal_bytes: self.wal.as_ref().map_or(0, |w| w.disk_size()),
        }
    }

    /// Serialises maintenance work; read-only databases have none.
    fn maintenance_guard(&self) -> Result<std::sync::MutexGuard<'_, ()>> {
        if self.wal.is_none() {
            return Err(Error::ReadOnly);
        }
        Ok(self.maintenance.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// One maintenance pass at wall-clock time `now_ms`: cut full head ranges into blocks,
    /// compact, apply retention. Tests call this with a chosen clock.
    pub fn maintain(&self, now_ms: i64) -> Result<MaintenanceReport> {
        let _m = self.maintenance_guard()?;
        let mut report = MaintenanceReport::default();
        let range = self.opts.block_range_ms;
        while let Some((lo, hi)) = self.head.time_range() {
            if hi - lo < range / 2 * 3 {
                break;
            }
            let start = lo.div_euclid(range) * range;
            report.blocks_written += self.persist_head_range(start, start + range)?;
        }
        report.compactions += self.compact_all()?;
        report.blocks_deleted += self.apply_retention(now_ms)?;
        Ok(report)
    }

    /// Persists the whole head into blocks now (admin flush, benchmarks): full ranges as usual
    /// and the newest partial range up to the newest sample. Afterwards the head accepts only
    /// samples newer than what was flushed.
    pub fn flush_head(&self) -> Result<MaintenanceReport> {
        let _m = self.maintenance_guard()?;
        let mut report = MaintenanceReport::default();
        let range = self.opts.block_range_ms;
        while let Some((lo, hi)) = self.head.time_range() {
            let start = lo.div_euclid(range) * range;
            let end = (start + range).min(hi.saturating_add(1));
            report.blocks_written += self.persist_head_range(start, end)?;
            if end > hi {
                break;
            }
        }
        report.compactions += self.compact_all()?;
        Ok(report)
    }

    /// Writes head data in `[start, end)` to a block, then drops it from the head and the WAL.
    fn persist_head_range(&self, start: i64, end: i64) -> Result<usize> {
        let started = Instant::now();
        // From here on the head rejects samples older than `end`, so nothing can slip into the
        // range between the snapshot below and the truncation.
        self.head.set_min_valid_locked(end);
        let blocks_dir = self.dir.join("blocks");
        let name = new_block_name(start);
        let compaction = Compaction { level: 1, sources: vec![name.clone()], parents: Vec::new() };
        let mut w = BlockWriter::new(&blocks_dir, &name, start, end, compaction)?;
        let all = self.head.all_sorted();
        for batch in all.chunks(1024) {
            let ids: Vec<u32> = batch.iter().map(|(_, id)| *id).collect();
            for snap in self.head.snapshot(&ids, start, end - 1) {
                w.add_series(&snap.labels, &snap.samples(start, end - 1, self.head.disk()))?;
            }
        }
        let written = match w.finish()? {
            Some(meta) => {
                let block = Block::open(&blocks_dir.join(&meta.name))?;
                tracing::info!(
                    block = %meta.name, min_time = start, max_time = end, series = meta.stats.series,
                    samples = meta.stats.samples, bytes = meta.stats.bytes,
                    seconds = started.elapsed().as_secs_f64(), "head range persisted"
                );
                wlock(&self.blocks).push(Arc::new(block));
                self.counters.blocks_written.inc();
                1
            }
            None => 0,
        };
        self.head.truncate(end);
        self.checkpoint_wal(end)?;
        Ok(written)
    }

    fn checkpoint_wal(&self, cut: i64) -> Result<()> {
        let Some(wal) = &self.wal else { return Ok(()) };
        let upto = wal.rotate()?;
        let head = &self.head;
        let stats = wal.checkpoint(upto, |rec| match rec {
            Record::Series(s) => {
                let kept: Vec<_> = s.into_iter().filter(|(id, _)| head.is_live(*id)).collect();
                (!kept.is_empty()).then_some(Record::Series(kept))
            }
            Record::Samples(s) => {
                let kept: Vec<record::RefSample> =
                    s.into_iter().filter(|s| s.t >= cut && head.is_live(s.series)).collect();
                (!kept.is_empty()).then_some(Record::Samples(kept))
            }
            // The current metadata is re-logged below instead of keeping every old version.
            Record::Metadata(_) => None,
        })?;
        let md: Vec<_> = self.head.metadata().into_iter().collect();
        if !md.is_empty() {
            wal.log_records(&[Record::Metadata(md)])?;
        }
        self.counters.wal_checkpoints.inc();
        tracing::debug!(
            records_in = stats.records_in,
            records_out = stats.records_out,
            segments_removed = stats.segments_removed,
            "WAL checkpoint written"
        );
        Ok(())
    }

    fn compact_all(&self) -> Result<usize> {
        let max_range = if self.opts.retention_ms > 0 {
            (self.opts.retention_ms / 10).min(31 * 24 * 3600 * 1000)
        } else {
            31 * 24 * 3600 * 1000
        };
        let ranges = compact::level_ranges(self.opts.block_range_ms, max_range.max(self.opts.block_range_ms));
        let mut done = 0;
        loop {
            let metas = self.blocks();
            let Some(names) = compact::plan(&metas, &ranges, self.head.min_valid()) else { break };
            let sources: Vec<Arc<Block>> =
                rlock(&self.blocks).iter().filter(|b| names.contains(&b.meta.name)).cloned().collect();
            let started = Instant::now();
            let merged = match compact::merge(&self.dir.join("blocks"), &sources) {
                Ok(m) => m,
                Err(e) => {
                    self.counters.compaction_failures.inc();
                    return Err(e);
                }
            };
            let new_block = match merged {
                Some(meta) => Some(Arc::new(Block::open(&self.dir.join("blocks").join(&meta.name))?)),
                None => None,
            };
            {
                let mut blocks = wlock(&self.blocks);
                blocks.retain(|b| !names.contains(&b.meta.name));
                if let Some(b) = &new_block {
                    blocks.push(b.clone());
                }
            }
            for s in &sources {
                if let Err(e) = fs::remove_dir_all(&s.dir) {
                    tracing::warn!(block = %s.dir.display(), error = %e, "cannot remove compacted block");
                }
            }
            if let Some(b) = &new_block {
                tracing::info!(block = %b.meta.name, sources = names.len(), level = b.meta.compaction.level, bytes = b.meta.stats.bytes, seconds = started.elapsed().as_secs_f64(), "blocks compacted");
            }
            self.counters.compactions.inc();
            done += 1;
        }
        Ok(done)
    }

    fn apply_retention(&self, now_ms: i64) -> Result<usize> {
        let mut doomed: Vec<String> = Vec::new();
        let metas = self.blocks();
        if self.opts.retention_ms > 0 {
            let cutoff = now_ms.saturating_sub(self.opts.retention_ms);
            doomed.extend(metas.iter().filter(|m| m.max_time <= cutoff).map(|m| m.name.clone()));
        }
        if self.opts.retention_bytes > 0 {
            let wal_bytes = self.wal.as_ref().map_or(0, |w| w.disk_size());
            let mut total: u64 =
                wal_bytes + metas.iter().filter(|m| !doomed.contains(&m.name)).map(|m| m.stats.bytes).sum::<u64>();
            for m in &metas {
                if total <= self.opts.retention_bytes {
                    break;
                }
                if !doomed.contains(&m.name) {
                    total = total.saturating_sub(m.stats.bytes);
                    doomed.push(m.name.clone());
                }
            }
        }
        if doomed.is_empty() {
            return Ok(0);
        }
        let removed: Vec<Arc<Block>> = {
            let mut blocks = wlock(&self.blocks);
            let (gone, kept): (Vec<_>, Vec<_>) = blocks.drain(..).partition(|b| doomed.contains(&b.meta.name));
            *blocks = kept;
            gone
        };
        for b in &removed {
            tracing::info!(block = %b.meta.name, max_time = b.meta.max_time, "deleting block past retention");
            fs::remove_dir_all(&b.dir).map_err(Error::io("remove block", &b.dir))?;
            self.counters.blocks_deleted_retention.inc();
        }
        Ok(removed.len())
    }

    /// Syncs the WAL; called on graceful shutdown.
    pub fn close(&self) -> Result<()> {
        self.sync_wal()
    }

    /// Registers the storage metrics on `registry`.
    pub fn register_metrics(self: &Arc<Self>, registry: &telemetry::Registry) {
        let db = self.clone();
        registry.counter_fn("vigil_tsdb_head_samples_appended_total", "Samples stored in the head.", &[], move || {
            db.head.counters.samples_appended.get() as f64
        });
        let reasons: [(&str, HeadCounterFn); 5] = [
            ("out_of_order", |c| &c.out_of_order),
            ("out_of_bounds", |c| &c.out_of_bounds),
            ("duplicate", |c| &c.duplicates),
            ("invalid_series", |c| &c.invalid_series),
            ("series_limit", |c| &c.series_limit),
        ];
        for (reason, get) in reasons {
            let db = self.clone();
            registry.counter_fn(
                "vigil_tsdb_samples_rejected_total",
                "Samples not stored, by reason.",
                &[("reason", reason)],
                move || get(&db.head.counters).get() as f64,
            );
        }
        let db = self.clone();
        registry.gauge_fn("vigil_tsdb_head_series", "Series in the head.", &[], move || db.head.num_series() as f64);
        let db = self.clone();
        registry.counter_fn("vigil_tsdb_head_series_created_total", "Series created in the head.", &[], move || {
            db.head.counters.series_created.get() as f64
        });
        let db = self.clone();
        registry.counter_fn("vigil_tsdb_head_series_removed_total", "Series removed from the head.", &[], move || {
            db.head.counters.series_removed.get() as f64
        });
        let db = self.clone();
        registry.gauge_fn("vigil_tsdb_blocks_loaded", "Blocks on disk.", &[], move || rlock(&db.blocks).len() as f64);
        let db = self.clone();
        registry.gauge_fn("vigil_tsdb_storage_blocks_bytes", "Bytes of all blocks.", &[], move || {
            rlock(&db.blocks).iter().map(|b| b.meta.stats.bytes).sum::<u64>() as f64
        });
        let db = self.clone();
        registry.gauge_fn("vigil_tsdb_wal_bytes", "Bytes of WAL segments and checkpoints.", &[], move || {
            db.wal.as_ref().map_or(0, |w| w.disk_size()) as f64
        });
        let db = self.clone();
        registry.gauge_fn(
            "vigil_tsdb_wal_replay_duration_seconds",
            "Time the last start-up spent replaying the WAL.",
            &[],
            move || db.replay_seconds(),
        );
        let counters: [(&str, &str, DbCounterFn); 7] = [
            ("vigil_tsdb_blocks_written_total", "Blocks cut from the head.", |c| &c.blocks_written),
            ("vigil_tsdb_compactions_total", "Block merges.", |c| &c.compactions),
            ("vigil_tsdb_compactions_failed_total", "Block merges that failed.", |c| &c.compaction_failures),
            ("vigil_tsdb_retention_blocks_deleted_total", "Blocks deleted by retention.", |c| {
                &c.blocks_deleted_retention
            }),
            ("vigil_tsdb_blocks_quarantined_total", "Corrupt blocks moved to quarantine at start-up.", |c| {
                &c.blocks_quarantined
            }),
            ("vigil_tsdb_wal_checkpoints_total", "WAL checkpoints written.", |c| &c.wal_checkpoints),
            ("vigil_tsdb_wal_write_failures_total", "WAL writes that failed (the write was refused).", |c| {
                &c.wal_write_failures
            }),
        ];
        for (name, help, get) in counters {
            let db = self.clone();
            registry.counter_fn(name, help, &[], move || get(&db.counters).get() as f64);
        }
    }
}

/// Replays the WAL into the head. Reading and decoding happen on this thread; samples are
/// applied by worker threads, each owning the series whose id falls in its shard, so the
/// order of every series' samples is kept while the (memory-latency bound) appends run in
/// parallel. Series and metadata records are applied here, before any later sample is sent.
fn replay_wal(
    wal_dir: &Path,
    repair: bool,
    head: &Head,
    counters: &DbCounters,
    progress: &mut impl FnMut(Progress),
) -> Result<(wal::ReplayStats, usize)> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    std::thread::scope(|scope| {
        let mut senders = Vec::with_capacity(workers);
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<record::RefSample>>(8);
            senders.push(tx);
            handles.push(scope.spawn(move || rx.iter().map(|batch| head.replay_samples(&batch)).sum::<usize>()));
        }
        let stats = wal::replay(
            wal_dir,
            repair,
            |rec| {
                counters.wal_records_replayed.inc();
                match rec {
                    Record::Series(series) => {
                        for (id, labels) in series {
                            if let Err(e) = head.replay_series(id, &labels) {
                                tracing::warn!(series = %labels, error = %e, "skipping invalid series in WAL");
                            }
                        }
                    }
                    Record::Samples(samples) => {
                        let mut shards: Vec<Vec<record::RefSample>> = vec![Vec::new(); workers];
                        for s in samples {
                            shards[(s.series % workers as u64) as usize].push(s);
                        }
                        for (tx, shard) in senders.iter().zip(shards) {
                            if !shard.is_empty() {
                                // A worker only stops early by panicking; that surfaces at join.
                                let _ = tx.send(shard);
                            }
                        }
                    }
                    Record::Metadata(md) => {
                        head.set_metadata(md);
                    }
                }
                Ok(())
            },
            progress,
        );
        drop(senders);
        let skipped = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
        stats.map(|s| (s, skipped))
    })
}

/// Opens every block under `dir/blocks`, removing leftovers of interrupted writes and
/// compactions and moving corrupt blocks to `dir/quarantine` (read-only: just skipping them).
fn load_blocks(dir: &Path, read_only: bool, counters: &DbCounters) -> Result<Vec<Arc<Block>>> {
    let blocks_dir = dir.join("blocks");
    let mut dirs = Vec::new();
    if let Ok(rd) = fs::read_dir(&blocks_dir) {
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(".tmp-") {
                if !read_only {
                    let _ = fs::remove_dir_all(entry.path());
                }
                continue;
            }
            if entry.path().is_dir() {
                dirs.push(entry.path());
            }
        }
    }
    // Blocks superseded by a finished compaction whose sources were not yet deleted.
    let mut superseded = std::collections::HashSet::new();
    for d in &dirs {
        if let Ok(meta) = crate::block::read_meta(d) {
            superseded.extend(meta.compaction.parents);
        }
    }
    let mut blocks = Vec::new();
    for d in dirs {
        let name = d.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if superseded.contains(&name) {
            if !read_only {
                tracing::info!(block = %name, "removing block already merged into another");
                let _ = fs::remove_dir_all(&d);
            }
            continue;
        }
        match Block::open(&d) {
            Ok(b) => blocks.push(Arc::new(b)),
            Err(e) if read_only => tracing::warn!(block = %d.display(), error = %e, "skipping unreadable block"),
            Err(e @ Error::Io { .. })
                if matches!(&e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
                    && !d.exists() =>
            {
                tracing::warn!(block = %d.display(), "block vanished while loading");
            }
            Err(e) => {
                let qdir = dir.join("quarantine");
                fs::create_dir_all(&qdir).map_err(Error::io("create quarantine directory", &qdir))?;
                let dst = qdir.join(&name);
                tracing::error!(block = %d.display(), error = %e, quarantine = %dst.display(), "corrupt block quarantined; serving the rest");
                fs::rename(&d, &dst).map_err(Error::io("quarantine block", &d))?;
                counters.blocks_quarantined.inc();
            }
        }
    }
    Ok(blocks)
}
