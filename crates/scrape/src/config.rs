//! The scrape part of prometheus.yml: `global` and `scrape_configs`, read with the same fields,
//! defaults and validation rules as Prometheus 2.42; the HTTP client fields are
//! [`promconfig`]'s. Fields Prometheus knows but Vigil does not implement (other service
//! discoveries, native-histogram settings) are accepted and reported as warnings,
//! so an existing file always loads; fields nobody knows are errors with their line, so typos
//! are caught like `promtool check config` catches them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use crate::duration::Duration;
use crate::relabel::{RelabelConfig, is_valid_label_name};

/// A configuration problem with the position it was found at.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}:{line}: {message}")]
pub struct ConfigError {
    pub origin: String,
    pub line: u64,
    pub message: String,
}

/// `global:` as far as scraping (and the other signal paths) read it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalConfig {
    #[serde(default = "default_interval")]
    pub scrape_interval: Duration,
    #[serde(default = "default_timeout")]
    pub scrape_timeout: Duration,
    #[serde(default = "default_interval")]
    pub evaluation_interval: Duration,
    #[serde(default)]
    pub external_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub query_log_file: Option<String>,
    #[serde(default)]
    pub body_size_limit: Option<ByteSize>,
    #[serde(default)]
    pub sample_limit: u64,
    #[serde(default)]
    pub target_limit: u64,
    #[serde(default)]
    pub label_limit: u64,
    #[serde(default)]
    pub label_name_length_limit: u64,
    #[serde(default)]
    pub label_value_length_limit: u64,
    #[serde(default)]
    pub keep_dropped_targets: u64,
    #[serde(default)]
    pub scrape_protocols: Option<IgnoredAny>,
    #[serde(default)]
    pub metric_name_validation_scheme: Option<String>,
    #[serde(default)]
    pub rule_query_offset: Option<Duration>,
}

fn default_interval() -> Duration {
    Duration(60_000)
}

fn default_timeout() -> Duration {
    Duration(10_000)
}

impl Default for GlobalConfig {
    fn default() -> Self {
        GlobalConfig {
            scrape_interval: default_interval(),
            scrape_timeout: default_timeout(),
            evaluation_interval: default_interval(),
            external_labels: BTreeMap::new(),
            query_log_file: None,
            body_size_limit: None,
            sample_limit: 0,
            target_limit: 0,
            label_limit: 0,
            label_name_length_limit: 0,
            label_value_length_limit: 0,
            keep_dropped_targets: 0,
            scrape_protocols: None,
            metric_name_validation_scheme: None,
            rule_query_offset: None,
        }
    }
}

pub use promconfig::http::{Authorization, BasicAuth, Header, OAuth2, TlsConfig};
pub use promconfig::{ByteSize, HttpClientConfig, Secret, parse_byte_size};

pub use promconfig::discovery::{FileSdConfig, StaticConfig};

