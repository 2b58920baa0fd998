//! Every seed alertmanager.yml (copied from shared/fixtures/seeds) loads, except englog's,
//! whose `slack_api_url` is a template and must be rejected with a message that says so.

use std::path::Path;

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("alertmanager.yml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_seed_loads_except_englog() {
    let all = fixtures();
    assert!(all.len() >= 2, "{all:?}");
    for p in all {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        match (name.starts_with("englog"), alerting::load_file(&p)) {
            (false, Ok(c)) => assert!(!c.receivers.is_empty(), "{name}"),
            (false, Err(e)) => panic!("{name} must load: {e}"),
            (true, Ok(_)) => panic!("{name} must be rejected"),
            (true, Err(e)) => {
                let msg = e.to_string();
                assert!(msg.contains("slack_api_url") && msg.contains("is not a valid URL"), "{msg}");
                assert!(msg.contains("templates are not expanded"), "{msg}");
            }
        }
    }
}

#[test]
fn englog_with_a_real_url_still_names_its_next_mistake() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/englog.alertmanager.yml");
    let text =
        std::fs::read_to_string(p).unwrap().replace("{{ .SlackWebhookURL }}", "https://hooks.slack.com/services/T/B/X");
    let e = alerting::load_str(&text, "englog.yml").unwrap_err();
    // Alertmanager's email_config has no `subject` field: say where it goes instead.
    assert_eq!(e.line, 51, "{e}");
    assert!(e.message.contains("unknown field `subject`"), "{e}");
    assert!(e.message.contains("headers: {Subject: ...}"), "{e}");
    // With that fixed as well, the file loads, and its routes behave as written.
    let fixed = text
        .replace(
            "        subject: \"EngLog Warning Alert\"\n",
            "        headers: {Subject: \"EngLog Warning Alert\"}\n",
        )
        .replace("        body: |", "        text: |");
    let c = alerting::load_str(&fixed, "englog.yml").unwrap_or_else(|e| panic!("{e}"));
    let route = |l: &str| c.route.receivers_for(&alerting::route::parse_test_labels(&[l.to_string()]).unwrap());
    assert_eq!(route("severity=critical"), vec!["critical-alerts"]);
    assert_eq!(route("service=business"), vec!["business-alerts"]);
    assert_eq!(route("severity=warning, service=business"), vec!["warning-alerts"]);
    assert_eq!(route("alertname=x"), vec!["default"]);
    let crit = c.route.matching(&alerting::route::parse_test_labels(&["severity=critical".into()]).unwrap())[0];
    assert_eq!(crit.opts.group_wait_ms, 5_000);
    assert_eq!(crit.opts.repeat_interval_ms, 300_000);
    assert_eq!(crit.opts.group_interval_ms, 10_000);
    let email = &c.receiver("warning-alerts").unwrap().email_configs[0];
    assert_eq!(email.smarthost.to_string(), "localhost:587");
    assert_eq!(email.headers["Subject"], "EngLog Warning Alert");
    assert_eq!(c.inhibit_rules.len(), 1);
}
