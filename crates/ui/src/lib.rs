//! Vigil's web UI, embedded: the files `ui/build.mjs` writes into `crates/ui/dist` (committed, so
//! building Vigil never needs Node), each with precompressed `.gz` and `.br` siblings.
//!
//! This crate only finds bytes for a path; the server decides which paths reach it. It never
//! reads the network or the data dir. `VIGIL_UI_DIR` points it at a folder on disk instead, so
//! a UI developer rebuilds with esbuild and reloads the page without rebuilding Vigil.

use std::borrow::Cow;

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "dist/"]
struct Embedded;

/// One file to answer with.
#[derive(Debug, Clone)]
pub struct Asset {
    pub body: Cow<'static, [u8]>,
    pub content_type: &'static str,
    /// `Content-Encoding` of `body` (`br` or `gzip`), or `None` when it is the file itself.
    pub encoding: Option<&'static str>,
    /// A strong ETag (quoted) naming the content and its encoding.
    pub etag: String,
}

/// The page every client-side route answers with.
pub const INDEX: &str = "index.html";

/// The file for `path` (no leading slash), in the best encoding `accept_encoding` allows.
pub fn lookup(path: &str, accept_encoding: &str) -> Option<Asset> {
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return None;
    }
    let source = Source::current();
    let plain_hash = source.hash(path)?;
    let content_type = content_type(path);
    for (encoding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
        if accepts(accept_encoding, encoding) {
            let name = format!("{path}{suffix}");
            if let Some(body) = source.get(&name) {
                let etag = format!("\"{plain_hash}-{encoding}\"");
                return Some(Asset { body, content_type, encoding: Some(encoding), etag });
            }
        }
    }
    let body = source.get(path)?;
    Some(Asset { body, content_type, encoding: None, etag: format!("\"{plain_hash}\"") })
}

/// Whether `path` is one of the UI's pages (the route tables' patterns, which `build.mjs` writes
/// into `routes.txt`: `:name` matches one segment, `:name?` one or none). Other page paths still
/// get the UI (it says "not found"), but with status 404.
pub fn is_page(path: &str) -> bool {
    let Some(table) = Source::current().get("routes.txt") else { return false };
    let table = String::from_utf8_lossy(&table);
    table.lines().map(str::trim).filter(|l| !l.is_empty()).any(|pattern| matches_pattern(pattern, path))
}

fn matches_pattern(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let required = pat.iter().filter(|p| !(p.starts_with(':') && p.ends_with('?'))).count();
    if segs.len() < required || segs.len() > pat.len() {
        return false;
    }
    pat.iter().zip(segs.iter()).all(|(p, s)| p.starts_with(':') || p == s)
}

/// Whether `If-None-Match` names this asset's ETag (or is `*`).
pub fn not_modified(asset: &Asset, if_none_match: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == asset.etag)
}

/// The embedded file names (for tests and the budget check).
pub fn embedded_files() -> Vec<String> {
    Embedded::iter().map(|name| name.into_owned()).collect()
}

/// Where assets come from: the embedded copy, or `VIGIL_UI_DIR` during UI development.
enum Source {
    Embedded,
    Dir(std::path::PathBuf),
}

impl Source {
    fn current() -> Source {
        match std::env::var_os("VIGIL_UI_DIR") {
            Some(dir) if !dir.is_empty() => Source::Dir(dir.into()),
            _ => Source::Embedded,
        }
    }

    fn get(&self, name: &str) -> Option<Cow<'static, [u8]>> {
        match self {
            Source::Embedded => Embedded::get(name).map(|f| f.data),
            Source::Dir(dir) => std::fs::read(dir.join(name)).ok().map(Cow::Owned),
        }
    }

    /// A hex digest of the uncompressed file: sha-256 for embedded files (computed at build
    /// time), a cheap content hash for files read from disk.
    fn hash(&self, name: &str) -> Option<String> {
        match self {
            Source::Embedded => {
                let file = Embedded::get(name)?;
                Some(file.metadata.sha256_hash()[..12].iter().map(|b| format!("{b:02x}")).collect())
            }
            Source::Dir(dir) => {
                let data = std::fs::read(dir.join(name)).ok()?;
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for b in &data {
                    h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
                }
                Some(format!("{h:016x}"))
            }
        }
    }
}

