//! Turning query parameters into a typed `Action`: the action name and version first, then each
//! parameter checked against the model's constraints, worded as AWS words a validation error.

use keygate_core::{
    AccessKeyId, InvalidId, KeyState, PageRequest, PathPrefix, PolicyName, Tag, TagKey, TagValue,
    UserName, UserPath,
};

use crate::error::IamError;
use crate::params::Params;

pub const IAM_VERSION: &str = "2010-05-08";
pub const STS_VERSION: &str = "2011-06-15";

/// Which service an action belongs to, and so which scope service may sign it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Iam,
    Sts,
}

impl Api {
    pub fn version(self) -> &'static str {
        match self {
            Api::Iam => IAM_VERSION,
            Api::Sts => STS_VERSION,
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            Api::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Api::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }

    /// The signature scope services accepted: IAM's own, Outscale's EIM name for it, or STS.
    pub fn scope_services(self) -> &'static [&'static str] {
        match self {
            Api::Iam => &["iam", "eim"],
            Api::Sts => &["sts"],
        }
    }
}

const ACTIONS: &[(&str, Api)] = &[
    ("CreateUser", Api::Iam),
    ("GetUser", Api::Iam),
    ("ListUsers", Api::Iam),
    ("UpdateUser", Api::Iam),
    ("DeleteUser", Api::Iam),
    ("TagUser", Api::Iam),
    ("UntagUser", Api::Iam),
    ("ListUserTags", Api::Iam),
    ("CreateAccessKey", Api::Iam),
    ("ListAccessKeys", Api::Iam),
    ("UpdateAccessKey", Api::Iam),
    ("DeleteAccessKey", Api::Iam),
    ("GetAccessKeyLastUsed", Api::Iam),
    ("PutUserPolicy", Api::Iam),
    ("GetUserPolicy", Api::Iam),
    ("ListUserPolicies", Api::Iam),
    ("DeleteUserPolicy", Api::Iam),
    ("GetCallerIdentity", Api::Sts),
];

/// The action named by `Action` and `Version`, before anything else is read.
pub fn action_name(p: &Params) -> Result<(&'static str, Api), IamError> {
    let Some(name) = p.get("Action") else {
        return Err(IamError::new(
            400,
            "MissingAction",
            "Request is missing the Action parameter",
        ));
    };
    let version = p.get("Version").ok_or_else(|| {
        IamError::new(
            400,
            "MissingParameter",
            "The request must contain the parameter Version",
        )
    })?;
    ACTIONS
        .iter()
        .find(|(n, api)| *n == name && api.version() == version)
        .map(|(n, api)| (*n, *api))
        .ok_or_else(|| {
            IamError::new(
                400,
                "InvalidAction",
                format!("Could not find operation {name} for version {version}"),
            )
        })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    CreateUser {
        user_name: UserName,
        path: Option<UserPath>,
        tags: Vec<Tag>,
    },
    GetUser {
        user_name: Option<UserName>,
    },
    ListUsers {
        path_prefix: Option<PathPrefix>,
        page: PageRequest,
    },
    UpdateUser {
        user_name: UserName,
        new_user_name: Option<UserName>,
        new_path: Option<UserPath>,
    },
    DeleteUser {
        user_name: UserName,
    },
    TagUser {
        user_name: UserName,
        tags: Vec<Tag>,
    },
    UntagUser {
        user_name: UserName,
        keys: Vec<TagKey>,
    },
    ListUserTags {
        user_name: UserName,
        page: PageRequest,
    },
    CreateAccessKey {
        user_name: Option<UserName>,
    },
    ListAccessKeys {
        user_name: Option<UserName>,
        page: PageRequest,
    },
    UpdateAccessKey {
        user_name: Option<UserName>,
        access_key_id: AccessKeyId,
        status: KeyState,
    },
    DeleteAccessKey {
        user_name: Option<UserName>,
        access_key_id: AccessKeyId,
    },
    GetAccessKeyLastUsed {
        access_key_id: AccessKeyId,
    },
    PutUserPolicy {
        user_name: UserName,
        policy_name: PolicyName,
        document: String,
    },
    GetUserPolicy {
        user_name: UserName,
        policy_name: PolicyName,
    },
    ListUserPolicies {
        user_name: UserName,
        page: PageRequest,
    },
    DeleteUserPolicy {
        user_name: UserName,
        policy_name: PolicyName,
    },
    GetCallerIdentity,
}

