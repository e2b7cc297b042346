//! Users: names, renames, deletion conflicts, paging, tags and long names.

use crate::testing::*;

#[test]
fn user_names_are_unique_without_case() {
    let w = world();
    let root = w.root(&IAM);
    root.create_user(name("Alice"), None, None, vec![]).unwrap();
    assert_eq!(
        root.create_user(name("alice"), None, None, vec![])
            .map(|_| ()),
        Err(CoreError::UserAlreadyExists(name("alice")))
    );
    root.create_user(name("bob"), None, None, vec![]).unwrap();
    assert_eq!(
        root.update_user(
            &name("bob"),
            UserChange {
                name: Some(name("ALICE")),
                ..UserChange::default()
            }
        )
        .map(|_| ()),
        Err(CoreError::UserAlreadyExists(name("ALICE")))
    );
    // Lookup ignores case; a rename to another case of one's own name is allowed.
    assert!(root.get_user(Some(&name("ALICE"))).is_ok());
    let renamed = root
        .update_user(
            &name("alice"),
            UserChange {
                name: Some(name("alice")),
                path: Some(UserPath::parse("/ops/").unwrap()),
                ..UserChange::default()
            },
        )
        .unwrap();
    assert_eq!(renamed.name, name("alice"));
    assert_eq!(
        renamed.arn(),
        format!("arn:aws:iam::{}:user/ops/alice", w.root.account())
    );
}

#[test]
fn rename_keeps_keys_and_needs_both_arns() {
    let w = world();
    let admin = w.user("admin");
    w.user("alice");
    let k = w.new_key(Some("alice"));
    w.grant(
        "admin",
        "p",
        r#"{"Statement":{"Effect":"Allow","Action":"iam:UpdateUser","Resource":"arn:aws:iam::*:user/alice"}}"#,
    );
    let c = w.svc.caller(&admin, &IAM);
    let change = UserChange {
        name: Some(name("alicia")),
        ..UserChange::default()
    };
    assert!(matches!(
        c.update_user(&name("alice"), change.clone()),
        Err(CoreError::AccessDenied { ref resource, .. }) if resource.ends_with(":user/alicia")
    ));
    w.root(&IAM).update_user(&name("alice"), change).unwrap();
    let keys = w.keys_of(Some("alicia"));
    assert_eq!(keys[0].key.id, k);
    assert_eq!(keys[0].user_name, Some(name("alicia")));
}

#[test]
fn deleting_a_user_that_owns_keys_is_a_conflict() {
    let w = world();
    w.user("alice");
    let root = w.root(&IAM);
    let k = w.new_key(Some("alice"));
    assert_eq!(
        root.delete_user(&name("alice")),
        Err(CoreError::DeleteConflict(Dependents::AccessKeys))
    );
    assert!(root.get_user(Some(&name("alice"))).is_ok());
    root.delete_access_key(Some(&name("alice")), &k).unwrap();
    root.delete_user(&name("alice")).unwrap();
    assert_eq!(
        root.get_user(Some(&name("alice"))),
        Err(CoreError::NoSuchUser(name("alice")))
    );
}

#[test]
fn pagination_with_markers() {
    let w = world_with(Limits {
        access_keys_per_principal: 5,
        ..Limits::default()
    });
    let root = w.root(&IAM);
    for n in ["dave", "Carol", "bob", "alice", "eve"] {
        let path = if n == "eve" { "/ops/" } else { "/" };
        root.create_user(name(n), Some(UserPath::parse(path).unwrap()), None, vec![])
            .unwrap();
    }
    let mut req = PageRequest {
        marker: None,
        max_items: Some(2),
    };
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = root.list_users(None, &req).unwrap();
        pages += 1;
        names.extend(page.items.iter().map(|u| u.name.to_string()));
        match page.next_marker {
            Some(m) => req.marker = Some(m),
            None => break,
        }
    }
    assert_eq!(names, ["alice", "bob", "Carol", "dave", "eve"]);
    assert_eq!(pages, 3);
    let ops = root
        .list_users(
            Some(&PathPrefix::parse("/ops").unwrap()),
            &PageRequest::default(),
        )
        .unwrap();
    assert_eq!(ops.items.len(), 1);
    assert!(!ops.is_truncated());
    assert!(matches!(
        root.list_users(
            None,
            &PageRequest {
                marker: Some("%%".into()),
                max_items: None
            }
        ),
        Err(CoreError::InvalidInput {
            field: "Marker",
            ..
        })
    ));

    let mut created = Vec::new();
    for i in 0..4 {
        w.clock.advance_seconds(i);
        created.push(w.new_key(Some("bob")));
    }
    let mut req = PageRequest {
        marker: None,
        max_items: Some(3),
    };
    let first = root
        .list_access_keys(Some(&name("bob")), &KeyFilter::default(), &req)
        .unwrap();
    assert_eq!(first.items.len(), 3);
    req.marker = first.next_marker.clone();
    let second = root
        .list_access_keys(Some(&name("bob")), &KeyFilter::default(), &req)
        .unwrap();
    assert!(!second.is_truncated());
    let listed: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|v| v.key.id.clone())
        .collect();
    assert_eq!(listed, created);

    let filter = KeyFilter {
        states: Some(vec![KeyState::Inactive]),
        ..KeyFilter::default()
    };
    root.update_access_key(
        Some(&name("bob")),
        &created[1],
        KeyChange {
            state: Some(KeyState::Inactive),
            ..KeyChange::default()
        },
    )
    .unwrap();
    let inactive = root
        .list_access_keys(Some(&name("bob")), &filter, &PageRequest::default())
        .unwrap();
    assert_eq!(inactive.items.len(), 1);
    assert_eq!(inactive.items[0].key.id, created[1]);
}

