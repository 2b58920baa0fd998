//! From discovered target groups to scrape targets: the label set Prometheus builds for each
//! discovered address (job, scheme, path, interval, params), `relabel_configs`, the default port,
//! `instance`, and the scrape URL.

use std::collections::BTreeMap;

use promconfig::url::query_escape;

use crate::config::Job;
use crate::duration::{format_duration_ms, parse_duration_ms};
use crate::relabel::{LabelSet, process};

pub use promconfig::discovery::Discovered;

/// A target to scrape: what relabelling left of the discovered labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// All labels after relabelling, including `__`-prefixed ones (scheme, path, params).
    pub labels: BTreeMap<String, String>,
    /// The labels before relabelling, for `/api/v1/targets`.
    pub discovered: BTreeMap<String, String>,
    pub url: String,
    pub interval_ms: i64,
    pub timeout_ms: i64,
}

impl Target {
    /// The labels the target attaches to its samples: those without the `__` prefix.
    pub fn public_labels(&self) -> impl Iterator<Item = (&String, &String)> {
        self.labels.iter().filter(|(k, _)| !k.starts_with("__"))
    }

    /// A stable identity: two targets with equal keys are the same scrape.
    pub fn key(&self) -> String {
        let mut k = self.url.clone();
        for (n, v) in &self.labels {
            k.push('\u{1}');
            k.push_str(n);
            k.push('=');
            k.push_str(v);
        }
        k
    }
}

/// What became of one discovered address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Active(Target),
    /// Dropped by relabelling: kept so the targets API can list it.
    Dropped(BTreeMap<String, String>),
    /// The labels did not make a usable target (no address, bad interval); shown as an error.
    Invalid {
        discovered: BTreeMap<String, String>,
        error: TargetError,
    },
}

/// Why discovered labels do not make a target, in Prometheus's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("no address")]
    NoAddress,
    #[error("{0:?} is not a valid hostname")]
    Hostname(String),
    #[error("error parsing {label} label: {source}")]
    DurationLabel { label: &'static str, source: promconfig::duration::DurationError },
    #[error("scrape interval cannot be 0")]
    ZeroInterval,
    #[error("scrape timeout cannot be 0")]
    ZeroTimeout,
    #[error(
        "scrape timeout cannot be greater than scrape interval (\"{}\" > \"{}\")",
        format_duration_ms(*timeout_ms),
        format_duration_ms(*interval_ms)
    )]
    TimeoutAboveInterval { timeout_ms: i64, interval_ms: i64 },
}

/// Builds a target the way Prometheus 2.42's `populateLabels` does.
pub fn build(job: &Job, found: &Discovered) -> Outcome {
    let mut labels = found.labels.clone();
    let mut defaults: Vec<(String, String)> = vec![
        ("job".into(), job.name.clone()),
        ("__scrape_interval__".into(), format_duration_ms(job.interval_ms)),
        ("__scrape_timeout__".into(), format_duration_ms(job.timeout_ms)),
        ("__metrics_path__".into(), job.metrics_path.clone()),
        ("__scheme__".into(), job.scheme.clone()),
    ];
    for (name, values) in &job.params {
        if let Some(first) = values.first() {
            defaults.push((format!("__param_{name}"), first.clone()));
        }
    }
    for (k, v) in defaults {
        labels.entry(k).or_insert(v);
    }
    let discovered = labels.clone();
    let Some(mut labels) = process(labels, &job.relabel_configs) else {
        return Outcome::Dropped(discovered);
    };
    let invalid = |error: TargetError| Outcome::Invalid { discovered: discovered.clone(), error };
    let Some(addr) = labels.get("__address__").filter(|a| !a.is_empty()).cloned() else {
        return invalid(TargetError::NoAddress);
    };
    let scheme = labels.get("__scheme__").cloned().unwrap_or_default();
    let addr = match with_default_port(&addr, &scheme) {
        Ok(a) => a,
        Err(e) => return invalid(e),
    };
    labels.insert("__address__".into(), addr.clone());
    let interval_ms = match duration_label(&labels, "__scrape_interval__") {
        Ok(v) => v,
        Err(e) => return invalid(e),
    };
    let timeout_ms = match duration_label(&labels, "__scrape_timeout__") {
        Ok(v) => v,
        Err(e) => return invalid(e),
    };
    if interval_ms == 0 {
        return invalid(TargetError::ZeroInterval);
    }
    if timeout_ms == 0 {
        return invalid(TargetError::ZeroTimeout);
    }
    if timeout_ms > interval_ms {
        return invalid(TargetError::TimeoutAboveInterval { timeout_ms, interval_ms });
    }
    labels.retain(|k, _| !k.starts_with("__meta_"));
    if labels.get("instance").is_none_or(|v| v.is_empty()) {
        labels.insert("instance".into(), addr.clone());
    }
    let url = scrape_url(job, &labels, &scheme, &addr);
    Outcome::Active(Target { labels, discovered, url, interval_ms, timeout_ms })
}

fn duration_label(labels: &LabelSet, label: &'static str) -> Result<i64, TargetError> {
    let v = labels.get(label).map(String::as_str).unwrap_or("");
    parse_duration_ms(v).map_err(|source| TargetError::DurationLabel { label, source })
}

