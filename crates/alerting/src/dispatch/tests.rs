use super::*;
use crate::config::load_str;

const S: i64 = 1000;

fn dispatcher() -> Dispatcher {
    let cfg = load_str(
        "route:\n  receiver: r\n  group_by: [alertname]\n  group_wait: 30s\n  group_interval: 5m\n  routes:\n    - match: {team: a}\n      continue: true\n    - match: {team: a}\n      receiver: s\n      group_by: ['...']\nreceivers:\n  - name: r\n  - name: s\n",
        "d.yml",
    )
    .unwrap();
    Dispatcher::new(cfg.route)
}

fn alert(labels: &[(&str, &str)], starts: i64, ends: i64, updated: i64) -> Alert {
    Alert {
        labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        annotations: LabelSet::new(),
        starts_at: starts,
        ends_at: ends,
        generator_url: String::new(),
        updated_at: updated,
        timeout: false,
    }
}

#[test]
fn groups_by_route_and_labels() {
    let mut d = dispatcher();
    let t = 1_000_000;
    d.insert(&alert(&[("alertname", "A"), ("i", "1")], t, t + 600 * S, t), t);
    d.insert(&alert(&[("alertname", "A"), ("i", "2")], t, t + 600 * S, t), t);
    d.insert(&alert(&[("alertname", "B")], t, t + 600 * S, t), t);
    assert_eq!(d.len(), 2);
    // team=a matches the continue route and the `...` route: two groups for one alert.
    d.insert(&alert(&[("alertname", "A"), ("team", "a")], t, t + 600 * S, t), t);
    assert_eq!(d.len(), 4);
    let keys: Vec<String> = {
        let mut k: Vec<String> = d.groups().map(|g| g.key.clone()).collect();
        k.sort();
        k
    };
    assert_eq!(
        keys,
        vec![
            r#"{}/{team="a"}:{alertname="A", team="a"}"#.to_string(),
            r#"{}/{team="a"}:{alertname="A"}"#.to_string(),
            r#"{}:{alertname="A"}"#.to_string(),
            r#"{}:{alertname="B"}"#.to_string(),
        ]
    );
}

#[test]
fn group_wait_then_group_interval() {
    let mut d = dispatcher();
    let t = 1_000_000;
    d.insert(&alert(&[("alertname", "A")], t, t + 3600 * S, t), t);
    assert_eq!(d.next_flush(), Some(t + 30 * S));
    assert!(d.take_due(t + 29 * S).is_empty());
    let b = d.take_due(t + 30 * S);
    assert_eq!(b.len(), 1);
    assert!(d.take_due(t + 31 * S).is_empty(), "in flight");
    d.finish(&b[0], true);
    assert_eq!(d.next_flush(), Some(t + 30 * S + 300 * S));
    // A second alert joining a flushed group waits for the interval, not group_wait.
    d.insert(&alert(&[("alertname", "A"), ("i", "2")], t + 40 * S, t + 3600 * S, t + 40 * S), t + 40 * S);
    assert_eq!(d.next_flush(), Some(t + 330 * S));
}

#[test]
fn old_alerts_skip_group_wait() {
    let mut d = dispatcher();
    let now = 10_000_000;
    d.insert(&alert(&[("alertname", "A")], now - 60 * S, now + 3600 * S, now), now);
    assert_eq!(d.next_flush(), Some(now));
    assert_eq!(d.take_due(now).len(), 1);
}

#[test]
fn resolved_alerts_leave_after_a_successful_flush_only() {
    let mut d = dispatcher();
    let t = 1_000_000;
    d.insert(&alert(&[("alertname", "A")], t, t + 10 * S, t), t);
    let b = d.take_due(t + 30 * S);
    d.finish(&b[0], false);
    assert!(!d.held().is_empty(), "failed flush keeps the resolved alert");
    let b = d.take_due(t + 330 * S);
    // Updated while in flight: kept, its new state still has to be reported.
    d.insert(&alert(&[("alertname", "A")], t, t + 20 * S, t + 331 * S), t + 331 * S);
    d.finish(&b[0], true);
    assert_eq!(d.held().len(), 1);
    let b = d.take_due(t + 630 * S);
    d.finish(&b[0], true);
    assert!(d.held().is_empty());
    assert_eq!(d.remove_empty(), 1);
    assert!(d.is_empty());
}
