//! Vigil's time-series storage engine.
//!
//! Writes go to the write-ahead log ([`wal`]) and then into the in-memory [`head`], whose
//! compressed chunks ([`chunk`]) are periodically cut into immutable on-disk [`block`]s and
//! later merged by [`compact`]. Reads ([`Db::select`]) merge the head and the blocks. The
//! crate knows nothing of PromQL or HTTP: it speaks label sets, matchers and samples.

pub mod block;
pub mod chunk;
pub mod compact;
pub mod db;
pub mod head;
pub mod head_chunks;
pub mod labels;
pub mod matcher;
pub mod postings;
pub mod query;
pub mod record;
pub mod tombstones;
pub mod wal;

mod error;
mod metadata;
mod sample;

pub use db::{Db, Options, Stats};
pub use error::{AppendError, Error};
pub use labels::{Label, LabelError, Labels, METRIC_NAME};
pub use matcher::{MatchOp, Matcher, MatcherError};
pub use metadata::{MetricMetadata, MetricType};
pub use query::{Series, SeriesIter};
pub use sample::{STALE_NAN_BITS, Sample, is_stale_nan};
