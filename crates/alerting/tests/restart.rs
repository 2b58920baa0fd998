//! Restarts and crashes: silences, alerts and the notification log survive with nothing but the
//! data directory carried over (no shutdown call — what `kill -9` leaves), so nothing already
//! sent is sent again and no resolution is lost.

mod common;

use std::sync::Arc;
use std::time::Duration;

use alerting::{
    AlertFilter, Alertmanager, ManualClock, Options, PostableSilence, SilenceState, SystemClock, parse_matchers,
};
use common::*;

const CONFIG: &str = r#"
global:
  resolve_timeout: 1d
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: team
    webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]
    slack_configs: [{api_url: 'http://127.0.0.1:1/slack', channel: '#x'}]
"#;

#[tokio::test]
async fn crash_keeps_silences_alerts_and_the_notification_log() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = monday_noon();
    let sil_id;
    {
        let e = start(CONFIG, dir.path(), &ManualClock::new(t0));
        e.post("alertname=A", None, None);
        e.post("alertname=B", None, None);
        sil_id =
            e.am.add_silence(PostableSilence {
                id: None,
                matchers: parse_matchers("alertname=B").unwrap(),
                starts_at: t0,
                ends_at: t0 + 2 * H,
                created_by: "ops".into(),
                comment: "known".into(),
            })
            .unwrap();
        assert_eq!(summary(&e.flush_at(t0 + 30 * S).await), vec!["team/slack: A | ", "team/webhook: A | "]);
        // Dropped without shutdown() or persist(): a crash.
    }
    let e = start(CONFIG, dir.path(), &ManualClock::new(t0 + 60 * S));
    let sil = e.am.silence(&sil_id).expect("silence survived");
    assert_eq!(sil.state, SilenceState::Active);
    assert_eq!(sil.comment, "known");
    let alerts = e.am.alerts(&AlertFilter::default());
    assert_eq!(alerts.len(), 2, "alerts survived");
    let b = alerts.iter().find(|a| a.labels["alertname"] == "B").unwrap();
    assert_eq!(b.silenced_by, vec![sil_id.clone()]);
    // Groups are rebuilt and flush at once (the alerts are older than group_wait), but the
    // notification log knows A was sent: nothing goes out again.
    assert!(e.flush_at(t0 + 60 * S).await.is_empty());
    assert!(e.flush_at(t0 + 360 * S).await.is_empty());
    // The resolution is sent exactly once.
    e.clock.set(t0 + 400 * S);
    e.post("alertname=A", Some(t0), Some(t0 + 400 * S));
    assert_eq!(summary(&e.flush_at(t0 + 660 * S).await), vec!["team/webhook:  | A"]);
    assert!(e.flush_at(t0 + 960 * S).await.is_empty());
}

#[tokio::test]
async fn a_resolution_pending_at_the_crash_is_sent_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = monday_noon();
    {
        let e = start(CONFIG, dir.path(), &ManualClock::new(t0));
        e.post("alertname=A", None, None);
        assert_eq!(e.flush_at(t0 + 30 * S).await.len(), 2);
        e.clock.set(t0 + 60 * S);
        e.post("alertname=A", Some(t0), Some(t0 + 60 * S));
        // Crash before the group interval came round.
    }
    let e = start(CONFIG, dir.path(), &ManualClock::new(t0 + 120 * S));
    assert_eq!(summary(&e.flush_at(t0 + 120 * S).await), vec!["team/webhook:  | A"]);
    assert!(e.flush_at(t0 + 420 * S).await.is_empty());
    // Another restart after the resolution went out: still nothing more.
    drop(e);
    let e = start(CONFIG, dir.path(), &ManualClock::new(t0 + 500 * S));
    assert!(e.flush_at(t0 + 500 * S).await.is_empty());
    // And collection eventually forgets the resolved alert.
    e.clock.set(t0 + 2 * H);
    e.am.maintain();
    assert!(e.am.stored_alerts().is_empty());
}

#[tokio::test]
async fn damaged_snapshots_are_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("alerts.json"), b"{\"version\":1,\"alerts\":[").unwrap();
    std::fs::write(dir.path().join("silences.json"), b"garbage").unwrap();
    let e = start(CONFIG, dir.path(), &ManualClock::new(monday_noon()));
    assert!(e.am.alerts(&AlertFilter::default()).is_empty());
    assert!(dir.path().join("alerts.json.corrupt").exists());
    assert!(dir.path().join("silences.json.corrupt").exists());
    e.post("alertname=New", None, None);
    assert!(dir.path().join("alerts.json").exists());
}

#[test]
fn background_task_sends_and_persists_on_the_wall_clock() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fast = CONFIG.replace("group_wait: 30s", "group_wait: 0s").replace("group_interval: 5m", "group_interval: 1s");
    let options = || Options { persist_interval_ms: 200, clock: Arc::new(SystemClock), ..Options::default() };
    let rec = Arc::new(Recorder::default());
    rt.block_on(async {
        let am = Alertmanager::new(alerting::load_str(&fast, "t.yml").unwrap(), dir.path(), options()).unwrap();
        let _task = am.spawn(rec.clone());
        am.put_alerts(vec![alerting::PostableAlert { labels: ls("alertname=Live"), ..Default::default() }]).unwrap();
        let mut waited = 0;
        while rec.sent.lock().unwrap().len() < 2 && waited < 50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += 1;
        }
        assert_eq!(summary(&rec.take()), vec!["team/slack: Live | ", "team/webhook: Live | "]);
        // Within the persist interval both snapshots reach the disk without any shutdown.
        let mut waited = 0;
        while !(dir.path().join("nflog.json").exists() && dir.path().join("alerts.json").exists()) && waited < 30 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += 1;
        }
        assert!(dir.path().join("nflog.json").exists());
    });
    drop(rt);
    // A new process on the same directory sends nothing new.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let am = Alertmanager::new(alerting::load_str(&fast, "t.yml").unwrap(), dir.path(), options()).unwrap();
        assert_eq!(am.alerts(&AlertFilter::default()).len(), 1);
        let _task = am.spawn(rec.clone());
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(rec.take().is_empty(), "no duplicate after restart");
        am.shutdown().unwrap();
    });
}
