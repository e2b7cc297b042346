//! The IAM dialect end to end: the real `keygate` binary driven by the real aws CLI and boto3.
//! Each test asserts what the client itself prints and its exit status.

use keygate_server::credentials::CredentialsFile;
use keygate_tests::support::clients::{Creds, Run, aws, boto3};
use keygate_tests::support::{Fresh, Server, http};
use serde_json::Value;

/// AWS's documented policy for managing one's own access keys.
const SELF_SERVICE: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ManageOwnAccessKeys",
            "Effect": "Allow",
            "Action": [
                "iam:CreateAccessKey",
                "iam:DeleteAccessKey",
                "iam:GetAccessKeyLastUsed",
                "iam:GetUser",
                "iam:ListAccessKeys",
                "iam:UpdateAccessKey",
                "iam:TagUser"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        }
    ]
}"#;

struct World {
    _dir: tempfile::TempDir,
    server: Server,
    root: Creds,
    account: String,
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
        account: file.account_id,
    }
}

impl World {
    fn aws(&self, creds: &Creds, args: &[&str]) -> Run {
        aws(&self.server, creds, args)
    }

    fn root(&self, args: &[&str]) -> Run {
        self.aws(&self.root, args)
    }

    /// The root puts an inline policy, given as text, on `user`.
    fn put_policy(&self, user: &str, name: &str, document: &str) -> Run {
        self.root(&[
            "iam",
            "put-user-policy",
            "--user-name",
            user,
            "--policy-name",
            name,
            "--policy-document",
            document,
        ])
    }

