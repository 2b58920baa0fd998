//! Go's `net.SplitHostPort`/`JoinHostPort`/`ParseIP` and `url.URL.Path`, as behind
//! Prometheus's `stripPort`, `stripDomain` and `pathPrefix`.

use std::net::IpAddr;

use crate::escape::percent_decode;

/// `net.SplitHostPort`: `host:port`, `[v6]:port`; `None` where Go returns an error.
pub fn split_host_port(hostport: &str) -> Option<(&str, &str)> {
    let i = hostport.rfind(':')?;
    let (host, j, k) = if hostport.starts_with('[') {
        let end = hostport.find(']')?;
        if end + 1 != i {
            return None;
        }
        (&hostport[1..end], 1, end + 1)
    } else {
        let host = &hostport[..i];
        if host.contains(':') {
            return None;
        }
        (host, 0, 0)
    };
    if hostport[j..].contains('[') || hostport[k..].contains(']') {
        return None;
    }
    Some((host, &hostport[i + 1..]))
}

/// `net.JoinHostPort`: brackets hosts that contain a colon.
pub fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// Prometheus's `stripPort`: the host of `host:port`, or the input when it has no port.
pub fn strip_port(hostport: &str) -> String {
    split_host_port(hostport).map_or(hostport, |(host, _)| host).to_string()
}

/// Prometheus's `stripDomain`: the first DNS label, port kept; IP addresses unchanged.
pub fn strip_domain(hostport: &str) -> String {
    let (host, port) = split_host_port(hostport).unwrap_or((hostport, ""));
    if host.parse::<IpAddr>().is_ok() {
        return hostport.to_string();
    }
    let host = host.split('.').next().unwrap_or(host);
    if port.is_empty() { host.to_string() } else { join_host_port(host, port) }
}

/// `url.Parse(s).Path`: the decoded path of a URL (empty for opaque URLs such as
/// `host:9090`).
pub fn url_path(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or("");
    let scheme_end = url.find(':').filter(|&i| {
        let scheme = &url[..i];
        scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let rest = match scheme_end {
        Some(i) => {
            let rest = &url[i + 1..];
            if !rest.starts_with('/') {
                return String::new();
            }
            rest
        }
        None => url,
    };
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => authority_and_path.find('/').map_or("", |i| &authority_and_path[i..]),
        None => rest,
    };
    percent_decode(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_like_go() {
        assert_eq!(split_host_port("a:80"), Some(("a", "80")));
        assert_eq!(split_host_port("[::1]:80"), Some(("::1", "80")));
        assert_eq!(split_host_port("::1"), None);
        assert_eq!(split_host_port("a"), None);
        assert_eq!(strip_domain("foo.example.com:9100"), "foo:9100");
        assert_eq!(strip_domain("[2001:db8::1]:80"), "[2001:db8::1]:80");
        assert_eq!(strip_domain("192.168.0.1"), "192.168.0.1");
        assert_eq!(strip_port("[::1]:9090"), "::1");
    }

    #[test]
    fn url_paths() {
        assert_eq!(url_path("http://example.com/prom/?x=1"), "/prom/");
        assert_eq!(url_path("http://example.com"), "");
        assert_eq!(url_path("https://h:9090/a%20b"), "/a b");
        assert_eq!(url_path("/relative/path"), "/relative/path");
        assert_eq!(url_path("localhost:9090"), "");
    }
}
