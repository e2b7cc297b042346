//! The core's rules, against the in-memory store and a fixed clock.

use std::sync::Arc;

use super::*;
use crate::ids::TagKey;
use crate::memory::MemoryStore;
use crate::system::{FixedClock, RandomIds};

const IAM: Rules = Rules::AWS_IAM;
const OSC: Rules = Rules::OUTSCALE;

const SELF_SERVICE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ManageOwnAccessKeys","Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:GetAccessKeyLastUsed","iam:GetUser","iam:ListAccessKeys","iam:UpdateAccessKey","iam:TagUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;

struct World {
    svc: Service,
    clock: Arc<FixedClock>,
    root: Principal,
}

fn name(s: &str) -> UserName {
    UserName::parse(s).unwrap()
}

fn policy_name(s: &str) -> PolicyName {
    PolicyName::parse(s).unwrap()
}

const T0: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z

fn world() -> World {
    world_with(Limits::default())
}

fn world_with(limits: Limits) -> World {
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix_millis(T0)));
    let svc = Service::new(
        Arc::new(MemoryStore::new()),
        clock.clone(),
        Arc::new(RandomIds),
        limits,
    );
    let creds = svc.create_account("acme", None).unwrap();
    let root = Principal::Root {
        account: creds.account.id,
    };
    World { svc, clock, root }
}

