//! `--web.config.file` end to end with the real binary: every route is behind basic auth; TLS
//! with client certificates (curl); certificates rotate on reload; and Prometheus 2.42's own
//! clients (`promtool`, remote write, `amtool`) talk to Vigil through TLS and basic auth.
//! Certificates are generated here, per test.

mod common;
#[path = "../../server/src/websec/test_pki.rs"]
mod test_pki;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use common::*;
use serde_json::Value;

const USER: &str = "alice";
const PASSWORD: &str = "s3cret:with:colons";

/// bcrypt of [`PASSWORD`] (cost 6: fast enough for tests, still a real bcrypt check).
fn password_hash() -> String {
    bcrypt::hash(PASSWORD, 6).unwrap()
}

fn basic_header() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}")))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Server CA (ca.pem), server certificate (server.crt/.key) with the given CN and serial.
fn server_pki(dir: &Path, cn: &str, serial: u64) -> test_pki::Ca {
    let server_ca = test_pki::ca(dir, "ca", "Vigil test server CA");
    server_ca.issue("server", cn, SERVER_NAMES, serial);
    server_ca
}

const SERVER_NAMES: &[&str] = &["DNS:localhost", "IP:127.0.0.1"];

/// Whether every peer program is installed (see `require_peer`: under CI a missing one fails).
fn peers(test: &str, bins: &[&str]) -> bool {
    bins.iter().all(|b| require_peer(b, test))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// curl against `https://localhost:<port><path>` with the server CA and the given extra
/// arguments; returns (exit code, HTTP status or 0, body).
fn curl_https(addr: SocketAddr, dir: &Path, path: &str, extra: &[&str]) -> (i32, u16, String) {
    let body = dir.join(format!("curl-body-{}", addr.port()));
    let o = run(Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o"])
        .arg(&body)
        .args(["-w", "%{http_code}", "--cacert"])
        .arg(dir.join("ca.pem"))
        .arg("--resolve")
        .arg(format!("localhost:{}:127.0.0.1", addr.port()))
        .args(extra)
        .arg(format!("https://localhost:{}{path}", addr.port())));
    let code = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap_or(0);
    let b = std::fs::read_to_string(&body).unwrap_or_default();
    let _ = std::fs::remove_file(&body);
    (o.status.code().unwrap_or(-1), code, if o.status.success() { b } else { text(&o) })
}

fn user_arg() -> String {
    format!("{USER}:{PASSWORD}")
}

/// Starts Vigil with this web config and waits until `ready()` says so.
fn start(tmp: &Path, web_yml: &str, extra: &[&str], ready: impl Fn(&Vigil) -> bool) -> Vigil {
    let web = write(tmp, "web.yml", web_yml);
    let mut args = vec![format!("--web.config.file={}", web.display())];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let v = Vigil::spawn(&tmp.join("data"), &args);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if ready(&v) {
            return v;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("vigil not ready; log:\n{}", v.log_text());
}

fn tls_ready_with(extra: &'static [&'static str], dir: PathBuf) -> impl Fn(&Vigil) -> bool {
    move |v: &Vigil| {
        let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        args.push("-u".into());
        args.push(user_arg());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        curl_https(v.addr, &dir, "/-/ready", &args).1 == 200
    }
}

fn fill_params(path: &str) -> String {
    path.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>().join("/")
}

#[test]
fn every_route_answers_401_without_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = format!(
        "basic_auth_users:\n  {USER}: {}\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n",
        password_hash()
    );
    let auth = basic_header();
    let v = start(tmp.path(), &yaml, &["--web.enable-lifecycle", "--web.enable-admin-api"], |v| {
        request(v.addr, "GET", "/-/ready", &[("Authorization", &auth)], b"").is_ok_and(|r| r.status == 200)
    });
    let mut paths: Vec<String> = server::route_paths().iter().map(|p| fill_params(p)).collect();
    assert!(paths.iter().any(|p| p == "/-/healthy") && paths.iter().any(|p| p == "/probe"));
    paths.push("/not/a/route".into());
    for path in &paths {
        for method in ["GET", "POST", "PUT", "DELETE", "HEAD"] {
            let r = request(v.addr, method, path, &[], b"").unwrap();
            assert_eq!(r.status, 401, "{method} {path} without credentials: {}", r.text());
            assert_eq!(r.header("WWW-Authenticate"), Some("Basic"), "{method} {path}");
            assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"), "{method} {path}");
            let wrong = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:nope")));
            let r = request(v.addr, method, path, &[("Authorization", &wrong)], b"").unwrap();
            assert_eq!(r.status, 401, "{method} {path} with a wrong password");
        }
        // Admin routes would act; the snapshot one writes a snapshot, which is harmless here.
        let method = if path.contains("/admin/") || path == "/-/reload" { "POST" } else { "GET" };
        let r = request(v.addr, method, path, &[("Authorization", &auth)], b"").unwrap();
        assert_ne!(r.status, 401, "{method} {path} with credentials: {}", r.text());
        assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"), "{method} {path}");
    }

    // A reload (SIGHUP) swaps the users: alice is gone, bob is in.
    let bob_hash = bcrypt::hash("bobpw", 4).unwrap();
    write(tmp.path(), "web.yml", &format!("basic_auth_users:\n  bob: {bob_hash}\n"));
    assert!(Command::new("kill").args(["-HUP", &v.child.id().to_string()]).status().unwrap().success());
    let bob = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("bob:bobpw"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = request(v.addr, "GET", "/-/healthy", &[("Authorization", &bob)], b"").unwrap();
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "bob not accepted after SIGHUP; log:\n{}", v.log_text());
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = request(v.addr, "GET", "/-/healthy", &[("Authorization", &auth)], b"").unwrap();
    assert_eq!(r.status, 401, "alice still accepted after the reload removed her");

    // A broken web config fails the reload (500 from /-/reload) and changes nothing.
    write(tmp.path(), "web.yml", "basic_auth_users:\n  bob: plaintext\n");
    let r = request(v.addr, "POST", "/-/reload", &[("Authorization", &bob)], b"").unwrap();
    assert_eq!(r.status, 500, "{}", r.text());
    assert!(r.text().contains("web.yml:2: basic_auth_users: user \"bob\""), "{}", r.text());
    let r = request(v.addr, "GET", "/-/healthy", &[("Authorization", &bob)], b"").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(v.stop().code(), Some(0));
}

