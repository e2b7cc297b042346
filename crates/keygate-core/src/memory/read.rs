//! The read half of a `MemoryStore` transaction: every lookup and listing, scoped to the
//! account it names and ordered as the SQL stores order it.

use crate::error::CoreResult;
use crate::ids::{
    AccessKeyId, AccountId, Email, GroupId, GroupName, PathPrefix, PolicyId, PolicyName, RoleId,
    RoleName, UserId, UserName, VersionId,
};
use crate::model::{
    AccessKey, Account, ApiAccessPolicy, ApiAccessRule, Attachee, AuditRecord, Ca, Group, KeyOwner,
    LoginFailures, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PolicyVersion, Role,
    Secret, Session, Timestamp, User,
};
use crate::store::ReadTx;

use super::*;

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

    fn session_for_authentication(
        &self,
        id: &AccessKeyId,
    ) -> CoreResult<Option<(Session, Secret, Vec<u8>)>> {
        Ok(self.0.borrow().sessions.get(id).cloned())
    }

    fn login_profile(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<Option<LoginProfile>> {
        Ok(self
            .0
            .borrow()
            .logins
            .get(user)
            .filter(|l| &l.account_id == account)
            .cloned())
    }

    fn password_policy(&self, account: &AccountId) -> CoreResult<Option<PasswordPolicy>> {
        Ok(self.0.borrow().password_policies.get(account).copied())
    }

    fn mfa_devices(&self, account: &AccountId) -> CoreResult<Vec<MfaDevice>> {
        Ok(self
            .0
            .borrow()
            .mfa
            .values()
            .filter(|d| &d.account_id == account)
            .cloned()
            .collect())
    }

    fn mfa_device(&self, account: &AccountId, serial: &str) -> CoreResult<Option<MfaDevice>> {
        Ok(self
            .0
            .borrow()
            .mfa
            .get(serial)
            .filter(|d| &d.account_id == account)
            .cloned())
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

    fn managed_policies(&self, account: &AccountId) -> CoreResult<Vec<ManagedPolicy>> {
        let mut all: Vec<ManagedPolicy> = self
            .0
            .borrow()
            .managed
            .values()
            .filter(|(a, _)| a == account)
            .map(|(_, p)| p.clone())
            .collect();
        all.sort_by_key(|p| p.name.folded());
        Ok(all)
    }

    fn managed_policy(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<Option<ManagedPolicy>> {
        Ok(self.0.borrow().managed_in(account, id).cloned())
    }

    fn policy_versions(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<Vec<PolicyVersion>> {
        let s = self.0.borrow();
        if s.managed_in(account, id).is_none() {
            return Ok(Vec::new());
        }
        Ok(s.versions
            .iter()
            .filter(|((p, _), _)| p == id)
            .map(|(_, v)| v.clone())
            .collect())
    }

    fn policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<Option<PolicyVersion>> {
        let s = self.0.borrow();
        if s.managed_in(account, id).is_none() {
            return Ok(None);
        }
        Ok(s.versions.get(&(id.clone(), version)).cloned())
    }

    fn audit_records(
        &self,
        account: Option<&AccountId>,
        after: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        self.stored_audit_records(account, after, limit)
    }

    fn audit_records_newest(
        &self,
        account: &AccountId,
        before: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        self.stored_audit_records_newest(account, before, limit)
    }

    fn api_access_policy(&self, account: &AccountId) -> CoreResult<Option<ApiAccessPolicy>> {
        self.stored_api_access_policy(account)
    }

    fn login_failures(&self, login: &str, source: &str) -> CoreResult<Option<LoginFailures>> {
        let s = self.0.borrow();
        Ok(s.login_failures
            .get(&(login.to_owned(), source.to_owned()))
            .copied())
    }

    fn source_failures(
        &self,
        source: &str,
        since: Timestamp,
    ) -> CoreResult<(u32, Option<Timestamp>)> {
        let s = self.0.borrow();
        let times: Vec<Timestamp> = s
            .source_failures
            .iter()
            .filter(|(src, at)| src == source && *at > since)
            .map(|(_, at)| *at)
            .collect();
        Ok((
            u32::try_from(times.len()).unwrap_or(u32::MAX),
            times.into_iter().min(),
        ))
    }

    fn cas(&self, account: &AccountId) -> CoreResult<Vec<Ca>> {
        self.stored_cas(account)
    }

    fn access_rules(&self, account: &AccountId) -> CoreResult<Vec<ApiAccessRule>> {
        self.stored_access_rules(account)
    }

    fn role_by_name(&self, account: &AccountId, name: &RoleName) -> CoreResult<Option<Role>> {
        self.stored_role_by_name(account, name)
    }

    fn role_by_id(&self, account: &AccountId, id: &RoleId) -> CoreResult<Option<Role>> {
        self.stored_role_by_id(account, id)
    }

    fn roles(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Role>> {
        self.stored_roles(account, prefix, after, limit)
    }

    fn role_policies(
        &self,
        account: &AccountId,
        role: &RoleId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        self.stored_role_policies(account, role)
    }

    fn attached_policies(&self, account: &AccountId, to: &Attachee) -> CoreResult<Vec<PolicyId>> {
        Ok(self
            .0
            .borrow()
            .attachments
            .iter()
            .filter(|(a, _, t)| a == account && t == to)
            .map(|(_, p, _)| p.clone())
            .collect())
    }

    fn policy_attachees(
        &self,
        account: &AccountId,
        policy: &PolicyId,
    ) -> CoreResult<Vec<Attachee>> {
        Ok(self
            .0
            .borrow()
            .attachments
            .iter()
            .filter(|(a, p, _)| a == account && p == policy)
            .map(|(_, _, t)| t.clone())
            .collect())
    }
}
