//! `MemoryStore`: a `Store` held in process memory, for tests and as the reference the
//! conformance suite is checked against. A write transaction works on a copy and swaps it in
//! on commit, so a failed operation leaves nothing behind.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::error::{CoreError, CoreResult, StoreFailure};
use crate::ids::{
    AccessKeyId, AccountId, Email, GroupId, GroupName, PathPrefix, PolicyName, TagKey, UserId,
    UserName,
};
use crate::model::{AccessKey, Account, Group, KeyOwner, LastUsed, Secret, Tag, User};
use crate::store::{ReadTx, Store, WriteTx};

#[derive(Debug, Clone, Default)]
struct State {
    accounts: BTreeMap<AccountId, (Account, String)>,
    users: BTreeMap<UserId, User>,
    keys: BTreeMap<AccessKeyId, (AccessKey, Secret)>,
    policies: BTreeMap<(UserId, PolicyName), String>,
    groups: BTreeMap<GroupId, Group>,
    /// Memberships `(group, user)`.
    members: std::collections::BTreeSet<(GroupId, UserId)>,
    group_policies: BTreeMap<(GroupId, PolicyName), String>,
}

impl State {
    fn group_in(&self, account: &AccountId, id: &GroupId) -> Option<&Group> {
        self.groups.get(id).filter(|g| &g.account_id == account)
    }

    fn user_in(&self, account: &AccountId, id: &UserId) -> Option<&User> {
        self.users.get(id).filter(|u| &u.account_id == account)
    }
}

