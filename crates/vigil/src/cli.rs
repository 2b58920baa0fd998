//! Command-line flags. Names follow Prometheus (`--web.listen-address`, `--storage.*`) so that
//! existing service files and habits carry over.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Vigil: metrics, alerting, traces, logs and more in one process.
///
/// With no command, `vigil` runs the server (`vigil serve`) on 127.0.0.1:9090 with its data in
/// ./data. Without `--config.file` it scrapes itself and its host every 15s; with one, it
/// scrapes what the prometheus.yml says. Point Prometheus' remote_write at
/// http://127.0.0.1:9090/api/v1/write.
#[derive(Parser, Debug)]
#[command(name = "vigil", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve(Box<ServeArgs>),
    /// Inspect a data directory (works while a server is using it, read-only).
    #[command(subcommand)]
    Tsdb(TsdbCommand),
    /// Check configuration files without starting anything (like `promtool check config`).
    #[command(subcommand)]
    Check(CheckCommand),
    /// Work with the built-in alert manager's configuration offline (like `amtool`).
    #[command(subcommand)]
    Alertmanager(AlertmanagerCommand),
    /// Run rule unit tests (like `promtool test rules`).
    #[command(subcommand)]
    Test(TestCommand),
    /// Run PromQL conformance scripts in Prometheus's promqltest format (load / clear / eval)
    /// and end with the line `N passed, N failed`.
    Promqltest(PromqltestArgs),
}

