//! Verdicts, and the condition examples of the IAM User Guide.

use super::*;
use crate::policy::parse;

/// The deciding statement: the first that denies, else the first that allows, else none.
#[test]
fn a_verdict_names_the_deciding_statement() {
    let allow = parse(r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}"#).unwrap();
    let deny = parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}, {"Sid": "NoUsers", "Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"}]}"#).unwrap();
    let context = Context::new();
    let req = |action| Request {
        action,
        resource: "arn:aws:iam::123456789012:user/alice",
        context: &context,
    };
    let v = judge([&allow, &deny], &req("iam:GetUser"));
    assert_eq!(v.decision, Decision::ExplicitDeny);
    assert_eq!(
        v.decided_by,
        Some(Decider {
            policy: 1,
            sid: Some("NoUsers".into())
        })
    );
    let v = judge([&allow, &deny], &req("iam:GetGroup"));
    assert_eq!(v.decision, Decision::Allow);
    assert_eq!(
        v.decided_by.map(|d| (d.policy, d.sid)),
        Some((0, Some("Read".into())))
    );
    let v = judge([&allow, &deny], &req("iam:CreateUser"));
    assert_eq!((v.decision, v.decided_by), (Decision::ImplicitDeny, None));
}

/// Condition examples of the IAM User Guide ("Example IAM identity-based policies"), with the
/// outcome the guide gives for each.
#[test]
fn the_user_guide_condition_examples_behave_as_aws_says() {
    let alice = "arn:aws:iam::123456789012:user/alice";
    let run = |doc: &str, action: &str, keys: &[(&str, &str)]| {
        let p = parse(doc).unwrap_or_else(|e| panic!("{e}: {doc}"));
        let mut context = Context::new();
        for (k, v) in keys {
            context.set(k, *v);
        }
        evaluate(
            [&p],
            &Request {
                action,
                resource: alice,
                context: &context,
            },
        )
    };
    // "AWS: Allows access within specific dates".
    let dates = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*",
        "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"},
        "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"}}}]}"#;
    assert_eq!(
        run(
            dates,
            "iam:GetUser",
            &[("aws:CurrentTime", "2020-05-01T12:00:00Z")]
        ),
        Decision::Allow
    );
    assert_eq!(
        run(
            dates,
            "iam:GetUser",
            &[("aws:CurrentTime", "2020-07-01T00:00:00Z")]
        ),
        Decision::ImplicitDeny
    );
    // "AWS: Denies access to AWS based on the source IP" (with an allow beside it).
    let source_ip = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
            "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
            "Bool": {"aws:ViaAWSService": "false"}}}]}"#;
    let from = |ip| {
        run(
            source_ip,
            "iam:ListUsers",
            &[("aws:SourceIp", ip), ("aws:ViaAWSService", "false")],
        )
    };
    assert_eq!(from("203.0.113.7"), Decision::Allow);
    assert_eq!(from("198.51.100.1"), Decision::ExplicitDeny);
    // "IAM: Access ... based on tags": a principal tag must match.
    let tag = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListAccessKeys",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/department": "finance"}}}]}"#;
    assert_eq!(
        run(
            tag,
            "iam:ListAccessKeys",
            &[("aws:PrincipalTag/department", "finance")]
        ),
        Decision::Allow
    );
    assert_eq!(
        run(
            tag,
            "iam:ListAccessKeys",
            &[("aws:PrincipalTag/department", "sales")]
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(run(tag, "iam:ListAccessKeys", &[]), Decision::ImplicitDeny);
    // "AWS: Denies access to AWS based on ... MFA": long-term keys carry no
    // aws:MultiFactorAuthPresent, so BoolIfExists holds and the deny applies.
    let mfa = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:ListAccessKeys"], "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}"#;
    assert_eq!(run(mfa, "iam:DeleteUser", &[]), Decision::ExplicitDeny);
    assert_eq!(run(mfa, "iam:ListAccessKeys", &[]), Decision::Allow);
    assert_eq!(
        run(
            mfa,
            "iam:DeleteUser",
            &[("aws:MultiFactorAuthPresent", "true")]
        ),
        Decision::Allow
    );
    // "Deny requests that are not over TLS" (aws:SecureTransport).
    let tls = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#;
    assert_eq!(
        run(tls, "iam:GetUser", &[("aws:SecureTransport", "false")]),
        Decision::ExplicitDeny
    );
    assert_eq!(
        run(tls, "iam:GetUser", &[("aws:SecureTransport", "true")]),
        Decision::Allow
    );
    // "AWS: Denies access to AWS based on the requested Region".
    let region = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}}}]}"#;
    assert_eq!(
        run(
            region,
            "api:ReadVms",
            &[("aws:RequestedRegion", "us-east-1")]
        ),
        Decision::ExplicitDeny
    );
    assert_eq!(
        run(
            region,
            "api:ReadVms",
            &[("aws:RequestedRegion", "eu-west-1")]
        ),
        Decision::Allow
    );
    assert_eq!(
        run(
            region,
            "iam:GetUser",
            &[("aws:RequestedRegion", "us-east-1")]
        ),
        Decision::Allow
    );
    // "IAM: Allows IAM users to manage their own ... credentials" with a username variable in a
    // condition value.
    let own = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListAccessKeys",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/${aws:username}"}}}]}"#;
    let arn = [("aws:username", "alice"), ("aws:PrincipalArn", alice)];
    assert_eq!(run(own, "iam:ListAccessKeys", &arn), Decision::Allow);
    let bob = [("aws:username", "bob"), ("aws:PrincipalArn", alice)];
    assert_eq!(run(own, "iam:ListAccessKeys", &bob), Decision::ImplicitDeny);
}
