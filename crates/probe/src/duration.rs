//! Go-style durations (`1m30s`, `500ms`) and base-2 byte sizes (`1MB`), as blackbox's config
//! uses them: [`promconfig`]'s, re-exported.

pub use promconfig::duration::parse_go_duration;
pub use promconfig::parse_byte_size;
