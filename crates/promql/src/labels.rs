//! Small label-set edits the evaluator needs (drop, keep, set), always producing sorted,
//! duplicate-free sets.

use std::sync::Arc;

use tsdb::{Label, Labels, METRIC_NAME};

/// The label set without `__name__`.
pub(crate) fn without_name(l: &Labels) -> Labels {
    if l.get(METRIC_NAME).is_none() {
        return l.clone();
    }
    from_sorted(l.iter().filter(|x| &*x.name != METRIC_NAME).cloned().collect())
}

/// The label set restricted to (`keep` = true) or stripped of (`keep` = false) `names`.
/// Stripping always removes `__name__` too, as `without` and `ignoring` do.
pub(crate) fn project(l: &Labels, names: &[String], keep: bool) -> Labels {
    from_sorted(
        l.iter()
            .filter(|x| {
                let listed = names.iter().any(|n| *n == *x.name);
                if keep { listed } else { !listed && &*x.name != METRIC_NAME }
            })
            .cloned()
            .collect(),
    )
}

/// Sets (or, with an empty value, removes) one label.
pub(crate) fn set(l: &Labels, name: &str, value: &str) -> Labels {
    let mut v: Vec<Label> = l.iter().filter(|x| &*x.name != name).cloned().collect();
    if !value.is_empty() {
        let pos = v.partition_point(|x| &*x.name < name);
        v.insert(pos, Label { name: Arc::from(name), value: Arc::from(value) });
    }
    from_sorted(v)
}

/// Builds a set from labels already sorted and unique; never fails for such input.
pub(crate) fn from_sorted(v: Vec<Label>) -> Labels {
    Labels::from_sorted(v).unwrap_or_default()
}

/// A key identifying a label set restricted to (or without) some names, for grouping and
/// vector matching. Built as a byte string so that it can be hashed and compared cheaply.
pub(crate) fn signature(l: &Labels, names: &[String], on: bool) -> Vec<u8> {
    let mut key = Vec::with_capacity(64);
    for x in l.iter() {
        let listed = names.iter().any(|n| *n == *x.name);
        let include = if on { listed } else { !listed && &*x.name != METRIC_NAME };
        if include {
            key.extend_from_slice(x.name.as_bytes());
            key.push(0xff);
            key.extend_from_slice(x.value.as_bytes());
            key.push(0xfe);
        }
    }
    key
}
