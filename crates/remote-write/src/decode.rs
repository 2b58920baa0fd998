//! Decoding and validating remote-write requests: content negotiation, snappy, both protobuf
//! messages, and the label rules. A request is accepted whole or rejected whole.

use std::collections::HashSet;

use crate::wire::{Fields, Schema, Value, Wire, WireError, check, push_u32s, utf8};

/// Fully qualified name of the 1.0 message, as in `Content-Type`'s `proto` parameter.
pub const PROTO_V1: &str = "prometheus.WriteRequest";
/// Fully qualified name of the 2.0 message.
pub const PROTO_V2: &str = "io.prometheus.write.v2.Request";

/// Which protocol a request used: the two carry the same data in different messages, and only
/// 2.0 senders rely on the `…-Written` response headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

impl Version {
    /// The protobuf message name the version is negotiated by (and named by in errors).
    pub fn message_name(self) -> &'static str {
        match self {
            Version::V1 => PROTO_V1,
            Version::V2 => PROTO_V2,
        }
    }

    /// The `X-Prometheus-Remote-Write-Version` value senders of this version use.
    pub fn header_value(self) -> &'static str {
        match self {
            Version::V1 => crate::VERSION_HEADER_V1,
            Version::V2 => crate::VERSION_HEADER_V2,
        }
    }
}

/// Bounds on what one request may make the server allocate. Snappy compresses repetitive
/// input enormously, so a small body can declare a huge payload, and a small payload can hold
/// many empty messages that each become a 16- or 32-byte entry: every dimension is bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed body; checked against snappy's declared length before allocating.
    pub max_decompressed_bytes: usize,
    /// Most series in one request.
    pub max_series_per_request: usize,
    /// Most samples in one request, over all series.
    pub max_samples_per_request: usize,
    /// Most label pairs in one request, over all series.
    pub max_label_pairs_per_request: usize,
}

impl Default for Limits {
    /// Far above what Prometheus sends (a few thousand samples a request by default) while
    /// keeping one request's decoded form to a few hundred MiB at worst.
    fn default() -> Self {
        Limits {
            max_decompressed_bytes: 64 << 20,
            max_series_per_request: 1_000_000,
            max_samples_per_request: 10_000_000,
            max_label_pairs_per_request: 10_000_000,
        }
    }
}

/// Why a request was rejected. Each names the problem and, where there is one, the series (by
/// index in the request and by its labels), so the sender's log says what to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "unsupported Content-Type {0:?}: expected application/x-protobuf (remote-write 1.0), \
         application/x-protobuf;proto=prometheus.WriteRequest (1.0) or \
         application/x-protobuf;proto=io.prometheus.write.v2.Request (2.0)"
    )]
    UnsupportedContentType(String),
    #[error("unsupported Content-Encoding {0:?}: remote write bodies must be snappy (block format)")]
    UnsupportedEncoding(String),
    #[error("body is not valid snappy (block format): {0}")]
    Snappy(String),
    #[error("decompressed body would be {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("request has more than {limit} {what}, the limit per request")]
    TooMany { what: &'static str, limit: usize },
    #[error("cannot decode protobuf {message}: {detail}")]
    Protobuf { message: &'static str, detail: String },
    #[error("series {index} {series}: {problem}")]
    InvalidSeries { index: usize, series: String, problem: String },
    #[error("symbols table must start with the empty string (found {0:?} at index 0)")]
    BadSymbolsTable(String),
    #[error(
        "request has {count} native histogram samples in {series} series (first: series {first_index} \
         {first}); native histograms are not supported yet"
    )]
    HistogramsUnsupported { count: usize, series: usize, first_index: usize, first: String },
}

impl DecodeError {
    /// The HTTP status a receiver answers with: 415 for what it cannot speak (the 2.0 spec lets
    /// a sender retry with another content type), 413 for what is too big, 400 for malformed or
    /// unsupported content, which a sender must not retry.
    pub fn http_status(&self) -> u16 {
        match self {
            DecodeError::UnsupportedContentType(_) | DecodeError::UnsupportedEncoding(_) => 415,
            DecodeError::TooLarge { .. } | DecodeError::TooMany { .. } => 413,
            DecodeError::Snappy(_)
            | DecodeError::Protobuf { .. }
            | DecodeError::InvalidSeries { .. }
            | DecodeError::BadSymbolsTable(_)
            | DecodeError::HistogramsUnsupported { .. } => 400,
        }
    }
}

