use super::*;
use crate::config::receivers::IntegrationConfig;

fn load(yaml: &str) -> Config {
    load_str(yaml, "am.yml").unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

fn fail(yaml: &str) -> ConfigError {
    match load_str(yaml, "am.yml") {
        Ok(_) => panic!("loaded:\n{yaml}"),
        Err(e) => e,
    }
}

const MINIMAL: &str = "route:\n  receiver: r\nreceivers:\n  - name: r\n";

#[test]
fn minimal_config_gets_alertmanagers_defaults() {
    let c = load(MINIMAL);
    assert_eq!(c.global.resolve_timeout.ms(), 300_000);
    assert!(c.global.smtp_require_tls);
    assert_eq!(c.global.smtp_hello, "localhost");
    assert_eq!(c.global.pagerduty_url.as_str(), "https://events.pagerduty.com/v2/enqueue");
    assert_eq!(c.route.opts.receiver, "r");
    assert_eq!(c.route.opts.group_wait_ms, 30_000);
    assert_eq!(c.route.opts.group_interval_ms, 300_000);
    assert_eq!(c.route.opts.repeat_interval_ms, 14_400_000);
    assert_eq!(c.route.key, "{}");
    assert_eq!(c.original_yaml(), MINIMAL);
    assert!(c.warnings.is_empty());
}

#[test]
fn receivers_get_global_defaults() {
    let c = load(
        r#"
global:
  smtp_smarthost: mail.example.com:587
  smtp_from: am@example.com
  smtp_auth_username: user
  smtp_auth_password: pw
  smtp_require_tls: false
  slack_api_url: https://hooks.slack.com/services/T/B/X
  http_config:
    basic_auth: {username: u, password: p}
route:
  receiver: all
receivers:
  - name: all
    email_configs:
      - to: ops@example.com
        headers: {subject: 'Custom', x-team: ops}
    slack_configs:
      - channel: '#ops'
    pagerduty_configs:
      - routing_key: abc
        details: {firing: custom}
    webhook_configs:
      - url: http://localhost:9000/hook
        send_resolved: false
"#,
    );
    let r = c.receiver("all").unwrap();
    let e = &r.email_configs[0];
    assert_eq!(e.smarthost.to_string(), "mail.example.com:587");
    assert_eq!(e.from, "am@example.com");
    assert_eq!(e.hello, "localhost");
    assert_eq!(e.auth_username, "user");
    assert_eq!(e.auth_password.as_ref().unwrap().expose(), "pw");
    assert_eq!(e.require_tls, Some(false));
    assert!(!e.send_resolved);
    assert_eq!(e.headers["Subject"], "Custom");
    assert_eq!(e.headers["X-Team"], "ops");
    assert_eq!(e.headers["To"], "ops@example.com");
    assert_eq!(e.headers["From"], "am@example.com");
    assert_eq!(e.html, r#"{{ template "email.default.html" . }}"#);
    let s = &r.slack_configs[0];
    assert_eq!(s.api_url.as_ref().unwrap().as_str(), "https://hooks.slack.com/services/T/B/X");
    assert!(!s.send_resolved);
    assert_eq!(s.title, r#"{{ template "slack.default.title" . }}"#);
    assert!(s.http_config.as_ref().unwrap().basic_auth.is_some(), "global http_config applies");
    let p = &r.pagerduty_configs[0];
    assert_eq!(p.url.as_ref().unwrap().as_str(), "https://events.pagerduty.com/v2/enqueue");
    assert!(p.send_resolved);
    assert_eq!(p.details["firing"], "custom");
    assert_eq!(p.details["num_firing"], "{{ .Alerts.Firing | len }}");
    assert_eq!(p.source, p.client);
    let w = &r.webhook_configs[0];
    assert!(!w.send_resolved);
    let kinds: Vec<_> = r.integrations().iter().map(|(i, c)| (c.kind().as_str(), *i)).collect();
    assert_eq!(kinds, vec![("email", 0), ("pagerduty", 0), ("slack", 0), ("webhook", 0)]);
    assert!(matches!(r.integrations()[3].1, IntegrationConfig::Webhook(_)));
}

#[test]
fn route_options_are_inherited() {
    let c = load(
        r#"
route:
  receiver: root
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 2h
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      group_wait: 1s
      routes:
        - match: {team: db}
          group_by: ['...']
    - match_re: {service: 'api|web'}
      group_by: [service, alertname]
      mute_time_intervals: [nights]
time_intervals:
  - name: nights
    time_intervals:
      - times: [{start_time: '00:00', end_time: '06:00'}]
receivers:
  - name: root
  - name: pager
"#,
    );
    let r = &c.route;
    let crit = &r.routes[0];
    assert_eq!(crit.opts.receiver, "pager");
    assert_eq!(crit.opts.group_wait_ms, 1000);
    assert_eq!(crit.opts.group_interval_ms, 60_000);
    assert_eq!(crit.opts.repeat_interval_ms, 7_200_000);
    assert_eq!(crit.opts.group_by.iter().collect::<Vec<_>>(), vec!["alertname"]);
    assert_eq!(crit.key, r#"{}/{severity="critical"}"#);
    let db = &crit.routes[0];
    assert!(db.opts.group_by_all);
    assert_eq!(db.opts.receiver, "pager");
    assert_eq!(db.opts.group_wait_ms, 1000);
    assert_eq!(db.key, r#"{}/{severity="critical"}/{team="db"}"#);
    let svc = &r.routes[1];
    assert_eq!(svc.opts.receiver, "root");
    assert_eq!(svc.opts.group_by.len(), 2);
    assert_eq!(svc.opts.mute_time_intervals, vec!["nights".to_string()]);
    assert_eq!(svc.key, r#"{}/{service=~"api|web"}"#);
    assert!(db.opts.mute_time_intervals.is_empty());
    assert_eq!([r.id, crit.id, db.id, svc.id], [0, 1, 2, 3]);
    assert_eq!(r.by_id(3).map(|x| x.key.as_str()), Some(svc.key.as_str()));
    assert!(c.time_intervals.contains_key("nights"));
}

#[test]
fn validation_errors_name_the_problem_and_line() {
    let cases: &[(&str, &str, u64)] = &[
        ("receivers:\n  - name: r\n", "no route provided", 0),
        ("", "no route provided", 0),
        ("route:\n  group_wait: 1s\nreceivers:\n  - name: r\n", "root route must specify a default receiver", 2),
        (
            "route:\n  receiver: r\n  match: {a: b}\nreceivers:\n  - name: r\n",
            "root route must not have any matchers",
            2,
        ),
        ("route:\n  receiver: r\n  continue: true\nreceivers:\n  - name: r\n", "cannot have continue in root route", 2),
        ("route:\n  receiver: nope\nreceivers:\n  - name: r\n", "undefined receiver \"nope\" used in route", 2),
        (
            "route:\n  receiver: r\n  routes:\n    - receiver: x\nreceivers:\n  - name: r\n",
            "undefined receiver \"x\" used in route",
            4,
        ),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n  - name: r\n",
            "notification config name \"r\" is not unique",
            5,
        ),
        ("route:\n  receiver: r\nreceivers:\n  - webhook_configs: []\n", "missing name in receiver", 4),
        (
            "route:\n  receiver: r\n  group_by: ['...', alertname]\nreceivers:\n  - name: r\n",
            "cannot have wildcard group_by (`...`) and other labels",
            2,
        ),
        (
            "route:\n  receiver: r\n  group_by: [a, a]\nreceivers:\n  - name: r\n",
            "duplicated label \"a\" in group_by",
            2,
        ),
        (
            "route:\n  receiver: r\n  group_by: [a-b]\nreceivers:\n  - name: r\n",
            "invalid label name \"a-b\" in group_by",
            2,
        ),
        ("route:\n  receiver: r\n  group_interval: 0s\nreceivers:\n  - name: r\n", "group_interval cannot be zero", 2),
        (
            "route:\n  receiver: r\n  repeat_interval: 0s\nreceivers:\n  - name: r\n",
            "repeat_interval cannot be zero",
            2,
        ),
        ("route:\n  receiver: r\n  group_wait: 5x\nreceivers:\n  - name: r\n", "not a valid duration", 3),
        (
            "route:\n  receiver: r\n  routes:\n    - mute_time_intervals: [x]\nreceivers:\n  - name: r\n",
            "undefined time interval \"x\" used in route",
            4,
        ),
        (
            "route:\n  receiver: r\n  routes:\n    - matchers: ['a=\"b']\nreceivers:\n  - name: r\n",
            "matchers: bad matcher a=\"b",
            4,
        ),
        (
            "route:\n  receiver: r\n  routes:\n    - match_re: {a: '('}\nreceivers:\n  - name: r\n",
            "invalid regular expression",
            4,
        ),
        ("route:\n  receiver: r\n  recevier: x\nreceivers:\n  - name: r\n", "unknown field `recevier`", 3),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n    slack_configs:\n      - channel: x\n",
            "no global Slack API URL set",
            4,
        ),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n    email_configs:\n      - to: a@b\n",
            "receiver \"r\": email_configs[0]: no global SMTP smarthost set",
            4,
        ),
        (
            "global:\n  smtp_smarthost: h:25\nroute:\n  receiver: r\nreceivers:\n  - name: r\n    email_configs:\n      - to: a@b\n",
            "no global SMTP from set",
            6,
        ),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n    email_configs:\n      - from: a@b\n",
            "missing to address",
            4,
        ),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n    pagerduty_configs:\n      - description: x\n",
            "missing service or routing key",
            4,
        ),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n    webhook_configs:\n      - max_alerts: 1\n",
            "missing URL in webhook config",
            4,
        ),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: ftp://x/y\n",
            "webhook_configs[0].url: \"ftp://x/y\" is not a valid URL: unsupported scheme",
            6,
        ),
        ("global:\n  smtp_smarthost: nohost\nroute:\n  receiver: r\nreceivers:\n  - name: r\n", "missing port", 2),
        (
            "route:\n  receiver: r\ninhibit_rules:\n  - source_match: {a-b: x}\nreceivers:\n  - name: r\n",
            "inhibit rule: invalid label name \"a-b\"",
            4,
        ),
        (
            "route:\n  receiver: r\ninhibit_rules:\n  - equal: ['x y']\nreceivers:\n  - name: r\n",
            "not a valid label name in equal",
            4,
        ),
        (
            "route:\n  receiver: r\ntime_intervals:\n  - name: a\n  - name: a\nreceivers:\n  - name: r\n",
            "time interval \"a\" is not unique",
            5,
        ),
        (
            "route:\n  receiver: r\ntime_intervals:\n  - name: a\n    time_intervals:\n      - weekdays: [funday]\nreceivers:\n  - name: r\n",
            "funday is not a valid weekday",
            6,
        ),
        (
            "global:\n  slack_api_url: https://x/y\n  slack_api_url_file: /f\nroute:\n  receiver: r\nreceivers:\n  - name: r\n",
            "at most one of slack_api_url & slack_api_url_file",
            2,
        ),
        (
            "route:\n  receiver: r\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: http://x\n        http_config:\n          bearer_token: a\n          bearer_token_file: b\n",
            "at most one of bearer_token & bearer_token_file",
            4,
        ),
    ];
    for (yaml, want, line) in cases {
        let e = fail(yaml);
        assert!(e.message.contains(want), "{yaml}\n got: {e}\nwant: {want}");
        assert_eq!(e.line, *line, "{yaml}\n{e}");
        assert_eq!(e.origin, "am.yml");
    }
}

