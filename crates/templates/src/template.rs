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

/// A template found by name: the template whose text holds it, its name, its body.
pub(crate) type Found<'a> = (&'a Template, Arc<str>, Arc<[Node]>);

/// A parsed Go text/template with its function map.
#[derive(Clone)]
pub struct Template {
    name: Arc<str>,
    text: Arc<str>,
    parsed: Arc<ParsedTemplate>,
    funcs: Arc<FuncMap>,
    predeclared: Arc<[(Arc<str>, Arc<str>)]>,
    /// Other templates of the same set whose `{{define}}`s this one can call, last first.
    shared: Arc<[Template]>,
    /// Whether printed values are HTML-escaped (`html/template` in an HTML text context).
    escape_html: bool,
    /// Whether `funcs` holds methods (`"<type>.<Method>"` entries); spares field lookups
    /// a map probe when it does not.
    has_methods: bool,
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
        let has_methods = funcs.keys().any(|k| k.contains('.'));
        Ok(Template {
            name: Arc::from(name),
            text: Arc::from(text),
            parsed: Arc::new(parsed),
            funcs,
            predeclared: Arc::from(pre),
            shared: Arc::from(Vec::new()),
            escape_html: false,
            has_methods,
        })
    }

    /// This template, able to call the templates `{{define}}`d in `others` (and each of
    /// `others` by its own name), as if all had been parsed into one Go template set — how
    /// Alertmanager's notification fields call the templates of its `templates:` files. A
    /// name this template defines itself wins; among `others`, a later one wins, as a later
    /// `ParseGlob` redefines an earlier one. Execution errors inside another template's
    /// definitions name that template and positions in its text.
    pub fn with_shared(&self, others: &[Template]) -> Template {
        let mut t = self.clone();
        t.shared = others.iter().map(Template::without_shared).collect();
        t
    }

    /// The template without its shared set (sets are flat: a shared template's own set is
    /// not searched).
    fn without_shared(&self) -> Template {
        let mut t = self.clone();
        t.shared = Arc::from(Vec::new());
        t
    }

    /// This template with every printed value HTML-escaped unless it is `safeHtml` output:
    /// what Go's `html/template` does for values in HTML text (Alertmanager renders e-mail
    /// bodies so, which keeps label values from injecting markup). Go's contextual escaping
    /// of URLs, JavaScript and CSS is not modelled: those contexts get the same entity
    /// escaping, which browsers decode back.
    pub fn html_escaped(&self) -> Template {
        let mut t = self.clone();
        t.escape_html = true;
        t
    }

    pub(crate) fn escapes_html(&self) -> bool {
        self.escape_html
    }

    /// The method `name` of values of Go type `type_name`: a function-map entry named
    /// `"<type_name>.<name>"`, called with the receiver as its first argument.
    pub(crate) fn method(&self, type_name: &str, name: &str) -> Option<&Func> {
        if !self.has_methods {
            return None;
        }
        self.funcs.get(&format!("{type_name}.{name}"))
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

    /// The body of a `{{define}}`d template, or of this template under its own name, with
    /// the template whose text holds it (this one or one of its shared set).
    pub(crate) fn lookup(&self, name: &str) -> Option<Found<'_>> {
        if let Some(found) = self.lookup_own(name) {
            return Some(found);
        }
        self.shared.iter().rev().find_map(|t| t.lookup_own(name))
    }

    fn lookup_own(&self, name: &str) -> Option<Found<'_>> {
        if let Some(body) = self.parsed.defines.get(name) {
            return Some((self, Arc::from(name), body.clone()));
        }
        if name == &*self.name {
            return Some((self, self.name.clone(), Arc::from(self.parsed.root.as_slice())));
        }
        None
    }

    pub(crate) fn text_arc(&self) -> Arc<str> {
        self.text.clone()
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
        let (line, col) = line_col(&f.source_text, f.pos);
        let name = f.source_name.to_string();
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

    fn run(t: &Template, data: &Value) -> Result<String, TemplateError> {
        t.execute(data, &ExecOptions::default())
    }

    #[test]
    fn shared_sets_resolve_definitions_and_report_their_own_positions() {
        let funcs = Arc::new(crate::funcs::builtins());
        let base =
            Template::parse("base.tmpl", r#"{{ define "a" }}A{{ end }}{{ define "b" }}B{{ end }}"#, funcs.clone(), &[])
                .unwrap();
        let user = Template::parse(
            "user.tmpl",
            "{{ define \"b\" }}b{{ end }}{{ define \"bad\" }}\n {{ .X }}{{ end }}",
            funcs.clone(),
            &[],
        )
        .unwrap();
        let field = Template::parse("field", r#"{{ template "a" }}{{ template "b" }}"#, funcs.clone(), &[]).unwrap();
        assert_eq!(run(&field.with_shared(&[base.clone(), user.clone()]), &Value::Nil).unwrap(), "Ab");
        let bad = Template::parse("field", r#"{{ template "bad" 1 }}"#, funcs, &[]).unwrap().with_shared(&[base, user]);
        let err = run(&bad, &Value::Nil).unwrap_err().to_string();
        assert!(err.contains("template: user.tmpl:2:5: executing \"bad\" at <.X>"), "{err}");
    }

    #[test]
    fn methods_come_from_the_function_map() {
        let mut funcs = crate::funcs::builtins();
        funcs.insert(
            "map[string]string.Keys".into(),
            Func::new(&[crate::Param::Any], |_, a| match a.first() {
                Some(Value::Labels(m)) => Ok(Value::from(m.keys().cloned().collect::<Vec<_>>().join(","))),
                _ => Err(crate::FuncError::External("not labels".into())),
            }),
        );
        funcs.insert(
            "map[string]string.Without".into(),
            Func::new(&[crate::Param::Any, crate::Param::Str], |_, a| match (a.first(), a.get(1)) {
                (Some(Value::Labels(m)), Some(Value::Str(k))) => {
                    let mut m = (**m).clone();
                    m.remove(&**k);
                    Ok(Value::Labels(Arc::new(m)))
                }
                _ => Err(crate::FuncError::External("bad arguments".into())),
            }),
        );
        let labels = Value::Labels(Arc::new(
            [("a", "1"), ("b", "2")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ));
        let t = Template::parse(
            "m",
            r#"{{ .Keys }} {{ (.Without "a").Keys }} {{ .a }} {{ .Without }}"#,
            Arc::new(funcs),
            &[],
        )
        .unwrap();
        let err = run(&t, &labels).unwrap_err().to_string();
        assert!(err.contains("wrong number of args for Without: want 1 got 0"), "{err}");
        let t =
            Template::parse("m", r#"{{ .Keys }} {{ (.Without "a").Keys }} {{ .a }}"#, t.funcs.clone(), &[]).unwrap();
        assert_eq!(run(&t, &labels).unwrap(), "a,b b 1");
    }

    #[test]
    fn html_escaping_spares_safe_html_and_zero_time_prints_like_go() {
        let mut funcs = crate::funcs::builtins();
        funcs.insert(
            "safe".into(),
            Func::new(&[crate::Param::Str], |_, a| match a.first() {
                Some(Value::Str(s)) => Ok(Value::Html(s.clone())),
                _ => Ok(Value::Nil),
            }),
        );
        let t = Template::parse("h", r#"<b>{{ . }}</b>{{ safe "<i>" }}"#, Arc::new(funcs), &[]).unwrap();
        assert_eq!(run(&t.html_escaped(), &Value::str("a<b&")).unwrap(), "<b>a&lt;b&amp;</b><i>");
        assert_eq!(run(&t, &Value::str("a<b&")).unwrap(), "<b>a<b&</b><i>");
        let z = Template::parse("z", "{{ . }}", Arc::new(crate::funcs::builtins()), &[]).unwrap();
        assert_eq!(run(&z, &Value::Time(i64::MIN)).unwrap(), "0001-01-01 00:00:00 +0000 UTC");
    }
}
