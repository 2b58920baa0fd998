//! Where rules read and write: the TSDB in production, promql's in-memory store in unit tests.

use promql::{Engine, MemStorage, Storage, Value};
use tsdb::head::SeriesInput;
use tsdb::{Labels, Sample};

use crate::error::StoreError;

/// Storage a rule group reads queries from and writes its output into.
pub trait RuleStorage: Send + Sync {
    /// The read side, for the query engine.
    fn as_storage(&self) -> &dyn Storage;
    /// Stores one value per series at `ts` (ms), durably before returning.
    fn append(&self, batch: &[(Labels, f64)], ts: i64) -> Result<(), StoreError>;
}

impl RuleStorage for tsdb::Db {
    fn as_storage(&self) -> &dyn Storage {
        self
    }

    fn append(&self, batch: &[(Labels, f64)], ts: i64) -> Result<(), StoreError> {
        let pairs: Vec<Vec<(&str, &str)>> =
            batch.iter().map(|(l, _)| l.iter().map(|p| (&*p.name, &*p.value)).collect()).collect();
        let samples: Vec<[(i64, f64); 1]> = batch.iter().map(|(_, v)| [(ts, *v)]).collect();
        let inputs: Vec<SeriesInput<'_, &str>> =
            pairs.iter().zip(samples.iter()).map(|(l, s)| SeriesInput::new(l, s)).collect();
        let outcome = tsdb::Db::append(self, &inputs)?;
        match outcome.first_error {
            // A rule re-evaluated at the same timestamp (after a restart) writes duplicates:
            // those are ignored by the head, not errors.
            Some((series, reason)) if outcome.rejected > 0 => {
                Err(StoreError::Rejected { rejected: outcome.rejected, total: batch.len(), series, reason })
            }
            _ => Ok(()),
        }
    }
}

impl RuleStorage for MemStorage {
    fn as_storage(&self) -> &dyn Storage {
        self
    }

    fn append(&self, batch: &[(Labels, f64)], ts: i64) -> Result<(), StoreError> {
        for (labels, v) in batch {
            self.add(labels.clone(), [Sample::new(ts, *v)]);
        }
        Ok(())
    }
}

/// The `query` template function, run by the rule's engine against the rule's storage.
pub(crate) struct TemplateQuery<'a> {
    pub engine: &'a Engine,
    pub storage: &'a dyn RuleStorage,
}

/// A template's `query` whose result is a range vector or a string.
#[derive(Debug, thiserror::Error)]
#[error("query {expr:?} returned a {kind}, not a vector or scalar")]
struct NotAVector {
    expr: String,
    kind: &'static str,
}

impl templates::QueryRunner for TemplateQuery<'_> {
    fn query(&self, expr: &str, time_ms: i64) -> Result<Vec<templates::QuerySample>, templates::QueryRunnerError> {
        let res = self.engine.instant(self.storage.as_storage(), expr, time_ms)?;
        match res.value {
            Value::Vector(v) => Ok(v
                .into_iter()
                .map(|s| templates::QuerySample {
                    labels: s.labels.iter().map(|l| (l.name.to_string(), l.value.to_string())).collect(),
                    value: s.v,
                })
                .collect()),
            Value::Scalar { v, .. } => Ok(vec![templates::QuerySample { labels: Default::default(), value: v }]),
            other => Err(NotAVector { expr: expr.to_string(), kind: other.kind().as_str() }.into()),
        }
    }
}
