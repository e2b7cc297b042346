//! What a principal may do with attachments of managed policies (the account's and the
//! provider's) to users, groups and roles: attach and detach them within the limits, list what is
//! attached to whom, and read the documents a user's attachments put in force.

use crate::catalog;
use crate::error::{CoreError, CoreResult, PolicySource, Quota};
use crate::ids::{PathPrefix, RoleName, UserName};
use crate::model::{Attachee, Group, ManagedPolicy, PolicyRef, Role, User};
use crate::policy::Context;
use crate::rules::Operation;
use crate::store::ReadTx;

use super::{Caller, GroupRef};

/// What a policy is attached to, as a call names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachTarget {
    User(UserName),
    Group(GroupRef),
    Role(RoleName),
}

/// The operations attaching, detaching or listing checks, for a user, a group and a role.
type Ops = (Operation, Operation, Operation);

/// What a policy is attached to, as listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyEntities {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
}

impl Caller<'_> {
    /// The default documents of the managed policies attached to `to`, each with its ARN.
    pub(super) fn attached_documents(
        &self,
        tx: &dyn ReadTx,
        to: &Attachee,
    ) -> CoreResult<Vec<(PolicySource, String)>> {
        let mut docs = Vec::new();
        for id in tx.attached_policies(self.account(), to)? {
            if let (Some(p), Some(doc)) = (catalog::by_id(&id), catalog::document(&id)) {
                docs.push((PolicySource::Managed(p.reference()), doc.to_owned()));
            } else if let Some(p) = tx.managed_policy(self.account(), &id)?
                && let Some(v) = tx.policy_version(self.account(), &id, p.default_version)?
            {
                docs.push((PolicySource::Managed(p.reference()), v.document));
            }
        }
        Ok(docs)
    }

    /// The user or group a policy is attached to or detached from, once `op` is authorised on
    /// it with the policy's ARN as `iam:PolicyARN`; and the number of policies it may have
    /// attached, with the quota that number is.
    fn attachee(
        &self,
        tx: &dyn ReadTx,
        ops: Ops,
        to: &AttachTarget,
        r: &PolicyRef,
        found: Option<&ManagedPolicy>,
    ) -> CoreResult<(Attachee, u32, Quota)> {
        // The policy's ARN as stored (names compare without case), or as named when none is.
        let mut extra = Context::new();
        extra.set(
            "iam:PolicyARN",
            found.map_or_else(|| r.arn(), ManagedPolicy::arn),
        );
        match to {
            AttachTarget::User(name) => {
                let (user, user_arn) = self.target_user(tx, name)?;
                self.authorize_with(tx, ops.0, &[&user_arn], &extra)?;
                let user = user.ok_or_else(|| CoreError::NoSuchUser(name.clone()))?;
                let limit = self.svc.limits.policies_per_user;
                Ok((
                    Attachee::User(user.id),
                    limit,
                    Quota::PoliciesPerUser(limit),
                ))
            }
            AttachTarget::Group(group) => {
                let (found, group_arn) = self.target_group(tx, group)?;
                self.authorize_with(tx, ops.1, &[&group_arn], &extra)?;
                let g = found.ok_or_else(|| CoreError::NoSuchGroup(group.name.clone()))?;
                let limit = self.svc.limits.policies_per_group;
                Ok((Attachee::Group(g.id), limit, Quota::PoliciesPerGroup(limit)))
            }
            AttachTarget::Role(name) => {
                let (found, role_arn) = self.target_role(tx, name)?;
                self.authorize_with(tx, ops.2, &[&role_arn], &extra)?;
                let r = found.ok_or_else(|| CoreError::NoSuchRole(name.clone()))?;
                let limit = self.svc.limits.policies_per_role;
                Ok((Attachee::Role(r.id), limit, Quota::PoliciesPerRole(limit)))
            }
        }
    }

    /// Attaches a policy (the account's or the provider's) to a user or group, within the
    /// policies each may have attached; an attached policy stays attached.
    pub fn attach_policy(&self, r: &PolicyRef, to: &AttachTarget) -> CoreResult<()> {
        let ops = (
            Operation::AttachUserPolicy,
            Operation::AttachGroupPolicy,
            Operation::AttachRolePolicy,
        );
        self.write(|tx| {
            let found = self.find_policy(tx, r)?;
            let (attachee, limit, quota) = self.attachee(tx, ops, to, r, found.as_ref())?;
            let p = found.ok_or_else(|| CoreError::PolicyNotAttachable(r.clone()))?;
            let attached = tx.attached_policies(self.account(), &attachee)?;
            if attached.contains(&p.id) {
                return Ok(());
            }
            if attached.len() >= limit as usize {
                return Err(CoreError::LimitExceeded(quota));
            }
            tx.attach_policy(self.account(), &p.id, &attachee)
        })
    }

    pub fn detach_policy(&self, r: &PolicyRef, to: &AttachTarget) -> CoreResult<()> {
        let ops = (
            Operation::DetachUserPolicy,
            Operation::DetachGroupPolicy,
            Operation::DetachRolePolicy,
        );
        self.write(|tx| {
            let found = self.find_policy(tx, r)?;
            let (attachee, _, _) = self.attachee(tx, ops, to, r, found.as_ref())?;
            let p = found.ok_or_else(|| CoreError::NoSuchManagedPolicy(r.clone()))?;
            if !tx
                .attached_policies(self.account(), &attachee)?
                .contains(&p.id)
            {
                return Err(CoreError::PolicyNotAttached(r.clone()));
            }
            tx.detach_policy(self.account(), &p.id, &attachee)
        })
    }

    /// The managed policies attached to a user or group whose path starts with `prefix`,
    /// ordered by name.
    /// Answers, with them, the user or group they are attached to.
    pub fn attached_policies(
        &self,
        to: &AttachTarget,
        prefix: Option<&PathPrefix>,
    ) -> CoreResult<(Attachee, Vec<ManagedPolicy>)> {
        self.read(|tx| {
            let attachee = match to {
                AttachTarget::User(name) => {
                    let u = self.existing_user(tx, Operation::ListAttachedUserPolicies, name)?;
                    Attachee::User(u.id)
                }
                AttachTarget::Group(group) => {
                    let g = self.existing_group(tx, Operation::ListAttachedGroupPolicies, group)?;
                    Attachee::Group(g.id)
                }
                AttachTarget::Role(name) => {
                    let r = self.existing_role(tx, Operation::ListAttachedRolePolicies, name)?;
                    Attachee::Role(r.id)
                }
            };
            let mut out = Vec::new();
            for id in tx.attached_policies(self.account(), &attachee)? {
                let p = match catalog::by_id(&id) {
                    Some(p) => Some(p),
                    None => tx.managed_policy(self.account(), &id)?,
                };
                out.extend(p.filter(|p| {
                    prefix.is_none_or(|pre| p.path.as_str().starts_with(pre.as_str()))
                }));
            }
            out.sort_by_key(ManagedPolicy::sort_key);
            Ok((attachee, out))
        })
    }

    /// The users, groups and roles of the account a policy is attached to, each ordered by
    /// name.
    /// Only those whose path starts with `prefix`, when given.
    pub fn entities_for_policy(
        &self,
        r: &PolicyRef,
        prefix: Option<&PathPrefix>,
    ) -> CoreResult<PolicyEntities> {
        self.read(|tx| {
            let p = self.existing_policy(tx, Operation::ListEntitiesForPolicy, r)?;
            let mut out = PolicyEntities::default();
            let mut group_ids = Vec::new();
            for a in tx.policy_attachees(self.account(), &p.id)? {
                match a {
                    Attachee::User(id) => out.users.extend(tx.user_by_id(self.account(), &id)?),
                    Attachee::Group(id) => group_ids.push(id),
                    Attachee::Role(id) => out.roles.extend(tx.role_by_id(self.account(), &id)?),
                }
            }
            if !group_ids.is_empty() {
                out.groups = tx
                    .groups(self.account(), None, None, usize::MAX)?
                    .into_iter()
                    .filter(|g| group_ids.contains(&g.id))
                    .collect();
            }
            let on_path = |path: &crate::ids::UserPath| {
                prefix.is_none_or(|pre| path.as_str().starts_with(pre.as_str()))
            };
            out.users.retain(|u| on_path(&u.path));
            out.groups.retain(|g| on_path(&g.path));
            out.roles.retain(|r| on_path(&r.path));
            out.roles.sort_by_key(|r| r.name.folded());
            out.users.sort_by_key(|u| u.name.folded());
            out.groups.sort_by_key(|g| g.name.folded());
            Ok(out)
        })
    }
}

#[cfg(test)]
#[path = "policy_attachments_tests.rs"]
mod tests;