fn accepts(accept_encoding: &str, encoding: &str) -> bool {
    accept_encoding.split(',').any(|part| {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let refused = it
            .any(|p| matches!(p.trim().strip_prefix("q="), Some(q) if q.trim().parse::<f32>().is_ok_and(|q| q == 0.0)));
        name.eq_ignore_ascii_case(encoding) && !refused
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "map" => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_bundle_are_embedded_with_both_encodings() {
        for name in [INDEX, "app.js", "app.css"] {
            assert!(lookup(name, "").is_some(), "{name} missing");
            assert_eq!(lookup(name, "gzip").and_then(|a| a.encoding), Some("gzip"), "{name}.gz");
            assert_eq!(lookup(name, "gzip, deflate, br").and_then(|a| a.encoding), Some("br"), "{name}.br");
        }
    }

    #[test]
    fn encodings_refused_with_q0_are_not_sent() {
        assert_eq!(lookup("app.js", "br;q=0, gzip").and_then(|a| a.encoding), Some("gzip"));
        assert_eq!(lookup("app.js", "br;q=0, gzip;q=0").and_then(|a| a.encoding), None);
    }

    #[test]
    fn compressed_bodies_decode_to_the_plain_file() {
        let plain = lookup("index.html", "").map(|a| a.body.into_owned());
        let gz = lookup("index.html", "gzip").map(|a| a.body.into_owned()).unwrap_or_default();
        // The gzip member's trailer holds the uncompressed size (RFC 1952 ISIZE).
        let n = gz.len();
        assert!(n > 8);
        let isize = u32::from_le_bytes([gz[n - 4], gz[n - 3], gz[n - 2], gz[n - 1]]) as usize;
        assert_eq!(Some(isize), plain.map(|p| p.len()));
    }

    #[test]
    fn etags_differ_by_encoding_and_match_if_none_match() {
        let a = lookup("app.js", "br").expect("embedded");
        let b = lookup("app.js", "").expect("embedded");
        assert_ne!(a.etag, b.etag);
        assert!(not_modified(&a, &a.etag));
        assert!(not_modified(&a, &format!("\"x\", W/{}", a.etag)));
        assert!(!not_modified(&a, &b.etag));
    }

    #[test]
    fn paths_escaping_the_folder_and_unknown_files_are_not_found() {
        assert!(lookup("../Cargo.toml", "").is_none());
        assert!(lookup("a//b", "").is_none());
        assert!(lookup("nope.js", "").is_none());
        assert!(lookup("", "").is_none());
    }

    #[test]
    fn page_patterns_match_like_the_client_router() {
        assert!(matches_pattern("/", "/"));
        assert!(!matches_pattern("/", "/x"));
        assert!(matches_pattern("/d/:uid/:slug?", "/d/abc"));
        assert!(matches_pattern("/d/:uid/:slug?", "/d/abc/my-dash"));
        assert!(!matches_pattern("/d/:uid/:slug?", "/d"));
        assert!(!matches_pattern("/d/:uid/:slug?", "/d/a/b/c"));
        assert!(matches_pattern("/alerting/silences", "/alerting/silences/"));
        assert!(!matches_pattern("/explore", "/explorer"));
    }

    #[test]
    fn the_embedded_route_table_names_the_pages() {
        for page in ["/", "/explore", "/graph", "/targets", "/alerting", "/dashboards", "/d/vigil-overview/x"] {
            assert!(is_page(page), "{page}");
        }
        assert!(!is_page("/no-such-page"));
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(lookup("app.js", "").map(|a| a.content_type), Some("text/javascript; charset=utf-8"));
        assert_eq!(lookup("index.html", "").map(|a| a.content_type), Some("text/html; charset=utf-8"));
    }
}
