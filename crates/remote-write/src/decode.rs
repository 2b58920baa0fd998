//! Decoding and validating remote-write requests.

use prost::Message;

use crate::proto::{v1, v2};

/// Which protocol a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

/// Bounds on what one request may make the server allocate.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest decompressed body; checked against snappy's declared length before allocating.
    pub max_decompressed_bytes: usize,
    /// Most series in one request.
    pub max_series_per_request: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_decompressed_bytes: 64 << 20, max_series_per_request: 1_000_000 }
    }
}

/// One validated series: labels sorted by name with empty values dropped, and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedSeries {
    pub labels: Vec<(String, String)>,
    pub samples: Vec<(i64, f64)>,
}

/// Metadata of a metric family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedMetadata {
    pub metric_family: String,
    /// 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram, 5 summary, 6 info,
    /// 7 stateset (the same numbering in both protocol versions).
    pub metric_type: u8,
    pub help: String,
    pub unit: String,
}

/// A decoded, fully validated request.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedWrite {
    pub version: Version,
    pub series: Vec<DecodedSeries>,
    pub metadata: Vec<DecodedMetadata>,
    /// Exemplars received (not stored yet; counted so the sender's header is truthful).
    pub exemplars: usize,
}

/// Why a request was rejected. Each names the problem and, where there is one, the series.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "unsupported Content-Type {0:?}: expected application/x-protobuf (remote-write 1.0) or application/x-protobuf;proto=io.prometheus.write.v2.Request (2.0)"
    )]
    UnsupportedContentType(String),
    #[error("unsupported Content-Encoding {0:?}: remote write bodies must be snappy (block format)")]
    UnsupportedEncoding(String),
    #[error("body is not valid snappy (block format): {0}")]
    Snappy(String),
    #[error("decompressed body would be {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("request has {count} series, over the limit of {limit} per request")]
    TooManySeries { count: usize, limit: usize },
    #[error("cannot decode protobuf {message}: {detail}")]
    Protobuf { message: &'static str, detail: String },
    #[error("series {index} ({series}): {problem}")]
    InvalidSeries { index: usize, series: String, problem: String },
    #[error("symbols table must start with the empty string (found {0:?} at index 0)")]
    BadSymbolsTable(String),
    #[error("series {index} has {count} native histogram samples; native histograms are not supported yet")]
    HistogramsUnsupported { index: usize, count: usize },
}

impl DecodeError {
    /// The HTTP status a receiver answers with: 415 for what it cannot speak, 413 for what is
    /// too big, 400 for malformed content (which a sender must not retry).
    pub fn http_status(&self) -> u16 {
        match self {
            DecodeError::UnsupportedContentType(_) | DecodeError::UnsupportedEncoding(_) => 415,
            DecodeError::TooLarge { .. } | DecodeError::TooManySeries { .. } => 413,
            _ => 400,
        }
    }
}

/// Picks the protocol from `Content-Type` as the 2.0 spec says: no `proto` parameter or
/// `proto=prometheus.WriteRequest` is 1.0; `proto=io.prometheus.write.v2.Request` is 2.0.
fn negotiate(content_type: Option<&str>) -> Result<Version, DecodeError> {
    let Some(ct) = content_type else { return Ok(Version::V1) };
    let mut parts = ct.split(';').map(str::trim);
    let media = parts.next().unwrap_or("");
    if !media.eq_ignore_ascii_case("application/x-protobuf") {
        return Err(DecodeError::UnsupportedContentType(ct.to_string()));
    }
    let mut version = Version::V1;
    for p in parts {
        let Some((k, v)) = p.split_once('=') else { continue };
        if k.trim().eq_ignore_ascii_case("proto") {
            version = match v.trim().trim_matches('"') {
                "prometheus.WriteRequest" => Version::V1,
                "io.prometheus.write.v2.Request" => Version::V2,
                _ => return Err(DecodeError::UnsupportedContentType(ct.to_string())),
            };
        }
    }
    Ok(version)
}

/// Decodes and validates a request body.
pub fn decode(
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    body: &[u8],
    limits: &Limits,
) -> Result<DecodedWrite, DecodeError> {
    let version = negotiate(content_type)?;
    if let Some(enc) = content_encoding
        && !enc.trim().eq_ignore_ascii_case("snappy")
    {
        return Err(DecodeError::UnsupportedEncoding(enc.to_string()));
    }
    let size = snap::raw::decompress_len(body).map_err(|e| DecodeError::Snappy(e.to_string()))?;
    if size > limits.max_decompressed_bytes {
        return Err(DecodeError::TooLarge { size, limit: limits.max_decompressed_bytes });
    }
    let raw = snap::raw::Decoder::new().decompress_vec(body).map_err(|e| DecodeError::Snappy(e.to_string()))?;
    match version {
        Version::V1 => {
            let req = v1::WriteRequest::decode(raw.as_slice())
                .map_err(|e| DecodeError::Protobuf { message: "prometheus.WriteRequest", detail: e.to_string() })?;
            from_v1(req, limits)
        }
        Version::V2 => {
            let req = v2::Request::decode(raw.as_slice()).map_err(|e| DecodeError::Protobuf {
                message: "io.prometheus.write.v2.Request",
                detail: e.to_string(),
            })?;
            from_v2(req, limits)
        }
    }
}

