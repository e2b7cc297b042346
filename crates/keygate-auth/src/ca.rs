//! Client CA certificates: a PEM read as exactly one X.509 certificate of a CA, and the SHA-1
//! fingerprint of its DER that Outscale names it by (`CaFingerprint`).

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
    let fingerprint = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(CaCertificate {
        pem: pem.to_owned(),
        fingerprint,
    })
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
}
