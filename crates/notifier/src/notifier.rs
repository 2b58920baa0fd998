//! The notifier: takes alerts from the rule manager, labels them, queues them, and a background
//! task delivers the queue in batches to every discovered Alertmanager at once, as Prometheus
//! 2.42's notifier manager does. Sending never blocks the caller; a full queue drops its oldest
//! alerts; a batch no Alertmanager accepted is counted as dropped (Alertmanagers are told the
//! alert again at the next resend, so nothing is retried here).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use promconfig::discovery::{Discovered, FileSd, static_targets};
use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::alert::{Alert, relabel_alerts};
use crate::config::{AlertmanagerSet, NotifierConfig};
use crate::metrics::Metrics;
use crate::queue::Queue;
use crate::sender::post;
use crate::status::AlertmanagersStatus;
use crate::targets::{Resolved, resolve};

/// Prometheus's `maxBatchSize`: alerts per request.
pub const MAX_BATCH_SIZE: usize = 64;

/// `--alertmanager.notification-queue-capacity` default.
pub const DEFAULT_QUEUE_CAPACITY: usize = 10_000;

/// Limits of the notifier itself (command-line flags, not prometheus.yml).
#[derive(Debug, Clone)]
pub struct Options {
    /// Alerts held while waiting to be sent; beyond this the oldest are dropped.
    pub queue_capacity: usize,
    /// Alerts per request.
    pub max_batch_size: usize,
    /// How long stopping may take to deliver what is still queued.
    pub drain_timeout: Duration,
    /// How often file_sd files are checked for changes.
    pub discovery_refresh: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            max_batch_size: MAX_BATCH_SIZE,
            drain_timeout: Duration::from_secs(30),
            discovery_refresh: Duration::from_secs(5),
        }
    }
}

/// Something in this process that receives alerts as they are sent, such as Vigil's built-in
/// Alertmanager. It gets exactly what the HTTP Alertmanagers get (external labels and
/// `alert_relabel_configs` applied), synchronously from [`Notifier::send`], so it neither
/// waits for the network nor loses alerts to a full queue. `deliver` should return quickly.
pub trait AlertSink: Send + Sync {
    fn deliver(&self, alerts: &[Alert]);
}

/// Why the notifier could not start or take a configuration.
#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    #[error("the notifier must be created inside a Tokio runtime")]
    NoRuntime,
    #[error("alertmanager {set}: cannot build HTTP client: {message}")]
    Client { set: String, message: String },
}

/// One Alertmanager set with its client and what discovery currently finds.
struct LiveSet {
    cfg: Arc<AlertmanagerSet>,
    client: httpclient::HttpClient,
    statics: Vec<Discovered>,
    file_sd: Mutex<FileSd>,
    resolved: RwLock<Resolved>,
}

impl LiveSet {
    fn new(cfg: AlertmanagerSet) -> Result<Self, NotifierError> {
        // Alert payloads are sent uncompressed, as Prometheus does.
        let client = httpclient::HttpClient::new(&cfg.http, httpclient::ClientOptions::default())
            .map_err(|e| NotifierError::Client { set: cfg.name.clone(), message: e.to_string() })?;
        let set = LiveSet {
            statics: static_targets(&cfg.static_configs),
            file_sd: Mutex::new(FileSd::new(&cfg.file_sd_configs)),
            resolved: RwLock::new(Resolved::default()),
            cfg: Arc::new(cfg),
            client,
        };
        set.rediscover(true);
        Ok(set)
    }

    /// Re-reads file_sd files and rebuilds the Alertmanager list when something changed.
    fn rediscover(&self, force: bool) {
        let found = {
            let mut sd = lock(&self.file_sd);
            if !sd.refresh() && !force {
                return;
            }
            let mut found = self.statics.clone();
            found.extend(sd.targets());
            found
        };
        let resolved = resolve(&self.cfg, &found);
        *self.resolved.write().unwrap_or_else(|p| p.into_inner()) = resolved;
    }

