//! RFC 3339 timestamps as Alertmanager's v2 API writes them: [`promconfig::time`]'s,
//! re-exported (alerts keep Unix milliseconds; on the wire they are `2026-12-02T10:00:00.123Z`).

pub use promconfig::time::{ZERO_TIME_MS, format_rfc3339_ms, parse_rfc3339, rfc3339};
