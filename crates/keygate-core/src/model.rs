//! The domain's records: accounts, users, groups, access keys, managed policies (`managed`),
//! principals, and the secret type that carries a key's secret without ever printing it.

use std::fmt;

use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::ids::{
    AccessKeyId, AccountId, Email, GroupId, GroupName, RoleId, RoleName, RoleSessionName, TagKey,
    TagValue, UserId, UserName, UserPath,
};

mod access;
mod audit;
mod login;
mod managed;
mod mfa;
mod role;
mod session;

pub use access::{ApiAccessPolicy, ApiAccessRule, Ca, IpRange};
pub use audit::AuditRecord;
pub use login::{LoginFailures, LoginProfile, PasswordPolicy};
pub use managed::{Attachee, ManagedPolicy, PolicyOwner, PolicyRef, PolicyVersion};
pub use mfa::MfaDevice;
pub use role::{Role, assumed_role_arn, role_arn};
pub use session::{
    NewSession, RoleSession, Session, SessionFacts, SessionKind, SessionOrigin, Signer,
};

/// The id of the request being served: set once per request by the server, echoed by every
/// dialect in its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// What a front end tells the server of a request it answered, for the metrics: its dialect,
/// the action or call (`unknown` before one is named), the error code it answered (`None` for
/// a success), and whether the error came from authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLabel {
    pub dialect: &'static str,
    pub action: &'static str,
    pub error: Option<&'static str>,
    pub at_authentication: bool,
}

/// A point in time, UTC, with millisecond precision (what the OSC dialect shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub fn unix_millis(self) -> i64 {
        self.0
    }

    pub fn from_datetime(dt: OffsetDateTime) -> Self {
        // Every instant `time` can hold is within i64 milliseconds.
        Self(i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
    }

    /// `None` only for instants outside `time`'s range, which no stored value reaches.
    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Self(self.0.saturating_add(s.saturating_mul(1000)))
    }
}

/// A secret access key. Zeroized on drop; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Self(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    /// The login of the account's root for password authentication.
    pub email: Email,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: TagKey,
    pub value: TagValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub account_id: AccountId,
    pub id: UserId,
    pub name: UserName,
    pub path: UserPath,
    pub email: Option<Email>,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
    /// Sorted by key.
    pub tags: Vec<Tag>,
}

impl User {
    /// `arn:aws:iam::<account>:user<path><name>`, the resource policies are matched against.
    pub fn arn(&self) -> String {
        user_arn(&self.account_id, &self.path, &self.name)
    }
}

/// A group of users of one account: what its inline policies allow, they allow every member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub account_id: AccountId,
    pub id: GroupId,
    pub name: GroupName,
    pub path: UserPath,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
}

impl Group {
    /// `arn:aws:iam::<account>:group<path><name>`.
    pub fn arn(&self) -> String {
        group_arn(&self.account_id, &self.path, &self.name)
    }
}

pub fn group_arn(account: &AccountId, path: &UserPath, name: &GroupName) -> String {
    format!("arn:aws:iam::{account}:group{path}{name}")
}

pub fn user_arn(account: &AccountId, path: &UserPath, name: &UserName) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

/// Splits what follows `user/`, `role/` or `policy/` in an ARN, `<path without its leading
/// slash><name>`, into the path (`/` at both ends) and the name.
pub fn path_and_name(rest: &str) -> (String, &str) {
    match rest.rfind('/') {
        Some(i) => (format!("/{}", &rest[..=i]), &rest[i + 1..]),
        None => ("/".to_owned(), rest),
    }
}

