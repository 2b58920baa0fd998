//! `vigil alertmanager …`: amtool's offline commands against alertmanager.yml files.

use std::path::PathBuf;

use crate::cli::{RoutesTestArgs, TemplateRenderArgs};

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

/// Renders a receiver's notifications for some alerts; exits 1 on template errors (after
/// printing what did render).
pub fn template_render(args: &TemplateRenderArgs) -> anyhow::Result<()> {
    let cfg = alerting::load_file(&args.config_file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let alerts: Vec<receivers::sample::SampleAlert> = match &args.alerts {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: not a JSON array of alerts: {e}", path.display()))?
        }
        None => {
            if args.labels.is_empty() {
                anyhow::bail!("give the alert's labels (name=value …) or --alerts FILE");
            }
            let labels =
                alerting::route::parse_test_labels(&args.labels).map_err(|e| anyhow::anyhow!("labels: {e}"))?;
            let annotations = alerting::route::parse_test_labels(&args.annotations)
                .map_err(|e| anyhow::anyhow!("annotations: {e}"))?;
            vec![receivers::sample::SampleAlert { labels, annotations, status: None, generator_url: String::new() }]
        }
    };
    let req = receivers::sample::PreviewRequest { receiver: args.receiver.clone(), alerts };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let (preview, errors) = match receivers::sample::preview(&cfg, &req, "http://localhost:9093", now) {
        Ok(p) => (p, Vec::new()),
        Err(receivers::sample::SampleError::Render(e)) => (e.preview, e.errors),
        Err(e) => anyhow::bail!("{e}"),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&preview)?);
    } else {
        println!("receiver: {}", preview.receiver);
        for i in &preview.integrations {
            println!("== {}{}", i.integration, if i.skipped { " (nothing sent: only resolved alerts)" } else { "" });
            for f in &i.fields {
                match (&f.value, &f.error) {
                    (_, Some(e)) => println!("{}: ERROR {e}", f.field),
                    (Some(v), None) => println!("{}: {v}", f.field),
                    (None, None) => {}
                }
            }
            if let Some(b) = &i.body {
                println!("-- body:\n{b}");
            }
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        std::process::exit(1);
    }
    Ok(())
}
