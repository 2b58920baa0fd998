//! The `vigil` binary: parses flags, sets up logging and hands over to a command.

mod am_cmd;
mod am_notify;
mod cli;
mod config;
mod process_metrics;
mod promqltest_cmd;
mod rules_cmd;
mod selector;
mod serve;
mod tsdb_cmd;
mod units;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use cli::{
    AlertmanagerCommand, CheckCommand, Cli, Command, LogFormat, RoutesCommand, TemplateCommand, TestCommand,
    TsdbCommand,
};

fn init_logging(level: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Logfmt => builder.init(),
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Tsdb(cmd)) => {
            init_logging("warn", LogFormat::Logfmt);
            match cmd {
                TsdbCommand::Dump(a) => tsdb_cmd::dump(a),
                TsdbCommand::Analyze(a) => tsdb_cmd::analyze(a),
            }
        }
        Some(Command::Check(CheckCommand::Config(args))) => {
            init_logging("error", LogFormat::Logfmt);
            check_config(&args.files)
        }
        Some(Command::Check(CheckCommand::Rules(args))) => {
            init_logging("error", LogFormat::Logfmt);
            rules_cmd::check_rules(&args.files)
        }
        Some(Command::Check(CheckCommand::WebConfig(args))) => {
            init_logging("error", LogFormat::Logfmt);
            check_web_config(&args.files)
        }
        Some(Command::Test(TestCommand::Rules(args))) => {
            init_logging("error", LogFormat::Logfmt);
            rules_cmd::test_rules(&args.files)
        }
        Some(Command::Alertmanager(cmd)) => {
            init_logging("error", LogFormat::Logfmt);
            match cmd {
                AlertmanagerCommand::CheckConfig(a) => am_cmd::check_config(&a.files),
                AlertmanagerCommand::Routes(RoutesCommand::Test(a)) => am_cmd::routes_test(&a),
                AlertmanagerCommand::Template(TemplateCommand::Render(a)) => am_cmd::template_render(&a),
            }
        }
        Some(Command::Promqltest(args)) => promqltest_cmd::run(args),
        Some(Command::Serve(args)) => run_server(*args),
        None => run_server(cli.serve),
    }
}

/// `vigil check config`: checks each file, printing SUCCESS/FAILED lines like promtool.
fn check_config(files: &[std::path::PathBuf]) -> anyhow::Result<()> {
    let mut failed = 0;
    for path in files {
        println!("Checking {}", path.display());
        match config::load(path) {
            Ok(cfg) => {
                for w in &cfg.warnings {
                    println!("  WARNING: {w}");
                }
                println!(
                    "  SUCCESS: {} is valid prometheus config file syntax ({} scrape jobs)",
                    path.display(),
                    cfg.jobs.len()
                );
                if !cfg.rule_files.is_empty() {
                    println!("  SUCCESS: {} rule files found", cfg.rule_files.len());
                    println!();
                    if rules_cmd::check_rule_files(&cfg.rule_files) > 0 {
                        failed += 1;
                    }
                }
            }
            Err(e) => {
                failed += 1;
                println!("  FAILED: {e:#}");
            }
        }
    }
    if failed > 0 {
        // A plain exit: the findings are printed above, a backtrace would only bury them.
        eprintln!("{failed} of {} config files are invalid", files.len());
        std::process::exit(1);
    }
    Ok(())
}

/// `vigil check web-config`: loads each file as `--web.config.file` would.
fn check_web_config(files: &[std::path::PathBuf]) -> anyhow::Result<()> {
    let mut failed = 0;
    for path in files {
        println!("Checking {}", path.display());
        match server::websec::build(path) {
            Ok(active) => println!("  SUCCESS: {} is a valid web config file: {}", path.display(), active.summary()),
            Err(e) => {
                failed += 1;
                println!("  FAILED: {e}");
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} web config files are invalid", files.len());
        std::process::exit(1);
    }
    Ok(())
}

/// glibc gives every thread that allocates its own arena; with the runtime's worker and
/// blocking threads that fragmentation cost ~20% of the head's memory in the storage benchmark.
/// Two arenas keep allocation contention low on the small machines Vigil targets.
fn limit_malloc_arenas() {
    // SAFETY: mallopt only changes allocator tuning; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn run_server(args: cli::ServeArgs) -> anyhow::Result<()> {
    limit_malloc_arenas();
    init_logging(&args.log_level, args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve::run(args))
}
