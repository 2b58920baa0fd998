//! The state machine under a controlled clock: one evaluation per minute.

use super::*;

const MIN: i64 = 60_000;

fn cand(instance: &str, v: f64) -> Candidate {
    let mut labels = BTreeMap::new();
    labels.insert("alertname".to_string(), "Down".to_string());
    labels.insert("instance".to_string(), instance.to_string());
    Candidate { labels, annotations: BTreeMap::new(), value: v }
}

fn states(s: &AlertSet) -> Vec<(String, AlertState)> {
    s.all().iter().map(|a| (a.labels["instance"].clone(), a.state)).collect()
}

#[test]
fn pending_then_firing_after_for_then_resolved_then_gone() {
    let mut s = AlertSet::default();
    let for_ms = 5 * MIN;
    s.update(vec![cand("a", 1.0)], 0, for_ms, 0, 0).unwrap();
    assert_eq!(states(&s), vec![("a".into(), AlertState::Pending)]);
    for t in 1..5 {
        s.update(vec![cand("a", 1.0)], t * MIN, for_ms, 0, 0).unwrap();
        assert_eq!(s.all()[0].state, AlertState::Pending, "minute {t}");
    }
    let ch = s.update(vec![cand("a", 2.0)], 5 * MIN, for_ms, 0, 0).unwrap();
    assert!(ch.structural);
    let a = s.all()[0];
    assert_eq!((a.state, a.active_at, a.fired_at, a.value), (AlertState::Firing, 0, Some(5 * MIN), 2.0));
    // Condition clears: resolved, kept for 15 minutes, then dropped.
    s.update(vec![], 6 * MIN, for_ms, 0, 0).unwrap();
    let a = s.all()[0];
    assert_eq!((a.state, a.resolved_at), (AlertState::Inactive, Some(6 * MIN)));
    assert!(s.active().is_empty());
    s.update(vec![], 21 * MIN, for_ms, 0, 0).unwrap();
    assert_eq!(s.len(), 1, "still within the 15 minute retention");
    s.update(vec![], 22 * MIN, for_ms, 0, 0).unwrap();
    assert!(s.is_empty());
}

#[test]
fn zero_for_fires_at_once() {
    let mut s = AlertSet::default();
    s.update(vec![cand("a", 1.0)], 7 * MIN, 0, 0, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Firing);
    assert_eq!(s.all()[0].fired_at, Some(7 * MIN));
}

#[test]
fn flapping_pending_alert_restarts_its_for_clock() {
    let mut s = AlertSet::default();
    let for_ms = 3 * MIN;
    s.update(vec![cand("a", 1.0)], 0, for_ms, 0, 0).unwrap();
    s.update(vec![cand("a", 1.0)], MIN, for_ms, 0, 0).unwrap();
    s.update(vec![], 2 * MIN, for_ms, 0, 0).unwrap();
    assert!(s.is_empty(), "a pending alert that clears is forgotten");
    s.update(vec![cand("a", 1.0)], 3 * MIN, for_ms, 0, 0).unwrap();
    s.update(vec![cand("a", 1.0)], 5 * MIN, for_ms, 0, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Pending, "only 2 of 3 minutes since it came back");
    s.update(vec![cand("a", 1.0)], 6 * MIN, for_ms, 0, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Firing);
    assert_eq!(s.all()[0].active_at, 3 * MIN);
}

#[test]
fn flapping_firing_alert_comes_back_pending() {
    let mut s = AlertSet::default();
    s.update(vec![cand("a", 1.0)], 0, MIN, 0, 0).unwrap();
    s.update(vec![cand("a", 1.0)], MIN, MIN, 0, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Firing);
    s.update(vec![], 2 * MIN, MIN, 0, 0).unwrap();
    s.update(vec![cand("a", 1.0)], 3 * MIN, MIN, 0, 0).unwrap();
    let a = s.all()[0];
    assert_eq!((a.state, a.active_at, a.resolved_at), (AlertState::Pending, 3 * MIN, None));
}

#[test]
fn keep_firing_for_holds_a_firing_alert_then_resolves() {
    let mut s = AlertSet::default();
    let keep = 2 * MIN;
    s.update(vec![cand("a", 1.0)], 0, 0, keep, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Firing);
    s.update(vec![], MIN, 0, keep, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Firing, "kept firing 1 min after clearing");
    assert_eq!(s.all()[0].keep_firing_since, Some(MIN));
    s.update(vec![], 2 * MIN, 0, keep, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Firing, "1 min into the 2 min keep window");
    s.update(vec![], 3 * MIN, 0, keep, 0).unwrap();
    let a = s.all()[0];
    assert_eq!((a.state, a.resolved_at), (AlertState::Inactive, Some(3 * MIN)));
}

