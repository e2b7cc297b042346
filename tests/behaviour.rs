//! One behaviour table for both dialects. Each case is written once, in dialect-neutral steps
//! (create a user, create a key, list, deactivate, delete …); it runs through an IAM driver and an
//! OSC driver that sign real requests to the real binary and decode the wire answers back into
//! one `Outcome`. The table gives, per case, the outcomes each dialect must show: they differ
//! only where the real services differ.

use keygate_server::credentials::CredentialsFile;
use keygate_tests::support::clients::Creds;
use keygate_tests::support::osc_call_with;
use keygate_tests::support::sign::aws4_form_headers;
use keygate_tests::support::{Fresh, Server, http, now};
use serde_json::{Value, json};

/// What a step did, as both dialects can say it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Done,
    /// A created key (its id and secret are kept by the step).
    Created,
    /// A listing: how many keys are active and inactive.
    Keys {
        active: usize,
        inactive: usize,
    },
    NotFound,
    Denied,
    /// The key must be inactive before it can be deleted.
    MustBeInactive,
    Exists,
    Limit,
    Unauthenticated,
    /// Still in use (a member, a group with members): removed from there first.
    InUse,
}

use Outcome::*;

fn keys(active: usize, inactive: usize) -> Outcome {
    Keys { active, inactive }
}

/// A dialect, reduced to the steps the table uses.
trait Driver {
    fn name(&self) -> &'static str;
    fn create_user(&self, who: &Creds, user: &str) -> Outcome;
    fn create_key(&self, who: &Creds, user: Option<&str>) -> (Outcome, Option<Creds>);
    fn list_keys(&self, who: &Creds, user: Option<&str>) -> Outcome;
    /// `list_keys`, forwarded for `client` by the proxy the server trusts.
    fn list_keys_from(&self, who: &Creds, user: Option<&str>, client: &str) -> Outcome;
    fn set_active(&self, who: &Creds, user: Option<&str>, key: &str, active: bool) -> Outcome;
    fn delete_key(&self, who: &Creds, user: Option<&str>, key: &str) -> Outcome;
    fn put_policy(&self, who: &Creds, user: &str, name: &str, document: &str) -> Outcome;
    /// A call any authenticated principal may make.
    fn whoami(&self, who: &Creds) -> Outcome;
    fn delete_user(&self, who: &Creds, user: &str) -> Outcome;
    fn create_group(&self, who: &Creds, group: &str) -> Outcome;
    fn add_to_group(&self, who: &Creds, group: &str, user: &str) -> Outcome;
    fn put_group_policy(&self, who: &Creds, group: &str, name: &str, document: &str) -> Outcome;
    fn delete_group(&self, who: &Creds, group: &str) -> Outcome;
    fn remove_from_group(&self, who: &Creds, group: &str, user: &str) -> Outcome;
    /// Creates a managed policy; the reference the dialect names it by (ARN or ORN).
    fn create_policy(&self, who: &Creds, name: &str, document: &str) -> (Outcome, String);
    fn create_version(&self, who: &Creds, policy: &str, document: &str, default: bool) -> Outcome;
    fn delete_version(&self, who: &Creds, policy: &str, version: &str) -> Outcome;
    fn attach_to_user(&self, who: &Creds, policy: &str, user: &str) -> Outcome;
    fn attach_to_group(&self, who: &Creds, policy: &str, group: &str) -> Outcome;
    fn delete_policy(&self, who: &Creds, policy: &str) -> Outcome;
}

/// `%XX` for every byte but letters and digits: a form value.
fn form_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Iam<'a>(&'a Server);
struct Osc<'a>(&'a Server);

fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|s| s.split(close).next())
        .collect()
}

