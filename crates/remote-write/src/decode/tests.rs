//! Unit and property tests of decoding: every rejection names its problem and series, and
//! what the encoders build decodes back to the same data.

use super::*;
use crate::proto::{v1, v2};
use crate::{CONTENT_TYPE_V1, CONTENT_TYPE_V2, PlainSeries, build_v1, build_v2, encode_v1, encode_v2};
use proptest::prelude::*;

fn labels(l: &[(&str, &str)]) -> Vec<(String, String)> {
    l.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn ts(l: &[(&str, &str)], samples: &[(i64, f64)]) -> v1::TimeSeries {
    v1::TimeSeries {
        labels: l.iter().map(|(n, v)| v1::Label { name: n.to_string(), value: v.to_string() }).collect(),
        samples: samples.iter().map(|(t, v)| v1::Sample { timestamp: *t, value: *v }).collect(),
        ..Default::default()
    }
}

fn v1_body(series: Vec<v1::TimeSeries>) -> Vec<u8> {
    encode_v1(&v1::WriteRequest { timeseries: series, metadata: vec![] })
}

fn snappy(raw: &[u8]) -> Vec<u8> {
    snap::raw::Encoder::new().compress_vec(raw).unwrap()
}

fn dec(ct: &str, body: &[u8]) -> Result<DecodedWrite, DecodeError> {
    decode(Some(ct), Some("snappy"), body, &Limits::default())
}

/// Decodes a body that must fail, checks the status, and returns the message.
fn reject(ct: &str, body: &[u8], status: u16) -> String {
    let e = dec(ct, body).unwrap_err();
    assert_eq!(e.http_status(), status, "{e}");
    e.to_string()
}

/// Asserts a message contains every part.
fn says(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "{msg:?} does not say {p:?}");
    }
}

// ---- content negotiation and encoding ----

#[test]
fn content_types_select_the_version() {
    let body = v1_body(vec![ts(&[("__name__", "up")], &[(1, 1.0)])]);
    let v2body = encode_v2(&build_v2(&[(labels(&[("__name__", "up")]), vec![(1, 1.0)])]));
    for ct in [
        "application/x-protobuf",
        "application/x-protobuf;proto=prometheus.WriteRequest",
        "Application/X-Protobuf ; Proto=\"prometheus.WriteRequest\"",
        "application/x-protobuf;",
    ] {
        assert_eq!(dec(ct, &body).unwrap().version, Version::V1, "{ct}");
    }
    for ct in [CONTENT_TYPE_V2, "application/x-protobuf; proto=io.prometheus.write.v2.Request; charset=x"] {
        assert_eq!(dec(ct, &v2body).unwrap().version, Version::V2, "{ct}");
    }
    // No Content-Type: 1.0. No Content-Encoding: snappy.
    let d = decode(None, None, &body, &Limits::default()).unwrap();
    assert_eq!(d.version, Version::V1);
    assert!(decode(Some(CONTENT_TYPE_V1), Some("SNAPPY"), &body, &Limits::default()).is_ok());
}

#[test]
fn unsupported_content_types_are_415() {
    let body = v1_body(vec![]);
    for ct in [
        "application/json",
        "",
        "application/x-protobuf;proto=io.prometheus.write.v3.Request",
        "application/x-protobuf;proto=io.prometheus.write.v2.request",
        "application/x-protobuf;garbage",
        "text/plain;proto=prometheus.WriteRequest",
    ] {
        let msg = reject(ct, &body, 415);
        says(&msg, &["unsupported Content-Type", "application/x-protobuf"]);
    }
}

#[test]
fn unsupported_encodings_are_415() {
    let body = v1_body(vec![]);
    for enc in ["gzip", "zstd", "snappy-framed", "identity", ""] {
        let e = decode(Some(CONTENT_TYPE_V1), Some(enc), &body, &Limits::default()).unwrap_err();
        assert_eq!(e.http_status(), 415, "{enc}");
        says(&e.to_string(), &["unsupported Content-Encoding", "snappy"]);
    }
}

// ---- snappy ----

#[test]
fn bad_snappy_is_400_and_named() {
    says(&reject(CONTENT_TYPE_V1, b"\xff\xff\xff\xff\xff\xff", 400), &["snappy"]);
    // A declared length that does not match the data.
    let mut body = snappy(b"0123456789abcdef");
    body[0] = 0x20;
    says(&reject(CONTENT_TYPE_V1, &body, 400), &["snappy"]);
}