#[test]
fn keep_firing_for_resets_when_the_condition_returns() {
    let mut s = AlertSet::default();
    let keep = 2 * MIN;
    s.update(vec![cand("a", 1.0)], 0, 0, keep, 0).unwrap();
    s.update(vec![], MIN, 0, keep, 0).unwrap();
    s.update(vec![cand("a", 1.0)], 2 * MIN, 0, keep, 0).unwrap();
    assert_eq!(s.all()[0].keep_firing_since, None);
    s.update(vec![], 3 * MIN, 0, keep, 0).unwrap();
    s.update(vec![], 4 * MIN, 0, keep, 0).unwrap();
    assert_eq!(s.all()[0].state, AlertState::Firing, "the keep window restarted at 3m");
    assert_eq!(s.all()[0].fired_at, Some(0), "still the same firing alert");
}

#[test]
fn keep_firing_for_does_not_apply_to_pending() {
    let mut s = AlertSet::default();
    s.update(vec![cand("a", 1.0)], 0, 5 * MIN, 10 * MIN, 0).unwrap();
    s.update(vec![], MIN, 5 * MIN, 10 * MIN, 0).unwrap();
    assert!(s.is_empty());
}

#[test]
fn limit_drops_everything_and_errors() {
    let mut s = AlertSet::default();
    let err = s.update(vec![cand("a", 1.0), cand("b", 1.0), cand("c", 1.0)], 0, 0, 0, 2).unwrap_err();
    assert!(matches!(err, EvalError::AlertLimit { limit: 2, count: 3 }), "{err:?}");
    assert_eq!(err.to_string(), "exceeded limit of 2 with 3 alerts");
    assert!(s.is_empty());
    s.update(vec![cand("a", 1.0)], MIN, 0, 0, 2).unwrap();
    assert_eq!(s.len(), 1);
}

#[test]
fn duplicate_label_sets_are_an_error() {
    let mut s = AlertSet::default();
    let err = s.update(vec![cand("a", 1.0), cand("a", 2.0)], 0, 0, 0, 0).unwrap_err();
    assert!(matches!(err, EvalError::DuplicateAlerts), "{err:?}");
    assert!(err.to_string().contains("same labelset"), "{err}");
}

#[test]
fn restored_firing_alert_stays_firing() {
    // What a restart does: the set is rebuilt from persisted alerts, then evaluation goes on.
    let mut s = AlertSet::default();
    s.update(vec![cand("a", 1.0)], 0, MIN, 0, 0).unwrap();
    s.update(vec![cand("a", 1.0)], MIN, MIN, 0, 0).unwrap();
    let saved: Vec<Alert> = s.all().into_iter().cloned().collect();
    let json = serde_json::to_string(&saved).unwrap();
    let mut restored = AlertSet::from_alerts(serde_json::from_str::<Vec<Alert>>(&json).unwrap());
    restored.update(vec![cand("a", 1.0)], 10 * MIN, MIN, 0, 0).unwrap();
    let a = restored.all()[0];
    assert_eq!((a.state, a.fired_at, a.active_at), (AlertState::Firing, Some(MIN), 0));
}

#[test]
fn restored_pending_alert_keeps_its_clock() {
    let mut s = AlertSet::default();
    s.update(vec![cand("a", 1.0)], 0, 5 * MIN, 0, 0).unwrap();
    s.update(vec![cand("a", 1.0)], 3 * MIN, 5 * MIN, 0, 0).unwrap();
    let mut restored = AlertSet::from_alerts(s.all().into_iter().cloned());
    restored.update(vec![cand("a", 1.0)], 4 * MIN, 5 * MIN, 0, 0).unwrap();
    assert_eq!(restored.all()[0].state, AlertState::Pending);
    restored.update(vec![cand("a", 1.0)], 5 * MIN, 5 * MIN, 0, 0).unwrap();
    assert_eq!(restored.all()[0].state, AlertState::Firing);
}

#[test]
fn needs_sending_follows_prometheus() {
    let mut s = AlertSet::default();
    s.update(vec![cand("a", 1.0)], 0, MIN, 0, 0).unwrap();
    assert!(!s.all()[0].needs_sending(0, MIN), "pending is never sent");
    s.update(vec![cand("a", 1.0)], MIN, MIN, 0, 0).unwrap();
    let a = s.all_mut().next().unwrap();
    assert!(a.needs_sending(MIN, MIN));
    a.last_sent_at = Some(MIN);
    assert!(!a.needs_sending(MIN + 30_000, MIN));
    assert!(!a.needs_sending(2 * MIN, MIN), "resend only after more than resend_delay");
    assert!(a.needs_sending(2 * MIN + 1, MIN));
    a.resolved_at = Some(MIN + 10);
    a.state = AlertState::Inactive;
    assert!(a.needs_sending(MIN + 20, MIN), "a resolution is sent at once");
}
