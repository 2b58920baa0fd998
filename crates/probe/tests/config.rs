//! Parsing of blackbox_exporter configuration files: every option, defaults, and errors that
//! point at the offending line.

use std::time::Duration;

use probe::Modules;

const FULL: &str = r#"
modules:
  web:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200, 204]
      valid_http_versions: ["HTTP/1.1", "HTTP/2.0"]
      method: POST
      headers:
        Host: example.org
        X-Probe: "1"
      body: '{"ping": true}'
      no_follow_redirects: true
      fail_if_ssl: false
      fail_if_not_ssl: true
      fail_if_body_matches_regexp: ["error"]
      fail_if_body_not_matches_regexp: ["ok\\s+\\d+"]
      fail_if_header_matches:
        - header: X-Fail
          regexp: "yes"
          allow_missing: true
      fail_if_header_not_matches:
        - header: Content-Type
          regexp: "json"
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      compression: identity
      body_size_limit: 1MB
      basic_auth:
        username: user
        password: pass
      tls_config:
        insecure_skip_verify: true
        ca_file: /etc/ca.pem
        cert_file: /etc/cert.pem
        key_file: /etc/key.pem
        server_name: example.org
        min_version: TLS12
  redirects:
    prober: http
    http:
      follow_redirects: false
  banner:
    prober: tcp
    timeout: 1m30s
    tcp:
      preferred_ip_protocol: ip6
      ip_protocol_fallback: true
      source_ip_address: 127.0.0.1
      tls: true
      tls_config:
        insecure_skip_verify: true
      query_response:
        - expect: "^SSH-2.0-"
        - send: "hello"
          starttls: true
  ping:
    prober: icmp
    icmp:
      ttl: 5
"#;

