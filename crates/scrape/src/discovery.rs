//! Target discovery (`static_configs`, `file_sd_configs`): [`promconfig::discovery`]'s,
//! re-exported where scraping uses it.

pub use promconfig::discovery::*;
