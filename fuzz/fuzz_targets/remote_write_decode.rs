//! Fuzzes the remote-write decoder with both protocol versions; it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = remote_write::Limits::default();
    for ct in [remote_write::CONTENT_TYPE_V1, remote_write::CONTENT_TYPE_V2] {
        if let Ok(payload) = remote_write::decompress(Some(ct), Some("snappy"), data, &limits) {
            let _ = payload.parse(&limits);
        }
    }
});
