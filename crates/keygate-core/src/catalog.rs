//! The provider's managed policies: a small built-in catalog, the same in every account,
//! read-only, attachable like an account's own (AWS's scope `AWS`, Outscale's `OWS`). Each
//! document names both dialects' actions, since a permission on one API's action does not
//! extend to the other's.

use crate::ids::{PolicyId, PolicyName, UserPath, VersionId};
use crate::model::{ManagedPolicy, PolicyOwner, PolicyRef, Timestamp};

/// One entry: id, name, description, document.
struct Entry {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    document: &'static str,
}

const ENTRIES: &[Entry] = &[
    Entry {
        id: "ANPAKGPROVIDER0000001",
        name: "AdministratorAccess",
        description: "Every action on every resource of the account.",
        document: r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"#,
    },
    Entry {
        id: "ANPAKGPROVIDER0000002",
        name: "ReadOnlyAccess",
        description: "Reads and lists everything in the account, changes nothing.",
        document: r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["iam:Get*", "iam:List*", "api:Read*"],
      "Resource": "*"
    }
  ]
}"#,
    },
    Entry {
        id: "ANPAKGPROVIDER0000003",
        name: "ManageOwnAccessKeys",
        description: "Lets a user create, rotate, read and delete its own access keys.",
        document: r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ManageOwnAccessKeys",
      "Effect": "Allow",
      "Action": [
        "iam:CreateAccessKey",
        "iam:DeleteAccessKey",
        "iam:GetAccessKeyLastUsed",
        "iam:GetUser",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
        "iam:TagUser",
        "api:CreateAccessKey",
        "api:DeleteAccessKey",
        "api:ReadAccessKeys",
        "api:UpdateAccessKey"
      ],
      "Resource": [
        "arn:aws:iam::*:user/${aws:username}",
        "arn:aws:iam::*:user/*/${aws:username}"
      ]
    }
  ]
}"#,
    },
];

/// When the catalog's policies were first published: 2026-01-01T00:00:00Z.
const PUBLISHED: Timestamp = Timestamp::from_unix_millis(1_767_225_600_000);

fn policy(e: &Entry) -> ManagedPolicy {
    ManagedPolicy {
        owner: PolicyOwner::Provider,
        id: PolicyId::parse(e.id).unwrap_or_else(|_| unreachable!("catalog ids are valid")),
        name: PolicyName::parse(e.name).unwrap_or_else(|_| unreachable!("catalog names are valid")),
        path: UserPath::root(),
        description: Some(e.description.to_owned()),
        default_version: VersionId::FIRST,
        latest_version: VersionId::FIRST,
        created_at: PUBLISHED,
        modified_at: PUBLISHED,
        tags: Vec::new(),
    }
}

/// Every provider policy, ordered by name.
pub fn policies() -> Vec<ManagedPolicy> {
    let mut all: Vec<ManagedPolicy> = ENTRIES.iter().map(policy).collect();
    all.sort_by_key(|p| p.name.folded());
    all
}

/// The provider policy a reference names: its path exactly, its name without regard to case,
/// as an account's own policies are found.
pub fn find(r: &PolicyRef) -> Option<ManagedPolicy> {
    let folded = r.name.folded();
    ENTRIES
        .iter()
        .map(policy)
        .find(|p| r.owner == PolicyOwner::Provider && p.path == r.path && p.name.folded() == folded)
}

/// The provider policy with this id.
pub fn by_id(id: &PolicyId) -> Option<ManagedPolicy> {
    ENTRIES.iter().find(|e| e.id == id.as_str()).map(policy)
}

/// The document of a provider policy (it has one version, `v1`).
pub fn document(id: &PolicyId) -> Option<&'static str> {
    ENTRIES
        .iter()
        .find(|e| e.id == id.as_str())
        .map(|e| e.document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_document_is_a_valid_current_policy() {
        for p in policies() {
            let doc = document(&p.id).unwrap();
            let parsed = crate::policy::parse(doc).unwrap();
            assert!(parsed.is_current_version(), "{}", p.name);
            assert!(
                crate::policy::counted_chars(doc) <= 6144,
                "{} fits the managed policy size",
                p.name
            );
            assert_eq!(find(&p.reference()), Some(p.clone()));
            assert_eq!(by_id(&p.id), Some(p));
        }
    }
}
