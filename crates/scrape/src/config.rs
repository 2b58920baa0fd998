//! The scrape part of prometheus.yml: `global` and `scrape_configs`, read with the same fields,
//! defaults and validation rules as Prometheus 2.42. Fields Prometheus knows but Vigil does not
//! implement (other service discoveries, OAuth2, proxies) are accepted and reported as warnings,
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

/// A byte size as Prometheus writes it (`10MB`, `512KiB`, `0` = no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let s = match v {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s,
            _ => return Err(serde::de::Error::custom("a byte size must be written like 10MB or 512KiB")),
        };
        parse_byte_size(&s).map(ByteSize).map_err(serde::de::Error::custom)
    }
}

/// Parses `10MB`, `1GiB`, `512` (bytes). Units B, KB, MB, GB, TB, PB, EB use powers of 1024 like
/// Prometheus's units package; the `iB` spellings are accepted too.
pub fn parse_byte_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(format!("invalid byte size {s:?}: expected a number (examples: 10MB, 512KiB)"));
    }
    let n: u64 = t[..digits].parse().map_err(|_| format!("invalid byte size {s:?}: number too large"))?;
    let unit = t[digits..].trim().to_ascii_uppercase();
    let shift = match unit.as_str() {
        "" | "B" => 0,
        "KB" | "KIB" => 10,
        "MB" | "MIB" => 20,
        "GB" | "GIB" => 30,
        "TB" | "TIB" => 40,
        "PB" | "PIB" => 50,
        "EB" | "EIB" => 60,
        _ => return Err(format!("invalid byte size {s:?}: unknown unit (use B, KB, MB, GB, TB, PB or EB)")),
    };
    n.checked_mul(1u64 << shift).ok_or_else(|| format!("invalid byte size {s:?}: too large"))
}

/// `basic_auth:`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: Option<String>,
    pub username_file: Option<String>,
    pub password: Option<String>,
    pub password_file: Option<String>,
}

/// `authorization:` (type defaults to Bearer).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub credentials: Option<String>,
    pub credentials_file: Option<String>,
}

/// `tls_config:`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub ca: Option<String>,
    pub ca_file: Option<String>,
    pub cert: Option<String>,
    pub cert_file: Option<String>,
    pub key: Option<String>,
    pub key_file: Option<String>,
    pub server_name: Option<String>,
    #[serde(default)]
    pub insecure_skip_verify: bool,
    pub min_version: Option<String>,
    pub max_version: Option<String>,
}

/// `static_configs:` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticConfig {
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// `file_sd_configs:` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSdConfig {
    pub files: Vec<String>,
    #[serde(default = "default_refresh")]
    pub refresh_interval: Duration,
}

fn default_refresh() -> Duration {
    Duration(300_000)
}

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

    pub basic_auth: Option<BasicAuth>,
    pub authorization: Option<Authorization>,
    pub bearer_token: Option<String>,
    pub bearer_token_file: Option<String>,
    #[serde(default)]
    pub tls_config: TlsConfig,
    #[serde(default = "yes")]
    pub follow_redirects: bool,
    #[serde(default = "yes")]
    pub enable_http2: bool,
    pub oauth2: Option<IgnoredAny>,
    pub proxy_url: Option<String>,
    pub no_proxy: Option<IgnoredAny>,
    pub proxy_from_environment: Option<bool>,
    pub proxy_connect_header: Option<IgnoredAny>,
    pub http_headers: Option<IgnoredAny>,

    #[serde(default)]
    pub static_configs: Vec<StaticConfig>,
    #[serde(default)]
    pub file_sd_configs: Vec<FileSdConfig>,
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

    pub azure_sd_configs: Option<IgnoredAny>,
    pub consul_sd_configs: Option<IgnoredAny>,
    pub digitalocean_sd_configs: Option<IgnoredAny>,
    pub docker_sd_configs: Option<IgnoredAny>,
    pub dockerswarm_sd_configs: Option<IgnoredAny>,
    pub dns_sd_configs: Option<IgnoredAny>,
    pub ec2_sd_configs: Option<IgnoredAny>,
    pub eureka_sd_configs: Option<IgnoredAny>,
    pub gce_sd_configs: Option<IgnoredAny>,
    pub hetzner_sd_configs: Option<IgnoredAny>,
    pub http_sd_configs: Option<IgnoredAny>,
    pub ionos_sd_configs: Option<IgnoredAny>,
    pub kubernetes_sd_configs: Option<IgnoredAny>,
    pub kuma_sd_configs: Option<IgnoredAny>,
    pub lightsail_sd_configs: Option<IgnoredAny>,
    pub linode_sd_configs: Option<IgnoredAny>,
    pub marathon_sd_configs: Option<IgnoredAny>,
    pub nerve_sd_configs: Option<IgnoredAny>,
    pub nomad_sd_configs: Option<IgnoredAny>,
    pub openstack_sd_configs: Option<IgnoredAny>,
    pub ovhcloud_sd_configs: Option<IgnoredAny>,
    pub puppetdb_sd_configs: Option<IgnoredAny>,
    pub scaleway_sd_configs: Option<IgnoredAny>,
    pub serverset_sd_configs: Option<IgnoredAny>,
    pub triton_sd_configs: Option<IgnoredAny>,
    pub uyuni_sd_configs: Option<IgnoredAny>,
    pub vultr_sd_configs: Option<IgnoredAny>,
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