impl World {
    fn root(&self, rules: &'static Rules) -> Caller<'_> {
        self.svc.caller(&self.root, rules)
    }

    /// Creates a user with no policy and returns it as a principal.
    fn user(&self, n: &str) -> Principal {
        let u = self
            .root(&IAM)
            .create_user(name(n), None, None, vec![])
            .unwrap();
        Principal::for_user(&u)
    }

    fn grant(&self, user: &str, policy: &str, doc: &str) {
        self.root(&IAM)
            .put_user_policy(&name(user), &policy_name(policy), doc)
            .unwrap();
    }

    fn keys_of(&self, user: Option<&str>) -> Vec<KeyView> {
        let n = user.map(name);
        self.root(&IAM)
            .list_access_keys(n.as_ref(), &KeyFilter::default(), &PageRequest::default())
            .unwrap()
            .items
    }
}

#[test]
fn account_creation_gives_working_credentials() {
    let w = world();
    let accounts = w.svc.accounts().unwrap();
    assert_eq!(accounts.len(), 1);
    let keys = w.keys_of(None);
    assert_eq!(keys.len(), 1);
    let signing = w.svc.signing_key(&keys[0].key.id).unwrap().unwrap();
    assert_eq!(signing.principal, w.root);
    let creds = w
        .svc
        .create_account("other", Some(Email::parse("ops@example.com").unwrap()))
        .unwrap();
    let p = w
        .svc
        .verify_password(&creds.account.email, creds.password.expose())
        .unwrap();
    assert_eq!(p.account(), &creds.account.id);
    assert_eq!(
        w.svc.verify_password(&creds.account.email, "wrong"),
        Err(CoreError::BadCredentials)
    );
    assert_eq!(
        w.svc
            .verify_password(&Email::parse("nobody@example.com").unwrap(), "x"),
        Err(CoreError::BadCredentials)
    );
    assert_eq!(
        w.svc
            .create_account("dup", Some(Email::parse("OPS@example.com").unwrap()))
            .map(|_| ()),
        Err(CoreError::AccountAlreadyExists)
    );
    assert!(matches!(
        w.svc.create_account("", None),
        Err(CoreError::InvalidInput { field: "Name", .. })
    ));
}

#[test]
fn key_limit_per_principal() {
    let w = world();
    w.user("alice");
    let root = w.root(&IAM);
    let alice = Some(name("alice"));
    root.create_access_key(alice.as_ref(), None, None).unwrap();
    root.create_access_key(alice.as_ref(), None, None).unwrap();
    assert_eq!(
        root.create_access_key(alice.as_ref(), None, None)
            .map(|_| ()),
        Err(CoreError::LimitExceeded(Quota::AccessKeysPerPrincipal(2)))
    );
    assert_eq!(w.keys_of(Some("alice")).len(), 2);
    // The root already holds one key from account creation.
    root.create_access_key(None, None, None).unwrap();
    assert!(matches!(
        root.create_access_key(None, None, None),
        Err(CoreError::LimitExceeded(_))
    ));

    let w10 = world_with(Limits {
        access_keys_per_principal: 10,
        ..Limits::default()
    });
    w10.user("bob");
    for _ in 0..10 {
        w10.root(&OSC)
            .create_access_key(Some(&name("bob")), None, None)
            .unwrap();
    }
    assert_eq!(
        w10.root(&OSC)
            .create_access_key(Some(&name("bob")), None, None)
            .map(|_| ()),
        Err(CoreError::LimitExceeded(Quota::AccessKeysPerPrincipal(10)))
    );
}

#[test]
fn deletion_any_state_deletes_an_active_key() {
    let w = world();
    w.user("alice");
    let k = w
        .root(&IAM)
        .create_access_key(Some(&name("alice")), None, None)
        .unwrap();
    assert_eq!(k.view.key.state, KeyState::Active);
    w.root(&IAM)
        .delete_access_key(Some(&name("alice")), &k.view.key.id)
        .unwrap();
    assert!(w.keys_of(Some("alice")).is_empty());
}

#[test]
fn deletion_require_inactive_refuses_then_deletes() {
    let w = world();
    w.user("alice");
    let alice = Some(name("alice"));
    let osc = w.root(&OSC);
    let k = osc
        .create_access_key(alice.as_ref(), None, None)
        .unwrap()
        .view
        .key
        .id;
    assert_eq!(
        osc.delete_access_key(alice.as_ref(), &k),
        Err(CoreError::KeyNotInactive(k.clone()))
    );
    assert_eq!(w.keys_of(Some("alice")).len(), 1, "the key stays");
    let changed = osc
        .update_access_key(
            alice.as_ref(),
            &k,
            KeyChange {
                state: Some(KeyState::Inactive),
                ..KeyChange::default()
            },
        )
        .unwrap();
    assert_eq!(changed.key.state, KeyState::Inactive);
    osc.delete_access_key(alice.as_ref(), &k).unwrap();
    assert!(w.keys_of(Some("alice")).is_empty());
    // Root keys are exempt from the rule.
    let rk = osc.create_access_key(None, None, None).unwrap().view.key.id;
    osc.delete_access_key(None, &rk).unwrap();
}

#[test]
fn user_without_policy_is_denied_even_on_itself() {
    let w = world();
    let alice = w.user("alice");
    let c = w.svc.caller(&alice, &IAM);
    let denied = c.list_access_keys(None, &KeyFilter::default(), &PageRequest::default());
    assert_eq!(
        denied.map(|_| ()),
        Err(CoreError::AccessDenied {
            principal: alice.arn(),
            action: "iam:ListAccessKeys".into(),
            resource: alice.arn(),
        })
    );
    assert!(matches!(
        c.get_user(None),
        Err(CoreError::AccessDenied { .. })
    ));
    assert!(matches!(
        c.create_access_key(None, None, None),
        Err(CoreError::AccessDenied { .. })
    ));
    assert!(w.keys_of(Some("alice")).is_empty(), "nothing was created");
    assert_eq!(c.principal(), &alice, "who-am-I needs no permission");
}

#[test]
fn self_service_policy_on_own_and_other_keys() {
    let w = world();
    let alice = w.user("alice");
    w.user("bob");
    w.grant("alice", "ManageOwnAccessKeys", SELF_SERVICE);
    let bob_key = w
        .root(&IAM)
        .create_access_key(Some(&name("bob")), None, None)
        .unwrap()
        .view
        .key
        .id;
    let c = w.svc.caller(&alice, &IAM);
    let mine = c.create_access_key(None, None, None).unwrap();
    assert_eq!(mine.view.user_name, Some(name("alice")));
    let also_mine = c
        .create_access_key(Some(&name("alice")), None, None)
        .unwrap();
    let listed = c
        .list_access_keys(None, &KeyFilter::default(), &PageRequest::default())
        .unwrap();
    assert_eq!(listed.items.len(), 2);
    c.update_access_key(
        None,
        &mine.view.key.id,
        KeyChange {
            state: Some(KeyState::Inactive),
            ..KeyChange::default()
        },
    )
    .unwrap();
    c.delete_access_key(None, &also_mine.view.key.id).unwrap();
    assert!(matches!(c.get_user(None), Ok(Identity::User(u)) if u.name == name("alice")));

    // Bob's keys stay out of reach, whatever she tries.
    let bob = Some(name("bob"));
    for result in [
        c.delete_access_key(bob.as_ref(), &bob_key),
        c.create_access_key(bob.as_ref(), None, None).map(|_| ()),
        c.list_access_keys(bob.as_ref(), &KeyFilter::default(), &PageRequest::default())
            .map(|_| ()),
        c.access_key_last_used(&bob_key).map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(CoreError::AccessDenied { ref resource, .. }) if resource.ends_with(":user/bob")),
            "{result:?}"
        );
    }
    // Her own key id under her own name: not found when it is bob's.
    assert_eq!(
        c.delete_access_key(None, &bob_key),
        Err(CoreError::NoSuchAccessKey(bob_key.clone()))
    );
    assert_eq!(w.keys_of(Some("bob")).len(), 1);
    // She cannot widen her own rights.
    assert!(matches!(
        c.put_user_policy(
            &name("alice"),
            &policy_name("all"),
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#
        ),
        Err(CoreError::AccessDenied { .. })
    ));
    // The policy names iam: actions only: the OSC dialect's calls stay denied.
    assert!(matches!(
        w.svc
            .caller(&alice, &OSC)
            .list_access_keys(None, &KeyFilter::default(), &PageRequest::default()),
        Err(CoreError::AccessDenied { ref action, .. }) if action == "api:ReadAccessKeys"
    ));
}

