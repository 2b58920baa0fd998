//! From discovered target groups to Alertmanager URLs, as Prometheus's `AlertmanagerFromGroup`
//! does: each address gets `__scheme__` and `__alerts_path__`, `relabel_configs` may rewrite or
//! drop it, and the URL is `{__scheme__}://{__address__}{__alerts_path__}`.

use std::collections::BTreeSet;

use promconfig::discovery::Discovered;
use promconfig::relabel::{LabelSet, process};

use crate::config::{AlertmanagerSet, ApiVersion, check_target_address};

/// The label holding the push path, as in Prometheus.
pub const ALERTS_PATH_LABEL: &str = "__alerts_path__";

/// The Alertmanagers of one set: URLs to send to, and targets relabelling dropped (listed by
/// `/api/v1/alertmanagers`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    pub active: Vec<String>,
    pub dropped: Vec<String>,
}

/// The push path for a `path_prefix`: Go's `path.Join("/", prefix, "/api/v2/alerts")`.
pub fn alerts_path(path_prefix: &str, api: ApiVersion) -> String {
    clean_path(&format!("/{path_prefix}/api/{}/alerts", api.as_str()))
}

/// Builds the set's Alertmanagers from what discovery found. Active URLs are deduplicated in
/// discovery order. A group holding an address that is a URL rather than `host:port` after
/// relabelling is skipped whole and logged, as Prometheus does.
pub fn resolve(set: &AlertmanagerSet, found: &[Discovered]) -> Resolved {
    let path = alerts_path(&set.path_prefix, set.api_version);
    let mut out = Resolved::default();
    let mut seen = BTreeSet::new();
    for group in found.chunk_by(|a, b| a.source == b.source) {
        let mut active = Vec::new();
        let mut dropped = Vec::new();
        let mut failed = None;
        for d in group {
            let mut labels = d.labels.clone();
            // Group labels win over the configured defaults, as in Prometheus.
            labels.entry("__scheme__".into()).or_insert_with(|| set.scheme.clone());
            labels.entry(ALERTS_PATH_LABEL.into()).or_insert_with(|| path.clone());
            let before = labels.clone();
            match process(labels, &set.relabel_configs) {
                None => dropped.push(url_of(&before)),
                Some(after) => {
                    let addr = after.get("__address__").map_or("", String::as_str);
                    if let Err(e) = check_target_address(addr) {
                        failed = Some(e);
                        break;
                    }
                    active.push(url_of(&after));
                }
            }
        }
        if let Some(e) = failed {
            tracing::error!(alertmanagers = %set.name, group = %group[0].source, error = %e, "creating discovered Alertmanagers failed");
            continue;
        }
        for url in active {
            if seen.insert(url.clone()) {
                out.active.push(url);
            }
        }
        out.dropped.extend(dropped);
    }
    out
}

/// Go's `url.URL{Scheme, Host, Path}.String()` for the three labels.
fn url_of(labels: &LabelSet) -> String {
    let get = |k: &str| labels.get(k).map_or("", String::as_str);
    let (scheme, host, path) = (get("__scheme__"), get("__address__"), get(ALERTS_PATH_LABEL));
    let mut url = String::new();
    if !scheme.is_empty() {
        url.push_str(scheme);
        url.push(':');
    }
    if !host.is_empty() || !scheme.is_empty() {
        url.push_str("//");
        url.push_str(host);
    }
    if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
        url.push('/');
    }
    url.push_str(&escape_path(path));
    url
}

/// Go's path escaping: unreserved characters and `$&+,/:;=@` stay, everything else is %XX.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `path.Clean` for rooted paths: no empty or `.` segments, `..` removes its parent.
fn clean_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_path_joins_and_cleans_like_go() {
        assert_eq!(alerts_path("", ApiVersion::V2), "/api/v2/alerts");
        assert_eq!(alerts_path("/am/", ApiVersion::V2), "/am/api/v2/alerts");
        assert_eq!(alerts_path("am//x", ApiVersion::V2), "/am/x/api/v2/alerts");
        assert_eq!(alerts_path("/a/../b", ApiVersion::V2), "/b/api/v2/alerts");
    }

    #[test]
    fn url_escapes_the_path() {
        let labels: LabelSet = [("__scheme__", "http"), ("__address__", "h:1"), (ALERTS_PATH_LABEL, "/a b/api")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(url_of(&labels), "http://h:1/a%20b/api");
    }
}