#[test]
fn web_config_errors_name_file_and_line() {
    if !peers("web_config_errors_name_file_and_line", &["openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let web =
        write(tmp.path(), "web.yml", "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  clientauth: x\n");
    let o = run(Command::new(vigil_bin()).args(["check", "web-config"]).arg(&web));
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(out.contains(&format!("{}:4: unknown field `clientauth`", web.display())), "{out}");

    let o = run(Command::new(vigil_bin())
        .arg("serve")
        .arg(format!("--web.config.file={}", web.display()))
        .arg(format!("--storage.path={}", tmp.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{}", free_port())));
    assert!(!o.status.success());
    assert!(text(&o).contains("web.yml:4: unknown field `clientauth`"), "{}", text(&o));

    server_pki(tmp.path(), "localhost", 1);
    write(
        tmp.path(),
        "web.yml",
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS11\n",
    );
    let o = run(Command::new(vigil_bin()).args(["check", "web-config"]).arg(&web));
    assert!(text(&o).contains("web.yml:4: min_version: TLS11 is not supported"), "{}", text(&o));
    write(tmp.path(), "web.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
    let o = run(Command::new(vigil_bin()).args(["check", "web-config"]).arg(&web));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("TLS on"), "{}", text(&o));
}

#[test]
fn tls_with_required_client_certificates() {
    if !peers("tls_with_required_client_certificates", &["curl", "openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    server_pki(dir, "localhost", 1);
    test_pki::ca(dir, "client-ca", "Vigil test client CA").issue("client", "good client", &["DNS:client"], 10);
    test_pki::ca(dir, "other-ca", "Some other CA").issue("rogue", "rogue client", &["DNS:client"], 11);
    let yaml = format!(
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: client-ca.pem\n  min_version: TLS12\nbasic_auth_users:\n  {USER}: {}\n",
        password_hash()
    );
    let v = start(dir, &yaml, &[], move |v| {
        let (_, code, _) = curl_https(
            v.addr,
            dir,
            "/-/ready",
            &["-u", &user_arg(), "--cert", &path_str(dir, "client.crt"), "--key", &path_str(dir, "client.key")],
        );
        code == 200
    });
    let good = ["--cert".to_string(), path_str(dir, "client.crt"), "--key".into(), path_str(dir, "client.key")];
    let rogue = ["--cert".to_string(), path_str(dir, "rogue.crt"), "--key".into(), path_str(dir, "rogue.key")];
    let with = |extra: &[String], more: &[&str]| {
        let mut a: Vec<&str> = extra.iter().map(String::as_str).collect();
        a.extend_from_slice(more);
        a.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let u = user_arg();

    // The right client certificate and credentials: served.
    let args = with(&good, &["-u", &u]);
    let (rc, code, body) = curl_https(v.addr, dir, "/api/v1/query?query=vector(7)", &as_strs(&args));
    assert_eq!((rc, code), (0, 200), "{body}");
    assert!(body.contains("\"7\""), "{body}");
    // TLS 1.2 only and TLS 1.3 only both work.
    for version in [["--tlsv1.2", "--tls-max", "1.2"], ["--tlsv1.3", "--tls-max", "1.3"]] {
        let args = with(&good, &["-u", &u, version[0], version[1], version[2]]);
        let (rc, code, body) = curl_https(v.addr, dir, "/-/healthy", &as_strs(&args));
        assert_eq!((rc, code), (0, 200), "{version:?}: {body}");
    }
    // The right certificate without credentials: 401.
    let (rc, code, _) = curl_https(v.addr, dir, "/-/healthy", &as_strs(&good));
    assert_eq!((rc, code), (0, 401));
    // A certificate signed by another CA, or none: the handshake is refused.
    for (what, args) in [("rogue certificate", with(&rogue, &["-u", &u])), ("no certificate", with(&[], &["-u", &u]))] {
        let (rc, code, out) = curl_https(v.addr, dir, "/-/healthy", &as_strs(&args));
        assert!(rc != 0 && code == 0, "{what}: curl exit {rc}, HTTP {code}: {out}");
    }
    // Plain HTTP to the TLS port gets no HTTP answer.
    assert!(get(v.addr, "/-/healthy").map_or(true, |r| r.status != 200));
    assert_eq!(v.stop().code(), Some(0));
}

fn path_str(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The subject and serial of the certificate a new TLS connection is served.
fn served_certificate(addr: SocketAddr) -> String {
    let o = run(Command::new("sh").arg("-c").arg(format!(
        "openssl s_client -connect 127.0.0.1:{} -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -subject -serial",
        addr.port()
    )));
    text(&o)
}

#[test]
fn certificates_rotate_on_reload() {
    if !peers("certificates_rotate_on_reload", &["curl", "openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let server_ca = server_pki(&dir, "vigil-one", 0x1001);
    let yaml = format!(
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  {USER}: {}\n",
        password_hash()
    );
    let v = start(&dir, &yaml, &["--web.enable-lifecycle"], tls_ready_with(&[], dir.clone()));
    let first = served_certificate(v.addr);
    assert!(first.contains("CN = vigil-one") && first.contains("serial=1001"), "{first}");

    // New files, then SIGHUP: a new connection sees the new certificate.
    server_ca.issue("server", "vigil-two", SERVER_NAMES, 0x2002);
    assert!(served_certificate(v.addr).contains("vigil-one"), "changed before the reload");
    assert!(Command::new("kill").args(["-HUP", &v.child.id().to_string()]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = String::new();
    while Instant::now() < deadline {
        seen = served_certificate(v.addr);
        if seen.contains("vigil-two") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(seen.contains("CN = vigil-two") && seen.contains("serial=2002"), "after SIGHUP: {seen}");

    // Again with POST /-/reload.
    server_ca.issue("server", "vigil-three", SERVER_NAMES, 0x3003);
    let (rc, code, body) = curl_https(v.addr, &dir, "/-/reload", &["-X", "POST", "-u", &user_arg()]);
    assert_eq!((rc, code), (0, 200), "{body}");
    let seen = served_certificate(v.addr);
    assert!(seen.contains("CN = vigil-three") && seen.contains("serial=3003"), "after /-/reload: {seen}");

    // A key that does not match the certificate: the reload fails, the old pair stays.
    let (_, other_key) = server_ca.issue("unused", "unused", SERVER_NAMES, 0x4004);
    write(&dir, "server.key", &other_key);
    let (rc, code, body) = curl_https(v.addr, &dir, "/-/reload", &["-X", "POST", "-u", &user_arg()]);
    assert_eq!((rc, code), (0, 500), "{body}");
    assert!(served_certificate(v.addr).contains("vigil-three"));
    assert_eq!(v.stop().code(), Some(0));
}

/// Prometheus's http_config for its clients: trust the test CA, send the credentials.
fn client_http_config(dir: &Path) -> PathBuf {
    write(
        dir,
        "http.yml",
        &format!(
            "tls_config:\n  ca_file: {}\nbasic_auth:\n  username: {USER}\n  password: '{PASSWORD}'\n",
            dir.join("ca.pem").display()
        ),
    )
}

fn tls_auth_vigil(dir: &Path, extra: &[&str]) -> Vigil {
    server_pki(dir, "localhost", 7);
    let yaml = format!(
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  {USER}: {}\n",
        password_hash()
    );
    start(dir, &yaml, extra, tls_ready_with(&[], dir.to_path_buf()))
}

#[test]
fn promtool_queries_over_tls_with_basic_auth() {
    if !peers("promtool_queries_over_tls_with_basic_auth", &["promtool", "curl", "openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let v = tls_auth_vigil(tmp.path(), &[]);
    let http = client_http_config(tmp.path());
    let url = format!("https://localhost:{}", v.addr.port());
    // promtool 2.42 (Debian's) has no --http.config.file (2.43 added it): it trusts the CA
    // through SSL_CERT_FILE, which Go reads, and sends the credentials from the URL. A newer
    // promtool is given the http config file.
    let help = text(&run(Command::new("promtool").args(["query", "instant", "--help"])));
    let o = if help.contains("http.config.file") {
        run(Command::new("promtool")
            .args(["query", "instant"])
            .arg(format!("--http.config.file={}", http.display()))
            .args([&url, "vector(42) + 1"]))
    } else {
        let with_user = format!("https://{USER}:{PASSWORD}@localhost:{}", v.addr.port());
        run(Command::new("promtool").env("SSL_CERT_FILE", tmp.path().join("ca.pem")).args([
            "query",
            "instant",
            &with_user,
            "vector(42) + 1",
        ]))
    };
    assert!(o.status.success(), "promtool with credentials failed: {}", text(&o));
    assert!(text(&o).contains("{} => 43"), "{}", text(&o));
    // Trusting the CA but without credentials: 401.
    let o = run(Command::new("promtool").env("SSL_CERT_FILE", tmp.path().join("ca.pem")).args([
        "query",
        "instant",
        &url,
        "vector(1)",
    ]));
    assert!(!o.status.success() && text(&o).contains("401"), "{}", text(&o));
    // Without trusting the CA: refused.
    let o =
        run(Command::new("promtool").env("SSL_CERT_FILE", "/dev/null").args(["query", "instant", &url, "vector(1)"]));
    assert!(!o.status.success() && text(&o).contains("certificate"), "{}", text(&o));
}

/// Sample counts per series of an instant query for a range selector (a matrix).
fn samples_per_series(json: &str) -> std::collections::BTreeMap<String, usize> {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(v["data"]["resultType"], "matrix", "{json}");
    v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["metric"].to_string(), s["values"].as_array().map_or(0, Vec::len)))
        .collect()
}

fn prom_metric_sum(text: &str, prefix: &str) -> f64 {
    text.lines().filter(|l| l.starts_with(prefix)).filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok()).sum()
}

#[test]
fn prometheus_remote_writes_through_tls_and_basic_auth_losing_nothing() {
    let test = "prometheus_remote_writes_through_tls_and_basic_auth_losing_nothing";
    if !peers(test, &["prometheus", "curl", "openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v = tls_auth_vigil(dir, &[]);
    let prom_port = free_port();
    let cfg = write(
        dir,
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{prom_port}']\nremote_write:\n  - url: https://localhost:{}/api/v1/write\n    tls_config:\n      ca_file: {}\n    basic_auth:\n      username: {USER}\n      password: '{PASSWORD}'\n    queue_config:\n      batch_send_deadline: 1s\n",
            v.addr.port(),
            dir.join("ca.pem").display()
        ),
    );
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let mut prom = Command::new("prometheus")
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("prom").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start prometheus");
    let prom_addr: SocketAddr = format!("127.0.0.1:{prom_port}").parse().unwrap();
    let prom_log = || std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();

    // Let it scrape for a while, then pick a time T behind which everything must have been
    // sent: wait until the remote-write queue has sent samples newer than T.
    std::thread::sleep(Duration::from_secs(12));
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() - 1.0;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut metrics = String::new();
    while Instant::now() < deadline {
        metrics = get(prom_addr, "/metrics").map(|r| r.text()).unwrap_or_default();
        let highest = prom_metric_sum(&metrics, "prometheus_remote_storage_queue_highest_sent_timestamp_seconds{");
        let pending = prom_metric_sum(&metrics, "prometheus_remote_storage_samples_pending{");
        if highest >= t + 3.0 && pending == 0.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let failed = prom_metric_sum(&metrics, "prometheus_remote_storage_samples_failed_total{");
    let sent = prom_metric_sum(&metrics, "prometheus_remote_storage_samples_total{");
    let query = urlencode("{job=\"prometheus\"}[1h]");
    let path = format!("/api/v1/query?query={query}&time={t:.3}");
    let in_prom = samples_per_series(&get(prom_addr, &path).unwrap().text());
    let (rc, code, body) = curl_https(v.addr, dir, &path, &["-u", &user_arg()]);
    let _ = prom.kill();
    let _ = prom.wait();
    assert_eq!((rc, code), (0, 200), "{body}");
    let in_vigil = samples_per_series(&body);
    assert_eq!(failed, 0.0, "Prometheus failed to send samples; its log:\n{}", prom_log());
    let total: usize = in_prom.values().sum();
    assert!(sent > 1000.0 && total > 1000, "too few samples: sent {sent}, stored {total}; log:\n{}", prom_log());
    let differ: Vec<_> = in_prom
        .iter()
        .filter(|(s, n)| in_vigil.get(*s) != Some(n))
        .map(|(s, n)| format!("{s}: Prometheus {n}, Vigil {:?}", in_vigil.get(s)))
        .collect();
    assert!(differ.is_empty(), "{} of {} series differ up to T:\n{}", differ.len(), in_prom.len(), differ.join("\n"));
    assert_eq!(in_vigil.len(), in_prom.len(), "Vigil has series Prometheus does not");
    assert_eq!(v.stop().code(), Some(0));
}

#[test]
fn amtool_over_tls_with_basic_auth() {
    if !peers("amtool_over_tls_with_basic_auth", &["amtool", "curl", "openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let v = tls_auth_vigil(tmp.path(), &[]);
    let http = client_http_config(tmp.path());
    let amtool = |args: &[&str]| {
        run(Command::new("amtool")
            .arg(format!("--alertmanager.url=https://localhost:{}", v.addr.port()))
            .arg(format!("--http.config.file={}", http.display()))
            .args(args))
    };
    let o = amtool(&["alert", "add", "alertname=WebSecTest", "severity=warning", "--annotation=summary=over TLS"]);
    assert!(o.status.success(), "amtool alert add: {}", text(&o));
    let o = amtool(&["alert", "query", "-o", "json", "alertname=WebSecTest"]);
    assert!(o.status.success(), "amtool alert query: {}", text(&o));
    let alerts: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    assert_eq!(alerts.len(), 1, "{}", text(&o));
    let o = amtool(&["silence", "add", "alertname=WebSecTest", "-c", "maintenance", "-a", "ops", "-d", "1h"]);
    assert!(o.status.success(), "amtool silence add: {}", text(&o));
    let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let o = amtool(&["silence", "query", "-o", "json"]);
    assert!(o.status.success() && text(&o).contains(&id), "amtool silence query: {}", text(&o));
    // Without the http config amtool gets no answer it can use.
    let o = run(Command::new("amtool")
        .arg(format!("--alertmanager.url=https://localhost:{}", v.addr.port()))
        .args(["silence", "query"]));
    assert!(!o.status.success(), "{}", text(&o));
}
