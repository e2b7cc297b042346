//! What `parse` rejects, and with which error.

use keygate_auth::{AuthError, Flavour, HttpRequest, parse};

const SIG: &str = "4415ada2bd3b4db6ef66c4acd25e558f9b08e6788709452aabe5ce749ee1618b";
const CREDENTIAL: &str = "AKIAIOSFODNN7EXAMPLE/20240102/eu-west-2/iam/aws4_request";

fn parse_with(flavour: Flavour, query: &str, headers: &[(&str, &str)]) -> Result<(), AuthError> {
    let req = HttpRequest {
        method: "POST",
        path: "/",
        query,
        headers,
        body: b"",
    };
    parse(flavour, &req).map(|_| ())
}

fn aws_header(authorization: &str, date: &str) -> Result<(), AuthError> {
    parse_with(
        Flavour::Aws4,
        "",
        &[
            ("Host", "127.0.0.1:8470"),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Amz-Date", date),
            ("Authorization", authorization),
        ],
    )
}

fn auth(credential: &str, signed: &str, signature: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed}, Signature={signature}"
    )
}

#[test]
fn well_formed_header_parses_with_any_spacing() {
    let signed = "content-type;host;x-amz-date";
    aws_header(&auth(CREDENTIAL, signed, SIG), "20240102T030405Z").unwrap();
    let tight =
        format!("AWS4-HMAC-SHA256 Credential={CREDENTIAL},SignedHeaders={signed},Signature={SIG}");
    aws_header(&tight, "20240102T030405Z").unwrap();
    let loose = format!(
        "AWS4-HMAC-SHA256   Credential={CREDENTIAL} ,\t SignedHeaders={signed},   Signature={SIG}"
    );
    aws_header(&loose, "20240102T030405Z").unwrap();
}

#[test]
fn no_authentication_is_missing() {
    assert_eq!(
        parse_with(Flavour::Aws4, "Action=ListUsers", &[("Host", "h")]),
        Err(AuthError::Missing)
    );
    assert_eq!(
        parse_with(Flavour::Osc4, "", &[("Host", "h")]),
        Err(AuthError::Missing)
    );
}

#[test]
fn other_schemes_are_wrong_algorithm() {
    let osc = auth(CREDENTIAL, "host", SIG).replace("AWS4-HMAC-SHA256", "OSC4-HMAC-SHA256");
    assert_eq!(
        aws_header(&osc, "20240102T030405Z"),
        Err(AuthError::WrongAlgorithm("OSC4-HMAC-SHA256".into()))
    );
    assert_eq!(
        aws_header("Basic dXNlcjpwYXNz", "20240102T030405Z"),
        Err(AuthError::WrongAlgorithm("Basic".into()))
    );
    // A bare token is not echoed back.
    assert_eq!(
        aws_header(
            "c2VjcmV0LXRva2VuLXZhbHVlLXRoYXQtaXMtbG9uZw==",
            "20240102T030405Z"
        ),
        Err(AuthError::WrongAlgorithm("unrecognised".into()))
    );
    // Nor is a password that looks like a scheme name.
    for password in ["hunter2", "Sup3rSecretPassw0rd", "my-pass_word"] {
        assert_eq!(
            aws_header(password, "20240102T030405Z"),
            Err(AuthError::WrongAlgorithm("unrecognised".into()))
        );
    }
    // Presigned URLs exist only for AWS4.
    assert_eq!(
        parse_with(
            Flavour::Osc4,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            &[("Host", "h")]
        ),
        Err(AuthError::WrongAlgorithm("AWS4-HMAC-SHA256".into()))
    );
}

