//! Managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, their versions
//! (CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
//! SetDefaultPolicyVersion) and tags (TagPolicy, UntagPolicy, ListPolicyTags). Attaching them
//! is `policy_attachments`.

use keygate_core::{
    Caller, InvalidId, NewPolicy, Page, PageRequest, PathPrefix, PolicyFilter, PolicyName,
    PolicyRef, PolicyScope, PolicyVersion, PolicyView, Tag, TagKey, UserPath, VersionId,
};

use super::{Answer, Encode, Op, empty, rfc3986, tag, truncation};
use crate::decode::{self, document, optional, page, required};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

/// `PolicyArn`: `arn:aws:iam::<account or aws>:policy<path><name>`, 20 to 2,048 characters.
pub(crate) fn policy_arn(p: &Params) -> Result<PolicyRef, IamError> {
    let arn = p
        .get("PolicyArn")
        .ok_or_else(|| IamError::missing("policyArn"))?;
    policy_ref("policyArn", arn)
}

/// A managed policy's ARN given as member `field`: 20 to 2,048 characters (`arnType`).
pub(crate) fn policy_ref(field: &str, arn: &str) -> Result<PolicyRef, IamError> {
    let n = arn.chars().count();
    if !(20..=2048).contains(&n) {
        let bound = if n < 20 {
            "Member must have length greater than or equal to 20"
        } else {
            "Member must have length less than or equal to 2048"
        };
        return Err(IamError::validation(field, Some(arn), bound));
    }
    arn.strip_prefix("arn:aws:iam::")
        .and_then(|tail| PolicyRef::parse_tail(tail, "aws").ok())
        .ok_or_else(|| IamError::InvalidInput(format!("ARN {arn} is not valid.")))
}

/// A managed policy's path: AWS's `((/[A-Za-z0-9\.,\+@=_-]+)*)/`, narrower than a user's.
fn policy_path(s: &str) -> Result<UserPath, InvalidId> {
    let segments_ok = s.strip_suffix('/').is_some_and(|inner| {
        inner.is_empty()
            || inner.strip_prefix('/').is_some_and(|body| {
                body.split('/').all(|seg| {
                    !seg.is_empty()
                        && seg
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".,+@=_-".contains(c))
                })
            })
    });
    if !segments_ok {
        return Err(InvalidId(
            r"Member must satisfy regular expression pattern: ((/[A-Za-z0-9\.,\+@=_-]+)*)/".into(),
        ));
    }
    UserPath::parse(s)
}

fn version_id(p: &Params) -> Result<VersionId, IamError> {
    required(p, "VersionId", VersionId::parse)
}

/// A policy as GetPolicy and CreatePolicy show it (`full`), or as ListPolicies does, which
/// leaves out description and tags (IAM's listings return a subset of the record).
fn policy(x: &mut Xml, v: &PolicyView, full: bool) {
    let p = &v.policy;
    x.text("PolicyName", p.name.as_str());
    x.text("PolicyId", p.id.as_str());
    x.text("Arn", &p.arn());
    x.text("Path", p.path.as_str());
    x.text("DefaultVersionId", &p.default_version.to_string());
    x.text("AttachmentCount", &v.attachment_count.to_string());
    x.text("PermissionsBoundaryUsageCount", "0");
    x.boolean("IsAttachable", true);
    if full && let Some(d) = &p.description {
        x.text("Description", d);
    }
    x.date("CreateDate", p.created_at);
    x.date("UpdateDate", p.modified_at);
    if full && !p.tags.is_empty() {
        x.list("Tags", &p.tags, tag);
    }
}

/// `<Policy>`: CreatePolicy's and GetPolicy's answer.
#[derive(Debug)]
pub struct OnePolicy(pub PolicyView);

impl Encode for OnePolicy {
    fn write(&self, x: &mut Xml) {
        x.open("Policy");
        policy(x, &self.0, true);
        x.close("Policy");
    }
}

#[derive(Debug)]
pub struct CreatePolicy(pub NewPolicy);

impl Op for CreatePolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self(NewPolicy {
            name: required(p, "PolicyName", PolicyName::parse)?,
            path: optional(p, "Path", policy_path)?,
            description: decode::description(p)?,
            document: document(p)?,
            tags: decode::tags(p, false)?,
        }))
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(OnePolicy(c.create_policy(self.0)?)))
    }
}

#[derive(Debug)]
pub struct GetPolicy(pub PolicyRef);

impl Op for GetPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        policy_arn(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(OnePolicy(c.get_policy(&self.0)?)))
    }
}

#[derive(Debug)]
pub struct ListPolicies {
    pub filter: PolicyFilter,
    pub page: PageRequest,
}

impl Op for ListPolicies {
    fn decode(p: &Params) -> Result<Self, IamError> {
        let scope = match p.get("Scope") {
            None | Some("All") => PolicyScope::All,
            Some("AWS") => PolicyScope::Provider,
            Some("Local") => PolicyScope::Local,
            Some(other) => {
                return Err(IamError::validation(
                    "scope",
                    Some(other),
                    "Member must satisfy enum value set: [All, AWS, Local]",
                ));
            }
        };
        let boundaries_only = match p.get("PolicyUsageFilter") {
            None | Some("PermissionsPolicy") => false,
            Some("PermissionsBoundary") => true,
            Some(other) => {
                return Err(IamError::validation(
                    "policyUsageFilter",
                    Some(other),
                    "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]",
                ));
            }
        };
        Ok(Self {
            filter: PolicyFilter {
                scope,
                only_attached: decode::flag(p, "OnlyAttached")?.unwrap_or(false),
                prefix: optional(p, "PathPrefix", PathPrefix::parse)?,
                boundaries_only,
            },
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(Policies(
            c.list_policies(&self.filter, &self.page)?,
        )))
    }
}

#[derive(Debug)]
pub struct Policies(pub Page<PolicyView>);

impl Encode for Policies {
    fn write(&self, x: &mut Xml) {
        x.list("Policies", &self.0.items, |x, v| policy(x, v, false));
        truncation(x, &self.0);
    }
}

#[derive(Debug)]
pub struct DeletePolicy(pub PolicyRef);

impl Op for DeletePolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        policy_arn(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_policy(&self.0)?;
        empty()
    }
}

