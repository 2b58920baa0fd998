//! `/api/v1/status/*`: build and runtime information, flags, configuration, TSDB stats.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::{encode, ok, running_db};
use crate::AppState;

/// What the status endpoints report besides live storage numbers; set at start-up.
#[derive(Debug, Clone, Default)]
pub struct StatusInfo {
    /// Every command-line flag with its effective value.
    pub flags: BTreeMap<String, String>,
    /// The configuration file's text (empty when running on defaults).
    pub config_yaml: String,
    pub start_time_ms: i64,
    /// Retention as shown by Prometheus, e.g. `15d`.
    pub storage_retention: String,
}

/// RFC 3339 with milliseconds, UTC: promconfig's one formatter, under the name the handlers use.
pub fn rfc3339(t_ms: i64) -> String {
    promconfig::time::format_rfc3339_ms(t_ms)
}

pub async fn buildinfo() -> Response {
    ok(format!(
        "{{\"version\":\"{}\",\"revision\":\"unknown\",\"branch\":\"unknown\",\"buildUser\":\"unknown\",\"buildDate\":\"unknown\",\"goVersion\":\"rust\"}}",
        env!("CARGO_PKG_VERSION")
    ))
}

pub async fn runtimeinfo(State(state): State<Arc<AppState>>) -> Response {
    let info = &state.status;
    let cwd = std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default();
    let mut out = String::from("{\"startTime\":");
    encode::string(&mut out, &rfc3339(info.start_time_ms));
    out.push_str(",\"CWD\":");
    encode::string(&mut out, &cwd);
    out.push_str(",\"reloadConfigSuccess\":true,\"lastConfigTime\":");
    encode::string(&mut out, &rfc3339(info.start_time_ms));
    let procs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let _ = write!(
        out,
        ",\"corruptionCount\":0,\"goroutineCount\":0,\"GOMAXPROCS\":{procs},\"GOMEMLIMIT\":0,\"GOGC\":\"\",\"GODEBUG\":\"\",\"storageRetention\":"
    );
    encode::string(&mut out, &info.storage_retention);
    out.push('}');
    ok(out)
}

pub async fn flags(State(state): State<Arc<AppState>>) -> Response {
    let mut out = String::from("{");
    for (i, (k, v)) in state.status.flags.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode::string(&mut out, k);
        out.push(':');
        encode::string(&mut out, v);
    }
    out.push('}');
    ok(out)
}

pub async fn config(State(state): State<Arc<AppState>>) -> Response {
    let mut out = String::from("{\"yaml\":");
    let reloaded = state.reloaded_config.read().unwrap_or_else(|p| p.into_inner()).clone();
    // Shown as written, but secrets never leave the process (Prometheus shows `<secret>`).
    let text = reloaded.as_deref().unwrap_or(&state.status.config_yaml);
    encode::string(&mut out, &promconfig::mask::mask_secrets(text));
    out.push('}');
    ok(out)
}

/// Head statistics with the top-10 cardinality lists Prometheus shows on its TSDB status
/// page, computed from the head's series (one pass, on the blocking pool).
pub async fn tsdb(State(state): State<Arc<AppState>>) -> Response {
    let db = match running_db(&state) {
        Ok(db) => db,
        Err(e) => return e.into_response(),
    };
    let body = tokio::task::spawn_blocking(move || {
        let s = db.stats();
        let mut by_name: HashMap<String, u64> = HashMap::new();
        let mut values_by_label: HashMap<String, HashSet<String>> = HashMap::new();
        let mut bytes_by_label: HashMap<String, u64> = HashMap::new();
        let mut by_pair: HashMap<String, u64> = HashMap::new();
        for (labels, _) in db.head().all_sorted() {
            *by_name.entry(labels.metric_name().to_string()).or_default() += 1;
            for l in labels.iter() {
                if values_by_label.entry(l.name.to_string()).or_default().insert(l.value.to_string()) {
                    *bytes_by_label.entry(l.name.to_string()).or_default() += l.value.len() as u64;
                }
                *by_pair.entry(format!("{}={}", l.name, l.value)).or_default() += 1;
            }
        }
        let label_pairs = by_pair.len();
        let value_counts: HashMap<String, u64> =
            values_by_label.into_iter().map(|(k, v)| (k, v.len() as u64)).collect();
        let (min, max) = (s.head_min_t.unwrap_or(0), s.head_max_t.unwrap_or(0));
        format!(
            "{{\"headStats\":{{\"numSeries\":{},\"numLabelPairs\":{label_pairs},\"chunkCount\":0,\"minTime\":{min},\"maxTime\":{max}}},\"seriesCountByMetricName\":{},\"labelValueCountByLabelName\":{},\"memoryInBytesByLabelName\":{},\"seriesCountByLabelValuePair\":{}}}",
            s.head_series,
            top10(by_name),
            top10(value_counts),
            top10(bytes_by_label),
            top10(by_pair)
        )
    })
    .await;
    match body {
        Ok(b) => ok(b),
        Err(_) => ok("{}".into()),
    }
}

/// The ten largest entries as `[{"name":…,"value":…}]`, largest first.
fn top10(counts: HashMap<String, u64>) -> String {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = String::from("[");
    for (i, (name, value)) in v.into_iter().take(10).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        encode::string(&mut out, &name);
        let _ = write!(out, ",\"value\":{value}}}");
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_435_781_451_781), "2015-07-01T20:10:51.781Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
