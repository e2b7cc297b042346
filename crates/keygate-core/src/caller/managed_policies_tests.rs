//! Managed policies: versions and their limits, deletion conflicts, documents, the provider's
//! catalog, tags and tag condition keys.

use crate::testing::*;
use crate::{PolicyFilter, PolicyScope};

#[test]
fn versions_are_numbered_limited_and_the_default_is_kept() {
    let w = world();
    let root = w.root(&IAM);
    let made = root
        .create_policy(new_policy("readers", READ_USERS))
        .unwrap();
    assert!(made.policy.id.as_str().starts_with("ANPA"));
    assert_eq!(made.attachment_count, 0);
    assert_eq!(
        made.policy.arn(),
        format!("arn:aws:iam::{}:policy/readers", w.root.account())
    );
    assert_eq!(
        root.create_policy(new_policy("READERS", READ_USERS))
            .map(|_| ()),
        Err(CoreError::ManagedPolicyAlreadyExists(policy_name(
            "READERS"
        )))
    );
    let r = local(&w, "readers");
    for n in 2..=5 {
        let (ver, default) = root.create_policy_version(&r, READ_USERS, n == 3).unwrap();
        assert_eq!(ver.id.to_string(), format!("v{n}"));
        assert_eq!(default, n == 3);
    }
    assert_eq!(
        root.create_policy_version(&r, READ_USERS, false),
        Err(CoreError::LimitExceeded(Quota::VersionsPerPolicy(5)))
    );
    assert_eq!(root.get_policy(&r).unwrap().policy.default_version, v("v3"));
    assert_eq!(
        root.delete_policy_version(&r, v("v3")),
        Err(CoreError::DeleteConflict(Dependents::DefaultVersion))
    );
    assert_eq!(
        root.delete_policy_version(&r, v("v9")),
        Err(CoreError::NoSuchPolicyVersion(r.clone(), v("v9")))
    );
    root.delete_policy_version(&r, v("v5")).unwrap();
    let (ver, _) = root.create_policy_version(&r, READ_USERS, false).unwrap();
    assert_eq!(ver.id, v("v6"), "numbers are never reused");
    let listed: Vec<_> = root
        .list_policy_versions(&r)
        .unwrap()
        .into_iter()
        .map(|(ver, d)| (ver.id.to_string(), d))
        .collect();
    assert_eq!(
        listed,
        [
            ("v6".to_owned(), false),
            ("v4".to_owned(), false),
            ("v3".to_owned(), true),
            ("v2".to_owned(), false),
            ("v1".to_owned(), false)
        ]
    );
    root.set_default_policy_version(&r, v("v1")).unwrap();
    assert_eq!(
        root.delete_policy(&r),
        Err(CoreError::DeleteConflict(Dependents::Versions))
    );
    for n in ["v2", "v3", "v4", "v6"] {
        root.delete_policy_version(&r, v(n)).unwrap();
    }
    root.delete_policy(&r).unwrap();
    assert_eq!(
        root.get_policy(&r),
        Err(CoreError::NoSuchManagedPolicy(r.clone()))
    );
}

#[test]
fn documents_are_checked_as_managed_policies() {
    let w = world_with(Limits {
        managed_policy_chars: 120,
        ..Limits::default()
    });
    let root = w.root(&IAM);
    let no_version = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    assert_eq!(
        root.create_policy(new_policy("p", no_version)).map(|_| ()),
        Err(CoreError::MalformedPolicy(
            "Policy document must be version 2012-10-17 or greater.".into()
        ))
    );
    assert!(matches!(
        root.create_policy(new_policy("p", "{")),
        Err(CoreError::MalformedPolicy(_))
    ));
    let long = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:{}","Resource":"*"}}]}}"#,
        "x".repeat(60)
    );
    assert_eq!(
        root.create_policy(new_policy("p", &long)).map(|_| ()),
        Err(CoreError::LimitExceeded(Quota::ManagedPolicySize(120)))
    );
    let mut described = new_policy("p", READ_USERS);
    described.description = Some("d".repeat(1001));
    assert!(matches!(
        root.create_policy(described),
        Err(CoreError::InvalidInput {
            field: "Description",
            ..
        })
    ));
    assert!(
        root.list_policies(&PolicyFilter::default(), &PageRequest::default())
            .unwrap()
            .items
            .iter()
            .all(|p| p.policy.owner == PolicyOwner::Provider),
        "nothing was created"
    );
}

