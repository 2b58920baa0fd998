//! A minimal PromQL series-selector parser for the `vigil tsdb` tools (`up{job="a"}`,
//! `{__name__=~"node_.*"}`, `{"http.server.duration", service="a"}`). The PromQL engine will
//! bring the full grammar; this covers what `--match` needs before it exists.

use tsdb::{MatchOp, Matcher};

/// Parses a selector into matchers; errors say where and what was expected.
pub fn parse(input: &str) -> Result<Vec<Matcher>, String> {
    let mut p = Parser { s: input, pos: 0 };
    let mut out = Vec::new();
    p.skip_ws();
    if let Some(name) = p.ident() {
        out.push(Matcher::equal("__name__", name));
    }
    p.skip_ws();
    if p.eat('{') {
        loop {
            p.skip_ws();
            if p.eat('}') {
                break;
            }
            let name = match p.peek() {
                Some('"') | Some('\'') => p.string()?,
                _ => p.ident().ok_or_else(|| p.err("a label name"))?,
            };
            p.skip_ws();
            let op = if p.eat_str("=~") {
                Some(MatchOp::RegexMatch)
            } else if p.eat_str("!~") {
                Some(MatchOp::RegexNoMatch)
            } else if p.eat_str("!=") {
                Some(MatchOp::NotEqual)
            } else if p.eat('=') {
                Some(MatchOp::Equal)
            } else {
                None
            };
            match op {
                Some(op) => {
                    p.skip_ws();
                    let value = p.string()?;
                    out.push(Matcher::new(op, name, value).map_err(|e| e.to_string())?);
                }
                // A bare quoted name inside braces is the metric name (Prometheus 3 syntax).
                None => out.push(Matcher::equal("__name__", name)),
            }
            p.skip_ws();
            if p.eat(',') {
                continue;
            }
            if p.eat('}') {
                break;
            }
            return Err(p.err("',' or '}'"));
        }
    }
    p.skip_ws();
    if p.pos != input.len() {
        return Err(p.err("end of selector"));
    }
    if out.is_empty() || out.iter().all(|m| m.matches_empty()) {
        return Err(format!(
            "selector {input:?} must contain at least one matcher that does not match the empty string"
        ));
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn skip_ws(&mut self) {
        let n = self.rest().len() - self.rest().trim_start().len();
        self.pos += n;
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn eat_str(&mut self, t: &str) -> bool {
        if self.rest().starts_with(t) {
            self.pos += t.len();
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        let n: usize = self
            .rest()
            .char_indices()
            .take_while(|(i, c)| c.is_ascii_alphabetic() || *c == '_' || *c == ':' || (*i > 0 && c.is_ascii_digit()))
            .map(|(_, c)| c.len_utf8())
            .sum();
        if n == 0 {
            return None;
        }
        let id = self.rest()[..n].to_string();
        self.pos += n;
        Some(id)
    }
    fn string(&mut self) -> Result<String, String> {
        let quote = match self.peek() {
            Some(q @ ('"' | '\'')) => q,
            _ => return Err(self.err("a quoted string")),
        };
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += i + 1;
                return Ok(out);
            }
            if c == '\\' {
                match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, other)) => out.push(other),
                    None => break,
                }
            } else {
                out.push(c);
            }
        }
        Err(format!("unterminated string starting at column {}", self.pos))
    }
    fn err(&self, expected: &str) -> String {
        format!("bad selector {:?}: expected {expected} at column {}", self.s, self.pos + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        let m = parse(r#"up{job="a", instance=~"h.*"}"#).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].value, "up");
        let m = parse(r#"{"http.server.duration", service!="a"}"#).unwrap();
        assert_eq!(m[0].name, "__name__");
        assert_eq!(m[0].value, "http.server.duration");
        assert_eq!(m[1].op, MatchOp::NotEqual);
    }

    #[test]
    fn errors_name_position() {
        let e = parse(r#"up{job="a""#).unwrap_err();
        assert!(e.contains("column"), "{e}");
        assert!(parse(r#"{job=~".*"}"#).unwrap_err().contains("empty string"));
    }
}
