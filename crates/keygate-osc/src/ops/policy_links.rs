//! Links of managed policies to users and groups: LinkPolicy, UnlinkPolicy, ReadLinkedPolicies,
//! LinkManagedPolicyToUserGroup, UnlinkManagedPolicyFromUserGroup,
//! ReadManagedPoliciesLinkedToUserGroup and ReadEntitiesLinkedToPolicy, with the spec's field
//! names.

use keygate_core::{
    AttachTarget, Attachee, Caller, GroupId, GroupRef, ManagedPolicy, PathPrefix, PolicyRef,
    UserName,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::policies::policy_orn;
use super::user_groups::group_ref;
use super::users::user_name;
use super::{MAX_RESULTS, Op, date, listing, slice, window};
use crate::body::{body, dry, ids, opt};
use crate::error::OscError;
use crate::orn;

/// A policy as the spec's `LinkedPolicy`.
fn linked(p: &ManagedPolicy) -> Value {
    json!({
        "PolicyName": p.name.as_str(),
        "PolicyId": p.id.as_str(),
        "Orn": orn::policy(&p.reference()),
        "CreationDate": date(p.created_at),
        "LastModificationDate": date(p.modified_at),
    })
}

/// The body of LinkPolicy and UnlinkPolicy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UserLinkBody {
    policy_orn: String,
    user_name: String,
    dry_run: Option<bool>,
}

/// The body of LinkManagedPolicyToUserGroup and UnlinkManagedPolicyFromUserGroup.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct GroupLinkBody {
    policy_orn: String,
    user_group_name: String,
    dry_run: Option<bool>,
}

/// A policy and the user or group it is linked to or unlinked from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub policy: PolicyRef,
    pub to: AttachTarget,
}

impl Link {
    fn to_user(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UserLinkBody = body(raw)?;
        let link = Self {
            to: AttachTarget::User(user_name(&b.user_name)?),
            policy: policy_orn(&b.policy_orn)?,
        };
        Ok((link, dry(b.dry_run)))
    }

    fn to_group(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: GroupLinkBody = body(raw)?;
        let link = Self {
            to: AttachTarget::Group(group_ref(&b.user_group_name, "Path", None)?),
            policy: policy_orn(&b.policy_orn)?,
        };
        Ok((link, dry(b.dry_run)))
    }
}

macro_rules! link_calls {
    ($( $name:ident: $read:ident, $call:ident; )*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct $name(pub Link);

            impl Op for $name {
                fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
                    Link::$read(raw).map(|(l, d)| (Self(l), d))
                }

                fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
                    c.$call(&self.0.policy, &self.0.to)?;
                    Ok(json!({}))
                }
            }
        )*
    };
}

link_calls! {
    LinkPolicy: to_user, attach_policy;
    UnlinkPolicy: to_user, detach_policy;
    LinkManagedPolicyToUserGroup: to_group, attach_policy;
    UnlinkManagedPolicyFromUserGroup: to_group, detach_policy;
}

