//! The lexer of Go's `text/template/parse`: text, `{{ }}` actions with `{{-`/`-}}`
//! trimming, comments, and the tokens inside actions.

use std::borrow::Cow;

use crate::gofmt::quote::go_quote;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A lexing error; the token's value is the message.
    Error,
    Eof,
    Text,
    LeftDelim,
    RightDelim,
    Space,
    Bool,
    /// Any other printable ASCII character inside an action (e.g. `,`).
    Char,
    CharConstant,
    Assign,
    Declare,
    Field,
    Identifier,
    LeftParen,
    RightParen,
    Number,
    Pipe,
    RawString,
    String,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Kind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Kind::Block
                | Kind::Break
                | Kind::Continue
                | Kind::Dot
                | Kind::Define
                | Kind::Else
                | Kind::End
                | Kind::If
                | Kind::Nil
                | Kind::Range
                | Kind::Template
                | Kind::With
        )
    }
}

/// One token: kind, byte offset in the source, text (borrowed from the source; owned
/// only for error messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub pos: usize,
    pub val: Cow<'a, str>,
}

impl Token<'_> {
    /// Go's `item.String()`, used in "unexpected X in Y" messages.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Eof => "EOF".into(),
            Kind::Error => self.val.to_string(),
            k if k.is_keyword() => format!("<{}>", self.val),
            _ if self.val.len() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                format!("{}...", go_quote(&head, false))
            }
            _ => go_quote(&self.val, false),
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next() == Some('-') && chars.next().is_some_and(is_space)
}

fn has_right_trim(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_space) && chars.next() == Some('-')
}

fn keyword(word: &str) -> Option<Kind> {
    Some(match word {
        "block" => Kind::Block,
        "break" => Kind::Break,
        "continue" => Kind::Continue,
        "define" => Kind::Define,
        "else" => Kind::Else,
        "end" => Kind::End,
        "if" => Kind::If,
        "nil" => Kind::Nil,
        "range" => Kind::Range,
        "template" => Kind::Template,
        "with" => Kind::With,
        _ => return None,
    })
}

/// Go's `%#U` of a rune in messages: `U+0021 '!'`.
fn describe_rune(c: char) -> String {
    format!("U+{:04X} '{c}'", c as u32)
}

/// What followed a `{{`.
enum Delim {
    Action,
    Comment,
    Failed,
}

struct Lexer<'a> {
    input: &'a str,
    start: usize,
    pos: usize,
    paren_depth: i32,
    tokens: Vec<Token<'a>>,
}

