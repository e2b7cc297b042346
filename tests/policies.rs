//! Managed policies end to end: the aws CLI and boto3 on the IAM dialect, osc-cli and
//! osc-sdk-python on the OSC dialect, the OSC answers checked against the official schemas, and
//! one policy seen, attached and changed through both.

use keygate_tests::support::clients::{
    Creds, aws, boto3, osc_cli, osc_sdk_python, validate_osc_schemas,
};
use keygate_tests::support::{Fresh, osc_call};
use serde_json::{Value, json};

const READ_KEYS: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListAccessKeys", "api:ReadAccessKeys"], "Resource": "*"}]}"#;
const DENY_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#;

/// A new user with a key, as credentials.
fn user_with_key(w: &Fresh, name: &str) -> Creds {
    aws(
        &w.server,
        &w.root,
        &["iam", "create-user", "--user-name", name],
    )
    .json();
    let k = aws(
        &w.server,
        &w.root,
        &["iam", "create-access-key", "--user-name", name],
    )
    .json();
    Creds::new(
        k["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        k["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
    )
}

/// A document as osc-cli must be given it: a JSON string, or its parser reads an object.
fn quoted(doc: &str) -> String {
    serde_json::to_string(doc).unwrap()
}

fn names(v: &Value, list: &str, field: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {v}"))
        .iter()
        .map(|p| p[field].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn managed_policies_through_the_aws_cli_and_boto3() {
    let w = Fresh::start(&[]);
    let iam = |args: &[&str]| aws(&w.server, &w.root, args);
    let account = w.file.account_id.clone();
    let arn = format!("arn:aws:iam::{account}:policy/team/readers");
    let made = iam(&[
        "iam",
        "create-policy",
        "--policy-name",
        "readers",
        "--path",
        "/team/",
        "--description",
        "reads keys",
        "--policy-document",
        READ_KEYS,
        "--tags",
        "Key=owner,Value=ops",
    ])
    .json();
    let p = &made["Policy"];
    assert_eq!(p["Arn"], arn);
    assert_eq!(p["DefaultVersionId"], "v1");
    assert_eq!(p["AttachmentCount"], 0);
    assert!(p["PolicyId"].as_str().unwrap().starts_with("ANPA"), "{p}");
    iam(&[
        "iam",
        "create-policy",
        "--policy-name",
        "READERS",
        "--policy-document",
        READ_KEYS,
    ])
    .failed_with("EntityAlreadyExists");
    iam(&[
        "iam",
        "create-policy",
        "--policy-name",
        "old",
        "--policy-document",
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    ])
    .failed_with("MalformedPolicyDocument");
    // Versions: four more, then the limit; the default is never deleted.
    for n in 2..=5 {
        let default = if n == 3 {
            "--set-as-default"
        } else {
            "--no-set-as-default"
        };
        let v = iam(&[
            "iam",
            "create-policy-version",
            "--policy-arn",
            &arn,
            "--policy-document",
            READ_KEYS,
            default,
        ])
        .json();
        assert_eq!(v["PolicyVersion"]["VersionId"], format!("v{n}"));
    }
    iam(&[
        "iam",
        "create-policy-version",
        "--policy-arn",
        &arn,
        "--policy-document",
        READ_KEYS,
    ])
    .failed_with("LimitExceeded");
    iam(&[
        "iam",
        "delete-policy-version",
        "--policy-arn",
        &arn,
        "--version-id",
        "v3",
    ])
    .failed_with("DeleteConflict");
    let got = iam(&[
        "iam",
        "get-policy-version",
        "--policy-arn",
        &arn,
        "--version-id",
        "v3",
    ])
    .json();
    assert_eq!(got["PolicyVersion"]["IsDefaultVersion"], true);
    assert_eq!(
        got["PolicyVersion"]["Document"]["Statement"][0]["Action"][1], "api:ReadAccessKeys",
        "the CLI decodes the URL-encoded document"
    );
    let versions = iam(&["iam", "list-policy-versions", "--policy-arn", &arn]).json();
    assert_eq!(
        names(&versions, "Versions", "VersionId"),
        ["v5", "v4", "v3", "v2", "v1"]
    );
    iam(&[
        "iam",
        "set-default-policy-version",
        "--policy-arn",
        &arn,
        "--version-id",
        "v1",
    ])
    .json();
    iam(&["iam", "delete-policy", "--policy-arn", &arn]).failed_with("DeleteConflict");
    // The catalog, by scope.
    let provider = iam(&["iam", "list-policies", "--scope", "AWS"]).json();
    assert_eq!(
        names(&provider, "Policies", "PolicyName"),
        [
            "AdministratorAccess",
            "ManageOwnAccessKeys",
            "ReadOnlyAccess"
        ]
    );
    let local = iam(&["iam", "list-policies", "--scope", "Local"]).json();
    assert_eq!(names(&local, "Policies", "PolicyName"), ["readers"]);
    assert!(
        local["Policies"][0].get("Tags").is_none(),
        "listings leave tags out"
    );
    iam(&[
        "iam",
        "create-policy-version",
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "--policy-document",
        READ_KEYS,
    ])
    .failed_with("AccessDenied");

    // A user with no policy of its own gains a permission through its group's attached
    // policy, is denied by another group's, and loses it when it leaves the group.
    let kim = user_with_key(&w, "kim");
    aws(&w.server, &kim, &["iam", "list-access-keys"]).failed_with("AccessDenied");
    iam(&["iam", "create-group", "--group-name", "devs"]).json();
    iam(&["iam", "create-group", "--group-name", "blocked"]).json();
    iam(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "devs",
        "--policy-arn",
        &arn,
    ])
    .json();
    iam(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "devs",
        "--user-name",
        "kim",
    ])
    .json();
    aws(&w.server, &kim, &["iam", "list-access-keys"]).json();
    let deny = iam(&[
        "iam",
        "create-policy",
        "--policy-name",
        "deny-all",
        "--policy-document",
        DENY_ALL,
    ])
    .json();
    let deny_arn = deny["Policy"]["Arn"].as_str().unwrap().to_owned();
    iam(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "blocked",
        "--policy-arn",
        &deny_arn,
    ])
    .json();
    iam(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "blocked",
        "--user-name",
        "kim",
    ])
    .json();
    let denied = aws(&w.server, &kim, &["iam", "list-access-keys"]);
    denied.failed_with("AccessDenied");
    assert!(
        denied.stderr.contains(&format!(
            "with an explicit deny in an identity-based policy: {deny_arn}"
        )),
        "the deciding policy is named: {}",
        denied.stderr
    );
    for g in ["blocked", "devs"] {
        iam(&[
            "iam",
            "remove-user-from-group",
            "--group-name",
            g,
            "--user-name",
            "kim",
        ])
        .json();
    }
    aws(&w.server, &kim, &["iam", "list-access-keys"]).failed_with("AccessDenied");
    iam(&["iam", "delete-group", "--group-name", "blocked"]).failed_with("DeleteConflict");

    // boto3: attachments, entities, tags, pagination, and the conflicts on deletion.
    let program = format!(
        r#"
import boto3, botocore, os
iam = boto3.client('iam', endpoint_url=os.environ['KEYGATE_ENDPOINT'])
arn = '{arn}'
iam.attach_user_policy(UserName='kim', PolicyArn=arn)
iam.attach_user_policy(UserName='kim', PolicyArn='arn:aws:iam::aws:policy/ReadOnlyAccess')
print([p['PolicyName'] for p in iam.list_attached_user_policies(UserName='kim')['AttachedPolicies']])
print(iam.get_policy(PolicyArn=arn)['Policy']['AttachmentCount'])
e = iam.list_entities_for_policy(PolicyArn=arn)
print([g['GroupName'] for g in e['PolicyGroups']], [u['UserName'] for u in e['PolicyUsers']])
print([u['UserName'] for u in iam.list_entities_for_policy(PolicyArn=arn, EntityFilter='User')['PolicyUsers']])
print([p['PolicyName'] for p in iam.list_policies(OnlyAttached=True)['Policies']])
pages = iam.get_paginator('list_policies').paginate(PaginationConfig={{'PageSize': 2}})
print(len([p for page in pages for p in page['Policies']]))
iam.tag_policy(PolicyArn=arn, Tags=[{{'Key': 'tier', 'Value': '1'}}])
iam.untag_policy(PolicyArn=arn, TagKeys=['owner'])
print([t['Key'] for t in iam.list_policy_tags(PolicyArn=arn)['Tags']])
for call in (lambda: iam.delete_user(UserName='kim'),
             lambda: iam.detach_group_policy(GroupName='blocked', PolicyArn=arn),
             lambda: iam.get_policy(PolicyArn=arn.replace('readers', 'nobody')),
             lambda: iam.attach_user_policy(UserName='kim', PolicyArn=arn.replace('readers', 'nobody'))):
    try:
        call()
    except botocore.exceptions.ClientError as err:
        print(err.response['Error']['Code'], err.response['ResponseMetadata']['HTTPStatusCode'])
iam.detach_user_policy(UserName='kim', PolicyArn=arn)
print([p['PolicyName'] for p in iam.list_attached_user_policies(UserName='kim')['AttachedPolicies']])
"#
    );
    let run = boto3(&w.server, &w.root, &program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "['readers', 'ReadOnlyAccess']\n2\n['devs'] ['kim']\n['kim']\n\
         ['deny-all', 'readers', 'ReadOnlyAccess']\n5\n['tier']\n\
         DeleteConflict 409\nNoSuchEntity 404\nNoSuchEntity 404\nNoSuchEntity 404\n['ReadOnlyAccess']"
    );
    // The provider's read-only policy, attached to kim, now lets it list.
    aws(&w.server, &kim, &["iam", "list-access-keys"]).json();

    // Clean-up, each step the way AWS wants it: detach, delete the other versions, delete.
    iam(&[
        "iam",
        "detach-group-policy",
        "--group-name",
        "devs",
        "--policy-arn",
        &arn,
    ])
    .json();
    for v in ["v2", "v3", "v4", "v5"] {
        iam(&[
            "iam",
            "delete-policy-version",
            "--policy-arn",
            &arn,
            "--version-id",
            v,
        ])
        .json();
    }
    iam(&["iam", "delete-policy", "--policy-arn", &arn]).json();
    iam(&["iam", "get-policy", "--policy-arn", &arn]).failed_with("NoSuchEntity");
    let left = iam(&["iam", "list-policies", "--scope", "Local"]).json();
    assert_eq!(names(&left, "Policies", "PolicyName"), ["deny-all"]);
}