impl Iam<'_> {
    fn call(&self, who: &Creds, params: &[(&str, &str)], service: &str) -> (u16, String) {
        self.call_for(who, params, service, None)
    }

    fn call_for(
        &self,
        who: &Creds,
        params: &[(&str, &str)],
        service: &str,
        client: Option<&str>,
    ) -> (u16, String) {
        let body: String = params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let headers = aws4_form_headers(
            &self.0.addr.to_string(),
            who,
            body.as_bytes(),
            "eu-west-2",
            service,
            now(),
        );
        let mut refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        refs.extend(client.map(|c| ("X-Forwarded-For", c)));
        let (s, _, b) = http(self.0.addr, "POST", "/", &refs, body.as_bytes());
        (s, String::from_utf8_lossy(&b).into_owned())
    }

    fn outcome(status: u16, body: &str) -> Outcome {
        if status == 200 {
            return Done;
        }
        match between(body, "<Code>", "</Code>")
            .first()
            .copied()
            .unwrap_or_default()
        {
            "NoSuchEntity" => NotFound,
            "AccessDenied" => Denied,
            "DeleteConflict"
                if ["must remove users from group", "attached", "version"]
                    .iter()
                    .any(|t| body.contains(t)) =>
            {
                InUse
            }
            "DeleteConflict" => MustBeInactive,
            "EntityAlreadyExists" => Exists,
            "LimitExceeded" => Limit,
            "InvalidClientTokenId" | "SignatureDoesNotMatch" => Unauthenticated,
            other => panic!("unexpected IAM answer {status} {other}: {body}"),
        }
    }

    /// An IAM action of version 2010-05-08.
    fn iam(&self, who: &Creds, params: &[(&str, &str)]) -> Outcome {
        let mut p = params.to_vec();
        p.push(("Version", "2010-05-08"));
        let (s, b) = self.call(who, &p, "iam");
        Self::outcome(s, &b)
    }

    fn list_keys_for(&self, who: &Creds, user: Option<&str>, client: Option<&str>) -> Outcome {
        let p = Self::with_user(
            &[("Action", "ListAccessKeys"), ("Version", "2010-05-08")],
            user,
        );
        let (s, b) = self.call_for(who, &p, "iam", client);
        if s != 200 {
            return Self::outcome(s, &b);
        }
        let states = between(&b, "<Status>", "</Status>");
        keys(
            states.iter().filter(|s| **s == "Active").count(),
            states.iter().filter(|s| **s == "Inactive").count(),
        )
    }

    fn with_user<'p>(
        base: &[(&'p str, &'p str)],
        user: Option<&'p str>,
    ) -> Vec<(&'p str, &'p str)> {
        let mut p = base.to_vec();
        if let Some(u) = user {
            p.push(("UserName", u));
        }
        p
    }
}

