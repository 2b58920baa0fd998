//! Where the engine reads series from.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tsdb::{Labels, Matcher, Sample, Series};

/// A storage failure, passed through to the query's error with its cause intact. Shared, so
/// that [`crate::QueryError`] stays cheap to clone.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct StorageError(#[source] pub Arc<dyn std::error::Error + Send + Sync>);

impl From<tsdb::Error> for StorageError {
    fn from(e: tsdb::Error) -> Self {
        StorageError(Arc::new(e))
    }
}

/// Read access to series. The TSDB implements it; so does [`MemStorage`] for tests.
pub trait Storage: Send + Sync {
    /// Every series matching all matchers, with its samples in `[mint, maxt]` (inclusive,
    /// milliseconds), sorted by labels. Series without samples in range may be omitted.
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, StorageError>;
}

impl Storage for tsdb::Db {
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, StorageError> {
        Ok(tsdb::Db::select(self, matchers, mint, maxt)?)
    }
}

/// An in-memory store: what promqltest `load` commands write into.
#[derive(Debug, Default)]
pub struct MemStorage {
    series: RwLock<BTreeMap<Labels, Vec<Sample>>>,
}

impl MemStorage {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds samples to a series; a sample at an existing timestamp replaces the old one.
    pub fn add(&self, labels: Labels, samples: impl IntoIterator<Item = Sample>) {
        let mut map = self.series.write().unwrap_or_else(|p| p.into_inner());
        let run = map.entry(labels).or_default();
        run.extend(samples);
        run.sort_by_key(|s| s.t);
        // Keep the last written sample for each timestamp.
        let mut dedup: Vec<Sample> = Vec::with_capacity(run.len());
        for s in run.drain(..) {
            match dedup.last_mut() {
                Some(last) if last.t == s.t => *last = s,
                _ => dedup.push(s),
            }
        }
        *run = dedup;
    }

    /// Removes everything (promqltest `clear`).
    pub fn clear(&self) {
        self.series.write().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

impl Storage for MemStorage {
    fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Result<Vec<Series>, StorageError> {
        let map = self.series.read().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for (labels, samples) in map.iter() {
            if !matchers.iter().all(|m| m.matches_labels(labels)) {
                continue;
            }
            let lo = samples.partition_point(|s| s.t < mint);
            let hi = samples.partition_point(|s| s.t <= maxt);
            if lo < hi {
                out.push(Series { labels: labels.clone(), samples: samples[lo..hi].to_vec() });
            }
        }
        Ok(out)
    }
}
