//! What every operation shares: authorisation, account isolation, not-found answers, dry runs.

use crate::testing::*;

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
            why: Box::new(crate::Denial::NoAllow),
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
fn nothing_crosses_accounts() {
    let w = world();
    w.user("alice");
    let alice_key = w.new_key(Some("alice"));
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
fn dry_runs_check_everything_and_change_nothing() {
    let w = world();
    w.user("alice");
    let alice = Some(name("alice"));
    let osc = w.root(&OSC);
    let k = w.new_key(Some("alice"));
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
fn check_credentials_of_the_callers_own_account() {
    let w = world();
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account, |_| Ok(())).unwrap();
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
fn a_change_leaves_its_audit_record_in_its_transaction_and_nothing_else_does() {
    let w = world();
    let ctx = |call: &'static str| crate::caller::AuditContext {
        request_id: format!("req-{call}"),
        dialect: "iam",
        call,
        access_key_id: Some("AKIAEXAMPLE000000001".into()),
    };
    let records = || w.svc.audit_records(None, None, 100).unwrap();
    let made = w.root(&IAM).audited(ctx("CreateUser"));
    made.create_user(name("ann"), None, None, vec![]).unwrap();
    assert!(made.recorded());
    let read = w.root(&IAM).audited(ctx("GetUser"));
    read.get_user(Some(&name("ann"))).unwrap();
    assert!(
        !read.recorded(),
        "a read's record is the front end's to note"
    );
    let refused = w.root(&IAM).audited(ctx("CreateUser"));
    assert!(
        refused
            .create_user(name("ann"), None, None, vec![])
            .is_err()
    );
    assert!(!refused.recorded());
    let rehearsed = w.root(&IAM).audited(ctx("DeleteUser")).dry_run(true);
    rehearsed.delete_user(&name("ann")).unwrap();
    assert!(!rehearsed.recorded(), "a dry run changes nothing");
    let all = records();
    assert_eq!(all.len(), 1, "{all:?}");
    let (_, r) = &all[0];
    assert_eq!(r.call, "CreateUser");
    assert_eq!(r.status, 200);
    assert_eq!(r.principal_kind, "root");
    assert_eq!(r.account_id.as_ref(), Some(w.root.account()));
    assert_eq!(
        r.resource,
        Some(format!("arn:aws:iam::{}:user/ann", w.root.account()))
    );
    // What the front end notes arrives, in order, at the next flush.
    w.svc
        .note_call(read.audit_record(&ctx("GetUser"), w.svc.now(), 200, None));
    w.svc.note_call(refused.audit_record(
        &ctx("CreateUser"),
        w.svc.now(),
        409,
        Some("EntityAlreadyExists"),
    ));
    assert_eq!(w.svc.flush_audit().unwrap(), 2);
    let calls: Vec<String> = records().into_iter().map(|(_, r)| r.call).collect();
    assert_eq!(calls, ["CreateUser", "GetUser", "CreateUser"]);
    w.clock.advance_seconds(3 * 86_400);
    w.svc.prune_audit(2).unwrap();
    assert!(records().is_empty(), "older than the retention");
}
