//! `vigil promqltest`: runs conformance scripts and compares failures with a known list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::PromqltestArgs;

/// One known failure: `file.test:LINE reason`.
fn parse_known(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((k, r)) => (k.to_string(), r.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn script_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "test"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn file_key(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

pub fn run(args: PromqltestArgs) -> anyhow::Result<()> {
    let known = match &args.known_failures {
        Some(p) => parse_known(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?),
        None => BTreeMap::new(),
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut unexpected = 0usize;
    let mut new_passes = Vec::new();
    let mut failures_out = String::new();
    for file in script_files(&args.files)? {
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let key = file_key(&file);
        let outcomes = match promql::promqltest::run_script(&text) {
            Ok(o) => o,
            Err(e) => {
                // A script we cannot read counts as one failure of the whole file.
                failed += 1;
                let id = format!("{key}:0");
                failures_out.push_str(&format!("{id} script not understood: {e}\n"));
                if !known.contains_key(&id) {
                    unexpected += 1;
                    println!("FAIL {id}: cannot run script: {e}");
                }
                eprintln!("{key}: script not understood: {e}");
                continue;
            }
        };
        let (mut fp, mut ff) = (0, 0);
        for o in outcomes {
            let id = format!("{key}:{}", o.line);
            match &o.result {
                Ok(()) => {
                    passed += 1;
                    fp += 1;
                    if known.contains_key(&id) {
                        new_passes.push(id);
                    }
                }
                Err(reason) => {
                    failed += 1;
                    ff += 1;
                    let tag = if o.needs_histograms { "native histograms: " } else { "" };
                    failures_out.push_str(&format!("{id} {tag}{}\n", one_line(reason)));
                    if !known.contains_key(&id) {
                        unexpected += 1;
                        println!("FAIL {id}: {}\n     {reason}", o.query);
                    } else if args.verbose {
                        println!("known {id}: {}\n     {reason}", o.query);
                    }
                }
            }
        }
        eprintln!("{key}: {fp} passed, {ff} failed");
    }
    if let Some(p) = &args.write_failures {
        std::fs::write(p, &failures_out).with_context(|| format!("writing {}", p.display()))?;
    }
    for id in &new_passes {
        println!("NEW PASS {id}: listed as a known failure but passes; remove it from the list");
    }
    let total = passed + failed;
    if total > 0 && args.known_failures.is_some() {
        println!(
            "pass rate {:.1}% ({passed}/{total}); {} known failures, {unexpected} unexpected",
            100.0 * passed as f64 / total as f64,
            failed - unexpected
        );
    }
    println!("{passed} passed, {failed} failed");
    let strict = args.known_failures.is_some();
    if (strict && (unexpected > 0 || !new_passes.is_empty())) || (!strict && failed > 0) {
        std::process::exit(1);
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() > 200 { s.chars().take(200).collect::<String>() + "…" } else { s }
}
