//! Roles end to end: created, read and listed with the aws CLI; assumed by the CLI itself from a
//! `role_arn` + `source_profile` profile, and by boto3 with a session policy; what the trust
//! policy and AWS's limits refuse; sessions that end with their role or expire.

use keygate_tests::support::Fresh;
use keygate_tests::support::clients::{Creds, aws, aws_profile, boto3};
use serde_json::{Value, json};

fn creds_of(v: &Value) -> Creds {
    let c = &v["Credentials"];
    Creds::session(
        c["AccessKeyId"].as_str().unwrap(),
        c["SecretAccessKey"].as_str().unwrap(),
        c["SessionToken"].as_str().unwrap(),
    )
}

/// Makes a session's stored expiry a second in the past, as time would.
fn expire(w: &Fresh, table: &str, key_id: &str) {
    let past = keygate_tests::support::now().unix_timestamp() * 1000 - 1000;
    let n = keygate_tests::support::store_sql(
        &w.server.data_dir,
        &format!("UPDATE {table} SET expires_at = {past} WHERE id = '{key_id}'"),
    );
    assert_eq!(n, 1, "{key_id} is in {table}");
}

#[test]
fn roles_through_the_aws_cli_and_boto3() {
    let w = Fresh::start(&[]);
    let root = &w.root;
    let account = w.file.account_id.clone();
    let new_user = |name: &str| {
        aws(
            &w.server,
            root,
            &["iam", "create-user", "--user-name", name],
        )
        .json();
        let k = aws(
            &w.server,
            root,
            &["iam", "create-access-key", "--user-name", name],
        )
        .json();
        Creds::new(
            k["AccessKey"]["AccessKeyId"].as_str().unwrap(),
            k["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
        )
    };
    let alice = new_user("alice");
    let bob = new_user("bob");
    let alice_arn = format!("arn:aws:iam::{account}:user/alice");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": alice_arn}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let made = aws(
        &w.server,
        root,
        &[
            "iam",
            "create-role",
            "--role-name",
            "deployer",
            "--path",
            "/ci/",
            "--assume-role-policy-document",
            &trust,
            "--max-session-duration",
            "7200",
            "--tags",
            "Key=team,Value=ci",
        ],
    )
    .json();
    let role = &made["Role"];
    assert!(role["RoleId"].as_str().unwrap().starts_with("AROA"));
    let role_arn = format!("arn:aws:iam::{account}:role/ci/deployer");
    assert_eq!(role["Arn"], role_arn.as_str());
    assert_eq!(role["MaxSessionDuration"], 7200);
    aws(
        &w.server,
        root,
        &[
            "iam",
            "create-role",
            "--role-name",
            "DEPLOYER",
            "--assume-role-policy-document",
            &trust,
        ],
    )
    .failed_with("EntityAlreadyExists");
    let nobody = trust.replace("user/alice", "user/nobody");
    let refused = aws(
        &w.server,
        root,
        &[
            "iam",
            "create-role",
            "--role-name",
            "x",
            "--assume-role-policy-document",
            &nobody,
        ],
    );
    refused.failed_with("MalformedPolicyDocument");
    assert!(
        refused.stderr.contains("Invalid principal in policy"),
        "{}",
        refused.stderr
    );
    // The CLI decodes the percent-encoded trust policy it is given back.
    let got = aws(
        &w.server,
        root,
        &["iam", "get-role", "--role-name", "deployer"],
    )
    .json();
    assert_eq!(
        got["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"],
        alice_arn.as_str()
    );
    assert_eq!(got["Role"]["Tags"][0]["Key"], "team");
    let listed = aws(
        &w.server,
        root,
        &["iam", "list-roles", "--path-prefix", "/ci/"],
    )
    .json();
    assert_eq!(listed["Roles"][0]["RoleName"], "deployer");
    let read_users = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]})
    .to_string();
    aws(
        &w.server,
        root,
        &[
            "iam",
            "put-role-policy",
            "--role-name",
            "deployer",
            "--policy-name",
            "read-users",
            "--policy-document",
            &read_users,
        ],
    )
    .json();

    // The CLI assumes the role itself from a profile that names it and its source.
    let config = format!(
        "[profile alice]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = eu-west-2\n\n\
         [profile deployer]\nrole_arn = {role_arn}\nsource_profile = alice\n\
         role_session_name = ci-run\nregion = eu-west-2\n",
        alice.key_id, alice.secret
    );
    let me = aws_profile(
        &w.server,
        &config,
        "deployer",
        &["sts", "get-caller-identity"],
    );
    assert!(me.ok, "{}", me.stderr);
    let me = me.json();
    assert_eq!(
        me["Arn"],
        format!("arn:aws:sts::{account}:assumed-role/deployer/ci-run")
    );
    let user_id = me["UserId"].as_str().unwrap();
    assert!(
        user_id.starts_with("AROA") && user_id.ends_with(":ci-run"),
        "{user_id}"
    );
    let users = aws_profile(&w.server, &config, "deployer", &["iam", "list-users"]);
    assert!(users.ok, "the role's policy allows it: {}", users.stderr);
    let denied = aws_profile(&w.server, &config, "deployer", &["iam", "list-roles"]);
    denied.failed_with("AccessDenied");
    assert!(
        denied.stderr.contains("assumed-role/deployer/ci-run"),
        "{}",
        denied.stderr
    );

    // boto3 assumes it with a session policy, which narrows what the session may do.
    let program = format!(
        r#"
import boto3, json, os
end = os.environ['KEYGATE_ENDPOINT']
sts = boto3.client('sts', endpoint_url=end, region_name='eu-west-2')
only_get = json.dumps({{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}]}})
r = sts.assume_role(RoleArn='{role_arn}', RoleSessionName='boto', DurationSeconds=900, Policy=only_get)
c = r['Credentials']
print(r['AssumedRoleUser']['Arn'].split(':')[-1], r['PackedPolicySize'] > 0)
s = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'], region_name='eu-west-2')
print(s.client('sts', endpoint_url=end).get_caller_identity()['Arn'].split(':')[-1])
iam = s.client('iam', endpoint_url=end)
print(iam.get_user(UserName='bob')['User']['UserName'])
try:
    iam.list_users()
