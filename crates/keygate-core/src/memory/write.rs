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
        let mut s = self.0.borrow_mut();
        let parent_here = match &session.origin {
            SessionOrigin::Key { parent_key, .. } => s
                .keys
                .get(parent_key)
                .is_some_and(|(k, _)| k.account_id == session.account_id),
            SessionOrigin::Role(r) => s.role_in(&session.account_id, &r.role).is_some(),
            SessionOrigin::SignIn { user } => s
                .logins
                .get(user)
                .is_some_and(|l| l.account_id == session.account_id),
        };
        if !parent_here
            || s.keys.contains_key(&session.key_id)
            || s.sessions.contains_key(&session.key_id)
        {
            return Err(conflict("no such parent key, or key id taken"));
        }
        s.sessions.insert(
            session.key_id.clone(),
            (session.clone(), secret.clone(), token_digest.to_vec()),
        );
        Ok(())
    }

    fn put_login_profile(&self, profile: &LoginProfile) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.user_in(&profile.account_id, &profile.user).is_none() {
            return Err(conflict("no such user"));
        }
        s.logins.insert(profile.user.clone(), profile.clone());
        Ok(())
    }

    fn delete_login_profile(&self, account: &AccountId, user: &UserId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.logins.get(user).is_some_and(|l| &l.account_id == account) {
            s.logins.remove(user);
            s.sessions.retain(|_, (session, _, _)| {
                !matches!(&session.origin, SessionOrigin::SignIn { user: u } if u == user)
            });
        }
        Ok(())
    }

    fn put_password_policy(&self, account: &AccountId, policy: &PasswordPolicy) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if !s.accounts.contains_key(account) {
            return Err(conflict("no such account"));
        }
        s.password_policies.insert(account.clone(), *policy);
        Ok(())
    }

    fn delete_password_policy(&self, account: &AccountId) -> CoreResult<()> {
        self.0.borrow_mut().password_policies.remove(account);
        Ok(())
    }

    fn insert_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if !s.accounts.contains_key(&device.account_id) || s.mfa.contains_key(&device.serial) {
            return Err(conflict("no such account, or serial number taken"));
        }
        s.mfa.insert(device.serial.clone(), device.clone());
        Ok(())
    }

    fn update_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if let Some((u, _)) = &device.user
            && s.user_in(&device.account_id, u).is_none()
        {
            return Err(conflict("no such user"));
        }
        match s.mfa.get_mut(&device.serial) {
            Some(d) if d.account_id == device.account_id => {
                d.user = device.user.clone();
                d.last_step = device.last_step;
                d.drift = device.drift;
                d.failures = device.failures;
                d.tags = device.tags.clone();
                Ok(())
            }
            _ => Err(conflict("no such MFA device")),
        }
    }

    fn delete_mfa_device(&self, account: &AccountId, serial: &str) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.mfa.get(serial).is_some_and(|d| &d.account_id == account) {
            s.mfa.remove(serial);
        }
        Ok(())
    }

    fn delete_expired_sessions(&self, now: Timestamp) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .sessions
            .retain(|_, (session, _, _)| session.expires_at > now);
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
            let group = Attachee::Group(id.clone());
            s.attachments.retain(|(_, _, t)| *t != group);
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
        self.0
            .borrow_mut()
            .login_failures
            .insert((login.to_owned(), source.to_owned()), *failures);
        Ok(())
    }

    fn delete_login_failures(&self, login: &str, source: &str) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .login_failures
            .remove(&(login.to_owned(), source.to_owned()));
        Ok(())
    }

    fn insert_source_failure(&self, source: &str, at: Timestamp) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .source_failures
            .push((source.to_owned(), at));
        Ok(())
    }

    fn delete_sign_in_failures_before(
        &self,
        logins_before: Timestamp,
        sources_before: Timestamp,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        s.login_failures.retain(|_, f| f.at >= logins_before);
        s.source_failures.retain(|(_, at)| *at >= sources_before);
        Ok(())
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
