//! `tls_server_config` → a rustls `ServerConfig`, and the listener that hands axum TLS
//! connections. Go names (cipher suites, curves, versions, client auth policies) map to
//! rustls where it has them; where it does not (TLS 1.0/1.1, CBC suites, P-521) the error says
//! so instead of silently serving something else.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::crypto::ring::{cipher_suite as cs, kx_group};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig, SignatureScheme, SupportedCipherSuite,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use serde_saphyr::Spanned;

use super::config::{Invalid, TlsServerConfig, WebConfigError, at};

/// TLS 1.2 cipher suites by their Go name (`tls.CipherSuites()`), with rustls' suite where
/// rustls has one. TLS 1.3 suites are listed too: Go accepts their names but does not let
/// them be configured, and neither does Vigil (all three stay enabled).
const GO_CIPHER_SUITES: &[(&str, Option<SupportedCipherSuite>)] = &[
    ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Some(cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Some(cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)),
    ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Some(cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)),
    ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Some(cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)),
    ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Some(cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)),
    ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Some(cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256)),
    // Go's older aliases of the two above.
    ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", Some(cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)),
    ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", Some(cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256)),
    ("TLS_AES_128_GCM_SHA256", None),
    ("TLS_AES_256_GCM_SHA384", None),
    ("TLS_CHACHA20_POLY1305_SHA256", None),
];

/// Suites Go knows (and exporter-toolkit accepts) that rustls does not implement.
const GO_ONLY_CIPHER_SUITES: &[&str] = &[
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
];

const CLIENT_AUTH_TYPES: &str =
    "NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Version {
    Tls12,
    Tls13,
}

fn version(v: &Spanned<String>, origin: &str, field: &str) -> Result<Version, WebConfigError> {
    match v.value.as_str() {
        "TLS12" => Ok(Version::Tls12),
        "TLS13" => Ok(Version::Tls13),
        "TLS10" | "TLS11" => Err(at(
            origin,
            v.referenced.line(),
            format!(
                "{field}: {} is not supported: Vigil's TLS library (rustls) implements only TLS12 and TLS13",
                v.value
            ),
        )),
        other => {
            Err(at(origin, v.referenced.line(), format!("{field}: unknown TLS version: {other} (one of TLS12, TLS13)")))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientAuth {
    None,
    Request,
    RequireAny,
    VerifyIfGiven,
    RequireAndVerify,
}

/// Builds the rustls configuration, or `None` when the section configures no TLS at all
/// (plain HTTP, as exporter-toolkit does for an empty `tls_server_config`).
pub fn build(c: &TlsServerConfig, dir: &Path, origin: &str) -> Result<Option<ServerConfig>, WebConfigError> {
    if !c.is_enabled() {
        return Ok(None);
    }
    let s = Section { c, dir, origin };
    let (chain, key, cert_pem, key_pem) = s.identity()?;
    let (min, max) = s.versions()?;
    let versions: Vec<&'static rustls::SupportedProtocolVersion> =
        [(Version::Tls12, &rustls::version::TLS12), (Version::Tls13, &rustls::version::TLS13)]
            .into_iter()
            .filter(|(v, _)| (min..=max).contains(v))
            .map(|(_, p)| p)
            .collect();
    let provider = Arc::new(s.provider(min, max)?);
    let verifier = s.client_verifier(&provider)?;
    let builder = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| s.err(line_of(&c.min_version), format!("TLS settings do not fit together: {e}")))?;
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| s.err(cert_pem.line, format!("cannot use {} with {}: {e}", cert_pem.what, key_pem.what)))?;
    config.ignore_client_order = c.prefer_server_cipher_suites.unwrap_or(true);
    // Vigil's server speaks HTTP/1.1; `http_server_config.http2` is accepted but offers no h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(config))
}

fn line_of(v: &Option<Spanned<String>>) -> u64 {
    v.as_ref().map_or(0, |s| s.referenced.line())
}

/// The `tls_server_config` section being built, with where it came from (for errors and
/// relative paths).
struct Section<'a> {
    c: &'a TlsServerConfig,
    dir: &'a Path,
    origin: &'a str,
}

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, Pem, Pem);

