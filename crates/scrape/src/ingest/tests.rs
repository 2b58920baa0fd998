//! Scrape semantics against a real TSDB: staleness, honor_labels, limits, relabelling, `up`.

use super::*;
use crate::config::{GlobalConfig, ScrapeConfig, resolve_jobs};

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
}

fn db() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), tsdb::Options::default(), |_| {}).unwrap();
    Fixture { _dir: dir, db }
}

fn job(yaml: &str) -> Job {
    let sc: Vec<ScrapeConfig> = serde_saphyr::from_str(yaml).unwrap();
    resolve_jobs(&GlobalConfig::default(), &sc, "t").unwrap().remove(0)
}

fn target_labels() -> Vec<(String, String)> {
    vec![("instance".into(), "h:1".into()), ("job".into(), "j".into())]
}

/// Samples as (labels without __name__, timestamp, value).
type Samples = Vec<(Vec<(String, String)>, i64, f64)>;

/// All samples of the series named `name`.
fn read(db: &Db, name: &str) -> Samples {
    let m = tsdb::Matcher::new(tsdb::MatchOp::Equal, "__name__", name).unwrap();
    let mut out = Vec::new();
    for s in db.select(&[m], i64::MIN, i64::MAX).unwrap() {
        let labels: Vec<(String, String)> = s
            .labels
            .iter()
            .filter(|l| &*l.name != "__name__")
            .map(|l| (l.name.to_string(), l.value.to_string()))
            .collect();
        for smp in s.samples {
            out.push((labels.clone(), smp.t, smp.v));
        }
    }
    out
}

#[test]
fn series_get_target_labels_and_vanished_series_go_stale() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    let r = t.ingest(&f.db, b"a 1\nb{x=\"1\"} 2\n", None, 1000).unwrap();
    assert_eq!((r.scraped, r.post_relabel, r.series_added), (2, 2, 2));
    let r = t.ingest(&f.db, b"a 3\n", None, 2000).unwrap();
    assert_eq!((r.scraped, r.series_added), (1, 0));
    let b = read(&f.db, "b");
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].0, vec![("instance".into(), "h:1".into()), ("job".into(), "j".into()), ("x".into(), "1".into())]);
    assert!(tsdb::is_stale_nan(b[1].2) && b[1].1 == 2000, "b must be stale at the second scrape: {b:?}");
    let a = read(&f.db, "a");
    assert_eq!(a.iter().map(|s| s.2).collect::<Vec<_>>(), vec![1.0, 3.0]);
}

#[test]
fn failed_scrape_marks_everything_stale_and_stores_nothing() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    t.ingest(&f.db, b"a 1\n", None, 1000).unwrap();
    let err = t.ingest(&f.db, b"a 2\nthis is not valid\n", None, 2000).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    t.mark_all_stale(&f.db, 2000).unwrap();
    let a = read(&f.db, "a");
    assert_eq!(a.len(), 2, "{a:?}");
    assert!(tsdb::is_stale_nan(a[1].2));
    // Nothing more to mark after that; the next good scrape brings it back.
    t.ingest(&f.db, b"a 5\n", None, 3000).unwrap();
    assert_eq!(read(&f.db, "a").last().map(|s| s.2), Some(5.0));
}

#[test]
fn conflicting_labels_are_exported_unless_honored() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    t.ingest(&f.db, b"m{job=\"app\",exported_job=\"x\",instance=\"\"} 1\n", None, 1000).unwrap();
    let m = read(&f.db, "m");
    let labels: BTreeMap<_, _> = m[0].0.iter().cloned().collect();
    assert_eq!(labels["job"], "j");
    assert_eq!(labels["exported_exported_job"], "app");
    assert_eq!(labels["exported_job"], "x");
    assert_eq!(labels["instance"], "h:1");

    let mut t = TargetIngest::new(&job("- job_name: j\n  honor_labels: true\n"), target_labels());
    t.ingest(&f.db, b"h{job=\"app\"} 1\n", None, 1000).unwrap();
    let h = read(&f.db, "h");
    let labels: BTreeMap<_, _> = h[0].0.iter().cloned().collect();
    assert_eq!((labels["job"].as_str(), labels["instance"].as_str()), ("app", "h:1"));
}

#[test]
fn explicit_timestamps_are_honoured_and_never_marked_stale() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    t.ingest(&f.db, b"a 1 500\n", None, 1000).unwrap();
    t.ingest(&f.db, b"", None, 2000).unwrap();
    assert_eq!(read(&f.db, "a").iter().map(|s| s.1).collect::<Vec<_>>(), vec![500]);

    let mut t = TargetIngest::new(&job("- job_name: j\n  honor_timestamps: false\n"), target_labels());
    t.ingest(&f.db, b"c 1 500\n", None, 1000).unwrap();
    assert_eq!(read(&f.db, "c")[0].1, 1000);
}

#[test]
fn metric_relabelling_drops_and_rewrites() {
    let f = db();
    let j = job(
        "- job_name: j\n  metric_relabel_configs:\n    - source_labels: [__name__]\n      regex: 'go_.*'\n      action: drop\n    - source_labels: [path]\n      target_label: route\n    - regex: path\n      action: labeldrop\n",
    );
    let mut t = TargetIngest::new(&j, target_labels());
    let r = t.ingest(&f.db, b"go_x 1\nreq{path=\"/a\"} 2\n", None, 1000).unwrap();
    assert_eq!((r.scraped, r.post_relabel), (2, 1));
    assert!(read(&f.db, "go_x").is_empty());
    let req = read(&f.db, "req");
    assert!(req[0].0.contains(&("route".into(), "/a".into())) && !req[0].0.iter().any(|l| l.0 == "path"));
}

