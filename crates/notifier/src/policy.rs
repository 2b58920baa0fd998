//! When Prometheus's rule manager hands alerts to the notifier, and with which times. The
//! rules crate owns alert state; these helpers keep its arithmetic identical to Prometheus's
//! `rules/alerting.go` and `cmd/prometheus` (`sendAlerts`).

/// `--rules.alert.resend-delay` default: a firing alert is re-sent at most this often.
pub const DEFAULT_RESEND_DELAY_MS: i64 = 60_000;

/// A resolved alert stays in the rule's active set, and so keeps being re-sent, this long
/// after it resolved (Prometheus's `resolvedRetention`), so Alertmanagers that missed the first
/// resolution still hear of it.
pub const RESOLVED_RETENTION_MS: i64 = 15 * 60_000;

/// Whether a firing or resolved (never pending) alert should be sent at `now_ms`: it resolved
/// since it was last sent, or it was last sent more than `resend_delay_ms` ago (never sent
/// counts as long ago).
pub fn needs_sending(
    last_sent_ms: Option<i64>,
    resolved_at_ms: Option<i64>,
    now_ms: i64,
    resend_delay_ms: i64,
) -> bool {
    let last = last_sent_ms.unwrap_or(i64::MIN);
    if resolved_at_ms.is_some_and(|r| r > last) {
        return true;
    }
    last.saturating_add(resend_delay_ms) < now_ms
}

/// The `endsAt` of a firing alert sent at `now_ms`: four times the larger of the resend delay
/// and the group's evaluation interval, so Alertmanager resolves the alert by itself only after
/// several missed sends.
pub fn valid_until(now_ms: i64, resend_delay_ms: i64, eval_interval_ms: i64) -> i64 {
    now_ms.saturating_add(resend_delay_ms.max(eval_interval_ms).saturating_mul(4))
}

/// The `endsAt` Prometheus sends: the resolution time of a resolved alert, the validity
/// horizon of a firing one.
pub fn ends_at(resolved_at_ms: Option<i64>, valid_until_ms: i64) -> i64 {
    resolved_at_ms.unwrap_or(valid_until_ms)
}

/// Whether a resolved alert is still kept (and re-sent) at `now_ms`.
pub fn still_retained(resolved_at_ms: Option<i64>, now_ms: i64) -> bool {
    resolved_at_ms.is_none_or(|r| now_ms.saturating_sub(r) <= RESOLVED_RETENTION_MS)
}

/// The `generatorURL` of an alert: the expression's table view in the web UI,
/// `{external_url}/graph?g0.expr=…&g0.tab=1` as Prometheus builds it.
pub fn generator_url(external_url: &str, expr: &str) -> String {
    format!("{}/graph?g0.expr={}&g0.tab=1", external_url.trim_end_matches('/'), query_escape(expr))
}

/// Go's `url.QueryEscape`: space becomes '+', unreserved bytes stay, the rest is %XX.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resend_rules_match_prometheus() {
        assert!(needs_sending(None, None, 0, DEFAULT_RESEND_DELAY_MS), "never sent");
        assert!(!needs_sending(Some(1000), None, 61_000, 60_000), "exactly the delay is not yet");
        assert!(needs_sending(Some(1000), None, 61_001, 60_000));
        assert!(needs_sending(Some(1000), Some(2000), 2000, 60_000), "resolved since last send");
        assert!(!needs_sending(Some(2000), Some(2000), 3000, 60_000));
        assert_eq!(valid_until(0, 60_000, 15_000), 240_000);
        assert_eq!(valid_until(0, 60_000, 120_000), 480_000);
        assert_eq!(ends_at(Some(5), 10), 5);
        assert!(still_retained(Some(0), RESOLVED_RETENTION_MS) && !still_retained(Some(0), RESOLVED_RETENTION_MS + 1));
    }

    #[test]
    fn generator_url_escapes_the_expression() {
        assert_eq!(
            generator_url("http://vigil:9090/", "up == 0"),
            "http://vigil:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1"
        );
    }
}
