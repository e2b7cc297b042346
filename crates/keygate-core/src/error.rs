//! `CoreError`: the one enum of domain meanings. Each wire dialect words its own message for
//! each variant and maps it to its own codes with an exhaustive `match`.

use std::fmt;
use std::sync::Arc;

use crate::ids::{
    AccessKeyId, ApiAccessRuleId, CaId, GroupName, PolicyName, RoleName, UserName, VersionId,
};
use crate::model::PolicyRef;

/// A quota the core enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// Access keys of one principal (root or user).
    AccessKeysPerPrincipal(u32),
    /// Characters of all inline policy documents of one user, white space not counted.
    InlinePolicySize(u32),
    /// Tags on one user or managed policy.
    TagsPerEntity(u32),
    /// Groups one user belongs to.
    GroupsPerUser(u32),
    /// Characters of all inline policy documents of one group, white space not counted.
    GroupInlinePolicySize(u32),
    /// Characters of one managed policy document, white space not counted.
    ManagedPolicySize(u32),
    /// Versions one managed policy keeps.
    VersionsPerPolicy(u32),
    /// Managed policies attached to one user.
    PoliciesPerUser(u32),
    /// Managed policies attached to one group.
    PoliciesPerGroup(u32),
    /// Managed policies attached to one role.
    PoliciesPerRole(u32),
    /// Characters of all inline policy documents of one role, white space not counted.
    RoleInlinePolicySize(u32),
    /// Characters of a role's trust policy, white space not counted.
    TrustPolicySize(u32),
}

/// What still hangs off a user or a group that stops it from being deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependents {
    /// The user still owns access keys.
    AccessKeys,
    /// The user (or group, or role) still has inline policies.
    Policies,
    /// The user still belongs to groups.
    Groups,
    /// The group still has members.
    Members,
    /// The user, group or role still has managed policies attached.
    AttachedPolicies,
    /// The managed policy is still attached to users or groups.
    Attachments,
    /// The managed policy still has versions besides its default one.
    Versions,
    /// The version is its policy's default one.
    DefaultVersion,
    /// The user still has MFA devices enabled.
    MfaDevices,
    /// The user still has a password (a login profile).
    LoginProfile,
    /// The MFA device is still enabled for a user.
    MfaInUse,
}

/// A policy that decided a request, as a message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// An inline policy of the user or group with this ARN.
    Inline { name: PolicyName, of: String },
    /// This managed policy.
    Managed(PolicyRef),
    /// A session policy of the assumed role's session.
    Session,
}

/// What session credentials may not do, as AWS documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRule {
    /// GetSessionToken signed with session credentials.
    NoSessionFromSession,
    /// GetSessionToken without a long-term key's signature (a password sign-in).
    SignedOnly,
    /// An IAM or OSC call with a session made without MFA.
    MfaRequired,
    /// A key call without `UserName` made with temporary credentials.
    UserNameRequired,
    /// No MFA device of that serial number is enabled for the caller.
    MfaUnknownDevice,
    /// The device's code is wrong, or was used already.
    MfaWrongCode,
    /// AssumeRole with the root's credentials.
    RootMayNotAssume,
    /// AssumeRole for longer than the role's `MaxSessionDuration`.
    OverRoleMaximum,
    /// AssumeRole with a role session's credentials (role chaining) for more than an hour.
    ChainedOverAnHour,
    /// A sign-in of a user whose password must be changed, without a new one.
    NewPasswordRequired,
    /// A sign-in of a user with an MFA device, without a code.
    MfaCodeRequired,
    /// The session policies (`Policy` and `PolicyArns`) pack to more than is allowed: this
    /// many percent of it.
    PackedPolicyTooLarge(u32),
}

/// What the account's API access policy and rules require, as a refusal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessPolicyRule {
    /// A key must be given an expiration date within this many seconds.
    ExpirationRequired(u64),
    /// A key's expiration date lies beyond this many seconds from now.
    ExpirationTooFar(u64),
    /// A maximum lifetime needs every key of the account to expire within it already.
    KeysOutliveMaximum(u64),
    /// A trusted environment needs a maximum key lifetime.
    TrustedEnvNeedsMaximum,
    /// A trusted environment needs every access rule to name a CA.
    TrustedEnvNeedsCas,
    /// A rule names address ranges, CAs, or both.
    RuleNeedsRangesOrCas,
    /// A rule's CNs are of its CAs' certificates: no CN without a CA.
    CnsNeedCas,
    /// The last access rule stays.
    LastRule,
    /// A CA an access rule names stays.
    CaInUse,
}

