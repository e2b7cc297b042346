//! What a principal may do with managed policies: create, read, list and delete the account's
//! own, keep their versions (at most a few, one the default), and tag them. The provider's
//! catalog is read-only. Attaching them is `policy_attachments`.

use crate::catalog;
use crate::error::{CoreError, CoreResult, Dependents, Quota};
use crate::ids::{PathPrefix, PolicyName, TagKey, UserPath, VersionId};
use crate::model::{ManagedPolicy, PolicyOwner, PolicyRef, PolicyVersion, Tag};
use crate::page::{self, Page, PageRequest};
use crate::policy::{self, Context};
use crate::rules::Operation;
use crate::store::ReadTx;
use crate::validate;

use super::Caller;

/// A managed policy as listed: the policy and how many users and groups of the caller's
/// account it is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyView {
    pub policy: ManagedPolicy,
    pub attachment_count: usize,
}

/// A new customer managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicy {
    pub name: PolicyName,
    pub path: Option<UserPath>,
    pub description: Option<String>,
    pub document: String,
    pub tags: Vec<Tag>,
}

/// Whose policies a listing shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PolicyScope {
    #[default]
    All,
    /// The provider's catalog (AWS's `AWS`, Outscale's `OWS`).
    Provider,
    /// The account's own (`Local`).
    Local,
}

/// Which policies a listing shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyFilter {
    pub scope: PolicyScope,
    /// Only those attached to at least one user or group.
    pub only_attached: bool,
    pub prefix: Option<PathPrefix>,
    /// Only those used as permissions boundaries: keygate sets none, so none are.
    pub boundaries_only: bool,
}

