//! Go `text/template` syntax: lexer, parse tree and parser.

pub mod ast;
pub mod lex;
pub mod literal;
pub mod parse;
