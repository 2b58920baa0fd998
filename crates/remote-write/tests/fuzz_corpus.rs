//! Runs the seed corpus of the `remote_write_decode` fuzz target as an ordinary test.
//! `VIGIL_WRITE_FUZZ_CORPUS=1` regenerates the seeds.

use std::path::{Path, PathBuf};

use remote_write::proto::v1;
use remote_write::{CONTENT_TYPE_V1, CONTENT_TYPE_V2, DecodeError, Limits, build_v2, decompress, encode_v1, encode_v2};

/// Decompresses and parses; returns the series count.
fn decode(ct: Option<&str>, ce: Option<&str>, body: &[u8], limits: &Limits) -> Result<usize, DecodeError> {
    let p = decompress(ct, ce, body, limits)?;
    Ok(p.parse(limits)?.num_series())
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/remote_write_decode")
}

fn series(labels: &[(&str, &str)]) -> v1::TimeSeries {
    v1::TimeSeries {
        labels: labels.iter().map(|(n, v)| v1::Label { name: n.to_string(), value: v.to_string() }).collect(),
        samples: vec![v1::Sample { value: 1.5, timestamp: 1000 }],
        ..Default::default()
    }
}

fn write_seeds() {
    std::fs::create_dir_all(dir()).unwrap();
    let v1_ok = encode_v1(&v1::WriteRequest {
        timeseries: vec![series(&[("__name__", "up"), ("job", "a")])],
        metadata: vec![],
    });
    let v2_ok = encode_v2(&build_v2(&[(vec![("__name__".into(), "a.b".into())], vec![(1, 2.0)])]));
    let unsorted = encode_v1(&v1::WriteRequest {
        timeseries: vec![series(&[("__name__", "m"), ("z", "1"), ("a", "1")])],
        metadata: vec![],
    });
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("v1_valid", v1_ok.clone()),
        ("v2_valid", v2_ok),
        ("v1_truncated", v1_ok[..v1_ok.len() / 2].to_vec()),
        ("v1_unsorted", unsorted),
        ("not_snappy", b"hello".to_vec()),
        ("empty", Vec::new()),
    ];
    for (name, data) in seeds {
        std::fs::write(dir().join(name), data).unwrap();
    }
}

#[test]
fn corpus_decodes_without_panic() {
    if std::env::var("VIGIL_WRITE_FUZZ_CORPUS").is_ok() {
        write_seeds();
    }
    let mut n = 0;
    for entry in std::fs::read_dir(dir()).expect("corpus directory").flatten() {
        let data = std::fs::read(entry.path()).unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let r1 = decode(Some(CONTENT_TYPE_V1), Some("snappy"), &data, &Limits::default());
        let r2 = decode(Some(CONTENT_TYPE_V2), Some("snappy"), &data, &Limits::default());
        match name.as_str() {
            "v1_valid" => assert!(r1.is_ok(), "{r1:?}"),
            "v2_valid" => assert!(r2.is_ok(), "{r2:?}"),
            "v1_unsorted" => assert!(r1.unwrap_err().to_string().contains("sorted")),
            _ => {}
        }
        n += 1;
    }
    assert!(n >= 6, "expected the seed corpus, found {n} files");
}