impl Driver for Iam<'_> {
    fn name(&self) -> &'static str {
        "iam"
    }

    fn create_user(&self, who: &Creds, user: &str) -> Outcome {
        let (s, b) = self.call(
            who,
            &[
                ("Action", "CreateUser"),
                ("Version", "2010-05-08"),
                ("UserName", user),
            ],
            "iam",
        );
        Self::outcome(s, &b)
    }

    fn create_key(&self, who: &Creds, user: Option<&str>) -> (Outcome, Option<Creds>) {
        let p = Self::with_user(
            &[("Action", "CreateAccessKey"), ("Version", "2010-05-08")],
            user,
        );
        let (s, b) = self.call(who, &p, "iam");
        if s != 200 {
            return (Self::outcome(s, &b), None);
        }
        let id = between(&b, "<AccessKeyId>", "</AccessKeyId>")[0];
        let secret = between(&b, "<SecretAccessKey>", "</SecretAccessKey>")[0];
        (Created, Some(Creds::new(id, secret)))
    }

    fn list_keys(&self, who: &Creds, user: Option<&str>) -> Outcome {
        self.list_keys_for(who, user, None)
    }

    fn list_keys_from(&self, who: &Creds, user: Option<&str>, client: &str) -> Outcome {
        self.list_keys_for(who, user, Some(client))
    }

    fn set_active(&self, who: &Creds, user: Option<&str>, key: &str, active: bool) -> Outcome {
        let status = if active { "Active" } else { "Inactive" };
        let p = Self::with_user(
            &[
                ("Action", "UpdateAccessKey"),
                ("Version", "2010-05-08"),
                ("AccessKeyId", key),
                ("Status", status),
            ],
            user,
        );
        let (s, b) = self.call(who, &p, "iam");
        Self::outcome(s, &b)
    }

    fn delete_key(&self, who: &Creds, user: Option<&str>, key: &str) -> Outcome {
        let p = Self::with_user(
            &[
                ("Action", "DeleteAccessKey"),
                ("Version", "2010-05-08"),
                ("AccessKeyId", key),
            ],
            user,
        );
        let (s, b) = self.call(who, &p, "iam");
        Self::outcome(s, &b)
    }

    fn put_policy(&self, who: &Creds, user: &str, name: &str, document: &str) -> Outcome {
        let encoded = form_value(document);
        let (s, b) = self.call(
            who,
            &[
                ("Action", "PutUserPolicy"),
                ("Version", "2010-05-08"),
                ("UserName", user),
                ("PolicyName", name),
                ("PolicyDocument", &encoded),
            ],
            "iam",
        );
        Self::outcome(s, &b)
    }

    fn whoami(&self, who: &Creds) -> Outcome {
        let (s, b) = self.call(
            who,
            &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
            "sts",
        );
        Self::outcome(s, &b)
    }

    fn delete_user(&self, who: &Creds, user: &str) -> Outcome {
        self.iam(who, &[("Action", "DeleteUser"), ("UserName", user)])
    }

    fn create_group(&self, who: &Creds, group: &str) -> Outcome {
        self.iam(who, &[("Action", "CreateGroup"), ("GroupName", group)])
    }

    fn add_to_group(&self, who: &Creds, group: &str, user: &str) -> Outcome {
        self.iam(
            who,
            &[
                ("Action", "AddUserToGroup"),
                ("GroupName", group),
                ("UserName", user),
            ],
        )
    }

    fn put_group_policy(&self, who: &Creds, group: &str, name: &str, document: &str) -> Outcome {
        let encoded = form_value(document);
        self.iam(
            who,
            &[
                ("Action", "PutGroupPolicy"),
                ("GroupName", group),
                ("PolicyName", name),
                ("PolicyDocument", &encoded),
            ],
        )
    }

    fn remove_from_group(&self, who: &Creds, group: &str, user: &str) -> Outcome {
        self.iam(
            who,
            &[
                ("Action", "RemoveUserFromGroup"),
                ("GroupName", group),
                ("UserName", user),
            ],
        )
    }

    fn create_policy(&self, who: &Creds, name: &str, document: &str) -> (Outcome, String) {
        let encoded = form_value(document);
        let p = [
            ("Action", "CreatePolicy"),
            ("Version", "2010-05-08"),
            ("PolicyName", name),
            ("PolicyDocument", &encoded),
        ];
        let (s, b) = self.call(who, &p, "iam");
        let arn = between(&b, "<Arn>", "</Arn>")
            .first()
            .copied()
            .unwrap_or_default();
        (Self::outcome(s, &b), arn.to_owned())
    }

    fn create_version(&self, who: &Creds, policy: &str, document: &str, default: bool) -> Outcome {
        let encoded = form_value(document);
        self.iam(
            who,
            &[
                ("Action", "CreatePolicyVersion"),
                ("PolicyArn", policy),
                ("PolicyDocument", &encoded),
                ("SetAsDefault", if default { "true" } else { "false" }),
            ],
        )
    }

    fn delete_version(&self, who: &Creds, policy: &str, version: &str) -> Outcome {
        self.iam(
            who,
            &[
                ("Action", "DeletePolicyVersion"),
                ("PolicyArn", policy),
                ("VersionId", version),
            ],
        )
    }

    fn attach_to_user(&self, who: &Creds, policy: &str, user: &str) -> Outcome {
        self.iam(
            who,
            &[
                ("Action", "AttachUserPolicy"),
                ("PolicyArn", policy),
                ("UserName", user),
            ],
        )
    }

    fn attach_to_group(&self, who: &Creds, policy: &str, group: &str) -> Outcome {
        self.iam(
            who,
            &[
                ("Action", "AttachGroupPolicy"),
                ("PolicyArn", policy),
                ("GroupName", group),
            ],
        )
    }

    fn delete_policy(&self, who: &Creds, policy: &str) -> Outcome {
        self.iam(who, &[("Action", "DeletePolicy"), ("PolicyArn", policy)])
    }

    fn delete_group(&self, who: &Creds, group: &str) -> Outcome {
        self.iam(who, &[("Action", "DeleteGroup"), ("GroupName", group)])
    }
}

