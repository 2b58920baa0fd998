//! The scrape manager: one pool per job, one loop per target. It applies a configuration
//! (keeping loops whose job did not change), follows discovery, and keeps each target's
//! health for the targets and metadata APIs.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration as StdDuration;

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tsdb::Db;

use crate::client::{build_client, fetch};
use crate::config::Job;
use crate::discovery::{FileSd, static_targets};
use crate::ingest::{IngestReport, Metadata, TargetIngest};
use crate::target::{Discovered, Outcome, Target, build};

/// How often file_sd files are checked for changes (and at least every refresh_interval).
const FILE_SD_POLL: StdDuration = StdDuration::from_secs(5);

/// Limits of the manager itself.
#[derive(Debug, Clone, Copy)]
pub struct ManagerOptions {
    /// Scrapes allowed to run at once across all targets; more wait their turn.
    pub max_concurrent_scrapes: usize,
}

impl Default for ManagerOptions {
    fn default() -> Self {
        ManagerOptions { max_concurrent_scrapes: 256 }
    }
}

/// A target's health as the targets API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Unknown,
    Up,
    Down,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Up => "up",
            Health::Down => "down",
        }
    }
}

/// What the last scrape of a target did.
#[derive(Debug, Clone)]
pub struct TargetStatus {
    pub health: Health,
    pub last_error: String,
    pub last_scrape_ms: Option<i64>,
    pub last_duration_s: f64,
    pub last_report: IngestReport,
    pub metadata: Arc<BTreeMap<String, Metadata>>,
}

impl Default for TargetStatus {
    fn default() -> Self {
        TargetStatus {
            health: Health::Unknown,
            last_error: String::new(),
            last_scrape_ms: None,
            last_duration_s: 0.0,
            last_report: IngestReport::default(),
            metadata: Arc::new(BTreeMap::new()),
        }
    }
}

/// An active target and its status.
#[derive(Debug, Clone)]
pub struct ActiveTarget {
    pub pool: String,
    pub target: Target,
    pub status: TargetStatus,
}

/// A discovered target that relabelling dropped, or that could not be built.
#[derive(Debug, Clone)]
pub struct DroppedTarget {
    pub pool: String,
    pub discovered: BTreeMap<String, String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    /// The target went away: write end-of-run staleness markers.
    Vanished,
    /// The job changed: hand the series cache to the replacing loop.
    Handoff,
    /// Vigil is stopping: just stop.
    Shutdown,
}

struct LoopHandle {
    target: Target,
    status: Arc<Mutex<TargetStatus>>,
    stop: watch::Sender<Stop>,
    task: JoinHandle<Option<TargetIngest>>,
}

struct Pool {
    job: Arc<Job>,
    client: httpclient::HttpClient,
    loops: HashMap<String, LoopHandle>,
    /// Series caches of the loops a reload replaced, by target key, until their targets restart.
    handoff: HashMap<String, TargetIngest>,
    dropped: Vec<DroppedTarget>,
    forced_error: Arc<Mutex<Option<ScrapeError>>>,
    discovery: Option<JoinHandle<()>>,
}

struct Shared {
    db: Arc<Db>,
    pools: Mutex<BTreeMap<String, Pool>>,
    permits: Arc<Semaphore>,
    metrics: Metrics,
}

#[derive(Clone)]
struct Metrics {
    scrapes: Arc<telemetry::Counter>,
    failures: Arc<telemetry::Counter>,
    samples: Arc<telemetry::Counter>,
}

