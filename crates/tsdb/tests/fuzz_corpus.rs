//! Runs the seed corpora of the storage fuzz targets (`fuzz/corpus/wal_segment`,
//! `fuzz/corpus/block_index`, `fuzz/corpus/chunk_decode`) as ordinary tests, so CI checks that
//! every seed is handled without a panic. `VIGIL_WRITE_FUZZ_CORPUS=1` regenerates the seeds.

use std::path::{Path, PathBuf};

use tsdb::record::{Record, RefSample};
use tsdb::{Labels, MetricMetadata, MetricType};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(name)
}

fn seed_records() -> Vec<Record> {
    let labels = Labels::from_pairs(&[("__name__", "up"), ("job", "node")]).unwrap();
    vec![
        Record::Series(vec![(1, labels)]),
        Record::Samples(vec![
            RefSample { series: 1, t: 1000, v: 1.0 },
            RefSample { series: 1, t: 2000, v: f64::from_bits(tsdb::STALE_NAN_BITS) },
        ]),
        Record::Metadata(vec![(
            "up".into(),
            MetricMetadata { metric_type: MetricType::Gauge, help: "Up.".into(), unit: String::new() },
        )]),
    ]
}

fn write_seeds() {
    let wal = corpus("wal_segment");
    std::fs::create_dir_all(&wal).unwrap();
    let full = tsdb::wal::encode_segment_bytes(&seed_records());
    std::fs::write(wal.join("valid"), &full).unwrap();
    std::fs::write(wal.join("torn"), &full[..full.len() - 5]).unwrap();
    let mut flipped = full.clone();
    flipped[20] ^= 0x40;
    std::fs::write(wal.join("flipped"), &flipped).unwrap();
    std::fs::write(wal.join("header_only"), &full[..8]).unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let mut w = tsdb::block::BlockWriter::new(tmp.path(), "b", 0, 100_000, Default::default()).unwrap();
    for i in 0..3 {
        let l = Labels::from_pairs(&[("__name__", "m"), ("i", &i.to_string())]).unwrap();
        w.add_series(&l, &[(0, 1.0), (15_000, 2.5), (30_000, f64::NAN)]).unwrap();
    }
    w.finish().unwrap();
    let index = std::fs::read(tmp.path().join("b/index")).unwrap();
    let dir = corpus("block_index");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("valid"), &index).unwrap();
    std::fs::write(dir.join("truncated"), &index[..index.len() / 2]).unwrap();

    let dir = corpus("chunk_decode");
    std::fs::create_dir_all(&dir).unwrap();
    let samples: Vec<(i64, f64)> = (0..50).map(|i| (i * 15_000, i as f64 * 0.25)).collect();
    let mut compact = vec![tsdb::chunk::ENCODING_COMPACT];
    compact.extend(tsdb::chunk::encode_compact(&samples));
    std::fs::write(dir.join("compact"), &compact).unwrap();
    let mut xor = vec![tsdb::chunk::ENCODING_XOR];
    xor.extend(tsdb::chunk::xor_chunk_from(&samples));
    std::fs::write(dir.join("xor"), &xor).unwrap();
}

fn files(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus(name);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {} missing: {e}", dir.display()))
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "corpus {name} is empty");
    out
}

#[test]
fn wal_segment_corpus() {
    if std::env::var("VIGIL_WRITE_FUZZ_CORPUS").is_ok() {
        write_seeds();
    }
    for (name, data) in files("wal_segment") {
        let (records, damage) = tsdb::wal::decode_segment_bytes(&data);
        if name == "valid" {
            assert_eq!(records, seed_records());
            assert!(damage.is_none());
        }
        if name == "torn" || name == "flipped" {
            assert!(damage.is_some(), "{name} should be reported as damaged");
        }
    }
}

#[test]
fn block_index_corpus() {
    for (name, data) in files("block_index") {
        let res = tsdb::block::decode_index_bytes(&data);
        if name == "valid" {
            assert_eq!(res.ok(), Some(3));
        } else if name == "truncated" {
            assert!(res.is_err());
        }
    }
}

#[test]
fn chunk_decode_corpus() {
    for (name, data) in files("chunk_decode") {
        let Some((enc, body)) = data.split_first() else { continue };
        let res = tsdb::chunk::decode_any(*enc, body);
        if name == "compact" || name == "xor" {
            assert_eq!(res.unwrap().len(), 50, "{name}");
        }
    }
}
