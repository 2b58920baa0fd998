//! TLS for SMTP (STARTTLS and port 465) from an e-mail config's `tls_config`: the system's
//! web PKI roots or the configured CA, an optional client certificate, the server name
//! (`server_name`, else the smarthost's host), and `insecure_skip_verify`. rustls with the
//! `ring` provider, built by [`httpclient::tls`] as every TLS client in Vigil is.

use std::sync::Arc;

use alerting::config::types::TlsConfig;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use crate::error::SetupError;

/// A ready TLS client setup for one smarthost.
#[derive(Clone)]
pub struct SmtpTls {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

/// Builds the TLS setup for `host` from `tls`, with Vigil's one TLS client stack (no ALPN:
/// SMTP does not negotiate protocols).
pub fn smtp_tls(tls: &TlsConfig, host: &str) -> Result<SmtpTls, SetupError> {
    let name = tls.server_name.as_deref().filter(|s| !s.is_empty()).unwrap_or(host).to_string();
    let server_name =
        ServerName::try_from(name.clone()).map_err(|error| SetupError::TlsServerName { name: name.clone(), error })?;
    tls.validate()?;
    let client = httpclient::tls::client_config(tls, &[])?;
    Ok(SmtpTls { config: client.config, server_name })
}