/// Adds :80 or :443 when the address has no port, and rejects addresses with a path.
fn with_default_port(addr: &str, scheme: &str) -> Result<String, TargetError> {
    if addr.contains('/') {
        return Err(TargetError::Hostname(addr.to_string()));
    }
    let has_port =
        if let Some(rest) = addr.strip_prefix('[') { rest.contains("]:") } else { addr.matches(':').count() == 1 };
    if has_port {
        return Ok(addr.to_string());
    }
    let bare_ipv6 = !addr.starts_with('[') && addr.contains(':');
    let host = if bare_ipv6 { format!("[{addr}]") } else { addr.to_string() };
    Ok(match scheme {
        "https" => format!("{host}:443"),
        _ => format!("{host}:80"),
    })
}

fn scrape_url(job: &Job, labels: &LabelSet, scheme: &str, addr: &str) -> String {
    let mut params: BTreeMap<String, Vec<String>> = job.params.clone();
    for (k, v) in labels {
        if let Some(name) = k.strip_prefix("__param_") {
            let slot = params.entry(name.to_string()).or_default();
            if slot.is_empty() {
                slot.push(v.clone());
            } else {
                slot[0] = v.clone();
            }
        }
    }
    let path = labels.get("__metrics_path__").map(String::as_str).unwrap_or("");
    let mut url = format!("{scheme}://{addr}{path}");
    let mut first = true;
    for (name, values) in &params {
        for v in values {
            url.push(if first { '?' } else { '&' });
            first = false;
            url.push_str(&query_escape(name));
            url.push('=');
            url.push_str(&query_escape(v));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{GlobalConfig, ScrapeConfig, resolve_jobs};

    fn job(yaml: &str) -> Job {
        let sc: Vec<ScrapeConfig> = serde_saphyr::from_str(yaml).unwrap();
        resolve_jobs(&GlobalConfig::default(), &sc, "t").unwrap().remove(0)
    }

    fn discovered(addr: &str) -> Discovered {
        Discovered { labels: [("__address__".to_string(), addr.to_string())].into(), source: "static".into() }
    }

    #[test]
    fn plain_target_gets_job_instance_and_url() {
        let j = job("- job_name: node\n  scrape_interval: 15s\n");
        let Outcome::Active(t) = build(&j, &discovered("localhost:9100")) else { panic!() };
        let public: Vec<_> = t.public_labels().collect();
        assert_eq!(public.len(), 2);
        assert_eq!(t.labels["instance"], "localhost:9100");
        assert_eq!(t.labels["job"], "node");
        assert_eq!(t.url, "http://localhost:9100/metrics");
        assert_eq!((t.interval_ms, t.timeout_ms), (15_000, 10_000));
    }

    #[test]
    fn blackbox_recipe_moves_the_address_into_a_param() {
        let j = job(
            "- job_name: blackbox\n  metrics_path: /probe\n  params:\n    module: [http_2xx]\n  relabel_configs:\n    - source_labels: [__address__]\n      target_label: __param_target\n    - source_labels: [__param_target]\n      target_label: instance\n    - target_label: __address__\n      replacement: 127.0.0.1:9115\n",
        );
        let Outcome::Active(t) = build(&j, &discovered("https://englog.com")) else { panic!() };
        assert_eq!(t.labels["instance"], "https://englog.com");
        assert_eq!(t.url, "http://127.0.0.1:9115/probe?module=http_2xx&target=https%3A%2F%2Fenglog.com");
    }

    #[test]
    fn default_ports_and_invalid_addresses() {
        let j = job("- job_name: a\n  scheme: https\n");
        let Outcome::Active(t) = build(&j, &discovered("example.org")) else { panic!() };
        assert_eq!(t.labels["instance"], "example.org:443");
        assert!(matches!(build(&j, &discovered("http://x/y")), Outcome::Invalid { .. }));
        let Outcome::Active(t) = build(&j, &discovered("::1")) else { panic!() };
        assert_eq!(t.labels["__address__"], "[::1]:443");
    }

    #[test]
    fn dropped_targets_keep_their_discovered_labels() {
        let j = job(
            "- job_name: a\n  relabel_configs:\n    - source_labels: [__address__]\n      regex: 'skip.*'\n      action: drop\n",
        );
        let Outcome::Dropped(d) = build(&j, &discovered("skip:1")) else { panic!() };
        assert_eq!(d["__address__"], "skip:1");
        assert_eq!(d["job"], "a");
    }

    #[test]
    fn relabelled_interval_is_honoured_and_checked() {
        let j =
            job("- job_name: a\n  relabel_configs:\n    - target_label: __scrape_interval__\n      replacement: 1s\n");
        let Outcome::Invalid { error, .. } = build(&j, &discovered("h:1")) else { panic!() };
        assert!(
            matches!(error, TargetError::TimeoutAboveInterval { timeout_ms: 10_000, interval_ms: 1000 }),
            "{error}"
        );
        assert!(error.to_string().contains("scrape timeout cannot be greater than scrape interval"), "{error}");
    }
}
