use super::*;
use crate::config::load_str;

const TREE: &str = r#"
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
      routes:
        - matchers: ['team="db"']
          receiver: db-pager
        - matchers: ['team=~"web|api"']
          receiver: web-pager
          continue: true
        - matchers: ['team=~"api"']
          receiver: api-pager
    - match: {severity: critical}
      receiver: critical-slack
    - match_re: {service: 'billing|payments'}
      receiver: finance
      group_by: ['...']
      routes:
        - matchers: ['env!="prod"']
          receiver: finance-dev
    - matchers: ['team="ops"', 'severity=~"warning|info"']
      receiver: ops
      continue: true
    - matchers: ['team="ops"']
      receiver: ops-audit
    - matchers: ['alertname=~"Watchdog|DeadMansSwitch"']
      receiver: blackhole
    - matchers: ['job="node"', 'instance!~".*:9100"']
      receiver: node-odd
    - matchers: ['region=""', 'cluster="x"']
      receiver: no-region
receivers:
  - name: default
  - name: pager
  - name: db-pager
  - name: web-pager
  - name: api-pager
  - name: critical-slack
  - name: finance
  - name: finance-dev
  - name: ops
  - name: ops-audit
  - name: blackhole
  - name: node-odd
  - name: no-region
"#;

fn tree() -> Route {
    load_str(TREE, "tree.yml").unwrap().route
}

fn labels(s: &str) -> LabelSet {
    parse_test_labels(&[s.to_string()]).unwrap()
}

#[test]
fn routing_table() {
    let root = tree();
    let cases: &[(&str, &[&str])] = &[
        // Nothing matches: the root takes it.
        ("alertname=X", &["default"]),
        ("", &["default"]),
        // Critical continues past the pager subtree to the next sibling.
        ("severity=critical", &["pager", "critical-slack"]),
        ("severity=critical, team=db", &["db-pager", "critical-slack"]),
        // web-pager continues into api-pager for team=api only.
        ("severity=critical, team=web", &["web-pager", "critical-slack"]),
        ("severity=critical, team=api", &["web-pager", "api-pager", "critical-slack"]),
        ("severity=critical, team=apix", &["pager", "critical-slack"]),
        // Anchored regexes: "billing2" is not "billing".
        ("service=billing, env=prod", &["finance"]),
        ("service=payments, env=staging", &["finance-dev"]),
        ("service=payments", &["finance-dev"]),
        ("service=billing2", &["default"]),
        ("service=my-billing", &["default"]),
        // critical-slack has no continue, so finance is never reached for criticals.
        ("severity=critical, service=billing", &["pager", "critical-slack"]),
        // ops continues to ops-audit; ops-audit stops the search.
        ("team=ops, severity=warning", &["ops", "ops-audit"]),
        ("team=ops, severity=info, alertname=Watchdog", &["ops", "ops-audit"]),
        ("team=ops", &["ops-audit"]),
        ("team=ops, severity=page", &["ops-audit"]),
        ("alertname=Watchdog", &["blackhole"]),
        ("alertname=DeadMansSwitch", &["blackhole"]),
        ("alertname=WatchdogX", &["default"]),
        // Negative regex and conjunction.
        ("job=node, instance=host:9100", &["default"]),
        ("job=node, instance=host:9200", &["node-odd"]),
        ("job=node", &["node-odd"]),
        // An empty-value matcher also matches a missing label.
        ("cluster=x", &["no-region"]),
        ("cluster=x, region=eu", &["default"]),
        ("cluster=x, region=", &["no-region"]),
    ];
    for (input, want) in cases {
        let got = root.receivers_for(&labels(input));
        assert_eq!(&got, want, "labels {{{input}}}");
    }
}

#[test]
fn matching_routes_carry_effective_options() {
    let root = tree();
    let m = root.matching(&labels("service=payments, env=dev, alertname=A"));
    assert_eq!(m.len(), 1);
    let r = m[0];
    assert_eq!(r.opts.receiver, "finance-dev");
    assert!(r.opts.group_by_all, "inherited from the finance route");
    assert_eq!(r.key, r#"{}/{service=~"billing|payments"}/{env!="prod"}"#);
    let g = r.group_labels(&labels("service=payments, env=dev, alertname=A"));
    assert_eq!(g.len(), 3);
    let d = root.matching(&labels("alertname=A, x=y"))[0];
    assert_eq!(d.key, "{}");
    assert_eq!(d.group_labels(&labels("alertname=A, x=y")), labels("alertname=A"));
    assert_eq!(d.group_labels(&labels("x=y")), LabelSet::new(), "absent group_by labels are left out");
}

#[test]
fn ids_walk_and_lookup() {
    let root = tree();
    let all = root.walk();
    assert_eq!(all.len(), 13);
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.id, i);
        assert_eq!(root.by_id(i).map(|x| x.id), Some(i));
    }
    assert!(root.by_id(99).is_none());
}

#[test]
fn group_by_is_replaced_not_merged_and_dots_reset_by_children() {
    let c = load_str(
        "route:\n  receiver: r\n  group_by: ['...']\n  routes:\n    - match: {a: b}\n      group_by: [x]\n    - match: {a: c}\n      group_by: []\nreceivers:\n  - name: r\n",
        "t.yml",
    )
    .unwrap();
    let child = &c.route.routes[0];
    assert!(!child.opts.group_by_all);
    assert_eq!(child.opts.group_by.iter().collect::<Vec<_>>(), vec!["x"]);
    // An empty list inherits, as in Alertmanager 0.25.
    assert!(c.route.routes[1].opts.group_by_all);
}

#[test]
fn test_label_arguments() {
    assert_eq!(parse_test_labels(&["a=b".into(), "c=\"d e\"".into()]).unwrap(), labels("a=b, c=\"d e\""));
    let e = parse_test_labels(&["a=~b".into()]).unwrap_err();
    assert!(matches!(e, TestLabelsError::NotEqual(_)) && e.to_string().contains("only name=value"), "{e:?}");
    assert!(parse_test_labels(&["=b".into()]).is_err());
}
