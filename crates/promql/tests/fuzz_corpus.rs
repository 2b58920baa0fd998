//! Replays the seed corpora of the `promql_query` and `promqltest_script` fuzz targets as an
//! ordinary test, so every input that ever crashed (once added) stays fixed.

use std::path::{Path, PathBuf};

fn corpus(name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(name);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("seed corpus directory").flatten().map(|e| e.path()).collect();
    files.sort();
    files
}

#[test]
fn query_corpus_evaluates_without_panic() {
    let files = corpus("promql_query");
    assert!(files.len() >= 20, "only {} seeds", files.len());
    for f in files {
        promql::fuzzing::query(&std::fs::read(&f).expect("seed"));
    }
}

#[test]
fn script_corpus_parses_without_panic() {
    let files = corpus("promqltest_script");
    assert!(files.len() >= 5, "only {} seeds", files.len());
    for f in files {
        promql::fuzzing::script(&std::fs::read(&f).expect("seed"));
    }
}

#[test]
fn hostile_inputs_end_in_errors() {
    let engine = promql::Engine::new(promql::EngineOptions {
        limits: promql::Limits { timeout: std::time::Duration::from_secs(5), max_samples: 100_000 },
        ..Default::default()
    });
    let storage = promql::MemStorage::new();
    // A subquery with billions of steps must be refused before it allocates them.
    let r = engine.instant(&storage, "max_over_time(vector(1)[100y:1ms])", 0);
    assert!(matches!(r, Err(promql::QueryError::TooManySamples { .. })), "{r:?}");
    // A series description that would expand without bound is a script error.
    assert!(promql::promqltest::parse_script("load 1m\n  x 0+1x99999999999\n").is_err());
}
