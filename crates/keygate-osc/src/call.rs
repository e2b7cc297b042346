//! Turning `POST /api/v1/<Call>` into a typed `Call`: the call name, then its JSON body read
//! strictly against the spec's request schema, then each value checked against its rule.

use keygate_core::{
    AccessKeyId, Email, InvalidId, KeyState, PolicyName, Timestamp, UserId, UserName, UserPath,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::OscError;

/// Which credentials a call accepts (the spec's per-call `security`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    AccessKey,
    AccessKeyOrPassword,
}

/// The calls keygate serves, with the security the spec gives each.
const CALLS: &[(&str, Security)] = &[
    ("CreateAccessKey", Security::AccessKeyOrPassword),
    ("DeleteAccessKey", Security::AccessKeyOrPassword),
    ("ReadAccessKeys", Security::AccessKeyOrPassword),
    ("UpdateAccessKey", Security::AccessKeyOrPassword),
    ("CreateUser", Security::AccessKey),
    ("DeleteUser", Security::AccessKey),
    ("ReadUsers", Security::AccessKey),
    ("UpdateUser", Security::AccessKey),
    ("PutUserPolicy", Security::AccessKey),
    ("ReadUserPolicy", Security::AccessKey),
    ("ReadUserPolicies", Security::AccessKey),
    ("DeleteUserPolicy", Security::AccessKey),
    ("ReadAccounts", Security::AccessKey),
    ("CheckAuthentication", Security::AccessKey),
];

