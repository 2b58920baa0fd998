//! Escalation policies on a hand-moved clock, with seed 002's ladder (on-call now, team lead
//! after 15 minutes, engineering manager after 30, CTO after an hour, while unacknowledged):
//! level timings, acknowledgement stopping and resuming it, resolved notifications to everyone
//! escalated to, failed levels retried without repeats, and restarts in the middle that neither
//! repeat nor skip a level.

mod common;

use alerting::ack::GroupRef;
use alerting::{AlertFilter, ManualClock};
use common::*;

fn seed002() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vigil-escalation-seed002.yml");
    std::fs::read_to_string(p).unwrap()
}

const CRIT: &str = "alertname=ApiDown, service=api, severity=critical";

fn group() -> GroupRef {
    GroupRef::Labels { receiver: "on-call".into(), labels: ls("alertname=ApiDown, service=api") }
}

/// Starts seed 002's config with a critical alert posted at `t0`; returns the time of the
/// first notification (the incident's start).
async fn firing(dir: &std::path::Path, t0: i64) -> (Env, i64) {
    let e = start(&seed002(), dir, &ManualClock::new(t0));
    e.post(CRIT, None, None);
    let first = t0 + 30 * S;
    assert_eq!(summary(&e.flush_at(first).await), vec!["on-call/pagerduty: ApiDown | "]);
    (e, first)
}

#[tokio::test]
async fn seed_002_ladder_goes_out_on_time_and_each_level_once() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = firing(dir.path(), monday_noon()).await;
    // The first level is woken for on time, between regular flushes (every 10 minutes).
    assert_eq!(e.am.next_flush_at(), Some(t + 10 * M));
    assert!(e.flush_at(t + 10 * M).await.is_empty());
    assert_eq!(e.am.next_flush_at(), Some(t + 15 * M));
    assert!(e.flush_at(t + 15 * M - 1).await.is_empty());
    let n = e.flush_at(t + 15 * M).await;
    assert_eq!(summary(&n), vec!["team-lead/webhook: ApiDown | "]);
    assert_eq!(n[0].group_key, r#"{}/{severity="critical"}:{alertname="ApiDown", service="api"}"#);
    assert_eq!(n[0].status, "firing");
    assert!(e.flush_at(t + 20 * M).await.is_empty(), "regular flush: nothing new, no repeat of the level");
    assert!(e.flush_at(t + 29 * M).await.is_empty());
    assert_eq!(summary(&e.flush_at(t + 30 * M).await), vec!["engineering-manager/slack: ApiDown | "]);
    assert!(e.flush_at(t + 59 * M).await.is_empty());
    assert_eq!(summary(&e.flush_at(t + 60 * M).await), vec!["cto/webhook: ApiDown | "]);
    let mut later = t + 60 * M;
    while later < t + 3 * H {
        later += 10 * M;
        assert!(e.flush_at(later).await.is_empty(), "nothing more at {}", (later - t) / M);
    }

    // The API shows the ladder.
    let g = &e.am.groups(&AlertFilter::default())[0];
    let esc = g.escalation.as_ref().unwrap();
    assert_eq!(esc.policy, "critical-ladder");
    assert_eq!(esc.started_at, t);
    let levels: Vec<(usize, &str, i64, Option<i64>)> =
        esc.levels.iter().map(|l| (l.level, l.receiver.as_str(), l.due_at - t, l.notified_at.map(|n| n - t))).collect();
    assert_eq!(
        levels,
        vec![
            (1, "team-lead", 15 * M, Some(15 * M)),
            (2, "engineering-manager", 30 * M, Some(30 * M)),
            (3, "cto", 60 * M, Some(60 * M)),
        ]
    );

    // Resolution: on-call and everyone escalated to whose integration sends resolved
    // notifications (the manager's Slack and the CTO's webhook do not).
    e.clock.set(t + 3 * H + M);
    e.post(CRIT, Some(monday_noon()), Some(t + 3 * H + M));
    let n = e.flush_at(t + 3 * H + 10 * M).await;
    assert_eq!(summary(&n), vec!["on-call/pagerduty:  | ApiDown", "team-lead/webhook:  | ApiDown"]);
    assert!(n.iter().all(|n| n.status == "resolved"));
    assert!(e.flush_at(t + 3 * H + 20 * M).await.is_empty());

    // The incident is over: the next firing starts at level 0 again.
    e.am.maintain();
    e.clock.set(t + 4 * H);
    e.post(CRIT, None, None);
    let t2 = t + 4 * H + 30 * S;
    assert_eq!(summary(&e.flush_at(t2).await), vec!["on-call/pagerduty: ApiDown | "]);
    assert!(e.flush_at(t2 + 14 * M).await.is_empty());
    assert_eq!(summary(&e.flush_at(t2 + 15 * M).await), vec!["team-lead/webhook: ApiDown | "]);
}