#[test]
fn malformed_headers_are_incomplete() {
    let signed = "content-type;host;x-amz-date";
    let date = "20240102T030405Z";
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!("AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders={signed}"),
            date,
            "Authorization header requires 'Signature' parameter",
        ),
        (
            format!("AWS4-HMAC-SHA256 Credential={CREDENTIAL}, Signature={SIG}"),
            date,
            "Authorization header requires 'SignedHeaders' parameter",
        ),
        (
            format!("AWS4-HMAC-SHA256 SignedHeaders={signed}, Signature={SIG}"),
            date,
            "Authorization header requires 'Credential' parameter",
        ),
        ("AWS4-HMAC-SHA256".into(), date, "requires 'Credential'"),
        (
            format!("{}, Signature={SIG}", auth(CREDENTIAL, signed, SIG)),
            date,
            "more than one 'Signature'",
        ),
        (
            format!("{}, Foo=bar", auth(CREDENTIAL, signed, SIG)),
            date,
            "unknown parameter 'Foo'",
        ),
        (
            format!("{}, junk", auth(CREDENTIAL, signed, SIG)),
            date,
            "is not name=value",
        ),
        (
            auth("AKIAIOSFODNN7EXAMPLE/20240102/eu-west-2/iam", signed, SIG),
            date,
            "Credential scope must have 5 parts",
        ),
        (
            auth(
                "AKIAIOSFODNN7EXAMPLE/20240102/eu-west-2/iam/aws4_request/x",
                signed,
                SIG,
            ),
            date,
            "Credential scope must have 5 parts",
        ),
        (
            auth("/20240102/eu-west-2/iam/aws4_request", signed, SIG),
            date,
            "empty access key id",
        ),
        (
            auth(
                "AKIAIOSFODNN7EXAMPLE/2024012/eu-west-2/iam/aws4_request",
                signed,
                SIG,
            ),
            date,
            "must be YYYYMMDD",
        ),
        (
            auth(
                "AKIAIOSFODNN7EXAMPLE/20240102/EU West/iam/aws4_request",
                signed,
                SIG,
            ),
            date,
            "region 'EU West' is not valid",
        ),
        (
            auth(
                "AKIAIOSFODNN7EXAMPLE/20240102/eu-west-2//aws4_request",
                signed,
                SIG,
            ),
            date,
            "service '' is not valid",
        ),
        (
            auth(CREDENTIAL, signed, SIG),
            "2024-01-02T03:04:05Z",
            "X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z'",
        ),
        (
            auth(CREDENTIAL, signed, SIG),
            "20240132T030405Z",
            "X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z'",
        ),
        (
            auth(CREDENTIAL, signed, SIG),
            "20240102T030405",
            "X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z'",
        ),
        (
            auth(CREDENTIAL, signed, SIG),
            "20240103T030405Z",
            "Credential scope date 20240102 does not match X-Amz-Date 20240103T030405Z",
        ),
        (
            auth(
                "AKIAIOSFODNN7EXAMPLE/20240102/eu-west-2/iam/osc4_request",
                signed,
                SIG,
            ),
            date,
            "Credential scope must end with 'aws4_request'",
        ),
        (
            auth(CREDENTIAL, "content-type;host;x-amz-date;x-amz-target", SIG),
            date,
            "a signed header is missing: x-amz-target",
        ),
        (
            auth(CREDENTIAL, "content-type;x-amz-date", SIG),
            date,
            "SignedHeaders must include 'host'",
        ),
        (
            auth(CREDENTIAL, "Content-Type;host", SIG),
            date,
            "SignedHeaders must be lower-case",
        ),
        (
            auth(CREDENTIAL, "host;;x-amz-date", SIG),
            date,
            "SignedHeaders must be lower-case",
        ),
        (
            auth(CREDENTIAL, signed, &SIG.replace('4', "g")),
            date,
            "Signature must be 64 hexadecimal characters",
        ),
        (
            auth(CREDENTIAL, signed, &SIG[..62]),
            date,
            "Signature must be 64 hexadecimal characters",
        ),
    ];
    for (authorization, date, expected) in cases {
        match aws_header(&authorization, date) {
            Err(AuthError::Incomplete(message)) => {
                assert!(
                    message.contains(expected),
                    "{authorization}: got '{message}', want '{expected}'"
                )
            }
            other => panic!("{authorization} with date {date}: {other:?}"),
        }
    }
}