    fn resolved(&self) -> Resolved {
        self.resolved.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The configuration in force; replaced whole on reload.
#[derive(Default)]
struct State {
    config: NotifierConfig,
    sets: Vec<Arc<LiveSet>>,
}

struct Inner {
    options: Options,
    runtime: Handle,
    queue: Mutex<Queue>,
    more: Notify,
    state: RwLock<Arc<State>>,
    sinks: RwLock<Vec<Arc<dyn AlertSink>>>,
    metrics: Metrics,
    stopping: AtomicBool,
    finished: AtomicBool,
}

/// Delivers alerts to Alertmanagers. Create it inside a Tokio runtime; dropping it stops it
/// like [`Notifier::stop`] without waiting.
pub struct Notifier {
    inner: Arc<Inner>,
    sender: Mutex<Option<JoinHandle<()>>>,
    discovery: Mutex<Option<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Notifier {
    /// Starts the delivery and discovery tasks and registers the `vigil_notifications_*`
    /// metrics. No Alertmanager is known until [`Notifier::apply_config`].
    pub fn new(options: Options, registry: &telemetry::Registry) -> Result<Notifier, NotifierError> {
        let runtime = Handle::try_current().map_err(|_| NotifierError::NoRuntime)?;
        let inner = Arc::new(Inner {
            queue: Mutex::new(Queue::new(options.queue_capacity)),
            metrics: Metrics::new(registry, options.queue_capacity.max(1)),
            options,
            runtime,
            more: Notify::new(),
            state: RwLock::new(Arc::new(State::default())),
            sinks: RwLock::new(Vec::new()),
            stopping: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        });
        let weak = Arc::downgrade(&inner);
        registry.gauge_fn(
            "vigil_notifications_queue_length",
            "The number of alert notifications in the queue.",
            &[],
            {
                let weak = weak.clone();
                move || weak.upgrade().map_or(0.0, |i| lock(&i.queue).len() as f64)
            },
        );
        registry.gauge_fn(
            "vigil_notifications_alertmanagers_discovered",
            "The number of alertmanagers discovered and active.",
            &[],
            {
                let weak = weak.clone();
                move || weak.upgrade().map_or(0.0, |i| i.active().len() as f64)
            },
        );
        let sender = inner.runtime.spawn(run(inner.clone()));
        let discovery = inner.runtime.spawn(discover(weak, inner.options.discovery_refresh));
        Ok(Notifier { inner, sender: Mutex::new(Some(sender)), discovery: Mutex::new(Some(discovery)) })
    }

    /// Replaces external labels, alert relabelling and the Alertmanager sets. Queued alerts
    /// stay queued and go to the new Alertmanagers. Sets whose configuration did not change
    /// keep their client and discovered Alertmanagers. On error nothing changes.
    pub fn apply_config(&self, config: NotifierConfig) -> Result<(), NotifierError> {
        let old = self.inner.snapshot();
        let mut sets = Vec::with_capacity(config.alertmanagers.len());
        for cfg in &config.alertmanagers {
            if let Some(same) = old.sets.iter().find(|s| *s.cfg == *cfg) {
                sets.push(same.clone());
                continue;
            }
            for field in &cfg.unsupported {
                tracing::warn!(alertmanagers = %cfg.name, field, "alertmanager config field is not supported by Vigil and has no effect");
            }
            sets.push(Arc::new(LiveSet::new(cfg.clone())?));
        }
        let state = Arc::new(State { config, sets });
        *self.inner.state.write().unwrap_or_else(|p| p.into_inner()) = state;
        for url in self.inner.active() {
            self.inner.metrics.for_alertmanager(&url);
        }
        Ok(())
    }

    /// Registers an in-process receiver of every alert sent from now on.
    pub fn add_sink(&self, sink: Arc<dyn AlertSink>) {
        self.inner.sinks.write().unwrap_or_else(|p| p.into_inner()).push(sink);
    }

    /// Applies external labels and `alert_relabel_configs`, hands the result to the sinks and
    /// queues it for the Alertmanagers. Never blocks on the network.
    pub fn send(&self, alerts: Vec<Alert>) {
        let state = self.inner.snapshot();
        let alerts = relabel_alerts(alerts, &state.config.external_labels, &state.config.alert_relabel_configs);
        if alerts.is_empty() {
            return;
        }
        let sinks = self.inner.sinks.read().unwrap_or_else(|p| p.into_inner()).clone();
        for sink in &sinks {
            sink.deliver(&alerts);
        }
        let dropped = {
            // `finished` is set under the queue lock, so nothing is queued after the last drain.
            let mut queue = lock(&self.inner.queue);
            if self.inner.finished.load(Ordering::Acquire) {
                drop(queue);
                tracing::debug!(count = alerts.len(), "notifier stopped: alerts not sent to Alertmanagers");
                self.inner.metrics.dropped.add(alerts.len() as u64);
                return;
            }
            queue.push(alerts)
        };
        if dropped > 0 {
            tracing::warn!(num_dropped = dropped, "alert notification queue full, dropping alerts");
            self.inner.metrics.dropped.add(dropped as u64);
        }
        self.inner.more.notify_one();
    }

    /// URLs of the Alertmanagers alerts are sent to.
    pub fn alertmanagers(&self) -> Vec<String> {
        self.inner.active()
    }

    /// URLs of discovered Alertmanagers that relabelling dropped.
    pub fn dropped_alertmanagers(&self) -> Vec<String> {
        self.inner.snapshot().sets.iter().flat_map(|s| s.resolved().dropped).collect()
    }

    /// The data of `/api/v1/alertmanagers`.
    pub fn status(&self) -> AlertmanagersStatus {
        AlertmanagersStatus::new(self.alertmanagers(), self.dropped_alertmanagers())
    }

    /// Alerts waiting to be sent.
    pub fn queue_len(&self) -> usize {
        lock(&self.inner.queue).len()
    }

    /// Re-reads file_sd files now instead of at the next refresh.
    pub fn refresh_discovery(&self) {
        for set in &self.inner.snapshot().sets {
            set.rediscover(false);
        }
    }

    /// Stops: delivers what is queued (giving up after `drain_timeout`, counting the rest as
    /// dropped), then ends the background tasks. Later `send`s reach only the sinks.
    pub async fn stop(&self) {
        if let Some(watchdog) = self.begin_stop() {
            let _ = watchdog.await;
        }
    }

    fn begin_stop(&self) -> Option<JoinHandle<()>> {
        if let Some(d) = lock(&self.discovery).take() {
            d.abort();
        }
        let sender = lock(&self.sender).take()?;
        tracing::info!("stopping notification manager, draining queued alerts");
        self.inner.stopping.store(true, Ordering::Release);
        self.inner.more.notify_one();
        let inner = self.inner.clone();
        Some(self.inner.runtime.spawn(async move {
            let mut sender = sender;
            if tokio::time::timeout(inner.options.drain_timeout, &mut sender).await.is_err() {
                sender.abort();
                let left = inner.finish();
                tracing::warn!(
                    num_dropped = left,
                    timeout = ?inner.options.drain_timeout,
                    "notification queue not drained in time, dropping alerts"
                );
            }
        }))
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        let _ = self.begin_stop();
    }
}

impl Inner {
    fn snapshot(&self) -> Arc<State> {
        self.state.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Marks delivery as over and counts whatever is still queued as dropped.
    fn finish(&self) -> usize {
        let mut queue = lock(&self.queue);
        self.finished.store(true, Ordering::Release);
        let left = queue.clear();
        drop(queue);
        self.metrics.dropped.add(left as u64);
        left
    }

    fn active(&self) -> Vec<String> {
        self.snapshot().sets.iter().flat_map(|s| s.resolved().active).collect()
    }
}

/// The delivery task: one batch at a time while alerts are queued; after a stop request it
/// empties the queue and ends.
async fn run(inner: Arc<Inner>) {
    loop {
        loop {
            let batch = lock(&inner.queue).next_batch(inner.options.max_batch_size);
            if batch.is_empty() {
                break;
            }
            if !send_all(&inner, &batch).await {
                inner.metrics.dropped.add(batch.len() as u64);
            }
        }
        if inner.stopping.load(Ordering::Acquire) {
            break;
        }
        inner.more.notified().await;
    }
    inner.finish();
    tracing::info!("notification manager stopped");
}

/// Sends one batch to every Alertmanager of every set concurrently. True when at least one
/// Alertmanager took it (Prometheus 2.42's rule), or when there is no Alertmanager at all but
/// an in-process sink already has the alerts.
async fn send_all(inner: &Inner, batch: &[Alert]) -> bool {
    let state = inner.snapshot();
    let begin = Instant::now();
    let mut shared_payload: Option<Bytes> = None;
    let mut tasks = JoinSet::new();
    for set in &state.sets {
        let urls = set.resolved().active;
        if urls.is_empty() {
            continue;
        }
        let (payload, count) = if set.cfg.alert_relabel_configs.is_empty() {
            let payload = match &shared_payload {
                Some(p) => p.clone(),
                None => match encode(batch) {
                    Some(p) => shared_payload.insert(p).clone(),
                    None => return false,
                },
            };
            (payload, batch.len())
        } else {
            let own = relabel_alerts(batch.to_vec(), &Default::default(), &set.cfg.alert_relabel_configs);
            if own.is_empty() {
                continue;
            }
            match encode(&own) {
                Some(p) => (p, own.len()),
                None => return false,
            }
        };
        for url in urls {
            let metrics = inner.metrics.for_alertmanager(&url);
            let (client, cfg, payload) = (set.client.clone(), set.cfg.clone(), payload.clone());
            tasks.spawn_on(
                async move {
                    let result = post(&client, &url, payload, cfg.timeout_ms).await;
                    metrics.latency.observe(begin.elapsed().as_secs_f64());
                    match result {
                        Ok(()) => {
                            metrics.sent.add(count as u64);
                            true
                        }
                        Err(e) => {
                            tracing::error!(alertmanager = %url, count, error = %e, "error sending alerts");
                            metrics.errors.add(count as u64);
                            false
                        }
                    }
                },
                &inner.runtime,
            );
        }
    }
    if tasks.is_empty() {
        return !inner.sinks.read().unwrap_or_else(|p| p.into_inner()).is_empty();
    }
    let mut delivered = false;
    while let Some(done) = tasks.join_next().await {
        delivered |= done.unwrap_or(false);
    }
    delivered
}

fn encode(alerts: &[Alert]) -> Option<Bytes> {
    match serde_json::to_vec(alerts) {
        Ok(v) => Some(Bytes::from(v)),
        Err(e) => {
            tracing::error!(error = %e, "encoding alerts for Alertmanager API v2 failed");
            None
        }
    }
}

/// Follows file_sd changes until the notifier goes away.
async fn discover(inner: Weak<Inner>, every: Duration) {
    let every = every.max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(every).await;
        let Some(inner) = inner.upgrade() else { return };
        if inner.stopping.load(Ordering::Acquire) {
            return;
        }
        for set in &inner.snapshot().sets {
            if !set.cfg.file_sd_configs.is_empty() {
                set.rediscover(false);
            }
        }
    }
}
