//! Template errors, worded like Prometheus's (`error parsing template NAME: template:
//! NAME:LINE:COL: …`) so messages read the same as users know them, with 1-based
//! line:column positions in the template text.

use crate::gofmt::quote::go_quote;

/// A template failed to parse or to execute.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// The text is not a valid template (unknown function, unclosed action, …).
    #[error("error parsing template {name}: template: {name}:{line}:{col}: {message}")]
    Parse {
        /// Template name, e.g. `__alert_HighErrorRate`.
        name: String,
        /// 1-based line in the template text.
        line: usize,
        /// 1-based column (characters) in that line.
        col: usize,
        /// What is wrong.
        message: String,
    },
    /// Execution failed (bad argument, failing function, …).
    #[error(
        "error executing template {name}: template: {name}:{line}:{col}: executing \"{template}\" at <{node}>: {message}"
    )]
    Exec {
        /// Template name.
        name: String,
        /// The template being executed (differs from `name` inside `{{define}}`s).
        template: String,
        /// 1-based line of the failing node.
        line: usize,
        /// 1-based column of the failing node.
        col: usize,
        /// The failing node as written, e.g. `humanize "abc"`.
        node: String,
        /// What went wrong.
        message: String,
    },
    /// A map key (e.g. a label) was missing under [`MissingKey::Error`](crate::MissingKey::Error).
    #[error(
        "error executing template {name}: template: {name}:{line}:{col}: executing \"{template}\" at <{node}>: map has no entry for key {}",
        go_quote(.key, false)
    )]
    MissingKey {
        /// Template name.
        name: String,
        /// The template being executed.
        template: String,
        /// 1-based line of the lookup.
        line: usize,
        /// 1-based column of the lookup.
        col: usize,
        /// The lookup as written, e.g. `$labels.instance`.
        node: String,
        /// The missing key, e.g. `instance`.
        key: String,
    },
}
