//! The conformance checks of sessions (found by key id with their secret and token digest,
//! gone with their parent key or once expired, made only from a key of their account) and of
//! virtual MFA devices (unique serial numbers, per account, holding their user) and of login
//! profiles and password policies.

use std::sync::Arc;

use crate::ids::AccessKeyId;
use crate::model::{KeyOwner, Secret, Session, SessionOrigin};
use crate::store::{self, Store};

use super::{account, key, t, user};

pub fn sessions_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let parent = key(
        &a,
        "AKIA0000000000000001",
        KeyOwner::User(alice.id.clone()),
        10,
    );
    let session = |id: &str, expires: i64| Session {
        key_id: AccessKeyId::parse(id).unwrap(),
        account_id: a.id.clone(),
        origin: SessionOrigin::Key {
            owner: KeyOwner::User(alice.id.clone()),
            parent_key: parent.id.clone(),
        },
        created_at: t(100),
        expires_at: t(expires),
        mfa_at: Some(t(90)),
    };
    let short = session("ASIA0000000000000001", 1_000);
    let long = session("ASIA0000000000000002", 5_000);
    let secret = Secret::new("session-secret".into());
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_user(&alice)?;
        tx.insert_key(&parent, &Secret::new("parent-secret".into()))?;
        tx.insert_session(&short, &secret, b"digest-1")?;
        tx.insert_session(&long, &secret, b"digest-2")
    })
    .unwrap();
    store::read(&*s, |tx| {
        let (found, sec, digest) = tx.session_for_authentication(&short.key_id)?.unwrap();
        assert_eq!(found, short);
        assert_eq!(sec, secret);
        assert_eq!(digest, b"digest-1".to_vec());
        assert!(
            tx.keys(&a.id, &KeyOwner::User(alice.id.clone()))?.len() == 1,
            "never listed"
        );
        Ok(())
    })
    .unwrap();
    let mut elsewhere = session("ASIA0000000000000003", 5_000);
    elsewhere.account_id = b.id.clone();
    assert!(
        store::write(&*s, |tx| tx.insert_session(&elsewhere, &secret, b"d")).is_err(),
        "a session is made from a key of its own account"
    );
    store::write(&*s, |tx| tx.delete_expired_sessions(t(1_000))).unwrap();
    store::read(&*s, |tx| {
        assert!(
            tx.session_for_authentication(&short.key_id)?.is_none(),
            "expired"
        );
        assert!(tx.session_for_authentication(&long.key_id)?.is_some());
        Ok(())
    })
    .unwrap();
    store::write(&*s, |tx| tx.delete_key(&a.id, &parent.id)).unwrap();
    store::read(&*s, |tx| {
        assert!(
            tx.session_for_authentication(&long.key_id)?.is_none(),
            "gone with its parent key"
        );
        Ok(())
    })
    .unwrap();
}

pub fn mfa_devices_round_trip(s: Arc<dyn Store>) {
    use crate::model::MfaDevice;
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let device = |serial: &str| MfaDevice {
        account_id: a.id.clone(),
        serial: serial.to_owned(),
        seed: Secret::new("JBSWY3DPEHPK3PXP".into()),
        user: None,
        created_at: t(10),
        last_step: None,
        drift: 0,
        failures: 0,
        tags: vec![super::tag("k", "v")],
    };
    let phone = device("arn:aws:iam::111111111111:mfa/phone");
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_user(&alice)?;
        tx.insert_mfa_device(&phone)?;
        tx.insert_mfa_device(&device("arn:aws:iam::111111111111:mfa/tablet"))
    })
    .unwrap();
    assert!(
        store::write(&*s, |tx| tx.insert_mfa_device(&phone)).is_err(),
        "a serial number is unique"
    );
    let mut enabled = phone.clone();
    enabled.user = Some((alice.id.clone(), t(20)));
    enabled.last_step = Some(1_000);
    enabled.drift = -2;
    enabled.failures = 3;
    store::write(&*s, |tx| tx.update_mfa_device(&enabled)).unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.mfa_device(&a.id, &phone.serial)?, Some(enabled.clone()));
        assert_eq!(tx.mfa_device(&b.id, &phone.serial)?, None, "per account");
        assert_eq!(tx.mfa_devices(&a.id)?.len(), 2);
        assert!(tx.mfa_devices(&b.id)?.is_empty());
        Ok(())
    })
    .unwrap();
    assert!(
        store::write(&*s, |tx| tx.delete_user(&a.id, &alice.id)).is_err(),
        "a user with a device enabled stays"
    );
    store::write(&*s, |tx| tx.delete_mfa_device(&a.id, &phone.serial)).unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.mfa_device(&a.id, &phone.serial)?, None);
        Ok(())
    })
    .unwrap();
}