#[test]
fn unsupported_receivers_and_placeholders_load_with_warnings() {
    let c = load(
        "route:\n  receiver: r\nreceivers:\n  - name: r\n    opsgenie_configs:\n      - api_key: x\n    slack_configs:\n      - api_url: YOUR_SLACK_WEBHOOK_URL\n",
    );
    assert_eq!(c.receivers[0].unsupported, vec!["opsgenie_configs"]);
    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    assert!(c.warnings.iter().any(|w| w.contains("opsgenie_configs") && w.contains("not supported")));
    assert!(c.warnings.iter().any(|w| w.contains("YOUR_SLACK_WEBHOOK_URL") && w.contains("not a URL")));
}

#[test]
fn inhibit_rules_combine_legacy_and_new_matchers() {
    let c = load(
        "route:\n  receiver: r\nreceivers:\n  - name: r\ninhibit_rules:\n  - source_match: {severity: critical}\n    source_matchers: ['team=~\"a|b\"']\n    target_match_re: {severity: 'warning|info'}\n    equal: [alertname]\n",
    );
    let r = &c.inhibit_rules[0];
    assert_eq!(r.source.0.len(), 2);
    assert_eq!(r.target.0.len(), 1);
    assert_eq!(r.equal, vec!["alertname".to_string()]);
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[test]
fn seed_cart_recovery_loads() {
    let c = load_file(&fixture("cart-recovery.alertmanager.yml")).unwrap();
    assert_eq!(c.receivers.len(), 3);
    assert_eq!(c.route.routes.len(), 2);
    assert_eq!(c.route.opts.group_wait_ms, 10_000);
    let pd = &c.receiver("pagerduty-critical").unwrap().pagerduty_configs[0];
    assert_eq!(pd.routing_key.as_ref().unwrap().expose(), "YOUR_PAGERDUTY_INTEGRATION_KEY");
    assert_eq!(pd.details["severity"], "{{ .GroupLabels.severity }}");
    let slack = &c.receiver("slack-warnings").unwrap().slack_configs[0];
    assert_eq!(slack.actions[0].kind, "button");
    assert!(c.warnings.iter().any(|w| w.contains("YOUR_SLACK_WEBHOOK_URL")), "{:?}", c.warnings);
    let labels = crate::route::parse_test_labels(&["severity=critical".into()]).unwrap();
    assert_eq!(c.route.receivers_for(&labels), vec!["pagerduty-critical"]);
}

#[test]
fn seed_englog_fails_on_its_templated_slack_url() {
    let e = load_file(&fixture("englog.alertmanager.yml")).unwrap_err();
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("slack_api_url"), "{e}");
    assert!(e.message.contains("not a valid URL"), "{e}");
    assert!(e.message.contains("templates are not expanded"), "{e}");
    assert!(e.to_string().ends_with(&e.message));
    assert!(e.to_string().contains("englog.alertmanager.yml:5: "), "{e}");
}

