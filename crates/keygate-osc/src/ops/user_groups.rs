//! User groups: CreateUserGroup, ReadUserGroup, ReadUserGroups, UpdateUserGroup,
//! DeleteUserGroup, AddUserToUserGroup, RemoveUserFromUserGroup, ReadUserGroupsPerUser, and a
//! group's inline policies (PutUserGroupPolicy, ReadUserGroupPolicy, ReadUserGroupPolicies,
//! DeleteUserGroupPolicy), with the spec's field names. A group is named by its name, unique in
//! the account; a `Path` (or `UserGroupPath`, `UserPath`) given beside a name must be the one
//! it has.

use keygate_core::{
    Caller, Group, GroupChange, GroupId, GroupName, GroupRef, PathPrefix, PolicyName, User,
    UserName, UserPath,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::users::{user, user_name};
use super::{Op, date, everything, listing, slice, window};
use crate::body::{body, dry, id, ids, opt, osc_path};
use crate::error::OscError;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UserGroupOut<'a> {
    name: &'a str,
    user_group_id: &'a str,
    path: &'a str,
    orn: String,
    creation_date: String,
    last_modification_date: String,
}

/// A group as the spec's `UserGroup`.
fn user_group(g: &Group) -> UserGroupOut<'_> {
    UserGroupOut {
        name: g.name.as_str(),
        user_group_id: g.id.as_str(),
        path: g.path.as_str(),
        orn: crate::orn::group(g),
        creation_date: date(g.created_at),
        last_modification_date: date(g.modified_at),
    }
}

fn group_name(field: &str, v: &str) -> Result<GroupName, OscError> {
    id(field, v, GroupName::parse)
}

pub(crate) fn group_ref(
    name: &str,
    path_field: &str,
    path: Option<String>,
) -> Result<GroupRef, OscError> {
    Ok(GroupRef {
        name: group_name("UserGroupName", name)?,
        path: osc_path(path_field, path)?,
    })
}

