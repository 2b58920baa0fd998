//! Encoding requests (protobuf + snappy block format): for tests and load generators.

use std::collections::HashMap;

use prost::Message;

use crate::proto::{v1, v2};

fn snappy(data: &[u8]) -> Vec<u8> {
    // Compressing a buffer we built cannot fail except for inputs over 4 GiB, which callers
    // never build; fall back to an empty body, which the receiver reports as invalid.
    snap::raw::Encoder::new().compress_vec(data).unwrap_or_default()
}

/// A 1.0 request body.
pub fn encode_v1(req: &v1::WriteRequest) -> Vec<u8> {
    snappy(&req.encode_to_vec())
}

/// A 2.0 request body.
pub fn encode_v2(req: &v2::Request) -> Vec<u8> {
    snappy(&req.encode_to_vec())
}

/// A series as plain data: labels (sorted by name) and samples.
pub type PlainSeries = (Vec<(String, String)>, Vec<(i64, f64)>);

/// Builds a 2.0 request from plain series, interning every string in the symbols table
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
            samples: samples.iter().map(|(t, v)| v2::Sample { value: *v, timestamp: *t }).collect(),
            ..Default::default()
        })
        .collect();
    v2::Request { symbols, timeseries }
}
