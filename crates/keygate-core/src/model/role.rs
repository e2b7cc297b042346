//! Roles: identities without keys of their own, assumed for a while by principals their trust
//! policy names (STS AssumeRole), acting with the role's policies only.

use crate::ids::{AccountId, RoleId, RoleName, RoleSessionName, UserPath};
use crate::model::{Tag, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub account_id: AccountId,
    pub id: RoleId,
    pub name: RoleName,
    pub path: UserPath,
    /// The trust policy (`AssumeRolePolicyDocument`), as it was given.
    pub trust_policy: String,
    /// When the trust policy was set: the users and roles it names are those that existed then.
    pub trust_set_at: Timestamp,
    pub description: Option<String>,
    /// The longest session AssumeRole makes for it, in seconds.
    pub max_session_seconds: u32,
    pub created_at: Timestamp,
    /// When it was last assumed, and in which region (`RoleLastUsed`).
    pub last_used: Option<(Timestamp, String)>,
    /// Sorted by key.
    pub tags: Vec<Tag>,
}

impl Role {
    /// `arn:aws:iam::<account>:role<path><name>`, the resource policies are matched against.
    pub fn arn(&self) -> String {
        role_arn(&self.account_id, &self.path, &self.name)
    }
}

pub fn role_arn(account: &AccountId, path: &UserPath, name: &RoleName) -> String {
    format!("arn:aws:iam::{account}:role{path}{name}")
}

/// `arn:aws:sts::<account>:assumed-role/<role>/<session>`: the path is not part of it (AWS).
pub fn assumed_role_arn(account: &AccountId, role: &RoleName, session: &RoleSessionName) -> String {
    format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let account = AccountId::parse("123456789012").unwrap();
        let name = RoleName::parse("deployer").unwrap();
        let path = UserPath::parse("/ci/").unwrap();
        assert_eq!(
            role_arn(&account, &path, &name),
            "arn:aws:iam::123456789012:role/ci/deployer"
        );
        assert_eq!(
            assumed_role_arn(&account, &name, &RoleSessionName::parse("build-7").unwrap()),
            "arn:aws:sts::123456789012:assumed-role/deployer/build-7"
        );
    }
}