impl Action {
    /// The user a policy quota message names, when the action is about one.
    pub fn user(&self) -> Option<&str> {
        match self {
            Action::PutUserPolicy { user_name, .. } => Some(user_name.as_str()),
            _ => None,
        }
    }
}

/// The model's name for a member in validation messages: `UserName` → `userName`.
fn member(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn typed<T>(
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<T, IamError> {
    parse(value).map_err(|e| IamError::validation(&member(field), Some(value), &e.0))
}

fn optional<T>(
    p: &Params,
    name: &str,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<Option<T>, IamError> {
    p.get(name).map(|v| typed(name, v, &parse)).transpose()
}

fn required<T>(
    p: &Params,
    name: &str,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<T, IamError> {
    let v = p
        .get(name)
        .ok_or_else(|| IamError::missing(&member(name)))?;
    typed(name, v, parse)
}

fn page(p: &Params) -> Result<PageRequest, IamError> {
    let max_items = p
        .get("MaxItems")
        .map(|v| {
            let n: i64 = v.parse().map_err(|_| {
                IamError::validation("maxItems", Some(v), "Member must be an integer")
            })?;
            if n < 1 {
                return Err(IamError::validation(
                    "maxItems",
                    Some(v),
                    "Member must have value greater than or equal to 1",
                ));
            }
            if n > 1000 {
                return Err(IamError::validation(
                    "maxItems",
                    Some(v),
                    "Member must have value less than or equal to 1000",
                ));
            }
            Ok(n as u32)
        })
        .transpose()?;
    let marker = p.get("Marker").map(str::to_owned);
    if let Some(m) = &marker {
        let n = m.chars().count();
        if n == 0 || n > 320 || m.chars().any(|c| !('\u{20}'..='\u{ff}').contains(&c)) {
            return Err(IamError::validation(
                "marker",
                Some(m),
                r"Member must satisfy regular expression pattern: [\u0020-\u00FF]+",
            ));
        }
    }
    Ok(PageRequest { marker, max_items })
}

/// Numbered list members `Prefix.member.N[.Suffix]`, in order of N starting from 1.
fn members<'a>(p: &'a Params, list: &str, suffix: &str) -> Result<Vec<(usize, &'a str)>, IamError> {
    let prefix = format!("{list}.member.");
    let mut found: Vec<(usize, &str)> = Vec::new();
    for (k, v) in p.with_prefix(&prefix) {
        let rest = &k[prefix.len()..];
        let (n, tail) = rest.split_once('.').unwrap_or((rest, ""));
        let index: usize = n.parse().ok().filter(|&i| i >= 1).ok_or_else(|| {
            IamError::validation(
                &member(list),
                Some(k),
                "Member must be a list numbered from 1",
            )
        })?;
        if tail == suffix {
            found.push((index, v));
        }
    }
    found.sort_by_key(|(i, _)| *i);
    Ok(found)
}

fn tags(p: &Params, required_list: bool) -> Result<Vec<Tag>, IamError> {
    let keys = members(p, "Tags", "Key")?;
    let values = members(p, "Tags", "Value")?;
    if required_list && keys.is_empty() && values.is_empty() {
        return Err(IamError::missing("tags"));
    }
    let count = keys
        .iter()
        .chain(&values)
        .map(|(i, _)| *i)
        .max()
        .unwrap_or(0);
    if count > 50 {
        return Err(IamError::validation(
            "tags",
            None,
            "Member must have length less than or equal to 50",
        ));
    }
    (1..=count)
        .map(|i| {
            let field = format!("tags.{i}.member");
            let key = keys
                .iter()
                .find(|(n, _)| *n == i)
                .ok_or_else(|| IamError::missing(&format!("{field}.key")))?
                .1;
            let value = values
                .iter()
                .find(|(n, _)| *n == i)
                .ok_or_else(|| IamError::missing(&format!("{field}.value")))?
                .1;
            Ok(Tag {
                key: TagKey::parse(key)
                    .map_err(|e| IamError::validation(&format!("{field}.key"), Some(key), &e.0))?,
                value: TagValue::parse(value).map_err(|e| {
                    IamError::validation(&format!("{field}.value"), Some(value), &e.0)
                })?,
            })
        })
        .collect()
}

fn tag_keys(p: &Params) -> Result<Vec<TagKey>, IamError> {
    let keys = members(p, "TagKeys", "")?;
    if keys.is_empty() {
        return Err(IamError::missing("tagKeys"));
    }
    if keys.len() > 50 {
        return Err(IamError::validation(
            "tagKeys",
            None,
            "Member must have length less than or equal to 50",
        ));
    }
    keys.iter()
        .map(|(i, k)| {
            TagKey::parse(k)
                .map_err(|e| IamError::validation(&format!("tagKeys.{i}.member"), Some(k), &e.0))
        })
        .collect()
}

fn status(p: &Params) -> Result<KeyState, IamError> {
    match p.get("Status") {
        None => Err(IamError::missing("status")),
        Some("Active") => Ok(KeyState::Active),
        Some("Inactive") => Ok(KeyState::Inactive),
        Some("Expired") => Err(IamError::new(
            400,
            "InvalidInput",
            "The status of an access key can only be set to Active or Inactive.",
        )),
        Some(other) => Err(IamError::validation(
            "status",
            Some(other),
            "Member must satisfy enum value set: [Active, Expired, Inactive]",
        )),
    }
}

fn document(p: &Params) -> Result<String, IamError> {
    p.get("PolicyDocument")
        .map(str::to_owned)
        .ok_or_else(|| IamError::missing("policyDocument"))
}

/// Reads the parameters of the action `name` (already known to exist).
pub fn parse(name: &str, p: &Params) -> Result<Action, IamError> {
    // Calls that name an existing user take the model's 1–128; creating one takes 1–64.
    let user = |p: &Params| required(p, "UserName", UserName::parse_lookup);
    let user_opt = |p: &Params| optional(p, "UserName", UserName::parse_lookup);
    let key_id = |p: &Params| required(p, "AccessKeyId", AccessKeyId::parse);
    let policy = |p: &Params| required(p, "PolicyName", PolicyName::parse);
    Ok(match name {
        "CreateUser" => {
            if let Some(b) = p.get("PermissionsBoundary") {
                return Err(IamError::new(
                    404,
                    "NoSuchEntity",
                    format!("Policy {b} does not exist or is not attachable."),
                ));
            }
            Action::CreateUser {
                user_name: required(p, "UserName", UserName::parse)?,
                path: optional(p, "Path", UserPath::parse)?,
                tags: tags(p, false)?,
            }
        }
        "GetUser" => Action::GetUser {
            user_name: user_opt(p)?,
        },
        "ListUsers" => Action::ListUsers {
            path_prefix: optional(p, "PathPrefix", PathPrefix::parse)?,
            page: page(p)?,
        },
        "UpdateUser" => Action::UpdateUser {
            user_name: user(p)?,
            new_user_name: optional(p, "NewUserName", UserName::parse)?,
            new_path: optional(p, "NewPath", UserPath::parse)?,
        },
        "DeleteUser" => Action::DeleteUser {
            user_name: user(p)?,
        },
        "TagUser" => Action::TagUser {
            user_name: user(p)?,
            tags: tags(p, true)?,
        },
        "UntagUser" => Action::UntagUser {
            user_name: user(p)?,
            keys: tag_keys(p)?,
        },
        "ListUserTags" => Action::ListUserTags {
            user_name: user(p)?,
            page: page(p)?,
        },
        "CreateAccessKey" => Action::CreateAccessKey {
            user_name: user_opt(p)?,
        },
        "ListAccessKeys" => Action::ListAccessKeys {
            user_name: user_opt(p)?,
            page: page(p)?,
        },
        "UpdateAccessKey" => Action::UpdateAccessKey {
            user_name: user_opt(p)?,
            access_key_id: key_id(p)?,
            status: status(p)?,
        },
        "DeleteAccessKey" => Action::DeleteAccessKey {
            user_name: user_opt(p)?,
            access_key_id: key_id(p)?,
        },
        "GetAccessKeyLastUsed" => Action::GetAccessKeyLastUsed {
            access_key_id: key_id(p)?,
        },
        "PutUserPolicy" => Action::PutUserPolicy {
            user_name: user(p)?,
            policy_name: policy(p)?,
            document: document(p)?,
        },
        "GetUserPolicy" => Action::GetUserPolicy {
            user_name: user(p)?,
            policy_name: policy(p)?,
        },
        "ListUserPolicies" => Action::ListUserPolicies {
            user_name: user(p)?,
            page: page(p)?,
        },
        "DeleteUserPolicy" => Action::DeleteUserPolicy {
            user_name: user(p)?,
            policy_name: policy(p)?,
        },
        "GetCallerIdentity" => Action::GetCallerIdentity,
        other => {
            return Err(IamError::new(
                400,
                "InvalidAction",
                format!("Could not find operation {other} for version {IAM_VERSION}"),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Params {
        Params::parse(s.as_bytes()).unwrap()
    }

    fn err(s: &str) -> IamError {
        let params = p(s);
        match action_name(&params) {
            Ok((name, _)) => parse(name, &params).unwrap_err(),
            Err(e) => e,
        }
    }

    #[test]
    fn names_and_versions() {
        assert_eq!(err("Version=2010-05-08").code, "MissingAction");
        assert_eq!(err("Action=ListUsers").code, "MissingParameter");
        let e = err("Action=FooBar&Version=2010-05-08");
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                "InvalidAction",
                "Could not find operation FooBar for version 2010-05-08"
            )
        );
        assert_eq!(
            err("Action=ListUsers&Version=2011-06-15").code,
            "InvalidAction"
        );
        assert_eq!(
            action_name(&p("Action=GetCallerIdentity&Version=2011-06-15"))
                .unwrap()
                .1,
            Api::Sts
        );
    }

    #[test]
    fn validation_messages_name_the_member() {
        let e = err("Action=CreateUser&Version=2010-05-08&UserName=a+b");
        assert_eq!(e.code, "ValidationError");
        assert_eq!(
            e.message,
            r"1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
        );
        let e = err("Action=DeleteUser&Version=2010-05-08");
        assert!(
            e.message.contains("Value null at 'userName'"),
            "{}",
            e.message
        );
        let e = err(
            "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIDEXAMPLE0TARGET01&Status=Bogus",
        );
        assert!(e.message.contains("at 'status'"));
        assert_eq!(err("Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIDEXAMPLE0TARGET01&Status=Expired").code, "InvalidInput");
        let e = err("Action=DeleteAccessKey&Version=2010-05-08&AccessKeyId=SHORT");
        assert!(
            e.message.contains("at 'accessKeyId'")
                && e.message.contains("greater than or equal to 16")
        );
        let e = err("Action=ListUsers&Version=2010-05-08&MaxItems=5000");
        assert!(e.message.contains("less than or equal to 1000"));
        assert!(
            err("Action=ListUsers&Version=2010-05-08&MaxItems=x")
                .message
                .contains("maxItems")
        );
        assert!(
            err("Action=CreateUser&Version=2010-05-08&UserName=a&Path=nope")
                .message
                .contains("'path'")
        );
        assert!(
            err("Action=TagUser&Version=2010-05-08&UserName=a")
                .message
                .contains("'tags'")
        );
        assert!(
            err("Action=TagUser&Version=2010-05-08&UserName=a&Tags.member.1.Key=k")
                .message
                .contains("tags.1.member.value")
        );
        assert_eq!(err("Action=CreateUser&Version=2010-05-08&UserName=a&PermissionsBoundary=arn:aws:iam::aws:policy/X").code, "NoSuchEntity");
    }

    #[test]
    fn reads_every_member() {
        let a = parse(
            "TagUser",
            &p("Action=TagUser&Version=2010-05-08&UserName=Bob&Tags.member.2.Key=cost-center&Tags.member.2.Value=a%2Fb&Tags.member.1.Key=team&Tags.member.1.Value=dev+ops"),
        )
        .unwrap();
        let Action::TagUser { tags, .. } = a else {
            panic!("{a:?}")
        };
        assert_eq!(
            tags.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
            ["team", "cost-center"]
        );
        assert_eq!(tags[0].value.as_str(), "dev ops");
        let a = parse(
            "UntagUser",
            &p("UserName=Bob&TagKeys.member.1=a&TagKeys.member.2=c"),
        )
        .unwrap();
        assert!(matches!(a, Action::UntagUser { ref keys, .. } if keys.len() == 2));
        let a = parse("ListAccessKeys", &p("UserName=Bob&MaxItems=2&Marker=abc")).unwrap();
        assert_eq!(
            a,
            Action::ListAccessKeys {
                user_name: Some(UserName::parse("Bob").unwrap()),
                page: PageRequest {
                    marker: Some("abc".into()),
                    max_items: Some(2)
                },
            }
        );
    }
}
