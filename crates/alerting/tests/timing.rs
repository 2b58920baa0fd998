//! Group timing with a controllable clock: group_wait, group_interval, repeat_interval,
//! resolved notifications and send_resolved, failures and retries, silences, inhibition and
//! time intervals, as Alertmanager 0.25 behaves.

mod common;

use alerting::{AlertFilter, AlertState, ManualClock, PostableSilence, parse_matchers};
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
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
    - matchers: ['maint="yes"']
      receiver: team
      mute_time_intervals: [weekends]
    - matchers: ['office="yes"']
      receiver: team
      active_time_intervals: [office-hours]
receivers:
  - name: team
    webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]
    slack_configs: [{api_url: 'http://127.0.0.1:1/slack', channel: '#x'}]
  - name: pager
    webhook_configs: [{url: 'http://127.0.0.1:1/pager'}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [service]
time_intervals:
  - name: weekends
    time_intervals: [{weekdays: ['saturday', 'sunday']}]
  - name: office-hours
    time_intervals: [{weekdays: ['monday:friday'], times: [{start_time: '09:00', end_time: '17:00'}]}]
"#;

fn env() -> (Env, tempfile::TempDir, i64) {
    let dir = tempfile::tempdir().unwrap();
    let t0 = monday_noon();
    let e = start(CONFIG, dir.path(), &ManualClock::new(t0));
    (e, dir, t0)
}

#[tokio::test]
async fn group_wait_group_interval_and_repeat_interval() {
    let (e, _dir, t0) = env();
    e.post("alertname=Disk, i=1", None, None);
    assert!(e.flush_at(t0 + 29 * S).await.is_empty(), "still in group_wait");
    let n = e.flush_at(t0 + 30 * S).await;
    assert_eq!(summary(&n), vec!["team/slack: Disk#1 | ", "team/webhook: Disk#1 | "]);
    let w = n.iter().find(|n| n.integration.as_str() == "webhook").unwrap();
    assert_eq!(w.group_key, r#"{}:{alertname="Disk"}"#);
    assert_eq!(w.status, "firing");
    assert_eq!(w.group_labels, ls("alertname=Disk"));
    assert_eq!(w.common_labels, ls("alertname=Disk, i=1"));
    assert_eq!(w.external_url, "http://vigil.example:9093");
    assert_eq!(w.alerts[0].ends_at, None, "firing alerts carry Go's zero end time");
    assert_eq!(w.alerts[0].starts_at, t0);
    assert_eq!(w.alerts[0].fingerprint.len(), 16);

    // A second alert joins: nothing until the group interval, then both.
    e.clock.set(t0 + 60 * S);
    e.post("alertname=Disk, i=2", None, None);
    assert!(e.flush_at(t0 + 60 * S).await.is_empty());
    assert!(e.flush_at(t0 + 329 * S).await.is_empty());
    let n = e.flush_at(t0 + 330 * S).await;
    assert_eq!(summary(&n), vec!["team/slack: Disk#1,Disk#2 | ", "team/webhook: Disk#1,Disk#2 | "]);
    assert_eq!(n[0].common_labels, ls("alertname=Disk"));

    // Unchanged firing set: silent at every group interval until repeat_interval has passed.
    let mut t = t0 + 330 * S;
    let mut repeats = 0;
    while t < t0 + 330 * S + 4 * H + 5 * M {
        t += 5 * M;
        // Keep the alerts firing as Prometheus would by re-posting them.
        e.clock.set(t);
        e.post("alertname=Disk, i=1", Some(t0), None);
        e.post("alertname=Disk, i=2", Some(t0 + 60 * S), None);
        let n = e.flush_at(t).await;
        if !n.is_empty() {
            repeats += 1;
            assert_eq!(summary(&n), vec!["team/slack: Disk#1,Disk#2 | ", "team/webhook: Disk#1,Disk#2 | "]);
            assert!(t - (t0 + 330 * S) > 4 * H, "repeated after {} ms", t - (t0 + 330 * S));
        }
    }
    assert_eq!(repeats, 1);
}

#[tokio::test]
async fn resolved_alerts_are_sent_once_where_send_resolved() {
    let (e, _dir, t0) = env();
    e.post("alertname=Load, i=1", None, None);
    e.post("alertname=Load, i=2", None, None);
    assert_eq!(e.flush_at(t0 + 30 * S).await.len(), 2);
    // One resolves: the webhook (send_resolved: true) reports it, Slack (false) stays quiet.
    e.clock.set(t0 + 60 * S);
    e.post("alertname=Load, i=2", Some(t0), Some(t0 + 60 * S));
    let n = e.flush_at(t0 + 330 * S).await;
    assert_eq!(summary(&n), vec!["team/webhook: Load#1 | Load#2"]);
    let w = &n[0];
    assert_eq!(w.status, "firing");
    let resolved = w.alerts.iter().find(|a| a.status == "resolved").unwrap();
    assert_eq!(resolved.ends_at, Some(t0 + 60 * S));
    // Not again.
    assert!(e.flush_at(t0 + 630 * S).await.is_empty());
    // All resolved: both integrations are told (Slack stays quiet about resolved alerts but the
    // state is logged so it does not repeat).
    e.clock.set(t0 + 700 * S);
    e.post("alertname=Load, i=1", Some(t0), Some(t0 + 700 * S));
    let n = e.flush_at(t0 + 930 * S).await;
    assert_eq!(summary(&n), vec!["team/webhook:  | Load#1"]);
    assert_eq!(n[0].status, "resolved");
    assert!(e.flush_at(t0 + 1230 * S).await.is_empty());
    assert_eq!(e.am.group_count(), 1);
    e.am.maintain();
    assert_eq!(e.am.group_count(), 0, "the emptied group is dropped");
    assert!(e.flush_at(t0 + 5 * H).await.is_empty());
}

#[tokio::test]
async fn alerts_time_out_after_resolve_timeout() {
    let (e, _dir, t0) = env();
    e.post("alertname=Flap", None, None);
    assert_eq!(e.flush_at(t0 + 30 * S).await.len(), 2);
    assert!(e.flush_at(t0 + 330 * S).await.is_empty());
    // Never re-posted: resolves at its last update + resolve_timeout (1d here).
    let n = e.flush_at(t0 + 24 * H + 5 * M).await;
    assert_eq!(summary(&n), vec!["team/webhook:  | Flap"]);
    assert_eq!(n[0].alerts[0].ends_at, Some(t0 + 24 * H));
}

#[tokio::test]
async fn failed_integrations_retry_without_duplicating_the_others() {
    let (e, _dir, t0) = env();
    e.rec.fail("team", "slack", true);
    e.post("alertname=Net", None, None);
    assert_eq!(summary(&e.flush_at(t0 + 30 * S).await), vec!["team/webhook: Net | "]);
    e.rec.fail("team", "slack", false);
    // Next interval: only Slack, which failed, is sent again.
    assert_eq!(summary(&e.flush_at(t0 + 330 * S).await), vec!["team/slack: Net | "]);
    assert!(e.flush_at(t0 + 630 * S).await.is_empty());
    // A resolved alert whose notification fails stays in the group until it is delivered.
    e.clock.set(t0 + 700 * S);
    e.post("alertname=Net", Some(t0), Some(t0 + 700 * S));
    e.rec.fail("team", "webhook", true);
    assert!(e.flush_at(t0 + 930 * S).await.is_empty());
    e.am.maintain();
    assert_eq!(e.am.group_count(), 1);
    e.rec.fail("team", "webhook", false);
    assert_eq!(summary(&e.flush_at(t0 + 1230 * S).await), vec!["team/webhook:  | Net"]);
    assert!(e.flush_at(t0 + 1530 * S).await.is_empty());
}

#[tokio::test]
async fn groups_do_not_wait_for_old_alerts() {
    let (e, _dir, t0) = env();
    e.post("alertname=Old", Some(t0 - 10 * M), None);
    assert_eq!(e.flush_at(t0).await.len(), 2, "started 10m ago: no group_wait");
}

#[tokio::test]
async fn silences_mute_and_expiry_unmutes() {
    let (e, _dir, t0) = env();
    let id =
        e.am.add_silence(PostableSilence {
            id: None,
            matchers: parse_matchers("alertname=Cpu").unwrap(),
            starts_at: t0,
            ends_at: t0 + H,
            created_by: "ops".into(),
            comment: "deploy".into(),
        })
        .unwrap();
    e.post("alertname=Cpu", None, None);
    e.post("alertname=Mem", None, None);
    let n = e.flush_at(t0 + 30 * S).await;
    assert_eq!(summary(&n), vec!["team/slack: Mem | ", "team/webhook: Mem | "]);
    let views = e.am.alerts(&AlertFilter::default());
    let cpu = views.iter().find(|v| v.labels["alertname"] == "Cpu").unwrap();
    assert_eq!(cpu.state, AlertState::Suppressed);
    assert_eq!(cpu.silenced_by, vec![id.clone()]);
    assert_eq!(cpu.receivers, vec!["team"]);
    let filter = AlertFilter { silenced: false, ..AlertFilter::default() };
    assert_eq!(e.am.alerts(&filter).len(), 1);
    e.am.expire_silence(&id).unwrap();
    e.clock.set(t0 + 31 * S);
    e.post("alertname=Cpu", Some(t0), None);
    let n = e.flush_at(t0 + 330 * S).await;
    assert_eq!(summary(&n), vec!["team/slack: Cpu | ", "team/webhook: Cpu | "]);
    let s = e.am.silence(&id).unwrap();
    assert_eq!(s.state, alerting::SilenceState::Expired);
}

#[tokio::test]
async fn inhibition_mutes_warnings_while_the_critical_fires() {
    let (e, _dir, t0) = env();
    e.post("alertname=Api, service=api, severity=critical", None, None);
    e.post("alertname=Latency, service=api, severity=warning", None, None);
    e.post("alertname=Latency2, service=db, severity=warning", None, None);
    let n = e.flush_at(t0 + 30 * S).await;
    assert_eq!(summary(&n), vec!["pager/webhook: Api | ", "team/slack: Latency2 | ", "team/webhook: Latency2 | "]);
    let views = e.am.alerts(&AlertFilter::default());
    let lat = views.iter().find(|v| v.labels["alertname"] == "Latency").unwrap();
    assert_eq!(lat.state, AlertState::Suppressed);
    let crit = views.iter().find(|v| v.labels["alertname"] == "Api").unwrap();
    assert_eq!(lat.inhibited_by, vec![crit.fingerprint.clone()]);
    // The critical resolves: the warning is no longer inhibited and goes out.
    e.clock.set(t0 + 60 * S);
    e.post("alertname=Api, service=api, severity=critical", Some(t0), Some(t0 + 60 * S));
    e.post("alertname=Latency, service=api, severity=warning", Some(t0), None);
    let n = e.flush_at(t0 + 330 * S).await;
    assert!(summary(&n).contains(&"team/webhook: Latency | ".to_string()), "{:?}", summary(&n));
    assert!(summary(&n).contains(&"pager/webhook:  | Api".to_string()), "{:?}", summary(&n));
}

#[tokio::test]
async fn mute_and_active_time_intervals() {
    let dir = tempfile::tempdir().unwrap();
    // Saturday 2024-05-11 12:00 UTC.
    let sat = alerting::civil::days_from_civil(2024, 5, 11) * 86_400_000 + 12 * H;
    let e = start(CONFIG, dir.path(), &ManualClock::new(sat));
    e.post("alertname=Maint, maint=yes", None, None);
    e.post("alertname=Office, office=yes", None, None);
    assert!(e.flush_at(sat + 30 * S).await.is_empty(), "weekend: muted and outside office hours");
    // Monday 09:00: both go out (the firing set was never notified).
    let mon = sat + 2 * 24 * H - 3 * H;
    e.post("alertname=Maint, maint=yes", Some(sat), Some(mon + H));
    e.post("alertname=Office, office=yes", Some(sat), Some(mon + H));
    let n = e.flush_at(mon).await;
    assert_eq!(
        summary(&n),
        vec!["team/slack: Maint | ", "team/slack: Office | ", "team/webhook: Maint | ", "team/webhook: Office | "]
    );
}

#[tokio::test]
async fn api_views_groups_receivers_and_validation() {
    let (e, _dir, t0) = env();
    let err =
        e.am.put_alerts(vec![
            alerting::PostableAlert { labels: ls("alertname=Good"), ..Default::default() },
            alerting::PostableAlert::default(),
            alerting::PostableAlert {
                labels: ls("alertname=Bad"),
                starts_at: Some(t0),
                ends_at: Some(t0 - 1),
                ..Default::default()
            },
        ])
        .unwrap_err();
    assert_eq!(err.0.len(), 2);
    assert_eq!(err.0[0], alerting::InvalidAlert::NoLabels);
    assert!(matches!(err.0[1], alerting::InvalidAlert::EndBeforeStart { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("at least one label pair") && text.contains("; start time must be before end time"),
        "{text}"
    );
    e.post("alertname=Api, severity=critical", None, None);
    assert_eq!(e.am.alerts(&AlertFilter::default()).len(), 2, "the valid alert was stored");
    let groups = e.am.groups(&AlertFilter::default());
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].labels, ls("alertname=Api"));
    assert_eq!(groups[0].receiver, "pager");
    assert_eq!(groups[1].receiver, "team");
    let only_pager = AlertFilter::default().with_receiver("pag.*").unwrap();
    assert_eq!(e.am.groups(&only_pager).len(), 1);
    assert_eq!(e.am.alerts(&only_pager).len(), 1);
    assert!(AlertFilter::default().with_receiver("(").is_err());
    assert_eq!(e.am.alerts(&AlertFilter::default().with_receiver("pag").unwrap()).len(), 0, "anchored");
    let by_label = AlertFilter { matchers: parse_matchers("severity=critical").unwrap(), ..AlertFilter::default() };
    assert_eq!(e.am.alerts(&by_label).len(), 1);
    assert_eq!(e.am.receivers(), vec!["team", "pager"]);
    assert!(e.am.status().config_original.contains("group_wait: 30s"));
    assert_eq!(e.am.test_routes(&ls("severity=critical")), vec!["pager"]);
    // Resolved alerts are not listed.
    e.clock.set(t0 + 10 * S);
    e.post("alertname=Good", Some(t0), Some(t0 + 5 * S));
    assert_eq!(e.am.alerts(&AlertFilter::default()).len(), 1);
    // Silences: API checks, order and filters.
    let bad = PostableSilence {
        id: None,
        matchers: parse_matchers("a=b").unwrap(),
        starts_at: t0,
        ends_at: t0,
        created_by: String::new(),
        comment: String::new(),
    };
    assert!(e.am.add_silence(bad.clone()).unwrap_err().to_string().contains("start time must be before end time"));
    let past = PostableSilence { starts_at: t0 - 2 * H, ends_at: t0 - H, ..bad.clone() };
    assert!(e.am.add_silence(past).unwrap_err().to_string().contains("end time can't be in the past"));
    let a = e.am.add_silence(PostableSilence { ends_at: t0 + 2 * H, ..bad.clone() }).unwrap();
    let b =
        e.am.add_silence(PostableSilence { ends_at: t0 + H, matchers: parse_matchers("c=d").unwrap(), ..bad.clone() })
            .unwrap();
    let p = e.am.add_silence(PostableSilence { starts_at: t0 + H, ends_at: t0 + 3 * H, ..bad.clone() }).unwrap();
    let order: Vec<String> = e.am.silences(&[]).into_iter().map(|s| s.id).collect();
    assert_eq!(order, vec![b.clone(), a.clone(), p.clone()]);
    assert_eq!(e.am.silences(&parse_matchers("c=d").unwrap()).len(), 1);
    assert!(matches!(e.am.expire_silence("nope"), Err(alerting::SilenceError::NotFound)));
}

#[tokio::test]
async fn reload_keeps_state_and_does_not_resend() {
    let (e, _dir, t0) = env();
    e.post("alertname=Keep", None, None);
    assert_eq!(e.flush_at(t0 + 30 * S).await.len(), 2);
    let cfg = alerting::load_str(&CONFIG.replace("group_wait: 30s", "group_wait: 10s"), "new.yml").unwrap();
    e.clock.set(t0 + 40 * S);
    e.am.apply_config(cfg);
    assert_eq!(e.am.alerts(&AlertFilter::default()).len(), 1);
    assert!(e.am.status().config_original.contains("group_wait: 10s"));
    // The rebuilt group flushes at once (the alert is old) but nothing changed: nothing is sent.
    assert!(e.flush_at(t0 + 40 * S).await.is_empty());
    e.post("alertname=Keep, i=2", None, None);
    assert_eq!(
        summary(&e.flush_at(t0 + 340 * S).await),
        vec!["team/slack: Keep,Keep#2 | ", "team/webhook: Keep,Keep#2 | "]
    );
}