/// A page of the policies linked to a user or group, as the spec's `LinkedPolicy`.
fn linked_page(
    all: Vec<ManagedPolicy>,
    (first, count, truncated): (usize, usize, bool),
) -> Result<Value, OscError> {
    let (page, more) = window(all, first, count);
    let out: Vec<_> = page.iter().map(linked).collect();
    Ok(listing("Policies", out, more, truncated))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct LinkedPoliciesFilters {
    path_prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadLinkedPoliciesBody {
    user_name: String,
    filters: Option<LinkedPoliciesFilters>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLinkedPolicies {
    pub user: UserName,
    pub prefix: Option<PathPrefix>,
    pub slice: (usize, usize, bool),
}

impl Op for ReadLinkedPolicies {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadLinkedPoliciesBody = body(raw)?;
        let f = b.filters.unwrap_or_default();
        let call = Self {
            user: user_name(&b.user_name)?,
            prefix: opt("Filters.PathPrefix", f.path_prefix, PathPrefix::parse)?,
            slice: slice(b.first_item, b.results_per_page)?,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let to = AttachTarget::User(self.user);
        linked_page(
            c.attached_policies(&to, self.prefix.as_ref())?.1,
            self.slice,
        )
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FiltersUserGroup {
    path_prefix: Option<String>,
    user_group_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadGroupPoliciesBody {
    user_group_name: String,
    filters: Option<FiltersUserGroup>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadManagedPoliciesLinkedToUserGroup {
    pub group: GroupRef,
    pub prefix: Option<PathPrefix>,
    pub group_ids: Option<Vec<GroupId>>,
    pub slice: (usize, usize, bool),
}

impl Op for ReadManagedPoliciesLinkedToUserGroup {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadGroupPoliciesBody = body(raw)?;
        let f = b.filters.unwrap_or_default();
        let call = Self {
            group: group_ref(&b.user_group_name, "Path", None)?,
            prefix: opt("Filters.PathPrefix", f.path_prefix, PathPrefix::parse)?,
            group_ids: ids("Filters.UserGroupIds", f.user_group_ids, GroupId::parse)?,
            slice: slice(b.first_item, b.results_per_page)?,
        };
        Ok((call, dry(b.dry_run)))
    }

    /// The spec gives this call the user-group filters: `PathPrefix` is taken as the
    /// policies' path, and `UserGroupIds`, when given, must include the group's id.
    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (attachee, mut all) =
            c.attached_policies(&AttachTarget::Group(self.group), self.prefix.as_ref())?;
        let listed = match (&self.group_ids, &attachee) {
            (Some(wanted), Attachee::Group(id)) => wanted.contains(id),
            (None, _) | (Some(_), Attachee::User(_) | Attachee::Role(_)) => true,
        };
        if !listed {
            all.clear();
        }
        linked_page(all, self.slice)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadEntitiesBody {
    policy_orn: String,
    entities_type: Option<Vec<String>>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityTypes {
    pub accounts: bool,
    pub users: bool,
    pub groups: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadEntitiesLinkedToPolicy {
    pub policy: PolicyRef,
    pub types: EntityTypes,
    pub slice: (usize, usize, bool),
}

impl Op for ReadEntitiesLinkedToPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadEntitiesBody = body(raw)?;
        let types = match b.entities_type {
            None => EntityTypes {
                accounts: true,
                users: true,
                groups: true,
            },
            Some(list) => {
                let mut t = EntityTypes {
                    accounts: false,
                    users: false,
                    groups: false,
                };
                for e in &list {
                    match e.as_str() {
                        "ACCOUNT" => t.accounts = true,
                        "USER" => t.users = true,
                        "GROUP" => t.groups = true,
                        other => {
                            return Err(OscError::invalid_value(
                                "EntitiesType",
                                format!("'{other}' is not one of ACCOUNT, USER, GROUP"),
                            ));
                        }
                    }
                }
                t
            }
        };
        let call = Self {
            policy: policy_orn(&b.policy_orn)?,
            types,
            slice: slice(b.first_item, b.results_per_page)?,
        };
        Ok((call, false))
    }

    /// Groups then users, one page over both. A policy is never linked to an account as a
    /// whole in keygate, so `Accounts` is empty when asked for.
    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let e = c.entities_for_policy(&self.policy, None)?;
        let mut all: Vec<(bool, Value)> = Vec::new();
        if self.types.groups {
            all.extend(e.groups.iter().map(|g| {
                (
                    false,
                    json!({"Id": g.id.as_str(), "Name": g.name.as_str(), "Orn": orn::group(g)}),
                )
            }));
        }
        if self.types.users {
            all.extend(e.users.iter().map(|u| {
                (
                    true,
                    json!({"Id": u.id.as_str(), "Name": u.name.as_str(), "Orn": orn::user(u)}),
                )
            }));
        }
        let count = all.len();
        let (first, per_page, truncated) = self.slice;
        let (page, more) = window(all, first, per_page);
        let mut out = json!({
            "HasMoreItems": more,
            "ItemsCount": count,
            "MaxResultsLimit": MAX_RESULTS,
            "MaxResultsTruncated": truncated,
        });
        let pick = |users: bool| -> Vec<Value> {
            page.iter()
                .filter(|(u, _)| *u == users)
                .map(|(_, v)| v.clone())
                .collect()
        };
        if self.types.groups {
            out["Groups"] = Value::Array(pick(false));
        }
        if self.types.users {
            out["Users"] = Value::Array(pick(true));
        }
        if self.types.accounts {
            out["Accounts"] = json!([]);
        }
        Ok(json!({"PolicyEntities": out}))
    }
}