impl Section<'_> {
    fn err(&self, line: u64, message: String) -> WebConfigError {
        at(self.origin, line, message)
    }

    /// The certificate chain and key: each from its file or inline PEM.
    fn identity(&self) -> Result<Identity, WebConfigError> {
        let c = self.c;
        let cert_pem = pem_source(&c.cert, &c.cert_file, "cert", self.dir, self.origin)?.ok_or_else(|| {
            self.err(line_of(&c.key_file).max(line_of(&c.key)), "missing one of cert or cert_file".into())
        })?;
        let key_pem = pem_source(&c.key, &c.key_file, "key", self.dir, self.origin)?.ok_or_else(|| {
            self.err(line_of(&c.cert_file).max(line_of(&c.cert)), "missing one of key or key_file".into())
        })?;
        let chain = certificates(&cert_pem).map_err(|m| self.err(cert_pem.line, m.0))?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem.bytes)
            .map_err(|e| self.err(key_pem.line, format!("{}: no usable PEM private key: {e}", key_pem.what)))?;
        Ok((chain, key, cert_pem, key_pem))
    }

    /// `min_version` and `max_version` (TLS12 and TLS13 by default).
    fn versions(&self) -> Result<(Version, Version), WebConfigError> {
        let c = self.c;
        let min = c.min_version.as_ref().map(|v| version(v, self.origin, "min_version")).transpose()?;
        let max = c.max_version.as_ref().map(|v| version(v, self.origin, "max_version")).transpose()?;
        let (min, max) = (min.unwrap_or(Version::Tls12), max.unwrap_or(Version::Tls13));
        if min > max {
            return Err(self.err(line_of(&c.min_version), format!("min_version {min:?} is above max_version {max:?}")));
        }
        Ok((min, max))
    }

    /// ring's provider narrowed to `cipher_suites` (TLS 1.2 ones, in the given order; TLS
    /// 1.3's stay, as in Go) and `curve_preferences`.
    fn provider(&self, min: Version, max: Version) -> Result<CryptoProvider, WebConfigError> {
        let mut provider = rustls::crypto::ring::default_provider();
        if let Some(names) = self.c.cipher_suites.as_ref().filter(|n| !n.is_empty()) {
            let mut tls12: Vec<SupportedCipherSuite> = Vec::new();
            for n in names {
                match GO_CIPHER_SUITES.iter().find(|(go, _)| *go == n.value) {
                    Some((_, Some(suite))) if !tls12.iter().any(|s| s.suite() == suite.suite()) => tls12.push(*suite),
                    Some(_) => {} // a repeat, or TLS 1.3: always on, as in Go
                    None if GO_ONLY_CIPHER_SUITES.contains(&n.value.as_str()) => {
                        let supported = supported_suite_names().join(", ");
                        return Err(self.err(
                            n.referenced.line(),
                            format!(
                                "cipher suite {} is not supported by Vigil's TLS library (rustls); supported: {supported}",
                                n.value
                            ),
                        ));
                    }
                    None => return Err(self.err(n.referenced.line(), format!("unknown cipher: {}", n.value))),
                }
            }
            if tls12.is_empty() && min == Version::Tls12 && max == Version::Tls12 {
                let m = "cipher_suites lists no TLS 1.2 suite, but only TLS12 is enabled".to_string();
                return Err(self.err(names[0].referenced.line(), m));
            }
            let tls13 = provider.cipher_suites.iter().copied().filter(|s| s.version() == &rustls::version::TLS13);
            provider.cipher_suites = tls13.chain(tls12).collect();
        }
        if let Some(curves) = self.c.curve_preferences.as_ref().filter(|c| !c.is_empty()) {
            let mut groups: Vec<&'static dyn rustls::crypto::SupportedKxGroup> = Vec::new();
            for curve in curves {
                let g: &'static dyn rustls::crypto::SupportedKxGroup = match curve.value.as_str() {
                    "CurveP256" => kx_group::SECP256R1,
                    "CurveP384" => kx_group::SECP384R1,
                    "X25519" => kx_group::X25519,
                    "CurveP521" => {
                        let m = "curve CurveP521 is not supported by Vigil's TLS library (rustls); supported: \
                                 CurveP256, CurveP384, X25519";
                        return Err(self.err(curve.referenced.line(), m.into()));
                    }
                    other => return Err(self.err(curve.referenced.line(), format!("unknown curve: {other}"))),
                };
                if !groups.iter().any(|x| x.name() == g.name()) {
                    groups.push(g);
                }
            }
            provider.kx_groups = groups;
        }
        Ok(provider)
    }

    /// `client_auth_type`, `client_ca_file`/`client_ca` and `client_allowed_sans`: what is
    /// asked of clients, or `None` for no client certificates.
    fn client_verifier(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Option<Arc<dyn ClientCertVerifier>>, WebConfigError> {
        let c = self.c;
        let auth_line = line_of(&c.client_auth_type);
        let auth = match c.client_auth_type.as_ref().map_or("", |s| s.value.as_str()) {
            "" | "NoClientCert" => ClientAuth::None,
            "RequestClientCert" => ClientAuth::Request,
            "RequireAnyClientCert" | "RequireClientCert" => ClientAuth::RequireAny,
            "VerifyClientCertIfGiven" => ClientAuth::VerifyIfGiven,
            "RequireAndVerifyClientCert" => ClientAuth::RequireAndVerify,
            other => {
                let m = format!("invalid client_auth_type {other:?} (one of {CLIENT_AUTH_TYPES})");
                return Err(self.err(auth_line, m));
            }
        };
        let ca_pem = pem_source(&c.client_ca, &c.client_ca_file, "client_ca", self.dir, self.origin)?;
        if ca_pem.is_some() && auth == ClientAuth::None {
            let m = "client CA's have been configured without a Client Auth Policy (set client_auth_type, e.g. \
                     RequireAndVerifyClientCert)";
            return Err(self.err(line_of(&c.client_ca_file).max(line_of(&c.client_ca)), m.into()));
        }
        let verifier: Arc<dyn ClientCertVerifier> = match auth {
            ClientAuth::None if c.client_allowed_sans.is_some() => {
                let m = "client_allowed_sans needs a client_auth_type that asks for client certificates";
                return Err(self.err(0, m.into()));
            }
            ClientAuth::None => return Ok(None),
            ClientAuth::Request | ClientAuth::RequireAny => {
                Arc::new(AnyClientCert { provider: provider.clone(), mandatory: auth == ClientAuth::RequireAny })
            }
            ClientAuth::VerifyIfGiven | ClientAuth::RequireAndVerify => {
                let roots = self.client_roots(ca_pem)?;
                let mut b = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
                if auth == ClientAuth::VerifyIfGiven {
                    b = b.allow_unauthenticated();
                }
                b.build().map_err(|e| self.err(auth_line, format!("client certificate verifier: {e}")))?
            }
        };
        Ok(Some(match &c.client_allowed_sans {
            Some(sans) => Arc::new(AllowedSans { inner: verifier, sans: sans.clone() }),
            None => verifier,
        }))
    }

    /// The CAs client certificates are verified against.
    fn client_roots(&self, ca_pem: Option<Pem>) -> Result<RootCertStore, WebConfigError> {
        let mut roots = RootCertStore::empty();
        let Some(ca) = ca_pem else {
            // Go verifies against the system's roots when no client CA is given; the nearest
            // here is the public web PKI's roots. Rarely what is meant, hence the warning.
            tracing::warn!(
                file = self.origin,
                "client_auth_type verifies client certificates but no client_ca_file is given: verifying them \
                 against the public web PKI roots"
            );
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            return Ok(roots);
        };
        for cert in certificates(&ca).map_err(|m| self.err(ca.line, m.0))? {
            roots.add(cert).map_err(|e| self.err(ca.line, format!("{}: unusable CA certificate: {e}", ca.what)))?;
        }
        Ok(roots)
    }
}

