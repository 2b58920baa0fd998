//! The Alertmanager as one object: the alert store, silences, notification log, route tree,
//! inhibitor and aggregation groups behind one lock, the operations the v2 API needs, and the
//! background task that fires group timers, sends notifications, persists and collects garbage.
//!
//! Vigil's additions are tied in here too: acknowledgements ([`crate::ack`]), escalation
//! levels ([`crate::escalation`]) and recurring silences ([`crate::recurring`]).
//!
//! State lives in snapshot files in the data directory (`alerts.json`, `silences.json`,
//! `nflog.json`, `acks.json`, `escalations.json`). Silences and acknowledgements are written
//! before a change is confirmed, and a notified escalation level before its flush completes;
//! alerts, the notification log and the start of incidents are written at most
//! `persist_interval_ms` after they change (0: at once).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::ack::{Ack, AckError, AckView, Acks, GroupRef};
use crate::alert::{Alert, PostableAlert, RejectedAlerts};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::dispatch::{AggrGroup, Dispatcher, FlushBatch, FlushKind, GroupKey, group_key};
use crate::escalation::Escalations;
use crate::inhibit::Inhibitor;
use crate::labels::{fingerprint_hex, label_set_before};
use crate::matchers::Matcher;
use crate::nflog::NotificationLog;
use crate::notify::{FlushContext, Notify, Planned, ReceiverTable, Record, notifiable, plan, receiver_table};
use crate::persist::PersistError;
use crate::recurring::Recurring;
use crate::silence::{DEFAULT_RETENTION_MS, PostableSilence, SilenceError, Silences};
use crate::store::AlertStore;
use crate::views::{AlertFilter, AlertState, AlertView, GroupView, SilenceView, StatusView, sort_silences};

/// Settings that are not part of alertmanager.yml (Alertmanager's command-line flags).
#[derive(Clone)]
pub struct Options {
    /// `--web.external-url`: links in notifications point here.
    pub external_url: String,
    /// `--data.retention`: how long expired silences and notification-log entries are kept.
    pub retention_ms: i64,
    /// Longest delay before changed alerts and notification-log entries reach disk (0: before
    /// the call that changed them returns).
    pub persist_interval_ms: i64,
    /// `--alerts.gc-interval`: how often resolved alerts are collected.
    pub gc_interval_ms: i64,
    /// Append every accepted alert to `alerts.journal` (fsynced) before `put_alerts` returns,
    /// so posted alerts are durable at once while the snapshot is rewritten only every
    /// `persist_interval_ms`.
    pub journal_alerts: bool,
    pub clock: Arc<dyn Clock>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            external_url: String::new(),
            retention_ms: DEFAULT_RETENTION_MS,
            persist_interval_ms: 1000,
            gc_interval_ms: 30 * 60_000,
            journal_alerts: false,
            clock: Arc::new(SystemClock),
        }
    }
}

/// Why the Alertmanager could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot start the alertmanager: {0}")]
pub struct StartError(pub String);

struct State {
    config: Arc<Config>,
    receivers: Arc<ReceiverTable>,
    store: AlertStore,
    silences: Silences,
    nflog: NotificationLog,
    dispatcher: Dispatcher,
    /// Bumped when the dispatcher is rebuilt, so flushes of the old one are ignored.
    epoch: u64,
    inhibitor: Inhibitor,
    inhibitor_at: Option<(u64, i64)>,
    acks: Acks,
    escalations: Escalations,
    recurring: Recurring,
    last_persist: i64,
    last_gc: i64,
}

struct Inner {
    state: Mutex<State>,
    dir: PathBuf,
    opts: Options,
    wake: tokio::sync::Notify,
    stopped: AtomicBool,
    started_at: i64,
}

/// A handle on the running Alertmanager; clones share it.
#[derive(Clone)]
pub struct Alertmanager {
    inner: Arc<Inner>,
}

/// What one round of flushes did (for tests and logs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlushReport {
    pub groups: usize,
    pub sent: usize,
    pub failed: usize,
}

