//! Login profiles: passwords checked against the policy, kept as hashes, changed by the user
//! with its old one (through the sign-in guards), and in the way of deleting the user.

use crate::model::PasswordPolicy;
use crate::testing::*;

/// A password policy that lets users change their own password, with eight characters.
fn users_change_their_own() -> PasswordPolicy {
    PasswordPolicy {
        minimum_length: 8,
        require_symbols: false,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        allow_users_to_change: true,
    }
}

fn audit() -> crate::AuditContext {
    crate::AuditContext {
        request_id: "r-1".into(),
        dialect: "osc",
        call: "CreateUserSession",
        access_key_id: None,
    }
}

fn secret(s: &str) -> crate::Secret {
    crate::Secret::new(s.into())
}

#[test]
fn passwords_follow_the_policy_and_are_changed_with_the_old_one() {
    let w = world();
    let alice = w.user("alice");
    let root = w.root(&IAM);
    let n = name("alice");
    assert!(matches!(
        root.create_login_profile(&n, &secret("weak"), false),
        Err(CoreError::PasswordPolicy(_))
    ));
    let made = root
        .create_login_profile(&n, &secret("Str0ng-enough"), true)
        .unwrap();
    assert!(made.hash.starts_with("$argon2id$"), "only a hash is kept");
    assert!(
        !format!("{made:?}").contains("argon2"),
        "Debug shows no hash"
    );
    assert_eq!(
        root.create_login_profile(&n, &secret("Str0ng-enough"), false)
            .map(|_| ()),
        Err(CoreError::LoginProfileExists(n.clone()))
    );
    assert!(root.get_login_profile(&n).unwrap().reset_required);
    assert_eq!(
        root.delete_user(&n),
        Err(CoreError::DeleteConflict(Dependents::LoginProfile))
    );

    // ChangePassword: by the user itself, allowed by the policy, with the old password.
    let as_alice = w.svc.caller(&alice, &IAM);
    assert!(matches!(
        as_alice.change_password(&secret("Str0ng-enough"), &secret("N3w-password!")),
        Err(CoreError::AccessDenied { .. })
    ));
    root.update_account_password_policy(PasswordPolicy {
        minimum_length: 10,
        require_symbols: true,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        allow_users_to_change: true,
    })
    .unwrap();
    assert_eq!(
        as_alice.change_password(&secret("wrong-old-one"), &secret("N3w-password!")),
        Err(CoreError::WrongOldPassword)
    );
    assert!(matches!(
        as_alice.change_password(&secret("Str0ng-enough"), &secret("nosymbols123")),
        Err(CoreError::PasswordPolicy(_))
    ));
    as_alice
        .change_password(&secret("Str0ng-enough"), &secret("N3w-password!"))
        .unwrap();
    assert!(!root.get_login_profile(&n).unwrap().reset_required);
    assert_eq!(
        root.change_password(&secret("x"), &secret("y")),
        Err(CoreError::NotAUser)
    );
    root.delete_account_password_policy().unwrap();
    assert_eq!(
        root.get_account_password_policy(),
        Err(CoreError::NoPasswordPolicy)
    );
    root.delete_login_profile(&n).unwrap();
    assert_eq!(
        root.get_login_profile(&n).map(|_| ()),
        Err(CoreError::NoSuchLoginProfile(n.clone()))
    );
    root.delete_user(&n).unwrap();
}

