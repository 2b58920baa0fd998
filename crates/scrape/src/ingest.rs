//! Turning one scrape body into TSDB appends, with Prometheus's per-target semantics: the
//! series cache (raw series text → final labels and series id), target labels and
//! `honor_labels` conflicts, `metric_relabel_configs`, limits, staleness markers for series
//! that vanished, and the synthetic `up` / `scrape_*` series. Synchronous, so it can run on a
//! blocking thread and be tested with a plain `Db`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use exposition::{Entry, Format, MetricType, Parser};
use tsdb::Db;
use tsdb::head::SeriesInput;

use crate::config::{Job, Limits};
use crate::relabel::{LabelSet, RelabelConfig, process};

/// Why a scrape's body was not stored; the text becomes the target's `lastError`, as
/// Prometheus words it.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Parse(exposition::ParseError),
    #[error("sample limit exceeded (limit: {0})")]
    SampleLimit(u64),
    #[error("label_limit exceeded (metric: {metric}, number of labels: {labels}, limit: {limit})")]
    LabelLimit { metric: String, labels: usize, limit: u64 },
    #[error(
        "label_name_length_limit exceeded (metric: {metric}, label name: {name}, length: {}, limit: {limit})",
        name.len()
    )]
    LabelNameLength { metric: String, name: String, limit: u64 },
    #[error(
        "label_value_length_limit exceeded (metric: {metric}, label name: {name}, value: {value:?}, length: {}, limit: {limit})",
        value.len()
    )]
    LabelValueLength { metric: String, name: String, value: String, limit: u64 },
    #[error("cannot store {what}: {source}")]
    Store { what: &'static str, source: tsdb::Error },
}

/// Final labels of a series, sorted by name, `__name__` included. The strings are interned
/// per target: names and many values (job, instance, cpu, mode, …) repeat across series.
pub type SeriesLabels = Arc<[(Arc<str>, Arc<str>)]>;

/// Help, type and unit of one metric family as the target exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub kind: MetricType,
    pub help: String,
    pub unit: String,
}

/// A kept series: its final labels, their fingerprint, and the TSDB id once known.
struct KeptSeries {
    labels: SeriesLabels,
    fingerprint: u64,
    /// `u32::MAX` until the first append returns an id.
    id: AtomicU32,
    /// The last scrape whose body had this series (for sweeping the cache).
    last_iter: AtomicU64,
    /// The last scrape that appended it without an explicit timestamp (for staleness).
    current_iter: AtomicU64,
}

impl KeptSeries {
    fn hint(&self) -> Option<u32> {
        let id = self.id.load(Ordering::Relaxed);
        (id != u32::MAX).then_some(id)
    }
}

/// What became of one raw series text. Shared between the lookup map and the scrape-order
/// list, so a hit in either updates the same `last_iter`.
#[derive(Clone)]
enum Cached {
    Keep(Arc<KeptSeries>),
    /// Dropped by metric relabelling; holds its `last_iter`.
    Dropped(Arc<AtomicU64>),
}

impl Cached {
    fn touch(&self, iter: u64) {
        match self {
            Cached::Keep(k) => k.last_iter.store(iter, Ordering::Relaxed),
            Cached::Dropped(d) => d.store(iter, Ordering::Relaxed),
        }
    }

    fn last_iter(&self) -> u64 {
        match self {
            Cached::Keep(k) => k.last_iter.load(Ordering::Relaxed),
            Cached::Dropped(d) => d.load(Ordering::Relaxed),
        }
    }
}

/// How one scrape went, for the synthetic series and the status page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Samples in the body (before relabelling): `scrape_samples_scraped`.
    pub scraped: u64,
    /// Samples kept by metric relabelling: `scrape_samples_post_metric_relabeling`.
    pub post_relabel: u64,
    /// Series new to this target's cache: `scrape_series_added`.
    pub series_added: u64,
    /// Samples the TSDB refused (out of order, duplicates with other values, too old).
    pub rejected: u64,
}

