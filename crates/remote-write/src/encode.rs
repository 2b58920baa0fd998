//! Encoding requests (protobuf + snappy block format): for tests, fuzz seeds and load
//! generators. The receiver never encodes.

use std::collections::HashMap;

use prost::Message;

use crate::proto::{v1, v2};

fn snappy(data: &[u8]) -> Vec<u8> {
    // Compression fails only for inputs over snappy's ~4 GiB maximum, which callers never
    // build; an empty body then makes the receiver report an invalid request, not a panic.
    snap::raw::Encoder::new().compress_vec(data).unwrap_or_default()
}

/// A 1.0 request body: the protobuf message compressed with snappy's block format.
pub fn encode_v1(req: &v1::WriteRequest) -> Vec<u8> {
    snappy(&req.encode_to_vec())
}

/// A 2.0 request body: the protobuf message compressed with snappy's block format.
pub fn encode_v2(req: &v2::Request) -> Vec<u8> {
    snappy(&req.encode_to_vec())
}

/// A series as plain data: labels (sorted by name, as the protocol requires) and
/// `(timestamp ms, value)` samples.
pub type PlainSeries = (Vec<(String, String)>, Vec<(i64, f64)>);

/// Builds a 1.0 request from plain series, so tests need not spell out the messages.
pub fn build_v1(series: &[PlainSeries]) -> v1::WriteRequest {
    let timeseries = series
        .iter()
        .map(|(labels, samples)| v1::TimeSeries {
            labels: labels.iter().map(|(n, v)| v1::Label { name: n.clone(), value: v.clone() }).collect(),
            samples: samples.iter().map(|(t, v)| v1::Sample { value: *v, timestamp: *t }).collect(),
            ..Default::default()
        })
        .collect();
    v1::WriteRequest { timeseries, metadata: Vec::new() }
}

/// Builds a 2.0 request from plain series, interning every string once in the symbols table
/// (index 0 is the empty string, as the spec requires).
pub fn build_v2(series: &[PlainSeries]) -> v2::Request {
    let mut symbols = vec![String::new()];
    let mut index: HashMap<String, u32> = HashMap::from([(String::new(), 0)]);
    let mut intern = |s: &str| -> u32 {
        if let Some(i) = index.get(s) {
            return *i;
        }
        let i = symbols.len() as u32;
        symbols.push(s.to_string());
        index.insert(s.to_string(), i);
        i
    };
    let timeseries = series
        .iter()
        .map(|(labels, samples)| v2::TimeSeries {
            labels_refs: labels.iter().flat_map(|(n, v)| [intern(n), intern(v)]).collect(),
            samples: samples.iter().map(|(t, v)| v2::Sample { value: *v, timestamp: *t, start_timestamp: 0 }).collect(),
            ..Default::default()
        })
        .collect();
    v2::Request { symbols, timeseries }
}
