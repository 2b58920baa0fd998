//! Label sets as Alertmanager sees them: a sorted name → value map, Prometheus's label-name
//! rule, and the FNV-1a fingerprint Alertmanager prints (so `fingerprint` fields in the API and
//! in webhook payloads are the same numbers Alertmanager would show for the same labels).

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An alert's or a group's labels, sorted by name.
pub type LabelSet = BTreeMap<String, String>;

/// A 64-bit label-set fingerprint, printed as 16 hex digits.
pub type Fingerprint = u64;

const FNV_OFFSET: u64 = 14_695_981_039_346_656_037;
const FNV_PRIME: u64 = 1_099_511_628_211;
const SEPARATOR: u8 = 0xff;

/// Prometheus's `model.LabelSet.Fingerprint`: FNV-1a over `name 0xff value 0xff` in name order.
pub fn fingerprint(labels: &LabelSet) -> Fingerprint {
    let mut h = FNV_OFFSET;
    let mut add = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    };
    for (name, value) in labels {
        name.bytes().for_each(&mut add);
        add(SEPARATOR);
        value.bytes().for_each(&mut add);
        add(SEPARATOR);
    }
    h
}

/// A fingerprint as Alertmanager prints it (`%016x`).
pub fn fingerprint_hex(fp: Fingerprint) -> String {
    format!("{fp:016x}")
}

/// Parses [`fingerprint_hex`] back.
pub fn parse_fingerprint(s: &str) -> Option<Fingerprint> {
    u64::from_str_radix(s, 16).ok()
}

/// Prometheus's legacy label-name rule `[a-zA-Z_][a-zA-Z0-9_]*`, which Alertmanager 0.25 applies
/// to alert labels, `match` keys, `group_by` and `equal`.
pub fn is_valid_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
        _ => return false,
    }
    bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `model.LabelSet.String()`: `{a="1", b="2"}` with Go's `%q` quoting. Group keys contain it.
pub fn label_set_string(labels: &LabelSet) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{k}={}", go_quote(v));
    }
    out.push('}');
    out
}

/// Prometheus's `LabelSet.Before`: fewer labels first, then the first differing value in name
/// order (a set lacking a name sorts first). Orders alerts and groups like Alertmanager.
pub fn label_set_before(a: &LabelSet, b: &LabelSet) -> bool {
    if a.len() != b.len() {
        return a.len() < b.len();
    }
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    for n in names {
        let Some(x) = a.get(n) else { return true };
        let Some(y) = b.get(n) else { return false };
        if x != y {
            return x < y;
        }
    }
    false
}

/// Go's `strconv.Quote` for the characters label values realistically hold.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(pairs: &[(&str, &str)]) -> LabelSet {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn fingerprint_matches_prometheus_model() {
        // Empty set: the FNV offset basis, as in prometheus/common's emptyLabelSignature.
        assert_eq!(fingerprint(&LabelSet::new()), FNV_OFFSET);
        // Order-independent by construction and different for different values.
        let a = ls(&[("alertname", "A"), ("job", "x")]);
        let b = ls(&[("job", "x"), ("alertname", "A")]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&ls(&[("alertname", "A"), ("job", "y")])));
        // Name/value boundaries matter: {a="bc"} differs from {ab="c"}.
        assert_ne!(fingerprint(&ls(&[("a", "bc")])), fingerprint(&ls(&[("ab", "c")])));
        assert_eq!(fingerprint_hex(0xab), "00000000000000ab");
        assert_eq!(parse_fingerprint("00000000000000ab"), Some(0xab));
    }

    #[test]
    fn label_names_and_strings() {
        assert!(is_valid_label_name("alertname"));
        assert!(is_valid_label_name("_x1"));
        assert!(!is_valid_label_name("1x"));
        assert!(!is_valid_label_name("a-b"));
        assert!(!is_valid_label_name(""));
        assert_eq!(label_set_string(&ls(&[("b", "2"), ("a", "x\"y")])), r#"{a="x\"y", b="2"}"#);
        assert_eq!(label_set_string(&LabelSet::new()), "{}");
    }
}
