//! Rendering the templated fields of one integration for one notification. Every field is
//! rendered even after one fails (so a preview shows them all), and the first failure is
//! what the notification attempt reports, as Alertmanager's `TmplText` does.

use templates::{TemplateError, Value};

use super::Templates;
use super::value::template_data;
use crate::data::NotificationData;

/// One rendered field: its name (`title`, `fields[0].value`, `headers.Subject`) and its
/// text or template error.
#[derive(Debug, Clone)]
pub struct RenderedField {
    pub field: String,
    pub result: Result<String, TemplateError>,
}

/// Renders fields against one notification's data.
pub struct Renderer<'a> {
    templates: &'a Templates,
    data: Value,
    now_ms: i64,
    /// Prefix of template names, e.g. `slack[0]`, so errors say which integration failed.
    scope: String,
    fields: Vec<RenderedField>,
}

impl<'a> Renderer<'a> {
    pub fn new(templates: &'a Templates, notification: &NotificationData, scope: &str, now_ms: i64) -> Self {
        Renderer { templates, data: template_data(notification), now_ms, scope: scope.to_string(), fields: Vec::new() }
    }

    /// Renders a text field; a failure renders empty and is recorded.
    pub fn text(&mut self, field: &str, text: &str) -> String {
        let name = format!("{}.{field}", self.scope);
        let result = self.templates.execute_text(&name, text, &self.data, self.now_ms);
        self.record(field, result)
    }

    /// Renders an HTML field (values HTML-escaped).
    pub fn html(&mut self, field: &str, text: &str) -> String {
        let name = format!("{}.{field}", self.scope);
        let result = self.templates.execute_html(&name, text, &self.data, self.now_ms);
        self.record(field, result)
    }

    fn record(&mut self, field: &str, result: Result<String, TemplateError>) -> String {
        let out = result.clone().unwrap_or_default();
        self.fields.push(RenderedField { field: field.to_string(), result });
        out
    }

    /// The first field that failed, with its error.
    pub fn first_error(&self) -> Option<(&str, &TemplateError)> {
        self.fields.iter().find_map(|f| f.result.as_ref().err().map(|e| (f.field.as_str(), e)))
    }

    /// Every field rendered so far, in order.
    pub fn into_fields(self) -> Vec<RenderedField> {
        self.fields
    }
}