#[test]
fn the_catalog_is_listed_by_scope_and_read_only() {
    let w = world();
    let root = w.root(&IAM);
    root.create_policy(new_policy("readers", READ_USERS))
        .unwrap();
    let names = |scope, only_attached| -> Vec<String> {
        let filter = PolicyFilter {
            scope,
            only_attached,
            ..PolicyFilter::default()
        };
        root.list_policies(&filter, &PageRequest::default())
            .unwrap()
            .items
            .into_iter()
            .map(|p| p.policy.name.to_string())
            .collect()
    };
    assert_eq!(
        names(PolicyScope::All, false),
        [
            "AdministratorAccess",
            "ManageOwnAccessKeys",
            "readers",
            "ReadOnlyAccess"
        ]
    );
    assert_eq!(names(PolicyScope::Local, false), ["readers"]);
    assert_eq!(names(PolicyScope::Provider, false).len(), 3);
    assert!(names(PolicyScope::All, true).is_empty());
    let admin = provider("AdministratorAccess");
    let (ver, default) = root.get_policy_version(&admin, VersionId::FIRST).unwrap();
    assert!(default && ver.document.contains("\"Action\": \"*\""));
    for refused in [
        root.create_policy_version(&admin, READ_USERS, true)
            .map(|_| ()),
        root.delete_policy(&admin),
        root.set_default_policy_version(&admin, VersionId::FIRST),
        root.tag_policy(&admin, vec![]),
    ] {
        assert_eq!(
            refused,
            Err(CoreError::ProviderPolicyReadOnly(admin.clone()))
        );
    }
    let (page, more) = root.read_policies(&PolicyFilter::default(), 1, 2).unwrap();
    assert_eq!(page.len(), 2);
    assert!(more);
}

#[test]
fn policy_tags_round_trip() {
    let w = world();
    let root = w.root(&IAM);
    root.create_policy(new_policy("readers", READ_USERS))
        .unwrap();
    let r = local(&w, "readers");
    let tag = |k: &str, val: &str| Tag {
        key: TagKey::parse(k).unwrap(),
        value: crate::TagValue::parse(val).unwrap(),
    };
    root.tag_policy(&r, vec![tag("b", "2"), tag("a", "1")])
        .unwrap();
    root.tag_policy(&r, vec![tag("a", "one")]).unwrap();
    root.untag_policy(&r, &[TagKey::parse("b").unwrap()])
        .unwrap();
    let tags = root.list_policy_tags(&r, &PageRequest::default()).unwrap();
    assert_eq!(tags.items, vec![tag("a", "one")]);
}

#[test]
fn tags_of_the_resource_and_of_the_request_are_condition_keys() {
    let w = world();
    let bob = w.user("bob");
    let root = w.root(&IAM);
    let team = |v: &str| Tag {
        key: TagKey::parse("team").unwrap(),
        value: crate::TagValue::parse(v).unwrap(),
    };
    root.create_user(name("blue-1"), None, None, vec![team("blue")])
        .unwrap();
    root.create_user(name("red-1"), None, None, vec![team("red")])
        .unwrap();
    w.grant(
        "bob",
        "by-tags",
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
             "Condition": {"StringEquals": {"iam:ResourceTag/team": "blue"}}},
            {"Effect": "Allow", "Action": ["iam:TagUser", "iam:CreatePolicy"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"},
                           "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}},
            {"Effect": "Allow", "Action": "iam:UntagPolicy", "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]}"#,
    );
    let as_bob = w.svc.caller(&bob, &IAM);
    assert!(as_bob.get_user(Some(&name("blue-1"))).is_ok());
    assert!(matches!(
        as_bob.get_user(Some(&name("red-1"))),
        Err(CoreError::AccessDenied { .. })
    ));
    as_bob.tag_user(&name("red-1"), vec![team("blue")]).unwrap();
    assert!(matches!(
        as_bob.tag_user(&name("red-1"), vec![team("green")]),
        Err(CoreError::AccessDenied { .. })
    ));
    let mut other = team("blue");
    other.key = TagKey::parse("owner").unwrap();
    assert!(matches!(
        as_bob.tag_user(&name("red-1"), vec![team("blue"), other]),
        Err(CoreError::AccessDenied { .. })
    ));
    let mut tagged = new_policy("tagged", READ_USERS);
    tagged.tags = vec![team("blue")];
    as_bob.create_policy(tagged).unwrap();
    assert!(matches!(
        as_bob.create_policy(new_policy("untagged", READ_USERS)),
        Err(CoreError::AccessDenied { .. })
    ));
    as_bob
        .untag_policy(&local(&w, "tagged"), &[TagKey::parse("team").unwrap()])
        .unwrap();
}

#[test]
fn update_date_is_when_the_newest_version_was_made() {
    let w = world();
    let root = w.root(&IAM);
    let made = root.create_policy(new_policy("p", READ_USERS)).unwrap();
    let r = local(&w, "p");
    w.clock.advance_seconds(60);
    root.create_policy_version(&r, READ_USERS, false).unwrap();
    let after_version = root.get_policy(&r).unwrap().policy.modified_at;
    assert_eq!(after_version, made.policy.created_at.plus_seconds(60));
    w.clock.advance_seconds(60);
    root.set_default_policy_version(&r, v("v2")).unwrap();
    root.delete_policy_version(&r, v("v1")).unwrap();
    assert_eq!(
        root.get_policy(&r).unwrap().policy.modified_at,
        after_version
    );
}
