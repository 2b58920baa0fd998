//! Start-up as one step: the server listens before the storage opens, `/-/healthy` and the
//! alert manager answer at once, `/-/ready` and the data endpoints answer 503 until the
//! running parts are published together with `AppState::set_running` (a reload before that is
//! refused with 503), and they are published only once.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use server::{AppState, Running, Startup};

/// A fresh directory under the system temp dir, unique to this test run.
fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("vigil-server-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Status code and body of a plain HTTP/1.1 GET.
async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    request(addr, "GET", path).await
}

/// Status code and body of a body-less HTTP/1.1 request.
async fn request(addr: SocketAddr, method: &str, path: &str) -> (u16, String) {
    let request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
        stream.write_all(request.as_bytes()).expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
        (status, body)
    })
    .await
    .expect("request task")
}

fn startup(
    dir: &std::path::Path,
    registry: &telemetry::Registry,
    reload: tokio::sync::mpsc::Sender<server::ReloadRequest>,
) -> Startup {
    let am_config = alerting::load_str("route:\n  receiver: default\nreceivers:\n  - name: default\n", "(test)")
        .expect("alertmanager config");
    let alertmanager = alerting::Alertmanager::new(am_config, &dir.join("alertmanager"), alerting::Options::default())
        .expect("alert manager");
    Startup {
        registry: registry.clone(),
        limits: server::Limits::default(),
        admin_api: false,
        query: server::prom_api::QueryOptions::default(),
        status: server::prom_api::StatusInfo::default(),
        external_url: "http://vigil.example".into(),
        reload: Some(reload),
        alertmanager,
        probe_modules: probe::Modules::builtin(),
        dashboards: Arc::new(dashboards::DashboardStore::open(&dir.join("dashboards")).expect("dashboard store")),
    }
}

fn running(dir: &std::path::Path, registry: &telemetry::Registry) -> Running {
    let db = Arc::new(tsdb::Db::open(&dir.join("data"), tsdb::Options::default(), |_| {}).expect("open storage"));
    let notifier =
        Arc::new(notifier::Notifier::new(notifier::Options::default(), registry).expect("notifier in a runtime"));
    let notify: rules::manager::NotifyFn = Arc::new(|_| {});
    let rules = rules::RulesManager::new(
        promql::Engine::new(promql::EngineOptions::default()),
        db.clone(),
        dir.join("rules"),
        notify,
        registry,
    );
    let scrape = scrape::manager::ScrapeManager::new(db.clone(), scrape::manager::ManagerOptions::default(), registry);
    Running { db, rules, notifier, scrape }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_endpoints_wait_for_the_running_state() {
    let dir = temp_dir("startup");
    let registry = telemetry::Registry::new();
    let (reload_tx, mut reload_rx) = tokio::sync::mpsc::channel(1);
    let state = AppState::new(startup(&dir, &registry, reload_tx));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, state.clone(), async move {
        let _ = stop_rx.await;
    }));

    // Listening, not running: liveness and the alert manager answer, data waits.
    assert_eq!(get(addr, "/-/healthy").await.0, 200);
    assert_eq!(get(addr, "/-/ready").await.0, 503);
    let (status, body) = get(addr, "/api/v1/query?query=1").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"errorType\":\"unavailable\""), "{body}");
    assert_eq!(get(addr, "/api/v1/labels").await.0, 503);
    assert_eq!(get(addr, "/api/v2/status").await.0, 200, "the alert manager needs no storage");
    let (status, body) = get(addr, "/api/v1/rules").await;
    assert_eq!((status, body.contains("\"groups\":[]")), (200, true), "{body}");
    assert!(state.running().is_err());
    // Nothing to reload yet: the request is refused, not queued behind the WAL replay.
    let (status, body) = request(addr, "POST", "/-/reload").await;
    assert_eq!(status, 503, "{body}");
    assert!(reload_rx.try_recv().is_err(), "no reload request may reach the binary before it runs");

    // Published as one: everything is there at once.
    let parts = running(&dir, &registry);
    state.set_running(parts).expect("first publication");
    assert_eq!(get(addr, "/-/ready").await.0, 200);
    let (status, body) = get(addr, "/api/v1/query?query=1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(get(addr, "/api/v1/targets").await.0, 200);
    // Once running, a reload reaches the binary, whose answer becomes the response.
    let reloader = tokio::spawn(async move {
        if let Some(reply) = reload_rx.recv().await {
            let _ = reply.send(Err(server::ReloadFailed("config file x.yml: line 3: bad".into())));
        }
    });
    let (status, body) = request(addr, "POST", "/-/reload").await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body, "failed to reload config: config file x.yml: line 3: bad\n");
    reloader.await.expect("reloader");

    // A second publication is a start-up bug and is refused; the first stays.
    let second = running(&dir.join("second"), &telemetry::Registry::new());
    assert!(state.set_running(second).is_err());
    assert!(state.running().is_ok_and(|r| r.db.dir() == dir.join("data")));

    let _ = stop_tx.send(());
    server.await.expect("server task").expect("server");
    let _ = std::fs::remove_dir_all(&dir);
}
