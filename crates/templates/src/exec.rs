//! The executor of Go's `text/template` (`exec.go`): walks the parse tree with Go's
//! variable scoping, field lookup, `missingkey` handling, argument type checks and error
//! messages.

use std::fmt::Display;
use std::sync::Arc;

use crate::funcs::{CallContext, Func, FuncError, Param, Special};
use crate::gofmt::format_value;
use crate::gofmt::quote::go_quote;
use crate::syntax::ast::{Arg, Branch, Command, Node, Pipe, Pos};
use crate::template::{MissingKey, Template};
use crate::value::Value;

/// Deepest nesting of `{{template}}` calls and `if`/`with`/`range` bodies together (Go
/// counts template calls only, up to 100000); keeps recursion within a small thread stack.
pub const MAX_TEMPLATE_DEPTH: usize = 200;

/// Where and why execution failed.
#[derive(Debug)]
pub struct ExecFailure {
    pub pos: Pos,
    /// The node being evaluated, as Go prints it in `at <…>`.
    pub node: String,
    /// The (defined) template being executed.
    pub template: String,
    pub message: String,
    /// Set for `missingkey=error` failures.
    pub missing_key: Option<String>,
    /// Name of the template whose text holds the failing node (`pos` is an offset into
    /// `source_text`): the executed template, or one of its shared set.
    pub source_name: Arc<str>,
    /// That template's text.
    pub source_text: Arc<str>,
}

/// Non-local exits of a walk: errors, and `{{break}}`/`{{continue}}`.
enum Flow {
    Break,
    Continue,
    Fail(Box<ExecFailure>),
}

type R<T> = Result<T, Flow>;

/// Execution state of one `execute` call.
pub struct Exec<'a> {
    tmpl: &'a Template,
    /// The template whose text the nodes being walked come from.
    src: &'a Template,
    ctx: &'a CallContext<'a>,
    missing_key: MissingKey,
    out: String,
    vars: Vec<(Arc<str>, Value)>,
    depth: usize,
    steps: u64,
    step_limit: u64,
    current: Arc<str>,
}

impl<'a> Exec<'a> {
    /// Runs `tmpl` on `data`.
    pub fn run(
        tmpl: &'a Template,
        data: &Value,
        ctx: &'a CallContext<'a>,
        missing_key: MissingKey,
        step_limit: u64,
    ) -> Result<String, Box<ExecFailure>> {
        let mut exec = Exec {
            tmpl,
            src: tmpl,
            ctx,
            missing_key,
            out: String::new(),
            vars: Vec::new(),
            depth: 0,
            steps: 0,
            step_limit,
            current: tmpl.name_arc(),
        };
        match exec.walk_named(tmpl.name_arc(), tmpl.root(), data) {
            Ok(()) => Ok(exec.out),
            Err(Flow::Fail(f)) => Err(f),
            Err(Flow::Break | Flow::Continue) => Ok(exec.out),
        }
    }

    fn fail(&self, pos: Pos, node: &dyn Display, message: impl Into<String>) -> Flow {
        Flow::Fail(Box::new(ExecFailure {
            pos,
            node: node.to_string(),
            template: self.current.to_string(),
            message: message.into(),
            missing_key: None,
            source_name: self.src.name_arc(),
            source_text: self.src.text_arc(),
        }))
    }

    /// Counts one unit of work; fails once the budget is spent.
    fn step(&mut self, pos: Pos) -> R<()> {
        self.steps += 1;
        if self.steps > self.step_limit {
            let msg = format!("template execution exceeded {} steps (runaway loop or recursion?)", self.step_limit);
            return Err(self.fail(pos, &"", msg));
        }
        Ok(())
    }

