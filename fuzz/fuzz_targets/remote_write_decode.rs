//! Fuzzes the remote-write decoder with both protocol versions. It must never panic, and what
//! it accepts must be consistent: the label-cache path sees the same labels as a plain parse,
//! and a decoded request re-encoded in either version decodes to the same data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remote_write::{
    CONTENT_TYPE_V1, CONTENT_TYPE_V2, DecodedWrite, Limits, PlainSeries, build_v1, build_v2, decode, decompress,
    encode_v1, encode_v2,
};

/// Series as comparable data (values by bits; -0.0 is sent as 0.0 by proto3).
fn comparable(d: &DecodedWrite) -> Vec<(Vec<(String, String)>, Vec<(i64, u64)>)> {
    d.series
        .iter()
        .map(|s| {
            let samples = s.samples.iter().map(|(t, v)| (*t, if *v == 0.0 { 0 } else { v.to_bits() })).collect();
            (s.labels.clone(), samples)
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    for ct in [CONTENT_TYPE_V1, CONTENT_TYPE_V2] {
        let Ok(decoded) = decode(Some(ct), Some("snappy"), data, &limits) else { continue };

        // The cache path: every series "known", so labels are only parsed on request.
        let payload = decompress(Some(ct), None, data, &limits).expect("decoded once already");
        let hinted = payload.parse_with(&limits, &|k| Some(k as u32)).expect("a valid request parses with hints");
        let hinted = hinted.to_decoded().expect("hinted labels are valid");
        assert_eq!(comparable(&hinted), comparable(&decoded));
        assert_eq!((&hinted.metadata, hinted.exemplars), (&decoded.metadata, decoded.exemplars));

        // Re-encoding what was accepted gives it back, in either version. 1.0 repeats strings
        // that 2.0 interns once, so skip requests that would grow too large to re-encode.
        let text: usize = decoded.series.iter().flat_map(|s| &s.labels).map(|(k, v)| k.len() + v.len()).sum();
        if text > 4 << 20 {
            continue;
        }
        let plain: Vec<PlainSeries> = decoded.series.iter().map(|s| (s.labels.clone(), s.samples.clone())).collect();
        let again_v1 = decode(Some(CONTENT_TYPE_V1), None, &encode_v1(&build_v1(&plain)), &limits).expect("v1 again");
        let again_v2 = decode(Some(CONTENT_TYPE_V2), None, &encode_v2(&build_v2(&plain)), &limits).expect("v2 again");
        assert_eq!(comparable(&again_v1), comparable(&decoded));
        assert_eq!(comparable(&again_v2), comparable(&decoded));
    }
});