#[test]
fn templates_resolve_against_the_config_directory() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("am.yml");
    std::fs::write(&p, format!("templates: ['t/*.tmpl', '/abs/x.tmpl']\n{MINIMAL}")).unwrap();
    let c = load_file(&p).unwrap();
    assert_eq!(c.templates[0], dir.path().join("t/*.tmpl").display().to_string());
    assert_eq!(c.templates[1], "/abs/x.tmpl");
    let e = load_file(&dir.path().join("missing.yml")).unwrap_err();
    assert!(e.message.contains("cannot read config file"), "{e}");
}

#[test]
fn seed_002_escalation_policy_is_expressible() {
    let c = load_file(&fixture("vigil-escalation-seed002.yml")).unwrap();
    let p = &c.vigil.escalations[0];
    assert_eq!(p.name, "critical-ladder");
    assert_eq!(p.receivers, vec!["on-call".to_string()]);
    let ladder: Vec<(i64, &str)> = p.levels.iter().map(|l| (l.after_ms / 60_000, l.receiver.as_str())).collect();
    assert_eq!(ladder, vec![(15, "team-lead"), (30, "engineering-manager"), (60, "cto")]);
    let critical = crate::route::parse_test_labels(&["severity=critical".into()]).unwrap();
    assert!(p.covers("on-call", &critical));
    assert!(!p.covers("default", &critical));
    assert!(!c.original_yaml().contains("escalations:"), "status must not show the section");
    assert!(c.source_yaml().contains("escalations:"));
    assert!(c.vigil_yaml().is_some_and(|v| v.starts_with("vigil:\n  escalations:")));
}

