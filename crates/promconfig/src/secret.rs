//! Secrets in configuration (passwords, tokens, keys): they never print. `Debug` and
//! serialization show `<secret>` like Prometheus's `config.Secret`, so a secret cannot reach a
//! log line or `/api/v1/status/config` by accident; [`Secret::expose`] is the one way to read it.

use std::fmt;

/// A secret string read from configuration.
#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

/// What a secret prints as, wherever it is shown.
pub const MASK: &str = "<secret>";

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret's value, for the request that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { MASK })
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { MASK })
    }
}

/// Why a secret file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {field} {path}: {source}")]
pub struct SecretFileError {
    pub field: &'static str,
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// The value of a secret given inline or in a file (`password` / `password_file`). The file is
/// read at each call, so rotated credentials are picked up without a reload; surrounding
/// whitespace is trimmed like Prometheus does.
pub fn resolve(
    inline: Option<&Secret>,
    file: Option<&str>,
    field: &'static str,
) -> Result<Option<String>, SecretFileError> {
    match (inline, file) {
        (Some(s), _) => Ok(Some(s.expose().to_string())),
        (None, Some(path)) if !path.is_empty() => std::fs::read_to_string(path)
            .map(|s| Some(s.trim().to_string()))
            .map_err(|source| SecretFileError { field, path: path.to_string(), source }),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "<secret>");
        assert_eq!(Secret::new("hunter2").expose(), "hunter2");
    }

    #[test]
    fn files_are_read_and_trimmed() {
        let dir = std::env::temp_dir().join(format!("promconfig-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "abc\n").unwrap();
        let got = resolve(None, path.to_str(), "credentials_file").unwrap();
        assert_eq!(got.as_deref(), Some("abc"));
        let e = resolve(None, Some("/nonexistent/x"), "password_file").unwrap_err().to_string();
        assert!(e.starts_with("cannot read password_file /nonexistent/x"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