/// The per-target state that survives from one scrape to the next.
pub struct TargetIngest {
    target_labels: Vec<(String, String)>,
    honor_labels: bool,
    honor_timestamps: bool,
    limits: Limits,
    metric_relabel: Vec<RelabelConfig>,
    cache: HashMap<Arc<[u8]>, Cached>,
    /// The previous successful scrape's series in body order. Targets almost always expose
    /// the same series in the same order, so comparing with the entry at the same position
    /// (memory read in sequence) replaces most hash lookups.
    order: Vec<(Arc<[u8]>, Cached)>,
    /// Hash of the previous body's HELP/TYPE/UNIT lines (`None` before the first): the
    /// metadata map is rebuilt only when it changes.
    metadata_hash: Option<u64>,
    iter: u64,
    /// Series appended (without explicit timestamps) by the previous successful scrape.
    previous: Vec<Arc<KeptSeries>>,
    /// Shared with the status page; replaced only when the target's metadata changes.
    metadata: Arc<BTreeMap<String, Metadata>>,
    report_ids: [Option<u32>; 5],
    /// Label sets of the report series, built at the first report.
    report_labels: Vec<Vec<(String, String)>>,
    /// One copy of each label name and value used by this target's cached series.
    strings: HashSet<Arc<str>>,
}

/// Names of the synthetic series, in the order `report` writes them.
pub const REPORT_SERIES: [&str; 5] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
];

impl TargetIngest {
    pub fn new(job: &Job, target_labels: Vec<(String, String)>) -> Self {
        TargetIngest {
            target_labels,
            honor_labels: job.honor_labels,
            honor_timestamps: job.honor_timestamps,
            limits: job.limits,
            metric_relabel: job.metric_relabel_configs.clone(),
            cache: HashMap::new(),
            order: Vec::new(),
            metadata_hash: None,
            iter: 0,
            previous: Vec::new(),
            metadata: Arc::default(),
            report_ids: [None; 5],
            report_labels: Vec::new(),
            strings: HashSet::new(),
        }
    }

    /// Adopts a new job configuration for the same target, keeping the series seen so far
    /// so staleness continues across a reload.
    pub fn reconfigure(&mut self, job: &Job) {
        let relabel_changed = self.metric_relabel != job.metric_relabel_configs
            || self.honor_labels != job.honor_labels
            || self.limits != job.limits;
        self.honor_labels = job.honor_labels;
        self.honor_timestamps = job.honor_timestamps;
        self.limits = job.limits;
        self.metric_relabel = job.metric_relabel_configs.clone();
        if relabel_changed {
            self.cache.clear();
            self.order.clear();
        }
    }

    pub fn metadata(&self) -> &Arc<BTreeMap<String, Metadata>> {
        &self.metadata
    }

    /// Series the previous scrape wrote.
    #[cfg(test)]
    pub(crate) fn previous_series(&self) -> Vec<SeriesLabels> {
        self.previous.iter().map(|k| k.labels.clone()).collect()
    }

