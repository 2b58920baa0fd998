use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use super::config::{check_bcrypt_hash, check_header, parse};
use super::test_pki;
use super::*;

/// A directory with server.crt/server.key (signed by one CA) and ca.pem (another CA, for
/// client certificates), as exporter-toolkit's testdata has.
fn pki() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let server_ca = test_pki::ca(dir.path(), "server-ca", "server CA");
    server_ca.issue("server", "localhost", &["DNS:localhost"], 1);
    test_pki::ca(dir.path(), "ca", "client CA");
    dir
}

fn load_yaml(dir: &Path, yaml: &str) -> Result<Active, WebConfigError> {
    let path = dir.join("web.yml");
    std::fs::write(&path, yaml).unwrap();
    build(&path)
}

/// bcrypt of "secret" at the lowest cost, made once.
fn hash_secret() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| bcrypt::hash("secret", 4).unwrap())
}

/// exporter-toolkit's testdata files (with certificates generated here) and the outcome:
/// Ok(TLS on?) or an error containing the given text.
#[test]
fn exporter_toolkit_examples() {
    let dir = pki();
    let cases: &[(&str, &str, Result<bool, &str>)] = &[
        ("empty", "", Ok(false)),
        ("comments only", "# nothing\n", Ok(false)),
        ("junk", "hWkNKCp3fvIx3jKnsaBI\nTuEjdwNS8A2vYdFbiKqr\n", Err("web.yml:1:")),
        (
            "invalid key",
            "tls_server_config:\n  cert_filse: \"server.crt\"\n",
            Err("web.yml:2: unknown field `cert_filse`"),
        ),
        ("unknown top-level", "tls_config:\n  cert_file: x\n", Err("web.yml:1: unknown field `tls_config`")),
        ("good", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n", Ok(true)),
        (
            "VerifyClientCertIfGiven",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: VerifyClientCertIfGiven\n",
            Ok(true),
        ),
        (
            "RequireAndVerifyClientCert",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n",
            Ok(true),
        ),
        (
            "RequireAnyClientCert",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n",
            Ok(true),
        ),
        (
            "RequestClientCert",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequestClientCert\n",
            Ok(true),
        ),
        (
            "cert path empty",
            "tls_server_config:\n  cert_file: \"\"\n  key_file: server.key\n",
            Err("missing one of cert or cert_file"),
        ),
        (
            "cert empty",
            "tls_server_config:\n  cert: \"\"\n  key_file: server.key\n",
            Err("missing one of cert or cert_file"),
        ),
        (
            "key path empty",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: \"\"\n",
            Err("missing one of key or key_file"),
        ),
        (
            "key empty",
            "tls_server_config:\n  cert_file: server.crt\n  key: \"\"\n",
            Err("missing one of key or key_file"),
        ),
        (
            "cert and key path empty",
            "tls_server_config:\n  cert_file: \"\"\n  key_file: \"\"\n  client_auth_type: \"x\"\n",
            Err("missing one of cert or cert_file"),
        ),
        (
            "cert path invalid",
            "tls_server_config:\n  cert_file: somefile\n  key_file: server.key\n",
            Err("web.yml:2: failed to read cert_file"),
        ),
        (
            "key path invalid",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: somefile\n",
            Err("No such file"),
        ),
        (
            "client CA without policy",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: /dev/null\n",
            Err("client CA's have been configured without a Client Auth Policy"),
        ),
        (
            "client CA path invalid",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: somefile\n",
            Err("web.yml:5: failed to read client_ca_file"),
        ),
        (
            "client CA file without certificates",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: /dev/null\n",
            Err("no PEM certificate"),
        ),
        (
            "invalid client_auth_type",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Sometimes\n",
            Err("web.yml:4: invalid client_auth_type \"Sometimes\""),
        ),
        (
            "bad password hash",
            "basic_auth_users:\n  john: doe\n",
            Err("web.yml:2: basic_auth_users: user \"john\": the password must be a bcrypt hash"),
        ),
        ("users without TLS", &format!("basic_auth_users:\n  alice: {}\n", hash_secret()), Ok(false)),
        (
            "all ciphers rustls has",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n  - TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\n  - TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256\n  - TLS_AES_128_GCM_SHA256\n  - TLS_AES_256_GCM_SHA384\n  - TLS_CHACHA20_POLY1305_SHA256\n",
            Ok(true),
        ),
        (
            "CBC cipher Go has, rustls not",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\n",
            Err(
                "web.yml:6: cipher suite TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA is not supported by Vigil's TLS library (rustls)",
            ),
        ),
        (
            "invented cipher",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA2048\n",
            Err("web.yml:5: unknown cipher: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA2048"),
        ),
        (
            "some ciphers, TLS 1.2 only, client order",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  prefer_server_cipher_suites: false\n  min_version: TLS12\n  max_version: TLS12\n",
            Ok(true),
        ),
        (
            "curves",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  curve_preferences:\n    - CurveP256\n    - CurveP384\n    - X25519\n",
            Ok(true),
        ),
        (
            "P-521",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  curve_preferences:\n  - CurveP521\n",
            Err("web.yml:6: curve CurveP521 is not supported"),
        ),
        (
            "invented curve",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  curve_preferences:\n    - CurveP257\n",
            Err("unknown curve: CurveP257"),
        ),
        (
            "wrong TLS version",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS111\n",
            Err("web.yml:4: min_version: unknown TLS version: TLS111"),
        ),
        (
            "TLS 1.0",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS10\n",
            Err("min_version: TLS10 is not supported: Vigil's TLS library (rustls) implements only TLS12 and TLS13"),
        ),
        (
            "TLS 1.1 max",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  max_version: TLS11\n",
            Err("max_version: TLS11 is not supported"),
        ),
        (
            "min above max",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n",
            Err("min_version Tls13 is above max_version Tls12"),
        ),
        (
            "no HTTP/2",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n  max_version: TLS12\nhttp_server_config:\n  http2: false\n",
            Ok(true),
        ),
        (
            "headers",
            "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000; includeSubDomains\n    X-Content-Type-Options: nosniff\n    X-XSS-Protection: 1\n    Content-Security-Policy: \"default-src 'self' *.test.example.net\"\n",
            Ok(false),
        ),
        (
            "header value outside the allowed set",
            "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n",
            Err(
                "web.yml:3: invalid value for X-Content-Type-Options. Expected one of: [\"nosniff\"], but got: \"sniff\"",
            ),
        ),
        (
            "frame options",
            "http_server_config:\n  headers:\n    X-Frame-Options: foo\n",
            Err("invalid value for X-Frame-Options"),
        ),
        (
            "header that can not be configured",
            "http_server_config:\n  headers:\n    Content-Type: foo\n",
            Err("web.yml:3: HTTP header \"Content-Type\" can not be configured"),
        ),
        (
            "unknown http_server_config field",
            "http_server_config:\n  http3: true\n",
            Err("web.yml:2: unknown field `http3`"),
        ),
        ("rate limit off", "rate_limit:\n  interval: 0\n  burst: 0\n", Ok(false)),
        ("rate limit", "rate_limit:\n  interval: \"1s\"\n  burst: 0\n", Ok(false)),
        ("bad rate limit interval", "rate_limit:\n  interval: 1 second\n", Err("web.yml:2:")),
        (
            "client SANs",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n  client_allowed_sans:\n    - one\n    - two\n",
            Ok(true),
        ),
        (
            "client SANs without client certificates",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_allowed_sans:\n    - one\n",
            Err("client_allowed_sans needs a client_auth_type"),
        ),
        (
            "cert and cert_file both",
            "tls_server_config:\n  cert: abc\n  cert_file: server.crt\n  key_file: server.key\n",
            Err("cert and cert_file are both set"),
        ),
        (
            "key that is not PEM",
            "tls_server_config:\n  cert_file: server.crt\n  key_file: ca.pem\n",
            Err("no usable PEM private key"),
        ),
    ];
    let mut failures = Vec::new();
    for (name, yaml, want) in cases {
        let got = load_yaml(dir.path(), yaml);
        match (want, &got) {
            (Ok(tls), Ok(a)) if a.tls.is_some() == *tls => {}
            (Err(text), Err(e)) if e.to_string().contains(text) => {}
            _ => failures.push(format!(
                "{name}: want {want:?}, got {:?}",
                got.as_ref().map(|a| a.tls.is_some()).map_err(|e| e.to_string())
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn inline_certificate_and_key() {
    let dir = pki();
    let cert = std::fs::read_to_string(dir.path().join("server.crt")).unwrap();
    let key = std::fs::read_to_string(dir.path().join("server.key")).unwrap();
    let indent = |s: &str| s.lines().map(|l| format!("    {l}\n")).collect::<String>();
    let yaml = format!("tls_server_config:\n  cert: |\n{}  key: |\n{}", indent(&cert), indent(&key));
    assert!(load_yaml(dir.path(), &yaml).unwrap().tls.is_some());
}

#[test]
fn relative_paths_are_relative_to_the_config_file() {
    let dir = pki();
    let sub = dir.path().join("conf");
    std::fs::create_dir(&sub).unwrap();
    let yaml = "tls_server_config:\n  cert_file: ../server.crt\n  key_file: ../server.key\n";
    assert!(load_yaml(&sub, yaml).unwrap().tls.is_some());
}

#[test]
fn bcrypt_hashes() {
    assert!(check_bcrypt_hash(hash_secret()).is_ok());
    // exporter-toolkit's testdata hashes, in every prefix.
    for h in [
        "$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby",
        "$2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu",
        "$2a$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu",
        "$2b$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu",
    ] {
        assert!(check_bcrypt_hash(h).is_ok(), "{h}");
    }
    for h in ["doe", "", "$1$abc$def", "$2y$10$tooshort", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="] {
        assert!(check_bcrypt_hash(h).is_err(), "{h}");
    }
    assert!(bcrypt::verify("secret", hash_secret()).unwrap());
    assert!(!bcrypt::verify("Secret", hash_secret()).unwrap());
}

#[test]
fn header_rules() {
    for (name, value) in [
        ("Strict-Transport-Security", "max-age=31536000"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "deny"),
        ("X-Frame-Options", "sameorigin"),
        ("X-XSS-Protection", "1; mode=block"),
        ("Content-Security-Policy", "default-src 'self'"),
    ] {
        assert!(check_header(name, value).is_ok(), "{name}: {value}");
    }
    for (name, value, msg) in [
        ("X-Frame-Options", "DENY", "invalid value for X-Frame-Options"),
        ("X-Content-Type-Options", "sniff", "invalid value"),
        ("x-frame-options", "deny", "can not be configured"),
        ("Content-Type", "text/html", "can not be configured"),
        ("Access-Control-Allow-Origin", "*", "can not be configured"),
        ("Content-Security-Policy", "a\nb", "not a valid header value"),
    ] {
        let e = check_header(name, value).unwrap_err().0;
        assert!(e.contains(msg), "{name}: {e}");
    }
}

#[test]
fn rate_limiter_allows_burst_then_refills() {
    let l = auth::RateLimiter::new(2, std::time::Duration::from_millis(50));
    assert!(l.allow() && l.allow());
    assert!(!l.allow());
    std::thread::sleep(std::time::Duration::from_millis(60));
    assert!(l.allow());
    assert!(!auth::RateLimiter::new(0, std::time::Duration::from_secs(1)).allow());
}

#[test]
fn subject_alt_names_of_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = test_pki::ca(dir.path(), "ca", "CA");
    let sans = ["DNS:client.example", "IP:127.0.0.1", "IP:::1", "email:ops@example.com", "URI:spiffe://example/vigil"];
    let (pem, _) = issuer.issue("client", "client", &sans, 5);
    let der = rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
    let names = tls::subject_alt_names(&der).unwrap();
    assert_eq!(names, ["client.example", "127.0.0.1", "::1", "ops@example.com", "spiffe://example/vigil"]);
    let ca_der = rustls_pki_types::CertificateDer::from_pem_slice(issuer.pem().as_bytes()).unwrap();
    assert_eq!(tls::subject_alt_names(&ca_der).unwrap(), Vec::<String>::new());
    assert!(tls::subject_alt_names(b"\x30\x05junk").is_none());
}

use rustls_pki_types::pem::PemObject;

fn basic(user: &str, pass: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

fn security(dir: &Path, yaml: &str) -> Arc<WebSecurity> {
    let path = dir.join("web.yml");
    std::fs::write(&path, yaml).unwrap();
    WebSecurity::load(&path).unwrap()
}

/// The state of a server that listens but whose storage is not open yet.
fn listening_state(dir: &Path) -> Arc<crate::AppState> {
    let am_config =
        alerting::load_str("route:\n  receiver: default\nreceivers:\n  - name: default\n", "(test)").unwrap();
    let alertmanager =
        alerting::Alertmanager::new(am_config, &dir.join("alertmanager"), alerting::Options::default()).unwrap();
    crate::AppState::new(crate::Startup {
        registry: telemetry::Registry::new(),
        limits: crate::Limits::default(),
        admin_api: false,
        query: crate::prom_api::QueryOptions::default(),
        status: crate::prom_api::StatusInfo::default(),
        external_url: "http://vigil.example".into(),
        reload: None,
        alertmanager,
        probe_modules: probe::Modules::builtin(),
        dashboards: Arc::new(dashboards::DashboardStore::open(&dir.join("dashboards")).unwrap()),
    })
}

/// Fills `{param}` placeholders with a plausible value.
fn concrete(path: &str) -> String {
    path.split('/').map(|seg| if seg.starts_with('{') { "x" } else { seg }).collect::<Vec<_>>().join("/")
}

#[tokio::test]
async fn every_route_and_the_fallback_require_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "basic_auth_users:\n  alice: {}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n",
        hash_secret()
    );
    let sec = security(dir.path(), &yaml);
    let state = listening_state(dir.path());
    let app = protect(crate::router(state), sec.clone());
    let mut paths: Vec<String> = crate::route_paths().iter().map(|p| concrete(p)).collect();
    assert!(paths.len() > 35, "{paths:?}");
    for must in
        ["/-/healthy", "/-/ready", "/-/reload", "/api/v1/write", "/probe", "/api/v2/alerts", "/api/v2/silence/x"]
    {
        assert!(paths.iter().any(|p| p == must), "{must} not in route_paths()");
    }
    paths.push("/no/such/route".into());
    for path in &paths {
        for method in ["GET", "POST", "DELETE"] {
            let req = || Request::builder().method(method).uri(path.as_str());
            let r = app.clone().oneshot(req().body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path} without credentials");
            assert_eq!(r.headers()["www-authenticate"], "Basic", "{method} {path}");
            assert_eq!(r.headers()["x-frame-options"], "deny", "{method} {path}");
            let wrong = req().header("authorization", basic("alice", "wrong")).body(Body::empty()).unwrap();
            let r = app.clone().oneshot(wrong).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path} with a wrong password");
            let nobody = req().header("authorization", basic("bob", "secret")).body(Body::empty()).unwrap();
            let r = app.clone().oneshot(nobody).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path} as an unknown user");
        }
        let ok = Request::builder().uri(path.as_str()).header("authorization", basic("alice", "secret"));
        let r = app.clone().oneshot(ok.body(Body::empty()).unwrap()).await.unwrap();
        assert_ne!(r.status(), StatusCode::UNAUTHORIZED, "GET {path} with credentials");
        assert_eq!(r.headers()["x-frame-options"], "deny", "GET {path}");
    }
    // One successful and two failed (user, hash, password) outcomes remembered: bcrypt ran
    // three times for hundreds of requests.
    assert_eq!(sec.passwords.cache_len(), 3);
}

#[tokio::test]
async fn reload_swaps_users_and_refuses_turning_tls_on() {
    let dir = pki();
    let sec = security(dir.path(), &format!("basic_auth_users:\n  alice: {}\n", hash_secret()));
    let app = protect(axum::Router::new().route("/", axum::routing::get(|| async { "ok" })), sec.clone());
    let get = |auth: String| {
        let app = app.clone();
        async move {
            let req = Request::builder().uri("/").header("authorization", auth).body(Body::empty()).unwrap();
            app.oneshot(req).await.unwrap().status()
        }
    };
    assert_eq!(get(basic("alice", "secret")).await, StatusCode::OK);
    let path = dir.path().join("web.yml");
    std::fs::write(&path, format!("basic_auth_users:\n  carol: {}\n", hash_secret())).unwrap();
    sec.reload().unwrap();
    assert_eq!(get(basic("alice", "secret")).await, StatusCode::UNAUTHORIZED);
    assert_eq!(get(basic("carol", "secret")).await, StatusCode::OK);
    // A broken file changes nothing.
    std::fs::write(&path, "basic_auth_users:\n  carol: plain\n").unwrap();
    assert!(sec.reload().is_err());
    assert_eq!(get(basic("carol", "secret")).await, StatusCode::OK);
    std::fs::write(&path, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n").unwrap();
    let e = sec.reload().unwrap_err().to_string();
    assert!(e.contains("turning TLS on needs a restart"), "{e}");
    assert_eq!(get(basic("carol", "secret")).await, StatusCode::OK);
}

#[tokio::test]
async fn without_users_requests_pass_and_get_the_headers() {
    let dir = tempfile::tempdir().unwrap();
    let sec = security(dir.path(), "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n");
    let app = protect(axum::Router::new().route("/", axum::routing::get(|| async { "ok" })), sec);
    let r = app.oneshot(Request::builder().uri("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn rate_limit_answers_429() {
    let dir = tempfile::tempdir().unwrap();
    let sec = security(dir.path(), "rate_limit:\n  interval: 1h\n  burst: 2\n");
    let app = protect(axum::Router::new().route("/", axum::routing::get(|| async { "ok" })), sec);
    let mut codes = Vec::new();
    for _ in 0..3 {
        let r = app.clone().oneshot(Request::builder().uri("/").body(Body::empty()).unwrap()).await.unwrap();
        codes.push(r.status().as_u16());
    }
    assert_eq!(codes, [200, 200, 429]);
}

#[test]
fn basic_credentials_like_go() {
    use axum::http::HeaderMap;
    let parse = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert("authorization", v.parse().unwrap());
        auth::basic_credentials(&h)
    };
    assert_eq!(parse(&basic("a", "b:c")), Some(("a".into(), "b:c".into())));
    assert_eq!(parse(&basic("a", "b").replace("Basic", "bAsIc")), Some(("a".into(), "b".into())));
    assert_eq!(parse("Bearer abc"), None);
    assert_eq!(parse("Basic !!!"), None);
    assert_eq!(parse("Basic YWJj"), None); // "abc": no colon
}

#[test]
fn parse_reports_unknown_fields_with_their_line() {
    let e = parse("basic_auth_users: {}\nhttp_server_config:\n  http2: true\n  headerz: {}\n", "w.yml").unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(e.to_string().starts_with("w.yml:4: unknown field `headerz`"), "{e}");
}

/// One TLS client: trusts `server_ca`, presents `client` (cert and key PEM) if given, sends one
/// request; Ok(status line) or the error that ended it.
async fn tls_get(
    addr: std::net::SocketAddr,
    server_ca: &str,
    client: Option<&(String, String)>,
) -> Result<String, String> {
    use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(server_ca.as_bytes()).unwrap()).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match client {
        Some((cert, key)) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&out).to_string();
    text.lines().next().map(str::to_string).filter(|l| !l.is_empty()).ok_or_else(|| "no answer".to_string())
}

/// Each client_auth_type (and client_allowed_sans) in real handshakes through [`tls::TlsListener`].
#[tokio::test]
async fn client_certificate_policies_in_handshakes() {
    let dir = tempfile::tempdir().unwrap();
    let server_ca = test_pki::ca(dir.path(), "server-ca", "server CA");
    server_ca.issue("server", "localhost", &["DNS:localhost"], 1);
    let client_ca = test_pki::ca(dir.path(), "clients", "client CA");
    let good = client_ca.issue("good", "good", &["DNS:one.example"], 2);
    let rogue = test_pki::ca(dir.path(), "rogue-ca", "rogue CA").issue("rogue", "rogue", &["DNS:one.example"], 3);
    let base = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
    let verify = "  client_ca_file: clients.pem\n";
    // (extra config, [none, good, rogue] accepted?)
    let cases: &[(String, [bool; 3])] = &[
        (String::new(), [true, true, true]),
        ("  client_auth_type: RequestClientCert\n".into(), [true, true, true]),
        ("  client_auth_type: RequireAnyClientCert\n".into(), [false, true, true]),
        (format!("  client_auth_type: VerifyClientCertIfGiven\n{verify}"), [true, true, false]),
        (format!("  client_auth_type: RequireAndVerifyClientCert\n{verify}"), [false, true, false]),
        (
            format!("  client_auth_type: RequireAndVerifyClientCert\n{verify}  client_allowed_sans: [one.example]\n"),
            [false, true, false],
        ),
        (
            format!("  client_auth_type: RequireAndVerifyClientCert\n{verify}  client_allowed_sans: [two.example]\n"),
            [false, false, false],
        ),
        ("  min_version: TLS13\n".into(), [true, true, true]),
        (
            "  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [CurveP256]\n".into(),
            [true, true, true],
        ),
    ];
    for (extra, want) in cases {
        let sec = security(dir.path(), &format!("{base}{extra}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let s = sec.clone();
        let tls_listener = tls::TlsListener::new(listener, move || s.tls_config());
        let app = protect(axum::Router::new().route("/", axum::routing::get(|| async { "ok" })), sec);
        let server = tokio::spawn(async move { axum::serve(tls_listener, app).await });
        let clients = [
            ("no certificate", None),
            ("the client CA's certificate", Some(&good)),
            ("a rogue certificate", Some(&rogue)),
        ];
        for ((who, client), accepted) in clients.into_iter().zip(want) {
            let got = tls_get(addr, &server_ca.pem(), client).await;
            assert_eq!(got.as_deref().is_ok_and(|l| l.contains(" 200 ")), *accepted, "{extra}with {who}: {got:?}");
        }
        server.abort();
    }
}