/// How a job's HTTP client authenticates and verifies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpSettings {
    pub basic_auth: Option<BasicAuth>,
    /// `(type, credentials or None, credentials_file or None)`.
    pub authorization: Option<(String, Option<String>, Option<String>)>,
    pub tls: TlsConfig,
    pub follow_redirects: bool,
    pub enable_http2: bool,
    pub compression: bool,
}

impl ScrapeConfig {
    /// Names the fields that load but have no effect in Vigil.
    pub fn unsupported(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let known: [(&'static str, bool); 34] = [
            ("oauth2", self.oauth2.is_some()),
            ("proxy_url", self.proxy_url.is_some()),
            ("no_proxy", self.no_proxy.is_some()),
            ("proxy_from_environment", self.proxy_from_environment == Some(true)),
            ("proxy_connect_header", self.proxy_connect_header.is_some()),
            ("http_headers", self.http_headers.is_some()),
            ("scrape_protocols", self.scrape_protocols.is_some()),
            ("fallback_scrape_protocol", self.fallback_scrape_protocol.is_some()),
            ("native_histogram_bucket_limit", self.native_histogram_bucket_limit.is_some()),
            ("native_histogram_min_bucket_factor", self.native_histogram_min_bucket_factor.is_some()),
            ("convert_classic_histograms_to_nhcb", self.convert_classic_histograms_to_nhcb.is_some()),
            ("always_scrape_classic_histograms", self.always_scrape_classic_histograms.is_some()),
            ("track_timestamps_staleness", self.track_timestamps_staleness),
            ("azure_sd_configs", self.azure_sd_configs.is_some()),
            ("consul_sd_configs", self.consul_sd_configs.is_some()),
            ("digitalocean_sd_configs", self.digitalocean_sd_configs.is_some()),
            ("docker_sd_configs", self.docker_sd_configs.is_some()),
            ("dockerswarm_sd_configs", self.dockerswarm_sd_configs.is_some()),
            ("dns_sd_configs", self.dns_sd_configs.is_some()),
            ("ec2_sd_configs", self.ec2_sd_configs.is_some()),
            ("eureka_sd_configs", self.eureka_sd_configs.is_some()),
            ("gce_sd_configs", self.gce_sd_configs.is_some()),
            ("hetzner_sd_configs", self.hetzner_sd_configs.is_some()),
            ("http_sd_configs", self.http_sd_configs.is_some()),
            ("ionos_sd_configs", self.ionos_sd_configs.is_some()),
            ("kubernetes_sd_configs", self.kubernetes_sd_configs.is_some()),
            ("kuma_sd_configs", self.kuma_sd_configs.is_some()),
            ("lightsail_sd_configs", self.lightsail_sd_configs.is_some()),
            ("linode_sd_configs", self.linode_sd_configs.is_some()),
            ("marathon_sd_configs", self.marathon_sd_configs.is_some()),
            ("nerve_sd_configs", self.nerve_sd_configs.is_some()),
            ("nomad_sd_configs", self.nomad_sd_configs.is_some()),
            ("openstack_sd_configs", self.openstack_sd_configs.is_some()),
            ("puppetdb_sd_configs", self.puppetdb_sd_configs.is_some()),
        ];
        let more: [(&'static str, bool); 9] = [
            ("tls_config.server_name", self.tls_config.server_name.is_some()),
            ("tls_config.min_version", self.tls_config.min_version.is_some()),
            ("tls_config.max_version", self.tls_config.max_version.is_some()),
            ("ovhcloud_sd_configs", self.ovhcloud_sd_configs.is_some()),
            ("scaleway_sd_configs", self.scaleway_sd_configs.is_some()),
            ("serverset_sd_configs", self.serverset_sd_configs.is_some()),
            ("triton_sd_configs", self.triton_sd_configs.is_some()),
            ("uyuni_sd_configs", self.uyuni_sd_configs.is_some()),
            ("vultr_sd_configs", self.vultr_sd_configs.is_some()),
        ];
        for (name, present) in known.into_iter().chain(more) {
            if present {
                out.push(name);
            }
        }
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

fn http_settings(sc: &ScrapeConfig) -> Result<HttpSettings, String> {
    let auth = ClientAuth {
        basic_auth: &sc.basic_auth,
        authorization: &sc.authorization,
        bearer_token: &sc.bearer_token,
        bearer_token_file: &sc.bearer_token_file,
        tls_config: &sc.tls_config,
        follow_redirects: sc.follow_redirects,
        enable_http2: sc.enable_http2,
    };
    auth.settings(sc.enable_compression.unwrap_or(true))
}

/// The authentication and TLS fields Prometheus's `HTTPClientConfig` shares between scrape
/// configs and Alertmanager configs, checked with its messages.
pub struct ClientAuth<'a> {
    pub basic_auth: &'a Option<BasicAuth>,
    pub authorization: &'a Option<Authorization>,
    pub bearer_token: &'a Option<String>,
    pub bearer_token_file: &'a Option<String>,
    pub tls_config: &'a TlsConfig,
    pub follow_redirects: bool,
    pub enable_http2: bool,
}

impl ClientAuth<'_> {
    /// Validates the combination and builds the client settings.
    pub fn settings(&self, compression: bool) -> Result<HttpSettings, String> {
        let bearer = self.bearer_token.is_some() || self.bearer_token_file.is_some();
        if self.bearer_token.is_some() && self.bearer_token_file.is_some() {
            return Err("at most one of bearer_token & bearer_token_file must be configured".into());
        }
        if self.basic_auth.is_some() && (bearer || self.authorization.is_some()) {
            return Err(
                "at most one of basic_auth, bearer_token & bearer_token_file, authorization must be configured".into(),
            );
        }
        if bearer && self.authorization.is_some() {
            return Err("authorization is not compatible with bearer_token & bearer_token_file".into());
        }
        if let Some(b) = self.basic_auth {
            if b.password.is_some() && b.password_file.is_some() {
                return Err("at most one of basic_auth password & password_file must be configured".into());
            }
            if b.username.is_some() && b.username_file.is_some() {
                return Err("at most one of basic_auth username & username_file must be configured".into());
            }
        }
        let authorization = if let Some(a) = self.authorization {
            if a.credentials.is_some() && a.credentials_file.is_some() {
                return Err("at most one of authorization credentials & credentials_file must be configured".into());
            }
            let kind = a.kind.clone().unwrap_or_else(|| "Bearer".into());
            if kind.eq_ignore_ascii_case("basic") {
                return Err("authorization type cannot be set to \"basic\", use \"basic_auth\" instead".into());
            }
            Some((kind, a.credentials.clone(), a.credentials_file.clone()))
        } else if bearer {
            Some(("Bearer".into(), self.bearer_token.clone(), self.bearer_token_file.clone()))
        } else {
            None
        };
        let tls = self.tls_config;
        if tls.ca.is_some() && tls.ca_file.is_some() {
            return Err("at most one of tls_config ca & ca_file must be configured".into());
        }
        if tls.cert.is_some() && tls.cert_file.is_some() {
            return Err("at most one of tls_config cert & cert_file must be configured".into());
        }
        if tls.key.is_some() && tls.key_file.is_some() {
            return Err("at most one of tls_config key & key_file must be configured".into());
        }
        if (tls.cert.is_some() || tls.cert_file.is_some()) != (tls.key.is_some() || tls.key_file.is_some()) {
            return Err("tls_config needs both a client certificate and its key, or neither".into());
        }
        Ok(HttpSettings {
            basic_auth: self.basic_auth.clone(),
            authorization,
            tls: tls.clone(),
            follow_redirects: self.follow_redirects,
            enable_http2: self.enable_http2,
            compression,
        })
    }
}

#[cfg(test)]
mod tests;
