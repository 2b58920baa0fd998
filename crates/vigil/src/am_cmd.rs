//! `vigil alertmanager …`: amtool's offline commands against alertmanager.yml files.

use std::path::PathBuf;

use crate::cli::RoutesTestArgs;

/// Checks each file like `amtool check-config`; exits 1 if any is invalid.
pub fn check_config(files: &[PathBuf]) -> anyhow::Result<()> {
    let mut failed = 0;
    for path in files {
        println!("Checking '{}'", path.display());
        match alerting::load_file(path) {
            Ok(cfg) => {
                for w in &cfg.warnings {
                    println!("  WARNING: {w}");
                }
                println!("  SUCCESS");
                println!("Found:");
                println!(" - global config");
                println!(" - route");
                println!(" - {} inhibit rules", cfg.inhibit_rules.len());
                println!(" - {} receivers", cfg.receivers.len());
                println!(" - {} templates", cfg.templates.len());
            }
            Err(e) => {
                failed += 1;
                println!("  FAILED: {e}");
            }
        }
        println!();
    }
    if failed > 0 {
        eprintln!("{failed} of {} alertmanager config files are invalid", files.len());
        std::process::exit(1);
    }
    Ok(())
}

/// Prints the receivers `labels` reach, like `amtool config routes test`.
pub fn routes_test(args: &RoutesTestArgs) -> anyhow::Result<()> {
    let cfg = alerting::load_file(&args.config_file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let labels = alerting::route::parse_test_labels(&args.labels).map_err(|e| anyhow::anyhow!("labels: {e}"))?;
    let receivers = cfg.route.receivers_for(&labels);
    let got = receivers.join(",");
    println!("{got}");
    if let Some(want) = &args.verify_receivers
        && want != &got
    {
        eprintln!("WARNING: Expected receivers did not match resolved receivers.");
        std::process::exit(1);
    }
    Ok(())
}