    /// Creates a key for `user` (the caller's own when `None`) and returns it.
    fn new_key(&self, creds: &Creds, user: Option<&str>) -> Creds {
        let mut args = vec!["iam", "create-access-key"];
        if let Some(u) = user {
            args.extend(["--user-name", u]);
        }
        let v = self.aws(creds, &args).json();
        Creds::new(
            v["AccessKey"]["AccessKeyId"].as_str().unwrap(),
            v["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
        )
    }

    fn key_ids(&self, creds: &Creds, user: Option<&str>) -> Vec<(String, String)> {
        let mut args = vec!["iam", "list-access-keys"];
        if let Some(u) = user {
            args.extend(["--user-name", u]);
        }
        self.aws(creds, &args).json()["AccessKeyMetadata"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    k["AccessKeyId"].as_str().unwrap().to_owned(),
                    k["Status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn policy_file(&self, doc: &str) -> String {
        let path = self.server.data_dir.join("policy.json");
        std::fs::write(&path, doc).unwrap();
        format!("file://{}", path.display())
    }
}

#[test]
fn root_manages_the_whole_user_and_key_lifecycle() {
    let w = start(&[]);
    let created = w
        .root(&[
            "iam",
            "create-user",
            "--user-name",
            "alice",
            "--path",
            "/eng/",
            "--tags",
            "Key=team,Value=blue",
        ])
        .json();
    let arn = format!("arn:aws:iam::{}:user/eng/alice", w.account);
    assert_eq!(created["User"]["Arn"], arn.as_str());
    assert_eq!(created["User"]["Tags"][0]["Value"], "blue");
    let user_id = created["User"]["UserId"].as_str().unwrap().to_owned();
    let got = w.root(&["iam", "get-user", "--user-name", "ALICE"]).json();
    assert_eq!(got["User"]["UserId"], user_id.as_str(), "names ignore case");
    let listed = w
        .root(&["iam", "list-users", "--path-prefix", "/eng/"])
        .json();
    assert_eq!(listed["Users"].as_array().unwrap().len(), 1);

    w.root(&[
        "iam",
        "update-user",
        "--user-name",
        "alice",
        "--new-user-name",
        "alicia",
    ])
    .json();
    let renamed = w.root(&["iam", "get-user", "--user-name", "alicia"]).json();
    assert_eq!(
        renamed["User"]["UserId"],
        user_id.as_str(),
        "the id survives a rename"
    );
    w.root(&["iam", "get-user", "--user-name", "alice"])
        .failed_with("NoSuchEntity");

    let key = w.new_key(&w.root, Some("alicia"));
    assert_eq!(key.key_id.len(), 20);
    assert_eq!(key.secret.len(), 40);
    assert_eq!(
        w.key_ids(&w.root, Some("alicia")),
        vec![(key.key_id.clone(), "Active".into())]
    );

    // A user's key signs for that user.
    let me = w.aws(&key, &["sts", "get-caller-identity"]).json();
    assert_eq!(
        me["Arn"],
        format!("arn:aws:iam::{}:user/eng/alicia", w.account).as_str()
    );
    assert_eq!(me["UserId"], user_id.as_str());

    w.root(&[
        "iam",
        "update-access-key",
        "--user-name",
        "alicia",
        "--access-key-id",
        &key.key_id,
        "--status",
        "Inactive",
    ])
    .json();
    assert_eq!(w.key_ids(&w.root, Some("alicia"))[0].1, "Inactive");
    w.aws(&key, &["sts", "get-caller-identity"])
        .failed_with("InvalidClientTokenId");
    w.root(&[
        "iam",
        "update-access-key",
        "--user-name",
        "alicia",
        "--access-key-id",
        &key.key_id,
        "--status",
        "Active",
    ])
    .json();
    w.aws(&key, &["sts", "get-caller-identity"]).json();

    let last = w
        .root(&[
            "iam",
            "get-access-key-last-used",
            "--access-key-id",
            &key.key_id,
        ])
        .json();
    assert_eq!(last["UserName"], "alicia");
    assert_eq!(last["AccessKeyLastUsed"]["ServiceName"], "sts");
    assert_eq!(last["AccessKeyLastUsed"]["Region"], "eu-west-2");

    w.root(&["iam", "delete-user", "--user-name", "alicia"])
        .failed_with("DeleteConflict");
    // The key is still Active: the IAM dialect deletes it anyway.
    w.root(&[
        "iam",
        "delete-access-key",
        "--user-name",
        "alicia",
        "--access-key-id",
        &key.key_id,
    ])
    .json();
    assert!(w.key_ids(&w.root, Some("alicia")).is_empty());
    w.aws(&key, &["sts", "get-caller-identity"])
        .failed_with("InvalidClientTokenId");
    w.root(&["iam", "delete-user", "--user-name", "alicia"])
        .json();
    w.root(&["iam", "get-user", "--user-name", "alicia"])
        .failed_with("NoSuchEntity");
}

#[test]
fn users_act_only_as_their_policies_allow() {
    let w = start(&[]);
    w.root(&["iam", "create-user", "--user-name", "bob"]).json();
    w.root(&["iam", "create-user", "--user-name", "carol"])
        .json();
    let bob = w.new_key(&w.root, Some("bob"));
    let carol_key = w.new_key(&w.root, Some("carol"));

    // No policy: denied, even on its own keys.
    let denied = w.aws(&bob, &["iam", "list-access-keys"]);
    denied.failed_with("AccessDenied");
    assert!(denied.stderr.contains(&format!(
        "User: arn:aws:iam::{}:user/bob is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::{}:user/bob",
        w.account, w.account
    )));
    w.aws(&bob, &["iam", "create-access-key"])
        .failed_with("AccessDenied");
    // Who-am-I needs no permission.
    w.aws(&bob, &["sts", "get-caller-identity"]).json();

    let file = w.policy_file(SELF_SERVICE);
    w.root(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "bob",
        "--policy-name",
        "ManageOwnAccessKeys",
        "--policy-document",
        &file,
    ])
    .json();
    let stored = w
        .root(&[
            "iam",
            "get-user-policy",
            "--user-name",
            "bob",
            "--policy-name",
            "ManageOwnAccessKeys",
        ])
        .json();
    let expected: Value = serde_json::from_str(SELF_SERVICE).unwrap();
    assert_eq!(
        stored["PolicyDocument"], expected,
        "the document comes back as sent"
    );
    let names = w
        .root(&["iam", "list-user-policies", "--user-name", "bob"])
        .json();
    assert_eq!(
        names["PolicyNames"],
        serde_json::json!(["ManageOwnAccessKeys"])
    );

    // Now bob manages his own keys with his own credentials...
    assert_eq!(w.key_ids(&bob, None).len(), 1);
    let second = w.new_key(&bob, None);
    let limit = w.aws(&bob, &["iam", "create-access-key"]);
    assert!(
        limit
            .failed_with("LimitExceeded")
            .stderr
            .contains("AccessKeysPerUser: 2")
    );
    w.aws(
        &bob,
        &[
            "iam",
            "update-access-key",
            "--access-key-id",
            &second.key_id,
            "--status",
            "Inactive",
        ],
    )
    .json();
    w.aws(
        &bob,
        &[
            "iam",
            "delete-access-key",
            "--access-key-id",
            &second.key_id,
        ],
    )
    .json();
    let me = w.aws(&bob, &["iam", "get-user"]).json();
    assert_eq!(me["User"]["UserName"], "bob");

    // ...and nobody else's.
    w.aws(&bob, &["iam", "list-access-keys", "--user-name", "carol"])
        .failed_with("AccessDenied");
    w.aws(
        &bob,
        &[
            "iam",
            "delete-access-key",
            "--user-name",
            "carol",
            "--access-key-id",
            &carol_key.key_id,
        ],
    )
    .failed_with("AccessDenied");
    w.aws(
        &bob,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "bob",
            "--policy-name",
            "more",
            "--policy-document",
            &file,
        ],
    )
    .failed_with("AccessDenied");
    assert_eq!(w.key_ids(&w.root, Some("carol")).len(), 1);

    let bad = w.policy_file("{\"Statement\": []}");
    w.root(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "carol",
        "--policy-name",
        "p",
        "--policy-document",
        &bad,
    ])
    .failed_with("MalformedPolicyDocument");
    w.root(&[
        "iam",
        "delete-user-policy",
        "--user-name",
        "carol",
        "--policy-name",
        "p",
    ])
    .failed_with("NoSuchEntity");
    w.root(&["iam", "delete-user", "--user-name", "bob"])
        .failed_with("DeleteConflict");
}

