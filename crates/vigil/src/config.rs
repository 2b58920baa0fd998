//! The configuration file (prometheus.yml). Every section Prometheus 2.42 knows loads; `global`
//! and `scrape_configs` are interpreted by the scrape crate with Prometheus's validation, and
//! sections Vigil does not act on yet are named in a warning so an existing prometheus.yml never
//! stops Vigil from starting. Unknown top-level keys and invalid values are errors naming the
//! file, line and field, like `promtool check config`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use scrape::config::{GlobalConfig, Job, ScrapeConfig, resolve_jobs};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// Sections of prometheus.yml that load but that Vigil does not act on yet, and why.
const NOT_YET: &[(&str, &str)] = &[
    ("scrape_config_files", "not implemented yet: put the scrape configs in this file"),
    ("remote_write", "not implemented yet (Vigil receives remote_write; it does not send it)"),
    ("remote_read", "not implemented yet"),
    ("storage", "not implemented yet (use the --storage.* flags)"),
    ("tracing", "not implemented yet"),
    ("otlp", "not implemented yet"),
    ("runtime", "not implemented yet"),
];

/// prometheus.yml's top level with Prometheus's keys; anything else is a typo worth an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    global: Option<GlobalConfig>,
    #[serde(default)]
    scrape_configs: Option<Vec<ScrapeConfig>>,
    #[serde(default)]
    scrape_config_files: Option<IgnoredAny>,
    #[serde(default)]
    rule_files: Option<Vec<String>>,
    #[serde(default)]
    alerting: Option<notifier::AlertingConfig>,
    #[serde(default)]
    remote_write: Option<IgnoredAny>,
    #[serde(default)]
    remote_read: Option<IgnoredAny>,
    #[serde(default)]
    storage: Option<IgnoredAny>,
    #[serde(default)]
    tracing: Option<IgnoredAny>,
    #[serde(default)]
    otlp: Option<IgnoredAny>,
    #[serde(default)]
    runtime: Option<IgnoredAny>,
    /// Vigil's own: the built-in alert manager's alertmanager.yml, inline.
    #[serde(default)]
    alertmanager: Option<IgnoredAny>,
}

impl File {
    fn present_but_not_yet(&self) -> Vec<&'static str> {
        let present = [
            self.scrape_config_files.is_some(),
            self.remote_write.is_some(),
            self.remote_read.is_some(),
            self.storage.is_some(),
            self.tracing.is_some(),
            self.otlp.is_some(),
            self.runtime.is_some(),
        ];
        NOT_YET.iter().zip(present).filter(|(_, p)| *p).map(|((k, _), _)| *k).collect()
    }
}

/// What Vigil takes from the config file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub global: GlobalConfig,
    pub jobs: Vec<Job>,
    /// Rule files named by `rule_files` (globs expanded against the config file's directory).
    pub rule_files: Vec<PathBuf>,
    /// Where alerts go (`alerting:`), with external labels applied.
    pub notifier: notifier::NotifierConfig,
    /// The `alertmanager:` section (alertmanager.yml inline), already validated.
    pub alertmanager: Option<alerting::Config>,
    /// Things that loaded but have no effect, one sentence each (logged at load, printed by
    /// `vigil check config`).
    pub warnings: Vec<String>,
}

impl Config {
    pub fn external_labels(&self) -> Vec<(String, String)> {
        self.global.external_labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn log_warnings(&self, origin: &str) {
        for w in &self.warnings {
            tracing::warn!(file = origin, "{w}");
        }
    }
}

/// Reads and checks the file.
pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

pub fn parse(text: &str, origin: &str) -> Result<Config> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    let file: Option<File> =
        serde_saphyr::from_str(text).map_err(|e| anyhow::anyhow!("cannot parse config file {origin}: {e}"))?;
    let Some(file) = file else { return Ok(Config::default()) };
    let global = file.global.clone().unwrap_or_default();
    for name in global.external_labels.keys() {
        if !scrape::relabel::is_valid_label_name(name) {
            anyhow::bail!("config file {origin}: global.external_labels: {name:?} is not a valid label name");
        }
    }
    let configs = file.scrape_configs.as_deref().unwrap_or_default();
    let jobs = resolve_jobs(&global, configs, origin)?;
    let mut warnings: Vec<String> = file
        .present_but_not_yet()
        .into_iter()
        .map(|k| {
            let why = NOT_YET.iter().find(|(n, _)| *n == k).map_or("", |(_, w)| w);
            format!("section {k} ignored: {why}")
        })
        .collect();
    for job in &jobs {
        if !job.unsupported.is_empty() {
            warnings.push(format!("job {:?}: {} not supported yet and ignored", job.name, job.unsupported.join(", ")));
        }
    }
    let base_dir = Path::new(origin).parent().unwrap_or(Path::new("."));
    let rule_files = rules::expand_rule_globs(file.rule_files.as_deref().unwrap_or_default(), base_dir)
        .map_err(|e| anyhow::anyhow!("config file {origin}: {e}"))?;
    let notifier = notifier::NotifierConfig::resolve(&file.alerting.unwrap_or_default(), &global.external_labels)
        .map_err(|e| anyhow::anyhow!("config file {origin}: {e}"))?;
    warnings.extend(notifier.warnings());
    let alertmanager = match file.alertmanager {
        Some(_) => Some(alertmanager_section(text, origin)?),
        None => None,
    };
    Ok(Config { global, jobs, rule_files, notifier, alertmanager, warnings })
}

