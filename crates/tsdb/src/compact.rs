//! Compaction: merging adjacent blocks into larger ones, and the plan of which to merge.
//!
//! Level-1 blocks cover one block range (2 h by default). Blocks are merged into aligned ranges
//! three times larger per level (2 h → 6 h → 18 h → …, capped), once the head no longer writes
//! into that range. Blocks sharing a range (for example after a manual flush) merge the same
//! way, with samples of equal timestamps de-duplicated.

use std::path::Path;
use std::sync::Arc;

use crate::block::{Block, BlockMeta, BlockWriter, Compaction, FrameCache, new_block_name};
use crate::error::Result;
use crate::labels::Labels;

/// The range of each level: `base × 3^k`, up to `max`.
pub fn level_ranges(base: i64, max: i64) -> Vec<i64> {
    let mut out = vec![base];
    let mut r = base;
    while r.saturating_mul(3) <= max {
        r *= 3;
        out.push(r);
    }
    out
}

/// Picks the next set of blocks to merge, or `None`. `writable_from` is the oldest time the
/// head still accepts: ranges ending after it are not complete yet.
pub fn plan(metas: &[BlockMeta], ranges: &[i64], writable_from: i64) -> Option<Vec<String>> {
    for &range in ranges {
        let mut groups: std::collections::BTreeMap<i64, Vec<&BlockMeta>> = Default::default();
        for m in metas {
            let start = m.min_time.div_euclid(range) * range;
            if m.max_time <= start.saturating_add(range) {
                groups.entry(start).or_default().push(m);
            }
        }
        for (start, group) in groups {
            let complete = start.saturating_add(range) <= writable_from;
            if group.len() >= 2 && complete {
                return Some(group.iter().map(|m| m.name.clone()).collect());
            }
        }
    }
    None
}

/// Merges `sources` (any order) into one new block under `parent`.
pub fn merge(parent: &Path, sources: &[Arc<Block>]) -> Result<Option<BlockMeta>> {
    let min_time = sources.iter().map(|b| b.meta.min_time).min().unwrap_or(0);
    let max_time = sources.iter().map(|b| b.meta.max_time).max().unwrap_or(0);
    let level = sources.iter().map(|b| b.meta.compaction.level).max().unwrap_or(0) + 1;
    let mut origin: Vec<String> = sources.iter().flat_map(|b| b.meta.compaction.sources.iter().cloned()).collect();
    origin.sort();
    origin.dedup();
    let compaction =
        Compaction { level, sources: origin, parents: sources.iter().map(|b| b.meta.name.clone()).collect() };
    let name = new_block_name(min_time);
    let mut w = BlockWriter::new(parent, &name, min_time, max_time, compaction)?;
    let mut cursors: Vec<u32> = vec![0; sources.len()];
    let mut caches: Vec<FrameCache> = sources.iter().map(|_| FrameCache::default()).collect();
    loop {
        let next: Option<Labels> = sources.iter().zip(&cursors).filter_map(|(b, c)| b.labels(*c)).min().cloned();
        let Some(labels) = next else { break };
        let mut samples: Vec<(i64, f64)> = Vec::new();
        let mut parts = 0;
        for (i, b) in sources.iter().enumerate() {
            if b.labels(cursors[i]) == Some(&labels) {
                samples.extend(b.series_samples(cursors[i], i64::MIN, i64::MAX, &mut caches[i])?);
                cursors[i] += 1;
                parts += 1;
            }
        }
        if parts > 1 {
            samples.sort_by_key(|(t, _)| *t);
            samples.dedup_by_key(|(t, _)| *t);
        }
        w.add_series(&labels, &samples)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::BlockStats;

    fn meta(name: &str, min: i64, max: i64) -> BlockMeta {
        BlockMeta {
            format: "vigil-block".into(),
            version: 1,
            name: name.into(),
            min_time: min,
            max_time: max,
            stats: BlockStats::default(),
            compaction: Compaction::default(),
        }
    }

    #[test]
    fn ranges_grow_by_three() {
        assert_eq!(level_ranges(2, 40), vec![2, 6, 18]);
    }

    #[test]
    fn merges_only_complete_ranges() {
        let ranges = level_ranges(2, 100);
        let metas = vec![meta("a", 0, 2), meta("b", 2, 4), meta("c", 4, 6), meta("d", 6, 8)];
        // Range [0,6) is complete once the head writes from 6 on.
        assert_eq!(plan(&metas, &ranges, 6), Some(vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(plan(&metas, &ranges, 5), None);
    }

    #[test]
    fn overlapping_blocks_in_one_range_merge_first() {
        let ranges = level_ranges(2, 100);
        let metas = vec![meta("a", 0, 1), meta("b", 1, 2), meta("c", 2, 4)];
        assert_eq!(plan(&metas, &ranges, 2), Some(vec!["a".into(), "b".into()]));
    }
}
