//! Fuzzes promconfig's parsers: an `http_config` block (YAML, then Prometheus's validation),
//! secret masking of config text, durations (both forms), byte sizes and RFC 3339 times. Any
//! input must parse or give an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        promconfig::fuzz_one(text);
    }
});
