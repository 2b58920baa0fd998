//! The `http` prober: one request (plus redirects) timed by phase, checked against the module's
//! expectations, reported with blackbox_exporter's series.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use tokio::time::timeout_at;

use crate::config::{HeaderMatch, HttpProbe};
use crate::connect::{self, Stream};
use crate::metrics::ProbeMetrics;
use crate::resolve::choose_protocol;
use crate::tls::{self, TlsClient, TlsSeen};

const USER_AGENT: &str = concat!("Vigil/", env!("CARGO_PKG_VERSION"));
const DURATION: &str = "probe_http_duration_seconds";

/// Timestamps of one round trip, as blackbox's `httptrace` hooks record them.
#[derive(Debug, Default)]
struct Trace {
    tls: bool,
    start: Option<Instant>,
    dns_done: Option<Instant>,
    connect_done: Option<Instant>,
    got_conn: Option<Instant>,
    response_start: Option<Instant>,
    end: Option<Instant>,
    tls_start: Option<Instant>,
    tls_done: Option<Instant>,
}

/// The response the probe judges (the last one received).
#[derive(Debug, Default)]
struct Response {
    status: u16,
    version: f64,
    proto: String,
    headers: HeaderMap,
    content_length: i64,
    tls: Option<TlsSeen>,
}

/// Everything the request loop learnt, kept outside it so a timeout does not lose it.
#[derive(Debug, Default)]
struct State {
    traces: Vec<Trace>,
    response: Option<Response>,
    redirects: usize,
    body_bytes: u64,
    /// Verdict so far (status, header and body checks).
    success: bool,
    failed_due_to_regex: Option<bool>,
    /// The last response was a redirect that was not followed.
    stopped_at_redirect: bool,
}

/// One hop's request target.
#[derive(Debug, Clone)]
struct Hop {
    https: bool,
    /// Host to connect to (a name or an IP literal, without brackets).
    host: String,
    port: u16,
    /// Host header value.
    host_header: String,
    path: String,
    method: Method,
    body: Bytes,
    /// The target's host name, which a proxy tunnel is opened to.
    name: String,
    /// The module's proxy settings (`proxy_url`, `no_proxy`, ...).
    proxy: Option<std::sync::Arc<httpclient::proxy::ProxySelector>>,
    /// The module's credentials and `http_headers`.
    auth: std::sync::Arc<httpclient::auth::RequestAuth>,
}

/// Runs the http prober against `target` until `deadline`, recording series into `m`.
pub async fn probe(target: &str, cfg: &HttpProbe, deadline: tokio::time::Instant, m: &mut ProbeMetrics) -> bool {
    register(m);
    let target = if target.starts_with("http://") || target.starts_with("https://") {
        target.to_string()
    } else {
        format!("http://{target}")
    };
    let Ok(uri) = target.parse::<Uri>() else {
        tracing::debug!(target, "could not parse target url");
        return false;
    };
    let Some(authority) = uri.authority().cloned() else { return false };
    let https = uri.scheme_str() == Some("https");
    let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_string();
    let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });

    let resolved =
        timeout_at(deadline, choose_protocol(&cfg.preferred_ip_protocol, cfg.ip_protocol_fallback, &host, m));
    let Ok((ip, lookup_time)) = resolved.await else { return false };
    m.add_labeled(DURATION, &["resolve"], lookup_time);
    let Ok(ip) = ip else { return false };
    let http = cfg.http_client_config();
    let proxy = match httpclient::proxy::ProxySelector::new(&http.proxy()) {
        Ok(p) => p.map(std::sync::Arc::new),
        Err(e) => {
            tracing::warn!(error = %e, "invalid proxy settings");
            return false;
        }
    };
    let auth = match httpclient::auth::RequestAuth::new(&http, USER_AGENT) {
        Ok(a) => std::sync::Arc::new(a),
        Err(e) => {
            tracing::warn!(error = %e, "invalid credentials settings");
            return false;
        }
    };
    // blackbox decompresses gzip, deflate and br bodies; Vigil does not yet, and a wrong body
    // length or regex verdict would be worse than a visible failure.
    if !cfg.compression.is_empty() && !cfg.compression.eq_ignore_ascii_case("identity") {
        tracing::warn!(compression = %cfg.compression, "response decompression is not supported by Vigil's prober");
        return false;
    }
    let alpn: &[&[u8]] = if cfg.enable_http2 { &[b"h2", b"http/1.1"] } else { &[b"http/1.1"] };
    let client = match tls::client_config(&cfg.tls_config, alpn) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "cannot build TLS client");
            return false;
        }
    };
    for phase in ["connect", "tls", "processing", "transfer"] {
        m.add_labeled(DURATION, &[phase], 0.0);
    }
    let host_header = header_value(cfg, "host").unwrap_or_else(|| authority.as_str().to_string());
    let sni = cfg.tls_config.server_name.clone().unwrap_or_else(|| match header_value(cfg, "host") {
        Some(h) => h,
        None => host.clone(),
    });
    let first = Hop {
        https,
        host: ip.to_string(),
        port,
        host_header,
        path: uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".to_string()),
        method: Method::from_bytes(if cfg.method.is_empty() { b"GET" } else { cfg.method.as_bytes() })
            .unwrap_or(Method::GET),
        body: Bytes::from(cfg.body.clone()),
        name: host.clone(),
        proxy,
        auth,
    };
    let mut state = State::default();
    let finished = timeout_at(deadline, run(first, &host, &sni, cfg, &client, &mut state)).await;
    let completed = matches!(finished, Ok(true));
    finish(cfg, state, completed, m)
}

