//! Groups in a `MemoryStore`, the write half: the group records, their memberships and inline
//! policies, under the schema's constraints; the trait impl delegates here.

use crate::error::CoreResult;
use crate::ids::{AccountId, GroupId, PolicyName, UserId};
use crate::model::{Attachee, Group};

use super::{Tx, conflict};

impl Tx {
    pub(super) fn stored_insert_group(&self, group: &Group) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let folded = group.name.folded();
        if s.groups.contains_key(&group.id)
            || s.groups
                .values()
                .any(|g| g.account_id == group.account_id && g.name.folded() == folded)
        {
            return Err(conflict("group id or name taken"));
        }
        s.groups.insert(group.id.clone(), group.clone());
        Ok(())
    }

    pub(super) fn stored_update_group(&self, group: &Group) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let folded = group.name.folded();
        if s.groups.values().any(|g| {
            g.account_id == group.account_id && g.id != group.id && g.name.folded() == folded
        }) {
            return Err(conflict("group name taken"));
        }
        match s.groups.get_mut(&group.id) {
            Some(g) if g.account_id == group.account_id => {
                g.name = group.name.clone();
                g.path = group.path.clone();
                g.modified_at = group.modified_at;
                Ok(())
            }
            _ => Err(conflict("no such group")),
        }
    }

    pub(super) fn stored_delete_group(&self, account: &AccountId, id: &GroupId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, id).is_some() {
            s.groups.remove(id);
            s.members.retain(|(g, _)| g != id);
            s.group_policies.retain(|(g, _), _| g != id);
            let group = Attachee::Group(id.clone());
            s.attachments.retain(|(_, _, t)| *t != group);
        }
        Ok(())
    }

    pub(super) fn stored_add_member(
        &self,
        account: &AccountId,
        group: &GroupId,
        user: &UserId,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, group).is_none() || s.user_in(account, user).is_none() {
            return Err(conflict("no such group or user"));
        }
        s.members.insert((group.clone(), user.clone()));
        Ok(())
    }

    pub(super) fn stored_remove_member(
        &self,
        account: &AccountId,
        group: &GroupId,
        user: &UserId,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, group).is_some() {
            s.members.remove(&(group.clone(), user.clone()));
        }
        Ok(())
    }

    pub(super) fn stored_put_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, group).is_none() {
            return Err(conflict("no such group"));
        }
        s.group_policies
            .insert((group.clone(), name.clone()), document.to_owned());
        Ok(())
    }

    pub(super) fn stored_delete_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, group).is_some() {
            s.group_policies.remove(&(group.clone(), name.clone()));
        }
        Ok(())
    }
}
