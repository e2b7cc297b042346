//! The OSC dialect end to end: the real `keygate` binary driven by the real osc-cli and
//! osc-sdk-python, the seed examples of the Outscale guide, a key handled by both dialects'
//! clients, raw answers checked against the official OpenAPI schemas, and CORS.

use keygate_server::credentials::CredentialsFile;
use keygate_tests::support::clients::{
    Creds, aws, osc_cli, osc_cli_eim, osc_cli_password, osc_sdk_python, validate_osc_schemas,
};
use keygate_tests::support::sign::{JSON, basic_read_access_keys, osc4_json_headers};
use keygate_tests::support::{Fresh, Server, header, http, in_seconds, osc_call};
use serde_json::{Value, json};

struct World {
    _dir: tempfile::TempDir,
    server: Server,
    root: Creds,
    file: CredentialsFile,
}

fn start(env: &[(&str, &str)]) -> World {
    let Fresh {
        dir,
        server,
        file,
        root,
    } = Fresh::start(env);
    World {
        _dir: dir,
        server,
        root,
        file,
    }
}

impl World {
    fn osc(&self, args: &[&str]) -> Value {
        osc_cli(&self.server, &self.root, args).json()
    }

    fn keys(&self, user: &str) -> Vec<(String, String)> {
        self.osc(&["ReadAccessKeys", "--UserName", user])["AccessKeys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    k["AccessKeyId"].as_str().unwrap().to_owned(),
                    k["State"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// A raw, signed OSC call: status and body.
    fn call(&self, creds: &Creds, call: &str, body: &Value) -> (u16, String) {
        let (s, b) = osc_call(self.server.addr, creds, call, body.to_string().as_bytes());
        (s, String::from_utf8_lossy(&b).into_owned())
    }
}

#[test]
fn osc_cli_eim_speaks_the_iam_endpoint() {
    let w = start(&[]);
    let eim = |args: &[&str]| osc_cli_eim(&w.server, &w.root, args).json();
    let user = eim(&["CreateUser", "--UserName", "carol"]);
    assert_eq!(
        user["CreateUserResponse"]["CreateUserResult"]["User"]["UserName"],
        "carol"
    );
    let created = eim(&["CreateAccessKey", "--UserName", "carol"]);
    let key = &created["CreateAccessKeyResponse"]["CreateAccessKeyResult"]["AccessKey"];
    let id = key["AccessKeyId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("AKIA"), "{id}");
    assert_eq!(key["Status"], "Active");
    // The key osc-cli eim made is the one the OSC API shows.
    assert_eq!(w.keys("carol"), [(id.clone(), "ACTIVE".to_owned())]);
    eim(&[
        "UpdateAccessKey",
        "--UserName",
        "carol",
        "--AccessKeyId",
        &id,
        "--Status",
        "Inactive",
    ]);
    assert_eq!(w.keys("carol"), [(id.clone(), "INACTIVE".to_owned())]);
    let listed = eim(&["ListAccessKeys", "--UserName", "carol"]);
    assert_eq!(
        listed["ListAccessKeysResponse"]["ListAccessKeysResult"]["AccessKeyMetadata"]["member"]["AccessKeyId"],
        id.as_str()
    );
    eim(&[
        "DeleteAccessKey",
        "--UserName",
        "carol",
        "--AccessKeyId",
        &id,
    ]);
    eim(&["DeleteUser", "--UserName", "carol"]);
    let users = eim(&["ListUsers"]);
    assert_eq!(
        users["ListUsersResponse"]["ListUsersResult"]["Users"],
        Value::Null,
        "{users}"
    );
    let missing = osc_cli_eim(&w.server, &w.root, &["GetUser", "--UserName", "carol"]);
    assert!(!missing.ok);
    assert!(
        format!("{}{}", missing.stdout, missing.stderr).contains("code = NoSuchEntity"),
        "{}",
        missing.stderr
    );
}

#[test]
fn seed_examples_of_the_outscale_guide_with_osc_cli() {
    let w = start(&[]);
    w.osc(&["CreateUser", "--UserName", "alice", "--Path", "/eng/"]);
    let created = w.osc(&["CreateAccessKey", "--UserName", "alice"]);
    let key = created["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["AccessKey"]["State"], "ACTIVE");
    assert_eq!(
        created["AccessKey"]["SecretKey"].as_str().unwrap().len(),
        40
    );

    // An ACTIVE EIM user's key cannot be deleted: 409 / 6003, and it stays.
    osc_cli(
        &w.server,
        &w.root,
        &[
            "DeleteAccessKey",
            "--AccessKeyId",
            &key,
            "--UserName",
            "alice",
        ],
    )
    .osc_failed_with(409, "6003");
    assert_eq!(w.keys("alice"), vec![(key.clone(), "ACTIVE".into())]);

    // A dry run of a change answers as the call would and changes nothing.
    let dry = w.osc(&[
        "UpdateAccessKey",
        "--AccessKeyId",
        &key,
        "--UserName",
        "alice",
        "--State",
        "INACTIVE",
        "--DryRun",
        "True",
    ]);
    assert!(
        dry.get("AccessKey").is_none(),
        "a dry run answers with the context only"
    );
    assert_eq!(w.keys("alice")[0].1, "ACTIVE");
    osc_cli(
        &w.server,
        &w.root,
        &[
            "DeleteAccessKey",
            "--AccessKeyId",
            &key,
            "--UserName",
            "alice",
            "--DryRun",
            "True",
        ],
    )
    .osc_failed_with(409, "6003");

    let updated = w.osc(&[
        "UpdateAccessKey",
        "--AccessKeyId",
        &key,
        "--UserName",
        "alice",
        "--State",
        "INACTIVE",
    ]);
    assert_eq!(updated["AccessKey"]["State"], "INACTIVE");
    w.osc(&[
        "DeleteAccessKey",
        "--AccessKeyId",
        &key,
        "--UserName",
        "alice",
        "--DryRun",
        "True",
    ]);
    assert_eq!(w.keys("alice").len(), 1, "the dry run kept the key");
    w.osc(&[
        "DeleteAccessKey",
        "--AccessKeyId",
        &key,
        "--UserName",
        "alice",
    ]);
    assert!(w.keys("alice").is_empty());

    // One's own key, without --UserName: the root deletes its keys in any state.
    let own = w.osc(&["CreateAccessKey"])["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    w.osc(&["DeleteAccessKey", "--AccessKeyId", &own]);
    // With the account's login and password.
    let other = w.osc(&["CreateAccessKey"])["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_password = osc_cli_password(
        &w.server,
        &w.file.login,
        &w.file.password,
        &["DeleteAccessKey", "--AccessKeyId", &other],
    );
    assert!(by_password.ok, "{}", by_password.stderr);
    let listed = osc_cli_password(
        &w.server,
        &w.file.login,
        &w.file.password,
        &["ReadAccessKeys"],
    )
    .json();
    assert_eq!(listed["AccessKeys"].as_array().unwrap().len(), 1);
    osc_cli_password(
        &w.server,
        &w.file.login,
        "wrong password",
        &["ReadAccessKeys"],
    )
    .osc_failed_with(401, "1");
    // Password authentication is refused where the spec does not list it.
    osc_cli_password(&w.server, &w.file.login, &w.file.password, &["ReadUsers"])
        .osc_failed_with(401, "9");

    // A key whose ExpirationDate has passed cannot sign.
    // Far enough for osc-cli to start up and send it.
    let soon = in_seconds(4);
    let expired = w.osc(&[
        "CreateAccessKey",
        "--UserName",
        "alice",
        "--ExpirationDate",
        &soon,
    ]);
    assert_eq!(
        expired["AccessKey"]["ExpirationDate"],
        format!("{}.000+0000", soon.trim_end_matches('Z'))
    );
    std::thread::sleep(std::time::Duration::from_millis(4100));
    let dead = Creds::new(
        expired["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        expired["AccessKey"]["SecretKey"].as_str().unwrap(),
    );
    osc_cli(&w.server, &dead, &["ReadAccessKeys"]).osc_failed_with(401, "1");
    aws(&w.server, &dead, &["sts", "get-caller-identity"]).failed_with("InvalidClientTokenId");

    osc_cli(&w.server, &w.root, &["DeleteUser", "--UserName", "alice"])
        .osc_failed_with(409, "9029");
    w.osc(&[
        "UpdateAccessKey",
        "--AccessKeyId",
        &dead.key_id,
        "--UserName",
        "alice",
        "--State",
        "INACTIVE",
    ]);
    w.osc(&[
        "DeleteAccessKey",
        "--AccessKeyId",
        &dead.key_id,
        "--UserName",
        "alice",
    ]);
    w.osc(&["DeleteUser", "--UserName", "alice"]);
}

#[test]
fn osc_sdk_python_manages_keys_and_users() {
    let w = start(&[]);
    let program = format!(
        r#"
g = gw()
g.CreateUser(UserName='bob')
k = g.CreateAccessKey(UserName='bob', Tag='ci')['AccessKey']
assert k['State'] == 'ACTIVE' and k['Tag'] == 'ci', k
keys = g.ReadAccessKeys(UserName='bob', Filters={{'States': ['ACTIVE']}})['AccessKeys']
assert [x['AccessKeyId'] for x in keys] == [k['AccessKeyId']], keys
try:
    g.DeleteAccessKey(AccessKeyId=k['AccessKeyId'], UserName='bob')
    raise SystemExit('an ACTIVE key was deleted')
except Exception as e:
    assert '6003' in str(e), e
try:
    g.raw('DeleteAccessKey', AccessKeyId=k['AccessKeyId'], UserName='bob', DryRun=True)
    raise SystemExit('a dry run passed a rule the call would break')
except Exception as e:
    assert '6003' in str(e), e
g.UpdateAccessKey(AccessKeyId=k['AccessKeyId'], UserName='bob', State='INACTIVE')
assert g.raw('DeleteAccessKey', AccessKeyId=k['AccessKeyId'], UserName='bob', DryRun=True).keys() == {{'ResponseContext'}}
assert len(g.ReadAccessKeys(UserName='bob')['AccessKeys']) == 1
p = gw_password({login:?}, {password:?})
p.DeleteAccessKey(AccessKeyId=k['AccessKeyId'], UserName='bob')
assert g.ReadAccessKeys(UserName='bob')['AccessKeys'] == []
users = g.ReadUsers()['Users']
assert [u['UserName'] for u in users] == ['bob'], users
print(g.ReadAccounts()['Accounts'][0]['AccountId'])
"#,
        login = w.file.login,
        password = w.file.password.as_str(),
    );
    let run = osc_sdk_python(&w.server, &w.root, &program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.trim(), w.file.account_id);
}

#[test]
fn one_key_through_both_dialects_clients() {
    let w = start(&[]);
    aws(
        &w.server,
        &w.root,
        &["iam", "create-user", "--user-name", "carol"],
    )
    .json();
    let created = aws(
        &w.server,
        &w.root,
        &["iam", "create-access-key", "--user-name", "carol"],
    )
    .json();
    let key = created["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    w.osc(&[
        "UpdateAccessKey",
        "--AccessKeyId",
        &key,
        "--UserName",
        "carol",
        "--State",
        "INACTIVE",
    ]);
    let listed = aws(
        &w.server,
        &w.root,
        &["iam", "list-access-keys", "--user-name", "carol"],
    )
    .json();
    assert_eq!(listed["AccessKeyMetadata"][0]["AccessKeyId"], key.as_str());
    assert_eq!(listed["AccessKeyMetadata"][0]["Status"], "Inactive");
    w.osc(&[
        "DeleteAccessKey",
        "--AccessKeyId",
        &key,
        "--UserName",
        "carol",
    ]);
    let listed = aws(
        &w.server,
        &w.root,
        &["iam", "list-access-keys", "--user-name", "carol"],
    )
    .json();
    assert!(listed["AccessKeyMetadata"].as_array().unwrap().is_empty());
    // And a policy written through one dialect is read through the other.
    let doc = r#"{"Statement": [{"Effect": "Allow", "Action": ["api:ReadAccessKeys"], "Resource": ["*"]}]}"#;
    let quoted = serde_json::to_string(doc).unwrap();
    w.osc(&[
        "PutUserPolicy",
        "--UserName",
        "carol",
        "--PolicyName",
        "ReadKeys",
        "--PolicyDocument",
        &quoted,
    ]);
    let got = aws(
        &w.server,
        &w.root,
        &[
            "iam",
            "get-user-policy",
            "--user-name",
            "carol",
            "--policy-name",
            "ReadKeys",
        ],
    )
    .json();
    assert_eq!(
        got["PolicyDocument"],
        serde_json::from_str::<Value>(doc).unwrap()
    );
    let read = w.osc(&[
        "ReadUserPolicy",
        "--UserName",
        "carol",
        "--PolicyName",
        "ReadKeys",
    ]);
    assert_eq!(read["PolicyDocument"], doc, "the same bytes come back");
}

#[test]
fn every_answer_matches_the_official_schemas() {
    let w = start(&[]);
    let r = &w.root;
    let mut answers: Vec<(String, u16, String)> = Vec::new();
    let mut call = |creds: &Creds, name: &str, body: Value| -> Value {
        let (status, text) = w.call(creds, name, &body);
        answers.push((name.to_owned(), status, text.clone()));
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    call(
        r,
        "CreateUser",
        json!({"UserName": "dave", "Path": "/ops/", "UserEmail": "dave@example.com"}),
    );
    let k = call(
        r,
        "CreateAccessKey",
        json!({"UserName": "dave", "ExpirationDate": "2063-04-05", "Tag": "ci"}),
    );
    let id = k["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    call(
        r,
        "ReadAccessKeys",
        json!({"UserName": "dave", "Filters": {"AccessKeyIds": [id], "States": ["ACTIVE"]}}),
    );
    call(
        r,
        "UpdateAccessKey",
        json!({"AccessKeyId": id, "UserName": "dave", "State": "INACTIVE", "ClearTag": true}),
    );
    call(
        r,
        "DeleteAccessKey",
        json!({"AccessKeyId": id, "UserName": "dave", "DryRun": true}),
    );
    call(
        r,
        "DeleteAccessKey",
        json!({"AccessKeyId": id, "UserName": "dave"}),
    );
    call(
        r,
        "ReadUsers",
        json!({"FirstItem": 0, "ResultsPerPage": 5000}),
    );
    call(
        r,
        "UpdateUser",
        json!({"UserName": "dave", "NewUserName": "david", "NewPath": "/dev/"}),
    );
    call(
        r,
        "PutUserPolicy",
        json!({"UserName": "david", "PolicyName": "p", "PolicyDocument": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"*\"], \"Resource\": [\"*\"]}]}"}),
    );
    call(r, "ReadUserPolicies", json!({"UserName": "david"}));
    call(
        r,
        "ReadUserPolicy",
        json!({"UserName": "david", "PolicyName": "p"}),
    );
    call(
        r,
        "DeleteUserPolicy",
        json!({"UserName": "david", "PolicyName": "p"}),
    );
    call(r, "ReadAccounts", json!({}));
    call(
        r,
        "CheckAuthentication",
        json!({"Login": w.file.login, "Password": w.file.password}),
    );
    // User groups.
    call(
        r,
        "CreateUserGroup",
        json!({"UserGroupName": "devs", "Path": "/eng/"}),
    );
    call(
        r,
        "AddUserToUserGroup",
        json!({"UserGroupName": "devs", "UserGroupPath": "/eng/", "UserName": "david", "UserPath": "/dev/"}),
    );
    call(
        r,
        "ReadUserGroup",
        json!({"UserGroupName": "devs", "Path": "/eng/"}),
    );
    call(
        r,
        "ReadUserGroups",
        json!({"Filters": {"PathPrefix": "/eng/"}, "FirstItem": 0, "ResultsPerPage": 10}),
    );
    call(r, "ReadUserGroupsPerUser", json!({"UserName": "david"}));
    call(
        r,
        "PutUserGroupPolicy",
        json!({"UserGroupName": "devs", "PolicyName": "read", "PolicyDocument": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"api:ReadUsers\"], \"Resource\": [\"*\"]}]}"}),
    );
    call(
        r,
        "ReadUserGroupPolicy",
        json!({"UserGroupName": "devs", "PolicyName": "read"}),
    );
    call(r, "ReadUserGroupPolicies", json!({"UserGroupName": "devs"}));
    call(
        r,
        "UpdateUserGroup",
        json!({"UserGroupName": "devs", "NewUserGroupName": "developers", "NewPath": "/"}),
    );
    call(
        r,
        "DeleteUserGroupPolicy",
        json!({"UserGroupName": "developers", "PolicyName": "read"}),
    );
    call(
        r,
        "RemoveUserFromUserGroup",
        json!({"UserGroupName": "developers", "UserName": "david"}),
    );
    call(r, "DeleteUserGroup", json!({"UserGroupName": "developers"}));
    call(r, "DeleteUser", json!({"UserName": "david"}));
    // Errors, each in the envelope of the spec.
    call(r, "ReadUserGroup", json!({"UserGroupName": "nobody"}));
    call(r, "DeleteUser", json!({"UserName": "nobody"}));
    call(
        r,
        "ReadUserPolicy",
        json!({"UserName": "nobody", "PolicyName": "p"}),
    );
    call(r, "CreateUser", json!({"UserName": "a b"}));
    call(r, "CreateUser", json!({"UserName": "x", "Bogus": 1}));
    call(r, "DeleteAccessKey", json!({}));
    call(
        r,
        "CheckAuthentication",
        json!({"Login": w.file.login, "Password": "wrong"}),
    );
    call(
        &Creds::new("AKIDEXAMPLE0UNKNOWN1", "x"),
        "ReadAccessKeys",
        json!({}),
    );
    call(
        r,
        "ReadSecretAccessKey",
        json!({"AccessKeyId": "AKIDEXAMPLE0UNKNOWN1"}),
    );
    assert_eq!(
        answers.iter().filter(|(_, s, _)| *s == 200).count(),
        27,
        "{answers:#?}"
    );
    validate_osc_schemas(&answers).unwrap_or_else(|report| panic!("{report}"));
}

#[test]
fn malformed_calls_get_their_error_and_change_nothing() {
    let w = start(&[]);
    let r = &w.root;
    let (s, _) = w.call(r, "CreateUser", &json!({"UserName": "erin"}));
    assert_eq!(s, 200);
    let before = w.call(r, "ReadUsers", &json!({})).1;
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        (
            "CreateUser",
            json!({"UserName": "erin2", "Unknown": true}),
            400,
            "4045",
            "Unknown",
        ),
        ("CreateUser", json!({}), 400, "4045", "UserName"),
        (
            "CreateUser",
            json!({"UserName": 5}),
            400,
            "4108",
            "UserName",
        ),
        (
            "CreateUser",
            json!({"UserName": "bad name"}),
            400,
            "4047",
            "UserName",
        ),
        (
            "CreateUser",
            json!({"UserName": "erin2", "UserEmail": "nope"}),
            400,
            "4020",
            "UserEmail",
        ),
        (
            "CreateUser",
            json!({"UserName": "ERIN"}),
            409,
            "9022",
            "ERIN",
        ),
        (
            "UpdateUser",
            json!({"UserName": "nobody", "NewUserName": "x"}),
            400,
            "5075",
            "nobody",
        ),
        (
            "DeleteUser",
            json!({"UserName": "erin", "DryRun": "yes"}),
            400,
            "4108",
            "DryRun",
        ),
        (
            "CreateAccessKey",
            json!({"UserName": "erin", "ExpirationDate": "soon"}),
            400,
            "4047",
            "ExpirationDate",
        ),
        (
            "CreateAccessKey",
            json!({"UserName": "erin", "ExpirationDate": "2020-01-01"}),
            400,
            "4047",
            "ExpirationDate",
        ),
        (
            "CreateAccessKey",
            json!({"UserName": "erin", "ExpirationDate": "9999-12-31T23:59:59-23:59"}),
            400,
            "4047",
            "ExpirationDate",
        ),
        (
            "UpdateAccessKey",
            json!({"AccessKeyId": "AKIDEXAMPLE0UNKNOWN1", "ExpirationDate": "2020-01-01"}),
            400,
            "4047",
            "ExpirationDate",
        ),
        (
            "UpdateAccessKey",
            json!({"AccessKeyId": "AKIDEXAMPLE0UNKNOWN1", "State": "OFF"}),
            400,
            "4047",
            "State",
        ),
        (
            "DeleteAccessKey",
            json!({"AccessKeyId": "AKIDEXAMPLE0UNKNOWN1"}),
            400,
            "5027",
            "AKIDEXAMPLE0UNKNOWN1",
        ),
        (
            "PutUserPolicy",
            json!({"UserName": "erin", "PolicyName": "p", "PolicyDocument": {"Statement": []}}),
            400,
            "4108",
            "PolicyDocument",
        ),
        (
            "PutUserPolicy",
            json!({"UserName": "erin", "PolicyName": "p", "PolicyDocument": "nope"}),
            400,
            "4047",
            "Syntax errors",
        ),
        (
            "ReadUsers",
            json!({"ResultsPerPage": 0}),
            400,
            "4047",
            "ResultsPerPage",
        ),
        ("NoSuchCall", json!({}), 400, "0", "NoSuchCall"),
    ];
    for (call, body, status, code, named) in cases {
        let (s, text) = w.call(r, call, &body);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(s, status, "{call} {body}: {text}");
        assert_eq!(v["Errors"][0]["Code"], code, "{call} {body}: {text}");
        assert!(
            v["Errors"][0]["Details"].as_str().unwrap().contains(named),
            "{call} {body}: {text}"
        );
        assert!(v["ResponseContext"]["RequestId"].is_string());
        assert_eq!(
            w.call(r, "ReadUsers", &json!({}))
                .1
                .split("ResponseContext")
                .next(),
            before.split("ResponseContext").next()
        );
    }
    // Not JSON at all, and a method other than POST.
    let body = b"{not json";
    let headers = osc4_json_headers(&w.server.addr.to_string(), "ReadUsers", r, body);
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (s, _, b) = http(w.server.addr, "POST", "/api/v1/ReadUsers", &refs, body);
    assert_eq!(s, 400);
    assert!(String::from_utf8_lossy(&b).contains("\"4108\""));
    let (s, _, b) = http(w.server.addr, "GET", "/api/v1/ReadUsers", &[], b"");
    assert_eq!(s, 405);
    assert!(String::from_utf8_lossy(&b).contains("\"Code\":\"2\""));
    let (s, _, b) = http(
        w.server.addr,
        "POST",
        "/api/v1/ReadUsers",
        &[("Content-Type", JSON)],
        b"{}",
    );
    assert_eq!(s, 401);
    assert!(String::from_utf8_lossy(&b).contains("\"Code\":\"1\""));
    let (s, _, b) = http(
        w.server.addr,
        "POST",
        "/api/v1/ReadUsers",
        &[("Authorization", "Bearer x")],
        b"{}",
    );
    assert_eq!(s, 401);
    assert!(String::from_utf8_lossy(&b).contains("\"Code\":\"12\""));
}

#[test]
fn cors_answers_configured_origins_only() {
    let w = start(&[(
        "KEYGATE__OSC__CORS_ALLOWED_ORIGINS",
        "https://console.example.com,https://other.example.com",
    )]);
    let preflight = |origin: &str| {
        http(
            w.server.addr,
            "OPTIONS",
            "/api/v1/ReadAccessKeys",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "authorization, content-type, x-osc-date",
                ),
            ],
            b"",
        )
    };
    let (s, h, _) = preflight("https://console.example.com");
    assert_eq!(s, 200);
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some("https://console.example.com")
    );
    let allowed = header(&h, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["authorization", "content-type", "x-osc-date"] {
        assert!(allowed.contains(name), "{allowed}");
    }
    assert_eq!(header(&h, "access-control-allow-credentials"), None);
    let (s, h, _) = preflight("https://evil.example.com");
    assert_ne!(s, 200);
    assert_eq!(header(&h, "access-control-allow-origin"), None);
    // A real call from the console's origin exposes the request id.
    let body = b"{}";
    let mut headers =
        osc4_json_headers(&w.server.addr.to_string(), "ReadAccessKeys", &w.root, body);
    headers.push(("Origin".into(), "https://console.example.com".into()));
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (s, h, _) = http(w.server.addr, "POST", "/api/v1/ReadAccessKeys", &refs, body);
    assert_eq!(s, 200);
    assert!(
        header(&h, "access-control-expose-headers")
            .unwrap_or_default()
            .contains("x-request-id")
    );

    // Without configuration, no CORS answer at all.
    let plain = start(&[]);
    let (_, h, _) = http(
        plain.server.addr,
        "OPTIONS",
        "/api/v1/ReadAccessKeys",
        &[
            ("Origin", "https://console.example.com"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(header(&h, "access-control-allow-origin"), None);
}

#[test]
fn dry_run_of_every_mutating_call_changes_nothing() {
    let w = start(&[]);
    let r = &w.root;
    assert_eq!(w.call(r, "CreateUser", &json!({"UserName": "hal"})).0, 200);
    let k = w.call(r, "CreateAccessKey", &json!({"UserName": "hal"})).1;
    let id = serde_json::from_str::<Value>(&k).unwrap()["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"api:ReadAccessKeys\"], \"Resource\": [\"*\"]}]}";
    assert_eq!(
        w.call(
            r,
            "PutUserPolicy",
            &json!({"UserName": "hal", "PolicyName": "keep", "PolicyDocument": doc})
        )
        .0,
        200
    );
    let snapshot = || {
        [
            "ReadUsers",
            "ReadAccessKeys",
            "ReadUserPolicies",
            "ReadAccessKeys",
        ]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // The user's keys and policies, and (last) the root's own keys.
            let body = if *c == "ReadUsers" || i == 3 {
                json!({})
            } else {
                json!({"UserName": "hal"})
            };
            let v: Value = serde_json::from_str(&w.call(r, c, &body).1).unwrap();
            v.as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "ResponseContext")
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<String>()
        })
        .chain(std::iter::once(
            w.call(
                r,
                "ReadUserPolicy",
                &json!({"UserName": "hal", "PolicyName": "keep"}),
            )
            .1
            .split("ResponseContext")
            .next()
            .unwrap()
            .to_owned(),
        ))
        .collect::<Vec<_>>()
    };
    let before = snapshot();
    let calls = [
        ("CreateUser", json!({"UserName": "ivy", "DryRun": true})),
        (
            "UpdateUser",
            json!({"UserName": "hal", "NewUserName": "hank", "DryRun": true}),
        ),
        (
            "CreateAccessKey",
            json!({"UserName": "hal", "DryRun": true}),
        ),
        (
            "UpdateAccessKey",
            json!({"UserName": "hal", "AccessKeyId": id, "State": "INACTIVE", "DryRun": true}),
        ),
        (
            "PutUserPolicy",
            json!({"UserName": "hal", "PolicyName": "more", "PolicyDocument": doc, "DryRun": true}),
        ),
        (
            "DeleteUserPolicy",
            json!({"UserName": "hal", "PolicyName": "keep", "DryRun": true}),
        ),
    ];
    for (call, body) in calls {
        let (s, text) = w.call(r, call, &body);
        assert_eq!(s, 200, "{call}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["ResponseContext"],
            "{call}: {text}"
        );
        assert_eq!(snapshot(), before, "{call} changed something");
    }
    // Dry runs that would fail answer the real call's error.
    let (s, text) = w.call(
        r,
        "DeleteAccessKey",
        &json!({"UserName": "hal", "AccessKeyId": id, "DryRun": true}),
    );
    assert_eq!(
        (
            s,
            serde_json::from_str::<Value>(&text).unwrap()["Errors"][0]["Code"].clone()
        ),
        (409, json!("6003"))
    );
    let (s, _) = w.call(r, "DeleteUser", &json!({"UserName": "hal", "DryRun": true}));
    assert_eq!(s, 409);
    assert_eq!(
        w.call(
            r,
            "UpdateAccessKey",
            &json!({"UserName": "hal", "AccessKeyId": id, "State": "INACTIVE"})
        )
        .0,
        200
    );
    let (s, text) = w.call(
        r,
        "DeleteAccessKey",
        &json!({"UserName": "hal", "AccessKeyId": id, "DryRun": true}),
    );
    assert_eq!(s, 200, "{text}");
    assert_eq!(
        w.call(r, "ReadAccessKeys", &json!({"UserName": "hal"}))
            .1
            .matches(id.as_str())
            .count(),
        1,
        "still there"
    );
    assert_eq!(
        w.call(
            r,
            "DeleteAccessKey",
            &json!({"UserName": "hal", "AccessKeyId": id})
        )
        .0,
        200
    );
    assert_eq!(
        w.call(
            r,
            "DeleteUserPolicy",
            &json!({"UserName": "hal", "PolicyName": "keep"})
        )
        .0,
        200
    );
    let (s, _) = w.call(r, "DeleteUser", &json!({"UserName": "hal", "DryRun": true}));
    assert_eq!(s, 200);
    assert_eq!(
        w.call(r, "ReadUsers", &json!({}))
            .1
            .matches("\"hal\"")
            .count(),
        1,
        "still there"
    );
}

#[test]
fn wrong_passwords_lock_the_login_briefly() {
    let w = start(&[]);
    let basic = |password: &str| basic_read_access_keys(w.server.addr, &w.file.login, password);
    assert_eq!(basic(&w.file.password), (200, "ok".into()));
    for _ in 0..4 {
        assert_eq!(basic("wrong"), (401, "1".into()));
    }
    assert_eq!(
        basic(&w.file.password),
        (401, "13".into()),
        "locked, even for the right password"
    );
    // The access key still works: only the login is locked.
    assert_eq!(w.call(&w.root, "ReadAccessKeys", &json!({})).0, 200);
}

#[test]
fn conditions_read_the_request_in_the_osc_dialect() {
    let w = start(&[]);
    w.osc(&["CreateUser", "--UserName", "olga"]);
    let made = w.osc(&["CreateAccessKey", "--UserName", "olga"]);
    let olga = Creds::new(
        made["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        made["AccessKey"]["SecretKey"].as_str().unwrap(),
    );
    // Outscale's documents carry no Version: no variables, conditions all the same.
    let doc = r#"{"Statement": [{"Effect": "Allow", "Action": "api:ReadAccessKeys", "Resource": "*",
        "Condition": {"StringLike": {"aws:UserAgent": "osc-cli/*"},
                      "Bool": {"aws:SecureTransport": "false"},
                      "StringEquals": {"aws:PrincipalType": "User"}}}]}"#;
    let quoted = serde_json::to_string(doc).unwrap();
    w.osc(&[
        "PutUserPolicy",
        "--UserName",
        "olga",
        "--PolicyName",
        "from-osc-cli",
        "--PolicyDocument",
        &quoted,
    ]);
    let listed = osc_cli(&w.server, &olga, &["ReadAccessKeys"]).json();
    assert_eq!(listed["AccessKeys"].as_array().unwrap().len(), 1);
    let program = r#"
try:
    gw().ReadAccessKeys()
    raise SystemExit('osc-sdk-python passed a condition on osc-cli')
except SystemExit:
    raise
except Exception as e:
    print(e)
"#;
    let run = osc_sdk_python(&w.server, &olga, program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("status = 401, code = 4,"),
        "osc-sdk-python is not osc-cli: {}",
        run.stdout
    );
    // A malformed block is refused with the policy error.
    let bad = serde_json::to_string(&doc.replace("StringLike", "StringLikes")).unwrap();
    osc_cli(
        &w.server,
        &w.root,
        &[
            "PutUserPolicy",
            "--UserName",
            "olga",
            "--PolicyName",
            "typo",
            "--PolicyDocument",
            &bad,
        ],
    )
    .osc_failed_with(400, "4047");
}

#[test]
fn user_groups_through_osc_sdk_python_and_osc_cli() {
    let w = start(&[]);
    w.osc(&["CreateUser", "--UserName", "hana"]);
    let made = w.osc(&["CreateAccessKey", "--UserName", "hana"]);
    let hana = Creds::new(
        made["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        made["AccessKey"]["SecretKey"].as_str().unwrap(),
    );
    let created = w.osc(&[
        "CreateUserGroup",
        "--UserGroupName",
        "readers",
        "--Path",
        "/team/",
    ]);
    let g = &created["UserGroup"];
    assert_eq!(g["Name"], "readers");
    assert!(
        g["UserGroupId"].as_str().unwrap().starts_with("AGPA"),
        "{g}"
    );
    assert_eq!(
        g["Orn"],
        format!(
            "orn:ows:idauth::{}:usergroup/team/readers",
            w.file.account_id
        )
    );
    let program = r#"
g = gw()
g.CreateUserGroup(UserGroupName='blocked')
g.PutUserGroupPolicy(UserGroupName='readers', UserGroupPath='/team/', PolicyName='read',
    PolicyDocument='{"Statement": [{"Effect": "Allow", "Action": ["api:ReadAccessKeys"], "Resource": ["*"]}]}')
g.PutUserGroupPolicy(UserGroupName='blocked', PolicyName='deny',
    PolicyDocument='{"Statement": [{"Effect": "Deny", "Action": ["*"], "Resource": ["*"]}]}')
g.AddUserToUserGroup(UserGroupName='readers', UserGroupPath='/team/', UserName='hana')
print([x['Name'] for x in g.ReadUserGroupsPerUser(UserName='hana')['UserGroups']])
r = g.ReadUserGroup(UserGroupName='readers', Path='/team/')
print([u['UserName'] for u in r['Users']])
try:
    g.ReadUserGroup(UserGroupName='readers', Path='/other/')
except Exception as e:
    print('5044' in str(e))
print([p['Name'] for p in g.ReadUserGroupPolicies(UserGroupName='readers')['Policies']])
try:
    g.DeleteUserGroup(UserGroupName='readers')
except Exception as e:
    print('9029' in str(e))
try:
    g.DeleteUser(UserName='hana')
except Exception as e:
    print('9029' in str(e))
print(sorted(x['Name'] for x in g.ReadUserGroups()['UserGroups']))
"#;
    let run = osc_sdk_python(&w.server, &w.root, program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "['readers']\n['hana']\nTrue\n['read']\nTrue\nTrue\n['blocked', 'readers']"
    );
    // Granted through the group, in both dialects; then denied by another group.
    assert_eq!(
        osc_cli(&w.server, &hana, &["ReadAccessKeys"]).json()["AccessKeys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    aws(&w.server, &hana, &["iam", "list-access-keys"]).failed_with("AccessDenied");
    w.osc(&[
        "AddUserToUserGroup",
        "--UserGroupName",
        "blocked",
        "--UserName",
        "hana",
    ]);
    osc_cli(&w.server, &hana, &["ReadAccessKeys"]).osc_failed_with(401, "4");
    // Force takes the members and the policies with the group.
    w.osc(&[
        "DeleteUserGroup",
        "--UserGroupName",
        "blocked",
        "--Force",
        "True",
    ]);
    assert_eq!(
        osc_cli(&w.server, &hana, &["ReadAccessKeys"]).json()["AccessKeys"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the deny went with its group"
    );
    let iam_groups = aws(&w.server, &w.root, &["iam", "list-groups"]).json();
    let names: Vec<&str> = iam_groups["Groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["readers"], "one state for both dialects");
}