impl State {
    /// Materializes recurring silences whose window has begun, before anything reads silences.
    fn sync_recurring(&mut self, now: i64) {
        if self.recurring.definitions().is_empty() {
            return;
        }
        for id in self.recurring.sync(&mut self.silences, now) {
            tracing::info!(silence = %id, "recurring silence window started");
        }
    }

    /// A config's recurring silences replace the current ones; silences of definitions that are
    /// gone or changed are expired.
    fn set_recurring(&mut self, now: i64) {
        self.recurring = Recurring::new(self.config.vigil.recurring_silences.clone());
        for id in self.recurring.retire(&mut self.silences, now) {
            tracing::info!(silence = %id, "recurring silence no longer configured as it was; expired");
        }
        self.sync_recurring(now);
    }

    fn refresh_inhibitor(&mut self, now: i64) {
        let stamp = (self.store.generation(), now / 1000);
        if self.inhibitor_at == Some(stamp) {
            return;
        }
        let firing = self.store.iter().filter(|(_, a)| !a.resolved_at(now)).map(|(fp, a)| (*fp, &a.labels));
        self.inhibitor.rebuild(firing);
        self.inhibitor_at = Some(stamp);
    }

    fn rebuild_dispatcher(&mut self, now: i64) {
        let mut d = Dispatcher::new(self.config.route.clone());
        for (_, a) in self.store.iter() {
            d.insert(a, now);
        }
        self.dispatcher = d;
        self.epoch += 1;
    }

    fn view(&self, fp: u64, a: &crate::alert::Alert, now: i64) -> AlertView {
        let silenced_by = self.silences.silenced_by(&a.labels, now);
        let inhibited_by: Vec<String> =
            self.inhibitor.inhibited_by(fp, &a.labels).map(fingerprint_hex).into_iter().collect();
        let state =
            if silenced_by.is_empty() && inhibited_by.is_empty() { AlertState::Active } else { AlertState::Suppressed };
        let acks = if self.acks.is_empty() {
            Vec::new()
        } else {
            self.config
                .route
                .matching(&a.labels)
                .into_iter()
                .filter_map(|r| {
                    let key = GroupKey {
                        group_key: group_key(r, &r.group_labels(&a.labels)),
                        receiver: r.opts.receiver.clone(),
                    };
                    self.acks.active(&key, now).map(|ack| AckView::new(&key, ack))
                })
                .collect()
        };
        AlertView {
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            updated_at: a.updated_at,
            generator_url: a.generator_url.clone(),
            fingerprint: fingerprint_hex(fp),
            receivers: self.config.route.receivers_for(&a.labels),
            state,
            silenced_by,
            inhibited_by,
            acks,
        }
    }

    fn is_dirty(&self) -> bool {
        self.store.is_dirty() || self.nflog.is_dirty() || self.escalations.is_dirty()
    }

    fn persist(&mut self, dir: &Path, now: i64) -> Result<(), PersistError> {
        self.last_persist = now;
        let a = self.store.save(dir);
        let n = self.nflog.save(dir);
        let e = self.escalations.save(dir);
        a.and(n).and(e)
    }
}