impl Caller<'_> {
    /// The policy a reference names, in the caller's account or the catalog: nothing crosses
    /// accounts, so another account's policy is one that does not exist.
    pub(super) fn find_policy(
        &self,
        tx: &dyn ReadTx,
        r: &PolicyRef,
    ) -> CoreResult<Option<ManagedPolicy>> {
        match &r.owner {
            PolicyOwner::Provider => Ok(catalog::find(r)),
            PolicyOwner::Account(a) if a == self.account() => {
                let folded = r.name.folded();
                Ok(tx
                    .managed_policies(self.account())?
                    .into_iter()
                    .find(|p| p.name.folded() == folded && p.path == r.path))
            }
            PolicyOwner::Account(_) => Ok(None),
        }
    }

    /// The named policy once `op` is authorised on its ARN (its tags are the request's
    /// `aws:ResourceTag/…`); authorised before the policy is known to exist, so that a denied
    /// caller cannot learn which exist.
    pub(super) fn existing_policy(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        r: &PolicyRef,
    ) -> CoreResult<ManagedPolicy> {
        self.existing_policy_with(tx, op, r, Context::new())
    }

    fn existing_policy_with(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        r: &PolicyRef,
        mut keys: Context,
    ) -> CoreResult<ManagedPolicy> {
        let found = self.find_policy(tx, r)?;
        if let Some(p) = &found {
            keys.extend(&super::resource_tags(&p.tags));
        }
        // The ARN as stored: names compare without case, ARN patterns with it.
        let arn = found.as_ref().map_or_else(|| r.arn(), ManagedPolicy::arn);
        self.authorize_with(tx, op, &[&arn], &keys)?;
        found.ok_or_else(|| CoreError::NoSuchManagedPolicy(r.clone()))
    }

    /// The named policy, once `op` is authorised on it and it is the account's own.
    fn own_policy(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        r: &PolicyRef,
    ) -> CoreResult<ManagedPolicy> {
        self.own_policy_with(tx, op, r, Context::new())
    }

    fn own_policy_with(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        r: &PolicyRef,
        keys: Context,
    ) -> CoreResult<ManagedPolicy> {
        let p = self.existing_policy_with(tx, op, r, keys)?;
        match p.owner {
            PolicyOwner::Provider => Err(CoreError::ProviderPolicyReadOnly(r.clone())),
            PolicyOwner::Account(_) => Ok(p),
        }
    }

    fn policy_view(&self, tx: &dyn ReadTx, policy: ManagedPolicy) -> CoreResult<PolicyView> {
        let attachment_count = tx.policy_attachees(self.account(), &policy.id)?.len();
        Ok(PolicyView {
            policy,
            attachment_count,
        })
    }

    /// A policy's versions, oldest first (the provider's have their one `v1`).
    fn versions(&self, tx: &dyn ReadTx, p: &ManagedPolicy) -> CoreResult<Vec<PolicyVersion>> {
        match p.owner {
            PolicyOwner::Provider => Ok(catalog::document(&p.id)
                .map(|d| PolicyVersion {
                    id: VersionId::FIRST,
                    document: d.to_owned(),
                    created_at: p.created_at,
                })
                .into_iter()
                .collect()),
            PolicyOwner::Account(_) => tx.policy_versions(self.account(), &p.id),
        }
    }

    /// A managed policy document: within the size limit, and in the current language version.
    fn check_managed_document(&self, document: &str) -> CoreResult<()> {
        validate::policy_document(document)?;
        let parsed = policy::parse(document).map_err(CoreError::MalformedPolicy)?;
        if !parsed.is_current_version() {
            return Err(CoreError::MalformedPolicy(
                "Policy document must be version 2012-10-17 or greater.".into(),
            ));
        }
        let limit = self.svc.limits.managed_policy_chars;
        if policy::counted_chars(document) > limit as usize {
            return Err(CoreError::LimitExceeded(Quota::ManagedPolicySize(limit)));
        }
        Ok(())
    }

    pub fn create_policy(&self, new: NewPolicy) -> CoreResult<PolicyView> {
        validate::tags(&new.tags, "Tags")?;
        validate::policy_description(new.description.as_deref())?;
        let now = self.svc.clock.now();
        let path = new.path.unwrap_or_else(UserPath::root);
        self.write(|tx| {
            let r = PolicyRef {
                owner: PolicyOwner::Account(self.account().clone()),
                path: path.clone(),
                name: new.name.clone(),
            };
            self.authorize_with(
                tx,
                Operation::CreatePolicy,
                &[&r.arn()],
                &super::request_tags(&new.tags),
            )?;
            self.check_managed_document(&new.document)?;
            let folded = new.name.folded();
            if tx
                .managed_policies(self.account())?
                .iter()
                .any(|p| p.name.folded() == folded)
            {
                return Err(CoreError::ManagedPolicyAlreadyExists(new.name.clone()));
            }
            let mut tags = new.tags.clone();
            tags.sort_by(|a, b| a.key.cmp(&b.key));
            let policy = ManagedPolicy {
                owner: r.owner,
                id: self.svc.ids.policy_id(),
                name: new.name.clone(),
                path: path.clone(),
                description: new.description.clone(),
                default_version: VersionId::FIRST,
                latest_version: VersionId::FIRST,
                created_at: now,
                modified_at: now,
                tags,
            };
            let first = PolicyVersion {
                id: VersionId::FIRST,
                document: new.document.clone(),
                created_at: now,
            };
            tx.insert_managed_policy(&policy, &first)?;
            Ok(PolicyView {
                policy,
                attachment_count: 0,
            })
        })
    }

    pub fn get_policy(&self, r: &PolicyRef) -> CoreResult<PolicyView> {
        self.read(|tx| {
            let p = self.existing_policy(tx, Operation::GetPolicy, r)?;
            self.policy_view(tx, p)
        })
    }

    /// The provider's and the account's policies the filter lets through, ordered by name.
    fn filtered_policies(
        &self,
        tx: &dyn ReadTx,
        filter: &PolicyFilter,
    ) -> CoreResult<Vec<PolicyView>> {
        self.authorize(tx, Operation::ListPolicies, &["*"])?;
        if filter.boundaries_only {
            return Ok(Vec::new());
        }
        let mut all = Vec::new();
        if filter.scope != PolicyScope::Local {
            all.extend(catalog::policies());
        }
        if filter.scope != PolicyScope::Provider {
            all.extend(tx.managed_policies(self.account())?);
        }
        let mut views = Vec::new();
        for p in all {
            if filter
                .prefix
                .as_ref()
                .is_some_and(|pre| !p.path.as_str().starts_with(pre.as_str()))
            {
                continue;
            }
            let v = self.policy_view(tx, p)?;
            if !filter.only_attached || v.attachment_count > 0 {
                views.push(v);
            }
        }
        views.sort_by_key(|v| v.policy.sort_key());
        Ok(views)
    }

    pub fn list_policies(
        &self,
        filter: &PolicyFilter,
        page: &PageRequest,
    ) -> CoreResult<Page<PolicyView>> {
        self.read(|tx| {
            let views = self.filtered_policies(tx, filter)?;
            page.apply(views, |v| v.policy.sort_key())
        })
    }

    /// The policies the filter lets through, from the 0-based `first` for `count`, and whether
    /// more follow (the OSC dialect's `FirstItem` / `ResultsPerPage`).
    pub fn read_policies(
        &self,
        filter: &PolicyFilter,
        first: usize,
        count: usize,
    ) -> CoreResult<(Vec<PolicyView>, bool)> {
        self.read(|tx| {
            Ok(page::window(
                self.filtered_policies(tx, filter)?,
                first,
                count,
            ))
        })
    }

    /// Deletes an account's policy: attached to nothing, and with no version but its default
    /// one, as AWS requires.
    pub fn delete_policy(&self, r: &PolicyRef) -> CoreResult<()> {
        self.write(|tx| {
            let p = self.own_policy(tx, Operation::DeletePolicy, r)?;
            if !tx.policy_attachees(self.account(), &p.id)?.is_empty() {
                return Err(CoreError::DeleteConflict(Dependents::Attachments));
            }
            if tx.policy_versions(self.account(), &p.id)?.len() > 1 {
                return Err(CoreError::DeleteConflict(Dependents::Versions));
            }
            tx.delete_managed_policy(self.account(), &p.id)
        })
    }

    /// Adds a version, within the versions a policy keeps; `set_default` makes it the one in
    /// force. Answers the version and whether it is the default.
    pub fn create_policy_version(
        &self,
        r: &PolicyRef,
        document: &str,
        set_default: bool,
    ) -> CoreResult<(PolicyVersion, bool)> {
        let now = self.svc.clock.now();
        self.write(|tx| {
            let mut p = self.own_policy(tx, Operation::CreatePolicyVersion, r)?;
            self.check_managed_document(document)?;
            let limit = self.svc.limits.versions_per_policy;
            if tx.policy_versions(self.account(), &p.id)?.len() >= limit as usize {
                return Err(CoreError::LimitExceeded(Quota::VersionsPerPolicy(limit)));
            }
            let next = p
                .latest_version
                .next()
                .ok_or(CoreError::LimitExceeded(Quota::VersionsPerPolicy(limit)))?;
            let version = PolicyVersion {
                id: next,
                document: document.to_owned(),
                created_at: now,
            };
            tx.insert_policy_version(self.account(), &p.id, &version)?;
            p.latest_version = version.id;
            if set_default {
                p.default_version = version.id;
            }
            p.modified_at = now;
            tx.update_managed_policy(&p)?;
            Ok((version, set_default))
        })
    }

    /// One version of a policy, and whether it is the default.
    pub fn get_policy_version(
        &self,
        r: &PolicyRef,
        version: VersionId,
    ) -> CoreResult<(PolicyVersion, bool)> {
        self.read(|tx| {
            let p = self.existing_policy(tx, Operation::GetPolicyVersion, r)?;
            let v = self
                .versions(tx, &p)?
                .into_iter()
                .find(|v| v.id == version)
                .ok_or_else(|| CoreError::NoSuchPolicyVersion(r.clone(), version))?;
            Ok((v, p.default_version == version))
        })
    }

    /// Every version of a policy with whether it is the default, newest first (as AWS lists
    /// them).
    pub fn list_policy_versions(&self, r: &PolicyRef) -> CoreResult<Vec<(PolicyVersion, bool)>> {
        self.read(|tx| {
            let p = self.existing_policy(tx, Operation::ListPolicyVersions, r)?;
            let mut all: Vec<_> = self
                .versions(tx, &p)?
                .into_iter()
                .map(|v| {
                    let default = v.id == p.default_version;
                    (v, default)
                })
                .collect();
            all.reverse();
            Ok(all)
        })
    }

    /// Deletes a version that is not the default.
    pub fn delete_policy_version(&self, r: &PolicyRef, version: VersionId) -> CoreResult<()> {
        self.write(|tx| {
            let p = self.own_policy(tx, Operation::DeletePolicyVersion, r)?;
            self.version_of(tx, &p, r, version)?;
            if p.default_version == version {
                return Err(CoreError::DeleteConflict(Dependents::DefaultVersion));
            }
            tx.delete_policy_version(self.account(), &p.id, version)
        })
    }

    /// Makes an existing version the one in force. `UpdateDate` stays the creation date of the
    /// newest version, as AWS documents it.
    pub fn set_default_policy_version(&self, r: &PolicyRef, version: VersionId) -> CoreResult<()> {
        self.write(|tx| {
            let mut p = self.own_policy(tx, Operation::SetDefaultPolicyVersion, r)?;
            self.version_of(tx, &p, r, version)?;
            p.default_version = version;
            tx.update_managed_policy(&p)
        })
    }

    fn version_of(
        &self,
        tx: &dyn ReadTx,
        p: &ManagedPolicy,
        r: &PolicyRef,
        version: VersionId,
    ) -> CoreResult<PolicyVersion> {
        tx.policy_version(self.account(), &p.id, version)?
            .ok_or_else(|| CoreError::NoSuchPolicyVersion(r.clone(), version))
    }

    /// Adds or overwrites tags of an account's policy; it may carry 50 at most.
    pub fn tag_policy(&self, r: &PolicyRef, tags: Vec<Tag>) -> CoreResult<()> {
        validate::tags(&tags, "Tags")?;
        self.write(|tx| {
            let keys = super::request_tags(&tags);
            let mut p = self.own_policy_with(tx, Operation::TagPolicy, r, keys)?;
            validate::tags_fit(&p.tags, &tags)?;
            for t in tags.iter().cloned() {
                match p.tags.iter_mut().find(|o| o.key == t.key) {
                    Some(o) => o.value = t.value,
                    None => p.tags.push(t),
                }
            }
            p.tags.sort_by(|a, b| a.key.cmp(&b.key));
            tx.update_managed_policy(&p)
        })
    }

    /// Removes tags of an account's policy by key; keys it does not carry are ignored.
    pub fn untag_policy(&self, r: &PolicyRef, keys: &[TagKey]) -> CoreResult<()> {
        validate::tag_keys_count(keys.len(), "TagKeys")?;
        self.write(|tx| {
            let names = super::tag_keys(keys.iter());
            let mut p = self.own_policy_with(tx, Operation::UntagPolicy, r, names)?;
            p.tags.retain(|t| !keys.contains(&t.key));
            tx.update_managed_policy(&p)
        })
    }

    /// A policy's tags, sorted by key.
    pub fn list_policy_tags(&self, r: &PolicyRef, page: &PageRequest) -> CoreResult<Page<Tag>> {
        self.read(|tx| {
            let p = self.existing_policy(tx, Operation::ListPolicyTags, r)?;
            page.apply(p.tags, |t| t.key.as_str().to_owned())
        })
    }
}

#[cfg(test)]
#[path = "managed_policies_tests.rs"]
mod tests;
