//! The managed-policy half of a `MemoryStore` write transaction: policies with their
//! versions, and attachments, keeping the constraints the SQLite schema keeps. `write`'s
//! `WriteTx` delegates here.

use crate::error::CoreResult;
use crate::ids::{AccountId, PolicyId, VersionId};
use crate::model::{Attachee, ManagedPolicy, PolicyVersion};

use super::{Tx, conflict, owning_account};

impl Tx {
    pub(super) fn stored_insert_managed_policy(
        &self,
        policy: &ManagedPolicy,
        first: &PolicyVersion,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let Some(account) = owning_account(policy) else {
            return Err(conflict("the provider's policies are not stored"));
        };
        let folded = policy.name.folded();
        if !s.accounts.contains_key(account)
            || s.managed.contains_key(&policy.id)
            || s.managed
                .values()
                .any(|(a, p)| a == account && p.name.folded() == folded)
        {
            return Err(conflict("policy id or name taken, or no such account"));
        }
        s.managed
            .insert(policy.id.clone(), (account.clone(), policy.clone()));
        s.versions
            .insert((policy.id.clone(), first.id), first.clone());
        Ok(())
    }

    pub(super) fn stored_update_managed_policy(&self, policy: &ManagedPolicy) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let Some(account) = owning_account(policy) else {
            return Err(conflict("the provider's policies are not stored"));
        };
        if !s
            .versions
            .contains_key(&(policy.id.clone(), policy.default_version))
        {
            return Err(conflict("the default version does not exist"));
        }
        match s.managed.get_mut(&policy.id) {
            Some((a, p)) if a == account => {
                p.default_version = policy.default_version;
                p.latest_version = policy.latest_version;
                p.modified_at = policy.modified_at;
                p.tags = policy.tags.clone();
                Ok(())
            }
            _ => Err(conflict("no such policy")),
        }
    }

    pub(super) fn stored_delete_managed_policy(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.managed_in(account, id).is_none() {
            return Ok(());
        }
        if s.attachments.iter().any(|(_, p, _)| p == id) {
            return Err(conflict("policy still attached"));
        }
        s.managed.remove(id);
        s.versions.retain(|(p, _), _| p != id);
        Ok(())
    }

    pub(super) fn stored_insert_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: &PolicyVersion,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let key = (id.clone(), version.id);
        if s.managed_in(account, id).is_none() || s.versions.contains_key(&key) {
            return Err(conflict("no such policy, or version taken"));
        }
        s.versions.insert(key, version.clone());
        Ok(())
    }

    pub(super) fn stored_delete_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        match s.managed_in(account, id) {
            Some(p) if p.default_version == version => Err(conflict("the default version stays")),
            Some(_) => {
                s.versions.remove(&(id.clone(), version));
                Ok(())
            }
            None => Ok(()),
        }
    }

    pub(super) fn stored_attach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let known =
            s.managed_in(account, policy).is_some() || crate::catalog::by_id(policy).is_some();
        if !known || !s.attachee_in(account, to) {
            return Err(conflict("no such policy, user or group"));
        }
        s.attachments
            .insert((account.clone(), policy.clone(), to.clone()));
        Ok(())
    }

    pub(super) fn stored_detach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .attachments
            .remove(&(account.clone(), policy.clone(), to.clone()));
        Ok(())
    }
}