fn register(m: &mut ProbeMetrics) {
    m.register_vec(DURATION, "Duration of http request by phase, summed over all redirects", &["phase"]);
    m.register("probe_http_content_length", "Length of http content response");
    m.register("probe_http_uncompressed_body_length", "Length of uncompressed response body");
    m.register("probe_http_redirects", "The number of redirects");
    m.register("probe_http_ssl", "Indicates if SSL was used for the final redirect");
    m.register("probe_http_status_code", "Response HTTP status code");
    m.register("probe_http_version", "Returns the version of HTTP of the probe response");
    m.register("probe_failed_due_to_regex", "Indicates if probe failed due to regex");
}

fn header_value(cfg: &HttpProbe, name: &str) -> Option<String> {
    cfg.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// Sends the request and follows redirects. Returns whether the final body was read completely.
async fn run(
    mut hop: Hop,
    first_host: &str,
    sni: &str,
    cfg: &HttpProbe,
    client: &TlsClient,
    state: &mut State,
) -> bool {
    loop {
        state.traces.push(Trace { tls: hop.https, ..Default::default() });
        let Some(idx) = state.traces.len().checked_sub(1) else { return false };
        // Redirects to another host do not carry the configured server name.
        let name = if hop.host == first_host || state.traces.len() == 1 { sni.to_string() } else { hop.host.clone() };
        let Some(mut response) = exchange(&hop, &name, cfg, client, &mut state.traces[idx]).await else {
            return false;
        };
        let status = response.status().as_u16();
        let location =
            response.headers().get(hyper::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let info = response_info(&response);
        if let (true, Some(loc)) = (matches!(status, 301 | 302 | 303 | 307 | 308), location) {
            state.redirects = state.traces.len();
            if state.redirects > 10 || !cfg.follows_redirects() {
                // blackbox's client stops with an error and keeps this response, body unread.
                state.success = status_ok(cfg, status);
                state.response = Some(info);
                state.stopped_at_redirect = true;
                state.traces[idx].end = Some(Instant::now());
                return false;
            }
            let Some(next) = redirect(&hop, &loc, status) else { return false };
            hop = next;
            continue;
        }
        state.success = status_ok(cfg, status);
        if state.success && (!cfg.fail_if_header_matches.is_empty() || !cfg.fail_if_header_not_matches.is_empty()) {
            state.success = headers_ok(&info.headers, cfg);
            state.failed_due_to_regex = Some(!state.success);
        }
        state.response = Some(info);
        let body = read_body(response.body_mut(), cfg.body_size_limit, &mut state.body_bytes).await;
        let complete = body.is_some();
        if state.success
            && (!cfg.fail_if_body_matches_regexp.is_empty() || !cfg.fail_if_body_not_matches_regexp.is_empty())
        {
            state.success = body.as_deref().is_some_and(|b| body_ok(b, cfg));
            state.failed_due_to_regex = Some(!state.success);
        }
        state.traces[idx].end = Some(Instant::now());
        return complete;
    }
}

/// One round trip on a fresh connection; records the trace and returns the response head.
async fn exchange(
    hop: &Hop,
    server_name: &str,
    cfg: &HttpProbe,
    client: &TlsClient,
    trace: &mut Trace,
) -> Option<hyper::Response<hyper::body::Incoming>> {
    if let Some(proxy) = hop.proxy.as_ref().and_then(|p| p.for_target(&hop.name, hop.https)) {
        // Through a proxy: the proxy resolves the name; the tunnel counts as the connection.
        let now = Instant::now();
        trace.start = Some(now);
        trace.dns_done = Some(now);
        let tcp = httpclient::proxy::tunnel(proxy, &hop.name, hop.port).await;
        trace.connect_done = Some(Instant::now());
        let tcp = tcp.map_err(|e| tracing::debug!(error = %e, "proxy tunnel failed")).ok()?;
        return finish_exchange(hop, server_name, cfg, client, trace, tcp).await;
    }
    let ip = match hop.host.parse::<IpAddr>() {
        Ok(ip) => {
            let now = Instant::now();
            trace.start = Some(now);
            trace.dns_done = Some(now);
            ip
        }
        Err(_) => {
            trace.start = Some(Instant::now());
            let found = tokio::net::lookup_host((hop.host.as_str(), hop.port)).await.ok()?.next();
            trace.dns_done = Some(Instant::now());
            found?.ip()
        }
    };
    let tcp = connect::tcp(SocketAddr::new(ip, hop.port), None).await;
    trace.connect_done = Some(Instant::now());
    let tcp = tcp.map_err(|e| tracing::debug!(error = %e, "connect failed")).ok()?;
    finish_exchange(hop, server_name, cfg, client, trace, tcp).await
}

/// The rest of an exchange once TCP is connected: TLS, the request, the response head.
async fn finish_exchange(
    hop: &Hop,
    server_name: &str,
    cfg: &HttpProbe,
    client: &TlsClient,
    trace: &mut Trace,
    tcp: tokio::net::TcpStream,
) -> Option<hyper::Response<hyper::body::Incoming>> {
    let stream = if hop.https {
        let name = tls::server_name(server_name)?;
        let (result, start, done) = connect::tls_handshake(tcp, client.config.clone(), name, client.verifies).await;
        trace.tls_start = Some(start);
        trace.tls_done = Some(done);
        let (stream, seen) = result.map_err(|e| tracing::debug!(error = %e, "TLS handshake failed")).ok()?;
        Some((stream, Some(seen)))
    } else {
        Some((Stream::Plain(tcp), None))
    };
    let (stream, seen) = stream?;
    trace.got_conn = Some(Instant::now());
    let h2 = seen.as_ref().is_some_and(|s| s.h2);
    let mut request = build_request(hop, cfg, h2)?;
    // Credentials (basic auth, authorization, an OAuth2 token) and http_headers, as the HTTP
    // stack applies them; an unreadable secret file or a failed token request fails the probe.
    if let Err(e) = hop.auth.apply(request.headers_mut(), true).await {
        tracing::debug!(error = %e, "cannot apply the module's credentials");
        return None;
    }
    let (response, driver) = send(stream, h2, request).await?;
    trace.response_start = Some(Instant::now());
    let mut response = response;
    response.extensions_mut().insert(TlsExt(seen));
    response.extensions_mut().insert(DriverExt(std::sync::Arc::new(driver)));
    Some(response)
}

/// Sends `request` over HTTP/2 or HTTP/1.1 on `stream`, driving the connection in a task that
/// ends with the returned guard.
async fn send(
    stream: Stream,
    h2: bool,
    request: Request<Full<Bytes>>,
) -> Option<(hyper::Response<hyper::body::Incoming>, AbortOnDrop)> {
    let io = hyper_util::rt::TokioIo::new(stream);
    let failed = |e: hyper::Error| tracing::debug!(error = %e, "request failed");
    if h2 {
        let executor = hyper_util::rt::TokioExecutor::new();
        let (mut sender, conn) = hyper::client::conn::http2::handshake(executor, io).await.map_err(failed).ok()?;
        let driver = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        let response = sender.send_request(request).await.map_err(failed).ok()?;
        Some((response, driver))
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.map_err(failed).ok()?;
        let driver = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        let response = sender.send_request(request).await.map_err(failed).ok()?;
        Some((response, driver))
    }
}

/// Keeps the connection task alive as long as the response (and its body) is in use.
#[derive(Clone)]
struct DriverExt(#[allow(dead_code)] std::sync::Arc<AbortOnDrop>);

#[derive(Clone)]
struct TlsExt(Option<TlsSeen>);

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn build_request(hop: &Hop, cfg: &HttpProbe, h2: bool) -> Option<Request<Full<Bytes>>> {
    // HTTP/2 carries the host in the `:authority` pseudo-header, taken from an absolute URI.
    let uri = if h2 { format!("https://{}{}", hop.host_header, hop.path) } else { hop.path.clone() };
    let mut req = Request::builder().method(hop.method.clone()).uri(uri);
    if h2 {
        req = req.version(hyper::Version::HTTP_2);
    }
    let headers = req.headers_mut()?;
    if !h2 {
        headers.insert(hyper::header::HOST, HeaderValue::from_str(&hop.host_header).ok()?);
    }
    for (k, v) in &cfg.headers {
        if k.eq_ignore_ascii_case("host") {
            continue;
        }
        let name = HeaderName::from_bytes(k.as_bytes()).ok()?;
        headers.insert(name, HeaderValue::from_str(v).ok()?);
    }
    if !headers.contains_key(hyper::header::USER_AGENT) {
        headers.insert(hyper::header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    }
    if !h2 {
        headers.insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    req.body(Full::new(hop.body.clone())).ok()
}

fn response_info(resp: &hyper::Response<hyper::body::Incoming>) -> Response {
    let (version, proto) = match resp.version() {
        hyper::Version::HTTP_10 => (1.0, "HTTP/1.0"),
        hyper::Version::HTTP_11 => (1.1, "HTTP/1.1"),
        hyper::Version::HTTP_2 => (2.0, "HTTP/2.0"),
        _ => (0.0, ""),
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let declared = headers.get(hyper::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<i64>().ok());
    let content_length = match declared {
        Some(n) => n,
        None if status == 204 || status == 304 || (100..200).contains(&status) => 0,
        None => -1,
    };
    let tls = resp.extensions().get::<TlsExt>().and_then(|t| t.0.clone());
    Response { status, version, proto: proto.to_string(), headers, content_length, tls }
}

/// Reads the whole body, counting bytes into `count`; `None` on error or when over `limit`.
async fn read_body(body: &mut hyper::body::Incoming, limit: u64, count: &mut u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| tracing::debug!(error = %e, "reading body failed")).ok()?;
        if let Ok(data) = frame.into_data() {
            *count += data.len() as u64;
            if limit > 0 && *count > limit {
                return None;
            }
            out.extend_from_slice(&data);
        }
    }
    Some(out)
}

fn status_ok(cfg: &HttpProbe, status: u16) -> bool {
    if cfg.valid_status_codes.is_empty() {
        (200..300).contains(&status)
    } else {
        cfg.valid_status_codes.contains(&status)
    }
}

fn headers_ok(headers: &HeaderMap, cfg: &HttpProbe) -> bool {
    let values = |spec: &HeaderMatch| -> Vec<Vec<u8>> {
        headers.get_all(spec.header.as_str()).iter().map(|v| v.as_bytes().to_vec()).collect()
    };
    for spec in &cfg.fail_if_header_matches {
        let vals = values(spec);
        if vals.is_empty() {
            if spec.allow_missing {
                continue;
            }
            return false;
        }
        if vals.iter().any(|v| spec.regexp.0.is_match(v)) {
            return false;
        }
    }
    for spec in &cfg.fail_if_header_not_matches {
        let vals = values(spec);
        if vals.is_empty() {
            if spec.allow_missing {
                continue;
            }
            return false;
        }
        if !vals.iter().any(|v| spec.regexp.0.is_match(v)) {
            return false;
        }
    }
    true
}

fn body_ok(body: &[u8], cfg: &HttpProbe) -> bool {
    !cfg.fail_if_body_matches_regexp.iter().any(|re| re.0.is_match(body))
        && cfg.fail_if_body_not_matches_regexp.iter().all(|re| re.0.is_match(body))
}

/// The next hop of a redirect, with Go's method rewriting (301/302/303 become GET without body).
fn redirect(hop: &Hop, location: &str, status: u16) -> Option<Hop> {
    let mut next = hop.clone();
    if matches!(status, 301..=303) && hop.method != Method::HEAD {
        next.method = Method::GET;
        next.body = Bytes::new();
    }
    let absolute = if location.starts_with("//") {
        Some(format!("{}:{location}", if hop.https { "https" } else { "http" }))
    } else if location.starts_with("http://") || location.starts_with("https://") {
        Some(location.to_string())
    } else {
        None
    };
    match absolute {
        Some(abs) => {
            let uri: Uri = abs.parse().ok()?;
            let authority = uri.authority()?;
            next.https = uri.scheme_str() == Some("https");
            next.host = authority.host().trim_start_matches('[').trim_end_matches(']').to_string();
            next.name = next.host.clone();
            next.port = authority.port_u16().unwrap_or(if next.https { 443 } else { 80 });
            next.host_header = authority.as_str().to_string();
            next.path = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".to_string());
        }
        None if location.starts_with('/') => next.path = location.to_string(),
        None => {
            let dir = hop.path.split('?').next().unwrap_or("/");
            let base = &dir[..dir.rfind('/').map_or(0, |i| i + 1)];
            next.path = format!("{base}{location}");
        }
    }
    Some(next)
}

/// Turns the loop's state into blackbox's series and the final verdict.
fn finish(cfg: &HttpProbe, state: State, completed: bool, m: &mut ProbeMetrics) -> bool {
    // A redirect that was not followed ends blackbox's request with an error, but the response is
    // still judged (and fails the status check unless 3xx codes are accepted).
    let mut success = if state.stopped_at_redirect { state.success } else { state.success && completed };
    if let Some(f) = state.failed_due_to_regex {
        m.set("probe_failed_due_to_regex", "", if f { 1.0 } else { 0.0 });
    }
    add_phases(&state.traces, m);
    let response = state.response.unwrap_or_default();
    if let Some(t) = response.headers.get(hyper::header::LAST_MODIFIED).and_then(|v| v.to_str().ok())
        && let Some(ts) = crate::httpdate::parse_http_date(t)
    {
        m.set(
            "probe_http_last_modified_timestamp_seconds",
            "Returns the Last-Modified HTTP response header in unixtime",
            ts as f64,
        );
    }
    m.set("probe_http_version", "", response.version);
    if !cfg.valid_http_versions.is_empty() && !cfg.valid_http_versions.contains(&response.proto) {
        success = false;
    }
    match &response.tls {
        Some(seen) => {
            m.set("probe_http_ssl", "", 1.0);
            seen.record(m);
            if cfg.fail_if_ssl {
                success = false;
            }
        }
        None if cfg.fail_if_not_ssl => success = false,
        None => {}
    }
    m.set("probe_http_status_code", "", f64::from(response.status));
    m.set("probe_http_content_length", "", response.content_length as f64);
    m.set("probe_http_uncompressed_body_length", "", state.body_bytes as f64);
    m.set("probe_http_redirects", "", state.redirects as f64);
    success
}

fn secs(a: Option<Instant>, b: Option<Instant>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) => b.saturating_duration_since(a).as_secs_f64(),
        _ => 0.0,
    }
}

fn add_phases(traces: &[Trace], m: &mut ProbeMetrics) {
    for (i, t) in traces.iter().enumerate() {
        if i != 0 {
            m.add_labeled(DURATION, &["resolve"], secs(t.start, t.dns_done));
        }
        if t.got_conn.is_none() {
            continue;
        }
        if t.tls {
            m.add_labeled(DURATION, &["connect"], secs(t.dns_done, t.connect_done));
            m.add_labeled(DURATION, &["tls"], secs(t.tls_start, t.tls_done));
        } else {
            m.add_labeled(DURATION, &["connect"], secs(t.dns_done, t.got_conn));
        }
        if t.response_start.is_none() {
            continue;
        }
        m.add_labeled(DURATION, &["processing"], secs(t.got_conn, t.response_start));
        if t.end.is_some() {
            m.add_labeled(DURATION, &["transfer"], secs(t.response_start, t.end));
        }
    }
}
