//! Group evaluation against promql's in-memory store, with explicit timestamps.

use promql::{Engine, MemStorage, Storage};
use tsdb::{Matcher, Sample};

use super::*;
use crate::file::parse_rule_file;
use crate::state::StateStore;

const MIN: i64 = 60_000;

fn group(text: &str) -> Group {
    let loaded = parse_rule_file("t.yml", text).unwrap();
    Group::new(loaded.groups.into_iter().next().unwrap(), MIN, 0)
}

fn put(s: &MemStorage, name: &str, inst: &str, t: i64, v: f64) {
    s.add(Labels::from_pairs(&[("__name__", name), ("instance", inst)]).unwrap(), [Sample::new(t, v)]);
}

fn select(s: &MemStorage, name: &str, t: i64) -> Vec<(String, f64)> {
    let m = Matcher::equal("__name__", name);
    s.select(&[m], t, t)
        .unwrap()
        .into_iter()
        .flat_map(|series| {
            let inst = series.labels.get("instance").unwrap_or("").to_string();
            series.samples.into_iter().map(move |x| (inst.clone(), x.v))
        })
        .collect()
}

const RULES: &str = "groups:
  - name: g
    labels: {team: infra}
    rules:
      - record: instance:load:double
        expr: load * 2
        labels: {source: rule}
      - alert: HighLoad
        expr: instance:load:double > 10
        for: 2m
        labels: {severity: page}
        annotations: {summary: 'load {{ $value }} on {{ $labels.instance }}'}
";

#[test]
fn recording_rule_writes_renamed_series_with_rule_and_group_labels_and_marks_vanished_ones_stale() {
    let s = MemStorage::new();
    let e = Engine::default();
    let mut g = group(RULES);
    put(&s, "load", "a", 0, 3.0);
    put(&s, "load", "b", 0, 7.0);
    let out = g.eval(0, &e, &s, &GroupOptions::default());
    assert_eq!(out.failed_rules, 0);
    let got = s.select(&[Matcher::equal("__name__", "instance:load:double")], 0, 0).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].labels.get("source"), Some("rule"));
    assert_eq!(got[0].labels.get("team"), Some("infra"), "group labels apply to every rule");
    assert_eq!(got[1].samples[0].v, 14.0);
    // b disappears (stale input): its recorded series gets a staleness marker at the next eval.
    s.add(
        Labels::from_pairs(&[("__name__", "load"), ("instance", "b")]).unwrap(),
        [Sample::new(MIN - 1, f64::from_bits(tsdb::STALE_NAN_BITS))],
    );
    put(&s, "load", "a", MIN, 4.0);
    g.eval(MIN, &e, &s, &GroupOptions::default());
    let b = select(&s, "instance:load:double", MIN).into_iter().find(|(i, _)| i == "b").unwrap();
    assert!(tsdb::is_stale_nan(b.1), "vanished series is marked stale: {b:?}");
}

#[test]
fn alerts_fire_after_for_and_are_sent_then_resent_and_resolved() {
    let s = MemStorage::new();
    let e = Engine::default();
    let mut g = group(RULES);
    let opts = GroupOptions { external_url: "http://v:9090".into(), ..Default::default() };
    let mut sent = Vec::new();
    for step in 0..=3 {
        put(&s, "load", "a", step * MIN, 6.0);
        let out = g.eval(step * MIN, &e, &s, &opts);
        sent.push(out.to_send);
    }
    assert!(sent[0].is_empty() && sent[1].is_empty(), "pending alerts are not sent");
    assert_eq!(sent[2].len(), 1, "sent when it fires at 2m");
    let a = &sent[2][0];
    assert_eq!(a.labels.get("alertname").map(String::as_str), Some("HighLoad"));
    assert_eq!(a.labels.get("team").map(String::as_str), Some("infra"));
    assert_eq!(a.annotations["summary"], "load 12 on a");
    assert_eq!(a.starts_at, 2 * MIN);
    assert_eq!(a.ends_at, 2 * MIN + 4 * MIN, "valid for 4 × max(resend delay, interval)");
    assert!(
        a.generator_url.starts_with("http://v:9090/graph?g0.expr=instance%3Aload%3Adouble+%3E+10"),
        "{}",
        a.generator_url
    );
    assert!(sent[3].is_empty(), "not re-sent within the resend delay (1m is not exceeded at 3m)");
    put(&s, "load", "a", 4 * MIN, 6.0);
    assert_eq!(g.eval(4 * MIN, &e, &s, &opts).to_send.len(), 1, "re-sent once the resend delay passed");
    // Condition clears: a resolved notification at once, with endsAt = resolution time.
    put(&s, "load", "a", 5 * MIN, 1.0);
    let out = g.eval(5 * MIN, &e, &s, &opts);
    assert!(out.alerts_changed);
    assert_eq!(out.to_send.len(), 1);
    assert_eq!(out.to_send[0].ends_at, 5 * MIN);
    // ALERTS was written while active and marked stale once resolved.
    let alerts = select(&s, "ALERTS", 5 * MIN);
    assert!(alerts.iter().all(|(_, v)| tsdb::is_stale_nan(*v)), "{alerts:?}");
}

