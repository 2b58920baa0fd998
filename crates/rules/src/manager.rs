//! Runs every group on its own timer, applies reloads and keeps the state file current.
//!
//! Each group evaluates on a fixed grid: timestamps `k·interval + offset`, where the offset
//! is derived from the group's key so groups spread over the interval yet land on the same
//! instants every run (consistent timestamps make recorded series line up). An evaluation
//! that overruns its interval skips the missed slots and counts them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use promql::Engine;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tsdb::STALE_NAN_BITS;

use crate::file::{RuleFileError, RuleWarning, load_file};
use crate::group::{Group, GroupOptions, OutgoingAlert};
use crate::state::StateStore;
use crate::storage::RuleStorage;

/// Where alerts due for delivery go (the notifier, and the built-in alert manager).
pub type NotifyFn = Arc<dyn Fn(Vec<OutgoingAlert>) + Send + Sync>;

/// A group shared between its timer task and the API.
pub type SharedGroup = Arc<Mutex<Group>>;

/// Locks a group even if an evaluation panicked while holding it.
pub fn lock(g: &SharedGroup) -> MutexGuard<'_, Group> {
    g.lock().unwrap_or_else(|p| p.into_inner())
}

/// Counters about rule evaluation, on Vigil's `/metrics`.
struct Metrics {
    evaluations: Arc<telemetry::Counter>,
    failures: Arc<telemetry::Counter>,
    missed: Arc<telemetry::Counter>,
    samples: Arc<telemetry::Counter>,
    state_writes: Arc<telemetry::Counter>,
    state_write_failures: Arc<telemetry::Counter>,
}

struct Inner {
    engine: Engine,
    storage: Arc<dyn RuleStorage>,
    store: StateStore,
    notify: NotifyFn,
    groups: Mutex<Vec<SharedGroup>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    options: Mutex<Arc<GroupOptions>>,
    /// Wakes the state writer after an evaluation changed alerts.
    dirty: Arc<Notify>,
    metrics: Metrics,
    /// The saved state, consumed by the first `apply`.
    snapshot: Mutex<Option<crate::state::Snapshot>>,
}

/// The rules of a running Vigil.
#[derive(Clone)]
pub struct RulesManager {
    inner: Arc<Inner>,
}

impl RulesManager {
    /// Creates the manager and loads the saved alert state from `state_dir` (a corrupt file
    /// is logged, moved aside and alerts start fresh). Call [`RulesManager::apply`] next.
    pub fn new(
        engine: Engine,
        storage: Arc<dyn RuleStorage>,
        state_dir: PathBuf,
        notify: NotifyFn,
        registry: &telemetry::Registry,
    ) -> Self {
        let store = StateStore::new(state_dir);
        let snapshot = match store.load() {
            Ok(s) => {
                if s.alert_count() > 0 {
                    tracing::info!(alerts = s.alert_count(), path = %store.path().display(), "alert state loaded");
                }
                s
            }
            Err(e) => {
                tracing::error!(error = %e, "alert state not restored");
                Default::default()
            }
        };
        let metrics = Metrics {
            evaluations: registry.counter("vigil_rule_evaluations_total", "Rule evaluations.", &[]),
            failures: registry.counter("vigil_rule_evaluation_failures_total", "Rule evaluations that failed.", &[]),
            missed: registry.counter(
                "vigil_rule_group_iterations_missed_total",
                "Group evaluations skipped because the previous one overran its interval.",
                &[],
            ),
            samples: registry.counter("vigil_rule_samples_written_total", "Samples written by rules.", &[]),
            state_writes: registry.counter("vigil_rule_state_writes_total", "Alert state file writes.", &[]),
            state_write_failures: registry.counter(
                "vigil_rule_state_write_failures_total",
                "Alert state file writes that failed.",
                &[],
            ),
        };
        let inner = Arc::new(Inner {
            engine,
            storage,
            store,
            notify,
            groups: Mutex::new(Vec::new()),
            tasks: Mutex::new(Vec::new()),
            options: Mutex::new(Arc::new(GroupOptions::default())),
            dirty: Arc::new(Notify::new()),
            metrics,
            snapshot: Mutex::new(Some(snapshot)),
        });
        let weak = Arc::downgrade(&inner);
        registry.gauge_fn("vigil_rule_groups", "Rule groups loaded.", &[], {
            let weak = weak.clone();
            move || weak.upgrade().map_or(0.0, |i| i.groups.lock().map_or(0.0, |g| g.len() as f64))
        });
        registry.gauge_fn(
            "vigil_rule_group_last_duration_seconds_sum",
            "Sum over groups of the duration of their last evaluation.",
            &[],
            move || {
                weak.upgrade().map_or(0.0, |i| {
                    let groups: Vec<SharedGroup> = i.groups.lock().map(|g| g.clone()).unwrap_or_default();
                    groups.iter().map(|g| lock(g).evaluation_seconds).sum()
                })
            },
        );
        let mgr = RulesManager { inner };
        mgr.spawn_state_writer();
        mgr
    }

