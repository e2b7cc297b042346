//! Groups: round trips, conflicts, limits, and permissions that come through a group.

use crate::testing::*;

fn group(s: &str) -> GroupName {
    GroupName::parse(s).unwrap()
}

fn named(s: &str) -> GroupRef {
    GroupRef::named(group(s))
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
    root.add_user_to_group(&named("devs"), &name("bob"), None)
        .unwrap();
    root.add_user_to_group(&named("devs"), &name("alice"), None)
        .unwrap();
    root.add_user_to_group(&named("devs"), &name("alice"), None)
        .unwrap();
    let (got, members) = root
        .get_group(&named("Devs"), &PageRequest::default())
        .unwrap();
    assert_eq!(got, devs);
    let names: Vec<_> = members.items.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);
    let page = PageRequest {
        marker: None,
        max_items: Some(1),
    };
    let first = root.get_group(&named("devs"), &page).unwrap().1;
    assert_eq!(first.items.len(), 1);
    assert!(first.next_marker.is_some(), "members page");
    let of_alice = root
        .list_groups_for_user(&name("alice"), None, &PageRequest::default())
        .unwrap();
    assert_eq!(of_alice.items, vec![devs.clone()]);
    assert_eq!(
        root.add_user_to_group(&named("devs"), &name("nobody"), None),
        Err(CoreError::NoSuchUser(name("nobody")))
    );
    assert_eq!(
        root.add_user_to_group(&named("nope"), &name("alice"), None),
        Err(CoreError::NoSuchGroup(group("nope")))
    );
    // Renamed and moved: members stay.
    let change = GroupChange {
        name: Some(group("developers")),
        path: Some(UserPath::root()),
    };
    let (moved, members) = root.update_group(&named("devs"), change).unwrap();
    assert_eq!(moved.id, devs.id);
    assert_eq!(members.len(), 2, "members stay");
    assert_eq!(
        root.get_group(&named("developers"), &PageRequest::default())
            .unwrap()
            .1
            .items
            .len(),
        2
    );
    let listed = root.list_groups(None, &PageRequest::default()).unwrap();
    assert_eq!(listed.items, vec![moved.clone()]);
    assert_eq!(
        root.read_groups(None, Some(std::slice::from_ref(&moved.id)), 0, 10),
        Ok((vec![moved.clone()], false))
    );
    assert_eq!(
        root.read_groups(None, Some(&[]), 0, 10),
        Ok((vec![], false))
    );
    // Policies.
    let doc = r#"{"Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
    root.put_group_policy(&named("developers"), &policy_name("read"), doc)
        .unwrap();
    assert_eq!(
        root.get_group_policy(&named("developers"), &policy_name("read")),
        Ok(doc.to_owned())
    );
    assert_eq!(
        root.list_group_policies(&named("developers"), &PageRequest::default())
            .unwrap()
            .items,
        vec![(policy_name("read"), doc.to_owned())]
    );
    assert_eq!(
        root.put_group_policy(&named("developers"), &policy_name("bad"), "{}"),
        Err(CoreError::MalformedPolicy(
            "Syntax errors in policy.".into()
        ))
    );
    // Deletion: members and policies first, unless forced.
    assert_eq!(
        root.delete_group(&named("developers"), false),
        Err(CoreError::DeleteConflict(Dependents::Members))
    );
    assert_eq!(
        root.delete_user(&name("bob")),
        Err(CoreError::DeleteConflict(Dependents::Groups))
    );
    root.remove_user_from_group(&named("developers"), &name("bob"), None)
        .unwrap();
    root.remove_user_from_group(&named("developers"), &name("alice"), None)
        .unwrap();
    assert_eq!(
        root.delete_group(&named("developers"), false),
        Err(CoreError::DeleteConflict(Dependents::Policies))
    );
    root.delete_group_policy(&named("developers"), &policy_name("read"))
        .unwrap();
    assert_eq!(
        root.delete_group_policy(&named("developers"), &policy_name("read")),
        Err(CoreError::NoSuchGroupPolicy(policy_name("read")))
    );
    root.delete_group(&named("developers"), false).unwrap();
    root.delete_user(&name("bob")).unwrap();
    // Forced: members and policies go with the group.
    root.create_group(group("ops"), None).unwrap();
    root.add_user_to_group(&named("ops"), &name("alice"), None)
        .unwrap();
    root.put_group_policy(&named("ops"), &policy_name("read"), doc)
        .unwrap();
    root.delete_group(&named("ops"), true).unwrap();
    assert!(
        root.list_groups_for_user(&name("alice"), None, &PageRequest::default())
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
    root.add_user_to_group(&named("a"), &name("alice"), None)
        .unwrap();
    root.add_user_to_group(&named("b"), &name("alice"), None)
        .unwrap();
    root.add_user_to_group(&named("b"), &name("alice"), None)
        .unwrap();
    assert_eq!(
        root.add_user_to_group(&named("c"), &name("alice"), None),
        Err(CoreError::LimitExceeded(Quota::GroupsPerUser(2)))
    );
    let doc = r#"{"Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
    root.put_group_policy(&named("a"), &policy_name("one"), doc)
        .unwrap();
    assert_eq!(
        root.put_group_policy(&named("a"), &policy_name("two"), doc),
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
    root.put_group_policy(&named("readers"), &policy_name("read"), read)
        .unwrap();
    let deny = r#"{"Statement":{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}}"#;
    root.put_group_policy(&named("blocked"), &policy_name("deny"), deny)
        .unwrap();
    let as_alice = w.svc.caller(&alice, &IAM);
    assert!(matches!(
        as_alice.get_user(None),
        Err(CoreError::AccessDenied { .. })
    ));
    root.add_user_to_group(&named("readers"), &name("alice"), None)
        .unwrap();
    assert!(as_alice.get_user(None).is_ok(), "granted through the group");
    assert!(
        w.svc.caller(&alice, &OSC).get_user(None).is_ok(),
        "in both dialects"
    );
    root.add_user_to_group(&named("blocked"), &name("alice"), None)
        .unwrap();
    assert!(
        matches!(as_alice.get_user(None), Err(CoreError::AccessDenied { .. })),
        "the deny wins"
    );
    root.remove_user_from_group(&named("blocked"), &name("alice"), None)
        .unwrap();
    root.remove_user_from_group(&named("readers"), &name("alice"), None)
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
        c.get_group(&named("ghost"), &PageRequest::default())
            .map(|_| ()),
        c.create_group(group("new"), None).map(|_| ()),
        c.delete_group(&named("ghost"), false),
        c.put_group_policy(&named("ghost"), &policy_name("p"), "{}"),
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

#[test]
fn a_path_given_with_a_name_must_be_the_groups_or_users() {
    let w = world();
    w.user("alice");
    let root = w.root(&OSC);
    root.create_group(group("devs"), Some(UserPath::parse("/eng/").unwrap()))
        .unwrap();
    let at = |p: &str| GroupRef {
        name: group("devs"),
        path: Some(UserPath::parse(p).unwrap()),
    };
    assert!(
        root.get_group(&at("/eng/"), &PageRequest::default())
            .is_ok()
    );
    assert_eq!(
        root.get_group(&at("/"), &PageRequest::default())
            .map(|_| ()),
        Err(CoreError::NoSuchGroup(group("devs")))
    );
    let elsewhere = UserPath::parse("/ops/").unwrap();
    assert_eq!(
        root.add_user_to_group(&at("/eng/"), &name("alice"), Some(&elsewhere)),
        Err(CoreError::NoSuchUser(name("alice")))
    );
    root.add_user_to_group(&at("/eng/"), &name("alice"), Some(&UserPath::root()))
        .unwrap();
}
