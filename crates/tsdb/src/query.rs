//! Query results: series with their samples, merged from the head and the blocks.

use crate::labels::Labels;
use crate::sample::Sample;

/// One series of a selection, with its samples in the requested range sorted by time.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub samples: Vec<Sample>,
}

/// Iterates a series' samples (kept as a named type so that callers do not depend on the
/// storage's vector representation, which may become lazy).
pub type SeriesIter<'a> = std::slice::Iter<'a, Sample>;

impl Series {
    pub fn iter(&self) -> SeriesIter<'_> {
        self.samples.iter()
    }
}

/// Merges sample runs from several sources into one sorted, de-duplicated run. When two
/// sources hold the same timestamp, the first source wins (callers pass the newest first).
pub(crate) fn merge_runs(mut runs: Vec<Vec<(i64, f64)>>) -> Vec<Sample> {
    if runs.len() == 1 {
        return runs.pop().unwrap_or_default().into_iter().map(|(t, v)| Sample { t, v }).collect();
    }
    let mut all: Vec<(i64, usize, f64)> = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    for (src, run) in runs.into_iter().enumerate() {
        all.extend(run.into_iter().map(|(t, v)| (t, src, v)));
    }
    all.sort_by_key(|(t, src, _)| (*t, *src));
    all.dedup_by_key(|(t, _, _)| *t);
    all.into_iter().map(|(t, _, v)| Sample { t, v }).collect()
}
