//! Grafana's dashboard slugs: the readable tail of `/d/<uid>/<slug>` URLs and of `db/<slug>`
//! search URIs. Scripts compare these, so the rule must match Grafana's for plain titles.

/// The slug of a title: lowercase, every run of characters that are not ASCII letters or
/// digits turned into one `-`, no `-` at either end.
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut pending_dash = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn lowercases_and_joins_words_with_single_dashes() {
        assert_eq!(slugify("Cart Recovery - Business Metrics"), "cart-recovery-business-metrics");
        assert_eq!(slugify("EngLog - System Overview"), "englog-system-overview");
    }

    #[test]
    fn trims_and_collapses_separators() {
        assert_eq!(slugify("  --Hello,,  World!!  "), "hello-world");
        assert_eq!(slugify("a__b..c"), "a-b-c");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify(""), "");
    }

    #[test]
    fn keeps_digits() {
        assert_eq!(slugify("Node Exporter 1.8 (full)"), "node-exporter-1-8-full");
    }
}
