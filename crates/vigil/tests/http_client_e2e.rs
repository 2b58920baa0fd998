//! Prometheus's `http_config` end to end: the real binary scrapes a target, delivers alerts to
//! an Alertmanager, notifies a webhook receiver and probes a URL, each configured with OAuth2
//! client credentials, a CONNECT proxy and `http_headers`, and each request is checked where
//! it arrives: the token each consumer got from the token endpoint, its tenant header, and the
//! proxy tunnel it came through.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Vigil, get};

/// One request as a server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: String,
}

/// Reads one HTTP/1.1 request (head and Content-Length body).
fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut b).ok()? == 0 {
            return None;
        }
        head.push(b[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some(Seen { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A server that records every request and answers with `answer(request)`.
fn capture_server(
    answer: impl Fn(&Seen) -> (&'static str, &'static str, String) + Send + Sync + 'static,
) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let (log, answer) = (log.clone(), answer.clone());
            std::thread::spawn(move || {
                if let Some(req) = read_request(&mut stream) {
                    let (status, ct, body) = answer(&req);
                    log.lock().unwrap().push(req);
                    respond(&mut stream, status, ct, &body);
                }
            });
        }
    });
    (addr, seen)
}

/// A CONNECT proxy recording each tunnel's target.
fn connect_proxy() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let targets: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = targets.clone();
    std::thread::spawn(move || {
        for mut inbound in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let Some(req) = read_request(&mut inbound) else { return };
                if req.method != "CONNECT" {
                    respond(&mut inbound, "405 Method Not Allowed", "text/plain", "CONNECT only");
                    return;
                }
                log.lock().unwrap().push(req.path.clone());
                let Ok(outbound) = TcpStream::connect(&req.path) else { return };
                let _ = inbound.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut a_read, mut b_write) = (inbound.try_clone().unwrap(), outbound.try_clone().unwrap());
                let (mut b_read, mut a_write) = (outbound, inbound);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut a_read, &mut b_write);
                    let _ = b_write.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut b_read, &mut a_write);
            });
        }
    });
    (addr, targets)
}

/// The OAuth2 token endpoint: hands out `<client_id>-token-<n>` and records who asked.
fn token_server() -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let counter = Arc::new(Mutex::new(0u32));
    capture_server(move |req| {
        let mut n = counter.lock().unwrap();
        *n += 1;
        let client = client_id(req.headers.get("authorization").map(String::as_str).unwrap_or(""));
        let body = format!("{{\"access_token\":\"{client}-token-{n}\",\"token_type\":\"Bearer\",\"expires_in\":3600}}");
        ("200 OK", "application/json", body)
    })
}

/// The client id of a `Basic` header (client credentials are form-encoded then base64'd).
fn client_id(header: &str) -> String {
    let Some(b64) = header.strip_prefix("Basic ") else { return "anonymous".into() };
    let decoded = decode_base64(b64);
    decoded.split(':').next().unwrap_or("").to_string()
}