/// Metadata of a metric family. The same in both versions: 1.0 sends a list per request, 2.0
/// one per series (family = the series' metric name, help and unit resolved from symbols).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecodedMetadata {
    pub metric_family: String,
    /// 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram, 5 summary, 6 info,
    /// 7 stateset (the same numbering in both protocol versions; unknown codes become 0).
    pub metric_type: u8,
    pub help: String,
    pub unit: String,
}

/// One series of a decoded request, as owned strings so callers need no storage types.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedSeries {
    /// Sorted by name, validated, empty values dropped (an empty value means "absent").
    pub labels: Vec<(String, String)>,
    /// `(timestamp in ms, value)`, in the order sent.
    pub samples: Vec<(i64, f64)>,
}

/// A decoded, fully validated request as owned data. The server's hot path uses the borrowed
/// [`ParsedWrite`] instead; this is the simple form for tools, tests and fuzzing.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedWrite {
    pub version: Version,
    pub series: Vec<DecodedSeries>,
    pub metadata: Vec<DecodedMetadata>,
    /// Exemplars received (not stored yet; counted so the sender's header can be truthful).
    pub exemplars: usize,
}

impl DecodedWrite {
    /// Samples over all series: what the `…-Samples-Written` header reports once stored.
    pub fn num_samples(&self) -> usize {
        self.series.iter().map(|s| s.samples.len()).sum()
    }
}

/// Negotiates the protocol, decompresses and decodes a request body, and validates all of it.
///
/// `content_type` and `content_encoding` are the request's header values. A missing
/// `Content-Type` is taken as 1.0 and a missing `Content-Encoding` as snappy, as every
/// Prometheus sender sets both to those anyway.
pub fn decode(
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    body: &[u8],
    limits: &Limits,
) -> Result<DecodedWrite, DecodeError> {
    decompress(content_type, content_encoding, body, limits)?.parse(limits)?.to_decoded()
}

/// One series of a [`ParsedWrite`], borrowed from the request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesView<'s, 'a> {
    /// Sorted by name, validated, empty values dropped. Empty when `hint` is set: the series'
    /// label bytes were recognised and not parsed again (see [`ParsedWrite::labels_of`]).
    pub labels: &'s [(&'a str, &'a str)],
    pub samples: &'s [(i64, f64)],
    /// 128-bit hash of the series' encoded labels (1.0 only; 0 for 2.0), for a cache of
    /// storage references kept by the caller.
    pub key: u128,
    /// The storage reference the caller's cache gave for `key`.
    pub hint: Option<u32>,
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

/// A parsed, fully validated request whose strings borrow from the [`Payload`]. All series
/// share two flat vectors, so parsing allocates a handful of times per request, not per label:
/// decoding is the receiver's hot path.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedWrite<'a> {
    pub version: Version,
    raw: &'a [u8],
    spans: Vec<Span>,
    labels: Vec<(&'a str, &'a str)>,
    samples: Vec<(i64, f64)>,
    pub metadata: Vec<DecodedMetadata>,
    /// Exemplars received (not stored yet; counted so the sender's header can be truthful).
    pub exemplars: usize,
}

fn range<T>(v: &[T], (start, end): (u32, u32)) -> &[T] {
    v.get(start as usize..end as usize).unwrap_or_default()
}

impl<'a> ParsedWrite<'a> {
    pub fn num_series(&self) -> usize {
        self.spans.len()
    }

    pub fn num_samples(&self) -> usize {
        self.samples.len()
    }

