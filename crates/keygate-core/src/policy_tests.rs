//! The policy language: parsing, matching and evaluation.

use super::*;

const SELF_SERVICE: &str = r#"{
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ManageOwnAccessKeys",
            "Effect": "Allow",
            "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetAccessKeyLastUsed",
                       "iam:GetUser", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:TagUser"],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        }]
    }"#;

fn decide(doc: &str, action: &str, resource: &str, user: &str) -> Decision {
    let p = parse(doc).unwrap();
    let mut context = Context::new();
    context.set("aws:username", user);
    evaluate(
        [&p],
        &Request {
            action,
            resource,
            context: &context,
        },
    )
}

#[test]
fn self_service_policy_table() {
    let alice = "arn:aws:iam::123456789012:user/alice";
    let bob = "arn:aws:iam::123456789012:user/bob";
    let carol = "arn:aws:iam::123456789012:user/engineering/carol";
    let d = |a, r, u| decide(SELF_SERVICE, a, r, u);
    assert_eq!(d("iam:ListAccessKeys", alice, "alice"), Decision::Allow);
    assert_eq!(d("IAM:listaccesskeys", alice, "alice"), Decision::Allow);
    assert_eq!(
        d("iam:DeleteAccessKey", bob, "alice"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        d("iam:PutUserPolicy", alice, "alice"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        d("api:ReadAccessKeys", alice, "alice"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        d("iam:ListAccessKeys", carol, "carol"),
        Decision::ImplicitDeny
    );
    let no_version = SELF_SERVICE.replace("\"Version\": \"2012-10-17\",", "");
    assert_eq!(
        decide(&no_version, "iam:ListAccessKeys", alice, "alice"),
        Decision::ImplicitDeny
    );
}

#[test]
fn wildcards_and_case() {
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::*:user/accounting/*"}}"#;
    let r = "arn:aws:iam::123456789012:user/accounting/x/dave";
    for a in [
        "iam:CreateAccessKey",
        "iam:DeleteAccessKey",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
        "iam:GetAccessKeyLastUsed",
    ] {
        assert_eq!(decide(doc, a, r, "dave"), Decision::Allow, "{a}");
    }
    assert_eq!(
        decide(doc, "iam:CreateUser", r, "dave"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(
            doc,
            "iam:ListAccessKeys",
            "arn:aws:iam::123456789012:user/Accounting/d",
            "d"
        ),
        Decision::ImplicitDeny,
        "resources compare with case"
    );
    let q = r#"{"Statement":{"Effect":"Allow","Action":"iam:?etUser","Resource":"*"}}"#;
    assert_eq!(decide(q, "iam:GetUser", "x:y", "a"), Decision::Allow);
    assert_eq!(
        decide(q, "iam:GeetUser", "x:y", "a"),
        Decision::ImplicitDeny
    );
}

#[test]
fn variables() {
    let lit = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::1:user/${*}${AWS:UserName}"}}"#;
    assert_eq!(
        decide(lit, "iam:GetUser", "arn:aws:iam::1:user/*bob", "bob"),
        Decision::Allow
    );
    assert_eq!(
        decide(lit, "iam:GetUser", "arn:aws:iam::1:user/xbob", "bob"),
        Decision::ImplicitDeny,
        "a variable star is a literal star"
    );
    let unknown = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"${aws:userid}*"}}"#;
    assert_eq!(
        decide(unknown, "iam:GetUser", "anything", "bob"),
        Decision::ImplicitDeny
    );
    let not_res = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","NotResource":"${aws:nothing}"}}"#;
    assert_eq!(
        decide(not_res, "iam:GetUser", "x:y", "bob"),
        Decision::ExplicitDeny,
        "a NotResource entry without a value excludes nothing"
    );
    let orn = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"orn:ows:idauth::123456789012:user/alice"}}"#;
    assert_eq!(
        decide(
            orn,
            "api:ReadAccessKeys",
            "arn:aws:iam::123456789012:user/alice",
            "alice"
        ),
        Decision::Allow
    );
}

#[test]
fn explicit_deny_wins_and_not_action() {
    let allow = parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#).unwrap();
    let deny =
        parse(r#"{"Statement":[{"Effect":"Deny","Action":"iam:DeleteAccessKey","Resource":"*"}]}"#)
            .unwrap();
    let mut context = Context::new();
    context.set("aws:username", "a");
    let req = |action| Request {
        action,
        resource: "arn:aws:iam::1:user/a",
        context: &context,
    };
    assert_eq!(
        evaluate([&allow, &deny], &req("iam:DeleteAccessKey")),
        Decision::ExplicitDeny
    );
    assert_eq!(
        evaluate([&deny, &allow], &req("iam:DeleteAccessKey")),
        Decision::ExplicitDeny
    );
    assert_eq!(
        evaluate([&allow, &deny], &req("api:DeleteAccessKey")),
        Decision::Allow
    );
    assert_eq!(
        evaluate([&deny], &req("iam:ListAccessKeys")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        evaluate([], &req("iam:ListAccessKeys")),
        Decision::ImplicitDeny
    );
    let not_iam =
        parse(r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#).unwrap();
    assert_eq!(
        evaluate([&not_iam], &req("api:ReadAccessKeys")),
        Decision::Allow
    );
    assert_eq!(
        evaluate([&not_iam], &req("iam:ListAccessKeys")),
        Decision::ImplicitDeny
    );
}

#[test]
fn malformed_documents() {
    let cases = [
        ("not json", SYNTAX),
        ("[]", SYNTAX),
        (r#"{"Statement":[]}"#, SYNTAX),
        (r#"{"Version":"2012-10-17"}"#, SYNTAX),
        (
            r#"{"statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            SYNTAX,
        ),
        (
            r#"{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            SYNTAX,
        ),
        (
            r#"{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}"#,
            SYNTAX,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}"#,
            SYNTAX,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}}"#,
            SYNTAX,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":5,"Resource":"*"}}"#,
            SYNTAX,
        ),
        (
            r#"{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}"#,
            LEGACY,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#,
            NO_ACTIONS,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#,
            NO_ACTIONS,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#,
            NO_RESOURCES,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"ListUsers","Resource":"*"}}"#,
            NO_VENDOR,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"iam:a:b","Resource":"*"}}"#,
            TWO_COLONS,
        ),
        (
            r#"{"Statement":[{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            DUP_SID,
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}}"#,
            PRINCIPAL,
        ),
    ];
    for (doc, want) in cases {
        assert_eq!(parse(doc).unwrap_err(), want, "{doc}");
    }
    assert_eq!(
        parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"alice"}}"#).unwrap_err(),
        "Resource alice must be in ARN format or \"*\"."
    );
    assert!(parse(r#"{"Id":"x","Statement":{"Sid":"full_api","Effect":"Allow","Action":"*","Resource":"*"}}"#).is_ok());
}

#[test]
fn quota_counts_without_white_space() {
    assert_eq!(counted_chars("{ \"a\" :\n\t1 }"), 7);
}

/// The caller of the User Guide examples: alice, tagged department=HR, over plain HTTP from
/// 203.0.113.7, signing for eu-west-1, on 2026-05-01.
fn example_context(source: &str, at: &str) -> Context {
    let mut c = Context::new();
    c.set("aws:username", "alice")
        .set("aws:PrincipalTag/department", "HR")
        .set("aws:SourceIp", source)
        .set("aws:ViaAWSService", "false")
        .set("aws:SecureTransport", "false")
        .set("aws:RequestedRegion", "eu-west-1")
        .set("aws:CurrentTime", at);
    c
}

fn example(doc: &str, c: &Context) -> Decision {
    let p = parse(doc).unwrap();
    let allow_all =
        parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#).unwrap();
    evaluate(
        [&allow_all, &p],
        &Request {
            action: "iam:ListAccessKeys",
            resource: "arn:aws:iam::123456789012:user/alice",
            context: c,
        },
    )
}

/// Examples of the IAM User Guide's "Example IAM identity-based policies", beside a policy that
/// allows everything, decided as the guide says they behave.
#[test]
fn user_guide_condition_examples() {
    let inside = example_context("203.0.113.7", "2026-05-01T12:00:00Z");
    let outside = example_context("198.51.100.7", "2026-05-01T12:00:00Z");
    // "Denies access to AWS based on the source IP": outside the ranges, unless through a service.
    let source_ip = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*",
        "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24",
        "203.0.113.0/24"]}, "Bool": {"aws:ViaAWSService": "false"}}}}"#;
    assert_eq!(example(source_ip, &inside), Decision::Allow);
    assert_eq!(example(source_ip, &outside), Decision::ExplicitDeny);
    // "Denies access ... when not using MFA": long-term keys carry no MFA key, so IfExists denies.
    let mfa = r#"{"Version": "2012-10-17", "Statement": {"Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
        "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice",
        "sts:GetSessionToken"], "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}}"#;
    assert_eq!(example(mfa, &inside), Decision::ExplicitDeny);
    // "Denies access ... over plain HTTP" (aws:SecureTransport).
    let tls = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}}"#;
    assert_eq!(example(tls, &inside), Decision::ExplicitDeny);
    let mut over_tls = inside.clone();
    over_tls.set("aws:SecureTransport", "true");
    assert_eq!(example(tls, &over_tls), Decision::Allow);
    // "Allows access based on date and time": only the allow inside the window, on its own.
    let window = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "iam:ListAccessKeys", "Resource": "*", "Condition": {
        "DateGreaterThan": {"aws:CurrentTime": "2026-04-01T00:00:00Z"},
        "DateLessThan": {"aws:CurrentTime": "2026-06-30T23:59:59Z"}}}]}"#;
    let later = example_context("203.0.113.7", "2026-07-01T00:00:00Z");
    let alone = |c: &Context| {
        evaluate(
            [&parse(window).unwrap()],
            &Request {
                action: "iam:ListAccessKeys",
                resource: "*",
                context: c,
            },
        )
    };
    assert_eq!(alone(&inside), Decision::Allow);
    assert_eq!(alone(&later), Decision::ImplicitDeny);
    // "Denies access to AWS based on the requested Region".
    let regions = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*",
        "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion":
        ["eu-central-1", "eu-west-1"]}}}}"#;
    assert_eq!(example(regions, &inside), Decision::Allow);
    let mut us = inside.clone();
    us.set("aws:RequestedRegion", "us-east-1");
    assert_eq!(example(regions, &us), Decision::ExplicitDeny);
    // Access by principal tag.
    let hr_only = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*",
        "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/department": "HR"}}}}"#;
    assert_eq!(example(hr_only, &inside), Decision::Allow);
    let mut untagged = Context::new();
    untagged.set("aws:username", "alice");
    assert_eq!(
        example(hr_only, &untagged),
        Decision::ExplicitDeny,
        "no tag: the negated operator holds"
    );
}
