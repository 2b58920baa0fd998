//! `vigil promqltest`: runs conformance scripts and compares failures with a known list.

use std::collections::BTreeMap;

use anyhow::Context;
use promql::promqltest::{parse_known, run_suite, script_files};

use crate::cli::PromqltestArgs;

pub fn run(args: PromqltestArgs) -> anyhow::Result<()> {
    let known = match &args.known_failures {
        Some(p) => parse_known(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?),
        None => BTreeMap::new(),
    };
    let files = script_files(&args.files).context("listing scripts")?;
    let summary = run_suite(&files, &known).context("reading scripts")?;
    for (name, result) in &summary.files {
        match result {
            Ok((p, f)) => eprintln!("{name}: {p} passed, {f} failed"),
            Err(e) => eprintln!("{name}: script not understood: {e}"),
        }
    }
    for f in &summary.failures {
        if !f.known {
            println!("FAIL {}: {}\n     {}", f.id, f.query, f.reason);
        } else if args.verbose {
            println!("known {}: {}\n     {}", f.id, f.query, f.reason);
        }
    }
    if let Some(p) = &args.write_failures {
        let mut out = String::new();
        for f in &summary.failures {
            let tag = if f.needs_histograms { "native histograms: " } else { "" };
            let reason: String = f.reason.replace('\n', " ").chars().take(200).collect();
            out.push_str(&format!("{} {tag}{reason}\n", f.id));
        }
        std::fs::write(p, out).with_context(|| format!("writing {}", p.display()))?;
    }
    for id in &summary.new_passes {
        println!("NEW PASS {id}: listed as a known failure but passes; remove it from the list");
    }
    let (passed, failed) = (summary.passed, summary.failed());
    let total = passed + failed;
    let strict = args.known_failures.is_some();
    if strict && total > 0 {
        let unexpected = summary.unexpected().count();
        let hist = summary.failures.iter().filter(|f| f.needs_histograms).count();
        println!(
            "pass rate {:.1}% ({passed}/{total}); without native-histogram cases {:.1}% ({passed}/{}); {} known failures, {unexpected} unexpected, {} new passes",
            100.0 * passed as f64 / total as f64,
            100.0 * passed as f64 / (total - hist).max(1) as f64,
            total - hist,
            failed - unexpected,
            summary.new_passes.len()
        );
    }
    println!("{passed} passed, {failed} failed");
    let ok = if strict { summary.matches_known() } else { failed == 0 };
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