#[test]
fn implicit_user_is_the_caller_and_limits_hold() {
    let w = start(&[]);
    // The root's own keys: it holds the bootstrap key and may have one more.
    let root_keys = w.key_ids(&w.root, None);
    assert_eq!(root_keys.len(), 1);
    let created = w.root(&["iam", "create-access-key"]).json();
    assert!(
        created["AccessKey"].get("UserName").is_none(),
        "a root key has no user name"
    );
    let limit = w.root(&["iam", "create-access-key"]);
    limit.failed_with("LimitExceeded");
    assert!(
        limit
            .stderr
            .contains("Cannot exceed quota for AccessKeysPerUser: 2")
    );
    assert_eq!(w.key_ids(&w.root, None).len(), 2);
    let me = w.root(&["iam", "get-user"]).json();
    assert_eq!(
        me["User"]["Arn"],
        format!("arn:aws:iam::{}:root", w.account).as_str()
    );
    let who = w.root(&["sts", "get-caller-identity"]).json();
    assert_eq!(who["Account"], w.account.as_str());
    assert_eq!(who["UserId"], w.account.as_str());

    w.root(&["iam", "create-user", "--user-name", "dave"])
        .json();
    w.root(&["iam", "create-user", "--user-name", "Dave"])
        .failed_with("EntityAlreadyExists");
    w.root(&["iam", "get-user", "--user-name", "nobody"])
        .failed_with("NoSuchEntity");
    w.root(&[
        "iam",
        "delete-access-key",
        "--access-key-id",
        "AKIDEXAMPLE0MISSING1",
    ])
    .failed_with("NoSuchEntity");
    w.root(&["iam", "list-access-keys", "--user-name", "nobody"])
        .failed_with("NoSuchEntity");
    w.root(&["iam", "create-user", "--user-name", "a b"])
        .failed_with("ValidationError");
    w.root(&[
        "iam",
        "update-access-key",
        "--access-key-id",
        "AKIDEXAMPLE0MISSING1",
        "--status",
        "Bogus",
    ])
    .failed_with("ValidationError");
}

