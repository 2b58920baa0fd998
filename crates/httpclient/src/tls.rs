//! TLS client set-up from a `tls_config`: roots (webpki's, or the configured CA), client
//! certificate, versions, ALPN, and `insecure_skip_verify`. One implementation for every
//! outgoing TLS connection Vigil makes.

use std::sync::Arc;

use promconfig::http::{TlsConfig, TlsVersion};
use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

/// A `tls_config` that cannot be turned into a TLS client.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// A PEM file or inline PEM could not be read or holds nothing usable.
    #[error("cannot load {what} from {origin}: {reason}")]
    Pem { what: &'static str, origin: String, reason: String },
    /// rustls refused the configuration.
    #[error("invalid TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The pieces a TLS connection needs: the rustls config, the name to verify instead of the
/// host (`server_name`), and whether certificates are verified (the prober only reports a
/// verified chain's expiry).
#[derive(Clone)]
pub struct TlsClient {
    pub config: Arc<rustls::ClientConfig>,
    pub server_name: Option<String>,
    pub verifies: bool,
}

/// Builds the TLS client for `cfg`, offering `alpn` (e.g. `h2` and `http/1.1`).
pub fn client_config(cfg: &TlsConfig, alpn: &[&[u8]]) -> Result<TlsClient, TlsSetupError> {
    crate::install_crypto_provider();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls13_only = cfg.min_version == Some(TlsVersion::TLS13);
    let tls12_only = cfg.max_version == Some(TlsVersion::TLS12);
    let versions: &[&rustls::SupportedProtocolVersion] = match (tls13_only, tls12_only) {
        (true, _) => &[&rustls::version::TLS13],
        (false, true) => &[&rustls::version::TLS12],
        (false, false) => &[&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone()).with_protocol_versions(versions)?;
    let builder = if cfg.insecure_skip_verify {
        let verifier = NoVerifier { algorithms: provider.signature_verification_algorithms };
        builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier))
    } else {
        builder.with_root_certificates(roots(cfg)?)
    };
    let cert = pem_source(cfg.cert.as_deref(), cfg.cert_file.as_deref(), "cert");
    let key = pem_source(cfg.key.as_ref().map(|k| k.expose()), cfg.key_file.as_deref(), "key");
    let mut config = match (cert, key) {
        (Some(cert), Some(key)) => {
            let certs = load_certs(&cert, "client certificate")?;
            let key = match &key {
                Pem::Inline(text) => PrivateKeyDer::from_pem_slice(text.as_bytes()),
                Pem::File(path) => PrivateKeyDer::from_pem_file(path),
            }
            .map_err(|e| pem_err("private key", &key, e))?;
            builder.with_client_auth_cert(certs, key)?
        }
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(TlsClient {
        config: Arc::new(config),
        server_name: cfg.server_name.clone().filter(|s| !s.is_empty()),
        verifies: !cfg.insecure_skip_verify,
    })
}

/// Where a PEM comes from: inline text or a file.
enum Pem {
    Inline(String),
    File(String),
}

impl Pem {
    fn origin(&self, field: &str) -> String {
        match self {
            Pem::Inline(_) => format!("tls_config.{field}"),
            Pem::File(path) => path.clone(),
        }
    }
}

fn pem_source(inline: Option<&str>, file: Option<&str>, _field: &str) -> Option<Pem> {
    match (inline, file) {
        (Some(text), _) if !text.is_empty() => Some(Pem::Inline(text.to_string())),
        (_, Some(path)) if !path.is_empty() => Some(Pem::File(path.to_string())),
        _ => None,
    }
}

fn pem_err(what: &'static str, source: &Pem, e: impl std::fmt::Display) -> TlsSetupError {
    TlsSetupError::Pem { what, origin: source.origin(what), reason: e.to_string() }
}

fn load_certs(source: &Pem, what: &'static str) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let certs: Result<Vec<_>, _> = match source {
        Pem::Inline(text) => CertificateDer::pem_slice_iter(text.as_bytes()).collect(),
        Pem::File(path) => CertificateDer::pem_file_iter(path).map_err(|e| pem_err(what, source, e))?.collect(),
    };
    let certs = certs.map_err(|e| pem_err(what, source, e))?;
    if certs.is_empty() {
        return Err(pem_err(what, source, "no certificate found"));
    }
    Ok(certs)
}

fn roots(cfg: &TlsConfig) -> Result<rustls::RootCertStore, TlsSetupError> {
    let mut store = rustls::RootCertStore::empty();
    match pem_source(cfg.ca.as_deref(), cfg.ca_file.as_deref(), "ca") {
        Some(source) => {
            for cert in load_certs(&source, "CA certificates")? {
                store.add(cert)?;
            }
        }
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(store)
}

/// The SNI / verification name for `host` (an IP address or a DNS name).
pub fn server_name(host: &str) -> Option<ServerName<'static>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string()).ok()
}

/// The handshake-signature methods every rustls certificate verifier needs, checked with the
/// given supported algorithms. Verifiers that accept a certificate without validating its chain
/// (`insecure_skip_verify` here, `RequireAnyClientCert` on Vigil's own port) must still verify
/// that the peer holds the key: both use this one implementation.
/// `$($algorithms).+` is the path from `self` to a `WebPkiSupportedAlgorithms`.
#[macro_export]
macro_rules! handshake_signature_checks {
    ($($algorithms:ident).+) => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &$crate::rustls::pki_types::CertificateDer<'_>,
            dss: &$crate::rustls::DigitallySignedStruct,
        ) -> Result<$crate::rustls::client::danger::HandshakeSignatureValid, $crate::rustls::Error> {
            $crate::rustls::crypto::verify_tls12_signature(message, cert, dss, &self.$($algorithms).+)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &$crate::rustls::pki_types::CertificateDer<'_>,
            dss: &$crate::rustls::DigitallySignedStruct,
        ) -> Result<$crate::rustls::client::danger::HandshakeSignatureValid, $crate::rustls::Error> {
            $crate::rustls::crypto::verify_tls13_signature(message, cert, dss, &self.$($algorithms).+)
        }

        fn supported_verify_schemes(&self) -> Vec<$crate::rustls::SignatureScheme> {
            self.$($algorithms).+.supported_schemes()
        }
    };
}

/// Accepts any certificate (`insecure_skip_verify`), still checking handshake signatures.
#[derive(Debug)]
struct NoVerifier {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    crate::handshake_signature_checks!(algorithms);
}
