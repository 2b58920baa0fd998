//! Prometheus's alert templates: the data (`$labels`, `$value`, …), the function set
//! and the expansion entry points used by the rules engine.

use std::sync::{Arc, LazyLock};

use crate::LabelPairs;
use crate::error::TemplateError;
use crate::funcs::{CallContext, FuncMap, alert_functions};
use crate::template::{ExecOptions, MissingKey, Template};
use crate::value::{Struct, Value};

/// Why a [`QueryRunner`] failed. Any error will do: the template engine knows no query
/// language, and only the error's text reaches the template author (`error calling query: …`).
pub type QueryRunnerError = Box<dyn std::error::Error + Send + Sync>;

/// Runs PromQL for the `query` template function.
pub trait QueryRunner: Send + Sync {
    /// Evaluates `expr` as an instant query at `time_ms` (Unix milliseconds); returns
    /// the samples or the error shown to the template author.
    fn query(&self, expr: &str, time_ms: i64) -> Result<Vec<QuerySample>, QueryRunnerError>;
}

/// One sample returned by a [`QueryRunner`].
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySample {
    /// Series labels (with `__name__` if the query result keeps it).
    pub labels: LabelPairs,
    /// Sample value.
    pub value: f64,
}

/// Data available to a rule's annotation/label template, as Prometheus provides it
/// (`.Labels`, `.ExternalLabels`, `.ExternalURL`, `.Value`).
#[derive(Debug, Clone, Copy)]
pub struct AlertTemplateData<'a> {
    /// The alert's labels (the sample's labels without `__name__`).
    pub labels: &'a LabelPairs,
    /// The server's configured external labels.
    pub external_labels: &'a LabelPairs,
    /// The server's external URL (also used by `externalURL` and `pathPrefix`).
    pub external_url: &'a str,
    /// The alert's sample value.
    pub value: f64,
}

impl AlertTemplateData<'_> {
    /// The data as the template value `.` (Go's anonymous struct of
    /// `template.AlertTemplateData`).
    pub fn to_value(&self) -> Value {
        let names = &*DATA_NAMES;
        Value::Struct(Arc::new(Struct {
            type_name: names.type_name.clone(),
            fields: vec![
                (names.fields[0].clone(), Value::Labels(Arc::new(self.labels.clone()))),
                (names.fields[1].clone(), Value::Labels(Arc::new(self.external_labels.clone()))),
                (names.fields[2].clone(), Value::str(self.external_url)),
                (names.fields[3].clone(), Value::Float(self.value)),
            ],
        }))
    }
}

/// Type and field names of the alert data, allocated once.
struct DataNames {
    type_name: Arc<str>,
    fields: [Arc<str>; 4],
}

static DATA_NAMES: LazyLock<DataNames> = LazyLock::new(|| DataNames {
    type_name: Arc::from(
        "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }",
    ),
    fields: ["Labels", "ExternalLabels", "ExternalURL", "Value"].map(Arc::from),
});

/// The variables Prometheus's rules manager declares before every alert template.
const PREAMBLE: [(&str, &str); 4] = [
    ("$labels", "Labels"),
    ("$externalLabels", "ExternalLabels"),
    ("$externalURL", "ExternalURL"),
    ("$value", "Value"),
];

/// Go's builtins plus Prometheus's functions, built once.
static ALERT_FUNCS: LazyLock<Arc<FuncMap>> = LazyLock::new(|| Arc::new(alert_functions()));

/// An alert template parsed once and expanded at every rule evaluation.
#[derive(Debug, Clone)]
pub struct PreparedAlertTemplate {
    template: Template,
}

impl PreparedAlertTemplate {
    /// Parses `text` with Prometheus's `$labels`/`$externalLabels`/`$externalURL`/`$value`
    /// preamble and function set; `name` is e.g. `__alert_HighErrorRate`.
    pub fn parse(name: &str, text: &str) -> Result<Self, TemplateError> {
        Ok(PreparedAlertTemplate { template: Template::parse(name, text, ALERT_FUNCS.clone(), &PREAMBLE)? })
    }

    /// The template name.
    pub fn name(&self) -> &str {
        self.template.name()
    }

    /// The underlying template.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// Expands like Prometheus's rules manager: missing labels render as `""`.
    pub fn expand(
        &self,
        data: &AlertTemplateData<'_>,
        eval_time_ms: i64,
        query: Option<&dyn QueryRunner>,
    ) -> Result<String, TemplateError> {
        self.expand_with(data, eval_time_ms, query, MissingKey::Zero)
    }

    /// Expands with a chosen missing-key behaviour; [`MissingKey::Error`] reports a
    /// label the template uses but the alert lacks (for previews and linting).
    pub fn expand_with(
        &self,
        data: &AlertTemplateData<'_>,
        eval_time_ms: i64,
        query: Option<&dyn QueryRunner>,
        missing_key: MissingKey,
    ) -> Result<String, TemplateError> {
        if let Some(text) = self.template.static_text() {
            return Ok(text.to_string());
        }
        let options = ExecOptions {
            missing_key,
            context: CallContext { query, eval_time_ms, external_url: data.external_url },
            step_limit: None,
        };
        self.template.execute(&data.to_value(), &options)
    }
}

/// Checks that `text` parses as a Prometheus alert template (with the
/// `$labels`/`$value`/… preamble). Used at rule-load time.
pub fn check_alert_template(name: &str, text: &str) -> Result<(), TemplateError> {
    PreparedAlertTemplate::parse(name, text).map(|_| ())
}

/// Expands an alert template like Prometheus's rules manager does: `name` is e.g.
/// `__alert_HighErrorRate`; `eval_time_ms` is the rule evaluation time (used by
/// `query`); with `query` = `None` the `query` function fails with a clear error.
pub fn expand_alert_template(
    name: &str,
    text: &str,
    data: &AlertTemplateData<'_>,
    eval_time_ms: i64,
    query: Option<&dyn QueryRunner>,
) -> Result<String, TemplateError> {
    PreparedAlertTemplate::parse(name, text)?.expand(data, eval_time_ms, query)
}
