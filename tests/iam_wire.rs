//! Requests no real client sends: each malformed one gets its IAM XML error with the documented
//! code and a 4xx status, and leaves the store as it was.

use keygate_tests::support::clients::Creds;
use keygate_tests::support::sign::{FORM, aws4_form_headers};
use keygate_tests::support::{Fresh, Server, header, http, now};
use time::OffsetDateTime;

struct World {
    _dir: tempfile::TempDir,
    server: Server,
    root: Creds,
}

impl World {
    fn start() -> Self {
        let Fresh {
            dir, server, root, ..
        } = Fresh::start(&[("KEYGATE__SERVER__MAX_BODY_BYTES", "4096")]);
        World {
            root,
            server,
            _dir: dir,
        }
    }

    fn host(&self) -> String {
        self.server.addr.to_string()
    }

    /// Sends `body` signed by `creds` for `region`/`service` at `at`; returns status and body.
    fn send_signed(
        &self,
        creds: &Creds,
        body: &str,
        region: &str,
        service: &str,
        at: OffsetDateTime,
    ) -> (u16, String, Vec<(String, String)>) {
        let headers = aws4_form_headers(&self.host(), creds, body.as_bytes(), region, service, at);
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (status, h, b) = http(self.server.addr, "POST", "/", &refs, body.as_bytes());
        (status, String::from_utf8_lossy(&b).into_owned(), h)
    }

    fn call(&self, body: &str) -> (u16, String) {
        let (s, b, _) = self.send_signed(&self.root, body, "eu-west-2", "iam", now());
        (s, b)
    }

    /// Every user and every key, as the API lists them, without request ids.
    fn snapshot(&self) -> String {
        let mut all = String::new();
        for body in [
            "Action=ListUsers&Version=2010-05-08",
            "Action=ListAccessKeys&Version=2010-05-08",
            "Action=ListAccessKeys&Version=2010-05-08&UserName=alice",
            "Action=ListUserPolicies&Version=2010-05-08&UserName=alice",
        ] {
            let (status, text) = self.call(body);
            assert_eq!(status, 200, "{text}");
            let end = text.find("<ResponseMetadata>").unwrap();
            all.push_str(&text[..end]);
        }
        all
    }
}

/// What is wrong, the body, the signer, region, service, time, and the status and code expected.
type Case<'a> = (
    &'a str,
    String,
    &'a Creds,
    &'a str,
    &'a str,
    OffsetDateTime,
    u16,
    &'a str,
);

fn xml_field<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .map(|i| i + open.len())
        .unwrap_or_else(|| panic!("no {name} in {xml}"));
    let end = xml[start..].find('<').unwrap() + start;
    &xml[start..end]
}

fn assert_error(
    status: u16,
    body: &str,
    headers: &[(String, String)],
    want_status: u16,
    want_code: &str,
) {
    assert_eq!(status, want_status, "{body}");
    assert!(body.starts_with("<?xml"), "{body}");
    assert!(body.contains("<ErrorResponse xmlns=\"https://"), "{body}");
    assert_eq!(xml_field(body, "Code"), want_code, "{body}");
    assert_eq!(xml_field(body, "Type"), "Sender");
    assert!(!xml_field(body, "Message").is_empty());
    assert_eq!(
        Some(xml_field(body, "RequestId")),
        header(headers, "x-request-id"),
        "{body}"
    );
}

