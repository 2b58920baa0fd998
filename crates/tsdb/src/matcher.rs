//! Label matchers (`=`, `!=`, `=~`, `!~`) as PromQL selectors use them.
//!
//! Regexes are fully anchored, as in Prometheus. A matcher that matches the empty string also
//! matches series that lack the label entirely; the index relies on that rule.

use regex::Regex;

/// The four matcher kinds of a PromQL selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    RegexMatch,
    RegexNoMatch,
}

/// A compiled label matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    regex: Option<Regex>,
}

/// A regex in a matcher that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("invalid regular expression {pattern:?} in matcher for label {name:?}: {source}")]
pub struct MatcherError {
    pub name: String,
    pub pattern: String,
    #[source]
    pub source: regex::Error,
}

impl Matcher {
    pub fn new(op: MatchOp, name: impl Into<String>, value: impl Into<String>) -> Result<Self, MatcherError> {
        let name = name.into();
        let value = value.into();
        let regex = match op {
            MatchOp::RegexMatch | MatchOp::RegexNoMatch => {
                let anchored = format!("^(?s:{value})$");
                Some(Regex::new(&anchored).map_err(|source| MatcherError {
                    name: name.clone(),
                    pattern: value.clone(),
                    source,
                })?)
            }
            _ => None,
        };
        Ok(Matcher { name, op, value, regex })
    }

    /// Shorthand for an equality matcher, which cannot fail.
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Self {
        Matcher { name: name.into(), op: MatchOp::Equal, value: value.into(), regex: None }
    }

    /// Whether a label value (empty when the label is absent) satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            MatchOp::RegexMatch => self.regex.as_ref().is_some_and(|r| r.is_match(value)),
            MatchOp::RegexNoMatch => !self.regex.as_ref().is_some_and(|r| r.is_match(value)),
        }
    }

    /// Whether the matcher is satisfied by a series that lacks the label.
    pub fn matches_empty(&self) -> bool {
        self.matches("")
    }

    /// Evaluates the matcher against a whole label set (absent label = empty value).
    pub fn matches_labels(&self, labels: &crate::Labels) -> bool {
        self.matches(labels.get(&self.name).unwrap_or(""))
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::RegexMatch => "=~",
            MatchOp::RegexNoMatch => "!~",
        };
        write!(f, "{}{}{:?}", self.name, op, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_anchored() {
        let m = Matcher::new(MatchOp::RegexMatch, "job", "node").unwrap();
        assert!(m.matches("node"));
        assert!(!m.matches("node_exporter"));
        let m = Matcher::new(MatchOp::RegexNoMatch, "job", "n.*").unwrap();
        assert!(!m.matches("node"));
        assert!(m.matches(""));
    }

    #[test]
    fn bad_regex_names_label() {
        let e = Matcher::new(MatchOp::RegexMatch, "job", "(").unwrap_err();
        assert!(e.to_string().contains("job"), "{e}");
    }
}