const VIGIL_BASE: &str = "route:\n  receiver: r\nreceivers:\n  - name: r\n  - name: lead\ntime_intervals:\n  - name: sat\n    time_intervals: [{weekdays: [saturday]}]\n";

#[test]
fn vigil_section_loads_with_named_and_inline_intervals() {
    let c = load(&format!(
        "{VIGIL_BASE}vigil:\n  escalations:\n    - name: p\n      levels: [{{after: 0s, receiver: lead}}, {{after: 1h30m, receiver: r}}]\n  recurring_silences:\n    - name: w\n      matchers: ['env=\"staging\"', 'team=~\"a|b\"']\n      time_intervals:\n        - sat\n        - weekdays: [sunday]\n          times: [{{start_time: '02:00', end_time: '04:00'}}]\n"
    ));
    let p = &c.vigil.escalations[0];
    assert!(p.matchers.is_empty() && p.receivers.is_empty(), "no matchers: every group");
    assert_eq!(p.levels[1].after_ms, 5_400_000);
    let r = &c.vigil.recurring_silences[0];
    assert_eq!(r.intervals.len(), 2);
    assert_eq!(r.interval_names, vec!["sat".to_string()]);
    assert_eq!(r.matchers.to_string(), r#"{env="staging",team=~"a|b"}"#);
    assert_eq!(r.comment, "Recurring silence \"w\" (Vigil)");
    assert!(load(MINIMAL).vigil == VigilConfig::default());
}

#[test]
fn vigil_section_errors_name_the_policy_and_level() {
    let cases: &[(&str, &str, u64)] = &[
        (
            "vigil:\n  escalations:\n    - name: ladder\n      levels:\n        - after: 15m\n          receiver: lead\n        - after: 30m\n          receiver: manager\n",
            "vigil: escalation policy \"ladder\" level 2: undefined receiver \"manager\"",
            15,
        ),
        (
            "vigil:\n  escalations:\n    - name: ladder\n      levels:\n        - after: 15x\n          receiver: lead\n",
            "vigil: escalation policy \"ladder\" level 1: after: not a valid duration string: \"15x\"",
            13,
        ),
        (
            "vigil:\n  escalations:\n    - name: ladder\n      levels:\n        - {after: 30m, receiver: lead}\n        - {after: 30m, receiver: r}\n",
            "vigil: escalation policy \"ladder\" level 2: after 30m must be later than level 1's after 30m",
            14,
        ),
        (
            "vigil:\n  escalations:\n    - name: ladder\n      levels:\n        - {receiver: lead}\n",
            "level 1: missing after",
            13,
        ),
        (
            "vigil:\n  escalations:\n    - name: ladder\n",
            "escalation policy \"ladder\": at least one level is required",
            11,
        ),
        ("vigil:\n  escalations:\n    - levels: [{after: 1m, receiver: r}]\n", "missing name in escalation policy", 11),
        (
            "vigil:\n  escalations:\n    - {name: a, levels: [{after: 1m, receiver: r}]}\n    - {name: a, levels: [{after: 1m, receiver: r}]}\n",
            "escalation policy \"a\" is not unique",
            12,
        ),
        (
            "vigil:\n  escalations:\n    - {name: a, receivers: [nobody], levels: [{after: 1m, receiver: r}]}\n",
            "escalation policy \"a\": undefined receiver \"nobody\" in receivers",
            11,
        ),
        (
            "vigil:\n  escalations:\n    - {name: a, matchers: ['a=\"'], levels: [{after: 1m, receiver: r}]}\n",
            "escalation policy \"a\": matchers:",
            11,
        ),
        (
            "vigil:\n  recurring_silences:\n    - name: w\n      matchers: ['env=staging']\n      time_intervals: [sunday-window]\n",
            "vigil: recurring silence \"w\": undefined time interval \"sunday-window\"",
            11,
        ),
        (
            "vigil:\n  recurring_silences:\n    - {name: w, time_intervals: [sat]}\n",
            "recurring silence \"w\": at least one matcher is required",
            11,
        ),
        (
            "vigil:\n  recurring_silences:\n    - {name: w, matchers: ['env=~\".*\"'], time_intervals: [sat]}\n",
            "at least one matcher must not match the empty string",
            11,
        ),
        (
            "vigil:\n  recurring_silences:\n    - {name: w, matchers: ['a=b']}\n",
            "recurring silence \"w\": time_intervals must name or contain at least one time interval",
            11,
        ),
        (
            "vigil:\n  recurring_silences:\n    - {name: w, matchers: ['a=b'], time_intervals: [{weekdays: [someday]}]}\n",
            "someday is not a valid weekday",
            11,
        ),
        ("vigil:\n  escalation: []\n", "unknown field `escalation`", 10),
    ];
    for (section, want, line) in cases {
        let yaml = format!("{VIGIL_BASE}{section}");
        let e = fail(&yaml);
        assert!(e.message.contains(want), "{yaml}\n{e}");
        assert_eq!(e.line, *line, "{yaml}\n{e}");
    }
}