#[test]
fn accounts_never_see_each_other() {
    let w = start(&[]);
    w.root(&["iam", "create-user", "--user-name", "alice"])
        .json();
    let alice_key = w.new_key(&w.root, Some("alice"));
    let out = keygate_tests::support::keygate(
        &[
            "admin",
            "--data-dir",
            w.server.data_dir.to_str().unwrap(),
            "create-account",
            "--name",
            "b",
        ],
        &[],
    );
    assert!(out.status.success());
    let b: CredentialsFile = serde_json::from_slice(&out.stdout).unwrap();
    let b = Creds::new(&b.access_key_id, &b.secret_access_key);

    let users = w.aws(&b, &["iam", "list-users"]).json();
    assert!(users["Users"].as_array().unwrap().is_empty());
    w.aws(&b, &["iam", "get-user", "--user-name", "alice"])
        .failed_with("NoSuchEntity");
    w.aws(
        &b,
        &[
            "iam",
            "delete-access-key",
            "--access-key-id",
            &alice_key.key_id,
        ],
    )
    .failed_with("NoSuchEntity");
    w.aws(
        &b,
        &[
            "iam",
            "get-access-key-last-used",
            "--access-key-id",
            &alice_key.key_id,
        ],
    )
    .failed_with("AccessDenied");
    // B's own alice is another user.
    w.aws(&b, &["iam", "create-user", "--user-name", "alice"])
        .json();
    w.aws(
        &b,
        &[
            "iam",
            "delete-access-key",
            "--user-name",
            "alice",
            "--access-key-id",
            &alice_key.key_id,
        ],
    )
    .failed_with("NoSuchEntity");
    assert_eq!(
        w.key_ids(&w.root, Some("alice")),
        vec![(alice_key.key_id.clone(), "Active".into())]
    );
}

#[test]
fn list_access_keys_pages_through_the_cli() {
    let w = start(&[("KEYGATE__LIMITS__ACCESS_KEYS_PER_PRINCIPAL", "5")]);
    w.root(&["iam", "create-user", "--user-name", "erin"])
        .json();
    let mut created: Vec<String> = (0..5)
        .map(|_| w.new_key(&w.root, Some("erin")).key_id)
        .collect();
    created.sort();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut args = vec![
            "iam",
            "list-access-keys",
            "--user-name",
            "erin",
            "--max-items",
            "2",
        ];
        let t;
        if let Some(tok) = &token {
            t = tok.clone();
            args.extend(["--starting-token", &t]);
        }
        let page = w.root(&args).json();
        pages += 1;
        let items = page["AccessKeyMetadata"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|k| k["AccessKeyId"].as_str().unwrap().to_owned()),
        );
        match page.get("NextToken").and_then(Value::as_str) {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    assert_eq!(seen, created);
    // --page-size makes the CLI follow the server's markers itself.
    let all = w
        .root(&[
            "iam",
            "list-access-keys",
            "--user-name",
            "erin",
            "--page-size",
            "2",
        ])
        .json();
    assert_eq!(all["AccessKeyMetadata"].as_array().unwrap().len(), 5);
}

#[test]
fn boto3_presigned_url_and_errors() {
    let w = start(&[]);
    w.root(&["iam", "create-user", "--user-name", "frank"])
        .json();
    let program = r#"
import os, boto3
c = boto3.client('iam', endpoint_url=os.environ['KEYGATE_ENDPOINT'], region_name='eu-west-2')
print(c.generate_presigned_url('list_users', Params={}, ExpiresIn=3600, HttpMethod='GET'))
"#;
    let url = boto3(&w.server, &w.root, program);
    assert!(url.ok, "{}", url.stderr);
    let url = url.stdout.trim();
    let path = &url[url.find("/?").unwrap()..];
    let (status, _, body) = http(w.server.addr, "GET", path, &[], b"");
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<UserName>frank</UserName>"), "{body}");
    // The URL is bound to its method.
    let (status, _, body) = http(w.server.addr, "POST", path, &[], b"");
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );

    let program = r#"
