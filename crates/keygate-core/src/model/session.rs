//! Temporary credentials: an `ASIA…` key with its secret and a session token, made from a
//! long-term key (STS GetSessionToken) and valid until it expires. The token is a reference to
//! the stored session, kept only as its SHA-256 digest: a session then ends the moment its
//! parent key is deleted or deactivated, on every replica that shares the store.

use crate::ids::{AccessKeyId, AccountId};
use crate::model::{KeyOwner, Secret, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub key_id: AccessKeyId,
    pub account_id: AccountId,
    pub owner: KeyOwner,
    /// The long-term key that made it: while that key is gone or inactive, the session signs
    /// nothing.
    pub parent_key: AccessKeyId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// When its maker proved possession of an MFA device; `None` without.
    pub mfa_at: Option<Timestamp>,
}

/// A new session, the only time its secret and token are handed out.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub session: Session,
    pub secret: Secret,
    pub token: Secret,
}

/// What a request signed with a session's key carries besides its principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts {
    pub expires_at: Timestamp,
    pub mfa_at: Option<Timestamp>,
}

/// Who signed a request: the principal, the key it signed with, and that key's session facts
/// when it is a session's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub principal: crate::model::Principal,
    pub key: AccessKeyId,
    pub session: Option<SessionFacts>,
}
