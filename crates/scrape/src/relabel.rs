//! Relabelling: [`promconfig::relabel`]'s, re-exported where scraping uses it.

pub use promconfig::relabel::*;