impl Osc<'_> {
    fn call(&self, who: &Creds, call: &str, body: Value) -> (u16, Value) {
        self.call_for(who, call, body, None)
    }

    fn call_for(&self, who: &Creds, call: &str, body: Value, client: Option<&str>) -> (u16, Value) {
        let extra: Vec<(&str, &str)> = client.map(|c| ("X-Forwarded-For", c)).into_iter().collect();
        let body = body.to_string();
        let (s, b) = osc_call_with(self.0.addr, who, call, body.as_bytes(), &extra);
        (s, serde_json::from_slice(&b).unwrap())
    }

    fn outcome(status: u16, body: &Value) -> Outcome {
        if status == 200 {
            return Done;
        }
        match body["Errors"][0]["Code"].as_str().unwrap_or_default() {
            "5075" | "5027" | "5044" => NotFound,
            "9029" => InUse,
            "4" => Denied,
            "6003" => MustBeInactive,
            "9022" => Exists,
            "10005" | "4106" => Limit,
            "1" => Unauthenticated,
            other => panic!("unexpected OSC answer {status} {other}: {body}"),
        }
    }

    fn list_keys_for(&self, who: &Creds, user: Option<&str>, client: Option<&str>) -> Outcome {
        let (s, b) = self.call_for(
            who,
            "ReadAccessKeys",
            Self::with_user(json!({}), user),
            client,
        );
        if s != 200 {
            return Self::outcome(s, &b);
        }
        let states: Vec<&str> = b["AccessKeys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["State"].as_str().unwrap())
            .collect();
        keys(
            states.iter().filter(|s| **s == "ACTIVE").count(),
            states.iter().filter(|s| **s == "INACTIVE").count(),
        )
    }

    fn with_user(mut body: Value, user: Option<&str>) -> Value {
        if let Some(u) = user {
            body["UserName"] = json!(u);
        }
        body
    }
}

impl Driver for Osc<'_> {
    fn name(&self) -> &'static str {
        "osc"
    }

    fn create_user(&self, who: &Creds, user: &str) -> Outcome {
        let (s, b) = self.call(who, "CreateUser", json!({"UserName": user}));
        Self::outcome(s, &b)
    }

    fn create_key(&self, who: &Creds, user: Option<&str>) -> (Outcome, Option<Creds>) {
        let (s, b) = self.call(who, "CreateAccessKey", Self::with_user(json!({}), user));
        if s != 200 {
            return (Self::outcome(s, &b), None);
        }
        let k = &b["AccessKey"];
        (
            Created,
            Some(Creds::new(
                k["AccessKeyId"].as_str().unwrap(),
                k["SecretKey"].as_str().unwrap(),
            )),
        )
    }

    fn list_keys(&self, who: &Creds, user: Option<&str>) -> Outcome {
        self.list_keys_for(who, user, None)
    }

    fn list_keys_from(&self, who: &Creds, user: Option<&str>, client: &str) -> Outcome {
        self.list_keys_for(who, user, Some(client))
    }

    fn set_active(&self, who: &Creds, user: Option<&str>, key: &str, active: bool) -> Outcome {
        let state = if active { "ACTIVE" } else { "INACTIVE" };
        let (s, b) = self.call(
            who,
            "UpdateAccessKey",
            Self::with_user(json!({"AccessKeyId": key, "State": state}), user),
        );
        Self::outcome(s, &b)
    }

    fn delete_key(&self, who: &Creds, user: Option<&str>, key: &str) -> Outcome {
        let (s, b) = self.call(
            who,
            "DeleteAccessKey",
            Self::with_user(json!({"AccessKeyId": key}), user),
        );
        Self::outcome(s, &b)
    }

    fn put_policy(&self, who: &Creds, user: &str, name: &str, document: &str) -> Outcome {
        let (s, b) = self.call(
            who,
            "PutUserPolicy",
            json!({"UserName": user, "PolicyName": name, "PolicyDocument": document}),
        );
        Self::outcome(s, &b)
    }

    fn whoami(&self, who: &Creds) -> Outcome {
        let (s, b) = self.call(who, "ReadAccessKeys", json!({}));
        Self::outcome(s, &b)
    }

    fn delete_user(&self, who: &Creds, user: &str) -> Outcome {
        let (s, b) = self.call(who, "DeleteUser", json!({"UserName": user}));
        Self::outcome(s, &b)
    }

    fn create_group(&self, who: &Creds, group: &str) -> Outcome {
        let (s, b) = self.call(who, "CreateUserGroup", json!({"UserGroupName": group}));
        Self::outcome(s, &b)
    }

    fn add_to_group(&self, who: &Creds, group: &str, user: &str) -> Outcome {
        let body = json!({"UserGroupName": group, "UserName": user});
        let (s, b) = self.call(who, "AddUserToUserGroup", body);
        Self::outcome(s, &b)
    }

    fn put_group_policy(&self, who: &Creds, group: &str, name: &str, document: &str) -> Outcome {
        let body = json!({"UserGroupName": group, "PolicyName": name, "PolicyDocument": document});
        let (s, b) = self.call(who, "PutUserGroupPolicy", body);
        Self::outcome(s, &b)
    }

    fn delete_group(&self, who: &Creds, group: &str) -> Outcome {
        let (s, b) = self.call(who, "DeleteUserGroup", json!({"UserGroupName": group}));
        Self::outcome(s, &b)
    }

    fn remove_from_group(&self, who: &Creds, group: &str, user: &str) -> Outcome {
        let body = json!({"UserGroupName": group, "UserName": user});
        let (s, b) = self.call(who, "RemoveUserFromUserGroup", body);
        Self::outcome(s, &b)
    }

    fn create_policy(&self, who: &Creds, name: &str, document: &str) -> (Outcome, String) {
        let body = json!({"PolicyName": name, "Document": document});
        let (s, b) = self.call(who, "CreatePolicy", body);
        let orn = b["Policy"]["Orn"].as_str().unwrap_or_default().to_owned();
        (Self::outcome(s, &b), orn)
    }

    fn create_version(&self, who: &Creds, policy: &str, document: &str, default: bool) -> Outcome {
        let body = json!({"PolicyOrn": policy, "Document": document, "SetAsDefault": default});
        let (s, b) = self.call(who, "CreatePolicyVersion", body);
        Self::outcome(s, &b)
    }

    fn delete_version(&self, who: &Creds, policy: &str, version: &str) -> Outcome {
        let body = json!({"PolicyOrn": policy, "VersionId": version});
        let (s, b) = self.call(who, "DeletePolicyVersion", body);
        Self::outcome(s, &b)
    }

    fn attach_to_user(&self, who: &Creds, policy: &str, user: &str) -> Outcome {
        let body = json!({"PolicyOrn": policy, "UserName": user});
        let (s, b) = self.call(who, "LinkPolicy", body);
        Self::outcome(s, &b)
    }

    fn attach_to_group(&self, who: &Creds, policy: &str, group: &str) -> Outcome {
        let body = json!({"PolicyOrn": policy, "UserGroupName": group});
        let (s, b) = self.call(who, "LinkManagedPolicyToUserGroup", body);
        Self::outcome(s, &b)
    }

    fn delete_policy(&self, who: &Creds, policy: &str) -> Outcome {
        let (s, b) = self.call(who, "DeletePolicy", json!({"PolicyOrn": policy}));
        Self::outcome(s, &b)
    }
}