pub fn root_arn(account: &AccountId) -> String {
    format!("arn:aws:iam::{account}:root")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyState {
    Active,
    Inactive,
}

/// Whose key it is: the account's root, or one of its users.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyOwner {
    Root,
    User(UserId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastUsed {
    pub at: Timestamp,
    pub service: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: AccessKeyId,
    pub account_id: AccountId,
    pub owner: KeyOwner,
    pub state: KeyState,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used: Option<LastUsed>,
    /// A free-text label (the OSC dialect's `Tag`).
    pub tag: Option<String>,
}

impl AccessKey {
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }
}

/// An access key as listed to a caller: the key and the name of its owning user, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyView {
    pub key: AccessKey,
    pub user_name: Option<UserName>,
}

/// Who is making a request. Every operation runs inside the principal's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Root {
        account: AccountId,
    },
    User {
        account: AccountId,
        id: UserId,
        name: UserName,
        path: UserPath,
    },
    /// A session of an assumed role: it acts with the role's policies.
    Role {
        account: AccountId,
        id: RoleId,
        name: RoleName,
        path: UserPath,
        session: RoleSessionName,
    },
}

impl Principal {
    pub fn account(&self) -> &AccountId {
        match self {
            Principal::Root { account }
            | Principal::User { account, .. }
            | Principal::Role { account, .. } => account,
        }
    }

    pub fn arn(&self) -> String {
        match self {
            Principal::Root { account } => root_arn(account),
            Principal::User {
                account,
                name,
                path,
                ..
            } => user_arn(account, path, name),
            Principal::Role {
                account,
                name,
                session,
                ..
            } => assumed_role_arn(account, name, session),
        }
    }

    /// A caller's stable id: the account id for the root, the user id for a user, the role id
    /// and session name for an assumed role (`AROA…:session`).
    pub fn unique_id(&self) -> String {
        match self {
            Principal::Root { account } => account.to_string(),
            Principal::User { id, .. } => id.to_string(),
            Principal::Role { id, session, .. } => format!("{id}:{session}"),
        }
    }

    pub fn for_user(user: &User) -> Self {
        Principal::User {
            account: user.account_id.clone(),
            id: user.id.clone(),
            name: user.name.clone(),
            path: user.path.clone(),
        }
    }
}

/// What authentication needs to check a signature: the key's secret and who it speaks for,
/// and for a session's key, the session's facts.
#[derive(Debug, Clone)]
pub struct SigningKey {
    pub secret: Secret,
    pub principal: Principal,
    pub session: Option<SessionFacts>,
    /// Whether the principal's account admits requests from the client's address (its API
    /// access rules): checked once the signature is, so that a refusal tells nothing of keys.
    pub admitted: bool,
}

/// A newly created access key, the only time its secret is handed out.
#[derive(Debug, Clone)]
pub struct NewAccessKey {
    pub view: KeyView,
    pub secret: Secret,
}

/// The credentials of a newly created account (or a reset one), handed out once.
#[derive(Debug, Clone)]
pub struct AccountCredentials {
    pub account: Account,
    pub access_key_id: AccessKeyId,
    pub secret: Secret,
    pub password: Secret,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_hides_value() {
        let s = Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into());
        assert!(!format!("{s:?}").contains("wJalr"));
        let k = SigningKey {
            session: None,
            admitted: true,
            secret: s,
            principal: Principal::Root {
                account: AccountId::parse("123456789012").unwrap(),
            },
        };
        assert!(!format!("{k:?}").contains("wJalr"));
    }

    #[test]
    fn arns() {
        let account = AccountId::parse("123456789012").unwrap();
        let name = UserName::parse("alice").unwrap();
        let path = UserPath::parse("/engineering/").unwrap();
        assert_eq!(
            user_arn(&account, &path, &name),
            "arn:aws:iam::123456789012:user/engineering/alice"
        );
        assert_eq!(root_arn(&account), "arn:aws:iam::123456789012:root");
    }

    #[test]
    fn timestamps_round_trip() {
        let t = Timestamp::from_unix_millis(1_714_565_100_123);
        assert_eq!(Timestamp::from_datetime(t.to_datetime()), t);
        assert_eq!(t.plus_seconds(1).unix_millis(), 1_714_565_101_123);
    }
}
