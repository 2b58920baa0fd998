//! Edge cases of the Prometheus text format 0.0.4, valid and invalid, each checked against what
//! Prometheus 2.42's `promparse` accepts.

use std::borrow::Cow;

use exposition::{Entry, Format, MetricType, ParseError, Parser, parse_series};

fn parse(body: &str) -> Result<Vec<Entry<'_>>, ParseError> {
    Parser::new(body.as_bytes(), Format::Text).collect()
}

/// (series, value, timestamp) of every sample; panics on a parse error.
fn samples(body: &str) -> Vec<(String, f64, Option<i64>)> {
    parse(body)
        .unwrap_or_else(|e| panic!("{body:?}: {e}"))
        .into_iter()
        .filter_map(|e| match e {
            Entry::Sample(s) => Some((String::from_utf8(s.series.to_vec()).unwrap(), s.value, s.timestamp_ms)),
            _ => None,
        })
        .collect()
}

fn err(body: &str) -> ParseError {
    match parse(body) {
        Ok(v) => panic!("{body:?} parsed: {v:?}"),
        Err(e) => e,
    }
}

fn labels(series: &str) -> (String, Vec<(String, String)>) {
    let mut out = Vec::new();
    let name = parse_series(series.as_bytes(), &mut out).unwrap();
    (name.into_owned(), out.into_iter().map(|(a, b)| (a.into_owned(), b.into_owned())).collect())
}

#[test]
fn comments_blank_lines_and_metadata() {
    let body = "# a comment\n\n   \n#no space comment\n# HELP m Some help\n# TYPE m counter\n#\tHELP\tt\ttab help\n# HELPER x\n# TYPE\n m 1\n";
    let e = parse(body).unwrap();
    assert_eq!(
        e,
        vec![
            Entry::Help { metric: "m", text: Cow::Borrowed("Some help") },
            Entry::Type { metric: "m", kind: MetricType::Counter },
            Entry::Help { metric: "t", text: Cow::Borrowed("tab help") },
            Entry::Sample(exposition::Sample { series: b"m", value: 1.0, timestamp_ms: None, exemplar: None }),
        ]
    );
}

#[test]
fn help_unescapes_backslash_and_newline_only() {
    let e = parse("# HELP m a\\\\b\\nc\\\"d\\t\n").unwrap();
    assert_eq!(e, vec![Entry::Help { metric: "m", text: Cow::Owned("a\\b\nc\\\"d\\t".into()) }]);
    // The text is the rest of the line minus its first character, as in Prometheus.
    assert_eq!(parse("# HELP m  two spaces\n").unwrap(), vec![Entry::Help { metric: "m", text: " two spaces".into() }]);
    assert_eq!(parse("# HELP m\n").unwrap(), vec![Entry::Help { metric: "m", text: "".into() }]);
    assert_eq!(parse("# HELP m \n").unwrap(), vec![Entry::Help { metric: "m", text: "".into() }]);
}

#[test]
fn help_must_be_utf8() {
    let e = Parser::new(b"# HELP m \xff\xfe\n", Format::Text).next_entry().unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("UTF-8"), "{e}");
}

#[test]
fn types() {
    for (t, k) in [
        ("counter", MetricType::Counter),
        ("gauge", MetricType::Gauge),
        ("histogram", MetricType::Histogram),
        ("summary", MetricType::Summary),
        ("untyped", MetricType::Unknown),
    ] {
        assert_eq!(parse(&format!("# TYPE m {t}\n")).unwrap(), vec![Entry::Type { metric: "m", kind: k }]);
    }
    for bad in ["unknown", "info", "stateset", "gaugehistogram", "Counter", "counter ", "", "counter\r"] {
        let e = err(&format!("# TYPE m {bad}\n"));
        assert!(e.message.starts_with("invalid metric type"), "{bad:?}: {e}");
    }
    assert_eq!(parse("# TYPE m\tgauge\n").unwrap(), vec![Entry::Type { metric: "m", kind: MetricType::Gauge }]);
    // TYPE after samples of the same metric is accepted, like Prometheus.
    assert_eq!(parse("m 1\n# TYPE m gauge\nm 2\n").unwrap().len(), 3);
    assert!(err("# TYPE 1m counter\n").message.contains("expected metric name after # TYPE"));
    assert!(err("# HELP {x} y\n").message.contains("expected metric name after # HELP"));
}