/// The PEM certificates in `pem`; at least one.
fn certificates(pem: &Pem) -> Result<Vec<CertificateDer<'static>>, Invalid> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem.bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| Invalid(format!("{}: cannot parse PEM certificates: {e}", pem.what)))?;
    if chain.is_empty() {
        return Err(Invalid(format!("{}: no PEM certificate (-----BEGIN CERTIFICATE-----) found", pem.what)));
    }
    Ok(chain)
}

fn supported_suite_names() -> Vec<&'static str> {
    GO_CIPHER_SUITES
        .iter()
        .filter(|(n, s)| s.is_some() && (n.ends_with("SHA256") || n.ends_with("SHA384")))
        .map(|(n, _)| *n)
        .collect()
}

/// PEM bytes from a file (relative to the config's directory) or inline text.
struct Pem {
    bytes: Vec<u8>,
    /// `cert_file /path` or `cert (inline)`, for messages.
    what: String,
    line: u64,
}

fn pem_source(
    inline: &Option<Spanned<String>>,
    file: &Option<Spanned<String>>,
    name: &str,
    dir: &Path,
    origin: &str,
) -> Result<Option<Pem>, WebConfigError> {
    let inline = inline.as_ref().filter(|s| !s.value.is_empty());
    let file = file.as_ref().filter(|s| !s.value.is_empty());
    match (inline, file) {
        (Some(i), Some(_)) => {
            Err(at(origin, i.referenced.line(), format!("{name} and {name}_file are both set; use one")))
        }
        (Some(i), None) => Ok(Some(Pem {
            bytes: i.value.clone().into_bytes(),
            what: format!("{name} (inline)"),
            line: i.referenced.line(),
        })),
        (None, Some(f)) => {
            let path = dir.join(&f.value);
            let bytes = std::fs::read(&path).map_err(|e| {
                at(origin, f.referenced.line(), format!("failed to read {name}_file ({}): {e}", path.display()))
            })?;
            Ok(Some(Pem { bytes, what: format!("{name}_file {}", path.display()), line: f.referenced.line() }))
        }
        (None, None) => Ok(None),
    }
}

