//! TLS for SMTP (STARTTLS and port 465) from an e-mail config's `tls_config`: the system's
//! web PKI roots or the configured CA, an optional client certificate, the server name
//! (`server_name`, else the smarthost's host), and `insecure_skip_verify`. rustls with the
//! `ring` provider, as everywhere in Vigil. `min_version`/`max_version` are not applied:
//! rustls speaks TLS 1.2 and 1.3 only, which is what those settings usually ask for.

use std::sync::Arc;

use alerting::config::types::TlsConfig;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// A ready TLS client setup for one smarthost.
#[derive(Clone)]
pub struct SmtpTls {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// PEM bytes given inline or in a file.
fn pem(inline: Option<&str>, file: Option<&str>, what: &str) -> Result<Option<Vec<u8>>, String> {
    match (inline, file) {
        (Some(s), _) => Ok(Some(s.as_bytes().to_vec())),
        (None, Some(path)) => {
            std::fs::read(path).map(Some).map_err(|e| format!("cannot read tls_config {what} file {path}: {e}"))
        }
        (None, None) => Ok(None),
    }
}

/// Builds the TLS setup for `host` from `tls`.
pub fn smtp_tls(tls: &TlsConfig, host: &str) -> Result<SmtpTls, String> {
    let name = tls.server_name.as_deref().filter(|s| !s.is_empty()).unwrap_or(host).to_string();
    let server_name =
        ServerName::try_from(name.clone()).map_err(|e| format!("invalid TLS server name {name:?}: {e}"))?;
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    let builder = if tls.insecure_skip_verify {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(NoVerification(provider())))
    } else {
        let mut roots = RootCertStore::empty();
        match pem(tls.ca.as_deref(), tls.ca_file.as_deref(), "ca")? {
            Some(ca) => {
                for cert in CertificateDer::pem_slice_iter(&ca) {
                    let cert = cert.map_err(|e| format!("invalid CA certificate in tls_config: {e}"))?;
                    roots.add(cert).map_err(|e| format!("invalid CA certificate in tls_config: {e}"))?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        builder.with_root_certificates(roots)
    };
    let cert = pem(tls.cert.as_deref(), tls.cert_file.as_deref(), "cert")?;
    let key = pem(tls.key.as_ref().map(|k| k.expose()), tls.key_file.as_deref(), "key")?;
    let config = match (cert, key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_slice_iter(&cert)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("invalid client certificate in tls_config: {e}"))?;
            let key =
                PrivateKeyDer::from_pem_slice(&key).map_err(|e| format!("invalid client key in tls_config: {e}"))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| format!("invalid client certificate or key: {e}"))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => return Err("tls_config needs both a client certificate and its key, or neither".into()),
    };
    Ok(SmtpTls { config: Arc::new(config), server_name })
}

/// `insecure_skip_verify`: accepts any certificate (signatures are still checked, so the
/// handshake stays well-formed).
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
