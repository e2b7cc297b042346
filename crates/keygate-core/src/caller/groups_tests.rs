//! Groups: round trips, conflicts, limits, and permissions that come through a group.

use crate::testing::*;

fn group(s: &str) -> GroupName {
    GroupName::parse(s).unwrap()
}

#[test]
fn groups_round_trip_with_members_and_policies() {
    let w = world();
    w.user("alice");
    w.user("bob");
    let root = w.root(&IAM);
    let devs = root
        .create_group(group("devs"), Some(UserPath::parse("/eng/").unwrap()))
        .unwrap();
    assert!(devs.id.as_str().starts_with("AGPA"));
    assert_eq!(
        devs.arn(),
        format!("arn:aws:iam::{}:group/eng/devs", devs.account_id)
    );
    assert_eq!(
        root.create_group(group("DEVS"), None).map(|_| ()),
        Err(CoreError::GroupAlreadyExists(group("DEVS")))
    );
    root.add_user_to_group(&group("devs"), &name("bob"))
        .unwrap();
    root.add_user_to_group(&group("devs"), &name("alice"))
        .unwrap();
    root.add_user_to_group(&group("devs"), &name("alice"))
        .unwrap();
    let (got, members) = root
        .get_group(&group("Devs"), &PageRequest::default())
        .unwrap();
    assert_eq!(got, devs);
    let names: Vec<_> = members.items.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);
    let page = PageRequest {
        marker: None,
        max_items: Some(1),
    };
    let first = root.get_group(&group("devs"), &page).unwrap().1;
    assert_eq!(first.items.len(), 1);
    assert!(first.next_marker.is_some(), "members page");
    let of_alice = root
        .list_groups_for_user(&name("alice"), &PageRequest::default())
        .unwrap();
    assert_eq!(of_alice.items, vec![devs.clone()]);
    assert_eq!(
        root.add_user_to_group(&group("devs"), &name("nobody")),
        Err(CoreError::NoSuchUser(name("nobody")))
    );
    assert_eq!(
        root.add_user_to_group(&group("nope"), &name("alice")),
        Err(CoreError::NoSuchGroup(group("nope")))
    );
    // Renamed and moved: members stay.
    let change = GroupChange {
        name: Some(group("developers")),
        path: Some(UserPath::root()),
    };
    let moved = root.update_group(&group("devs"), change).unwrap();
    assert_eq!(moved.id, devs.id);
    assert_eq!(
        root.get_group(&group("developers"), &PageRequest::default())
            .unwrap()
            .1
            .items
            .len(),
        2
    );
    let listed = root.list_groups(None, &PageRequest::default()).unwrap();
    assert_eq!(listed.items, vec![moved.clone()]);
    // Policies.
    let doc = r#"{"Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
    root.put_group_policy(&group("developers"), &policy_name("read"), doc)
        .unwrap();
    assert_eq!(
        root.get_group_policy(&group("developers"), &policy_name("read")),
        Ok(doc.to_owned())
    );
    assert_eq!(
        root.list_group_policies(&group("developers"), &PageRequest::default())
            .unwrap()
            .items,
        vec![policy_name("read")]
    );
    assert_eq!(
        root.put_group_policy(&group("developers"), &policy_name("bad"), "{}"),
        Err(CoreError::MalformedPolicy(
            "Syntax errors in policy.".into()
        ))
    );
    // Deletion: members and policies first, unless forced.
    assert_eq!(
        root.delete_group(&group("developers"), false),
        Err(CoreError::DeleteConflict(Dependents::Members))
    );
    assert_eq!(
        root.delete_user(&name("bob")),
        Err(CoreError::DeleteConflict(Dependents::Groups))
    );
    root.remove_user_from_group(&group("developers"), &name("bob"))
        .unwrap();
    root.remove_user_from_group(&group("developers"), &name("alice"))
        .unwrap();
    assert_eq!(
        root.delete_group(&group("developers"), false),
        Err(CoreError::DeleteConflict(Dependents::Policies))
    );
    root.delete_group_policy(&group("developers"), &policy_name("read"))
        .unwrap();
    assert_eq!(
        root.delete_group_policy(&group("developers"), &policy_name("read")),
        Err(CoreError::NoSuchPolicy(policy_name("read")))
    );
    root.delete_group(&group("developers"), false).unwrap();
    root.delete_user(&name("bob")).unwrap();
    // Forced: members and policies go with the group.
    root.create_group(group("ops"), None).unwrap();
    root.add_user_to_group(&group("ops"), &name("alice"))
        .unwrap();
    root.put_group_policy(&group("ops"), &policy_name("read"), doc)
        .unwrap();
    root.delete_group(&group("ops"), true).unwrap();
    assert!(
        root.list_groups_for_user(&name("alice"), &PageRequest::default())
            .unwrap()
            .items
            .is_empty()
    );
}

