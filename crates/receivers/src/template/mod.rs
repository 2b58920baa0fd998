//! Notification templates as Alertmanager has them: its default templates, the user's
//! `templates:` files (globs of `.tmpl` files with `{{ define }}` blocks), and config fields
//! such as a Slack `title` that are templates themselves and call those definitions
//! (`{{ template "slack.myorg.text" . }}`).
//!
//! Layout: [`funcs`] (functions and data methods), [`value`] (the data), [`json`] (`toJson`),
//! [`promconfig::glob`] (pattern expansion), `default.tmpl` (the defaults), [`render`] (rendering the
//! fields of one notification).

pub mod funcs;
pub mod json;
pub mod render;
pub mod value;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use templates::{CallContext, ExecOptions, FuncMap, MissingKey, Template, TemplateError, Value};

/// Vigil's default templates (Alertmanager's names and text output).
pub const DEFAULT_TEMPLATES: &str = include_str!("default.tmpl");

/// The name the default templates are parsed under (errors inside them name it).
pub const DEFAULT_TEMPLATES_NAME: &str = "default.tmpl";

/// Why the `templates:` files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("invalid templates pattern {pattern:?}: {message}")]
    Pattern { pattern: String, message: String },
    #[error("cannot read template file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot load template file {}: {source}", path.display())]
    Parse { path: PathBuf, source: Box<TemplateError> },
}

/// The loaded template set: defaults first, then the user's files in load order (a later
/// definition of a name replaces an earlier one, as Go's `ParseGlob` does). Cheap to share;
/// build a new one on reload.
#[derive(Clone)]
pub struct Templates {
    funcs: Arc<FuncMap>,
    sets: Vec<Template>,
    files: Vec<PathBuf>,
}

impl Templates {
    /// Only the default templates.
    pub fn builtin() -> Templates {
        let funcs = Arc::new(funcs::alertmanager_functions());
        // The defaults are part of the program: a parse failure is a bug, caught by the tests.
        let defaults = Template::parse(DEFAULT_TEMPLATES_NAME, DEFAULT_TEMPLATES, funcs.clone(), &[])
            .unwrap_or_else(|e| panic!("BUG: the default notification templates do not parse: {e}"));
        Templates { funcs, sets: vec![defaults], files: Vec::new() }
    }

    /// The defaults plus every file matching `patterns` (relative patterns resolved against
    /// `base_dir`). A pattern matching nothing is not an error, as in Alertmanager.
    pub fn load(patterns: &[String], base_dir: Option<&Path>) -> Result<Templates, LoadError> {
        let mut t = Templates::builtin();
        for pattern in patterns {
            let full = match base_dir {
                Some(dir) if !Path::new(pattern).is_absolute() => dir.join(pattern).display().to_string(),
                _ => pattern.clone(),
            };
            let paths = promconfig::glob::glob(&full)
                .map_err(|e| LoadError::Pattern { pattern: full.clone(), message: e.to_string() })?;
            for path in paths {
                let text =
                    std::fs::read_to_string(&path).map_err(|source| LoadError::Read { path: path.clone(), source })?;
                t.add_file(path, &text)?;
            }
        }
        Ok(t)
    }

    /// The defaults plus templates given as `(name, text)` (tests, previews of unsaved files).
    pub fn from_sources(sources: &[(String, String)]) -> Result<Templates, LoadError> {
        let mut t = Templates::builtin();
        for (name, text) in sources {
            t.add_file(PathBuf::from(name), text)?;
        }
        Ok(t)
    }

    /// Files are named by their base name, as Go's `ParseGlob` names them.
    fn add_file(&mut self, path: PathBuf, text: &str) -> Result<(), LoadError> {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let parsed = Template::parse(&name, text, self.funcs.clone(), &[])
            .map_err(|source| LoadError::Parse { path: path.clone(), source: Box::new(source) })?;
        self.sets.push(parsed);
        self.files.push(path);
        Ok(())
    }

    /// The user's files that were loaded, in load order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The functions templates can call.
    pub fn functions(&self) -> &Arc<FuncMap> {
        &self.funcs
    }

    /// Parses a config field's template `text` as `name`, able to call every definition of
    /// the set.
    pub fn parse(&self, name: &str, text: &str) -> Result<Template, TemplateError> {
        Ok(Template::parse(name, text, self.funcs.clone(), &[])?.with_shared(&self.sets))
    }

    /// Renders a text field (Alertmanager's `ExecuteTextString`): an empty text renders
    /// empty without parsing; missing label keys render empty (`missingkey=zero`).
    pub fn execute_text(&self, name: &str, text: &str, data: &Value, now_ms: i64) -> Result<String, TemplateError> {
        self.execute(name, text, data, now_ms, false)
    }

    /// Renders an HTML field (Alertmanager's `ExecuteHTMLString`): printed values are
    /// HTML-escaped unless they come from `safeHtml`.
    pub fn execute_html(&self, name: &str, text: &str, data: &Value, now_ms: i64) -> Result<String, TemplateError> {
        self.execute(name, text, data, now_ms, true)
    }

    fn execute(&self, name: &str, text: &str, data: &Value, now_ms: i64, html: bool) -> Result<String, TemplateError> {
        if text.is_empty() {
            return Ok(String::new());
        }
        let mut t = self.parse(name, text)?;
        if let Some(s) = t.static_text() {
            return Ok(s.to_string());
        }
        if html {
            t = t.html_escaped();
        }
        let options = ExecOptions {
            missing_key: MissingKey::Zero,
            context: CallContext { query: None, eval_time_ms: now_ms, external_url: "" },
            step_limit: None,
        };
        t.execute(data, &options)
    }
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("files", &self.files).finish_non_exhaustive()
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::builtin()
    }
}
