//! Database-level tests: head cuts, compaction and retention driven by an explicit clock,
//! restarts (WAL replay and checkpoints), quarantine, and reads concurrent with writes.

use std::path::Path;
use std::sync::Arc;

use tsdb::head::SeriesInput;
use tsdb::wal::{FsyncPolicy, WalOptions};
use tsdb::{Db, Matcher, Options};

const MIN: i64 = 60_000;

fn opts() -> Options {
    Options {
        block_range_ms: 10 * MIN,
        retention_ms: 60 * MIN,
        wal: WalOptions { fsync: FsyncPolicy::Always, segment_size: 64 << 10 },
        ..Options::default()
    }
}

fn open(dir: &Path, o: Options) -> Db {
    Db::open(dir, o, |_| {}).expect("open db")
}

/// Appends one sample per series per 15 s step in `[from, to)`; value = series * 1000 + step.
fn fill(db: &Db, series: usize, from: i64, to: i64) {
    let names: Vec<String> = (0..series).map(|i| format!("{i:03}")).collect();
    let mut t = from;
    while t < to {
        let labels: Vec<[(String, String); 2]> =
            names.iter().map(|n| [("__name__".to_string(), "m".to_string()), ("s".to_string(), n.clone())]).collect();
        let samples: Vec<[(i64, f64); 1]> = (0..series).map(|i| [(t, value(i, t))]).collect();
        let batch: Vec<SeriesInput<'_, String>> =
            labels.iter().zip(&samples).map(|(l, s)| SeriesInput::new(l, s)).collect();
        let out = db.append(&batch).unwrap();
        assert_eq!(out.rejected, 0, "{:?}", out.first_error);
        t += 15_000;
    }
}

fn value(series: usize, t: i64) -> f64 {
    series as f64 * 1000.0 + (t / 15_000) as f64
}

fn all_samples(db: &Db) -> Vec<(String, i64, f64)> {
    let m = Matcher::equal("__name__", "m");
    db.select(&[m], i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .flat_map(|s| {
            let l = s.labels.to_string();
            s.samples.into_iter().map(move |x| (l.clone(), x.t, x.v))
        })
        .collect()
}

fn check_complete(db: &Db, series: usize, from: i64, to: i64) {
    let got = all_samples(db);
    let steps = ((to - from) / 15_000) as usize;
    assert_eq!(got.len(), series * steps, "sample count");
    for (l, t, v) in got {
        let s: usize = l.split('"').nth(1).unwrap().parse().unwrap();
        assert_eq!(v, value(s, t), "{l} at {t}");
        assert!(t >= from && t < to);
    }
}

#[test]
fn head_cut_compaction_and_retention_follow_the_clock() {
    let tmp = tempfile::tempdir().unwrap();
    // Blocks grow up to a tenth of the retention: 10 h of retention allows 30 min blocks.
    let db = open(tmp.path(), Options { retention_ms: 600 * MIN, ..opts() });
    fill(&db, 20, 0, 25 * MIN);
    // Head spans 25 min >= 1.5 × 10 min: the first range is cut at the next pass.
    let r = db.maintain(25 * MIN).unwrap();
    assert_eq!(r.blocks_written, 1);
    assert_eq!(db.blocks().len(), 1);
    assert_eq!(db.blocks()[0].max_time, 10 * MIN);
    check_complete(&db, 20, 0, 25 * MIN);
    fill(&db, 20, 25 * MIN, 45 * MIN);
    let r = db.maintain(45 * MIN).unwrap();
    assert_eq!(r.blocks_written, 2);
    // [0,10) [10,20) [20,30) fill the level-2 range [0,30): merged into one block.
    assert_eq!(r.compactions, 1);
    let blocks = db.blocks();
    assert_eq!(blocks.len(), 1);
    assert_eq!((blocks[0].min_time, blocks[0].max_time, blocks[0].compaction.level), (0, 30 * MIN, 2));
    check_complete(&db, 20, 0, 45 * MIN);
    // Nothing is past retention yet at "now" = 45 min; at 635 min the [0,30) block is.
    assert_eq!(db.maintain(45 * MIN).unwrap().blocks_deleted, 0);
    let r = db.maintain(635 * MIN).unwrap();
    assert_eq!(r.blocks_deleted, 1);
    assert!(db.blocks().is_empty());
    check_complete(&db, 20, 30 * MIN, 45 * MIN);
}

#[test]
fn size_retention_deletes_oldest_blocks_first() {
    let tmp = tempfile::tempdir().unwrap();
    let db = open(tmp.path(), Options { retention_ms: 0, retention_bytes: 1, ..opts() });
    fill(&db, 5, 0, 35 * MIN);
    let r = db.maintain(0).unwrap();
    assert!(r.blocks_written >= 2);
    assert!(r.blocks_deleted >= 2, "{r:?}");
    assert!(db.blocks().is_empty());
}

#[test]
fn restart_replays_wal_and_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let db = open(tmp.path(), opts());
        fill(&db, 30, 0, 22 * MIN);
        db.maintain(22 * MIN).unwrap(); // cuts [0,10) and checkpoints the WAL
        fill(&db, 30, 22 * MIN, 30 * MIN);
        db.set_metadata(vec![(
            "m".into(),
            tsdb::MetricMetadata { metric_type: tsdb::MetricType::Gauge, help: "h".into(), unit: String::new() },
        )])
        .unwrap();
    }
    let db = open(tmp.path(), opts());
    check_complete(&db, 30, 0, 30 * MIN);
    assert_eq!(db.head().num_series(), 30);
    assert_eq!(db.metadata().get("m").map(|m| m.help.as_str()), Some("h"));
    // Writes continue after replay; samples in persisted ranges are refused as out of bounds.
    fill(&db, 30, 30 * MIN, 31 * MIN);
    let labels = [("__name__".to_string(), "m".to_string()), ("s".to_string(), "000".to_string())];
    let out = db.append(&[SeriesInput::new(&labels, &[(MIN, 1.0)])]).unwrap();
    assert_eq!(out.rejected, 1);
    assert!(out.first_error.unwrap().1.to_string().contains("out of bounds"));
}

