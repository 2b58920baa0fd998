//! `vigil serve`: start subsystems in order, stop them in reverse.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rules::RulesManager;
use scrape::manager::{ManagerOptions, ScrapeManager};
use server::{AppState, Limits, ReloadFailed, ReloadRequest, Running, Startup};
use tokio::sync::{mpsc, watch};
use tsdb::wal::{FsyncPolicy, WalOptions};
use tsdb::{Db, Options};

use crate::cli::{FsyncMode, ServeArgs};
use crate::{config, process_metrics};

/// The query engine's settings from the `--query.*` and `--enable-feature` flags.
fn query_options(args: &ServeArgs) -> Result<server::prom_api::QueryOptions> {
    let mut experimental = false;
    for f in &args.enable_feature {
        match f.as_str() {
            "promql-experimental-functions" => experimental = true,
            other => tracing::warn!(feature = other, "unknown --enable-feature value ignored"),
        }
    }
    if args.query_timeout <= 0 {
        anyhow::bail!("--query.timeout must be positive");
    }
    Ok(server::prom_api::QueryOptions {
        engine: promql::EngineOptions {
            lookback_delta_ms: args.query_lookback_delta.max(1),
            default_subquery_step_ms: 60_000,
            enable_experimental_functions: experimental,
            limits: promql::Limits {
                timeout: Duration::from_millis(args.query_timeout as u64),
                max_samples: args.query_max_samples,
            },
        },
        max_concurrency: args.query_max_concurrency.max(1),
    })
}

