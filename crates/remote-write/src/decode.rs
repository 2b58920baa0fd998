//! Decoding and validating remote-write requests.

use crate::wire::{Fields, Value, WireError, push_u32s, utf8};

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

/// One series of a request, borrowed from the decoded request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesView<'s, 'a> {
    /// Sorted by name, validated, empty values dropped. Empty when `hint` is set: the series'
    /// label bytes were recognised and not parsed again.
    pub labels: &'s [(&'a str, &'a str)],
    pub samples: &'s [(i64, f64)],
    /// 128-bit hash of the series' encoded labels (1.0 only; 0 for 2.0), for a cache of
    /// storage references kept by the caller.
    pub key: u128,
    /// The storage reference the caller's cache gave for `key`.
    pub hint: Option<u32>,
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

#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    labels: (u32, u32),
    samples: (u32, u32),
    key: u128,
    hint: Option<u32>,
    /// The `TimeSeries` message in the raw request, to parse labels later if the hint is stale.
    message: (u32, u32),
}

/// A decoded, fully validated request. Strings borrow from the [`Payload`]; all series share
/// two flat vectors, so decoding allocates a handful of times per request, not per label.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedWrite<'a> {
    pub version: Version,
    raw: &'a [u8],
    spans: Vec<Span>,
    labels: Vec<(&'a str, &'a str)>,
    samples: Vec<(i64, f64)>,
    pub metadata: Vec<DecodedMetadata>,
    /// Exemplars received (not stored yet; counted so the sender's header is truthful).
    pub exemplars: usize,
}

impl<'a> DecodedWrite<'a> {
    fn new(version: Version, raw: &'a [u8]) -> Self {
        DecodedWrite {
            version,
            raw,
            spans: Vec::new(),
            labels: Vec::new(),
            samples: Vec::new(),
            metadata: Vec::new(),
            exemplars: 0,
        }
    }

    pub fn num_series(&self) -> usize {
        self.spans.len()
    }

    pub fn num_samples(&self) -> usize {
        self.samples.len()
    }

    pub fn series(&self) -> impl ExactSizeIterator<Item = SeriesView<'_, 'a>> + '_ {
        self.spans.iter().map(|s| SeriesView {
            labels: &self.labels[s.labels.0 as usize..s.labels.1 as usize],
            samples: &self.samples[s.samples.0 as usize..s.samples.1 as usize],
            key: s.key,
            hint: s.hint,
        })
    }

    /// Parses the labels of series `index` (for a series whose cached hint turned out stale).
    /// Its bytes equal those of a series validated before, but they are validated again.
    pub fn labels_of(&self, index: usize) -> Result<Vec<(&'a str, &'a str)>, DecodeError> {
        let Some(span) = self.spans.get(index) else { return Ok(Vec::new()) };
        if span.labels.0 != span.labels.1 {
            return Ok(self.labels[span.labels.0 as usize..span.labels.1 as usize].to_vec());
        }
        let (start, end) = (span.message.0 as usize, span.message.1 as usize);
        let msg = self.raw.get(start..end).unwrap_or_default();
        let e = wire_err(V1);
        let mut labels = Vec::new();
        let mut f = Fields::new(msg, start);
        while let Some((field, value, at)) = f.next_field().map_err(&e)? {
            if let (1, Value::Bytes(l)) = (field, value) {
                labels.push(parse_label(l, at)?);
            }
        }
        validate_labels(index, &mut labels, 0)?;
        Ok(labels)
    }

    /// Validates the labels pushed since `label_start` and records the series.
    fn finish_series(&mut self, index: usize, label_start: usize, sample_start: usize) -> Result<(), DecodeError> {
        validate_labels(index, &mut self.labels, label_start)?;
        self.spans.push(Span {
            labels: (label_start as u32, self.labels.len() as u32),
            samples: (sample_start as u32, self.samples.len() as u32),
            key: 0,
            hint: None,
            message: (0, 0),
        });
        Ok(())
    }
}

/// A decompressed request body, ready to parse.
pub struct Payload {
    pub version: Version,
    raw: Vec<u8>,
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

/// Negotiates the protocol and decompresses the body (checking the size limit before
/// allocating). Parse the result with [`Payload::parse`].
pub fn decompress(
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    body: &[u8],
    limits: &Limits,
) -> Result<Payload, DecodeError> {
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
    Ok(Payload { version, raw })
}

impl Payload {
    /// Parses and validates the whole request; any problem rejects it whole.
    pub fn parse(&self, limits: &Limits) -> Result<DecodedWrite<'_>, DecodeError> {
        self.parse_with(limits, &|_| None)
    }

