//! Each call's body, read strictly against the spec's request schema: what the clients send is
//! read, and every bad body gets the error that names its field.
// Helpers outside `#[test]` functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keygate_core::KeyState;
use keygate_osc::error::OscError;
use keygate_osc::ops::access_keys::{DeleteAccessKey, ReadAccessKeys, UpdateAccessKey};
use keygate_osc::ops::users::ReadUsers;
use keygate_osc::router::{Call, CallName, Request, call_name, policy_action};

fn parse(name: CallName, body: &[u8]) -> Result<Request, OscError> {
    name.decode(body)
}

fn err(name: CallName, body: &str) -> OscError {
    parse(name, body.as_bytes()).unwrap_err()
}

#[test]
fn reads_what_the_clients_send() {
    let r = parse(
        CallName::DeleteAccessKey,
        br#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "DryRun": true}"#,
    )
    .unwrap();
    assert!(r.dry_run);
    assert!(matches!(
        r.call,
        Call::DeleteAccessKey(DeleteAccessKey {
            user_name: None,
            ..
        })
    ));
    let r = parse(
        CallName::ReadAccessKeys,
        br#"{"Filters": {"States": ["ACTIVE"]}}"#,
    )
    .unwrap();
    assert!(
        matches!(r.call, Call::ReadAccessKeys(ReadAccessKeys { states: Some(ref s), .. }) if s == &[KeyState::Active])
    );
    let Call::ReadUsers(r) = parse(CallName::ReadUsers, b"").unwrap().call else {
        panic!("not ReadUsers")
    };
    assert_eq!(
        r,
        ReadUsers {
            ids: None,
            first: 0,
            count: 100,
            truncated: false
        }
    );
    let r = parse(CallName::UpdateAccessKey, br#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "ClearExpirationDate": true, "ExpirationDate": "2030-01-01"}"#).unwrap();
    assert!(matches!(
        r.call,
        Call::UpdateAccessKey(UpdateAccessKey {
            expires_at: Some(None),
            tag: None,
            ..
        })
    ));
}

#[test]
fn bad_bodies_name_the_field() {
    let e = err(CallName::DeleteAccessKey, "{}");
    assert_eq!((e.status().as_u16(), e.code()), (400, "4045"));
    assert!(e.details().contains("AccessKeyId"), "{}", e.details());
    let e = err(
        CallName::DeleteAccessKey,
        r#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "Foo": 1}"#,
    );
    assert_eq!(e.code(), "4045");
    assert!(e.details().contains("Foo"));
    let e = err(
        CallName::DeleteAccessKey,
        r#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "DryRun": "yes"}"#,
    );
    assert_eq!(e.code(), "4108");
    assert!(e.details().contains("DryRun"), "{}", e.details());
    assert_eq!(err(CallName::DeleteAccessKey, "not json").code(), "4108");
    let e = err(CallName::ReadAccessKeys, r#"{"Filters": {"Bogus": []}}"#);
    assert!(
        e.details().contains("Bogus") && e.details().contains("Filters"),
        "{}",
        e.details()
    );
    let e = err(
        CallName::UpdateAccessKey,
        r#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "State": "ENABLED"}"#,
    );
    assert_eq!(e.code(), "4047");
    assert!(e.details().contains("State"));
    let e = err(CallName::CreateUser, r#"{"UserName": "a b"}"#);
    assert!(e.code() == "4047" && e.details().contains("UserName"));
    assert_eq!(
        err(
            CallName::CreateUser,
            r#"{"UserName": "a", "UserEmail": "nope"}"#
        )
        .code(),
        "4020"
    );
    let e = err(
        CallName::PutUserPolicy,
        r#"{"UserName": "a", "PolicyName": "p", "PolicyDocument": {"Statement": []}}"#,
    );
    assert_eq!(e.code(), "4108");
    assert!(e.details().contains("PolicyDocument"));
    assert!(
        err(
            CallName::CreateAccessKey,
            r#"{"ExpirationDate": "tomorrow"}"#
        )
        .details()
        .contains("ExpirationDate")
    );
    assert_eq!(call_name("ReadSecretAccessKey").unwrap_err().code(), "0");
    assert_eq!(
        err(CallName::DeleteUser, r#"{"UserName": "a"} trailing"#).code(),
        "4108"
    );
    assert_eq!(err(CallName::DeleteUser, r#"["a"]"#).code(), "4108");
    let e = err(
        CallName::CreateUser,
        r#"{"UserName": "a", "Path": "/a-b/"}"#,
    );
    assert!(
        e.code() == "4047" && e.details().contains("Path"),
        "{}",
        e.details()
    );
    assert!(
        parse(
            CallName::CreateUser,
            br#"{"UserName": "a", "Path": "/a_b/c1/"}"#
        )
        .is_ok()
    );
}

#[test]
fn each_operation_is_checked_as_the_call_that_performs_it() {
    for name in CallName::ALL {
        assert_eq!(
            policy_action(name.operation()),
            name.policy_action(),
            "{name:?}"
        );
        assert_eq!(name.policy_action(), format!("api:{}", name.wire()));
    }
}
