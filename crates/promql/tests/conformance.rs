//! promqltest conformance: Vigil's own cases always, and the upstream Prometheus suite
//! (`../shared/conformance/promqltest`) when it is present, checked against the exact list
//! of known failures so that both regressions and new passes show.

use std::path::{Path, PathBuf};

use promql::promqltest::{parse_known, run_suite, script_files};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn vigil_cases_all_pass() {
    let files = script_files(&[repo_root().join("conformance/vigil")]).expect("list conformance/vigil");
    assert!(!files.is_empty(), "no .test files in conformance/vigil");
    let summary = run_suite(&files, &Default::default()).expect("read scripts");
    for f in &summary.failures {
        eprintln!("FAIL {}: {}\n     {}", f.id, f.query, f.reason);
    }
    assert!(summary.passed >= 30, "only {} cases ran", summary.passed);
    assert_eq!(summary.failed(), 0, "{} of Vigil's own promqltest cases failed", summary.failed());
}

#[test]
fn upstream_suite_matches_known_failures() {
    let dir = std::env::var_os("VIGIL_PROMQLTEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/conformance/promqltest"));
    if !dir.is_dir() {
        assert!(
            std::env::var_os("VIGIL_REQUIRE_UPSTREAM_PROMQLTEST").is_none(),
            "upstream promqltest suite required but not found at {}",
            dir.display()
        );
        eprintln!("SKIPPED: upstream promqltest suite not found at {}", dir.display());
        return;
    }
    let known_text =
        std::fs::read_to_string(repo_root().join("conformance/upstream-known-failures.txt")).expect("known failures");
    let known = parse_known(&known_text);
    let files = script_files(&[dir]).expect("list upstream scripts");
    let summary = run_suite(&files, &known).expect("read scripts");
    let total = summary.passed + summary.failed();
    let hist = summary.failures.iter().filter(|f| f.needs_histograms).count();
    eprintln!(
        "upstream promqltest: {} passed, {} failed of {total} ({:.1}%; {:.1}% of the {} cases without native histograms)",
        summary.passed,
        summary.failed(),
        100.0 * summary.passed as f64 / total as f64,
        100.0 * summary.passed as f64 / (total - hist) as f64,
        total - hist
    );
    for f in summary.unexpected() {
        eprintln!("UNEXPECTED FAIL {}: {}\n     {}", f.id, f.query, f.reason);
    }
    for id in &summary.new_passes {
        eprintln!("NEW PASS {id}: remove it from conformance/upstream-known-failures.txt");
    }
    assert!(summary.matches_known(), "upstream promqltest results differ from the known-failures list");
}
