//! Reading one parameter of an action against the model's constraints, each failure worded as
//! AWS words a validation error. The actions' own modules (`ops`) compose these.

use keygate_core::{
    AccessKeyId, InvalidId, KeyState, PageRequest, PolicyName, Tag, TagKey, TagValue, UserName,
};

use crate::error::IamError;
use crate::params::Params;

/// A user that must exist: calls that only name one take the model's 1–128 characters (creating
/// one takes 1–64, in the core).
pub(crate) fn user(p: &Params) -> Result<UserName, IamError> {
    required(p, "UserName", UserName::parse_lookup)
}

/// The user named, or the caller itself when absent.
pub(crate) fn user_opt(p: &Params) -> Result<Option<UserName>, IamError> {
    optional(p, "UserName", UserName::parse_lookup)
}

pub(crate) fn key_id(p: &Params) -> Result<AccessKeyId, IamError> {
    required(p, "AccessKeyId", AccessKeyId::parse)
}

pub(crate) fn policy_name(p: &Params) -> Result<PolicyName, IamError> {
    required(p, "PolicyName", PolicyName::parse)
}

/// The model's name for a member in validation messages: `UserName` → `userName`.
pub(crate) fn member(name: &str) -> String {
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

pub(crate) fn optional<T>(
    p: &Params,
    name: &str,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<Option<T>, IamError> {
    p.get(name).map(|v| typed(name, v, &parse)).transpose()
}

pub(crate) fn required<T>(
    p: &Params,
    name: &str,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<T, IamError> {
    let v = p
        .get(name)
        .ok_or_else(|| IamError::missing(&member(name)))?;
    typed(name, v, parse)
}

pub(crate) fn page(p: &Params) -> Result<PageRequest, IamError> {
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
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
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

pub(crate) fn tags(p: &Params, required_list: bool) -> Result<Vec<Tag>, IamError> {
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

pub(crate) fn tag_keys(p: &Params) -> Result<Vec<TagKey>, IamError> {
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

pub(crate) fn status(p: &Params) -> Result<KeyState, IamError> {
    match p.get("Status") {
        None => Err(IamError::missing("status")),
        Some("Active") => Ok(KeyState::Active),
        Some("Inactive") => Ok(KeyState::Inactive),
        Some("Expired") => Err(IamError::status_not_settable()),
        Some(other) => Err(IamError::validation(
            "status",
            Some(other),
            "Member must satisfy enum value set: [Active, Expired, Inactive]",
        )),
    }
}

pub(crate) fn document(p: &Params) -> Result<String, IamError> {
    p.get("PolicyDocument")
        .map(str::to_owned)
        .ok_or_else(|| IamError::missing("policyDocument"))
}

/// `Description`: at most 1,000 characters (the model's constraint; the core checks the
/// characters).
pub(crate) fn description(p: &Params) -> Result<Option<String>, IamError> {
    match p.get("Description") {
        Some(d) if d.chars().count() > 1000 => Err(IamError::validation(
            "description",
            Some(d),
            "Member must have length less than or equal to 1000",
        )),
        d => Ok(d.map(str::to_owned)),
    }
}

/// An integer member within the model's `min..=max`.
pub(crate) fn integer(p: &Params, name: &str, min: u32, max: u32) -> Result<Option<u32>, IamError> {
    p.get(name)
        .map(|v| {
            let field = member(name);
            let n: i64 = v
                .parse()
                .map_err(|_| IamError::validation(&field, Some(v), "Member must be an integer"))?;
            if n < i64::from(min) {
                return Err(IamError::validation(
                    &field,
                    Some(v),
                    &format!("Member must have value greater than or equal to {min}"),
                ));
            }
            if n > i64::from(max) {
                return Err(IamError::validation(
                    &field,
                    Some(v),
                    &format!("Member must have value less than or equal to {max}"),
                ));
            }
            Ok(u32::try_from(n).unwrap_or(max))
        })
        .transpose()
}

/// A boolean member: `true` or `false`.
pub(crate) fn flag(p: &Params, name: &str) -> Result<Option<bool>, IamError> {
    match p.get(name) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(IamError::validation(
            &member(name),
            Some(other),
            "Member must be a boolean (true or false)",
        )),
    }
}

/// An MFA device's serial number: 9 to 256 of `[\w+=/:,.@-]` (`serialNumberType`).
pub(crate) fn mfa_serial(p: &Params, name: &str) -> Result<Option<String>, IamError> {
    p.get(name)
        .map(|s| {
            let n = s.chars().count();
            let ok = (9..=256).contains(&n)
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c));
            if ok {
                Ok(s.to_owned())
            } else {
                Err(IamError::validation(
                    &member(name),
                    Some(s),
                    r"Member must satisfy regular expression pattern: [\w+=/:,.@-]+, length 9 to 256",
                ))
            }
        })
        .transpose()
}

/// An MFA code: six digits (`tokenCodeType`, `authenticationCodeType`).
pub(crate) fn mfa_code(p: &Params, name: &str) -> Result<Option<String>, IamError> {
    p.get(name)
        .map(|c| {
            if c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) {
                Ok(c.to_owned())
            } else {
                Err(IamError::validation(
                    &member(name),
                    Some(c),
                    r"Member must satisfy regular expression pattern: [\d]+, length 6",
                ))
            }
        })
        .transpose()
}
