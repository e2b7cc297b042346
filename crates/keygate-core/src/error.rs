//! `CoreError`: the one enum of domain meanings. Each wire dialect maps it to its own codes
//! with an exhaustive `match`.

use crate::ids::{AccessKeyId, PolicyName, UserName};

/// A quota the core enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// Access keys of one principal (root or user).
    AccessKeysPerPrincipal(u32),
    /// Characters of all inline policy documents of one user, white space not counted.
    InlinePolicySize(u32),
    /// Tags on one user.
    TagsPerUser(u32),
}

/// What still hangs off a user that stops it from being deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependents {
    AccessKeys,
    Policies,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error("The account cannot be found.")]
    NoSuchAccount,
    #[error("The user with name {0} cannot be found.")]
    NoSuchUser(UserName),
    #[error("The Access Key with id {0} cannot be found.")]
    NoSuchAccessKey(AccessKeyId),
    #[error("The user policy with name {0} cannot be found.")]
    NoSuchPolicy(PolicyName),
    #[error("User with name {0} already exists.")]
    UserAlreadyExists(UserName),
    #[error("An account with this e-mail already exists.")]
    AccountAlreadyExists,
    #[error("quota exceeded: {0:?}")]
    LimitExceeded(Quota),
    /// The rules in force require the key to be inactive before it is deleted.
    #[error("The access key {0} must be INACTIVE before it can be deleted.")]
    KeyNotInactive(AccessKeyId),
    #[error("Cannot delete entity, must delete {} first.", match .0 { Dependents::AccessKeys => "access keys", Dependents::Policies => "policies" })]
    DeleteConflict(Dependents),
    /// A parameter broke a rule the core checks; `field` is the request member's name.
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },
    /// A policy document outside the language keygate evaluates; the text says why.
    #[error("{0}")]
    MalformedPolicy(String),
    /// The caller's policies do not allow `action` on `resource`.
    #[error("User: {principal} is not authorized to perform: {action} on resource: {resource}")]
    AccessDenied {
        principal: String,
        action: String,
        resource: String,
    },
    /// Wrong login or password.
    #[error("invalid login or password")]
    BadCredentials,
    /// Too many wrong passwords in a row for this login: refused until the lock expires.
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    LoginLocked { retry_after_secs: u64 },
    /// The store failed; the cause is logged by the store, the caller sees a generic message.
    #[error("storage failure: {0}")]
    Storage(String),
}

pub type CoreResult<T> = Result<T, CoreError>;
