//! Attachments: their limits and conflicts, permissions that come through an attached policy,
//! `iam:PolicyARN`, and authorisation on the stored ARN.

use crate::testing::*;

#[test]
fn attachments_count_limit_and_block_deletion() {
    let w = world_with(Limits {
        policies_per_user: 2,
        ..Limits::default()
    });
    w.user("alice");
    let root = w.root(&IAM);
    root.create_group(GroupName::parse("devs").unwrap(), None)
        .unwrap();
    root.create_policy(new_policy("readers", READ_USERS))
        .unwrap();
    let r = local(&w, "readers");
    root.attach_policy(&r, &user("alice")).unwrap();
    root.attach_policy(&r, &user("alice")).unwrap();
    root.attach_policy(&r, &group("devs")).unwrap();
    root.attach_policy(&provider("ReadOnlyAccess"), &user("alice"))
        .unwrap();
    assert_eq!(
        root.attach_policy(&provider("AdministratorAccess"), &user("alice")),
        Err(CoreError::LimitExceeded(Quota::PoliciesPerUser(2)))
    );
    assert_eq!(root.get_policy(&r).unwrap().attachment_count, 2);
    let entities = root.entities_for_policy(&r, None).unwrap();
    let elsewhere = root
        .entities_for_policy(&r, Some(&PathPrefix::parse("/eng/").unwrap()))
        .unwrap();
    assert!(
        elsewhere.users.is_empty() && elsewhere.groups.is_empty(),
        "a path prefix no entity is under"
    );
    assert_eq!(entities.users.len(), 1);
    assert_eq!(entities.groups.len(), 1);
    let attached: Vec<_> = root
        .attached_policies(&user("alice"), None)
        .unwrap()
        .1
        .into_iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(attached, ["readers", "ReadOnlyAccess"]);
    assert_eq!(
        root.delete_policy(&r),
        Err(CoreError::DeleteConflict(Dependents::Attachments))
    );
    assert_eq!(
        root.delete_user(&name("alice")),
        Err(CoreError::DeleteConflict(Dependents::AttachedPolicies))
    );
    assert_eq!(
        root.delete_group(&GroupRef::named(GroupName::parse("devs").unwrap()), false),
        Err(CoreError::DeleteConflict(Dependents::AttachedPolicies))
    );
    assert_eq!(
        root.attach_policy(&local(&w, "nope"), &user("alice")),
        Err(CoreError::PolicyNotAttachable(local(&w, "nope")))
    );
    assert_eq!(
        root.attach_policy(&r, &user("nobody")),
        Err(CoreError::NoSuchUser(name("nobody")))
    );
    let elsewhere = PolicyRef {
        owner: PolicyOwner::Account(crate::AccountId::parse("999999999999").unwrap()),
        ..r.clone()
    };
    assert_eq!(
        root.attach_policy(&elsewhere, &user("alice")),
        Err(CoreError::PolicyNotAttachable(elsewhere.clone())),
        "another account's policy is one that does not exist"
    );
    root.detach_policy(&r, &user("alice")).unwrap();
    assert_eq!(
        root.detach_policy(&r, &user("alice")),
        Err(CoreError::PolicyNotAttached(r.clone()))
    );
    root.delete_group(&GroupRef::named(GroupName::parse("devs").unwrap()), true)
        .unwrap();
    assert_eq!(
        root.get_policy(&r).unwrap().attachment_count,
        0,
        "a forced group deletion detaches"
    );
    root.delete_policy(&r).unwrap();
}