/// What a case may use: the server, the account's root, a second account's root, and the
/// other dialect's driver.
struct Given<'a> {
    root: &'a Creds,
    other_account: &'a Creds,
    other: &'a dyn Driver,
    /// Names unique to this run of the case.
    prefix: String,
}

impl Given<'_> {
    fn user(&self, n: &str) -> String {
        format!("{}-{n}", self.prefix)
    }
}

/// Lets users manage their own keys in both dialects (WIRE P.6's two-dialect variant).
const OWN_KEYS: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:*AccessKey*", "api:CreateAccessKey", "api:DeleteAccessKey", "api:ReadAccessKeys", "api:UpdateAccessKey"], "Resource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"]}]}"#;

/// Lets a user read its own keys from 203.0.113.0/24, and denies everything from 203.0.113.66.
const FROM_ONE_NETWORK: &str = r#"{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:ListAccessKeys", "api:ReadAccessKeys"],
     "Resource": "arn:aws:iam::*:user/${aws:username}",
     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}},
    {"Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.66/32"]}}}]}"#;

type Steps = fn(&dyn Driver, &Given<'_>) -> Vec<Outcome>;

struct Case {
    name: &'static str,
    when: Steps,
    then_iam: Vec<Outcome>,
    then_osc: Vec<Outcome>,
}

/// What a group's members may do: read their own keys, in both dialects.
const READ_OWN_KEYS: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["iam:ListAccessKeys", "api:ReadAccessKeys"], "Resource": "arn:aws:iam::*:user/${aws:username}"}}"#;
const DENY_ALL: &str = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;

/// A managed policy document that denies everything (managed policies need `Version`).
const DENY_ALL_MANAGED: &str =
    r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;

