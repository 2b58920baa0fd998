//! The scrape status endpoints: `/api/v1/targets`, `/api/v1/targets/metadata`,
//! `/api/v1/scrape_pools`, shaped like Prometheus 2.42's; and the scrape side of
//! `/api/v1/metadata`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use scrape::manager::ScrapeManager;

use super::params::Params;
use super::{bad_data, encode, limit_param, ok};
use crate::AppState;

fn label_map(out: &mut String, m: &BTreeMap<String, String>, public_only: bool) {
    out.push('{');
    let mut first = true;
    for (k, v) in m {
        if public_only && k.starts_with("__") {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        encode::string(out, k);
        out.push(':');
        encode::string(out, v);
    }
    out.push('}');
}

fn manager(state: &AppState) -> Option<&ScrapeManager> {
    state.running().ok().map(|r| &r.scrape)
}

/// `GET /api/v1/targets?state=active|dropped|any&scrapePool=…`
pub async fn targets(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), None);
    let which = p.get("state").unwrap_or("any").to_ascii_lowercase();
    let (show_active, show_dropped) = match which.as_str() {
        "" | "any" => (true, true),
        "active" => (true, false),
        "dropped" => (false, true),
        _ => (false, false),
    };
    let pool = p.get("scrapePool").filter(|s| !s.is_empty());
    let mut out = String::from("{\"activeTargets\":[");
    if let Some(m) = manager(&state).filter(|_| show_active) {
        let mut first = true;
        for t in m.active_targets().iter().filter(|t| pool.is_none_or(|p| p == t.pool)) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str("{\"discoveredLabels\":");
            label_map(&mut out, &t.target.discovered, false);
            out.push_str(",\"labels\":");
            label_map(&mut out, &t.target.labels, true);
            out.push_str(",\"scrapePool\":");
            encode::string(&mut out, &t.pool);
            out.push_str(",\"scrapeUrl\":");
            encode::string(&mut out, &t.target.url);
            out.push_str(",\"globalUrl\":");
            let listen = state.status.flags.get("web.listen-address").map(String::as_str).unwrap_or("");
            encode::string(&mut out, &global_url(&t.target.url, listen_port(listen), hostname()));
            out.push_str(",\"lastError\":");
            encode::string(&mut out, &t.status.last_error);
            out.push_str(",\"lastScrape\":");
            let last =
                t.status.last_scrape_ms.map_or_else(|| "0001-01-01T00:00:00Z".to_string(), super::status::rfc3339);
            encode::string(&mut out, &last);
            out.push_str(",\"lastScrapeDuration\":");
            out.push_str(&encode::float(t.status.last_duration_s));
            out.push_str(",\"health\":");
            encode::string(&mut out, t.status.health.as_str());
            out.push_str(",\"scrapeInterval\":");
            encode::string(&mut out, &scrape::duration::format_duration_ms(t.target.interval_ms));
            out.push_str(",\"scrapeTimeout\":");
            encode::string(&mut out, &scrape::duration::format_duration_ms(t.target.timeout_ms));
            out.push('}');
        }
    }
    out.push_str("],\"droppedTargets\":[");
    if let Some(m) = manager(&state).filter(|_| show_dropped) {
        let mut first = true;
        for d in m.dropped_targets().iter().filter(|t| pool.is_none_or(|p| p == t.pool)) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str("{\"discoveredLabels\":");
            label_map(&mut out, &d.discovered, false);
            if let Some(e) = &d.error {
                out.push_str(",\"error\":");
                encode::string(&mut out, e);
            }
            out.push('}');
        }
    }
    out.push_str("]}");
    ok(out)
}

/// `GET /api/v1/scrape_pools`
pub async fn scrape_pools(State(state): State<Arc<AppState>>) -> Response {
    let pools = manager(&state).map(|m| m.pools()).unwrap_or_default();
    let mut out = String::from("{\"scrapePools\":");
    out.push_str(&super::string_array(pools));
    out.push('}');
    ok(out)
}

