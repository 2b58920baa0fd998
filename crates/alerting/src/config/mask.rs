//! The config as `/api/v2/status` shows it: re-encoded from the loaded file with every secret
//! replaced by `<secret>`, as Alertmanager's status does, so the API never leaks credentials.

use serde_json::Value;

/// Keys whose values are secrets anywhere in the file (Alertmanager's `Secret`/`SecretURL`
/// fields and Prometheus's HTTP client credentials).
const SECRET_KEYS: [&str; 20] = [
    "smtp_auth_password",
    "smtp_auth_secret",
    "slack_api_url",
    "opsgenie_api_key",
    "wechat_api_secret",
    "victorops_api_key",
    "auth_password",
    "auth_secret",
    "routing_key",
    "service_key",
    "api_key",
    "api_secret",
    "password",
    "credentials",
    "bearer_token",
    "client_secret",
    "bot_token",
    "token",
    "user_key",
    "webhook_url",
];

fn mask(v: &mut Value, in_slack: bool) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                let secret = SECRET_KEYS.contains(&k.as_str()) || (in_slack && k == "api_url") || k == "key";
                if secret && child.as_str().is_some_and(|s| !s.is_empty()) {
                    *child = Value::String("<secret>".into());
                } else {
                    mask(child, k == "slack_configs");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| mask(i, in_slack)),
        _ => {}
    }
}

/// Re-encodes alertmanager.yml with secrets masked; `None` if the text does not parse (it
/// always does for a loaded config).
pub fn masked_yaml(text: &str) -> Option<String> {
    let mut v: Value = serde_saphyr::from_str(text).ok()?;
    mask(&mut v, false);
    serde_saphyr::to_string(&v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        let text = "global:\n  smtp_auth_password: hunter2\n  slack_api_url: https://hooks.slack.com/x\nreceivers:\n  - name: r\n    slack_configs:\n      - api_url: https://hooks.slack.com/y\n        channel: '#c'\n    pagerduty_configs:\n      - routing_key: abc\n    webhook_configs:\n      - url: http://keep.me/\n        http_config:\n          basic_auth: {username: u, password: p}\n";
        let out = masked_yaml(text).unwrap();
        for secret in ["hunter2", "hooks.slack.com", "abc", ": p\n"] {
            assert!(!out.contains(secret), "{secret} leaked:\n{out}");
        }
        assert!(out.contains("http://keep.me/"), "{out}");
        assert!(out.contains("#c"), "{out}");
        assert!(out.contains("<secret>"), "{out}");
        assert!(out.contains("username: u"), "{out}");
    }
}
