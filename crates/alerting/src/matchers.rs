//! Label matchers in Alertmanager's syntax (`foo="bar"`, `foo!="bar"`, `foo=~"re"`, `foo!~"re"`,
//! unquoted values, `{a="b", c=~"d"}` lists): what `matchers:` in routes and inhibit rules,
//! amtool's arguments and the API's `filter=` parameters are written in. The parser follows
//! Alertmanager 0.25's `pkg/labels` (tolerant of whitespace, a trailing comma and stray
//! backslashes), and regexes are anchored at both ends like Alertmanager's.

use std::cmp::Ordering;
use std::fmt;

use regex::Regex;

use crate::labels::LabelSet;

/// The four comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl MatchOp {
    /// The operator as written (`=`, `!=`, `=~`, `!~`).
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }

    /// From the API's `isRegex` / `isEqual` pair.
    pub fn from_flags(is_regex: bool, is_equal: bool) -> MatchOp {
        match (is_regex, is_equal) {
            (false, true) => MatchOp::Equal,
            (false, false) => MatchOp::NotEqual,
            (true, true) => MatchOp::Regex,
            (true, false) => MatchOp::NotRegex,
        }
    }

    /// Whether this is a regex operator (the API's `isRegex`).
    pub fn is_regex(self) -> bool {
        matches!(self, MatchOp::Regex | MatchOp::NotRegex)
    }

    /// Whether this is a positive operator (the API's `isEqual`).
    pub fn is_equal(self) -> bool {
        matches!(self, MatchOp::Equal | MatchOp::Regex)
    }
}

/// One matcher: a label name, an operator and a value (a regex source for `=~`/`!~`).
#[derive(Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    re: Option<Regex>,
}

/// Why a matcher could not be parsed or built; the text names the matcher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MatcherError(pub String);

impl Matcher {
    /// Builds a matcher, compiling `=~`/`!~` values as anchored regexes (`^(?:value)$`).
    pub fn new(op: MatchOp, name: &str, value: &str) -> Result<Matcher, MatcherError> {
        let re = if op.is_regex() {
            let anchored = format!("^(?:{value})$");
            let re = Regex::new(&anchored).map_err(|e| {
                MatcherError(format!("invalid regular expression {value:?} in matcher {name}{}: {e}", op.as_str()))
            })?;
            Some(re)
        } else {
            None
        };
        Ok(Matcher { name: name.to_string(), op, value: value.to_string(), re })
    }

    /// Shorthand for an equality matcher (legacy `match:` entries).
    pub fn equal(name: &str, value: &str) -> Matcher {
        Matcher { name: name.to_string(), op: MatchOp::Equal, value: value.to_string(), re: None }
    }

    /// Whether a label value (empty when the label is absent) satisfies this matcher.
    pub fn matches_value(&self, v: &str) -> bool {
        match self.op {
            MatchOp::Equal => v == self.value,
            MatchOp::NotEqual => v != self.value,
            MatchOp::Regex => self.re.as_ref().is_some_and(|r| r.is_match(v)),
            MatchOp::NotRegex => !self.re.as_ref().is_some_and(|r| r.is_match(v)),
        }
    }

    /// Whether a label set satisfies this matcher; a missing label reads as the empty string.
    pub fn matches(&self, labels: &LabelSet) -> bool {
        self.matches_value(labels.get(&self.name).map_or("", String::as_str))
    }

