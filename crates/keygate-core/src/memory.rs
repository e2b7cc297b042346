//! `MemoryStore`: a `Store` held in process memory, for tests and as the reference the
//! conformance suite is checked against. A write transaction works on a copy and swaps it in
//! on commit, so a failed operation leaves nothing behind.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::error::{CoreError, CoreResult, StoreFailure};
use crate::ids::{
    AccessKeyId, AccountId, ApiAccessRuleId, CaId, Email, GroupId, GroupName, PathPrefix, PolicyId,
    PolicyName, RoleId, RoleName, UserId, UserName, VersionId,
};
use crate::model::{
    AccessKey, Account, ApiAccessPolicy, ApiAccessRule, Attachee, AuditRecord, Ca, Group, KeyOwner,
    LoginFailures, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PolicyOwner,
    PolicyVersion, Role, Secret, Session, Timestamp, User,
};
use crate::store::{ReadTx, Store, WriteTx};

mod access;
mod managed;
mod roles;
mod write;

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
    /// Customer managed policies, each with its account.
    managed: BTreeMap<PolicyId, (AccountId, ManagedPolicy)>,
    versions: BTreeMap<(PolicyId, VersionId), PolicyVersion>,
    /// Attachments `(account, policy, attachee)`: provider policies have no row in `managed`.
    attachments: std::collections::BTreeSet<(AccountId, PolicyId, Attachee)>,
    /// Sessions by key id, with their secret and token digest.
    sessions: BTreeMap<AccessKeyId, (Session, Secret, Vec<u8>)>,
    /// Virtual MFA devices by serial number.
    mfa: BTreeMap<String, MfaDevice>,
    logins: BTreeMap<UserId, LoginProfile>,
    password_policies: BTreeMap<AccountId, PasswordPolicy>,
    roles: BTreeMap<RoleId, Role>,
    access_policies: BTreeMap<AccountId, ApiAccessPolicy>,
    access_rules: BTreeMap<ApiAccessRuleId, ApiAccessRule>,
    cas: BTreeMap<CaId, Ca>,
    /// The audit trail by sequence number, and the next number (pruning leaves gaps).
    audit: BTreeMap<i64, AuditRecord>,
    audit_next: i64,
    role_policies: BTreeMap<(RoleId, PolicyName), String>,
    /// Failed password attempts by `(login, source)`, and each source's failures' times.
    login_failures: BTreeMap<(String, String), LoginFailures>,
    source_failures: Vec<(String, Timestamp)>,
}

impl State {
    fn group_in(&self, account: &AccountId, id: &GroupId) -> Option<&Group> {
        self.groups.get(id).filter(|g| &g.account_id == account)
    }

    fn user_in(&self, account: &AccountId, id: &UserId) -> Option<&User> {
        self.users.get(id).filter(|u| &u.account_id == account)
    }

    fn role_in(&self, account: &AccountId, id: &RoleId) -> Option<&Role> {
        self.roles.get(id).filter(|r| &r.account_id == account)
    }

    fn managed_in(&self, account: &AccountId, id: &PolicyId) -> Option<&ManagedPolicy> {
        self.managed
            .get(id)
            .filter(|(a, _)| a == account)
            .map(|(_, p)| p)
    }

    fn attachee_in(&self, account: &AccountId, to: &Attachee) -> bool {
        match to {
            Attachee::User(u) => self.user_in(account, u).is_some(),
            Attachee::Group(g) => self.group_in(account, g).is_some(),
            Attachee::Role(r) => self.role_in(account, r).is_some(),
        }
    }
}

/// The account a managed policy record names as its owner; the provider's are never stored.
fn owning_account(p: &ManagedPolicy) -> Option<&AccountId> {
    match &p.owner {
        PolicyOwner::Account(a) => Some(a),
        PolicyOwner::Provider => None,
    }
}

fn by_folded_name(groups: &mut [Group]) {
    groups.sort_by_key(|g| g.name.folded());
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
    /// Counts the committed write transactions.
    generation: std::sync::atomic::AtomicU64,
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

impl Store for MemoryStore {
    fn reads_are_local(&self) -> bool {
        true
    }

    fn generation(&self) -> Option<u64> {
        Some(self.generation.load(std::sync::atomic::Ordering::SeqCst))
    }

    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        let snapshot = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        f(&Tx(RefCell::new(snapshot)))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let tx = Tx(RefCell::new(state.clone()));
        f(&tx)?;
        *state = tx.0.into_inner();
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&Tx(RefCell::new(state.clone())))
    }
}