import os, boto3, botocore
c = boto3.client('iam', endpoint_url=os.environ['KEYGATE_ENDPOINT'], region_name='eu-west-2',
                 config=botocore.config.Config(retries={'total_max_attempts': 1}))
k = c.create_access_key(UserName='frank')['AccessKey']
assert k['Status'] == 'Active'
c.delete_access_key(AccessKeyId=k['AccessKeyId'], UserName='frank')
assert c.list_access_keys(UserName='frank')['AccessKeyMetadata'] == []
try:
    c.get_user(UserName='nobody')
except c.exceptions.NoSuchEntityException as e:
    print(e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
"#;
    let run = boto3(&w.server, &w.root, program);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "NoSuchEntity 404");
}

/// Lets a user list its own keys through the aws CLI, signed for eu-west-2, over plain HTTP.
const FROM_THE_CLI_IN_ONE_REGION: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "iam:ListAccessKeys",
            "Resource": "arn:aws:iam::*:user/${aws:username}",
            "Condition": {
                "StringEquals": {"aws:RequestedRegion": "eu-west-2"},
                "StringLike": {"aws:UserAgent": "aws-cli/*"},
                "StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "${aws:username}"}
            }
        },
        {
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}
        }
    ]
}"#;

#[test]
fn conditions_read_the_request_as_the_clients_send_it() {
    let w = start(&[]);
    w.root(&[
        "iam",
        "create-user",
        "--user-name",
        "carol",
        "--tags",
        "Key=team,Value=CAROL",
    ])
    .json();
    let carol = w.new_key(&w.root, Some("carol"));
    w.put_policy("carol", "cli-in-one-region", FROM_THE_CLI_IN_ONE_REGION)
        .json();
    assert_eq!(
        w.key_ids(&carol, None).len(),
        1,
        "allowed as the policy says"
    );
    w.aws(
        &carol,
        &["iam", "list-access-keys", "--region", "us-east-1"],
    )
    .failed_with("AccessDenied");
    let program = r#"
import os, boto3
c = boto3.client('iam', endpoint_url=os.environ['KEYGATE_ENDPOINT'], region_name='eu-west-2')
try:
    c.list_access_keys()
except c.exceptions.ClientError as e:
    print(e.response['Error']['Code'])
"#;
    let run = boto3(&w.server, &carol, program);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "AccessDenied",
        "boto3 is not the aws CLI"
    );
    // The tag the condition compares to the user name no longer matches.
    w.root(&[
        "iam",
        "tag-user",
        "--user-name",
        "carol",
        "--tags",
        "Key=team,Value=blue",
    ]);
    w.aws(&carol, &["iam", "list-access-keys"])
        .failed_with("AccessDenied");
    // A condition operator AWS does not know is refused when the policy is put.
    let typo = FROM_THE_CLI_IN_ONE_REGION.replace("StringLike", "StringLikes");
    w.put_policy("carol", "typo", &typo)
        .failed_with("MalformedPolicyDocument");
}