#[test]
fn metric_and_label_names() {
    assert_eq!(samples("a:b_c9 1\n_x 2\n:y 3\n").len(), 3);
    assert_eq!(labels("a{_b9=\"1\",B=\"2\"}").1, vec![("_b9".into(), "1".into()), ("B".into(), "2".into())]);
    assert!(err("9a 1\n").message.contains("expected a metric name"));
    assert!(err("a{9=\"1\"} 1\n").message.contains("expected label name"));
    assert!(err("a{b:c=\"1\"} 1\n").message.contains("expected '='"));
    assert!(err("a{\u{e9}=\"1\"} 1\n").message.contains("expected label name"));
    assert!(err("{a=\"ok\"} 1\n").message.contains("expected a metric name"));
    assert!(err("a{=\"\"} 0\n").message.contains("expected label name"));
}

#[test]
fn label_sets() {
    let s = samples("a{} 1\nb{x=\"1\",} 2\nc{x=\"1\" y=\"2\"} 3\nd { x = \"1\" , y=\"2\" , } 4\n");
    let series: Vec<&str> = s.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(series, ["a{}", "b{x=\"1\",}", "c{x=\"1\" y=\"2\"}", "d { x = \"1\" , y=\"2\" , }"]);
    assert_eq!(labels(series[3]), ("d".into(), vec![("x".into(), "1".into()), ("y".into(), "2".into())]));
    assert_eq!(labels(series[0]), ("a".into(), vec![]));
    assert!(err("a{,} 1\n").message.contains("expected label name"));
    assert!(err("a{x=\"1\",,y=\"2\"} 1\n").message.contains("expected label name"));
    assert!(err("a{x='1'} 1\n").message.contains("expected quoted label value"));
    assert!(err("a{x=\n").message.contains("expected quoted label value"));
    assert!(err("something_weird{problem=\"").message.contains("expected quoted label value"));
    assert!(err("a{x=\"1\"").message.contains("expected label name or '}'"));
}

#[test]
fn duplicate_label_names_are_errors() {
    let e = err("ok 1\na{x=\"1\",x=\"2\"} 1\n");
    assert_eq!(e.line, 2);
    assert_eq!(e.to_string(), "line 2: duplicate label name \"x\"");
    assert!(err("a{__name__=\"b\"} 1\n").message.contains("duplicate label name \"__name__\""));
}

#[test]
fn label_value_escapes() {
    let s = samples("a{x=\"q\\\"b\\\\n\\nl\\t\"} 1\n");
    assert_eq!(labels(&s[0].0).1, vec![("x".into(), "q\"b\\n\nl\\t".into())]);
    // Raw newlines inside a quoted value are accepted by Prometheus's text lexer.
    let s = samples("a{x=\"two\nlines\"} 1\nb 2\n");
    assert_eq!(labels(&s[0].0).1, vec![("x".into(), "two\nlines".into())]);
    assert_eq!(err("a{x=\"two\nlines\"} 1\nb{ 2\n").line, 3);
    let e = Parser::new(b"a{b=\"\xff\"} 1\n", Format::Text).next_entry().unwrap_err();
    assert!(e.message.contains("invalid UTF-8 in label value"), "{e}");
    let mut out = Vec::new();
    assert!(matches!(parse_series(b"a{x=\"plain\"}", &mut out), Ok(Cow::Borrowed("a"))));
    assert!(matches!(out[0].1, Cow::Borrowed("plain")));
}

#[test]
fn values() {
    let s = samples("a NaN\nb +Inf\nc -Inf\nd Inf\ne 1e3\nf -0.5\ng .5\nh 1E-2\ni infinity\nj nan\n");
    let v: Vec<f64> = s.iter().map(|x| x.1).collect();
    assert!(v[0].is_nan() && v[9].is_nan());
    assert_eq!(v[0].to_bits(), 0x7ff8_0000_0000_0001, "canonical NaN like Prometheus");
    assert_eq!(&v[1..9], &[f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, 1000.0, -0.5, 0.5, 0.01, f64::INFINITY]);
    // Prometheus' lexer accepts a value glued to the name when it cannot continue the name.
    assert_eq!(samples("a-1\n"), vec![("a".to_string(), -1.0, None)]);
    assert_eq!(samples("a{}1\n"), vec![("a{}".to_string(), 1.0, None)]);
    for bad in ["0x1A", "1_000", "0x1p-3", "true", "1e999", "+NaN", "1.2.3", "--1"] {
        let e = err(&format!("a {bad}\n"));
        assert!(e.message.contains(&format!("invalid value \"{bad}\"")), "{bad}: {e}");
    }
    assert!(err("a 1_0\n").message.contains("unsupported character in float"));
    assert!(err("a\n").message.contains("expected value after metric"));
    assert!(err("a").message.contains("expected value after metric"));
    assert!(err("a{b=\"c\"} {\n").message.contains("expected value"));
}