promconfig::struct_with_discovery_and_http_client_fields! {
    /// One `scrape_configs` entry with Prometheus's fields. `Option<IgnoredAny>` fields are known to
    /// Prometheus but not implemented by Vigil: they load, and [`ScrapeConfig::unsupported`] names them.
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ScrapeConfig {
        pub job_name: Spanned<String>,
        #[serde(default)]
        pub honor_labels: bool,
        #[serde(default = "yes")]
        pub honor_timestamps: bool,
        #[serde(default)]
        pub track_timestamps_staleness: bool,
        #[serde(default)]
        pub params: BTreeMap<String, Vec<String>>,
        pub scrape_interval: Option<Duration>,
        pub scrape_timeout: Option<Spanned<Duration>>,
        #[serde(default = "default_metrics_path")]
        pub metrics_path: String,
        #[serde(default = "default_scheme")]
        pub scheme: Spanned<String>,
        pub body_size_limit: Option<ByteSize>,
        pub sample_limit: Option<u64>,
        pub target_limit: Option<u64>,
        pub label_limit: Option<u64>,
        pub label_name_length_limit: Option<u64>,
        pub label_value_length_limit: Option<u64>,
        pub keep_dropped_targets: Option<u64>,
        #[serde(default)]
        pub enable_compression: Option<bool>,


        #[serde(default)]
        pub relabel_configs: Vec<RelabelConfig>,
        #[serde(default)]
        pub metric_relabel_configs: Vec<RelabelConfig>,

        pub scrape_protocols: Option<IgnoredAny>,
        pub fallback_scrape_protocol: Option<IgnoredAny>,
        pub scrape_classic_histograms: Option<bool>,
        pub native_histogram_bucket_limit: Option<IgnoredAny>,
        pub native_histogram_min_bucket_factor: Option<IgnoredAny>,
        pub convert_classic_histograms_to_nhcb: Option<IgnoredAny>,
        pub always_scrape_classic_histograms: Option<IgnoredAny>,
        pub metric_name_validation_scheme: Option<String>,
        pub metric_name_escaping_scheme: Option<String>,

    }
}

fn yes() -> bool {
    true
}

fn default_metrics_path() -> String {
    "/metrics".into()
}

fn default_scheme() -> Spanned<String> {
    Spanned::new("http".into(), serde_saphyr::Location::UNKNOWN, serde_saphyr::Location::UNKNOWN)
}

/// A scrape job with global defaults applied and every limit resolved: what the scrape
/// manager runs. Two jobs compare equal exactly when a reload may keep their loops running.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub name: String,
    pub interval_ms: i64,
    pub timeout_ms: i64,
    pub metrics_path: String,
    pub scheme: String,
    pub params: BTreeMap<String, Vec<String>>,
    pub honor_labels: bool,
    pub honor_timestamps: bool,
    pub limits: Limits,
    pub http: HttpSettings,
    pub static_configs: Vec<StaticConfig>,
    pub file_sd_configs: Vec<FileSdConfig>,
    pub relabel_configs: Vec<RelabelConfig>,
    pub metric_relabel_configs: Vec<RelabelConfig>,
    /// Parts of the job Vigil reads but does not act on (named in a warning at load).
    pub unsupported: Vec<&'static str>,
}

/// Per-scrape limits; 0 means none, as in Prometheus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    pub sample_limit: u64,
    pub target_limit: u64,
    pub label_limit: u64,
    pub label_name_length_limit: u64,
    pub label_value_length_limit: u64,
    pub body_size_limit: u64,
}

/// How a job's HTTP client authenticates, verifies and compresses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpSettings {
    /// The job's `http_config` fields, validated.
    pub client: HttpClientConfig,
    /// `enable_compression`: ask for gzip.
    pub compression: bool,
}

impl ScrapeConfig {
    /// Names the fields that load but have no effect in Vigil.
    pub fn unsupported(&self) -> Vec<&'static str> {
        let known: [(&'static str, bool); 7] = [
            ("scrape_protocols", self.scrape_protocols.is_some()),
            ("fallback_scrape_protocol", self.fallback_scrape_protocol.is_some()),
            ("native_histogram_bucket_limit", self.native_histogram_bucket_limit.is_some()),
            ("native_histogram_min_bucket_factor", self.native_histogram_min_bucket_factor.is_some()),
            ("convert_classic_histograms_to_nhcb", self.convert_classic_histograms_to_nhcb.is_some()),
            ("always_scrape_classic_histograms", self.always_scrape_classic_histograms.is_some()),
            ("track_timestamps_staleness", self.track_timestamps_staleness),
        ];
        let mut out: Vec<&'static str> = known.into_iter().filter(|(_, present)| *present).map(|(n, _)| n).collect();
        out.extend(self.unsupported_discoveries());
        out
    }
}

