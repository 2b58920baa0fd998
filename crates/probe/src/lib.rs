//! Vigil's built-in blackbox prober: blackbox_exporter 0.23.0's `http` and `tcp` modules, served
//! at `/probe?module=<name>&target=<target>` with the same series, so the usual Prometheus
//! relabelling recipe works with Vigil as the prober.
//!
//! The flow is `handler` (HTTP parameters, timeout header) → [`run_probe`] (module lookup,
//! deadline) → `http_probe` / `tcp_probe` (which share `resolve`, `connect` and `tls`) →
//! `metrics::ProbeMetrics::render`.

mod config;
mod connect;
mod duration;
mod handler;
mod http_probe;
mod httpdate;
mod metrics;
mod resolve;
mod tcp_probe;
mod tls;
mod x509;

use std::time::{Duration, Instant};

pub use config::{
    Authorization, BasicAuth, ConfigError, HeaderMatch, HttpProbe, Module, Modules, QueryResponse, Regex, TcpProbe,
    TlsConfig,
};
pub use handler::{PATH, router};
pub use metrics::format_go_float;

/// Seconds blackbox subtracts from the scrape timeout so the answer arrives before Prometheus
/// gives up (its `--timeout-offset` default).
pub const TIMEOUT_OFFSET_SECONDS: f64 = 0.5;

/// Why a probe request could not run at all (blackbox answers these with an error status, not
/// with `probe_success 0`).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProbeError {
    /// No module of that name is configured.
    #[error("Unknown module {0:?}")]
    UnknownModule(String),
    /// The module names a prober Vigil does not run.
    #[error("Unknown prober {0:?}")]
    UnknownProber(String),
    /// The `target` parameter is empty or absent.
    #[error("Target parameter is missing")]
    MissingTarget,
    /// The `hostname` parameter conflicts with the module's Host header.
    #[error(
        "host header defined both in module configuration ({configured}) and with URL-parameter 'hostname' ({requested})"
    )]
    HostConflict { configured: String, requested: String },
}

/// Runs one probe and returns the text exposition (0.0.4) of the probe_* metrics, as
/// blackbox_exporter's /probe returns them. `scrape_timeout_seconds` comes from the
/// X-Prometheus-Scrape-Timeout-Seconds request header.
pub async fn run_probe(
    modules: &Modules,
    module: &str,
    target: &str,
    scrape_timeout_seconds: Option<f64>,
) -> Result<String, ProbeError> {
    let name = if module.is_empty() { "http_2xx" } else { module };
    let m = modules.get(name).ok_or_else(|| ProbeError::UnknownModule(name.to_string()))?;
    run_module(m, target, scrape_timeout_seconds).await
}

/// Runs `module` against `target`; the module is already chosen (and possibly adjusted, e.g. by
/// the `hostname` parameter).
pub async fn run_module(
    module: &Module,
    target: &str,
    scrape_timeout_seconds: Option<f64>,
) -> Result<String, ProbeError> {
    if target.is_empty() {
        return Err(ProbeError::MissingTarget);
    }
    if module.prober != "http" && module.prober != "tcp" {
        return Err(ProbeError::UnknownProber(module.prober.clone()));
    }
    let timeout = probe_timeout(module.timeout, scrape_timeout_seconds);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut m = metrics::ProbeMetrics::default();
    m.register("probe_success", "Displays whether or not the probe was a success");
    m.register("probe_duration_seconds", "Returns how long the probe took to complete in seconds");
    let start = Instant::now();
    let success = match module.prober.as_str() {
        "http" => http_probe::probe(target, &module.http, deadline, &mut m).await,
        _ => tcp_probe::probe(target, &module.tcp, deadline, &mut m).await,
    };
    let elapsed = start.elapsed().as_secs_f64();
    m.set("probe_duration_seconds", "", elapsed);
    m.set("probe_success", "", if success { 1.0 } else { 0.0 });
    tracing::debug!(prober = %module.prober, target, success, duration_seconds = elapsed, "probe finished");
    Ok(m.render())
}

/// blackbox's `getTimeout`: the scrape timeout (120 s when absent) minus the offset, replaced by
/// the module's timeout when that is set and smaller (or when the difference is negative).
pub fn probe_timeout(module_timeout: Option<Duration>, scrape_timeout_seconds: Option<f64>) -> Duration {
    let scrape = match scrape_timeout_seconds {
        Some(s) if s != 0.0 => s,
        _ => 120.0,
    };
    let max = scrape - TIMEOUT_OFFSET_SECONDS;
    let module = module_timeout.map_or(0.0, |d| d.as_secs_f64());
    let seconds = if (module < max && module > 0.0) || max < 0.0 { module } else { max };
    Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_rules() {
        assert_eq!(probe_timeout(None, None), Duration::from_secs_f64(119.5));
        assert_eq!(probe_timeout(None, Some(10.0)), Duration::from_secs_f64(9.5));
        assert_eq!(probe_timeout(Some(Duration::from_secs(5)), Some(10.0)), Duration::from_secs(5));
        assert_eq!(probe_timeout(Some(Duration::from_secs(20)), Some(10.0)), Duration::from_secs_f64(9.5));
        assert_eq!(probe_timeout(Some(Duration::from_secs(2)), Some(0.2)), Duration::from_secs(2));
    }

    #[tokio::test]
    async fn request_errors_match_blackbox() {
        let modules = Modules::builtin();
        assert_eq!(run_probe(&modules, "nope", "x", None).await, Err(ProbeError::UnknownModule("nope".into())));
        assert_eq!(run_probe(&modules, "http_2xx", "", None).await, Err(ProbeError::MissingTarget));
        assert_eq!(run_probe(&modules, "icmp", "x", None).await, Err(ProbeError::UnknownProber("icmp".into())));
        assert_eq!(ProbeError::UnknownModule("nope".into()).to_string(), "Unknown module \"nope\"");
    }
}
