//! Acknowledgement of alert groups on a hand-moved clock: repeats suppressed while changes
//! still go out, expiry, withdrawal, the end of the ack when the group resolves, the views,
//! the errors, and the ack surviving a crash.

mod common;

use alerting::ack::{AckError, GroupRef};
use alerting::{AlertFilter, ManualClock};
use common::*;

const CONFIG: &str = r#"
global:
  resolve_timeout: 1d
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
receivers:
  - name: team
    webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]
"#;

fn disk() -> GroupRef {
    GroupRef::Labels { receiver: "team".into(), labels: ls("alertname=Disk") }
}

/// A firing `Disk` group notified at the returned time.
async fn notified(dir: &std::path::Path) -> (Env, i64) {
    let t0 = monday_noon();
    let e = start(CONFIG, dir, &ManualClock::new(t0));
    e.post("alertname=Disk, i=1", None, None);
    let t = t0 + 30 * S;
    assert_eq!(summary(&e.flush_at(t).await), vec!["team/webhook: Disk#1 | "]);
    (e, t)
}

/// Flushes every group interval from `from` (exclusive) to `to` (inclusive); returns the
/// minutes after `base` at which something was sent.
async fn sends_between(e: &Env, base: i64, from: i64, to: i64) -> Vec<i64> {
    let mut t = from;
    let mut at = Vec::new();
    while t + 5 * M <= to {
        t += 5 * M;
        if !e.flush_at(t).await.is_empty() {
            at.push((t - base) / M);
        }
    }
    at
}

#[tokio::test]
async fn repeats_are_suppressed_but_changes_still_notify() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = notified(dir.path()).await;
    // Unacknowledged, the hourly repeat goes out.
    assert_eq!(sends_between(&e, t, t, t + 65 * M).await, vec![65]);
    e.clock.set(t + 66 * M);
    let view = e.am.acknowledge(disk(), "alice".into(), "replacing the disk".into(), None).unwrap();
    assert_eq!((view.by.as_str(), view.comment.as_str(), view.at), ("alice", "replacing the disk", t + 66 * M));
    assert_eq!(view.group_key, r#"{}:{alertname="Disk"}"#);
    assert_eq!(view.expires_at, None);
    assert!(sends_between(&e, t, t + 65 * M, t + 4 * H).await.is_empty(), "no repeats while acknowledged");

    // The API shows the ack on the group and on its alerts.
    let g = &e.am.groups(&AlertFilter::default())[0];
    assert_eq!(g.ack.as_ref().map(|a| a.by.as_str()), Some("alice"));
    assert_eq!(e.am.alerts(&AlertFilter::default())[0].acks, vec![view.clone()]);
    assert_eq!(e.am.acks(), vec![view.clone()]);

    // A new alert joins: that change is notified; the ack stays.
    e.clock.set(t + 4 * H + M);
    e.post("alertname=Disk, i=2", None, None);
    assert_eq!(summary(&e.flush_at(t + 4 * H + 5 * M).await), vec!["team/webhook: Disk#1,Disk#2 | "]);
    assert!(e.am.groups(&AlertFilter::default())[0].ack.is_some());
    assert!(sends_between(&e, t, t + 4 * H + 5 * M, t + 7 * H).await.is_empty());

    // Withdrawn: repeats resume (the last notification is long past the repeat interval).
    e.clock.set(t + 7 * H + M);
    let gone = e.am.unacknowledge(disk()).unwrap();
    assert_eq!(gone.by, "alice");
    assert!(matches!(e.am.unacknowledge(disk()), Err(AckError::NotFound)));
    assert_eq!(summary(&e.flush_at(t + 7 * H + 5 * M).await), vec!["team/webhook: Disk#1,Disk#2 | "]);
    assert!(e.am.groups(&AlertFilter::default())[0].ack.is_none());
}

#[tokio::test]
async fn an_ack_expires_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = notified(dir.path()).await;
    e.clock.set(t + M);
    let key = r#"{}:{alertname="Disk"}"#.to_string();
    e.am.acknowledge(GroupRef::Key(key), "bob".into(), String::new(), Some(t + 2 * H + 2 * M)).unwrap();
    assert!(sends_between(&e, t, t, t + 2 * H).await.is_empty());
    assert!(e.am.groups(&AlertFilter::default())[0].ack.is_some());
    // Lapsed at 2h02m: the next group interval repeats (the last send was 2h ago).
    assert_eq!(sends_between(&e, t, t + 2 * H, t + 2 * H + 5 * M).await, vec![125]);
    assert!(e.am.groups(&AlertFilter::default())[0].ack.is_none());
    assert!(e.am.acks().is_empty());
    // Then hourly again (a repeat needs more than the interval to have passed: 3h10m).
    assert_eq!(sends_between(&e, t, t + 2 * H + 5 * M, t + 3 * H + 10 * M).await, vec![190]);
}