/// Resolves `scrape_configs` against `global`, checking what Prometheus checks: unique job
/// names, timeout not above interval, scheme, label names, and authentication combinations.
pub fn resolve_jobs(global: &GlobalConfig, configs: &[ScrapeConfig], origin: &str) -> Result<Vec<Job>, ConfigError> {
    let mut jobs: Vec<Job> = Vec::with_capacity(configs.len());
    for sc in configs {
        let at = |line: u64, message: String| ConfigError { origin: origin.to_string(), line, message };
        let job_line = sc.job_name.referenced.line();
        let name = sc.job_name.value.clone();
        if name.is_empty() {
            return Err(at(job_line, "job_name is empty".into()));
        }
        if jobs.iter().any(|j| j.name == name) {
            return Err(at(job_line, format!("found multiple scrape configs with job name {name:?}")));
        }
        let interval_ms = sc.scrape_interval.map_or(global.scrape_interval.ms(), Duration::ms);
        let timeout_ms = match &sc.scrape_timeout {
            Some(t) => {
                if t.value.ms() > interval_ms {
                    return Err(at(
                        t.referenced.line(),
                        format!(
                            "scrape timeout {} greater than scrape interval {} for scrape config with job name {name:?}",
                            t.value,
                            Duration(interval_ms)
                        ),
                    ));
                }
                t.value.ms()
            }
            // Prometheus: the global timeout, capped at this job's interval.
            None => global.scrape_timeout.ms().min(interval_ms),
        };
        if interval_ms <= 0 {
            return Err(at(job_line, format!("scrape interval for job {name:?} must be greater than 0")));
        }
        let scheme = sc.scheme.value.clone();
        if scheme != "http" && scheme != "https" {
            return Err(at(
                sc.scheme.referenced.line(),
                format!("unsupported scheme {scheme:?} for scrape config with job name {name:?} (use http or https)"),
            ));
        }
        for sc_static in &sc.static_configs {
            for label in sc_static.labels.keys() {
                if !is_valid_label_name(label) {
                    return Err(at(
                        job_line,
                        format!("{label:?} is not a valid label name in static_configs of job {name:?}"),
                    ));
                }
            }
        }
        for f in sc.file_sd_configs.iter().flat_map(|c| c.files.iter()) {
            crate::discovery::validate_pattern(f).map_err(|m| at(job_line, format!("job {name:?}: {m}")))?;
        }
        let http = http_settings(sc).map_err(|m| at(job_line, format!("job {name:?}: {m}")))?;
        let pick = |own: Option<u64>, global: u64| own.unwrap_or(global);
        jobs.push(Job {
            name,
            interval_ms,
            timeout_ms,
            metrics_path: sc.metrics_path.clone(),
            scheme,
            params: sc.params.clone(),
            honor_labels: sc.honor_labels,
            honor_timestamps: sc.honor_timestamps,
            limits: Limits {
                sample_limit: pick(sc.sample_limit, global.sample_limit),
                target_limit: pick(sc.target_limit, global.target_limit),
                label_limit: pick(sc.label_limit, global.label_limit),
                label_name_length_limit: pick(sc.label_name_length_limit, global.label_name_length_limit),
                label_value_length_limit: pick(sc.label_value_length_limit, global.label_value_length_limit),
                body_size_limit: sc.body_size_limit.or(global.body_size_limit).map_or(0, |b| b.0),
            },
            http,
            static_configs: sc.static_configs.clone(),
            file_sd_configs: sc.file_sd_configs.clone(),
            relabel_configs: sc.relabel_configs.clone(),
            metric_relabel_configs: sc.metric_relabel_configs.clone(),
            unsupported: sc.unsupported(),
        });
    }
    Ok(jobs)
}

fn http_settings(sc: &ScrapeConfig) -> Result<HttpSettings, promconfig::HttpConfigError> {
    let client = sc.http_client_config();
    client.validate()?;
    Ok(HttpSettings { client, compression: sc.enable_compression.unwrap_or(true) })
}

#[cfg(test)]
mod tests;
