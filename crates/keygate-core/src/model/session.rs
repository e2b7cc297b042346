//! Temporary credentials: an `ASIA…` key with its secret and a session token, made from a
//! long-term key (STS GetSessionToken), by assuming a role (STS AssumeRole) or by an EIM
//! user's sign-in with its password, and valid until it expires. The token is a reference to the stored session, kept only as its SHA-256
//! digest: a session then ends the moment what it stands on (its parent key, its role) is
//! gone, on every replica that shares the store.

use crate::ids::{AccessKeyId, AccountId, RoleId, RoleSessionName, UserId};
use crate::model::{KeyOwner, Secret, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub key_id: AccessKeyId,
    pub account_id: AccountId,
    pub origin: SessionOrigin,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// When its maker proved possession of an MFA device; `None` without.
    pub mfa_at: Option<Timestamp>,
}

/// What a session stands on, and so whom it speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOrigin {
    /// GetSessionToken: the owner of the long-term key that made it. While that key is gone or
    /// inactive, the session signs nothing.
    Key {
        owner: KeyOwner,
        parent_key: AccessKeyId,
    },
    /// AssumeRole: the role, with its policies, for as long as the role exists.
    Role(RoleSession),
    /// A user's sign-in with its password: the user, for as long as it has its password.
    SignIn { user: UserId },
}

impl SessionOrigin {
    pub fn kind(&self) -> SessionKind {
        match self {
            SessionOrigin::Key { .. } => SessionKind::Token,
            SessionOrigin::Role(_) => SessionKind::Role,
            SessionOrigin::SignIn { .. } => SessionKind::SignIn,
        }
    }
}

/// Which kind of session signed a request: the rules differ (AWS's GetSessionToken page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// GetSessionToken's: no IAM call without MFA.
    Token,
    /// An assumed role's: the role's permissions.
    Role,
    /// A user's sign-in: the user's permissions, as a console session's.
    SignIn,
}

/// An assumed role's session: which role, under which name, and who assumed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSession {
    pub role: RoleId,
    pub name: RoleSessionName,
    /// The ARN of the principal that assumed the role, and the key it signed with: kept for
    /// the audit trail.
    pub assumed_by: String,
    pub source_key: AccessKeyId,
    /// The session policies (`Policy`, then the default documents of `PolicyArns` as they were
    /// when the role was assumed): the session may do only what they allow as well.
    pub policies: Vec<String>,
}

/// A new session, the only time its secret and token are handed out.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub session: Session,
    pub secret: Secret,
    pub token: Secret,
}

/// What a request signed with a session's key carries besides its principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub kind: SessionKind,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub mfa_at: Option<Timestamp>,
    /// An assumed role's session policies; empty for every other session.
    pub policies: Vec<String>,
}

/// Who signed a request: the principal, the key it signed with, and that key's session facts
/// when it is a session's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub principal: crate::model::Principal,
    pub key: AccessKeyId,
    pub session: Option<SessionFacts>,
}