#[test]
fn timestamps() {
    assert_eq!(samples("a 1 1700000000123\n"), vec![("a".to_string(), 1.0, Some(1_700_000_000_123))]);
    assert_eq!(samples("a 1 0\n")[0].2, Some(0));
    assert_eq!(samples("a 1 9223372036854775807\n")[0].2, Some(i64::MAX));
    assert!(err("a 1 9223372036854775808\n").message.contains("timestamp out of range"));
    // The text lexer's timestamp is `[0-9]+`: Prometheus 2.42 rejects signs and fractions.
    assert!(err("a 1 -5\n").message.contains("expected integer timestamp"));
    assert!(err("a 1 1.5\n").message.contains("expected end of line after timestamp"));
    assert!(err("a 0 1_2\n").message.contains("expected end of line after timestamp"));
    assert!(err("a 1 2 3\n").message.contains("expected end of line after timestamp"));
}

#[test]
fn whitespace_and_line_ends() {
    let s = samples("  a \t 1 \t 2 \t\n\tb{x=\"1\"}\t\t3\nc 4");
    assert_eq!(
        s,
        vec![("a".to_string(), 1.0, Some(2)), ("b{x=\"1\"}".to_string(), 3.0, None), ("c".to_string(), 4.0, None)]
    );
    // `\r` is an ordinary character for Prometheus: CRLF bodies fail on the first sample.
    let e = err("# HELP a x\r\na 1\r\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("invalid value \"1\\r\""), "{e}");
    assert!(err("a 1 5\r\n").message.contains("expected end of line after timestamp"));
    assert_eq!(parse("# HELP a x\r\n").unwrap(), vec![Entry::Help { metric: "a", text: "x\r".into() }]);
    // A NUL byte where a token starts ends the input for Prometheus's lexer.
    assert_eq!(samples("a 1\n\0garbage{{{\n").len(), 1);
    assert_eq!(parse("").unwrap(), vec![]);
}

#[test]
fn errors_name_line_and_text_and_stick() {
    let mut p = Parser::new(b"a 1\n\n# c\nb{x=\"1\"} bad 5\nc 3\n", Format::Text);
    assert!(matches!(p.next_entry(), Ok(Some(Entry::Sample(_)))));
    let e = p.next_entry().unwrap_err();
    assert_eq!(e.to_string(), "line 4: invalid value \"bad\": invalid float syntax");
    assert_eq!(p.next_entry(), Err(e));
    let e = err("a 1 x\n");
    assert_eq!(e.to_string(), "line 1: expected integer timestamp or end of line after value, got \"x\"");
}

#[test]
fn never_panics_on_invalid_utf8() {
    for body in [&b"\xff\xfe"[..], b"a\xff 1", b"a{b=\"\xc3\"} 1", b"# HELP \xff x", b"# \xff", b"a 1 \xff"] {
        let _ = Parser::new(body, Format::Text).collect::<Vec<_>>();
        let _ = Parser::new(body, Format::OpenMetrics).collect::<Vec<_>>();
    }
}

#[test]
fn content_type_and_accept() {
    assert_eq!(Format::from_content_type(None), Format::Text);
    assert_eq!(Format::from_content_type(Some("text/plain; version=0.0.4")), Format::Text);
    assert_eq!(Format::from_content_type(Some("")), Format::Text);
    assert_eq!(
        Format::from_content_type(Some("application/openmetrics-text; version=1.0.0; charset=utf-8")),
        Format::OpenMetrics
    );
    assert_eq!(Format::from_content_type(Some("Application/OpenMetrics-Text")), Format::OpenMetrics);
    assert_eq!(Format::from_content_type(Some("application/openmetrics-text; version")), Format::Text);
    assert_eq!(
        exposition::SCRAPE_ACCEPT_HEADER,
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    );
    assert_eq!(MetricType::GaugeHistogram.as_str(), "gaugehistogram");
    assert_eq!(MetricType::Unknown.as_str(), "unknown");
}
