//! Inline user policies: validation, round trips and the size quota.

use crate::testing::*;

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