    /// Like [`Payload::parse`], but series whose encoded labels hash to a key that `known`
    /// recognises are not parsed again: they carry the returned hint instead of labels. Their
    /// bytes are identical to a series that was validated before, so the request is still
    /// validated whole.
    pub fn parse_with(
        &self,
        limits: &Limits,
        known: &dyn Fn(u128) -> Option<u32>,
    ) -> Result<DecodedWrite<'_>, DecodeError> {
        match self.version {
            Version::V1 => parse_v1(&self.raw, limits, known),
            Version::V2 => parse_v2(&self.raw, limits),
        }
    }
}

fn parse_label(l: &[u8], at: usize) -> Result<(&str, &str), DecodeError> {
    let e = wire_err(V1);
    let (mut name, mut val) = ("", "");
    let mut lf = Fields::new(l, at);
    while let Some((field, value, at)) = lf.next_field().map_err(&e)? {
        match (field, value) {
            (1, Value::Bytes(b)) => name = utf8(b, at).map_err(&e)?,
            (2, Value::Bytes(b)) => val = utf8(b, at).map_err(&e)?,
            _ => {}
        }
    }
    Ok((name, val))
}

fn wire_err(message: &'static str) -> impl Fn(WireError) -> DecodeError {
    move |e| DecodeError::Protobuf { message, detail: format!("{} at byte {}", e.problem, e.offset) }
}

const V1: &str = "prometheus.WriteRequest";
const V2: &str = "io.prometheus.write.v2.Request";

fn check_count(n: usize, limits: &Limits) -> Result<(), DecodeError> {
    if n > limits.max_series_per_request {
        return Err(DecodeError::TooManySeries { count: n, limit: limits.max_series_per_request });
    }
    Ok(())
}

/// Renders labels for error messages: `name{a="b"}`.
fn render(labels: &[(&str, &str)]) -> String {
    let name = labels.iter().find(|(k, _)| *k == "__name__").map_or("", |(_, v)| *v);
    let rest: Vec<String> =
        labels.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{name}{{{}}}", rest.join(", "))
}

/// Checks order, uniqueness and names of `labels[start..]`; drops empty values (an empty value
/// means "absent").
fn validate_labels(index: usize, labels: &mut Vec<(&str, &str)>, start: usize) -> Result<(), DecodeError> {
    let own = &labels[start..];
    let invalid = |problem: String| DecodeError::InvalidSeries { index, series: render(own), problem };
    for w in own.windows(2) {
        match w[0].0.cmp(w[1].0) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => return Err(invalid(format!("duplicate label name {:?}", w[0].0))),
            std::cmp::Ordering::Greater => {
                return Err(invalid(format!(
                    "labels are not sorted by name ({:?} before {:?}); senders must sort them",
                    w[0].0, w[1].0
                )));
            }
        }
    }
    if own.iter().any(|(k, _)| k.is_empty()) {
        return Err(invalid("empty label name".into()));
    }
    if !own.iter().any(|(k, v)| *k == "__name__" && !v.is_empty()) {
        return Err(invalid("empty metric name (label __name__ is missing or empty)".into()));
    }
    if own.iter().any(|(_, v)| v.is_empty()) {
        let kept: Vec<(&str, &str)> = own.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
        labels.truncate(start);
        labels.extend(kept);
    }
    Ok(())
}

fn metric_type(v: u64) -> u8 {
    u8::try_from(v).ok().filter(|t| *t <= 7).unwrap_or(0)
}

fn parse_sample(b: &[u8], at: usize, message: &'static str) -> Result<(i64, f64), DecodeError> {
    let mut f = Fields::new(b, at);
    let (mut t, mut v) = (0i64, 0f64);
    while let Some((field, value, _)) = f.next_field().map_err(wire_err(message))? {
        match (field, value) {
            (1, Value::Fixed64(bits)) => v = f64::from_bits(bits),
            (2, Value::Varint(x)) => t = x as i64,
            _ => {}
        }
    }
    Ok((t, v))
}

