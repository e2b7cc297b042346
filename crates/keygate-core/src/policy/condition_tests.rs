//! Every operator and set operator, each with a case that holds and one that does not; absent
//! keys, `IfExists`, `Null`, variables; and what is refused at put time.

use super::*;

fn parsed(block: &str) -> Condition {
    let json: Json = serde_json::from_str(block).unwrap();
    Condition::parse(json).unwrap()
}

fn ctx(pairs: &[(&str, &[&str])]) -> Context {
    let mut c = Context::new();
    for (k, vs) in pairs {
        c.set_all(k, vs.iter().map(|v| (*v).to_owned()).collect());
    }
    c
}

/// Operator, policy values (JSON), the request's values, whether the condition holds.
type Case = (&'static str, &'static str, &'static [&'static str], bool);

#[test]
fn every_operator_holds_and_fails() {
    let cases: &[Case] = &[
        ("StringEquals", r#""blue""#, &["blue"], true),
        ("StringEquals", r#""blue""#, &["Blue"], false),
        ("StringEquals", r#"["red", "blue"]"#, &["blue"], true),
        ("StringNotEquals", r#""blue""#, &["red"], true),
        ("StringNotEquals", r#"["red", "blue"]"#, &["blue"], false),
        ("StringEqualsIgnoreCase", r#""BLUE""#, &["blue"], true),
        ("StringEqualsIgnoreCase", r#""BLUE""#, &["blues"], false),
        ("StringNotEqualsIgnoreCase", r#""BLUE""#, &["red"], true),
        ("StringNotEqualsIgnoreCase", r#""BLUE""#, &["blue"], false),
        ("StringLike", r#""bl?e*""#, &["blue-team"], true),
        ("StringLike", r#""bl?e*""#, &["Blue-team"], false),
        ("StringNotLike", r#""bl*""#, &["red"], true),
        ("StringNotLike", r#""bl*""#, &["black"], false),
        ("NumericEquals", "10", &["10"], true),
        ("NumericEquals", r#""10""#, &["11"], false),
        ("NumericNotEquals", "10", &["11"], true),
        ("NumericNotEquals", "10", &["10.0"], false),
        ("NumericLessThan", "10", &["9.5"], true),
        ("NumericLessThan", "10", &["10"], false),
        ("NumericLessThanEquals", "10", &["10"], true),
        ("NumericLessThanEquals", "10", &["11"], false),
        ("NumericGreaterThan", "10", &["11"], true),
        ("NumericGreaterThan", "10", &["10"], false),
        ("NumericGreaterThanEquals", "10", &["10"], true),
        ("NumericGreaterThanEquals", "10", &["9"], false),
        ("NumericEquals", r#""ten""#, &["10"], false),
        (
            "DateEquals",
            r#""2026-01-01T00:00:00Z""#,
            &["2026-01-01"],
            true,
        ),
        (
            "DateEquals",
            r#""2026-01-01T00:00:00Z""#,
            &["2026-01-02T00:00:00Z"],
            false,
        ),
        ("DateNotEquals", r#""2026-01-01""#, &["2026-01-02"], true),
        ("DateNotEquals", r#""2026-01-01""#, &["1767225600"], false),
        (
            "DateLessThan",
            r#""2026-06-01T00:00:00Z""#,
            &["2026-05-31T23:59:59Z"],
            true,
        ),
        (
            "DateLessThan",
            r#""2026-06-01T00:00:00Z""#,
            &["2026-06-01T00:00:00Z"],
            false,
        ),
        (
            "DateLessThanEquals",
            r#""2026-06-01""#,
            &["2026-06-01T00:00:00Z"],
            true,
        ),
        (
            "DateLessThanEquals",
            r#""2026-06-01""#,
            &["2026-06-01T00:00:01Z"],
            false,
        ),
        (
            "DateGreaterThan",
            r#""2026-06-01T00:00:00+02:00""#,
            &["2026-05-31T23:00:00Z"],
            true,
        ),
        (
            "DateGreaterThan",
            r#""2026-06-01""#,
            &["2026-05-31T23:00:00Z"],
            false,
        ),
        (
            "DateGreaterThanEquals",
            "1780272000",
            &["2026-06-01T00:00:00Z"],
            true,
        ),
        (
            "DateGreaterThanEquals",
            "1780272000",
            &["2026-05-31T00:00:00Z"],
            false,
        ),
        ("Bool", "true", &["true"], true),
        ("Bool", r#""true""#, &["false"], false),
        ("BinaryEquals", r#""QmluYXJ5""#, &["QmluYXJ5"], true),
        ("BinaryEquals", r#""QmluYXJ5""#, &["T3RoZXI="], false),
        ("IpAddress", r#""203.0.113.0/24""#, &["203.0.113.7"], true),
        (
            "IpAddress",
            r#"["203.0.113.0/24", "2001:db8::/32"]"#,
            &["2001:db8::1"],
            true,
        ),
        ("IpAddress", r#""203.0.113.0/24""#, &["198.51.100.7"], false),
        ("IpAddress", r#""203.0.113.7""#, &["203.0.113.7"], true),
        (
            "NotIpAddress",
            r#""203.0.113.0/24""#,
            &["198.51.100.7"],
            true,
        ),
        (
            "NotIpAddress",
            r#""203.0.113.0/24""#,
            &["203.0.113.9"],
            false,
        ),
        (
            "ArnEquals",
            r#""arn:aws:iam::*:user/*""#,
            &["arn:aws:iam::123456789012:user/alice"],
            true,
        ),
        (
            "ArnEquals",
            r#""arn:aws:iam::*:group/*""#,
            &["arn:aws:iam::123456789012:user/alice"],
            false,
        ),
        (
            "ArnLike",
            r#""arn:aws:iam::1234567890??:user/a*""#,
            &["arn:aws:iam::123456789012:user/alice"],
            true,
        ),
        (
            "ArnLike",
            r#""arn:aws:iam::*:user/a*""#,
            &["arn:aws:iam::123456789012"],
            false,
        ),
        (
            "ArnNotEquals",
            r#""arn:aws:iam::*:user/bob""#,
            &["arn:aws:iam::123456789012:user/alice"],
            true,
        ),
        (
            "ArnNotLike",
            r#""arn:aws:iam::*:user/a*""#,
            &["arn:aws:iam::123456789012:user/alice"],
            false,
        ),
        ("Null", r#""false""#, &["x"], true),
        ("Null", r#""true""#, &["x"], false),
    ];
    for (op, values, request, want) in cases {
        let block = format!(r#"{{"{op}": {{"test:Key": {values}}}}}"#);
        let c = parsed(&block);
        assert_eq!(
            c.holds(&ctx(&[("test:key", request)]), true),
            *want,
            "{block} with {request:?}"
        );
    }
}

#[test]
fn absent_keys() {
    let none = ctx(&[]);
    let holds = |block: &str| parsed(block).holds(&none, true);
    assert!(
        !holds(r#"{"StringEquals": {"test:k": "a"}}"#),
        "a positive operator fails"
    );
    assert!(
        holds(r#"{"StringNotEquals": {"test:k": "a"}}"#),
        "a negated one holds"
    );
    assert!(holds(r#"{"NotIpAddress": {"test:k": "10.0.0.0/8"}}"#));
    assert!(
        holds(r#"{"StringEqualsIfExists": {"test:k": "a"}}"#),
        "IfExists holds"
    );
    assert!(holds(r#"{"Null": {"test:k": "true"}}"#));
    assert!(!holds(r#"{"Null": {"test:k": "false"}}"#));
    assert!(
        holds(r#"{"ForAllValues:StringEquals": {"test:k": "a"}}"#),
        "vacuously"
    );
    assert!(!holds(r#"{"ForAnyValue:StringEquals": {"test:k": "a"}}"#));
    // IfExists still tests a key that is there.
    let present = ctx(&[("test:k", &["b"])]);
    assert!(!parsed(r#"{"StringEqualsIfExists": {"test:k": "a"}}"#).holds(&present, true));
    assert!(parsed(r#"{"BoolIfExists": {"test:k": "b"}}"#).holds(&present, true));
}

#[test]
fn set_operators() {
    let tags = ctx(&[("aws:TagKeys", &["team", "env"])]);
    let holds = |block: &str| parsed(block).holds(&tags, true);
    assert!(holds(
        r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "cost"]}}"#
    ));
    assert!(!holds(
        r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}"#
    ));
    assert!(holds(
        r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#
    ));
    assert!(!holds(
        r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["cost"]}}"#
    ));
    assert!(
        holds(r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}}"#),
        "env differs"
    );
    assert!(!holds(
        r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team"]}}"#
    ));
    assert!(holds(
        r#"{"ForAllValues:StringLike": {"aws:TagKeys": ["t*", "e*"]}}"#
    ));
    assert!(holds(
        r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "env"}}"#
    ));
}

#[test]
fn operators_and_keys_and_values_combine() {
    let c = ctx(&[
        ("aws:SourceIp", &["203.0.113.7"]),
        ("aws:username", &["alice"]),
    ]);
    // Two operators: both must hold.
    let both = r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                   "StringEquals": {"aws:username": ["bob", "alice"]}}"#;
    assert!(parsed(both).holds(&c, true));
    let one_fails = r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                        "StringEquals": {"aws:username": "bob"}}"#;
    assert!(!parsed(one_fails).holds(&c, true));
    // Two keys under one operator: both must hold.
    let keys = r#"{"StringEquals": {"aws:username": "alice", "aws:SourceIp": "203.0.113.8"}}"#;
    assert!(!parsed(keys).holds(&c, true));
    // Key names ignore case.
    assert!(parsed(r#"{"StringEquals": {"AWS:USERNAME": "alice"}}"#).holds(&c, true));
}

#[test]
fn variables_in_values() {
    let c = ctx(&[
        ("aws:username", &["alice"]),
        ("aws:PrincipalTag/team", &["blue"]),
        ("test:team", &["blue"]),
        ("test:literal", &["a*b"]),
    ]);
    let holds = |block: &str, vars: bool| parsed(block).holds(&c, vars);
    assert!(holds(
        r#"{"StringEquals": {"test:team": "${aws:PrincipalTag/team}"}}"#,
        true
    ));
    assert!(
        !holds(
            r#"{"StringEquals": {"test:team": "${aws:PrincipalTag/team}"}}"#,
            false
        ),
        "2008-10-17 documents take no variables"
    );
    assert!(
        !holds(
            r#"{"StringEquals": {"test:team": "${aws:PrincipalTag/nope}"}}"#,
            true
        ),
        "no value, no match"
    );
    assert!(holds(r#"{"StringLike": {"test:literal": "a${*}b"}}"#, true));
    assert!(
        !parsed(r#"{"StringLike": {"test:literal": "a${*}b"}}"#)
            .holds(&ctx(&[("test:literal", &["axxb"])]), true),
        "an escaped star is no wildcard"
    );
    assert!(holds(r#"{"StringLike": {"test:literal": "a*b"}}"#, true));
}

#[test]
fn blocks_refused_at_put_time_as_aws_refuses_them() {
    let read = |block: &str| {
        let json: Json = serde_json::from_str(block).unwrap();
        Condition::parse(json)
    };
    for (block, text) in [
        (r#"{"StringEqualz": {"aws:username": "a"}}"#, SYNTAX),
        (
            r#"{"ForAnyValue::StringEquals": {"aws:username": "a"}}"#,
            SYNTAX,
        ),
        (r#"["StringEquals"]"#, SYNTAX),
        (r#"{"StringEquals": "aws:username"}"#, SYNTAX),
        (r#"{"DateGreaterThan": []}"#, SYNTAX),
        (r#"{"StringEquals": {"aws:username": {"a": 1}}}"#, SYNTAX),
        (r#"{"StringEquals": {"aws:username": [["a"]]}}"#, SYNTAX),
        (
            r#"{"DateGreaterThan": {"aws:CurrentTime": "sdfdsf"}}"#,
            super::super::LEGACY,
        ),
        (
            r#"{"DateLessThan": {"aws:CurrentTime": ["2026-01-01", "234-13"]}}"#,
            super::super::LEGACY,
        ),
    ] {
        assert_eq!(read(block).unwrap_err(), text, "{block}");
    }
    // What AWS takes: an unknown operator testing nothing, keys without a vendor, values of
    // other operators unchecked, Null with IfExists or a set operator.
    for block in [
        r#"{"StringEqualz": {}}"#,
        r#"{"StringEquals": {"username": "a"}}"#,
        r#"{"IpAddress": {"aws:SourceIp": "not an address"}}"#,
        r#"{"NumericLessThan": {"s3:max-keys": "ten"}}"#,
        r#"{"NullIfExists": {"aws:username": "true"}}"#,
        r#"{"ForAnyValue:Null": {"aws:username": "true"}}"#,
        r#"{"StringEquals": {"aws:PrincipalTag/a:b": "c"}}"#,
    ] {
        assert!(read(block).is_ok(), "{block}");
    }
    assert!(
        !read(r#"{"IpAddress": {"aws:SourceIp": "not an address"}}"#)
            .unwrap()
            .holds(&ctx(&[("aws:SourceIp", &["10.0.0.1"])]), true)
    );
    let none = ctx(&[]);
    assert!(
        read(r#"{"ForAllValues:Null": {"k:k": "false"}}"#)
            .unwrap()
            .holds(&none, true)
    );
    assert!(
        !read(r#"{"ForAnyValue:Null": {"k:k": "true"}}"#)
            .unwrap()
            .holds(&none, true)
    );
}

#[test]
fn variables_take_defaults_and_stay_out_of_other_operators() {
    let c = ctx(&[("aws:username", &["alice"]), ("test:n", &["5"])]);
    let holds = |block: &str| parsed(block).holds(&c, true);
    assert!(holds(
        r#"{"StringEquals": {"aws:username": "${aws:PrincipalTag/owner, 'alice'}"}}"#
    ));
    assert!(!holds(
        r#"{"StringEquals": {"aws:username": "${aws:PrincipalTag/owner, 'bob'}"}}"#
    ));
    assert!(
        holds(r#"{"StringNotEquals": {"aws:username": "${aws:PrincipalTag/owner}"}}"#),
        "a negated operator matches a missing variable"
    );
    assert!(
        !holds(r#"{"NumericEquals": {"test:n": "${test:n}"}}"#),
        "no variables in Numeric"
    );
}