fn table() -> Vec<Case> {
    vec![
        Case {
            name: "an attached policy grants through a group, is lost with the membership, and a \
                   deny attached to another group wins",
            when: |d, g| {
                let u = g.user("ida");
                let (readers, blocked) = (g.user("readers"), g.user("blocked"));
                d.create_user(g.root, &u);
                let key = d.create_key(g.root, Some(&u)).1.unwrap();
                let (_, read) = d.create_policy(g.root, &g.user("read"), READ_OWN_KEYS);
                let (_, deny) = d.create_policy(g.root, &g.user("deny"), DENY_ALL_MANAGED);
                d.create_group(g.root, &readers);
                d.create_group(g.root, &blocked);
                vec![
                    d.list_keys(&key, None),
                    d.attach_to_group(g.root, &read, &readers),
                    d.add_to_group(g.root, &readers, &u),
                    d.list_keys(&key, None),
                    d.attach_to_group(g.root, &deny, &blocked),
                    d.add_to_group(g.root, &blocked, &u),
                    d.list_keys(&key, None),
                    d.remove_from_group(g.root, &blocked, &u),
                    d.remove_from_group(g.root, &readers, &u),
                    d.list_keys(&key, None),
                    d.delete_group(g.root, &blocked),
                ]
            },
            then_iam: vec![
                Denied,
                Done,
                Done,
                keys(1, 0),
                Done,
                Done,
                Denied,
                Done,
                Done,
                Denied,
                InUse,
            ],
            then_osc: vec![
                Denied,
                Done,
                Done,
                keys(1, 0),
                Done,
                Done,
                Denied,
                Done,
                Done,
                Denied,
                InUse,
            ],
        },
        Case {
            name: "a policy keeps five versions, never loses its default, and is not deleted while \
                   attached or versioned",
            when: |d, g| {
                let u = g.user("jo");
                d.create_user(g.root, &u);
                let (made, p) = d.create_policy(g.root, &g.user("p"), READ_OWN_KEYS);
                let mut out = vec![made];
                for n in 2..=5 {
                    out.push(d.create_version(g.root, &p, READ_OWN_KEYS, n == 5));
                }
                out.extend([
                    d.create_version(g.root, &p, READ_OWN_KEYS, false),
                    d.delete_version(g.root, &p, "v5"),
                    d.delete_version(g.root, &p, "v9"),
                    d.attach_to_user(g.root, &p, &u),
                    d.delete_policy(g.root, &p),
                    d.delete_user(g.root, &u),
                    d.create_policy(g.root, &g.user("P"), READ_OWN_KEYS).0,
                ]);
                out
            },
            then_iam: vec![
                Done, Done, Done, Done, Done, Limit, InUse, NotFound, Done, InUse, InUse, Exists,
            ],
            then_osc: vec![
                Done, Done, Done, Done, Done, Limit, InUse, NotFound, Done, InUse, InUse, Exists,
            ],
        },
        Case {
            name: "attaching stops at ten policies per user",
            when: |d, g| {
                let u = g.user("kai");
                d.create_user(g.root, &u);
                let mut out = Vec::new();
                for n in 0..11 {
                    let (_, p) = d.create_policy(g.root, &g.user(&format!("p{n}")), READ_OWN_KEYS);
                    out.push(d.attach_to_user(g.root, &p, &u));
                }
                out
            },
            then_iam: [vec![Done; 10], vec![Limit]].concat(),
            then_osc: [vec![Done; 10], vec![Limit]].concat(),
        },
        Case {
            name: "a group's policy applies to its members; a deny in another group wins",
            when: |d, g| {
                let u = g.user("gus");
                let readers = g.user("readers");
                let blocked = g.user("blocked");
                let made = d.create_user(g.root, &u);
                let (_, key) = d.create_key(g.root, Some(&u));
                let key = key.unwrap();
                vec![
                    made,
                    d.create_group(g.root, &readers),
                    d.create_group(g.root, &readers.to_uppercase()),
                    d.put_group_policy(g.root, &readers, "read", READ_OWN_KEYS),
                    d.list_keys(&key, None),
                    d.add_to_group(g.root, &readers, &u),
                    d.list_keys(&key, None),
                    d.create_group(g.root, &blocked),
                    d.put_group_policy(g.root, &blocked, "deny", DENY_ALL),
                    d.add_to_group(g.root, &blocked, &u),
                    d.list_keys(&key, None),
                    d.delete_group(g.root, &blocked),
                    d.set_active(g.root, Some(&u), &key.key_id, false),
                    d.delete_key(g.root, Some(&u), &key.key_id),
                    d.delete_user(g.root, &u),
                ]
            },
            then_iam: vec![
                Done,
                Done,
                Exists,
                Done,
                Denied,
                Done,
                keys(1, 0),
                Done,
                Done,
                Done,
                Denied,
                InUse,
                Done,
                Done,
                InUse,
            ],
            then_osc: vec![
                Done,
                Done,
                Exists,
                Done,
                Denied,
                Done,
                keys(1, 0),
                Done,
                Done,
                Done,
                Denied,
                InUse,
                Done,
                Done,
                InUse,
            ],
        },
        Case {
            name: "a condition allows from one address and denies from another",
            when: |d, g| {
                let u = g.user("dana");
                let made = d.create_user(g.root, &u);
                let (_, key) = d.create_key(g.root, Some(&u));
                let key = key.unwrap();
                vec![
                    made,
                    d.put_policy(g.root, &u, "from-one-network", FROM_ONE_NETWORK),
                    d.list_keys_from(&key, None, "203.0.113.5"),
                    d.list_keys_from(&key, None, "198.51.100.5"),
                    d.list_keys_from(&key, None, "203.0.113.66"),
                    d.list_keys(&key, None),
                ]
            },
            then_iam: vec![Done, Done, keys(1, 0), Denied, Denied, Denied],
            then_osc: vec![Done, Done, keys(1, 0), Denied, Denied, Denied],
        },
        Case {
            name: "root manages its own keys",
            when: |d, g| {
                let (c, k) = d.create_key(g.root, None);
                let k = k.unwrap();
                vec![
                    c,
                    d.set_active(g.root, None, &k.key_id, false),
                    d.whoami(&k),
                    d.set_active(g.root, None, &k.key_id, true),
                    d.whoami(&k),
                    d.delete_key(g.root, None, &k.key_id),
                    d.whoami(&k),
                ]
            },
            then_iam: vec![
                Created,
                Done,
                Unauthenticated,
                Done,
                Done,
                Done,
                Unauthenticated,
            ],
            then_osc: vec![
                Created,
                Done,
                Unauthenticated,
                Done,
                Done,
                Done,
                Unauthenticated,
            ],
        },
        Case {
            name: "root manages a user's keys; an ACTIVE user key is deleted only by IAM",
            when: |d, g| {
                let u = g.user("alice");
                let made = d.create_user(g.root, &u);
                let (created, key) = d.create_key(g.root, Some(&u));
                let key = key.unwrap();
                vec![
                    made,
                    created,
                    d.list_keys(g.root, Some(&u)),
                    d.delete_key(g.root, Some(&u), &key.key_id),
                    d.list_keys(g.root, Some(&u)),
                    d.set_active(g.root, Some(&u), &key.key_id, false),
                    d.delete_key(g.root, Some(&u), &key.key_id),
                    d.list_keys(g.root, Some(&u)),
                ]
            },
            then_iam: vec![
                Done,
                Created,
                keys(1, 0),
                Done,
                keys(0, 0),
                NotFound,
                NotFound,
                keys(0, 0),
            ],
            then_osc: vec![
                Done,
                Created,
                keys(1, 0),
                MustBeInactive,
                keys(1, 0),
                Done,
                Done,
                keys(0, 0),
            ],
        },
        Case {
            name: "the key limit holds",
            when: |d, g| {
                let u = g.user("bob");
                vec![
                    d.create_user(g.root, &u),
                    d.create_key(g.root, Some(&u)).0,
                    d.create_key(g.root, Some(&u)).0,
                    d.create_key(g.root, Some(&u)).0,
                    d.list_keys(g.root, Some(&u)),
                ]
            },
            then_iam: vec![Done, Created, Created, Limit, keys(2, 0)],
            then_osc: vec![Done, Created, Created, Limit, keys(2, 0)],
        },
        Case {
            name: "unknown users and keys are not found; names are unique",
            when: |d, g| {
                let u = g.user("carol");
                vec![
                    d.list_keys(g.root, Some(&g.user("nobody"))),
                    d.delete_key(g.root, None, "AKIDEXAMPLE0MISSING1"),
                    d.create_user(g.root, &u),
                    d.create_user(g.root, &u.to_uppercase()),
                ]
            },
            then_iam: vec![NotFound, NotFound, Done, Exists],
            then_osc: vec![NotFound, NotFound, Done, Exists],
        },
        Case {
            name: "a user manages its own keys, never another user's",
            when: |d, g| {
                let (me, them) = (g.user("dan"), g.user("eve"));
                d.create_user(g.root, &me);
                d.create_user(g.root, &them);
                let dan = d.create_key(g.root, Some(&me)).1.unwrap();
                let eve_key = d.create_key(g.root, Some(&them)).1.unwrap();
                let before = d.list_keys(&dan, None);
                let granted = d.put_policy(g.root, &me, "own-keys", OWN_KEYS);
                let (second, key) = d.create_key(&dan, None);
                let key = key.unwrap();
                vec![
                    before,
                    granted,
                    second,
                    d.list_keys(&dan, None),
                    d.list_keys(&dan, Some(&them)),
                    d.delete_key(&dan, Some(&them), &eve_key.key_id),
                    d.set_active(&dan, None, &key.key_id, false),
                    d.delete_key(&dan, None, &key.key_id),
                    d.list_keys(g.root, Some(&them)),
                ]
            },
            then_iam: vec![
                Denied,
                Done,
                Created,
                keys(2, 0),
                Denied,
                Denied,
                Done,
                Done,
                keys(1, 0),
            ],
            then_osc: vec![
                Denied,
                Done,
                Created,
                keys(2, 0),
                Denied,
                Denied,
                Done,
                Done,
                keys(1, 0),
            ],
        },
        Case {
            name: "another account sees nothing of this one",
            when: |d, g| {
                let u = g.user("fay");
                d.create_user(g.root, &u);
                let key = d.create_key(g.root, Some(&u)).1.unwrap();
                vec![
                    d.list_keys(g.other_account, Some(&u)),
                    d.delete_key(g.other_account, None, &key.key_id),
                    d.set_active(g.other_account, Some(&u), &key.key_id, false),
                    d.list_keys(g.root, Some(&u)),
                ]
            },
            then_iam: vec![NotFound, NotFound, NotFound, keys(1, 0)],
            then_osc: vec![NotFound, NotFound, NotFound, keys(1, 0)],
        },
        Case {
            name: "a key created in one dialect is read, changed and deleted through the other",
            when: |d, g| {
                let u = g.user("gus");
                d.create_user(g.root, &u);
                let key = d.create_key(g.root, Some(&u)).1.unwrap();
                vec![
                    g.other.list_keys(g.root, Some(&u)),
                    g.other.set_active(g.root, Some(&u), &key.key_id, false),
                    d.list_keys(g.root, Some(&u)),
                    g.other.whoami(&key),
                    g.other.delete_key(g.root, Some(&u), &key.key_id),
                    d.list_keys(g.root, Some(&u)),
                ]
            },
            then_iam: vec![
                keys(1, 0),
                Done,
                keys(0, 1),
                Unauthenticated,
                Done,
                keys(0, 0),
            ],
            then_osc: vec![
                keys(1, 0),
                Done,
                keys(0, 1),
                Unauthenticated,
                Done,
                keys(0, 0),
            ],
        },
    ]
}

