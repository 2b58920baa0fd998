//! Protobuf written by hand (pre-encoded labels) and a keep-alive HTTP/1.1 client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use anyhow::{Context, Result, bail};

fn uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn bytes_field(out: &mut Vec<u8>, field: u64, payload: &[u8]) {
    uvarint(out, (field << 3) | 2);
    uvarint(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

/// `repeated Label labels = 1` of a `TimeSeries`, encoded once per series.
pub fn encode_labels(labels: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, v) in labels {
        let mut l = Vec::new();
        bytes_field(&mut l, 1, n.as_bytes());
        bytes_field(&mut l, 2, v.as_bytes());
        bytes_field(&mut out, 1, &l);
    }
    out
}

/// Appends `timeseries = 1 { labels…, samples = 2 { value = 1, timestamp = 2 } }` to a
/// `WriteRequest` body.
pub fn encode_series(out: &mut Vec<u8>, label_bytes: &[u8], t: i64, v: f64) {
    let mut sample = [0u8; 20];
    sample[0] = 0x09; // field 1, fixed64
    sample[1..9].copy_from_slice(&v.to_le_bytes());
    sample[9] = 0x10; // field 2, varint
    let mut n = 10;
    let mut ts = t as u64;
    while ts >= 0x80 {
        sample[n] = (ts as u8) | 0x80;
        ts >>= 7;
        n += 1;
    }
    sample[n] = ts as u8;
    n += 1;
    let sample_len = n;
    let ts_len = label_bytes.len() + 1 + 1 + sample_len;
    uvarint(out, (1 << 3) | 2);
    uvarint(out, ts_len as u64);
    out.extend_from_slice(label_bytes);
    out.push((2 << 3) | 2);
    out.push(sample_len as u8);
    out.extend_from_slice(&sample[..sample_len]);
}

/// Where to send.
#[derive(Clone, Debug)]
pub struct Target {
    host: String,
    path: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target> {
        let rest = url.strip_prefix("http://").context("only http:// URLs are supported")?;
        let (host, path) = rest.split_once('/').map_or((rest, "/"), |(h, p)| (h, p));
        let hostname = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !(hostname == "localhost" || hostname.starts_with("127.") || hostname == "[::1]") {
            bail!("refusing to send load to {hostname}: loopback addresses only");
        }
        Ok(Target { host: host.to_string(), path: format!("/{}", path.trim_start_matches('/')) })
    }
}

/// One keep-alive connection, reopened when the server closes it.
pub struct Conn {
    target: Target,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    pub fn new(target: Target) -> Self {
        Conn { target, stream: None }
    }

    /// POSTs a snappy body; returns the status code.
    pub fn post(&mut self, body: &[u8]) -> Result<u16> {
        let res = self.try_post(body);
        if res.is_err() {
            self.stream = None;
        }
        res
    }

    fn try_post(&mut self, body: &[u8]) -> Result<u16> {
        if self.stream.is_none() {
            let s = TcpStream::connect(&self.target.host)?;
            s.set_nodelay(true)?;
            self.stream = Some(BufReader::new(s));
        }
        let Some(r) = self.stream.as_mut() else { bail!("no connection") };
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\nX-Prometheus-Remote-Write-Version: 0.1.0\r\nContent-Length: {}\r\n\r\n",
            self.target.path,
            self.target.host,
            body.len()
        );
        let s = r.get_mut();
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        let mut line = String::new();
        r.read_line(&mut line)?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).context("bad status line")?;
        let mut len = 0usize;
        let mut close = false;
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                } else if k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut sink = vec![0u8; len];
        r.read_exact(&mut sink)?;
        if status >= 400 {
            eprintln!("rwgen: status {status}: {}", String::from_utf8_lossy(&sink).trim());
        }
        if close {
            self.stream = None;
        }
        Ok(status)
    }
}