#[test]
fn limits_fail_the_whole_scrape() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n  sample_limit: 2\n"), target_labels());
    let err = t.ingest(&f.db, b"a 1\nb 1\nc 1\n", None, 1000).unwrap_err();
    assert!(err.to_string().contains("sample limit exceeded"), "{err}");
    assert!(read(&f.db, "a").is_empty(), "nothing of a failed scrape is stored");

    let mut t = TargetIngest::new(&job("- job_name: j\n  label_limit: 3\n"), target_labels());
    let err = t.ingest(&f.db, b"a{x=\"1\",y=\"2\"} 1\n", None, 1000).unwrap_err();
    assert!(err.to_string().contains("label_limit exceeded (metric: a, number of labels: 5, limit: 3)"), "{err}");

    let mut t = TargetIngest::new(&job("- job_name: j\n  label_value_length_limit: 3\n"), target_labels());
    let err = t.ingest(&f.db, b"a{x=\"long\"} 1\n", None, 1000).unwrap_err();
    assert!(err.to_string().contains("label_value_length_limit exceeded"), "{err}");
}

#[test]
fn report_series_carry_target_labels_and_go_stale_at_the_end() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    let r = t.ingest(&f.db, b"a 1\n", None, 1000).unwrap();
    t.report(&f.db, 1000, true, 0.25, &r).unwrap();
    t.end_of_run_staleness(&f.db, 2000).unwrap();
    let up = read(&f.db, "up");
    assert_eq!(up[0].0, target_labels());
    assert_eq!(up[0].2, 1.0);
    assert!(tsdb::is_stale_nan(up[1].2));
    assert_eq!(read(&f.db, "scrape_duration_seconds")[0].2, 0.25);
    assert_eq!(read(&f.db, "scrape_samples_scraped")[0].2, 1.0);
    assert!(tsdb::is_stale_nan(read(&f.db, "a")[1].2));
}

#[test]
fn metadata_is_collected_per_family() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    t.ingest(&f.db, b"# HELP a_total Things.\n# TYPE a_total counter\na_total 1\n", None, 1000).unwrap();
    let m = &t.metadata()["a_total"];
    assert_eq!((m.kind, m.help.as_str()), (MetricType::Counter, "Things."));
}

#[test]
fn reordered_inserted_and_respelled_series_keep_their_identity() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    t.ingest(&f.db, b"a 1\nb 1\nc{x=\"1\",y=\"2\"} 1\n", None, 1000).unwrap();
    // Same series, other order, one new in the middle: nothing stale, one added.
    let r = t.ingest(&f.db, b"b 2\nnew 2\na 2\nc{x=\"1\",y=\"2\"} 2\n", None, 2000).unwrap();
    assert_eq!((r.scraped, r.series_added), (4, 1));
    // Back to the first order with c's labels spelled the other way round: c is the same
    // series (no stale marker), `new` vanished (stale).
    let r = t.ingest(&f.db, b"a 3\nb 3\nc{y=\"2\",x=\"1\"} 3\n", None, 3000).unwrap();
    assert_eq!((r.scraped, r.series_added), (3, 1), "a new spelling is a new cache entry");
    for name in ["a", "b", "c"] {
        let v: Vec<f64> = read(&f.db, name).iter().map(|s| s.2).collect();
        assert_eq!(v, vec![1.0, 2.0, 3.0], "{name}");
    }
    let new = read(&f.db, "new");
    assert_eq!(new.len(), 2);
    assert!(tsdb::is_stale_nan(new[1].2) && new[1].1 == 3000);
    // Steady state: the same body again hits the scrape-order list and appends in place.
    for ts in [4000, 5000] {
        let r = t.ingest(&f.db, b"a 4\nb 4\nc{y=\"2\",x=\"1\"} 4\n", None, ts).unwrap();
        assert_eq!((r.scraped, r.post_relabel, r.series_added, r.rejected), (3, 3, 0, 0));
    }
    assert_eq!(read(&f.db, "a").len(), 5);
}

#[test]
fn label_strings_are_shared_and_released_with_their_series() {
    let f = db();
    let mut t = TargetIngest::new(&job("- job_name: j\n"), target_labels());
    t.ingest(&f.db, b"m{cpu=\"0\"} 1\nm{cpu=\"1\"} 1\n", None, 1000).unwrap();
    // __name__, m, cpu, 0, 1, instance, h:1, job, j: one copy each for both series.
    assert_eq!(t.strings.len(), 9);
    let kept: Vec<SeriesLabels> = t.previous_series();
    assert_eq!(&*kept[0][2].0, "instance");
    assert!(Arc::ptr_eq(&kept[0][2].1, &kept[1][2].1), "instance value shared");
    // Label churn: every scrape a new cpu value. Swept entries release their strings.
    for i in 2..60 {
        let body = format!("m{{cpu=\"{i}\"}} 1\n");
        t.ingest(&f.db, body.as_bytes(), None, 1000 * i).unwrap();
    }
    assert!(t.cached_series() <= 21, "cache swept: {}", t.cached_series());
    // Without release it would hold all 60 cpu values.
    assert!(t.strings.len() < 7 + 30, "strings released with their series: {}", t.strings.len());
}