#[test]
fn groups_per_user_and_group_policy_size_are_bounded() {
    let w = world_with(Limits {
        groups_per_user: 2,
        group_inline_policy_chars: 80,
        ..Limits::default()
    });
    w.user("alice");
    let root = w.root(&IAM);
    for g in ["a", "b", "c"] {
        root.create_group(group(g), None).unwrap();
    }
    root.add_user_to_group(&group("a"), &name("alice")).unwrap();
    root.add_user_to_group(&group("b"), &name("alice")).unwrap();
    root.add_user_to_group(&group("b"), &name("alice")).unwrap();
    assert_eq!(
        root.add_user_to_group(&group("c"), &name("alice")),
        Err(CoreError::LimitExceeded(Quota::GroupsPerUser(2)))
    );
    let doc = r#"{"Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
    root.put_group_policy(&group("a"), &policy_name("one"), doc)
        .unwrap();
    assert_eq!(
        root.put_group_policy(&group("a"), &policy_name("two"), doc),
        Err(CoreError::LimitExceeded(Quota::GroupInlinePolicySize(80)))
    );
}

#[test]
fn a_groups_policies_apply_to_its_members_and_a_deny_in_another_wins() {
    let w = world();
    let alice = w.user("alice");
    let root = w.root(&IAM);
    root.create_group(group("readers"), None).unwrap();
    root.create_group(group("blocked"), None).unwrap();
    let read = r#"{"Statement":{"Effect":"Allow","Action":["iam:GetUser","api:ReadUsers"],"Resource":"*"}}"#;
    root.put_group_policy(&group("readers"), &policy_name("read"), read)
        .unwrap();
    let deny = r#"{"Statement":{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}}"#;
    root.put_group_policy(&group("blocked"), &policy_name("deny"), deny)
        .unwrap();
    let as_alice = w.svc.caller(&alice, &IAM);
    assert!(matches!(
        as_alice.get_user(None),
        Err(CoreError::AccessDenied { .. })
    ));
    root.add_user_to_group(&group("readers"), &name("alice"))
        .unwrap();
    assert!(as_alice.get_user(None).is_ok(), "granted through the group");
    assert!(
        w.svc.caller(&alice, &OSC).get_user(None).is_ok(),
        "in both dialects"
    );
    root.add_user_to_group(&group("blocked"), &name("alice"))
        .unwrap();
    assert!(
        matches!(as_alice.get_user(None), Err(CoreError::AccessDenied { .. })),
        "the deny wins"
    );
    root.remove_user_from_group(&group("blocked"), &name("alice"))
        .unwrap();
    root.remove_user_from_group(&group("readers"), &name("alice"))
        .unwrap();
    assert!(
        matches!(as_alice.get_user(None), Err(CoreError::AccessDenied { .. })),
        "gone with the group"
    );
}

#[test]
fn a_denied_caller_learns_nothing_about_groups() {
    let w = world();
    let alice = w.user("alice");
    let c = w.svc.caller(&alice, &IAM);
    for result in [
        c.get_group(&group("ghost"), &PageRequest::default())
            .map(|_| ()),
        c.create_group(group("new"), None).map(|_| ()),
        c.delete_group(&group("ghost"), false),
        c.put_group_policy(&group("ghost"), &policy_name("p"), "{}"),
    ] {
        assert!(
            matches!(result, Err(CoreError::AccessDenied { .. })),
            "{result:?}"
        );
    }
    assert!(
        w.root(&IAM)
            .list_groups(None, &PageRequest::default())
            .unwrap()
            .items
            .is_empty()
    );
}
