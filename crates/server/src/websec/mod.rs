//! Server-side security from `--web.config.file`, in the Prometheus exporter-toolkit web
//! configuration format: TLS (with client certificates), HTTP basic authentication, extra
//! response headers and a rate limit, applied to every route of the one port.
//!
//! [`WebSecurity`] holds the configuration in force. A reload ([`WebSecurity::reload`], on
//! SIGHUP or `POST /-/reload`) re-reads the file: new certificates and users apply to new
//! connections and requests at once; a bad file changes nothing. Whether TLS is on at all is
//! fixed at start (as in Prometheus): turning it on or off needs a restart.

pub mod auth;
pub mod config;
pub mod tls;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::http::{HeaderName, HeaderValue};

pub use config::WebConfigError;

/// The configuration in force, swapped whole on reload.
pub struct Active {
    /// User → bcrypt hash; empty: no authentication.
    pub users: BTreeMap<String, String>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub limiter: Option<auth::RateLimiter>,
    /// What the file says about client certificates, for logs and `vigil check web-config`.
    pub client_auth: String,
}

impl Active {
    /// One line for logs: what is on.
    pub fn summary(&self) -> String {
        let tls = match &self.tls {
            Some(_) => format!("TLS on (client_auth_type {})", self.client_auth),
            None => "TLS off".to_string(),
        };
        format!(
            "{tls}, {} basic auth users, {} extra headers, rate limit {}",
            self.users.len(),
            self.headers.len(),
            if self.limiter.is_some() { "on" } else { "off" }
        )
    }
}

/// A checked configuration waiting to be put in force ([`WebSecurity::commit`]).
pub struct Prepared(Active);

/// The web configuration in force and what it needs between requests.
pub struct WebSecurity {
    path: PathBuf,
    tls: bool,
    active: RwLock<Arc<Active>>,
    pub(crate) passwords: auth::PasswordCheck,
}

impl WebSecurity {
    /// Reads and checks the file (certificates and keys included).
    pub fn load(path: &Path) -> Result<Arc<Self>, WebConfigError> {
        let active = build(path)?;
        Ok(Arc::new(WebSecurity {
            path: path.to_path_buf(),
            tls: active.tls.is_some(),
            active: RwLock::new(Arc::new(active)),
            passwords: auth::PasswordCheck::default(),
        }))
    }

    /// Re-reads and checks the file without changing anything yet.
    pub fn prepare(&self) -> Result<Prepared, WebConfigError> {
        let active = build(&self.path)?;
        let origin = self.path.display().to_string();
        match (self.tls, active.tls.is_some()) {
            (false, true) => Err(config::at(&origin, 0, "the file now configures TLS: turning TLS on needs a restart")),
            (true, false) => {
                Err(config::at(&origin, 0, "the file no longer configures TLS: turning TLS off needs a restart"))
            }
            _ => Ok(Prepared(active)),
        }
    }

    /// Puts a prepared configuration in force for new connections and requests.
    pub fn commit(&self, p: Prepared) {
        tracing::info!(file = %self.path.display(), "web config reloaded: {}", p.0.summary());
        *self.active.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(p.0);
    }

    /// [`prepare`](Self::prepare) and [`commit`](Self::commit).
    pub fn reload(&self) -> Result<(), WebConfigError> {
        let p = self.prepare()?;
        self.commit(p);
        Ok(())
    }

    pub fn tls_enabled(&self) -> bool {
        self.tls
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn active(&self) -> Arc<Active> {
        self.active.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The TLS configuration for a connection that starts now.
    pub fn tls_config(&self) -> Option<Arc<rustls::ServerConfig>> {
        self.active().tls.clone()
    }
}

/// Reads the file and builds everything it configures.
pub fn build(path: &Path) -> Result<Active, WebConfigError> {
    let loaded = config::load(path)?;
    let f = &loaded.file;
    let tls_section = f.tls_server_config.clone().unwrap_or_default();
    let tls = tls::build(&tls_section, &loaded.dir, &loaded.origin)?;
    let client_auth = tls_section
        .client_auth_type
        .as_ref()
        .map(|s| s.value.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "NoClientCert".into());
    let headers = f
        .http_server_config
        .iter()
        .flat_map(|h| h.headers.iter().flatten())
        .map(|(k, v)| {
            let name = HeaderName::try_from(k.as_str())
                .map_err(|e| config::at(&loaded.origin, v.referenced.line(), format!("header {k:?}: {e}")))?;
            let value = HeaderValue::try_from(v.value.as_str())
                .map_err(|e| config::at(&loaded.origin, v.referenced.line(), format!("header {k:?}: {e}")))?;
            Ok((name, value))
        })
        .collect::<Result<Vec<_>, WebConfigError>>()?;
    let users = f.basic_auth_users.iter().flatten().map(|(u, h)| (u.clone(), h.value.clone())).collect();
    let limiter = f.rate_limit.as_ref().and_then(|r| {
        let interval = r.interval.as_ref().map_or(std::time::Duration::ZERO, |d| d.value.0);
        (!interval.is_zero()).then(|| auth::RateLimiter::new(r.burst, interval))
    });
    Ok(Active { users, headers, tls: tls.map(Arc::new), limiter, client_auth })
}

/// Wraps a router so that every request, on every route (merged routers and the fallback
/// included), passes the rate limit and authentication and gets the configured headers.
pub fn protect(router: Router, sec: Arc<WebSecurity>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(sec, auth::middleware))
}

#[cfg(test)]
pub(crate) mod test_pki;
#[cfg(test)]
mod tests;
