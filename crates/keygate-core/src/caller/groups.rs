//! What a principal may do with groups: create, read, list, rename or move and delete them,
//! manage their members, and put, read, list and delete their inline policies, which apply to
//! every member.

use crate::error::{CoreError, CoreResult, Dependents, Quota};
use crate::ids::{GroupId, GroupName, PathPrefix, PolicyName, UserName, UserPath};
use crate::model::{Attachee, Group, User, group_arn};
use crate::page::{Page, PageRequest};
use crate::policy;
use crate::rules::Operation;
use crate::store::ReadTx;
use crate::validate;

use super::Caller;

/// A group as a call names it: by name (unique in the account), and, where the dialect lets
/// the caller say it, the path it must be at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    pub name: GroupName,
    /// `None`: wherever it is.
    pub path: Option<UserPath>,
}

impl GroupRef {
    pub fn named(name: GroupName) -> Self {
        Self { name, path: None }
    }

    fn finds(&self, g: &Group) -> bool {
        self.path.as_ref().is_none_or(|p| *p == g.path)
    }
}

/// A group's new name and path; `None` keeps the current one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupChange {
    pub name: Option<GroupName>,
    pub path: Option<UserPath>,
}

impl Caller<'_> {
    /// The group named (at its path, when given) and its ARN, or the ARN it would have.
    pub(super) fn target_group(
        &self,
        tx: &dyn ReadTx,
        group: &GroupRef,
    ) -> CoreResult<(Option<Group>, String)> {
        let found = tx
            .group_by_name(self.account(), &group.name)?
            .filter(|g| group.finds(g));
        let arn = match &found {
            Some(g) => g.arn(),
            None => group_arn(
                self.account(),
                group.path.as_ref().unwrap_or(&UserPath::root()),
                &group.name,
            ),
        };
        Ok((found, arn))
    }

    /// The named group once `op` is authorised on it; authorised before the group is known to
    /// exist (a group that does not exist is evaluated with path `/`), so that a denied caller
    /// cannot learn which groups exist.
    pub(super) fn existing_group(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        group: &GroupRef,
    ) -> CoreResult<Group> {
        let (found, arn) = self.target_group(tx, group)?;
        self.authorize(tx, op, &[&arn])?;
        found.ok_or_else(|| CoreError::NoSuchGroup(group.name.clone()))
    }

    /// The named user, at `path` when one is given.
    fn member(
        &self,
        tx: &dyn ReadTx,
        user: &UserName,
        path: Option<&UserPath>,
    ) -> CoreResult<User> {
        tx.user_by_name(self.account(), user)?
            .filter(|u| path.is_none_or(|p| *p == u.path))
            .ok_or_else(|| CoreError::NoSuchUser(user.clone()))
    }

    pub fn create_group(&self, name: GroupName, path: Option<UserPath>) -> CoreResult<Group> {
        let now = self.svc.clock.now();
        let path = path.unwrap_or_else(UserPath::root);
        self.write(|tx| {
            let arn = group_arn(self.account(), &path, &name);
            self.authorize(tx, Operation::CreateGroup, &[&arn])?;
            if tx.group_by_name(self.account(), &name)?.is_some() {
                return Err(CoreError::GroupAlreadyExists(name.clone()));
            }
            let group = Group {
                account_id: self.account().clone(),
                id: self.svc.ids.group_id(),
                name: name.clone(),
                path: path.clone(),
                created_at: now,
                modified_at: now,
            };
            tx.insert_group(&group)?;
            Ok(group)
        })
    }

    /// The group and a page of its members, ordered by name.
    pub fn get_group(
        &self,
        group: &GroupRef,
        page: &PageRequest,
    ) -> CoreResult<(Group, Page<User>)> {
        self.read(|tx| {
            let group = self.existing_group(tx, Operation::GetGroup, group)?;
            let members = tx.group_members(self.account(), &group.id)?;
            let members = page.apply(members, |u| u.name.folded())?;
            Ok((group, members))
        })
    }

    pub fn list_groups(
        &self,
        prefix: Option<&PathPrefix>,
        page: &PageRequest,
    ) -> CoreResult<Page<Group>> {
        let limit = page.limit()?;
        let after = page.position()?;
        self.read(|tx| {
            self.authorize(tx, Operation::ListGroups, &["*"])?;
            let groups = tx.groups(self.account(), prefix, after.as_deref(), limit + 1)?;
            Ok(PageRequest::cut(groups, limit, |g| g.name.folded()))
        })
    }

    /// Groups whose path starts with `prefix` (and, when given, whose id is in `ids`), ordered
    /// by name, from the 0-based `first` for `count`, and whether more follow (the OSC
    /// dialect's `FirstItem` / `ResultsPerPage`).
    pub fn read_groups(
        &self,
        prefix: Option<&PathPrefix>,
        ids: Option<&[GroupId]>,
        first: usize,
        count: usize,
    ) -> CoreResult<(Vec<Group>, bool)> {
        self.read(|tx| {
            self.authorize(tx, Operation::ListGroups, &["*"])?;
            let groups: Vec<Group> = tx
                .groups(self.account(), prefix, None, usize::MAX)?
                .into_iter()
                .filter(|g| ids.is_none_or(|ids| ids.contains(&g.id)))
                .collect();
            Ok(crate::page::window(groups, first, count))
        })
    }

    /// Renames or moves a group; its members and policies stay. Both the old and the new name
    /// must be allowed. Answers the group as it now is, with its members.
    pub fn update_group(
        &self,
        group: &GroupRef,
        change: GroupChange,
    ) -> CoreResult<(Group, Vec<User>)> {
        let now = self.svc.clock.now();
        self.write(|tx| {
            let (found, old_arn) = self.target_group(tx, group)?;
            let new_path = change
                .path
                .clone()
                .or_else(|| found.as_ref().map(|g| g.path.clone()))
                .or_else(|| group.path.clone())
                .unwrap_or_else(UserPath::root);
            let new_name = change.name.clone().unwrap_or_else(|| group.name.clone());
            let new_arn = group_arn(self.account(), &new_path, &new_name);
            if new_arn == old_arn {
                self.authorize(tx, Operation::UpdateGroup, &[&old_arn])?;
            } else {
                self.authorize(tx, Operation::UpdateGroup, &[&old_arn, &new_arn])?;
            }
            let mut found = found.ok_or_else(|| CoreError::NoSuchGroup(group.name.clone()))?;
            if let Some(other) = tx.group_by_name(self.account(), &new_name)?
                && other.id != found.id
            {
                return Err(CoreError::GroupAlreadyExists(new_name));
            }
            found.name = new_name;
            found.path = new_path;
            found.modified_at = now;
            tx.update_group(&found)?;
            let members = tx.group_members(self.account(), &found.id)?;
            Ok((found, members))
        })
    }

    /// Deletes a group. Without `force` it must have no member, no inline policy and no attached
    /// policy (AWS's DeleteConflict); with it (OSC's `Force`), they go with it.
    pub fn delete_group(&self, group: &GroupRef, force: bool) -> CoreResult<()> {
        self.write(|tx| {
            let group = self.existing_group(tx, Operation::DeleteGroup, group)?;
            let attachee = Attachee::Group(group.id.clone());
            if !force {
                if !tx.group_members(self.account(), &group.id)?.is_empty() {
                    return Err(CoreError::DeleteConflict(Dependents::Members));
                }
                if !tx.group_policies(self.account(), &group.id)?.is_empty() {
                    return Err(CoreError::DeleteConflict(Dependents::Policies));
                }
                if !tx.attached_policies(self.account(), &attachee)?.is_empty() {
                    return Err(CoreError::DeleteConflict(Dependents::AttachedPolicies));
                }
            }
            for id in tx.attached_policies(self.account(), &attachee)? {
                tx.detach_policy(self.account(), &id, &attachee)?;
            }
            tx.delete_group(self.account(), &group.id)
        })
    }

    /// Adds a user (at `user_path`, when given) to a group, within the groups a user may belong
    /// to; a member stays one.
    pub fn add_user_to_group(
        &self,
        group: &GroupRef,
        user: &UserName,
        user_path: Option<&UserPath>,
    ) -> CoreResult<()> {
        self.write(|tx| {
            let g = self.existing_group(tx, Operation::AddUserToGroup, group)?;
            let u = self.member(tx, user, user_path)?;
            let groups = tx.groups_of_user(self.account(), &u.id)?;
            if groups.iter().any(|m| m.id == g.id) {
                return Ok(());
            }
            let limit = self.svc.limits.groups_per_user;
            if groups.len() >= limit as usize {
                return Err(CoreError::LimitExceeded(Quota::GroupsPerUser(limit)));
            }
            tx.add_member(self.account(), &g.id, &u.id)
        })
    }

    pub fn remove_user_from_group(
        &self,
        group: &GroupRef,
        user: &UserName,
        user_path: Option<&UserPath>,
    ) -> CoreResult<()> {
        self.write(|tx| {
            let g = self.existing_group(tx, Operation::RemoveUserFromGroup, group)?;
            let u = self.member(tx, user, user_path)?;
            tx.remove_member(self.account(), &g.id, &u.id)
        })
    }

    /// The groups a user (at `user_path`, when given) belongs to, ordered by name.
    pub fn list_groups_for_user(
        &self,
        user: &UserName,
        user_path: Option<&UserPath>,
        page: &PageRequest,
    ) -> CoreResult<Page<Group>> {
        self.read(|tx| {
            let u = self.existing_user(tx, Operation::ListGroupsForUser, user)?;
            if user_path.is_some_and(|p| *p != u.path) {
                return Err(CoreError::NoSuchUser(user.clone()));
            }
            let groups = tx.groups_of_user(self.account(), &u.id)?;
            page.apply(groups, |g| g.name.folded())
        })
    }

    /// Creates or replaces an inline policy of a group.
    pub fn put_group_policy(
        &self,
        group: &GroupRef,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        validate::policy_document(document)?;
        self.write(|tx| {
            let g = self.existing_group(tx, Operation::PutGroupPolicy, group)?;
            policy::parse(document).map_err(CoreError::MalformedPolicy)?;
            let limit = self.svc.limits.group_inline_policy_chars;
            let existing = tx.group_policies(self.account(), &g.id)?;
            if !policy::inline_policies_fit(&existing, name, document, limit) {
                return Err(CoreError::LimitExceeded(Quota::GroupInlinePolicySize(
                    limit,
                )));
            }
            tx.put_group_policy(self.account(), &g.id, name, document)
        })
    }

    pub fn get_group_policy(&self, group: &GroupRef, name: &PolicyName) -> CoreResult<String> {
        self.read(|tx| {
            let g = self.existing_group(tx, Operation::GetGroupPolicy, group)?;
            tx.group_policies(self.account(), &g.id)?
                .into_iter()
                .find(|(n, _)| n == name)
                .map(|(_, d)| d)
                .ok_or_else(|| CoreError::NoSuchGroupPolicy(name.clone()))
        })
    }

    /// A group's inline policies with their documents, ordered by name.
    pub fn list_group_policies(
        &self,
        group: &GroupRef,
        page: &PageRequest,
    ) -> CoreResult<Page<(PolicyName, String)>> {
        self.read(|tx| {
            let g = self.existing_group(tx, Operation::ListGroupPolicies, group)?;
            let policies = tx.group_policies(self.account(), &g.id)?;
            page.apply(policies, |(n, _)| n.as_str().to_owned())
        })
    }

    pub fn delete_group_policy(&self, group: &GroupRef, name: &PolicyName) -> CoreResult<()> {
        self.write(|tx| {
            let g = self.existing_group(tx, Operation::DeleteGroupPolicy, group)?;
            if !tx
                .group_policies(self.account(), &g.id)?
                .iter()
                .any(|(n, _)| n == name)
            {
                return Err(CoreError::NoSuchGroupPolicy(name.clone()));
            }
            tx.delete_group_policy(self.account(), &g.id, name)
        })
    }
}

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
