//! What a principal may do to access keys: its own, or those of a user it names. The
//! dialects' rule for deleting an active key (`Rules::user_key_deletion`) is applied here.

use crate::error::{CoreError, CoreResult, Denial, SessionRule};
use crate::ids::{AccessKeyId, UserName};
use crate::model::{
    AccessKey, KeyOwner, KeyState, KeyView, NewAccessKey, Principal, Timestamp, User, root_arn,
};
use crate::page::{Page, PageRequest};
use crate::rules::{KeyDeletion, MissingExpiration, Operation};
use crate::store::ReadTx;
use crate::validate;

use super::Caller;

/// Which keys a listing returns; every filter given applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFilter {
    pub ids: Option<Vec<AccessKeyId>>,
    pub states: Option<Vec<KeyState>>,
    pub tag: Option<String>,
}

/// A change to a key; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyChange {
    pub state: Option<KeyState>,
    /// `Some(None)` removes the expiration date.
    pub expires_at: Option<Option<Timestamp>>,
    /// `Some(None)` removes the tag.
    pub tag: Option<Option<String>>,
}

/// The owner of the keys an access-key operation acts on, and the resource it is checked on.
struct KeyTarget {
    owner: KeyOwner,
    user: Option<User>,
    resource: String,
}

impl Caller<'_> {
    /// Resolves whose keys are meant: the named user, or the caller itself.
    fn key_target(&self, tx: &dyn ReadTx, name: Option<&UserName>) -> CoreResult<KeyTarget> {
        // "If a temporary access key is used, then UserName is required" (AWS CLI reference).
        if name.is_none() && self.session.is_some() {
            return Err(CoreError::SessionRefused(SessionRule::UserNameRequired));
        }
        match (name, self.principal) {
            (Some(name), _) => {
                let (user, resource) = self.target_user(tx, name)?;
                Ok(KeyTarget {
                    owner: user
                        .as_ref()
                        .map_or(KeyOwner::Root, |u| KeyOwner::User(u.id.clone())),
                    user,
                    resource,
                })
            }
            (None, Principal::Root { account }) => Ok(KeyTarget {
                owner: KeyOwner::Root,
                user: None,
                resource: root_arn(account),
            }),
            (None, Principal::User { account, id, .. }) => {
                let user = tx.user_by_id(account, id)?;
                Ok(KeyTarget {
                    owner: KeyOwner::User(id.clone()),
                    resource: user
                        .as_ref()
                        .map_or_else(|| self.principal.arn(), User::arn),
                    user,
                })
            }
            // A role's session is always temporary: refused above.
            (None, Principal::Role { .. }) => {
                Err(CoreError::SessionRefused(SessionRule::UserNameRequired))
            }
        }
    }

    /// Authorises `op` on the target and fails when a named or calling user does not exist.
    fn authorized_key_target(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        name: Option<&UserName>,
    ) -> CoreResult<KeyTarget> {
        let target = self.key_target(tx, name)?;
        let tags = target
            .user
            .as_ref()
            .map(|u| u.tags.as_slice())
            .unwrap_or_default();
        self.authorize_with(tx, op, &[&target.resource], &super::resource_tags(tags))?;
        if let (Some(name), None) = (name, &target.user) {
            return Err(CoreError::NoSuchUser(name.clone()));
        }
        if let (None, Principal::User { name, .. }, None) = (name, self.principal, &target.user) {
            return Err(CoreError::NoSuchUser(name.clone()));
        }
        Ok(target)
    }

    fn owned_key(
        &self,
        tx: &dyn ReadTx,
        target: &KeyTarget,
        id: &AccessKeyId,
    ) -> CoreResult<AccessKey> {
        tx.key(self.account(), id)?
            .filter(|k| k.owner == target.owner)
            .ok_or_else(|| CoreError::NoSuchAccessKey(id.clone()))
    }

    fn view(target: &KeyTarget, key: AccessKey) -> KeyView {
        KeyView {
            key,
            user_name: target.user.as_ref().map(|u| u.name.clone()),
        }
    }

    /// Creates an active key for the named user, or for the caller when no name is given.
    pub fn create_access_key(
        &self,
        user: Option<&UserName>,
        expires_at: Option<Timestamp>,
        tag: Option<String>,
    ) -> CoreResult<NewAccessKey> {
        validate::key_tag(tag.as_deref())?;
        let now = self.svc.clock.now();
        validate::expiration(expires_at, now)?;
        self.write(|tx| {
            let target = self.authorized_key_target(tx, Operation::CreateAccessKey, user)?;
            let expires_at = crate::service::key_expiration(
                tx,
                self.account(),
                expires_at,
                now,
                self.rules.missing_expiration,
            )?;
            let created = self.svc.insert_key(
                tx,
                self.account(),
                target.owner.clone(),
                expires_at,
                tag.clone(),
                now,
            )?;
            Ok(NewAccessKey {
                view: Self::view(&target, created.view.key),
                secret: created.secret,
            })
        })
    }

    pub fn list_access_keys(
        &self,
        user: Option<&UserName>,
        filter: &KeyFilter,
        page: &PageRequest,
    ) -> CoreResult<Page<KeyView>> {
        self.read(|tx| {
            let target = self.authorized_key_target(tx, Operation::ListAccessKeys, user)?;
            let keys: Vec<KeyView> = tx
                .keys(self.account(), &target.owner)?
                .into_iter()
                .filter(|k| filter.ids.as_ref().is_none_or(|ids| ids.contains(&k.id)))
                .filter(|k| filter.states.as_ref().is_none_or(|s| s.contains(&k.state)))
                .filter(|k| filter.tag.is_none() || k.tag == filter.tag)
                .map(|k| Self::view(&target, self.svc.with_pending_use(k)))
                .collect();
            page.apply(keys, |v| {
                format!("{:020}:{}", v.key.created_at.unix_millis(), v.key.id)
            })
        })
    }

    /// Changes a key's state and/or expiration date.
    pub fn update_access_key(
        &self,
        user: Option<&UserName>,
        id: &AccessKeyId,
        change: KeyChange,
    ) -> CoreResult<KeyView> {
        validate::key_tag(change.tag.as_ref().and_then(Option::as_deref))?;
        let now = self.svc.clock.now();
        validate::expiration(change.expires_at.flatten(), now)?;
        self.write(|tx| {
            let target = self.authorized_key_target(tx, Operation::UpdateAccessKey, user)?;
            let mut key = self.owned_key(tx, &target, id)?;
            if let Some(state) = change.state {
                key.state = state;
            }
            if let Some(expires_at) = change.expires_at {
                // A date set or removed is set within the account's maximum lifetime.
                key.expires_at = crate::service::key_expiration(
                    tx,
                    self.account(),
                    expires_at,
                    now,
                    MissingExpiration::Refuse,
                )?;
            }
            if let Some(tag) = change.tag.clone() {
                key.tag = tag;
            }
            key.modified_at = now;
            tx.update_key(&key)?;
            Ok(Self::view(&target, key))
        })
    }

    /// Deletes a key; under `RequireInactive` a user's key must be inactive first.
    pub fn delete_access_key(&self, user: Option<&UserName>, id: &AccessKeyId) -> CoreResult<()> {
        self.write(|tx| {
            let target = self.authorized_key_target(tx, Operation::DeleteAccessKey, user)?;
            let key = self.owned_key(tx, &target, id)?;
            let must_be_inactive = self.rules.user_key_deletion == KeyDeletion::RequireInactive
                && matches!(key.owner, KeyOwner::User(_));
            if must_be_inactive && key.state == KeyState::Active {
                return Err(CoreError::KeyNotInactive(key.id));
            }
            tx.delete_key(self.account(), &key.id)
        })
    }

    /// A key of the caller's account with its owner's name and its last use. Authorised on the
    /// key's owner.
    pub fn access_key_last_used(&self, id: &AccessKeyId) -> CoreResult<KeyView> {
        self.read(|tx| {
            let key = tx.key(self.account(), id)?;
            let (resource, user) = match key.as_ref().map(|k| &k.owner) {
                Some(KeyOwner::User(uid)) => {
                    let user = tx.user_by_id(self.account(), uid)?;
                    (user.as_ref().map(User::arn), user)
                }
                Some(KeyOwner::Root) => (Some(root_arn(self.account())), None),
                None => (None, None),
            };
            // A key outside the caller's account is refused like a key it may not read, so its
            // existence is not revealed (the IAM model lists no not-found error here).
            let Some(resource) = resource else {
                return Err(CoreError::AccessDenied {
                    principal: self.principal.arn(),
                    action: self.action(Operation::GetAccessKeyLastUsed).to_owned(),
                    resource: format!("arn:aws:iam::{}:access-key/{id}", self.account()),
                    why: Box::new(Denial::NoAllow),
                });
            };
            self.authorize(tx, Operation::GetAccessKeyLastUsed, &[&resource])?;
            let key = key.ok_or_else(|| CoreError::NoSuchAccessKey(id.clone()))?;
            Ok(KeyView {
                key: self.svc.with_pending_use(key),
                user_name: user.map(|u| u.name),
            })
        })
    }
}

#[cfg(test)]
#[path = "access_keys_tests.rs"]
mod tests;
