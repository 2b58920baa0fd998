//! PromQL: parsing (on the `promql-parser` crate), evaluation and the promqltest runner.
//!
//! A query flows `parse` → type check with actionable hints ([`parse`]) → [`Engine`], which
//! evaluates the expression tree step by step against a [`Storage`] (the TSDB in production,
//! [`MemStorage`] in the conformance runner). The engine never writes and never holds data
//! between queries; every query is bounded by the [`Limits`] it was given.

mod aggregate;
mod binary;
mod engine;
mod error;
mod functions;
#[doc(hidden)]
pub mod fuzzing;
mod labels;
pub mod parse;
pub mod promqltest;
mod storage;
mod value;

pub use engine::{Engine, EngineOptions, Limits, QueryResult};
pub use error::QueryError;
pub use storage::{MemStorage, Storage, StorageError};
pub use value::{InstantSample, RangeSeries, Value, ValueKind};