#[test]
fn groups_through_the_aws_cli_and_boto3() {
    let w = start(&[]);
    w.root(&["iam", "create-user", "--user-name", "gina"])
        .json();
    let gina = w.new_key(&w.root, Some("gina"));
    let made = w
        .root(&[
            "iam",
            "create-group",
            "--group-name",
            "readers",
            "--path",
            "/team/",
        ])
        .json();
    let g = &made["Group"];
    assert_eq!(g["GroupName"], "readers");
    assert_eq!(g["Path"], "/team/");
    assert!(g["GroupId"].as_str().unwrap().starts_with("AGPA"), "{g}");
    assert_eq!(
        g["Arn"],
        format!("arn:aws:iam::{}:group/team/readers", w.account)
    );
    w.root(&["iam", "create-group", "--group-name", "READERS"])
        .failed_with("EntityAlreadyExists");
    w.root(&["iam", "create-group", "--group-name", "blocked"])
        .json();
    let read = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Action": ["iam:ListAccessKeys", "api:ReadAccessKeys"],
        "Resource": "arn:aws:iam::*:user/${aws:username}"}}"#;
    w.root(&[
        "iam",
        "put-group-policy",
        "--group-name",
        "readers",
        "--policy-name",
        "read-own-keys",
        "--policy-document",
        read,
    ]);
    let deny = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;
    w.root(&[
        "iam",
        "put-group-policy",
        "--group-name",
        "blocked",
        "--policy-name",
        "nothing",
        "--policy-document",
        deny,
    ]);
    let got = w
        .root(&[
            "iam",
            "get-group-policy",
            "--group-name",
            "readers",
            "--policy-name",
            "read-own-keys",
        ])
        .json();
    assert_eq!(
        got["PolicyDocument"]["Statement"]["Effect"], "Allow",
        "the CLI decodes the document: {got}"
    );
    // No permission of its own; one through the group, in both dialects; a deny elsewhere wins.
    w.aws(&gina, &["iam", "list-access-keys"])
        .failed_with("AccessDenied");
    w.root(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "readers",
        "--user-name",
        "gina",
    ]);
    assert_eq!(w.key_ids(&gina, None).len(), 1, "granted by the group");
    let osc =
        keygate_tests::support::clients::osc_cli(&w.server, &gina, &["ReadAccessKeys"]).json();
    assert_eq!(osc["AccessKeys"].as_array().unwrap().len(), 1);
    w.root(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "blocked",
        "--user-name",
        "gina",
    ]);
    w.aws(&gina, &["iam", "list-access-keys"])
        .failed_with("AccessDenied");
    let program = r#"
import os, boto3
c = boto3.client('iam', endpoint_url=os.environ['KEYGATE_ENDPOINT'], region_name='eu-west-2')
print(sorted(g['GroupName'] for g in c.list_groups_for_user(UserName='gina')['Groups']))
g = c.get_group(GroupName='readers')
print(g['Group']['GroupName'], [u['UserName'] for u in g['Users']])
print([p for p in c.list_group_policies(GroupName='readers')['PolicyNames']])
try:
    c.delete_group(GroupName='readers')
except c.exceptions.DeleteConflictException as e:
    print(e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
try:
    c.delete_user(UserName='gina')
except c.exceptions.DeleteConflictException as e:
    print(e.response['Error']['Code'])
try:
    c.get_group(GroupName='nobody')
except c.exceptions.NoSuchEntityException as e:
    print(e.response['Error']['Code'])
try:
    c.get_group_policy(GroupName='readers', PolicyName='nope')
except c.exceptions.NoSuchEntityException as e:
    print(e.response['Error']['Message'])
c.update_group(GroupName='blocked', NewGroupName='quarantine', NewPath='/x/')
print([(g['GroupName'], g['Path']) for g in c.list_groups(PathPrefix='/x/')['Groups']])
c.remove_user_from_group(GroupName='quarantine', UserName='gina')
c.delete_group_policy(GroupName='quarantine', PolicyName='nothing')
c.delete_group(GroupName='quarantine')
print(sorted(g['GroupName'] for g in c.list_groups()['Groups']))
"#;
    let run = boto3(&w.server, &w.root, program);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "['blocked', 'readers']\nreaders ['gina']\n['read-own-keys']\nDeleteConflict 409\nDeleteConflict\nNoSuchEntity\nThe group policy with name nope cannot be found.\n[('quarantine', '/x/')]\n['readers']"
    );
    assert_eq!(
        w.key_ids(&gina, None).len(),
        1,
        "the deny went with its group"
    );
    w.root(&[
        "iam",
        "remove-user-from-group",
        "--group-name",
        "readers",
        "--user-name",
        "gina",
    ]);
    w.aws(&gina, &["iam", "list-access-keys"])
        .failed_with("AccessDenied");
}
