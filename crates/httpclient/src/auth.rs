//! What `http_config` adds to each request: the `Authorization` header (basic auth,
//! `authorization`/`bearer_token`, or an OAuth2 token) and `http_headers`. Secret files are
//! read at each request, so rotated credentials are picked up without a reload. Used by the
//! pooled client and by the prober, which builds its requests itself.

use hyper::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use promconfig::HttpClientConfig;
use promconfig::http::{Authorization, BasicAuth, Header};
use promconfig::secret;

use crate::error::ClientError;
use crate::oauth2::TokenSource;
use crate::proxy::base64;

/// The credentials and headers of one `http_config`.
pub struct RequestAuth {
    basic: Option<BasicAuth>,
    authorization: Option<Authorization>,
    oauth2: Option<TokenSource>,
    headers: Vec<(String, Header)>,
}

impl std::fmt::Debug for RequestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials stay out of debug output; only which kinds are set.
        f.debug_struct("RequestAuth")
            .field("basic", &self.basic.is_some())
            .field("authorization", &self.authorization.is_some())
            .field("oauth2", &self.oauth2.is_some())
            .field("headers", &self.headers.len())
            .finish()
    }
}

impl RequestAuth {
    /// Prepares `cfg`'s credentials; OAuth2 tokens are fetched on first use.
    pub fn new(cfg: &HttpClientConfig, user_agent: &str) -> Result<RequestAuth, ClientError> {
        Ok(RequestAuth {
            basic: cfg.basic_auth.clone(),
            authorization: cfg.effective_authorization(),
            oauth2: cfg.oauth2.as_ref().map(|o| TokenSource::new(o, user_agent)).transpose()?,
            headers: cfg.http_headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        })
    }

    /// Adds `http_headers`, and the `Authorization` header when `with_credentials` and the
    /// request does not carry one already.
    pub async fn apply(&self, h: &mut HeaderMap, with_credentials: bool) -> Result<(), ClientError> {
        if with_credentials
            && !h.contains_key(AUTHORIZATION)
            && let Some(v) = self.authorization().await?
        {
            let value = HeaderValue::from_str(&v).map_err(|_| ClientError::HeaderValue("Authorization".into()))?;
            h.insert(AUTHORIZATION, value);
        }
        self.apply_headers(h)
    }

    /// The `Authorization` header value, if the config has credentials.
    pub async fn authorization(&self) -> Result<Option<String>, ClientError> {
        if let Some(b) = &self.basic {
            let user = match secret::resolve(None, b.username_file.as_deref(), "basic_auth username_file")? {
                Some(u) => u,
                None => b.username.clone(),
            };
            let pass = secret::resolve(b.password.as_ref(), b.password_file.as_deref(), "basic_auth password_file")?
                .unwrap_or_default();
            return Ok(Some(format!("Basic {}", base64(format!("{user}:{pass}").as_bytes()))));
        }
        if let Some(a) = &self.authorization {
            let creds = secret::resolve(a.credentials.as_ref(), a.credentials_file.as_deref(), "credentials_file")?
                .unwrap_or_default();
            return Ok(Some(format!("{} {creds}", a.scheme())));
        }
        if let Some(o) = &self.oauth2 {
            return Ok(Some(Box::pin(o.authorization()).await?));
        }
        Ok(None)
    }

    /// Sets every `http_headers` entry (values, then secrets, then file contents).
    pub fn apply_headers(&self, h: &mut HeaderMap) -> Result<(), ClientError> {
        for (name, header) in &self.headers {
            let key = HeaderName::from_bytes(name.as_bytes()).map_err(|_| ClientError::HeaderValue(name.clone()))?;
            let mut values: Vec<String> = header.values.clone();
            values.extend(header.secrets.iter().map(|s| s.expose().to_string()));
            for f in &header.files {
                if let Some(v) = secret::resolve(None, Some(f), "http_headers file")? {
                    values.push(v);
                }
            }
            h.remove(&key);
            for v in values {
                h.append(key.clone(), HeaderValue::from_str(&v).map_err(|_| ClientError::HeaderValue(name.clone()))?);
            }
        }
        Ok(())
    }
}