#[test]
fn explicit_deny_beats_allow() {
    let w = world();
    let alice = w.user("alice");
    w.grant(
        "alice",
        "all",
        r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    w.grant(
        "alice",
        "nodelete",
        r#"{"Statement":{"Effect":"Deny","Action":"iam:DeleteAccessKey","Resource":"*"}}"#,
    );
    let c = w.svc.caller(&alice, &IAM);
    let k = c.create_access_key(None, None, None).unwrap().view.key.id;
    assert!(matches!(
        c.delete_access_key(None, &k),
        Err(CoreError::AccessDenied { .. })
    ));
    // The OSC action is another name: the deny does not reach it, the state rule does.
    let osc = w.svc.caller(&alice, &OSC);
    assert_eq!(
        osc.delete_access_key(None, &k),
        Err(CoreError::KeyNotInactive(k.clone()))
    );
}

#[test]
fn wildcards_and_username_variable_for_users_with_paths() {
    let w = world();
    let carol = Principal::for_user(
        &w.root(&IAM)
            .create_user(
                name("carol"),
                Some(UserPath::parse("/eng/").unwrap()),
                None,
                vec![],
            )
            .unwrap(),
    );
    w.grant(
        "carol",
        "self",
        &SELF_SERVICE.replace("iam:CreateAccessKey", "iam:*AccessKey*"),
    );
    let c = w.svc.caller(&carol, &IAM);
    assert!(
        matches!(
            c.create_access_key(None, None, None),
            Err(CoreError::AccessDenied { .. })
        ),
        "user/${{aws:username}} does not cover a user with a path"
    );
    w.grant(
        "carol",
        "self",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":["arn:aws:iam::*:user/${aws:username}","arn:aws:iam::*:user/*/${aws:username}"]}}"#,
    );
    c.create_access_key(None, None, None).unwrap();
    assert!(matches!(
        c.get_user(None),
        Err(CoreError::AccessDenied { .. })
    ));
}

#[test]
fn malformed_policy_is_refused_with_a_message() {
    let w = world();
    w.user("alice");
    let r = w
        .root(&IAM)
        .put_user_policy(&name("alice"), &policy_name("p"), "not json");
    assert_eq!(
        r,
        Err(CoreError::MalformedPolicy(
            "Syntax errors in policy.".into()
        ))
    );
    let r = w.root(&IAM).put_user_policy(
        &name("alice"),
        &policy_name("p"),
        r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"alice"}}"#,
    );
    assert!(matches!(r, Err(CoreError::MalformedPolicy(m)) if m.contains("alice")));
    assert!(matches!(
        w.root(&IAM)
            .put_user_policy(&name("alice"), &policy_name("p"), "{\u{1}}"),
        Err(CoreError::InvalidInput {
            field: "PolicyDocument",
            ..
        })
    ));
    let page = w
        .root(&IAM)
        .list_user_policies(&name("alice"), &PageRequest::default())
        .unwrap();
    assert!(page.items.is_empty(), "nothing stored");
}

#[test]
fn policies_round_trip_and_size_quota() {
    let w = world_with(Limits {
        inline_policy_chars: 120,
        ..Limits::default()
    });
    w.user("alice");
    let root = w.root(&IAM);
    let doc = "{\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"iam:GetUser\", \"Resource\": \"*\"}\n}";
    root.put_user_policy(&name("alice"), &policy_name("b"), doc)
        .unwrap();
    assert_eq!(
        root.get_user_policy(&name("alice"), &policy_name("b"))
            .unwrap(),
        doc
    );
    // Replacing the same policy does not count it twice.
    root.put_user_policy(&name("alice"), &policy_name("b"), doc)
        .unwrap();
    assert_eq!(
        root.put_user_policy(&name("alice"), &policy_name("a"), doc),
        Err(CoreError::LimitExceeded(Quota::InlinePolicySize(120)))
    );
    assert_eq!(
        root.get_user_policy(&name("alice"), &policy_name("a")),
        Err(CoreError::NoSuchPolicy(policy_name("a")))
    );
    assert_eq!(
        root.delete_user(&name("alice")),
        Err(CoreError::DeleteConflict(Dependents::Policies))
    );
    root.delete_user_policy(&name("alice"), &policy_name("b"))
        .unwrap();
    assert_eq!(
        root.delete_user_policy(&name("alice"), &policy_name("b")),
        Err(CoreError::NoSuchPolicy(policy_name("b")))
    );
    root.delete_user(&name("alice")).unwrap();
}

#[test]
fn nothing_crosses_accounts() {
    let w = world();
    w.user("alice");
    let alice_key = w
        .root(&IAM)
        .create_access_key(Some(&name("alice")), None, None)
        .unwrap()
        .view
        .key
        .id;
    let root_key = w.keys_of(None)[0].key.id.clone();
    let other = w.svc.create_account("other", None).unwrap();
    let b = Principal::Root {
        account: other.account.id.clone(),
    };
    let c = w.svc.caller(&b, &IAM);
    assert_eq!(
        c.get_user(Some(&name("alice"))),
        Err(CoreError::NoSuchUser(name("alice")))
    );
    assert!(
        c.list_users(None, &PageRequest::default())
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        c.delete_access_key(None, &root_key),
        Err(CoreError::NoSuchAccessKey(root_key.clone()))
    );
    assert!(
        matches!(
            c.access_key_last_used(&alice_key),
            Err(CoreError::AccessDenied { ref resource, .. }) if resource.ends_with(alice_key.as_str())
        ),
        "a foreign key is refused, not reported missing"
    );
    // A same-named user in account B is B's own and leaves A's alone.
    c.create_user(name("alice"), None, None, vec![]).unwrap();
    c.create_access_key(Some(&name("alice")), None, None)
        .unwrap();
    assert_eq!(
        c.delete_access_key(Some(&name("alice")), &alice_key),
        Err(CoreError::NoSuchAccessKey(alice_key.clone()))
    );
    // A user of B with every permission still cannot reach A.
    w.svc
        .caller(&b, &IAM)
        .put_user_policy(
            &name("alice"),
            &policy_name("all"),
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        )
        .unwrap();
    let b_alice = match c.get_user(Some(&name("alice"))).unwrap() {
        Identity::User(u) => Principal::for_user(&u),
        Identity::Root(_) => unreachable!(),
    };
    let bc = w.svc.caller(&b_alice, &IAM);
    assert_eq!(
        bc.delete_access_key(None, &alice_key),
        Err(CoreError::NoSuchAccessKey(alice_key.clone()))
    );
    assert_eq!(w.keys_of(Some("alice")).len(), 1);
}

#[test]
fn not_found_cases() {
    let w = world();
    let root = w.root(&IAM);
    let ghost = name("ghost");
    let missing = AccessKeyId::parse("AKIDEXAMPLE0MISSING1").unwrap();
    assert_eq!(
        root.get_user(Some(&ghost)),
        Err(CoreError::NoSuchUser(ghost.clone()))
    );
    assert_eq!(
        root.delete_user(&ghost),
        Err(CoreError::NoSuchUser(ghost.clone()))
    );
    assert_eq!(
        root.update_user(&ghost, UserChange::default()).map(|_| ()),
        Err(CoreError::NoSuchUser(ghost.clone()))
    );
    assert_eq!(
        root.create_access_key(Some(&ghost), None, None).map(|_| ()),
        Err(CoreError::NoSuchUser(ghost.clone()))
    );
    assert_eq!(
        root.list_access_keys(Some(&ghost), &KeyFilter::default(), &PageRequest::default())
            .map(|_| ()),
        Err(CoreError::NoSuchUser(ghost.clone()))
    );
    assert_eq!(
        root.delete_access_key(None, &missing),
        Err(CoreError::NoSuchAccessKey(missing.clone()))
    );
    assert_eq!(
        root.update_access_key(None, &missing, KeyChange::default())
            .map(|_| ()),
        Err(CoreError::NoSuchAccessKey(missing.clone()))
    );
    assert!(matches!(
        root.access_key_last_used(&missing),
        Err(CoreError::AccessDenied { .. })
    ));
    assert_eq!(
        root.put_user_policy(&ghost, &policy_name("p"), "{}"),
        Err(CoreError::NoSuchUser(ghost.clone()))
    );
    // A key of the root is not a key of a user, even when the id is right.
    w.user("alice");
    let root_key = w.keys_of(None)[0].key.id.clone();
    assert_eq!(
        root.delete_access_key(Some(&name("alice")), &root_key),
        Err(CoreError::NoSuchAccessKey(root_key))
    );
    // A user without permission is denied before learning whether the target exists.
    let alice = Principal::for_user(&match root.get_user(Some(&name("alice"))).unwrap() {
        Identity::User(u) => u,
        Identity::Root(_) => unreachable!(),
    });
    assert!(matches!(
        w.svc.caller(&alice, &IAM).get_user(Some(&ghost)),
        Err(CoreError::AccessDenied { ref resource, .. }) if resource.ends_with(":user/ghost")
    ));
}

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
    let k = w
        .root(&IAM)
        .create_access_key(Some(&name("alice")), None, None)
        .unwrap()
        .view
        .key
        .id;
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
    let k = root
        .create_access_key(Some(&name("alice")), None, None)
        .unwrap()
        .view
        .key
        .id;
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
        created.push(
            root.create_access_key(Some(&name("bob")), None, None)
                .unwrap()
                .view
                .key
                .id,
        );
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
fn authentication_lookup_skips_inactive_and_expired_keys() {
    let w = world();
    w.user("alice");
    let alice = Some(name("alice"));
    let root = w.root(&OSC);
    let soon = Timestamp::from_unix_millis(T0).plus_seconds(60);
    let k = root
        .create_access_key(alice.as_ref(), Some(soon), None)
        .unwrap();
    let id = k.view.key.id.clone();
    let found = w.svc.signing_key(&id).unwrap().unwrap();
    assert_eq!(found.secret, k.secret);
    assert!(
        matches!(found.principal, Principal::User { ref name, .. } if name.as_str() == "alice")
    );

    w.clock.advance_seconds(60);
    assert!(w.svc.signing_key(&id).unwrap().is_none(), "expired");
    root.update_access_key(
        alice.as_ref(),
        &id,
        KeyChange {
            expires_at: Some(None),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert!(w.svc.signing_key(&id).unwrap().is_some(), "expiry removed");
    root.update_access_key(
        alice.as_ref(),
        &id,
        KeyChange {
            state: Some(KeyState::Inactive),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert!(w.svc.signing_key(&id).unwrap().is_none(), "inactive");
    // A past expiration date at creation gives a key that never signs.
    let past = Timestamp::from_unix_millis(T0);
    let dead = root
        .create_access_key(None, Some(past), None)
        .unwrap()
        .view
        .key
        .id;
    assert!(w.svc.signing_key(&dead).unwrap().is_none());
    let unknown = AccessKeyId::parse("AKIDEXAMPLE0UNKNOWN1").unwrap();
    assert!(w.svc.signing_key(&unknown).unwrap().is_none());
}

#[test]
fn last_use_is_recorded_and_read_back() {
    let w = world();
    let k = w.keys_of(None)[0].key.id.clone();
    assert_eq!(
        w.root(&IAM).access_key_last_used(&k).unwrap().key.last_used,
        None
    );
    let used = LastUsed {
        at: Timestamp::from_unix_millis(T0),
        service: "iam".into(),
        region: "eu-west-2".into(),
    };
    w.svc.note_key_use(&k, used.clone());
    let view = w.root(&IAM).access_key_last_used(&k).unwrap();
    assert_eq!(
        view.key.last_used,
        Some(used.clone()),
        "seen before the flush"
    );
    let older = LastUsed {
        at: Timestamp::from_unix_millis(T0 - 1000),
        ..used.clone()
    };
    w.svc.note_key_use(&k, older);
    assert_eq!(
        w.svc.flush_key_uses().unwrap(),
        1,
        "coalesced into one write"
    );
    assert_eq!(w.svc.flush_key_uses().unwrap(), 0);
    let view = w.root(&IAM).access_key_last_used(&k).unwrap();
    assert_eq!(
        view.key.last_used,
        Some(used.clone()),
        "the latest use wins"
    );
    assert_eq!(view.user_name, None);
    let listed = w.keys_of(None);
    assert_eq!(listed[0].key.last_used, Some(used));
}

#[test]
fn operator_password_reset_and_root_key_rotation() {
    let w = world();
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account).unwrap();
    assert!(w.svc.verify_password(&email, pw.expose()).is_ok());
    let old = w.keys_of(None)[0].key.id.clone();
    let new = w.svc.rotate_root_key(&account).unwrap();
    assert!(w.svc.signing_key(&old).unwrap().is_none());
    assert!(w.svc.signing_key(&new.view.key.id).unwrap().is_some());
    assert_eq!(w.keys_of(None).len(), 1);
    let nowhere = AccountId::parse("999999999999").unwrap();
    assert_eq!(
        w.svc.reset_password(&nowhere).map(|_| ()),
        Err(CoreError::NoSuchAccount)
    );
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
        Err(CoreError::LimitExceeded(Quota::TagsPerUser(50)))
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
fn dry_runs_check_everything_and_change_nothing() {
    let w = world();
    w.user("alice");
    let alice = Some(name("alice"));
    let osc = w.root(&OSC);
    let k = osc
        .create_access_key(alice.as_ref(), None, None)
        .unwrap()
        .view
        .key
        .id;
    let dry = w.root(&OSC).dry_run(true);
    // What would succeed answers as for real and leaves no trace.
    let would = dry
        .create_access_key(alice.as_ref(), None, Some("ci".into()))
        .unwrap();
    assert_eq!(would.view.key.tag.as_deref(), Some("ci"));
    assert_eq!(w.keys_of(Some("alice")).len(), 1);
    dry.create_user(name("bob"), None, None, vec![]).unwrap();
    assert_eq!(
        osc.get_user(Some(&name("bob"))),
        Err(CoreError::NoSuchUser(name("bob")))
    );
    dry.update_access_key(
        alice.as_ref(),
        &k,
        KeyChange {
            state: Some(KeyState::Inactive),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert_eq!(w.keys_of(Some("alice"))[0].key.state, KeyState::Active);
    // What would fail fails the same way.
    assert_eq!(
        dry.delete_access_key(alice.as_ref(), &k),
        Err(CoreError::KeyNotInactive(k.clone()))
    );
    assert_eq!(
        dry.delete_user(&name("alice")),
        Err(CoreError::DeleteConflict(Dependents::AccessKeys))
    );
    assert_eq!(
        dry.create_user(name("ALICE"), None, None, vec![])
            .map(|_| ()),
        Err(CoreError::UserAlreadyExists(name("ALICE")))
    );
    osc.update_access_key(
        alice.as_ref(),
        &k,
        KeyChange {
            state: Some(KeyState::Inactive),
            ..KeyChange::default()
        },
    )
    .unwrap();
    dry.delete_access_key(alice.as_ref(), &k).unwrap();
    assert_eq!(
        w.keys_of(Some("alice")).len(),
        1,
        "the dry delete kept the key"
    );
    let bob = w.user("bob");
    assert!(matches!(
        w.svc
            .caller(&bob, &OSC)
            .dry_run(true)
            .create_access_key(None, None, None),
        Err(CoreError::AccessDenied { .. })
    ));
}

#[test]
fn key_tags_filter_and_change() {
    let w = world_with(Limits {
        access_keys_per_principal: 5,
        ..Limits::default()
    });
    let root = w.root(&OSC);
    let ci = root
        .create_access_key(None, None, Some("ci".into()))
        .unwrap()
        .view
        .key
        .id;
    let filter = KeyFilter {
        tag: Some("ci".into()),
        ..KeyFilter::default()
    };
    let tagged = root
        .list_access_keys(None, &filter, &PageRequest::default())
        .unwrap();
    assert_eq!(tagged.items.len(), 1);
    assert_eq!(tagged.items[0].key.id, ci);
    let cleared = root
        .update_access_key(
            None,
            &ci,
            KeyChange {
                tag: Some(None),
                ..KeyChange::default()
            },
        )
        .unwrap();
    assert_eq!(cleared.key.tag, None);
    assert!(
        root.list_access_keys(None, &filter, &PageRequest::default())
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        root.create_access_key(None, None, Some("x\u{7}".into())),
        Err(CoreError::InvalidInput { field: "Tag", .. })
    ));
    let ids = KeyFilter {
        ids: Some(vec![ci.clone()]),
        states: Some(vec![KeyState::Active]),
        tag: None,
    };
    assert_eq!(
        root.list_access_keys(None, &ids, &PageRequest::default())
            .unwrap()
            .items
            .len(),
        1
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
fn wrong_passwords_lock_the_login_for_a_while() {
    let w = world();
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account).unwrap();
    for _ in 0..3 {
        assert_eq!(
            w.svc.verify_password(&email, "wrong").map(|_| ()),
            Err(CoreError::BadCredentials)
        );
    }
    // A success resets the count.
    w.svc.verify_password(&email, pw.expose()).unwrap();
    for _ in 0..4 {
        assert_eq!(
            w.svc.verify_password(&email, "wrong").map(|_| ()),
            Err(CoreError::BadCredentials)
        );
    }
    assert_eq!(
        w.svc.verify_password(&email, pw.expose()).map(|_| ()),
        Err(CoreError::LoginLocked {
            retry_after_secs: 60
        }),
        "locked even for the right password"
    );
    w.clock.advance_seconds(61);
    for _ in 0..4 {
        assert!(w.svc.verify_password(&email, "wrong").is_err());
    }
    assert_eq!(
        w.svc.verify_password(&email, pw.expose()).map(|_| ()),
        Err(CoreError::LoginLocked {
            retry_after_secs: 120
        }),
        "each lock is a minute longer"
    );
    w.clock.advance_seconds(121);
    w.svc.verify_password(&email, pw.expose()).unwrap();
    // Another login is not affected by this one's lock.
    let other = w.svc.create_account("other", None).unwrap();
    w.svc
        .verify_password(&other.account.email, other.password.expose())
        .unwrap();
}

#[test]
fn check_credentials_of_the_callers_own_account() {
    let w = world();
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account).unwrap();
    let root = w.root(&OSC);
    root.check_credentials(&email, pw.expose()).unwrap();
    assert_eq!(
        root.check_credentials(&email, "nope"),
        Err(CoreError::BadCredentials)
    );
    let other = w.svc.create_account("other", None).unwrap();
    assert_eq!(
        root.check_credentials(&other.account.email, other.password.expose()),
        Err(CoreError::BadCredentials),
        "another account's credentials are not the caller's"
    );
}

#[test]
fn policies_see_the_callers_current_name() {
    let w = world();
    let before = w.user("old");
    w.grant(
        "old",
        "self",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListAccessKeys","Resource":"arn:aws:iam::*:user/${aws:username}"}}"#,
    );
    w.root(&IAM)
        .update_user(
            &name("old"),
            UserChange {
                name: Some(name("new")),
                ..UserChange::default()
            },
        )
        .unwrap();
    // The principal was resolved under the old name; the policy is applied to the new one.
    let c = w.svc.caller(&before, &IAM);
    c.list_access_keys(None, &KeyFilter::default(), &PageRequest::default())
        .unwrap();
    w.root(&IAM)
        .delete_user_policy(&name("new"), &policy_name("self"))
        .unwrap();
    w.root(&IAM).delete_user(&name("new")).unwrap();
    assert!(
        matches!(
            c.list_access_keys(None, &KeyFilter::default(), &PageRequest::default()),
            Err(CoreError::AccessDenied { .. })
        ),
        "a deleted user can do nothing"
    );
}

#[test]
fn parallel_wrong_guesses_meet_the_lock() {
    let w = Arc::new(world());
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (w, email) = (w.clone(), email.clone());
            std::thread::spawn(move || w.svc.verify_password(&email, "wrong").map(|_| ()))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let checked = results
        .iter()
        .filter(|r| **r == Err(CoreError::BadCredentials))
        .count();
    assert_eq!(
        checked, 4,
        "only four guesses are ever checked: {results:?}"
    );
}

#[test]
fn bootstrap_creates_the_first_account_only_if_its_credentials_are_kept() {
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix_millis(T0)));
    let svc = Service::new(
        Arc::new(MemoryStore::new()),
        clock,
        Arc::new(RandomIds),
        Limits::default(),
    );
    let email = Email::parse("admin@example.com").unwrap();
    let failed = svc.bootstrap_account("default", email.clone(), |_| Err("disk full".into()));
    assert_eq!(
        failed.map(|_| ()),
        Err(CoreError::Storage("disk full".into()))
    );
    assert!(
        svc.accounts().unwrap().is_empty(),
        "nothing without its credentials"
    );
    let mut kept = None;
    let created = svc
        .bootstrap_account("default", email.clone(), |c| {
            kept = Some(c.access_key_id.clone());
            Ok(())
        })
        .unwrap()
        .unwrap();
    assert_eq!(kept, Some(created.access_key_id.clone()));
    assert!(
        svc.bootstrap_account("default", email, |_| Ok(()))
            .unwrap()
            .is_none()
    );
    assert_eq!(svc.accounts().unwrap().len(), 1);
}

#[test]
fn parallel_right_passwords_are_never_counted_as_failures() {
    let w = Arc::new(world());
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account).unwrap().expose().to_owned();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (w, email, pw) = (w.clone(), email.clone(), pw.clone());
            std::thread::spawn(move || w.svc.verify_password(&email, &pw).map(|_| ()))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Ok(()));
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