/// Parses the `alertmanager:` section as an alertmanager.yml of its own. Its text is cut out of
/// the file (the block under the top-level key, de-indented) so errors keep the file's lines.
fn alertmanager_section(text: &str, origin: &str) -> Result<alerting::Config> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == "alertmanager:" || l.starts_with("alertmanager: "))
    else {
        anyhow::bail!("config file {origin}: the alertmanager section must be a block (alertmanager:\n  route: …)");
    };
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|l| l.is_empty() || l.starts_with(' ') || l.starts_with('\t') || l.starts_with('#'))
        .copied()
        .collect();
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let dedented: String = body.iter().map(|l| format!("{}\n", l.get(indent..).unwrap_or(""))).collect();
    alerting::load_str(&dedented, origin).map_err(|e| {
        let line = if e.line > 0 { e.line + start as u64 + 1 } else { 0 };
        anyhow::anyhow!("{origin}:{line}: alertmanager: {}", e.message)
    })
}

/// The configuration used when no `--config.file` is given: Vigil scrapes itself (job `vigil`,
/// its own `/metrics` with `process_*`) and its host (job `node`, `/metrics/host` with
/// node_exporter's names) every 15s, so a fresh install shows something useful at once.
pub fn embedded_default(listen: SocketAddr) -> Result<(Config, String)> {
    let target = loopback_target(listen);
    let yaml = format!(
        "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: vigil\n    static_configs:\n      - targets: ['{target}']\n  - job_name: node\n    metrics_path: /metrics/host\n    static_configs:\n      - targets: ['{target}']\n"
    );
    Ok((parse(&yaml, "(embedded default config)")?, yaml))
}

/// Where Vigil can reach its own listener: the wildcard addresses become loopback.
fn loopback_target(listen: SocketAddr) -> String {
    let ip = listen.ip();
    let reachable = if ip.is_unspecified() {
        match ip {
            std::net::IpAddr::V4(_) => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            std::net::IpAddr::V6(_) => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        }
    } else {
        ip
    };
    SocketAddr::new(reachable, listen.port()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_not_yet_implemented_load_with_a_warning() {
        let cfg = parse(
            "global:\n  scrape_interval: 15s\n  external_labels:\n    region: eu\nremote_read: []\nscrape_configs:\n  - job_name: x\n",
            "t",
        )
        .unwrap();
        assert_eq!(cfg.external_labels(), vec![("region".to_string(), "eu".to_string())]);
        assert_eq!(cfg.jobs.len(), 1);
        assert_eq!(cfg.jobs[0].interval_ms, 15_000);
        assert!(cfg.warnings.iter().any(|w| w.contains("remote_read")), "{:?}", cfg.warnings);
    }

    #[test]
    fn alertmanager_section_loads_and_errors_keep_file_lines() {
        let cfg = parse(
            "global:\n  scrape_interval: 15s\nalertmanager:\n  route:\n    receiver: team\n  receivers:\n    - name: team\nscrape_configs: []\n",
            "vigil.yml",
        )
        .unwrap();
        assert_eq!(cfg.alertmanager.unwrap().receivers.len(), 1);
        let e = parse("alertmanager:\n  route:\n    receiver: nobody\n  receivers:\n    - name: team\n", "vigil.yml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("vigil.yml:") && e.contains("nobody"), "{e}");
    }

    #[test]
    fn rule_files_and_alerting_are_read() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["a.yml", "b.yml", "c.txt"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let origin = dir.path().join("prometheus.yml");
        let cfg = parse(
            "rule_files: ['*.yml', 'missing/*.yml']\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['am:9093']\n",
            &origin.display().to_string(),
        )
        .unwrap();
        assert_eq!(cfg.rule_files, vec![dir.path().join("a.yml"), dir.path().join("b.yml")]);
        assert_eq!(cfg.notifier.alertmanagers.len(), 1);
        let e = parse("alerting:\n  alertmanagers:\n    - api_version: v1\n", "p.yml").unwrap_err().to_string();
        assert!(e.contains("v1"), "{e}");
    }

    #[test]
    fn unknown_top_level_key_is_an_error_naming_it() {
        let e = parse("global:\n  scrape_interval: 15s\nscrape_config:\n  - job_name: x\n", "prom.yml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("prom.yml") && e.contains("scrape_config"), "{e}");
    }

    #[test]
    fn broken_yaml_names_position() {
        let e = parse("global:\n  scrape_interval: [15s\n", "prom.yml").unwrap_err().to_string();
        assert!(e.contains("prom.yml"), "{e}");
        assert!(e.contains("line"), "{e}");
    }

    #[test]
    fn invalid_job_names_file_and_line() {
        let e = parse("scrape_configs:\n  - job_name: a\n  - job_name: a\n", "prom.yml").unwrap_err().to_string();
        assert!(e.starts_with("prom.yml:3:"), "{e}");
    }

    #[test]
    fn embedded_default_scrapes_self_and_host_on_loopback() {
        let (cfg, text) = embedded_default("0.0.0.0:9090".parse().unwrap()).unwrap();
        assert!(text.contains("/metrics/host"), "{text}");
        let names: Vec<_> = cfg.jobs.iter().map(|j| (j.name.as_str(), j.metrics_path.as_str())).collect();
        assert_eq!(names, vec![("vigil", "/metrics"), ("node", "/metrics/host")]);
        let yaml = format!("{:?}", cfg.jobs[0].static_configs);
        assert!(yaml.contains("127.0.0.1:9090"), "{yaml}");
    }

    #[test]
    fn seed_configs_load() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/seeds");
        let Ok(rd) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} not present", dir.display());
            return;
        };
        let mut n = 0;
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with("prometheus.yml") {
                let cfg = load(&entry.path()).unwrap_or_else(|e| panic!("{name}: {e:#}"));
                assert!(!cfg.jobs.is_empty(), "{name}: no jobs");
                n += 1;
            }
        }
        assert!(n >= 2, "expected the seeds' prometheus.yml files");
    }
}