/// An expired key: given a date a second away through the OSC API (only it can set an
/// expiration date; a past one is refused), then waited out.
fn expired_key(server: &Server, root: &Creds) -> Creds {
    let osc = Osc(server);
    let (s, b) = osc.call(
        root,
        "CreateAccessKey",
        json!({"ExpirationDate": keygate_tests::support::in_seconds(1)}),
    );
    assert_eq!(s, 200, "{b}");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    Creds::new(
        b["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        b["AccessKey"]["SecretKey"].as_str().unwrap(),
    )
}

#[test]
fn the_table_through_both_dialects() {
    let Fresh {
        dir: _dir,
        server,
        root,
        ..
    } = Fresh::start(&[("KEYGATE__SERVER__TRUSTED_PROXIES", "127.0.0.1")]);
    let out = keygate_tests::support::keygate(
        &[
            "admin",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
            "create-account",
            "--name",
            "b",
        ],
        &[],
    );
    let b: CredentialsFile = serde_json::from_slice(&out.stdout).unwrap();
    let other_account = Creds::new(&b.access_key_id, &b.secret_access_key);
    let (iam, osc) = (Iam(&server), Osc(&server));
    let mut failures = Vec::new();
    for (i, case) in table().into_iter().enumerate() {
        for (driver, other, want) in [
            (&iam as &dyn Driver, &osc as &dyn Driver, &case.then_iam),
            (&osc as &dyn Driver, &iam as &dyn Driver, &case.then_osc),
        ] {
            let given = Given {
                root: &root,
                other_account: &other_account,
                other,
                prefix: format!("c{i}-{}", driver.name()),
            };
            let got = (case.when)(driver, &given);
            if &got != want {
                failures.push(format!(
                    "{} [{}]: got {got:?}, want {want:?}",
                    case.name,
                    driver.name()
                ));
            }
        }
    }
    // An expired key cannot sign in either dialect.
    let dead = expired_key(&server, &root);
    for d in [&iam as &dyn Driver, &osc] {
        if d.whoami(&dead) != Unauthenticated {
            failures.push(format!("expired key signed through {}", d.name()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
