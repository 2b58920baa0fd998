//! The configuration file (prometheus.yml). Only what Vigil implements is interpreted; other
//! known sections are accepted with a warning naming them, so an existing prometheus.yml never
//! stops Vigil from starting. Invalid YAML is an error with its line and column.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// Sections of prometheus.yml and what Vigil does with them today.
const KNOWN: &[(&str, &str)] = &[
    ("global", "partly used (external_labels); scrape and evaluation settings come with scraping and rules"),
    ("scrape_configs", "not implemented yet: scraping comes with the scrape issue"),
    ("scrape_config_files", "not implemented yet"),
    ("rule_files", "not implemented yet: rules come with the rules issue"),
    ("alerting", "not implemented yet"),
    ("remote_write", "not implemented yet (Vigil receives remote_write; it does not send it)"),
    ("remote_read", "not implemented yet"),
    ("storage", "not implemented yet (use the --storage.* flags)"),
    ("tracing", "not implemented yet"),
    ("otlp", "not implemented yet"),
    ("runtime", "not implemented yet"),
];

/// What Vigil takes from the config file today.
#[derive(Debug, Default, Clone)]
pub struct Config {
    pub external_labels: Vec<(String, String)>,
}

/// Loads and checks the file; logs one warning per section not yet implemented.
pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

pub fn parse(text: &str, origin: &str) -> Result<Config> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    let value: serde_json::Value =
        serde_saphyr::from_str(text).map_err(|e| anyhow::anyhow!("cannot parse config file {origin}: {e}"))?;
    let map = match value {
        serde_json::Value::Object(m) => m,
        serde_json::Value::Null => return Ok(Config::default()),
        other => bail!("config file {origin}: expected a mapping of sections at the top level, found {}", kind(&other)),
    };
    let mut cfg = Config::default();
    for (key, val) in &map {
        match KNOWN.iter().find(|(k, _)| k == key) {
            Some((_, status)) if key != "global" => {
                tracing::warn!(file = origin, section = %key, status, "config section ignored");
            }
            Some(_) => {}
            None => tracing::warn!(file = origin, section = %key, "unknown config section ignored"),
        }
        if key == "global" {
            cfg.external_labels = external_labels(val, origin)?;
        }
    }
    Ok(cfg)
}

fn external_labels(global: &serde_json::Value, origin: &str) -> Result<Vec<(String, String)>> {
    let Some(el) = global.get("external_labels") else { return Ok(Vec::new()) };
    let Some(obj) = el.as_object() else {
        bail!(
            "config file {origin}: global.external_labels must be a mapping of label names to values, found {}",
            kind(el)
        );
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        let Some(s) = v.as_str() else {
            bail!("config file {origin}: global.external_labels.{k} must be a string, found {}", kind(v));
        };
        if k.is_empty() {
            bail!("config file {origin}: global.external_labels has an empty label name");
        }
        out.push((k.clone(), s.to_string()));
    }
    Ok(out)
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_sections_do_not_fail() {
        let cfg = parse("global:\n  scrape_interval: 15s\n  external_labels:\n    region: eu\nscrape_configs:\n  - job_name: x\nfoo: 1\n", "t").unwrap();
        assert_eq!(cfg.external_labels, vec![("region".to_string(), "eu".to_string())]);
    }

    #[test]
    fn broken_yaml_names_position() {
        let e = parse("global:\n  scrape_interval: [15s\n", "prom.yml").unwrap_err().to_string();
        assert!(e.contains("prom.yml"), "{e}");
        assert!(e.contains("line") || e.contains(':'), "{e}");
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
                load(&entry.path()).unwrap_or_else(|e| panic!("{name}: {e:#}"));
                n += 1;
            }
        }
        assert!(n >= 2, "expected the seeds' prometheus.yml files");
    }
}