fn check_count(n: usize, limits: &Limits) -> Result<(), DecodeError> {
    if n > limits.max_series_per_request {
        return Err(DecodeError::TooManySeries { count: n, limit: limits.max_series_per_request });
    }
    Ok(())
}

/// Renders labels for error messages: `name{a="b"}`.
fn render(labels: &[(String, String)]) -> String {
    let name = labels.iter().find(|(k, _)| k == "__name__").map_or("", |(_, v)| v.as_str());
    let rest: Vec<String> = labels.iter().filter(|(k, _)| k != "__name__").map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{name}{{{}}}", rest.join(", "))
}

/// Checks order, uniqueness and names; drops empty values (an empty value means "absent").
fn validate_labels(index: usize, mut labels: Vec<(String, String)>) -> Result<Vec<(String, String)>, DecodeError> {
    let invalid = |labels: &[(String, String)], problem: String| DecodeError::InvalidSeries {
        index,
        series: render(labels),
        problem,
    };
    for w in labels.windows(2) {
        match w[0].0.cmp(&w[1].0) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => return Err(invalid(&labels, format!("duplicate label name {:?}", w[0].0))),
            std::cmp::Ordering::Greater => {
                return Err(invalid(
                    &labels,
                    format!("labels are not sorted by name ({:?} before {:?}); senders must sort them", w[0].0, w[1].0),
                ));
            }
        }
    }
    if labels.iter().any(|(k, _)| k.is_empty()) {
        return Err(invalid(&labels, "empty label name".into()));
    }
    labels.retain(|(_, v)| !v.is_empty());
    if !labels.iter().any(|(k, v)| k == "__name__" && !v.is_empty()) {
        return Err(invalid(&labels, "empty metric name (label __name__ is missing or empty)".into()));
    }
    Ok(labels)
}