#[tokio::test]
async fn an_ack_ends_when_the_group_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = notified(dir.path()).await;
    e.clock.set(t + M);
    e.am.acknowledge(disk(), "carol".into(), "on it".into(), None).unwrap();
    e.clock.set(t + 2 * M);
    e.post("alertname=Disk, i=1", Some(t - 30 * S), Some(t + 2 * M));
    assert_eq!(summary(&e.flush_at(t + 5 * M).await), vec!["team/webhook:  | Disk#1"]);
    assert!(e.am.acks().is_empty(), "the resolved notification ended the ack");
    e.am.maintain();
    // The next incident of the same group starts unacknowledged: notified, then repeated.
    e.clock.set(t + 10 * M);
    e.post("alertname=Disk, i=1", None, None);
    assert_eq!(summary(&e.flush_at(t + 10 * M + 30 * S).await), vec!["team/webhook: Disk#1 | "]);
    assert!(e.am.groups(&AlertFilter::default())[0].ack.is_none());
    assert_eq!(sends_between(&e, t + 30 * S, t + 10 * M + 30 * S, t + 80 * M + 30 * S).await, vec![75]);
}

#[tokio::test]
async fn the_notification_log_outlives_a_long_ack() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = notified(dir.path()).await;
    e.am.acknowledge(disk(), "dave".into(), String::new(), None).unwrap();
    // Far beyond twice the repeat interval, with garbage collection running: still silent
    // (a collected log entry would look like a first notification).
    for h in 1..=10 {
        e.clock.set(t + h * H);
        e.am.maintain();
        assert!(e.flush_at(t + h * H).await.is_empty(), "sent at {h}h");
    }
}

#[tokio::test]
async fn an_ack_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let t;
    {
        let (e, first) = notified(dir.path()).await;
        t = first;
        e.clock.set(t + M);
        e.am.acknowledge(disk(), "erin".into(), "rebuilding".into(), Some(t + 10 * H)).unwrap();
        // kill -9: no shutdown, no persist.
    }
    let e = start(CONFIG, dir.path(), &ManualClock::new(t + 2 * H));
    let acks = e.am.acks();
    assert_eq!(acks.len(), 1);
    assert_eq!((acks[0].by.as_str(), acks[0].comment.as_str()), ("erin", "rebuilding"));
    assert_eq!((acks[0].at, acks[0].expires_at), (t + M, Some(t + 10 * H)));
    assert!(e.flush_at(t + 2 * H).await.is_empty(), "still acknowledged: the overdue repeat stays quiet");
    assert!(e.am.groups(&AlertFilter::default())[0].ack.is_some());
}

#[tokio::test]
async fn errors_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = notified(dir.path()).await;
    let nope = GroupRef::Labels { receiver: "team".into(), labels: ls("alertname=Nope") };
    assert!(matches!(e.am.acknowledge(nope, "a".into(), String::new(), None), Err(AckError::NotFound)));
    assert!(matches!(
        e.am.acknowledge(GroupRef::Key("{}:{}".into()), "a".into(), String::new(), None),
        Err(AckError::NotFound)
    ));
    let wrong_receiver = GroupRef::Labels { receiver: "other".into(), labels: ls("alertname=Disk") };
    assert!(matches!(e.am.acknowledge(wrong_receiver, "a".into(), String::new(), None), Err(AckError::NotFound)));
    assert!(matches!(e.am.acknowledge(disk(), "  ".into(), String::new(), None), Err(AckError::Invalid(_))));
    let past = e.am.acknowledge(disk(), "a".into(), String::new(), Some(t - 1));
    assert!(matches!(past, Err(AckError::Invalid(m)) if m.contains("future")));
    // A group left with only resolved alerts has nothing to acknowledge.
    e.clock.set(t + M);
    e.post("alertname=Disk, i=1", Some(t - 30 * S), Some(t + M));
    let resolved = e.am.acknowledge(disk(), "a".into(), String::new(), None);
    assert!(matches!(resolved, Err(AckError::Invalid(m)) if m.contains("no firing alerts")));
    assert!(e.am.acks().is_empty());
}
