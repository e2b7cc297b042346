//! `SecretLookup`: what a [`Gate`](crate::Gate) needs from whoever keeps the keys. The gate never
//! sees a store; the server implements this over the core.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The secret of an active, unexpired key and who it belongs to.
pub struct KeySecret<O> {
    pub secret: Zeroizing<String>,
    pub owner: O,
    /// Whether the owner admits requests from the client's address; the gate refuses one it
    /// does not only once the signature is verified.
    pub admitted: bool,
}

impl<O: fmt::Debug> fmt::Debug for KeySecret<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySecret")
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

/// What a lookup finds for a key id and the session token beside it.
#[derive(Debug)]
pub enum Found<O> {
    Key(KeySecret<O>),
    /// Nothing signs with these: an unknown, inactive or expired key, a missing or wrong
    /// token alike.
    Unknown,
    /// A session that has expired (AWS's `ExpiredToken`).
    Expired,
}

/// One use of a key: when, and the scope's service and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUse<'a> {
    pub at: OffsetDateTime,
    pub service: &'a str,
    pub region: &'a str,
}

/// Where a gate finds keys, notes their uses, and reads the time.
pub trait SecretLookup: Send + Sync {
    /// Who a key belongs to, in the keeper's own terms.
    type Owner;
    /// Why a lookup failed: the keeper's fault, never the key's.
    type Error;

    /// The secret and owner of the key `key_id` when it signs with the session `token` beside
    /// it (none for a long-term key), for a request from `client` with the TLS client
    /// `certificates` it presented; `Unknown` for an unknown,
    /// inactive or expired key and a missing or wrong token alike, so that a caller cannot tell
    /// them apart.
    fn signing_secret(
        &self,
        key_id: &str,
        token: Option<&str>,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> Result<Found<Self::Owner>, Self::Error>;

    /// Notes that the key signed a request that passed every check.
    fn note_use(&self, key_id: &str, owner: &Self::Owner, used: KeyUse<'_>);

    /// The time requests are checked against: the same clock that decides expiry.
    fn now(&self) -> OffsetDateTime;
}

impl<T: SecretLookup + ?Sized> SecretLookup for Arc<T> {
    type Owner = T::Owner;
    type Error = T::Error;

    fn signing_secret(
        &self,
        key_id: &str,
        token: Option<&str>,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> Result<Found<Self::Owner>, Self::Error> {
        (**self).signing_secret(key_id, token, client, certificates)
    }

    fn note_use(&self, key_id: &str, owner: &Self::Owner, used: KeyUse<'_>) {
        (**self).note_use(key_id, owner, used);
    }

    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}
