//! Property tests against the real server: arbitrary requests never make it fail (no 5xx),
//! always get an error in their dialect's envelope, and change nothing when they are refused.
//! Generated inputs cover the IAM form and query parser, the IAM parameter decoding behind a
//! valid signature, the OSC body decoder behind a valid signature, and the `Authorization`
//! header parsers of both signature flavours.

use keygate_tests::support::clients::Creds;
use keygate_tests::support::sign::{FORM, JSON, aws4_form_headers};
use keygate_tests::support::{Fresh, http, now};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

const IAM_ACTIONS: &[&str] = &[
    "CreateUser",
    "GetUser",
    "ListUsers",
    "UpdateUser",
    "DeleteUser",
    "TagUser",
    "UntagUser",
    "ListUserTags",
    "CreateAccessKey",
    "ListAccessKeys",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "GetAccessKeyLastUsed",
    "PutUserPolicy",
    "GetUserPolicy",
    "ListUserPolicies",
    "DeleteUserPolicy",
    "CreateGroup",
    "UpdateGroup",
    "DeleteGroup",
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "PutGroupPolicy",
    "DeleteGroupPolicy",
];

const IAM_PARAMS: &[&str] = &[
    "UserName",
    "NewUserName",
    "GroupName",
    "NewGroupName",
    "Path",
    "NewPath",
    "PathPrefix",
    "AccessKeyId",
    "Status",
    "PolicyName",
    "PolicyDocument",
    "MaxItems",
    "Marker",
    "PermissionsBoundary",
    "Tags.member.1.Key",
    "Tags.member.1.Value",
    "Tags.member.2.Key",
    "TagKeys.member.1",
    "Version",
    "Action",
];

const OSC_CALLS: &[&str] = &[
    "CreateAccessKey",
    "DeleteAccessKey",
    "ReadAccessKeys",
    "UpdateAccessKey",
    "CreateUser",
    "DeleteUser",
    "ReadUsers",
    "UpdateUser",
    "PutUserPolicy",
    "ReadUserPolicy",
    "ReadUserPolicies",
    "DeleteUserPolicy",
    "ReadAccounts",
    "CheckAuthentication",
    "CreateUserGroup",
    "AddUserToUserGroup",
    "PutUserGroupPolicy",
    "DeleteUserGroup",
];

const OSC_FIELDS: &[&str] = &[
    "UserName",
    "NewUserName",
    "UserEmail",
    "NewUserEmail",
    "Path",
    "NewPath",
    "AccessKeyId",
    "State",
    "ExpirationDate",
    "Tag",
    "PolicyName",
    "PolicyDocument",
    "Filters",
    "AccessKeyIds",
    "States",
    "UserIds",
    "FirstItem",
    "ResultsPerPage",
    "DryRun",
    "Login",
    "Password",
    "UserGroupName",
    "Force",
];

fn config() -> Config {
    Config {
        cases: 160,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Values worth trying in a field: names that fit or almost fit the patterns, numbers, dates,
/// states, text beyond ASCII.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9+=,.@_/-]{0,70}",
        "[ -~]{0,40}",
        "\\PC{0,20}",
        Just("ACTIVE".to_owned()),
        Just("Inactive".to_owned()),
        Just("2099-01-01".to_owned()),
        (-3i64..3000).prop_map(|n| n.to_string()),
    ]
}

fn form() -> impl Strategy<Value = String> {
    let pairs = prop::collection::vec((prop::sample::select(IAM_PARAMS), value()), 0..5);
    (prop::sample::select(IAM_ACTIONS), pairs).prop_map(|(action, pairs)| {
        let mut s = format!("Action={action}&Version=2010-05-08");
        for (k, v) in pairs {
            s.push('&');
            s.push_str(k);
            s.push('=');
            s.push_str(&percent_encode(&v));
        }
        s
    })
}

