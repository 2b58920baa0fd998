//! Recurring silences on a hand-moved clock: a weekday window and one across midnight mute
//! what they match exactly while they last, show up as ordinary silences created by
//! `vigil:recurring/<name>`, are materialized once per window across restarts and reloads,
//! and are expired when their definition goes. Also: the `vigil:` section stays out of what
//! `/api/v2/status` shows.

mod common;

use alerting::{AlertFilter, AlertState, ManualClock, SilenceState, SilenceView};
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
time_intervals:
  - name: weekly-window
    time_intervals: [{weekdays: [saturday]}]
vigil:
  recurring_silences:
    - name: weekly-maintenance
      matchers: ['env="staging"']
      time_intervals: [weekly-window]
      comment: "Saturday maintenance"
    - name: friday-night
      matchers: ['job="batch"']
      time_intervals:
        - weekdays: [friday]
          times: [{start_time: '22:00', end_time: '24:00'}]
        - weekdays: [saturday]
          times: [{start_time: '00:00', end_time: '02:00'}]
"#;

const D: i64 = 24 * H;

/// Friday 2024-05-10 00:00 UTC.
fn friday() -> i64 {
    monday_noon() - 12 * H + 4 * D
}

fn materialized(e: &Env, name: &str) -> Vec<SilenceView> {
    let tag = format!("vigil:recurring/{name}");
    e.am.silences(&[]).into_iter().filter(|s| s.created_by == tag).collect()
}

#[tokio::test]
async fn a_weekday_window_mutes_exactly_while_it_lasts() {
    let dir = tempfile::tempdir().unwrap();
    let sat = friday() + D;
    let e = start(CONFIG, dir.path(), &ManualClock::new(sat - 2 * M));
    assert!(materialized(&e, "weekly-maintenance").is_empty(), "not before the window");
    e.post("alertname=Deploy, env=staging", None, None);
    e.post("alertname=Web, env=prod", None, None);
    assert_eq!(summary(&e.flush_at(sat - 90 * S).await), vec!["team/webhook: Deploy | ", "team/webhook: Web | "]);

    // Saturday 00:00: the window is a silence amtool can see.
    e.clock.set(sat);
    let s = materialized(&e, "weekly-maintenance");
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].starts_at, s[0].ends_at), (sat, sat + D));
    assert_eq!(s[0].comment, "Saturday maintenance");
    assert_eq!(s[0].state, SilenceState::Active);
    assert_eq!(s[0].matchers, alerting::parse_matchers(r#"env="staging""#).unwrap());
    let deploy = e.am.alerts(&AlertFilter::default()).into_iter().find(|a| a.labels["alertname"] == "Deploy").unwrap();
    assert_eq!(deploy.state, AlertState::Suppressed);
    assert_eq!(deploy.silenced_by, vec![s[0].id.clone()]);

    // A staging alert during the window is not notified; a production one is.
    e.clock.set(sat + 10 * H);
    e.post("alertname=Batch, env=staging", None, None);
    e.post("alertname=Api, env=prod", None, None);
    let batch = |n: &[alerting::Notification]| summary(n).iter().any(|s| s.contains("Batch"));
    let n = e.flush_at(sat + 10 * H + 30 * S).await;
    assert!(summary(&n).contains(&"team/webhook: Api | ".to_string()) && !batch(&n), "{:?}", summary(&n));
    // Still muted at the last flush of Saturday…
    assert!(!batch(&e.flush_at(sat + D - 4 * M - 30 * S).await));
    // …and notified at the first flush after it.
    let n = e.flush_at(sat + D + 30 * S).await;
    assert!(summary(&n).contains(&"team/webhook: Batch | ".to_string()), "{:?}", summary(&n));
    assert_eq!(materialized(&e, "weekly-maintenance")[0].state, SilenceState::Expired);

    // Next Saturday: a new silence for the new window.
    e.clock.set(sat + 7 * D + H);
    let s = materialized(&e, "weekly-maintenance");
    assert_eq!(s.len(), 2);
    assert_eq!((s[0].starts_at, s[0].state), (sat + 7 * D, SilenceState::Active));
}

#[tokio::test]
async fn a_window_across_midnight_is_one_silence() {
    let dir = tempfile::tempdir().unwrap();
    let fri = friday();
    let e = start(CONFIG, dir.path(), &ManualClock::new(fri + 21 * H + 59 * M));
    assert!(materialized(&e, "friday-night").is_empty());
    e.clock.set(fri + 22 * H);
    let s = materialized(&e, "friday-night");
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].starts_at, s[0].ends_at), (fri + 22 * H, fri + 26 * H), "Friday 22:00 to Saturday 02:00");
    e.clock.set(fri + 23 * H);
    e.post("alertname=Nightly, job=batch", None, None);
    assert!(e.flush_at(fri + 23 * H + 30 * S).await.is_empty());
    e.clock.set(fri + 24 * H + M);
    assert_eq!(materialized(&e, "friday-night").len(), 1, "no second silence after midnight");
    assert!(e.flush_at(fri + 26 * H - 30 * S).await.is_empty());
    assert_eq!(summary(&e.flush_at(fri + 26 * H + 4 * M + 30 * S).await), vec!["team/webhook: Nightly | "]);
}

