//! Session credentials end to end: the aws CLI and boto3 get them with `sts get-session-token`
//! and sign with them (`AWS_SESSION_TOKEN`, and a presigned URL's query); AWS's limits on what
//! they may do; tampered, foreign and orphaned tokens refused; the OSC API takes none.

use keygate_tests::support::Fresh;
use keygate_tests::support::clients::{Creds, aws, boto3, osc_cli};
use serde_json::Value;

fn session(w: &Fresh, who: &Creds, args: &[&str]) -> Creds {
    let mut all = vec!["sts", "get-session-token"];
    all.extend_from_slice(args);
    let c = aws(&w.server, who, &all).json();
    let c = &c["Credentials"];
    Creds::session(
        c["AccessKeyId"].as_str().unwrap(),
        c["SecretAccessKey"].as_str().unwrap(),
        c["SessionToken"].as_str().unwrap(),
    )
}

fn who(w: &Fresh, c: &Creds) -> Value {
    aws(&w.server, c, &["sts", "get-caller-identity"]).json()
}

#[test]
fn session_credentials_through_the_aws_cli_and_boto3() {
    let w = Fresh::start(&[]);
    let root = &w.root;
    aws(
        &w.server,
        root,
        &["iam", "create-user", "--user-name", "sam"],
    )
    .json();
    let k = aws(
        &w.server,
        root,
        &["iam", "create-access-key", "--user-name", "sam"],
    )
    .json();
    let sam = Creds::new(
        k["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        k["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
    );
    let s = session(&w, &sam, &["--duration-seconds", "900"]);
    assert!(s.key_id.starts_with("ASIA"), "{}", s.key_id);
    // GetCallerIdentity names the user for its session, the root for the root's.
    let me = who(&w, &s);
    assert_eq!(
        me["Arn"],
        format!("arn:aws:iam::{}:user/sam", w.file.account_id)
    );
    assert!(me["UserId"].as_str().unwrap().starts_with("AIDA"));
    let root_session = session(&w, root, &["--duration-seconds", "7200"]);
    assert_eq!(
        who(&w, &root_session)["Arn"],
        format!("arn:aws:iam::{}:root", w.file.account_id)
    );
    // Without MFA, no IAM call and no session from a session (AWS's GetSessionToken page).
    aws(&w.server, &s, &["iam", "get-user"]).failed_with("InvalidClientTokenId");
    let again = aws(&w.server, &s, &["sts", "get-session-token"]);
    again.failed_with("AccessDenied");
    assert!(
        again
            .stderr
            .contains("Cannot call GetSessionToken with session credentials"),
        "{}",
        again.stderr
    );
    aws(
        &w.server,
        &sam,
        &[
            "sts",
            "get-session-token",
            "--serial-number",
            "arn:aws:iam::123456789012:mfa/sam",
            "--token-code",
            "123456",
        ],
    )
    .failed_with("AccessDenied");
    let unknown = aws(
        &w.server,
        &sam,
        &[
            "sts",
            "get-session-token",
            "--serial-number",
            "arn:aws:iam::123456789012:mfa/sam",
            "--token-code",
            "123456",
        ],
    );
    assert!(
        unknown.stderr.contains("unable to validate MFA code"),
        "{}",
        unknown.stderr
    );
    // GetAccessKeyInfo answers the account of a long-term or temporary key.
    for id in [&sam.key_id, &s.key_id] {
        let info = aws(
            &w.server,
            root,
            &["sts", "get-access-key-info", "--access-key-id", id],
        )
        .json();
        assert_eq!(info["Account"], w.file.account_id.as_str());
    }
    aws(
        &w.server,
        root,
        &[
            "sts",
            "get-access-key-info",
            "--access-key-id",
            "AKIAUNKNOWN000000000",
        ],
    )
    .failed_with("NoSuchEntity");
    // Temporary keys are never listed.
    let listed = aws(
        &w.server,
        root,
        &["iam", "list-access-keys", "--user-name", "sam"],
    )
    .json();
    let ids: Vec<&str> = listed["AccessKeyMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AccessKeyId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [sam.key_id.as_str()]);

    // Tampered, missing and foreign tokens.
    let token = s.token.clone().unwrap();
    let mut flipped = token.clone().into_bytes();
    flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let tampered = Creds::session(&s.key_id, &s.secret, &flipped);
    aws(&w.server, &tampered, &["sts", "get-caller-identity"]).failed_with("InvalidClientTokenId");
    let bare = Creds::new(&s.key_id, &s.secret);
    aws(&w.server, &bare, &["sts", "get-caller-identity"]).failed_with("InvalidClientTokenId");
    let other = session(&w, &sam, &[]);
    let foreign = Creds::session(&s.key_id, &s.secret, other.token.as_deref().unwrap());
    aws(&w.server, &foreign, &["sts", "get-caller-identity"]).failed_with("InvalidClientTokenId");
    let long_with_token = Creds::session(&sam.key_id, &sam.secret, &token);
    aws(&w.server, &long_with_token, &["sts", "get-caller-identity"])
        .failed_with("InvalidClientTokenId");

    // boto3 signs with the session, and presigns with it: the token rides in the query.
    let program = r#"
import boto3, os, urllib.request
sts = boto3.client('sts', endpoint_url=os.environ['KEYGATE_ENDPOINT'], region_name='eu-west-2')
print(sts.get_caller_identity()['Arn'].split(':')[-1])
url = sts.generate_presigned_url('get_caller_identity', ExpiresIn=60, HttpMethod='GET')
print('X-Amz-Security-Token=' in url)
print(urllib.request.urlopen(url).status)
"#;
    let run = boto3(&w.server, &s, program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.trim(), "user/sam\nTrue\n200");

    // The OSC API documents no session token: it refuses temporary credentials plainly.
    let refused = osc_cli(&w.server, &s, &["ReadAccessKeys"]);
    refused.osc_failed_with(401, "1");
    assert!(
        format!("{}{}", refused.stdout, refused.stderr).contains("long-term access keys only"),
        "{}",
        refused.stderr
    );

    // A session ends with its parent key (and so with its user).
    aws(
        &w.server,
        root,
        &[
            "iam",
            "update-access-key",
            "--user-name",
            "sam",
            "--access-key-id",
            &sam.key_id,
            "--status",
            "Inactive",
        ],
    )
    .json();
    aws(&w.server, &s, &["sts", "get-caller-identity"]).failed_with("InvalidClientTokenId");
    aws(
        &w.server,
        root,
        &[
            "iam",
            "delete-access-key",
            "--user-name",
            "sam",
            "--access-key-id",
            &sam.key_id,
        ],
    )
    .json();
    aws(
        &w.server,
        root,
        &["iam", "delete-user", "--user-name", "sam"],
    )
    .json();
    aws(&w.server, &other, &["sts", "get-caller-identity"]).failed_with("InvalidClientTokenId");
}