#[test]
fn get_user_implicit_self() {
    let w = world();
    assert!(
        matches!(w.root(&IAM).get_user(None), Ok(Identity::Root(a)) if &a.id == w.root.account())
    );
    let ro = w.user("ro");
    w.grant(
        "ro",
        "p",
        r#"{"Statement":{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}}"#,
    );
    let c = w.svc.caller(&ro, &IAM);
    assert!(matches!(c.get_user(None), Ok(Identity::User(u)) if u.name == name("ro")));
    assert_eq!(
        c.list_users(None, &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        c.read_account(),
        Err(CoreError::AccessDenied { .. })
    ));
    assert!(w.root(&OSC).read_account().is_ok());
}

fn tag(k: &str, v: &str) -> Tag {
    Tag {
        key: TagKey::parse(k).unwrap(),
        value: crate::ids::TagValue::parse(v).unwrap(),
    }
}

#[test]
fn user_tags() {
    let w = world();
    let root = w.root(&IAM);
    let u = root
        .create_user(
            name("alice"),
            None,
            None,
            vec![tag("team", "blue"), tag("cost", "1")],
        )
        .unwrap();
    assert_eq!(
        u.tags,
        vec![tag("cost", "1"), tag("team", "blue")],
        "sorted by key"
    );
    root.tag_user(&name("alice"), vec![tag("team", "red"), tag("env", "")])
        .unwrap();
    let tags = root
        .list_user_tags(&name("alice"), &PageRequest::default())
        .unwrap();
    assert_eq!(
        tags.items,
        vec![tag("cost", "1"), tag("env", ""), tag("team", "red")]
    );
    root.untag_user(
        &name("alice"),
        &[
            TagKey::parse("env").unwrap(),
            TagKey::parse("nope").unwrap(),
        ],
    )
    .unwrap();
    assert!(
        matches!(root.get_user(Some(&name("alice"))), Ok(Identity::User(u)) if u.tags.len() == 2)
    );
    assert!(matches!(
        root.tag_user(&name("alice"), vec![tag("aws:x", "1")]),
        Err(CoreError::InvalidInput { field: "Tags", .. })
    ));
    assert!(matches!(
        root.create_user(name("bob"), None, None, vec![tag("a", "1"), tag("a", "2")]),
        Err(CoreError::InvalidInput { field: "Tags", .. })
    ));
    let many: Vec<Tag> = (0..49).map(|i| tag(&format!("k{i}"), "v")).collect();
    assert_eq!(
        root.tag_user(&name("alice"), many),
        Err(CoreError::LimitExceeded(Quota::TagsPerEntity(50)))
    );
    assert_eq!(
        root.list_user_tags(&name("alice"), &PageRequest::default())
            .unwrap()
            .items
            .len(),
        2
    );
    let page = root
        .list_user_tags(
            &name("alice"),
            &PageRequest {
                marker: None,
                max_items: Some(1),
            },
        )
        .unwrap();
    assert!(page.is_truncated());
    let bob = w.user("bob");
    assert!(matches!(
        w.svc
            .caller(&bob, &IAM)
            .tag_user(&name("alice"), vec![tag("x", "y")]),
        Err(CoreError::AccessDenied { .. })
    ));
    // Tags go with the user.
    root.delete_user(&name("alice")).unwrap();
    root.create_user(name("alice"), None, None, vec![]).unwrap();
    assert!(
        root.list_user_tags(&name("alice"), &PageRequest::default())
            .unwrap()
            .items
            .is_empty()
    );
}

#[test]
fn read_users_by_offset_in_creation_order() {
    let w = world();
    for (i, n) in ["zed", "amy", "kim"].iter().enumerate() {
        w.clock.advance_seconds(i as i64 + 1);
        w.user(n);
    }
    let root = w.root(&OSC);
    let (page, more) = root.read_users(None, 0, 2).unwrap();
    assert_eq!(
        page.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["zed", "amy"]
    );
    assert!(more);
    let (page, more) = root.read_users(None, 2, 2).unwrap();
    assert_eq!(page.len(), 1);
    assert!(!more);
    let amy = page_id(&root, "amy");
    let (only, _) = root.read_users(Some(&[amy]), 0, 100).unwrap();
    assert_eq!(only.len(), 1);
}

fn page_id(c: &Caller<'_>, n: &str) -> crate::ids::UserId {
    match c.get_user(Some(&name(n))).unwrap() {
        Identity::User(u) => u.id,
        Identity::Root(_) => unreachable!(),
    }
}

#[test]
fn long_names_find_nobody_and_create_nothing() {
    let w = world();
    let long = UserName::parse_lookup(&"a".repeat(100)).unwrap();
    let root = w.root(&IAM);
    assert_eq!(
        root.get_user(Some(&long)),
        Err(CoreError::NoSuchUser(long.clone()))
    );
    assert!(matches!(
        root.create_user(long.clone(), None, None, vec![]),
        Err(CoreError::InvalidInput {
            field: "UserName",
            ..
        })
    ));
    w.user("short");
    assert!(matches!(
        root.update_user(
            &name("short"),
            UserChange {
                name: Some(long),
                ..UserChange::default()
            }
        ),
        Err(CoreError::InvalidInput {
            field: "NewUserName",
            ..
        })
    ));
}
