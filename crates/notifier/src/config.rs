//! prometheus.yml's `alerting:` section, read with Prometheus 2.42's fields, defaults and checks.
//! Fields Prometheus knows but Vigil does not act on (other service discoveries, OAuth2, SigV4,
//! proxies) load and are named by [`AlertmanagerSet::unsupported`], so an existing file always
//! loads; unknown fields are errors, as `promtool check config` makes them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use promconfig::HttpClientConfig;
use promconfig::discovery::{FileSdConfig, StaticConfig};
use promconfig::duration::Duration;
use promconfig::relabel::{RelabelConfig, is_valid_label_name};

/// A problem in the `alerting:` section, naming where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("alerting: {context}: {problem}")]
pub struct ConfigError {
    /// `alertmanagers[0]`, `external_labels`, …
    pub context: String,
    pub problem: ConfigProblem,
}

/// What is wrong in an `alerting:` entry, with Prometheus's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    #[error("{0:?} is not a valid label name")]
    LabelName(String),
    #[error("unsupported scheme {0:?} (use http or https)")]
    Scheme(String),
    #[error("{0:?} is not a valid label name in static_configs")]
    StaticLabelName(String),
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error(transparent)]
    Pattern(#[from] promconfig::discovery::PatternError),
    #[error(transparent)]
    Http(#[from] promconfig::HttpConfigError),
}

/// An Alertmanager address that is not `host:port` (Prometheus's `CheckTargetAddress`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid hostname")]
pub struct AddressError(pub String);

/// `alerting:` as written.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertingConfig {
    /// Applied to every alert before it is queued; an alert they drop is not sent.
    #[serde(default)]
    pub alert_relabel_configs: Vec<RelabelConfig>,
    #[serde(default)]
    pub alertmanagers: Vec<AlertmanagerConfig>,
}

/// The Alertmanager API version. Only v2 exists: Alertmanager 0.25 removed v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiVersion {
    #[default]
    V2,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2 => "v2",
        }
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "v2" => Ok(ApiVersion::V2),
            "v1" => Err(serde::de::Error::custom(
                "api_version: v1 is not supported by Alertmanager 0.25+, use v2 (or leave api_version out)",
            )),
            other => Err(serde::de::Error::custom(format!(
                "expected Alertmanager api version to be one of [v2] but got {other:?}"
            ))),
        }
    }
}

promconfig::struct_with_discovery_and_http_client_fields! {
    /// One `alertmanagers:` entry as written. `Option<IgnoredAny>` fields are known to Prometheus
    /// but not implemented by Vigil: they load and are reported as warnings.
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AlertmanagerConfig {
        #[serde(default = "default_scheme")]
        pub scheme: String,
        #[serde(default)]
        pub path_prefix: String,
        #[serde(default = "default_timeout")]
        pub timeout: Duration,
        #[serde(default)]
        pub api_version: ApiVersion,

        /// Rewrites the discovered Alertmanager targets (`__address__`, `__scheme__`,
        /// `__alerts_path__`, discovery labels); a target they drop is listed as dropped.
        #[serde(default)]
        pub relabel_configs: Vec<RelabelConfig>,
        /// Alert relabelling for this set only (Prometheus 2.51+), after the global one.
        #[serde(default)]
        pub alert_relabel_configs: Vec<RelabelConfig>,
        pub sigv4: Option<IgnoredAny>,

    }
}

fn default_scheme() -> String {
    "http".into()
}

fn default_timeout() -> Duration {
    Duration(10_000)
}

impl AlertmanagerConfig {
    /// Names the fields that load but have no effect in Vigil.
    pub fn unsupported(&self) -> Vec<&'static str> {
        let mut out = if self.sigv4.is_some() { vec!["sigv4"] } else { Vec::new() };
        out.extend(self.unsupported_discoveries());
        out
    }
}

/// What the notifier runs: the `alerting:` section checked and combined with
/// `global.external_labels`. Two configs compare equal when a reload changes nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NotifierConfig {
    /// Added to every alert that lacks them, before relabelling.
    pub external_labels: BTreeMap<String, String>,
    pub alert_relabel_configs: Vec<RelabelConfig>,
    pub alertmanagers: Vec<AlertmanagerSet>,
}