except iam.exceptions.ClientError as e:
    print(e.response['Error']['Code'], 'no session policy allows' in e.response['Error']['Message'])
"#
    );
    let run = boto3(&w.server, &alice, &program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "assumed-role/deployer/boto True\nassumed-role/deployer/boto\nbob\nAccessDenied True"
    );

    // What the trust policy and AWS's limits refuse.
    let assume = |who: &Creds, extra: &[&str]| {
        let mut args = vec![
            "sts",
            "assume-role",
            "--role-arn",
            role_arn.as_str(),
            "--role-session-name",
            "cli",
        ];
        args.extend_from_slice(extra);
        aws(&w.server, who, &args)
    };
    let too_long = assume(&alice, &["--duration-seconds", "10800"]);
    too_long.failed_with("ValidationError");
    assert!(
        too_long.stderr.contains("exceeds the MaxSessionDuration"),
        "{}",
        too_long.stderr
    );
    let by_root = assume(root, &[]);
    by_root.failed_with("AccessDenied");
    assert!(
        by_root
            .stderr
            .contains("Roles may not be assumed by root accounts."),
        "{}",
        by_root.stderr
    );
    let by_bob = assume(&bob, &[]);
    by_bob.failed_with("AccessDenied");
    assert!(
        by_bob
            .stderr
            .contains("is not authorized to perform: sts:AssumeRole"),
        "{}",
        by_bob.stderr
    );
    assume(&alice, &["--tags", "Key=a,Value=b"]).failed_with("InvalidInput");

    // A role with policies is not deleted; once deleted, its sessions sign nothing.
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    aws(
        &w.server,
        root,
        &[
            "iam",
            "attach-role-policy",
            "--role-name",
            "deployer",
            "--policy-arn",
            admin,
        ],
    )
    .json();
    let entities = aws(
        &w.server,
        root,
        &["iam", "list-entities-for-policy", "--policy-arn", admin],
    )
    .json();
    assert_eq!(entities["PolicyRoles"][0]["RoleName"], "deployer");
    let session = creds_of(&assume(&alice, &[]).json());
    aws(
        &w.server,
        root,
        &["iam", "delete-role", "--role-name", "deployer"],
    )
    .failed_with("DeleteConflict");
    aws(
        &w.server,
        root,
        &[
            "iam",
            "detach-role-policy",
            "--role-name",
            "deployer",
            "--policy-arn",
            admin,
        ],
    )
    .json();
    aws(
        &w.server,
        root,
        &[
            "iam",
            "delete-role-policy",
            "--role-name",
            "deployer",
            "--policy-name",
            "read-users",
        ],
    )
    .json();
    aws(&w.server, &session, &["sts", "get-caller-identity"]).json();
    aws(
        &w.server,
        root,
        &["iam", "delete-role", "--role-name", "deployer"],
    )
    .json();
    aws(&w.server, &session, &["sts", "get-caller-identity"]).failed_with("InvalidClientTokenId");

    // Sessions that expire are refused as AWS refuses them.
    aws(
        &w.server,
        root,
        &[
            "iam",
            "create-role",
            "--role-name",
            "short",
            "--assume-role-policy-document",
            &trust,
        ],
    )
    .json();
    let short_arn = format!("arn:aws:iam::{account}:role/short");
    let role_session = creds_of(
        &aws(
            &w.server,
            &alice,
            &[
                "sts",
                "assume-role",
                "--role-arn",
                &short_arn,
                "--role-session-name",
                "short-run",
            ],
        )
        .json(),
    );
    let key_session = creds_of(&aws(&w.server, &alice, &["sts", "get-session-token"]).json());
    // A profile that holds a session's credentials, token included.
    let temp = format!(
        "[profile temp]\naws_access_key_id = {}\naws_secret_access_key = {}\n\
         aws_session_token = {}\nregion = eu-west-2\n",
        key_session.key_id,
        key_session.secret,
        key_session.token.as_deref().unwrap()
    );
    let me = aws_profile(&w.server, &temp, "temp", &["sts", "get-caller-identity"]).json();
    assert_eq!(me["Arn"], alice_arn.as_str());
    // The OSC API takes keygate's sign-in sessions only, whatever header carries the token.
    let (status, body) = keygate_tests::support::osc_call_with(
        w.server.addr,
        &key_session,
        "ReadAccessKeys",
        b"{}",
        &[(
            "X-Osc-Security-Token",
            key_session.token.as_deref().unwrap(),
        )],
    );
    assert_eq!(status, 401);
    assert!(
        String::from_utf8_lossy(&body).contains("only keygate's sign-in sessions"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    expire(&w, "role_sessions", &role_session.key_id);
    expire(&w, "sessions", &key_session.key_id);
    for s in [&role_session, &key_session] {
        let r = aws(&w.server, s, &["sts", "get-caller-identity"]);
        r.failed_with("ExpiredToken");
    }
}