    /// Whether this matcher accepts the empty string (a silence made only of such matchers
    /// would silence everything, which Alertmanager refuses).
    pub fn matches_empty(&self) -> bool {
        match self.op {
            MatchOp::Equal => self.value.is_empty(),
            MatchOp::Regex => self.matches_value(""),
            _ => false,
        }
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Matcher {
    /// `name="value"` with OpenMetrics escaping, like Alertmanager's `Matcher.String`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}\"{}\"", self.name, self.op.as_str(), escape(&self.value))
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Eq for Matcher {}

impl PartialOrd for Matcher {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Matcher {
    /// Alertmanager's order: name, then value, then operator.
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.name, &self.value, self.op).cmp(&(&other.name, &other.value, other.op))
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('"', "\\\"")
}

/// A conjunction of matchers: all must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matchers(pub Vec<Matcher>);

impl Matchers {
    /// Whether every matcher accepts the label set (true for an empty list).
    pub fn matches(&self, labels: &LabelSet) -> bool {
        self.0.iter().all(|m| m.matches(labels))
    }

    /// Sorts into Alertmanager's canonical order (route keys depend on it).
    pub fn sort(&mut self) {
        self.0.sort();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Matcher> {
        self.0.iter()
    }
}

impl fmt::Display for Matchers {
    /// `{a="b",c=~"d"}` (no space after commas), as in Alertmanager's route keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{m}")?;
        }
        f.write_str("}")
    }
}

/// Parses a comma-separated matcher list. Braces around the list are optional, commas inside
/// double quotes do not separate, and a trailing comma is ignored.
pub fn parse_matchers(s: &str) -> Result<Vec<Matcher>, MatcherError> {
    let s = s.strip_prefix('{').unwrap_or(s);
    let s = s.strip_suffix('}').unwrap_or(s);
    let mut tokens = Vec::new();
    let mut token = String::new();
    let (mut in_quotes, mut escaped) = (false, false);
    for c in s.chars() {
        match c {
            ',' if !in_quotes => {
                tokens.push(std::mem::take(&mut token));
                continue;
            }
            ',' => {}
            '"' => {
                if escaped {
                    escaped = false;
                } else {
                    in_quotes = !in_quotes;
                }
            }
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
        token.push(c);
    }
    if !token.trim().is_empty() {
        tokens.push(token.trim().to_string());
    }
    tokens.iter().map(|t| parse_matcher(t)).collect()
}

/// Parses one matcher: a label name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), an operator and a value that
/// may be double-quoted; `\"`, `\n` and `\\` are escapes inside it.
pub fn parse_matcher(s: &str) -> Result<Matcher, MatcherError> {
    let bad = |why: &str| MatcherError(format!("bad matcher format: {s}: {why}"));
    let t = s.trim_start();
    let name_len = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())))
        .map_or(t.len(), |(i, _)| i);
    if name_len == 0 {
        return Err(bad("expected a label name first (like severity=\"critical\")"));
    }
    let name = &t[..name_len];
    let rest = t[name_len..].trim_start();
    let (op, rest) = if let Some(r) = rest.strip_prefix("=~") {
        (MatchOp::Regex, r)
    } else if let Some(r) = rest.strip_prefix("!~") {
        (MatchOp::NotRegex, r)
    } else if let Some(r) = rest.strip_prefix("!=") {
        (MatchOp::NotEqual, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (MatchOp::Equal, r)
    } else {
        return Err(bad("expected one of =, !=, =~, !~ after the label name"));
    };
    let raw = rest.trim();
    let value = unquote(raw).map_err(|why| MatcherError(format!("bad matcher {s}: {why}")))?;
    Matcher::new(op, name, &value)
}

/// Removes optional surrounding quotes and resolves escapes like Alertmanager 0.25.
/// Why a matcher's value is not a valid (optionally quoted) string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum QuoteError {
    #[error("the value contains an unescaped double quote (write \\\" inside quotes)")]
    Unescaped,
    #[error("the value's opening double quote is never closed")]
    Unclosed,
}

fn unquote(raw: &str) -> Result<String, QuoteError> {
    let (body, mut expect_quote) = match raw.strip_prefix('"') {
        Some(b) => (b, true),
        None => (raw, false),
    };
    let mut out = String::with_capacity(body.len());
    let mut escaped = false;
    let last = body.char_indices().last().map(|(i, _)| i);
    for (i, c) in body.char_indices() {
        if escaped {
            escaped = false;
            match c {
                'n' => out.push('\n'),
                '"' | '\\' => out.push(c),
                _ => {
                    out.push('\\');
                    out.push(c);
                }
            }
            continue;
        }
        match c {
            '\\' if Some(i) != last => escaped = true,
            '"' => {
                if !expect_quote || Some(i) != last {
                    return Err(QuoteError::Unescaped);
                }
                expect_quote = false;
            }
            c => out.push(c),
        }
    }
    if expect_quote {
        return Err(QuoteError::Unclosed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
