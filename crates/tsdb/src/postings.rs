//! Label postings: for every label pair, the sorted list of series ids carrying it.
//!
//! Both the head and each block keep one [`MemPostings`]; [`select`] turns a list of matchers
//! into the ids that satisfy all of them by intersecting and subtracting postings lists, so a
//! selector never scans every series (only regex matchers scan the *values* of their label).

use std::collections::HashMap;
use std::sync::Arc;

use crate::labels::Labels;
use crate::matcher::{MatchOp, Matcher};

/// Postings lists keyed by label name, then value. Ids are appended in increasing order, so
/// every list stays sorted without re-sorting.
#[derive(Default, Debug)]
pub struct MemPostings {
    map: HashMap<Arc<str>, HashMap<Arc<str>, Vec<u32>>>,
    all: Vec<u32>,
}

impl MemPostings {
    /// Adds a series. `id` must be greater than every id added before.
    pub fn add(&mut self, id: u32, labels: &Labels) {
        for l in labels.iter() {
            self.map.entry(l.name.clone()).or_default().entry(l.value.clone()).or_default().push(id);
        }
        self.all.push(id);
    }

    /// Drops the given ids (sorted) from every list; used when the head forgets dead series.
    pub fn remove(&mut self, dead: &[u32]) {
        if dead.is_empty() {
            return;
        }
        let keep = |v: &mut Vec<u32>| v.retain(|id| dead.binary_search(id).is_err());
        keep(&mut self.all);
        self.map.retain(|_, values| {
            values.retain(|_, ids| {
                keep(ids);
                ids.shrink_to_fit();
                !ids.is_empty()
            });
            !values.is_empty()
        });
    }

    pub fn all(&self) -> &[u32] {
        &self.all
    }

    pub fn get(&self, name: &str, value: &str) -> &[u32] {
        self.map.get(name).and_then(|v| v.get(value)).map_or(&[], |v| v.as_slice())
    }

    /// Every value of a label name with its postings.
    pub fn values(&self, name: &str) -> impl Iterator<Item = (&str, &[u32])> {
        self.map.get(name).into_iter().flat_map(|v| v.iter().map(|(k, ids)| (&**k, ids.as_slice())))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|k| &**k)
    }

    pub fn num_series(&self) -> usize {
        self.all.len()
    }

    /// Number of distinct values of `name` (for cardinality reports).
    pub fn num_values(&self, name: &str) -> usize {
        self.map.get(name).map_or(0, |v| v.len())
    }
}

/// The ids of series satisfying every matcher.
///
/// Matchers that match the empty string (`a!="x"`, `a=~".*"`, `a=""`) also hold for series
/// without the label, so they subtract the non-matching values instead of intersecting the
/// matching ones. If every matcher is of that kind the start set is all series.
pub fn select(p: &MemPostings, matchers: &[Matcher]) -> Vec<u32> {
    let (negative, positive): (Vec<&Matcher>, Vec<&Matcher>) = matchers.iter().partition(|m| m.matches_empty());
    let mut result: Option<Vec<u32>> = None;
    // Cheapest first: equality lookups are exact and usually short.
    let mut positive = positive;
    positive.sort_by_key(|m| match m.op {
        MatchOp::Equal => p.get(&m.name, &m.value).len(),
        _ => usize::MAX,
    });
    for m in positive {
        let ids = if m.op == MatchOp::Equal {
            p.get(&m.name, &m.value).to_vec()
        } else {
            union(p.values(&m.name).filter(|(v, _)| m.matches(v)).map(|(_, ids)| ids))
        };
        result = Some(match result {
            None => ids,
            Some(r) => intersect(&r, &ids),
        });
        if result.as_ref().is_some_and(|r| r.is_empty()) {
            return Vec::new();
        }
    }
    let mut result = result.unwrap_or_else(|| p.all().to_vec());
    for m in negative {
        let drop = union(p.values(&m.name).filter(|(v, _)| !m.matches(v)).map(|(_, ids)| ids));
        result = subtract(&result, &drop);
    }
    result
}

/// Intersection of two sorted lists.
pub fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// `a` without the ids in `b` (both sorted).
pub fn subtract(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut j = 0;
    let mut out = Vec::with_capacity(a.len());
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j >= b.len() || b[j] != x {
            out.push(x);
        }
    }
    out
}

/// Union of sorted lists.
pub fn union<'a>(lists: impl Iterator<Item = &'a [u32]>) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for l in lists {
        out.extend_from_slice(l);
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn series_strategy() -> impl Strategy<Value = Vec<Vec<(usize, usize)>>> {
        // Up to 60 series over 3 label names with 4 values each (some absent).
        proptest::collection::vec(proptest::collection::vec((0usize..3, 0usize..4), 0..3), 1..60)
    }

    fn matcher_strategy() -> impl Strategy<Value = (usize, u8, String)> {
        let patterns = prop_oneof![
            Just("v0".to_string()),
            Just("v1|v2".to_string()),
            Just("v.*".to_string()),
            Just(".*".to_string()),
            Just("".to_string()),
            Just(".+".to_string()),
            Just("x".to_string()),
        ];
        (0usize..3, 0u8..4, patterns)
    }

    proptest! {
        /// Index lookups agree with checking every series by brute force.
        #[test]
        fn matchers_agree_with_brute_force(
            series in series_strategy(),
            matchers in proptest::collection::vec(matcher_strategy(), 1..4),
        ) {
            let names = ["a", "b", "c"];
            let mut postings = MemPostings::default();
            let mut all = Vec::new();
            for (id, pairs) in series.iter().enumerate() {
                let mut kv: Vec<(&str, String)> = vec![("__name__", "m".into())];
                for (n, v) in pairs {
                    if !kv.iter().any(|(k, _)| *k == names[*n]) {
                        kv.push((names[*n], format!("v{v}")));
                    }
                }
                let pairs: Vec<(&str, &str)> = kv.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let labels = Labels::from_pairs(&pairs).unwrap();
                postings.add(id as u32, &labels);
                all.push(labels);
            }
            let ms: Vec<Matcher> = matchers
                .iter()
                .map(|(n, op, v)| {
                    let op = [MatchOp::Equal, MatchOp::NotEqual, MatchOp::RegexMatch, MatchOp::RegexNoMatch][*op as usize];
                    Matcher::new(op, names[*n], v.clone()).unwrap()
                })
                .collect();
            let got = select(&postings, &ms);
            let want: Vec<u32> = all
                .iter()
                .enumerate()
                .filter(|(_, l)| ms.iter().all(|m| m.matches_labels(l)))
                .map(|(i, _)| i as u32)
                .collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn remove_drops_ids_everywhere() {
        let mut p = MemPostings::default();
        for i in 0..4u32 {
            let v = format!("{}", i % 2);
            p.add(i, &Labels::from_pairs(&[("__name__", "m"), ("x", &v)]).unwrap());
        }
        p.remove(&[1, 2]);
        assert_eq!(p.all(), &[0, 3]);
        assert_eq!(p.get("x", "0"), &[0]);
        assert_eq!(p.get("x", "1"), &[3]);
    }
}
