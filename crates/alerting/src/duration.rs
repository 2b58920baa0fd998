//! Prometheus durations (`30s`, `5m`, `4h`, `1d12h`) as alertmanager.yml writes every timer,
//! as [`promconfig`] defines them for every crate.

pub use promconfig::duration::*;