#[test]
fn corrupt_block_is_quarantined_and_the_rest_served() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let db = open(tmp.path(), opts());
        fill(&db, 10, 0, 35 * MIN);
        db.maintain(35 * MIN).unwrap();
        assert_eq!(db.blocks().len(), 2);
    }
    let victim = std::fs::read_dir(tmp.path().join("blocks")).unwrap().flatten().next().unwrap().path();
    let chunks = victim.join("chunks");
    let mut data = std::fs::read(&chunks).unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0xff;
    std::fs::write(&chunks, data).unwrap();
    let db = open(tmp.path(), opts());
    assert_eq!(db.blocks().len(), 1);
    assert!(tmp.path().join("quarantine").join(victim.file_name().unwrap()).exists());
    assert_eq!(db.counters.blocks_quarantined.get(), 1);
    assert!(!all_samples(&db).is_empty());
}

#[test]
fn reads_run_concurrently_with_writes_and_maintenance() {
    let tmp = tempfile::tempdir().unwrap();
    let db = Arc::new(open(tmp.path(), Options { wal: WalOptions::default(), ..opts() }));
    let writer = {
        let db = db.clone();
        std::thread::spawn(move || {
            for k in 0..12 {
                fill(&db, 50, k * 5 * MIN, (k + 1) * 5 * MIN);
                db.maintain((k + 1) * 5 * MIN).unwrap();
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() {
        // Every read must be internally consistent: sorted, and values match their times.
        for (l, t, v) in all_samples(&db) {
            let s: usize = l.split('"').nth(1).unwrap().parse().unwrap();
            assert_eq!(v, value(s, t));
        }
        reads += 1;
    }
    writer.join().unwrap();
    assert!(reads > 0);
    check_complete(&db, 50, 0, 60 * MIN);
}

#[test]
fn read_only_open_does_not_modify_and_sees_live_data() {
    let tmp = tempfile::tempdir().unwrap();
    let db = open(tmp.path(), opts());
    fill(&db, 3, 0, 5 * MIN);
    let ro = Db::open(tmp.path(), Options { read_only: true, ..opts() }, |_| {}).unwrap();
    assert_eq!(all_samples(&ro).len(), 3 * 20);
    assert!(matches!(ro.maintain(0), Err(tsdb::Error::ReadOnly)));
    // A second writer is refused while the first holds the lock.
    assert!(matches!(Db::open(tmp.path(), opts(), |_| {}), Err(tsdb::Error::Locked(_))));
}

#[test]
fn flush_persists_everything_and_later_writes_continue() {
    let tmp = tempfile::tempdir().unwrap();
    let db = open(tmp.path(), opts());
    fill(&db, 4, 0, 14 * MIN);
    let r = db.flush_head().unwrap();
    assert_eq!(r.blocks_written, 2);
    assert_eq!(db.head().num_series(), 0);
    fill(&db, 4, 14 * MIN, 16 * MIN);
    check_complete(&db, 4, 0, 16 * MIN);
    // The partial block [10,14) and the next cut of [10,20) share a range and merge later.
    fill(&db, 4, 16 * MIN, 31 * MIN);
    db.maintain(31 * MIN).unwrap();
    check_complete(&db, 4, 0, 31 * MIN);
    let blocks = db.blocks();
    assert!(blocks.windows(2).all(|w| w[0].max_time <= w[1].min_time), "overlapping blocks left: {blocks:?}");
}

#[test]
fn cached_ids_skip_labels_and_stale_ids_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let db = open(tmp.path(), opts());
    let labels = [("__name__".to_string(), "m".to_string()), ("s".to_string(), "x".to_string())];
    let out = db.append(&[SeriesInput::new(&labels, &[(1000, 1.0)])]).unwrap();
    let id = out.ids[0].expect("id of the new series");
    // By id, without labels.
    let none: [(String, String); 0] = [];
    let out = db.append(&[SeriesInput { labels: &none, samples: &[(2000, 2.0)], hint: Some(id) }]).unwrap();
    assert_eq!((out.samples_written, out.stale.len()), (1, 0));
    // An id the head does not have is reported, not guessed.
    let out = db.append(&[SeriesInput { labels: &none, samples: &[(3000, 3.0)], hint: Some(id + 99) }]).unwrap();
    assert_eq!((out.samples_written, out.stale.clone()), (0, vec![0]));
    // With labels, a stale hint falls back to them.
    let out = db.append(&[SeriesInput { labels: &labels, samples: &[(3000, 3.0)], hint: Some(id + 99) }]).unwrap();
    assert_eq!((out.samples_written, out.ids[0]), (1, Some(id)));
    assert_eq!(all_samples(&db).len(), 3);
}

#[test]
fn label_names_and_values_follow_matchers_and_time() {
    let tmp = tempfile::tempdir().unwrap();
    let db = open(tmp.path(), opts());
    let a = [("__name__".to_string(), "up".to_string()), ("job".to_string(), "api".to_string())];
    let b = [
        ("__name__".to_string(), "up".to_string()),
        ("job".to_string(), "db".to_string()),
        ("zone".to_string(), "eu".to_string()),
    ];
    let c = [("__name__".to_string(), "other".to_string()), ("team".to_string(), "x".to_string())];
    let batch = [
        SeriesInput::new(&a[..], &[(1000, 1.0)]),
        SeriesInput::new(&b[..], &[(1000, 1.0)]),
        SeriesInput::new(&c[..], &[(1000, 1.0)]),
    ];
    db.append(&batch).unwrap();
    let all = db.label_names(&[], i64::MIN, i64::MAX).unwrap();
    assert_eq!(all, vec!["__name__", "job", "team", "zone"]);
    let up = db.label_names(&[Matcher::equal("__name__", "up")], i64::MIN, i64::MAX).unwrap();
    assert_eq!(up, vec!["__name__", "job", "zone"]);
    let jobs = db.label_values("job", &[], i64::MIN, i64::MAX).unwrap();
    assert_eq!(jobs, vec!["api", "db"]);
    let m = Matcher::new(tsdb::MatchOp::RegexMatch, "zone", "e.*").unwrap();
    assert_eq!(db.label_values("job", &[m], i64::MIN, i64::MAX).unwrap(), vec!["db"]);
    // Outside the data's time range nothing is returned.
    assert!(db.label_names(&[], 5000, 9000).unwrap().is_empty());
    // Blocks answer too once the head is flushed.
    db.flush_head().unwrap();
    assert_eq!(db.label_values("job", &[], 0, 2000).unwrap(), vec!["api", "db"]);
}

/// Deleted ranges vanish from reads at once, survive a restart as tombstones, and are gone
/// from the blocks after `clean_tombstones`, while everything else stays.
#[test]
fn delete_series_and_clean_tombstones() {
    let tmp = tempfile::tempdir().unwrap();
    let count = |db: &Db, s: &str| -> usize {
        db.select(&[Matcher::equal("s", s)], 0, 60 * MIN).unwrap().iter().map(|x| x.samples.len()).sum()
    };
    {
        let db = open(tmp.path(), opts());
        fill(&db, 3, 0, 30 * MIN); // 120 samples per series; blocks get cut below
        db.maintain(30 * MIN).unwrap();
        assert_eq!(count(&db, "001"), 120);
        db.delete_series(&[Matcher::equal("s", "001")], 5 * MIN, 10 * MIN - 1).unwrap();
        assert_eq!(count(&db, "001"), 100, "5 minutes = 20 samples hidden");
        assert_eq!(count(&db, "000"), 120, "other series untouched");
        assert_eq!(db.pending_tombstones(), 1);
    }
    let db = open(tmp.path(), opts());
    assert_eq!(count(&db, "001"), 100, "the tombstone survives a restart");
    let rewritten = db.clean_tombstones().unwrap();
    assert!(rewritten >= 1, "the block holding the range is rewritten");
    assert_eq!(db.pending_tombstones(), 0);
    assert_eq!(count(&db, "001"), 100);
    assert_eq!(count(&db, "002"), 120);
    drop(db);
    let db = open(tmp.path(), opts());
    assert_eq!(count(&db, "001"), 100, "deleted data is gone from the blocks themselves");
    let kept = db.select(&[Matcher::equal("s", "001")], 5 * MIN, 10 * MIN - 1).unwrap();
    assert!(kept.is_empty(), "{kept:?}");
}
