//! Inhibition: a firing alert matching a rule's source matchers mutes alerts matching its target
//! matchers when the `equal` labels agree (a label missing on both sides counts as equal).
//! Like Alertmanager, when an alert matches both sides of a rule, sources that also match the
//! target side cannot inhibit it, so an alert never inhibits itself or its own kind.

use std::collections::HashMap;

use crate::labels::{Fingerprint, LabelSet};
use crate::matchers::Matchers;

/// One compiled `inhibit_rules` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct InhibitRule {
    pub source: Matchers,
    pub target: Matchers,
    pub equal: Vec<String>,
}

impl InhibitRule {
    pub fn new(source: Matchers, target: Matchers, equal: Vec<String>) -> InhibitRule {
        InhibitRule { source, target, equal }
    }

    fn key(&self, labels: &LabelSet) -> Vec<String> {
        self.equal.iter().map(|n| labels.get(n).cloned().unwrap_or_default()).collect()
    }
}

#[derive(Debug, Clone)]
struct Source {
    fp: Fingerprint,
    matches_target: bool,
}

/// The rules plus an index of the firing alerts matching each rule's source side, keyed by
/// their `equal` label values; rebuilt from the alert store when the alerts change.
#[derive(Debug, Clone, Default)]
pub struct Inhibitor {
    rules: Vec<InhibitRule>,
    sources: Vec<HashMap<Vec<String>, Vec<Source>>>,
}

impl Inhibitor {
    pub fn new(rules: Vec<InhibitRule>) -> Inhibitor {
        let sources = vec![HashMap::new(); rules.len()];
        Inhibitor { rules, sources }
    }

    /// Re-indexes source alerts from `(fingerprint, labels)` of the alerts firing now.
    pub fn rebuild<'a>(&mut self, firing: impl Iterator<Item = (Fingerprint, &'a LabelSet)>) {
        for s in &mut self.sources {
            s.clear();
        }
        if self.rules.is_empty() {
            return;
        }
        for (fp, labels) in firing {
            for (rule, index) in self.rules.iter().zip(self.sources.iter_mut()) {
                if rule.source.matches(labels) {
                    let src = Source { fp, matches_target: rule.target.matches(labels) };
                    index.entry(rule.key(labels)).or_default().push(src);
                }
            }
        }
    }

    /// The fingerprint of a firing alert that inhibits an alert with these labels, if any.
    pub fn inhibited_by(&self, fp: Fingerprint, labels: &LabelSet) -> Option<Fingerprint> {
        for (rule, index) in self.rules.iter().zip(&self.sources) {
            if !rule.target.matches(labels) {
                continue;
            }
            let two_sided = rule.source.matches(labels);
            let Some(candidates) = index.get(&rule.key(labels)) else { continue };
            if let Some(s) = candidates.iter().find(|s| s.fp != fp && !(two_sided && s.matches_target)) {
                return Some(s.fp);
            }
        }
        None
    }

    pub fn rules(&self) -> &[InhibitRule] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::fingerprint;
    use crate::matchers::parse_matchers;

    fn ls(s: &str) -> LabelSet {
        parse_matchers(s).unwrap().into_iter().map(|m| (m.name, m.value)).collect()
    }

    fn rule(source: &str, target: &str, equal: &[&str]) -> InhibitRule {
        InhibitRule::new(
            Matchers(parse_matchers(source).unwrap()),
            Matchers(parse_matchers(target).unwrap()),
            equal.iter().map(|s| s.to_string()).collect(),
        )
    }

    fn inhibitor(rules: Vec<InhibitRule>, firing: &[LabelSet]) -> Inhibitor {
        let mut ih = Inhibitor::new(rules);
        ih.rebuild(firing.iter().map(|l| (fingerprint(l), l)));
        ih
    }

    fn check(ih: &Inhibitor, target: &LabelSet) -> Option<Fingerprint> {
        ih.inhibited_by(fingerprint(target), target)
    }

    #[test]
    fn critical_inhibits_warning_with_equal_labels() {
        let crit = ls("alertname=Down, service=api, severity=critical");
        let ih = inhibitor(
            vec![rule("severity=critical", "severity=warning", &["alertname", "service"])],
            std::slice::from_ref(&crit),
        );
        assert_eq!(check(&ih, &ls("alertname=Down, service=api, severity=warning")), Some(fingerprint(&crit)));
        assert_eq!(check(&ih, &ls("alertname=Down, service=db, severity=warning")), None, "service differs");
        assert_eq!(check(&ih, &ls("alertname=Other, service=api, severity=warning")), None, "alertname differs");
        assert_eq!(check(&ih, &ls("alertname=Down, service=api, severity=info")), None, "not a target");
        assert_eq!(check(&ih, &crit), None, "the source itself");
    }

    #[test]
    fn missing_equal_labels_count_as_equal() {
        let src = ls("alertname=NodeDown");
        let ih = inhibitor(vec![rule("alertname=NodeDown", "severity=~warning|info", &["cluster"])], &[src]);
        assert!(check(&ih, &ls("alertname=X, severity=info")).is_some(), "both lack cluster");
        assert!(check(&ih, &ls("alertname=X, severity=info, cluster=eu")).is_none());
    }

    #[test]
    fn no_source_no_inhibition_and_regex_rules() {
        let ih = inhibitor(vec![rule("severity=critical", "severity=warning", &[])], &[]);
        assert!(check(&ih, &ls("severity=warning")).is_none());
        let ih = inhibitor(
            vec![rule(r#"alertname=~"Cluster.*""#, r#"alertname!~"Cluster.*""#, &[])],
            &[ls("alertname=ClusterDown")],
        );
        assert!(check(&ih, &ls("alertname=PodCrash")).is_some());
        assert!(check(&ih, &ls("alertname=ClusterSlow")).is_none());
    }

    #[test]
    fn two_sided_matches_do_not_inhibit_each_other() {
        // Both alerts match source and target: neither may inhibit the other.
        let r = rule("team=ops", "team=ops", &["alertname"]);
        let a = ls("alertname=X, team=ops, instance=a");
        let b = ls("alertname=X, team=ops, instance=b");
        let ih = inhibitor(vec![r.clone()], &[a.clone(), b.clone()]);
        assert!(check(&ih, &a).is_none());
        assert!(check(&ih, &b).is_none());
        // A source that does not match the target side still inhibits a two-sided alert.
        let r = rule("team=~ops|sre", "team=ops", &[]);
        let ih = inhibitor(vec![r], &[ls("team=sre")]);
        assert!(check(&ih, &ls("team=ops")).is_some());
    }
}
