//! A bounded, thread-safe cache of derived signing keys.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{Flavour, Scope, derive_signing_key};

struct Entry {
    /// SHA-256 of the secret the key was derived from, so a rotated or wrong secret for the same
    /// key id never gets this key.
    secret_digest: [u8; 32],
    signing_key: Zeroizing<[u8; 32]>,
}

/// Signing keys by (flavour, access key id, date, region, service). A key changes only once a
/// day per scope, so the four HMACs of a derivation are worth saving.
///
/// When full, the cache is emptied before the next insertion: simple, and a full refill costs
/// one derivation per active key.
pub struct SigningKeyCache {
    capacity: usize,
    entries: Mutex<HashMap<(Flavour, Scope), Entry>>,
}

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys; `0` disables caching.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The signing key for `scope` under `secret`, from the cache when it was derived from the
    /// same secret, otherwise freshly derived (and cached).
    pub fn signing_key(&self, flavour: Flavour, scope: &Scope, secret: &str) -> [u8; 32] {
        let secret_digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let cache_key = (flavour, scope.clone());
        if let Some(entry) = self.lock().get(&cache_key)
            && bool::from(entry.secret_digest.ct_eq(&secret_digest))
        {
            return *entry.signing_key;
        }
        // Derived outside the lock so concurrent requests do not queue behind the HMACs.
        let signing_key =
            derive_signing_key(flavour, secret, &scope.date, &scope.region, &scope.service);
        if self.capacity > 0 {
            let mut entries = self.lock();
            if entries.len() >= self.capacity && !entries.contains_key(&cache_key) {
                entries.clear();
            }
            entries.insert(
                cache_key,
                Entry {
                    secret_digest,
                    signing_key: Zeroizing::new(signing_key),
                },
            );
        }
        signing_key
    }

    /// Number of keys currently cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// A panic elsewhere cannot leave the map inconsistent (each update is one call), so a
    /// poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, HashMap<(Flavour, Scope), Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}