/// What `/api/v1/status/*` reports: flags as given, the config text, start time, retention.
fn status_info(args: &ServeArgs, config_yaml: String) -> server::prom_api::StatusInfo {
    let mut flags = std::collections::BTreeMap::new();
    let mut put = |k: &str, v: String| {
        flags.insert(k.to_string(), v);
    };
    put("config.file", args.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
    put("web.listen-address", args.listen_address.to_string());
    put("web.enable-admin-api", args.enable_admin_api.to_string());
    put("web.enable-lifecycle", args.enable_lifecycle.to_string());
    put("web.config.file", args.web_config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
    put("probe.config.file", args.probe_config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
    put("scrape.max-concurrency", args.scrape_max_concurrency.to_string());
    put("storage.tsdb.path", args.storage_path.display().to_string());
    put("storage.tsdb.retention.time", format!("{}ms", args.retention_time));
    put("storage.tsdb.retention.size", args.retention_size.to_string());
    put("query.timeout", format!("{}ms", args.query_timeout));
    put("query.max-samples", args.query_max_samples.to_string());
    put("query.max-concurrency", args.query_max_concurrency.to_string());
    put("query.lookback-delta", format!("{}ms", args.query_lookback_delta));
    put("enable-feature", args.enable_feature.join(","));
    let start_time_ms =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let days = args.retention_time / 86_400_000;
    let storage_retention = if days > 0 && args.retention_time % 86_400_000 == 0 {
        format!("{days}d")
    } else {
        format!("{}ms", args.retention_time)
    };
    server::prom_api::StatusInfo { flags, config_yaml, start_time_ms, storage_retention }
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let mut signals = Signals::install();
    let (config, config_text) = load_config(&args)?;
    let probe_modules = load_probe_modules(&args)?;
    let external_labels = config.external_labels();
    if !external_labels.is_empty() {
        tracing::info!(labels = ?external_labels, "external labels configured (used once rules and federation exist)");
    }
    let registry = telemetry::Registry::new();
    process_metrics::register(&registry);
    let limits = Limits {
        max_body_bytes: usize::try_from(args.max_request_bytes).unwrap_or(usize::MAX),
        remote_write: remote_write::Limits::default(),
    };
    let query = query_options(&args)?;
    let web_security = load_web_security(&args)?;
    let listener = tokio::net::TcpListener::bind(args.listen_address)
        .await
        .with_context(|| format!("cannot listen on {} (--web.listen-address)", args.listen_address))?;

    // The alert manager keeps its own state and does not need the TSDB: it answers /api/v2
    // before the WAL replay ends and before /-/ready.
    let (alertmanager, am_receivers) = start_alertmanager(&args, &config, &registry)?;
    let dashboards = open_dashboards(&args)?;
    let (reload_tx, reload_rx) = mpsc::channel(4);
    let state = AppState::new(Startup {
        registry: registry.clone(),
        limits,
        admin_api: args.enable_admin_api,
        query,
        status: status_info(&args, config_text),
        external_url: external_url(&args),
        reload: args.enable_lifecycle.then(|| reload_tx.clone()),
        alertmanager: alertmanager.clone(),
        probe_modules: probe_modules.unwrap_or_else(probe::Modules::builtin),
        dashboards,
    });
    tracing::info!(address = %args.listen_address, "listening; /-/healthy is up, /-/ready waits for the WAL replay");
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut server_stop = stop_rx.clone();
    let server = tokio::spawn(server::serve_with(listener, state.clone(), web_security.clone(), async move {
        let _ = server_stop.wait_for(|s| *s).await;
    }));

    let opts = storage_options(&args);
    let path = args.storage_path.clone();
    tracing::info!(path = %path.display(), fsync = ?opts.wal.fsync, "opening storage");
    let open = tokio::task::spawn_blocking(move || Db::open(&path, opts, replay_progress_logger()));
    let db = tokio::select! {
        res = open => Arc::new(res.context("storage task failed")?.context("cannot open storage")?),
        _ = signals.recv() => {
            tracing::info!("signal received during WAL replay; exiting without changes");
            std::process::exit(0);
        }
    };
    db.register_metrics(&registry);
    // Rules (with their saved alert state) are in place before /-/ready says so.
    let notifier = start_notifier(&args, &config, &alertmanager, &registry)?;
    let rules = start_rules(&args, &config, &notifier, db.clone(), &registry)?;
    let manager = ScrapeManager::new(
        db.clone(),
        ManagerOptions { max_concurrent_scrapes: args.scrape_max_concurrency.max(1) },
        &registry,
    );
    let running = Running { db: db.clone(), rules: rules.clone(), notifier: notifier.clone(), scrape: manager.clone() };
    state.set_running(running)?;
    tracing::info!(series = db.head().num_series(), blocks = db.blocks().len(), "storage ready");

    let mut tasks = Vec::new();
    if let FsyncMode::Interval = args.wal_fsync {
        let period = Duration::from_millis(args.wal_fsync_interval.max(1) as u64);
        tasks.push(spawn_periodic(period, stop_rx.clone(), db.clone(), |db| {
            if let Err(e) = db.sync_wal() {
                tracing::error!(error = %e, "WAL fsync failed");
            }
        }));
    }
    let period = Duration::from_millis(args.maintenance_interval.max(1) as u64);
    tasks.push(spawn_periodic(period, stop_rx.clone(), db.clone(), |db| {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        match db.maintain(now) {
            Ok(r) if r.blocks_written + r.compactions + r.blocks_deleted > 0 => tracing::info!(?r, "maintenance done"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "maintenance failed"),
        }
    }));

    let jobs = config.jobs.len();
    manager.apply(config.jobs.clone()).await.map_err(|e| anyhow::anyhow!("cannot start scraping: {e}"))?;
    tracing::info!(jobs, "scraping started");
    let hup = signals.hup.take();
    let reloadable = Reloadable {
        args: args.clone(),
        scrape: manager.clone(),
        rules: rules.clone(),
        am_receivers: am_receivers.clone(),
        alertmanager: alertmanager.clone(),
        notifier: notifier.clone(),
        state: state.clone(),
        web_security,
    };
    tasks.push(tokio::spawn(reload_loop(reloadable, hup, reload_rx, stop_rx.clone())));

    signals.recv().await;
    tracing::info!("shutting down");
    manager.shutdown();
    rules.stop();
    notifier.stop().await;
    if let Err(e) = alertmanager.shutdown() {
        tracing::error!(error = %e, "cannot save the alert manager's state");
    }
    drop(reload_tx);
    let _ = stop_tx.send(true);
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "HTTP server error"),
        Err(e) => tracing::error!(error = %e, "HTTP server task failed"),
    }
    for t in tasks {
        let _ = t.await;
    }
    db.close().context("cannot sync the WAL on shutdown")?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// The parsed configuration and its text (for `/api/v1/status/config`): the file given with
/// `--config.file`, or the embedded default that scrapes Vigil and its host.
fn load_config(args: &ServeArgs) -> Result<(config::Config, String)> {
    let Some(path) = &args.config_file else {
        return config::embedded_default(args.listen_address);
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    let origin = path.display().to_string();
    let cfg = config::parse(&text, &origin)?;
    cfg.log_warnings(&origin);
    Ok((cfg, text))
}

/// The built-in alert manager's configuration when none is given: accept and group alerts,
/// notify nobody.
const DEFAULT_ALERTMANAGER_CONFIG: &str = "route:\n  receiver: default\nreceivers:\n  - name: default\n";

/// `--alertmanager.config.file`, else the `alertmanager:` section of the config file, else
/// the default.
fn load_alertmanager_config(args: &ServeArgs, config: &config::Config) -> Result<alerting::Config> {
    let cfg = match (&args.alertmanager_config_file, &config.alertmanager) {
        (Some(path), section) => {
            if section.is_some() {
                tracing::warn!("--alertmanager.config.file given: the config file's alertmanager section is ignored");
            }
            alerting::load_file(path).map_err(|e| anyhow::anyhow!("{e}"))?
        }
        (None, Some(section)) => section.clone(),
        (None, None) => alerting::load_str(DEFAULT_ALERTMANAGER_CONFIG, "(default alertmanager config)")
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    for w in &cfg.warnings {
        tracing::warn!(component = "alertmanager", "{w}");
    }
    Ok(cfg)
}

/// Opens the Grafana dashboard store in `<data>/dashboards` and provisions the built-in
/// dashboards and those of `--dashboards.provisioning-dir`. Damaged dashboard files are
/// logged and skipped; a bad provider file fails start-up.
fn open_dashboards(args: &ServeArgs) -> Result<Arc<dashboards::DashboardStore>> {
    let store = dashboards::DashboardStore::open(&args.storage_path.join("dashboards"))?;
    provision_dashboards(args, &store)?;
    Ok(Arc::new(store))
}

/// (Re-)reads the provisioned dashboards into the store; on a bad provider file nothing changes.
fn provision_dashboards(args: &ServeArgs, store: &dashboards::DashboardStore) -> Result<()> {
    let items = read_provisioned_dashboards(args)?;
    apply_provisioned_dashboards(store, items);
    Ok(())
}

/// The built-in dashboards and those of `--dashboards.provisioning-dir`.
fn read_provisioned_dashboards(args: &ServeArgs) -> Result<Vec<dashboards::ProvisionedDashboard>> {
    Ok(dashboards::provisioned_dashboards(args.dashboards_provisioning_dir.as_deref())?)
}

fn apply_provisioned_dashboards(store: &dashboards::DashboardStore, items: Vec<dashboards::ProvisionedDashboard>) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    store.replace_provisioned(items, i64::try_from(now).unwrap_or(i64::MAX));
}

/// Starts the built-in alert manager (`/api/v2`), with its state in `<data>/alertmanager`.
fn start_alertmanager(
    args: &ServeArgs,
    config: &config::Config,
    registry: &telemetry::Registry,
) -> Result<(alerting::Alertmanager, Arc<crate::am_notify::Receivers>)> {
    let config = load_alertmanager_config(args, config)?;
    let am_receivers = Arc::new(crate::am_notify::Receivers::new(&config, registry)?);
    let options = alerting::Options {
        external_url: external_url(args),
        // Durable before the API answers: posted alerts go to a journal (silences and acks
        // are written at once anyway); snapshots and the notification log follow within 1 s.
        journal_alerts: true,
        persist_interval_ms: 1000,
        ..Default::default()
    };
    let am = alerting::Alertmanager::new(config, &args.storage_path.join("alertmanager"), options)
        .map_err(|e| anyhow::anyhow!("cannot start the alert manager: {e}"))?;
    am.spawn(am_receivers.clone());
    tracing::info!("built-in alert manager started (/api/v2)");
    Ok((am, am_receivers))
}

/// Starts alert delivery to the configured Alertmanagers and, in-process, to the built-in one.
fn start_notifier(
    args: &ServeArgs,
    config: &config::Config,
    alertmanager: &alerting::Alertmanager,
    registry: &telemetry::Registry,
) -> Result<Arc<notifier::Notifier>> {
    let notifier = notifier::Notifier::new(
        notifier::Options { queue_capacity: args.notification_queue_capacity.max(1), ..Default::default() },
        registry,
    )
    .map_err(|e| anyhow::anyhow!("cannot start the notifier: {e}"))?;
    notifier.apply_config(config.notifier.clone()).map_err(|e| anyhow::anyhow!("alerting: {e}"))?;
    // Vigil's own rules reach the built-in alert manager in-process, as the same alerts
    // (external labels and alert relabelling applied) the Alertmanagers receive.
    notifier.add_sink(Arc::new(crate::am_notify::BuiltIn(alertmanager.clone())));
    Ok(Arc::new(notifier))
}

/// Starts rule evaluation with the configuration's rule files; alerts go to `notifier`.
fn start_rules(
    args: &ServeArgs,
    config: &config::Config,
    notifier: &Arc<notifier::Notifier>,
    db: Arc<Db>,
    registry: &telemetry::Registry,
) -> Result<RulesManager> {
    let sender = notifier.clone();
    let notify: rules::manager::NotifyFn = Arc::new(move |alerts: Vec<rules::OutgoingAlert>| {
        sender.send(alerts.into_iter().map(to_notifier_alert).collect());
    });
    let engine = promql::Engine::new(query_options(args)?.engine);
    let rules = RulesManager::new(engine, db, args.storage_path.join("rules"), notify, registry);
    apply_rules(args, config, &rules)?;
    Ok(rules)
}

fn apply_rules(args: &ServeArgs, config: &config::Config, rules: &RulesManager) -> Result<()> {
    let options = rules::GroupOptions {
        external_labels: config.global.external_labels.clone(),
        external_url: external_url(args),
        resend_delay_ms: args.rules_resend_delay.max(1),
    };
    let warnings = rules
        .apply(
            &config.rule_files,
            config.global.evaluation_interval.ms(),
            config.global.rule_query_offset.map_or(0, |d| d.ms()),
            options,
        )
        .map_err(|e| anyhow::anyhow!("cannot load rules: {e}"))?;
    for w in warnings {
        tracing::warn!("{w}");
    }
    tracing::info!(files = config.rule_files.len(), groups = rules.groups().len(), "rules loaded");
    Ok(())
}

/// `--web.external-url`, or the listen address as a URL (https when the web config turns
/// TLS on).
fn external_url(args: &ServeArgs) -> String {
    match &args.external_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            let tls =
                args.web_config_file.as_ref().and_then(|p| server::websec::config::load(p).ok()).is_some_and(|l| {
                    l.file.tls_server_config.as_ref().is_some_and(server::websec::config::TlsServerConfig::is_enabled)
                });
            format!("{}://{}", if tls { "https" } else { "http" }, args.listen_address)
        }
    }
}

/// `--web.config.file`: TLS and authentication for every route; checked before listening.
fn load_web_security(args: &ServeArgs) -> Result<Option<Arc<server::websec::WebSecurity>>> {
    let Some(path) = &args.web_config_file else { return Ok(None) };
    let sec = server::websec::WebSecurity::load(path).map_err(|e| anyhow::anyhow!("--web.config.file: {e}"))?;
    tracing::info!(file = %path.display(), "web config: {}", sec.active().summary());
    if args.config_file.is_none() && (sec.tls_enabled() || !sec.active().users.is_empty()) {
        tracing::warn!(
            "the embedded default config scrapes Vigil over plain HTTP without credentials, which the web config \
             refuses; give --config.file with a self-scrape job that has the scheme, tls_config and basic_auth it needs"
        );
    }
    Ok(Some(sec))
}

fn to_notifier_alert(a: rules::OutgoingAlert) -> notifier::Alert {
    notifier::Alert {
        labels: a.labels,
        annotations: a.annotations,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        generator_url: a.generator_url,
    }
}

fn load_probe_modules(args: &ServeArgs) -> Result<Option<probe::Modules>> {
    let Some(path) = &args.probe_config_file else { return Ok(None) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read probe config file {}", path.display()))?;
    Ok(Some(probe::Modules::parse(&text, &path.display().to_string())?))
}

/// Re-reads the configuration on SIGHUP and on `POST /-/reload`. A bad file changes nothing:
/// the error is logged (and returned to the HTTP caller) and the running config stays.
/// What a reload changes.
struct Reloadable {
    args: ServeArgs,
    scrape: ScrapeManager,
    rules: RulesManager,
    am_receivers: Arc<crate::am_notify::Receivers>,
    alertmanager: alerting::Alertmanager,
    notifier: Arc<notifier::Notifier>,
    state: Arc<AppState>,
    web_security: Option<Arc<server::websec::WebSecurity>>,
}

async fn reload_loop(
    r: Reloadable,
    mut hup: Option<tokio::signal::unix::Signal>,
    mut requests: mpsc::Receiver<ReloadRequest>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let reply = tokio::select! {
            _ = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => None,
            req = requests.recv() => match req {
                Some(r) => Some(r),
                None => break,
            },
            _ = stop.changed() => break,
        };
        let result = reload(&r).await;
        match &result {
            Ok(()) => tracing::info!("configuration reloaded"),
            Err(e) => tracing::error!(error = %e, "configuration reload failed; keeping the running configuration"),
        }
        if let Some(reply) = reply {
            let _ = reply.send(result.map_err(ReloadFailed));
        }
    }
}

async fn reload(r: &Reloadable) -> Result<(), String> {
    let (args, manager, rules, am_receivers, state) = (&r.args, &r.scrape, &r.rules, &*r.am_receivers, &*r.state);
    // The web config first: a broken one fails the reload before anything changes.
    let web = r.web_security.as_ref().map(|w| w.prepare().map(|p| (w, p))).transpose().map_err(|e| e.to_string())?;
    let modules = load_probe_modules(args).map_err(|e| format!("{e:#}"))?;
    let (cfg, text) = load_config(args).map_err(|e| format!("{e:#}"))?;
    // Rules and the alert manager's config first: a broken file fails the reload before
    // anything else changes.
    let am_config = load_alertmanager_config(args, &cfg).map_err(|e| format!("{e:#}"))?;
    let next_receivers = am_receivers.prepare(&am_config).map_err(|e| format!("{e:#}"))?;
    let provisioned = read_provisioned_dashboards(args).map_err(|e| format!("{e:#}"))?;
    apply_rules(args, &cfg, rules).map_err(|e| format!("{e:#}"))?;
    if let Some((w, prepared)) = web {
        w.commit(prepared);
    }
    am_receivers.swap(next_receivers);
    r.alertmanager.apply_config(am_config);
    r.notifier.apply_config(cfg.notifier.clone()).map_err(|e| e.to_string())?;
    manager.apply(cfg.jobs).await.map_err(|e| e.to_string())?;
    *state.reloaded_config.write().unwrap_or_else(|p| p.into_inner()) = Some(text);
    if let Some(m) = modules {
        *state.probe_modules.write().unwrap_or_else(|p| p.into_inner()) = m;
    }
    apply_provisioned_dashboards(&state.dashboards, provisioned);
    Ok(())
}

fn storage_options(args: &ServeArgs) -> Options {
    Options {
        retention_ms: args.retention_time,
        retention_bytes: args.retention_size,
        wal: WalOptions {
            fsync: match args.wal_fsync {
                FsyncMode::Always => FsyncPolicy::Always,
                FsyncMode::Interval => {
                    FsyncPolicy::Interval(Duration::from_millis(args.wal_fsync_interval.max(1) as u64))
                }
            },
            ..WalOptions::default()
        },
        out_of_order_window_ms: args.out_of_order_window,
        block_range_ms: args.block_duration.max(1),
        max_series: args.max_series,
        read_only: false,
    }
}

/// Logs replay progress at most once per second, and always at the end.
fn replay_progress_logger() -> impl FnMut(tsdb::wal::Progress) {
    let mut last = Instant::now();
    move |p| {
        if last.elapsed() >= Duration::from_secs(1) || p.files_done == p.files_total {
            last = Instant::now();
            tracing::info!(
                percent = format!("{:.1}", p.percent()),
                segments = format!("{}/{}", p.files_done, p.files_total),
                "WAL replay progress"
            );
        }
    }
}

/// Runs `f` on a blocking thread every `period` until `stop` turns true.
fn spawn_periodic(
    period: Duration,
    mut stop: watch::Receiver<bool>,
    db: Arc<Db>,
    f: fn(&Db),
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let db = db.clone();
                    let _ = tokio::task::spawn_blocking(move || f(&db)).await;
                }
                _ = stop.changed() => break,
            }
        }
    })
}

/// SIGTERM, SIGINT and SIGHUP, listened for from the start: a signal that arrives while Vigil
/// is still starting must neither be lost nor (SIGHUP's default) end the process.
struct Signals {
    term: Option<tokio::signal::unix::Signal>,
    int: Option<tokio::signal::unix::Signal>,
    /// Handed to the reload loop once scraping runs.
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let (term, int) = (signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok());
        if term.is_none() || int.is_none() {
            tracing::error!("cannot install signal handlers; stop Vigil with SIGKILL");
        }
        let hup = signal(SignalKind::hangup())
            .map_err(|e| tracing::warn!(error = %e, "cannot listen for SIGHUP; reload with POST /-/reload"))
            .ok();
        Signals { term, int, hup }
    }

    async fn recv(&mut self) {
        let (Some(term), Some(int)) = (self.term.as_mut(), self.int.as_mut()) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}
