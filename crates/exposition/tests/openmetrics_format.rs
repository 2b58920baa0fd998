//! Edge cases of OpenMetrics 1.0 text, valid and invalid, each checked against what
//! Prometheus 2.42's `openmetricsparse` accepts.

use std::borrow::Cow;

use exposition::{Entry, Exemplar, Format, MetricType, ParseError, Parser, Sample, family_name};

fn parse(body: &str) -> Result<Vec<Entry<'_>>, ParseError> {
    Parser::new(body.as_bytes(), Format::OpenMetrics).collect()
}

fn err(body: &str) -> ParseError {
    match parse(body) {
        Ok(v) => panic!("{body:?} parsed: {v:?}"),
        Err(e) => e,
    }
}

fn one_sample(body: &str) -> Sample<'_> {
    let v = parse(body).unwrap_or_else(|e| panic!("{body:?}: {e}"));
    match v.into_iter().next() {
        Some(Entry::Sample(s)) => s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn full_family_set() {
    let body = "# HELP c_total A \\\"counter\\\" with\\\\escapes\\n.\n# TYPE c counter\n# UNIT c_seconds seconds\n\
                c_total 1\nc_created 1.6e9\n# TYPE i info\ni_info{v=\"1.0\"} 1\n# TYPE s stateset\ns{s=\"a\"} 1\ns{s=\"b\"} 0\n\
                # TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 2\ng_gcount 2\ng_gsum 3\n# TYPE u unknown\nu 1\n# EOF\n";
    let e = parse(body).unwrap();
    assert_eq!(e[0], Entry::Help { metric: "c_total", text: Cow::Owned("A \"counter\" with\\escapes\n.".into()) });
    assert_eq!(e[1], Entry::Type { metric: "c", kind: MetricType::Counter });
    assert_eq!(e[2], Entry::Unit { metric: "c_seconds", unit: "seconds" });
    let kinds: Vec<MetricType> = e
        .iter()
        .filter_map(|x| match x {
            Entry::Type { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [MetricType::Counter, MetricType::Info, MetricType::StateSet, MetricType::GaugeHistogram, MetricType::Unknown]
    );
    assert_eq!(e.iter().filter(|x| matches!(x, Entry::Sample(_))).count(), 9);
    assert!(err("# TYPE m untyped\n# EOF\n").message.contains("invalid metric type \"untyped\""));
}

#[test]
fn eof_is_mandatory_and_last() {
    assert_eq!(parse("# EOF\n").unwrap(), vec![]);
    assert_eq!(parse("a 1\n# EOF").unwrap().len(), 1);
    assert_eq!(err("a 1\n").message, "data does not end with # EOF");
    assert_eq!(err("a 1\n").line, 2);
    assert_eq!(err("").message, "data does not end with # EOF");
    assert!(err("# EOF\na 1\n").message.contains("unexpected data after # EOF"));
    assert!(err("# EOF\n\n").message.contains("unexpected data after # EOF"));
    assert!(err("# EOF \n").message.contains("unexpected data after # EOF"));
    assert!(err("# EOF\r\n").message.contains("unexpected data after # EOF"));
    assert!(err("a 1").message.contains("does not end with # EOF"));
    let mut p = Parser::new(b"# EOF\n", Format::OpenMetrics);
    assert_eq!(p.next_entry(), Ok(None));
    assert_eq!(p.next_entry(), Ok(None));
}

#[test]
fn no_comments_blank_lines_or_extra_blanks() {
    for body in [
        "# a comment\n# EOF\n",
        "#HELP a x\n# EOF\n",
        "\na 1\n# EOF\n",
        " a 1\n# EOF\n",
        "a  1\n# EOF\n",
        "a\t1\n# EOF\n",
        "a 1 \n# EOF\n",
        "a{b=\"c\", d=\"e\"} 1\n# EOF\n",
        "a { } 1\n# EOF\n",
        "# HELP  a x\n# EOF\n",
    ] {
        let e = err(body);
        assert_eq!(e.line, 1, "{body:?}: {e}");
    }
}

#[test]
fn metadata_lines() {
    assert_eq!(parse("# HELP a \n# EOF\n").unwrap(), vec![Entry::Help { metric: "a", text: "".into() }]);
    assert_eq!(parse("# HELP a  x\n# EOF\n").unwrap(), vec![Entry::Help { metric: "a", text: " x".into() }]);
    assert!(err("# HELP a\n# EOF\n").message.contains("# HELP"));
    assert!(err("# TYPE a counter").message.contains("# TYPE"));
    assert_eq!(parse("# UNIT a_bytes \n# EOF\n").unwrap(), vec![Entry::Unit { metric: "a_bytes", unit: "" }]);
    for bad in ["# UNIT a_bytes seconds\n", "# UNIT bytes bytes\n", "# UNIT abytes bytes\n"] {
        let e = err(&format!("{bad}# EOF\n"));
        assert!(e.message.contains("is not a suffix of metric"), "{bad}: {e}");
    }
    let e = Parser::new(b"# HELP a \xff\n# EOF\n", Format::OpenMetrics).next_entry().unwrap_err();
    assert!(e.message.contains("UTF-8"));
}

#[test]
fn label_sets() {
    assert_eq!(one_sample("a{} 1\n# EOF\n").series, b"a{}");
    assert_eq!(one_sample("a{b=\"c\",d=\"e\\\"\"} 1\n# EOF\n").series, b"a{b=\"c\",d=\"e\\\"\"}");
    assert!(err("a{b=\"c\",} 1\n# EOF\n").message.contains("expected label name after ','"));
    assert!(err("a{,} 1\n# EOF\n").message.contains("expected label name or '}'"));
    assert!(err("a{b=\"c\"d=\"e\"} 1\n# EOF\n").message.contains("expected ',' between labels"));
    assert!(err("a{b=\"c\nd\"} 1\n# EOF\n").message.contains("expected quoted label value"));
    assert!(err("a{b=\"c\",b=\"d\"} 1\n# EOF\n").message.contains("duplicate label name \"b\""));
}

#[test]
fn timestamps_are_float_seconds() {
    assert_eq!(one_sample("a 1 1.5\n# EOF\n").timestamp_ms, Some(1500));
    assert_eq!(one_sample("a 1 1700000000\n# EOF\n").timestamp_ms, Some(1_700_000_000_000));
    assert_eq!(one_sample("a 1 -1.0005\n# EOF\n").timestamp_ms, Some(-1000), "truncated toward zero");
    assert_eq!(one_sample("a 1 1e3\n# EOF\n").timestamp_ms, Some(1_000_000));
    assert!(err("a 1 NaN\n# EOF\n").message.contains("invalid timestamp"));
    assert!(err("a 1 +Inf\n# EOF\n").message.contains("invalid timestamp"));
    assert!(err("a 1 x\n# EOF\n").message.contains("invalid value \"x\""));
    assert!(err("a 1 2 3\n# EOF\n").message.contains("expected an exemplar or end of line after timestamp"));
    let s = one_sample("a NaN\n# EOF\n");
    assert_eq!(s.value.to_bits(), 0x7ff8_0000_0000_0001);
}

#[test]
fn exemplars() {
    let s = one_sample("a_total 3 # {trace_id=\"x\"} 1 1.5\n# EOF\n");
    assert_eq!((s.series, s.value, s.timestamp_ms), (&b"a_total"[..], 3.0, None));
    assert_eq!(
        s.exemplar,
        Some(Exemplar { labels: vec![("trace_id".into(), "x".into())], value: 1.0, timestamp_ms: Some(1500) })
    );
    let s = one_sample("a_bucket{le=\"1\"} 3 17 # {} 0.5\n# EOF\n");
    assert_eq!(s.timestamp_ms, Some(17_000));
    assert_eq!(s.exemplar, Some(Exemplar { labels: vec![], value: 0.5, timestamp_ms: None }));
    let e = err("a_count 1 # {a=\"b\"} 1\n# EOF\n");
    assert!(e.message.contains("does not support exemplars"), "{e}");
    assert!(err("a_total 1 # {a=\"b\"}\n# EOF\n").message.contains("value after exemplar labels"));
    assert!(err("a_total 1 # {a=\"b\"} 1 NaN\n# EOF\n").message.contains("invalid exemplar timestamp"));
    assert!(err("a_total 1 # {a=\"b\"} 1 2 3\n# EOF\n").message.contains("end of line after exemplar timestamp"));
    assert!(err("a_total 1 # {a=\"b\",} 1\n# EOF\n").message.contains("expected label name after ','"));
    assert!(err("a_total 1 # {a=\"b\"} 1").message.contains("does not end with # EOF"));
    assert!(err("a_total 1 #{a=\"b\"} 1\n# EOF\n").message.contains("invalid value \"#{a=\\\"b\\\"}\""));
    // Label values stay as written, like Prometheus 2.42's exemplars.
    let s = one_sample("a_total 1 # {a=\"q\\\"\"} 1\n# EOF\n");
    assert_eq!(s.exemplar.unwrap().labels, vec![("a".to_string(), "q\\\"".to_string())]);
}

#[test]
fn exemplar_length_limit() {
    let ok = format!("a_total 1 # {{{}=\"{}\"}} 1\n# EOF\n", "n".repeat(64), "\u{e9}".repeat(64));
    assert!(one_sample(&ok).exemplar.is_some(), "exactly 128 characters are allowed");
    let long = format!("a_total 1 # {{{}=\"{}\"}} 1\n# EOF\n", "n".repeat(64), "v".repeat(65));
    let s = one_sample(&long);
    assert_eq!((s.value, s.exemplar), (1.0, None), "over 128: exemplar dropped, sample kept");
}

#[test]
fn suffixes_map_to_families() {
    assert_eq!(family_name("x_total", MetricType::Counter), "x");
    assert_eq!(family_name("x_created", MetricType::Counter), "x");
    assert_eq!(family_name("x_bucket", MetricType::Histogram), "x");
    assert_eq!(family_name("x_count", MetricType::Summary), "x");
    assert_eq!(family_name("x_sum", MetricType::Summary), "x");
    assert_eq!(family_name("x_gcount", MetricType::GaugeHistogram), "x");
    assert_eq!(family_name("x_gsum", MetricType::GaugeHistogram), "x");
    assert_eq!(family_name("x_info", MetricType::Info), "x");
    assert_eq!(family_name("x_total", MetricType::Gauge), "x_total");
    assert_eq!(family_name("x_count", MetricType::GaugeHistogram), "x_count");
}

#[test]
fn crlf_is_rejected() {
    let e = err("a 1\r\n# EOF\r\n");
    assert_eq!(e.to_string(), "line 1: invalid value \"1\\r\": invalid float syntax");
}