    /// The series in request order.
    pub fn series(&self) -> impl ExactSizeIterator<Item = SeriesView<'_, 'a>> + '_ {
        self.spans.iter().map(|s| SeriesView {
            labels: range(&self.labels, s.labels),
            samples: range(&self.samples, s.samples),
            key: s.key,
            hint: s.hint,
        })
    }

    /// The labels of series `index`, parsing them now for a series that carries a hint instead
    /// (the caller's cache entry turned out stale). They are validated again, like any labels.
    /// An index past the end has no labels.
    pub fn labels_of(&self, index: usize) -> Result<Vec<(&'a str, &'a str)>, DecodeError> {
        let Some(span) = self.spans.get(index) else { return Ok(Vec::new()) };
        if span.hint.is_none() {
            return Ok(range(&self.labels, span.labels).to_vec());
        }
        let (start, end) = (span.message.0 as usize, span.message.1 as usize);
        let msg = self.raw.get(start..end).unwrap_or_default();
        let e = wire_err(Version::V1, Some(index));
        let mut labels = Vec::new();
        let mut f = Fields::new(msg, start);
        while let Some((field, value, at)) = f.next_field().map_err(&e)? {
            check(V1_SERIES, field, &value, at).map_err(&e)?;
            if let (1, Value::Bytes(l)) = (field, value) {
                labels.push(parse_label(l, at, &e)?);
            }
        }
        validate_labels(index, &mut labels, 0)?;
        Ok(labels)
    }

    /// Copies the request into owned strings, parsing the labels of series that carry hints.
    pub fn to_decoded(&self) -> Result<DecodedWrite, DecodeError> {
        let mut series = Vec::with_capacity(self.spans.len());
        for (index, view) in self.series().enumerate() {
            let labels = if view.hint.is_some() { self.labels_of(index)? } else { view.labels.to_vec() };
            series.push(DecodedSeries {
                labels: labels.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
                samples: view.samples.to_vec(),
            });
        }
        Ok(DecodedWrite { version: self.version, series, metadata: self.metadata.clone(), exemplars: self.exemplars })
    }
}

/// A decompressed request body, ready to parse. Kept apart from parsing so the borrowed
/// [`ParsedWrite`] has a buffer to borrow from.
#[derive(Debug, Clone)]
pub struct Payload {
    pub version: Version,
    raw: Vec<u8>,
}

impl Payload {
    /// The decompressed protobuf bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.raw
    }

    /// Parses and validates the whole request; any problem rejects it whole.
    pub fn parse(&self, limits: &Limits) -> Result<ParsedWrite<'_>, DecodeError> {
        self.parse_with(limits, &|_| None)
    }

    /// Like [`Payload::parse`], but 1.0 series whose encoded labels hash to a key that `known`
    /// recognises are not parsed again: they carry the returned hint instead of labels. Their
    /// bytes are identical to a series that was validated before (the caller only remembers
    /// keys of stored series), so the request is still validated whole.
    pub fn parse_with(
        &self,
        limits: &Limits,
        known: &dyn Fn(u128) -> Option<u32>,
    ) -> Result<ParsedWrite<'_>, DecodeError> {
        match self.version {
            Version::V1 => parse_v1(&self.raw, limits, known),
            Version::V2 => parse_v2(&self.raw, limits),
        }
    }
}

/// Picks the protocol from `Content-Type` as the 2.0 spec says: no `proto` parameter or
/// `proto=prometheus.WriteRequest` is 1.0; `proto=io.prometheus.write.v2.Request` is 2.0.
/// Media type and parameter name are case-insensitive (RFC 9110); the message name is not.
fn negotiate(content_type: Option<&str>) -> Result<Version, DecodeError> {
    let Some(ct) = content_type else { return Ok(Version::V1) };
    let unsupported = || DecodeError::UnsupportedContentType(ct.to_string());
    let mut parts = ct.split(';').map(str::trim);
    let media = parts.next().unwrap_or("");
    if !media.eq_ignore_ascii_case("application/x-protobuf") {
        return Err(unsupported());
    }
    let mut version = Version::V1;
    for p in parts.filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').ok_or_else(unsupported)?;
        if k.trim().eq_ignore_ascii_case("proto") {
            let v = v.trim();
            let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
            version = match v {
                PROTO_V1 => Version::V1,
                PROTO_V2 => Version::V2,
                _ => return Err(unsupported()),
            };
        }
    }
    Ok(version)
}

