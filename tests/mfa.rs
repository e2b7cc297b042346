//! Virtual MFA end to end with the aws CLI: a device created and enabled with two codes, a
//! session made with a code (refused when the code is replayed), a policy that requires MFA,
//! and the seed rule: with temporary credentials, the key actions name their user.

use keygate_tests::support::Fresh;
use keygate_tests::support::clients::{Creds, aws, boto3};

/// The codes of a Base32 `seed` at the given 30-second steps from now (RFC 6238, SHA-1, six
/// digits), computed by the test with Python's standard library, as an authenticator would.
/// They are computed early in a step: the server reads a device's clock drift from the step it
/// receives the enabling codes in, and codes sent across a step's end would skew it by one.
fn codes(w: &Fresh, seed: &str, offsets: &[i64]) -> Vec<String> {
    let program = format!(
        r#"
import base64, hashlib, hmac, struct, time
key = base64.b32decode('{seed}' + '=' * (-len('{seed}') % 8))
if 30 - time.time() % 30 < 15:
    time.sleep(30 - time.time() % 30 + 0.1)
now = int(time.time()) // 30
for off in {offsets:?}:
    mac = hmac.new(key, struct.pack('>Q', now + off), hashlib.sha1).digest()
    o = mac[-1] & 15
    print('%06d' % ((struct.unpack('>I', mac[o:o + 4])[0] & 0x7fffffff) % 1000000))
"#
    );
    let run = boto3(&w.server, &w.root, &program);
    assert!(run.ok, "{}", run.stderr);
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn mfa_sessions_through_the_aws_cli() {
    let w = Fresh::start(&[]);
    let root = &w.root;
    let iam = |args: &[&str]| aws(&w.server, root, args);
    iam(&["iam", "create-user", "--user-name", "mia"]).json();
    let k = iam(&["iam", "create-access-key", "--user-name", "mia"]).json();
    let mia = Creds::new(
        k["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        k["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
    );
    let needs_mfa = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListAccessKeys", "iam:GetUser"], "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}"#;
    iam(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "mia",
        "--policy-name",
        "needs-mfa",
        "--policy-document",
        needs_mfa,
    ])
    .json();
    // The CLI writes the seed to a file, as AWS's documentation shows.
    let seed_file = w.server.data_dir.join("mia-seed.txt");
    let made = iam(&[
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "mia-phone",
        "--outfile",
        seed_file.to_str().unwrap(),
        "--bootstrap-method",
        "Base32StringSeed",
    ])
    .json();
    let serial = made["VirtualMFADevice"]["SerialNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        serial,
        format!("arn:aws:iam::{}:mfa/mia-phone", w.file.account_id)
    );
    let seed = std::fs::read_to_string(&seed_file).unwrap();
    let qr = w.server.data_dir.join("mia-qr.png");
    iam(&[
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "mia-tablet",
        "--outfile",
        qr.to_str().unwrap(),
        "--bootstrap-method",
        "QRCodePNG",
    ])
    .json();
    assert!(std::fs::read(&qr).unwrap().starts_with(b"\x89PNG"));

    // Enabled with the two codes before the current one, so the current one makes a session.
    let c = codes(&w, seed.trim(), &[-2, -1, 0]);
    iam(&[
        "iam",
        "enable-mfa-device",
        "--user-name",
        "mia",
        "--serial-number",
        &serial,
        "--authentication-code1",
        &c[1],
        "--authentication-code2",
        &c[0],
    ])
    .failed_with("InvalidAuthenticationCode");
    iam(&[
        "iam",
        "enable-mfa-device",
        "--user-name",
        "mia",
        "--serial-number",
        &serial,
        "--authentication-code1",
        &c[0],
        "--authentication-code2",
        &c[1],
    ])
    .json();
    let listed = iam(&["iam", "list-mfa-devices", "--user-name", "mia"]).json();
    assert_eq!(listed["MFADevices"][0]["SerialNumber"], serial.as_str());
    let unassigned = iam(&[
        "iam",
        "list-virtual-mfa-devices",
        "--assignment-status",
        "Unassigned",
    ])
    .json();
    assert_eq!(unassigned["VirtualMFADevices"].as_array().unwrap().len(), 1);

    // A long-term key carries no MFA: the policy denies it.
    aws(&w.server, &mia, &["iam", "get-user"]).failed_with("AccessDenied");
    let made = aws(
        &w.server,
        &mia,
        &[
            "sts",
            "get-session-token",
            "--serial-number",
            &serial,
            "--token-code",
            &c[2],
        ],
    )
    .json();
    let s = &made["Credentials"];
    let session = Creds::session(
        s["AccessKeyId"].as_str().unwrap(),
        s["SecretAccessKey"].as_str().unwrap(),
        s["SessionToken"].as_str().unwrap(),
    );
    let replayed = aws(
        &w.server,
        &mia,
        &[
            "sts",
            "get-session-token",
            "--serial-number",
            &serial,
            "--token-code",
            &c[2],
        ],
    );
    replayed.failed_with("AccessDenied");
    assert!(
        replayed.stderr.contains("invalid MFA one time pass code"),
        "a replayed code is a wrong code, in AWS's words: {}",
        replayed.stderr
    );
    let me = aws(&w.server, &session, &["iam", "get-user"]).json();
    assert_eq!(
        me["User"]["UserName"], "mia",
        "the MFA session meets the policy"
    );

    // The seed rule: with temporary credentials the key actions must name their user.
    let bare = aws(&w.server, &session, &["iam", "list-access-keys"]);
    bare.failed_with("ValidationError");
    assert!(
        bare.stderr
            .contains("Must specify userName when calling with non-User credentials"),
        "{}",
        bare.stderr
    );
    let named = aws(
        &w.server,
        &session,
        &["iam", "list-access-keys", "--user-name", "mia"],
    )
    .json();
    assert_eq!(named["AccessKeyMetadata"].as_array().unwrap().len(), 1);
    // With a long-term key, `--user-name` stays optional (the root lists its own keys).
    iam(&["iam", "list-access-keys"]).json();

    // A user with an enabled device is not deleted; a deactivated device is.
    iam(&[
        "iam",
        "delete-virtual-mfa-device",
        "--serial-number",
        &serial,
    ])
    .failed_with("DeleteConflict");
    iam(&[
        "iam",
        "deactivate-mfa-device",
        "--user-name",
        "mia",
        "--serial-number",
        &serial,
    ])
    .json();
    iam(&[
        "iam",
        "delete-virtual-mfa-device",
        "--serial-number",
        &serial,
    ])
    .json();
    let left = iam(&["iam", "list-virtual-mfa-devices"]).json();
    assert_eq!(left["VirtualMFADevices"].as_array().unwrap().len(), 1);
}

