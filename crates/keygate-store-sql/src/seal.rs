//! Secrets at rest: XChaCha20-Poly1305 under a 32-byte key, with a fresh random nonce per
//! secret and the access key id as associated data, so a sealed secret cannot be moved to
//! another key's row. Also the key file kept beside the database when none is configured.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::TryRngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the at-rest key must be 32 bytes in standard base64")]
    BadKey,
    #[error("key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("no randomness available: {0}")]
    Random(String),
}

/// The at-rest encryption key. Zeroized on drop; never printed.
#[derive(Clone)]
pub struct SealKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl SealKey {
    /// A key given as standard base64 of 32 bytes (configuration).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = Zeroizing::new(STANDARD.decode(text.trim()).map_err(|_| KeyError::BadKey)?);
        let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::BadKey)?;
        Ok(Self(Zeroizing::new(arr)))
    }

    pub fn generate() -> Result<Self, KeyError> {
        let mut k = Zeroizing::new([0u8; 32]);
        OsRng
            .try_fill_bytes(&mut *k)
            .map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Self(k))
    }

    /// Reads the key file, or creates it (mode 0600) with a new random key.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate()?;
                let encoded = Zeroizing::new(STANDARD.encode(*key.0));
                // create_new: two processes starting at once cannot both write a key.
                match fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                {
                    Ok(mut f) => {
                        f.write_all(encoded.as_bytes()).map_err(io)?;
                        f.write_all(b"\n").map_err(io)?;
                        f.sync_all().map_err(io)?;
                        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)?;
                        Ok(key)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::from_base64(&fs::read_to_string(path).map_err(io)?)
                    }
                    Err(e) => Err(io(e)),
                }
            }
            Err(e) => Err(io(e)),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.0).into())
    }

    /// Returns `(nonce, ciphertext)`.
    pub fn seal(&self, key_id: &str, secret: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
        let mut nonce = [0u8; 24];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|e| e.to_string())?;
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| "sealing failed".to_owned())?;
        Ok((nonce.to_vec(), sealed))
    }

    pub fn open(&self, key_id: &str, nonce: &[u8], sealed: &[u8]) -> Result<String, String> {
        if nonce.len() != 24 {
            return Err("stored nonce has the wrong length".into());
        }
        let plain = Zeroizing::new(
            self.cipher()
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: sealed,
                        aad: key_id.as_bytes(),
                    },
                )
                .map_err(|_| "a stored secret does not open with the configured key".to_owned())?,
        );
        String::from_utf8(plain.to_vec()).map_err(|_| "a stored secret is not text".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_bound_to_key_id() {
        let k = SealKey::generate().unwrap();
        let (n, c) = k.seal("KEY1", "s3cret").unwrap();
        assert_eq!(k.open("KEY1", &n, &c).unwrap(), "s3cret");
        assert!(k.open("KEY2", &n, &c).is_err());
        let other = SealKey::generate().unwrap();
        assert!(other.open("KEY1", &n, &c).is_err());
        assert!(!format!("{k:?}").contains(&STANDARD.encode(*k.0)));
    }

    #[test]
    fn key_file_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keygate.key");
        let a = SealKey::load_or_create(&p).unwrap();
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let b = SealKey::load_or_create(&p).unwrap();
        assert_eq!(*a.0, *b.0);
        assert!(SealKey::from_base64("c2hvcnQ=").is_err());
    }
}
