//! The parse tree, shaped like Go's `text/template/parse` nodes. Positions are byte
//! offsets into the template text. `Display` renders nodes the way Go's `String()` does,
//! since execution errors quote the failing command (`at <humanize "abc">`).

use std::fmt;
use std::sync::Arc;

use super::literal::Number;

/// Byte offset in the template source.
pub type Pos = usize;

/// A statement of a template body.
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal text.
    Text(String),
    /// `{{ pipeline }}`: prints the value unless the pipeline declares variables.
    Action(Pipe),
    /// `{{if}}`.
    If(Box<Branch>),
    /// `{{with}}`.
    With(Box<Branch>),
    /// `{{range}}`.
    Range(Box<Branch>),
    /// `{{template "name" pipeline}}`.
    Template { pos: Pos, name: String, pipe: Option<Pipe> },
    /// `{{break}}`.
    Break,
    /// `{{continue}}`.
    Continue,
}

/// The shared shape of `if`, `with` and `range`.
#[derive(Debug, Clone)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

/// A pipeline: optional variable declarations, then commands joined by `|`.
#[derive(Debug, Clone)]
pub struct Pipe {
    pub pos: Pos,
    pub is_assign: bool,
    pub decl: Vec<Arc<str>>,
    pub cmds: Vec<Command>,
}

/// One stage of a pipeline: an operand or a function call with arguments.
#[derive(Debug, Clone)]
pub struct Command {
    pub pos: Pos,
    pub args: Vec<Arg>,
}

/// An operand.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `.`
    Dot(Pos),
    /// `nil`
    Nil(Pos),
    /// `true`/`false`
    Bool(Pos, bool),
    /// A number or character constant.
    Number(Pos, Box<Number>),
    /// A string literal: its source text (quoted) and its value.
    String { pos: Pos, quoted: String, value: Arc<str> },
    /// `.A.b`: field chain on dot.
    Field(Pos, Vec<Arc<str>>),
    /// `$x.a.b`: the variable name (with `$`) then fields.
    Variable(Pos, Vec<Arc<str>>),
    /// A function name.
    Identifier(Pos, Arc<str>),
    /// `( pipeline )`.
    Pipe(Box<Pipe>),
    /// `(pipeline).Field` and similar: fields on another operand.
    Chain(Pos, Box<Arg>, Vec<Arc<str>>),
}

impl Arg {
    /// Source position of the operand.
    pub fn pos(&self) -> Pos {
        match self {
            Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::String { pos: p, .. }
            | Arg::Field(p, _)
            | Arg::Variable(p, _)
            | Arg::Identifier(p, _)
            | Arg::Chain(p, _, _) => *p,
            Arg::Pipe(pipe) => pipe.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Field(_, idents) => {
                for id in idents {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Variable(_, idents) => {
                for (i, id) in idents.iter().enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(id)?;
                }
                Ok(())
            }
            Arg::Identifier(_, name) => f.write_str(name),
            Arg::Pipe(p) => write!(f, "({p})"),
            Arg::Chain(_, node, fields) => {
                write!(f, "{node}")?;
                for field in fields {
                    write!(f, ".{field}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{arg}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, d) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(d)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, cmd) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{cmd}")?;
        }
        Ok(())
    }
}
