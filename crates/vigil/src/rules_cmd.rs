//! `vigil check rules` and `vigil test rules`: promtool's rule commands, same output shape.

use std::path::PathBuf;

/// Checks each rule file, printing promtool-style SUCCESS/FAILED lines; exits 1 on failure.
pub fn check_rules(files: &[PathBuf]) -> anyhow::Result<()> {
    let failed = check_rule_files(files);
    if failed > 0 {
        eprintln!("{failed} of {} rule files are invalid", files.len());
        std::process::exit(1);
    }
    Ok(())
}

/// Checks and reports each file; returns how many are invalid.
pub fn check_rule_files(files: &[PathBuf]) -> usize {
    let mut failed = 0;
    for path in files {
        println!("Checking {}", path.display());
        match rules::load_file(path) {
            Ok(loaded) => {
                for w in &loaded.warnings {
                    println!("  WARNING: {w}");
                }
                let n: usize = loaded.groups.iter().map(|g| g.rules.len()).sum();
                println!("  SUCCESS: {n} rules found");
            }
            Err(e) => {
                failed += 1;
                println!("  FAILED:");
                println!("{e}");
            }
        }
        println!();
    }
    failed
}

/// Runs promtool-format rule unit tests; exits 1 if any fails.
pub fn test_rules(files: &[PathBuf]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let ok = rules::unittest::run_test_files(files, &mut out)?;
    drop(out);
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
