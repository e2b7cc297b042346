//! Managed policies: CreatePolicy, ReadPolicy, ReadPolicies, DeletePolicy, their versions
//! (CreatePolicyVersion, ReadPolicyVersion, ReadPolicyVersions, DeletePolicyVersion,
//! SetDefaultPolicyVersion) and links (LinkPolicy, UnlinkPolicy, ReadLinkedPolicies,
//! LinkManagedPolicyToUserGroup, UnlinkManagedPolicyFromUserGroup,
//! ReadManagedPoliciesLinkedToUserGroup, ReadEntitiesLinkedToPolicy), with the spec's field
//! names. A policy is named by its ORN; the calls whose schema has no `DryRun` refuse one.

use keygate_core::{
    AttachTarget, Caller, GroupId, GroupRef, ManagedPolicy, NewPolicy, PathPrefix, PolicyFilter,
    PolicyName, PolicyRef, PolicyScope, PolicyVersion, PolicyView, UserName, VersionId,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::user_groups::group_ref;
use super::users::user_name;
use super::{MAX_RESULTS, Op, date, slice, window};
use crate::body::{body, dry, id, ids, opt, osc_path};
use crate::error::OscError;
use crate::orn;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyOut<'a> {
    policy_name: &'a str,
    policy_id: &'a str,
    path: &'a str,
    orn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    policy_default_version_id: String,
    resources_count: usize,
    is_linkable: bool,
    creation_date: String,
    last_modification_date: String,
}

/// A policy as the spec's `Policy`; `ResourcesCount` counts the users and groups it is linked to.
fn policy(v: &PolicyView) -> PolicyOut<'_> {
    let p = &v.policy;
    PolicyOut {
        policy_name: p.name.as_str(),
        policy_id: p.id.as_str(),
        path: p.path.as_str(),
        orn: orn::policy(&p.reference()),
        description: p.description.as_deref(),
        policy_default_version_id: p.default_version.to_string(),
        resources_count: v.attachment_count,
        is_linkable: true,
        creation_date: date(p.created_at),
        last_modification_date: date(p.modified_at),
    }
}

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

/// A version as the spec's `PolicyVersion`: the document as it was given, not re-encoded.
fn version(v: &PolicyVersion, default: bool) -> Value {
    json!({
        "VersionId": v.id.to_string(),
        "DefaultVersion": default,
        "Body": v.document,
        "CreationDate": date(v.created_at),
    })
}

fn policy_orn(v: &str) -> Result<PolicyRef, OscError> {
    orn::parse_policy("PolicyOrn", v)
}

