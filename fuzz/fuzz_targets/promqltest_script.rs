//! Fuzzes the promqltest script parser (series descriptions, eval headers, expectations).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| promql::fuzzing::script(data));