    /// Parses `body` and appends it at `ts`. On any error nothing of this body is stored and
    /// the caller must call [`TargetIngest::mark_all_stale`]: a scrape is all or nothing.
    pub fn ingest(
        &mut self,
        db: &Db,
        body: &[u8],
        content_type: Option<&str>,
        ts: i64,
    ) -> Result<IngestReport, IngestError> {
        self.iter += 1;
        let iter = self.iter;
        let mut parser = Parser::new(body, Format::from_content_type(content_type));
        let mut report = IngestReport::default();
        // (series, timestamp, value, tracked for staleness)
        let mut pending: Vec<(Arc<KeptSeries>, i64, f64, bool)> = Vec::with_capacity(self.order.len());
        let mut new_keys: Vec<Arc<[u8]>> = Vec::new();
        let mut meta_entries: Vec<Entry<'_>> = Vec::new();
        let mut meta_hash = xxhash_rust::xxh3::Xxh3::new();
        // Set once this body's order departs from the previous one: from then on every
        // series goes through the map and the new order is collected here.
        let mut new_order: Option<Vec<(Arc<[u8]>, Cached)>> = None;
        let mut pos = 0usize;
        loop {
            let entry = parser.next_entry().map_err(IngestError::Parse);
            let entry = match entry {
                Ok(Some(e)) => e,
                Ok(None) => break,
                Err(e) => {
                    self.forget(&new_keys);
                    return Err(e);
                }
            };
            let s = match entry {
                Entry::Sample(s) => s,
                other => {
                    hash_metadata(&mut meta_hash, &other);
                    meta_entries.push(other);
                    continue;
                }
            };
            report.scraped += 1;
            let explicit = s.timestamp_ms.filter(|_| self.honor_timestamps);
            let at = explicit.unwrap_or(ts);
            let in_order = new_order.is_none() && self.order.get(pos).is_some_and(|(key, _)| key.as_ref() == s.series);
            let cached = if in_order {
                self.order[pos].1.clone()
            } else {
                let list = new_order.get_or_insert_with(|| self.order[..pos.min(self.order.len())].to_vec());
                match self.cache.get_key_value(s.series) {
                    Some((key, c)) => {
                        list.push((key.clone(), c.clone()));
                        c.clone()
                    }
                    None => match self.add_to_cache(s.series) {
                        Ok((key, c)) => {
                            new_keys.push(key.clone());
                            list.push((key, c.clone()));
                            if matches!(c, Cached::Keep(_)) {
                                report.series_added += 1;
                            }
                            c
                        }
                        Err(e) => {
                            self.forget(&new_keys);
                            return Err(e);
                        }
                    },
                }
            };
            pos += 1;
            cached.touch(iter);
            let Cached::Keep(series) = cached else { continue };
            report.post_relabel += 1;
            if self.limits.sample_limit > 0 && report.post_relabel > self.limits.sample_limit {
                self.forget(&new_keys);
                return Err(IngestError::SampleLimit(self.limits.sample_limit));
            }
            if explicit.is_none() {
                series.current_iter.store(iter, Ordering::Relaxed);
            }
            pending.push((series, at, s.value, explicit.is_none()));
        }
        let current: Vec<Arc<KeptSeries>> = pending.iter().filter(|p| p.3).map(|p| p.0.clone()).collect();
        let inputs: Vec<[(i64, f64); 1]> = pending.iter().map(|p| [(p.1, p.2)]).collect();
        // Staleness: what the previous scrape had and this one lacks. Usually nothing; the
        // fingerprint check keeps a series that only changed its spelling (label order) alive.
        let mut vanished: Vec<Arc<KeptSeries>> =
            self.previous.iter().filter(|k| k.current_iter.load(Ordering::Relaxed) != iter).cloned().collect();
        if !vanished.is_empty() {
            let now_set: HashSet<u64> = current.iter().map(|k| k.fingerprint).collect();
            vanished.retain(|k| !now_set.contains(&k.fingerprint));
        }
        let stale = [(ts, f64::from_bits(tsdb::STALE_NAN_BITS))];
        let mut batch: Vec<SeriesInput<'_, Arc<str>>> = pending
            .iter()
            .zip(inputs.iter())
            .map(|(p, sample)| SeriesInput { labels: &p.0.labels, samples: sample, hint: p.0.hint() })
            .collect();
        for k in &vanished {
            batch.push(SeriesInput { labels: &k.labels, samples: &stale, hint: k.hint() });
        }
        let outcome = match db.append(&batch) {
            Ok(o) => o,
            Err(e) => {
                self.forget(&new_keys);
                return Err(IngestError::Store { what: "samples", source: e });
            }
        };
        report.rejected = outcome.rejected as u64;
        for (p, id) in pending.iter().zip(outcome.ids.iter()) {
            if let Some(id) = id {
                p.0.id.store(*id, Ordering::Relaxed);
            }
        }
        self.previous = current;
        match new_order {
            Some(list) => self.order = list,
            None => self.order.truncate(pos),
        }
        let meta_hash = Some(meta_hash.digest());
        if meta_hash != self.metadata_hash {
            self.metadata_hash = meta_hash;
            self.metadata = Arc::new(build_metadata(meta_entries));
        }
        self.sweep();
        Ok(report)
    }

    /// After a failed scrape: every series of the previous scrape becomes stale at `ts`.
    pub fn mark_all_stale(&mut self, db: &Db, ts: i64) -> Result<(), IngestError> {
        let stale = [(ts, f64::from_bits(tsdb::STALE_NAN_BITS))];
        let previous = std::mem::take(&mut self.previous);
        let batch: Vec<SeriesInput<'_, Arc<str>>> =
            previous.iter().map(|k| SeriesInput { labels: &k.labels, samples: &stale, hint: k.hint() }).collect();
        if batch.is_empty() {
            return Ok(());
        }
        db.append(&batch).map(|_| ()).map_err(|source| IngestError::Store { what: "staleness markers", source })
    }