/// `v1`, `v2`…; Outscale takes `V2` for `v2`.
fn version_id(v: &str) -> Result<VersionId, OscError> {
    id("VersionId", &v.to_ascii_lowercase(), VersionId::parse)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreatePolicyBody {
    policy_name: String,
    document: String,
    path: Option<String>,
    description: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePolicy(pub NewPolicy);

impl Op for CreatePolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: CreatePolicyBody = body(raw)?;
        let new = NewPolicy {
            name: id("PolicyName", &b.policy_name, PolicyName::parse)?,
            path: osc_path("Path", b.path)?,
            description: b.description,
            document: b.document,
            tags: vec![],
        };
        Ok((Self(new), dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let v = c.create_policy(self.0)?;
        Ok(json!({"Policy": policy(&v)}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadPolicyBody {
    policy_orn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPolicy(pub PolicyRef);

impl Op for ReadPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadPolicyBody = body(raw)?;
        Ok((Self(policy_orn(&b.policy_orn)?), false))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let v = c.get_policy(&self.0)?;
        Ok(json!({"Policy": policy(&v)}))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadPoliciesFilters {
    only_linked: Option<bool>,
    path_prefix: Option<String>,
    scope: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadPoliciesBody {
    filters: Option<ReadPoliciesFilters>,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPolicies {
    pub filter: PolicyFilter,
    pub first: usize,
    pub count: usize,
    pub truncated: bool,
}

impl Op for ReadPolicies {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadPoliciesBody = body(raw)?;
        let (first, count, truncated) = slice(b.first_item, b.results_per_page)?;
        let f = b.filters.unwrap_or_default();
        let scope = match f.scope.as_deref() {
            None => PolicyScope::All,
            Some("LOCAL") => PolicyScope::Local,
            Some("OWS") => PolicyScope::Provider,
            Some(other) => {
                return Err(OscError::invalid_value(
                    "Filters.Scope",
                    format!("'{other}' is not one of LOCAL, OWS"),
                ));
            }
        };
        let filter = PolicyFilter {
            scope,
            only_attached: f.only_linked.unwrap_or(false),
            prefix: opt("Filters.PathPrefix", f.path_prefix, PathPrefix::parse)?,
            boundaries_only: false,
        };
        let call = Self {
            filter,
            first,
            count,
            truncated,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (views, more) = c.read_policies(&self.filter, self.first, self.count)?;
        let out: Vec<_> = views.iter().map(policy).collect();
        Ok(json!({
            "Policies": out,
            "HasMoreItems": more,
            "MaxResultsLimit": MAX_RESULTS,
            "MaxResultsTruncated": self.truncated,
        }))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DeletePolicyBody {
    policy_orn: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePolicy(pub PolicyRef);

impl Op for DeletePolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: DeletePolicyBody = body(raw)?;
        Ok((Self(policy_orn(&b.policy_orn)?), dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_policy(&self.0)?;
        Ok(json!({}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreatePolicyVersionBody {
    policy_orn: String,
    document: String,
    set_as_default: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePolicyVersion {
    pub policy: PolicyRef,
    pub document: String,
    pub set_as_default: bool,
}

impl Op for CreatePolicyVersion {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: CreatePolicyVersionBody = body(raw)?;
        let call = Self {
            policy: policy_orn(&b.policy_orn)?,
            document: b.document,
            set_as_default: b.set_as_default.unwrap_or(false),
        };
        Ok((call, false))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (v, default) =
            c.create_policy_version(&self.policy, &self.document, self.set_as_default)?;
        Ok(json!({"PolicyVersion": version(&v, default)}))
    }
}

/// The body of ReadPolicyVersion, DeletePolicyVersion and SetDefaultPolicyVersion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct VersionBody {
    policy_orn: String,
    version_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionOf {
    pub policy: PolicyRef,
    pub version: VersionId,
}

impl VersionOf {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: VersionBody = body(raw)?;
        let v = Self {
            policy: policy_orn(&b.policy_orn)?,
            version: version_id(&b.version_id)?,
        };
        Ok((v, false))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPolicyVersion(pub VersionOf);

impl Op for ReadPolicyVersion {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        VersionOf::decode(raw).map(|(v, d)| (Self(v), d))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (v, default) = c.get_policy_version(&self.0.policy, self.0.version)?;
        Ok(json!({"PolicyVersion": version(&v, default)}))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePolicyVersion(pub VersionOf);

impl Op for DeletePolicyVersion {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        VersionOf::decode(raw).map(|(v, d)| (Self(v), d))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_policy_version(&self.0.policy, self.0.version)?;
        Ok(json!({}))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetDefaultPolicyVersion(pub VersionOf);

impl Op for SetDefaultPolicyVersion {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        VersionOf::decode(raw).map(|(v, d)| (Self(v), d))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.set_default_policy_version(&self.0.policy, self.0.version)?;
        Ok(json!({}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadPolicyVersionsBody {
    policy_orn: String,
    first_item: Option<i64>,
    results_per_page: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPolicyVersions {
    pub policy: PolicyRef,
    pub first: usize,
    pub count: usize,
}

impl Op for ReadPolicyVersions {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadPolicyVersionsBody = body(raw)?;
        let (first, count, _) = slice(b.first_item, b.results_per_page)?;
        let call = Self {
            policy: policy_orn(&b.policy_orn)?,
            first,
            count,
        };
        Ok((call, false))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let all = c.list_policy_versions(&self.policy)?;
        let (page, more) = window(all, self.first, self.count);
        let out: Vec<_> = page.iter().map(|(v, d)| version(v, *d)).collect();
        Ok(json!({
            "PolicyVersions": out,
            "HasMoreItems": more,
            "MaxResultsLimit": MAX_RESULTS,
        }))
    }
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
    Ok(json!({
        "Policies": out,
        "HasMoreItems": more,
        "MaxResultsLimit": MAX_RESULTS,
        "MaxResultsTruncated": truncated,
    }))
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
        linked_page(c.attached_policies(&to, self.prefix.as_ref())?, self.slice)
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
    /// policies' path, and `UserGroupIds`, when given, must include the group's id (reading
    /// the group, so the caller needs `api:ReadUserGroup` too).
    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let mut all = c.attached_policies(
            &AttachTarget::Group(self.group.clone()),
            self.prefix.as_ref(),
        )?;
        if let Some(wanted) = &self.group_ids {
            let (g, _) = c.get_group(&self.group, &super::everything())?;
            if !wanted.contains(&g.id) {
                all.clear();
            }
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
        let e = c.entities_for_policy(&self.policy)?;
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
