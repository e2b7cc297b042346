//! Virtual MFA: enabling with two consecutive codes, sessions made with a code (used once),
//! policies that require MFA, and the conflicts on deletion.

use crate::ids::MfaName;
use crate::testing::*;
use crate::totp;
use crate::{Assignment, KeyLookup};

const NEEDS_MFA: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["iam:ListAccessKeys", "iam:GetUser"], "Resource": "*",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}"#;

#[test]
fn a_device_enabled_with_two_codes_makes_mfa_sessions_and_each_code_works_once() {
    let w = world();
    w.user("alice");
    w.grant("alice", "needs-mfa", NEEDS_MFA);
    let root = w.root(&IAM);
    let made = root
        .create_virtual_mfa_device(MfaName::parse("alice-phone").unwrap(), None, vec![])
        .unwrap();
    let serial = made.device.serial.clone();
    assert_eq!(
        serial,
        format!("arn:aws:iam::{}:mfa/alice-phone", w.root.account())
    );
    assert!(made.qr_png.starts_with(b"\x89PNG"), "a PNG");
    let shown = format!("{made:?}");
    assert!(
        !shown.contains(made.device.seed.expose()) && !shown.contains("137, 80"),
        "Debug shows neither the seed nor the QR code: {shown}"
    );
    let seed = made.device.seed.clone();
    let now = Timestamp::from_unix_millis(T0);
    let code = |secs: i64| totp::code(&seed, now.plus_seconds(secs));
    let alice_name = name("alice");
    assert_eq!(
        root.enable_mfa_device(&alice_name, &serial, &code(0), &code(-30)),
        Err(CoreError::InvalidAuthenticationCode),
        "not consecutive"
    );
    root.enable_mfa_device(&alice_name, &serial, &code(-30), &code(0))
        .unwrap();
    assert_eq!(
        root.enable_mfa_device(&alice_name, &serial, &code(-30), &code(0)),
        Err(CoreError::MfaDeviceEnabled(serial.clone()))
    );
    let (_, listed) = root.list_mfa_devices(Some(&alice_name)).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        root.list_virtual_mfa_devices(Assignment::Unassigned)
            .unwrap()
            .len(),
        0
    );

    // The code enabling used is spent; the next one makes an MFA session, once.
    let a = w.principal_of("alice");
    let key = w.new_key(Some("alice"));
    let long = w.svc.caller(&a, &IAM).signed_with(key.clone(), None);
    assert!(
        matches!(long.get_user(None), Err(CoreError::AccessDenied { .. })),
        "a long-term key carries no MFA"
    );
    assert_eq!(
        long.get_session_token(None, Some((&serial, &code(0))))
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaWrongCode)),
        "the code that enabled the device is spent"
    );
    w.clock.advance_seconds(30);
    let next = code(30);
    let session = long
        .get_session_token(None, Some((&serial, &next)))
        .unwrap();
    assert!(session.session.mfa_at.is_some());
    assert_eq!(
        long.get_session_token(None, Some((&serial, &next)))
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaWrongCode)),
        "a replayed code"
    );
    assert_eq!(
        long.get_session_token(None, Some(("arn:aws:iam::123456789012:mfa/other", &next)))
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaUnknownDevice))
    );

    // The MFA session: the policy's condition holds; key calls must name their user.
    let KeyLookup::Found(signing) = w
        .svc
        .signing_credentials(
            &session.session.key_id,
            Some(session.token.expose()),
            None,
            &[],
        )
        .unwrap()
    else {
        panic!("the session signs")
    };
    let with_mfa = w
        .svc
        .caller(&a, &IAM)
        .signed_with(session.session.key_id.clone(), signing.session);
    assert!(with_mfa.get_user(None).is_ok());
    assert_eq!(
        with_mfa
            .list_access_keys(None, &KeyFilter::default(), &PageRequest::default())
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::UserNameRequired))
    );
    assert!(
        with_mfa
            .list_access_keys(
                Some(&alice_name),
                &KeyFilter::default(),
                &PageRequest::default()
            )
            .is_ok()
    );

    // Deletion: the user keeps its device until it is deactivated; an enabled device stays.
    root.delete_access_key(Some(&alice_name), &key).unwrap();
    root.delete_user_policy(&alice_name, &policy_name("needs-mfa"))
        .unwrap();
    assert_eq!(
        root.delete_virtual_mfa_device(&serial),
        Err(CoreError::DeleteConflict(Dependents::MfaInUse))
    );
    assert_eq!(
        root.delete_user(&alice_name),
        Err(CoreError::DeleteConflict(Dependents::MfaDevices))
    );
    root.deactivate_mfa_device(Some(&alice_name), &serial)
        .unwrap();
    root.delete_virtual_mfa_device(&serial).unwrap();
    root.delete_user(&alice_name).unwrap();
}

