//! Fuzzes the scrape-body parsers (text and OpenMetrics) and `parse_series`: any input must give
//! entries or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| exposition::fuzzing::parse(data));
