//! Prometheus remote-write 1.0 and 2.0: the wire messages, decoding with validation, and an
//! encoder (used by tests, the crash test and the benchmark load generator).
//!
//! Decoding is all-or-nothing: a request that is malformed anywhere is rejected whole with an
//! error naming the problem and the series, so nothing is ingested partially and silently.

mod decode;
mod encode;
pub mod proto;
mod wire;

pub use decode::{DecodeError, DecodedMetadata, DecodedWrite, Limits, Payload, SeriesView, Version, decompress};
pub use encode::{PlainSeries, build_v2, encode_v1, encode_v2};

/// `Content-Type` of a 1.0 request, as Prometheus sends it.
pub const CONTENT_TYPE_V1: &str = "application/x-protobuf";
/// `Content-Type` of a 2.0 request.
pub const CONTENT_TYPE_V2: &str = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
/// `X-Prometheus-Remote-Write-Version` values senders use.
pub const VERSION_HEADER_V1: &str = "0.1.0";
pub const VERSION_HEADER_V2: &str = "2.0.0";

/// The response headers a 2.0 receiver must send to tell the sender what was written. They are
/// harmless for 1.0 senders, so the server sends them on every response to a valid request.
pub fn written_headers(samples: usize, histograms: usize, exemplars: usize) -> [(&'static str, String); 3] {
    [
        ("X-Prometheus-Remote-Write-Samples-Written", samples.to_string()),
        ("X-Prometheus-Remote-Write-Histograms-Written", histograms.to_string()),
        ("X-Prometheus-Remote-Write-Exemplars-Written", exemplars.to_string()),
    ]
}