#[test]
fn framed_snappy_is_recognised() {
    let framed = b"\xff\x06\x00\x00sNaPpY\x01\x05\x00\x00\x00\x00\x00\x00";
    says(&reject(CONTENT_TYPE_V1, framed, 400), &["framed format", "block format"]);
}

#[test]
fn declared_size_is_checked_before_allocating() {
    // A five-byte body declaring a 4 GiB - 1 payload: rejected from the header alone.
    let body = [0xff, 0xff, 0xff, 0xff, 0x0f];
    let msg = reject(CONTENT_TYPE_V1, &body, 413);
    says(&msg, &["4294967295 bytes", "limit of 67108864"]);
    let small = Limits { max_decompressed_bytes: 16, ..Limits::default() };
    let body = v1_body(vec![ts(&[("__name__", "m")], &[(1, 1.0)]); 10]);
    let e = decode(Some(CONTENT_TYPE_V1), None, &body, &small).unwrap_err();
    assert_eq!(e.http_status(), 413);
    says(&e.to_string(), &["limit of 16 bytes"]);
}

// ---- protobuf ----

#[test]
fn malformed_protobuf_is_400_and_named() {
    // Field 1, length-delimited, length runs past the end.
    says(
        &reject(CONTENT_TYPE_V1, &snappy(b"\x0a\xff\xff\xff"), 400),
        &["cannot decode protobuf prometheus.WriteRequest", "at byte"],
    );
    says(
        &reject(CONTENT_TYPE_V2, &snappy(b"\x22\x05ab"), 400),
        &["cannot decode protobuf io.prometheus.write.v2.Request", "past the end"],
    );
    // Wire type 3 (start group) is not used by remote write.
    says(&reject(CONTENT_TYPE_V1, &snappy(b"\x0b"), 400), &["wire type"]);
    // Truncated body of a valid request.
    let raw = build_v1(&[(labels(&[("__name__", "up"), ("job", "x")]), vec![(1, 1.0)])]);
    let raw = prost::Message::encode_to_vec(&raw);
    let cut = raw.get(..raw.len() - 3).unwrap();
    says(&reject(CONTENT_TYPE_V1, &snappy(cut), 400), &["cannot decode protobuf", "past the end"]);
}