fn from_v1(req: v1::WriteRequest, limits: &Limits) -> Result<DecodedWrite, DecodeError> {
    check_count(req.timeseries.len(), limits)?;
    let mut series = Vec::with_capacity(req.timeseries.len());
    let mut exemplars = 0;
    for (index, ts) in req.timeseries.into_iter().enumerate() {
        if !ts.histograms.is_empty() {
            return Err(DecodeError::HistogramsUnsupported { index, count: ts.histograms.len() });
        }
        exemplars += ts.exemplars.len();
        let labels = validate_labels(index, ts.labels.into_iter().map(|l| (l.name, l.value)).collect())?;
        series.push(DecodedSeries { labels, samples: ts.samples.iter().map(|s| (s.timestamp, s.value)).collect() });
    }
    let metadata = req
        .metadata
        .into_iter()
        .map(|m| DecodedMetadata {
            metric_family: m.metric_family_name,
            metric_type: u8::try_from(m.r#type).ok().filter(|t| *t <= 7).unwrap_or(0),
            help: m.help,
            unit: m.unit,
        })
        .collect();
    Ok(DecodedWrite { version: Version::V1, series, metadata, exemplars })
}

fn from_v2(req: v2::Request, limits: &Limits) -> Result<DecodedWrite, DecodeError> {
    check_count(req.timeseries.len(), limits)?;
    if let Some(first) = req.symbols.first()
        && !first.is_empty()
    {
        return Err(DecodeError::BadSymbolsTable(first.clone()));
    }
    let syms = &req.symbols;
    let mut series = Vec::with_capacity(req.timeseries.len());
    let mut metadata = Vec::new();
    let mut exemplars = 0;
    for (index, ts) in req.timeseries.into_iter().enumerate() {
        let invalid = |problem: String| DecodeError::InvalidSeries { index, series: "?".into(), problem };
        if ts.labels_refs.len() % 2 != 0 {
            return Err(invalid(format!("odd number of label references ({})", ts.labels_refs.len())));
        }
        let sym = |r: u32| {
            syms.get(r as usize).cloned().ok_or_else(|| {
                invalid(format!("symbol reference {r} is out of range (the table has {} symbols)", syms.len()))
            })
        };
        let mut labels = Vec::with_capacity(ts.labels_refs.len() / 2);
        for pair in ts.labels_refs.chunks_exact(2) {
            labels.push((sym(pair[0])?, sym(pair[1])?));
        }
        if !ts.histograms.is_empty() {
            return Err(DecodeError::HistogramsUnsupported { index, count: ts.histograms.len() });
        }
        exemplars += ts.exemplars.len();
        let labels = validate_labels(index, labels)?;
        if let Some(md) = ts.metadata {
            let family = labels.iter().find(|(k, _)| k == "__name__").map(|(_, v)| v.clone()).unwrap_or_default();
            let help = sym(md.help_ref)?;
            let unit = sym(md.unit_ref)?;
            let metric_type = u8::try_from(md.r#type).ok().filter(|t| *t <= 7).unwrap_or(0);
            if metric_type != 0 || !help.is_empty() || !unit.is_empty() {
                metadata.push(DecodedMetadata { metric_family: family, metric_type, help, unit });
            }
        }
        series.push(DecodedSeries { labels, samples: ts.samples.iter().map(|s| (s.timestamp, s.value)).collect() });
    }
    Ok(DecodedWrite { version: Version::V2, series, metadata, exemplars })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CONTENT_TYPE_V1, CONTENT_TYPE_V2, build_v2, encode_v1, encode_v2};
    use proptest::prelude::*;

    fn ts(labels: &[(&str, &str)], samples: &[(i64, f64)]) -> v1::TimeSeries {
        v1::TimeSeries {
            labels: labels.iter().map(|(n, v)| v1::Label { name: n.to_string(), value: v.to_string() }).collect(),
            samples: samples.iter().map(|(t, v)| v1::Sample { timestamp: *t, value: *v }).collect(),
            ..Default::default()
        }
    }

    fn v1_body(series: Vec<v1::TimeSeries>) -> Vec<u8> {
        encode_v1(&v1::WriteRequest { timeseries: series, metadata: vec![] })
    }

    fn dec(ct: &str, body: &[u8]) -> Result<DecodedWrite, DecodeError> {
        decode(Some(ct), Some("snappy"), body, &Limits::default())
    }

    #[test]
    fn v1_round_trip_with_metadata() {
        let req = v1::WriteRequest {
            timeseries: vec![ts(&[("__name__", "up"), ("job", "a")], &[(1000, 1.0)])],
            metadata: vec![v1::MetricMetadata {
                r#type: 2,
                metric_family_name: "up".into(),
                help: "Up.".into(),
                unit: String::new(),
            }],
        };
        let d = dec(CONTENT_TYPE_V1, &encode_v1(&req)).unwrap();
        assert_eq!(d.version, Version::V1);
        assert_eq!(d.series[0].labels, vec![("__name__".into(), "up".into()), ("job".into(), "a".into())]);
        assert_eq!(d.series[0].samples, vec![(1000, 1.0)]);
        assert_eq!(d.metadata[0].metric_type, 2);
        // The explicit proto parameter and a missing Content-Type both mean 1.0.
        let body = encode_v1(&req);
        assert!(dec("application/x-protobuf;proto=prometheus.WriteRequest", &body).is_ok());
        assert!(decode(None, None, &body, &Limits::default()).is_ok());
    }

    #[test]
    fn v2_round_trip() {
        let req =
            build_v2(&[(vec![("__name__".into(), "a.b".into()), ("x".into(), "1".into())], vec![(5, 0.5), (6, 1.5)])]);
        let d = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap();
        assert_eq!(d.version, Version::V2);
        assert_eq!(d.series[0].labels[0], ("__name__".into(), "a.b".into()));
        assert_eq!(d.series[0].samples, vec![(5, 0.5), (6, 1.5)]);
    }

    #[test]
    fn negotiation_errors_are_415() {
        let body = v1_body(vec![]);
        let e = dec("application/json", &body).unwrap_err();
        assert_eq!(e.http_status(), 415);
        let e = dec("application/x-protobuf;proto=io.prometheus.write.v3.Request", &body).unwrap_err();
        assert_eq!(e.http_status(), 415);
        let e = decode(Some(CONTENT_TYPE_V1), Some("gzip"), &body, &Limits::default()).unwrap_err();
        assert_eq!(e.http_status(), 415);
        assert!(e.to_string().contains("snappy"));
    }

    #[test]
    fn malformed_bodies_are_400_and_named() {
        let e = dec(CONTENT_TYPE_V1, b"\xff\xff\xff\xff\xff\xff").unwrap_err();
        assert!(e.to_string().contains("snappy"), "{e}");
        assert_eq!(e.http_status(), 400);
        let garbage = snap::raw::Encoder::new().compress_vec(b"\x0a\xff\xff\xff").unwrap();
        let e = dec(CONTENT_TYPE_V1, &garbage).unwrap_err();
        assert!(e.to_string().contains("protobuf"), "{e}");
    }

    #[test]
    fn label_problems_name_the_series() {
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("__name__", "m"), ("b", "1"), ("a", "2")], "not sorted"),
            (vec![("__name__", "m"), ("a", "1"), ("a", "2")], "duplicate label name"),
            (vec![("", "x"), ("__name__", "m")], "empty label name"),
            (vec![("job", "x")], "empty metric name"),
            (vec![("__name__", ""), ("job", "x")], "empty metric name"),
        ];
        for (labels, want) in cases {
            let e = dec(CONTENT_TYPE_V1, &v1_body(vec![ts(&labels, &[(1, 1.0)])])).unwrap_err();
            assert_eq!(e.http_status(), 400);
            assert!(e.to_string().contains(want), "{labels:?}: {e}");
            assert!(e.to_string().contains("series 0"), "{e}");
        }
    }

    #[test]
    fn empty_values_are_dropped_and_utf8_names_accepted() {
        let d =
            dec(CONTENT_TYPE_V1, &v1_body(vec![ts(&[("__name__", "ü.x"), ("a", ""), ("k.8s", "v")], &[])])).unwrap();
        assert_eq!(d.series[0].labels, vec![("__name__".into(), "ü.x".into()), ("k.8s".into(), "v".into())]);
    }

    #[test]
    fn v2_reference_errors() {
        let mut req = build_v2(&[(vec![("__name__".into(), "m".into())], vec![(1, 1.0)])]);
        req.timeseries[0].labels_refs.push(99);
        let e = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap_err();
        assert!(e.to_string().contains("odd number"), "{e}");
        req.timeseries[0].labels_refs.push(98);
        let e = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
        let mut req = build_v2(&[(vec![("__name__".into(), "m".into())], vec![(1, 1.0)])]);
        req.symbols[0] = "x".into();
        let e = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap_err();
        assert!(e.to_string().contains("empty string"), "{e}");
    }

    #[test]
    fn limits_are_413() {
        let body = v1_body(vec![ts(&[("__name__", "m")], &[(1, 1.0)]); 10]);
        let small = Limits { max_decompressed_bytes: 16, ..Limits::default() };
        let e = decode(Some(CONTENT_TYPE_V1), None, &body, &small).unwrap_err();
        assert_eq!(e.http_status(), 413);
        let few = Limits { max_series_per_request: 3, ..Limits::default() };
        let e = decode(Some(CONTENT_TYPE_V1), None, &body, &few).unwrap_err();
        assert_eq!(e.http_status(), 413);
    }

    #[test]
    fn histograms_are_refused_clearly() {
        let mut s = ts(&[("__name__", "h")], &[]);
        s.histograms.push(v1::Histogram { timestamp: 1 });
        let e = dec(CONTENT_TYPE_V1, &v1_body(vec![s])).unwrap_err();
        assert!(e.to_string().contains("native histograms are not supported"), "{e}");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = dec(CONTENT_TYPE_V1, &body);
            let _ = dec(CONTENT_TYPE_V2, &body);
            let framed = snap::raw::Encoder::new().compress_vec(&body).unwrap();
            let _ = dec(CONTENT_TYPE_V1, &framed);
            let _ = dec(CONTENT_TYPE_V2, &framed);
        }

        #[test]
        fn valid_series_round_trip(
            names in proptest::collection::btree_set("[a-zß.]{1,6}", 0..4),
            samples in proptest::collection::vec((any::<i64>(), any::<f64>()), 0..20),
        ) {
            let mut labels: Vec<(String, String)> = vec![("__name__".into(), "metric".into())];
            labels.extend(names.into_iter().filter(|n| n.as_str() > "__name__").map(|n| (n.clone(), n)));
            labels.sort();
            let req = build_v2(&[(labels.clone(), samples.clone())]);
            let d = dec(CONTENT_TYPE_V2, &encode_v2(&req)).unwrap();
            prop_assert_eq!(&d.series[0].labels, &labels);
            let got: Vec<(i64, u64)> = d.series[0].samples.iter().map(|(t, v)| (*t, v.to_bits())).collect();
            // proto3 omits a double equal to 0.0, so -0.0 arrives as +0.0 (as from Prometheus).
            let want: Vec<(i64, u64)> =
                samples.iter().map(|(t, v)| (*t, if *v == 0.0 { 0 } else { v.to_bits() })).collect();
            prop_assert_eq!(got, want);
        }
    }
}