fn parse_v1<'a>(
    raw: &'a [u8],
    limits: &Limits,
    known: &dyn Fn(u128) -> Option<u32>,
) -> Result<DecodedWrite<'a>, DecodeError> {
    let mut out = DecodedWrite::new(Version::V1, raw);
    let mut req = Fields::new(raw, 0);
    let e = wire_err(V1);
    let mut label_msgs: Vec<(&'a [u8], usize)> = Vec::new();
    while let Some((field, value, at)) = req.next_field().map_err(&e)? {
        match (field, value) {
            (1, Value::Bytes(ts)) => {
                let index = out.spans.len();
                check_count(index + 1, limits)?;
                let (label_start, sample_start) = (out.labels.len(), out.samples.len());
                let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                label_msgs.clear();
                let mut f = Fields::new(ts, at);
                while let Some((field, value, at)) = f.next_field().map_err(&e)? {
                    match (field, value) {
                        (1, Value::Bytes(l)) => {
                            hasher.update(&(l.len() as u32).to_le_bytes());
                            hasher.update(l);
                            label_msgs.push((l, at));
                        }
                        (2, Value::Bytes(s)) => out.samples.push(parse_sample(s, at, V1)?),
                        (3, Value::Bytes(_)) => out.exemplars += 1,
                        (4, Value::Bytes(_)) => {
                            return Err(DecodeError::HistogramsUnsupported { index, count: 1 });
                        }
                        _ => {}
                    }
                }
                let key = hasher.digest128();
                let hint = known(key);
                if hint.is_none() {
                    for (l, at) in &label_msgs {
                        out.labels.push(parse_label(l, *at)?);
                    }
                    validate_labels(index, &mut out.labels, label_start)?;
                }
                out.spans.push(Span {
                    labels: (label_start as u32, out.labels.len() as u32),
                    samples: (sample_start as u32, out.samples.len() as u32),
                    key,
                    hint,
                    message: (at as u32, (at + ts.len()) as u32),
                });
            }
            (3, Value::Bytes(m)) => {
                let mut md = DecodedMetadata {
                    metric_family: String::new(),
                    metric_type: 0,
                    help: String::new(),
                    unit: String::new(),
                };
                let mut f = Fields::new(m, at);
                while let Some((field, value, at)) = f.next_field().map_err(&e)? {
                    match (field, value) {
                        (1, Value::Varint(t)) => md.metric_type = metric_type(t),
                        (2, Value::Bytes(b)) => md.metric_family = utf8(b, at).map_err(&e)?.to_string(),
                        (4, Value::Bytes(b)) => md.help = utf8(b, at).map_err(&e)?.to_string(),
                        (5, Value::Bytes(b)) => md.unit = utf8(b, at).map_err(&e)?.to_string(),
                        _ => {}
                    }
                }
                out.metadata.push(md);
            }
            _ => {}
        }
    }
    Ok(out)
}

