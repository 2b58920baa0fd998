//! Rule-file validation: what loads, and errors that name the line and the problem.

use proptest::prelude::*;

use super::*;

fn err(text: &str) -> RuleFileError {
    parse_rule_file("r.yml", text).unwrap_err()
}

#[test]
fn loads_every_field() {
    let f = parse_rule_file(
        "r.yml",
        "groups:\n  - name: g\n    interval: 30s\n    query_offset: 1m\n    limit: 10\n    labels: {team: a}\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels: {x: y}\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        keep_firing_for: 10m\n        labels: {severity: page}\n        annotations: {summary: '{{ $labels.job }} down'}\n",
    )
    .unwrap();
    let g = &f.groups[0];
    assert_eq!((g.interval_ms, g.query_offset_ms, g.limit), (Some(30_000), Some(60_000), 10));
    assert_eq!(g.labels["team"], "a");
    match &g.rules[1].kind {
        RuleKind::Alerting { for_ms, keep_firing_for_ms, annotations, .. } => {
            assert_eq!((*for_ms, *keep_firing_for_ms), (300_000, 600_000));
            assert_eq!(annotations["summary"], "{{ $labels.job }} down");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(g.rules[1].line, 11);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
}

#[test]
fn errors_name_line_group_rule_and_problem() {
    let e = err("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(x[5m])\n");
    assert_eq!(e.line, 5, "an expression error points at the expr line");
    assert!(e.message.contains("group \"g\", rule 1, \"A\": could not parse expression"), "{e}");
    let e = err("groups:\n  - name: g\n    rules:\n      - record: r\n        alert: a\n        expr: up\n");
    assert!(e.message.contains("only one of 'record' and 'alert'"), "{e}");
    let e = err("groups:\n  - name: g\n    rules:\n      - expr: up\n");
    assert!(e.message.contains("one of 'record' or 'alert' must be set"), "{e}");
    let e = err("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        for: 5m\n");
    assert!(e.message.contains("invalid field 'for' in recording rule"), "{e}");
    let e = err(
        "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        labels: {a: '{{ $value }}'}\n",
    );
    assert!(e.message.contains("templates only work in alerting rules"), "{e}");
    let e = err("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: five\n");
    assert!(e.message.contains("\"five\" is not a duration"), "{e}");
    let e =
        err("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: {__name__: x}\n");
    assert!(e.message.contains("invalid label name"), "{e}");
    let e = err("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: {0x: y}\n");
    assert!(e.message.contains("invalid annotation name"), "{e}");
    let e = err(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: {s: '{{ $labels.x | nosuch }}'}\n",
    );
    assert!(e.message.contains("invalid template"), "{e}");
    let e = err("groups:\n  - name: g\n    interval: 0s\n    rules: []\n");
    assert!(e.message.contains("greater than 0"), "{e}");
    let e = err("groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n");
    assert_eq!(e.line, 4);
    assert!(e.message.contains("repeated"), "{e}");
    let e = err("groups:\n  - name: g\n    rulez: []\n");
    assert!(e.to_string().contains("rulez"), "{e}");
    assert!(e.to_string().starts_with("r.yml:3:"), "the YAML error leads with its line: {e}");
}

#[test]
fn duplicate_rules_and_never_firing_expressions_are_warnings() {
    let f = parse_rule_file(
        "r.yml",
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n      - alert: A\n        expr: up == 1\n      - alert: L\n        expr: histogram_quantile(0.9, latency_seconds) > 1\n",
    )
    .unwrap();
    assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
    assert!(f.warnings[0].message.contains("repeated"));
    assert!(f.warnings[1].message.contains("latency_seconds_bucket"));
}

#[test]
fn empty_file_has_no_groups() {
    assert!(parse_rule_file("r.yml", "").unwrap().groups.is_empty());
    assert!(parse_rule_file("r.yml", "groups: []\n").unwrap().groups.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary text never panics the loader.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_rule_file("p.yml", &text);
    }

    /// Arbitrary expressions and templates inside a well-formed file load or fail with the
    /// rule's line, never panic.
    #[test]
    fn arbitrary_rule_fields_fail_cleanly(expr in "[a-z_(){}\\[\\]0-9 =~\"<>+*/.]{0,40}", tmpl in "[{}$a-z .|\"]{0,30}") {
        let text = format!("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: {expr:?}\n        annotations:\n          s: {tmpl:?}\n");
        if let Err(e) = parse_rule_file("p.yml", &text) {
            prop_assert!(e.line == 4 || e.line == 5 || e.line == 0 || e.message.contains("not a valid rule file"), "{}", e);
        }
    }
}