pub fn login_profiles_round_trip(s: Arc<dyn Store>) {
    use crate::model::{LoginProfile, PasswordPolicy};
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let profile = LoginProfile {
        account_id: a.id.clone(),
        user: alice.id.clone(),
        hash: "$argon2id$hash".into(),
        reset_required: true,
        created_at: t(10),
    };
    let policy = PasswordPolicy {
        minimum_length: 10,
        require_symbols: true,
        require_numbers: false,
        require_uppercase: true,
        require_lowercase: false,
        allow_users_to_change: true,
    };
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_user(&alice)?;
        tx.put_login_profile(&profile)?;
        tx.put_password_policy(&a.id, &policy)
    })
    .unwrap();
    let mut changed = profile.clone();
    changed.hash = "$argon2id$other".into();
    changed.reset_required = false;
    // A sign-in session stands on the login profile: a new password keeps it.
    let signed_in = Session {
        key_id: AccessKeyId::parse("ASIA0000000000000007").unwrap(),
        account_id: a.id.clone(),
        origin: SessionOrigin::SignIn {
            user: alice.id.clone(),
        },
        created_at: t(100),
        expires_at: t(5_000),
        mfa_at: Some(t(100)),
    };
    let secret = Secret::new("sign-in-secret".into());
    store::write(&*s, |tx| {
        tx.insert_session(&signed_in, &secret, b"digest-7")
    })
    .unwrap();
    let mut elsewhere = signed_in.clone();
    elsewhere.key_id = AccessKeyId::parse("ASIA0000000000000008").unwrap();
    elsewhere.account_id = b.id.clone();
    assert!(
        store::write(&*s, |tx| tx.insert_session(&elsewhere, &secret, b"d")).is_err(),
        "a sign-in is of its user's account"
    );
    store::write(&*s, |tx| tx.put_login_profile(&changed)).unwrap();
    store::read(&*s, |tx| {
        let (found, sec, digest) = tx.session_for_authentication(&signed_in.key_id)?.unwrap();
        assert_eq!(
            (found, sec, digest),
            (signed_in.clone(), secret.clone(), b"digest-7".to_vec())
        );
        assert_eq!(tx.login_profile(&a.id, &alice.id)?, Some(changed.clone()));
        assert_eq!(tx.login_profile(&b.id, &alice.id)?, None, "per account");
        assert_eq!(tx.password_policy(&a.id)?, Some(policy));
        assert_eq!(tx.password_policy(&b.id)?, None);
        Ok(())
    })
    .unwrap();
    assert!(
        store::write(&*s, |tx| tx.delete_user(&a.id, &alice.id)).is_err(),
        "a user with a password stays"
    );
    store::write(&*s, |tx| {
        tx.delete_login_profile(&a.id, &alice.id)?;
        tx.delete_password_policy(&a.id)?;
        tx.delete_user(&a.id, &alice.id)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert!(
            tx.session_for_authentication(&signed_in.key_id)?.is_none(),
            "gone with the password"
        );
        Ok(())
    })
    .unwrap();
}