/// The stream identifier that starts snappy's framed format, which remote write forbids.
const SNAPPY_FRAMED_MAGIC: &[u8] = b"\xff\x06\x00\x00sNaPpY";

/// Negotiates the protocol and decompresses the body, checking the declared size against the
/// limit before allocating. Parse the result with [`Payload::parse`].
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
    if body.starts_with(SNAPPY_FRAMED_MAGIC) {
        return Err(DecodeError::Snappy(
            "this is snappy's framed format; remote write requires the block format".into(),
        ));
    }
    let size = snap::raw::decompress_len(body).map_err(|e| DecodeError::Snappy(e.to_string()))?;
    // Offsets are kept as u32, so nothing larger is accepted whatever the configured limit.
    let limit = limits.max_decompressed_bytes.min(u32::MAX as usize);
    if size > limit {
        return Err(DecodeError::TooLarge { size, limit });
    }
    let raw = snap::raw::Decoder::new().decompress_vec(body).map_err(|e| DecodeError::Snappy(e.to_string()))?;
    Ok(Payload { version, raw })
}

const V1_REQUEST: Schema = &[
    (1, Wire::Len, "WriteRequest.timeseries must be length-delimited"),
    (3, Wire::Len, "WriteRequest.metadata must be length-delimited"),
];
const V1_SERIES: Schema = &[
    (1, Wire::Len, "TimeSeries.labels must be length-delimited"),
    (2, Wire::Len, "TimeSeries.samples must be length-delimited"),
    (3, Wire::Len, "TimeSeries.exemplars must be length-delimited"),
    (4, Wire::Len, "TimeSeries.histograms must be length-delimited"),
];
const V1_LABEL: Schema =
    &[(1, Wire::Len, "Label.name must be length-delimited"), (2, Wire::Len, "Label.value must be length-delimited")];
const V1_METADATA: Schema = &[
    (1, Wire::Varint, "MetricMetadata.type must be a varint"),
    (2, Wire::Len, "MetricMetadata.metric_family_name must be length-delimited"),
    (4, Wire::Len, "MetricMetadata.help must be length-delimited"),
    (5, Wire::Len, "MetricMetadata.unit must be length-delimited"),
];
const SAMPLE: Schema = &[
    (1, Wire::Fixed64, "Sample.value must be a 64-bit double"),
    (2, Wire::Varint, "Sample.timestamp must be a varint"),
    (3, Wire::Varint, "Sample.start_timestamp must be a varint"),
];
const V2_REQUEST: Schema = &[
    (4, Wire::Len, "Request.symbols must be length-delimited"),
    (5, Wire::Len, "Request.timeseries must be length-delimited"),
];
const V2_SERIES: Schema = &[
    (1, Wire::VarintOrLen, "TimeSeries.labels_refs must be varints or packed"),
    (2, Wire::Len, "TimeSeries.samples must be length-delimited"),
    (3, Wire::Len, "TimeSeries.histograms must be length-delimited"),
    (4, Wire::Len, "TimeSeries.exemplars must be length-delimited"),
    (5, Wire::Len, "TimeSeries.metadata must be length-delimited"),
];
const V2_METADATA: Schema = &[
    (1, Wire::Varint, "Metadata.type must be a varint"),
    (3, Wire::Varint, "Metadata.help_ref must be a varint"),
    (4, Wire::Varint, "Metadata.unit_ref must be a varint"),
];

/// Turns a wire problem into an error naming the message and, inside one, the series.
fn wire_err(version: Version, series: Option<usize>) -> impl Fn(WireError) -> DecodeError {
    move |e| DecodeError::Protobuf {
        message: version.message_name(),
        detail: match series {
            Some(i) => format!("series {i}: {} (at byte {})", e.problem, e.offset),
            None => format!("{} (at byte {})", e.problem, e.offset),
        },
    }
}