#[tokio::test]
async fn only_covered_groups_escalate() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = monday_noon();
    let e = start(&seed002(), dir.path(), &ManualClock::new(t0));
    e.post("alertname=Slow, service=api, severity=warning", None, None);
    assert_eq!(summary(&e.flush_at(t0 + 30 * S).await), vec!["default/webhook: Slow | "]);
    for m in [10, 20, 30, 40, 50, 60, 70] {
        assert!(e.flush_at(t0 + 30 * S + m * M).await.is_empty());
    }
    assert!(e.am.groups(&AlertFilter::default())[0].escalation.is_none());
}

#[tokio::test]
async fn acknowledgement_holds_the_ladder_and_its_end_releases_it() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = firing(dir.path(), monday_noon()).await;
    e.clock.set(t + 5 * M);
    e.am.acknowledge(group(), "alice".into(), "looking".into(), None).unwrap();
    assert_eq!(e.am.next_flush_at(), Some(t + 10 * M), "no wake-up for the held level");
    for m in [10, 15, 20, 30, 40] {
        assert!(e.flush_at(t + m * M).await.is_empty(), "acknowledged: nothing at {m}m");
    }
    // Withdrawn at 45m: the two levels whose time has come go out at once, in one wake-up.
    e.clock.set(t + 45 * M);
    e.am.unacknowledge(group()).unwrap();
    assert_eq!(e.am.next_flush_at(), Some(t + 15 * M), "overdue: due at once");
    assert_eq!(
        summary(&e.flush_at(t + 45 * M).await),
        vec!["engineering-manager/slack: ApiDown | ", "team-lead/webhook: ApiDown | "]
    );
    // Acknowledged again until 1h15m: the CTO level (due at 1h) waits for the ack to lapse.
    e.am.acknowledge(group(), "bob".into(), String::new(), Some(t + 75 * M)).unwrap();
    assert_eq!(e.am.next_flush_at(), Some(t + 50 * M));
    assert!(e.flush_at(t + 50 * M).await.is_empty());
    assert!(e.flush_at(t + 60 * M).await.is_empty());
    assert_eq!(e.am.next_flush_at(), Some(t + 70 * M));
    assert!(e.flush_at(t + 70 * M).await.is_empty());
    assert_eq!(e.am.next_flush_at(), Some(t + 75 * M), "woken when the ack lapses");
    assert_eq!(summary(&e.flush_at(t + 75 * M).await), vec!["cto/webhook: ApiDown | "]);
}

#[tokio::test]
async fn silenced_groups_do_not_escalate_until_the_silence_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (e, t) = firing(dir.path(), monday_noon()).await;
    e.clock.set(t + M);
    let id =
        e.am.add_silence(alerting::PostableSilence {
            id: None,
            matchers: alerting::parse_matchers("alertname=ApiDown").unwrap(),
            starts_at: t + M,
            ends_at: t + 2 * H,
            created_by: "ops".into(),
            comment: "known".into(),
        })
        .unwrap();
    assert!(e.flush_at(t + 15 * M).await.is_empty());
    assert!(e.flush_at(t + 20 * M).await.is_empty());
    e.clock.set(t + 22 * M);
    e.am.expire_silence(&id).unwrap();
    // The next regular flush catches up with the level that fell due meanwhile.
    assert_eq!(
        summary(&e.flush_at(t + 30 * M).await),
        vec!["engineering-manager/slack: ApiDown | ", "team-lead/webhook: ApiDown | "]
    );
}

#[tokio::test]
async fn a_failed_level_is_retried_without_repeating_what_got_through() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed002().replace(
        "      - url: 'http://127.0.0.1:1/team-lead'\n",
        "      - url: 'http://127.0.0.1:1/team-lead'\n    slack_configs:\n      - api_url: 'http://127.0.0.1:1/lead-slack'\n        channel: '#lead'\n",
    );
    let t0 = monday_noon();
    let e = start(&yaml, dir.path(), &ManualClock::new(t0));
    e.post(CRIT, None, None);
    let t = t0 + 30 * S;
    assert_eq!(e.flush_at(t).await.len(), 1);
    e.rec.fail("team-lead", "slack", true);
    assert!(e.flush_at(t + 10 * M).await.is_empty());
    assert_eq!(summary(&e.flush_at(t + 15 * M).await), vec!["team-lead/webhook: ApiDown | "]);
    e.rec.fail("team-lead", "slack", false);
    assert_eq!(e.am.next_flush_at(), Some(t + 20 * M), "not woken again for it: the regular flush retries");
    assert_eq!(summary(&e.flush_at(t + 20 * M).await), vec!["team-lead/slack: ApiDown | "]);
    assert_eq!(
        summary(&e.flush_at(t + 30 * M).await),
        vec!["engineering-manager/slack: ApiDown | "],
        "the team lead's webhook is not repeated"
    );
}