impl Alertmanager {
    /// Loads the state in `data_dir` (created if missing) and builds the groups of the alerts
    /// found there. Damaged snapshot files are moved aside and logged; they do not stop start-up.
    pub fn new(config: Config, data_dir: &Path, options: Options) -> Result<Alertmanager, StartError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StartError(format!("cannot create {}: {e}", data_dir.display())))?;
        let now = options.clock.now_ms();
        let (store, e1) = AlertStore::load(data_dir);
        let (silences, e2) = Silences::load(data_dir, options.retention_ms);
        let (nflog, e3) = NotificationLog::load(data_dir, options.retention_ms);
        let (acks, e4) = Acks::load(data_dir);
        let (escalations, e5) = Escalations::load(data_dir);
        for e in [e1, e2, e3, e4, e5].into_iter().flatten() {
            tracing::error!(error = %e, "alertmanager state could not be fully loaded");
        }
        let config = Arc::new(config);
        let mut state = State {
            receivers: Arc::new(receiver_table(&config.receivers)),
            inhibitor: Inhibitor::new(config.inhibit_rules.clone()),
            dispatcher: Dispatcher::new(config.route.clone()),
            config,
            store,
            silences,
            nflog,
            epoch: 0,
            inhibitor_at: None,
            acks,
            escalations,
            recurring: Recurring::default(),
            last_persist: now,
            last_gc: now,
        };
        state.rebuild_dispatcher(now);
        state.set_recurring(now);
        let inner = Inner {
            state: Mutex::new(state),
            dir: data_dir.to_path_buf(),
            opts: options,
            wake: tokio::sync::Notify::new(),
            stopped: AtomicBool::new(false),
            started_at: now,
        };
        Ok(Alertmanager { inner: Arc::new(inner) })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent-enough state; keep serving.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> i64 {
        self.inner.opts.clock.now_ms()
    }

    /// The config in force.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.lock().config)
    }

    /// Replaces the config, keeping alerts, silences and the notification log. Groups are
    /// rebuilt from the stored alerts (as Alertmanager does on reload); the notification log
    /// keeps them from re-sending what was already sent.
    pub fn apply_config(&self, config: Config) {
        let now = self.now();
        let mut st = self.lock();
        st.receivers = Arc::new(receiver_table(&config.receivers));
        st.inhibitor = Inhibitor::new(config.inhibit_rules.clone());
        st.inhibitor_at = None;
        st.config = Arc::new(config);
        st.rebuild_dispatcher(now);
        st.set_recurring(now);
        drop(st);
        self.inner.wake.notify_one();
    }

    /// Stores posted alerts (`POST /api/v2/alerts`). Valid alerts are stored even when others
    /// are not; the error lists one message per invalid alert, as Alertmanager's 400 does.
    pub fn put_alerts(&self, alerts: Vec<PostableAlert>) -> Result<(), RejectedAlerts> {
        let now = self.now();
        let mut errors = Vec::new();
        let mut st = self.lock();
        let resolve_timeout = st.config.global.resolve_timeout.ms();
        let mut stored_now = Vec::new();
        for p in alerts {
            match p.into_alert(now, resolve_timeout) {
                Ok(a) => {
                    let stored = st.store.put(a);
                    st.dispatcher.insert(&stored, now);
                    if self.inner.opts.journal_alerts {
                        stored_now.push(stored);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let persisted = if self.inner.opts.journal_alerts {
            st.store.journal(&self.inner.dir, &stored_now)
        } else if self.inner.opts.persist_interval_ms <= 0 {
            st.store.save(&self.inner.dir)
        } else {
            Ok(())
        };
        if let Err(e) = persisted {
            tracing::error!(error = %e, "cannot persist alerts");
        }
        drop(st);
        self.inner.wake.notify_one();
        if errors.is_empty() { Ok(()) } else { Err(RejectedAlerts(errors)) }
    }

    /// Alerts for `GET /api/v2/alerts`: not resolved, filtered, sorted by fingerprint.
    pub fn alerts(&self, filter: &AlertFilter) -> Vec<AlertView> {
        let now = self.now();
        let mut st = self.lock();
        st.sync_recurring(now);
        st.refresh_inhibitor(now);
        let mut out: Vec<AlertView> = st
            .store
            .iter()
            .filter(|(_, a)| a.ends_at >= now)
            .filter(|(_, a)| filter.matchers.iter().all(|m| m.matches(&a.labels)))
            .map(|(fp, a)| st.view(*fp, a, now))
            .filter(|v| filter.receiver.as_ref().is_none_or(|re| v.receivers.iter().any(|r| re.is_match(r))))
            .filter(|v| filter.keeps_status(v))
            .collect();
        out.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        out
    }

    /// Groups for `GET /api/v2/alerts/groups`, in Alertmanager's order (labels, then receiver).
    pub fn groups(&self, filter: &AlertFilter) -> Vec<GroupView> {
        let now = self.now();
        let mut st = self.lock();
        st.sync_recurring(now);
        st.refresh_inhibitor(now);
        let mut out = Vec::new();
        for g in st.dispatcher.groups() {
            if filter.receiver.as_ref().is_some_and(|re| !re.is_match(&g.opts.receiver)) {
                continue;
            }
            let mut alerts: Vec<AlertView> = g
                .alerts
                .iter()
                .filter(|(_, a)| a.ends_at >= now)
                .filter(|(_, a)| filter.matchers.iter().all(|m| m.matches(&a.labels)))
                .map(|(fp, a)| st.view(*fp, a, now))
                .filter(|v| filter.keeps_status(v))
                .collect();
            if alerts.is_empty() {
                continue;
            }
            alerts.sort_by(|a, b| crate::alert::alert_order(&a.labels, &b.labels));
            let key = g.group_key();
            out.push(GroupView {
                labels: g.labels.clone(),
                receiver: g.opts.receiver.clone(),
                alerts,
                ack: st.acks.active(&key, now).map(|a| AckView::new(&key, a)),
                escalation: st.escalations.view(&key, &st.config.vigil.escalations),
            });
        }
        out.sort_by(|a, b| {
            if a.labels == b.labels {
                a.receiver.cmp(&b.receiver)
            } else if label_set_before(&a.labels, &b.labels) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        });
        out
    }

    /// Silences for `GET /api/v2/silences`; a silence is kept when every filter matcher matches
    /// the labels its own matchers name (Alertmanager's rule), in Alertmanager's order.
    pub fn silences(&self, filter: &[Matcher]) -> Vec<SilenceView> {
        let now = self.now();
        let mut st = self.lock();
        st.sync_recurring(now);
        let mut out: Vec<SilenceView> = st
            .silences
            .iter()
            .filter(|s| {
                let labels = s.matchers.iter().map(|m| (m.name.clone(), m.value.clone())).collect();
                filter.iter().all(|m| m.matches(&labels))
            })
            .map(|s| SilenceView::new(s, now))
            .collect();
        sort_silences(&mut out);
        out
    }

    /// One silence (`GET /api/v2/silence/{id}`).
    pub fn silence(&self, id: &str) -> Option<SilenceView> {
        let now = self.now();
        let mut st = self.lock();
        st.sync_recurring(now);
        st.silences.get(id).map(|s| SilenceView::new(s, now))
    }

    /// Creates or updates a silence (`POST /api/v2/silences`) with the API's extra checks;
    /// returns its id (a new one when an update had to replace the silence).
    pub fn add_silence(&self, s: PostableSilence) -> Result<String, SilenceError> {
        let now = self.now();
        if s.starts_at >= s.ends_at {
            return Err(SilenceError::Invalid("Failed to create silence: start time must be before end time".into()));
        }
        if s.ends_at < now {
            return Err(SilenceError::Invalid("Failed to create silence: end time can't be in the past".into()));
        }
        let id = self.lock().silences.set(s, now)?;
        self.inner.wake.notify_one();
        Ok(id)
    }

    /// Expires a silence (`DELETE /api/v2/silence/{id}`).
    pub fn expire_silence(&self, id: &str) -> Result<(), SilenceError> {
        let now = self.now();
        self.lock().silences.expire(id, now)
    }

    /// Acknowledges an alert group: until it resolves, or `expires_at` (Unix ms) passes, or
    /// [`Alertmanager::unacknowledge`], repeat notifications and escalation stop (see
    /// [`crate::ack`]). Every group `group` names that has a firing alert is acknowledged;
    /// the acknowledgement is on disk when this returns. Acknowledging again replaces it.
    pub fn acknowledge(
        &self,
        group: GroupRef,
        by: String,
        comment: String,
        expires_at: Option<i64>,
    ) -> Result<AckView, AckError> {
        let now = self.now();
        let mut st = self.lock();
        let keys = crate::ack::resolve(&st.dispatcher, &group, now, true)?;
        let ack = Ack { by, comment, at: now, expires_at };
        st.acks.set(&keys, &ack)?;
        drop(st);
        self.inner.wake.notify_one();
        Ok(AckView::new(&keys[0], &ack))
    }

    /// Withdraws the acknowledgement of the groups `group` names and returns it (`NotFound`
    /// when none is in force). Escalation levels whose time has come go out at once.
    pub fn unacknowledge(&self, group: GroupRef) -> Result<AckView, AckError> {
        let now = self.now();
        let mut st = self.lock();
        let keys = crate::ack::resolve(&st.dispatcher, &group, now, false)?;
        let removed = st.acks.remove(&keys, now)?;
        let Some((key, ack)) = removed.first() else { return Err(AckError::NotFound) };
        let view = AckView::new(key, ack);
        for (k, _) in &removed {
            st.escalations.reset_woken(k);
        }
        drop(st);
        self.inner.wake.notify_one();
        Ok(view)
    }

    /// Every acknowledgement in force, by group key.
    pub fn acks(&self) -> Vec<AckView> {
        let now = self.now();
        let st = self.lock();
        let mut out: Vec<AckView> = st.acks.iter_active(now).map(|(k, a)| AckView::new(k, a)).collect();
        out.sort_by(|a, b| (&a.group_key, &a.receiver).cmp(&(&b.group_key, &b.receiver)));
        out
    }

    /// Receiver names (`GET /api/v2/receivers`).
    pub fn receivers(&self) -> Vec<String> {
        self.lock().config.receivers.iter().map(|r| r.name.clone()).collect()
    }

    /// `GET /api/v2/status` material.
    pub fn status(&self) -> StatusView {
        StatusView { config_original: self.lock().config.masked_yaml(), started_at: self.inner.started_at }
    }

    /// Fires due group timers and escalation wake-ups and plans their notifications.
    fn take_due(&self, now: i64) -> (u64, Vec<(FlushBatch, Vec<Planned>)>) {
        let mut guard = self.lock();
        let st = &mut *guard;
        st.sync_recurring(now);
        let wake = crate::escalation::wake(&st.escalations, &st.acks, &st.config.vigil.escalations, &st.receivers, now);
        let batches = st.dispatcher.take_due_with(now, wake);
        if batches.is_empty() {
            return (st.epoch, Vec::new());
        }
        st.refresh_inhibitor(now);
        // An incident begins at the group's first regular flush with something firing to notify.
        if !st.config.vigil.escalations.is_empty() {
            for b in batches.iter().filter(|b| b.kind == FlushKind::Regular) {
                let alerts = notifiable(b, &st.silences, &st.inhibitor, &st.config.time_intervals);
                let firing: Vec<&Alert> = alerts.into_iter().filter(|a| !a.resolved_at(now)).collect();
                st.escalations.begin(&b.key(), &firing, &st.config.vigil.escalations, now);
            }
        }
        // Plannings under an ack do not count: the levels they held back are due when it ends.
        let escalating = !st.escalations.is_empty();
        for b in batches.iter().filter(|_| escalating) {
            let key = b.key();
            if st.acks.active(&key, now).is_none() {
                st.escalations.mark_woken(&key, now);
            }
        }
        let ctx = FlushContext {
            silences: &st.silences,
            inhibitor: &st.inhibitor,
            time_intervals: &st.config.time_intervals,
            nflog: &st.nflog,
            receivers: &st.receivers,
            external_url: &self.inner.opts.external_url,
            acks: &st.acks,
            escalations: &st.escalations,
            policies: &st.config.vigil.escalations,
        };
        let planned: Vec<Vec<Planned>> = batches.iter().map(|b| plan(b, &ctx)).collect();
        (st.epoch, batches.into_iter().zip(planned).collect())
    }

    /// Records the outcome of one group's flush. A regular flush that found every alert
    /// resolved and delivered everything ends the group's acknowledgement and incident.
    fn complete(&self, epoch: u64, batch: &FlushBatch, results: Vec<(Planned, bool)>) {
        let now = self.now();
        let mut st = self.lock();
        let mut success = true;
        let mut escalation_changed = false;
        for (p, ok) in results {
            if !ok {
                success = false;
                continue;
            }
            match p.record {
                Record::Log { key, firing, resolved, expiry_ms } => st.nflog.log(key, firing, resolved, now, expiry_ms),
                Record::Escalation(sent) => {
                    st.escalations.record(&sent, now);
                    escalation_changed = true;
                }
            }
        }
        if st.epoch == epoch {
            st.dispatcher.finish(batch, success);
        }
        if success && batch.kind == FlushKind::Regular && batch.alerts.iter().all(|a| a.resolved_at(batch.now)) {
            let key = batch.key();
            st.acks.clear(&key);
            escalation_changed |= st.escalations.end(&key);
        }
        // A notified level is on disk before anything else happens, so no restart repeats it.
        if (escalation_changed || self.inner.opts.persist_interval_ms <= 0)
            && let Err(e) = st.escalations.save(&self.inner.dir)
        {
            tracing::error!(error = %e, "cannot persist escalations");
        }
        if self.inner.opts.persist_interval_ms <= 0
            && let Err(e) = st.nflog.save(&self.inner.dir)
        {
            tracing::error!(error = %e, "cannot persist the notification log");
        }
    }

    /// Sends every notification due now, one after another, and waits for them: the
    /// deterministic path tests and tools drive with their own clock. The background task
    /// does the same with one task per group.
    pub async fn flush_due(&self, notifier: &dyn Notify) -> FlushReport {
        let now = self.now();
        let (epoch, due) = self.take_due(now);
        let mut report = FlushReport { groups: due.len(), ..FlushReport::default() };
        for (batch, planned) in due {
            let mut results = Vec::with_capacity(planned.len());
            for p in planned {
                let ok = match &p.notification {
                    Some(n) => match notifier.notify(n).await {
                        Ok(()) => {
                            report.sent += 1;
                            true
                        }
                        Err(e) => {
                            report.failed += 1;
                            tracing::warn!(receiver = %n.receiver, integration = n.integration.as_str(), error = %e, "notify failed");
                            false
                        }
                    },
                    None => true,
                };
                results.push((p, ok));
            }
            self.complete(epoch, &batch, results);
        }
        report
    }

    /// Periodic work: drop empty groups, collect resolved alerts (kept while a group still
    /// has to report them), expired silences and log entries, and persist what changed.
    pub fn maintain(&self) {
        let now = self.now();
        let mut guard = self.lock();
        let st = &mut *guard;
        st.dispatcher.remove_empty();
        if now - st.last_gc >= self.inner.opts.gc_interval_ms {
            st.last_gc = now;
            let held = st.dispatcher.held();
            st.store.gc(now, |fp| held.contains(&fp));
            st.silences.gc(now);
            // Acks and incidents of groups a reload re-keyed (or that vanished in a crash).
            if !st.acks.is_empty() || !st.escalations.is_empty() {
                let live: HashSet<GroupKey> = st.dispatcher.groups().map(AggrGroup::group_key).collect();
                st.acks.gc(now, |k| live.contains(k));
                st.escalations.retain(|k| live.contains(k));
            }
            let acked: HashSet<(&str, &str)> =
                st.acks.iter_active(now).map(|(k, _)| (k.group_key.as_str(), k.receiver.as_str())).collect();
            st.nflog.gc_keeping(now, |k| acked.contains(&(k.group_key.as_str(), k.receiver.as_str())));
        }
        st.sync_recurring(now);
        let due = now - st.last_persist >= self.inner.opts.persist_interval_ms;
        if due
            && st.is_dirty()
            && let Err(e) = st.persist(&self.inner.dir, now)
        {
            tracing::error!(error = %e, "cannot persist alertmanager state");
        }
    }

    /// Writes alerts and the notification log now (silences are always on disk already).
    pub fn persist(&self) -> Result<(), PersistError> {
        let now = self.now();
        self.lock().persist(&self.inner.dir, now)
    }

    /// Receiver names for labels, as `amtool config routes test` prints them.
    pub fn test_routes(&self, labels: &crate::labels::LabelSet) -> Vec<String> {
        self.lock().config.route.receivers_for(labels)
    }

    /// Runs the dispatcher in the background until [`Alertmanager::shutdown`].
    pub fn spawn(&self, notifier: Arc<dyn Notify>) -> tokio::task::JoinHandle<()> {
        let am = self.clone();
        tokio::spawn(async move { am.run(notifier).await })
    }

    async fn run(self, notifier: Arc<dyn Notify>) {
        while !self.inner.stopped.load(Ordering::SeqCst) {
            let now = self.now();
            let (epoch, due) = self.take_due(now);
            for (batch, planned) in due {
                let am = self.clone();
                let notifier = Arc::clone(&notifier);
                tokio::spawn(async move { am.send_group(epoch, batch, planned, notifier).await });
            }
            self.maintain();
            let wait_ms = {
                let st = self.lock();
                let wake = crate::escalation::wake(
                    &st.escalations,
                    &st.acks,
                    &st.config.vigil.escalations,
                    &st.receivers,
                    now,
                );
                let next = st.dispatcher.next_flush_with(wake).map_or(1000, |t| (t - now).clamp(0, 1000));
                let persist = if st.is_dirty() {
                    (st.last_persist + self.inner.opts.persist_interval_ms - now).clamp(0, 1000)
                } else {
                    1000
                };
                next.min(persist).max(1)
            };
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(wait_ms as u64)) => {}
                _ = self.inner.wake.notified() => {}
            }
        }
    }

    async fn send_group(&self, epoch: u64, batch: FlushBatch, planned: Vec<Planned>, notifier: Arc<dyn Notify>) {
        let timeout = std::time::Duration::from_millis(batch.opts.group_interval_ms.max(1000) as u64);
        let mut results = Vec::with_capacity(planned.len());
        for p in planned {
            let ok = match &p.notification {
                Some(n) => match tokio::time::timeout(timeout, notifier.notify(n)).await {
                    Ok(Ok(())) => true,
                    Ok(Err(e)) => {
                        tracing::warn!(receiver = %n.receiver, integration = n.integration.as_str(), group = %n.group_key, error = %e, "notify failed; retrying at the next group interval");
                        false
                    }
                    Err(_) => {
                        tracing::warn!(receiver = %n.receiver, integration = n.integration.as_str(), group = %n.group_key, "notify timed out");
                        false
                    }
                },
                None => true,
            };
            results.push((p, ok));
        }
        self.complete(epoch, &batch, results);
        self.inner.wake.notify_one();
    }

    /// Stops the background task and writes the state.
    pub fn shutdown(&self) -> Result<(), PersistError> {
        self.inner.stopped.store(true, Ordering::SeqCst);
        self.inner.wake.notify_one();
        self.persist()
    }

    /// When the dispatcher next has work: a group's timer or an escalation level (Unix ms).
    pub fn next_flush_at(&self) -> Option<i64> {
        let now = self.now();
        let st = self.lock();
        let wake = crate::escalation::wake(&st.escalations, &st.acks, &st.config.vigil.escalations, &st.receivers, now);
        st.dispatcher.next_flush_with(wake)
    }

    /// Number of aggregation groups (for metrics).
    pub fn group_count(&self) -> usize {
        self.lock().dispatcher.len()
    }

    /// Fingerprints of stored alerts (for tests and metrics).
    pub fn stored_alerts(&self) -> BTreeSet<String> {
        self.lock().store.iter().map(|(fp, _)| fingerprint_hex(*fp)).collect()
    }
}