fn policy_name(v: &str) -> Result<PolicyName, OscError> {
    id("PolicyName", v, PolicyName::parse)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreateUserGroupBody {
    user_group_name: String,
    path: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUserGroup {
    pub name: GroupName,
    pub path: Option<UserPath>,
}

impl Op for CreateUserGroup {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: CreateUserGroupBody = body(raw)?;
        let call = Self {
            name: group_name("UserGroupName", &b.user_group_name)?,
            path: osc_path("Path", b.path)?,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let g = c.create_group(self.name, self.path)?;
        Ok(json!({"UserGroup": user_group(&g)}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadUserGroupBody {
    user_group_name: String,
    path: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUserGroup(pub GroupRef);

impl Op for ReadUserGroup {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadUserGroupBody = body(raw)?;
        Ok((
            Self(group_ref(&b.user_group_name, "Path", b.path)?),
            dry(b.dry_run),
        ))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (g, members) = c.get_group(&self.0, &everything())?;
        Ok(group_json(&g, &members.items))
    }
}

/// The group and its members, as ReadUserGroup and UpdateUserGroup answer.
fn group_json(g: &Group, members: &[User]) -> Value {
    let users: Vec<_> = members.iter().map(user).collect();
    json!({"UserGroup": user_group(g), "Users": users})
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FiltersUserGroup {
    path_prefix: Option<String>,
    user_group_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadUserGroupsBody {
    filters: Option<FiltersUserGroup>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUserGroups {
    pub prefix: Option<PathPrefix>,
    pub ids: Option<Vec<GroupId>>,
    pub first: usize,
    pub count: usize,
    pub truncated: bool,
}

impl Op for ReadUserGroups {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadUserGroupsBody = body(raw)?;
        let (first, count, truncated) = slice(b.first_item, b.results_per_page)?;
        let f = b.filters.unwrap_or_default();
        let call = Self {
            prefix: opt("Filters.PathPrefix", f.path_prefix, PathPrefix::parse)?,
            ids: ids("Filters.UserGroupIds", f.user_group_ids, GroupId::parse)?,
            first,
            count,
            truncated,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (groups, more) = c.read_groups(
            self.prefix.as_ref(),
            self.ids.as_deref(),
            self.first,
            self.count,
        )?;
        let out: Vec<_> = groups.iter().map(user_group).collect();
        Ok(listing("UserGroups", out, more, self.truncated))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdateUserGroupBody {
    user_group_name: String,
    path: Option<String>,
    new_user_group_name: Option<String>,
    new_path: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateUserGroup {
    pub group: GroupRef,
    pub change: GroupChange,
}

impl Op for UpdateUserGroup {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UpdateUserGroupBody = body(raw)?;
        let call = Self {
            group: group_ref(&b.user_group_name, "Path", b.path)?,
            change: GroupChange {
                name: opt("NewUserGroupName", b.new_user_group_name, GroupName::parse)?,
                path: osc_path("NewPath", b.new_path)?,
            },
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (g, members) = c.update_group(&self.group, self.change)?;
        Ok(group_json(&g, &members))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DeleteUserGroupBody {
    user_group_name: String,
    path: Option<String>,
    force: Option<bool>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteUserGroup {
    pub group: GroupRef,
    pub force: bool,
}

impl Op for DeleteUserGroup {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: DeleteUserGroupBody = body(raw)?;
        let call = Self {
            group: group_ref(&b.user_group_name, "Path", b.path)?,
            force: b.force.unwrap_or(false),
        };
        Ok((call, dry(b.dry_run)))
    }

    /// `Force`: "forces the deletion of the user group even if it is not empty" (the spec).
    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_group(&self.group, self.force)?;
        Ok(json!({}))
    }
}

/// The body of AddUserToUserGroup and RemoveUserFromUserGroup.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct MembershipBody {
    user_group_name: String,
    user_group_path: Option<String>,
    user_name: String,
    user_path: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub group: GroupRef,
    pub user: UserName,
    pub user_path: Option<UserPath>,
}

impl Membership {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: MembershipBody = body(raw)?;
        let m = Self {
            group: group_ref(&b.user_group_name, "UserGroupPath", b.user_group_path)?,
            user: user_name(&b.user_name)?,
            user_path: osc_path("UserPath", b.user_path)?,
        };
        Ok((m, dry(b.dry_run)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddUserToUserGroup(pub Membership);

impl Op for AddUserToUserGroup {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        Membership::decode(raw).map(|(m, d)| (Self(m), d))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let m = self.0;
        c.add_user_to_group(&m.group, &m.user, m.user_path.as_ref())?;
        Ok(json!({}))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveUserFromUserGroup(pub Membership);

impl Op for RemoveUserFromUserGroup {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        Membership::decode(raw).map(|(m, d)| (Self(m), d))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let m = self.0;
        c.remove_user_from_group(&m.group, &m.user, m.user_path.as_ref())?;
        Ok(json!({}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadUserGroupsPerUserBody {
    user_name: String,
    user_path: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUserGroupsPerUser {
    pub user: UserName,
    pub user_path: Option<UserPath>,
}

impl Op for ReadUserGroupsPerUser {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadUserGroupsPerUserBody = body(raw)?;
        let call = Self {
            user: user_name(&b.user_name)?,
            user_path: osc_path("UserPath", b.user_path)?,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let groups = c.list_groups_for_user(&self.user, self.user_path.as_ref(), &everything())?;
        let out: Vec<_> = groups.items.iter().map(user_group).collect();
        Ok(json!({"UserGroups": out}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PutUserGroupPolicyBody {
    user_group_name: String,
    user_group_path: Option<String>,
    policy_name: String,
    policy_document: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutUserGroupPolicy {
    pub group: GroupRef,
    pub policy_name: PolicyName,
    pub document: String,
}

impl Op for PutUserGroupPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: PutUserGroupPolicyBody = body(raw)?;
        let call = Self {
            group: group_ref(&b.user_group_name, "UserGroupPath", b.user_group_path)?,
            policy_name: policy_name(&b.policy_name)?,
            document: b.policy_document,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.put_group_policy(&self.group, &self.policy_name, &self.document)?;
        Ok(json!({}))
    }
}

/// The body of ReadUserGroupPolicy and DeleteUserGroupPolicy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UserGroupPolicyBody {
    user_group_name: String,
    user_group_path: Option<String>,
    policy_name: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedGroupPolicy {
    pub group: GroupRef,
    pub policy_name: PolicyName,
}

impl NamedGroupPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UserGroupPolicyBody = body(raw)?;
        let named = Self {
            group: group_ref(&b.user_group_name, "UserGroupPath", b.user_group_path)?,
            policy_name: policy_name(&b.policy_name)?,
        };
        Ok((named, dry(b.dry_run)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUserGroupPolicy(pub NamedGroupPolicy);

impl Op for ReadUserGroupPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        NamedGroupPolicy::decode(raw).map(|(n, d)| (Self(n), d))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let body = c.get_group_policy(&self.0.group, &self.0.policy_name)?;
        Ok(json!({"Policy": {"Name": self.0.policy_name.as_str(), "Body": body}}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadUserGroupPoliciesBody {
    user_group_name: String,
    user_group_path: Option<String>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUserGroupPolicies {
    pub group: GroupRef,
    pub first: usize,
    pub count: usize,
    pub truncated: bool,
}

impl Op for ReadUserGroupPolicies {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadUserGroupPoliciesBody = body(raw)?;
        let (first, count, truncated) = slice(b.first_item, b.results_per_page)?;
        let call = Self {
            group: group_ref(&b.user_group_name, "UserGroupPath", b.user_group_path)?,
            first,
            count,
            truncated,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let all = c.list_group_policies(&self.group, &everything())?.items;
        let (policies, more) = window(all, self.first, self.count);
        let out: Vec<Value> = policies
            .iter()
            .map(|(n, d)| json!({"Name": n.as_str(), "Body": d}))
            .collect();
        Ok(listing("Policies", out, more, self.truncated))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteUserGroupPolicy(pub NamedGroupPolicy);

impl Op for DeleteUserGroupPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        NamedGroupPolicy::decode(raw).map(|(n, d)| (Self(n), d))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_group_policy(&self.0.group, &self.0.policy_name)?;
        Ok(json!({}))
    }
}