/// Why a request was denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// No statement of the caller's policies allows it (AWS's implicit deny).
    NoAllow,
    /// The role's policies allow it, and no statement of the session's policies does.
    NoSessionAllow,
    /// The role's trust policy does not let the caller assume it (or there is no such role).
    NotTrusted,
    /// A statement of this policy denies it.
    ExplicitDeny {
        policy: PolicySource,
        sid: Option<String>,
    },
}

/// Why the store failed, with the store's own error as its source.
#[derive(Clone)]
pub struct StoreFailure(Arc<dyn std::error::Error + Send + Sync>);

impl StoreFailure {
    pub fn new(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(cause))
    }

    /// A failure the store describes in words only.
    pub fn message(text: impl Into<String>) -> Self {
        Self(Arc::from(Box::<dyn std::error::Error + Send + Sync>::from(
            text.into(),
        )))
    }
}

impl fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for StoreFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StoreFailure")
            .field(&self.0.to_string())
            .finish()
    }
}

impl std::error::Error for StoreFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Two failures are the same when they say the same: enough for tests, never used for control.
impl PartialEq for StoreFailure {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for StoreFailure {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    /// No account has the id or login given.
    #[error("no such account")]
    NoSuchAccount,
    /// The caller's account has no user of this name.
    #[error("no user named {0}")]
    NoSuchUser(UserName),
    /// The caller's account (or the named owner) has no access key with this id.
    #[error("no access key {0}")]
    NoSuchAccessKey(AccessKeyId),
    /// The user has no inline policy of this name.
    #[error("no user policy named {0}")]
    NoSuchPolicy(PolicyName),
    /// The group has no inline policy of this name.
    #[error("no group policy named {0}")]
    NoSuchGroupPolicy(PolicyName),
    /// Neither the caller's account nor the provider's catalog has this managed policy.
    #[error("no managed policy {}", .0.arn())]
    NoSuchManagedPolicy(PolicyRef),
    /// What an attachment names is not a policy there is: AWS's "does not exist or is not
    /// attachable".
    #[error("no attachable policy {}", .0.arn())]
    PolicyNotAttachable(PolicyRef),
    /// The managed policy has no version with this id.
    #[error("policy {} has no version {}", .0.arn(), .1)]
    NoSuchPolicyVersion(PolicyRef, VersionId),
    /// The managed policy is not attached to the user or group named.
    #[error("policy {} is not attached there", .0.arn())]
    PolicyNotAttached(PolicyRef),
    /// Another managed policy of the account has this name, compared without regard to case.
    #[error("a managed policy named {0} already exists")]
    ManagedPolicyAlreadyExists(PolicyName),
    /// The provider's policies are read-only: no version, tag or deletion.
    #[error("policy {} belongs to the provider and cannot be changed", .0.arn())]
    ProviderPolicyReadOnly(PolicyRef),
    /// The account's API access policy or rules forbid the change.
    #[error("API access governance: {0:?}")]
    AccessPolicy(AccessPolicyRule),
    /// The account has no API access rule with this id.
    #[error("no API access rule {0}")]
    NoSuchAccessRule(ApiAccessRuleId),
    /// The account has no client CA with this id.
    #[error("no CA {0}")]
    NoSuchCa(CaId),
    /// None of the account's API access rules admits the request.
    #[error("the account's API access rules do not admit this request")]
    NotAdmitted,
    /// The caller's account has no role of this name.
    #[error("no role named {0}")]
    NoSuchRole(RoleName),
    /// Another role of the account already has this name, compared without regard to case.
    #[error("a role named {0} already exists")]
    RoleAlreadyExists(RoleName),
    /// The role has no inline policy of this name.
    #[error("no role policy named {0}")]
    NoSuchRolePolicy(PolicyName),
    /// The caller's account has no group of this name.
    #[error("no group named {0}")]
    NoSuchGroup(GroupName),
    /// Another group of the account already has this name, compared without regard to case.
    #[error("a group named {0} already exists")]
    GroupAlreadyExists(GroupName),
    /// Another user of the account already has this name, compared without regard to case.
    #[error("a user named {0} already exists")]
    UserAlreadyExists(UserName),
    /// Another account already has this login.
    #[error("an account with this e-mail already exists")]
    AccountAlreadyExists,
    /// The operation would go beyond a quota.
    #[error("quota exceeded: {0:?}")]
    LimitExceeded(Quota),
    /// The rules in force require the key to be inactive before it is deleted.
    #[error("access key {0} is still active")]
    KeyNotInactive(AccessKeyId),
    /// The user still owns what must be deleted first.
    #[error("the user still has {0:?}")]
    DeleteConflict(Dependents),
    /// A parameter broke a rule the core checks; `field` is the request member's name.
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },
    /// A policy document outside the language keygate evaluates; the text says why.
    #[error("{0}")]
    MalformedPolicy(String),
    /// The caller's policies do not allow `action` on `resource`.
    #[error("{principal} may not perform {action} on {resource}")]
    AccessDenied {
        principal: String,
        action: String,
        resource: String,
        /// Boxed: a denial is rare, and keeps every `CoreResult` small.
        why: Box<Denial>,
    },
    /// The account has no virtual MFA device with this serial number (or the user named has
    /// none enabled with it).
    #[error("no MFA device {0}")]
    NoSuchMfaDevice(String),
    /// A device with this serial number exists already.
    #[error("an MFA device {0} exists already")]
    MfaDeviceExists(String),
    /// The device is enabled for a user already.
    #[error("MFA device {0} is enabled already")]
    MfaDeviceEnabled(String),
    /// The two codes are not two consecutive codes of the device.
    #[error("the MFA codes do not verify")]
    InvalidAuthenticationCode,
    /// The user has a password already.
    #[error("user {0} has a login profile already")]
    LoginProfileExists(UserName),
    /// The user has no password.
    #[error("user {0} has no login profile")]
    NoSuchLoginProfile(UserName),
    /// The account sets no password policy.
    #[error("the account has no password policy")]
    NoPasswordPolicy,
    /// A new password breaks the account's password policy; the text says how.
    #[error("the password does not meet the policy: {0}")]
    PasswordPolicy(String),
    /// Only an EIM user may do this (ChangePassword).
    #[error("only an EIM user may do this")]
    NotAUser,
    /// The old password given to ChangePassword is wrong.
    #[error("the old password is wrong")]
    WrongOldPassword,
    /// Session credentials may not do this.
    #[error("session credentials: {0:?}")]
    SessionRefused(SessionRule),
    /// Wrong login or password.
    #[error("invalid login or password")]
    BadCredentials,
    /// Too many wrong passwords in a row for this login: refused until the lock expires.
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    LoginLocked { retry_after_secs: u64 },
    /// Another account has this name (names compare without regard to case).
    #[error("an account named {0} already exists")]
    AccountNameTaken(String),
    /// Too many failed sign-ins from the caller's address this minute, across logins.
    #[error("too many failed sign-ins from this address; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// Every password check slot stayed taken: refused rather than queued, so that a flood
    /// costs bounded memory and time.
    #[error("too many sign-ins at once; retry shortly")]
    Busy,
    /// The store could not settle the change against changes made at the same time (on this
    /// replica or another), after retrying it: nothing was changed, and the call may be retried.
    #[error("the change conflicted with concurrent changes; retry it")]
    ConcurrentModification,
    /// The store failed; its error is the source. The caller sees a generic message.
    #[error("the store failed")]
    Storage(#[source] StoreFailure),
    /// Something inside keygate that is not the store failed: randomness, password hashing,
    /// identifiers exhausted, saving new credentials. The caller sees a generic message.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl CoreError {
    /// A failure of the store, caused by `cause`.
    pub fn storage(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Storage(StoreFailure::new(cause))
    }
}

/// The error and every source under it, `: `-separated, for logs.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

pub type CoreResult<T> = Result<T, CoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_keeps_its_cause_chain() {
        let io = std::io::Error::other("disk I/O error");
        let e = CoreError::storage(io);
        assert_eq!(chain(&e), "the store failed: disk I/O error");
    }
}
