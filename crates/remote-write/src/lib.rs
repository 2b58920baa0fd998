//! Prometheus remote-write 1.0 and 2.0: the wire messages, decoding with validation, and an
//! encoder (used by tests, the crash test, fuzzing and the benchmark load generator).
//!
//! Decoding is all-or-nothing: a request that is malformed anywhere is rejected whole with an
//! error naming the problem and the series, so nothing is ingested partially and silently.
//! [`decode`] returns owned data; the server's hot path uses [`decompress`] and
//! [`Payload::parse_with`], which borrow strings from the request instead of copying them.
//!
//! This crate knows nothing of storage: it returns strings and numbers.

mod decode;
mod encode;
pub mod proto;
mod wire;

pub use decode::{
    DecodeError, DecodedMetadata, DecodedSeries, DecodedWrite, Limits, PROTO_V1, PROTO_V2, ParsedWrite, Payload,
    SeriesView, Version, decode, decompress,
};
pub use encode::{PlainSeries, build_v1, build_v2, encode_v1, encode_v2};

/// `Content-Type` of a 1.0 request, as Prometheus sends it (the spec also allows
/// `application/x-protobuf;proto=prometheus.WriteRequest`; both decode as 1.0).
pub const CONTENT_TYPE_V1: &str = "application/x-protobuf";
/// `Content-Type` of a 2.0 request.
pub const CONTENT_TYPE_V2: &str = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
/// `Content-Encoding` of every request: snappy's block format (the framed format is forbidden).
pub const CONTENT_ENCODING: &str = "snappy";
/// Name of the request header carrying the sender's protocol version. Receivers negotiate by
/// `Content-Type`, not by this header; senders must still send it.
pub const VERSION_HEADER: &str = "X-Prometheus-Remote-Write-Version";
/// [`VERSION_HEADER`] value of a 1.0 request (what 1.x receivers expect).
pub const VERSION_HEADER_V1: &str = "0.1.0";
/// [`VERSION_HEADER`] value of a 2.0 request.
pub const VERSION_HEADER_V2: &str = "2.0.0";

/// Response header: samples written.
pub const SAMPLES_WRITTEN_HEADER: &str = "X-Prometheus-Remote-Write-Samples-Written";
/// Response header: native histogram samples written.
pub const HISTOGRAMS_WRITTEN_HEADER: &str = "X-Prometheus-Remote-Write-Histograms-Written";
/// Response header: exemplars written.
pub const EXEMPLARS_WRITTEN_HEADER: &str = "X-Prometheus-Remote-Write-Exemplars-Written";

/// The `X-Prometheus-Remote-Write-*-Written` response headers, with the counts actually
/// written (accepted) by the receiver.
///
/// What the 2.0 spec says: once content negotiation succeeded, a receiver MUST send all three
/// after processing a request, whether it succeeded or failed (a partial write sends the
/// counts of what was written, with a non-2xx status), each a single 64-bit integer. On a 2xx
/// or 4xx answer to a 2.0 request a sender may take a missing header as 0 written, and a 2xx
/// with none of them as a sign of a 1.0 receiver that decoded the 2.0 message as an empty 1.0
/// one (so it treats it as 415). Senders of 1.0 must not rely on them, so sending them on
/// answers to 1.0 requests too is harmless and keeps one code path.
pub fn written_headers(samples: usize, histograms: usize, exemplars: usize) -> [(&'static str, String); 3] {
    [
        (SAMPLES_WRITTEN_HEADER, samples.to_string()),
        (HISTOGRAMS_WRITTEN_HEADER, histograms.to_string()),
        (EXEMPLARS_WRITTEN_HEADER, exemplars.to_string()),
    ]
}