#[test]
fn malformed_requests_get_their_error_and_change_nothing() {
    let w = World::start();
    let (s, b) = w.call("Action=CreateUser&Version=2010-05-08&UserName=alice");
    assert_eq!(s, 200, "{b}");
    let (s, b) = w.call("Action=CreateAccessKey&Version=2010-05-08&UserName=alice");
    assert_eq!(s, 200, "{b}");
    let key_id = xml_field(&b, "AccessKeyId").to_owned();
    let before = w.snapshot();
    let now = now();
    let root = w.root.clone();
    let stranger = Creds::new(
        "AKIDEXAMPLE0UNKNOWN1",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    );
    let wrong_secret = Creds::new(&root.key_id, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let oversize = format!(
        "Action=CreateUser&Version=2010-05-08&UserName=big&Path=/{}/",
        "x".repeat(5000)
    );
    let delete_alice_key =
        format!("Action=DeleteAccessKey&Version=2010-05-08&UserName=alice&AccessKeyId={key_id}");

    let cases: Vec<Case<'_>> = vec![
        (
            "bad form encoding",
            "Action=CreateUser&Version=2010-05-08&UserName=%zz".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            404,
            "MalformedQueryString",
        ),
        (
            "missing Action",
            "Version=2010-05-08&UserName=x".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "MissingAction",
        ),
        (
            "missing Version",
            "Action=CreateUser&UserName=x".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "MissingParameter",
        ),
        (
            "unknown action",
            "Action=CreateUsers&Version=2010-05-08&UserName=x".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "InvalidAction",
        ),
        (
            "wrong version",
            "Action=CreateUser&Version=2011-06-15&UserName=x".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "InvalidAction",
        ),
        (
            "duplicated parameter",
            "Action=CreateUser&Version=2010-05-08&UserName=x&UserName=y".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "ValidationError",
        ),
        (
            "bad Status",
            format!(
                "Action=UpdateAccessKey&Version=2010-05-08&UserName=alice&AccessKeyId={key_id}&Status=Disabled"
            ),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "ValidationError",
        ),
        (
            "Status Expired",
            format!(
                "Action=UpdateAccessKey&Version=2010-05-08&UserName=alice&AccessKeyId={key_id}&Status=Expired"
            ),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "InvalidInput",
        ),
        (
            "too-short AccessKeyId",
            "Action=DeleteAccessKey&Version=2010-05-08&UserName=alice&AccessKeyId=AKID".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "ValidationError",
        ),
        (
            "bad user name pattern",
            "Action=CreateUser&Version=2010-05-08&UserName=a%2Fb".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "ValidationError",
        ),
        (
            "user name too long",
            format!(
                "Action=CreateUser&Version=2010-05-08&UserName={}",
                "a".repeat(65)
            ),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "ValidationError",
        ),
        (
            "MaxItems out of range",
            "Action=ListUsers&Version=2010-05-08&MaxItems=0".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "ValidationError",
        ),
        (
            "foreign Marker",
            "Action=ListUsers&Version=2010-05-08&Marker=%21%21".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            400,
            "InvalidInput",
        ),
        (
            "wrong service in the scope",
            delete_alice_key.clone(),
            &root,
            "eu-west-2",
            "s3",
            now,
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "STS action signed for iam",
            "Action=GetCallerIdentity&Version=2011-06-15".into(),
            &root,
            "eu-west-2",
            "iam",
            now,
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "invalid region in the scope",
            delete_alice_key.clone(),
            &root,
            "EU_WEST",
            "iam",
            now,
            400,
            "IncompleteSignature",
        ),
        (
            "unknown access key",
            delete_alice_key.clone(),
            &stranger,
            "eu-west-2",
            "iam",
            now,
            403,
            "InvalidClientTokenId",
        ),
        (
            "wrong secret",
            delete_alice_key.clone(),
            &wrong_secret,
            "eu-west-2",
            "iam",
            now,
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "stale date",
            delete_alice_key.clone(),
            &root,
            "eu-west-2",
            "iam",
            now - time::Duration::minutes(16),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "future date",
            delete_alice_key.clone(),
            &root,
            "eu-west-2",
            "iam",
            now + time::Duration::minutes(16),
            403,
            "SignatureDoesNotMatch",
        ),
    ];
    for (what, body, creds, region, service, at, status, code) in cases {
        let (s, b, h) = w.send_signed(creds, &body, region, service, at);
        assert_error(s, &b, &h, status, code);
        assert_eq!(w.snapshot(), before, "{what} changed the store");
    }

    // A long name that only looks a user up is valid for the model, and finds nobody.
    let long = format!(
        "Action=GetUser&Version=2010-05-08&UserName={}",
        "a".repeat(100)
    );
    let (s, b, h) = w.send_signed(&root, &long, "eu-west-2", "iam", now);
    assert_eq!(s, 404, "{b}");
    assert_eq!(xml_field(&b, "Code"), "NoSuchEntity");
    assert!(header(&h, "x-request-id").is_some());

    // Oversize body, refused before it is read.
    let (s, b, h) = w.send_signed(&root, &oversize, "eu-west-2", "iam", now);
    assert_error(s, &b, &h, 413, "RequestEntityTooLarge");

    // Broken or missing Authorization headers.
    let body = delete_alice_key.as_bytes();
    let date = [("Content-Type", FORM), ("X-Amz-Date", "20261124T000000Z")];
    let (s, h, b) = http(w.server.addr, "POST", "/", &date, body);
    assert_error(
        s,
        &String::from_utf8_lossy(&b),
        &h,
        403,
        "MissingAuthenticationToken",
    );
    for broken in [
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE0KEYGATE1/20261124/eu-west-2/iam/aws4_request, SignedHeaders=host;x-amz-date",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE0KEYGATE1/20261124/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 garbage",
    ] {
        let headers = [
            ("Content-Type", FORM),
            ("X-Amz-Date", "20261124T000000Z"),
            ("Authorization", broken),
        ];
        let (s, h, b) = http(w.server.addr, "POST", "/", &headers, body);
        assert_error(
            s,
            &String::from_utf8_lossy(&b),
            &h,
            400,
            "IncompleteSignature",
        );
    }
    // A credential sent without a scheme is never echoed back.
    for password in ["hunter2", "Sup3rSecretPassw0rd"] {
        let headers = [
            ("Content-Type", FORM),
            ("X-Amz-Date", "20261124T000000Z"),
            ("Authorization", password),
        ];
        let (s, h, b) = http(w.server.addr, "POST", "/", &headers, body);
        let text = String::from_utf8_lossy(&b);
        assert_error(s, &text, &h, 400, "IncompleteSignature");
        assert!(!text.contains(password), "{text}");
    }
    assert_eq!(w.snapshot(), before);
}

#[test]
fn answers_carry_the_request_id_and_iam_namespace() {
    let w = World::start();
    let (s, b, h) = w.send_signed(
        &w.root,
        "Action=ListUsers&Version=2010-05-08",
        "eu-west-2",
        "iam",
        now(),
    );
    assert_eq!(s, 200);
    assert_eq!(header(&h, "content-type"), Some("text/xml"));
    assert!(b.contains("<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"));
    assert_eq!(Some(xml_field(&b, "RequestId")), header(&h, "x-request-id"));
    assert_eq!(header(&h, "x-amzn-requestid"), header(&h, "x-request-id"));
    let (s, b, _) = w.send_signed(
        &w.root,
        "Action=GetCallerIdentity&Version=2011-06-15",
        "eu-west-2",
        "sts",
        now(),
    );
    assert_eq!(s, 200);
    assert!(b.contains(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    ));
}
