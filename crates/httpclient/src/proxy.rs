//! HTTP proxies: which requests go through one (`proxy_url` + `no_proxy`, or the
//! `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` environment with `proxy_from_environment`), and the
//! CONNECT tunnel every proxied connection is opened with (plain HTTP included, so the proxy
//! never sees request contents or credentials).

use std::net::IpAddr;

use promconfig::http::ProxyConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::ClientError;

/// A proxy to tunnel through.
#[derive(Debug, Clone, PartialEq)]
pub struct Proxy {
    /// `host:port` of the proxy.
    pub address: String,
    /// Headers of the CONNECT request (`proxy_connect_header`, and `Proxy-Authorization` from
    /// credentials in the proxy URL).
    pub connect_headers: Vec<(String, String)>,
}

/// Chooses the proxy for each target.
#[derive(Debug, Clone, Default)]
pub struct ProxySelector {
    http: Option<Proxy>,
    https: Option<Proxy>,
    bypass: Vec<Bypass>,
}

/// One `no_proxy` entry.
#[derive(Debug, Clone, PartialEq)]
enum Bypass {
    All,
    /// A host name; a leading dot (or none) also matches subdomains.
    Domain(String),
    Cidr(IpAddr, u8),
}

impl ProxySelector {
    /// The selector for `cfg`; `None` when nothing is proxied.
    pub fn new(cfg: &ProxyConfig) -> Result<Option<ProxySelector>, ClientError> {
        let connect_headers: Vec<(String, String)> = cfg
            .proxy_connect_header
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.expose().to_string())))
            .collect();
        if let Some(url) = &cfg.proxy_url {
            let proxy = parse_proxy_url(url, &connect_headers)?;
            let bypass = parse_no_proxy(cfg.no_proxy.as_deref().unwrap_or(""));
            return Ok(Some(ProxySelector { http: Some(proxy.clone()), https: Some(proxy), bypass }));
        }
        if cfg.proxy_from_environment {
            let env = |names: [&str; 2]| names.iter().find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()));
            let http = env(["HTTP_PROXY", "http_proxy"]).map(|u| parse_proxy_url(&u, &connect_headers)).transpose()?;
            let https =
                env(["HTTPS_PROXY", "https_proxy"]).map(|u| parse_proxy_url(&u, &connect_headers)).transpose()?;
            let bypass = parse_no_proxy(&env(["NO_PROXY", "no_proxy"]).unwrap_or_default());
            if http.is_none() && https.is_none() {
                return Ok(None);
            }
            return Ok(Some(ProxySelector { http, https, bypass }));
        }
        Ok(None)
    }

    /// The proxy for a request to `host` over `https` or plain HTTP.
    pub fn for_target(&self, host: &str, https: bool) -> Option<&Proxy> {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if self.bypass.iter().any(|b| b.matches(&host)) {
            return None;
        }
        if https { self.https.as_ref() } else { self.http.as_ref() }
    }
}

impl Bypass {
    fn matches(&self, host: &str) -> bool {
        match self {
            Bypass::All => true,
            Bypass::Domain(d) => {
                let d = d.trim_start_matches('.');
                host == d || host.strip_suffix(d).is_some_and(|rest| rest.ends_with('.'))
            }
            Bypass::Cidr(net, bits) => host.parse::<IpAddr>().is_ok_and(|ip| in_cidr(ip, *net, *bits)),
        }
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits.min(32))) };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits.min(128))) };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

fn parse_no_proxy(list: &str) -> Vec<Bypass> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| {
            if entry == "*" {
                return Bypass::All;
            }
            if let Some((ip, bits)) = entry.split_once('/')
                && let (Ok(ip), Ok(bits)) = (ip.parse::<IpAddr>(), bits.parse::<u8>())
            {
                return Bypass::Cidr(ip, bits);
            }
            if let Ok(ip) = entry.parse::<IpAddr>() {
                return Bypass::Cidr(ip, if ip.is_ipv4() { 32 } else { 128 });
            }
            // A port suffix does not restrict the match (as in Go's common case).
            let host = entry.rsplit_once(':').map_or(entry, |(h, p)| if p.parse::<u16>().is_ok() { h } else { entry });
            Bypass::Domain(host.to_ascii_lowercase())
        })
        .collect()
}

