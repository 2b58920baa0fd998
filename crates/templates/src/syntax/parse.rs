//! The parser of Go's `text/template/parse`: the same grammar, scoping of variables,
//! function-existence check and error messages (`function "x" not defined`,
//! `undefined variable "$x"`, `unexpected "}" in operand`, `missing value for if`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::ast::{Arg, Branch, Command, Node, Pipe, Pos};
use super::lex::{Kind, Token, lex};
use super::literal::{parse_char, parse_number, unquote};
use crate::gofmt::quote::go_quote;

/// A parse failure at a byte offset.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

type Result<T> = std::result::Result<T, ParseError>;

/// The result of parsing one template text.
#[derive(Debug, Clone)]
pub struct ParsedTemplate {
    /// The top-level body.
    pub root: Vec<Node>,
    /// `{{define}}` and `{{block}}` bodies by name.
    pub defines: HashMap<String, Arc<[Node]>>,
}

/// What ended a list of nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Terminator {
    End,
    Else,
}

/// A node, or the `{{end}}`/`{{else}}` that closes a list.
enum Item {
    Node(Node),
    Term(Terminator, Pos),
}

/// Deepest nesting of control blocks and parentheses the parser accepts, so that
/// hostile input cannot exhaust the stack (Go has no limit).
pub const MAX_NESTING: usize = 100;

struct Parser<'a, 't> {
    tokens: Vec<Token<'t>>,
    idx: usize,
    vars: Vec<Arc<str>>,
    range_depth: usize,
    nesting: usize,
    has_func: &'a dyn Fn(&str) -> bool,
    defines: HashMap<String, Arc<[Node]>>,
}

/// Go's `IsEmptyTree`: only whitespace text.
fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()))
}

/// Parses `text` as template `name`. `predeclared` variables (such as Prometheus's
/// `$labels`) are in scope in the top-level body only; `has_func` tells which
/// identifiers are functions.
pub fn parse(
    name: &str,
    text: &str,
    predeclared: &[Arc<str>],
    has_func: &dyn Fn(&str) -> bool,
) -> Result<ParsedTemplate> {
    let mut vars: Vec<Arc<str>> = vec![Arc::from("$")];
    vars.extend(predeclared.iter().cloned());
    let mut p =
        Parser { tokens: lex(text), idx: 0, vars, range_depth: 0, nesting: 0, has_func, defines: HashMap::new() };
    let mut root = p.parse_top()?;
    if let Some(body) = p.defines.remove(name) {
        let root_empty = predeclared.is_empty() && is_empty_tree(&root);
        if !root_empty && !is_empty_tree(&body) {
            return Err(ParseError {
                pos: 0,
                message: format!("multiple definition of template {}", go_quote(name, false)),
            });
        }
        if root_empty {
            root = body.to_vec();
        }
    }
    Ok(ParsedTemplate { root, defines: p.defines })
}