/// `RequestClientCert` / `RequireAnyClientCert`: a client certificate is asked for (or
/// required) but not checked against any CA; only the handshake signature is verified, which
/// proves the client holds the key.
#[derive(Debug)]
struct AnyClientCert {
    provider: Arc<CryptoProvider>,
    mandatory: bool,
}

impl ClientCertVerifier for AnyClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }
    httpclient::handshake_signature_checks!(provider.signature_verification_algorithms);
}

/// `client_allowed_sans`: after the policy's own checks, the client certificate must carry a
/// subject alternative name (DNS, IP, e-mail or URI) equal to one of the list.
#[derive(Debug)]
struct AllowedSans {
    inner: Arc<dyn ClientCertVerifier>,
    sans: Vec<String>,
}

impl ClientCertVerifier for AllowedSans {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }
    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let ok = self.inner.verify_client_cert(end_entity, intermediates, now)?;
        let names = subject_alt_names(end_entity).unwrap_or_default();
        if names.iter().any(|n| self.sans.contains(n)) {
            Ok(ok)
        } else {
            Err(rustls::Error::General(format!(
                "could not find allowed SANs in client cert, found: {names:?}, allowed: {:?}",
                self.sans
            )))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// One DER element: (tag, contents, rest).
fn der(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, b) = b.split_first()?;
    let (&first, mut b) = b.split_first()?;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || b.len() < n {
            return None;
        }
        let len = b[..n].iter().fold(0usize, |acc, &x| (acc << 8) | x as usize);
        b = &b[n..];
        len
    };
    (b.len() >= len).then(|| (tag, &b[..len], &b[len..]))
}

