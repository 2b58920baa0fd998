//! A parsed template: parse once, execute many times with different data.

use std::sync::Arc;

use crate::error::TemplateError;
use crate::exec::{Exec, ExecFailure};
use crate::funcs::{CallContext, Func, FuncMap};
use crate::syntax::ast::{Node, Pos};
use crate::syntax::parse::{ParsedTemplate, parse};
use crate::value::Value;

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// The map's zero value: `""` for a label map (Prometheus's `missingkey=zero`).
    #[default]
    Zero,
    /// No value, printed `<no value>` (Go's default).
    Invalid,
    /// An error naming the key: for previews and linting of templates.
    Error,
}

/// Per-execution settings.
#[derive(Clone, Copy, Default)]
pub struct ExecOptions<'a> {
    /// How missing map keys behave.
    pub missing_key: MissingKey,
    /// Environment for functions such as `query` and `externalURL`.
    pub context: CallContext<'a>,
    /// Most nodes one execution may evaluate before failing (runaway loops and
    /// recursion); `None` means [`DEFAULT_STEP_LIMIT`].
    pub step_limit: Option<u64>,
}

/// Default for [`ExecOptions::step_limit`]: far above any real annotation, low enough
/// that a runaway template fails in well under a second.
pub const DEFAULT_STEP_LIMIT: u64 = 10_000_000;

/// A parsed Go text/template with its function map.
#[derive(Clone)]
pub struct Template {
    name: Arc<str>,
    text: Arc<str>,
    parsed: Arc<ParsedTemplate>,
    funcs: Arc<FuncMap>,
    predeclared: Arc<[(Arc<str>, Arc<str>)]>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template").field("name", &self.name).field("text", &self.text).finish_non_exhaustive()
    }
}

/// 1-based line and column (in characters) of byte offset `pos` in `text`.
pub(crate) fn line_col(text: &str, pos: Pos) -> (usize, usize) {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

impl Template {
    /// Parses `text` as the template `name`, with the functions in `funcs` (unknown
    /// function names are parse errors, as in Go). `predeclared` lists `(variable,
    /// field)` pairs such as `("$labels", "Labels")`: the top-level body sees them as if
    /// it began with `{{$labels := .Labels}}`.
    pub fn parse(
        name: &str,
        text: &str,
        funcs: Arc<FuncMap>,
        predeclared: &[(&str, &str)],
    ) -> Result<Template, TemplateError> {
        let pre: Vec<(Arc<str>, Arc<str>)> = predeclared.iter().map(|(v, f)| (Arc::from(*v), Arc::from(*f))).collect();
        let pre_vars: Vec<Arc<str>> = pre.iter().map(|(v, _)| v.clone()).collect();
        let has_func = |n: &str| funcs.contains_key(n);
        let parsed = parse(name, text, &pre_vars, &has_func).map_err(|e| {
            let (line, col) = line_col(text, e.pos);
            TemplateError::Parse { name: name.to_string(), line, col, message: e.message }
        })?;
        Ok(Template {
            name: Arc::from(name),
            text: Arc::from(text),
            parsed: Arc::new(parsed),
            funcs,
            predeclared: Arc::from(pre),
        })
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn name_arc(&self) -> Arc<str> {
        self.name.clone()
    }

    pub(crate) fn root(&self) -> &[Node] {
        &self.parsed.root
    }

    pub(crate) fn predeclared(&self) -> &[(Arc<str>, Arc<str>)] {
        &self.predeclared
    }

    pub(crate) fn func(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    /// The body of a `{{define}}`d template, or of this template under its own name.
    pub(crate) fn lookup(&self, name: &str) -> Option<(Arc<str>, Arc<[Node]>)> {
        if let Some(body) = self.parsed.defines.get(name) {
            return Some((Arc::from(name), body.clone()));
        }
        if name == &*self.name {
            return Some((self.name.clone(), Arc::from(self.parsed.root.as_slice())));
        }
        None
    }

    /// The output when the template is plain text without actions, so callers can skip
    /// building data.
    pub fn static_text(&self) -> Option<&str> {
        match self.parsed.root.as_slice() {
            [] => Some(""),
            [Node::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// Executes the template on `data`.
    pub fn execute(&self, data: &Value, options: &ExecOptions<'_>) -> Result<String, TemplateError> {
        let limit = options.step_limit.unwrap_or(DEFAULT_STEP_LIMIT);
        Exec::run(self, data, &options.context, options.missing_key, limit).map_err(|f| self.exec_error(*f))
    }

    fn exec_error(&self, f: ExecFailure) -> TemplateError {
        let (line, col) = line_col(&self.text, f.pos);
        let name = self.name.to_string();
        match f.missing_key {
            Some(key) => TemplateError::MissingKey { name, template: f.template, line, col, node: f.node, key },
            None => TemplateError::Exec { name, template: f.template, line, col, node: f.node, message: f.message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_col("ab\ncdé f", 0), (1, 1));
        assert_eq!(line_col("ab\ncdé f", 3), (2, 1));
        assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
    }
}
