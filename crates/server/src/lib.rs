//! Vigil's HTTP server: every API and the UI on one port.
//!
//! The router only parses requests, calls the store or engine that owns the data, and maps
//! errors to status codes; it holds no data of its own. The storage may still be opening (WAL
//! replay) when the server starts listening, so `/-/healthy` answers at once while `/-/ready`
//! and data endpoints answer 503 until the database is there.
//!
//! The state is built in two steps and never filled in field by field: [`Startup`] holds what
//! exists before the storage opens (passed to [`AppState::new`]), [`Running`] what exists only
//! after (storage, rules, notifier, scrape manager), published whole by
//! [`AppState::set_running`] and reached only through [`AppState::running`].

mod admin;
pub mod am_api;
pub mod grafana_api;
mod health;
pub mod prom_api;
mod remote_write;
mod web_ui;
pub mod websec;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use tsdb::Db;

/// Limits the server enforces on requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted request body (compressed), in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// Decoding limits for remote-write payloads.
    pub remote_write: ::remote_write::Limits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: 32 << 20, remote_write: ::remote_write::Limits::default() }
    }
}

/// Asks the binary to reload its configuration (`POST /-/reload`); the reply is the outcome.
pub type ReloadRequest = tokio::sync::oneshot::Sender<Result<(), ReloadFailed>>;

/// A configuration reload that changed nothing; the text is the binary's whole error chain,
/// answered to the caller of `POST /-/reload` as Prometheus does.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReloadFailed(pub String);

/// What the server has from the moment it starts listening, before the storage opens.
pub struct Startup {
    pub registry: telemetry::Registry,
    pub limits: Limits,
    /// `--web.enable-admin-api`.
    pub admin_api: bool,
    pub query: prom_api::QueryOptions,
    pub status: prom_api::StatusInfo,
    /// `--web.external-url` (links in notifications and previews).
    pub external_url: String,
    /// Where `POST /-/reload` sends its requests; `None` without `--web.enable-lifecycle`.
    pub reload: Option<tokio::sync::mpsc::Sender<ReloadRequest>>,
    /// The built-in alert manager behind `/api/v2`. It keeps its own state and does not need
    /// the TSDB, so it answers before the WAL replay ends.
    pub alertmanager: alerting::Alertmanager,
    /// Modules of the built-in prober at `/probe`.
    pub probe_modules: probe::Modules,
    /// Grafana dashboards behind the Grafana-compatible API (`/api/dashboards`, `/api/search`).
    /// They need no TSDB, so they answer before the WAL replay ends.
    pub dashboards: Arc<dashboards::DashboardStore>,
}

/// Everything that exists only once the storage is open, built complete and in order by the
/// binary and published once with [`AppState::set_running`]: a handler sees all of it or
/// none of it.
pub struct Running {
    pub db: Arc<Db>,
    /// The rules manager, its rule files loaded and alert state restored.
    pub rules: rules::RulesManager,
    /// Delivers alerts to the configured Alertmanagers.
    pub notifier: Arc<notifier::Notifier>,
    /// The scrape manager (its jobs are applied right after it is published).
    pub scrape: scrape::manager::ScrapeManager,
}

/// Vigil is listening but not running yet: the storage is still replaying its WAL.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the storage is still opening (WAL replay)")]
pub struct NotRunning;

/// Everything the handlers share.
pub struct AppState {
    running: OnceLock<Running>,
    pub registry: telemetry::Registry,
    pub limits: Limits,
    pub admin_api: bool,
    metrics: remote_write::Metrics,
    ref_cache: remote_write::RefCache,
    query: prom_api::QueryState,
    status: prom_api::StatusInfo,
    /// Where `POST /-/reload` sends its requests; `None` without `--web.enable-lifecycle`.
    reload: Option<tokio::sync::mpsc::Sender<ReloadRequest>>,
    /// Modules of the built-in prober at `/probe`; a reload swaps them in place.
    pub probe_modules: Arc<std::sync::RwLock<probe::Modules>>,
    /// Host metrics served at `/metrics/host`. One instance, because it keeps state between scrapes.
    host: Arc<hostmetrics::HostCollector>,
    /// The configuration text after the last successful reload (`/api/v1/status/config`);
    /// `None` until a reload, when the start-up text in `status` applies.
    pub reloaded_config: std::sync::RwLock<Option<String>>,
    /// The built-in alert manager behind `/api/v2`.
    pub alertmanager: alerting::Alertmanager,
    /// `--web.external-url` (links in notifications and previews).
    pub external_url: String,
    /// Grafana dashboards behind the Grafana-compatible API; provisioning reloads swap the
    /// provisioned ones in place.
    pub dashboards: Arc<dashboards::DashboardStore>,
}

impl AppState {
    /// The state of a server that listens at once; data endpoints answer 503 until
    /// [`AppState::set_running`].
    pub fn new(startup: Startup) -> Arc<Self> {
        let metrics = remote_write::Metrics::new(&startup.registry);
        let query = prom_api::QueryState::new(startup.query, &startup.registry);
        Arc::new(AppState {
            running: OnceLock::new(),
            registry: startup.registry,
            limits: startup.limits,
            admin_api: startup.admin_api,
            metrics,
            ref_cache: remote_write::RefCache::default(),
            query,
            status: startup.status,
            reload: startup.reload,
            probe_modules: Arc::new(std::sync::RwLock::new(startup.probe_modules)),
            host: Arc::new(hostmetrics::HostCollector::new("/")),
            reloaded_config: std::sync::RwLock::new(None),
            alertmanager: startup.alertmanager,
            external_url: startup.external_url,
            dashboards: startup.dashboards,
        })
    }

