use super::*;
use crate::alert::{Alert, relabel_alerts};
use crate::targets::resolve;

fn parse(yaml: &str) -> Result<AlertingConfig, String> {
    serde_saphyr::from_str(yaml).map_err(|e| e.to_string())
}

fn load(yaml: &str) -> Result<NotifierConfig, String> {
    let a = parse(yaml)?;
    NotifierConfig::resolve(&a, &BTreeMap::new()).map_err(|e| e.to_string())
}

fn urls(set: &AlertmanagerSet) -> crate::targets::Resolved {
    resolve(set, &promconfig::discovery::static_targets(&set.static_configs))
}

#[test]
fn defaults_follow_prometheus() {
    let c = load("alertmanagers:\n  - static_configs:\n      - targets: ['am:9093']\n").unwrap();
    let s = &c.alertmanagers[0];
    assert_eq!(s.name, "config-0");
    assert_eq!((s.scheme.as_str(), s.path_prefix.as_str(), s.timeout_ms), ("http", "", 10_000));
    assert_eq!(s.api_version, ApiVersion::V2);
    assert!(s.http.follow_redirects && s.http.enable_http2);
    assert!(s.http.basic_auth.is_none() && s.http.authorization.is_none());
    assert!(s.unsupported.is_empty() && c.warnings().is_empty());
    assert_eq!(urls(s).active, ["http://am:9093/api/v2/alerts"]);
    assert_eq!(load("{}").unwrap(), NotifierConfig::default());
}

#[test]
fn api_version_v1_is_a_clear_error() {
    let e = load("alertmanagers:\n  - api_version: v1\n").unwrap_err();
    assert!(e.contains("v1 is not supported by Alertmanager 0.25+, use v2"), "{e}");
    let e = load("alertmanagers:\n  - api_version: v3\n").unwrap_err();
    assert!(e.contains("expected Alertmanager api version to be one of [v2]"), "{e}");
    assert!(load("alertmanagers:\n  - api_version: v2\n").is_ok());
}

#[test]
fn unknown_fields_are_errors_and_known_unsupported_ones_warn() {
    let e = load("alertmanagers:\n  - static_config: []\n").unwrap_err();
    assert!(e.contains("static_config"), "{e}");
    let e = load("alert_relabel_config: []\n").unwrap_err();
    assert!(e.contains("alert_relabel_config"), "{e}");
    let c = load(
        "alertmanagers:\n  - dns_sd_configs:\n      - names: ['am.example']\n    sigv4:\n      region: eu\n    proxy_url: http://proxy:3128\n",
    )
    .unwrap();
    assert_eq!(c.alertmanagers[0].unsupported, ["sigv4", "dns_sd_configs"]);
    let w = c.warnings();
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("config-0") && w[0].contains("sigv4, dns_sd_configs"), "{}", w[0]);
}

#[test]
fn http_client_settings_are_checked() {
    let c = load(
        "alertmanagers:\n  - scheme: https\n    timeout: 3s\n    path_prefix: /am/\n    basic_auth:\n      username: u\n      password: p\n    tls_config:\n      insecure_skip_verify: true\n    enable_http2: false\n    static_configs:\n      - targets: ['am:9093']\n",
    )
    .unwrap();
    let s = &c.alertmanagers[0];
    assert_eq!(s.timeout_ms, 3000);
    assert_eq!(s.http.basic_auth.as_ref().map(|b| b.username.as_str()), Some("u"));
    assert!(s.http.tls_config.insecure_skip_verify && !s.http.enable_http2);
    assert_eq!(urls(s).active, ["https://am:9093/am/api/v2/alerts"]);
    let c = load("alertmanagers:\n  - bearer_token: t\n").unwrap();
    let auth = c.alertmanagers[0].http.effective_authorization().unwrap();
    assert_eq!((auth.scheme(), auth.credentials.as_ref().map(|s| s.expose())), ("Bearer", Some("t")));
    for (yaml, want) in [
        ("alertmanagers:\n  - basic_auth: {username: u}\n    bearer_token: t\n", "at most one of basic_auth"),
        ("alertmanagers:\n  - authorization: {type: Basic}\n", "use \"basic_auth\" instead"),
        ("alertmanagers:\n  - scheme: ftp\n", "unsupported scheme"),
        ("alertmanagers:\n  - static_configs:\n      - targets: ['http://am:9093']\n", "is not a valid hostname"),
        ("alertmanagers:\n  - file_sd_configs:\n      - files: ['am.txt']\n", "not valid for file discovery"),
        ("alertmanagers:\n  - timeout: 10\n", "not a valid duration"),
    ] {
        let e = load(yaml).unwrap_err();
        assert!(e.contains(want), "{yaml}: {e}");
    }
    let e = load("alertmanagers:\n  - {}\n  - scheme: x\n").unwrap_err();
    assert!(e.starts_with("alerting: alertmanagers[1]:"), "{e}");
    let a = parse("{}").unwrap();
    let bad: BTreeMap<String, String> = [("1x".to_string(), "v".to_string())].into();
    assert!(NotifierConfig::resolve(&a, &bad).unwrap_err().to_string().contains("external_labels"));
}

