//! Secrets masked in configuration text before it is shown (`/api/v1/status/config`): the
//! file is kept as written — comments, order, layout — and only secret values become
//! `<secret>`, like Prometheus shows its `config.Secret` fields.

use crate::secret::MASK;

/// Keys whose value is a secret wherever they appear.
const SECRET_KEYS: [&str; 5] = ["password", "credentials", "bearer_token", "client_secret", "secrets"];

/// Keys whose children's values are all secrets.
const SECRET_PARENTS: [&str; 1] = ["proxy_connect_header"];

/// Returns `yaml` with every secret value replaced by `<secret>`.
pub fn mask_secrets(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len());
    // (indent, key) of the enclosing mappings.
    let mut parents: Vec<(usize, String)> = Vec::new();
    // Block-list items under a secret key are secrets too: the indent of that key.
    let mut secret_list_at: Option<usize> = None;
    // Lines of a secret block scalar (`key: |`) are dropped: the indent of that key.
    let mut skip_deeper_than: Option<usize> = None;
    for line in yaml.split_inclusive('\n') {
        let (text, newline) = match line.strip_suffix('\n') {
            Some(t) => (t, "\n"),
            None => (line, ""),
        };
        let trimmed = text.trim_start();
        let indent = text.len() - trimmed.len();
        if let Some(at) = skip_deeper_than {
            if trimmed.is_empty() || indent > at {
                continue;
            }
            skip_deeper_than = None;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push_str(line);
            continue;
        }
        if let Some(at) = secret_list_at {
            if indent >= at && trimmed.starts_with("- ") {
                out.push_str(&text[..indent]);
                out.push_str("- ");
                out.push_str(MASK);
                out.push_str(newline);
                continue;
            }
            secret_list_at = None;
        }
        // A list item's own key ("- password: x") sits two columns further in.
        // Flow mappings (`oauth2: {client_id: a, client_secret: b}`) are masked in place.
        let masked_flow;
        let (text, trimmed) = if trimmed.contains('{') {
            masked_flow = mask_flow(text);
            (masked_flow.as_str(), masked_flow.trim_start())
        } else {
            (text, trimmed)
        };
        let (item_offset, entry) = match trimmed.strip_prefix("- ") {
            Some(rest) => (2, rest),
            None => (0, trimmed),
        };
        let key_indent = indent + item_offset;
        while parents.last().is_some_and(|(i, _)| *i >= key_indent) {
            parents.pop();
        }
        let Some((key, value)) = split_key(entry) else {
            out.push_str(text);
            out.push_str(newline);
            continue;
        };
        let parent = parents.last().map(|(_, k)| k.as_str());
        let secret = SECRET_KEYS.contains(&key)
            || parent.is_some_and(|p| SECRET_PARENTS.contains(&p))
            || (key == "key" && parent == Some("tls_config"));
        let value = value.trim();
        if secret && !value.is_empty() {
            let shown = if value.starts_with('[') { format!("[{MASK}]") } else { MASK.to_string() };
            if value.starts_with('|') || value.starts_with('>') {
                skip_deeper_than = Some(key_indent);
            }
            out.push_str(&text[..key_indent]);
            out.push_str(key);
            out.push_str(": ");
            out.push_str(&shown);
            out.push_str(newline);
            continue;
        }
        if secret {
            secret_list_at = Some(key_indent);
        }
        if (key == "url" || key.ends_with("_url"))
            && let Some(masked) = mask_url_password(value)
        {
            out.push_str(&text[..key_indent]);
            out.push_str(key);
            out.push_str(": ");
            out.push_str(&masked);
            out.push_str(newline);
            continue;
        }
        if value.is_empty() || value.starts_with('|') || value.starts_with('>') {
            parents.push((key_indent, key.to_string()));
        }
        out.push_str(text);
        out.push_str(newline);
    }
    out
}

