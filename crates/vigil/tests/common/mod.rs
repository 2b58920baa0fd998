//! Test harness: starts the real `vigil` binary on a free loopback port and talks HTTP to it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

pub fn vigil_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_vigil"))
}

/// A running Vigil server; killed on drop.
pub struct Vigil {
    pub child: Child,
    pub addr: SocketAddr,
    pub dir: PathBuf,
    pub log: PathBuf,
}

impl Vigil {
    pub fn start(dir: &Path, extra: &[&str]) -> Vigil {
        let v = Self::spawn(dir, extra);
        v.wait_ready(Duration::from_secs(60));
        v
    }

    /// Starts without waiting for readiness. Without a `--config.file` in `extra` Vigil gets an
    /// empty one, so tests see only the data they write (not the embedded default's self-scrape).
    pub fn spawn(dir: &Path, extra: &[&str]) -> Vigil {
        if extra.iter().any(|a| a.starts_with("--config.file")) {
            return Self::spawn_exact(dir, extra);
        }
        let cfg = dir.with_extension("empty.yml");
        std::fs::write(&cfg, "").expect("write empty config");
        let flag = format!("--config.file={}", cfg.display());
        let mut args: Vec<&str> = extra.to_vec();
        args.push(&flag);
        Self::spawn_exact(dir, &args)
    }

    /// Starts with exactly these flags (no config file means the embedded default config).
    pub fn spawn_exact(dir: &Path, extra: &[&str]) -> Vigil {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = dir.with_extension(format!("{port}.log"));
        let logf = std::fs::File::create(&log).expect("log file");
        let child = Command::new(vigil_bin())
            .arg("serve")
            .arg(format!("--web.listen-address={addr}"))
            .arg(format!("--storage.path={}", dir.display()))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(logf)
            .spawn()
            .expect("start vigil");
        Vigil { child, addr, dir: dir.to_path_buf(), log }
    }

    pub fn wait_ready(&self, timeout: Duration) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(r) = get(self.addr, "/-/ready")
                && r.status == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("vigil not ready after {timeout:?}; log:\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM and wait for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!("vigil did not stop on SIGTERM; log:\n{}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn metric(&self, name_and_labels: &str) -> Option<f64> {
        let body = get(self.addr, "/metrics").ok()?.text();
        metric_value(&body, name_and_labels)
    }
}

impl Drop for Vigil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Finds `name_and_labels value` in a text exposition.
pub fn metric_value(body: &str, name_and_labels: &str) -> Option<f64> {
    body.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        l.strip_prefix(name_and_labels).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.trim().parse().ok())
    })
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<Response> {
    request(addr, "GET", path, &[], &[])
}

/// A minimal HTTP/1.1 client (one request per connection).
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    parse_response(&raw).ok_or_else(|| std::io::Error::other("malformed HTTP response"))
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect();
    let mut body = raw[end + 4..].to_vec();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = dechunk(&body)?;
    }
    Some(Response { status, headers, body })
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&b[..nl]).ok()?.trim(), 16).ok()?;
        b = &b[nl + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

/// Labels and samples of one series to send.
pub type BorrowedSeries<'a> = (Vec<(&'a str, &'a str)>, Vec<(i64, f64)>);

/// Remote-write 1.0 request with the given series: (labels, samples).
pub fn write_v1(addr: SocketAddr, series: &[BorrowedSeries<'_>]) -> Response {
    use remote_write::proto::v1;
    let req = v1::WriteRequest {
        timeseries: series
            .iter()
            .map(|(labels, samples)| v1::TimeSeries {
                labels: labels.iter().map(|(n, v)| v1::Label { name: n.to_string(), value: v.to_string() }).collect(),
                samples: samples.iter().map(|(t, v)| v1::Sample { timestamp: *t, value: *v }).collect(),
                ..Default::default()
            })
            .collect(),
        metadata: vec![],
    };
    post_body(addr, remote_write::CONTENT_TYPE_V1, &remote_write::encode_v1(&req))
}

pub fn post_body(addr: SocketAddr, content_type: &str, body: &[u8]) -> Response {
    request(
        addr,
        "POST",
        "/api/v1/write",
        &[
            ("Content-Type", content_type),
            ("Content-Encoding", "snappy"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ],
        body,
    )
    .expect("remote write request")
}

/// Runs `vigil tsdb dump` and returns (series, value, timestamp) rows.
pub fn dump(dir: &Path, selector: &str) -> Vec<(String, f64, i64)> {
    let out = Command::new(vigil_bin())
        .args(["tsdb", "dump", &format!("--storage.path={}", dir.display()), &format!("--match={selector}")])
        .output()
        .expect("run vigil tsdb dump");
    assert!(out.status.success(), "dump failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (rest, ts) = l.rsplit_once(' ')?;
            let (series, v) = rest.rsplit_once(' ')?;
            Some((series.to_string(), v.parse().ok()?, ts.parse().ok()?))
        })
        .collect()
}

/// Whether a peer binary is installed. Under CI (`CI=true`) a missing peer fails the test
/// loudly; elsewhere the test prints that it was skipped.
pub fn require_peer(bin: &str, test: &str) -> bool {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {bin}")).output().is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{test}: required peer `{bin}` is not installed (CI=true); .ci/run must install it");
        }
        eprintln!("SKIPPED {test}: peer `{bin}` is not installed (run .ci/run or bench/lib.sh to install peers)");
    }
    found
}

/// Starts Debian's Prometheus on a free loopback port with the remote-write receiver on and
/// no scrape jobs; returns once it is ready. Killed and reaped if it does not get ready.
pub fn start_prometheus(tmp: &Path) -> (std::process::Child, SocketAddr) {
    let port = free_port();
    let cfg = tmp.join("prometheus.yml");
    std::fs::write(&cfg, "global:\n  scrape_interval: 1m\n").expect("write prometheus.yml");
    let log = std::fs::File::create(tmp.join("prometheus.log")).expect("log file");
    let mut child = Command::new("prometheus")
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", tmp.join("prom").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--web.enable-remote-write-receiver")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start prometheus");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if get(addr, "/-/ready").is_ok_and(|r| r.status == 200) {
            return (child, addr);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "prometheus did not become ready: {}",
        std::fs::read_to_string(tmp.join("prometheus.log")).unwrap_or_default()
    );
}

/// Percent-encodes a query parameter value (everything but unreserved characters).
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