    /// Publishes the running parts; from now on `/-/ready` answers 200. Only the first call
    /// counts: a second one is a bug in the binary's start-up and is refused.
    pub fn set_running(&self, running: Running) -> Result<(), AlreadyRunning> {
        self.running.set(running).map_err(|_| AlreadyRunning)
    }

    /// The parts that exist once the storage is open, or [`NotRunning`] (503) before.
    pub fn running(&self) -> Result<&Running, NotRunning> {
        self.running.get().ok_or(NotRunning)
    }
}

/// [`AppState::set_running`] was called twice.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("BUG: the server's running state was published twice")]
pub struct AlreadyRunning;

/// Vigil's own routes: the router is built from this table, so [`route_paths`] lists every
/// path that is served (tests check each one, e.g. that authentication covers it).
fn routes() -> Vec<(&'static str, MethodRouter<Arc<AppState>>)> {
    vec![
        ("/-/healthy", get(health::healthy).head(health::healthy)),
        ("/-/ready", get(health::ready).head(health::ready)),
        ("/metrics", get(health::metrics)),
        ("/metrics/host", get(health::host_metrics)),
        ("/api/v1/write", post(remote_write::write)),
        ("/api/v1/admin/tsdb/flush", post(admin::flush).put(admin::flush)),
        ("/api/v1/query", get(prom_api::query).post(prom_api::query)),
        ("/api/v1/query_range", get(prom_api::query_range).post(prom_api::query_range)),
        ("/api/v1/series", get(prom_api::series).post(prom_api::series)),
        ("/api/v1/labels", get(prom_api::labels).post(prom_api::labels)),
        ("/api/v1/label/{name}/values", get(prom_api::label_values)),
        ("/api/v1/metadata", get(prom_api::metadata)),
        ("/api/v1/targets", get(prom_api::targets::targets)),
        ("/api/v1/targets/metadata", get(prom_api::targets::targets_metadata)),
        ("/api/v1/scrape_pools", get(prom_api::targets::scrape_pools)),
        ("/api/v1/rules", get(prom_api::rules::rules)),
        ("/api/v1/alerts", get(prom_api::rules::alerts)),
        ("/api/v1/alertmanagers", get(prom_api::rules::alertmanagers)),
        ("/-/reload", post(health::reload).put(health::reload)),
        ("/api/v1/query_exemplars", get(prom_api::query_exemplars).post(prom_api::query_exemplars)),
        ("/api/v1/format_query", get(prom_api::format_query).post(prom_api::format_query)),
        ("/api/v1/parse_query", get(prom_api::parse_query).post(prom_api::parse_query)),
        ("/api/v1/status/buildinfo", get(prom_api::status::buildinfo)),
        ("/api/v1/status/runtimeinfo", get(prom_api::status::runtimeinfo)),
        ("/api/v1/status/flags", get(prom_api::status::flags)),
        ("/api/v1/status/config", get(prom_api::status::config)),
        ("/api/v1/status/tsdb", get(prom_api::status::tsdb)),
        ("/api/v1/admin/tsdb/delete_series", post(prom_api::delete_series).put(prom_api::delete_series)),
        ("/api/v1/admin/tsdb/clean_tombstones", post(prom_api::clean_tombstones).put(prom_api::clean_tombstones)),
        ("/api/v1/admin/tsdb/snapshot", post(admin::snapshot).put(admin::snapshot)),
        ("/federate", get(prom_api::federate)),
    ]
}

/// Every path the router serves, its own and the merged routers' (`/probe`, `/api/v2`, …),
/// with `{param}` placeholders as registered.
pub fn route_paths() -> Vec<&'static str> {
    routes()
        .into_iter()
        .map(|(p, _)| p)
        .chain(am_api::routes().into_iter().map(|(p, _)| p))
        .chain(grafana_api::routes().into_iter().map(|(p, _)| p))
        .chain(std::iter::once(probe::PATH))
        .collect()
}

/// The full router.
pub fn router(state: Arc<AppState>) -> Router {
    let prober = probe::router(state.probe_modules.clone());
    let alertmanager = am_api::router(state.clone());
    routes()
        .into_iter()
        .chain(grafana_api::routes())
        .fold(Router::new(), |r, (path, method)| r.route(path, method))
        .fallback(web_ui::serve)
        .with_state(state)
        .merge(prober)
        .merge(alertmanager)
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, None, shutdown).await
}

/// Like [`serve`], with `--web.config.file`'s security when given: every route behind the
/// authentication layer ([`websec::protect`]), and TLS on the listener when configured.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    security: Option<Arc<websec::WebSecurity>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Some(sec) = security else {
        let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
        return axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    };
    let app = websec::protect(router(state), sec.clone());
    if sec.tls_enabled() {
        let app = websec::tls::with_peer_address(app).into_make_service_with_connect_info::<websec::tls::TlsPeer>();
        let listener = websec::tls::TlsListener::new(listener, move || sec.tls_config());
        axum::serve(listener, app).with_graceful_shutdown(shutdown).await
    } else {
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).with_graceful_shutdown(shutdown).await
    }
}
