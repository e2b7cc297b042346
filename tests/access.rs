//! Access governance end to end: osc-cli and osc-sdk-python read and set the API access policy
//! and rules; a rule that does not admit 127.0.0.1 refuses the account's requests from there in
//! both dialects while a client bound to 127.0.0.2 is admitted; a maximum key lifetime binds
//! CreateAccessKey in both dialects; every answer matches the official schemas.

use std::net::IpAddr;

use keygate_tests::support::clients::{Creds, aws, osc_cli, osc_sdk_python, validate_osc_schemas};
use keygate_tests::support::{Fresh, http_from, in_seconds, now, osc_call, sign};
use serde_json::{Value, json};

const OTHER: &str = "127.0.0.2";

/// A signed OSC call from `from`: status and answer.
fn osc_from(w: &Fresh, from: &str, call: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let host = w.server.addr.to_string();
    let headers = sign::osc4_json_headers(&host, call, &w.root, body.as_bytes());
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let from: IpAddr = from.parse().unwrap();
    let (status, _, out) = http_from(
        from,
        w.server.addr,
        "POST",
        &format!("/api/v1/{call}"),
        &refs,
        body.as_bytes(),
    );
    (status, serde_json::from_slice(&out).unwrap_or(Value::Null))
}

/// IAM ListUsers from `from`, signed as the aws CLI signs: the status.
fn iam_from(w: &Fresh, from: &str) -> u16 {
    let body = b"Action=ListUsers&Version=2010-05-08";
    let host = w.server.addr.to_string();
    let headers = sign::aws4_form_headers(&host, &w.root, body, "us-east-1", "iam", now());
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    http_from(
        from.parse().unwrap(),
        w.server.addr,
        "POST",
        "/",
        &refs,
        body,
    )
    .0
}