#[tokio::test]
async fn restarts_and_reloads_do_not_duplicate_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let sat = friday() + D;
    let first_id;
    {
        let e = start(CONFIG, dir.path(), &ManualClock::new(sat + H));
        let s = materialized(&e, "weekly-maintenance");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].starts_at, sat, "materialized late, it still starts with the window");
        assert_eq!(materialized(&e, "friday-night")[0].starts_at, sat - 2 * H);
        first_id = s[0].id.clone();
        // kill -9.
    }
    let e = start(CONFIG, dir.path(), &ManualClock::new(sat + 3 * H));
    let s = materialized(&e, "weekly-maintenance");
    assert_eq!(s.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), vec![first_id.clone()]);
    e.am.apply_config(alerting::load_str(CONFIG, "reloaded.yml").unwrap());
    assert_eq!(materialized(&e, "weekly-maintenance").len(), 1);
    assert_eq!(materialized(&e, "friday-night").len(), 1);

    // Someone lifts this week's silence early: it stays lifted, after a restart too.
    e.clock.set(sat + 4 * H);
    e.am.expire_silence(&first_id).unwrap();
    drop(e);
    let e = start(CONFIG, dir.path(), &ManualClock::new(sat + 5 * H));
    let s = materialized(&e, "weekly-maintenance");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].state, SilenceState::Expired);
    e.post("alertname=Deploy, env=staging", None, None);
    assert_eq!(summary(&e.flush_at(sat + 5 * H + 30 * S).await), vec!["team/webhook: Deploy | "]);
}

#[tokio::test]
async fn reloads_retire_removed_and_changed_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let sat = friday() + D;
    let e = start(CONFIG, dir.path(), &ManualClock::new(sat + H));
    let nightly = materialized(&e, "friday-night")[0].id.clone();
    let weekly = materialized(&e, "weekly-maintenance")[0].id.clone();
    e.clock.set(sat + 90 * M);
    let changed = CONFIG.replace("env=\"staging\"", "env=\"qa\"");
    let cut = &changed[..changed.find("    - name: friday-night").unwrap()];
    e.am.apply_config(alerting::load_str(cut, "changed.yml").unwrap());
    // Expired now (a silence still counts as active at its end instant).
    assert_eq!(e.am.silence(&nightly).unwrap().ends_at, sat + 90 * M);
    e.clock.set(sat + 90 * M + 1);
    assert_eq!(e.am.silence(&nightly).unwrap().state, SilenceState::Expired, "definition removed");
    assert_eq!(e.am.silence(&weekly).unwrap().state, SilenceState::Expired, "matchers changed");
    let s: Vec<SilenceView> =
        materialized(&e, "weekly-maintenance").into_iter().filter(|s| s.state == SilenceState::Active).collect();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].matchers, alerting::parse_matchers(r#"env="qa""#).unwrap());
    assert_eq!((s[0].starts_at, s[0].ends_at), (sat, sat + D));
}

#[test]
fn status_shows_the_config_without_the_vigil_section() {
    let dir = tempfile::tempdir().unwrap();
    let e = start(CONFIG, dir.path(), &ManualClock::new(friday()));
    let shown = e.am.status().config_original;
    assert!(!shown.contains("vigil"), "{shown}");
    assert!(shown.contains("time_intervals:") && shown.contains("name: weekly-window"), "{shown}");
    let back = alerting::load_str(&shown, "shown.yml").unwrap();
    assert!(back.vigil.recurring_silences.is_empty());
    // Same routing (the masked text is re-encoded, so only line numbers may differ).
    let (a, b) = (&back.route, &e.am.config().route);
    assert_eq!((&a.opts, &a.matchers, &a.routes.len()), (&b.opts, &b.matchers, &b.routes.len()));
    let cfg = e.am.config();
    let section = cfg.vigil_yaml().unwrap();
    assert!(section.starts_with("vigil:\n") && section.contains("friday-night"), "{section}");
    assert_eq!(cfg.source_yaml(), CONFIG);
    assert!(!cfg.masked_yaml().contains("vigil"));

    // Alertmanager's own loader accepts what status shows (when amtool is installed).
    let file = dir.path().join("shown.yml");
    std::fs::write(&file, &shown).unwrap();
    match std::process::Command::new("amtool").arg("check-config").arg(&file).output() {
        Ok(out) => assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout)),
        Err(e) => eprintln!("amtool not available ({e}); skipping the check with Alertmanager's loader"),
    }
    let with_section = dir.path().join("source.yml");
    std::fs::write(&with_section, CONFIG).unwrap();
    if let Ok(out) = std::process::Command::new("amtool").arg("check-config").arg(&with_section).output() {
        assert!(!out.status.success(), "Alertmanager rejects the vigil: key, which is why status leaves it out");
    }
}
