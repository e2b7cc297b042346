//! The front ends' `SecretLookup` over the core: the authentication crate asks for a key id's
//! secret and owner and notes its uses; the core's `Service` answers.

use std::sync::Arc;

use keygate_auth::{KeySecret, KeyUse, SecretLookup};
use keygate_core::{AccessKeyId, CoreError, LastUsed, Principal, Service, Timestamp};
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The keys of every account, as the service keeps them.
#[derive(Debug, Clone)]
pub struct ServiceKeys(pub Arc<Service>);

impl SecretLookup for ServiceKeys {
    type Owner = Principal;
    type Error = CoreError;

    fn signing_secret(&self, key_id: &str) -> Result<Option<KeySecret<Principal>>, CoreError> {
        // An id no key can have is a key that does not exist.
        let Ok(id) = AccessKeyId::parse(key_id) else {
            return Ok(None);
        };
        Ok(self.0.signing_key(&id)?.map(|k| KeySecret {
            secret: Zeroizing::new(k.secret.expose().to_owned()),
            owner: k.principal,
        }))
    }

    fn note_use(&self, key_id: &str, owner: &Principal, used: KeyUse<'_>) {
        if let Ok(id) = AccessKeyId::parse(key_id) {
            self.0.note_key_use(
                owner.account(),
                &id,
                LastUsed {
                    at: Timestamp::from_datetime(used.at),
                    service: used.service.to_owned(),
                    region: used.region.to_owned(),
                },
            );
        }
    }

    fn now(&self) -> OffsetDateTime {
        self.0.now().to_datetime()
    }
}
