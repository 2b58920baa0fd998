//! Prometheus durations, as [`promconfig`] defines them for every crate (re-exported so
//! `scrape::duration` paths keep working).

pub use promconfig::duration::*;