    /// Writes `up` and the `scrape_*` series for one scrape at `ts`.
    pub fn report(&mut self, db: &Db, ts: i64, up: bool, duration_s: f64, r: &IngestReport) -> Result<(), IngestError> {
        let values =
            [if up { 1.0 } else { 0.0 }, duration_s, r.scraped as f64, r.post_relabel as f64, r.series_added as f64];
        self.write_report(db, ts, values)
    }

    /// End of a target: its series and its report series become stale at `ts`.
    pub fn end_of_run_staleness(&mut self, db: &Db, ts: i64) -> Result<(), IngestError> {
        self.mark_all_stale(db, ts)?;
        self.write_report(db, ts, [f64::from_bits(tsdb::STALE_NAN_BITS); 5])
    }

    fn write_report(&mut self, db: &Db, ts: i64, values: [f64; 5]) -> Result<(), IngestError> {
        if self.report_labels.is_empty() {
            self.report_labels = REPORT_SERIES
                .iter()
                .map(|name| {
                    let mut l: Vec<(String, String)> = self.target_labels.clone();
                    l.push(("__name__".into(), name.to_string()));
                    l.sort();
                    l
                })
                .collect();
        }
        let label_sets = &self.report_labels;
        let samples: Vec<[(i64, f64); 1]> = values.iter().map(|v| [(ts, *v)]).collect();
        let batch: Vec<SeriesInput<'_, String>> = label_sets
            .iter()
            .zip(samples.iter())
            .zip(self.report_ids.iter())
            .map(|((labels, s), id)| SeriesInput { labels, samples: s, hint: *id })
            .collect();
        let outcome = db.append(&batch).map_err(|source| IngestError::Store { what: "scrape report", source })?;
        for (slot, id) in self.report_ids.iter_mut().zip(outcome.ids) {
            *slot = id;
        }
        Ok(())
    }

    /// Parses a series seen for the first time and caches what becomes of it.
    fn add_to_cache(&mut self, raw: &[u8]) -> Result<(Arc<[u8]>, Cached), IngestError> {
        let mut pairs = Vec::new();
        let name = exposition::parse_series(raw, &mut pairs).map_err(IngestError::Parse)?;
        let mut set = LabelSet::new();
        set.insert("__name__".into(), name.into_owned());
        for (k, v) in pairs {
            set.insert(k.into_owned(), v.into_owned());
        }
        let key: Arc<[u8]> = raw.into();
        let Some(final_labels) = self.target_series_labels(set) else {
            let c = Cached::Dropped(Arc::new(AtomicU64::new(0)));
            self.cache.insert(key.clone(), c.clone());
            return Ok((key, c));
        };
        self.check_label_limits(&final_labels)?;
        let mut interned = Vec::with_capacity(final_labels.len());
        for (name, value) in final_labels {
            interned.push((self.intern(name), self.intern(value)));
        }
        let labels: SeriesLabels = interned.into();
        let fingerprint = fingerprint(&labels);
        let series = Arc::new(KeptSeries {
            labels,
            fingerprint,
            id: AtomicU32::new(u32::MAX),
            last_iter: AtomicU64::new(0),
            current_iter: AtomicU64::new(0),
        });
        let c = Cached::Keep(series);
        self.cache.insert(key.clone(), c.clone());
        Ok((key, c))
    }

    /// Target labels joined onto the sample's, `honor_labels` rules, then metric relabelling.
    fn target_series_labels(&self, mut set: LabelSet) -> Option<LabelSet> {
        if self.honor_labels {
            for (k, v) in &self.target_labels {
                if set.get(k).is_none_or(|x| x.is_empty()) {
                    set.insert(k.clone(), v.clone());
                }
            }
        } else {
            let mut conflicts: Vec<(String, String)> = Vec::new();
            for (k, v) in &self.target_labels {
                if let Some(existing) = set.get(k).filter(|x| !x.is_empty()) {
                    conflicts.push((k.clone(), existing.clone()));
                }
                set.insert(k.clone(), v.clone());
            }
            conflicts.sort_by_key(|(k, _)| k.len());
            for (k, v) in conflicts {
                let mut name = k;
                loop {
                    name = format!("exported_{name}");
                    if set.get(&name).is_none_or(|x| x.is_empty()) {
                        set.insert(name, v);
                        break;
                    }
                }
            }
        }
        set.retain(|_, v| !v.is_empty());
        if self.metric_relabel.is_empty() { Some(set) } else { process(set, &self.metric_relabel) }
    }