/// `GET /api/v1/targets/metadata?match_target=…&metric=…&limit=…`
pub async fn targets_metadata(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), None);
    let limit = match limit_param(&p) {
        Ok(l) => l.unwrap_or(usize::MAX),
        Err(r) => return r.into_response(),
    };
    let matchers = match p.get("match_target").filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(s) => match promql::parse::parse_selector(s) {
            Ok(m) => m,
            Err(e) => return bad_data(format!("invalid parameter \"match_target\": {e}")).into_response(),
        },
    };
    let metric = p.get("metric").filter(|s| !s.is_empty());
    let mut out = String::from("[");
    let mut n = 0;
    if let Some(m) = manager(&state) {
        'targets: for t in m.active_targets() {
            let public: BTreeMap<String, String> =
                t.target.public_labels().map(|(k, v)| (k.clone(), v.clone())).collect();
            if !matchers.iter().all(|mt| mt.matches(public.get(&mt.name).map(String::as_str).unwrap_or(""))) {
                continue;
            }
            for (name, md) in t.status.metadata.iter() {
                if metric.is_some_and(|w| w != name) {
                    continue;
                }
                if n >= limit {
                    break 'targets;
                }
                if n > 0 {
                    out.push(',');
                }
                n += 1;
                out.push_str("{\"target\":");
                label_map(&mut out, &public, false);
                if metric.is_none() {
                    out.push_str(",\"metric\":");
                    encode::string(&mut out, name);
                }
                out.push_str(",\"type\":");
                encode::string(&mut out, md.kind.as_str());
                out.push_str(",\"help\":");
                encode::string(&mut out, &md.help);
                out.push_str(",\"unit\":");
                encode::string(&mut out, &md.unit);
                out.push('}');
            }
        }
    }
    out.push(']');
    ok(out)
}

/// Metadata of every family the scrape targets expose: metric → distinct (type, help, unit).
pub fn scrape_metadata(state: &AppState) -> BTreeMap<String, Vec<(String, String, String)>> {
    let mut all: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    if let Some(m) = manager(state) {
        for t in m.active_targets() {
            for (name, md) in t.status.metadata.iter() {
                let entry = (md.kind.as_str().to_string(), md.help.clone(), md.unit.clone());
                let list = all.entry(name.clone()).or_default();
                if !list.contains(&entry) {
                    list.push(entry);
                }
            }
        }
    }
    all
}

/// This machine's host name, as Prometheus's default external URL uses it.
fn hostname() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_string())
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "localhost".to_string())
    })
}

fn listen_port(listen: &str) -> &str {
    listen.rsplit_once(':').map_or("", |(_, p)| p)
}

/// The target URL as seen from other machines, like Prometheus's `globalUrl`: a loopback host
/// is replaced by this machine's name; a loopback target on Vigil's own port is Vigil itself,
/// so it gets the external scheme and address too.
fn global_url(url: &str, own_port: &str, hostname: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let Some((host, port)) = authority.rsplit_once(':') else { return url.to_string() };
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        return url.to_string();
    }
    if port == own_port {
        format!("http://{hostname}:{own_port}{path}")
    } else {
        format!("{scheme}://{hostname}:{port}{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::global_url;

    #[test]
    fn loopback_targets_get_the_host_name_like_prometheus() {
        let cases = [
            ("http://127.0.0.1:9100/metrics", "http://box:9100/metrics"),
            ("https://localhost:8443/m?x=1", "https://box:8443/m?x=1"),
            ("http://[::1]:9100/metrics", "http://box:9100/metrics"),
            ("https://127.0.0.1:9090/metrics", "http://box:9090/metrics"),
            ("http://10.0.0.1:9100/metrics", "http://10.0.0.1:9100/metrics"),
            ("http://api.example.com:443/health", "http://api.example.com:443/health"),
        ];
        for (url, want) in cases {
            assert_eq!(global_url(url, "9090", "box"), want, "{url}");
        }
    }
}
