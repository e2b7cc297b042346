use super::*;
use crate::policy::parse;

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";

fn doc(principal: &str, extra: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"{extra}}}]}}"#
    )
}

fn alice() -> TrustCaller<'static> {
    TrustCaller {
        arn: ALICE,
        role_arn: None,
        account: "123456789012",
        named_by_arn: true,
    }
}

fn judge(document: &str, caller: &TrustCaller<'_>, ctx: &Context) -> Trust {
    parse_trust(document)
        .unwrap()
        .judge(caller, "sts:AssumeRole", ctx)
}

#[test]
fn a_user_arn_trusts_directly_an_account_through_identity_policies() {
    let none = Context::new();
    let by_arn = doc(&format!(r#"{{"AWS":"{ALICE}"}}"#), "");
    assert_eq!(judge(&by_arn, &alice(), &none), Trust::Direct);
    for p in [
        r#"{"AWS":"123456789012"}"#,
        r#"{"AWS":"arn:aws:iam::123456789012:root"}"#,
        r#""*""#,
        r#"{"AWS":["*"]}"#,
    ] {
        assert_eq!(
            judge(&doc(p, ""), &alice(), &none),
            Trust::ViaIdentity,
            "{p}"
        );
    }
    for p in [
        r#"{"AWS":"210987654321"}"#,
        r#"{"AWS":"arn:aws:iam::123456789012:user/bob"}"#,
        r#"{"Service":"ec2.amazonaws.com"}"#,
    ] {
        assert_eq!(
            judge(&doc(p, ""), &alice(), &none),
            Trust::NotTrusted,
            "{p}"
        );
    }
}

#[test]
fn a_role_session_is_named_by_its_session_arn_or_its_role() {
    let session = "arn:aws:sts::123456789012:assumed-role/ops/night";
    let caller = TrustCaller {
        arn: session,
        role_arn: Some("arn:aws:iam::123456789012:role/ops"),
        account: "123456789012",
        named_by_arn: true,
    };
    let none = Context::new();
    let by_session = doc(&format!(r#"{{"AWS":"{session}"}}"#), "");
    assert_eq!(judge(&by_session, &caller, &none), Trust::Direct);
    let by_role = doc(r#"{"AWS":"arn:aws:iam::123456789012:role/ops"}"#, "");
    assert_eq!(judge(&by_role, &caller, &none), Trust::ViaIdentity);
}

#[test]
fn conditions_and_denials_apply() {
    let with_external = doc(
        r#"{"AWS":"123456789012"}"#,
        r#","Condition":{"StringEquals":{"sts:ExternalId":"s3cret"}}"#,
    );
    let mut ctx = Context::new();
    assert_eq!(judge(&with_external, &alice(), &ctx), Trust::NotTrusted);
    ctx.set("sts:ExternalId", "s3cret");
    assert_eq!(judge(&with_external, &alice(), &ctx), Trust::ViaIdentity);

    let denied = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
        {"Sid":"NoAlice","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:*"}]}"#;
    assert_eq!(
        judge(denied, &alice(), &Context::new()),
        Trust::Denied(Some("NoAlice".into()))
    );
    // One made again under a trusted ARN after the policy was set is not the one it named.
    let again = TrustCaller {
        named_by_arn: false,
        ..alice()
    };
    let by_arn = doc(&format!(r#"{{"AWS":"{ALICE}"}}"#), "");
    assert_eq!(judge(&by_arn, &again, &Context::new()), Trust::NotTrusted);
    assert_eq!(
        judge(
            &doc(r#"{"AWS":"123456789012"}"#, ""),
            &again,
            &Context::new()
        ),
        Trust::ViaIdentity,
        "the account still names it"
    );
}

#[test]
fn malformed_trust_policies_get_aws_texts() {
    let cases = [
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}"#,
            "Has prohibited field Resource",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#,
            "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: \
             The passed in policy has a statement with no principals!",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:GetUser"}]}"#,
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
        (
            &doc(r#"{"AWS":"alice"}"#, ""),
            r#"Invalid principal in policy: "AWS":"alice""#,
        ),
        (
            &doc(r#"{"AWS":"arn:aws:iam::123456789012:group/devs"}"#, ""),
            r#"Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:group/devs""#,
        ),
        (&doc(r#"{"Bogus":"x"}"#, ""), "Syntax errors in policy."),
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}"#,
            "Has prohibited field NotPrincipal",
        ),
    ];
    for (document, text) in cases {
        assert_eq!(parse_trust(document).unwrap_err(), text, "{document}");
    }
    // An identity policy still refuses a principal.
    assert!(parse(&doc(r#""*""#, r#","Resource":"*""#)).is_err());
}

#[test]
fn named_principals_of_the_account_are_listed_for_checking() {
    let p = parse_trust(&doc(
        r#"{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:root","arn:aws:iam::210987654321:user/eve"]}"#,
        "",
    ))
    .unwrap();
    assert_eq!(p.principals_in("123456789012"), vec![ALICE.to_owned()]);
}
