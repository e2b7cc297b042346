//! Access keys: the limit, the dialects' deletion rule, self-service policies, key tags.

use crate::testing::*;

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
    let k = w.new_key(Some("alice"));
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
fn self_service_policy_on_own_and_other_keys() {
    let w = world();
    let alice = w.user("alice");
    w.user("bob");
    w.grant("alice", "ManageOwnAccessKeys", SELF_SERVICE);
    let bob_key = w.new_key(Some("bob"));
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
fn expiration_dates_lie_in_the_future_and_within_a_century() {
    let w = world();
    let now = w.svc.now();
    let root = w.root(&OSC);
    for (at, why) in [
        (now, "not in the future"),
        (now.plus_seconds(-1), "not in the future"),
        (now.plus_seconds(3_153_600_001), "100 years"),
    ] {
        match root.create_access_key(None, Some(at), None) {
            Err(CoreError::InvalidInput { field, reason }) => {
                assert_eq!(field, "ExpirationDate");
                assert!(reason.contains(why), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(w.keys_of(None).len(), 1, "no key took a slot");
    let key = root
        .create_access_key(None, Some(now.plus_seconds(60)), None)
        .unwrap();
    let past = KeyChange {
        expires_at: Some(Some(now.plus_seconds(-60))),
        ..KeyChange::default()
    };
    assert!(matches!(
        root.update_access_key(None, &key.view.key.id, past),
        Err(CoreError::InvalidInput { .. })
    ));
}
