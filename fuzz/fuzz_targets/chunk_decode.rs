//! Fuzzes chunk decoding; the first byte picks the encoding. It must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((enc, body)) = data.split_first() {
        let _ = tsdb::chunk::decode_any(*enc, body);
    }
});