#[test]
fn every_http_option_is_read() {
    let modules = Modules::parse(FULL, "blackbox.yml").unwrap();
    let web = modules.get("web").unwrap();
    assert_eq!(web.prober, "http");
    assert_eq!(web.timeout, Some(Duration::from_secs(5)));
    let h = &web.http;
    assert_eq!(h.valid_status_codes, vec![200, 204]);
    assert_eq!(h.valid_http_versions, vec!["HTTP/1.1", "HTTP/2.0"]);
    assert_eq!(h.method, "POST");
    assert_eq!(h.headers.get("Host").map(String::as_str), Some("example.org"));
    assert_eq!(h.headers.get("X-Probe").map(String::as_str), Some("1"));
    assert_eq!(h.body, r#"{"ping": true}"#);
    assert!(!h.follows_redirects());
    assert!(!h.fail_if_ssl);
    assert!(h.fail_if_not_ssl);
    assert_eq!(h.fail_if_body_matches_regexp[0].as_str(), "error");
    assert_eq!(h.fail_if_body_not_matches_regexp[0].as_str(), r"ok\s+\d+");
    assert_eq!(h.fail_if_header_matches[0].header, "X-Fail");
    assert!(h.fail_if_header_matches[0].allow_missing);
    assert_eq!(h.fail_if_header_not_matches[0].regexp.as_str(), "json");
    assert!(!h.fail_if_header_not_matches[0].allow_missing);
    assert_eq!(h.preferred_ip_protocol, "ip4");
    assert!(!h.ip_protocol_fallback);
    assert_eq!(h.compression, "identity");
    assert_eq!(h.body_size_limit, 1 << 20);
    let auth = h.basic_auth.as_ref().unwrap();
    assert_eq!((auth.username.as_str(), auth.password.as_ref().map(|p| p.expose())), ("user", Some("pass")));
    // basic_auth and bearer_token together are rejected like blackbox rejects them.
    assert!(h.bearer_token.is_none());
    let tls = &h.tls_config;
    assert!(tls.insecure_skip_verify);
    assert_eq!(tls.ca_file.as_deref(), Some("/etc/ca.pem"));
    assert_eq!(tls.cert_file.as_deref(), Some("/etc/cert.pem"));
    assert_eq!(tls.key_file.as_deref(), Some("/etc/key.pem"));
    assert_eq!(tls.server_name.as_deref(), Some("example.org"));
    assert_eq!(tls.min_version, Some(promconfig::http::TlsVersion::TLS12));
    assert!(!modules.get("redirects").unwrap().http.follows_redirects());
}

#[test]
fn every_tcp_option_is_read() {
    let modules = Modules::parse(FULL, "blackbox.yml").unwrap();
    let banner = modules.get("banner").unwrap();
    assert_eq!(banner.timeout, Some(Duration::from_secs(90)));
    let t = &banner.tcp;
    assert_eq!(t.preferred_ip_protocol, "ip6");
    assert!(t.ip_protocol_fallback);
    assert_eq!(t.source_ip_address, "127.0.0.1");
    assert!(t.tls);
    assert!(t.tls_config.insecure_skip_verify);
    assert_eq!(t.query_response.len(), 2);
    assert_eq!(t.query_response[0].expect.as_ref().unwrap().as_str(), "^SSH-2.0-");
    assert_eq!(t.query_response[1].send, "hello");
    assert!(t.query_response[1].starttls);
    assert_eq!(modules.get("ping").unwrap().prober, "icmp");
}

#[test]
fn defaults_match_blackbox() {
    let modules = Modules::parse("modules:\n  a:\n    prober: http\n  b:\n    prober: tcp\n", "x.yml").unwrap();
    let a = modules.get("a").unwrap();
    assert_eq!(a.timeout, None);
    assert!(a.http.ip_protocol_fallback);
    assert!(a.http.follows_redirects());
    assert!(a.http.valid_status_codes.is_empty());
    assert_eq!(a.http.preferred_ip_protocol, "");
    assert!(!a.http.tls_config.insecure_skip_verify);
    assert!(modules.get("b").unwrap().tcp.ip_protocol_fallback);
    assert!(Modules::parse("", "empty.yml").is_ok());
}

#[test]
fn builtin_has_the_example_modules() {
    let m = Modules::builtin();
    for name in ["http_2xx", "http_post_2xx", "tcp_connect", "pop3s_banner", "ssh_banner", "irc_banner"] {
        assert!(m.get(name).is_some(), "{name}");
    }
    assert_eq!(m.get("http_post_2xx").unwrap().http.method, "POST");
    assert_eq!(m.get("irc_banner").unwrap().tcp.query_response.len(), 4);
}

fn error_of(yaml: &str) -> probe::ConfigError {
    Modules::parse(yaml, "/etc/blackbox.yml").unwrap_err()
}

#[test]
fn unknown_field_names_file_line_and_field() {
    let e = error_of("modules:\n  web:\n    prober: http\n    http:\n      methd: GET\n");
    assert_eq!(e.line, Some(5), "{e}");
    let text = e.to_string();
    assert!(text.contains("/etc/blackbox.yml:5"), "{text}");
    assert!(text.contains("methd"), "{text}");
    assert!(text.starts_with("cannot parse blackbox config /etc/blackbox.yml:5:7: unknown field `methd`"), "{text}");
}

#[test]
fn bad_regex_names_its_line() {
    let e = error_of(
        "modules:\n  web:\n    prober: http\n    http:\n      fail_if_body_matches_regexp:\n        - \"(\"\n",
    );
    assert_eq!(e.line, Some(6), "{e}");
    assert!(e.to_string().contains("regular expression"), "{e}");
}

#[test]
fn bad_duration_names_its_line() {
    let e = error_of("modules:\n  web:\n    prober: http\n    timeout: 5 seconds\n");
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.to_string().contains("duration"), "{e}");
}

#[test]
fn wrong_type_names_its_line() {
    let e = error_of("modules:\n  web:\n    prober: http\n    http:\n      valid_status_codes: [200, abc]\n");
    assert_eq!(e.line, Some(5), "{e}");
}

#[test]
fn unknown_top_level_key_is_rejected() {
    let e = error_of("modulez:\n  web:\n    prober: http\n");
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.to_string().contains("modulez"), "{e}");
}

#[test]
fn http_client_settings_are_validated_per_module() {
    let yaml = "modules:\n  m:\n    prober: http\n    http:\n      basic_auth: {username: u, password: p}\n      bearer_token: t\n";
    let e = Modules::parse(yaml, "blackbox.yml").unwrap_err().to_string();
    assert!(e.contains("module \"m\"") && e.contains("at most one of basic_auth"), "{e}");
    let ok = "modules:\n  m:\n    prober: http\n    http:\n      oauth2: {client_id: a, client_secret: b, token_url: 'http://t/'}\n      proxy_url: 'http://p:3128'\n      http_headers: {X-A: {values: [b]}}\n";
    let m = Modules::parse(ok, "blackbox.yml").unwrap();
    let http = &m.get("m").unwrap().http;
    assert_eq!(http.proxy_url.as_deref(), Some("http://p:3128"));
    assert!(http.oauth2.is_some() && http.http_headers.contains_key("X-A"));
}
