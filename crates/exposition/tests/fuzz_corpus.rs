//! Replays the seed corpus of the `exposition_parse` fuzz target as an ordinary test, so every
//! input that ever crashed (once added) stays fixed.

use std::path::Path;

#[test]
fn corpus_parses_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/exposition_parse");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("seed corpus directory").flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 10, "only {} seeds", files.len());
    for f in files {
        exposition::fuzzing::parse(&std::fs::read(&f).expect("seed"));
    }
}
