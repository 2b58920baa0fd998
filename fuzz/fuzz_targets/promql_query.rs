//! Fuzzes PromQL parsing and evaluation: any input must give an answer or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| promql::fuzzing::query(data));