/// Tokenizes `input`; the list ends with an `Eof` or an `Error` token.
pub fn lex(input: &str) -> Vec<Token<'_>> {
    let mut l = Lexer { input, start: 0, pos: 0, paren_depth: 0, tokens: Vec::new() };
    l.run();
    l.tokens
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn emit(&mut self, kind: Kind) {
        self.tokens.push(Token { kind, pos: self.start, val: Cow::Borrowed(&self.input[self.start..self.pos]) });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    /// Records an error token; lexing stops.
    fn error(&mut self, msg: String) -> bool {
        self.tokens.push(Token { kind: Kind::Error, pos: self.start, val: Cow::Owned(msg) });
        false
    }

    fn run(&mut self) {
        loop {
            if !self.lex_text() {
                return;
            }
            if !self.lex_inside_action() {
                return;
            }
        }
    }

    /// Scans text up to the next action; returns false at EOF or on error.
    fn lex_text(&mut self) -> bool {
        loop {
            let Some(x) = self.rest().find(LEFT) else {
                self.pos = self.input.len();
                if self.pos > self.start {
                    self.emit(Kind::Text);
                }
                self.emit(Kind::Eof);
                return false;
            };
            self.pos += x;
            let delim_end = self.pos + LEFT.len();
            let trim = if has_left_trim(&self.input[delim_end..]) {
                let text = &self.input[self.start..self.pos];
                text.len() - text.trim_end_matches(is_space).len()
            } else {
                0
            };
            if self.pos - trim > self.start {
                let end = self.pos;
                self.pos -= trim;
                self.emit(Kind::Text);
                self.pos = end;
            }
            self.ignore();
            match self.lex_left_delim() {
                Delim::Action => return true,
                Delim::Comment => continue,
                Delim::Failed => return false,
            }
        }
    }

    /// Consumes `{{`, and the whole comment if one follows.
    fn lex_left_delim(&mut self) -> Delim {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after_marker = if trim { 2 } else { 0 };
        if self.input[self.pos + after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return if self.lex_comment() { Delim::Comment } else { Delim::Failed };
        }
        self.emit(Kind::LeftDelim);
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        Delim::Action
    }

    fn lex_comment(&mut self) -> bool {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.skip_leading_space();
        }
        self.ignore();
        true
    }

    fn skip_leading_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches(is_space).len();
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn lex_right_delim(&mut self) {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Kind::RightDelim);
        if trim {
            self.skip_leading_space();
            self.ignore();
        }
    }

    /// Lexes the inside of an action up to and including `}}`.
    fn lex_inside_action(&mut self) -> bool {
        loop {
            let (delim, _) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    self.lex_right_delim();
                    return true;
                }
                return self.error("unclosed left paren".into());
            }
            let Some(c) = self.next() else {
                return self.error("unclosed action".into());
            };
            let ok = match c {
                c if is_space(c) => {
                    self.pos -= c.len_utf8();
                    self.lex_space()
                }
                '=' => {
                    self.emit(Kind::Assign);
                    true
                }
                ':' => {
                    if self.next() != Some('=') {
                        return self.error("expected :=".into());
                    }
                    self.emit(Kind::Declare);
                    true
                }
                '|' => {
                    self.emit(Kind::Pipe);
                    true
                }
                '"' => self.lex_quote(),
                '`' => self.lex_raw_quote(),
                '$' => self.lex_variable(),
                '\'' => self.lex_char(),
                '.' if self.peek().is_none_or(|n| !n.is_ascii_digit()) => self.lex_field_or_variable(Kind::Field),
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    self.lex_number()
                }
                c if is_alnum(c) => {
                    self.pos -= c.len_utf8();
                    self.lex_identifier()
                }
                '(' => {
                    self.emit(Kind::LeftParen);
                    self.paren_depth += 1;
                    true
                }
                ')' => {
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.error("unexpected right paren".into());
                    }
                    self.emit(Kind::RightParen);
                    true
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.emit(Kind::Char);
                    true
                }
                c => return self.error(format!("unrecognized character in action: {}", describe_rune(c))),
            };
            if !ok {
                return false;
            }
            if self.tokens.last().is_some_and(|t| t.kind == Kind::RightDelim) {
                return true;
            }
        }
    }

    fn lex_space(&mut self) -> bool {
        let mut spaces = 0;
        while self.peek().is_some_and(is_space) {
            self.next();
            spaces += 1;
        }
        // A space followed by "-}}" belongs to the trim marker.
        let before = self.pos - 1;
        if has_right_trim(&self.input[before..]) && self.input[before + 2..].starts_with(RIGHT) {
            self.pos = before;
            if spaces == 1 {
                self.lex_right_delim();
                return true;
            }
        }
        self.emit(Kind::Space);
        true
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_identifier(&mut self) -> bool {
        while self.peek().is_some_and(is_alnum) {
            self.next();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return self.error(format!("bad character {}", describe_rune(c)));
        }
        let word = &self.input[self.start..self.pos];
        let kind = match keyword(word) {
            Some(k) => k,
            None if word == "true" || word == "false" => Kind::Bool,
            None => Kind::Identifier,
        };
        self.emit(kind);
        true
    }

    fn lex_variable(&mut self) -> bool {
        if self.at_terminator() {
            self.emit(Kind::Variable);
            return true;
        }
        self.lex_field_or_variable(Kind::Variable)
    }

    fn lex_field_or_variable(&mut self, kind: Kind) -> bool {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable { Kind::Variable } else { Kind::Dot });
            return true;
        }
        while self.peek().is_some_and(is_alnum) {
            self.next();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return self.error(format!("bad character {}", describe_rune(c)));
        }
        self.emit(kind);
        true
    }

    fn lex_char(&mut self) -> bool {
        loop {
            match self.next() {
                Some('\\') => {
                    if matches!(self.next(), None | Some('\n')) {
                        return self.error("unterminated character constant".into());
                    }
                }
                None | Some('\n') => return self.error("unterminated character constant".into()),
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::CharConstant);
        true
    }

    fn lex_quote(&mut self) -> bool {
        loop {
            match self.next() {
                Some('\\') => {
                    if matches!(self.next(), None | Some('\n')) {
                        return self.error("unterminated quoted string".into());
                    }
                }
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::String);
        true
    }

    fn lex_raw_quote(&mut self) -> bool {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::RawString);
        true
    }

    fn accept(&mut self, valid: &str) -> bool {
        if self.peek().is_some_and(|c| valid.contains(c)) {
            self.next();
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn lex_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            let text = self.input[self.start..self.pos].to_string();
            return self.error(format!("bad number syntax: {}", go_quote(&text, false)));
        }
        self.emit(Kind::Number);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        lex(src).into_iter().map(|t| (t.kind, t.val.into_owned())).collect()
    }

    #[test]
    fn trims_and_comments() {
        let toks = kinds("a  {{- .X -}}  b{{/* c */}}d {{- /* e */ -}} f");
        let texts: Vec<_> = toks.iter().filter(|(k, _)| *k == Kind::Text).map(|(_, v)| v.as_str()).collect();
        assert_eq!(texts, ["a", "b", "d", "f"]);
    }

    #[test]
    fn action_tokens() {
        let toks = kinds("{{$x := .A.b | printf \"%d\" 1.5}}");
        let k: Vec<Kind> = toks.iter().map(|t| t.0).filter(|k| *k != Kind::Space).collect();
        assert_eq!(
            k,
            [
                Kind::LeftDelim,
                Kind::Variable,
                Kind::Declare,
                Kind::Field,
                Kind::Field,
                Kind::Pipe,
                Kind::Identifier,
                Kind::String,
                Kind::Number,
                Kind::RightDelim,
                Kind::Eof
            ]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(lex("{{ .X ").last().map(|t| t.val.to_string()), Some("unclosed action".into()));
        assert_eq!(lex("{{ \"abc }}").last().map(|t| t.val.to_string()), Some("unterminated quoted string".into()));
        assert_eq!(lex("{{/* x }}").last().map(|t| t.val.to_string()), Some("unclosed comment".into()));
        assert_eq!(lex("{{ 3x }}").last().map(|t| t.val.to_string()), Some("bad number syntax: \"3x\"".into()));
    }
}
