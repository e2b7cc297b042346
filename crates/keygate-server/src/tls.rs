//! TLS for the listener (rustls): the certificate and key from `server.tls_cert_file` and
//! `server.tls_key_file`, read again on SIGHUP without dropping a connection (a bad pair keeps
//! the one in use). Clients may present a certificate; whether it counts is for the account's
//! API access rules to say, so any is accepted here, and its chain is kept for them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use anyhow::Context;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

/// The certificate served, and where it is read from.
#[derive(Debug)]
pub struct Certificates {
    cert_file: PathBuf,
    key_file: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
}

fn load(cert_file: &Path, key_file: &Path) -> anyhow::Result<CertifiedKey> {
    let chain = CertificateDer::pem_file_iter(cert_file)
        .with_context(|| format!("reading {}", cert_file.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading the certificates of {}", cert_file.display()))?;
    if chain.is_empty() {
        anyhow::bail!("{} holds no certificate", cert_file.display());
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .with_context(|| format!("reading the private key of {}", key_file.display()))?;
    CertifiedKey::from_der(chain, key, &ring::default_provider()).with_context(|| {
        format!(
            "{} and {} are no pair",
            cert_file.display(),
            key_file.display()
        )
    })
}

impl Certificates {
    pub fn open(cert_file: &Path, key_file: &Path) -> anyhow::Result<Arc<Self>> {
        let first = load(cert_file, key_file)?;
        Ok(Arc::new(Self {
            cert_file: cert_file.to_owned(),
            key_file: key_file.to_owned(),
            current: RwLock::new(Arc::new(first)),
        }))
    }

    /// Reads the files again; new handshakes use the new pair, open connections keep theirs.
    pub fn reload(&self) {
        match load(&self.cert_file, &self.key_file) {
            Ok(k) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(k);
                tracing::info!(file = %self.cert_file.display(), "TLS certificate reloaded");
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot reload the TLS certificate; keeping the one in use")
            }
        }
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

/// Asks every client for a certificate, requires none, and accepts any whose handshake
/// signature holds: the account whose key signs the request decides, against its CAs.
#[derive(Debug)]
struct AnyClientCertificate(WebPkiSupportedAlgorithms);

impl ClientCertVerifier for AnyClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// The TLS layer's answer for the API access rules that name CAs.
#[derive(Debug)]
pub struct ClientCertificateCheck;

impl keygate_core::CertificateCheck for ClientCertificateCheck {
    fn issued_by(&self, chain: &[Vec<u8>], ca_pem: &str, cns: &[String]) -> bool {
        keygate_auth::issued_by(chain, ca_pem, cns)
    }
}

/// Keeps a TLS connection's client certificate chain with the connection, for its requests.
pub fn keep_client_certificates(conn: &dyn std::any::Any, data: &mut actix_web::dev::Extensions) {
    use actix_tls::accept::rustls_0_23::TlsStream;
    if let Some(tls) = conn.downcast_ref::<TlsStream<actix_web::rt::net::TcpStream>>() {
        let (_, session) = tls.get_ref();
        if let Some(chain) = session.peer_certificates() {
            data.insert(keygate_auth::ClientCertificates(
                chain.iter().map(|c| c.to_vec()).collect(),
            ));
        }
    }
}

/// The listener's TLS configuration over `certs`.
pub fn server_config(certs: Arc<Certificates>) -> anyhow::Result<ServerConfig> {
    let provider: CryptoProvider = ring::default_provider();
    let algorithms = provider.signature_verification_algorithms;
    let mut config = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(AnyClientCertificate(algorithms)))
        .with_cert_resolver(certs);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