fn parse_label<'a>(
    l: &'a [u8],
    at: usize,
    e: &impl Fn(WireError) -> DecodeError,
) -> Result<(&'a str, &'a str), DecodeError> {
    let (mut name, mut val) = ("", "");
    let mut f = Fields::new(l, at);
    while let Some((field, value, at)) = f.next_field().map_err(e)? {
        check(V1_LABEL, field, &value, at).map_err(e)?;
        match (field, value) {
            (1, Value::Bytes(b)) => name = utf8(b, at).map_err(e)?,
            (2, Value::Bytes(b)) => val = utf8(b, at).map_err(e)?,
            _ => {}
        }
    }
    Ok((name, val))
}

fn parse_sample(b: &[u8], at: usize, e: &impl Fn(WireError) -> DecodeError) -> Result<(i64, f64), DecodeError> {
    let mut f = Fields::new(b, at);
    let (mut t, mut v) = (0i64, 0f64);
    while let Some((field, value, at)) = f.next_field().map_err(e)? {
        check(SAMPLE, field, &value, at).map_err(e)?;
        match (field, value) {
            (1, Value::Fixed64(bits)) => v = f64::from_bits(bits),
            // int64 is two's complement in a varint.
            (2, Value::Varint(x)) => t = x as i64,
            _ => {}
        }
    }
    Ok((t, v))
}

fn metric_type(v: u64) -> u8 {
    u8::try_from(v).ok().filter(|t| *t <= 7).unwrap_or(0)
}

/// Longest rendering of a series in an error message; a series with thousands of labels (or
/// one huge one) must not turn one error into megabytes of log.
const MAX_RENDERED: usize = 512;

/// At most `max` bytes of `s`, cut at a character boundary, marked with `…` when cut.
fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max {
        return s.into();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s.get(..end).unwrap_or_default()).into()
}

/// Renders labels for error messages as Prometheus does: `name{a="b", c="d"}`.
fn render<K: AsRef<str>, V: AsRef<str>>(labels: &[(K, V)]) -> String {
    let name = labels.iter().find(|(k, _)| k.as_ref() == "__name__").map_or("", |(_, v)| v.as_ref());
    let mut s = format!("{}{{", clip(name, MAX_RENDERED));
    let mut first = true;
    for (k, v) in labels.iter().filter(|(k, _)| k.as_ref() != "__name__") {
        if s.len() > MAX_RENDERED {
            break;
        }
        if !first {
            s.push_str(", ");
        }
        first = false;
        s.push_str(&format!("{}={:?}", clip(k.as_ref(), MAX_RENDERED), clip(v.as_ref(), MAX_RENDERED)));
    }
    let mut s = clip(&s, MAX_RENDERED).into_owned();
    s.push('}');
    s
}

/// A label name quoted for a problem description, clipped like [`render`].
fn quoted(name: &str) -> String {
    format!("{:?}", clip(name, MAX_RENDERED / 4))
}

