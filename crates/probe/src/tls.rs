//! TLS client set-up from a `tls_config`, and the TLS series blackbox emits for a handshake.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::config::TlsConfig;
use crate::metrics::ProbeMetrics;
use crate::x509;

/// A `tls_config` that cannot be turned into a TLS client.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("cannot load {what} from {path}: {reason}")]
    Pem { what: &'static str, path: String, reason: String },
    /// rustls refused the configuration.
    #[error("invalid TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// `min_version` names a version rustls does not offer.
    #[error("unsupported min_version {0:?}")]
    MinVersion(String),
}

/// The pieces a TLS connection needs: the rustls config, and whether certificates are verified
/// (blackbox only reports a verified chain's expiry).
pub struct TlsClient {
    pub config: Arc<rustls::ClientConfig>,
    pub verifies: bool,
}

/// Builds the client for `cfg`: system-independent webpki roots unless `ca_file` is given, and
/// the ALPN protocols to offer (HTTP probes offer `h2` like Go's client does by default).
pub fn client_config(cfg: &TlsConfig, alpn: &[&[u8]]) -> Result<TlsClient, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match cfg.min_version.as_deref() {
        None | Some("") | Some("TLS10") | Some("TLS11") | Some("TLS12") => {
            &[&rustls::version::TLS13, &rustls::version::TLS12]
        }
        Some("TLS13") => &[&rustls::version::TLS13],
        Some(other) => return Err(TlsSetupError::MinVersion(other.to_string())),
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone()).with_protocol_versions(versions)?;
    let builder = if cfg.insecure_skip_verify {
        let verifier = NoVerifier(provider.signature_verification_algorithms);
        builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier))
    } else {
        builder.with_root_certificates(roots(cfg.ca_file.as_deref())?)
    };
    let mut config = match (&cfg.cert_file, &cfg.key_file) {
        (Some(cert), Some(key)) => {
            let certs = load_certs(cert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_err("private key", key, e))?;
            builder.with_client_auth_cert(certs, key)?
        }
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(TlsClient { config: Arc::new(config), verifies: !cfg.insecure_skip_verify })
}

fn pem_err(what: &'static str, path: &str, e: impl std::fmt::Display) -> TlsSetupError {
    TlsSetupError::Pem { what, path: path.to_string(), reason: e.to_string() }
}

fn load_certs(path: &str) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_err("certificates", path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err("certificates", path, e))?;
    if certs.is_empty() {
        return Err(pem_err("certificates", path, "no certificate found"));
    }
    Ok(certs)
}

fn roots(ca_file: Option<&str>) -> Result<rustls::RootCertStore, TlsSetupError> {
    let mut store = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in load_certs(path)? {
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

/// What a finished handshake showed: enough to emit the TLS series later, for the final response.
#[derive(Debug, Clone)]
pub struct TlsSeen {
    version: Option<rustls::ProtocolVersion>,
    certs: Vec<CertificateDer<'static>>,
    verified: bool,
    /// ALPN settled on HTTP/2.
    pub h2: bool,
}

impl TlsSeen {
    /// Captures the negotiated version and the peer's certificates.
    pub fn from_conn(conn: &rustls::ClientConnection, verified: bool) -> TlsSeen {
        let certs = conn.peer_certificates().map(|c| c.iter().map(|d| d.clone().into_owned()).collect());
        let h2 = conn.alpn_protocol() == Some(b"h2".as_slice());
        TlsSeen { version: conn.protocol_version(), certs: certs.unwrap_or_default(), verified, h2 }
    }

    /// Registers and sets blackbox's TLS series.
    pub fn record(&self, metrics: &mut ProbeMetrics) {
        let infos: Vec<x509::CertInfo> = self.certs.iter().filter_map(|c| x509::parse(c)).collect();
        let earliest = infos.iter().map(|i| i.not_after).min();
        // Go reports the zero time (year 1) when there is nothing to report.
        let zero_time = x509::days_from_civil(1, 1, 1) * 86400;
        metrics.set(
            "probe_ssl_earliest_cert_expiry",
            "Returns last SSL chain expiry in unixtime",
            earliest.unwrap_or(zero_time) as f64,
        );
        // Without verification there is no verified chain, and blackbox reports the zero time.
        let chain_expiry = if self.verified { earliest.unwrap_or(zero_time) } else { zero_time };
        metrics.set(
            "probe_ssl_last_chain_expiry_timestamp_seconds",
            "Returns last SSL chain expiry in timestamp",
            chain_expiry as f64,
        );
        metrics.register_vec(
            "probe_tls_version_info",
            "Returns the TLS version used or NaN when unknown",
            &["version"],
        );
        let version = match self.version {
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
            _ => "unknown",
        };
        metrics.set_labeled("probe_tls_version_info", &[version], 1.0);
        metrics.register_vec(
            "probe_ssl_last_chain_info",
            "Contains SSL leaf certificate information",
            &["fingerprint_sha256", "subject", "issuer", "subjectalternative"],
        );
        if let (Some(leaf), Some(info)) = (self.certs.first(), infos.first()) {
            let fingerprint = x509::hex(ring::digest::digest(&ring::digest::SHA256, leaf).as_ref());
            let sans = info.dns_names.join(",");
            metrics.set_labeled("probe_ssl_last_chain_info", &[&fingerprint, &info.subject, &info.issuer, &sans], 1.0);
        }
    }
}

/// Accepts any certificate (`insecure_skip_verify`), still checking handshake signatures.
#[derive(Debug)]
struct NoVerifier(WebPkiSupportedAlgorithms);

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

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
