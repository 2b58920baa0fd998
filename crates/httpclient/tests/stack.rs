//! The stack against local servers: OAuth2 tokens fetched, cached and refreshed; requests
//! tunnelled through a CONNECT proxy with its headers; `http_headers`, basic auth and
//! redirects seen by a capture server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{any, post};
use httpclient::{ClientOptions, HttpClient};
use promconfig::HttpClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<(String, HeaderMap)>>,
    tokens: AtomicUsize,
    token_forms: Mutex<Vec<(Option<String>, String)>>,
}

async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A capture server and a token endpoint handing out `token-N` valid for `expires_in` seconds.
async fn servers(expires_in: u64) -> (SocketAddr, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let app = Router::new()
        .route(
            "/token",
            post(move |State(s): State<Arc<Seen>>, headers: HeaderMap, body: String| async move {
                let n = s.tokens.fetch_add(1, Ordering::SeqCst) + 1;
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
                s.token_forms.lock().unwrap().push((auth, body));
                format!("{{\"access_token\":\"token-{n}\",\"token_type\":\"bearer\",\"expires_in\":{expires_in}}}")
            }),
        )
        .route("/redirect", any(|| async { (axum::http::StatusCode::FOUND, [("location", "/final")], "") }))
        .fallback(any(|State(s): State<Arc<Seen>>, uri: axum::http::Uri, headers: HeaderMap| async move {
            s.requests.lock().unwrap().push((uri.path().to_string(), headers));
            "ok"
        }))
        .with_state(seen.clone());
    (serve(app).await, seen)
}

fn client(yaml: &str) -> HttpClient {
    let cfg: HttpClientConfig = serde_saphyr::from_str(yaml).unwrap();
    HttpClient::new(&cfg, ClientOptions::default()).unwrap()
}

async fn get(c: &HttpClient, url: &str) -> u16 {
    let resp = c.get(url, Default::default()).await.unwrap();
    let status = resp.status.as_u16();
    resp.bytes_limited(0).await.unwrap();
    status
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(String::from)
}

#[tokio::test]
async fn oauth2_token_is_fetched_once_and_reused_while_valid() {
    let (addr, seen) = servers(3600).await;
    let c = client(&format!(
        "oauth2: {{client_id: my-id, client_secret: 's3cr&t', token_url: 'http://{addr}/token', scopes: [read, write], endpoint_params: {{audience: vigil}}}}"
    ));
    for _ in 0..3 {
        assert_eq!(get(&c, &format!("http://{addr}/m")).await, 200);
    }
    assert_eq!(seen.tokens.load(Ordering::SeqCst), 1, "one token for three requests");
    let reqs = seen.requests.lock().unwrap();
    assert!(reqs.iter().all(|(_, h)| header(h, "authorization").as_deref() == Some("Bearer token-1")));
    let forms = seen.token_forms.lock().unwrap();
    let (auth, body) = &forms[0];
    // client_id:client_secret, form-encoded then base64 (RFC 6749 2.3.1).
    assert_eq!(auth.as_deref(), Some("Basic bXktaWQ6czNjciUyNnQ="));
    assert!(body.contains("grant_type=client_credentials"), "{body}");
    assert!(body.contains("scope=read+write"), "{body}");
    assert!(body.contains("audience=vigil"), "{body}");
}

#[tokio::test]
async fn oauth2_token_is_refreshed_when_it_expires() {
    // 11 s tokens are refreshed 10 s early: valid for about one second.
    let (addr, seen) = servers(11).await;
    let c = client(&format!("oauth2: {{client_id: a, client_secret: b, token_url: 'http://{addr}/token'}}"));
    get(&c, &format!("http://{addr}/m")).await;
    get(&c, &format!("http://{addr}/m")).await;
    assert_eq!(seen.tokens.load(Ordering::SeqCst), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    get(&c, &format!("http://{addr}/m")).await;
    assert_eq!(seen.tokens.load(Ordering::SeqCst), 2, "a new token after expiry");
    let reqs = seen.requests.lock().unwrap();
    assert_eq!(header(&reqs[2].1, "authorization").as_deref(), Some("Bearer token-2"));
}

#[tokio::test]
async fn oauth2_endpoint_errors_are_reported() {
    let (addr, _) = servers(10).await;
    let c = client(&format!("oauth2: {{client_id: a, client_secret: b, token_url: 'http://{addr}/missing-token'}}"));
    // The fallback answers 200 "ok", which is not a token.
    let e = c.get(&format!("http://{addr}/m"), Default::default()).await.err().unwrap().to_string();
    assert!(e.contains("cannot get OAuth2 token") && e.contains("invalid token response"), "{e}");
}

/// A CONNECT proxy that records each CONNECT request's head, then relays bytes.
async fn connect_proxy() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if inbound.read(&mut b).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(b[0]);
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                seen.lock().unwrap().push(text.clone());
                let target = text.split_whitespace().nth(1).unwrap_or("").to_string();
                let Ok(mut outbound) = TcpStream::connect(target).await else { return };
                inbound.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            });
        }
    });
    (addr, heads)
}

