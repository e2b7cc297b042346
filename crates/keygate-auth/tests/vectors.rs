//! Published and client-produced signature vectors (WIRE.md A.2 and B.2), step by step.
// Helpers outside `#[test]` functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keygate_auth::{
    Flavour, HttpRequest, Scope, VerifyOptions, canonical_request, derive_signing_key, parse, sign,
    string_to_sign, verify,
};
use sha2::{Digest, Sha256};

const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const OSC_SECRET: &str = "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn scope(id: &str, date: &str, region: &str, service: &str) -> Scope {
    Scope {
        access_key_id: id.into(),
        date: date.into(),
        region: region.into(),
        service: service.into(),
    }
}

/// Checks every step, then parses the Authorization header and verifies end to end.
struct Vector<'a> {
    flavour: Flavour,
    req: HttpRequest<'a>,
    signed_headers: &'a [&'a str],
    request_date: &'a str,
    scope: Scope,
    secret: &'a str,
    canonical: Option<&'a str>,
    canonical_hash: Option<&'a str>,
    signing_key: Option<&'a str>,
    signature: &'a str,
}

impl Vector<'_> {
    fn check(&self) {
        let canonical = canonical_request(&self.req, self.signed_headers, false).unwrap();
        if let Some(expected) = self.canonical {
            assert_eq!(canonical, expected);
        }
        if let Some(expected) = self.canonical_hash {
            assert_eq!(sha256_hex(&canonical), expected);
        }
        let s = &self.scope;
        let key = derive_signing_key(self.flavour, self.secret, &s.date, &s.region, &s.service);
        if let Some(expected) = self.signing_key {
            assert_eq!(hex(&key), expected);
        }
        let to_sign = string_to_sign(self.flavour, self.request_date, s, &canonical);
        assert_eq!(hex(&sign(&key, &to_sign)), self.signature);

        let signed = parse(self.flavour, &self.req).unwrap();
        assert_eq!(signed.scope(), s);
        assert_eq!(signed.signed_headers(), self.signed_headers);
        verify(
            &self.req,
            &signed,
            self.secret,
            None,
            VerifyOptions::default(),
        )
        .unwrap();
    }
}

fn authorization(flavour: Flavour, scope: &Scope, signed: &str, signature: &str) -> String {
    format!(
        "{} Credential={}/{}/{}/{}/{}, SignedHeaders={signed}, Signature={signature}",
        flavour.algorithm(),
        scope.access_key_id,
        scope.date,
        scope.region,
        scope.service,
        flavour.terminator()
    )
}

