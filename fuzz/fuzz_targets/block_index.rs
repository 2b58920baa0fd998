//! Fuzzes block index decoding (header, checksum, zstd body, symbols, series); it must never
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tsdb::block::decode_index_bytes(data);
});
