//! Prometheus remote-write 1.0 and 2.0: the wire messages, decoding with validation, and an
//! encoder (used by tests, the crash test and the benchmark load generator).

pub mod proto;