#[test]
fn relabel_configs_rewrite_and_drop_alertmanager_targets() {
    let c = load(
        r#"alertmanagers:
  - path_prefix: /prefix
    static_configs:
      - targets: ['am1:9093', 'am2:9093', 'skip:9093', 'http://url-allowed-before-relabel']
        labels: {dc: west}
    relabel_configs:
      - source_labels: [__address__]
        regex: 'skip:.*'
        action: drop
      - source_labels: [__address__]
        regex: 'http://(.*)'
        target_label: __address__
        replacement: '$1:9093'
      - source_labels: [dc]
        target_label: __alerts_path__
        replacement: '/$1/api/v2/alerts'
      - source_labels: [__address__]
        regex: 'am2:9093'
        target_label: __scheme__
        replacement: https
"#,
    )
    .unwrap();
    let r = urls(&c.alertmanagers[0]);
    assert_eq!(
        r.active,
        [
            "http://am1:9093/west/api/v2/alerts",
            "https://am2:9093/west/api/v2/alerts",
            "http://url-allowed-before-relabel:9093/west/api/v2/alerts"
        ]
    );
    assert_eq!(r.dropped, ["http://skip:9093/prefix/api/v2/alerts"]);
}

#[test]
fn a_group_with_a_url_address_after_relabelling_is_skipped() {
    let c = load(
        "alertmanagers:\n  - static_configs:\n      - targets: ['a:1', 'b:1']\n      - targets: ['c:1']\n    relabel_configs:\n      - source_labels: [__address__]\n        regex: 'b:1'\n        target_label: __address__\n        replacement: 'http://b/'\n",
    )
    .unwrap();
    assert_eq!(urls(&c.alertmanagers[0]).active, ["http://c:1/api/v2/alerts"]);
}

#[test]
fn alert_relabel_configs_drop_and_rewrite_alerts() {
    let a = parse(
        r#"alert_relabel_configs:
  - source_labels: [severity]
    regex: debug
    action: drop
  - source_labels: [dc]
    target_label: datacenter
  - regex: dc
    action: labeldrop
"#,
    )
    .unwrap();
    let ext: BTreeMap<String, String> = [("dc".to_string(), "west".to_string())].into();
    let c = NotifierConfig::resolve(&a, &ext).unwrap();
    let alert = |sev: &str| Alert {
        annotations: BTreeMap::new(),
        ends_at: 0,
        starts_at: 0,
        generator_url: String::new(),
        labels: [("alertname".to_string(), "X".to_string()), ("severity".to_string(), sev.to_string())].into(),
    };
    let out = relabel_alerts(vec![alert("debug"), alert("page")], &c.external_labels, &c.alert_relabel_configs);
    assert_eq!(out.len(), 1);
    let want: BTreeMap<String, String> = [("alertname", "X"), ("datacenter", "west"), ("severity", "page")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(out[0].labels, want);
}