/// Runs the scrape pools. Cheap to clone; all clones share the pools.
#[derive(Clone)]
pub struct ScrapeManager {
    shared: Arc<Shared>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ScrapeManager {
    pub fn new(db: Arc<Db>, options: ManagerOptions, registry: &telemetry::Registry) -> Self {
        let metrics = Metrics {
            scrapes: registry.counter("vigil_scrapes_total", "Scrapes attempted.", &[]),
            failures: registry.counter("vigil_scrape_failures_total", "Scrapes that failed (up = 0).", &[]),
            samples: registry.counter("vigil_scrape_samples_total", "Samples ingested from scrapes.", &[]),
        };
        let shared = Arc::new(Shared {
            db,
            pools: Mutex::new(BTreeMap::new()),
            permits: Arc::new(Semaphore::new(options.max_concurrent_scrapes.max(1))),
            metrics,
        });
        let weak = Arc::downgrade(&shared);
        registry.gauge_fn("vigil_scrape_targets", "Active scrape targets.", &[], move || {
            weak.upgrade().map_or(0.0, |s| lock(&s.pools).values().map(|p| p.loops.len()).sum::<usize>() as f64)
        });
        ScrapeManager { shared }
    }

    /// Applies a configuration: pools whose job is unchanged keep running untouched; changed
    /// pools restart their loops, handing each target's series cache to its new loop so no
    /// staleness marker is written for series that continue; removed pools stop and mark
    /// their series stale. Errors building a job's HTTP client are returned and nothing
    /// changes for that job.
    pub async fn apply(&self, jobs: Vec<Job>) -> Result<(), ApplyError> {
        let mut clients = HashMap::new();
        for job in &jobs {
            let client = build_client(&job.http).map_err(|source| ApplyError { job: job.name.clone(), source })?;
            clients.insert(job.name.clone(), client);
            for note in &job.unsupported {
                tracing::warn!(job = %job.name, field = note, "scrape config field is not supported by Vigil and has no effect");
            }
        }
        // Phase 1: stop removed pools; ask loops of changed pools to hand over their caches.
        let mut changed: Vec<(Job, Vec<LoopHandle>)> = Vec::new();
        {
            let mut pools = lock(&self.shared.pools);
            let wanted: Vec<String> = jobs.iter().map(|j| j.name.clone()).collect();
            let removed: Vec<String> = pools.keys().filter(|k| !wanted.contains(k)).cloned().collect();
            for name in removed {
                if let Some(pool) = pools.remove(&name) {
                    stop_pool(pool, Stop::Vanished);
                }
            }
            for job in jobs {
                let mut old_loops = Vec::new();
                if let Some(pool) = pools.get_mut(&job.name) {
                    if *pool.job == job {
                        continue;
                    }
                    if let Some(d) = pool.discovery.take() {
                        d.abort();
                    }
                    for (_, h) in pool.loops.drain() {
                        let _ = h.stop.send(Stop::Handoff);
                        old_loops.push(h);
                    }
                }
                changed.push((job, old_loops));
            }
        }
        // Phase 2: wait for the handed-over caches (each loop finishes its scrape in flight).
        let mut prepared = Vec::new();
        for (job, old_loops) in changed {
            let mut caches = HashMap::new();
            for h in old_loops {
                let key = h.target.key();
                if let Ok(Some(ingest)) = h.task.await {
                    caches.insert(key, ingest);
                }
            }
            prepared.push((job, caches));
        }
        // Phase 3: install the new pools and start their discovery.
        let mut pools = lock(&self.shared.pools);
        for (job, caches) in prepared {
            let name = job.name.clone();
            let Some(client) = clients.remove(&name) else {
                // Every job's client was built above; a missing one is a broken invariant.
                tracing::error!(job = %name, "BUG: no HTTP client was built for this job; it is not started");
                continue;
            };
            let job = Arc::new(job);
            let pool = Pool {
                job: job.clone(),
                client,
                loops: HashMap::new(),
                handoff: caches,
                dropped: Vec::new(),
                forced_error: Arc::new(Mutex::new(None)),
                discovery: Some(self.spawn_discovery(job)),
            };
            pools.insert(name, pool);
        }
        Ok(())
    }

    /// Stops every loop without writing staleness markers (Vigil is shutting down).
    pub fn shutdown(&self) {
        let mut pools = lock(&self.shared.pools);
        for (_, pool) in std::mem::take(&mut *pools) {
            stop_pool(pool, Stop::Shutdown);
        }
    }

    /// Active targets with their status, by pool then URL.
    pub fn active_targets(&self) -> Vec<ActiveTarget> {
        let pools = lock(&self.shared.pools);
        let mut out = Vec::new();
        for (name, pool) in pools.iter() {
            let mut loops: Vec<&LoopHandle> = pool.loops.values().collect();
            loops.sort_by(|a, b| a.target.url.cmp(&b.target.url));
            for h in loops {
                out.push(ActiveTarget {
                    pool: name.clone(),
                    target: h.target.clone(),
                    status: lock(&h.status).clone(),
                });
            }
        }
        out
    }

    /// Targets dropped by relabelling or invalid, by pool.
    pub fn dropped_targets(&self) -> Vec<DroppedTarget> {
        lock(&self.shared.pools).values().flat_map(|p| p.dropped.iter().cloned()).collect()
    }

    /// Names of the scrape pools (jobs).
    pub fn pools(&self) -> Vec<String> {
        lock(&self.shared.pools).keys().cloned().collect()
    }

    fn spawn_discovery(&self, job: Arc<Job>) -> JoinHandle<()> {
        let manager = self.clone();
        tokio::spawn(async move {
            let statics = static_targets(&job.static_configs);
            let mut file_sd = FileSd::new(&job.file_sd_configs);
            let has_files = !job.file_sd_configs.is_empty();
            file_sd.refresh();
            manager.sync(&job, statics.iter().cloned().chain(file_sd.targets()).collect());
            if !has_files {
                return;
            }
            let refresh_ms = job.file_sd_configs.iter().map(|c| c.refresh_interval.ms()).min().unwrap_or(300_000);
            let poll = FILE_SD_POLL.min(StdDuration::from_millis(refresh_ms.max(1) as u64));
            loop {
                tokio::time::sleep(poll).await;
                if file_sd.refresh() {
                    manager.sync(&job, statics.iter().cloned().chain(file_sd.targets()).collect());
                }
            }
        })
    }

    /// Makes a pool's loops match its discovered targets.
    fn sync(&self, job: &Arc<Job>, found: Vec<Discovered>) {
        let mut pools = lock(&self.shared.pools);
        let Some(pool) = pools.get_mut(&job.name) else { return };
        if !Arc::ptr_eq(&pool.job, job) {
            return;
        }
        let mut active: BTreeMap<String, Target> = BTreeMap::new();
        let mut dropped = Vec::new();
        for d in &found {
            match build(job, d) {
                Outcome::Active(t) => {
                    active.entry(t.key()).or_insert(t);
                }
                Outcome::Dropped(discovered) => {
                    dropped.push(DroppedTarget { pool: job.name.clone(), discovered, error: None })
                }
                Outcome::Invalid { discovered, error } => {
                    tracing::warn!(job = %job.name, %error, "invalid target");
                    dropped.push(DroppedTarget { pool: job.name.clone(), discovered, error: Some(error.to_string()) })
                }
            }
        }
        pool.dropped = dropped;
        let limit = job.limits.target_limit;
        *lock(&pool.forced_error) = (limit > 0 && active.len() as u64 > limit)
            .then_some(ScrapeError::TargetLimit { targets: active.len(), limit });
        let gone: Vec<String> = pool.loops.keys().filter(|k| !active.contains_key(*k)).cloned().collect();
        for key in gone {
            if let Some(h) = pool.loops.remove(&key) {
                let _ = h.stop.send(Stop::Vanished);
            }
        }
        for (key, target) in active {
            if pool.loops.contains_key(&key) {
                continue;
            }
            let ingest = pool.handoff.remove(&key);
            let handle = self.start_loop(pool, target, ingest);
            pool.loops.insert(key, handle);
        }
        pool.handoff.clear();
    }

    fn start_loop(&self, pool: &Pool, target: Target, ingest: Option<TargetIngest>) -> LoopHandle {
        let public: Vec<(String, String)> = target.public_labels().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut ingest = ingest.unwrap_or_else(|| TargetIngest::new(&pool.job, public.clone()));
        ingest.reconfigure(&pool.job);
        let status = Arc::new(Mutex::new(TargetStatus::default()));
        let (stop, stop_rx) = watch::channel(Stop::Running);
        let ctx = LoopContext {
            shared: self.shared.clone(),
            job: pool.job.clone(),
            client: pool.client.clone(),
            target: target.clone(),
            status: status.clone(),
            forced_error: pool.forced_error.clone(),
        };
        let task = tokio::spawn(run_loop(ctx, ingest, stop_rx));
        LoopHandle { target, status, stop, task }
    }
}

fn stop_pool(mut pool: Pool, how: Stop) {
    if let Some(d) = pool.discovery.take() {
        d.abort();
    }
    for (_, h) in pool.loops.drain() {
        let _ = h.stop.send(how);
        if how == Stop::Shutdown {
            h.task.abort();
        }
    }
}

struct LoopContext {
    shared: Arc<Shared>,
    job: Arc<Job>,
    client: httpclient::HttpClient,
    target: Target,
    status: Arc<Mutex<TargetStatus>>,
    forced_error: Arc<Mutex<Option<ScrapeError>>>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Milliseconds until this target's first scrape: a per-target offset into the interval (from a
/// hash of the target), so targets spread evenly instead of all scraping at once.
fn initial_delay_ms(target: &Target, now: i64) -> i64 {
    let interval = target.interval_ms.max(1);
    let offset = (xxhash_rust::xxh3::xxh3_64(target.key().as_bytes()) % interval as u64) as i64;
    let base = now - now.rem_euclid(interval);
    let mut first = base + offset;
    if first < now {
        first += interval;
    }
    first - now
}

async fn run_loop(ctx: LoopContext, mut ingest: TargetIngest, mut stop: watch::Receiver<Stop>) -> Option<TargetIngest> {
    let interval = StdDuration::from_millis(ctx.target.interval_ms.max(1) as u64);
    let start = tokio::time::Instant::now() + StdDuration::from_millis(initial_delay_ms(&ctx.target, now_ms()) as u64);
    let mut next = start;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() != Stop::Running {
            break;
        }
        ingest = scrape_once(&ctx, ingest).await;
        next += interval;
        let now = tokio::time::Instant::now();
        while next <= now {
            next += interval;
        }
    }
    let how = *stop.borrow();
    match how {
        Stop::Handoff => Some(ingest),
        Stop::Vanished => {
            // Like Prometheus: the series end where the next scrape would have been.
            tokio::time::sleep_until(next).await;
            let ts = now_ms();
            let db = ctx.shared.db.clone();
            let _ = tokio::task::spawn_blocking(move || ingest.end_of_run_staleness(&db, ts)).await;
            None
        }
        Stop::Running | Stop::Shutdown => None,
    }
}

/// A job whose HTTP client cannot be built (unreadable TLS files, bad proxy): the whole
/// configuration is refused and the running jobs stay as they were.
#[derive(Debug, thiserror::Error)]
#[error("job {job:?}: {source}")]
pub struct ApplyError {
    pub job: String,
    pub source: crate::client::FetchError,
}

/// Why one scrape failed; its text is the target's `lastError`.
#[derive(Debug, Clone, thiserror::Error)]
enum ScrapeError {
    /// The pool has more targets than `target_limit`: every scrape of it fails.
    #[error("target_limit exceeded (number of targets: {targets}, limit: {limit})")]
    TargetLimit { targets: usize, limit: u64 },
    #[error(transparent)]
    Fetch(Arc<crate::client::FetchError>),
    #[error(transparent)]
    Ingest(Arc<crate::ingest::IngestError>),
}

async fn scrape_once(ctx: &LoopContext, ingest: TargetIngest) -> TargetIngest {
    let _permit = ctx.shared.permits.acquire().await;
    let ts = now_ms();
    let began = std::time::Instant::now();
    ctx.shared.metrics.scrapes.inc();
    let forced = lock(&ctx.forced_error).clone();
    let fetched = match forced {
        Some(e) => Err(e),
        None => {
            fetch(&ctx.client, &ctx.job.http, &ctx.target.url, ctx.target.timeout_ms, ctx.job.limits.body_size_limit)
                .await
                .map_err(|e| ScrapeError::Fetch(Arc::new(e)))
        }
    };
    let db = ctx.shared.db.clone();
    let work = tokio::task::spawn_blocking(move || {
        let mut ingest = ingest;
        let result = match fetched {
            Ok(f) => {
                ingest.ingest(&db, &f.body, f.content_type.as_deref(), ts).map_err(|e| ScrapeError::Ingest(Arc::new(e)))
            }
            Err(e) => Err(e),
        };
        let report = match &result {
            Ok(r) => *r,
            Err(_) => {
                if let Err(e) = ingest.mark_all_stale(&db, ts) {
                    tracing::warn!(error = %e, "cannot write staleness markers");
                }
                IngestReport::default()
            }
        };
        let duration = began.elapsed().as_secs_f64();
        if let Err(e) = ingest.report(&db, ts, result.is_ok(), duration, &report) {
            tracing::warn!(error = %e, "cannot write scrape report series");
        }
        let metadata = ingest.metadata().clone();
        (ingest, result, report, duration, metadata)
    });
    let (ingest, result, report, duration, metadata) = match work.await {
        Ok(v) => v,
        Err(e) => {
            // Only a panic in ingestion gets here; the cache went with it, so start afresh.
            tracing::error!(error = %e, url = %ctx.target.url, "scrape ingestion failed");
            let public: Vec<(String, String)> =
                ctx.target.public_labels().map(|(k, v)| (k.clone(), v.clone())).collect();
            return TargetIngest::new(&ctx.job, public);
        }
    };
    ctx.shared.metrics.samples.add(report.post_relabel);
    let mut st = lock(&ctx.status);
    st.last_scrape_ms = Some(ts);
    st.last_duration_s = duration;
    st.last_report = report;
    match result {
        Ok(_) => {
            st.health = Health::Up;
            st.last_error.clear();
            st.metadata = metadata;
        }
        Err(e) => {
            ctx.shared.metrics.failures.inc();
            tracing::debug!(url = %ctx.target.url, error = %e, "scrape failed");
            st.health = Health::Down;
            st.last_error = e.to_string();
        }
    }
    ingest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(i: usize, interval_ms: i64) -> Target {
        let mut labels = BTreeMap::new();
        labels.insert("__address__".to_string(), format!("host-{i}:9100"));
        Target {
            labels: labels.clone(),
            discovered: labels,
            url: format!("http://host-{i}:9100/metrics"),
            interval_ms,
            timeout_ms: 1000,
        }
    }

    #[test]
    fn first_scrapes_spread_over_the_interval_and_stay_put() {
        let interval = 15_000;
        let now = 1_700_000_000_123;
        let delays: Vec<i64> = (0..1000).map(|i| initial_delay_ms(&target(i, interval), now)).collect();
        assert!(delays.iter().all(|d| (0..interval).contains(d)), "every first scrape within one interval");
        // Spread: each tenth of the interval gets roughly a tenth of the targets.
        let mut buckets = [0usize; 10];
        for d in &delays {
            buckets[(*d * 10 / interval) as usize] += 1;
        }
        assert!(buckets.iter().all(|&n| (50..=150).contains(&n)), "uneven spread: {buckets:?}");
        // The phase is a property of the target: the same slot after a restart or reload.
        let later = now + 7 * interval + 4_321;
        for i in 0..50 {
            let t = target(i, interval);
            assert_eq!((now + initial_delay_ms(&t, now)) % interval, (later + initial_delay_ms(&t, later)) % interval);
        }
    }
}