/// Checks order, uniqueness and names of `labels[start..]`, then drops empty values (an empty
/// value means "absent", as in Prometheus). Names and values may be any UTF-8 (Prometheus 3).
fn validate_labels(index: usize, labels: &mut Vec<(&str, &str)>, start: usize) -> Result<(), DecodeError> {
    let own = labels.get(start..).unwrap_or_default();
    let invalid = |problem: String| DecodeError::InvalidSeries { index, series: render(own), problem };
    for pair in own.windows(2) {
        let [(a, _), (b, _)] = pair else { continue };
        match a.cmp(b) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => return Err(invalid(format!("duplicate label name {}", quoted(a)))),
            std::cmp::Ordering::Greater => {
                return Err(invalid(format!("labels are not sorted by name ({} before {})", quoted(a), quoted(b))));
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
        // Only this series' labels (from `start` on) are filtered; earlier series' are kept.
        let mut i = 0;
        labels.retain(|(_, v)| {
            let keep = i < start || !v.is_empty();
            i += 1;
            keep
        });
    }
    Ok(())
}

/// State shared by both versions' parsers: the output, the limits, and what was seen of
/// histograms (reported once the whole request was checked, with a count).
struct Parser<'a, 'l> {
    out: ParsedWrite<'a>,
    limits: &'l Limits,
    label_pairs: usize,
    histograms: usize,
    histogram_series: usize,
    first_histogram: Option<(usize, String)>,
}

impl<'a, 'l> Parser<'a, 'l> {
    fn new(version: Version, raw: &'a [u8], limits: &'l Limits) -> Self {
        Parser {
            out: ParsedWrite {
                version,
                raw,
                spans: Vec::new(),
                labels: Vec::new(),
                samples: Vec::new(),
                metadata: Vec::new(),
                exemplars: 0,
            },
            limits,
            label_pairs: 0,
            histograms: 0,
            histogram_series: 0,
            first_histogram: None,
        }
    }

    fn add_series(&self, count: usize) -> Result<(), DecodeError> {
        if count > self.limits.max_series_per_request {
            return Err(DecodeError::TooMany { what: "series", limit: self.limits.max_series_per_request });
        }
        Ok(())
    }

    fn add_label_pairs(&mut self, n: usize) -> Result<(), DecodeError> {
        self.label_pairs = self.label_pairs.saturating_add(n);
        if self.label_pairs > self.limits.max_label_pairs_per_request {
            return Err(DecodeError::TooMany { what: "label pairs", limit: self.limits.max_label_pairs_per_request });
        }
        Ok(())
    }

    fn push_sample(&mut self, s: (i64, f64)) -> Result<(), DecodeError> {
        if self.out.samples.len() >= self.limits.max_samples_per_request {
            return Err(DecodeError::TooMany { what: "samples", limit: self.limits.max_samples_per_request });
        }
        self.out.samples.push(s);
        Ok(())
    }

    /// Counts the histograms of series `index`, whose labels start at `label_start`.
    fn note_histograms(&mut self, index: usize, count: usize, label_start: usize) {
        if count == 0 {
            return;
        }
        self.histograms += count;
        self.histogram_series += 1;
        if self.first_histogram.is_none() {
            self.first_histogram = Some((index, render(self.out.labels.get(label_start..).unwrap_or_default())));
        }
    }

    fn finish(self) -> Result<ParsedWrite<'a>, DecodeError> {
        if let Some((first_index, first)) = self.first_histogram {
            return Err(DecodeError::HistogramsUnsupported {
                count: self.histograms,
                series: self.histogram_series,
                first_index,
                first,
            });
        }
        Ok(self.out)
    }

    fn span(&self, label_start: usize, sample_start: usize) -> Span {
        Span {
            labels: (label_start as u32, self.out.labels.len() as u32),
            samples: (sample_start as u32, self.out.samples.len() as u32),
            key: 0,
            hint: None,
            message: (0, 0),
        }
    }
}

fn parse_v1<'a>(
    raw: &'a [u8],
    limits: &Limits,
    known: &dyn Fn(u128) -> Option<u32>,
) -> Result<ParsedWrite<'a>, DecodeError> {
    let mut p = Parser::new(Version::V1, raw, limits);
    let mut label_msgs: Vec<(&'a [u8], usize)> = Vec::new();
    let e = wire_err(Version::V1, None);
    let mut req = Fields::new(raw, 0);
    while let Some((field, value, at)) = req.next_field().map_err(&e)? {
        check(V1_REQUEST, field, &value, at).map_err(&e)?;
        match (field, value) {
            (1, Value::Bytes(ts)) => parse_v1_series(&mut p, ts, at, known, &mut label_msgs)?,
            (3, Value::Bytes(m)) => {
                let md = parse_v1_metadata(m, at, &e)?;
                // Metadata without a family name describes nothing; it is advisory, so it is
                // dropped rather than failing the samples it came with.
                if !md.metric_family.is_empty() {
                    p.out.metadata.push(md);
                }
            }
            _ => {}
        }
    }
    p.finish()
}