/// A version without its document (CreatePolicyVersion, ListPolicyVersions) or with it,
/// URL-encoded as IAM returns documents (GetPolicyVersion).
fn version(x: &mut Xml, v: &PolicyVersion, default: bool, with_document: bool) {
    if with_document {
        x.text("Document", &rfc3986(&v.document));
    }
    x.text("VersionId", &v.id.to_string());
    x.boolean("IsDefaultVersion", default);
    x.date("CreateDate", v.created_at);
}

/// `<PolicyVersion>`.
#[derive(Debug)]
pub struct OneVersion {
    pub version: PolicyVersion,
    pub default: bool,
    pub with_document: bool,
}

impl Encode for OneVersion {
    fn write(&self, x: &mut Xml) {
        x.open("PolicyVersion");
        version(x, &self.version, self.default, self.with_document);
        x.close("PolicyVersion");
    }
}

#[derive(Debug)]
pub struct CreatePolicyVersion {
    pub policy: PolicyRef,
    pub document: String,
    pub set_as_default: bool,
}

impl Op for CreatePolicyVersion {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            policy: policy_arn(p)?,
            document: document(p)?,
            set_as_default: decode::flag(p, "SetAsDefault")?.unwrap_or(false),
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let (version, default) =
            c.create_policy_version(&self.policy, &self.document, self.set_as_default)?;
        Ok(Box::new(OneVersion {
            version,
            default,
            with_document: false,
        }))
    }
}

/// GetPolicyVersion's, DeletePolicyVersion's and SetDefaultPolicyVersion's input.
#[derive(Debug)]
pub struct VersionOf {
    pub policy: PolicyRef,
    pub version: VersionId,
}

impl VersionOf {
    fn read(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            policy: policy_arn(p)?,
            version: version_id(p)?,
        })
    }
}

#[derive(Debug)]
pub struct GetPolicyVersion(pub VersionOf);

impl Op for GetPolicyVersion {
    fn decode(p: &Params) -> Result<Self, IamError> {
        VersionOf::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let (version, default) = c.get_policy_version(&self.0.policy, self.0.version)?;
        Ok(Box::new(OneVersion {
            version,
            default,
            with_document: true,
        }))
    }
}

#[derive(Debug)]
pub struct DeletePolicyVersion(pub VersionOf);

impl Op for DeletePolicyVersion {
    fn decode(p: &Params) -> Result<Self, IamError> {
        VersionOf::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_policy_version(&self.0.policy, self.0.version)?;
        empty()
    }
}

#[derive(Debug)]
pub struct SetDefaultPolicyVersion(pub VersionOf);

impl Op for SetDefaultPolicyVersion {
    fn decode(p: &Params) -> Result<Self, IamError> {
        VersionOf::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.set_default_policy_version(&self.0.policy, self.0.version)?;
        empty()
    }
}

#[derive(Debug)]
pub struct ListPolicyVersions {
    pub policy: PolicyRef,
    pub page: PageRequest,
}

impl Op for ListPolicyVersions {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            policy: policy_arn(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let versions = c.list_policy_versions(&self.policy)?;
        // Newest first: the key grows as the version number falls.
        let page = self.page.apply(versions, |(v, _)| {
            format!("{:010}", u32::MAX - v.id.number())
        })?;
        Ok(Box::new(Versions(page)))
    }
}

#[derive(Debug)]
pub struct Versions(pub Page<(PolicyVersion, bool)>);

impl Encode for Versions {
    fn write(&self, x: &mut Xml) {
        x.list("Versions", &self.0.items, |x, (v, d)| {
            version(x, v, *d, false)
        });
        truncation(x, &self.0);
    }
}

#[derive(Debug)]
pub struct TagPolicy {
    pub policy: PolicyRef,
    pub tags: Vec<Tag>,
}

impl Op for TagPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            policy: policy_arn(p)?,
            tags: decode::tags(p, true)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.tag_policy(&self.policy, self.tags)?;
        empty()
    }
}

#[derive(Debug)]
pub struct UntagPolicy {
    pub policy: PolicyRef,
    pub keys: Vec<TagKey>,
}

impl Op for UntagPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            policy: policy_arn(p)?,
            keys: decode::tag_keys(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.untag_policy(&self.policy, &self.keys)?;
        empty()
    }
}

#[derive(Debug)]
pub struct ListPolicyTags {
    pub policy: PolicyRef,
    pub page: PageRequest,
}

impl Op for ListPolicyTags {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            policy: policy_arn(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let tags = c.list_policy_tags(&self.policy, &self.page)?;
        Ok(Box::new(super::users::Tags(tags)))
    }
}

#[cfg(test)]
mod tests {
    use super::policy_path;

    #[test]
    fn policy_paths_are_aws_s_narrower_pattern() {
        for ok in ["/", "/team/", "/a/b.c/d-e_f/"] {
            assert!(policy_path(ok).is_ok(), "{ok}");
        }
        for bad in ["", "team/", "/team", "//", "/a//b/", "/a b/", "/*/"] {
            assert!(policy_path(bad).is_err(), "{bad}");
        }
    }
}
