//! Client CA certificates: a PEM read as exactly one X.509 certificate of a CA, and the SHA-1
//! fingerprint of its DER that Outscale names it by (`CaFingerprint`); and whether a client's
//! chain was issued by such a CA, for client authentication, to one of some CNs.

use sha1::{Digest, Sha1};
use x509_parser::pem::parse_x509_pem;

/// A CA certificate, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaCertificate {
    /// The PEM as given.
    pub pem: String,
    /// 40 lower-case hex digits: SHA-1 of the certificate's DER.
    pub fingerprint: String,
}

/// Why a PEM is no CA certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaError {
    #[error("the text is not a PEM block")]
    NotPem,
    #[error("the PEM block is not a certificate")]
    NotCertificate,
    #[error("the PEM holds more than one block: give the CA's certificate alone")]
    Several,
    #[error("the certificate is not a CA's (its basic constraints do not say CA)")]
    NotCa,
}

/// Reads `pem` as one CA certificate.
pub fn parse_ca(pem: &str) -> Result<CaCertificate, CaError> {
    let (rest, block) = parse_x509_pem(pem.as_bytes()).map_err(|_| CaError::NotPem)?;
    if !String::from_utf8_lossy(rest).trim().is_empty() {
        return Err(CaError::Several);
    }
    if block.label != "CERTIFICATE" {
        return Err(CaError::NotCertificate);
    }
    let cert = block.parse_x509().map_err(|_| CaError::NotCertificate)?;
    if !cert.is_ca() {
        return Err(CaError::NotCa);
    }
    let digest = Sha1::digest(&block.contents);
    let fingerprint = hex::encode(digest);
    Ok(CaCertificate {
        pem: pem.to_owned(),
        fingerprint,
    })
}

/// Whether the client `chain` (DER, the client's certificate first) is valid now for client
/// authentication under the CA in `ca_pem`, and, when `cns` names some, for one of them.
pub fn issued_by(chain: &[Vec<u8>], ca_pem: &str, cns: &[String]) -> bool {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, UnixTime};
    let Some((leaf, intermediates)) = chain.split_first() else {
        return false;
    };
    let Ok(ca) = CertificateDer::from_pem_slice(ca_pem.as_bytes()) else {
        return false;
    };
    let Ok(anchor) = webpki::anchor_from_trusted_cert(&ca) else {
        return false;
    };
    let leaf_der = CertificateDer::from(leaf.as_slice());
    let Ok(cert) = webpki::EndEntityCert::try_from(&leaf_der) else {
        return false;
    };
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let valid = cert
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &intermediates,
            UnixTime::now(),
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .is_ok();
    valid && (cns.is_empty() || common_name(leaf).is_some_and(|cn| cns.contains(&cn)))
}

/// The common name of a certificate's subject.
fn common_name(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let cn = cert.subject().iter_common_name().next()?;
    cn.as_str().ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_no_ca_certificate() {
        assert_eq!(parse_ca("hello"), Err(CaError::NotPem));
        let key =
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
        assert_eq!(parse_ca(key), Err(CaError::NotCertificate));
    }

    fn ca() -> (rcgen::Certificate, rcgen::KeyPair) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        (params.self_signed(&key).unwrap(), key)
    }

    fn client(cn: &str, ca: &(rcgen::Certificate, rcgen::KeyPair)) -> Vec<u8> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        params.signed_by(&key, &ca.0, &ca.1).unwrap().der().to_vec()
    }

    #[test]
    fn a_client_certificate_counts_under_its_ca_for_its_cn() {
        let ours = ca();
        let theirs = ca();
        let pem = ours.0.pem();
        assert!(parse_ca(&pem).is_ok());
        let chain = vec![client("client", &ours)];
        let cns = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert!(issued_by(&chain, &pem, &[]), "any CN when none is named");
        assert!(issued_by(&chain, &pem, &cns(&["other", "client"])));
        assert!(!issued_by(&chain, &pem, &cns(&["other"])), "another CN");
        assert!(!issued_by(&chain, &theirs.0.pem(), &[]), "another CA");
        assert!(!issued_by(&[client("client", &theirs)], &pem, &[]));
        assert!(!issued_by(&[], &pem, &[]), "no certificate");
        assert!(!issued_by(&[b"junk".to_vec()], &pem, &[]));
    }
}
