//! The write half of a `MemoryStore` transaction (managed policies in `managed`, roles in
//! `roles`), keeping the constraints the SQLite schema keeps (unique names, no dangling
//! owner), so that the conformance suite holds for both.

use crate::error::CoreResult;
use crate::ids::{
    AccessKeyId, AccountId, ApiAccessRuleId, CaId, GroupId, PolicyId, PolicyName, RoleId, TagKey,
    UserId, VersionId,
};
use crate::model::{
    AccessKey, Account, ApiAccessPolicy, ApiAccessRule, Attachee, AuditRecord, Ca, Group, KeyOwner,
    LastUsed, LoginFailures, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PolicyVersion,
    Role, Secret, Session, SessionOrigin, Tag, Timestamp, User,
};
use crate::store::WriteTx;

use super::{Tx, conflict};

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
            || s.attachments
                .iter()
                .any(|(_, _, t)| *t == Attachee::User(id.clone()))
            || s.mfa
                .values()
                .any(|d| d.user.as_ref().is_some_and(|(u, _)| u == id))
            || s.logins.contains_key(id)
        {
            return Err(conflict(
                "user still owns keys or policies, is in a group or has policies attached",
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
            .filter(|(k, _)| k.last_used.as_ref().is_none_or(|l| l.at < used.at))
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
            s.sessions.retain(|_, (session, _, _)| {
                !matches!(&session.origin, SessionOrigin::Key { parent_key, .. } if parent_key == id)
            });
        }
        Ok(())
    }

    fn insert_session(
        &self,
        session: &Session,
        secret: &Secret,
        token_digest: &[u8],
    ) -> CoreResult<()> {
        self.stored_insert_session(session, secret, token_digest)
    }

    fn put_login_profile(&self, profile: &LoginProfile) -> CoreResult<()> {
        self.stored_put_login_profile(profile)
    }

    fn delete_login_profile(&self, account: &AccountId, user: &UserId) -> CoreResult<()> {
        self.stored_delete_login_profile(account, user)
    }

    fn put_password_policy(&self, account: &AccountId, policy: &PasswordPolicy) -> CoreResult<()> {
        self.stored_put_password_policy(account, policy)
    }

    fn delete_password_policy(&self, account: &AccountId) -> CoreResult<()> {
        self.stored_delete_password_policy(account)
    }

    fn insert_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        self.stored_insert_mfa_device(device)
    }

    fn update_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        self.stored_update_mfa_device(device)
    }

    fn delete_mfa_device(&self, account: &AccountId, serial: &str) -> CoreResult<()> {
        self.stored_delete_mfa_device(account, serial)
    }

    fn delete_expired_sessions(&self, now: Timestamp) -> CoreResult<()> {
        self.stored_delete_expired_sessions(now)
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
        self.stored_insert_group(group)
    }

    fn update_group(&self, group: &Group) -> CoreResult<()> {
        self.stored_update_group(group)
    }

    fn delete_group(&self, account: &AccountId, id: &GroupId) -> CoreResult<()> {
        self.stored_delete_group(account, id)
    }

    fn add_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()> {
        self.stored_add_member(account, group, user)
    }

    fn remove_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()> {
        self.stored_remove_member(account, group, user)
    }

    fn put_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.stored_put_group_policy(account, group, name, document)
    }

    fn delete_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.stored_delete_group_policy(account, group, name)
    }

    fn insert_audit_record(&self, record: &AuditRecord) -> CoreResult<()> {
        self.stored_insert_audit_record(record)
    }

    fn delete_audit_records_before(&self, before: Timestamp) -> CoreResult<()> {
        self.stored_delete_audit_records_before(before)
    }

    fn put_login_failures(
        &self,
        login: &str,
        source: &str,
        failures: &LoginFailures,
    ) -> CoreResult<()> {
        self.stored_put_login_failures(login, source, failures)
    }

    fn delete_login_failures(&self, login: &str, source: &str) -> CoreResult<()> {
        self.stored_delete_login_failures(login, source)
    }

    fn insert_source_failure(&self, source: &str, at: Timestamp) -> CoreResult<()> {
        self.stored_insert_source_failure(source, at)
    }

    fn delete_sign_in_failures_before(
        &self,
        logins_before: Timestamp,
        sources_before: Timestamp,
    ) -> CoreResult<()> {
        self.stored_delete_sign_in_failures_before(logins_before, sources_before)
    }

    fn put_api_access_policy(
        &self,
        account: &AccountId,
        policy: &ApiAccessPolicy,
    ) -> CoreResult<()> {
        self.stored_put_api_access_policy(account, policy)
    }

    fn insert_ca(&self, ca: &Ca) -> CoreResult<()> {
        self.stored_insert_ca(ca)
    }

    fn update_ca(&self, ca: &Ca) -> CoreResult<()> {
        self.stored_update_ca(ca)
    }

    fn delete_ca(&self, account: &AccountId, id: &CaId) -> CoreResult<()> {
        self.stored_delete_ca(account, id)
    }

    fn insert_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()> {
        self.stored_insert_access_rule(rule)
    }

    fn update_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()> {
        self.stored_update_access_rule(rule)
    }

    fn delete_access_rule(&self, account: &AccountId, id: &ApiAccessRuleId) -> CoreResult<()> {
        self.stored_delete_access_rule(account, id)
    }

    fn insert_role(&self, role: &Role) -> CoreResult<()> {
        self.stored_insert_role(role)
    }

    fn update_role(&self, role: &Role) -> CoreResult<()> {
        self.stored_update_role(role)
    }

    fn delete_role(&self, account: &AccountId, id: &RoleId) -> CoreResult<()> {
        self.stored_delete_role(account, id)
    }

    fn put_role_tags(&self, account: &AccountId, role: &RoleId, tags: &[Tag]) -> CoreResult<()> {
        self.stored_put_role_tags(account, role, tags)
    }

    fn delete_role_tags(
        &self,
        account: &AccountId,
        role: &RoleId,
        keys: &[TagKey],
    ) -> CoreResult<()> {
        self.stored_delete_role_tags(account, role, keys)
    }

    fn put_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.stored_put_role_policy(account, role, name, document)
    }

    fn delete_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.stored_delete_role_policy(account, role, name)
    }

    fn insert_managed_policy(
        &self,
        policy: &ManagedPolicy,
        first: &PolicyVersion,
    ) -> CoreResult<()> {
        self.stored_insert_managed_policy(policy, first)
    }

    fn update_managed_policy(&self, policy: &ManagedPolicy) -> CoreResult<()> {
        self.stored_update_managed_policy(policy)
    }

    fn delete_managed_policy(&self, account: &AccountId, id: &PolicyId) -> CoreResult<()> {
        self.stored_delete_managed_policy(account, id)
    }

    fn insert_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: &PolicyVersion,
    ) -> CoreResult<()> {
        self.stored_insert_policy_version(account, id, version)
    }

    fn delete_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<()> {
        self.stored_delete_policy_version(account, id, version)
    }

    fn attach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        self.stored_attach_policy(account, policy, to)
    }

    fn detach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        self.stored_detach_policy(account, policy, to)
    }
}
