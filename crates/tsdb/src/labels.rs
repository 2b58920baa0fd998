//! Label sets: the identity of a series.
//!
//! A series is identified by its sorted, duplicate-free set of label pairs, one of which is
//! `__name__`. Names and values are any valid UTF-8 (Prometheus 3 rules); the only structural
//! constraints are that `__name__` is present and non-empty, that names are non-empty, and that
//! values are non-empty (an empty value means "label absent" in Prometheus semantics, so it is
//! dropped rather than stored).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The reserved label holding the metric name.
pub const METRIC_NAME: &str = "__name__";

/// One label pair. Strings are reference-counted so that the head can intern them: thousands of
/// series share `job`, `instance` and metric-name strings, and interning keeps RAM per series low.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    pub name: Arc<str>,
    pub value: Arc<str>,
}

impl Label {
    pub fn new(name: impl Into<Arc<str>>, value: impl Into<Arc<str>>) -> Self {
        Label { name: name.into(), value: value.into() }
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={:?}", self.name, self.value)
    }
}

/// Why a label set cannot identify a series.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("series has no metric name (label __name__ is missing or empty)")]
    MissingMetricName,
    #[error("label name is empty")]
    EmptyName,
    #[error("labels are not sorted by name: {prev:?} comes before {next:?}")]
    Unsorted { prev: String, next: String },
    #[error("duplicate label name {0:?}")]
    Duplicate(String),
}

/// A sorted, duplicate-free label set. Cheap to clone (one reference count).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Labels(Arc<[Label]>);

impl Labels {
    /// Builds a label set from pairs in any order: sorts them, drops empty values and rejects
    /// duplicate or empty names. Use [`Labels::from_sorted`] when the input promises order.
    pub fn new(mut pairs: Vec<Label>) -> Result<Self, LabelError> {
        pairs.retain(|l| !l.value.is_empty());
        pairs.sort_by(|a, b| a.name.cmp(&b.name));
        Self::from_sorted(pairs)
    }

    /// Builds a label set from pairs that must already be sorted by name. Empty values are
    /// dropped; unsorted or duplicate names are errors (remote-write senders must sort).
    pub fn from_sorted(mut pairs: Vec<Label>) -> Result<Self, LabelError> {
        pairs.retain(|l| !l.value.is_empty());
        for w in pairs.windows(2) {
            match w[0].name.cmp(&w[1].name) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => return Err(LabelError::Duplicate(w[0].name.to_string())),
                std::cmp::Ordering::Greater => {
                    return Err(LabelError::Unsorted { prev: w[0].name.to_string(), next: w[1].name.to_string() });
                }
            }
        }
        if pairs.iter().any(|l| l.name.is_empty()) {
            return Err(LabelError::EmptyName);
        }
        Ok(Labels(pairs.into()))
    }

    /// Convenience for tests and literals: `Labels::from_pairs(&[("__name__", "up")])`.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Self, LabelError> {
        Self::new(pairs.iter().map(|(n, v)| Label::new(*n, *v)).collect())
    }

    /// Checks what a stored series needs beyond well-formedness: a non-empty metric name.
    pub fn validate_series(&self) -> Result<(), LabelError> {
        match self.get(METRIC_NAME) {
            Some(n) if !n.is_empty() => Ok(()),
            _ => Err(LabelError::MissingMetricName),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.binary_search_by(|l| (*l.name).cmp(name)).ok().map(|i| &*self.0[i].value)
    }

    pub fn metric_name(&self) -> &str {
        self.get(METRIC_NAME).unwrap_or("")
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_slice(&self) -> &[Label] {
        &self.0
    }

    /// A stable 64-bit fingerprint (xxh3 over names and values with separators). Used to find
    /// a series by labels; collisions are resolved by comparing the full label set.
    pub fn fingerprint(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for l in self.0.iter() {
            h.update(l.name.as_bytes());
            h.update(&[0xff]);
            h.update(l.value.as_bytes());
            h.update(&[0xff]);
        }
        h.digest()
    }

    /// Approximate heap bytes held by this set when its strings are not shared.
    pub fn heap_size(&self) -> usize {
        self.0.len() * std::mem::size_of::<Label>() + self.0.iter().map(|l| l.name.len() + l.value.len()).sum::<usize>()
    }
}

impl Hash for Labels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.fingerprint());
    }
}

impl fmt::Display for Labels {
    /// Prometheus' series notation: `name{a="b", c="d"}`; quoted when a name is not a classic
    /// identifier, as Prometheus 3 prints UTF-8 names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.metric_name();
        let classic = is_classic_metric_name(name);
        let mut first = true;
        if classic {
            f.write_str(name)?;
        }
        f.write_str("{")?;
        if !classic && !name.is_empty() {
            write!(f, "{:?}", name)?;
            first = false;
        }
        for l in self.0.iter().filter(|l| &*l.name != METRIC_NAME) {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            if is_classic_label_name(&l.name) {
                write!(f, "{}={:?}", l.name, l.value)?;
            } else {
                write!(f, "{:?}={:?}", l.name, l.value)?;
            }
        }
        f.write_str("}")
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`: names that need no quoting in PromQL.
pub fn is_classic_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`: label names that need no quoting in PromQL.
pub fn is_classic_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_and_drops_empty_values() {
        let l = Labels::from_pairs(&[("b", "2"), ("__name__", "m"), ("a", ""), ("c", "3")]).unwrap();
        let names: Vec<_> = l.iter().map(|l| l.name.to_string()).collect();
        assert_eq!(names, ["__name__", "b", "c"]);
        assert_eq!(l.get("c"), Some("3"));
        assert_eq!(l.get("a"), None);
    }

    #[test]
    fn rejects_duplicates_and_unsorted() {
        assert_eq!(Labels::from_pairs(&[("a", "1"), ("a", "2")]), Err(LabelError::Duplicate("a".into())));
        let unsorted = vec![Label::new("b", "1"), Label::new("a", "1")];
        assert!(matches!(Labels::from_sorted(unsorted), Err(LabelError::Unsorted { .. })));
    }

    #[test]
    fn metric_name_required() {
        let l = Labels::from_pairs(&[("job", "x")]).unwrap();
        assert_eq!(l.validate_series(), Err(LabelError::MissingMetricName));
    }

    #[test]
    fn display_quotes_utf8_names() {
        let l = Labels::from_pairs(&[("__name__", "http.server.duration"), ("service", "a")]).unwrap();
        assert_eq!(l.to_string(), r#"{"http.server.duration", service="a"}"#);
        let l = Labels::from_pairs(&[("__name__", "up"), ("job", "n")]).unwrap();
        assert_eq!(l.to_string(), r#"up{job="n"}"#);
    }

    #[test]
    fn fingerprint_distinguishes_boundaries() {
        let a = Labels::from_pairs(&[("__name__", "ab"), ("c", "d")]).unwrap();
        let b = Labels::from_pairs(&[("__name__", "a"), ("bc", "d")]).unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