fn by_folded_name(groups: &mut [Group]) {
    groups.sort_by_key(|g| g.name.folded());
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

struct Tx(RefCell<State>);

fn conflict(what: &str) -> CoreError {
    CoreError::Storage(StoreFailure::message(format!(
        "constraint violated: {what}"
    )))
}

impl ReadTx for Tx {
    fn account(&self, id: &AccountId) -> CoreResult<Option<Account>> {
        Ok(self.0.borrow().accounts.get(id).map(|(a, _)| a.clone()))
    }

    fn account_by_email(&self, email: &Email) -> CoreResult<Option<Account>> {
        Ok(self
            .0
            .borrow()
            .accounts
            .values()
            .find(|(a, _)| &a.email == email)
            .map(|(a, _)| a.clone()))
    }

    fn accounts(&self) -> CoreResult<Vec<Account>> {
        Ok(self
            .0
            .borrow()
            .accounts
            .values()
            .map(|(a, _)| a.clone())
            .collect())
    }

    fn password_hash(&self, id: &AccountId) -> CoreResult<Option<String>> {
        Ok(self.0.borrow().accounts.get(id).map(|(_, h)| h.clone()))
    }

    fn user_by_name(&self, account: &AccountId, name: &UserName) -> CoreResult<Option<User>> {
        let folded = name.folded();
        Ok(self
            .0
            .borrow()
            .users
            .values()
            .find(|u| &u.account_id == account && u.name.folded() == folded)
            .cloned())
    }

    fn user_by_id(&self, account: &AccountId, id: &UserId) -> CoreResult<Option<User>> {
        Ok(self
            .0
            .borrow()
            .users
            .get(id)
            .filter(|u| &u.account_id == account)
            .cloned())
    }

    fn users(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<User>> {
        let mut users: Vec<User> = self
            .0
            .borrow()
            .users
            .values()
            .filter(|u| &u.account_id == account)
            .filter(|u| prefix.is_none_or(|p| u.path.as_str().starts_with(p.as_str())))
            .filter(|u| after.is_none_or(|a| u.name.folded().as_str() > a))
            .cloned()
            .collect();
        users.sort_by_key(|u| u.name.folded());
        users.truncate(limit);
        Ok(users)
    }

    fn key(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<Option<AccessKey>> {
        Ok(self
            .0
            .borrow()
            .keys
            .get(id)
            .filter(|(k, _)| &k.account_id == account)
            .map(|(k, _)| k.clone()))
    }

    fn key_secret(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<Option<Secret>> {
        Ok(self
            .0
            .borrow()
            .keys
            .get(id)
            .filter(|(k, _)| &k.account_id == account)
            .map(|(_, s)| s.clone()))
    }

    fn key_for_authentication(&self, id: &AccessKeyId) -> CoreResult<Option<AccessKey>> {
        Ok(self.0.borrow().keys.get(id).map(|(k, _)| k.clone()))
    }

    fn keys(&self, account: &AccountId, owner: &KeyOwner) -> CoreResult<Vec<AccessKey>> {
        let mut keys: Vec<AccessKey> = self
            .0
            .borrow()
            .keys
            .values()
            .filter(|(k, _)| &k.account_id == account && &k.owner == owner)
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(keys)
    }

    fn policies(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        let state = self.0.borrow();
        if state
            .users
            .get(user)
            .is_none_or(|u| &u.account_id != account)
        {
            return Ok(Vec::new());
        }
        Ok(state
            .policies
            .iter()
            .filter(|((u, _), _)| u == user)
            .map(|((_, n), d)| (n.clone(), d.clone()))
            .collect())
    }

    fn group_by_name(&self, account: &AccountId, name: &GroupName) -> CoreResult<Option<Group>> {
        let folded = name.folded();
        Ok(self
            .0
            .borrow()
            .groups
            .values()
            .find(|g| &g.account_id == account && g.name.folded() == folded)
            .cloned())
    }

    fn groups(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Group>> {
        let mut groups: Vec<Group> = self
            .0
            .borrow()
            .groups
            .values()
            .filter(|g| &g.account_id == account)
            .filter(|g| prefix.is_none_or(|p| g.path.as_str().starts_with(p.as_str())))
            .filter(|g| after.is_none_or(|a| g.name.folded().as_str() > a))
            .cloned()
            .collect();
        by_folded_name(&mut groups);
        groups.truncate(limit);
        Ok(groups)
    }

    fn group_members(&self, account: &AccountId, group: &GroupId) -> CoreResult<Vec<User>> {
        let s = self.0.borrow();
        if s.group_in(account, group).is_none() {
            return Ok(Vec::new());
        }
        let mut users: Vec<User> = s
            .members
            .iter()
            .filter(|(g, _)| g == group)
            .filter_map(|(_, u)| s.user_in(account, u).cloned())
            .collect();
        users.sort_by_key(|u| u.name.folded());
        Ok(users)
    }

    fn groups_of_user(&self, account: &AccountId, user: &UserId) -> CoreResult<Vec<Group>> {
        let s = self.0.borrow();
        let mut groups: Vec<Group> = s
            .members
            .iter()
            .filter(|(_, u)| u == user)
            .filter_map(|(g, _)| s.group_in(account, g).cloned())
            .collect();
        by_folded_name(&mut groups);
        Ok(groups)
    }

    fn group_policies(
        &self,
        account: &AccountId,
        group: &GroupId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        let s = self.0.borrow();
        if s.group_in(account, group).is_none() {
            return Ok(Vec::new());
        }
        Ok(s.group_policies
            .iter()
            .filter(|((g, _), _)| g == group)
            .map(|((_, n), d)| (n.clone(), d.clone()))
            .collect())
    }
}

impl WriteTx for Tx {
    fn insert_account(&self, account: &Account, password_hash: &str) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.accounts.contains_key(&account.id)
            || s.accounts.values().any(|(a, _)| a.email == account.email)
        {
            return Err(conflict("account id or e-mail taken"));
        }
        s.accounts.insert(
            account.id.clone(),
            (account.clone(), password_hash.to_owned()),
        );
        Ok(())
    }

    fn set_password_hash(&self, id: &AccountId, hash: &str) -> CoreResult<()> {
        if let Some((_, h)) = self.0.borrow_mut().accounts.get_mut(id) {
            *h = hash.to_owned();
        }
        Ok(())
    }

    fn insert_user(&self, user: &User) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let folded = user.name.folded();
        if !s.accounts.contains_key(&user.account_id)
            || s.users.contains_key(&user.id)
            || s.users
                .values()
                .any(|u| u.account_id == user.account_id && u.name.folded() == folded)
        {
            return Err(conflict("user id or name taken, or no such account"));
        }
        let mut user = user.clone();
        user.tags.sort_by(|a, b| a.key.cmp(&b.key));
        s.users.insert(user.id.clone(), user);
        Ok(())
    }

    fn update_user(&self, user: &User) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let folded = user.name.folded();
        if s.users.values().any(|u| {
            u.account_id == user.account_id && u.id != user.id && u.name.folded() == folded
        }) {
            return Err(conflict("user name taken"));
        }
        if let Some(u) = s.users.get_mut(&user.id) {
            let tags = std::mem::take(&mut u.tags);
            *u = User {
                tags,
                ..user.clone()
            };
        }
        Ok(())
    }

    fn delete_user(&self, account: &AccountId, id: &UserId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let owner = KeyOwner::User(id.clone());
        if s.keys.values().any(|(k, _)| k.owner == owner)
            || s.policies.keys().any(|(u, _)| u == id)
            || s.members.iter().any(|(_, u)| u == id)
        {
            return Err(conflict(
                "user still owns keys or policies, or is in a group",
            ));
        }
        if s.users.get(id).is_some_and(|u| &u.account_id == account) {
            s.users.remove(id);
        }
        Ok(())
    }

    fn put_tags(&self, account: &AccountId, user: &UserId, tags: &[Tag]) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let Some(u) = s.users.get_mut(user).filter(|u| &u.account_id == account) else {
            return Err(conflict("no such user"));
        };
        for t in tags {
            u.tags.retain(|old| old.key != t.key);
            u.tags.push(t.clone());
        }
        u.tags.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(())
    }

    fn delete_tags(&self, account: &AccountId, user: &UserId, keys: &[TagKey]) -> CoreResult<()> {
        if let Some(u) = self
            .0
            .borrow_mut()
            .users
            .get_mut(user)
            .filter(|u| &u.account_id == account)
        {
            u.tags.retain(|t| !keys.contains(&t.key));
        }
        Ok(())
    }

    fn insert_key(&self, key: &AccessKey, secret: &Secret) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let owner_ok = match &key.owner {
            KeyOwner::Root => s.accounts.contains_key(&key.account_id),
            KeyOwner::User(uid) => s
                .users
                .get(uid)
                .is_some_and(|u| u.account_id == key.account_id),
        };
        if !owner_ok || s.keys.contains_key(&key.id) {
            return Err(conflict("key id taken or no such owner"));
        }
        s.keys.insert(key.id.clone(), (key.clone(), secret.clone()));
        Ok(())
    }

    fn update_key(&self, key: &AccessKey) -> CoreResult<()> {
        if let Some((k, _)) = self
            .0
            .borrow_mut()
            .keys
            .get_mut(&key.id)
            .filter(|(k, _)| k.account_id == key.account_id)
        {
            k.state = key.state;
            k.modified_at = key.modified_at;
            k.expires_at = key.expires_at;
            k.tag = key.tag.clone();
        }
        Ok(())
    }

    fn record_last_use(
        &self,
        account: &AccountId,
        id: &AccessKeyId,
        used: &LastUsed,
    ) -> CoreResult<()> {
        if let Some((k, _)) = self
            .0
            .borrow_mut()
            .keys
            .get_mut(id)
            .filter(|(k, _)| &k.account_id == account)
        {
            k.last_used = Some(used.clone());
        }
        Ok(())
    }

    fn delete_key(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.keys
            .get(id)
            .is_some_and(|(k, _)| &k.account_id == account)
        {
            s.keys.remove(id);
        }
        Ok(())
    }

    fn put_policy(
        &self,
        account: &AccountId,
        user: &UserId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.users.get(user).is_none_or(|u| &u.account_id != account) {
            return Err(conflict("no such user"));
        }
        s.policies
            .insert((user.clone(), name.clone()), document.to_owned());
        Ok(())
    }

    fn delete_policy(
        &self,
        account: &AccountId,
        user: &UserId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.users.get(user).is_some_and(|u| &u.account_id == account) {
            s.policies.remove(&(user.clone(), name.clone()));
        }
        Ok(())
    }

    fn insert_group(&self, group: &Group) -> CoreResult<()> {
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

    fn update_group(&self, group: &Group) -> CoreResult<()> {
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

    fn delete_group(&self, account: &AccountId, id: &GroupId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, id).is_some() {
            s.groups.remove(id);
            s.members.retain(|(g, _)| g != id);
            s.group_policies.retain(|(g, _), _| g != id);
        }
        Ok(())
    }

    fn add_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, group).is_none() || s.user_in(account, user).is_none() {
            return Err(conflict("no such group or user"));
        }
        s.members.insert((group.clone(), user.clone()));
        Ok(())
    }

    fn remove_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.group_in(account, group).is_some() {
            s.members.remove(&(group.clone(), user.clone()));
        }
        Ok(())
    }

    fn put_group_policy(
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

    fn delete_group_policy(
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

impl Store for MemoryStore {
    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        let snapshot = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        f(&Tx(RefCell::new(snapshot)))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let tx = Tx(RefCell::new(state.clone()));
        f(&tx)?;
        *state = tx.0.into_inner();
        Ok(())
    }

    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&Tx(RefCell::new(state.clone())))
    }
}
