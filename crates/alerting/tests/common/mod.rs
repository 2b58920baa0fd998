//! Shared test harness: an Alertmanager on a hand-moved clock, a notifier that records (and on
//! request fails) notifications, and shorthands for alerts and labels.

#![allow(dead_code)]

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use alerting::labels::LabelSet;
use alerting::{Alertmanager, ManualClock, Notification, Notify, NotifyFuture, Options, PostableAlert};

pub const S: i64 = 1000;
pub const M: i64 = 60 * S;
pub const H: i64 = 60 * M;

/// Monday 2024-05-06 12:00:00 UTC.
pub fn monday_noon() -> i64 {
    alerting::civil::days_from_civil(2024, 5, 6) * 86_400_000 + 12 * H
}

#[derive(Default)]
pub struct Recorder {
    pub sent: Mutex<Vec<Notification>>,
    /// `receiver/integration` pairs that fail.
    pub failing: Mutex<HashSet<String>>,
}

impl Recorder {
    pub fn take(&self) -> Vec<Notification> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }

    pub fn fail(&self, receiver: &str, integration: &str, on: bool) {
        let k = format!("{receiver}/{integration}");
        let mut f = self.failing.lock().unwrap();
        if on {
            f.insert(k);
        } else {
            f.remove(&k);
        }
    }
}

impl Notify for Recorder {
    fn notify<'a>(&'a self, n: &'a Notification) -> NotifyFuture<'a> {
        Box::pin(async move {
            let k = format!("{}/{}", n.receiver, n.integration.as_str());
            if self.failing.lock().unwrap().contains(&k) {
                return Err(format!("{k} is down").into());
            }
            self.sent.lock().unwrap().push(n.clone());
            Ok(())
        })
    }
}

pub struct Env {
    pub am: Alertmanager,
    pub clock: ManualClock,
    pub rec: Arc<Recorder>,
}

pub fn options(clock: &ManualClock) -> Options {
    Options {
        external_url: "http://vigil.example:9093".into(),
        persist_interval_ms: 0,
        clock: Arc::new(clock.clone()),
        ..Options::default()
    }
}

pub fn start(yaml: &str, dir: &Path, clock: &ManualClock) -> Env {
    let cfg = alerting::load_str(yaml, "test.yml").unwrap_or_else(|e| panic!("{e}"));
    let am = Alertmanager::new(cfg, dir, options(clock)).unwrap();
    Env { am, clock: clock.clone(), rec: Arc::new(Recorder::default()) }
}

impl Env {
    /// Moves the clock to `t`, flushes what is due, and returns what was sent.
    pub async fn flush_at(&self, t: i64) -> Vec<Notification> {
        self.clock.set(t);
        self.am.flush_due(self.rec.as_ref()).await;
        self.rec.take()
    }

    pub fn post(&self, labels: &str, starts: Option<i64>, ends: Option<i64>) {
        let p = PostableAlert { labels: ls(labels), starts_at: starts, ends_at: ends, ..PostableAlert::default() };
        self.am.put_alerts(vec![p]).unwrap();
    }
}

pub fn ls(s: &str) -> LabelSet {
    alerting::parse_matchers(s).unwrap().into_iter().map(|m| (m.name, m.value)).collect()
}

/// `receiver/integration: firing names | resolved names` per notification, sorted, for asserts.
pub fn summary(ns: &[Notification]) -> Vec<String> {
    let mut out: Vec<String> = ns
        .iter()
        .map(|n| {
            let names = |st: &str| {
                n.alerts
                    .iter()
                    .filter(|a| a.status == st)
                    .map(|a| {
                        a.labels.get("alertname").cloned().unwrap_or_default()
                            + &a.labels.get("i").map(|i| format!("#{i}")).unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            };
            format!("{}/{}: {} | {}", n.receiver, n.integration.as_str(), names("firing"), names("resolved"))
        })
        .collect();
    out.sort();
    out
}