#[test]
fn resync_takes_two_new_consecutive_codes() {
    let w = world();
    w.user("alice");
    let root = w.root(&IAM);
    let made = root
        .create_virtual_mfa_device(MfaName::parse("phone").unwrap(), None, vec![])
        .unwrap();
    let seed = made.device.seed.clone();
    let serial = made.device.serial;
    let now = Timestamp::from_unix_millis(T0);
    let code = |secs: i64| totp::code(&seed, now.plus_seconds(secs));
    let alice = name("alice");
    assert_eq!(
        root.resync_mfa_device(&alice, &serial, &code(-30), &code(0)),
        Err(CoreError::NoSuchMfaDevice(serial.clone())),
        "not enabled for her"
    );
    root.enable_mfa_device(&alice, &serial, &code(-60), &code(-30))
        .unwrap();
    assert_eq!(
        root.resync_mfa_device(&alice, &serial, &code(-60), &code(-30)),
        Err(CoreError::InvalidAuthenticationCode),
        "codes already used"
    );
    root.resync_mfa_device(&alice, &serial, &code(0), &code(30))
        .unwrap();
    assert_eq!(
        root.create_virtual_mfa_device(MfaName::parse("phone").unwrap(), None, vec![])
            .map(|_| ()),
        Err(CoreError::MfaDeviceExists(serial))
    );
}

#[test]
fn wrong_codes_in_a_row_lock_the_device_until_it_is_resynchronised() {
    let w = world();
    w.user("alice");
    let root = w.root(&IAM);
    let made = root
        .create_virtual_mfa_device(MfaName::parse("phone").unwrap(), None, vec![])
        .unwrap();
    let (seed, serial) = (made.device.seed.clone(), made.device.serial);
    let now = Timestamp::from_unix_millis(T0);
    let code = |secs: i64| totp::code(&seed, now.plus_seconds(secs));
    let alice = name("alice");
    root.enable_mfa_device(&alice, &serial, &code(-60), &code(-30))
        .unwrap();
    let a = w.principal_of("alice");
    let key = w.new_key(Some("alice"));
    let c = w.svc.caller(&a, &IAM).signed_with(key, None);
    let right = code(0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..totp::MAX_MFA_FAILURES {
        assert_eq!(
            c.get_session_token(None, Some((&serial, wrong)))
                .map(|_| ()),
            Err(CoreError::SessionRefused(SessionRule::MfaWrongCode))
        );
    }
    assert_eq!(
        c.get_session_token(None, Some((&serial, &right)))
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaWrongCode)),
        "locked: even the right code is refused, so codes cannot be guessed"
    );
    w.clock.advance_seconds(60);
    root.resync_mfa_device(&alice, &serial, &code(30), &code(60))
        .unwrap();
    w.clock.advance_seconds(30);
    assert!(
        c.get_session_token(None, Some((&serial, &code(90))))
            .is_ok()
    );
}

#[test]
fn a_user_deactivates_its_own_device_without_naming_itself() {
    let w = world();
    w.user("alice");
    w.grant(
        "alice",
        "own-mfa",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:DeactivateMFADevice", "Resource": "arn:aws:iam::*:user/${aws:username}"}]}"#,
    );
    let root = w.root(&IAM);
    let made = root
        .create_virtual_mfa_device(MfaName::parse("phone").unwrap(), None, vec![])
        .unwrap();
    let (seed, serial) = (made.device.seed.clone(), made.device.serial);
    let now = Timestamp::from_unix_millis(T0);
    let code = |secs: i64| totp::code(&seed, now.plus_seconds(secs));
    root.enable_mfa_device(&name("alice"), &serial, &code(-30), &code(0))
        .unwrap();
    let alice = w.principal_of("alice");
    w.svc
        .caller(&alice, &IAM)
        .deactivate_mfa_device(None, &serial)
        .unwrap();
    assert_eq!(
        root.list_virtual_mfa_devices(Assignment::Unassigned)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        root.deactivate_mfa_device(None, &serial),
        Err(CoreError::NoSuchMfaDevice(serial.clone())),
        "the root has no device"
    );
}