/// The call named in the path, before anything else is read.
pub fn call_name(name: &str) -> Result<(&'static str, Security), OscError> {
    CALLS
        .iter()
        .find(|(n, _)| *n == name)
        .copied()
        .ok_or_else(|| {
            OscError::new(
                400,
                "0",
                "DefaultError",
                format!("The call '{name}' does not exist."),
            )
        })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreateAccessKeyIn {
    expiration_date: Option<String>,
    tag: Option<String>,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DeleteAccessKeyIn {
    access_key_id: String,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FiltersAccessKeys {
    access_key_ids: Option<Vec<String>>,
    states: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadAccessKeysIn {
    filters: Option<FiltersAccessKeys>,
    tag: Option<String>,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdateAccessKeyIn {
    access_key_id: String,
    state: Option<String>,
    expiration_date: Option<String>,
    clear_expiration_date: Option<bool>,
    tag: Option<String>,
    clear_tag: Option<bool>,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreateUserIn {
    user_name: String,
    path: Option<String>,
    user_email: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UserNameIn {
    user_name: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FiltersUsers {
    user_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadUsersIn {
    filters: Option<FiltersUsers>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdateUserIn {
    user_name: String,
    new_user_name: Option<String>,
    new_path: Option<String>,
    new_user_email: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PutUserPolicyIn {
    user_name: String,
    policy_name: String,
    policy_document: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UserPolicyIn {
    user_name: String,
    policy_name: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DryRunIn {
    dry_run: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CheckAuthenticationIn {
    login: String,
    password: String,
    dry_run: Option<bool>,
}

/// The largest `ResultsPerPage` served; larger requests are cut to it.
pub const MAX_RESULTS: usize = 1000;

/// A typed call, every value checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    CreateAccessKey {
        user_name: Option<UserName>,
        expires_at: Option<Timestamp>,
        tag: Option<String>,
    },
    DeleteAccessKey {
        user_name: Option<UserName>,
        access_key_id: AccessKeyId,
    },
    ReadAccessKeys {
        user_name: Option<UserName>,
        ids: Option<Vec<AccessKeyId>>,
        states: Option<Vec<KeyState>>,
        tag: Option<String>,
    },
    UpdateAccessKey {
        user_name: Option<UserName>,
        access_key_id: AccessKeyId,
        state: Option<KeyState>,
        expires_at: Option<Option<Timestamp>>,
        tag: Option<Option<String>>,
    },
    CreateUser {
        user_name: UserName,
        path: Option<UserPath>,
        email: Option<Email>,
    },
    DeleteUser {
        user_name: UserName,
    },
    ReadUsers {
        ids: Option<Vec<UserId>>,
        first: usize,
        count: usize,
        truncated: bool,
    },
    UpdateUser {
        user_name: UserName,
        new_user_name: Option<UserName>,
        new_path: Option<UserPath>,
        new_email: Option<Email>,
    },
    PutUserPolicy {
        user_name: UserName,
        policy_name: PolicyName,
        document: String,
    },
    ReadUserPolicy {
        user_name: UserName,
        policy_name: PolicyName,
    },
    ReadUserPolicies {
        user_name: UserName,
    },
    DeleteUserPolicy {
        user_name: UserName,
        policy_name: PolicyName,
    },
    ReadAccounts,
    CheckAuthentication {
        login: Email,
        password: Password,
    },
}

/// A password from a request body: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A call and its `DryRun` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub call: Call,
    pub dry_run: bool,
}

fn body<T: DeserializeOwned>(raw: &[u8]) -> Result<T, OscError> {
    let raw: &[u8] = if raw.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        raw
    };
    // Only an object is a request; serde would also read a struct from an array.
    if raw.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(OscError::invalid_type(
            "The request body must be a JSON object.",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(raw);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let text = inner.to_string();
        if inner.is_syntax() || inner.is_eof() {
            OscError::invalid_type(format!("The request body is not a JSON object: {text}"))
        } else if text.starts_with("unknown field") {
            let field = text.split('`').nth(1).unwrap_or_default();
            let at = if path == "." || path.is_empty() {
                String::new()
            } else {
                format!(" in {path}")
            };
            OscError::invalid_parameter(format!(
                "The parameter {field}{at} is not valid for this call."
            ))
        } else if text.starts_with("missing field") {
            let field = text.split('`').nth(1).unwrap_or_default();
            OscError::invalid_parameter(format!("The parameter {field} is required."))
        } else {
            OscError::invalid_type(format!("The parameter type of {path} is not valid: {text}"))
        }
    })?;
    de.end().map_err(|e| {
        OscError::invalid_type(format!("The request body is not a JSON object: {e}"))
    })?;
    Ok(value)
}

/// Outscale's rule for paths: letters, digits, `/` and `_`, on top of the shape every path has.
fn osc_path(field: &str, value: Option<String>) -> Result<Option<UserPath>, OscError> {
    if let Some(v) = &value
        && !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '_')
    {
        return Err(OscError::invalid_value(
            field,
            "only letters, digits, '/' and '_' are allowed",
        ));
    }
    opt(field, value, UserPath::parse)
}

fn id<T>(
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<T, OscError> {
    parse(value).map_err(|e| OscError::invalid_value(field, e.0))
}

fn opt<T>(
    field: &str,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<Option<T>, OscError> {
    value.map(|v| id(field, &v, &parse)).transpose()
}

fn email(field: &str, value: Option<String>) -> Result<Option<Email>, OscError> {
    value
        .map(|v| {
            Email::parse(&v).map_err(|_| {
                OscError::new(
                    400,
                    "4020",
                    "InvalidParameterValue",
                    format!("The value of {field} is not a valid e-mail address."),
                )
            })
        })
        .transpose()
}

fn state(field: &str, s: &str) -> Result<KeyState, OscError> {
    match s {
        "ACTIVE" => Ok(KeyState::Active),
        "INACTIVE" => Ok(KeyState::Inactive),
        other => Err(OscError::invalid_value(
            field,
            format!("'{other}' is not ACTIVE or INACTIVE"),
        )),
    }
}

/// An ISO 8601 date-time (any offset) or a date alone, meaning midnight UTC.
pub fn parse_date(field: &str, s: &str) -> Result<Timestamp, OscError> {
    let with_offset = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory][optional [:]][offset_minute]"
    );
    let dt = OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(s, with_offset))
        .or_else(|_| {
            PrimitiveDateTime::parse(
                s,
                format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
                ),
            )
            .map(|p| p.assume_utc())
        })
        .or_else(|_| {
            Date::parse(s, format_description!("[year]-[month]-[day]"))
                .map(|d| d.midnight().assume_offset(UtcOffset::UTC))
        })
        .map_err(|_| {
            OscError::invalid_value(field, format!("'{s}' is not an ISO 8601 date or date-time"))
        })?;
    Ok(Timestamp::from_datetime(dt))
}

fn date(field: &str, s: Option<String>) -> Result<Option<Timestamp>, OscError> {
    s.map(|s| parse_date(field, &s)).transpose()
}

fn dry(d: Option<bool>) -> bool {
    d.unwrap_or(false)
}

/// Reads the body of the call `name` (already known to exist).
pub fn parse(name: &str, raw: &[u8]) -> Result<Request, OscError> {
    let user = |v: String| id("UserName", &v, UserName::parse);
    let user_opt = |v: Option<String>| opt("UserName", v, UserName::parse);
    let key = |v: String| id("AccessKeyId", &v, AccessKeyId::parse);
    let policy = |v: String| id("PolicyName", &v, PolicyName::parse);
    let (call, dry_run) = match name {
        "CreateAccessKey" => {
            let b: CreateAccessKeyIn = body(raw)?;
            let call = Call::CreateAccessKey {
                user_name: user_opt(b.user_name)?,
                expires_at: date("ExpirationDate", b.expiration_date)?,
                tag: b.tag,
            };
            (call, dry(b.dry_run))
        }
        "DeleteAccessKey" => {
            let b: DeleteAccessKeyIn = body(raw)?;
            let call = Call::DeleteAccessKey {
                user_name: user_opt(b.user_name)?,
                access_key_id: key(b.access_key_id)?,
            };
            (call, dry(b.dry_run))
        }
        "ReadAccessKeys" => {
            let b: ReadAccessKeysIn = body(raw)?;
            let f = b.filters.unwrap_or_default();
            let call = Call::ReadAccessKeys {
                user_name: user_opt(b.user_name)?,
                ids: f
                    .access_key_ids
                    .map(|ids| {
                        ids.iter()
                            .map(|i| id("Filters.AccessKeyIds", i, AccessKeyId::parse))
                            .collect()
                    })
                    .transpose()?,
                states: f
                    .states
                    .map(|s| s.iter().map(|v| state("Filters.States", v)).collect())
                    .transpose()?,
                tag: b.tag,
            };
            (call, dry(b.dry_run))
        }
        "UpdateAccessKey" => {
            let b: UpdateAccessKeyIn = body(raw)?;
            // Absent ExpirationDate or Tag leaves it unchanged; the Clear flags remove it.
            let expires_at = if b.clear_expiration_date == Some(true) {
                Some(None)
            } else {
                date("ExpirationDate", b.expiration_date)?.map(Some)
            };
            let tag = if b.clear_tag == Some(true) {
                Some(None)
            } else {
                b.tag.map(Some)
            };
            let call = Call::UpdateAccessKey {
                user_name: user_opt(b.user_name)?,
                access_key_id: key(b.access_key_id)?,
                state: b.state.map(|s| state("State", &s)).transpose()?,
                expires_at,
                tag,
            };
            (call, dry(b.dry_run))
        }
        "CreateUser" => {
            let b: CreateUserIn = body(raw)?;
            let call = Call::CreateUser {
                user_name: user(b.user_name)?,
                path: osc_path("Path", b.path)?,
                email: email("UserEmail", b.user_email)?,
            };
            (call, dry(b.dry_run))
        }
        "DeleteUser" => {
            let b: UserNameIn = body(raw)?;
            (
                Call::DeleteUser {
                    user_name: user(b.user_name)?,
                },
                dry(b.dry_run),
            )
        }
        "ReadUsers" => {
            let b: ReadUsersIn = body(raw)?;
            let first = match b.first_item {
                None => 0,
                Some(n) => usize::try_from(n)
                    .map_err(|_| OscError::invalid_value("FirstItem", "must be 0 or more"))?,
            };
            let asked = match b.results_per_page {
                None => 100,
                Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
                Some(_) => {
                    return Err(OscError::invalid_value(
                        "ResultsPerPage",
                        "must be 1 or more",
                    ));
                }
            };
            let call = Call::ReadUsers {
                ids: b
                    .filters
                    .unwrap_or_default()
                    .user_ids
                    .map(|ids| {
                        ids.iter()
                            .map(|i| id("Filters.UserIds", i, UserId::parse))
                            .collect()
                    })
                    .transpose()?,
                first,
                count: asked.min(MAX_RESULTS),
                truncated: asked > MAX_RESULTS,
            };
            (call, dry(b.dry_run))
        }
        "UpdateUser" => {
            let b: UpdateUserIn = body(raw)?;
            let call = Call::UpdateUser {
                user_name: user(b.user_name)?,
                new_user_name: opt("NewUserName", b.new_user_name, UserName::parse)?,
                new_path: osc_path("NewPath", b.new_path)?,
                new_email: email("NewUserEmail", b.new_user_email)?,
            };
            (call, dry(b.dry_run))
        }
        "PutUserPolicy" => {
            let b: PutUserPolicyIn = body(raw)?;
            let call = Call::PutUserPolicy {
                user_name: user(b.user_name)?,
                policy_name: policy(b.policy_name)?,
                document: b.policy_document,
            };
            (call, dry(b.dry_run))
        }
        "ReadUserPolicy" | "DeleteUserPolicy" => {
            let b: UserPolicyIn = body(raw)?;
            let (user_name, policy_name) = (user(b.user_name)?, policy(b.policy_name)?);
            let call = if name == "ReadUserPolicy" {
                Call::ReadUserPolicy {
                    user_name,
                    policy_name,
                }
            } else {
                Call::DeleteUserPolicy {
                    user_name,
                    policy_name,
                }
            };
            (call, dry(b.dry_run))
        }
        "ReadUserPolicies" => {
            let b: UserNameIn = body(raw)?;
            (
                Call::ReadUserPolicies {
                    user_name: user(b.user_name)?,
                },
                dry(b.dry_run),
            )
        }
        "ReadAccounts" => {
            let b: DryRunIn = body(raw)?;
            (Call::ReadAccounts, dry(b.dry_run))
        }
        "CheckAuthentication" => {
            let b: CheckAuthenticationIn = body(raw)?;
            let login = Email::parse(&b.login)
                .map_err(|_| OscError::auth("The login or password is not valid."))?;
            (
                Call::CheckAuthentication {
                    login,
                    password: Password(b.password),
                },
                dry(b.dry_run),
            )
        }
        other => {
            return Err(OscError::new(
                400,
                "0",
                "DefaultError",
                format!("The call '{other}' does not exist."),
            ));
        }
    };
    Ok(Request { call, dry_run })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, body: &str) -> OscError {
        parse(name, body.as_bytes()).unwrap_err()
    }

    #[test]
    fn reads_what_the_clients_send() {
        let r = parse(
            "DeleteAccessKey",
            br#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "DryRun": true}"#,
        )
        .unwrap();
        assert!(r.dry_run);
        assert!(matches!(
            r.call,
            Call::DeleteAccessKey {
                user_name: None,
                ..
            }
        ));
        let r = parse("ReadAccessKeys", br#"{"Filters": {"States": ["ACTIVE"]}}"#).unwrap();
        assert!(
            matches!(r.call, Call::ReadAccessKeys { states: Some(ref s), .. } if s == &[KeyState::Active])
        );
        assert_eq!(
            parse("ReadUsers", b"").unwrap().call,
            Call::ReadUsers {
                ids: None,
                first: 0,
                count: 100,
                truncated: false
            }
        );
        let r = parse("UpdateAccessKey", br#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "ClearExpirationDate": true, "ExpirationDate": "2030-01-01"}"#).unwrap();
        assert!(matches!(
            r.call,
            Call::UpdateAccessKey {
                expires_at: Some(None),
                tag: None,
                ..
            }
        ));
    }

    #[test]
    fn bad_bodies_name_the_field() {
        let e = err("DeleteAccessKey", "{}");
        assert_eq!((e.status.as_u16(), e.code), (400, "4045"));
        assert!(e.details.contains("AccessKeyId"), "{}", e.details);
        let e = err(
            "DeleteAccessKey",
            r#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "Foo": 1}"#,
        );
        assert_eq!(e.code, "4045");
        assert!(e.details.contains("Foo"));
        let e = err(
            "DeleteAccessKey",
            r#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "DryRun": "yes"}"#,
        );
        assert_eq!(e.code, "4108");
        assert!(e.details.contains("DryRun"), "{}", e.details);
        assert_eq!(err("DeleteAccessKey", "not json").code, "4108");
        let e = err("ReadAccessKeys", r#"{"Filters": {"Bogus": []}}"#);
        assert!(
            e.details.contains("Bogus") && e.details.contains("Filters"),
            "{}",
            e.details
        );
        let e = err(
            "UpdateAccessKey",
            r#"{"AccessKeyId": "TARGETKEY0ABCDEFGHIJ", "State": "ENABLED"}"#,
        );
        assert_eq!(e.code, "4047");
        assert!(e.details.contains("State"));
        let e = err("CreateUser", r#"{"UserName": "a b"}"#);
        assert!(e.code == "4047" && e.details.contains("UserName"));
        assert_eq!(
            err("CreateUser", r#"{"UserName": "a", "UserEmail": "nope"}"#).code,
            "4020"
        );
        let e = err(
            "PutUserPolicy",
            r#"{"UserName": "a", "PolicyName": "p", "PolicyDocument": {"Statement": []}}"#,
        );
        assert_eq!(e.code, "4108");
        assert!(e.details.contains("PolicyDocument"));
        assert!(
            err("CreateAccessKey", r#"{"ExpirationDate": "tomorrow"}"#)
                .details
                .contains("ExpirationDate")
        );
        assert_eq!(call_name("ReadSecretAccessKey").unwrap_err().code, "0");
        assert_eq!(
            err("DeleteUser", r#"{"UserName": "a"} trailing"#).code,
            "4108"
        );
        assert_eq!(err("DeleteUser", r#"["a"]"#).code, "4108");
        let e = err("CreateUser", r#"{"UserName": "a", "Path": "/a-b/"}"#);
        assert!(
            e.code == "4047" && e.details.contains("Path"),
            "{}",
            e.details
        );
        assert!(parse("CreateUser", br#"{"UserName": "a", "Path": "/a_b/c1/"}"#).is_ok());
    }

    #[test]
    fn dates() {
        let d = |s| parse_date("D", s).unwrap().unix_millis();
        assert_eq!(d("2063-04-05"), d("2063-04-05T00:00:00.000Z"));
        assert_eq!(
            d("2010-10-01T12:34:56.789+0000"),
            d("2010-10-01T12:34:56.789Z")
        );
        assert_eq!(d("2010-10-01T14:34:56+02:00"), d("2010-10-01T12:34:56Z"));
        assert!(parse_date("D", "2010-13-01").is_err());
    }
}