    fn check_label_limits(&self, labels: &LabelSet) -> Result<(), IngestError> {
        let l = &self.limits;
        let metric = labels.get("__name__").map(String::as_str).unwrap_or("");
        let metric: String = metric.chars().take(50).collect();
        if l.label_limit > 0 && labels.len() as u64 > l.label_limit {
            return Err(IngestError::LabelLimit { metric, labels: labels.len(), limit: l.label_limit });
        }
        for (name, value) in labels {
            if l.label_name_length_limit > 0 && name.len() as u64 > l.label_name_length_limit {
                return Err(IngestError::LabelNameLength {
                    metric,
                    name: name.clone(),
                    limit: l.label_name_length_limit,
                });
            }
            if l.label_value_length_limit > 0 && value.len() as u64 > l.label_value_length_limit {
                return Err(IngestError::LabelValueLength {
                    metric,
                    name: name.clone(),
                    value: value.clone(),
                    limit: l.label_value_length_limit,
                });
            }
        }
        Ok(())
    }

    fn intern(&mut self, s: String) -> Arc<str> {
        if let Some(shared) = self.strings.get(s.as_str()) {
            return shared.clone();
        }
        let shared: Arc<str> = s.into();
        self.strings.insert(shared.clone());
        shared
    }

    /// A failed scrape must not leave new cache entries that claim "seen before".
    fn forget(&mut self, keys: &[Arc<[u8]>]) {
        for k in keys {
            self.cache.remove(k.as_ref());
        }
    }

    /// Drops cache entries not seen for a while, so label churn does not grow memory forever.
    fn sweep(&mut self) {
        let iter = self.iter;
        if !iter.is_multiple_of(10) {
            return;
        }
        self.cache.retain(|_, c| iter - c.last_iter() <= 10);
        // Strings only the interner still holds belonged to swept or forgotten series.
        self.strings.retain(|s| Arc::strong_count(s) > 1);
    }

    /// Number of cached series.
    #[cfg(test)]
    pub(crate) fn cached_series(&self) -> usize {
        self.cache.len()
    }
}

fn fingerprint(labels: &[(Arc<str>, Arc<str>)]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (k, v) in labels {
        h.update(k.as_bytes());
        h.update(&[0xff]);
        h.update(v.as_bytes());
        h.update(&[0xfe]);
    }
    h.digest()
}

/// Feeds one HELP/TYPE/UNIT entry into the metadata hash.
fn hash_metadata(h: &mut xxhash_rust::xxh3::Xxh3, entry: &Entry<'_>) {
    let (tag, metric, text): (u8, &str, &str) = match entry {
        Entry::Help { metric, text } => (1, metric, text),
        Entry::Type { metric, kind } => (2, metric, kind.as_str()),
        Entry::Unit { metric, unit } => (3, metric, unit),
        Entry::Sample(_) => return,
    };
    h.update(&[tag]);
    h.update(metric.as_bytes());
    h.update(&[0xff]);
    h.update(text.as_bytes());
    h.update(&[0xfe]);
}

/// The metadata map of one body's HELP/TYPE/UNIT entries.
fn build_metadata(entries: Vec<Entry<'_>>) -> BTreeMap<String, Metadata> {
    let mut meta = BTreeMap::new();
    for entry in entries {
        match entry {
            Entry::Help { metric, text } => meta_entry(&mut meta, metric).help = text.into_owned(),
            Entry::Type { metric, kind } => meta_entry(&mut meta, metric).kind = kind,
            Entry::Unit { metric, unit } => meta_entry(&mut meta, metric).unit = unit.to_string(),
            Entry::Sample(_) => {}
        }
    }
    meta
}

fn meta_entry<'m>(meta: &'m mut BTreeMap<String, Metadata>, metric: &str) -> &'m mut Metadata {
    meta.entry(metric.to_string()).or_insert_with(|| Metadata {
        kind: MetricType::Unknown,
        help: String::new(),
        unit: String::new(),
    })
}

#[cfg(test)]
mod tests;