#[test]
fn wrong_wire_types_are_rejected_not_skipped() {
    // Series 0 whose sample value is a varint instead of a double: skipping it would store 0.0.
    // TimeSeries { labels { name "__name__" value "m" } samples { value: varint 1 } }
    let label = b"\x0a\x08__name__\x12\x01m";
    let sample = b"\x08\x01";
    let mut series = vec![0x0a, label.len() as u8];
    series.extend_from_slice(label);
    series.extend_from_slice(&[0x12, sample.len() as u8]);
    series.extend_from_slice(sample);
    let mut req = vec![0x0a, series.len() as u8];
    req.extend_from_slice(&series);
    says(&reject(CONTENT_TYPE_V1, &snappy(&req), 400), &["series 0", "Sample.value must be a 64-bit double"]);
    // v2 metadata help_ref sent length-delimited.
    let mut r = build_v2(&[(labels(&[("__name__", "m")]), vec![(1, 1.0)])]);
    r.timeseries[0].metadata = Some(v2::Metadata { r#type: 1, help_ref: 0, unit_ref: 0 });
    let mut raw = prost::Message::encode_to_vec(&r);
    // Replace the metadata message `2a 02 08 01` with `2a 03 1a 01 00` (field 3, LEN).
    let at = raw.windows(4).position(|w| w == b"\x2a\x02\x08\x01").unwrap();
    raw.splice(at..at + 4, *b"\x2a\x03\x1a\x01\x00");
    // Fix the enclosing TimeSeries length (one byte longer).
    let ts_len_at = raw.iter().position(|b| *b == 0x2a).unwrap() + 1;
    raw[ts_len_at] += 1;
    says(&reject(CONTENT_TYPE_V2, &snappy(&raw), 400), &["series 0", "Metadata.help_ref must be a varint"]);
}

#[test]
fn invalid_utf8_is_rejected() {
    // v1 label name "\xff".
    let req = b"\x0a\x07\x0a\x05\x0a\x01\xff\x12\x00";
    says(&reject(CONTENT_TYPE_V1, &snappy(req), 400), &["not valid UTF-8", "series 0"]);
    // v2 symbol "\xc3".
    let req = b"\x22\x00\x22\x01\xc3";
    says(&reject(CONTENT_TYPE_V2, &snappy(req), 400), &["not valid UTF-8"]);
}

// ---- labels ----

#[test]
fn label_problems_name_the_series_in_both_versions() {
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("__name__", "m"), ("b", "1"), ("a", "2")],
            "labels are not sorted by name (\"b\" before \"a\")",
            "m{b=\"1\", a=\"2\"}",
        ),
        (vec![("__name__", "m"), ("a", "1"), ("a", "2")], "duplicate label name \"a\"", "m{a=\"1\", a=\"2\"}"),
        (vec![("", "x"), ("__name__", "m")], "empty label name", "m{=\"x\"}"),
        (vec![("job", "x")], "empty metric name", "{job=\"x\"}"),
        (vec![("__name__", ""), ("job", "x")], "empty metric name", "{job=\"x\"}"),
        (vec![], "empty metric name", "{}"),
    ];
    for (l, problem, shown) in cases {
        let ok = ts(&[("__name__", "fine")], &[(1, 1.0)]);
        let bad = ts(&l, &[(1, 1.0)]);
        let msg = reject(CONTENT_TYPE_V1, &v1_body(vec![ok.clone(), ok, bad]), 400);
        says(&msg, &["series 2", problem, shown]);
        let mut series = vec![(labels(&[("__name__", "fine")]), vec![(1, 1.0)]); 2];
        series.push((labels(&l), vec![(1, 1.0)]));
        let msg = reject(CONTENT_TYPE_V2, &encode_v2(&build_v2(&series)), 400);
        says(&msg, &["series 2", problem, shown]);
    }
}

#[test]
fn empty_values_are_dropped_and_any_utf8_is_accepted() {
    let l = [("__name__", "ü.x{y}"), ("a", ""), ("k.8s/😀", "v\"q\n"), ("z", "")];
    let want = labels(&[("__name__", "ü.x{y}"), ("k.8s/😀", "v\"q\n")]);
    let d = dec(CONTENT_TYPE_V1, &v1_body(vec![ts(&l, &[]), ts(&[("__name__", "n"), ("a", "")], &[])])).unwrap();
    assert_eq!(d.series[0].labels, want);
    assert_eq!(d.series[1].labels, labels(&[("__name__", "n")]));
    let d = dec(CONTENT_TYPE_V2, &encode_v2(&build_v2(&[(labels(&l), vec![])]))).unwrap();
    assert_eq!(d.series[0].labels, want);
}

#[test]
fn long_series_are_rendered_shortly() {
    let many: Vec<(String, String)> = std::iter::once(("__name__".to_string(), "m".to_string()))
        .chain((0..1000).map(|i| (format!("l{i:04}"), "é".repeat(10))))
        .chain(std::iter::once(("a".to_string(), "unsorted".to_string())))
        .collect();
    let msg = reject(CONTENT_TYPE_V1, &encode_v1(&build_v1(&[(many, vec![])])), 400);
    assert!(msg.len() < 1000, "{} bytes", msg.len());
    says(&msg, &["not sorted", "m{l0000=", "…}"]);
    // One enormous name or value is clipped too.
    let huge = "x".repeat(100_000);
    let series = [(labels(&[("__name__", &huge), (&huge, &huge), ("a", "1")]), vec![])];
    let msg = reject(CONTENT_TYPE_V1, &encode_v1(&build_v1(&series)), 400);
    assert!(msg.len() < 1000, "{} bytes", msg.len());
    says(&msg, &["not sorted", "xxx…"]);
    let mut req = build_v2(&[(labels(&[("__name__", "m")]), vec![])]);
    req.symbols[0] = huge;
    let msg = reject(CONTENT_TYPE_V2, &encode_v2(&req), 400);
    assert!(msg.len() < 1000, "{} bytes", msg.len());
}

// ---- 2.0 specifics ----

