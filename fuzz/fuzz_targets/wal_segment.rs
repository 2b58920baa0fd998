//! Fuzzes WAL segment decoding (frames, checksums, records); it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tsdb::wal::decode_segment_bytes(data);
});
