//! Differential tests: the same probes run through `probe::run_probe` and through the real
//! blackbox_exporter 0.23.0 must yield the same series and the same key values.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

use probe::Modules;
use support::*;

/// Values that must agree exactly between Vigil and blackbox.
const EXACT: [&str; 8] = [
    "probe_http_version",
    "probe_success",
    "probe_http_status_code",
    "probe_http_ssl",
    "probe_http_redirects",
    "probe_failed_due_to_regex",
    "probe_http_content_length",
    "probe_ip_protocol",
];

fn config(ca: Option<&std::path::Path>) -> String {
    let ca = ca.map(|p| p.display().to_string()).unwrap_or_else(|| "/nonexistent/ca.pem".to_string());
    format!(
        r#"modules:
  http_2xx:
    prober: http
  http_post_2xx:
    prober: http
    http:
      method: POST
      preferred_ip_protocol: ip4
  http_nofollow:
    prober: http
    http:
      follow_redirects: false
  http_body_ok:
    prober: http
    http:
      fail_if_body_not_matches_regexp: ["ok \\d+"]
  http_body_fail:
    prober: http
    http:
      fail_if_body_matches_regexp: ["hello"]
  http_header_fail:
    prober: http
    http:
      fail_if_header_not_matches:
        - header: Content-Type
          regexp: "json"
  http_timeout:
    prober: http
    timeout: 1s
  https_ca:
    prober: http
    http:
      fail_if_not_ssl: true
      tls_config:
        ca_file: {ca}
  https_h2_only:
    prober: http
    http:
      valid_http_versions: ["HTTP/2.0"]
      tls_config:
        ca_file: {ca}
  https_insecure:
    prober: http
    http:
      tls_config:
        insecure_skip_verify: true
  tcp_connect:
    prober: tcp
  tcp_banner:
    prober: tcp
    tcp:
      query_response:
        - expect: "^READY"
        - send: "PING"
        - expect: "^PONG"
  tcp_banner_mismatch:
    prober: tcp
    tcp:
      query_response:
        - expect: "^NEVER"
  tcp_tls:
    prober: tcp
    tcp:
      tls: true
      tls_config:
        ca_file: {ca}
      query_response:
        - expect: "^\\+OK"
"#
    )
}

struct Case {
    module: &'static str,
    target: String,
    scrape_timeout: Option<f64>,
}

fn case(module: &'static str, target: String) -> Case {
    Case { module, target, scrape_timeout: Some(10.0) }
}