#[test]
fn api_access_rules_and_policy_through_osc_cli_and_the_sdk() {
    let w = Fresh::start(&[]);
    let root = &w.root;
    let mut answers: Vec<(String, u16, String)> = Vec::new();
    let mut call = |creds: &Creds, name: &str, body: Value| -> (u16, Value) {
        let (status, out) = osc_call(w.server.addr, creds, name, body.to_string().as_bytes());
        let text = String::from_utf8_lossy(&out).into_owned();
        answers.push((name.to_owned(), status, text.clone()));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    };

    let policy = osc_cli(&w.server, root, &["ReadApiAccessPolicy"]).json();
    assert_eq!(
        policy["ApiAccessPolicy"],
        json!({"MaxAccessKeyExpirationSeconds": 0, "RequireTrustedEnv": false})
    );
    let rules = osc_cli(&w.server, root, &["ReadApiAccessRules"]).json();
    let default = rules["ApiAccessRules"][0].clone();
    assert_eq!(default["IpRanges"], json!(["0.0.0.0/0"]));
    assert_eq!(default["Description"], "Allows all IPv4 domain");
    call(root, "ReadApiAccessRules", json!({}));
    call(root, "ReadApiAccessPolicy", json!({}));

    // Only 127.0.0.2 from now on: the SDK makes the rule, osc-cli deletes the default one.
    let program = format!(
        r#"
g = gw()
r = g.CreateApiAccessRule(IpRanges=['{OTHER}/32'], Description='second loopback')['ApiAccessRule']
print(r['ApiAccessRuleId'])
found = g.ReadApiAccessRules(Filters={{'Descriptions': ['second loopback']}})['ApiAccessRules']
assert [x['ApiAccessRuleId'] for x in found] == [r['ApiAccessRuleId']], found
"#
    );
    let run = osc_sdk_python(&w.server, root, &program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    let other = run.stdout.trim().to_owned();
    assert!(other.starts_with("aar-"), "{other}");
    osc_cli(
        &w.server,
        root,
        &[
            "DeleteApiAccessRule",
            "--ApiAccessRuleId",
            default["ApiAccessRuleId"].as_str().unwrap(),
        ],
    )
    .json();

    // 127.0.0.1 is refused in both dialects; 127.0.0.2 is admitted in both.
    let refused = osc_cli(&w.server, root, &["ReadAccessKeys"]);
    refused.osc_failed_with(401, "14");
    let iam = aws(&w.server, root, &["iam", "list-users"]);
    iam.failed_with("AccessDenied");
    assert!(
        iam.stderr.contains("API access rules do not admit"),
        "{}",
        iam.stderr
    );
    let (status, keys) = osc_from(&w, OTHER, "ReadAccessKeys", &json!({}));
    assert_eq!(status, 200, "{keys}");
    assert_eq!(iam_from(&w, OTHER), 200);
    assert_eq!(iam_from(&w, "127.0.0.1"), 403);

    // The last rule stays; replaced from where it admits, it admits 127.0.0.1 again.
    let (status, last) = osc_from(
        &w,
        OTHER,
        "DeleteApiAccessRule",
        &json!({"ApiAccessRuleId": other}),
    );
    assert_eq!(status, 400, "{last}");
    assert_eq!(last["Errors"][0]["Code"], "4118");
    assert!(
        last["Errors"][0]["Details"]
            .as_str()
            .unwrap()
            .contains("last remaining"),
        "{last}"
    );
    let (status, replaced) = osc_from(
        &w,
        OTHER,
        "UpdateApiAccessRule",
        &json!({"ApiAccessRuleId": other, "IpRanges": ["127.0.0.0/8"]}),
    );
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["ApiAccessRule"]["Description"], "");
    let (status, bad) = call(
        root,
        "CreateApiAccessRule",
        json!({"IpRanges": ["1.1.1/32"]}),
    );
    assert_eq!(status, 400, "{bad}");
    let (status, bad) = call(root, "CreateApiAccessRule", json!({"Description": "x"}));
    assert_eq!((status, &bad["Errors"][0]["Code"]), (400, &json!("4118")));
    call(
        root,
        "UpdateApiAccessRule",
        json!({"ApiAccessRuleId": other, "IpRanges": ["127.0.0.0/8"], "Description": "loopback"}),
    );
    call(
        root,
        "ReadApiAccessRules",
        json!({"Filters": {"IpRanges": ["127.0.0.0/8"]}}),
    );

    // Client CAs: a CA certificate is kept by its fingerprint; a rule may name it; a CA a rule
    // names stays.
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let ca_pem = params.self_signed(&key).unwrap().pem();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_pem = rcgen::CertificateParams::new(vec!["client".to_owned()])
        .unwrap()
        .self_signed(&leaf_key)
        .unwrap()
        .pem();
    let (status, made) = call(
        root,
        "CreateCa",
        json!({"CaPem": ca_pem, "Description": "ops CA"}),
    );
    assert_eq!(status, 200, "{made}");
    let ca_id = made["Ca"]["CaId"].as_str().unwrap().to_owned();
    assert!(ca_id.starts_with("ca-"));
    assert_eq!(made["Ca"]["CaFingerprint"].as_str().unwrap().len(), 40);
    let (status, leaf) = call(root, "CreateCa", json!({"CaPem": leaf_pem}));
    assert_eq!((status, &leaf["Errors"][0]["Code"]), (400, &json!("4124")));
    let (status, _) = call(
        root,
        "UpdateCa",
        json!({"CaId": ca_id, "Description": "ops CA, 2026"}),
    );
    assert_eq!(status, 200);
    let (_, cas) = call(root, "ReadCas", json!({"Filters": {"CaIds": [ca_id]}}));
    assert_eq!(cas["Cas"][0]["Description"], "ops CA, 2026");
    let (status, with_ca) = call(
        root,
        "CreateApiAccessRule",
        json!({"CaIds": [ca_id], "Cns": ["client"], "Description": "certificates"}),
    );
    assert_eq!(status, 200, "{with_ca}");
    let (status, in_use) = call(root, "DeleteCa", json!({"CaId": ca_id}));
    assert_eq!(
        (status, &in_use["Errors"][0]["Code"]),
        (400, &json!("4118"))
    );
    let (status, _) = call(
        root,
        "DeleteApiAccessRule",
        json!({"ApiAccessRuleId": with_ca["ApiAccessRule"]["ApiAccessRuleId"]}),
    );
    assert_eq!(status, 200);
    let (status, _) = call(root, "DeleteCa", json!({"CaId": ca_id}));
    assert_eq!(status, 200);

    // A maximum key lifetime: first every key must expire within it.
    let refused = osc_cli(
        &w.server,
        root,
        &[
            "UpdateApiAccessPolicy",
            "--MaxAccessKeyExpirationSeconds",
            "3600",
            "--RequireTrustedEnv",
            "False",
        ],
    );
    refused.osc_failed_with(400, "4118");
    let soon = in_seconds(1800);
    let (status, _) = call(
        root,
        "UpdateAccessKey",
        json!({"AccessKeyId": root.key_id, "State": "ACTIVE", "ExpirationDate": soon}),
    );
    assert_eq!(status, 200);
    let (status, set) = call(
        root,
        "UpdateApiAccessPolicy",
        json!({"MaxAccessKeyExpirationSeconds": 3600, "RequireTrustedEnv": false}),
    );
    assert_eq!(status, 200, "{set}");
    let (status, trusted) = call(
        root,
        "UpdateApiAccessPolicy",
        json!({"MaxAccessKeyExpirationSeconds": 3600, "RequireTrustedEnv": true}),
    );
    assert_eq!(
        (status, &trusted["Errors"][0]["Code"]),
        (400, &json!("4118"))
    );
    // The OSC API wants a date within the maximum; IAM's CreateAccessKey, which has no date to
    // give, gets the maximum.
    let (status, missing) = call(root, "CreateAccessKey", json!({}));
    assert_eq!(
        (status, &missing["Errors"][0]["Code"]),
        (400, &json!("4118"))
    );
    let (status, within) = call(
        root,
        "CreateAccessKey",
        json!({"ExpirationDate": in_seconds(600)}),
    );
    assert_eq!(status, 200, "{within}");
    let (status, _) = call(
        root,
        "DeleteAccessKey",
        json!({"AccessKeyId": within["AccessKey"]["AccessKeyId"]}),
    );
    assert_eq!(status, 200, "the root's second key slot is free again");
    let made = aws(&w.server, root, &["iam", "create-access-key"]).json();
    let id = made["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let (_, listed) = call(
        root,
        "ReadAccessKeys",
        json!({"Filters": {"AccessKeyIds": [id]}}),
    );
    assert!(
        listed["AccessKeys"][0]["ExpirationDate"].is_string(),
        "{listed}"
    );
    let (status, _) = call(
        root,
        "UpdateApiAccessPolicy",
        json!({"MaxAccessKeyExpirationSeconds": 0, "RequireTrustedEnv": false}),
    );
    assert_eq!(status, 200);
    validate_osc_schemas(&answers).unwrap_or_else(|report| panic!("{report}"));
}