fn percent_encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        value().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(OSC_FIELDS), inner), 0..4).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// OSC bodies: mostly objects with the calls' field names, sometimes any text at all.
fn osc_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec((prop::sample::select(OSC_FIELDS), json_value()), 0..5)
            .prop_map(|kv| {
                let fields: Vec<String> = kv
                    .into_iter()
                    .map(|(k, v)| format!("{}:{v}", Value::from(k)))
                    .collect();
                // Built as text so that duplicate keys reach the server.
                format!("{{{}}}", fields.join(",")).into_bytes()
            }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

/// `Authorization` values: right schemes with broken parameters, and anything printable.
fn authorization() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(&["AWS4-HMAC-SHA256", "OSC4-HMAC-SHA256", "Basic", ""][..]);
    let part = prop_oneof![
        "Credential=[A-Z0-9]{0,24}(/[0-9a-z_-]{0,12}){0,6}",
        "SignedHeaders=[a-z;-]{0,40}",
        "Signature=[0-9a-f]{0,70}",
        "[ -~]{0,30}",
    ];
    (scheme, prop::collection::vec(part, 0..4))
        .prop_map(|(scheme, parts)| format!("{scheme} {}", parts.join(", ")).trim().to_owned())
}

struct World {
    fresh: Fresh,
}

impl World {
    fn iam(&self, creds: &Creds, body: &str) -> (u16, Vec<u8>) {
        let addr = self.fresh.server.addr;
        let headers = aws4_form_headers(
            &addr.to_string(),
            creds,
            body.as_bytes(),
            "eu-west-2",
            "iam",
            now(),
        );
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (s, _, b) = http(addr, "POST", "/", &refs, body.as_bytes());
        (s, b)
    }

    fn osc(&self, call: &str, body: &[u8]) -> (u16, Vec<u8>) {
        keygate_tests::support::osc_call(self.fresh.server.addr, &self.fresh.root, call, body)
    }

    /// Every user, key, group and policy of the account, as the APIs read them.
    fn snapshot(&self) -> String {
        let mut all = String::new();
        let (status, groups) = self.iam(&self.fresh.root, "Action=ListGroups&Version=2010-05-08");
        assert_eq!(status, 200);
        let groups = String::from_utf8_lossy(&groups).into_owned();
        all.push_str(&groups[..groups.find("<ResponseMetadata>").unwrap_or(groups.len())]);
        for name in groups
            .split("<GroupName>")
            .skip(1)
            .filter_map(|s| s.split('<').next())
        {
            for action in ["GetGroup", "ListGroupPolicies"] {
                let (status, b) = self.iam(
                    &self.fresh.root,
                    &format!(
                        "Action={action}&Version=2010-05-08&GroupName={}",
                        percent_encode(name)
                    ),
                );
                assert_eq!(status, 200, "{action} {name}");
                let b = String::from_utf8_lossy(&b).into_owned();
                all.push_str(&b[..b.find("<ResponseMetadata>").unwrap_or(b.len())]);
            }
        }
        let (_, users) = self.osc("ReadUsers", b"{}");
        let users: Value = serde_json::from_slice(&users).unwrap();
        let (_, keys) = self.osc("ReadAccessKeys", b"{}");
        all.push_str(&strip_context(&keys));
        for u in users["Users"].as_array().unwrap() {
            all.push_str(&u.to_string());
            let name = Value::from(u["UserName"].as_str().unwrap());
            for call in ["ReadAccessKeys", "ReadUserPolicies"] {
                let (_, b) = self.osc(call, format!("{{\"UserName\":{name}}}").as_bytes());
                all.push_str(&strip_context(&b));
            }
        }
        all
    }
}

fn strip_context(body: &[u8]) -> String {
    let mut v: Value = serde_json::from_slice(body).unwrap();
    if let Value::Object(m) = &mut v {
        m.remove("ResponseContext");
        // Last-use dates move with every signed request.
        if let Some(Value::Array(keys)) = m.get_mut("AccessKeys") {
            for k in keys {
                if let Value::Object(k) = k {
                    k.remove("LastUsedDate");
                }
            }
        }
    }
    v.to_string()
}

fn iam_error(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(body);
    prop_assert!((400..500).contains(&status), "status {status}: {text}");
    prop_assert!(text.starts_with("<?xml"), "{text}");
    prop_assert!(
        text.contains("<ErrorResponse") && text.contains("<Code>"),
        "{text}"
    );
    Ok(())
}

