//! Account passwords: argon2id hashes in PHC form, never the password itself.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::TryRngCore;
use rand::rngs::OsRng as Rand09;

use crate::error::{CoreError, CoreResult};

pub fn hash(password: &str) -> CoreResult<String> {
    let mut salt = [0u8; 16];
    Rand09
        .try_fill_bytes(&mut salt)
        .map_err(|e| CoreError::Internal(format!("no randomness for a salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| CoreError::Internal(format!("salt encoding: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hashing: {e}")))
}

/// Whether `password` matches the stored hash. A corrupt hash never matches.
pub fn verify(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of nothing anyone knows, checked when the login is unknown so that the answer takes
/// as long as for a known login.
pub fn verify_against_nothing(password: &str) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$3WUb4Ggi6Xwvw/Iq3pbPgcz06Id8L4T9Tr4xM/QxZvg";
    let _ = verify(DUMMY, password);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("correct horse"));
        assert!(verify(&h, "correct horse battery staple"));
        assert!(!verify(&h, "wrong"));
        assert!(!verify("garbage", "wrong"));
    }
}
