//! Recording and alerting rules as Prometheus defines them.
//!
//! Rule files are parsed and validated once ([`file`]); each group then evaluates its rules
//! on a fixed grid of timestamps ([`group`], timed by [`manager`]). Recording rules write
//! their result series into the TSDB; alerting rules run the state machine inactive →
//! pending → firing → resolved ([`alerting`]) and write `ALERTS` / `ALERTS_FOR_STATE`.
//! Unlike Prometheus, the state of every alert is persisted whenever it changes ([`state`]),
//! so a restart never sends a firing alert back to pending. [`unittest`] runs promtool's
//! rule unit-test files.

pub mod alerting;
pub mod error;
pub mod file;
mod glob;
pub mod gofmt;
pub mod group;
mod lint;
pub mod manager;
pub mod state;
pub mod storage;
pub mod unittest;

pub use error::{EvalError, GlobError, RuleFilesError, StoreError};
pub use file::{GroupSpec, LoadedFile, RuleFileError, RuleKind, RuleSpec, RuleWarning, expand_rule_globs, load_file};
pub use group::{Group, GroupOptions, Health, OutgoingAlert};
pub use manager::{RulesManager, SharedGroup};
pub use storage::RuleStorage;