impl<'t> Parser<'_, 't> {
    fn next(&mut self) -> Token<'t> {
        let tok = self.tokens.get(self.idx).or_else(|| self.tokens.last()).cloned();
        if self.idx < self.tokens.len() {
            self.idx += 1;
        }
        tok.unwrap_or(Token { kind: Kind::Eof, pos: 0, val: Cow::Borrowed("") })
    }

    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    fn peek(&mut self) -> Token<'t> {
        let tok = self.next();
        self.backup();
        tok
    }

    fn next_non_space(&mut self) -> Token<'t> {
        loop {
            let tok = self.next();
            if tok.kind != Kind::Space {
                return tok;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token<'t> {
        let tok = self.next_non_space();
        self.backup();
        tok
    }

    fn error(pos: Pos, message: impl Into<String>) -> ParseError {
        ParseError { pos, message: message.into() }
    }

    /// Go's `unexpected`: a lexer error is reported as itself.
    fn unexpected(tok: &Token, context: &str) -> ParseError {
        if tok.kind == Kind::Error {
            return Self::error(tok.pos, tok.val.to_string());
        }
        Self::error(tok.pos, format!("unexpected {} in {context}", tok.describe()))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> Result<Token<'t>> {
        let tok = self.next_non_space();
        if tok.kind != kind {
            return Err(Self::unexpected(&tok, context));
        }
        Ok(tok)
    }

    fn parse_top(&mut self) -> Result<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::Term(Terminator::End, pos) => return Err(Self::error(pos, "unexpected {{end}}")),
                Item::Term(Terminator::Else, pos) => return Err(Self::error(pos, "unexpected {{else}}")),
            }
        }
        Ok(root)
    }

    /// Runs `f` with a fresh variable scope, as Go does for each define/block tree.
    fn in_new_tree<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let vars = std::mem::replace(&mut self.vars, vec![Arc::from("$")]);
        let depth = std::mem::replace(&mut self.range_depth, 0);
        let result = f(self);
        self.vars = vars;
        self.range_depth = depth;
        result
    }

    fn template_name(tok: &Token, context: &str) -> Result<String> {
        match tok.kind {
            Kind::String | Kind::RawString => unquote(&tok.val).map_err(|e| Self::error(tok.pos, e.to_string())),
            _ => Err(Self::unexpected(tok, context)),
        }
    }

    /// Go's `Tree.add`: a later empty body does not replace an earlier one; two
    /// non-empty bodies of one name are an error.
    fn add_define(&mut self, name: String, body: Vec<Node>, pos: Pos) -> Result<()> {
        if let Some(existing) = self.defines.get(&name)
            && !is_empty_tree(existing)
        {
            if !is_empty_tree(&body) {
                return Err(Self::error(pos, format!("multiple definition of template {}", go_quote(&name, false))));
            }
            return Ok(());
        }
        self.defines.insert(name, Arc::from(body));
        Ok(())
    }

    fn parse_definition(&mut self) -> Result<()> {
        const CONTEXT: &str = "define clause";
        let tok = self.next_non_space();
        let name = match tok.kind {
            Kind::String | Kind::RawString => Self::template_name(&tok, CONTEXT)?,
            _ => return Err(Self::unexpected(&tok, CONTEXT)),
        };
        self.expect(Kind::RightDelim, CONTEXT)?;
        let (body, term, term_pos) = self.in_new_tree(|p| p.item_list())?;
        if term != Terminator::End {
            return Err(Self::error(term_pos, format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_define(name, body, tok.pos)
    }

    fn item_list(&mut self) -> Result<(Vec<Node>, Terminator, Pos)> {
        let mut list = Vec::new();
        loop {
            let tok = self.peek_non_space();
            if tok.kind == Kind::Eof {
                return Err(Self::error(tok.pos, "unexpected EOF"));
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::Term(t, pos) => return Ok((list, t, pos)),
            }
        }
    }

    fn text_or_action(&mut self) -> Result<Item> {
        let tok = self.next_non_space();
        match tok.kind {
            Kind::Text => Ok(Item::Node(Node::Text(tok.val.into_owned()))),
            Kind::LeftDelim => self.action(),
            _ => Err(Self::unexpected(&tok, "input")),
        }
    }

    fn action(&mut self) -> Result<Item> {
        let tok = self.next_non_space();
        let node = match tok.kind {
            Kind::Block => self.block_control()?,
            Kind::Break | Kind::Continue => self.break_or_continue(&tok)?,
            Kind::Else => return self.else_control(tok.pos),
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Item::Term(Terminator::End, tok.pos));
            }
            Kind::If => self.if_control()?,
            Kind::Range => Node::Range(Box::new(self.parse_control("range")?)),
            Kind::Template => self.template_control()?,
            Kind::With => self.with_control()?,
            _ => {
                self.backup();
                Node::Action(self.pipeline("command", Kind::RightDelim)?)
            }
        };
        Ok(Item::Node(node))
    }

    fn break_or_continue(&mut self, keyword: &Token) -> Result<Node> {
        let context = format!("{{{{{}}}}}", keyword.val);
        let tok = self.next_non_space();
        if tok.kind != Kind::RightDelim {
            return Err(Self::unexpected(&tok, &context));
        }
        if self.range_depth == 0 {
            return Err(Self::error(keyword.pos, format!("{context} outside {{{{range}}}}")));
        }
        Ok(if keyword.kind == Kind::Break { Node::Break } else { Node::Continue })
    }

    fn else_control(&mut self, pos: Pos) -> Result<Item> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, Kind::If | Kind::With) {
            // `{{else if …}}`: the `if` stays pending for parse_control.
            return Ok(Item::Term(Terminator::Else, pos));
        }
        self.expect(Kind::RightDelim, "else")?;
        Ok(Item::Term(Terminator::Else, pos))
    }

    fn if_control(&mut self) -> Result<Node> {
        Ok(Node::If(Box::new(self.parse_control("if")?)))
    }

    fn with_control(&mut self) -> Result<Node> {
        Ok(Node::With(Box::new(self.parse_control("with")?)))
    }

    /// `if`, `with` and `range`: pipeline, body, optional else (or `else if`/`else with`
    /// chains, which need a single `{{end}}`). Variables declared inside go out of scope
    /// at the end.
    fn parse_control(&mut self, context: &str) -> Result<Branch> {
        let pos = self.peek().pos;
        let mark = self.vars.len();
        let result = self.nested(pos, |p| p.parse_control_inner(context));
        self.vars.truncate(mark);
        result
    }

    /// Runs `f` one nesting level deeper, failing past [`MAX_NESTING`].
    fn nested<T>(&mut self, pos: Pos, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.nesting >= MAX_NESTING {
            return Err(Self::error(pos, format!("template nesting exceeds {MAX_NESTING} levels")));
        }
        self.nesting += 1;
        let result = f(self);
        self.nesting -= 1;
        result
    }

    fn parse_control_inner(&mut self, context: &str) -> Result<Branch> {
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let body = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, term, _) = body?;
        let mut else_list = None;
        if term == Terminator::Else {
            let next = self.peek().kind;
            if context == "if" && next == Kind::If {
                self.next();
                else_list = Some(vec![self.if_control()?]);
            } else if context == "with" && next == Kind::With {
                self.next();
                else_list = Some(vec![self.with_control()?]);
            } else {
                let (list, term, pos) = self.item_list()?;
                if term != Terminator::End {
                    return Err(Self::error(pos, "expected end; found {{else}}"));
                }
                else_list = Some(list);
            }
        }
        Ok(Branch { pipe, list, else_list })
    }

    fn template_control(&mut self) -> Result<Node> {
        const CONTEXT: &str = "template clause";
        let tok = self.next_non_space();
        let name = Self::template_name(&tok, CONTEXT)?;
        let pipe = if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            Some(self.pipeline(CONTEXT, Kind::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template { pos: tok.pos, name, pipe })
    }

    fn block_control(&mut self) -> Result<Node> {
        const CONTEXT: &str = "block clause";
        let tok = self.next_non_space();
        let name = Self::template_name(&tok, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Kind::RightDelim)?;
        let (body, term, term_pos) = self.nested(tok.pos, |p| p.in_new_tree(|p| p.item_list()))?;
        if term != Terminator::End {
            return Err(Self::error(term_pos, format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_define(name.clone(), body, tok.pos)?;
        Ok(Node::Template { pos: tok.pos, name, pipe: Some(pipe) })
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> Result<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe { pos: start.pos, is_assign: false, decl: Vec::new(), cmds: Vec::new() };
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            let save = self.idx;
            self.next();
            let next = self.peek_non_space();
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = next.kind == Kind::Assign;
                    self.next_non_space();
                    let name: Arc<str> = Arc::from(&*v.val);
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                }
                Kind::Char if next.val == "," => {
                    self.next_non_space();
                    let name: Arc<str> = Arc::from(&*v.val);
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        let after = self.peek_non_space();
                        if matches!(after.kind, Kind::Variable | Kind::RightDelim | Kind::RightParen) {
                            continue;
                        }
                        return Err(Self::error(after.pos, "range can only initialize variables"));
                    }
                    return Err(Self::error(next.pos, format!("too many declarations in {context}")));
                }
                _ => self.idx = save,
            }
            break;
        }
        loop {
            let tok = self.next_non_space();
            if tok.kind == end {
                Self::check_pipeline(&pipe, context, tok.pos)?;
                return Ok(pipe);
            }
            match tok.kind {
                Kind::Bool
                | Kind::CharConstant
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(Self::unexpected(&tok, context)),
            }
        }
    }

    fn check_pipeline(pipe: &Pipe, context: &str, end_pos: Pos) -> Result<()> {
        if pipe.cmds.is_empty() {
            return Err(Self::error(end_pos, format!("missing value for {context}")));
        }
        for (i, cmd) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(first) = cmd.args.first()
                && matches!(first, Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String { .. })
            {
                return Err(Self::error(cmd.pos, format!("non executable command in pipeline stage {}", i + 1)));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> Result<Command> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                args.push(op);
            }
            let tok = self.next();
            match tok.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return Err(Self::unexpected(&tok, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(Self::error(pos, "empty command"));
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> Result<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        let mut fields: Vec<Arc<str>> = Vec::new();
        while self.peek().kind == Kind::Field {
            let tok = self.next();
            fields.push(Arc::from(&tok.val[1..]));
        }
        Ok(Some(match node {
            Arg::Field(pos, mut idents) => {
                idents.extend(fields);
                Arg::Field(pos, idents)
            }
            Arg::Variable(pos, mut idents) => {
                idents.extend(fields);
                Arg::Variable(pos, idents)
            }
            Arg::Bool(..) | Arg::String { .. } | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                return Err(Self::error(
                    node.pos(),
                    format!("unexpected . after term {}", go_quote(&node.to_string(), false)),
                ));
            }
            other => Arg::Chain(other.pos(), Box::new(other), fields),
        }))
    }

    fn term(&mut self) -> Result<Option<Arg>> {
        let tok = self.next_non_space();
        let pos = tok.pos;
        Ok(Some(match tok.kind {
            Kind::Identifier => {
                if !(self.has_func)(&tok.val) {
                    return Err(Self::error(pos, format!("function {} not defined", go_quote(&tok.val, false))));
                }
                Arg::Identifier(pos, Arc::from(&*tok.val))
            }
            Kind::Dot => Arg::Dot(pos),
            Kind::Nil => Arg::Nil(pos),
            Kind::Variable => {
                if !self.vars.iter().any(|v| **v == *tok.val) {
                    return Err(Self::error(pos, format!("undefined variable {}", go_quote(&tok.val, false))));
                }
                Arg::Variable(pos, vec![Arc::from(&*tok.val)])
            }
            Kind::Field => Arg::Field(pos, vec![Arc::from(&tok.val[1..])]),
            Kind::Bool => Arg::Bool(pos, tok.val == "true"),
            Kind::CharConstant => {
                Arg::Number(pos, Box::new(parse_char(&tok.val).map_err(|e| Self::error(pos, e.to_string()))?))
            }
            Kind::Number => {
                Arg::Number(pos, Box::new(parse_number(&tok.val).map_err(|e| Self::error(pos, e.to_string()))?))
            }
            Kind::LeftParen => {
                let pipe = self.nested(pos, |p| p.pipeline("parenthesized pipeline", Kind::RightParen))?;
                Arg::Pipe(Box::new(pipe))
            }
            Kind::String | Kind::RawString => {
                let value = unquote(&tok.val).map_err(|e| Self::error(pos, e.to_string()))?;
                Arg::String { pos, quoted: tok.val.into_owned(), value: Arc::from(value) }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        let funcs = |name: &str| matches!(name, "printf" | "len" | "humanize");
        match parse("t", text, &[Arc::from("$labels")], &funcs) {
            Ok(_) => "ok".into(),
            Err(e) => e.message,
        }
    }

    #[test]
    fn go_parse_errors() {
        assert_eq!(err("{{ nope 1 }}"), "function \"nope\" not defined");
        assert_eq!(err("{{ $x }}"), "undefined variable \"$x\"");
        assert_eq!(err("{{ $labels.a }}{{ . | 1 }}"), "non executable command in pipeline stage 2");
        assert_eq!(err("{{ if }}"), "missing value for if");
        assert_eq!(err("{{ if .X }}"), "unexpected EOF");
        assert_eq!(err("{{ end }}"), "unexpected {{end}}");
        assert_eq!(err("{{ .X "), "unclosed action");
        assert_eq!(err("{{ break }}"), "{{break}} outside {{range}}");
        assert_eq!(err("{{ 1.X }}"), "bad number syntax: \"1.X\"");
        assert_eq!(err("{{ true.X }}"), "unexpected . after term \"true\"");
        assert_eq!(err("{{ .X }"), "unexpected \"}\" in operand");
        assert_eq!(err("{{ range $i, $x, $y := . }}{{ end }}"), "too many declarations in range");
        assert_eq!(err("{{ if .A }}{{ else }}{{ else }}{{ end }}"), "expected end; found {{else}}");
        assert_eq!(
            err("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}"),
            "multiple definition of template \"a\""
        );
        assert_eq!(err("{{ ( .X }}"), "unclosed left paren");
        assert_eq!(err("{{ .X ) }}"), "unexpected right paren");
    }

    #[test]
    fn scoping_follows_go() {
        assert_eq!(err("{{ $x := 1 }}{{ $x }}"), "ok");
        assert_eq!(err("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}"), "undefined variable \"$x\"");
        assert_eq!(err("{{ range $i, $x := . }}{{ $i }}{{ break }}{{ end }}"), "ok");
        assert_eq!(err("{{ define \"d\" }}{{ $labels }}{{ end }}"), "undefined variable \"$labels\"");
        assert_eq!(err("{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}"), "ok");
        assert_eq!(err("{{ with .A }}a{{ else with .B }}b{{ end }}"), "ok");
        assert_eq!(err("{{ block \"b\" . }}{{ . }}{{ end }}"), "ok");
    }
}