#[derive(Args, Debug)]
pub struct PromqltestArgs {
    /// Script files (`*.test`) or directories holding them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Expected failures, one per line: `FILE:LINE reason`. Failures not listed and listed
    /// cases that now pass are both reported and make the run fail, so the list stays exact.
    #[arg(long = "known-failures")]
    pub known_failures: Option<PathBuf>,
    /// Print every failure's reason, not only unexpected ones.
    #[arg(long, short)]
    pub verbose: bool,
    /// Write the current failures in known-failures format to this file (to refresh the list).
    #[arg(long = "write-failures")]
    pub write_failures: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum CheckCommand {
    /// Validate prometheus.yml files: YAML syntax, every field's value, job names, relabelling
    /// rules and authentication settings. Errors name the file, line and field; settings that
    /// load but have no effect in Vigil are listed as warnings. Exits 1 if any file is invalid.
    Config(CheckConfigArgs),
    /// Validate rule files (like `promtool check rules`): YAML, group and rule fields, PromQL
    /// (with the engine's hints), label and annotation names and templates. Errors name the
    /// file, line, group and rule; likely mistakes that still load are warnings. Exits 1 if
    /// any file is invalid.
    Rules(CheckRulesArgs),
    /// Validate web configuration files (`--web.config.file`, exporter-toolkit's format):
    /// every field, the certificates and keys they name, password hashes and headers. Errors
    /// name the file and line. Exits 1 if any file is invalid.
    WebConfig(CheckRulesArgs),
}

#[derive(Args, Debug)]
pub struct CheckRulesArgs {
    /// Rule files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum AlertmanagerCommand {
    /// Validate alertmanager.yml files (like `amtool check-config`): every field, receivers,
    /// routes, inhibit rules and time intervals; errors name the file, line and field.
    CheckConfig(AmCheckArgs),
    /// Routing.
    #[command(subcommand)]
    Routes(RoutesCommand),
    /// Notification templates.
    #[command(subcommand)]
    Template(TemplateCommand),
}

#[derive(Subcommand, Debug)]
pub enum TemplateCommand {
    /// Render what a receiver would send for some alerts, without sending: every templated
    /// field (Slack title and text, e-mail subject and body, PagerDuty summary, …) and the
    /// request body, e.g. `vigil alertmanager template render --config.file=alertmanager.yml
    /// alertname=HighLatency severity=critical service=api`.
    Render(TemplateRenderArgs),
}

#[derive(Args, Debug)]
pub struct TemplateRenderArgs {
    /// The alertmanager.yml whose receivers and templates to use.
    #[arg(long = "config.file", default_value = "alertmanager.yml")]
    pub config_file: PathBuf,
    /// Receiver to render; default: the one the alerts' route reaches.
    #[arg(long)]
    pub receiver: Option<String>,
    /// JSON file with the alerts: `[{"labels": {…}, "annotations": {…}, "status": "firing"}]`.
    #[arg(long)]
    pub alerts: Option<PathBuf>,
    /// Annotations for the alert given as labels, `name=value`; repeatable.
    #[arg(long = "annotation")]
    pub annotations: Vec<String>,
    /// Print the preview as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Labels of one firing alert (`name=value`), instead of --alerts.
    pub labels: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AmCheckArgs {
    /// alertmanager.yml files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum RoutesCommand {
    /// Print the receivers an alert with these labels reaches, comma-separated in route order
    /// (like `amtool config routes test`), e.g. `vigil alertmanager routes test
    /// --config.file=alertmanager.yml severity=critical service=api`.
    Test(RoutesTestArgs),
}

#[derive(Args, Debug)]
pub struct RoutesTestArgs {
    /// The alertmanager.yml to route with.
    #[arg(long = "config.file", default_value = "alertmanager.yml")]
    pub config_file: PathBuf,
    /// Labels as `name=value` (or matcher syntax); at least one.
    #[arg(required = true)]
    pub labels: Vec<String>,
    /// Exit 1 unless exactly these receivers (comma-separated) are reached.
    #[arg(long = "verify.receivers")]
    pub verify_receivers: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum TestCommand {
    /// Run rule unit-test files in promtool's format (rule_files, evaluation_interval, tests
    /// with input_series, alert_rule_test and promql_expr_test). Prints SUCCESS or FAILED per
    /// file with what differed, as promtool does; exits 1 if any test fails.
    Rules(TestRulesArgs),
}

#[derive(Args, Debug)]
pub struct TestRulesArgs {
    /// Test files (`*.test.yml`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckConfigArgs {
    /// Configuration files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum TsdbCommand {
    /// Print samples as `series value timestamp_ms`, one per line (like `promtool tsdb dump`).
    Dump(DumpArgs),
    /// Summarise a data directory: series, samples, blocks, and the metrics and label pairs with
    /// the highest cardinality.
    Analyze(AnalyzeArgs),
}

#[derive(Args, Debug)]
pub struct DumpArgs {
    /// Data directory to read.
    #[arg(long = "storage.path", alias = "storage.tsdb.path", default_value = "data")]
    pub storage_path: PathBuf,
    /// Series selector, e.g. 'up{job="node"}'. Repeatable (series matching any are dumped).
    #[arg(long = "match", default_value = "{__name__=~\".+\"}")]
    pub matchers: Vec<String>,
    /// Earliest sample time: RFC 3339 or Unix milliseconds.
    #[arg(long = "min-time")]
    pub min_time: Option<String>,
    /// Latest sample time: RFC 3339 or Unix milliseconds.
    #[arg(long = "max-time")]
    pub max_time: Option<String>,
}

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Data directory to read.
    #[arg(long = "storage.path", alias = "storage.tsdb.path", default_value = "data")]
    pub storage_path: PathBuf,
    /// How many entries each top-N list shows.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

/// When the WAL is flushed to disk.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsyncMode {
    /// fsync before acknowledging each write: nothing acknowledged is ever lost.
    Always,
    /// fsync every --storage.wal.fsync-interval: a machine crash (not a process crash) loses
    /// at most that interval.
    Interval,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Logfmt,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Prometheus-format configuration file (prometheus.yml). Optional.
    #[arg(long = "config.file")]
    pub config_file: Option<PathBuf>,
    /// Address for the UI and every API.
    #[arg(long = "web.listen-address", default_value = "127.0.0.1:9090")]
    pub listen_address: SocketAddr,
    /// Largest accepted request body in bytes (e.g. 32MB); larger requests get 413.
    #[arg(long = "web.max-request-bytes", default_value = "32MB", value_parser = parse_size)]
    pub max_request_bytes: u64,
    /// Web configuration file in the Prometheus exporter-toolkit format (web-config.yml):
    /// TLS (`tls_server_config`, client certificates included), HTTP basic authentication
    /// (`basic_auth_users`, bcrypt hashes), extra response headers and a rate limit, for every
    /// route. Re-read on reload (SIGHUP, `POST /-/reload`): new certificates and users apply
    /// to new connections. Without it: plain HTTP, no authentication.
    #[arg(long = "web.config.file")]
    pub web_config_file: Option<PathBuf>,
    /// Enable `POST /-/reload` (re-read the configuration, like SIGHUP, which always works).
    #[arg(long = "web.enable-lifecycle")]
    pub enable_lifecycle: bool,
    /// Modules file for the built-in prober at `/probe`, in blackbox_exporter's format
    /// (blackbox.yml). Without it the prober offers blackbox_exporter's default modules
    /// (http_2xx, http_post_2xx, tcp_connect, …). Re-read on reload.
    #[arg(long = "probe.config.file")]
    pub probe_config_file: Option<PathBuf>,
    /// Scrapes running at once across all targets; further scrapes wait for a slot.
    #[arg(long = "scrape.max-concurrency", default_value_t = 256)]
    pub scrape_max_concurrency: usize,
    /// The URL under which Vigil is reached from outside (links in alerts: generatorURL,
    /// `$externalURL` in templates). Default: http://<listen address>.
    #[arg(long = "web.external-url")]
    pub external_url: Option<String>,
    /// Minimum time before a firing alert is sent to Alertmanager again.
    #[arg(long = "rules.alert.resend-delay", default_value = "1m", value_parser = parse_duration)]
    pub rules_resend_delay: i64,
    /// Alerts waiting for delivery to Alertmanagers; beyond it the oldest are dropped (and counted).
    #[arg(long = "alertmanager.notification-queue-capacity", default_value_t = 10_000)]
    pub notification_queue_capacity: usize,
    /// Configuration of the built-in alert manager, in alertmanager.yml format. Without it the
    /// built-in alert manager still accepts alerts on `/api/v2/alerts` (from Vigil's own rules
    /// and from any Prometheus) with one receiver, `default`, that notifies nobody.
    #[arg(long = "alertmanager.config.file")]
    pub alertmanager_config_file: Option<PathBuf>,
    /// Grafana dashboard provisioning directory, like Grafana's provisioning/dashboards: its
    /// provider files (`*.yaml`, `*.yml`) name directories whose `*.json` dashboards are served
    /// read-only by the Grafana-compatible API (`/api/dashboards`, `/api/search`). Re-read on
    /// reload (SIGHUP, `POST /-/reload`); a bad provider file fails start-up or the reload.
    #[arg(long = "dashboards.provisioning-dir")]
    pub dashboards_provisioning_dir: Option<PathBuf>,
    /// Enable admin endpoints (`/api/v1/admin/...`).
    #[arg(long = "web.enable-admin-api")]
    pub enable_admin_api: bool,
    /// Directory for all stored data.
    #[arg(long = "storage.path", alias = "storage.tsdb.path", default_value = "data")]
    pub storage_path: PathBuf,
    /// How long to keep data (e.g. 15d, 1y; 0 keeps forever).
    #[arg(long = "storage.retention.time", alias = "storage.tsdb.retention.time", default_value = "15d", value_parser = parse_duration)]
    pub retention_time: i64,
    /// Most bytes of blocks + WAL to keep (e.g. 50GB; 0 = no limit). Oldest blocks go first.
    #[arg(long = "storage.retention.size", alias = "storage.tsdb.retention.size", default_value = "0", value_parser = parse_size)]
    pub retention_size: u64,
    /// WAL fsync policy. `interval` bounds loss on a machine crash by the interval.
    #[arg(long = "storage.wal.fsync", value_enum, default_value = "interval")]
    pub wal_fsync: FsyncMode,
    /// Interval for `--storage.wal.fsync=interval` (at most 1s is recommended).
    #[arg(long = "storage.wal.fsync-interval", default_value = "1s", value_parser = parse_duration)]
    pub wal_fsync_interval: i64,
    /// Accept samples this much older than a series' newest sample (0 rejects them).
    #[arg(long = "storage.out-of-order-window", alias = "storage.tsdb.out-of-order-time-window", default_value = "0", value_parser = parse_duration)]
    pub out_of_order_window: i64,
    /// Most active series held in memory; writes creating more are rejected (cardinality guard).
    #[arg(long = "storage.max-series", default_value_t = 10_000_000)]
    pub max_series: usize,
    /// Time range of a level-1 block (tests use small values).
    #[arg(long = "storage.tsdb.min-block-duration", default_value = "2h", value_parser = parse_duration, hide = true)]
    pub block_duration: i64,
    /// How often to cut blocks, compact and apply retention.
    #[arg(long = "storage.maintenance-interval", default_value = "1m", value_parser = parse_duration, hide = true)]
    pub maintenance_interval: i64,
    /// Longest a query may run before it is stopped with a timeout error.
    #[arg(long = "query.timeout", default_value = "2m", value_parser = parse_duration)]
    pub query_timeout: i64,
    /// Most samples one query may load and produce; beyond, it fails instead of exhausting memory.
    #[arg(long = "query.max-samples", default_value_t = 50_000_000)]
    pub query_max_samples: usize,
    /// Queries evaluated at once; further queries wait for a slot.
    #[arg(long = "query.max-concurrency", default_value_t = 20)]
    pub query_max_concurrency: usize,
    /// How far back an instant selector looks for the latest sample.
    #[arg(long = "query.lookback-delta", default_value = "5m", value_parser = parse_duration)]
    pub query_lookback_delta: i64,
    /// Experimental features, comma-separated or repeated: promql-experimental-functions
    /// (limitk, limit_ratio, double_exponential_smoothing, …).
    #[arg(long = "enable-feature", value_delimiter = ',')]
    pub enable_feature: Vec<String>,
    /// Log level: error, warn, info, debug, trace (or a tracing filter).
    #[arg(long = "log.level", default_value = "info")]
    pub log_level: String,
    #[arg(long = "log.format", value_enum, default_value = "logfmt")]
    pub log_format: LogFormat,
}

fn parse_duration(s: &str) -> Result<i64, String> {
    crate::units::parse_duration_ms(s).map_err(|e| e.to_string())
}

fn parse_size(s: &str) -> Result<u64, String> {
    crate::units::parse_bytes(s)
}