fn parse_v2<'a>(raw: &'a [u8], limits: &Limits) -> Result<DecodedWrite<'a>, DecodeError> {
    let e = wire_err(V2);
    let mut symbols: Vec<&'a str> = Vec::new();
    let mut series: Vec<(&'a [u8], usize)> = Vec::new();
    let mut req = Fields::new(raw, 0);
    while let Some((field, value, at)) = req.next_field().map_err(&e)? {
        match (field, value) {
            (4, Value::Bytes(b)) => symbols.push(utf8(b, at).map_err(&e)?),
            (5, Value::Bytes(b)) => {
                series.push((b, at));
                check_count(series.len(), limits)?;
            }
            _ => {}
        }
    }
    if let Some(first) = symbols.first()
        && !first.is_empty()
    {
        return Err(DecodeError::BadSymbolsTable(first.to_string()));
    }
    let mut out = DecodedWrite::new(Version::V2, raw);
    let mut refs: Vec<u32> = Vec::new();
    for (index, (ts, at)) in series.into_iter().enumerate() {
        let invalid = |problem: String| DecodeError::InvalidSeries { index, series: "?".into(), problem };
        let sym = |r: u32| {
            symbols.get(r as usize).copied().ok_or_else(|| {
                invalid(format!("symbol reference {r} is out of range (the table has {} symbols)", symbols.len()))
            })
        };
        let (label_start, sample_start) = (out.labels.len(), out.samples.len());
        refs.clear();
        let mut md: Option<(u64, u32, u32)> = None;
        let mut f = Fields::new(ts, at);
        while let Some((field, value, at)) = f.next_field().map_err(&e)? {
            match (field, value) {
                (1, v) => push_u32s(&v, at, &mut refs).map_err(&e)?,
                (2, Value::Bytes(s)) => out.samples.push(parse_sample(s, at, V2)?),
                (3, Value::Bytes(_)) => return Err(DecodeError::HistogramsUnsupported { index, count: 1 }),
                (4, Value::Bytes(_)) => out.exemplars += 1,
                (5, Value::Bytes(m)) => {
                    let (mut t, mut help, mut unit) = (0u64, 0u32, 0u32);
                    let mut mf = Fields::new(m, at);
                    while let Some((field, value, at)) = mf.next_field().map_err(&e)? {
                        let mut one = Vec::new();
                        match (field, value) {
                            (1, Value::Varint(x)) => t = x,
                            (3, v) => {
                                push_u32s(&v, at, &mut one).map_err(&e)?;
                                help = one.first().copied().unwrap_or(0);
                            }
                            (4, v) => {
                                push_u32s(&v, at, &mut one).map_err(&e)?;
                                unit = one.first().copied().unwrap_or(0);
                            }
                            _ => {}
                        }
                    }
                    md = Some((t, help, unit));
                }
                _ => {}
            }
        }
        if !refs.len().is_multiple_of(2) {
            return Err(invalid(format!("odd number of label references ({})", refs.len())));
        }
        for pair in refs.chunks_exact(2) {
            out.labels.push((sym(pair[0])?, sym(pair[1])?));
        }
        out.finish_series(index, label_start, sample_start)?;
        if let Some((t, help, unit)) = md {
            let help = sym(help)?;
            let unit = sym(unit)?;
            let metric_type = metric_type(t);
            if metric_type != 0 || !help.is_empty() || !unit.is_empty() {
                let family = out.labels[label_start..].iter().find(|(k, _)| *k == "__name__").map_or("", |(_, v)| *v);
                out.metadata.push(DecodedMetadata {
                    metric_family: family.to_string(),
                    metric_type,
                    help: help.to_string(),
                    unit: unit.to_string(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::v1;
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

    /// A decoded request as owned data, for assertions.
    #[derive(Debug)]
    struct Owned {
        version: Version,
        series: Vec<OwnedSeries>,
        metadata: Vec<DecodedMetadata>,
    }

    #[derive(Debug, PartialEq)]
    struct OwnedSeries {
        labels: Vec<(String, String)>,
        samples: Vec<(i64, f64)>,
    }

    fn decode(ct: Option<&str>, ce: Option<&str>, body: &[u8], limits: &Limits) -> Result<Owned, DecodeError> {
        let p = decompress(ct, ce, body, limits)?;
        let d = p.parse(limits)?;
        Ok(Owned {
            version: d.version,
            series: d
                .series()
                .map(|s| OwnedSeries {
                    labels: s.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                    samples: s.samples.to_vec(),
                })
                .collect(),
            metadata: d.metadata.clone(),
        })
    }

    fn dec(ct: &str, body: &[u8]) -> Result<Owned, DecodeError> {
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

        /// The zero-copy reader agrees with prost on what prost encodes.
        #[test]
        fn agrees_with_prost(
            names in proptest::collection::vec("[a-z]{1,4}", 1..4),
            values in proptest::collection::vec(any::<f64>(), 0..5),
            ts in any::<i64>(),
        ) {
            let mut labels: Vec<(String, String)> = vec![("__name__".into(), "m".into())];
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            labels.extend(sorted.into_iter().filter(|n| n.as_str() > "__name__").map(|n| (n.clone(), n)));
            let series = v1::TimeSeries {
                labels: labels.iter().map(|(n, v)| v1::Label { name: n.clone(), value: v.clone() }).collect(),
                samples: values.iter().map(|v| v1::Sample { value: *v, timestamp: ts }).collect(),
                ..Default::default()
            };
            let body = v1_body(vec![series.clone(), series]);
            let got = dec(CONTENT_TYPE_V1, &body).unwrap();
            let raw = snap::raw::Decoder::new().decompress_vec(&body).unwrap();
            let want = <v1::WriteRequest as prost::Message>::decode(raw.as_slice()).unwrap();
            prop_assert_eq!(got.series.len(), want.timeseries.len());
            for (g, w) in got.series.iter().zip(&want.timeseries) {
                let wl: Vec<(String, String)> = w.labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect();
                prop_assert_eq!(&g.labels, &wl);
                let gs: Vec<(i64, u64)> = g.samples.iter().map(|(t, v)| (*t, v.to_bits())).collect();
                let ws: Vec<(i64, u64)> = w.samples.iter().map(|s| (s.timestamp, s.value.to_bits())).collect();
                prop_assert_eq!(gs, ws);
            }
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