    /// Executes a template body with a fresh variable scope (`$` = dot), declaring the
    /// predeclared variables when it is the top-level template.
    fn walk_named(&mut self, name: Arc<str>, body: &[Node], dot: &Value) -> R<()> {
        let saved_vars = std::mem::replace(&mut self.vars, vec![(Arc::from("$"), dot.clone())]);
        let saved_name = std::mem::replace(&mut self.current, name);
        let mut result = Ok(());
        if *self.current == *self.tmpl.name() {
            for (var, field) in self.tmpl.predeclared() {
                match self.eval_field(dot, field, &Arg::Dot(0), &[], None, dot.clone()) {
                    Ok(v) => self.vars.push((var.clone(), v)),
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
        }
        if result.is_ok() {
            result = self.walk(dot, body);
        }
        self.vars = saved_vars;
        self.current = saved_name;
        result
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> R<()> {
        for node in nodes {
            self.step(0)?;
            match node {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        self.print_value(pipe, &v)?;
                    }
                }
                Node::If(b) => self.walk_if_or_with(false, dot, b)?,
                Node::With(b) => self.walk_if_or_with(true, dot, b)?,
                Node::Range(b) => self.walk_range(dot, b)?,
                Node::Template { pos, name, pipe } => self.walk_template(dot, *pos, name, pipe.as_ref())?,
                Node::Break => return Err(Flow::Break),
                Node::Continue => return Err(Flow::Continue),
            }
        }
        Ok(())
    }

    fn print_value(&mut self, pipe: &Pipe, v: &Value) -> R<()> {
        match v {
            Value::Nil => self.out.push_str("<no value>"),
            Value::Html(s) => self.out.push_str(s),
            v if self.tmpl.escapes_html() => self.out.push_str(&crate::escape::html_escape(&format_value(v))),
            Value::Func(_) => {
                return Err(self.fail(
                    pipe.pos,
                    &format!("{{{{{pipe}}}}}"),
                    format!("can't print {pipe} of type {}", v.type_name()),
                ));
            }
            v => self.out.push_str(&format_value(v)),
        }
        Ok(())
    }

    /// Runs `f` one level deeper, failing past [`MAX_TEMPLATE_DEPTH`].
    fn deeper(&mut self, pos: Pos, node: &dyn Display, f: impl FnOnce(&mut Self) -> R<()>) -> R<()> {
        if self.depth >= MAX_TEMPLATE_DEPTH {
            return Err(self.fail(pos, node, format!("exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})")));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn walk_if_or_with(&mut self, is_with: bool, dot: &Value, b: &Branch) -> R<()> {
        self.deeper(b.pipe.pos, &b.pipe, |this| this.walk_if_or_with_inner(is_with, dot, b))
    }

    fn walk_if_or_with_inner(&mut self, is_with: bool, dot: &Value, b: &Branch) -> R<()> {
        let mark = self.vars.len();
        let result = self.eval_pipeline(dot, &b.pipe).and_then(|val| {
            if val.is_true() {
                if is_with { self.walk(&val, &b.list) } else { self.walk(dot, &b.list) }
            } else if let Some(else_list) = &b.else_list {
                self.walk(dot, else_list)
            } else {
                Ok(())
            }
        });
        self.vars.truncate(mark);
        result
    }

    fn walk_range(&mut self, dot: &Value, b: &Branch) -> R<()> {
        let mark = self.vars.len();
        let result = self.deeper(b.pipe.pos, &b.pipe, |this| this.walk_range_inner(dot, b));
        self.vars.truncate(mark);
        result
    }

    fn walk_range_inner(&mut self, dot: &Value, b: &Branch) -> R<()> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let body_mark = self.vars.len();
        let items: Vec<(Value, Value)> = match &val {
            Value::List(l) => l.iter().enumerate().map(|(i, v)| (Value::Int(i as i64), v.clone())).collect(),
            Value::QueryResult(l) => {
                l.iter().enumerate().map(|(i, s)| (Value::Int(i as i64), Value::Sample(s.clone()))).collect()
            }
            Value::Labels(m) => m.iter().map(|(k, v)| (Value::str(k), Value::str(v))).collect(),
            Value::Map(m) => m.iter().map(|(k, v)| (Value::str(k), v.clone())).collect(),
            Value::Nil => Vec::new(),
            other => {
                return Err(self.fail(
                    b.pipe.pos,
                    &b.pipe,
                    format!("range can't iterate over {}", crate::gofmt::sprint(std::slice::from_ref(other))),
                ));
            }
        };
        if items.is_empty() {
            if let Some(else_list) = &b.else_list {
                return self.walk(dot, else_list);
            }
            return Ok(());
        }
        for (index, elem) in items {
            self.step(b.pipe.pos)?;
            self.bind_range_vars(&b.pipe, index, elem.clone())?;
            let result = self.walk(&elem, &b.list);
            self.vars.truncate(body_mark);
            match result {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Go's `oneIteration` variable binding: `$x :=` gets the element; `$i, $x :=` the
    /// index and element; `=` assigns instead.
    fn bind_range_vars(&mut self, pipe: &Pipe, index: Value, elem: Value) -> R<()> {
        let n = pipe.decl.len();
        if n == 0 {
            return Ok(());
        }
        if pipe.is_assign {
            if n > 1 {
                self.set_var(&pipe.decl[0], index, pipe)?;
                self.set_var(&pipe.decl[1], elem, pipe)?;
            } else {
                self.set_var(&pipe.decl[0], elem, pipe)?;
            }
            return Ok(());
        }
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(1).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = elem;
        }
        if n > 1
            && let Some(slot) = len.checked_sub(2).and_then(|i| self.vars.get_mut(i))
        {
            slot.1 = index;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Value, pos: Pos, name: &str, pipe: Option<&Pipe>) -> R<()> {
        let node = match pipe {
            Some(p) => format!("{{{{template {} {p}}}}}", go_quote(name, false)),
            None => format!("{{{{template {}}}}}", go_quote(name, false)),
        };
        let tmpl: &'a Template = self.tmpl;
        let Some((src, tname, body)) = tmpl.lookup(name) else {
            return Err(self.fail(pos, &node, format!("template {} not defined", go_quote(name, false))));
        };
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Nil,
        };
        let saved_src = std::mem::replace(&mut self.src, src);
        let result = self.deeper(pos, &node, |this| this.walk_named(tname, &body, &new_dot));
        self.src = saved_src;
        result
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> R<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(var, value.clone(), pipe)?;
            } else {
                self.vars.push((var.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn set_var(&mut self, name: &str, value: Value, pipe: &Pipe) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| **n == *name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(self.fail(pipe.pos, pipe, format!("undefined variable: {name}"))),
        }
    }

    fn var_value(&self, name: &str, node: &Arg) -> R<Value> {
        match self.vars.iter().rev().find(|(n, _)| **n == *name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.fail(node.pos(), node, format!("undefined variable: {name}"))),
        }
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Value>) -> R<()> {
        if let Some(first) = args.first()
            && (args.len() > 1 || fin.is_some())
        {
            return Err(self.fail(first.pos(), first, format!("can't give argument to non-function {first}")));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Command, fin: Option<Value>) -> R<Value> {
        let Some(first) = cmd.args.first() else {
            return Ok(Value::Nil);
        };
        let extra = &cmd.args[1..];
        match first {
            Arg::Field(_, idents) => return self.eval_field_chain(dot, dot.clone(), first, idents, extra, fin),
            Arg::Chain(_, inner, fields) => {
                let recv = self.eval_chain_receiver(dot, first, inner)?;
                return self.eval_field_chain(dot, recv, first, fields, extra, fin);
            }
            Arg::Identifier(_, name) => return self.eval_function(dot, name, cmd, &cmd.args, fin),
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable(_, idents) => return self.eval_variable(dot, first, idents, extra, fin),
            _ => {}
        }
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(p) => Err(self.fail(*p, first, "nil is not a command")),
            Arg::Number(p, n) => n.ideal().map_err(|e| self.fail(*p, first, e.to_string())),
            Arg::String { value, .. } => Ok(Value::Str(value.clone())),
            _ => Err(self.fail(first.pos(), first, format!("can't evaluate command {first}"))),
        }
    }

    fn eval_chain_receiver(&mut self, dot: &Value, node: &Arg, inner: &Arg) -> R<Value> {
        if let Arg::Nil(p) = inner {
            return Err(self.fail(*p, node, format!("indirection through explicit nil in {node}")));
        }
        self.eval_arg(dot, Param::Reflect, inner)
    }

    fn eval_variable(
        &mut self,
        dot: &Value,
        node: &Arg,
        idents: &[Arc<str>],
        extra: &[Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        let value = self.var_value(&idents[0], node)?;
        if idents.len() == 1 {
            if !extra.is_empty() || fin.is_some() {
                return Err(self.fail(node.pos(), node, format!("can't give argument to non-function {node}")));
            }
            return Ok(value);
        }
        self.eval_field_chain(dot, value, node, &idents[1..], extra, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Value,
        receiver: Value,
        node: &Arg,
        idents: &[Arc<str>],
        extra: &[Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        let Some((last, init)) = idents.split_last() else {
            return Ok(receiver);
        };
        let mut recv = receiver;
        for id in init {
            recv = self.eval_field(dot, id, node, &[], None, recv)?;
        }
        self.eval_field(dot, last, node, extra, fin, recv)
    }

    /// Go's `evalField`: methods from the function map first (as Go looks up methods
    /// before fields and map keys), then struct fields, map keys (with `missingkey`), and
    /// the argument-free methods of time values.
    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: &Arg,
        extra: &[Arg],
        fin: Option<Value>,
        receiver: Value,
    ) -> R<Value> {
        let tmpl: &'a Template = self.tmpl;
        if !matches!(receiver, Value::Nil)
            && let Some(method) = tmpl.method(&receiver.type_name(), name)
        {
            return self.eval_method(dot, method, name, node, extra, fin, receiver);
        }
        let has_args = !extra.is_empty() || fin.is_some();
        let missing = |this: &Self, zero: Value| -> R<Value> {
            match this.missing_key {
                MissingKey::Zero => Ok(zero),
                MissingKey::Invalid => Ok(Value::Nil),
                MissingKey::Error => {
                    let mut f =
                        this.fail(node.pos(), node, format!("map has no entry for key {}", go_quote(name, false)));
                    if let Flow::Fail(ref mut failure) = f {
                        failure.missing_key = Some(name.to_string());
                    }
                    Err(f)
                }
            }
        };
        let not_method = |this: &Self| this.fail(node.pos(), node, format!("{name} is not a method but has arguments"));
        match &receiver {
            Value::Nil => {
                if self.missing_key == MissingKey::Error {
                    return Err(self.fail(
                        node.pos(),
                        node,
                        format!("nil data; no entry for key {}", go_quote(name, false)),
                    ));
                }
                Ok(Value::Nil)
            }
            Value::Struct(s) => match s.field(name) {
                Some(_) if has_args => {
                    Err(self.fail(node.pos(), node, format!("{name} has arguments but cannot be invoked as function")))
                }
                Some(v) => Ok(v.clone()),
                None => {
                    Err(self.fail(node.pos(), node, format!("can't evaluate field {name} in type {}", s.type_name)))
                }
            },
            Value::Labels(m) => {
                if has_args {
                    return Err(not_method(self));
                }
                match m.get(name) {
                    Some(v) => Ok(Value::str(v)),
                    None => missing(self, Value::str("")),
                }
            }
            Value::Map(m) => {
                if has_args {
                    return Err(not_method(self));
                }
                match m.get(name) {
                    Some(v) => Ok(v.clone()),
                    None => missing(self, Value::Nil),
                }
            }
            Value::Sample(s) if name == "Labels" || name == "Value" => {
                if has_args {
                    return Err(self.fail(
                        node.pos(),
                        node,
                        format!("{name} has arguments but cannot be invoked as function"),
                    ));
                }
                Ok(if name == "Labels" { Value::Labels(s.labels.clone()) } else { Value::Float(s.value) })
            }
            Value::Time(t) | Value::Duration(t) => {
                let is_time = matches!(receiver, Value::Time(_));
                let result = if is_time { time_method(*t, name) } else { duration_method(*t, name) };
                match result {
                    Some(_) if has_args => {
                        let got = extra.len() + usize::from(fin.is_some());
                        Err(self.fail(node.pos(), node, format!("wrong number of args for {name}: want 0 got {got}")))
                    }
                    Some(v) => Ok(v),
                    None => Err(self.fail(
                        node.pos(),
                        node,
                        format!("can't evaluate field {name} in type {}", receiver.type_name()),
                    )),
                }
            }
            other => {
                Err(self.fail(node.pos(), node, format!("can't evaluate field {name} in type {}", other.type_name())))
            }
        }
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        name: &str,
        cmd: &dyn Display,
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        let pos = args.first().map_or(0, Arg::pos);
        let tmpl: &'a Template = self.tmpl;
        let Some(func) = tmpl.func(name) else {
            return Err(self.fail(pos, cmd, format!("{} is not a defined function", go_quote(name, false))));
        };
        // Arity errors point at the function name, as in Go.
        let ident: &dyn Display = match args.first() {
            Some(first) => first,
            None => cmd,
        };
        let args = args.get(1..).unwrap_or(&[]);
        let num_in = args.len() + usize::from(fin.is_some());
        let fixed = func.params.len();
        if func.variadic.is_some() {
            if num_in < fixed {
                let msg = format!("wrong number of args for {name}: want at least {fixed} got {}", args.len());
                return Err(self.fail(pos, ident, msg));
            }
        } else if num_in != fixed {
            return Err(self.fail(pos, ident, format!("wrong number of args for {name}: want {fixed} got {num_in}")));
        }
        match func.special {
            Special::And | Special::Or => return self.eval_and_or(dot, func.special == Special::Or, args, fin),
            Special::Call | Special::None => {}
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let param = func.params.get(i).copied().or(func.variadic).unwrap_or(Param::Any);
            argv.push(self.eval_arg(dot, param, a)?);
        }
        if let Some(f) = fin {
            let param = if func.variadic.is_some() && num_in > fixed {
                func.variadic.unwrap_or(Param::Any)
            } else {
                func.params.get(num_in - 1).copied().unwrap_or(Param::Any)
            };
            argv.push(self.validate(f, param, pos, cmd)?);
        }
        let result = if func.special == Special::Call { self.call(&argv) } else { self.invoke(func, &argv) };
        result.map_err(|e| self.fail(pos, cmd, format!("error calling {name}: {e}")))
    }

    /// Calls a method from the function map: `params[0]` is the receiver, the rest are
    /// checked and evaluated like a function's.
    #[allow(clippy::too_many_arguments)]
    fn eval_method(
        &mut self,
        dot: &Value,
        method: &Func,
        name: &str,
        node: &Arg,
        extra: &[Arg],
        fin: Option<Value>,
        receiver: Value,
    ) -> R<Value> {
        let pos = node.pos();
        let params = method.params.get(1..).unwrap_or(&[]);
        let num_in = extra.len() + usize::from(fin.is_some());
        let fixed = params.len();
        if method.variadic.is_some() {
            if num_in < fixed {
                let msg = format!("wrong number of args for {name}: want at least {fixed} got {num_in}");
                return Err(self.fail(pos, node, msg));
            }
        } else if num_in != fixed {
            return Err(self.fail(pos, node, format!("wrong number of args for {name}: want {fixed} got {num_in}")));
        }
        let mut argv = Vec::with_capacity(num_in + 1);
        argv.push(receiver);
        for (i, a) in extra.iter().enumerate() {
            let param = params.get(i).copied().or(method.variadic).unwrap_or(Param::Any);
            argv.push(self.eval_arg(dot, param, a)?);
        }
        if let Some(f) = fin {
            let param = params.get(num_in - 1).copied().or(method.variadic).unwrap_or(Param::Any);
            argv.push(self.validate(f, param, pos, node)?);
        }
        self.invoke(method, &argv).map_err(|e| self.fail(pos, node, format!("error calling {name}: {e}")))
    }

    fn invoke(&self, func: &Func, argv: &[Value]) -> Result<Value, FuncError> {
        (func.imp)(self.ctx, argv)
    }

    /// The `call` builtin: the first argument must be a function value.
    fn call(&self, argv: &[Value]) -> Result<Value, FuncError> {
        match argv.first() {
            Some(Value::Func(f)) => (f.0)(&argv[1..]),
            Some(Value::Nil) | None => Err(FuncError::CallOfNil),
            Some(other) => Err(FuncError::NonFunction(other.type_name())),
        }
    }

    /// `and`/`or`: evaluate left to right, stop at the first deciding value.
    fn eval_and_or(&mut self, dot: &Value, is_or: bool, args: &[Arg], fin: Option<Value>) -> R<Value> {
        let mut v = Value::Nil;
        for a in args {
            v = self.eval_arg(dot, Param::Reflect, a)?;
            if v.is_true() == is_or {
                return Ok(v);
            }
        }
        if let Some(f) = fin {
            v = f;
        }
        Ok(v)
    }

    /// Go's `evalArg`: evaluates an argument for a parameter of type `param`.
    fn eval_arg(&mut self, dot: &Value, param: Param, arg: &Arg) -> R<Value> {
        let pos = arg.pos();
        let value = match arg {
            Arg::Dot(_) => dot.clone(),
            Arg::Nil(_) => {
                return match param {
                    Param::Any | Param::Reflect | Param::Sample => Ok(Value::Nil),
                    Param::QueryResult => Ok(Value::QueryResult(Arc::from(Vec::new()))),
                    p => Err(self.fail(pos, arg, format!("cannot assign nil to {}", p.type_name()))),
                };
            }
            Arg::Field(_, idents) => self.eval_field_chain(dot, dot.clone(), arg, idents, &[], None)?,
            Arg::Variable(_, idents) => self.eval_variable(dot, arg, idents, &[], None)?,
            Arg::Pipe(p) => self.eval_pipeline(dot, p)?,
            Arg::Identifier(_, name) => self.eval_function(dot, name, arg, std::slice::from_ref(arg), None)?,
            Arg::Chain(_, inner, fields) => {
                let recv = self.eval_chain_receiver(dot, arg, inner)?;
                self.eval_field_chain(dot, recv, arg, fields, &[], None)?
            }
            Arg::Bool(_, b) => {
                return match param {
                    Param::Bool | Param::Any | Param::Reflect => Ok(Value::Bool(*b)),
                    p => Err(self.literal_mismatch(p, arg)),
                };
            }
            Arg::String { value, .. } => {
                return match param {
                    Param::Str | Param::Any | Param::Reflect => Ok(Value::Str(value.clone())),
                    p => Err(self.literal_mismatch(p, arg)),
                };
            }
            Arg::Number(_, n) => {
                return match param {
                    Param::Any | Param::Reflect => n.ideal().map_err(|e| self.fail(pos, arg, e.to_string())),
                    Param::Float => n.float.map(Value::Float).ok_or_else(|| self.literal_mismatch(param, arg)),
                    Param::Int => n.int.map(Value::Int).ok_or_else(|| self.literal_mismatch(param, arg)),
                    p => Err(self.literal_mismatch(p, arg)),
                };
            }
        };
        self.validate(value, param, pos, arg)
    }

    /// Go's errors for a literal of the wrong kind (`expected string; found 1`).
    fn literal_mismatch(&self, param: Param, arg: &Arg) -> Flow {
        let msg = match param {
            Param::Str => format!("expected string; found {arg}"),
            Param::Float => format!("expected float; found {arg}"),
            Param::Int => format!("expected integer; found {arg}"),
            Param::Bool => format!("expected bool; found {arg}"),
            p => format!("can't handle {arg} for arg of type {}", p.type_name()),
        };
        self.fail(arg.pos(), arg, msg)
    }

    /// Go's `validateType`: is `value` assignable to the parameter type?
    fn validate(&self, value: Value, param: Param, pos: Pos, node: &dyn Display) -> R<Value> {
        let ok = match (&value, param) {
            (_, Param::Any | Param::Reflect) => true,
            (Value::Str(_), Param::Str)
            | (Value::Float(_), Param::Float)
            | (Value::Int(_), Param::Int)
            | (Value::Bool(_), Param::Bool)
            | (Value::QueryResult(_), Param::QueryResult)
            | (Value::Sample(_) | Value::Nil, Param::Sample) => true,
            (Value::Nil, Param::QueryResult) => return Ok(Value::QueryResult(Arc::from(Vec::new()))),
            (Value::Nil, p) => return Err(self.fail(pos, node, format!("invalid value; expected {}", p.type_name()))),
            _ => false,
        };
        if ok {
            return Ok(value);
        }
        Err(self.fail(
            pos,
            node,
            format!("wrong type for value; expected {}; got {}", param.type_name(), value.type_name()),
        ))
    }
}

/// Argument-free methods of `*time.Time` that templates commonly use.
fn time_method(unix_nanos: i64, name: &str) -> Option<Value> {
    Some(match name {
        "Unix" => Value::Int(unix_nanos.div_euclid(1_000_000_000)),
        "UnixMilli" => Value::Int(unix_nanos.div_euclid(1_000_000)),
        "UnixNano" => Value::Int(unix_nanos),
        "UTC" | "Local" => Value::Time(unix_nanos),
        "String" => Value::from(crate::gotime::format_time(unix_nanos)),
        _ => return None,
    })
}

/// Argument-free methods of `*time.Duration`.
fn duration_method(nanos: i64, name: &str) -> Option<Value> {
    Some(match name {
        "Seconds" => Value::Float(nanos as f64 / 1e9),
        "Minutes" => Value::Float(nanos as f64 / 6e10),
        "Hours" => Value::Float(nanos as f64 / 3.6e12),
        "Milliseconds" => Value::Int(nanos / 1_000_000),
        "Microseconds" => Value::Int(nanos / 1_000),
        "Nanoseconds" => Value::Int(nanos),
        "String" => Value::from(crate::gotime::format_duration(nanos)),
        _ => return None,
    })
}