#[tokio::test]
async fn requests_go_through_the_connect_proxy_with_its_headers() {
    let (target, seen) = servers(10).await;
    let (proxy, heads) = connect_proxy().await;
    let c = client(&format!(
        "proxy_url: 'http://user:pw@{proxy}'\nproxy_connect_header: {{X-Proxy-Tenant: [t1]}}\nbasic_auth: {{username: u, password: p}}"
    ));
    assert_eq!(get(&c, &format!("http://{target}/via-proxy")).await, 200);
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with(&format!("CONNECT {target} HTTP/1.1")), "{}", heads[0]);
    assert!(heads[0].contains("X-Proxy-Tenant: t1"), "{}", heads[0]);
    assert!(heads[0].contains("Proxy-Authorization: Basic dXNlcjpwdw=="), "{}", heads[0]);
    // The target's credentials went through the tunnel, not to the proxy.
    assert!(!heads[0].contains("dTpw"));
    let reqs = seen.requests.lock().unwrap();
    assert_eq!(reqs[0].0, "/via-proxy");
    assert_eq!(header(&reqs[0].1, "authorization").as_deref(), Some("Basic dTpw"));
}

#[tokio::test]
async fn no_proxy_hosts_bypass_the_proxy() {
    let (target, seen) = servers(10).await;
    let (proxy, heads) = connect_proxy().await;
    let c = client(&format!("proxy_url: 'http://{proxy}'\nno_proxy: '127.0.0.0/8'"));
    assert_eq!(get(&c, &format!("http://{target}/direct")).await, 200);
    assert!(heads.lock().unwrap().is_empty());
    assert_eq!(seen.requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refusing_proxy_is_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").await;
        }
    });
    let c = client(&format!("proxy_url: 'http://{proxy}'"));
    let e = c.get("http://127.0.0.1:9/x", Default::default()).await.err().unwrap().to_string();
    assert!(e.contains("proxy refused CONNECT: 407 Proxy Authentication Required"), "{e}");
}

#[tokio::test]
async fn http_headers_are_sent_from_values_secrets_and_files() {
    let (addr, seen) = servers(10).await;
    let dir = std::env::temp_dir().join(format!("httpclient-headers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tenant");
    std::fs::write(&file, "from-file\n").unwrap();
    let c = client(&format!(
        "http_headers: {{X-Scope-OrgID: {{values: [tenant-a]}}, X-Multi: {{values: [v1], secrets: [s1], files: ['{}']}}}}\nauthorization: {{credentials: tok}}",
        file.display()
    ));
    get(&c, &format!("http://{addr}/h")).await;
    let reqs = seen.requests.lock().unwrap();
    let h = &reqs[0].1;
    assert_eq!(header(h, "x-scope-orgid").as_deref(), Some("tenant-a"));
    let multi: Vec<_> = h.get_all("x-multi").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert_eq!(multi, vec!["v1", "s1", "from-file"]);
    assert_eq!(header(h, "authorization").as_deref(), Some("Bearer tok"));
    assert!(header(h, "user-agent").unwrap().starts_with("Vigil/"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn redirects_are_followed_unless_disabled() {
    let (addr, seen) = servers(10).await;
    assert_eq!(get(&client("{}"), &format!("http://{addr}/redirect")).await, 200);
    assert_eq!(seen.requests.lock().unwrap()[0].0, "/final");
    assert_eq!(get(&client("follow_redirects: false"), &format!("http://{addr}/redirect")).await, 302);
}