/// One `alertmanagers:` entry, checked: Alertmanagers found the same way and talked to with
/// the same settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerSet {
    /// `config-0`, `config-1`, …: Prometheus's name for the entry, used in logs.
    pub name: String,
    pub scheme: String,
    pub path_prefix: String,
    pub api_version: ApiVersion,
    pub timeout_ms: i64,
    pub http: HttpClientConfig,
    pub static_configs: Vec<StaticConfig>,
    pub file_sd_configs: Vec<FileSdConfig>,
    pub relabel_configs: Vec<RelabelConfig>,
    pub alert_relabel_configs: Vec<RelabelConfig>,
    /// Fields that loaded but have no effect (named in a warning at load).
    pub unsupported: Vec<&'static str>,
}

impl NotifierConfig {
    /// Checks `alerting:` the way Prometheus does when loading prometheus.yml: authentication
    /// combinations, TLS pairs, label names, file_sd patterns, and (without `relabel_configs`)
    /// static targets that are URLs instead of `host:port`. Vigil also rejects a scheme other
    /// than http or https, which Prometheus would only fail on when sending.
    pub fn resolve(
        alerting: &AlertingConfig,
        external_labels: &BTreeMap<String, String>,
    ) -> Result<NotifierConfig, ConfigError> {
        for name in external_labels.keys() {
            if !is_valid_label_name(name) {
                return Err(ConfigError {
                    context: "external_labels".into(),
                    problem: ConfigProblem::LabelName(name.clone()),
                });
            }
        }
        let mut sets = Vec::with_capacity(alerting.alertmanagers.len());
        for (i, am) in alerting.alertmanagers.iter().enumerate() {
            let err = |problem: ConfigProblem| ConfigError { context: format!("alertmanagers[{i}]"), problem };
            sets.push(resolve_set(i, am).map_err(err)?);
        }
        Ok(NotifierConfig {
            external_labels: external_labels.clone(),
            alert_relabel_configs: alerting.alert_relabel_configs.clone(),
            alertmanagers: sets,
        })
    }

    /// One sentence per Alertmanager entry with fields that have no effect, for the load log
    /// and `vigil check config`.
    pub fn warnings(&self) -> Vec<String> {
        self.alertmanagers
            .iter()
            .filter(|s| !s.unsupported.is_empty())
            .map(|s| {
                format!("alerting: alertmanager {}: {} not supported yet and ignored", s.name, s.unsupported.join(", "))
            })
            .collect()
    }
}

fn resolve_set(index: usize, am: &AlertmanagerConfig) -> Result<AlertmanagerSet, ConfigProblem> {
    if am.scheme != "http" && am.scheme != "https" {
        return Err(ConfigProblem::Scheme(am.scheme.clone()));
    }
    for sc in &am.static_configs {
        for label in sc.labels.keys() {
            if !is_valid_label_name(label) {
                return Err(ConfigProblem::StaticLabelName(label.clone()));
            }
        }
        if am.relabel_configs.is_empty() {
            for t in &sc.targets {
                check_target_address(t)?;
            }
        }
    }
    for f in am.file_sd_configs.iter().flat_map(|c| c.files.iter()) {
        promconfig::discovery::validate_pattern(f)?;
    }
    Ok(AlertmanagerSet {
        name: format!("config-{index}"),
        scheme: am.scheme.clone(),
        path_prefix: am.path_prefix.clone(),
        api_version: am.api_version,
        timeout_ms: am.timeout.ms(),
        http: http_settings(am)?,
        static_configs: am.static_configs.clone(),
        file_sd_configs: am.file_sd_configs.clone(),
        relabel_configs: am.relabel_configs.clone(),
        alert_relabel_configs: am.alert_relabel_configs.clone(),
        unsupported: am.unsupported(),
    })
}

/// Prometheus's `CheckTargetAddress`: an Alertmanager address is `host:port`, never a URL.
pub(crate) fn check_target_address(address: &str) -> Result<(), AddressError> {
    if address.contains('/') {
        return Err(AddressError(address.to_string()));
    }
    Ok(())
}

/// The HTTP client settings, with the checks and messages of Prometheus's `HTTPClientConfig`.
fn http_settings(am: &AlertmanagerConfig) -> Result<HttpClientConfig, promconfig::HttpConfigError> {
    let client = am.http_client_config();
    client.validate()?;
    Ok(client)
}

#[cfg(test)]
mod tests;
