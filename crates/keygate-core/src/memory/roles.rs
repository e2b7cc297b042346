//! Roles in a `MemoryStore`: the role records with their tags and inline policies, both halves
//! of the transaction; the trait impls delegate here.

use crate::error::CoreResult;
use crate::ids::{AccountId, PathPrefix, PolicyName, RoleId, RoleName, TagKey};
use crate::model::{Attachee, Role, SessionOrigin, Tag};

use super::{Tx, conflict};

impl Tx {
    pub(super) fn stored_role_by_name(
        &self,
        account: &AccountId,
        name: &RoleName,
    ) -> CoreResult<Option<Role>> {
        let folded = name.folded();
        Ok(self
            .0
            .borrow()
            .roles
            .values()
            .find(|r| &r.account_id == account && r.name.folded() == folded)
            .cloned())
    }

    pub(super) fn stored_role_by_id(
        &self,
        account: &AccountId,
        id: &RoleId,
    ) -> CoreResult<Option<Role>> {
        Ok(self.0.borrow().role_in(account, id).cloned())
    }

    pub(super) fn stored_roles(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Role>> {
        let mut roles: Vec<Role> = self
            .0
            .borrow()
            .roles
            .values()
            .filter(|r| &r.account_id == account)
            .filter(|r| prefix.is_none_or(|p| r.path.as_str().starts_with(p.as_str())))
            .filter(|r| after.is_none_or(|a| r.name.folded().as_str() > a))
            .cloned()
            .collect();
        roles.sort_by_key(|r| r.name.folded());
        roles.truncate(limit);
        Ok(roles)
    }

    pub(super) fn stored_role_policies(
        &self,
        account: &AccountId,
        role: &RoleId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        let s = self.0.borrow();
        if s.role_in(account, role).is_none() {
            return Ok(Vec::new());
        }
        Ok(s.role_policies
            .iter()
            .filter(|((r, _), _)| r == role)
            .map(|((_, n), d)| (n.clone(), d.clone()))
            .collect())
    }

    pub(super) fn stored_insert_role(&self, role: &Role) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let folded = role.name.folded();
        if !s.accounts.contains_key(&role.account_id)
            || s.roles.contains_key(&role.id)
            || s.roles
                .values()
                .any(|r| r.account_id == role.account_id && r.name.folded() == folded)
        {
            return Err(conflict("role id or name taken, or no such account"));
        }
        let mut role = role.clone();
        role.tags.sort_by(|a, b| a.key.cmp(&b.key));
        s.roles.insert(role.id.clone(), role);
        Ok(())
    }

    pub(super) fn stored_update_role(&self, role: &Role) -> CoreResult<()> {
        match self.0.borrow_mut().roles.get_mut(&role.id) {
            Some(r) if r.account_id == role.account_id => {
                r.trust_policy = role.trust_policy.clone();
                r.trust_set_at = role.trust_set_at;
                r.description = role.description.clone();
                r.max_session_seconds = role.max_session_seconds;
                r.last_used = role.last_used.clone();
                Ok(())
            }
            _ => Err(conflict("no such role")),
        }
    }

    pub(super) fn stored_delete_role(&self, account: &AccountId, id: &RoleId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.role_in(account, id).is_none() {
            return Ok(());
        }
        let attachee = Attachee::Role(id.clone());
        if s.role_policies.keys().any(|(r, _)| r == id)
            || s.attachments.iter().any(|(_, _, t)| *t == attachee)
        {
            return Err(conflict("role still has policies"));
        }
        s.roles.remove(id);
        s.sessions.retain(|_, (session, _, _)| {
            !matches!(&session.origin, SessionOrigin::Role(r) if &r.role == id)
        });
        Ok(())
    }

    pub(super) fn stored_put_role_tags(
        &self,
        account: &AccountId,
        role: &RoleId,
        tags: &[Tag],
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let Some(r) = s.roles.get_mut(role).filter(|r| &r.account_id == account) else {
            return Err(conflict("no such role"));
        };
        for t in tags {
            r.tags.retain(|old| old.key != t.key);
            r.tags.push(t.clone());
        }
        r.tags.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(())
    }

    pub(super) fn stored_delete_role_tags(
        &self,
        account: &AccountId,
        role: &RoleId,
        keys: &[TagKey],
    ) -> CoreResult<()> {
        if let Some(r) = self
            .0
            .borrow_mut()
            .roles
            .get_mut(role)
            .filter(|r| &r.account_id == account)
        {
            r.tags.retain(|t| !keys.contains(&t.key));
        }
        Ok(())
    }

    pub(super) fn stored_put_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.role_in(account, role).is_none() {
            return Err(conflict("no such role"));
        }
        s.role_policies
            .insert((role.clone(), name.clone()), document.to_owned());
        Ok(())
    }

    pub(super) fn stored_delete_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.role_in(account, role).is_some() {
            s.role_policies.remove(&(role.clone(), name.clone()));
        }
        Ok(())
    }
}
