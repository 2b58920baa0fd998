//! `vigil tsdb dump` and `vigil tsdb analyze`: read a data directory without changing it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use anyhow::{Context, Result, bail};
use tsdb::{Db, Labels, Options};

use crate::cli::{AnalyzeArgs, DumpArgs};

fn open_read_only(path: &std::path::Path) -> Result<Db> {
    if !path.exists() {
        bail!("data directory {} does not exist (--storage.path)", path.display());
    }
    let opts = Options { read_only: true, ..Options::default() };
    Db::open(path, opts, |_| {}).with_context(|| format!("cannot open {} read-only", path.display()))
}

pub fn dump(args: DumpArgs) -> Result<()> {
    let mint = args.min_time.as_deref().map(parse_time).transpose()?.unwrap_or(i64::MIN);
    let maxt = args.max_time.as_deref().map(parse_time).transpose()?.unwrap_or(i64::MAX);
    let selectors: Vec<_> =
        args.matchers.iter().map(|m| crate::selector::parse(m).map_err(anyhow::Error::msg)).collect::<Result<_>>()?;
    let db = open_read_only(&args.storage_path)?;
    let mut seen: HashSet<Labels> = HashSet::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for matchers in selectors {
        for series in db.select(&matchers, mint, maxt)? {
            if !seen.insert(series.labels.clone()) {
                continue;
            }
            let name = series.labels.to_string();
            for s in &series.samples {
                let r = writeln!(out, "{name} {} {}", telemetry::format_float(s.v), s.t);
                if r.is_err() {
                    return Ok(()); // Output closed (e.g. piped into `head`).
                }
            }
        }
    }
    let _ = out.flush();
    Ok(())
}

pub fn analyze(args: AnalyzeArgs) -> Result<()> {
    let db = open_read_only(&args.storage_path)?;
    let stats = db.stats();
    let mut series: HashMap<Labels, ()> = HashMap::new();
    for (labels, _) in db.head().all_sorted() {
        series.insert(labels, ());
    }
    for b in db.block_handles() {
        for id in b.select_ids(&[]) {
            if let Some(l) = b.labels(id) {
                series.insert(l.clone(), ());
            }
        }
    }
    let mut per_metric: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_pair: HashMap<(String, String), usize> = HashMap::new();
    let mut values: HashMap<String, HashSet<String>> = HashMap::new();
    for labels in series.keys() {
        *per_metric.entry(labels.metric_name().to_string()).or_default() += 1;
        for l in labels.iter() {
            *per_pair.entry((l.name.to_string(), l.value.to_string())).or_default() += 1;
            values.entry(l.name.to_string()).or_default().insert(l.value.to_string());
        }
    }
    println!("Data directory: {}", args.storage_path.display());
    println!("Series: {}  (head: {}, blocks: {})", series.len(), stats.head_series, stats.blocks);
    if let (Some(lo), Some(hi)) = (stats.head_min_t, stats.head_max_t) {
        println!("Head time range: {lo} .. {hi} ms");
    }
    println!(
        "Block samples: {}  block bytes: {}  WAL bytes: {}",
        stats.block_samples, stats.block_bytes, stats.wal_bytes
    );
    if stats.block_samples > 0 {
        println!("Bytes per sample in blocks: {:.3}", stats.block_bytes as f64 / stats.block_samples as f64);
    }
    for m in db.blocks() {
        println!(
            "  block {}  [{}, {})  level {}  series {}  samples {}  bytes {}",
            m.name, m.min_time, m.max_time, m.compaction.level, m.stats.series, m.stats.samples, m.stats.bytes
        );
    }
    print_top("Metrics with the most series", per_metric.into_iter().collect(), args.limit);
    print_top("Label names with the most values", values.into_iter().map(|(k, v)| (k, v.len())).collect(), args.limit);
    print_top(
        "Label pairs in the most series",
        per_pair.into_iter().map(|((k, v), n)| (format!("{k}={v:?}"), n)).collect(),
        args.limit,
    );
    Ok(())
}

fn print_top(title: &str, mut rows: Vec<(String, usize)>, limit: usize) {
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!("\n{title}:");
    for (k, n) in rows.into_iter().take(limit) {
        println!("{n:>10} {k}");
    }
}

/// Unix milliseconds, or RFC 3339 (`2026-11-22T10:00:00Z`, optional fraction and offset).
pub fn parse_time(s: &str) -> Result<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    parse_rfc3339(s)
        .with_context(|| format!("invalid time {s:?}: use Unix milliseconds or RFC 3339 like 2026-11-22T10:00:00Z"))
}

fn parse_rfc3339(s: &str) -> Result<i64> {
    // RFC 3339 also allows a space between date and time; the shared parser wants the `T`.
    let normalized = match s.as_bytes().get(10) {
        Some(b' ') => format!("{}T{}", &s[..10], &s[11..]),
        _ => s.to_string(),
    };
    Ok(promconfig::time::parse_rfc3339(&normalized)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1700000000000").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_time("1970-01-01T00:00:01Z").unwrap(), 1000);
        assert_eq!(parse_time("2023-11-14T22:13:20.5Z").unwrap(), 1_700_000_000_500);
        assert_eq!(parse_time("2023-11-14T23:13:20+01:00").unwrap(), 1_700_000_000_000);
        assert!(parse_time("yesterday").is_err());
    }
}
