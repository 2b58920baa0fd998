//! Cutting texts to a service's limit the way Alertmanager does, ending in `…` so a reader
//! sees the text was cut.

const MARKER: char = '…';

/// At most `n` characters: the first `n - 1` and `…` when longer (just the first `n` when
/// `n` is 3 or less), as Alertmanager's `TruncateInRunes`.
pub fn truncate_runes(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    if n <= 3 {
        return s.chars().take(n).collect();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push(MARKER);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_with_a_marker() {
        assert_eq!(truncate_runes("abcdef", 6), "abcdef");
        assert_eq!(truncate_runes("abcdef", 5), "abcd…");
        assert_eq!(truncate_runes("ééééé", 4), "ééé…");
        assert_eq!(truncate_runes("abcdef", 2), "ab");
    }
}