/// A raw, signed OSC call: status and body.
fn call(w: &Fresh, creds: &Creds, name: &str, body: &Value) -> (u16, String) {
    let (s, b) = osc_call(w.server.addr, creds, name, body.to_string().as_bytes());
    (s, String::from_utf8_lossy(&b).into_owned())
}

#[test]
fn managed_policies_through_osc_cli_and_osc_sdk_python_match_the_schemas() {
    let w = Fresh::start(&[]);
    let account = w.file.account_id.clone();
    let orn = format!("orn:ows:idauth::{account}:policy/team/readers");
    let osc = |args: &[&str]| osc_cli(&w.server, &w.root, args);
    let made = osc(&[
        "CreatePolicy",
        "--PolicyName",
        "readers",
        "--Path",
        "/team/",
        "--Description",
        "reads keys",
        "--Document",
        &quoted(READ_KEYS),
    ])
    .json();
    assert_eq!(made["Policy"]["Orn"], orn);
    assert_eq!(made["Policy"]["PolicyDefaultVersionId"], "v1");
    assert_eq!(made["Policy"]["ResourcesCount"], 0);
    let v2 = osc(&[
        "CreatePolicyVersion",
        "--PolicyOrn",
        &orn,
        "--Document",
        &quoted(DENY_ALL),
        "--SetAsDefault",
        "True",
    ])
    .json();
    assert_eq!(v2["PolicyVersion"]["VersionId"], "v2");
    assert_eq!(
        v2["PolicyVersion"]["Body"], DENY_ALL,
        "the document as it was given"
    );
    osc(&[
        "DeletePolicyVersion",
        "--PolicyOrn",
        &orn,
        "--VersionId",
        "v2",
    ])
    .osc_failed_with(409, "9029");
    // Outscale takes `V1` for `v1`.
    osc(&[
        "SetDefaultPolicyVersion",
        "--PolicyOrn",
        &orn,
        "--VersionId",
        "V1",
    ])
    .json();
    osc(&["CreateUser", "--UserName", "lea"]).json();
    osc(&["CreateUserGroup", "--UserGroupName", "devs"]).json();
    let program = format!(
        r#"
g = gw()
orn = '{orn}'
g.LinkPolicy(PolicyOrn=orn, UserName='lea')
g.LinkManagedPolicyToUserGroup(PolicyOrn=orn, UserGroupName='devs')
g.LinkPolicy(PolicyOrn='orn:ows:idauth::000000000000:policy/ReadOnlyAccess', UserName='lea')
print([p['PolicyName'] for p in g.ReadLinkedPolicies(UserName='lea')['Policies']])
print([p['PolicyName'] for p in g.ReadManagedPoliciesLinkedToUserGroup(UserGroupName='devs')['Policies']])
print(g.ReadPolicy(PolicyOrn=orn)['Policy']['ResourcesCount'])
e = g.ReadEntitiesLinkedToPolicy(PolicyOrn=orn)['PolicyEntities']
print([u['Name'] for u in e['Users']], [x['Name'] for x in e['Groups']], e['ItemsCount'])
print([p['PolicyName'] for p in g.ReadPolicies(Filters={{'Scope': 'OWS'}})['Policies']])
print([p['PolicyName'] for p in g.ReadPolicies(Filters={{'OnlyLinked': True}})['Policies']])
print([v['VersionId'] for v in g.ReadPolicyVersions(PolicyOrn=orn)['PolicyVersions']])
for call in (lambda: g.DeletePolicy(PolicyOrn=orn), lambda: g.DeleteUser(UserName='lea')):
    try:
        call()
    except Exception as err:
        print('9029' in str(err))
g.UnlinkPolicy(PolicyOrn=orn, UserName='lea')
g.UnlinkManagedPolicyFromUserGroup(PolicyOrn=orn, UserGroupName='devs')
print(g.ReadPolicy(PolicyOrn=orn)['Policy']['ResourcesCount'])
print(g.ReadPolicyVersion(PolicyOrn=orn, VersionId='v1')['PolicyVersion']['DefaultVersion'])
g.DeletePolicyVersion(PolicyOrn=orn, VersionId='v2')
g.DeletePolicy(PolicyOrn=orn)
print([p['PolicyName'] for p in g.ReadPolicies(Filters={{'Scope': 'LOCAL'}})['Policies']])
"#
    );
    let run = osc_sdk_python(&w.server, &w.root, &program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "['readers', 'ReadOnlyAccess']\n['readers']\n2\n['lea'] ['devs'] 2\n\
         ['AdministratorAccess', 'ManageOwnAccessKeys', 'ReadOnlyAccess']\n\
         ['readers', 'ReadOnlyAccess']\n['v2', 'v1']\nTrue\nTrue\n0\nTrue\n[]"
    );

    // Every call's answer, and its errors, against the official schemas.
    let r = &w.root;
    let mut answers: Vec<(String, u16, String)> = Vec::new();
    let mut raw = |name: &str, body: Value| -> Value {
        let (status, text) = call(&w, r, name, &body);
        answers.push((name.to_owned(), status, text.clone()));
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    raw(
        "CreatePolicy",
        json!({"PolicyName": "writers", "Document": READ_KEYS, "DryRun": true}),
    );
    raw(
        "CreatePolicy",
        json!({"PolicyName": "writers", "Document": READ_KEYS}),
    );
    let writers = format!("orn:ows:idauth::{account}:policy/writers");
    raw("ReadPolicy", json!({"PolicyOrn": writers}));
    raw(
        "ReadPolicies",
        json!({"Filters": {"Scope": "LOCAL", "PathPrefix": "/"}, "FirstItem": 0, "ResultsPerPage": 1}),
    );
    raw(
        "CreatePolicyVersion",
        json!({"PolicyOrn": writers, "Document": DENY_ALL}),
    );
    raw(
        "ReadPolicyVersion",
        json!({"PolicyOrn": writers, "VersionId": "v2"}),
    );
    raw("ReadPolicyVersions", json!({"PolicyOrn": writers}));
    raw(
        "SetDefaultPolicyVersion",
        json!({"PolicyOrn": writers, "VersionId": "v2"}),
    );
    raw(
        "DeletePolicyVersion",
        json!({"PolicyOrn": writers, "VersionId": "v1"}),
    );
    raw(
        "LinkPolicy",
        json!({"PolicyOrn": writers, "UserName": "lea"}),
    );
    raw(
        "ReadLinkedPolicies",
        json!({"UserName": "lea", "Filters": {"PathPrefix": "/"}}),
    );
    raw(
        "LinkManagedPolicyToUserGroup",
        json!({"PolicyOrn": writers, "UserGroupName": "devs"}),
    );
    raw(
        "ReadManagedPoliciesLinkedToUserGroup",
        json!({"UserGroupName": "devs"}),
    );
    raw(
        "ReadEntitiesLinkedToPolicy",
        json!({"PolicyOrn": writers, "EntitiesType": ["USER", "GROUP", "ACCOUNT"]}),
    );
    raw(
        "UnlinkManagedPolicyFromUserGroup",
        json!({"PolicyOrn": writers, "UserGroupName": "devs"}),
    );
    raw(
        "UnlinkPolicy",
        json!({"PolicyOrn": writers, "UserName": "lea"}),
    );
    raw("DeletePolicy", json!({"PolicyOrn": writers}));
    // Errors.
    raw("ReadPolicy", json!({"PolicyOrn": writers}));
    raw(
        "ReadPolicy",
        json!({"PolicyOrn": "arn:aws:iam::aws:policy/x"}),
    );
    raw(
        "CreatePolicyVersion",
        json!({"PolicyOrn": orn, "Document": READ_KEYS, "DryRun": true}),
    );
    raw("DeletePolicy", json!({"PolicyOrn": orn, "DryRun": true}));
    raw(
        "CreatePolicyVersion",
        json!({"PolicyOrn": "orn:ows:idauth::000000000000:policy/ReadOnlyAccess", "Document": READ_KEYS}),
    );
    assert_eq!(
        answers.iter().filter(|(_, s, _)| *s == 200).count(),
        17,
        "{answers:#?}"
    );
    let (_, status, text) = &answers[answers.len() - 3];
    assert!(
        *status == 400 && text.contains("4045"),
        "no DryRun in its schema: {text}"
    );
    validate_osc_schemas(&answers).unwrap_or_else(|report| panic!("{report}"));
}

#[test]
fn one_policy_through_both_dialects() {
    let w = Fresh::start(&[]);
    let account = w.file.account_id.clone();
    let made = aws(
        &w.server,
        &w.root,
        &[
            "iam",
            "create-policy",
            "--policy-name",
            "shared",
            "--policy-document",
            READ_KEYS,
        ],
    )
    .json();
    let id = made["Policy"]["PolicyId"].as_str().unwrap().to_owned();
    let orn = format!("orn:ows:idauth::{account}:policy/shared");
    let read = osc_cli(&w.server, &w.root, &["ReadPolicy", "--PolicyOrn", &orn]).json();
    assert_eq!(
        read["Policy"]["PolicyId"], id,
        "the ARN and the ORN name one policy"
    );
    // Attached in one dialect, its permission used in the other.
    let nora = user_with_key(&w, "nora");
    osc_cli(&w.server, &nora, &["ReadAccessKeys"]).osc_failed_with(401, "4");
    osc_cli(
        &w.server,
        &w.root,
        &["LinkPolicy", "--PolicyOrn", &orn, "--UserName", "nora"],
    )
    .json();
    osc_cli(&w.server, &nora, &["ReadAccessKeys"]).json();
    aws(&w.server, &nora, &["iam", "list-access-keys"]).json();
    let attached = aws(
        &w.server,
        &w.root,
        &["iam", "list-attached-user-policies", "--user-name", "nora"],
    )
    .json();
    assert_eq!(
        attached["AttachedPolicies"][0]["PolicyArn"],
        format!("arn:aws:iam::{account}:policy/shared")
    );
    // A new default version made by the OSC dialect changes what the IAM one allows.
    osc_cli(
        &w.server,
        &w.root,
        &[
            "CreatePolicyVersion",
            "--PolicyOrn",
            &orn,
            "--Document",
            &quoted(DENY_ALL),
            "--SetAsDefault",
            "True",
        ],
    )
    .json();
    aws(&w.server, &nora, &["iam", "list-access-keys"]).failed_with("AccessDenied");
    let versions = aws(
        &w.server,
        &w.root,
        &[
            "iam",
            "list-policy-versions",
            "--policy-arn",
            &format!("arn:aws:iam::{account}:policy/shared"),
        ],
    )
    .json();
    assert_eq!(names(&versions, "Versions", "VersionId"), ["v2", "v1"]);
}