#[test]
fn osc_header_needs_its_own_date_header() {
    let osc_auth = "OSC4-HMAC-SHA256 Credential=ABCDEFGHIJ0123456789/20240102/eu-west-2/api/osc4_request, \
        SignedHeaders=host;x-osc-date, Signature=e6919e256ff4f7b261976df7eb5fd7f06a98a80e2a6aedec1eb35b8cff00bdc7";
    let with = |date_header: &'static str| {
        parse_with(
            Flavour::Osc4,
            "",
            &[
                ("Host", "h"),
                (date_header, "20240102T030405Z"),
                ("Authorization", osc_auth),
            ],
        )
    };
    with("x-OSC-date").unwrap();
    assert_eq!(
        with("X-Amz-Date"),
        Err(AuthError::Incomplete(
            "the X-Osc-Date header is missing".into()
        ))
    );
}

#[test]
fn repeated_authorization_or_date_is_incomplete() {
    let a = auth(CREDENTIAL, "host", SIG);
    let twice = parse_with(
        Flavour::Aws4,
        "",
        &[
            ("Host", "h"),
            ("X-Amz-Date", "20240102T030405Z"),
            ("Authorization", &a),
            ("authorization", &a),
        ],
    );
    assert!(
        matches!(twice, Err(AuthError::Incomplete(m)) if m.contains("more than one Authorization"))
    );
    let dates = parse_with(
        Flavour::Aws4,
        "",
        &[
            ("Host", "h"),
            ("X-Amz-Date", "20240102T030405Z"),
            ("x-amz-date", "20240102T030405Z"),
            ("Authorization", &a),
        ],
    );
    assert!(
        matches!(dates, Err(AuthError::Incomplete(m)) if m.contains("more than one X-Amz-Date"))
    );
}

#[test]
fn malformed_presigned_queries_are_incomplete() {
    let full = [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        (
            "X-Amz-Credential",
            "AKIAIOSFODNN7EXAMPLE%2F20240102%2Feu-west-2%2Fiam%2Faws4_request",
        ),
        ("X-Amz-Date", "20240102T030405Z"),
        ("X-Amz-Expires", "900"),
        ("X-Amz-SignedHeaders", "host"),
        ("X-Amz-Signature", SIG),
    ];
    let query = |skip: &str, replace: Option<(&str, &str)>| {
        let mut parts = vec!["Action=ListUsers".to_owned()];
        for (name, value) in full {
            if name == skip {
                continue;
            }
            let value = match replace {
                Some((n, v)) if n == name => v,
                _ => value,
            };
            parts.push(format!("{name}={value}"));
        }
        parts.join("&")
    };
    let run = |q: &str| parse_with(Flavour::Aws4, q, &[("Host", "127.0.0.1:8470")]);
    run(&query("", None)).unwrap();
    for name in [
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ] {
        let expected = format!("presigned URL requires '{name}' parameter");
        assert_eq!(
            run(&query(name, None)),
            Err(AuthError::Incomplete(expected))
        );
    }
    for (replace, expected) in [
        (("X-Amz-Expires", "0"), "X-Amz-Expires must be"),
        (("X-Amz-Expires", "604801"), "X-Amz-Expires must be"),
        (("X-Amz-Expires", "-5"), "X-Amz-Expires must be"),
        (
            ("X-Amz-Date", "20240102"),
            "X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z'",
        ),
        (
            ("X-Amz-SignedHeaders", "x-amz-date"),
            "SignedHeaders must include 'host'",
        ),
        (
            ("X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE%2F20240102"),
            "Credential scope must have 5 parts",
        ),
    ] {
        match run(&query("", Some(replace))) {
            Err(AuthError::Incomplete(message)) => assert!(message.contains(expected), "{message}"),
            other => panic!("{replace:?}: {other:?}"),
        }
    }
    let doubled = format!("{}&X-Amz-Date=20240102T030405Z", query("", None));
    assert!(matches!(run(&doubled), Err(AuthError::Incomplete(m)) if m.contains("more than once")));
    let both = parse_with(
        Flavour::Aws4,
        &query("", None),
        &[
            ("Host", "h"),
            ("Authorization", &auth(CREDENTIAL, "host", SIG)),
        ],
    );
    assert!(matches!(both, Err(AuthError::Incomplete(m)) if m.contains("both")));
}