#[test]
fn a_user_signs_in_with_its_password_a_new_one_when_due_and_its_mfa_code() {
    use crate::UserSignIn;
    use crate::caller::RequestInfo;
    use crate::ids::MfaName;
    use crate::model::SessionKind;
    use crate::service::KeyLookup;
    let w = world();
    w.user("alice");
    w.grant("alice", "self", SELF_SERVICE);
    let root = w.root(&IAM);
    let n = name("alice");
    root.create_login_profile(&n, &secret("Str0ng-enough"), true)
        .unwrap();
    let account = w.root.account().clone();
    let (old, new, wrong) = (
        secret("Str0ng-enough"),
        secret("N3w-and-str0ng"),
        secret("nope"),
    );
    let sign_in = |password: &crate::Secret,
                   new_password: Option<&crate::Secret>,
                   mfa_code: Option<&crate::Secret>| {
        let req = UserSignIn {
            account: &account,
            user: &n,
            password,
            new_password,
            mfa_code,
        };
        w.svc
            .sign_in_user(&OSC, &req, RequestInfo::default(), audit())
    };
    assert_eq!(
        sign_in(&wrong, None, None).map(|_| ()),
        Err(CoreError::BadCredentials)
    );
    let nobody = UserSignIn {
        user: &name("nobody"),
        ..UserSignIn {
            account: &account,
            user: &n,
            password: &old,
            new_password: None,
            mfa_code: None,
        }
    };
    assert_eq!(
        w.svc
            .sign_in_user(&OSC, &nobody, RequestInfo::default(), audit())
            .map(|_| ()),
        Err(CoreError::BadCredentials),
        "an unknown user as a wrong password"
    );
    assert_eq!(
        sign_in(&old, None, None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::NewPasswordRequired))
    );
    // ChangePassword's rules apply: her policy allows no iam:ChangePassword, the account's
    // password policy lets users change theirs.
    root.update_account_password_policy(users_change_their_own())
        .unwrap();
    let made = sign_in(&old, Some(&new), None).unwrap();
    assert!(!root.get_login_profile(&n).unwrap().reset_required);
    let found = match w
        .svc
        .signing_credentials(&made.session.key_id, Some(made.token.expose()), None, &[])
        .unwrap()
    {
        KeyLookup::Found(k) => k,
        other => panic!("{other:?}"),
    };
    assert_eq!(found.principal.arn(), w.principal_of("alice").arn());
    let facts = found.session.unwrap();
    assert_eq!(facts.kind, SessionKind::SignIn);
    assert_eq!(facts.mfa_at, None);
    let session = w
        .svc
        .caller(&found.principal, &IAM)
        .signed_with(made.session.key_id.clone(), Some(facts));
    assert!(
        session.get_user(Some(&n)).is_ok(),
        "a sign-in acts with its user's permissions, MFA or not"
    );

    // With a device, a code is required, and proven.
    let device = root
        .create_virtual_mfa_device(MfaName::parse("alice-phone").unwrap(), None, vec![])
        .unwrap();
    let seed = device.device.seed.clone();
    let now = Timestamp::from_unix_millis(T0);
    let code = |secs: i64| secret(&crate::totp::code(&seed, now.plus_seconds(secs)));
    root.enable_mfa_device(
        &n,
        &device.device.serial,
        code(-60).expose(),
        code(-30).expose(),
    )
    .unwrap();
    assert_eq!(
        sign_in(&new, None, None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaCodeRequired))
    );
    assert_eq!(
        sign_in(&new, None, Some(&secret("000000"))).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaWrongCode))
    );
    let with_mfa = sign_in(&new, None, Some(&code(0))).unwrap();
    assert_eq!(with_mfa.session.mfa_at, Some(now));
    assert_eq!(
        sign_in(&new, None, Some(&code(0))).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaWrongCode)),
        "a code is accepted once"
    );
    // The session goes with the password.
    root.deactivate_mfa_device(Some(&n), &device.device.serial)
        .unwrap();
    root.delete_login_profile(&n).unwrap();
    assert!(matches!(
        w.svc
            .signing_credentials(
                &with_mfa.session.key_id,
                Some(with_mfa.token.expose()),
                None,
                &[]
            )
            .unwrap(),
        KeyLookup::Unknown
    ));
}

#[test]
fn a_wrong_mfa_code_changes_no_password_and_any_of_the_users_devices_signs_in() {
    use crate::UserSignIn;
    use crate::caller::RequestInfo;
    use crate::ids::MfaName;
    let w = world();
    w.user("bo");
    let root = w.root(&IAM);
    let n = name("bo");
    root.create_login_profile(&n, &secret("Str0ng-enough"), true)
        .unwrap();
    root.update_account_password_policy(users_change_their_own())
        .unwrap();
    let now = Timestamp::from_unix_millis(T0);
    let mut seeds = Vec::new();
    for device in ["bo-phone", "bo-tablet"] {
        let made = root
            .create_virtual_mfa_device(MfaName::parse(device).unwrap(), None, vec![])
            .unwrap();
        let seed = made.device.seed.clone();
        let c = |secs: i64| crate::totp::code(&seed, now.plus_seconds(secs));
        root.enable_mfa_device(&n, &made.device.serial, &c(-60), &c(-30))
            .unwrap();
        seeds.push(seed);
    }
    let account = w.root.account().clone();
    let (old, new) = (secret("Str0ng-enough"), secret("N3w-and-str0ng"));
    let attempt = |password: &crate::Secret, code: Option<&crate::Secret>| {
        let req = UserSignIn {
            account: &account,
            user: &n,
            password,
            new_password: Some(&new),
            mfa_code: code,
        };
        w.svc
            .sign_in_user(&OSC, &req, RequestInfo::default(), audit())
    };
    assert_eq!(
        attempt(&old, None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaCodeRequired))
    );
    assert_eq!(
        attempt(&old, Some(&secret("000000"))).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaWrongCode))
    );
    assert!(
        root.get_login_profile(&n).unwrap().reset_required,
        "no password changed without the code"
    );
    // The second device's code: the password changes and the session is made, together.
    let code = secret(&crate::totp::code(&seeds[1], now));
    let made = attempt(&old, Some(&code)).unwrap();
    assert_eq!(made.session.mfa_at, Some(now));
    assert!(!root.get_login_profile(&n).unwrap().reset_required);
    assert_eq!(
        attempt(&old, Some(&secret(&crate::totp::code(&seeds[0], now)))).map(|_| ()),
        Err(CoreError::BadCredentials),
        "the old password is gone"
    );
}
