//! Each action's parameters, read against the model's constraints: names and versions first,
//! then every member, with validation messages that name it as AWS does.
// Helpers outside `#[test]` functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keygate_core::{PageRequest, UserName};
use keygate_iam::error::IamError;
use keygate_iam::ops::users::{TagUser, UntagUser};
use keygate_iam::params::Params;
use keygate_iam::router::{Action, ActionName, Api, action_name, policy_action};

fn p(s: &str) -> Params {
    Params::parse(s.as_bytes()).unwrap()
}

fn err(s: &str) -> IamError {
    let params = p(s);
    match action_name(&params, None) {
        Ok(name) => name.decode(&params).unwrap_err(),
        Err(e) => e,
    }
}

fn parse(name: ActionName, params: &Params) -> Result<Action, IamError> {
    name.decode(params)
}

#[test]
fn names_and_versions() {
    assert_eq!(err("Version=2010-05-08").code(), "MissingAction");
    assert_eq!(err("Action=ListUsers").code(), "MissingParameter");
    let e = err("Action=FooBar&Version=2010-05-08");
    assert_eq!(
        (e.code(), e.message()),
        (
            "InvalidAction",
            "Could not find operation FooBar for version 2010-05-08"
        )
    );
    assert_eq!(
        err("Action=ListUsers&Version=2011-06-15").code(),
        "InvalidAction"
    );
    assert_eq!(
        action_name(&p("Action=GetCallerIdentity&Version=2011-06-15"), None)
            .unwrap()
            .api(),
        Api::Sts
    );
}

#[test]
fn osc_cli_eim_sends_the_days_date_as_version() {
    let listed = p("Action=ListUsers&Version=2026-11-24");
    let eim = Some("eim_20261124.ListUsers");
    assert_eq!(action_name(&listed, eim).unwrap().wire(), "ListUsers");
    assert_eq!(
        action_name(&listed, None).unwrap_err().code(),
        "InvalidAction",
        "only osc-cli's marked requests"
    );
    for (params, target) in [
        (
            "Action=ListUsers&Version=2026-11-24",
            "eim_20261124.CreateUser",
        ),
        (
            "Action=ListUsers&Version=2009-01-01",
            "eim_20090101.ListUsers",
        ),
        (
            "Action=ListUsers&Version=2026-13-01",
            "eim_20261301.ListUsers",
        ),
        ("Action=ListUsers&Version=latest", "eim_20261124.ListUsers"),
        (
            "Action=GetCallerIdentity&Version=2026-11-24",
            "eim_20261124.GetCallerIdentity",
        ),
    ] {
        assert_eq!(
            action_name(&p(params), Some(target)).unwrap_err().code(),
            "InvalidAction",
            "{params} {target}"
        );
    }
}

#[test]
fn validation_messages_name_the_member() {
    let e = err("Action=CreateUser&Version=2010-05-08&UserName=a+b");
    assert_eq!(e.code(), "ValidationError");
    assert_eq!(
        e.message(),
        r"1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
    );
    let e = err("Action=DeleteUser&Version=2010-05-08");
    assert!(
        e.message().contains("Value null at 'userName'"),
        "{}",
        e.message()
    );
    let e = err(
        "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIDEXAMPLE0TARGET01&Status=Bogus",
    );
    assert!(e.message().contains("at 'status'"));
    assert_eq!(err("Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIDEXAMPLE0TARGET01&Status=Expired").code(), "InvalidInput");
    let e = err("Action=DeleteAccessKey&Version=2010-05-08&AccessKeyId=SHORT");
    assert!(
        e.message().contains("at 'accessKeyId'")
            && e.message().contains("greater than or equal to 16")
    );
    let e = err("Action=ListUsers&Version=2010-05-08&MaxItems=5000");
    assert!(e.message().contains("less than or equal to 1000"));
    assert!(
        err("Action=ListUsers&Version=2010-05-08&MaxItems=x")
            .message()
            .contains("maxItems")
    );
    assert!(
        err("Action=CreateUser&Version=2010-05-08&UserName=a&Path=nope")
            .message()
            .contains("'path'")
    );
    assert!(
        err("Action=TagUser&Version=2010-05-08&UserName=a")
            .message()
            .contains("'tags'")
    );
    assert!(
        err("Action=TagUser&Version=2010-05-08&UserName=a&Tags.member.1.Key=k")
            .message()
            .contains("tags.1.member.value")
    );
    assert_eq!(err("Action=CreateUser&Version=2010-05-08&UserName=a&PermissionsBoundary=arn:aws:iam::aws:policy/X").code(), "InvalidInput");
    for (query, text) in [
        (
            "DurationSeconds=600",
            "'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        ),
        (
            "DurationSeconds=129601",
            "'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
        ),
        (
            "TokenCode=123456",
            "'serialNumber' failed to satisfy constraint: Member must not be null",
        ),
        (
            "SerialNumber=short&TokenCode=123456",
            "'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern",
        ),
    ] {
        let e = err(&format!(
            "Action=GetSessionToken&Version=2011-06-15&{query}"
        ));
        assert_eq!(e.code(), "ValidationError", "{query}");
        assert!(e.message().contains(text), "{query}: {}", e.message());
    }
}

#[test]
fn reads_every_member() {
    let a = parse(
            ActionName::TagUser,
            &p("Action=TagUser&Version=2010-05-08&UserName=Bob&Tags.member.2.Key=cost-center&Tags.member.2.Value=a%2Fb&Tags.member.1.Key=team&Tags.member.1.Value=dev+ops"),
        )
        .unwrap();
    let Action::TagUser(TagUser { tags, .. }) = a else {
        panic!("{a:?}")
    };
    assert_eq!(
        tags.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        ["team", "cost-center"]
    );
    assert_eq!(tags[0].value.as_str(), "dev ops");
    let a = parse(
        ActionName::UntagUser,
        &p("UserName=Bob&TagKeys.member.1=a&TagKeys.member.2=c"),
    )
    .unwrap();
    assert!(matches!(a, Action::UntagUser(UntagUser { ref keys, .. }) if keys.len() == 2));
    let a = parse(
        ActionName::ListAccessKeys,
        &p("UserName=Bob&MaxItems=2&Marker=abc"),
    )
    .unwrap();
    let Action::ListAccessKeys(a) = a else {
        panic!("{a:?}")
    };
    assert_eq!(
        (a.user_name, a.page),
        (
            Some(UserName::parse("Bob").unwrap()),
            PageRequest {
                marker: Some("abc".into()),
                max_items: Some(2)
            },
        )
    );
}

#[test]
fn each_operation_is_checked_as_the_action_that_performs_it() {
    for name in ActionName::ALL {
        if let Some(op) = name.operation() {
            assert_eq!(policy_action(op), name.policy_action(), "{name:?}");
            let service = match name.api() {
                Api::Iam => "iam",
                Api::Sts => "sts",
            };
            assert_eq!(name.policy_action(), format!("{service}:{}", name.wire()));
        }
    }
    assert_eq!(ActionName::GetCallerIdentity.operation(), None);
}
