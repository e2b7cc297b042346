//! What a principal may do to users: create, read, list, rename, tag and delete them.

use crate::error::{CoreError, CoreResult, Dependents, SessionRule};
use crate::ids::{Email, PathPrefix, TagKey, UserId, UserName, UserPath};
use crate::model::{Account, Attachee, KeyOwner, Principal, Tag, User, user_arn};
use crate::page::{Page, PageRequest};
use crate::rules::Operation;
use crate::validate;

use super::{Caller, request_tags, tag_keys};

/// Who a `GetUser` without a name describes: the caller, root or user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Root(Account),
    User(User),
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    pub name: Option<UserName>,
    pub path: Option<UserPath>,
    pub email: Option<Email>,
}

impl Caller<'_> {
    pub fn create_user(
        &self,
        name: UserName,
        path: Option<UserPath>,
        email: Option<Email>,
        mut tags: Vec<Tag>,
    ) -> CoreResult<User> {
        if !name.is_creatable() {
            return Err(validate::invalid(
                "UserName",
                "must be at most 64 characters",
            ));
        }
        let now = self.svc.clock.now();
        let path = path.unwrap_or_else(UserPath::root);
        validate::tags(&tags, "Tags")?;
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        self.write(|tx| {
            let arn = user_arn(self.account(), &path, &name);
            self.authorize_with(tx, Operation::CreateUser, &[&arn], &request_tags(&tags))?;
            if tx.user_by_name(self.account(), &name)?.is_some() {
                return Err(CoreError::UserAlreadyExists(name.clone()));
            }
            let user = User {
                account_id: self.account().clone(),
                id: self.svc.ids.user_id(),
                name: name.clone(),
                path: path.clone(),
                email: email.clone(),
                created_at: now,
                modified_at: now,
                tags: tags.clone(),
            };
            tx.insert_user(&user)?;
            Ok(user)
        })
    }

    /// The named user, or the caller itself when no name is given.
    pub fn get_user(&self, name: Option<&UserName>) -> CoreResult<Identity> {
        self.read(|tx| match (name, self.principal) {
            (Some(name), _) => Ok(Identity::User(self.existing_user(
                tx,
                Operation::GetUser,
                name,
            )?)),
            (None, Principal::Root { account }) => tx
                .account(account)?
                .map(Identity::Root)
                .ok_or(CoreError::NoSuchAccount),
            (
                None,
                Principal::User {
                    account, id, name, ..
                },
            ) => {
                let me = tx.user_by_id(account, id)?;
                let arn = me.as_ref().map_or_else(|| self.principal.arn(), User::arn);
                self.authorize(tx, Operation::GetUser, &[&arn])?;
                me.map(Identity::User)
                    .ok_or_else(|| CoreError::NoSuchUser(name.clone()))
            }
            // AWS: "Must specify userName when calling with non-User credentials".
            (None, Principal::Role { .. }) => {
                Err(CoreError::SessionRefused(SessionRule::UserNameRequired))
            }
        })
    }

    pub fn list_users(
        &self,
        prefix: Option<&PathPrefix>,
        page: &PageRequest,
    ) -> CoreResult<Page<User>> {
        let limit = page.limit()?;
        let after = page.position()?;
        self.read(|tx| {
            self.authorize(tx, Operation::ListUsers, &["*"])?;
            let users = tx.users(self.account(), prefix, after.as_deref(), limit + 1)?;
            Ok(PageRequest::cut(users, limit, |u| u.name.folded()))
        })
    }

    /// Users sorted by creation date then id, from the 0-based `first` for `count` items, and
    /// whether more follow (the OSC dialect's `FirstItem` / `ResultsPerPage`).
    pub fn read_users(
        &self,
        ids: Option<&[UserId]>,
        first: usize,
        count: usize,
    ) -> CoreResult<(Vec<User>, bool)> {
        self.read(|tx| {
            self.authorize(tx, Operation::ListUsers, &["*"])?;
            let mut users: Vec<User> = tx
                .users(self.account(), None, None, usize::MAX)?
                .into_iter()
                .filter(|u| ids.is_none_or(|ids| ids.contains(&u.id)))
                .collect();
            users.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            let more = users.len() > first.saturating_add(count);
            Ok((users.into_iter().skip(first).take(count).collect(), more))
        })
    }

    /// Renames, moves or re-addresses a user. A new name or path is authorised on both ARNs.
    pub fn update_user(&self, name: &UserName, change: UserChange) -> CoreResult<User> {
        if change.name.as_ref().is_some_and(|n| !n.is_creatable()) {
            return Err(validate::invalid(
                "NewUserName",
                "must be at most 64 characters",
            ));
        }
        let now = self.svc.clock.now();
        self.write(|tx| {
            let (user, old_arn) = self.target_user(tx, name)?;
            let new_path = change
                .path
                .clone()
                .or_else(|| user.as_ref().map(|u| u.path.clone()))
                .unwrap_or_else(UserPath::root);
            let new_name = change.name.clone().unwrap_or_else(|| name.clone());
            let new_arn = user_arn(self.account(), &new_path, &new_name);
            if new_arn == old_arn {
                self.authorize(tx, Operation::UpdateUser, &[&old_arn])?;
            } else {
                self.authorize(tx, Operation::UpdateUser, &[&old_arn, &new_arn])?;
            }
            let mut user = user.ok_or_else(|| CoreError::NoSuchUser(name.clone()))?;
            if let Some(other) = tx.user_by_name(self.account(), &new_name)?
                && other.id != user.id
            {
                return Err(CoreError::UserAlreadyExists(new_name));
            }
            user.name = new_name;
            user.path = new_path;
            if let Some(email) = change.email.clone() {
                user.email = Some(email);
            }
            user.modified_at = now;
            tx.update_user(&user)?;
            Ok(user)
        })
    }

    /// Deletes a user that owns no access key, has no inline or attached policy, and is in no
    /// group.
    pub fn delete_user(&self, name: &UserName) -> CoreResult<()> {
        self.write(|tx| {
            let user = self.existing_user(tx, Operation::DeleteUser, name)?;
            if !tx
                .keys(self.account(), &KeyOwner::User(user.id.clone()))?
                .is_empty()
            {
                return Err(CoreError::DeleteConflict(Dependents::AccessKeys));
            }
            if !tx.policies(self.account(), &user.id)?.is_empty() {
                return Err(CoreError::DeleteConflict(Dependents::Policies));
            }
            if !tx.groups_of_user(self.account(), &user.id)?.is_empty() {
                return Err(CoreError::DeleteConflict(Dependents::Groups));
            }
            if !tx
                .attached_policies(self.account(), &Attachee::User(user.id.clone()))?
                .is_empty()
            {
                return Err(CoreError::DeleteConflict(Dependents::AttachedPolicies));
            }
            if tx
                .mfa_devices(self.account())?
                .iter()
                .any(|d| d.user.as_ref().is_some_and(|(u, _)| *u == user.id))
            {
                return Err(CoreError::DeleteConflict(Dependents::MfaDevices));
            }
            if tx.login_profile(self.account(), &user.id)?.is_some() {
                return Err(CoreError::DeleteConflict(Dependents::LoginProfile));
            }
            tx.delete_user(self.account(), &user.id)
        })
    }

    /// Adds or overwrites tags of a user; the user may carry 50 at most.
    pub fn tag_user(&self, name: &UserName, tags: Vec<Tag>) -> CoreResult<()> {
        validate::tags(&tags, "Tags")?;
        self.write(|tx| {
            let user =
                self.existing_user_with(tx, Operation::TagUser, name, request_tags(&tags))?;
            validate::tags_fit(&user.tags, &tags)?;
            tx.put_tags(self.account(), &user.id, &tags)
        })
    }

    /// Removes tags of a user by key; keys it does not carry are ignored.
    pub fn untag_user(&self, name: &UserName, keys: &[TagKey]) -> CoreResult<()> {
        validate::tag_keys_count(keys.len(), "TagKeys")?;
        self.write(|tx| {
            let user =
                self.existing_user_with(tx, Operation::UntagUser, name, tag_keys(keys.iter()))?;
            tx.delete_tags(self.account(), &user.id, keys)
        })
    }

    /// A user's tags, sorted by key.
    pub fn list_user_tags(&self, name: &UserName, page: &PageRequest) -> CoreResult<Page<Tag>> {
        self.read(|tx| {
            let user = self.existing_user(tx, Operation::ListUserTags, name)?;
            page.apply(user.tags, |t| t.key.as_str().to_owned())
        })
    }
}

#[cfg(test)]
#[path = "users_tests.rs"]
mod tests;