/// keygate's `CreateUserSession`: a user signs in with its account id, name, password and MFA
/// code, and signs OSC calls with the session, its token in `X-Osc-Security-Token`.
#[test]
fn a_user_with_mfa_signs_in_and_calls_the_osc_api_with_its_session() {
    use keygate_tests::support::osc_call_with;
    let w = Fresh::start(&[]);
    let iam = |args: &[&str]| aws(&w.server, &w.root, args);
    iam(&["iam", "create-user", "--user-name", "ola"]).json();
    iam(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "ola",
        "--password",
        "Str0ng-enough!",
    ])
    .json();
    let own_keys = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "api:ReadAccessKeys", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}"#;
    iam(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "ola",
        "--policy-name",
        "own-keys",
        "--policy-document",
        own_keys,
    ])
    .json();
    let made = iam(&[
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "ola-phone",
        "--outfile",
        w.server.data_dir.join("ola-seed.txt").to_str().unwrap(),
        "--bootstrap-method",
        "Base32StringSeed",
    ])
    .json();
    let serial = made["VirtualMFADevice"]["SerialNumber"].as_str().unwrap();
    let seed = std::fs::read_to_string(w.server.data_dir.join("ola-seed.txt")).unwrap();
    let c = codes(&w, &seed, &[-2, -1, 0]);
    iam(&[
        "iam",
        "enable-mfa-device",
        "--user-name",
        "ola",
        "--serial-number",
        serial,
        "--authentication-code1",
        &c[0],
        "--authentication-code2",
        &c[1],
    ])
    .json();
    let sign_in = |extra: serde_json::Value| {
        let mut body = serde_json::json!({"AccountId": w.file.account_id, "UserName": "ola",
            "Password": "Str0ng-enough!"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (status, _, out) = keygate_tests::support::http(
            w.server.addr,
            "POST",
            "/api/v1/CreateUserSession",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        (
            status,
            serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
        )
    };
    let (status, out) = sign_in(serde_json::json!({}));
    assert_eq!(status, 400, "{out}");
    assert_eq!(out["Errors"][0]["Code"], "4045");
    assert!(
        out["Errors"][0]["Details"]
            .as_str()
            .unwrap()
            .starts_with("MfaCode")
    );
    let (status, out) = sign_in(serde_json::json!({"Password": "wrong", "MfaCode": c[2]}));
    assert_eq!(
        (status, &out["Errors"][0]["Code"]),
        (401, &serde_json::json!("1"))
    );
    let (status, out) = sign_in(serde_json::json!({"MfaCode": c[2]}));
    assert_eq!(status, 200, "{out}");
    let s = &out["Session"];
    assert!(s["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    let (status, replay) = sign_in(serde_json::json!({"MfaCode": c[2]}));
    assert_eq!(status, 401, "a code is accepted once: {replay}");
    let creds = Creds::new(
        s["AccessKeyId"].as_str().unwrap(),
        s["SecretKey"].as_str().unwrap(),
    );
    let token = s["SessionToken"].as_str().unwrap();
    let body = br#"{"UserName": "ola"}"#;
    let (status, out) = osc_call_with(
        w.server.addr,
        &creds,
        "ReadAccessKeys",
        body,
        &[("X-Osc-Security-Token", token)],
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
    let (status, _) = osc_call_with(w.server.addr, &creds, "ReadAccessKeys", body, &[]);
    assert_eq!(status, 401, "a session signs with its token only");
    let mut flipped = token.to_owned().into_bytes();
    flipped[7] = if flipped[7] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let (status, _) = osc_call_with(
        w.server.addr,
        &creds,
        "ReadAccessKeys",
        body,
        &[("X-Osc-Security-Token", &flipped)],
    );
    assert_eq!(status, 401, "nor with a flipped byte");
    let (status, out) = osc_call_with(
        w.server.addr,
        &creds,
        "ReadUsers",
        b"{}",
        &[("X-Osc-Security-Token", token)],
    );
    assert_eq!(
        status,
        401,
        "only what the user may: {}",
        String::from_utf8_lossy(&out)
    );
}