fn osc_error(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!((400..500).contains(&status), "status {status}");
    let v: Value =
        serde_json::from_slice(body).map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
    prop_assert!(v["Errors"][0]["Code"].is_string(), "{v}");
    prop_assert!(v["ResponseContext"]["RequestId"].is_string(), "{v}");
    Ok(())
}

#[test]
fn arbitrary_requests_get_their_dialects_error_and_change_nothing() {
    let w = World {
        fresh: Fresh::start(&[("KEYGATE__LIMITS__ACCESS_KEYS_PER_PRINCIPAL", "10")]),
    };
    let addr = w.fresh.server.addr;
    let root = w.fresh.root.clone();
    let state = std::cell::RefCell::new(w.snapshot());
    // Answers per runner, so that the test proves it reached both outcomes.
    let answered = std::cell::Cell::new(0u32);
    let refused = std::cell::Cell::new(0u32);

    // Any bytes as an IAM form body or query, any Authorization: refused, in IAM's envelope.
    let unsigned = (
        prop::collection::vec(any::<u8>(), 0..300),
        "[ -~]{0,200}",
        prop::option::of(authorization()),
    );
    TestRunner::new(config())
        .run(&unsigned, |(body, query, auth)| {
            let mut headers = vec![("Content-Type", FORM)];
            if let Some(a) = &auth {
                headers.push(("Authorization", a.as_str()));
            }
            let (s, _, b) = http(addr, "POST", "/", &headers, &body);
            iam_error(s, &b)?;
            let path = format!(
                "/?{}",
                percent_encode(&query)
                    .replace("%3D", "=")
                    .replace("%26", "&")
            );
            let (s, _, b) = http(addr, "GET", &path, &headers, b"");
            iam_error(s, &b)
        })
        .unwrap();
    assert_eq!(w.snapshot(), *state.borrow());

    // Signed IAM calls with arbitrary parameters: answered, or refused changing nothing.
    TestRunner::new(config())
        .run(&form(), |body| {
            let (s, b) = w.iam(&root, &body);
            if s == 200 {
                *state.borrow_mut() = w.snapshot();
                answered.set(answered.get() + 1);
            } else {
                refused.set(refused.get() + 1);
                iam_error(s, &b)?;
                prop_assert_eq!(
                    &w.snapshot(),
                    &*state.borrow(),
                    "{} changed the state",
                    body
                );
            }
            Ok(())
        })
        .unwrap();

    assert!(
        answered.get() > 0 && refused.get() > 0,
        "IAM: {} answered, {} refused",
        answered.get(),
        refused.get()
    );
    eprintln!(
        "IAM: {} answered, {} refused",
        answered.get(),
        refused.get()
    );
    answered.set(0);
    refused.set(0);

    // Signed OSC calls with arbitrary bodies: the same.
    TestRunner::new(config())
        .run(
            &(prop::sample::select(OSC_CALLS), osc_body()),
            |(call, body)| {
                let (s, b) = w.osc(call, &body);
                if s == 200 {
                    *state.borrow_mut() = w.snapshot();
                    answered.set(answered.get() + 1);
                } else {
                    refused.set(refused.get() + 1);
                    osc_error(s, &b)?;
                    prop_assert_eq!(
                        &w.snapshot(),
                        &*state.borrow(),
                        "{} {} changed the state",
                        call,
                        String::from_utf8_lossy(&body)
                    );
                }
                Ok(())
            },
        )
        .unwrap();

    assert!(
        answered.get() > 0 && refused.get() > 0,
        "OSC: {} answered, {} refused",
        answered.get(),
        refused.get()
    );
    eprintln!(
        "OSC: {} answered, {} refused",
        answered.get(),
        refused.get()
    );

    // Any Authorization on an OSC call: refused in OSC's envelope.
    TestRunner::new(config())
        .run(
            &(prop::sample::select(OSC_CALLS), authorization()),
            |(call, auth)| {
                let headers = [("Content-Type", JSON), ("Authorization", auth.as_str())];
                let (s, _, b) = http(addr, "POST", &format!("/api/v1/{call}"), &headers, b"{}");
                osc_error(s, &b)
            },
        )
        .unwrap();
    assert_eq!(w.snapshot(), *state.borrow());
}