/// Masks secret values inside `{…}` flow mappings of one line: the secret keys anywhere, and
/// `key` inside a `tls_config: {…}`.
fn mask_flow(line: &str) -> String {
    static SECRET_VALUE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    static TLS_KEY: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let secret_value = SECRET_VALUE.get_or_init(|| {
        regex::Regex::new(
            r#"([{,]\s*["']?(?:password|credentials|bearer_token|client_secret|secrets)["']?\s*:\s*)(\[[^\]]*\]|'[^']*'|"[^"]*"|[^,}]+)"#,
        )
        .ok()
    });
    let tls_key = TLS_KEY.get_or_init(|| {
        regex::Regex::new(r#"(tls_config\s*:\s*\{[^}]*?[{,]?\s*key\s*:\s*)('[^']*'|"[^"]*"|[^,}]+)"#).ok()
    });
    let mut out = line.to_string();
    if let Some(re) = secret_value {
        out = re
            .replace_all(&out, |c: &regex::Captures<'_>| {
                let value = c.get(2).map_or("", |m| m.as_str()).trim_end();
                let shown = if value.starts_with('[') { format!("[{MASK}]") } else { MASK.to_string() };
                format!("{}{shown}", &c[1])
            })
            .into_owned();
    }
    if let Some(re) = tls_key {
        out = re.replace_all(&out, |c: &regex::Captures<'_>| format!("{}{MASK}", &c[1])).into_owned();
    }
    out
}

/// A URL with the password of its user info replaced (`http://u:<secret>@host`), if it has one.
fn mask_url_password(value: &str) -> Option<String> {
    let quote = value.chars().next().filter(|c| *c == '\'' || *c == '"');
    let inner = match quote {
        Some(q) => value.trim_matches(q),
        None => value.split(" #").next().unwrap_or(value).trim(),
    };
    let (scheme, rest) = inner.split_once("://")?;
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (userinfo, host) = rest[..authority_end].rsplit_once('@')?;
    let (user, _password) = userinfo.split_once(':')?;
    let masked = format!("{scheme}://{user}:{MASK}@{host}{}", &rest[authority_end..]);
    Some(match quote {
        Some(q) => format!("{q}{masked}{q}"),
        None => masked,
    })
}

/// `key: value` → (`key`, `value`), for plain keys.
fn split_key(entry: &str) -> Option<(&str, &str)> {
    let colon = entry.find(':')?;
    let key = &entry[..colon];
    let rest = &entry[colon + 1..];
    if key.is_empty() || !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    Some((key, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_everything_else_kept() {
        let yaml = "\
global:
  external_labels:
    key: not-a-secret # a label named key
scrape_configs:
  - job_name: a
    basic_auth:
      username: u
      password: hunter2
    authorization:
      credentials: tok-123
    bearer_token: bt-456
    oauth2:
      client_id: id
      client_secret: cs-789
      token_url: http://t
    tls_config:
      key: |
        -----BEGIN PRIVATE KEY-----
        abc
      cert_file: /c
    proxy_url: http://p:1
    proxy_connect_header:
      X-A: [s1-a, s2-b]
    http_headers:
      X-B:
        values: [visible]
        secrets:
          - hidden1
          - hidden2
  - job_name: b
    static_configs:
      - targets: ['x:1']
";
        let masked = mask_secrets(yaml);
        for secret in ["hunter2", "tok-123", "bt-456", "cs-789", "BEGIN PRIVATE", "s1-a", "s2-b", "hidden1", "hidden2"]
        {
            assert!(!masked.contains(secret), "{secret} leaked:\n{masked}");
        }
        for kept in [
            "key: not-a-secret # a label named key",
            "username: u",
            "client_id: id",
            "values: [visible]",
            "- job_name: b",
            "targets: ['x:1']",
            "cert_file: /c",
        ] {
            assert!(masked.contains(kept), "{kept} lost:\n{masked}");
        }
        assert!(masked.contains("      password: <secret>\n"), "{masked}");
        assert!(masked.contains("      X-A: [<secret>]\n"), "{masked}");
        assert!(masked.contains("          - <secret>\n"), "{masked}");
        assert!(masked.contains("      key: <secret>\n      cert_file: /c\n"), "{masked}");
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        let yaml = "    proxy_url: 'http://user:pw-123@proxy:3128'\n    url: http://a:b-456@host/path\n    token_url: http://t/x\n";
        let masked = mask_secrets(yaml);
        assert!(!masked.contains("pw-123") && !masked.contains("b-456"), "{masked}");
        assert!(masked.contains("proxy_url: 'http://user:<secret>@proxy:3128'"), "{masked}");
        assert!(masked.contains("url: http://a:<secret>@host/path"), "{masked}");
        assert!(masked.contains("token_url: http://t/x"), "{masked}");
    }

    #[test]
    fn flow_mappings_are_masked() {
        let yaml = "    oauth2: {client_id: c, client_secret: s-123, token_url: 'http://t'}\n    basic_auth: {username: u, password: 'p-456'}\n    tls_config: {ca_file: /ca, key: k-789}\n    http_headers: {X: {values: [v], secrets: [s1-a, s2-b]}}\n";
        let masked = mask_secrets(yaml);
        for secret in ["s-123", "p-456", "k-789", "s1-a", "s2-b"] {
            assert!(!masked.contains(secret), "{secret} leaked:\n{masked}");
        }
        assert!(masked.contains("client_id: c, client_secret: <secret>, token_url: 'http://t'}"), "{masked}");
        assert!(masked.contains("values: [v], secrets: [<secret>]}"), "{masked}");
        assert!(masked.contains("ca_file: /ca, key: <secret>}"), "{masked}");
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        let yaml = "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: x\n";
        assert_eq!(mask_secrets(yaml), yaml);
    }
}