#[tokio::test]
async fn a_restart_in_the_middle_neither_repeats_nor_skips_a_level() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = monday_noon();
    let t = t0 + 30 * S;
    {
        let (e, _) = firing(dir.path(), t0).await;
        assert_eq!(summary(&e.flush_at(t + 15 * M).await), vec!["team-lead/webhook: ApiDown | "]);
        // kill -9: dropped without shutdown.
    }
    {
        let e = start(&seed002(), dir.path(), &ManualClock::new(t + 20 * M));
        assert!(e.flush_at(t + 20 * M).await.is_empty(), "nothing repeated after the restart");
        assert_eq!(e.am.next_flush_at(), Some(t + 30 * M), "the ladder's clock survived");
        assert!(e.flush_at(t + 29 * M).await.is_empty());
        // Crash again before the manager's level, and stay down past it and the CTO's.
    }
    let e = start(&seed002(), dir.path(), &ManualClock::new(t + 70 * M));
    assert_eq!(
        summary(&e.flush_at(t + 70 * M).await),
        vec!["cto/webhook: ApiDown | ", "engineering-manager/slack: ApiDown | "],
        "levels that fell due while down go out at once, none skipped"
    );
    assert!(e.flush_at(t + 80 * M).await.is_empty());
    drop(e);
    let e = start(&seed002(), dir.path(), &ManualClock::new(t + 90 * M));
    assert!(e.flush_at(t + 90 * M).await.is_empty());
    let v = e.am.groups(&AlertFilter::default())[0].escalation.clone().unwrap();
    assert!(v.levels.iter().all(|l| l.notified_at.is_some()));
}

#[tokio::test]
async fn a_resolution_pending_at_a_crash_still_reaches_the_escalated_receivers() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = monday_noon();
    let t = t0 + 30 * S;
    {
        let (e, _) = firing(dir.path(), t0).await;
        assert!(e.flush_at(t + 10 * M).await.is_empty());
        assert_eq!(e.flush_at(t + 15 * M).await.len(), 1);
        e.clock.set(t + 16 * M);
        e.post(CRIT, Some(t0), Some(t + 16 * M));
        e.rec.fail("team-lead", "webhook", true);
        let n = e.flush_at(t + 20 * M).await;
        assert_eq!(summary(&n), vec!["on-call/pagerduty:  | ApiDown"]);
        // Crash with the team lead's resolution undelivered.
    }
    let e = start(&seed002(), dir.path(), &ManualClock::new(t + 21 * M));
    assert_eq!(summary(&e.flush_at(t + 21 * M).await), vec!["team-lead/webhook:  | ApiDown"]);
    assert!(e.flush_at(t + 31 * M).await.is_empty());
}

#[test]
fn the_background_task_wakes_for_levels_on_the_wall_clock() {
    use std::sync::Arc;
    // Sub-second ladder, and a group interval too long to help: only wake-ups deliver levels.
    let yaml = seed002()
        .replace("group_wait: 30s", "group_wait: 0s")
        .replace("group_interval: 10m", "group_interval: 1h")
        .replace("after: 15m", "after: 300ms")
        .replace("after: 30m", "after: 600ms")
        .replace("after: 1h", "after: 900ms");
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let rec = Arc::new(Recorder::default());
    rt.block_on(async {
        let options = alerting::Options {
            persist_interval_ms: 200,
            clock: Arc::new(alerting::SystemClock),
            ..alerting::Options::default()
        };
        let am = alerting::Alertmanager::new(alerting::load_str(&yaml, "t.yml").unwrap(), dir.path(), options).unwrap();
        let _task = am.spawn(rec.clone());
        am.put_alerts(vec![alerting::PostableAlert { labels: ls(CRIT), ..Default::default() }]).unwrap();
        let mut waited = 0;
        while rec.sent.lock().unwrap().len() < 4 && waited < 60 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            waited += 1;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let sent: Vec<String> = rec.take().iter().map(|n| n.receiver.clone()).collect();
        assert_eq!(sent, vec!["on-call", "team-lead", "engineering-manager", "cto"], "in order, each once");
        am.shutdown().unwrap();
    });
}
