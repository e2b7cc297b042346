//! The front ends' `SecretLookup` over the core: the authentication crate asks for a key id's
//! secret and owner and notes its uses; the core's `Service` answers.

use std::sync::Arc;

use keygate_auth::{Found, KeySecret, KeyUse, SecretLookup};
use keygate_core::{AccessKeyId, CoreError, KeyLookup, LastUsed, Service, Signer, Timestamp};
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The keys of every account, as the service keeps them.
#[derive(Debug, Clone)]
pub struct ServiceKeys(pub Arc<Service>);

impl SecretLookup for ServiceKeys {
    type Owner = Signer;
    type Error = CoreError;

    fn signing_secret(
        &self,
        key_id: &str,
        token: Option<&str>,
        client: Option<std::net::IpAddr>,
        certificates: &[Vec<u8>],
    ) -> Result<Found<Signer>, CoreError> {
        // An id no key can have is a key that does not exist.
        let Ok(id) = AccessKeyId::parse(key_id) else {
            return Ok(Found::Unknown);
        };
        Ok(
            match self
                .0
                .signing_credentials(&id, token, client, certificates)?
            {
                KeyLookup::Found(k) => Found::Key(KeySecret {
                    admitted: k.admitted,
                    secret: Zeroizing::new(k.secret.expose().to_owned()),
                    owner: Signer {
                        principal: k.principal,
                        key: id,
                        session: k.session,
                    },
                }),
                KeyLookup::Unknown => Found::Unknown,
                KeyLookup::Expired => Found::Expired,
            },
        )
    }

    fn note_use(&self, key_id: &str, owner: &Signer, used: KeyUse<'_>) {
        // A session's uses are not a key's last use (AWS records none for temporary keys).
        if owner.session.is_some() {
            return;
        }
        if let Ok(id) = AccessKeyId::parse(key_id) {
            self.0.note_key_use(
                owner.principal.account(),
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