fn parse_v1_series<'a>(
    p: &mut Parser<'a, '_>,
    ts: &'a [u8],
    at: usize,
    known: &dyn Fn(u128) -> Option<u32>,
    label_msgs: &mut Vec<(&'a [u8], usize)>,
) -> Result<(), DecodeError> {
    let index = p.out.spans.len();
    p.add_series(index + 1)?;
    let e = wire_err(Version::V1, Some(index));
    let (label_start, sample_start) = (p.out.labels.len(), p.out.samples.len());
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut histograms = 0;
    label_msgs.clear();
    let mut f = Fields::new(ts, at);
    while let Some((field, value, at)) = f.next_field().map_err(&e)? {
        check(V1_SERIES, field, &value, at).map_err(&e)?;
        match (field, value) {
            (1, Value::Bytes(l)) => {
                p.add_label_pairs(1)?;
                hasher.update(&(l.len() as u32).to_le_bytes());
                hasher.update(l);
                label_msgs.push((l, at));
            }
            (2, Value::Bytes(s)) => p.push_sample(parse_sample(s, at, &e)?)?,
            (3, Value::Bytes(_)) => p.out.exemplars += 1,
            (4, Value::Bytes(_)) => histograms += 1,
            _ => {}
        }
    }
    let key = hasher.digest128();
    // A series with histograms is reported by its labels, so those are always parsed.
    let hint = if histograms == 0 { known(key) } else { None };
    if hint.is_none() {
        for (l, at) in label_msgs.iter() {
            p.out.labels.push(parse_label(l, *at, &e)?);
        }
        validate_labels(index, &mut p.out.labels, label_start)?;
    }
    p.note_histograms(index, histograms, label_start);
    let mut span = p.span(label_start, sample_start);
    span.key = key;
    span.hint = hint;
    span.message = (at as u32, (at + ts.len()) as u32);
    p.out.spans.push(span);
    Ok(())
}

fn parse_v1_metadata(
    m: &[u8],
    at: usize,
    e: &impl Fn(WireError) -> DecodeError,
) -> Result<DecodedMetadata, DecodeError> {
    let mut md =
        DecodedMetadata { metric_family: String::new(), metric_type: 0, help: String::new(), unit: String::new() };
    let mut f = Fields::new(m, at);
    while let Some((field, value, at)) = f.next_field().map_err(e)? {
        check(V1_METADATA, field, &value, at).map_err(e)?;
        match (field, value) {
            (1, Value::Varint(t)) => md.metric_type = metric_type(t),
            (2, Value::Bytes(b)) => md.metric_family = utf8(b, at).map_err(e)?.to_string(),
            (4, Value::Bytes(b)) => md.help = utf8(b, at).map_err(e)?.to_string(),
            (5, Value::Bytes(b)) => md.unit = utf8(b, at).map_err(e)?.to_string(),
            _ => {}
        }
    }
    Ok(md)
}

/// Renders a 2.0 series whose label references may be broken, showing what they resolve to.
fn render_refs(symbols: &[&str], refs: &[u32]) -> String {
    let strings: Vec<String> = refs
        .iter()
        .map(|r| symbols.get(*r as usize).map_or_else(|| format!("<bad ref {r}>"), |s| s.to_string()))
        .collect();
    let pairs: Vec<(&str, &str)> = strings
        .chunks(2)
        .map(|c| (c.first().map_or("", String::as_str), c.get(1).map_or("<missing value>", String::as_str)))
        .collect();
    render(&pairs)
}