#[test]
fn v2_reference_errors_name_the_series() {
    let mut req = build_v2(&[(labels(&[("__name__", "m"), ("job", "x")]), vec![(1, 1.0)])]);
    req.timeseries[0].labels_refs.push(3);
    says(
        &reject(CONTENT_TYPE_V2, &encode_v2(&req), 400),
        &["series 0", "odd number of label references (5)", "m{job=\"x\", job=\"<missing value>\"}"],
    );
    req.timeseries[0].labels_refs.push(98);
    says(
        &reject(CONTENT_TYPE_V2, &encode_v2(&req), 400),
        &["series 0", "label reference 98 is out of range (the symbols table has 5 entries)", "<bad ref 98>"],
    );
    let mut req = build_v2(&[(labels(&[("__name__", "m")]), vec![(1, 1.0)])]);
    req.symbols[0] = "x".into();
    says(&reject(CONTENT_TYPE_V2, &encode_v2(&req), 400), &["symbols table must start with the empty string", "\"x\""]);
    // No symbols at all: every reference is out of range.
    let req = v2::Request {
        symbols: vec![],
        timeseries: vec![v2::TimeSeries { labels_refs: vec![0, 0], ..Default::default() }],
    };
    says(&reject(CONTENT_TYPE_V2, &encode_v2(&req), 400), &["series 0", "out of range"]);
}

