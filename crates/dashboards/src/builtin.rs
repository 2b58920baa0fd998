//! The built-in "Vigil overview" dashboard over Vigil's own metrics (job `vigil`) and the
//! built-in host metrics (job `node`). Always present, read-only, provisioned.

use serde_json::{Map, Value};

use crate::model::Provisioning;
use crate::store::{FolderTarget, ProvisionedDashboard};

/// Its uid.
pub const OVERVIEW_UID: &str = "vigil-overview";
/// The provider name shown for it.
pub const PROVIDER: &str = "vigil-builtin";

const OVERVIEW_JSON: &str = include_str!("vigil-overview.json");

/// The overview's JSON; `None` only if the embedded file were broken (a test rules that out).
pub fn overview_json() -> Option<Map<String, Value>> {
    match serde_json::from_str(OVERVIEW_JSON) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// The built-in dashboards, ready to be provisioned.
pub fn dashboards() -> Vec<ProvisionedDashboard> {
    overview_json()
        .map(|json| ProvisionedDashboard {
            json,
            folder: FolderTarget::General,
            provisioning: Provisioning {
                provider: PROVIDER.into(),
                allow_ui_updates: false,
                external_id: "vigil-overview.json".into(),
            },
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overview_is_valid_grafana_json() {
        let d = overview_json().expect("embedded overview parses");
        assert_eq!(d["uid"], OVERVIEW_UID);
        assert_eq!(d["title"], "Vigil overview");
        assert!(d["schemaVersion"].as_i64().unwrap() >= 36);
        let panels = d["panels"].as_array().unwrap();
        let kinds: std::collections::HashSet<&str> = panels.iter().map(|p| p["type"].as_str().unwrap()).collect();
        assert!(kinds.contains("timeseries") && kinds.contains("stat"), "{kinds:?}");
        let mut ids = std::collections::HashSet::new();
        for p in panels {
            assert!(ids.insert(p["id"].as_i64().unwrap()), "panel ids are unique");
            let g = &p["gridPos"];
            for k in ["h", "w", "x", "y"] {
                assert!(g[k].is_u64(), "{p}");
            }
            assert!(g["x"].as_u64().unwrap() + g["w"].as_u64().unwrap() <= 24, "{p}");
            let targets = p["targets"].as_array().unwrap();
            assert!(!targets.is_empty() && targets.iter().all(|t| t["expr"].as_str().is_some_and(|e| !e.is_empty())));
        }
    }

    #[test]
    fn overview_queries_only_metrics_vigil_exposes() {
        let d = overview_json().unwrap();
        let text = serde_json::to_string(&d["panels"]).unwrap();
        let known = ["vigil_", "process_resident_memory_bytes", "scrape_duration_seconds", "node_cpu_seconds_total"];
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with("vigil_") || word.starts_with("node_") || word.starts_with("process_") {
                assert!(known.iter().any(|k| word.starts_with(k)), "unknown metric {word}");
            }
        }
    }
}
