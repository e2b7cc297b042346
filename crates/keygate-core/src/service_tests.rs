//! Service's own rules: accounts, bootstrap, signing-key lookup, key uses and the lockout.

use crate::ids::AccountId;
use crate::testing::*;

#[test]
fn account_creation_gives_working_credentials() {
    let w = world();
    let accounts = w.svc.accounts().unwrap();
    assert_eq!(accounts.len(), 1);
    let keys = w.keys_of(None);
    assert_eq!(keys.len(), 1);
    let signing = w.signing_key(&keys[0].key.id).unwrap().unwrap();
    assert_eq!(signing.principal, w.root);
    let creds = w
        .svc
        .create_account("other", Some(Email::parse("ops@example.com").unwrap()))
        .unwrap();
    let p = w
        .svc
        .verify_password(
            &creds.account.email,
            creds.password.expose(),
            Source::unknown(),
            &[],
        )
        .unwrap();
    assert_eq!(p.account(), &creds.account.id);
    assert_eq!(
        w.svc
            .verify_password(&creds.account.email, "wrong", Source::unknown(), &[]),
        Err(CoreError::BadCredentials)
    );
    assert_eq!(
        w.svc.verify_password(
            &Email::parse("nobody@example.com").unwrap(),
            "x",
            Source::unknown(),
            &[]
        ),
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
    let found = w.signing_key(&id).unwrap().unwrap();
    assert_eq!(found.secret, k.secret);
    assert!(
        matches!(found.principal, Principal::User { ref name, .. } if name.as_str() == "alice")
    );

    w.clock.advance_seconds(60);
    assert!(w.signing_key(&id).unwrap().is_none(), "expired");
    root.update_access_key(
        alice.as_ref(),
        &id,
        KeyChange {
            expires_at: Some(None),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert!(w.signing_key(&id).unwrap().is_some(), "expiry removed");
    root.update_access_key(
        alice.as_ref(),
        &id,
        KeyChange {
            state: Some(KeyState::Inactive),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert!(w.signing_key(&id).unwrap().is_none(), "inactive");
    let unknown = AccessKeyId::parse("AKIDEXAMPLE0UNKNOWN1").unwrap();
    assert!(w.signing_key(&unknown).unwrap().is_none());
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
    w.svc.note_key_use(w.root.account(), &k, used.clone());
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
    w.svc.note_key_use(w.root.account(), &k, older);
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
    let pw = w.svc.reset_password(&account, |_| Ok(())).unwrap();
    assert!(
        w.svc
            .verify_password(&email, pw.expose(), Source::unknown(), &[])
            .is_ok()
    );
    let old = w.keys_of(None)[0].key.id.clone();
    let new = w.svc.rotate_root_key(&account, |_| Ok(())).unwrap();
    assert!(w.signing_key(&old).unwrap().is_none());
    assert!(w.signing_key(&new.view.key.id).unwrap().is_some());
    assert_eq!(w.keys_of(None).len(), 1);
    let nowhere = AccountId::parse("999999999999").unwrap();
    assert_eq!(
        w.svc.reset_password(&nowhere, |_| Ok(())).map(|_| ()),
        Err(CoreError::NoSuchAccount)
    );
}

#[test]
fn a_reset_or_rotation_whose_credentials_cannot_be_kept_does_not_happen() {
    let w = world();
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account, |_| Ok(())).unwrap();
    let key = w.keys_of(None)[0].key.id.clone();
    let full = || Err::<(), _>("disk full".to_owned());
    assert_eq!(
        w.svc.reset_password(&account, |_| full()).map(|_| ()),
        Err(CoreError::Internal("disk full".into()))
    );
    assert_eq!(
        w.svc.rotate_root_key(&account, |_| full()).map(|_| ()),
        Err(CoreError::Internal("disk full".into()))
    );
    w.svc
        .verify_password(&email, pw.expose(), Source::unknown(), &[])
        .unwrap();
    assert!(w.signing_key(&key).unwrap().is_some(), "the old key stays");
    assert_eq!(w.keys_of(None).len(), 1);
}

#[test]
fn account_names_are_unique_without_regard_to_case() {
    let w = world();
    w.svc.create_account("team-b", None).unwrap();
    assert_eq!(
        w.svc.create_account("Team-B", None).map(|_| ()),
        Err(CoreError::AccountNameTaken("Team-B".into()))
    );
}

#[test]
fn wrong_passwords_lock_the_login_for_a_while() {
    let w = world();
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account, |_| Ok(())).unwrap();
    for _ in 0..3 {
        assert_eq!(
            w.svc
                .verify_password(&email, "wrong", Source::unknown(), &[])
                .map(|_| ()),
            Err(CoreError::BadCredentials)
        );
    }
    // A success resets the count.
    w.svc
        .verify_password(&email, pw.expose(), Source::unknown(), &[])
        .unwrap();
    for _ in 0..4 {
        assert_eq!(
            w.svc
                .verify_password(&email, "wrong", Source::unknown(), &[])
                .map(|_| ()),
            Err(CoreError::BadCredentials)
        );
    }
    assert_eq!(
        w.svc
            .verify_password(&email, pw.expose(), Source::unknown(), &[])
            .map(|_| ()),
        Err(CoreError::LoginLocked {
            retry_after_secs: 60
        }),
        "locked even for the right password"
    );
    w.clock.advance_seconds(61);
    for _ in 0..4 {
        assert!(
            w.svc
                .verify_password(&email, "wrong", Source::unknown(), &[])
                .is_err()
        );
    }
    assert_eq!(
        w.svc
            .verify_password(&email, pw.expose(), Source::unknown(), &[])
            .map(|_| ()),
        Err(CoreError::LoginLocked {
            retry_after_secs: 120
        }),
        "each lock is a minute longer"
    );
    w.clock.advance_seconds(121);
    w.svc
        .verify_password(&email, pw.expose(), Source::unknown(), &[])
        .unwrap();
    // Another login is not affected by this one's lock.
    let other = w.svc.create_account("other", None).unwrap();
    w.svc
        .verify_password(
            &other.account.email,
            other.password.expose(),
            Source::unknown(),
            &[],
        )
        .unwrap();
}

#[test]
fn parallel_wrong_guesses_meet_the_lock() {
    let w = Arc::new(world());
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (w, email) = (w.clone(), email.clone());
            std::thread::spawn(move || {
                w.svc
                    .verify_password(&email, "wrong", Source::unknown(), &[])
                    .map(|_| ())
            })
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
        Err(CoreError::Internal("disk full".into()))
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
    let pw = w
        .svc
        .reset_password(&account, |_| Ok(()))
        .unwrap()
        .expose()
        .to_owned();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (w, email, pw) = (w.clone(), email.clone(), pw.clone());
            std::thread::spawn(move || {
                w.svc
                    .verify_password(&email, &pw, Source::unknown(), &[])
                    .map(|_| ())
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Ok(()));
    }
}

fn from(addr: &str) -> Source {
    Source::new(Some(addr.parse().unwrap()))
}

#[test]
fn failed_sign_ins_are_throttled_per_source_across_logins() {
    let w = world();
    let per_minute = Limits::default().password_failures_per_source_per_minute;
    let attacker = from("192.0.2.7");
    for i in 0..per_minute {
        let login = Email::parse(&format!("guess{i}@example.com")).unwrap();
        assert_eq!(
            w.svc
                .verify_password(&login, "x", attacker, &[])
                .map(|_| ()),
            Err(CoreError::BadCredentials)
        );
    }
    let next = Email::parse("one-more@example.com").unwrap();
    assert_eq!(
        w.svc.verify_password(&next, "x", attacker, &[]).map(|_| ()),
        Err(CoreError::Throttled {
            retry_after_secs: 60
        })
    );
    // Another address keeps its own budget, and the owner signs in from it.
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account, |_| Ok(())).unwrap();
    w.svc
        .verify_password(&email, pw.expose(), from("198.51.100.1"), &[])
        .unwrap();
    // The window passes.
    w.clock.advance_seconds(60);
    assert_eq!(
        w.svc.verify_password(&next, "x", attacker, &[]).map(|_| ()),
        Err(CoreError::BadCredentials)
    );
}

#[test]
fn a_lock_set_from_elsewhere_does_not_keep_the_owner_out() {
    let w = world();
    let account = w.root.account().clone();
    let email = w.svc.account(&account).unwrap().email;
    let pw = w.svc.reset_password(&account, |_| Ok(())).unwrap();
    let attacker = from("192.0.2.7");
    for _ in 0..4 {
        assert!(
            w.svc
                .verify_password(&email, "wrong", attacker, &[])
                .is_err()
        );
    }
    assert_eq!(
        w.svc
            .verify_password(&email, pw.expose(), attacker, &[])
            .map(|_| ()),
        Err(CoreError::LoginLocked {
            retry_after_secs: 60
        }),
        "locked where the guesses come from"
    );
    w.svc
        .verify_password(&email, pw.expose(), from("198.51.100.1"), &[])
        .unwrap();
}

#[test]
fn a_cached_key_is_read_afresh_after_any_committed_change() {
    use crate::caller::KeyChange;
    use crate::store;
    let w = world();
    w.user("alice");
    let key = w.new_key(Some("alice"));
    assert!(w.signing_key(&key).unwrap().is_some());
    assert_eq!(w.svc.keys.len(), 1, "the key's authentication is kept");
    assert!(w.signing_key(&key).unwrap().is_some(), "and served again");

    // Deactivated through the service: the very next lookup refuses it.
    w.root(&IAM)
        .update_access_key(
            Some(&name("alice")),
            &key,
            KeyChange {
                state: Some(KeyState::Inactive),
                expires_at: None,
                tag: None,
            },
        )
        .unwrap();
    assert!(w.signing_key(&key).unwrap().is_none(), "inactive, refused");

    // Changed in the store behind the service's back (another replica, an operator's command):
    // seen as well.
    w.root(&IAM)
        .update_access_key(
            Some(&name("alice")),
            &key,
            KeyChange {
                state: Some(KeyState::Active),
                expires_at: None,
                tag: None,
            },
        )
        .unwrap();
    assert!(w.signing_key(&key).unwrap().is_some());
    let account = w.root.account().clone();
    store::write(&*w.svc.store, |tx| tx.delete_key(&account, &key)).unwrap();
    assert!(w.signing_key(&key).unwrap().is_none(), "deleted, refused");

    // A cached key past its expiry is refused without a change to the store.
    let expiring = w.new_key(Some("alice"));
    let mut stored = store::read(&*w.svc.store, |tx| tx.key(&account, &expiring))
        .unwrap()
        .unwrap();
    stored.expires_at = Some(Timestamp::from_unix_millis(T0 + 60_000));
    store::write(&*w.svc.store, |tx| tx.update_key(&stored)).unwrap();
    assert!(w.signing_key(&expiring).unwrap().is_some());
    w.clock.advance_seconds(61);
    assert!(
        w.signing_key(&expiring).unwrap().is_none(),
        "expired, refused"
    );
}