#[test]
fn v2_metadata_is_resolved_and_checked() {
    let mut req = build_v2(&[
        (labels(&[("__name__", "http_requests_total"), ("code", "200")]), vec![(1, 1.0)]),
        (labels(&[("__name__", "http_requests_total"), ("code", "500")]), vec![(1, 2.0)]),
        (labels(&[("__name__", "plain")]), vec![(1, 3.0)]),
    ]);
    req.symbols.push("Requests served.".into());
    let help = (req.symbols.len() - 1) as u32;
    req.symbols.push("requests".into());
    let unit = (req.symbols.len() - 1) as u32;
    for s in &mut req.timeseries[..2] {
        s.metadata = Some(v2::Metadata { r#type: 1, help_ref: help, unit_ref: unit });
    }
    // All zero: no metadata, not an "unknown" entry.
    req.timeseries[2].metadata = Some(v2::Metadata::default());
    let d = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap();
    assert_eq!(
        d.metadata,
        vec![DecodedMetadata {
            metric_family: "http_requests_total".into(),
            metric_type: 1,
            help: "Requests served.".into(),
            unit: "requests".into(),
        }]
    );
    req.timeseries[1].metadata = Some(v2::Metadata { r#type: 2, help_ref: 77, unit_ref: 0 });
    says(
        &reject(CONTENT_TYPE_V2, &encode_v2(&req), 400),
        &["series 1", "http_requests_total{code=\"500\"}", "metadata help reference 77 is out of range"],
    );
}

#[test]
fn v1_metadata_is_passed_through() {
    let md = |t: i32, fam: &str| v1::MetricMetadata {
        r#type: t,
        metric_family_name: fam.into(),
        help: "Up.".into(),
        unit: "u".into(),
    };
    let req = v1::WriteRequest {
        timeseries: vec![ts(&[("__name__", "up")], &[(1, 1.0)])],
        metadata: vec![md(2, "up"), md(-1, "weird_type"), md(1, "")],
    };
    let d = dec(CONTENT_TYPE_V1, &encode_v1(&req)).unwrap();
    let got: Vec<(&str, u8, &str, &str)> = d
        .metadata
        .iter()
        .map(|m| (m.metric_family.as_str(), m.metric_type, m.help.as_str(), m.unit.as_str()))
        .collect();
    assert_eq!(got, vec![("up", 2, "Up.", "u"), ("weird_type", 0, "Up.", "u")]);
}

// ---- histograms and exemplars ----

#[test]
fn histograms_are_counted_and_refused() {
    let mut a = ts(&[("__name__", "h"), ("le", "x")], &[]);
    a.histograms = vec![v1::Histogram { timestamp: 1 }, v1::Histogram { timestamp: 2 }];
    let mut b = ts(&[("__name__", "h2")], &[]);
    b.histograms = vec![v1::Histogram { timestamp: 1 }];
    let plain = ts(&[("__name__", "f")], &[(1, 1.0)]);
    let e = dec(CONTENT_TYPE_V1, &v1_body(vec![plain, a, b])).unwrap_err();
    assert_eq!(e.http_status(), 400);
    assert!(matches!(e, DecodeError::HistogramsUnsupported { count: 3, series: 2, first_index: 1, .. }), "{e:?}");
    says(&e.to_string(), &["3 native histogram samples in 2 series", "series 1 h{le=\"x\"}", "not supported yet"]);

    let mut req = build_v2(&[(labels(&[("__name__", "h")]), vec![])]);
    req.timeseries[0].histograms = vec![v2::Histogram { timestamp: 5 }];
    let e = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap_err();
    assert!(matches!(e, DecodeError::HistogramsUnsupported { count: 1, series: 1, first_index: 0, .. }), "{e:?}");
    says(&e.to_string(), &["series 0 h{}"]);
}

#[test]
fn exemplars_are_counted_and_ignored() {
    let mut s = ts(&[("__name__", "m")], &[(1, 1.0)]);
    s.exemplars = vec![
        v1::Exemplar {
            labels: vec![v1::Label { name: "trace_id".into(), value: "abc".into() }],
            value: 1.0,
            timestamp: 1
        };
        3
    ];
    let d = dec(CONTENT_TYPE_V1, &v1_body(vec![s])).unwrap();
    assert_eq!((d.exemplars, d.num_samples()), (3, 1));
    let mut req = build_v2(&[(labels(&[("__name__", "m")]), vec![(1, 1.0)])]);
    req.timeseries[0].exemplars = vec![v2::Exemplar { labels_refs: vec![], value: 2.0, timestamp: 1 }; 2];
    let d = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap();
    assert_eq!((d.exemplars, d.num_samples()), (2, 1));
}

// ---- limits and statuses ----

#[test]
fn count_limits_are_413() {
    let body = v1_body(vec![ts(&[("__name__", "m"), ("a", "b")], &[(1, 1.0), (2, 2.0)]); 10]);
    let v2body = encode_v2(&build_v2(&vec![(labels(&[("__name__", "m"), ("a", "b")]), vec![(1, 1.0), (2, 2.0)]); 10]));
    let cases = [
        (Limits { max_series_per_request: 9, ..Limits::default() }, "more than 9 series"),
        (Limits { max_samples_per_request: 19, ..Limits::default() }, "more than 19 samples"),
        (Limits { max_label_pairs_per_request: 19, ..Limits::default() }, "more than 19 label pairs"),
    ];
    for (limits, want) in cases {
        for (ct, b) in [(CONTENT_TYPE_V1, &body), (CONTENT_TYPE_V2, &v2body)] {
            let e = decode(Some(ct), None, b, &limits).unwrap_err();
            assert_eq!(e.http_status(), 413);
            says(&e.to_string(), &[want]);
        }
    }
    // Exactly at the limits is fine.
    let exact = Limits {
        max_series_per_request: 10,
        max_samples_per_request: 20,
        max_label_pairs_per_request: 20,
        ..Limits::default()
    };
    assert!(decode(Some(CONTENT_TYPE_V1), None, &body, &exact).is_ok());
    assert!(decode(Some(CONTENT_TYPE_V2), None, &v2body, &exact).is_ok());
}

#[test]
fn every_error_has_its_status() {
    let cases = [
        (DecodeError::UnsupportedContentType("x".into()), 415),
        (DecodeError::UnsupportedEncoding("x".into()), 415),
        (DecodeError::Snappy("x".into()), 400),
        (DecodeError::TooLarge { size: 2, limit: 1 }, 413),
        (DecodeError::TooMany { what: "series", limit: 1 }, 413),
        (DecodeError::Protobuf { message: PROTO_V1, detail: "x".into() }, 400),
        (DecodeError::InvalidSeries { index: 0, series: "m{}".into(), problem: "x".into() }, 400),
        (DecodeError::BadSymbolsTable("x".into()), 400),
        (DecodeError::HistogramsUnsupported { count: 1, series: 1, first_index: 0, first: "h{}".into() }, 400),
    ];
    for (e, status) in cases {
        assert_eq!(e.http_status(), status, "{e}");
    }
}

#[test]
fn written_headers_are_named_as_the_spec_says() {
    let h = crate::written_headers(5, 0, 2);
    assert_eq!(
        h,
        [
            ("X-Prometheus-Remote-Write-Samples-Written", "5".to_string()),
            ("X-Prometheus-Remote-Write-Histograms-Written", "0".to_string()),
            ("X-Prometheus-Remote-Write-Exemplars-Written", "2".to_string()),
        ]
    );
    assert_eq!((Version::V1.header_value(), Version::V2.header_value()), ("0.1.0", "2.0.0"));
}

// ---- round trips and the hint path ----

#[test]
fn v1_round_trip() {
    let series = vec![
        (labels(&[("__name__", "up"), ("instance", "a:9100"), ("job", "node")]), vec![(1000, 1.0), (2000, 0.0)]),
        (labels(&[("__name__", "stale")]), vec![(1000, f64::from_bits(0x7ff0_0000_0000_0002))]),
    ];
    let d = dec(CONTENT_TYPE_V1, &encode_v1(&build_v1(&series))).unwrap();
    assert_eq!(d.version, Version::V1);
    assert_eq!(d.series[0], DecodedSeries { labels: series[0].0.clone(), samples: series[0].1.clone() });
    // The staleness marker survives bit for bit.
    assert_eq!(d.series[1].samples[0].1.to_bits(), 0x7ff0_0000_0000_0002);
}

#[test]
fn v2_round_trip() {
    let series = vec![
        (labels(&[("__name__", "a.b"), ("x", "1")]), vec![(5, 0.5), (6, 1.5)]),
        (labels(&[("__name__", "a.b"), ("x", "2")]), vec![(-5, f64::INFINITY)]),
    ];
    let mut req = build_v2(&series);
    req.timeseries[0].samples[0].start_timestamp = 3;
    let d = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap();
    assert_eq!(d.version, Version::V2);
    let got: Vec<PlainSeries> = d.series.into_iter().map(|s| (s.labels, s.samples)).collect();
    assert_eq!(got, series);
}

#[test]
fn hinted_series_skip_labels_until_asked() {
    let series = vec![
        (labels(&[("__name__", "a"), ("x", "1")]), vec![(1, 1.0)]),
        (labels(&[("__name__", "b"), ("y", "")]), vec![(2, 2.0)]),
    ];
    let body = encode_v1(&build_v1(&series));
    let payload = decompress(Some(CONTENT_TYPE_V1), None, &body, &Limits::default()).unwrap();
    let plain = payload.parse(&Limits::default()).unwrap();
    let keys: Vec<u128> = plain.series().map(|s| s.key).collect();
    assert!(keys.iter().all(|k| *k != 0) && keys[0] != keys[1]);
    let hinted = payload.parse_with(&Limits::default(), &|k| (k == keys[1]).then_some(7)).unwrap();
    let views: Vec<_> = hinted.series().collect();
    assert_eq!((views[0].hint, views[0].labels.len()), (None, 2));
    assert_eq!((views[1].hint, views[1].labels.len()), (Some(7), 0));
    assert_eq!(hinted.labels_of(1).unwrap(), vec![("__name__", "b")]);
    assert_eq!(hinted.labels_of(0).unwrap(), vec![("__name__", "a"), ("x", "1")]);
    assert!(hinted.labels_of(9).unwrap().is_empty());
    assert_eq!(hinted.to_decoded().unwrap(), plain.to_decoded().unwrap());
    assert_eq!(hinted.num_samples(), 2);
    assert_eq!(payload.bytes().len(), snap::raw::decompress_len(&body).unwrap());
}

// ---- properties ----

/// A series with sample values as bits, so NaNs compare equal.
type Bits = (Vec<(String, String)>, Vec<(i64, u64)>);

/// Any valid series: sorted, unique, non-empty names of any UTF-8; values may be empty.
fn arb_series() -> impl Strategy<Value = PlainSeries> {
    (
        ".{1,8}",
        proptest::collection::btree_map(".{1,6}", ".{0,6}", 0..5),
        proptest::collection::vec((any::<i64>(), any::<f64>()), 0..8),
    )
        .prop_map(|(name, rest, samples)| {
            let mut l: Vec<(String, String)> = rest.into_iter().filter(|(k, _)| k != "__name__").collect();
            l.push(("__name__".into(), name));
            l.sort();
            (l, samples)
        })
}

/// What decoding must give back: empty values dropped, and -0.0 as +0.0 (proto3 does not
/// encode a double equal to 0.0, exactly as Prometheus' own encoder behaves).
fn expected(series: &[PlainSeries]) -> Vec<Bits> {
    series
        .iter()
        .map(|(l, s)| {
            (
                l.iter().filter(|(_, v)| !v.is_empty()).cloned().collect(),
                s.iter().map(|(t, v)| (*t, if *v == 0.0 { 0 } else { v.to_bits() })).collect(),
            )
        })
        .collect()
}

fn got(d: &DecodedWrite) -> Vec<Bits> {
    d.series.iter().map(|s| (s.labels.clone(), s.samples.iter().map(|(t, v)| (*t, v.to_bits())).collect())).collect()
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        for ct in [CONTENT_TYPE_V1, CONTENT_TYPE_V2] {
            let _ = dec(ct, &body);
            // The same bytes as a well-formed snappy body, to reach the protobuf reader.
            let _ = dec(ct, &snappy(&body));
        }
    }

    #[test]
    fn mutated_requests_never_panic(
        series in proptest::collection::vec(arb_series(), 1..4),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        for mut raw in [
            prost::Message::encode_to_vec(&build_v1(&series)),
            prost::Message::encode_to_vec(&build_v2(&series)),
        ] {
            for (at, byte) in &flips {
                let i = at.index(raw.len());
                raw[i] ^= byte;
            }
            let shorter = raw.get(..cut.index(raw.len() + 1)).unwrap_or_default().to_vec();
            for body in [snappy(&raw), snappy(&shorter)] {
                for ct in [CONTENT_TYPE_V1, CONTENT_TYPE_V2] {
                    if let Ok(p) = decompress(Some(ct), None, &body, &Limits::default()) {
                        let _ = p.parse(&Limits::default());
                        if let Ok(w) = p.parse_with(&Limits::default(), &|k| Some(k as u32)) {
                            for i in 0..w.num_series() {
                                let _ = w.labels_of(i);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn valid_series_round_trip_in_both_versions(series in proptest::collection::vec(arb_series(), 0..5)) {
        let d1 = dec(CONTENT_TYPE_V1, &encode_v1(&build_v1(&series))).unwrap();
        let d2 = dec(CONTENT_TYPE_V2, &encode_v2(&build_v2(&series))).unwrap();
        prop_assert_eq!(got(&d1), expected(&series));
        prop_assert_eq!(got(&d2), expected(&series));
        prop_assert_eq!((d1.version, d2.version), (Version::V1, Version::V2));
    }

    /// The zero-copy reader agrees with prost on what prost encodes.
    #[test]
    fn agrees_with_prost(series in proptest::collection::vec(arb_series(), 0..5)) {
        let series: Vec<_> = series
            .into_iter()
            .map(|(l, s)| (l.into_iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>(), s))
            .collect();
        let req = build_v1(&series);
        let body = encode_v1(&req);
        let ours = dec(CONTENT_TYPE_V1, &body).unwrap();
        let raw = snap::raw::Decoder::new().decompress_vec(&body).unwrap();
        let theirs = <v1::WriteRequest as prost::Message>::decode(raw.as_slice()).unwrap();
        prop_assert_eq!(ours.series.len(), theirs.timeseries.len());
        for (o, t) in ours.series.iter().zip(&theirs.timeseries) {
            let tl: Vec<(String, String)> = t.labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect();
            prop_assert_eq!(&o.labels, &tl);
            let os: Vec<(i64, u64)> = o.samples.iter().map(|(t, v)| (*t, v.to_bits())).collect();
            let ts: Vec<(i64, u64)> = t.samples.iter().map(|s| (s.timestamp, s.value.to_bits())).collect();
            prop_assert_eq!(os, ts);
        }
        let v2raw = prost::Message::encode_to_vec(&build_v2(&series));
        let theirs = <v2::Request as prost::Message>::decode(v2raw.as_slice()).unwrap();
        let ours = dec(CONTENT_TYPE_V2, &snappy(&v2raw)).unwrap();
        for (o, t) in ours.series.iter().zip(&theirs.timeseries) {
            let tl: Vec<(String, String)> = t
                .labels_refs
                .chunks(2)
                .map(|c| (theirs.symbols[c[0] as usize].clone(), theirs.symbols[c[1] as usize].clone()))
                .collect();
            prop_assert_eq!(&o.labels, &tl);
        }
    }
}
