//! Table tests: `http_config` blocks Prometheus 2.42 accepts and rejects, with its messages.

use super::*;

fn parse(yaml: &str) -> Result<HttpClientConfig, String> {
    let c: HttpClientConfig = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}

#[test]
fn accepted_blocks() {
    let accepted = [
        "{}",
        "basic_auth: {username: u, password: p}",
        "basic_auth: {username: u, password_file: /p}",
        "basic_auth: {username_file: /u, password_file: /p}",
        "authorization: {credentials: t}",
        "authorization: {type: Token, credentials_file: /t}",
        "bearer_token: t",
        "bearer_token_file: /t",
        "oauth2: {client_id: c, client_secret: s, token_url: 'http://127.0.0.1/token', scopes: [a, b], endpoint_params: {audience: x}}",
        "oauth2: {client_id: c, client_secret_file: /s, token_url: 'http://t/', proxy_url: 'http://p:3128'}",
        "tls_config: {ca_file: /ca, cert_file: /c, key_file: /k, server_name: x, insecure_skip_verify: true, min_version: TLS12}",
        "tls_config: {min_version: TLS10}",
        "tls_config: {min_version: TLS12, max_version: TLS13}",
        "proxy_url: 'http://proxy:3128'",
        "proxy_url: 'http://user:pw@proxy:3128'\nno_proxy: 'localhost,.internal,10.0.0.0/8'",
        "proxy_url: 'http://proxy:3128'\nproxy_connect_header: {Proxy-Authorization: [Basic abc]}",
        "proxy_from_environment: true\nproxy_connect_header: {X-A: [b]}",
        "follow_redirects: false\nenable_http2: false",
        "http_headers: {X-Scope-OrgID: {values: [tenant-1]}, X-Token: {secrets: [s], files: [/f]}}",
    ];
    for yaml in accepted {
        assert!(parse(yaml).is_ok(), "{yaml}: {:?}", parse(yaml));
    }
}

#[test]
fn rejected_blocks_name_the_problem() {
    let rejected = [
        ("bearer_token: a\nbearer_token_file: /b", "at most one of bearer_token & bearer_token_file"),
        ("basic_auth: {username: u}\nbearer_token: t", "at most one of basic_auth, oauth2"),
        ("basic_auth: {username: u}\nauthorization: {credentials: t}", "at most one of basic_auth, oauth2"),
        ("oauth2: {client_id: c, token_url: 'http://t'}\nauthorization: {credentials: t}", "at most one of basic_auth"),
        ("authorization: {credentials: t}\nbearer_token: x", "authorization is not compatible with bearer_token"),
        ("basic_auth: {username: u, password: p, password_file: /p}", "basic_auth password & password_file"),
        ("basic_auth: {username: u, username_file: /u}", "basic_auth username & username_file"),
        ("authorization: {credentials: a, credentials_file: /b}", "credentials & credentials_file"),
        ("authorization: {type: Basic, credentials: a}", "use \"basic_auth\" instead"),
        ("oauth2: {client_id: c}", "oauth2 token_url must be configured"),
        ("oauth2: {token_url: 'http://t'}", "oauth2 client_id must be configured"),
        (
            "oauth2: {client_id: c, token_url: 'http://t', client_secret: a, client_secret_file: /b}",
            "client_secret & client_secret_file",
        ),
        ("tls_config: {ca: x, ca_file: /y}", "tls_config ca & ca_file"),
        ("tls_config: {cert_file: /c}", "needs both a client certificate and its key"),
        ("tls_config: {max_version: TLS11}", "TLS 1.2 and 1.3 only"),
        ("tls_config: {min_version: TLS13, max_version: TLS12}", "greater than max_version"),
        ("tls_config: {min_version: TLS14}", "unknown variant"),
        ("no_proxy: localhost", "if no_proxy is configured, proxy_url must also be configured"),
        ("proxy_from_environment: true\nproxy_url: 'http://p:1'", "proxy_from_environment is configured"),
        ("proxy_connect_header: {X-A: [b]}", "if proxy_connect_header is configured"),
        ("proxy_url: 'socks5://p:1080'", "only http:// proxies"),
        ("http_headers: {Authorization: {values: [x]}}", "setting header \"Authorization\" is not allowed"),
        ("http_headers: {user-agent: {values: [x]}}", "is not allowed"),
        ("http_headers: {'bad header': {values: [x]}}", "invalid header name"),
        ("basic_auth: {username: u, pasword: p}", "pasword"),
        ("oauth2: {client_id: c, token_url: 'http://t', scope: [a]}", "scope"),
    ];
    for (yaml, want) in rejected {
        let e = parse(yaml).expect_err(yaml);
        assert!(e.contains(want), "{yaml}: got {e:?}, want {want:?}");
    }
}

#[test]
fn bearer_token_becomes_authorization() {
    let c = parse("bearer_token: t").unwrap();
    let a = c.effective_authorization().unwrap();
    assert_eq!(a.scheme(), "Bearer");
    assert_eq!(a.credentials.unwrap().expose(), "t");
}

#[test]
fn relative_files_resolve_against_the_config_directory() {
    let mut c = parse("basic_auth: {username: u, password_file: pw}\ntls_config: {ca_file: /abs/ca, cert_file: c, key_file: k}\nhttp_headers: {X-A: {files: [h]}}").unwrap();
    c.resolve_paths(Path::new("/etc/vigil"));
    assert_eq!(c.basic_auth.unwrap().password_file.as_deref(), Some("/etc/vigil/pw"));
    assert_eq!(c.tls_config.ca_file.as_deref(), Some("/abs/ca"));
    assert_eq!(c.tls_config.cert_file.as_deref(), Some("/etc/vigil/c"));
    assert_eq!(c.http_headers["X-A"].files, vec!["/etc/vigil/h".to_string()]);
}

#[test]
fn secrets_are_masked_in_debug_output() {
    let c = parse(
        "basic_auth: {username: u, password: hunter2}\nproxy_url: 'http://p:1'\nproxy_connect_header: {X: [topsecret]}",
    )
    .unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("hunter2") && !shown.contains("topsecret"), "{shown}");
    assert!(shown.contains("<secret>"));
}
