//! Login profiles: passwords checked against the policy, kept as hashes, changed by the user
//! with its old one (through the sign-in guards), and in the way of deleting the user.

use crate::model::PasswordPolicy;
use crate::testing::*;

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
