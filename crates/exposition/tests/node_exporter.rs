//! Parses real output of the Debian `prometheus-node-exporter` (1.5) in both formats it serves.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use exposition::{Entry, Format, Parser, SCRAPE_ACCEPT_HEADER};

const BIN: &str = "/usr/bin/prometheus-node-exporter";

/// Kills the exporter when the test ends, however it ends.
struct Exporter(Child);

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn skip(why: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}");
    }
    eprintln!("skipped: {why}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `GET /metrics` over HTTP/1.0 with the given Accept header: (Content-Type, body).
fn get(port: u16, accept: &str) -> std::io::Result<(Option<String>, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(s, "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n")?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{head}");
    let ct = head.lines().find_map(|l| {
        l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.trim().to_string())
    });
    Ok((ct, resp[split + 4..].to_vec()))
}

fn check_body(body: &[u8], format: Format) {
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').filter(|l| !l.is_empty() && !l.starts_with(b"#")).collect();
    let mut samples = Vec::new();
    let mut p = Parser::new(body, format);
    while let Some(e) = p.next_entry().unwrap_or_else(|e| panic!("{format:?}: {e}")) {
        if let Entry::Sample(s) = e {
            samples.push(s);
        }
    }
    assert!(samples.len() > 100, "only {} samples", samples.len());
    assert_eq!(samples.len(), lines.len(), "{format:?}: every non-comment line is one sample");
    let mut labels = Vec::new();
    for (s, line) in samples.iter().zip(&lines) {
        assert!(
            line.starts_with(s.series),
            "{:?} vs {:?}",
            String::from_utf8_lossy(s.series),
            String::from_utf8_lossy(line)
        );
        let value = std::str::from_utf8(&line[s.series.len()..]).unwrap().split_whitespace().next().unwrap();
        let want: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap(),
        };
        assert!(want.to_bits() == s.value.to_bits() || (want.is_nan() && s.value.is_nan()), "{value}");
        exposition::parse_series(s.series, &mut labels).unwrap();
    }
}

#[test]
fn parses_node_exporter_text_and_openmetrics() {
    if !std::path::Path::new(BIN).exists() {
        return skip(&format!("{BIN} not installed"));
    }
    let port = free_port();
    let child = Command::new(BIN)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start node exporter");
    let _guard = Exporter(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "node exporter did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }

    let (ct, body) = get(port, "text/plain;version=0.0.4;q=0.5,*/*;q=0.1").unwrap();
    assert_eq!(Format::from_content_type(ct.as_deref()), Format::Text, "{ct:?}");
    check_body(&body, Format::Text);

    // node_exporter 1.5 does not enable OpenMetrics in its handler, so it answers Prometheus's
    // Accept header with the text format; the Content-Type must steer the parser to it.
    let (ct, body) = get(port, SCRAPE_ACCEPT_HEADER).unwrap();
    let format = Format::from_content_type(ct.as_deref());
    let om = ct.as_deref().is_some_and(|c| c.starts_with("application/openmetrics-text"));
    assert_eq!(format == Format::OpenMetrics, om, "{ct:?}");
    check_body(&body, format);

    // Its exposition is also valid OpenMetrics once `untyped` is spelt `unknown` and `# EOF` ends it.
    if !om {
        let mut om_body = String::from_utf8(body).unwrap().replace(" untyped\n", " unknown\n");
        om_body.push_str("# EOF\n");
        check_body(om_body.as_bytes(), Format::OpenMetrics);
    }
}
