//! keygate's core: the domain, its rules, `Service` (the only writer) and `Caller` (what a
//! principal may do, one module per resource). It knows nothing of HTTP, SQL or XML; front
//! ends decode requests into calls on `Caller` and encode its answers.

pub mod caller;
pub mod catalog;
pub mod error;
pub mod ids;
mod key_cache;
mod key_uses;
pub mod memory;
pub mod model;
pub mod page;
pub mod password;
pub mod policy;
pub mod rules;
pub mod service;
mod sign_in;
pub mod store;
pub mod system;
#[cfg(test)]
mod testing;
pub mod totp;
pub mod validate;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use caller::{
    ASSUME_SECONDS, Assignment, AssumeRequest, AssumedRole, AttachTarget, AuditContext,
    AuditFilter, CaFilter, Caller, GroupChange, GroupRef, Identity, KeyChange, KeyFilter,
    MAX_KEY_LIFETIME_SECONDS, MAX_SESSION_POLICY_ARNS, NewMfaDevice, NewPolicy, NewRole,
    PolicyEntities, PolicyFilter, PolicyScope, PolicyView, ROLE_SESSION_SECONDS, RequestInfo,
    RoleChange, RuleFilter, RuleSpec, SESSION_SECONDS, UserChange,
};
pub use error::{
    AccessPolicyRule, CoreError, CoreResult, Denial, Dependents, PolicySource, Quota, SessionRule,
    StoreFailure,
};
pub use ids::{
    AccessKeyId, AccountId, ApiAccessRuleId, CaId, Email, GroupId, GroupName, InvalidId, MfaName,
    PathPrefix, PolicyId, PolicyName, RoleId, RoleName, RoleSessionName, TagKey, TagValue, UserId,
    UserName, UserPath, VersionId,
};
pub use model::{
    AccessKey, Account, AccountCredentials, ApiAccessPolicy, ApiAccessRule, Attachee, AuditRecord,
    Ca, CallLabel, Group, IpRange, KeyOwner, KeyState, KeyView, LastUsed, LoginFailures,
    LoginProfile, ManagedPolicy, MfaDevice, NewAccessKey, NewSession, PasswordPolicy, PolicyOwner,
    PolicyRef, PolicyVersion, Principal, RequestId, Role, RoleSession, Secret, Session,
    SessionFacts, SessionKind, SessionOrigin, Signer, SigningKey, Tag, Timestamp, User,
};
pub use page::{Page, PageRequest};
pub use rules::{KeyDeletion, Limits, MissingExpiration, Operation, Rules};
pub use service::{KeyLookup, Service, UserSignIn};
pub use sign_in::{SignInCounts, Source};
pub use store::{CertificateCheck, Clock, IdGen, ReadTx, Store, WriteTx};
pub use system::{FixedClock, RandomIds, SystemClock};
pub use validate::MAX_TAGS_PER_USER;
