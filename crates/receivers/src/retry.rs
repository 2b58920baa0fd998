//! Delivery with retries, as Alertmanager's `RetryStage`: the first attempt at once, then
//! exponential backoff with jitter (its `cenkalti/backoff` defaults: 500 ms growing ×1.5 up
//! to 60 s, ±50 %), until an attempt succeeds, one fails for good, or the notification's time
//! is up. Each attempt is also bounded on its own, so one hung endpoint cannot use up the
//! whole budget.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{AttemptError, NotifyError};
use crate::metrics::IntegrationMetrics;

/// Timing of deliveries.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryOptions {
    /// Longest a notification may take over all its attempts. Alertmanager bounds it by the
    /// dispatcher's context: the group's `group_interval`, but at least 10 s.
    pub total_timeout: Duration,
    /// Longest one attempt may take.
    pub attempt_timeout: Duration,
    /// Wait before the second attempt.
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// Growth of the wait per attempt.
    pub multiplier: f64,
    /// Relative jitter of each wait (0.5: ±50 %).
    pub jitter: f64,
    /// Where PagerDuty v1 (`service_key`) events go; Alertmanager's fixed endpoint by default.
    pub pagerduty_v1_url: String,
}

/// PagerDuty's v1 generic events endpoint, which Alertmanager 0.25 posts `service_key` events to.
pub const PAGERDUTY_V1_URL: &str = "https://events.pagerduty.com/generic/2010-04-15/create_event.json";

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            total_timeout: Duration::from_secs(5 * 60),
            attempt_timeout: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            multiplier: 1.5,
            jitter: 0.5,
            pagerduty_v1_url: PAGERDUTY_V1_URL.to_string(),
        }
    }
}

/// A small xorshift generator for jitter; quality does not matter, only spreading retries.
struct Jitter(u64);

impl Jitter {
    fn new() -> Jitter {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Jitter((nanos as u64) | 1)
    }

    /// A number in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs `attempt` until it succeeds, fails for good or `deadline` passes, counting requests,
/// failures and latency in `metrics`.
pub async fn deliver<F, Fut>(
    options: &DeliveryOptions,
    deadline: Instant,
    metrics: Option<&IntegrationMetrics>,
    mut attempt: F,
) -> Result<u32, NotifyError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), AttemptError>>,
{
    let mut jitter = Jitter::new();
    let mut interval = options.initial_backoff.as_secs_f64();
    let mut attempts = 0;
    let mut previous: Option<AttemptError> = None;
    loop {
        attempts += 1;
        let now = Instant::now();
        let remaining = deadline.saturating_duration_since(now);
        let budget = remaining.min(options.attempt_timeout);
        let result = match tokio::time::timeout(budget, attempt()).await {
            Ok(r) => r,
            Err(_) => Err(AttemptError::Timeout(budget)),
        };
        if let Some(m) = metrics {
            m.latency.observe(now.elapsed().as_secs_f64());
            m.requests.inc();
        }
        let cause = match result {
            Ok(()) => return Ok(attempts),
            Err(e) => e,
        };
        if let Some(m) = metrics {
            m.requests_failed.inc();
        }
        if !cause.is_retryable() {
            return Err(NotifyError::Unrecoverable { attempts, cause });
        }
        // Cut short by the notification's deadline rather than by its own timeout: the
        // failure worth reporting is the previous attempt's, as Alertmanager reports the
        // last integration error when its context expires.
        if matches!(cause, AttemptError::Timeout(_)) && remaining < options.attempt_timeout {
            let cause = previous.unwrap_or(cause);
            return Err(NotifyError::GaveUp { attempts, cause });
        }
        let spread = interval * options.jitter;
        let wait = Duration::from_secs_f64((interval - spread + 2.0 * spread * jitter.next()).max(0.0));
        interval = (interval * options.multiplier).min(options.max_backoff.as_secs_f64());
        if Instant::now() + wait >= deadline {
            return Err(NotifyError::GaveUp { attempts, cause });
        }
        tracing::debug!(attempts, error = %cause, ?wait, "notify attempt failed, will retry");
        previous = Some(cause);
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn fast() -> DeliveryOptions {
        DeliveryOptions {
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..DeliveryOptions::default()
        }
    }

    #[tokio::test]
    async fn retries_until_success() {
        let n = AtomicU32::new(0);
        let deadline = Instant::now() + Duration::from_secs(5);
        let r = deliver(&fast(), deadline, None, || async {
            if n.fetch_add(1, Ordering::SeqCst) < 2 { Err(AttemptError::Transport("reset".into())) } else { Ok(()) }
        })
        .await;
        assert_eq!(r.unwrap(), 3);
    }

    #[tokio::test]
    async fn stops_at_unrecoverable_errors_and_deadlines() {
        let deadline = Instant::now() + Duration::from_secs(5);
        let r = deliver(&fast(), deadline, None, || async { Err(AttemptError::Config("no url".into())) }).await;
        assert!(matches!(r, Err(NotifyError::Unrecoverable { attempts: 1, .. })));
        let deadline = Instant::now() + Duration::from_millis(100);
        let r = deliver(&fast(), deadline, None, || async { Err(AttemptError::Transport("down".into())) }).await;
        match r {
            Err(NotifyError::GaveUp { attempts, .. }) => assert!(attempts >= 2, "{attempts}"),
            other => panic!("{other:?}"),
        }
    }
}
