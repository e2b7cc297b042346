//! Managed policies: CreatePolicy, ReadPolicy, ReadPolicies, DeletePolicy and their versions
//! (CreatePolicyVersion, ReadPolicyVersion, ReadPolicyVersions, DeletePolicyVersion,
//! SetDefaultPolicyVersion), with the spec's field names; linking them is `policy_links`. A
//! policy is named by its ORN; the calls whose schema has no `DryRun` refuse one.

use keygate_core::{
    Caller, NewPolicy, PathPrefix, PolicyFilter, PolicyName, PolicyRef, PolicyScope, PolicyVersion,
    PolicyView, VersionId,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{MAX_RESULTS, Op, date, listing, slice, window};
use crate::body::{body, dry, id, opt, osc_path};
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

/// A version as the spec's `PolicyVersion`: the document as it was given, not re-encoded.
fn version(v: &PolicyVersion, default: bool) -> Value {
    json!({
        "VersionId": v.id.to_string(),
        "DefaultVersion": default,
        "Body": v.document,
        "CreationDate": date(v.created_at),
    })
}

pub(super) fn policy_orn(v: &str) -> Result<PolicyRef, OscError> {
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
        Ok(listing("Policies", out, more, self.truncated))
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