fn decode_base64(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else { continue };
        bits = (bits << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

/// Asserts that `seen` holds a request to `path` carrying `client`'s token and `tenant`.
fn assert_authorized(seen: &Arc<Mutex<Vec<Seen>>>, path: &str, client: &str, tenant: &str) {
    let seen = seen.lock().unwrap();
    let req =
        seen.iter().find(|r| r.path.starts_with(path)).unwrap_or_else(|| panic!("no request to {path}: {seen:?}"));
    let auth = req.headers.get("authorization").cloned().unwrap_or_default();
    assert!(auth.starts_with(&format!("Bearer {client}-token-")), "{path}: authorization {auth:?}");
    assert_eq!(req.headers.get("x-scope-orgid").map(String::as_str), Some(tenant), "{path}: {:?}", req.headers);
}

#[test]
fn oauth2_proxies_and_headers_work_for_scrapes_alertmanagers_receivers_and_probes() {
    let (tokens, token_requests) = token_server();
    let (proxy, tunnels) = connect_proxy();
    let (target, target_seen) =
        capture_server(|_| ("200 OK", "text/plain; version=0.0.4", "e2e_secured_up 1\n".to_string()));
    let (am, am_seen) = capture_server(|_| ("200 OK", "application/json", "{}".to_string()));
    let (hook, hook_seen) = capture_server(|_| ("200 OK", "text/plain", String::new()));
    let (probed, probed_seen) = capture_server(|_| ("200 OK", "text/plain", "probe me".to_string()));

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let client = |id: &str| {
        format!(
            "oauth2: {{client_id: {id}, client_secret: {id}-secret, token_url: 'http://{tokens}/token', scopes: [e2e]}}\n"
        )
    };
    let indent =
        |text: String, n: usize| -> String { text.lines().map(|l| format!("{}{l}\n", " ".repeat(n))).collect() };
    let common = |id: &str, tenant: &str, n: usize| {
        indent(
            format!(
                "{}proxy_url: 'http://{proxy}'\nhttp_headers:\n  X-Scope-OrgID: {{values: [{tenant}]}}",
                client(id)
            ),
            n,
        )
    };
    std::fs::write(
        dir.join("rules.yml"),
        "groups:\n  - name: g\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n",
    )
    .unwrap();
    let prometheus_yml = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         rule_files: ['rules.yml']\n\
         scrape_configs:\n  - job_name: secured\n    static_configs: [{{targets: ['{target}']}}]\n{}\
         alerting:\n  alertmanagers:\n    - static_configs: [{{targets: ['{am}']}}]\n{}",
        common("scrape-client", "scrape-tenant", 4),
        common("am-client", "am-tenant", 6),
    );
    std::fs::write(dir.join("prometheus.yml"), &prometheus_yml).unwrap();
    let am_yml = format!(
        "route:\n  receiver: hook\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: 'http://{hook}/hook'\n        http_config:\n{}",
        common("hook-client", "hook-tenant", 10),
    );
    std::fs::write(dir.join("alertmanager.yml"), &am_yml).unwrap();
    let blackbox_yml = format!(
        "modules:\n  secured_http:\n    prober: http\n    timeout: 5s\n    http:\n{}",
        common("probe-client", "probe-tenant", 6),
    );
    std::fs::write(dir.join("blackbox.yml"), &blackbox_yml).unwrap();

    let data = dir.join("data");
    let args = [
        format!("--config.file={}", dir.join("prometheus.yml").display()),
        format!("--alertmanager.config.file={}", dir.join("alertmanager.yml").display()),
        format!("--probe.config.file={}", dir.join("blackbox.yml").display()),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let vigil = Vigil::start(&data, &args);

    // Scrape: the target's series arrives, fetched with the scrape client's token and tenant.
    wait_for("the scrape through the proxy", Duration::from_secs(30), || !target_seen.lock().unwrap().is_empty());
    assert_authorized(&target_seen, "/metrics", "scrape-client", "scrape-tenant");
    wait_for("e2e_secured_up in the TSDB", Duration::from_secs(30), || {
        get(vigil.addr, "/api/v1/query?query=e2e_secured_up").is_ok_and(|r| r.text().contains("\"1\""))
    });

    // Alert delivery to the external Alertmanager, and the built-in one's webhook.
    wait_for("an alert batch at the Alertmanager", Duration::from_secs(30), || !am_seen.lock().unwrap().is_empty());
    assert_authorized(&am_seen, "/api/v2/alerts", "am-client", "am-tenant");
    assert!(am_seen.lock().unwrap()[0].body.contains("AlwaysFiring"));
    wait_for("a webhook notification", Duration::from_secs(30), || !hook_seen.lock().unwrap().is_empty());
    assert_authorized(&hook_seen, "/hook", "hook-client", "hook-tenant");
    assert!(hook_seen.lock().unwrap()[0].body.contains("AlwaysFiring"));

    // Probe: /probe answers success and the probed URL saw the module's credentials.
    let probe = get(vigil.addr, &format!("/probe?module=secured_http&target=http://{probed}/probe-me")).unwrap();
    assert_eq!(common::metric_value(&probe.text(), "probe_success"), Some(1.0), "{}", probe.text());
    assert_authorized(&probed_seen, "/probe-me", "probe-client", "probe-tenant");

    // Every consumer went through the proxy, to its own server.
    let tunnels = tunnels.lock().unwrap().clone();
    for server in [target, am, hook, probed] {
        assert!(tunnels.contains(&server.to_string()), "no tunnel to {server}: {tunnels:?}");
    }
    // Tokens are cached: one per consumer, not one per request.
    let token_requests = token_requests.lock().unwrap();
    for id in ["scrape-client", "am-client", "hook-client", "probe-client"] {
        let n = token_requests
            .iter()
            .filter(|r| client_id(r.headers.get("authorization").map(String::as_str).unwrap_or("")) == id)
            .count();
        assert!(n >= 1, "{id} never fetched a token");
        if id != "probe-client" {
            assert!(n <= 2, "{id} fetched {n} tokens: the cache is not used");
        }
        assert!(
            token_requests
                .iter()
                .all(|r| r.body.contains("grant_type=client_credentials") && r.body.contains("scope=e2e"))
        );
    }
    // The config shown by the API keeps its layout but not its secrets.
    let shown = get(vigil.addr, "/api/v1/status/config").unwrap().text();
    assert!(shown.contains("client_secret: <secret>"), "{shown}");
    assert!(!shown.contains("scrape-client-secret") && !shown.contains("am-client-secret"), "{shown}");
    assert!(shown.contains("client_id: scrape-client"), "{shown}");
    drop(vigil);
}