fn parse_v2<'a>(raw: &'a [u8], limits: &Limits) -> Result<ParsedWrite<'a>, DecodeError> {
    let e = wire_err(Version::V2, None);
    let mut p = Parser::new(Version::V2, raw, limits);
    let mut symbols: Vec<&'a str> = Vec::new();
    let mut series: Vec<(&'a [u8], usize)> = Vec::new();
    let mut req = Fields::new(raw, 0);
    while let Some((field, value, at)) = req.next_field().map_err(&e)? {
        check(V2_REQUEST, field, &value, at).map_err(&e)?;
        match (field, value) {
            (4, Value::Bytes(b)) => symbols.push(utf8(b, at).map_err(&e)?),
            (5, Value::Bytes(b)) => {
                series.push((b, at));
                p.add_series(series.len())?;
            }
            _ => {}
        }
    }
    if let Some(first) = symbols.first()
        && !first.is_empty()
    {
        return Err(DecodeError::BadSymbolsTable(clip(first, MAX_RENDERED).into_owned()));
    }
    let mut refs: Vec<u32> = Vec::new();
    let mut seen_metadata: HashSet<(&'a str, u8, &'a str, &'a str)> = HashSet::new();
    for (index, (ts, at)) in series.into_iter().enumerate() {
        let e = wire_err(Version::V2, Some(index));
        let (label_start, sample_start) = (p.out.labels.len(), p.out.samples.len());
        refs.clear();
        let mut histograms = 0;
        let mut md: Option<(u64, u32, u32)> = None;
        let mut f = Fields::new(ts, at);
        while let Some((field, value, at)) = f.next_field().map_err(&e)? {
            check(V2_SERIES, field, &value, at).map_err(&e)?;
            match (field, value) {
                (1, v) => push_u32s(&v, at, &mut refs).map_err(&e)?,
                (2, Value::Bytes(s)) => p.push_sample(parse_sample(s, at, &e)?)?,
                (3, Value::Bytes(_)) => histograms += 1,
                (4, Value::Bytes(_)) => p.out.exemplars += 1,
                (5, Value::Bytes(m)) => md = Some(parse_v2_metadata(m, at, &e)?),
                _ => {}
            }
        }
        let invalid =
            |problem: String| DecodeError::InvalidSeries { index, series: render_refs(&symbols, &refs), problem };
        if !refs.len().is_multiple_of(2) {
            return Err(invalid(format!("odd number of label references ({})", refs.len())));
        }
        p.add_label_pairs(refs.len() / 2)?;
        if let Some(bad) = refs.iter().find(|r| **r as usize >= symbols.len()) {
            return Err(invalid(format!(
                "label reference {bad} is out of range (the symbols table has {} entries)",
                symbols.len()
            )));
        }
        for pair in refs.chunks_exact(2) {
            if let [name, value] = pair {
                let sym = |r: &u32| symbols.get(*r as usize).copied().unwrap_or_default();
                p.out.labels.push((sym(name), sym(value)));
            }
        }
        validate_labels(index, &mut p.out.labels, label_start)?;
        let labels = p.out.labels.get(label_start..).unwrap_or_default();
        let family = labels.iter().find(|(k, _)| *k == "__name__").map_or("", |(_, v)| *v);
        if let Some((t, help, unit)) = md {
            let sym = |what: &str, r: u32| {
                symbols.get(r as usize).copied().ok_or_else(|| DecodeError::InvalidSeries {
                    index,
                    series: render(labels),
                    problem: format!(
                        "metadata {what} reference {r} is out of range (the symbols table has {} entries)",
                        symbols.len()
                    ),
                })
            };
            let (help, unit, metric_type) = (sym("help", help)?, sym("unit", unit)?, metric_type(t));
            let is_set = metric_type != 0 || !help.is_empty() || !unit.is_empty();
            if is_set && seen_metadata.insert((family, metric_type, help, unit)) {
                p.out.metadata.push(DecodedMetadata {
                    metric_family: family.to_string(),
                    metric_type,
                    help: help.to_string(),
                    unit: unit.to_string(),
                });
            }
        }
        p.note_histograms(index, histograms, label_start);
        let span = p.span(label_start, sample_start);
        p.out.spans.push(span);
    }
    p.finish()
}

fn parse_v2_metadata(
    m: &[u8],
    at: usize,
    e: &impl Fn(WireError) -> DecodeError,
) -> Result<(u64, u32, u32), DecodeError> {
    let (mut t, mut help, mut unit) = (0u64, 0u64, 0u64);
    let mut f = Fields::new(m, at);
    while let Some((field, value, at)) = f.next_field().map_err(e)? {
        check(V2_METADATA, field, &value, at).map_err(e)?;
        match (field, value) {
            (1, Value::Varint(x)) => t = x,
            (3, Value::Varint(x)) => help = x,
            (4, Value::Varint(x)) => unit = x,
            _ => {}
        }
    }
    // A reference beyond u32 cannot point into any table: report it as out of range.
    let r = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
    Ok((t, r(help), r(unit)))
}

#[cfg(test)]
mod tests;
