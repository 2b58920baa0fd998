//! Go `text/template` semantics with Prometheus's alert-template data and functions.
//!
//! Rules expand their annotations and labels with templates such as
//! `{{ $labels.instance }} is at {{ $value | humanizePercentage }}`; to be a drop-in
//! replacement for Prometheus the output must match Go's byte for byte: `{{ $value }}`
//! prints `1e+06`, a missing label prints `""`, `printf "%05s"` zero-pads, errors name
//! the failing command. The engine is written here rather than taken from a Go-template
//! crate because those differ from Go exactly there (missing keys print `<no value>`,
//! unknown functions surface only at execution, floats print Rust-style).
//!
//! Layout: `syntax` (lexer, parser), `exec` (evaluation), [`gofmt`] (Go's `fmt` and
//! `strconv` float formatting), `funcs` (Go builtins and Prometheus functions), `alert`
//! (the rules-engine entry points).
//!
//! ```
//! use templates::{AlertTemplateData, LabelPairs, expand_alert_template};
//!
//! let labels = LabelPairs::from([("instance".to_string(), "db1:9100".to_string())]);
//! let data = AlertTemplateData { labels: &labels, external_labels: &LabelPairs::new(), external_url: "", value: 0.123 };
//! let text = "{{ $labels.instance }} at {{ $value | humanizePercentage }}";
//! assert_eq!(expand_alert_template("__alert_X", text, &data, 0, None).unwrap(), "db1:9100 at 12.3%");
//! ```

mod alert;
mod error;
mod escape;
mod exec;
mod funcs;
pub mod gofmt;
mod gotime;
mod netutil;
mod syntax;
mod template;
mod value;

/// Labels as sorted (name, value) pairs.
pub type LabelPairs = std::collections::BTreeMap<String, String>;

pub use alert::{
    AlertTemplateData, PreparedAlertTemplate, QueryRunner, QueryRunnerError, QuerySample, check_alert_template,
    expand_alert_template,
};
pub use error::TemplateError;
pub use funcs::{CallContext, Func, FuncError, FuncImpl, FuncMap, Param, Special, alert_functions};
pub use gotime::PromDurationError;
pub use template::{DEFAULT_STEP_LIMIT, ExecOptions, MissingKey, Template};
pub use value::{Callable, CallableFn, Sample, Struct, Value};

/// Go's `%v` formatting of a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`): `1e+06`,
/// `123456`, `0.5`, `1e-05`, `NaN`, `+Inf`. Exported because rules format values the same
/// way.
pub fn format_go_float(v: f64) -> String {
    gofmt::float::format_go_float(v)
}