#[test]
fn permissions_come_through_attached_policies_and_a_deny_in_another_group_wins() {
    let w = world();
    let alice = w.user("alice");
    let root = w.root(&IAM);
    root.create_policy(new_policy("readers", READ_USERS))
        .unwrap();
    root.create_policy(new_policy("blockers", DENY_USERS))
        .unwrap();
    for g in ["devs", "blocked"] {
        root.create_group(GroupName::parse(g).unwrap(), None)
            .unwrap();
    }
    let as_alice = w.svc.caller(&alice, &IAM);
    let get = || as_alice.get_user(Some(&name("alice"))).map(|_| ());
    assert!(matches!(get(), Err(CoreError::AccessDenied { .. })));
    root.attach_policy(&local(&w, "readers"), &group("devs"))
        .unwrap();
    root.add_user_to_group(
        &GroupRef::named(GroupName::parse("devs").unwrap()),
        &name("alice"),
        None,
    )
    .unwrap();
    assert_eq!(get(), Ok(()), "allowed through its group's attached policy");
    root.attach_policy(&local(&w, "blockers"), &group("blocked"))
        .unwrap();
    root.add_user_to_group(
        &GroupRef::named(GroupName::parse("blocked").unwrap()),
        &name("alice"),
        None,
    )
    .unwrap();
    match get() {
        Err(CoreError::AccessDenied { why, .. }) => assert_eq!(
            *why,
            crate::Denial::ExplicitDeny {
                policy: crate::PolicySource::Managed(local(&w, "blockers")),
                sid: None
            },
            "the deny wins, and is named"
        ),
        other => panic!("the deny wins: {other:?}"),
    }
    root.remove_user_from_group(
        &GroupRef::named(GroupName::parse("blocked").unwrap()),
        &name("alice"),
        None,
    )
    .unwrap();
    root.remove_user_from_group(
        &GroupRef::named(GroupName::parse("devs").unwrap()),
        &name("alice"),
        None,
    )
    .unwrap();
    assert!(
        matches!(get(), Err(CoreError::AccessDenied { .. })),
        "lost with the membership"
    );
    root.attach_policy(&provider("ReadOnlyAccess"), &user("alice"))
        .unwrap();
    assert_eq!(
        get(),
        Ok(()),
        "the provider's read-only policy, attached to the user"
    );
    // A new default version changes what every attachment allows at once.
    root.create_policy_version(&local(&w, "readers"), DENY_USERS, true)
        .unwrap();
    root.attach_policy(&local(&w, "readers"), &user("alice"))
        .unwrap();
    assert!(matches!(get(), Err(CoreError::AccessDenied { .. })));
}

#[test]
fn attaching_can_be_narrowed_to_some_policies_by_iam_policy_arn() {
    let w = world();
    w.user("alice");
    let bob = w.user("bob");
    let account = w.root.account().clone();
    w.grant(
        "bob",
        "attach-readers-only",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{{"ArnEquals":{{"iam:PolicyARN":"arn:aws:iam::{account}:policy/readers"}}}}}}]}}"#
        ),
    );
    let root = w.root(&IAM);
    root.create_policy(new_policy("readers", READ_USERS))
        .unwrap();
    let as_bob = w.svc.caller(&bob, &IAM);
    as_bob
        .attach_policy(&local(&w, "readers"), &user("alice"))
        .unwrap();
    assert!(matches!(
        as_bob.attach_policy(&provider("AdministratorAccess"), &user("alice")),
        Err(CoreError::AccessDenied { .. })
    ));
}

#[test]
fn a_policy_is_authorised_on_its_stored_arn_whatever_the_case_it_is_named_in() {
    let w = world();
    let bob = w.user("bob");
    w.user("alice");
    let account = w.root.account().clone();
    w.grant(
        "bob",
        "all-but-critical",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}},
                {{"Effect": "Deny", "Action": "iam:DeletePolicy", "Resource": "arn:aws:iam::{account}:policy/Critical"}},
                {{"Effect": "Deny", "Action": "iam:AttachUserPolicy", "Resource": "*",
                  "Condition": {{"ArnLike": {{"iam:PolicyARN": "arn:aws:iam::*:policy/Critical"}}}}}}]}}"#
        ),
    );
    let root = w.root(&IAM);
    root.create_policy(new_policy("Critical", READ_USERS))
        .unwrap();
    let as_bob = w.svc.caller(&bob, &IAM);
    let lower = local(&w, "critical");
    assert!(matches!(
        as_bob.delete_policy(&lower),
        Err(CoreError::AccessDenied { .. })
    ));
    assert!(matches!(
        as_bob.attach_policy(&lower, &user("alice")),
        Err(CoreError::AccessDenied { .. })
    ));
    assert_eq!(
        root.get_policy(&lower).unwrap().policy.name.as_str(),
        "Critical"
    );
    // The catalog's names compare as the account's do.
    assert!(root.get_policy(&provider("readonlyaccess")).is_ok());
}
