//! Passwords of EIM users end to end with the aws CLI: login profiles checked against the
//! account's password policy, a user changing its own password with the old one, and the
//! profile in the way of deleting its user.

use keygate_tests::support::Fresh;
use keygate_tests::support::clients::{Creds, aws};

#[test]
fn login_profiles_and_the_password_policy_through_the_aws_cli() {
    let w = Fresh::start(&[]);
    let iam = |args: &[&str]| aws(&w.server, &w.root, args);
    iam(&["iam", "create-user", "--user-name", "lou"]).json();
    let k = iam(&["iam", "create-access-key", "--user-name", "lou"]).json();
    let lou = Creds::new(
        k["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        k["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
    );
    iam(&["iam", "get-account-password-policy"]).failed_with("NoSuchEntity");
    iam(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "lou",
        "--password",
        "weakweak",
    ])
    .failed_with("PasswordPolicyViolation");
    let made = iam(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "lou",
        "--password",
        "Str0ng-enough",
        "--password-reset-required",
    ])
    .json();
    assert_eq!(made["LoginProfile"]["UserName"], "lou");
    assert_eq!(made["LoginProfile"]["PasswordResetRequired"], true);
    iam(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "lou",
        "--password",
        "Str0ng-enough",
    ])
    .failed_with("EntityAlreadyExists");
    iam(&["iam", "delete-user", "--user-name", "lou"]).failed_with("DeleteConflict");

    // The user changes its own password once the policy lets users do so.
    let change = |old: &str, new: &str| {
        aws(
            &w.server,
            &lou,
            &[
                "iam",
                "change-password",
                "--old-password",
                old,
                "--new-password",
                new,
            ],
        )
    };
    change("Str0ng-enough", "An0ther-one!").failed_with("AccessDenied");
    iam(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "12",
        "--require-symbols",
        "--allow-users-to-change-password",
    ])
    .json();
    let policy = iam(&["iam", "get-account-password-policy"]).json();
    assert_eq!(policy["PasswordPolicy"]["MinimumPasswordLength"], 12);
    assert_eq!(policy["PasswordPolicy"]["AllowUsersToChangePassword"], true);
    iam(&[
        "iam",
        "update-account-password-policy",
        "--max-password-age",
        "90",
    ])
    .failed_with("InvalidInput");
    let wrong = change("not-the-old-one", "An0ther-one!!");
    wrong.failed_with("AccessDenied");
    assert!(
        wrong.stderr.contains("The old password is incorrect."),
        "{}",
        wrong.stderr
    );
    change("Str0ng-enough", "n0symbolsatall").failed_with("PasswordPolicyViolation");
    change("Str0ng-enough", "An0ther-one!!").json();
    let got = iam(&["iam", "get-login-profile", "--user-name", "lou"]).json();
    assert_eq!(got["LoginProfile"]["PasswordResetRequired"], false);
    iam(&[
        "iam",
        "change-password",
        "--old-password",
        "x",
        "--new-password",
        "y",
    ])
    .failed_with("InvalidUserType");

    iam(&["iam", "delete-account-password-policy"]).json();
    iam(&["iam", "delete-login-profile", "--user-name", "lou"]).json();
    iam(&["iam", "get-login-profile", "--user-name", "lou"]).failed_with("NoSuchEntity");
}