    /// Loads `files` and swaps them in. Nothing changes when any file fails to load. Groups
    /// that still exist keep their alerts and staleness tracking; removed groups' series are
    /// marked stale. Returns the warnings of the loaded files.
    pub fn apply(
        &self,
        files: &[PathBuf],
        default_interval_ms: i64,
        default_query_offset_ms: i64,
        options: GroupOptions,
    ) -> Result<Vec<RuleWarning>, RuleFileError> {
        let mut specs = Vec::new();
        let mut warnings = Vec::new();
        for f in files {
            let loaded = load_file(f)?;
            warnings.extend(loaded.warnings);
            specs.extend(loaded.groups);
        }
        let options = Arc::new(options);
        *self.inner.options.lock().unwrap_or_else(|p| p.into_inner()) = options.clone();

        // Stop the old timers, then take state from old groups (waiting for any running
        // evaluation to finish, since it holds the group's lock).
        for t in self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            t.abort();
        }
        let old: Vec<SharedGroup> = std::mem::take(&mut *self.inner.groups.lock().unwrap_or_else(|p| p.into_inner()));
        let mut old_by_key: HashMap<String, SharedGroup> = old
            .into_iter()
            .map(|g| {
                let key = lock(&g).key();
                (key, g)
            })
            .collect();
        let mut snapshot = self.inner.snapshot.lock().unwrap_or_else(|p| p.into_inner()).take();
        let now = now_ms();
        let mut groups = Vec::with_capacity(specs.len());
        let mut restored = 0;
        for spec in specs {
            let mut g = Group::new(spec, default_interval_ms, default_query_offset_ms);
            if let Some(prev) = old_by_key.remove(&g.key()) {
                g.copy_state_from(&mut lock(&prev));
            } else if let Some(s) = snapshot.as_mut() {
                restored += s.restore(&mut g, now);
            }
            groups.push(Arc::new(Mutex::new(g)));
        }
        if restored > 0 {
            tracing::info!(alerts = restored, "alert state restored; firing alerts stay firing");
        }
        for (key, gone) in old_by_key {
            let series = lock(&gone).written_series();
            if series.is_empty() {
                continue;
            }
            let stale = f64::from_bits(STALE_NAN_BITS);
            let batch: Vec<_> = series.into_iter().map(|l| (l, stale)).collect();
            if let Err(e) = self.inner.storage.append(&batch, now) {
                tracing::warn!(group = %key, error = %e, "cannot mark a removed group's series stale");
            }
        }
        *self.inner.groups.lock().unwrap_or_else(|p| p.into_inner()) = groups.clone();
        let mut tasks = self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner());
        for g in groups {
            tasks.push(tokio::spawn(run_group(self.inner.clone(), g)));
        }
        self.inner.dirty.notify_one();
        Ok(warnings)
    }

    /// The loaded groups, in file order.
    pub fn groups(&self) -> Vec<SharedGroup> {
        self.inner.groups.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Stops every timer and writes the state one last time.
    pub fn stop(&self) {
        for t in self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            t.abort();
        }
        let groups = self.groups();
        let guards: Vec<_> = groups.iter().map(lock).collect();
        if let Err(e) = self.inner.store.save(guards.iter().map(|g| &**g)) {
            tracing::error!(error = %e, "cannot save alert state at shutdown");
        }
    }

    fn spawn_state_writer(&self) {
        let weak = Arc::downgrade(&self.inner);
        let dirty = self.inner.dirty.clone();
        tokio::spawn(async move {
            loop {
                dirty.notified().await;
                let Some(inner) = weak.upgrade() else { return };
                let inner2 = inner.clone();
                let res = tokio::task::spawn_blocking(move || {
                    let groups: Vec<SharedGroup> = inner2.groups.lock().map(|g| g.clone()).unwrap_or_default();
                    let guards: Vec<_> = groups.iter().map(lock).collect();
                    inner2.store.save(guards.iter().map(|g| &**g))
                })
                .await;
                match res {
                    Ok(Ok(())) => inner.metrics.state_writes.inc(),
                    Ok(Err(e)) => {
                        inner.metrics.state_write_failures.inc();
                        tracing::error!(error = %e, "cannot save alert state");
                    }
                    Err(e) => tracing::error!(error = %e, "alert state writer failed"),
                }
            }
        });
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The group's fixed offset within its interval, from a hash of its key.
pub fn eval_offset_ms(key: &str, interval_ms: i64) -> i64 {
    if interval_ms <= 0 {
        return 0;
    }
    (xxhash_rust::xxh3::xxh3_64(key.as_bytes()) % interval_ms as u64) as i64
}

/// The first grid timestamp at or after `now`.
pub fn next_eval_ts(now: i64, interval_ms: i64, offset_ms: i64) -> i64 {
    let base = now - offset_ms;
    let slot = base.div_euclid(interval_ms) * interval_ms + offset_ms;
    if slot >= now { slot } else { slot + interval_ms }
}

async fn run_group(inner: Arc<Inner>, group: SharedGroup) {
    let (interval, key) = {
        let g = lock(&group);
        (g.interval_ms.max(1), g.key())
    };
    let offset = eval_offset_ms(&key, interval);
    let mut next = next_eval_ts(now_ms(), interval, offset);
    loop {
        let wait = next - now_ms();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        let ts = next;
        let options = inner.options.lock().map(|o| o.clone()).unwrap_or_default();
        let (g, i) = (group.clone(), inner.clone());
        let out = tokio::task::spawn_blocking(move || lock(&g).eval(ts, &i.engine, &*i.storage, &options)).await;
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(group = %key, error = %e, "rule group evaluation panicked");
                Default::default()
            }
        };
        let rules = lock(&group).rules.len() as u64;
        inner.metrics.evaluations.add(rules);
        inner.metrics.failures.add(out.failed_rules as u64);
        inner.metrics.samples.add(out.samples_written as u64);
        if out.alerts_changed {
            inner.dirty.notify_one();
        }
        if !out.to_send.is_empty() {
            (inner.notify)(out.to_send);
        }
        next = ts + interval;
        let now = now_ms();
        if next < now {
            let missed = (now - next) / interval + 1;
            inner.metrics.missed.add(missed as u64);
            tracing::warn!(group = %key, missed, "rule group evaluation overran its interval");
            next = next_eval_ts(now, interval, offset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_stable_and_after_now() {
        let i = 60_000;
        let off = eval_offset_ms("a.yml;g", i);
        assert!((0..i).contains(&off));
        assert_eq!(off, eval_offset_ms("a.yml;g", i), "same key, same offset");
        for now in [0, 1, 59_999, 60_000, 1_700_000_012_345] {
            let t = next_eval_ts(now, i, off);
            assert!(t >= now && t - now < i, "now {now} → {t}");
            assert_eq!((t - off).rem_euclid(i), 0);
        }
    }
}