/// The subject alternative names of a certificate as Go prints them (DNS names and e-mail
/// addresses as written, IPs in their usual text form, URIs as written).
pub fn subject_alt_names(cert: &[u8]) -> Option<Vec<String>> {
    const SEQ: u8 = 0x30;
    let (SEQ, certificate, _) = der(cert)? else { return None };
    let (SEQ, mut tbs, _) = der(certificate)? else { return None };
    let mut extensions = None;
    while !tbs.is_empty() {
        let (tag, body, rest) = der(tbs)?;
        if tag == 0xa3 {
            extensions = Some(body);
        }
        tbs = rest;
    }
    let (SEQ, mut exts, _) = der(extensions?)? else { return None };
    while !exts.is_empty() {
        let (_, ext, rest) = der(exts)?;
        exts = rest;
        let (0x06, oid, mut fields) = der(ext)? else { return None };
        if oid != [0x55, 0x1d, 0x11] {
            continue;
        }
        // Skip `critical` if present; the value is the OCTET STRING.
        loop {
            let (tag, body, rest) = der(fields)?;
            if tag == 0x04 {
                let (SEQ, mut names, _) = der(body)? else { return None };
                let mut out = Vec::new();
                while !names.is_empty() {
                    let (tag, v, rest) = der(names)?;
                    names = rest;
                    match tag {
                        0x81 | 0x82 | 0x86 => out.push(String::from_utf8_lossy(v).to_string()),
                        0x87 if v.len() == 4 => {
                            out.push(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(v).ok()?).to_string())
                        }
                        0x87 if v.len() == 16 => {
                            out.push(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(v).ok()?).to_string())
                        }
                        _ => {}
                    }
                }
                return Some(out);
            }
            fields = rest;
        }
    }
    Some(Vec::new())
}

/// Accepts TCP connections and completes TLS handshakes in the background (a slow client
/// does not hold up others), each with the configuration current when it connected, so a
/// reload's new certificates apply to new connections at once.
pub struct TlsListener {
    incoming: tokio::sync::mpsc::Receiver<(tokio_rustls::server::TlsStream<tokio::net::TcpStream>, SocketAddr)>,
    local: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

/// How long a client has to finish the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl TlsListener {
    pub fn new(
        listener: tokio::net::TcpListener,
        current: impl Fn() -> Option<Arc<ServerConfig>> + Send + 'static,
    ) -> Self {
        let local = listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (tx, incoming) = tokio::sync::mpsc::channel(64);
        let task = tokio::spawn(async move {
            loop {
                let (tcp, peer) = match listener.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, as axum does.
                        tracing::error!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                let Some(config) = current() else { continue };
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _ = tcp.set_nodelay(true);
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        TlsListener { incoming, local, task }
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(c) => c,
            // The accept task only ends when aborted, i.e. when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The client's address on a TLS connection (axum's `ConnectInfo` for [`TlsListener`]).
#[derive(Debug, Clone, Copy)]
pub struct TlsPeer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TlsListener>> for TlsPeer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, TlsListener>) -> Self {
        TlsPeer(*stream.remote_addr())
    }
}

/// Also offers the TLS client's address as `ConnectInfo<SocketAddr>`, as on plain HTTP.
pub fn with_peer_address(router: axum::Router) -> axum::Router {
    use axum::extract::ConnectInfo;
    router.layer(axum::middleware::map_request(|mut req: axum::extract::Request| async move {
        if let Some(ConnectInfo(TlsPeer(addr))) = req.extensions().get::<ConnectInfo<TlsPeer>>().copied() {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        req
    }))
}