/// Every governance call through osc-sdk-python, then through osc-cli: the SDK checks each
/// call's parameters against its copy of the spec, and the raw answers are checked against the
/// official schemas.
#[test]
fn every_governance_call_through_the_sdk_and_osc_cli() {
    let w = Fresh::start(&[]);
    let root = &w.root;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let ca_pem = params.self_signed(&key).unwrap().pem();
    let program = format!(
        r#"
g = gw()
p = g.ReadApiAccessPolicy()['ApiAccessPolicy']
assert p == {{'MaxAccessKeyExpirationSeconds': 0, 'RequireTrustedEnv': False}}, p
g.UpdateApiAccessPolicy(MaxAccessKeyExpirationSeconds=0, RequireTrustedEnv=False)
ca = g.CreateCa(CaPem='''{ca_pem}''', Description='sdk CA')['Ca']
g.UpdateCa(CaId=ca['CaId'], Description='sdk CA, renamed')
cas = g.ReadCas(Filters={{'CaFingerprints': [ca['CaFingerprint']]}})['Cas']
assert [c['Description'] for c in cas] == ['sdk CA, renamed'], cas
rule = g.CreateApiAccessRule(IpRanges=['127.0.0.1/32'], CaIds=[ca['CaId']], Cns=['sdk'])['ApiAccessRule']
rule = g.UpdateApiAccessRule(ApiAccessRuleId=rule['ApiAccessRuleId'], IpRanges=['127.0.0.1'], Description='sdk rule')['ApiAccessRule']
assert rule['CaIds'] == [] and rule['Description'] == 'sdk rule', rule
rules = g.ReadApiAccessRules(Filters={{'ApiAccessRuleIds': [rule['ApiAccessRuleId']]}})['ApiAccessRules']
assert [r['IpRanges'] for r in rules] == [['127.0.0.1']], rules
g.DeleteApiAccessRule(ApiAccessRuleId=rule['ApiAccessRuleId'])
g.DeleteCa(CaId=ca['CaId'])
logs = g.ReadApiLogs(Filters={{'QueryCallNames': ['CreateCa', 'DeleteCa']}})['Logs']
assert [l['QueryCallName'] for l in logs] == ['CreateCa', 'DeleteCa'], logs
print(ca['CaId'])
"#
    );
    let run = osc_sdk_python(&w.server, root, &program);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);

    let pem = format!("--CaPem={ca_pem}");
    let ca = osc_cli(&w.server, root, &["CreateCa", &pem]).json()["Ca"]["CaId"]
        .as_str()
        .unwrap()
        .to_owned();
    let renamed = ["UpdateCa", "--CaId", &ca, "--Description", "cli CA"];
    osc_cli(&w.server, root, &renamed).json();
    let cas = osc_cli(&w.server, root, &["ReadCas"]).json();
    assert_eq!(cas["Cas"][0]["Description"], "cli CA", "{cas}");
    let rule = osc_cli(
        &w.server,
        root,
        &["CreateApiAccessRule", "--IpRanges", "[\"127.0.0.1\"]"],
    )
    .json()["ApiAccessRule"]["ApiAccessRuleId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ca_ids = format!("[\"{ca}\"]");
    let updated = osc_cli(
        &w.server,
        root,
        &[
            "UpdateApiAccessRule",
            "--ApiAccessRuleId",
            &rule,
            "--IpRanges",
            "[\"127.0.0.0/8\"]",
            "--CaIds",
            &ca_ids,
            "--Description",
            "cli rule",
        ],
    )
    .json();
    assert_eq!(updated["ApiAccessRule"]["CaIds"], json!([ca]), "{updated}");
    osc_cli(
        &w.server,
        root,
        &["DeleteApiAccessRule", "--ApiAccessRuleId", &rule],
    )
    .json();
    osc_cli(&w.server, root, &["DeleteCa", "--CaId", &ca]).json();
    let logs = osc_cli(
        &w.server,
        root,
        &[
            "ReadApiLogs",
            "--Filters",
            "{\"QueryCallNames\": [\"UpdateApiAccessRule\"]}",
        ],
    )
    .json();
    let calls: Vec<&str> = logs["Logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["QueryCallName"].as_str().unwrap())
        .collect();
    assert_eq!(
        calls,
        ["UpdateApiAccessRule", "UpdateApiAccessRule"],
        "{logs}"
    );

    // ReadApiLogs's raw answer, paged, against the schema.
    let body = json!({"Filters": {"QueryCallNames": ["CreateCa"]}, "ResultsPerPage": 1});
    let (status, out) = osc_call(
        w.server.addr,
        root,
        "ReadApiLogs",
        body.to_string().as_bytes(),
    );
    let text = String::from_utf8_lossy(&out).into_owned();
    assert_eq!(status, 200, "{text}");
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["Logs"].as_array().unwrap().len(), 1, "{page}");
    assert!(page["NextPageToken"].is_string(), "{page}");
    validate_osc_schemas(&[("ReadApiLogs".to_owned(), status, text)])
        .unwrap_or_else(|report| panic!("{report}"));
}
