//! Fuzzes rule-file loading (YAML, validation, PromQL and template checks): any input must
//! load or give an error naming the problem, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rules::file::parse_rule_file("fuzz.yml", text);
    }
});