/// Compares one case; returns the differences found (empty when equal).
fn compare(c: &Case, ours: &BTreeMap<String, f64>, theirs: &BTreeMap<String, f64>) -> Vec<String> {
    let mut diffs = Vec::new();
    let a: BTreeSet<&String> = ours.keys().collect();
    let b: BTreeSet<&String> = theirs.keys().collect();
    for only in a.difference(&b) {
        diffs.push(format!("{} {}: only Vigil has {only}", c.module, c.target));
    }
    for only in b.difference(&a) {
        diffs.push(format!("{} {}: only blackbox has {only}", c.module, c.target));
    }
    for (key, theirs_v) in theirs {
        let Some(ours_v) = ours.get(key) else { continue };
        let name = key.split('{').next().unwrap_or(key);
        if EXACT.contains(&name) && ours_v != theirs_v {
            diffs.push(format!("{} {}: {key} is {ours_v} in Vigil, {theirs_v} in blackbox", c.module, c.target));
        }
        let is_duration = name.ends_with("_seconds") && !name.contains("timestamp") && !name.contains("expiry");
        if is_duration && *theirs_v > 0.0 && *ours_v <= 0.0 {
            diffs.push(format!("{} {}: {key} is {ours_v} in Vigil, {theirs_v} > 0 in blackbox", c.module, c.target));
        }
    }
    diffs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_series_and_values_as_blackbox_exporter() {
    if !std::path::Path::new(BLACKBOX).exists() {
        skip(&format!("{BLACKBOX} is not installed"));
        return;
    }
    let certs = make_certs();
    if certs.is_none() {
        eprintln!("skipped: TLS cases (the openssl CLI is missing or failed)");
    }
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("blackbox.yml");
    let text = config(certs.as_ref().map(|c| c.ca.as_path()));
    std::fs::write(&config_path, &text).unwrap();
    let modules = Modules::parse(&text, &config_path.display().to_string()).unwrap();
    let blackbox = Blackbox::start(&config_path).await;

    let http = http_server().await;
    let tcp = tcp_server().await;
    let closed = closed_port();
    let mut cases = vec![
        case("http_2xx", format!("http://{http}/ok")),
        case("http_2xx", format!("{http}/ok")),
        case("http_2xx", format!("http://{http}/notfound")),
        case("http_2xx", format!("http://{http}/redirect")),
        case("http_nofollow", format!("http://{http}/redirect")),
        case("http_body_ok", format!("http://{http}/ok")),
        case("http_body_ok", format!("http://{http}/notfound")),
        case("http_body_fail", format!("http://{http}/ok")),
        case("http_header_fail", format!("http://{http}/ok")),
        case("http_timeout", format!("http://{http}/slow")),
        case("http_2xx", format!("http://127.0.0.1:{closed}/")),
        case("http_2xx", format!("http://localhost:{}/ok", http.port())),
        case("http_post_2xx", format!("http://{http}/redirect")),
        case("tcp_connect", format!("localhost:{}", tcp.port())),
        case("https_insecure", format!("http://{http}/ok")),
        case("tcp_connect", tcp.to_string()),
        case("tcp_connect", format!("127.0.0.1:{closed}")),
        case("tcp_banner", tcp.to_string()),
        // The server keeps the connection open, so the expect step runs into the deadline.
        Case { module: "tcp_banner_mismatch", target: tcp.to_string(), scrape_timeout: Some(2.0) },
        case("tcp_connect", "no-port-here".to_string()),
    ];
    if let Some(c) = &certs {
        let https = tls_server(&c.cert, &c.key, TlsMode::Http1).await;
        let h2 = tls_server(&c.cert, &c.key, TlsMode::H2).await;
        let tls_banner = tls_server(&c.cert, &c.key, TlsMode::Banner).await;
        cases.push(case("https_ca", format!("https://{h2}/ok")));
        cases.push(case("https_ca", format!("https://{h2}/missing")));
        cases.push(case("https_h2_only", format!("https://{h2}/ok")));
        cases.push(case("https_ca", format!("https://{https}/ok")));
        cases.push(case("https_insecure", format!("https://{https}/ok")));
        cases.push(case("https_ca", format!("https://{https}/notfound")));
        cases.push(case("https_ca", format!("http://{http}/ok")));
        // Not signed by a public root: the handshake fails.
        cases.push(case("http_2xx", format!("https://{https}/ok")));
        cases.push(case("http_post_2xx", format!("https://localhost:{}/ok", https.port())));
        cases.push(case("tcp_tls", tls_banner.to_string()));
    }

    let mut diffs = Vec::new();
    for c in &cases {
        let theirs_text = blackbox.probe(c.module, &c.target, c.scrape_timeout).await;
        let ours_text = probe::run_probe(&modules, c.module, &c.target, c.scrape_timeout).await.unwrap();
        let (ours, theirs) = (parse_exposition(&ours_text), parse_exposition(&theirs_text));
        let found = compare(c, &ours, &theirs);
        if !found.is_empty() {
            eprintln!("--- {} {}\nVigil:\n{ours_text}\nblackbox:\n{theirs_text}", c.module, c.target);
        }
        if std::env::var_os("PROBE_DUMP").is_some() {
            eprintln!("=== {} {}\n{ours_text}", c.module, c.target);
        }
        diffs.extend(found);
    }
    eprintln!("compared {} cases with blackbox_exporter", cases.len());
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
    assert!(cases.len() >= 20);
}

#[tokio::test]
async fn router_serves_probe_and_blackbox_errors() {
    let http = http_server().await;
    let app = probe::router(Arc::new(RwLock::new(Modules::builtin())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (status, body) = http_get(addr, &format!("/probe?module=http_2xx&target={http}/ok"), Some(5.0)).await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(parse_exposition(&body).get("probe_success"), Some(&1.0), "{body}");
    // No module parameter means http_2xx, as in blackbox.
    let (status, body) = http_get(addr, &format!("/probe?target={http}/ok"), None).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(addr, "/probe?module=nope&target=x", None).await.unwrap();
    assert_eq!((status, body.as_str()), (400, "Unknown module \"nope\"\n"));
    let (status, body) = http_get(addr, "/probe?module=http_2xx", None).await.unwrap();
    assert_eq!((status, body.as_str()), (400, "Target parameter is missing\n"));
    let (status, _) = http_get(addr, "/probe?module=icmp&target=x", None).await.unwrap();
    assert_eq!(status, 400);
}

#[tokio::test]
async fn hostname_parameter_sets_host_and_rejects_conflicts() {
    let http = http_server().await;
    let yaml = "modules:\n  vhost:\n    prober: http\n    http:\n      headers:\n        Host: a.example\n  plain:\n    prober: http\n";
    let modules = Modules::parse(yaml, "test.yml").unwrap();
    let app = probe::router(Arc::new(RwLock::new(modules)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (status, body) =
        http_get(addr, &format!("/probe?module=plain&target={http}/ok&hostname=b.example"), None).await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(parse_exposition(&body).get("probe_success"), Some(&1.0), "{body}");
    let (status, body) =
        http_get(addr, &format!("/probe?module=vhost&target={http}/ok&hostname=b.example"), None).await.unwrap();
    assert_eq!(status, 400);
    assert_eq!(
        body,
        "host header defined both in module configuration (a.example) and with URL-parameter 'hostname' (b.example)\n"
    );
}
