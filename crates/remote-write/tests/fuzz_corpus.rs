//! Runs the seed corpus of the `remote_write_decode` fuzz target as an ordinary test, so every
//! `cargo test` replays it without nightly. `VIGIL_WRITE_FUZZ_CORPUS=1 cargo test -p
//! remote-write --test fuzz_corpus` (re)generates the seeds, deterministically.

use std::path::{Path, PathBuf};

use remote_write::proto::{v1, v2};
use remote_write::{
    CONTENT_TYPE_V1, CONTENT_TYPE_V2, DecodeError, DecodedWrite, Limits, PlainSeries, Version, build_v1, build_v2,
    decode, encode_v1, encode_v2,
};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/remote_write_decode")
}

fn plain(labels: &[(&str, &str)], samples: &[(i64, f64)]) -> PlainSeries {
    (labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), samples.to_vec())
}

fn snappy(raw: &[u8]) -> Vec<u8> {
    snap::raw::Encoder::new().compress_vec(raw).unwrap()
}

/// What a seed must decode to, with the content type it was made for.
enum Expect {
    Ok(Version),
    /// Fails with both content types, with a message containing this.
    Err(&'static str),
    /// Fails with the content type of this version, with a message containing this.
    ErrAs(Version, &'static str),
}

fn seeds() -> Vec<(&'static str, Vec<u8>, Expect)> {
    let two = [
        plain(&[("__name__", "up"), ("instance", "a:9100"), ("job", "node")], &[(1000, 1.0), (2000, 0.0)]),
        plain(&[("__name__", "node_load1"), ("job", "node")], &[(1000, 0.25)]),
    ];
    let mut v1_req = build_v1(&two);
    v1_req.metadata.push(v1::MetricMetadata {
        r#type: 2,
        metric_family_name: "node_load1".into(),
        help: "1m load average.".into(),
        unit: String::new(),
    });
    v1_req.timeseries[0].exemplars.push(v1::Exemplar {
        labels: vec![v1::Label { name: "trace_id".into(), value: "abc".into() }],
        value: 1.0,
        timestamp: 1000,
    });
    let v1_ok = encode_v1(&v1_req);

    let mut v2_req = build_v2(&two);
    v2_req.symbols.push("Whether the target is up.".into());
    let help = (v2_req.symbols.len() - 1) as u32;
    v2_req.timeseries[0].metadata = Some(v2::Metadata { r#type: 2, help_ref: help, unit_ref: 0 });
    v2_req.timeseries[0].exemplars.push(v2::Exemplar { labels_refs: vec![], value: 1.0, timestamp: 1000 });
    let v2_ok = encode_v2(&v2_req);
    let v2_utf8 =
        encode_v2(&build_v2(&[plain(&[("__name__", "ü.metric"), ("empty", ""), ("k8s.io/x", "😀")], &[(1, 2.0)])]));

    let v1_raw = prost::Message::encode_to_vec(&v1_req);
    let unsorted = encode_v1(&build_v1(&[plain(&[("__name__", "m"), ("z", "1"), ("a", "1")], &[(1, 1.0)])]));
    let duplicate = encode_v1(&build_v1(&[plain(&[("__name__", "m"), ("a", "1"), ("a", "2")], &[(1, 1.0)])]));
    let no_name = encode_v1(&build_v1(&[plain(&[("job", "x")], &[(1, 1.0)])]));
    let mut bad_ref = build_v2(&[plain(&[("__name__", "m")], &[(1, 1.0)])]);
    bad_ref.timeseries[0].labels_refs[1] = 40;
    let mut odd = build_v2(&[plain(&[("__name__", "m")], &[(1, 1.0)])]);
    odd.timeseries[0].labels_refs.push(1);
    let mut bad_symbols = build_v2(&[plain(&[("__name__", "m")], &[(1, 1.0)])]);
    bad_symbols.symbols[0] = "not empty".into();
    let mut histogram = build_v1(&[plain(&[("__name__", "h")], &[])]);
    histogram.timeseries[0].histograms.push(v1::Histogram { timestamp: 1 });

    vec![
        ("v1_valid", v1_ok.clone(), Expect::Ok(Version::V1)),
        ("v1_minimal", encode_v1(&build_v1(&[plain(&[("__name__", "m")], &[])])), Expect::Ok(Version::V1)),
        ("v1_empty_request", encode_v1(&v1::WriteRequest::default()), Expect::Ok(Version::V1)),
        ("v2_valid", v2_ok, Expect::Ok(Version::V2)),
        ("v2_utf8_names", v2_utf8, Expect::Ok(Version::V2)),
        ("v1_truncated_snappy", v1_ok.get(..v1_ok.len() / 2).unwrap().to_vec(), Expect::Err("snappy")),
        ("v1_truncated_protobuf", snappy(v1_raw.get(..v1_raw.len() - 5).unwrap()), Expect::Err("protobuf")),
        ("not_snappy", b"hello, world".to_vec(), Expect::Err("snappy")),
        ("framed_snappy", b"\xff\x06\x00\x00sNaPpY\x01\x05\x00\x00\x00\x00\x00\x00".to_vec(), Expect::Err("framed")),
        ("huge_declared_length", vec![0xff, 0xff, 0xff, 0xff, 0x0f], Expect::Err("over the limit")),
        ("empty", Vec::new(), Expect::Err("snappy")),
        ("v1_unsorted", unsorted, Expect::ErrAs(Version::V1, "not sorted")),
        ("v1_duplicate_label", duplicate, Expect::ErrAs(Version::V1, "duplicate label name")),
        ("v1_no_metric_name", no_name, Expect::ErrAs(Version::V1, "empty metric name")),
        ("v1_histogram", encode_v1(&histogram), Expect::ErrAs(Version::V1, "native histogram")),
        ("v2_bad_ref", encode_v2(&bad_ref), Expect::ErrAs(Version::V2, "out of range")),
        ("v2_odd_refs", encode_v2(&odd), Expect::ErrAs(Version::V2, "odd number")),
        ("v2_bad_symbols", encode_v2(&bad_symbols), Expect::ErrAs(Version::V2, "empty string")),
    ]
}

fn run(data: &[u8]) -> [(Version, Result<DecodedWrite, DecodeError>); 2] {
    let limits = Limits::default();
    [
        (Version::V1, decode(Some(CONTENT_TYPE_V1), Some("snappy"), data, &limits)),
        (Version::V2, decode(Some(CONTENT_TYPE_V2), Some("snappy"), data, &limits)),
    ]
}

#[test]
fn corpus_decodes_without_panic() {
    if std::env::var_os("VIGIL_WRITE_FUZZ_CORPUS").is_some() {
        std::fs::create_dir_all(dir()).unwrap();
        for (name, data, _) in seeds() {
            std::fs::write(dir().join(name), data).unwrap();
        }
    }
    let expectations = seeds();
    let mut files = 0;
    let mut checked = 0;
    for entry in std::fs::read_dir(dir()).expect("the seed corpus directory").flatten() {
        let data = std::fs::read(entry.path()).unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let results = run(&data);
        files += 1;
        let Some((_, _, expect)) = expectations.iter().find(|(n, _, _)| *n == name) else { continue };
        checked += 1;
        for (version, result) in &results {
            match (expect, result) {
                (Expect::Ok(v), r) if v == version => {
                    let d = r.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(d.version, *v, "{name}");
                }
                (Expect::Err(want), r) => {
                    let e = r.as_ref().err().unwrap_or_else(|| panic!("{name} decoded"));
                    assert!(e.to_string().contains(want), "{name}: {e}");
                }
                (Expect::ErrAs(v, want), r) if v == version => {
                    let e = r.as_ref().err().unwrap_or_else(|| panic!("{name} decoded"));
                    assert!(e.to_string().contains(want), "{name}: {e}");
                }
                _ => {}
            }
        }
    }
    assert!(files > 0, "the seed corpus is empty");
    assert_eq!(checked, expectations.len(), "seeds missing from {}; regenerate them", dir().display());
}

/// The valid seeds carry what they were built with: metadata and exemplars are seen.
#[test]
fn valid_seeds_decode_fully() {
    for (name, data, expect) in seeds() {
        let Expect::Ok(version) = expect else { continue };
        let ct = if version == Version::V1 { CONTENT_TYPE_V1 } else { CONTENT_TYPE_V2 };
        let d = decode(Some(ct), None, &data, &Limits::default()).unwrap();
        match name {
            "v1_valid" | "v2_valid" => {
                assert_eq!((d.series.len(), d.num_samples(), d.exemplars, d.metadata.len()), (2, 3, 1, 1), "{name}");
            }
            "v2_utf8_names" => assert_eq!(d.series[0].labels.len(), 2, "the empty value is dropped"),
            _ => {}
        }
    }
}
