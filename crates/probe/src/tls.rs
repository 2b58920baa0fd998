//! The TLS series blackbox emits for a handshake; the TLS client itself is Vigil's one
//! stack's ([`httpclient::tls`]).

use rustls::pki_types::CertificateDer;

use crate::metrics::ProbeMetrics;
use crate::x509;

pub use httpclient::tls::{TlsClient, client_config, server_name};

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
