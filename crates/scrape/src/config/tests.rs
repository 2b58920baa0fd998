use super::*;

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    global: GlobalConfig,
    #[serde(default)]
    scrape_configs: Vec<ScrapeConfig>,
}

fn load(yaml: &str) -> Result<Vec<Job>, String> {
    let f: File = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
    resolve_jobs(&f.global, &f.scrape_configs, "prometheus.yml").map_err(|e| e.to_string())
}

#[test]
fn defaults_follow_prometheus() {
    let jobs = load("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['x:1']\n").unwrap();
    let j = &jobs[0];
    assert_eq!((j.interval_ms, j.timeout_ms), (60_000, 10_000));
    assert_eq!((j.metrics_path.as_str(), j.scheme.as_str()), ("/metrics", "http"));
    assert!(!j.honor_labels && j.honor_timestamps);
    assert_eq!(j.limits, Limits::default());
}

#[test]
fn global_values_are_inherited_and_timeout_capped() {
    let jobs = load(
        "global:\n  scrape_interval: 15s\n  scrape_timeout: 10s\n  sample_limit: 5\nscrape_configs:\n  - job_name: a\n  - job_name: b\n    scrape_interval: 5s\n    sample_limit: 7\n    body_size_limit: 1MB\n",
    )
    .unwrap();
    assert_eq!((jobs[0].interval_ms, jobs[0].timeout_ms, jobs[0].limits.sample_limit), (15_000, 10_000, 5));
    assert_eq!((jobs[1].interval_ms, jobs[1].timeout_ms, jobs[1].limits.sample_limit), (5_000, 5_000, 7));
    assert_eq!(jobs[1].limits.body_size_limit, 1 << 20);
}

#[test]
fn errors_name_line_and_field() {
    let cases = [
        (
            "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
            "prometheus.yml:3: found multiple scrape configs with job name \"a\"",
        ),
        (
            "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n",
            "prometheus.yml:4: scrape timeout 10s greater than scrape interval 5s",
        ),
        ("scrape_configs:\n  - job_name: a\n    scheme: ftp\n", "prometheus.yml:3: unsupported scheme \"ftp\""),
        ("scrape_configs:\n  - job_name: a\n    scrape_interval: 15\n", "not a valid duration"),
        ("scrape_configs:\n  - job_name: a\n    scrape_intervall: 15s\n", "scrape_intervall"),
        (
            "scrape_configs:\n  - job_name: a\n    bearer_token: x\n    basic_auth:\n      username: u\n",
            "at most one of basic_auth",
        ),
        ("scrape_configs:\n  - job_name: a\n    body_size_limit: 10 parsecs\n", "invalid byte size"),
    ];
    for (yaml, want) in cases {
        let err = load(yaml).unwrap_err();
        assert!(err.contains(want), "{yaml}\n=> {err}");
        assert!(err.contains("line") || err.contains("prometheus.yml:"), "no position in {err}");
    }
}

#[test]
fn prometheus_fields_vigil_does_not_implement_load_with_a_note() {
    let jobs = load("scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs:\n      - role: pod\n    oauth2:\n      client_id: x\n      token_url: http://t/\n").unwrap();
    assert_eq!(jobs[0].unsupported, vec!["kubernetes_sd_configs"]);
    // OAuth2 is implemented now: it is part of the job's client settings.
    assert_eq!(jobs[0].http.client.oauth2.as_ref().map(|o| o.client_id.as_str()), Some("x"));
}

#[test]
fn byte_sizes() {
    assert_eq!(parse_byte_size("0"), Ok(0));
    assert_eq!(parse_byte_size("512KiB"), Ok(512 << 10));
    assert_eq!(parse_byte_size("10MB"), Ok(10 << 20));
    assert!(parse_byte_size("MB").is_err());
}

#[test]
fn tls_server_name_and_versions_reach_the_client_settings() {
    let jobs =
        load("scrape_configs:\n  - job_name: t\n    tls_config:\n      server_name: x\n      min_version: TLS12\n")
            .unwrap();
    assert!(jobs[0].unsupported.is_empty(), "{:?}", jobs[0].unsupported);
    assert_eq!(jobs[0].http.client.tls_config.server_name.as_deref(), Some("x"));
    let err = load("scrape_configs:\n  - job_name: t\n    tls_config:\n      max_version: TLS11\n").unwrap_err();
    assert!(err.contains("TLS 1.2 and 1.3 only"), "{err}");
}