#[test]
fn v1_aws_published_list_users() {
    let s = scope("AKIDEXAMPLE", "20150830", "us-east-1", "iam");
    let signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    let auth = authorization(Flavour::Aws4, &s, "content-type;host;x-amz-date", signature);
    let headers = [
        (
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("Host", "iam.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        ("Authorization", auth.as_str()),
    ];
    Vector {
        flavour: Flavour::Aws4,
        req: HttpRequest {
            method: "GET",
            path: "/",
            query: "Action=ListUsers&Version=2010-05-08",
            headers: &headers,
            body: b"",
        },
        signed_headers: &["content-type", "host", "x-amz-date"],
        request_date: "20150830T123600Z",
        scope: s,
        secret: AWS_SECRET,
        canonical: Some(
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n\
             content-type:application/x-www-form-urlencoded; charset=utf-8\n\
             host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             content-type;host;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        canonical_hash: Some("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"),
        signing_key: Some("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"),
        signature,
    }
    .check();
}

#[test]
fn aws_test_suite_get_vanilla() {
    let s = scope("AKIDEXAMPLE", "20150830", "us-east-1", "service");
    let signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    let auth = authorization(Flavour::Aws4, &s, "host;x-amz-date", signature);
    let headers = [
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        ("Authorization", auth.as_str()),
    ];
    Vector {
        flavour: Flavour::Aws4,
        req: HttpRequest {
            method: "GET",
            path: "/",
            query: "",
            headers: &headers,
            body: b"",
        },
        signed_headers: &["host", "x-amz-date"],
        request_date: "20150830T123600Z",
        scope: s,
        secret: AWS_SECRET,
        canonical: None,
        canonical_hash: None,
        signing_key: None,
        signature,
    }
    .check();
}

#[test]
fn v2_botocore_post_with_port() {
    let body = b"Action=CreateAccessKey&Version=2010-05-08&UserName=alice";
    assert_eq!(
        hex(&Sha256::digest(body)),
        "28db4ce6eda05cdd85320c9ebfc25608ef080e9834759246eae3accbf3021525"
    );
    let headers = [
        ("Host", "127.0.0.1:8470"),
        (
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("X-Amz-Date", "20240102T030405Z"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240102/eu-west-2/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=4415ada2bd3b4db6ef66c4acd25e558f9b08e6788709452aabe5ce749ee1618b",
        ),
        ("Accept-Encoding", "identity"),
        (
            "amz-sdk-invocation-id",
            "457d2707-fe88-4a2e-8663-91965a00dc73",
        ),
        ("amz-sdk-request", "attempt=1"),
        ("Content-Length", "56"),
    ];
    Vector {
        flavour: Flavour::Aws4,
        req: HttpRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        },
        signed_headers: &["content-type", "host", "x-amz-date"],
        request_date: "20240102T030405Z",
        scope: scope("AKIAIOSFODNN7EXAMPLE", "20240102", "eu-west-2", "iam"),
        secret: AWS_SECRET,
        canonical: None,
        canonical_hash: Some("1700c5b3f7beb6e9bc64ea878977bd21310ac92896d6f85a5691c47b43a45669"),
        signing_key: None,
        signature: "4415ada2bd3b4db6ef66c4acd25e558f9b08e6788709452aabe5ce749ee1618b",
    }
    .check();
}

const OSC_EMPTY_BODY_HASH: &str =
    "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

#[test]
fn v3_osc_sdk_python_read_access_keys() {
    let s = scope("ABCDEFGHIJ0123456789", "20240102", "eu-west-2", "api");
    let signature = "e6919e256ff4f7b261976df7eb5fd7f06a98a80e2a6aedec1eb35b8cff00bdc7";
    let auth = authorization(Flavour::Osc4, &s, "content-type;host;x-osc-date", signature);
    let headers = [
        ("Host", "api.eu-west-2.outscale.com"),
        ("Content-Type", "application/json; charset=utf-8"),
        ("X-Osc-Date", "20240102T030405Z"),
        ("Authorization", auth.as_str()),
    ];
    Vector {
        flavour: Flavour::Osc4,
        req: HttpRequest {
            method: "POST",
            path: "/api/v1/ReadAccessKeys",
            query: "",
            headers: &headers,
            body: b"{}",
        },
        signed_headers: &["content-type", "host", "x-osc-date"],
        request_date: "20240102T030405Z",
        scope: s,
        secret: OSC_SECRET,
        canonical: Some(&format!(
            "POST\n/api/v1/ReadAccessKeys\n\n\
             content-type:application/json; charset=utf-8\n\
             host:api.eu-west-2.outscale.com\nx-osc-date:20240102T030405Z\n\n\
             content-type;host;x-osc-date\n{OSC_EMPTY_BODY_HASH}"
        )),
        canonical_hash: None,
        signing_key: Some("9268d0ebcdd2ecf290fc074cf574347033b1764442165bad2dd6c8346ea6ce19"),
        signature,
    }
    .check();
}

#[test]
fn v4_osc_cli_read_access_keys() {
    let s = scope("ABCDEFGHIJ0123456789", "20240102", "eu-west-2", "api");
    let signature = "6937306af9330009983fe45bfafa178164fae7fc3c1bdbf2fc3cf9416477edb4";
    let auth = authorization(Flavour::Osc4, &s, "host;x-osc-date;x-osc-target", signature);
    let headers = [
        ("Host", "api.eu-west-2.outscale.com"),
        ("User-agent", "osc-cli/1.11.0 osc_sdk/1.11.0"),
        ("Content-Type", "application/json"),
        ("X-Osc-Date", "20240102T030405Z"),
        ("x-osc-target", "OutscaleService.ReadAccessKeys"),
        ("Authorization", auth.as_str()),
    ];
    Vector {
        flavour: Flavour::Osc4,
        req: HttpRequest {
            method: "POST",
            path: "//api/latest/ReadAccessKeys",
            query: "",
            headers: &headers,
            body: b"{}",
        },
        signed_headers: &["host", "x-osc-date", "x-osc-target"],
        request_date: "20240102T030405Z",
        scope: s,
        secret: OSC_SECRET,
        canonical: Some(&format!(
            "POST\n/api/latest/ReadAccessKeys\n\n\
             host:api.eu-west-2.outscale.com\nx-osc-date:20240102T030405Z\n\
             x-osc-target:OutscaleService.ReadAccessKeys\n\n\
             host;x-osc-date;x-osc-target\n{OSC_EMPTY_BODY_HASH}"
        )),
        canonical_hash: None,
        signing_key: None,
        signature,
    }
    .check();
}

/// Secrets around HMAC's 64-byte block size (prefix + secret = 64, 65, 76 bytes); expected
/// values computed with Python's `hmac`.
#[test]
fn signing_key_with_long_secrets() {
    let x60 = "x".repeat(60);
    let x61 = "x".repeat(61);
    let long = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz";
    for (flavour, secret, service, expected) in [
        (
            Flavour::Aws4,
            x60.as_str(),
            "iam",
            "4a76d3224e9d5619aa551da35267d146d3a08f191114f766cf86c9bfd4834ee9",
        ),
        (
            Flavour::Aws4,
            x61.as_str(),
            "iam",
            "3dee0f370b27921b283f01bb7af4e5f305885bdceb61cfb3c896865e1e770c96",
        ),
        (
            Flavour::Aws4,
            long,
            "iam",
            "4a4a9ff52fdf851f3a480ad8825f979d6542272eed06738544885ea62aecd101",
        ),
        (
            Flavour::Osc4,
            long,
            "api",
            "60cb5056f0c9d8ec09fc114ccb2c9b7bb859b9b3bdbe5150930a7c9635dc0d0c",
        ),
    ] {
        let key = derive_signing_key(flavour, secret, "20240102", "eu-west-2", service);
        assert_eq!(
            hex(&key),
            expected,
            "{flavour:?} secret of {} chars",
            secret.len()
        );
    }
}

#[test]
fn header_whitespace_and_repeats_are_canonicalised() {
    let headers = [
        ("HOST", "  example.com  "),
        ("X-Multi", " a   b\tc "),
        ("x-multi", "d"),
    ];
    let req = HttpRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    };
    let canonical = canonical_request(&req, &["host", "x-multi"], false).unwrap();
    assert!(
        canonical.contains("\nhost:example.com\nx-multi:a b c,d\n\nhost;x-multi\n"),
        "{canonical}"
    );
}