fn parse_proxy_url(url: &str, headers: &[(String, String)]) -> Result<Proxy, ClientError> {
    promconfig::http::check_proxy_url(url)?;
    let rest = url.trim_start_matches("http://");
    let authority = rest.split('/').next().unwrap_or("");
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let address = if hostport.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
        hostport.to_string()
    } else {
        format!("{hostport}:80")
    };
    let mut connect_headers = headers.to_vec();
    if let Some(userinfo) = userinfo {
        // User info is percent-encoded (RFC 3986); `+` is a literal plus here.
        let decoded = percent_encoding::percent_decode_str(userinfo).decode_utf8_lossy();
        connect_headers.push(("Proxy-Authorization".into(), format!("Basic {}", base64(decoded.as_bytes()))));
    }
    Ok(Proxy { address, connect_headers })
}

/// Opens a tunnel to `host:port` through `proxy`: connects to the proxy and completes the
/// CONNECT exchange, leaving a stream that talks to the target.
pub async fn tunnel(proxy: &Proxy, host: &str, port: u16) -> Result<TcpStream, ClientError> {
    let transport = |what: &str, e: &dyn std::fmt::Display| {
        ClientError::Transport(format!("proxyconnect tcp {}: {what}: {e}", proxy.address))
    };
    let (phost, pport) = proxy.address.rsplit_once(':').unwrap_or((&proxy.address, "80"));
    let pport: u16 = pport.parse().unwrap_or(80);
    let mut stream = crate::connect::tcp_host(phost, pport).await.map_err(|e| transport("dial", &e))?;
    let target = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    for (k, v) in &proxy.connect_headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| transport("write", &e))?;
    // Read the proxy's answer up to the blank line; it carries no body on success.
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err(transport("read", &"response header too large"));
        }
        let n = stream.read(&mut byte).await.map_err(|e| transport("read", &e))?;
        if n == 0 {
            return Err(transport("read", &"proxy closed the connection"));
        }
        head.push(byte[0]);
    }
    let status_line = String::from_utf8_lossy(&head);
    let status_line = status_line.lines().next().unwrap_or("");
    let code = status_line.split_whitespace().nth(1).unwrap_or("");
    if !code.starts_with('2') {
        let status = status_line.split_once(' ').map_or(status_line, |(_, s)| s);
        return Err(ClientError::Transport(format!(
            "proxyconnect tcp {}: proxy refused CONNECT: {status}",
            proxy.address
        )));
    }
    Ok(stream)
}

/// Standard base64 with padding, for `Basic` credentials.
pub fn base64(input: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(url: &str, no_proxy: Option<&str>) -> ProxySelector {
        let cfg =
            ProxyConfig { proxy_url: Some(url.into()), no_proxy: no_proxy.map(String::from), ..Default::default() };
        ProxySelector::new(&cfg).unwrap().unwrap()
    }

    #[test]
    fn no_proxy_bypasses_hosts_domains_and_cidrs() {
        let s = selector("http://proxy:3128", Some("localhost, .internal,10.0.0.0/8, 192.168.1.5,example.org:8080"));
        assert_eq!(s.for_target("remote.example.com", false).map(|p| p.address.as_str()), Some("proxy:3128"));
        assert!(s.for_target("localhost", true).is_none());
        assert!(s.for_target("a.b.internal", false).is_none());
        assert!(s.for_target("internal", false).is_none());
        assert!(s.for_target("notinternal", false).is_some());
        assert!(s.for_target("10.1.2.3", false).is_none());
        assert!(s.for_target("11.1.2.3", false).is_some());
        assert!(s.for_target("192.168.1.5", false).is_none());
        assert!(s.for_target("sub.example.org", false).is_none());
    }

    #[test]
    fn proxy_url_credentials_become_proxy_authorization() {
        let s = selector("http://us%40er:pw@proxy", None);
        let p = s.for_target("x", true).unwrap();
        assert_eq!(p.address, "proxy:80");
        assert_eq!(
            p.connect_headers,
            vec![("Proxy-Authorization".to_string(), format!("Basic {}", base64(b"us@er:pw")))]
        );
    }

    #[test]
    fn base64_known_vectors() {
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }
}
