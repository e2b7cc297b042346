//! Rows of the stores' tables as the core's records, and back: columns, parsing of
//! stored text into validated types, key states and owners.

use crate::sql::{Row, RowError};
use keygate_core::{
    AccessKey, AccessKeyId, Account, AccountId, Email, Group, GroupId, GroupName, KeyOwner,
    KeyState, LastUsed, Tag, TagKey, TagValue, Timestamp, User, UserId, UserName, UserPath,
};

/// A stored text that no longer satisfies its type's rule: the database was edited by hand.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> RowError {
    RowError(format!("stored {what} is invalid: {e}"))
}

pub(crate) fn parse_col<T, E: std::fmt::Display>(
    row: &Row<'_>,
    idx: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> crate::sql::Result<T> {
    let s: String = row.get(idx)?;
    parse(&s).map_err(|e| corrupt(what, e))
}

pub(crate) const ACCOUNT_COLS: &str = "id, name, email, created_at";
pub(crate) const USER_COLS: &str = "account_id, id, name, path, email, created_at, modified_at";
pub(crate) const KEY_COLS: &str = "id, account_id, user_id, state, created_at, modified_at, expires_at, \
                        last_used_at, last_used_service, last_used_region, tag";

pub(crate) fn account_row(r: &Row<'_>) -> crate::sql::Result<Account> {
    Ok(Account {
        id: parse_col(r, 0, "account id", AccountId::parse)?,
        name: r.get(1)?,
        email: parse_col(r, 2, "e-mail", Email::parse)?,
        created_at: Timestamp::from_unix_millis(r.get(3)?),
    })
}

pub(crate) const GROUP_COLS: &str =
    "g.account_id, g.id, g.name, g.path, g.created_at, g.modified_at";

pub(crate) fn group_row(r: &Row<'_>) -> crate::sql::Result<Group> {
    Ok(Group {
        account_id: parse_col(r, 0, "account id", AccountId::parse)?,
        id: parse_col(r, 1, "group id", GroupId::parse)?,
        name: parse_col(r, 2, "group name", GroupName::parse)?,
        path: parse_col(r, 3, "path", UserPath::parse)?,
        created_at: Timestamp::from_unix_millis(r.get(4)?),
        modified_at: Timestamp::from_unix_millis(r.get(5)?),
    })
}

pub(crate) fn user_row(r: &Row<'_>) -> crate::sql::Result<User> {
    let email: Option<String> = r.get(4)?;
    Ok(User {
        account_id: parse_col(r, 0, "account id", AccountId::parse)?,
        id: parse_col(r, 1, "user id", UserId::parse)?,
        name: parse_col(r, 2, "user name", UserName::parse)?,
        path: parse_col(r, 3, "path", UserPath::parse)?,
        email: email
            .map(|e| Email::parse(&e).map_err(|err| corrupt("e-mail", err)))
            .transpose()?,
        created_at: Timestamp::from_unix_millis(r.get(5)?),
        modified_at: Timestamp::from_unix_millis(r.get(6)?),
        tags: Vec::new(),
    })
}

pub(crate) fn key_row(r: &Row<'_>) -> crate::sql::Result<AccessKey> {
    let user: Option<String> = r.get(2)?;
    let state: String = r.get(3)?;
    let last_at: Option<i64> = r.get(7)?;
    Ok(AccessKey {
        id: parse_col(r, 0, "access key id", AccessKeyId::parse)?,
        account_id: parse_col(r, 1, "account id", AccountId::parse)?,
        owner: match user {
            None => KeyOwner::Root,
            Some(u) => KeyOwner::User(UserId::parse(&u).map_err(|e| corrupt("user id", e))?),
        },
        state: match state.as_str() {
            "active" => KeyState::Active,
            "inactive" => KeyState::Inactive,
            other => return Err(corrupt("key state", other)),
        },
        created_at: Timestamp::from_unix_millis(r.get(4)?),
        modified_at: Timestamp::from_unix_millis(r.get(5)?),
        expires_at: r.get::<Option<i64>>(6)?.map(Timestamp::from_unix_millis),
        last_used: match last_at {
            Some(at) => Some(LastUsed {
                at: Timestamp::from_unix_millis(at),
                service: r.get::<Option<String>>(8)?.unwrap_or_default(),
                region: r.get::<Option<String>>(9)?.unwrap_or_default(),
            }),
            None => None,
        },
        tag: r.get(10)?,
    })
}

/// A tag from its `key, value` columns.
pub(crate) fn tag_row(r: &Row<'_>) -> crate::sql::Result<Tag> {
    Ok(Tag {
        key: parse_col(r, 0, "tag key", TagKey::parse)?,
        value: parse_col(r, 1, "tag value", TagValue::parse)?,
    })
}

pub(crate) fn state_text(s: KeyState) -> &'static str {
    match s {
        KeyState::Active => "active",
        KeyState::Inactive => "inactive",
    }
}

pub(crate) fn owner_param(o: &KeyOwner) -> Option<&str> {
    match o {
        KeyOwner::Root => None,
        KeyOwner::User(u) => Some(u.as_str()),
    }
}
