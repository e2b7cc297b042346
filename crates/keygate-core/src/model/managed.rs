//! Managed policies: standalone, versioned policy documents attached to users, groups and
//! roles, owned by an account or, for the built-in catalog, by the provider; and the reference
//! a request names one by.

use crate::ids::{
    AccountId, GroupId, InvalidId, PolicyId, PolicyName, RoleId, UserId, UserPath, VersionId,
};
use crate::model::{Tag, Timestamp};

/// Who a managed policy belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicyOwner {
    /// The built-in catalog, the same in every account and read-only (AWS's scope `AWS`,
    /// Outscale's `OWS`).
    Provider,
    /// A customer managed policy of this account (scope `Local`).
    Account(AccountId),
}

/// A managed policy; its documents are its versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub owner: PolicyOwner,
    pub id: PolicyId,
    /// Unique in its owner without regard to case, whatever the path.
    pub name: PolicyName,
    pub path: UserPath,
    /// Set when the policy is created, never changed (as AWS).
    pub description: Option<String>,
    /// The version in force.
    pub default_version: VersionId,
    /// The highest version number given so far: the next version takes the one after it.
    pub latest_version: VersionId,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
    /// Sorted by key.
    pub tags: Vec<Tag>,
}

impl ManagedPolicy {
    /// `arn:aws:iam::<account or aws>:policy<path><name>`, the resource policies are matched
    /// against.
    pub fn arn(&self) -> String {
        self.reference().arn()
    }

    /// The order policies are listed in: by name without case, then by ARN (an account's
    /// policy may share a provider policy's name).
    pub fn sort_key(&self) -> String {
        format!("{}\u{0}{}", self.name.folded(), self.arn())
    }

    /// The reference that names this policy.
    pub fn reference(&self) -> PolicyRef {
        PolicyRef {
            owner: self.owner.clone(),
            path: self.path.clone(),
            name: self.name.clone(),
        }
    }
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: VersionId,
    /// The document as it was given.
    pub document: String,
    pub created_at: Timestamp,
}

/// What a managed policy is attached to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attachee {
    User(UserId),
    Group(GroupId),
    Role(RoleId),
}

/// A managed policy as a request names it: its owner, path and name, the parts of its ARN
/// (`arn:aws:iam::<owner>:policy<path><name>`) or ORN (`orn:ows:idauth::<owner>:policy<path><name>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyRef {
    pub owner: PolicyOwner,
    pub path: UserPath,
    pub name: PolicyName,
}

impl PolicyRef {
    /// Reads `<owner>:policy<path><name>`, the tail both dialects' resource names share;
    /// `provider` is what the dialect calls the provider as an owner (`aws`, `ows`).
    pub fn parse_tail(tail: &str, provider: &str) -> Result<Self, InvalidId> {
        let bad = || InvalidId(format!("is not a policy resource name: {tail}"));
        let (owner, rest) = tail.split_once(":policy/").ok_or_else(bad)?;
        let owner = if owner == provider {
            PolicyOwner::Provider
        } else {
            PolicyOwner::Account(AccountId::parse(owner).map_err(|_| bad())?)
        };
        let (path, name) = crate::model::path_and_name(rest);
        Ok(Self {
            owner,
            path: UserPath::parse(&path).map_err(|_| bad())?,
            name: PolicyName::parse(name).map_err(|_| bad())?,
        })
    }

    /// The owner part of the resource name: the account id, or `provider`.
    pub fn owner_text<'a>(&'a self, provider: &'a str) -> &'a str {
        match &self.owner {
            PolicyOwner::Provider => provider,
            PolicyOwner::Account(a) => a.as_str(),
        }
    }

    /// `arn:aws:iam::<account or aws>:policy<path><name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:policy{}{}",
            self.owner_text("aws"),
            self.path,
            self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_their_owner_path_and_name() {
        let r = PolicyRef::parse_tail("123456789012:policy/a/b/Readers", "aws").unwrap();
        assert_eq!(
            r.owner,
            PolicyOwner::Account(AccountId::parse("123456789012").unwrap())
        );
        assert_eq!(r.path.as_str(), "/a/b/");
        assert_eq!(r.name.as_str(), "Readers");
        assert_eq!(r.arn(), "arn:aws:iam::123456789012:policy/a/b/Readers");
        let p = PolicyRef::parse_tail("aws:policy/ReadOnlyAccess", "aws").unwrap();
        assert_eq!(p.owner, PolicyOwner::Provider);
        assert_eq!(p.path.as_str(), "/");
        assert_eq!(p.arn(), "arn:aws:iam::aws:policy/ReadOnlyAccess");
        for bad in [
            "aws:policy/",
            "12:policy/x",
            "123456789012:user/x",
            "ows:policy/x",
            "123456789012:policy/a b",
        ] {
            assert!(PolicyRef::parse_tail(bad, "aws").is_err(), "{bad}");
        }
    }
}