#[test]
fn query_errors_and_duplicate_outputs_are_reported_per_rule() {
    let s = MemStorage::new();
    let e = Engine::default();
    let mut g = group(
        "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: 'label_replace(vector(1), \"a\", \"x\", \"\", \"\") or label_replace(vector(2), \"a\", \"y\", \"\", \"\")'\n        labels: {a: z}\n      - record: ok\n        expr: vector(1)\n",
    );
    let out = g.eval(0, &e, &s, &GroupOptions::default());
    assert_eq!(out.failed_rules, 1);
    assert_eq!(g.rules[0].health, Health::Err);
    assert!(g.rules[0].last_error.as_deref().unwrap().contains("same labelset"));
    assert_eq!(g.rules[1].health, Health::Ok, "one failing rule does not stop the group");
}

#[test]
fn limit_applies_to_recording_rules() {
    let s = MemStorage::new();
    let e = Engine::default();
    let mut g = group("groups:\n  - name: g\n    limit: 1\n    rules:\n      - record: r\n        expr: load\n");
    put(&s, "load", "a", 0, 1.0);
    put(&s, "load", "b", 0, 1.0);
    g.eval(0, &e, &s, &GroupOptions::default());
    assert!(g.rules[0].last_error.as_deref().unwrap().contains("exceeded limit of 1 with 2 series"));
}

#[test]
fn reload_keeps_the_state_of_unchanged_rules() {
    let s = MemStorage::new();
    let e = Engine::default();
    let mut old = group(RULES);
    for step in 0..=2 {
        put(&s, "load", "a", step * MIN, 6.0);
        old.eval(step * MIN, &e, &s, &GroupOptions::default());
    }
    let mut new = group(&RULES.replace("for: 2m", "for: 2m\n        keep_firing_for: 1m"));
    new.copy_state_from(&mut old);
    let alerts = new.rules[1].alerts.active();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].state, AlertState::Firing);
    assert_eq!(alerts[0].active_at, 0);
}

#[test]
fn state_file_round_trip_restores_firing_and_shifts_pending_by_the_downtime() {
    let dir = tempfile::tempdir().unwrap();
    let s = MemStorage::new();
    let e = Engine::default();
    let text = "groups:\n  - name: g\n    rules:\n      - alert: Fast\n        expr: load > 1\n        for: 1m\n      - alert: Slow\n        expr: load > 1\n        for: 1h\n";
    let mut g = group(text);
    for step in 0..=2 {
        put(&s, "load", "a", step * MIN, 6.0);
        g.eval(step * MIN, &e, &s, &GroupOptions::default());
    }
    let store = StateStore::new(dir.path());
    store.save([&g]).unwrap();
    // Down from 2m to 30m (one interval of that is normal).
    let mut restored = group(text);
    let n = store.load().unwrap().restore(&mut restored, 30 * MIN);
    assert_eq!(n, 2);
    let fast = restored.rules[0].alerts.active()[0].clone();
    let slow = restored.rules[1].alerts.active()[0].clone();
    assert_eq!((fast.state, fast.active_at, fast.fired_at), (AlertState::Firing, 0, Some(MIN)));
    assert_eq!(slow.state, AlertState::Pending);
    assert_eq!(slow.active_at, 27 * MIN, "pending time does not count the 27 minutes of downtime");
}

#[test]
fn corrupt_state_file_is_moved_aside_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    std::fs::write(store.path(), "{not json").unwrap();
    let err = store.load().unwrap_err().to_string();
    assert!(err.contains("moved aside"), "{err}");
    assert!(dir.path().join("alert-state.json.corrupt").exists());
    assert!(store.load().is_ok(), "starts fresh afterwards");
}
