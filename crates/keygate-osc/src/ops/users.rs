//! Users: CreateUser, DeleteUser, ReadUsers, UpdateUser.

use keygate_core::{Caller, Email, User, UserChange, UserId, UserName, UserPath};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Op, date, listing, slice};
use crate::body::{body, dry, email, id, ids, opt, osc_path};
use crate::error::OscError;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UserOut<'a> {
    user_name: &'a str,
    user_id: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_email: Option<&'a str>,
    creation_date: String,
    last_modification_date: String,
}

pub(crate) fn user(u: &User) -> UserOut<'_> {
    UserOut {
        user_name: u.name.as_str(),
        user_id: u.id.as_str(),
        path: u.path.as_str(),
        user_email: u.email.as_ref().map(|e| e.as_str()),
        creation_date: date(u.created_at),
        last_modification_date: date(u.modified_at),
    }
}

pub(crate) fn user_name(v: &str) -> Result<UserName, OscError> {
    id("UserName", v, UserName::parse)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreateUserBody {
    user_name: String,
    path: Option<String>,
    user_email: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUser {
    pub user_name: UserName,
    pub path: Option<UserPath>,
    pub email: Option<Email>,
}

impl Op for CreateUser {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: CreateUserBody = body(raw)?;
        let call = Self {
            user_name: user_name(&b.user_name)?,
            path: osc_path("Path", b.path)?,
            email: email("UserEmail", b.user_email)?,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let u = c.create_user(self.user_name, self.path, self.email, Vec::new())?;
        Ok(json!({"User": user(&u)}))
    }
}

/// The body of the calls that name a user and nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UserNameBody {
    user_name: String,
    dry_run: Option<bool>,
}

/// The user such a body names, and its `DryRun`.
pub(crate) fn named_user(raw: &[u8]) -> Result<(UserName, bool), OscError> {
    let b: UserNameBody = body(raw)?;
    Ok((user_name(&b.user_name)?, dry(b.dry_run)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteUser {
    pub user_name: UserName,
}

impl Op for DeleteUser {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let (user_name, dry_run) = named_user(raw)?;
        Ok((Self { user_name }, dry_run))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_user(&self.user_name)?;
        Ok(json!({}))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FiltersUsers {
    user_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadUsersBody {
    filters: Option<FiltersUsers>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUsers {
    pub ids: Option<Vec<UserId>>,
    pub first: usize,
    pub count: usize,
    pub truncated: bool,
}

impl Op for ReadUsers {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadUsersBody = body(raw)?;
        let (first, count, truncated) = slice(b.first_item, b.results_per_page)?;
        let call = Self {
            ids: ids(
                "Filters.UserIds",
                b.filters.unwrap_or_default().user_ids,
                UserId::parse,
            )?,
            first,
            count,
            truncated,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (users, more) = c.read_users(self.ids.as_deref(), self.first, self.count)?;
        let out: Vec<_> = users.iter().map(user).collect();
        Ok(listing("Users", out, more, self.truncated))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdateUserBody {
    user_name: String,
    new_user_name: Option<String>,
    new_path: Option<String>,
    new_user_email: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateUser {
    pub user_name: UserName,
    pub new_user_name: Option<UserName>,
    pub new_path: Option<UserPath>,
    pub new_email: Option<Email>,
}

impl Op for UpdateUser {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UpdateUserBody = body(raw)?;
        let call = Self {
            user_name: user_name(&b.user_name)?,
            new_user_name: opt("NewUserName", b.new_user_name, UserName::parse)?,
            new_path: osc_path("NewPath", b.new_path)?,
            new_email: email("NewUserEmail", b.new_user_email)?,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let change = UserChange {
            name: self.new_user_name,
            path: self.new_path,
            email: self.new_email,
        };
        let u = c.update_user(&self.user_name, change)?;
        Ok(json!({"User": user(&u)}))
    }
}
